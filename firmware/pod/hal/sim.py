"""HAL, simulated twin of hal/esp32.py: the same names, backed by pod.sim fakes (see README.md).

One `SimBoard` is current: `setup(...)` makes it (the sim runner does this before the app starts),
`board()` returns it (a default sim board on first use). Everything the app does goes through
it: the I2C bus with the register-level IMU fake, pins whose IRQs follow the fake's INT line,
outputs that log (t_us, kind, value) events, the ADC, the watchdog and the injectable clock.
"""
from pod.sim.fake_clock import TICKS_PERIOD, SimClock, ticks_add, ticks_diff
from pod.sim.fake_i2c import FakeI2C
from pod.sim.fake_pins import (
    IRQ_FALLING,
    IRQ_RISING,
    EventLog,
    ScriptedInput,
    SimPin,
)
from pod.sim.fake_pins import Adc as _Adc
from pod.sim.fake_pins import Buzzer as _Buzzer
from pod.sim.fake_pins import Motor as _Motor
from pod.sim.fake_pins import OutputPin as _OutputPin
from pod.sim.fake_pins import Watchdog as _Watchdog

try:
    import micropython as _mp
except ImportError:  # CPython
    _mp = None  # type: ignore[assignment]

PLATFORM = "sim"
__all__ = [
    "PLATFORM", "TICKS_PERIOD", "IRQ_RISING", "IRQ_FALLING", "ticks_us", "ticks_ms", "ticks_add",
    "ticks_diff", "sleep_ms", "sleep_us", "I2C", "InputPin", "OutputPin", "Buzzer", "Motor", "Adc",
    "Watchdog", "watchdog_keepalive", "light_sleep", "set_cpu_mhz", "power_off", "reset",
    "unique_id", "schedule", "emergency_exception_buf",
]

DEFAULT_PROFILE: dict = {
    "name": "sim",
    "mcu": "sim",
    "imu": {"type": "lsm6dso", "i2c_addr": 0x6A, "i2c_id": 0, "freq_hz": 400000},
    "pins": {
        "i2c_sda": 5, "i2c_scl": 6, "imu_int": 1, "imu_int2": 9, "buzzer": 7, "motor": 4,
        "button_a": 2, "button_b": 3, "led": 21, "led_active_low": True, "battery_adc": 8,
    },
    "outputs": {"buzzer": True, "motor": True},
    "buttons_active_low": True,
}


def make_fake_imu(imu_type, addr=None, source=None, clock=None, odr_error_ppm=0, who_am_i=None):
    """A register-level fake for a profile's imu.type."""
    t = imu_type.lower().replace("-", "").replace("_", "")
    kw = {"source": source, "clock": clock, "odr_error_ppm": odr_error_ppm}
    if who_am_i is not None:
        kw["who_am_i"] = who_am_i
    if t == "mpu6886":
        from pod.sim.fake_mpu6886 import FakeMPU6886

        return FakeMPU6886(0x68 if addr is None else addr, **kw)
    from pod.sim.fake_lsm6dsx import FakeLSM6DS3, FakeLSM6DSO

    a = 0x6A if addr is None else addr
    if t == "lsm6dso":
        return FakeLSM6DSO(a, **kw)
    if t in ("lsm6ds3", "lsm6ds3trc"):
        return FakeLSM6DS3(a, variant="ds3" if t == "lsm6ds3" else "ds3trc", **kw)
    raise ValueError("no fake for IMU type %r" % (imu_type,))


class SimBoard:
    """The simulated pod. profile: a board dict (hardware/boards/sim.json); source: where the
    IMU's acceleration comes from (pod.sim.fake_imu.CsvSource / FuncSource, None = lying still);
    imu_type overrides profile["imu"]["type"]; imu_present=False leaves the bus empty."""

    def __init__(self, profile=None, clock=None, source=None, imu_type=None, log=None,
                 odr_error_ppm=0, imu_present=True):
        self.profile: dict = profile or DEFAULT_PROFILE
        self.clock = clock if clock is not None else SimClock()
        if log is None:
            log = EventLog(self.clock)
        elif log.clock is None:
            log.clock = self.clock
        self.log = log
        self.i2c = FakeI2C(self.clock)
        self.pins = {}
        self.adcs = {}
        self.wdt = None
        self.resets = 0
        self.powered_off = False
        pins = self.profile.get("pins", {})
        low = self.profile.get("buttons_active_low", True)
        for name in ("button_a", "button_b"):
            if pins.get(name) is not None:
                self.pin(pins[name], pull_up=low)
        imu = self.profile.get("imu", {})
        self.imu = None
        if imu_present:
            self.imu = make_fake_imu(imu_type or imu.get("type", "lsm6dso"), imu.get("i2c_addr"), source,
                                     self.clock, odr_error_ppm)
            self.i2c.attach(self.imu)
            if pins.get("imu_int") is not None:
                self.pin(pins["imu_int"]).connect(self.imu.int1)
            if pins.get("imu_int2") is not None:
                self.pin(pins["imu_int2"]).connect(self.imu.int2)

    def pin(self, num, pull_up=False):
        p = self.pins.get(num)
        if p is None:
            p = SimPin(num, clock=self.clock, pull_up=pull_up)
            self.pins[num] = p
        return p

    def pin_named(self, name):
        return self.pin(self.profile["pins"][name])

    def press(self, name, down=True):
        """Drive a button now (active-low buttons go to 0 when down)."""
        low = self.profile.get("buttons_active_low", True)
        self.pin_named(name).drive((0 if down else 1) if low else (1 if down else 0))

    def script_button(self, name, presses):
        """Press a button at sim times: presses = [(t_down_us, t_up_us), ...] (elapsed us)."""
        low = self.profile.get("buttons_active_low", True)
        dn, up = (0, 1) if low else (1, 0)
        script = []
        for t0, t1 in presses:
            script.append((t0, dn))
            script.append((t1, up))
        return ScriptedInput(self.clock, self.pin_named(name).line, script)

    def adc(self, num):
        a = self.adcs.get(num)
        if a is None:
            a = _Adc(num)
            self.adcs[num] = a
        return a


_board = None


def setup(**kw):
    """Make the current sim board (SimBoard arguments) and return it."""
    global _board
    _board = SimBoard(**kw)
    return _board


def board():
    global _board
    if _board is None:
        _board = SimBoard()
    return _board


# --- the HAL interface (same names as hal/esp32.py) ---------------------------------------------
def ticks_us():
    return board().clock.ticks_us()


def ticks_ms():
    return board().clock.ticks_ms()


def sleep_us(us):
    board().clock.sleep_us(us)


def sleep_ms(ms):
    board().clock.sleep_us(ms * 1000)


def I2C(i2c_id=0, sda=None, scl=None, freq=400000):
    b = board()
    b.i2c.freq = freq
    return b.i2c


def InputPin(num, pull_up=False):
    """.value(), .irq(handler, trigger=IRQ_RISING): handler(pin) runs scheduled, as on ESP32."""
    return board().pin(num, pull_up)


def OutputPin(num, active_low=False, name=None):
    """.on(), .off(), .value(v) (logical level); logs (t_us, name or "pin<num>", 0/1)."""
    return _OutputPin(num, board().log, name, active_low)


def Buzzer(num):
    """.tone(freq_hz, duty_u16=32768), .off(); logs ("buzzer", freq_hz or 0)."""
    return _Buzzer(num, board().log)


def Motor(num):
    """.on(intensity_u16=65535), .off(); logs ("motor", intensity_u16 or 0)."""
    return _Motor(num, board().log)


def Adc(num):
    """.read_uv(); set the sim value with board().adc(num).uv = microvolts."""
    return board().adc(num)


def Watchdog(timeout_ms):
    """.feed(). In the sim an expiry logs ("wdt", "expired") and sets .expired."""
    b = board()
    b.wdt = _Watchdog(b.clock, timeout_ms, b.log)
    return b.wdt


def watchdog_keepalive(wdt, period_ms):
    wdt.keep_fed(period_ms)


def light_sleep(ms):
    b = board()
    b.log.add("light_sleep", ms)
    b.clock.sleep_us(ms * 1000)


def set_cpu_mhz(mhz):
    board().log.add("cpu_mhz", mhz)


def power_off(hold=None, wake=None, wake_level=False):
    """The sim records the switch-off; SimHardware.done() ends the run (the device never returns)."""
    b = board()
    if hold is not None:
        hold.off()
    b.log.add("power", 0)
    b.powered_off = True


def reset():
    b = board()
    b.resets += 1
    b.log.add("reset", 1)
    raise SystemExit("sim: machine.reset()")


def unique_id():
    return b"SIMPOD"


def schedule(fn, arg):
    if _mp is not None:
        _mp.schedule(fn, arg)
    else:
        fn(arg)


def emergency_exception_buf(nbytes):
    f = getattr(_mp, "alloc_emergency_exception_buf", None)
    if f is not None:
        f(nbytes)


# --- asyncio in sim time ---------------------------------------------------------------------------
def use_sim_time_in_asyncio():
    """Make MicroPython's asyncio run on the board's clock. Call before asyncio.run().

    Manual clock (speed=0, the deterministic choice for tests): every idle wait jumps sim time,
    stopping at the next device event, so an IMU INT edge wakes its ThreadSafeFlag at its exact
    sim time; code takes no sim time (busy-waits on ticks need SimClock(tick_cost_us=...)).
    asyncio sleeps are in ms: spin the last microseconds with hal.sleep_us() (a jump).
    speed >= 1: sim time follows real time; skip_idle also jumps idle waits, otherwise they
    sleep 1/speed of the time."""
    import asyncio

    core = getattr(asyncio, "core", None)
    if core is None or not hasattr(core, "IOQueue"):
        raise RuntimeError("use_sim_time_in_asyncio needs MicroPython's asyncio")
    clk = board().clock
    if clk.speed and clk.speed < 1:
        raise ValueError("asyncio needs a manual clock (speed=0) or speed >= 1")
    clk.anchor_asyncio()
    core.ticks = clk.asyncio_ms
    orig = getattr(core.IOQueue, "_sim_orig_wait", None) or core.IOQueue.wait_io_event
    core.IOQueue._sim_orig_wait = orig

    def wait_io_event(self, dt):
        if dt != 0:
            c = board().clock
            if c.skip_idle:
                if c.irq_pending:
                    c.irq_pending = 0  # an IRQ since the last jump: let its flag be polled first
                else:
                    c.advance_us((dt if dt > 0 else 1000) * 1000, stop_on_irq=True)
            else:
                now = c.elapsed_us()
                tgt = now + (dt * 1000 if dt > 0 else 1000000)
                e = c.next_event_us()
                if e is not None and e < tgt:
                    tgt = e
                orig(self, int((tgt - now) / c.speed) // 1000)
                c.sync()
        if _wake_flags(self, core):
            orig(self, 0)

    core.IOQueue.wait_io_event = wait_io_event


def _wake_flags(ioq, core):
    # On the unix port a poll that includes a ThreadSafeFlag costs ~1 ms of real time, which
    # would dominate an accelerated run: wake the tasks of set flags here, as the poll would,
    # and return True only when a real stream also waits (then the caller polls).
    tsf = core.ThreadSafeFlag if hasattr(core, "ThreadSafeFlag") else _tsf_type()
    streams = False
    for sm in list(ioq.map.values()):
        s = sm[2] if len(sm) > 2 else None
        if s is None or type(s) is not tsf:
            streams = True
        elif s.state and sm[0] is not None:
            core._task_queue.push(sm[0])
            sm[0] = None
            if sm[1] is None:
                ioq._dequeue(s)
    return streams


def _tsf_type():
    import asyncio

    return asyncio.ThreadSafeFlag
