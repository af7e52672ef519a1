# Run under the micropython unix port: the sim board end to end in asyncio on sim time.
# IMU INT1 -> SimPin IRQ (scheduled) -> ThreadSafeFlag -> task drains the FIFO; a beat task
# sleeps on an absolute ticks_add schedule; the clock starts 2 s before the ticks wrap.
import asyncio
import sys
from array import array

from pod import hal
from pod.drivers import open_imu
from pod.hal import sim
from pod.sim.fake_clock import SimClock
from pod.sim.fake_imu import FuncSource

chip = sys.argv[1] if len(sys.argv) > 1 else "lsm6dso"
SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 120
SPEED = int(sys.argv[3]) if len(sys.argv) > 3 else 0


def walk(t):  # 1 g plus a 3 Hz bump: something to read
    return (0, 0, 1000000 + (300000 if t % 333333 < 50000 else 0))


profile = dict(sim.DEFAULT_PROFILE)
profile["imu"] = {"type": chip, "i2c_addr": 0x68 if chip == "mpu6886" else 0x6A}
b = sim.setup(profile=profile, clock=SimClock(start_us=(1 << 30) - 2000000, speed=SPEED, skip_idle=True),
              source=FuncSource(walk))
sim.use_sim_time_in_asyncio()
imu = open_imu(hal.I2C(0, 5, 6), chip, profile["imu"]["i2c_addr"])
imu.enable_fifo(26)
flag = asyncio.ThreadSafeFlag()
irq_t = []
pin = hal.InputPin(profile["pins"]["imu_int"])
pin.irq(lambda p: flag.set(), hal.IRQ_RISING)
buf = array("h", [0] * 48)
stats = {"samples": 0, "drains": 0, "late_us": 0, "beats": 0, "wraps": 0}
buzzer = hal.Buzzer(profile["pins"]["buzzer"])


async def drain():
    while True:
        await flag.wait()
        if len(irq_t) < 2:
            irq_t.append(b.clock.elapsed_us())
        stats["drains"] += 1
        while True:
            n = imu.read_fifo(buf)
            stats["samples"] += n
            if n < 16:
                break


async def beats():
    period_us = 60000000 // 170
    t_next = hal.ticks_add(hal.ticks_us(), period_us)
    last = hal.ticks_us()
    while True:
        wait = hal.ticks_diff(t_next, hal.ticks_us())
        if wait > 2000:
            await asyncio.sleep_ms((wait - 2000) // 1000 + 1)
            continue
        if wait > 0:
            hal.sleep_us(wait)
        now = hal.ticks_us()
        late = hal.ticks_diff(now, t_next)
        stats["late_us"] = max(stats["late_us"], late)
        if now < last:
            stats["wraps"] += 1
        last = now
        buzzer.tone(2000)
        buzzer.off()
        stats["beats"] += 1
        t_next = hal.ticks_add(t_next, period_us)


async def main():
    t1 = asyncio.create_task(drain())
    t2 = asyncio.create_task(beats())
    await asyncio.sleep_ms(SECONDS * 1000)
    t1.cancel()
    t2.cancel()


asyncio.run(main())
el = b.clock.elapsed_us()
expect = (el - b.imu.odr_start_us) * imu.odr_mhz // 1000000000
print("chip", chip, "elapsed_us", el, "samples", stats["samples"])
print("made", b.imu.samples_made, "expect", expect)
print("drains", stats["drains"], "beats", stats["beats"])
print("max_late_us", stats["late_us"], "wraps", stats["wraps"])
first_gap = irq_t[1] - irq_t[0] if len(irq_t) > 1 else 0
print("irq_gap_us", first_gap, "dropped", pin.irq_dropped)
assert abs(b.imu.samples_made - expect) <= 1
assert b.imu.samples_made - stats["samples"] < 26  # only what is below the watermark is left
assert stats["wraps"] == 1
assert stats["beats"] >= SECONDS * 170 // 60 - 1
if SPEED == 0:  # manual clock: code takes no sim time, so beats land on the schedule
    assert stats["late_us"] <= 1000, stats["late_us"]
print("OK asyncio", chip)
