# Benchmark (prints figures, asserts nothing): per-sample real time of the fakes making samples
# and of read_fifo() parsing them through the fake I2C bus, under the micropython unix port.
#   MICROPYPATH=firmware:.frozen .venv/bin/micropython tests/firmware/mp_drivers_bench.py
import time
from array import array

from pod.drivers import open_imu
from pod.sim.fake_clock import SimClock
from pod.sim.fake_i2c import FakeI2C
from pod.sim.fake_imu import FuncSource
from pod.sim.fake_lsm6dsx import FakeLSM6DS3, FakeLSM6DSO
from pod.sim.fake_mpu6886 import FakeMPU6886

for chip, cls in (("lsm6dso", FakeLSM6DSO), ("lsm6ds3trc", FakeLSM6DS3), ("mpu6886", FakeMPU6886)):
    clock = SimClock()
    bus = FakeI2C(clock)
    f = bus.attach(cls(clock=clock, source=FuncSource(lambda t: (0, 0, 1000000))))
    imu = open_imu(bus, chip, f.addr)
    imu.enable_fifo(26)
    buf = array("h", [0] * 96)
    t0 = time.ticks_us()
    read = 0
    for _ in range(200):
        clock.advance_us(250000)  # 26 samples
        read += imu.read_fifo(buf)
    dt = time.ticks_diff(time.ticks_us(), t0)
    t1 = time.ticks_us()
    for _ in range(200):
        f.push_samples(((1, 2, 3),) * 26)
        imu.read_fifo(buf)
    dt_read = time.ticks_diff(time.ticks_us(), t1)
    print("%-10s make+read %5.1f us/sample, push+read %5.1f us/sample (%d samples)"
          % (chip, dt / read, dt_read / 5200, read))
