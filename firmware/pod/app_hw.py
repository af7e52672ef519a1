"""What the app needs from a board, and its implementation on the HAL.

The contract (pod.app uses nothing else). `Board` implements it on pod.hal, so the same code drives
an ESP32 (hal/esp32.py) and the simulated pod (hal/sim.py, set up by pod.sim.board_sim first):
  ticks_us() ticks_ms() ticks_add(t, d) ticks_diff(a, b) sleep_us(us)   the clock (wraps at 2^30)
  open_imu() -> Imu (below); raises OSError (no chip, bus error) or ValueError (bad setting)
  led(on)  pressed(name) -> bool  buttons: ["a"] or ["a", "b"]
  buzzer_on(hz, pct) buzzer_off() motor_on(pct) motor_off()   absent outputs do nothing
  battery_mv() -> int | None     wdt_start(timeout_ms) wdt_feed() wdt_hand_over()   has_motor() -> bool
  power_off()  (does not return on the device)
  light_sleep_ok() -> bool (IMU INT and buttons wake it)  light_sleep(ms)  usb_connected() -> bool
  safe_mode_requested() -> bool  (button A held at boot)
  done() -> bool (the sim's end of run; never on a device)   started(app) finished(app)
"""
import array

from pod import drivers

ODR_HZ = 104  # the LSM6 rates are 52/104/208 Hz; the MPU6886 rounds to 1 kHz / (1 + div)
FS_G = 8  # running peaks reach 4-6 g at the sacrum: +-8 g never clips
DEFAULT_WATERMARK = 52  # samples: ~0.5 s per batch at 104 Hz


class Imu:
    """A driver from pod.drivers with its INT pin: what the app's pipeline reads."""

    def __init__(self, drv, int_pin, watermark, irq_rising, irq_falling):
        self.drv = drv
        self.pin = int_pin
        self.watermark = watermark
        self.odr_mhz = drv.factory_odr_mhz()  # nominal, with the factory trim where the chip has one
        self.counts_per_g = drv.counts_per_g
        # Polling fallback period: two watermark periods without an IRQ means a missed edge.
        self.poll_ms = 2 * watermark * 1000000 // self.odr_mhz
        self._active = 1 if drv.int_active_high else 0
        self._trigger = irq_rising if drv.int_active_high else irq_falling
        self.pedometer = False
        if drv.has_pedometer:
            # The chip's own step counter, logged as a cross-check of the software detector. Its
            # interrupt goes to INT2 on the LSM6DSO (unused), INT1 (shared, harmless) on the DS3.
            try:
                drv.enable_pedometer_int(2 if drv.model == "LSM6DSO" else 1)
                self.pedometer = True
            except (OSError, ValueError):
                pass

    def buffer(self, n):
        return array.array("h", bytes(6 * n))

    def irq(self, handler):
        if handler is None:
            self.pin.irq(handler=None)
        else:
            self.pin.irq(handler=handler, trigger=self._trigger)

    def int_active(self):
        return self.pin.value() == self._active

    def chip_steps(self):
        """The chip's step counter (16 bits, wraps), or None without one."""
        return self.drv.pedometer_steps() if self.pedometer else None

    def overflowed(self):
        return self.drv.overflowed

    def read(self, buf, n):
        """Up to n samples into buf as x, y, z counts. 0 after an overflow (the driver restarted
        the FIFO; the app's sample clock then misses those samples)."""
        return self.drv.read_fifo(buf)


def open_imu(board, i2c, int_pin, imu_type=None, irq_rising=2, irq_falling=1):
    imu = board["imu"]
    drv = drivers.open_imu(i2c, imu_type or imu["type"], addr=imu.get("i2c_addr"), odr_hz=ODR_HZ, fs_g=FS_G,
                           int_active_low=imu.get("int_active_low", False),
                           int_open_drain=imu.get("int_open_drain", False))
    wm = board.get("power", {}).get("fifo_watermark_samples", DEFAULT_WATERMARK)
    drv.enable_fifo(wm)
    return Imu(drv, int_pin, wm, irq_rising, irq_falling)


class Board:
    """The contract on the HAL (pod.hal: hal/esp32.py on the device, hal/sim.py in the sim)."""

    def __init__(self, board):
        from pod import hal

        self.board = board
        self._hal = hal
        pins = board["pins"]
        mhz = board.get("power", {}).get("cpu_mhz")
        if mhz:
            hal.set_cpu_mhz(mhz)
        self._hold = None
        if pins.get("power_hold") is not None:  # M5StickC: keep the power on
            self._hold = hal.OutputPin(pins["power_hold"], name="power_hold")
            self._hold.on()
        self.ticks_us = hal.ticks_us
        self.ticks_ms = hal.ticks_ms
        self.ticks_add = hal.ticks_add
        self.ticks_diff = hal.ticks_diff
        self.sleep_us = hal.sleep_us
        self._led = None
        if pins.get("led") is not None:
            self._led = hal.OutputPin(pins["led"], active_low=bool(pins.get("led_active_low")), name="led")
        self._btn_low = board.get("buttons_active_low", True)
        self._buttons = {}
        self.buttons = []
        for name in ("a", "b"):
            p = pins.get("button_" + name)
            if p is not None:
                # ESP32 GPIO34-39 are input-only without internal pulls (the board has its own)
                self._buttons[name] = hal.InputPin(p, pull_up=self._btn_low and p < 34)
                self.buttons.append(name)
        outs = board.get("outputs", {})
        self._buzzer = None
        if outs.get("buzzer") and pins.get("buzzer") is not None:
            self._buzzer = hal.Buzzer(pins["buzzer"])
        self._motor = None
        if outs.get("motor") and pins.get("motor") is not None:
            self._motor = hal.Motor(pins["motor"])
        self._adc = hal.Adc(pins["battery_adc"]) if pins.get("battery_adc") is not None else None
        self._ratio_x1000 = int(board.get("battery_adc_ratio", 2.0) * 1000)
        imu = board["imu"]
        self._i2c = hal.I2C(imu.get("i2c_id", 0), sda=pins["i2c_sda"], scl=pins["i2c_scl"],
                            freq=imu.get("freq_hz", 400000))
        self._int = hal.InputPin(pins["imu_int"])
        wakes = getattr(hal, "light_sleep_wakes", None)  # hal.esp32: sets hal.LIGHT_SLEEP_WAKES
        if wakes is not None:
            wakes(self._int, not imu.get("int_active_low", False),
                  [self._buttons[n] for n in self.buttons], self._btn_low)
        self._wdt = None

    def open_imu(self):
        hal = self._hal
        return open_imu(self.board, self._i2c, self._int, irq_rising=hal.IRQ_RISING,
                        irq_falling=hal.IRQ_FALLING)

    def led(self, on):
        if self._led is not None:
            self._led.value(1 if on else 0)

    def pressed(self, name):
        v = self._buttons[name].value()
        return v == 0 if self._btn_low else v == 1

    def buzzer_on(self, hz, pct):
        if self._buzzer is not None:
            self._buzzer.tone(hz, pct * 32768 // 100)  # 50 % duty is the loudest square wave

    def buzzer_off(self):
        if self._buzzer is not None:
            self._buzzer.off()

    def motor_on(self, pct):
        if self._motor is not None:
            self._motor.on(pct * 65535 // 100)

    def motor_off(self):
        if self._motor is not None:
            self._motor.off()

    def has_motor(self):
        return self._motor is not None

    def light_sleep_ok(self):
        """Can the CPU light-sleep and be woken by the IMU INT and the buttons? On a real board only
        once pod.hal.esp32.light_sleep_wakes() armed those wake sources (see hal/README.md): a
        timer-only light sleep would miss button presses."""
        return bool(getattr(self._hal, "LIGHT_SLEEP_WAKES", False))

    def light_sleep(self, ms):
        self._hal.light_sleep(ms)

    def usb_connected(self):
        """Unknown on the device: assume a host is attached (light sleep would drop the REPL)."""
        return True

    def battery_mv(self):
        if self._adc is None:
            return None
        return self._adc.read_uv() // 1000 * self._ratio_x1000 // 1000

    def power_off(self):
        """Switch the pod off (flat battery); button A wakes it, on a board that only sleeps."""
        wake = self._buttons.get("a")
        self._hal.power_off(self._hold, wake, not self._btn_low)

    def wdt_start(self, timeout_ms):
        if timeout_ms:
            self._wdt = self._hal.Watchdog(timeout_ms)
            self._wdt_ms = timeout_ms

    def wdt_hand_over(self):
        """The app has stopped and the REPL takes the pod (a host pulling logs or flashing): a timer
        feeds the watchdog from now on, since it cannot be stopped."""
        if self._wdt is not None:
            self._hal.watchdog_keepalive(self._wdt, max(100, self._wdt_ms // 3))

    def wdt_feed(self):
        if self._wdt is not None:
            self._wdt.feed()

    def safe_mode_requested(self):
        return "a" in self._buttons and self.pressed("a")

    def done(self):
        return False

    def started(self, app):
        pass

    def finished(self, app):
        pass


def Hardware(board):
    """The board's implementation of the contract: the simulated pod reads its scenario first."""
    if board.get("mcu") == "sim":
        from pod.sim.board_sim import SimHardware

        return SimHardware(board)
    return Board(board)
