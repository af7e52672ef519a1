"""hal/esp32.py against a recording stand-in for `machine` and `esp32` (no hardware here): the calls
it makes are the MicroPython ESP32 API (Pin modes, PWM duty_u16, ADC attenuation, WDT, lightsleep,
esp32.wake_on_ext0 / wake_on_gpio). What the chip then does is for a real board (hal/README.md)."""
import importlib
import json
import pathlib
import sys
import types

import pod.hal  # noqa: F401  (the package and its sim twin load with the real `time` first)
import pytest

BOARDS = pathlib.Path(__file__).resolve().parents[2] / "hardware" / "boards"


class _Rec:
    def __init__(self, log, name, *args, **kw):
        self.log = log
        self.name = name
        self.args = args
        log.append((name, args, kw))

    def __getattr__(self, attr):
        def call(*args, **kw):
            self.log.append(("%s.%s" % (self.name, attr), args, kw))
            return 1234567 if attr == "read_uv" else None

        return call


@pytest.fixture
def esp32(monkeypatch):
    log = []
    m = types.ModuleType("machine")

    class Pin(_Rec):
        IN, OUT, PULL_UP, IRQ_RISING, IRQ_FALLING = 1, 3, 2, 1, 2

        def __init__(self, *a, **kw):
            _Rec.__init__(self, log, "Pin", *a, **kw)

    class ADC(_Rec):
        ATTN_11DB = 3

        def __init__(self, *a, **kw):
            _Rec.__init__(self, log, "ADC", *a, **kw)

    m.Pin = Pin
    m.ADC = ADC
    m.I2C = lambda *a, **kw: _Rec(log, "I2C", *a, **kw)
    m.PWM = lambda *a, **kw: _Rec(log, "PWM", *a, **kw)
    m.WDT = lambda *a, **kw: _Rec(log, "WDT", *a, **kw)
    m.reset = lambda: log.append(("reset", (), {}))
    m.unique_id = lambda: b"\x01\x02"
    m.lightsleep = lambda ms: log.append(("lightsleep", (ms,), {}))
    m.deepsleep = lambda *a: log.append(("deepsleep", a, {}))
    m.freq = lambda *a: log.append(("freq", a, {}))

    class Timer(_Rec):
        PERIODIC = 2

        def __init__(self, *a, **kw):
            _Rec.__init__(self, log, "Timer", *a, **kw)

    m.Timer = Timer
    e = types.ModuleType("esp32")
    e.WAKEUP_ALL_LOW, e.WAKEUP_ANY_HIGH = False, True
    e.fail = {}  # function name -> exception the stand-in raises
    e.rtc_pins = set(range(22)) | {25, 26, 27, 32, 33, 34, 35, 36, 37, 38, 39}

    def wake_on_ext0(pin, level):
        log.append(("esp32.wake_on_ext0", (pin, level), {}))
        if "wake_on_ext0" in e.fail:
            raise e.fail["wake_on_ext0"]
        if pin is not None and pin.args[0] not in e.rtc_pins:
            raise ValueError("invalid pin")  # as modesp32.c: ext0 takes an RTC GPIO only

    def wake_on_gpio(pins, level):
        log.append(("esp32.wake_on_gpio", (pins, level), {}))
        if "wake_on_gpio" in e.fail:
            raise e.fail["wake_on_gpio"]

    e.wake_on_ext0 = wake_on_ext0
    e.wake_on_gpio = wake_on_gpio
    mp = types.ModuleType("micropython")
    mp.schedule = lambda f, a: f(a)
    mp.alloc_emergency_exception_buf = lambda n: log.append(("emergency", (n,), {}))
    t = types.ModuleType("time")
    for name in ("ticks_us", "ticks_ms", "ticks_add", "ticks_diff", "sleep_us", "sleep_ms"):
        setattr(t, name, lambda *a, _n=name: (_n, a))
    monkeypatch.setitem(sys.modules, "machine", m)
    monkeypatch.setitem(sys.modules, "esp32", e)
    monkeypatch.setitem(sys.modules, "micropython", mp)
    monkeypatch.setitem(sys.modules, "time", t)
    monkeypatch.delitem(sys.modules, "pod.hal.esp32", raising=False)
    mod = importlib.import_module("pod.hal.esp32")
    mod.fake_esp32 = e
    yield mod, log
    monkeypatch.delitem(sys.modules, "pod.hal.esp32", raising=False)


def test_esp32_hal_calls_the_machine_api(esp32):
    hal, log = esp32
    assert hal.PLATFORM == "esp32" and hal.TICKS_PERIOD == 1 << 30
    assert hal.ticks_us() == ("ticks_us", ())
    hal.I2C(0, sda=21, scl=22, freq=400000)
    name, args, kw = log[-1]
    assert (name, args, kw["freq"]) == ("I2C", (0,), 400000)
    assert sorted(e[1] for e in log[:-1] if e[0] == "Pin") == [(21,), (22,)]
    assert kw["sda"].name == "Pin" and kw["scl"].name == "Pin"
    log.clear()
    hal.InputPin(35)
    hal.InputPin(37, pull_up=True)
    assert log == [("Pin", (35, 1), {}), ("Pin", (37, 1, 2), {})]
    log.clear()
    led = hal.OutputPin(19, active_low=True)
    led.on()
    led.off()
    assert log[0] == ("Pin", (19, 3), {"value": 1})  # starts off: high on an active-low LED
    assert [e[1] for e in log[1:]] == [(0,), (1,)]
    log.clear()
    bz = hal.Buzzer(2)
    bz.tone(2000)
    bz.off()
    names = [e[0] for e in log]
    assert names == ["Pin", "PWM", "PWM.freq", "PWM.duty_u16", "PWM.duty_u16"]
    assert log[1][2] == {"freq": 2000, "duty_u16": 0} and log[3][1] == (32768,) and log[4][1] == (0,)
    log.clear()
    mo = hal.Motor(4)
    mo.on(70000)
    assert log[-1] == ("PWM.duty_u16", (65535,), {})
    log.clear()
    adc = hal.Adc(38)
    assert adc.read_uv() == 1234567
    assert ("ADC.atten", (3,), {}) in log
    log.clear()
    hal.Watchdog(8000)
    hal.light_sleep(100)
    hal.emergency_exception_buf(100)
    assert log == [("WDT", (), {"timeout": 8000}), ("lightsleep", (100,), {}), ("emergency", (100,), {})]


def _calls(log, name):
    return [e[1] for e in log if e[0] == name]


def _pin_nums(pins):
    return [p.args[0] for p in pins]


def test_light_sleep_is_off_until_wake_sources_are_armed(esp32):
    hal, log = esp32
    assert hal.LIGHT_SLEEP_WAKES is False
    hal.light_sleep(100)  # timer only: no ext0 re-arm, no pad restore
    assert log == [("lightsleep", (100,), {})]
    log.clear()
    hal.light_sleep(0)
    hal.light_sleep(-3)
    assert log == []


def test_wakes_stickc_int_on_ext0_buttons_on_gpio_all_active_low(esp32):
    hal, log = esp32
    irq, a, b = hal.InputPin(35), hal.InputPin(37), hal.InputPin(39)
    log.clear()
    assert hal.light_sleep_wakes(irq, False, [a, b], True) is True
    assert hal.LIGHT_SLEEP_WAKES is True and hal.LIGHT_SLEEP_OFF_REASON == ""
    assert [(e[0], e[1][1]) for e in log] == [("esp32.wake_on_ext0", False), ("esp32.wake_on_gpio", False)]
    assert _calls(log, "esp32.wake_on_ext0")[0][0] is irq
    assert _pin_nums(_calls(log, "esp32.wake_on_gpio")[0][0]) == [37, 39]
    log.clear()
    hal.light_sleep(180)
    # ext0 re-armed first (a later Pin.irq() drops it), the timer wake, then the pad back to GPIO
    assert [e[0] for e in log] == ["esp32.wake_on_ext0", "lightsleep", "Pin.init"]
    assert log[0][1] == (irq, False) and log[1][1] == (180,)
    assert log[2][1] == (1,)  # Pin.IN of the stand-in: a mode-setting init (rtc_gpio_deinit)


def test_wakes_xiao_int_active_high_button_active_low(esp32):
    hal, log = esp32
    irq, a = hal.InputPin(1), hal.InputPin(2, pull_up=True)
    log.clear()
    assert hal.light_sleep_wakes(irq, True, [a], True) is True
    assert _calls(log, "esp32.wake_on_ext0") == [(irq, True)]
    (pins, level), = _calls(log, "esp32.wake_on_gpio")
    assert _pin_nums(pins) == [2] and level is False
    log.clear()
    hal.light_sleep(50)
    assert _calls(log, "esp32.wake_on_ext0") == [(irq, True)]


def test_buttons_active_high_and_no_buttons(esp32):
    hal, log = esp32
    irq, a = hal.InputPin(4), hal.InputPin(5)
    log.clear()
    assert hal.light_sleep_wakes(irq, True, [a], False) is True
    assert _calls(log, "esp32.wake_on_gpio")[0][1] is True
    log.clear()
    assert hal.light_sleep_wakes(irq, False) is True
    assert _calls(log, "esp32.wake_on_gpio") == [] and _calls(log, "esp32.wake_on_ext0") == [(irq, False)]


@pytest.mark.parametrize("fail, err", [
    ("pin", "ValueError: invalid pin"),
    ("ext0", "OSError: [Errno 22] EINVAL"),
    ("gpio", "OSError: no resources"),
    ("old_firmware", "AttributeError"),
    ("no_esp32_module", "OSError: no esp32 module in this firmware"),
])
def test_wake_setup_failure_falls_back_to_no_light_sleep(esp32, capsys, fail, err):
    hal, log = esp32
    e = hal.fake_esp32
    irq = hal.InputPin(36 if fail == "pin" else 35)
    a = hal.InputPin(37)
    if fail == "pin":
        e.rtc_pins.discard(36)
    elif fail == "ext0":
        e.fail["wake_on_ext0"] = OSError(22, "EINVAL")
    elif fail == "gpio":
        e.fail["wake_on_gpio"] = OSError("no resources")
    elif fail == "old_firmware":
        del e.wake_on_gpio  # MicroPython before 1.27
    else:
        hal.esp32 = None
    log.clear()
    assert hal.light_sleep_wakes(irq, False, [a], True) is False
    assert hal.LIGHT_SLEEP_WAKES is False
    assert hal.LIGHT_SLEEP_OFF_REASON.startswith(err)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("warning: light sleep off") and err in out
    if fail in ("gpio", "old_firmware"):
        assert _calls(log, "esp32.wake_on_ext0")[-1] == (None, False)  # ext0 half undone
    log.clear()
    hal.light_sleep(100)  # the app would not call it; if it does, a plain timer sleep
    assert log == [("lightsleep", (100,), {})]


def test_rearming_after_a_failure_and_back(esp32):
    hal, log = esp32
    irq = hal.InputPin(35)
    hal.fake_esp32.fail["wake_on_ext0"] = ValueError("no resources")
    assert hal.light_sleep_wakes(irq, False) is False
    del hal.fake_esp32.fail["wake_on_ext0"]
    assert hal.light_sleep_wakes(irq, False) is True and hal.LIGHT_SLEEP_WAKES is True


def _device_hal(monkeypatch, mod):
    """pod.hal as on the device: `from pod.hal.esp32 import *` copies the public names once."""
    import pod

    pkg = types.ModuleType("pod.hal")
    for k, v in vars(mod).items():
        if not k.startswith("_"):
            setattr(pkg, k, v)
    monkeypatch.setitem(sys.modules, "pod.hal", pkg)
    monkeypatch.setattr(pod, "hal", pkg)
    return pkg


@pytest.mark.parametrize("board, int_pin, int_level, buttons, button_level", [
    ("m5stickc_plus2", 35, False, [37, 39], False),
    ("xiao_esp32s3_lsm6dso", 1, True, [2], False),
])
def test_board_arms_the_wakes_from_its_profile(esp32, monkeypatch, board, int_pin, int_level, buttons,
                                               button_level):
    hal, log = esp32
    pkg = _device_hal(monkeypatch, hal)
    from pod.app_hw import Board

    profile = json.loads((BOARDS / (board + ".json")).read_text())
    assert pkg.LIGHT_SLEEP_WAKES is False
    b = Board(profile)
    assert b.light_sleep_ok() is True  # read through the package's copy of the flag
    (pin, level), = _calls(log, "esp32.wake_on_ext0")
    assert (pin.args[0], level) == (int_pin, int_level)
    (pins, level), = _calls(log, "esp32.wake_on_gpio")
    assert (_pin_nums(pins), level) == (buttons, button_level)
    log.clear()
    b.light_sleep(120)
    assert [e[0] for e in log] == ["esp32.wake_on_ext0", "lightsleep", "Pin.init"]
    assert log[2][1] == (1,)
    # a profile whose INT is not an RTC GPIO: the board still runs, awake
    hal.fake_esp32.rtc_pins.discard(int_pin)
    assert Board(profile).light_sleep_ok() is False


@pytest.mark.parametrize("board", ["m5stickc_plus2", "xiao_esp32s3_lsm6dso"])
def test_the_board_sets_its_cpu_clock_from_the_profile(esp32, monkeypatch, board):
    hal, log = esp32
    _device_hal(monkeypatch, hal)
    from pod.app_hw import Board

    profile = json.loads((BOARDS / (board + ".json")).read_text())
    Board(profile)
    assert ("freq", (profile["power"]["cpu_mhz"] * 1000000,), {}) in log
    log.clear()
    del profile["power"]["cpu_mhz"]
    Board(profile)
    assert not [e for e in log if e[0] == "freq"]  # no setting: the firmware's default clock


def test_the_watchdog_is_fed_by_a_timer_once_the_app_hands_the_pod_to_the_repl(esp32, monkeypatch):
    hal, log = esp32
    _device_hal(monkeypatch, hal)
    from pod.app_hw import Board

    b = Board(json.loads((BOARDS / "xiao_esp32s3_lsm6dso.json").read_text()))
    b.wdt_start(10000)
    log.clear()
    b.wdt_hand_over()
    b.wdt_hand_over()  # once is enough: one timer
    (init,) = [e for e in log if e[0] == "Timer.init"]
    assert [e[1] for e in log if e[0] == "Timer"] == [(0,)]
    assert init[2]["period"] == 3333 and init[2]["mode"] == 2
    init[2]["callback"](None)  # the timer fires: the watchdog is fed
    assert log[-1][0] == "WDT.feed"


@pytest.mark.parametrize("board, hold, button",
                         [("m5stickc_plus2", 4, 37), ("xiao_esp32s3_lsm6dso", None, 2)])
def test_power_off_drops_the_hold_line_then_deep_sleeps_until_button_a(esp32, monkeypatch, board, hold,
                                                                       button):
    hal, log = esp32
    _device_hal(monkeypatch, hal)
    from pod.app_hw import Board

    b = Board(json.loads((BOARDS / (board + ".json")).read_text()))
    log.clear()
    b.power_off()
    names = [e[0] for e in log]
    assert names[-2:] == ["esp32.wake_on_ext0", "deepsleep"]
    pin, level = log[-2][1]
    assert (pin.args[0], level) == (button, False)  # buttons pull low when pressed
    if hold is not None:  # the hold pin (driven high at boot) goes low first: the board cuts power
        assert names[0] == "Pin.value" and log[0][1] == (0,)
    else:
        assert "Pin.value" not in names


_MP_MACHINE = """
log = []
class Pin:
    IN, OUT, PULL_UP, IRQ_RISING, IRQ_FALLING = 1, 3, 2, 1, 2
    def __init__(self, n, *a, **kw):
        self.n = n
    def init(self, *a):
        log.append(("init", self.n) + a)
def lightsleep(ms):
    log.append(("lightsleep", ms))
"""
_MP_ESP32 = """
import machine
fail = []
def wake_on_ext0(pin, level):
    machine.log.append(("ext0", None if pin is None else pin.n, level))
    if fail:
        raise fail[0]
def wake_on_gpio(pins, level):
    machine.log.append(("gpio", [p.n for p in pins], level))
"""
_MP_SCRIPT = """
import sys
import mp_fake_machine
sys.modules["machine"] = mp_fake_machine
import mp_fake_esp32
sys.modules["esp32"] = mp_fake_esp32
import pod.hal.esp32 as h
Pin, log = mp_fake_machine.Pin, mp_fake_machine.log
pkg = sys.modules["pod.hal"]
assert h.light_sleep_wakes(Pin(35), False, [Pin(37), Pin(39)], True) is True
assert h.LIGHT_SLEEP_WAKES is True and pkg.LIGHT_SLEEP_WAKES is True
assert log == [("ext0", 35, False), ("gpio", [37, 39], False)], log
log.clear()
h.light_sleep(120)
assert log == [("ext0", 35, False), ("lightsleep", 120), ("init", 35, 1)], log
mp_fake_esp32.fail.append(OSError(5))
assert h.light_sleep_wakes(Pin(1), True, [Pin(2)], True) is False
reason = pkg.LIGHT_SLEEP_OFF_REASON
assert pkg.LIGHT_SLEEP_WAKES is False and reason.startswith("OSError"), reason
log.clear()
h.light_sleep(80)
assert log == [("lightsleep", 80)], log
print("ok")
"""


def test_wakes_run_on_micropython(micropython, tmp_path):
    """The same module under the real MicroPython (module attributes, sys.modules, exception names),
    with stand-in machine/esp32 modules put in sys.modules before the import."""
    (tmp_path / "mp_fake_machine.py").write_text(_MP_MACHINE)
    (tmp_path / "mp_fake_esp32.py").write_text(_MP_ESP32)
    (tmp_path / "mp_wakes.py").write_text(_MP_SCRIPT)
    r = micropython([str(tmp_path / "mp_wakes.py")], path=[tmp_path])
    out = r.stdout.decode()
    assert r.returncode == 0, out + r.stderr.decode()
    assert out.splitlines()[0].startswith("warning: light sleep off, wake sources failed: OSError")
    assert out.splitlines()[-1] == "ok"
