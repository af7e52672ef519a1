# Run under the micropython unix port: read_fifo() allocates nothing (micropython.heap_lock),
# sign extension and byte order hold there too, and 31-bit-safe ticks wrap in the sim clock.
from array import array

import micropython
from pod.drivers import open_imu
from pod.sim.fake_clock import TICKS_PERIOD, SimClock, ticks_add, ticks_diff
from pod.sim.fake_i2c import FakeI2C
from pod.sim.fake_lsm6dsx import FakeLSM6DS3, FakeLSM6DSO
from pod.sim.fake_mpu6886 import FakeMPU6886


def make(chip, clock):
    bus = FakeI2C(clock)
    if chip == "lsm6dso":
        f = FakeLSM6DSO(clock=clock)
    elif chip == "mpu6886":
        f = FakeMPU6886(clock=clock)
    else:
        f = FakeLSM6DS3(variant="ds3" if chip == "lsm6ds3" else "ds3trc", clock=clock)
    bus.attach(f)
    return f, open_imu(bus, chip, f.addr)


buf = array("h", [0] * (3 * 40))
for chip in ("lsm6dso", "lsm6ds3", "lsm6ds3trc", "mpu6886"):
    clock = SimClock()
    f, imu = make(chip, clock)
    imu.enable_fifo(20)
    f.push_samples([(-1, -32768, 32767), (-300, 300, -2)])
    clock.advance_us(300000)  # ~30 more samples from the fake, resting at 1 g
    micropython.heap_lock()
    try:
        n1 = imu.read_fifo(buf)
        lvl = imu.fifo_level()
        n2 = imu.read_fifo(buf)
        n3 = imu.read_fifo(buf)
    finally:
        micropython.heap_unlock()
    first = (buf[0], buf[1], buf[2])
    assert n1 >= 30 and n3 == 0, (chip, n1, n2, n3)
    print("OK", chip, "read", n1 + n2, "level_between", lvl)
    # the first samples again, to check the signs under the lock
    f.push_samples([(-1, -32768, 32767), (-300, 300, -2)])
    micropython.heap_lock()
    try:
        n = imu.read_fifo(buf)
    finally:
        micropython.heap_unlock()
    assert n == 2 and list(buf[:6]) == [-1, -32768, 32767, -300, 300, -2], (chip, list(buf[:6]))
    # overflow recovery also allocates nothing
    f.push_samples([(i, 0, 0) for i in range(imu.fifo_capacity + 10)])
    micropython.heap_lock()
    try:
        n = imu.read_fifo(buf)
    finally:
        micropython.heap_unlock()
    assert n == 0 and imu.overflowed and imu.overflows == 1, chip
    print("OK", chip, "signs+overflow")

# the sim clock wraps like the ESP32's
c = SimClock(start_us=TICKS_PERIOD - 500, start_ms=TICKS_PERIOD - 1)
t0 = c.ticks_us()
m0 = c.ticks_ms()
c.advance_us(1000)
t1 = c.ticks_us()
assert t1 == 500 and ticks_diff(t1, t0) == 1000 and ticks_add(t0, 1000) == t1
assert c.ticks_ms() == 0 and ticks_diff(c.ticks_ms(), m0) == 1
print("OK wrap")
