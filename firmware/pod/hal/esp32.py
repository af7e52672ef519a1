"""HAL on a real ESP32: the only module that imports `machine`. Same names as hal/sim.py."""
import time

import machine
import micropython

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


def light_sleep(ms):
    machine.lightsleep(ms)


def reset():
    machine.reset()


def unique_id():
    return machine.unique_id()


schedule = micropython.schedule


def emergency_exception_buf(nbytes):
    micropython.alloc_emergency_exception_buf(nbytes)
