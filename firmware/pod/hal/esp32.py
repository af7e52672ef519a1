"""HAL on a real ESP32: the only module that imports `machine`. Same names as hal/sim.py."""
import sys
import time

import machine
import micropython

try:
    import esp32
except ImportError:  # a MicroPython build without the esp32 module: no pin wake-up
    esp32 = None  # type: ignore[assignment]

PLATFORM = "esp32"
TICKS_PERIOD = 1 << 30
IRQ_RISING = machine.Pin.IRQ_RISING
IRQ_FALLING = machine.Pin.IRQ_FALLING

ticks_us = time.ticks_us
ticks_ms = time.ticks_ms
ticks_add = time.ticks_add
ticks_diff = time.ticks_diff
sleep_us = time.sleep_us
sleep_ms = time.sleep_ms


def I2C(i2c_id=0, sda=21, scl=22, freq=400000):
    return machine.I2C(i2c_id, sda=machine.Pin(sda), scl=machine.Pin(scl), freq=freq)


def InputPin(num, pull_up=False):
    """machine.Pin: .value(), .irq(handler, trigger) (soft IRQ on ESP32: handler is scheduled)."""
    if pull_up:
        return machine.Pin(num, machine.Pin.IN, machine.Pin.PULL_UP)
    return machine.Pin(num, machine.Pin.IN)


class OutputPin:
    def __init__(self, num, active_low=False, name=None):
        self.active_low = active_low
        self._pin = machine.Pin(num, machine.Pin.OUT, value=1 if active_low else 0)
        self.state = 0

    def value(self, v=None):
        if v is None:
            return self.state
        self.state = 1 if v else 0
        self._pin.value(self.state ^ (1 if self.active_low else 0))
        return None

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)


class Buzzer:
    """Passive buzzer on PWM."""

    def __init__(self, num):
        self._pwm = machine.PWM(machine.Pin(num), freq=2000, duty_u16=0)
        self.freq_hz = 0

    def tone(self, freq_hz, duty_u16=32768):
        if freq_hz <= 0 or duty_u16 <= 0:
            self.off()
            return
        if freq_hz != self.freq_hz:
            self._pwm.freq(freq_hz)
            self.freq_hz = freq_hz
        self._pwm.duty_u16(duty_u16)

    def off(self):
        self._pwm.duty_u16(0)
        self.freq_hz = 0


class Motor:
    """Coin vibration motor through a transistor; PWM sets the intensity."""

    def __init__(self, num, freq_hz=1000):
        self._pwm = machine.PWM(machine.Pin(num), freq=freq_hz, duty_u16=0)

    def on(self, intensity_u16=65535):
        self._pwm.duty_u16(max(0, min(65535, intensity_u16)))

    def off(self):
        self._pwm.duty_u16(0)


class Adc:
    def __init__(self, num):
        self._adc = machine.ADC(machine.Pin(num))
        self._adc.atten(machine.ADC.ATTN_11DB)  # 0..~3.1 V

    def read_uv(self):
        return self._adc.read_uv()


def Watchdog(timeout_ms):
    return machine.WDT(timeout=timeout_ms)


_keepalive = None  # the timer that feeds the watchdog once the app has stopped


def watchdog_keepalive(wdt, period_ms):
    """Feed `wdt` from a hardware timer from now on. An ESP32 watchdog cannot be stopped once
    started: when the app hands the pod to the REPL (a host's pull or flash: mpremote sends Ctrl-C),
    a transfer longer than the timeout would otherwise reset the pod half way. The callback is soft:
    it runs between bytecodes and while the REPL waits for input."""
    global _keepalive
    if _keepalive is None:
        _keepalive = machine.Timer(0)
        _keepalive.init(period=period_ms, mode=machine.Timer.PERIODIC, callback=lambda _t: wdt.feed())


# Light sleep needs the IMU INT and the buttons as wake sources, or a batch or a press waits for the
# timer. pod.app_hw.Board calls light_sleep_wakes() once; it sets LIGHT_SLEEP_WAKES, which
# Board.light_sleep_ok() reads (the app never light-sleeps while it is False). See hal/README.md.
LIGHT_SLEEP_WAKES = False
LIGHT_SLEEP_OFF_REASON = "wake sources not configured"
_ext0 = None  # (pin, level) of the IMU INT, re-armed before every light sleep


def light_sleep_wakes(imu_int, int_active_high, buttons=(), buttons_active_low=True):
    """Make the IMU INT (ext0: an RTC GPIO, one pin) and the buttons (GPIO wake-up: any pin, one level
    for all) wake the chip from light sleep, each at its active level. Both are level-triggered.
    The INT is not a GPIO wake-up pin: that would leave its interrupt level-triggered after the
    sleep (MicroPython never undoes gpio_wakeup_enable) and, with its edge IRQ attached, the ISR
    would fire without end while INT stays asserted. Returns LIGHT_SLEEP_WAKES."""
    global LIGHT_SLEEP_OFF_REASON, _ext0
    _publish(False)
    _ext0 = None
    level = bool(int_active_high)
    try:
        if esp32 is None:
            raise OSError("no esp32 module in this firmware")
        esp32.wake_on_ext0(imu_int, level)  # ValueError("invalid pin") unless an RTC GPIO
        if buttons:
            # wake_on_gpio is MicroPython >= 1.27 (AttributeError before)
            esp32.wake_on_gpio(list(buttons), not buttons_active_low)
    except (ValueError, OSError, AttributeError) as e:
        LIGHT_SLEEP_OFF_REASON = "%s: %s" % (type(e).__name__, e)
        print("warning: light sleep off, wake sources failed:", LIGHT_SLEEP_OFF_REASON)
        _disarm()
        _publish(False)
        return False
    _ext0 = (imu_int, level)
    LIGHT_SLEEP_OFF_REASON = ""
    _publish(True)
    return True


def _publish(ok):
    # pod.hal star-imports this module, so the package holds a copy of the flag taken at import:
    # set both (Board.light_sleep_ok() reads the package's).
    global LIGHT_SLEEP_WAKES
    LIGHT_SLEEP_WAKES = ok
    pkg = sys.modules.get("pod.hal")
    if pkg is not None:
        pkg.LIGHT_SLEEP_WAKES = ok  # type: ignore[attr-defined]
        pkg.LIGHT_SLEEP_OFF_REASON = LIGHT_SLEEP_OFF_REASON  # type: ignore[attr-defined]


def _disarm():
    if esp32 is None:
        return
    try:
        esp32.wake_on_ext0(None, False)
        if hasattr(esp32, "wake_on_gpio"):
            esp32.wake_on_gpio([], False)  # an empty list clears; None would keep the old pins
    except (ValueError, OSError):
        pass


def light_sleep(ms):
    """Light-sleep up to ms (the timer wake: the app passes the time to the next beat edge), or until
    the IMU INT or a button is at its active level."""
    if ms <= 0:
        return  # nothing to sleep, and a 0 ms timer wake is not a documented case
    ext0 = _ext0
    if ext0 is not None:
        # Pin.irq() without wake= drops the ext0 pin (MicroPython machine_pin.c): the app attaches
        # the INT handler after light_sleep_wakes(), and may re-attach it, so arm it every time.
        esp32.wake_on_ext0(ext0[0], ext0[1])
    machine.lightsleep(ms)
    if ext0 is not None:
        # ext0 leaves the pad routed to the RTC IO after the wake (ESP-IDF sleep_modes); a
        # mode-setting init() gives it back to the GPIO matrix (rtc_gpio_deinit), IRQ kept.
        ext0[0].init(machine.Pin.IN)


def set_cpu_mhz(mhz):
    """The CPU clock: 80 MHz draws about a third less than 240 and still has room for the app."""
    machine.freq(mhz * 1000000)


def power_off(hold=None, wake=None, wake_level=False):
    """Switch off: drop the power-hold line (M5StickC Plus2: the board cuts its own power while on
    battery), else, or if still powered (USB), deep-sleep until `wake` (a button, RTC GPIO) is at
    wake_level. Does not return."""
    if hold is not None:
        hold.off()
        time.sleep_ms(200)
    if wake is not None and esp32 is not None:
        try:
            esp32.wake_on_ext0(wake, wake_level)
        except (ValueError, OSError):
            pass  # not an RTC GPIO: only a reset wakes it
    machine.deepsleep()


def reset():
    machine.reset()


def unique_id():
    return machine.unique_id()


schedule = micropython.schedule


def emergency_exception_buf(nbytes):
    micropython.alloc_emergency_exception_buf(nbytes)
