"""hal/esp32.py against a recording stand-in for `machine` (no hardware here): the calls it makes
are the MicroPython ESP32 API (Pin modes, PWM duty_u16, ADC attenuation, WDT, lightsleep)."""
import importlib
import sys
import types

import pod.hal  # noqa: F401  (the package and its sim twin load with the real `time` first)
import pytest


class _Rec:
    def __init__(self, log, name, *args, **kw):
        self.log = log
        self.name = name
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
    m.lightsleep = lambda ms: log.append(("lightsleep", (ms,), {}))
    m.reset = lambda: log.append(("reset", (), {}))
    m.unique_id = lambda: b"\x01\x02"
    mp = types.ModuleType("micropython")
    mp.schedule = lambda f, a: f(a)
    mp.alloc_emergency_exception_buf = lambda n: log.append(("emergency", (n,), {}))
    t = types.ModuleType("time")
    for name in ("ticks_us", "ticks_ms", "ticks_add", "ticks_diff", "sleep_us", "sleep_ms"):
        setattr(t, name, lambda *a, _n=name: (_n, a))
    monkeypatch.setitem(sys.modules, "machine", m)
    monkeypatch.setitem(sys.modules, "micropython", mp)
    monkeypatch.setitem(sys.modules, "time", t)
    monkeypatch.delitem(sys.modules, "pod.hal.esp32", raising=False)
    mod = importlib.import_module("pod.hal.esp32")
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
