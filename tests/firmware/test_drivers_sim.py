"""The simulated twin (hal.sim, pod.sim.fake_*): clock wrap, CSV feeding, pins, outputs, watchdog."""
from array import array

import pytest
from pod.drivers import open_imu
from pod.hal import sim
from pod.sim.fake_clock import TICKS_PERIOD, SimClock, ticks_add, ticks_diff
from pod.sim.fake_i2c import FakeI2C
from pod.sim.fake_imu import CsvSource
from pod.sim.fake_lsm6dsx import FakeLSM6DSO
from pod.sim.fake_pins import EventLog


def test_ticks_wrap_like_the_esp32():
    c = SimClock(start_us=TICKS_PERIOD - 1000, start_ms=TICKS_PERIOD - 2)
    t0, m0 = c.ticks_us(), c.ticks_ms()
    c.advance_us(2500)
    assert c.ticks_us() == 1500 and ticks_diff(c.ticks_us(), t0) == 2500
    assert c.ticks_ms() == 0 and ticks_diff(c.ticks_ms(), m0) == 2
    assert ticks_add(TICKS_PERIOD - 1, 1) == 0
    assert ticks_diff(0, TICKS_PERIOD - 1) == 1 and ticks_diff(TICKS_PERIOD - 1, 0) == -1
    assert c.elapsed_us() == 2500  # unwrapped sim time for event logs


def test_real_time_scaled_clock_moves_by_itself():
    c = SimClock(speed=1000)
    t0 = c.elapsed_us()
    import time

    time.sleep(0.01)
    assert c.elapsed_us() - t0 >= 9_000_000


def _csv(tmp_path, rows, header="t,ax,ay,az"):
    p = tmp_path / "rec.csv"
    p.write_text(header + "\n" + "".join("%s,%s,%s,%s\n" % r for r in rows))
    return str(p)


def test_csv_source_resamples_scales_and_clips(tmp_path):
    # 50 Hz recording: x ramps 0 -> 1.98 g, y constant -0.5 g, z spikes to 20 g at t = 0.5 s
    rows = [(i * 0.02 + 3.0, i * 0.02, -0.5, 20.0 if i == 25 else 1.0) for i in range(100)]
    clock = SimClock()
    bus = FakeI2C(clock)
    f = bus.attach(FakeLSM6DSO(clock=clock, source=CsvSource(_csv(tmp_path, rows))))
    imu = open_imu(bus, "lsm6dso", 0x6A, odr_hz=104, fs_g=8)
    imu.enable_fifo(100)
    clock.advance_us(1_000_000)
    buf = array("h", [0] * 3 * 200)
    n = imu.read_fifo(buf)
    assert n == 104
    xs = [buf[3 * i] for i in range(n)]
    # sample k is at k/104 s: x = k/104 g, interpolated between the 50 Hz rows
    for k in (1, 10, 52, 100):
        assert abs(xs[k - 1] - round(k / 104 * 1e6 / 244)) <= 2, k
    assert all(buf[3 * i + 1] == round(-0.5e6 / 244) for i in range(n))
    assert max(buf[3 * i + 2] for i in range(n)) == 32767  # 20 g clipped at +-8 g full scale
    assert f.samples_made == 104


def test_csv_source_loops_and_ends(tmp_path):
    path = _csv(tmp_path, [(0.0, 0, 0, 1), (0.5, 1, 0, 1)])
    src = CsvSource(path, loop=True)
    assert src.at(250_000)[0] == 500_000
    assert src.at(1_250_000)[0] == 500_000 and src.loops == 1  # second pass starts at 1.0 s
    once = CsvSource(path)
    assert once.at(5_000_000)[0] == 1_000_000 and once.done


def test_csv_source_rejects_bad_files(tmp_path):
    with pytest.raises(ValueError, match="header must be t,ax,ay,az"):
        CsvSource(_csv(tmp_path, [(0, 0, 0, 1)], header="time,x,y,z"))
    p = tmp_path / "bad.csv"
    p.write_text("t,ax,ay,az\n0,0,0,1\n0.01,0,0,1\n0.02,zero,0,1\n")
    src = CsvSource(str(p))
    with pytest.raises(ValueError, match="line 4: bad row '0.02,zero"):
        src.at(20_000)


def test_sim_board_wires_imu_int_to_the_profile_pin():
    b = sim.setup(clock=SimClock(start_us=TICKS_PERIOD - 100_000))
    imu = open_imu(sim.I2C(0, 5, 6), "lsm6dso", 0x6A)
    imu.enable_fifo(13)
    seen = []
    pin = sim.InputPin(b.profile["pins"]["imu_int"])
    pin.irq(lambda p: seen.append(sim.ticks_us()), sim.IRQ_RISING)
    b.clock.advance_us(500_000)
    assert len(seen) == 1 and seen[0] == ticks_add(TICKS_PERIOD - 100_000, 125_000)
    assert pin.value() == 1
    imu.read_fifo(array("h", [0] * 300))
    assert pin.value() == 0


def test_outputs_log_timed_events_and_buttons_and_adc():
    b = sim.setup(clock=SimClock(), log=EventLog(limit=4))
    bz, mo, led = sim.Buzzer(7), sim.Motor(4), sim.OutputPin(21, active_low=True, name="led")
    bz.tone(2000)
    b.clock.advance_us(30_000)
    bz.off()
    mo.on(40000)
    b.clock.advance_us(1000)
    mo.off()
    led.on()
    assert b.log.events == [
        (30_000, "buzzer", 0), (30_000, "motor", 40000), (31_000, "motor", 0), (31_000, "led", 1)
    ]
    assert b.log.count == 5 and b.log.dropped == 1
    presses = []
    btn = sim.InputPin(b.profile["pins"]["button_a"], pull_up=True)
    btn.irq(lambda p: presses.append(b.clock.elapsed_us()), sim.IRQ_FALLING)
    b.script_button("button_a", [(100_000, 250_000)])
    b.clock.advance_us(200_000)
    assert presses == [100_000] and btn.value() == 0
    b.clock.advance_us(100_000)
    assert btn.value() == 1
    b.adc(8).uv = 2_000_000
    assert sim.Adc(8).read_uv() == 2_000_000


def test_watchdog_expires_in_sim_time():
    b = sim.setup(clock=SimClock())
    w = sim.Watchdog(1000)
    b.clock.advance_us(900_000)
    w.feed()
    b.clock.advance_us(900_000)
    assert not w.expired
    b.clock.advance_us(200_000)
    assert w.expired and b.log.events[-1][1:] == ("wdt", "expired")


def test_i2c_faults_and_missing_imu():
    b = sim.setup(clock=SimClock(), imu_present=False)
    with pytest.raises(OSError):
        open_imu(sim.I2C(), "lsm6dso", 0x6A)
    profile = dict(sim.DEFAULT_PROFILE, imu={"type": "mpu6886"})
    b = sim.setup(clock=SimClock(), profile=profile)
    imu = open_imu(sim.I2C(), "mpu6886", 0x68)
    imu.enable_fifo(10)
    b.i2c.fail_next(1)
    with pytest.raises(OSError) as e:
        imu.read_fifo(array("h", [0] * 30))
    assert e.value.args[0] == 116
    assert imu.read_fifo(array("h", [0] * 30)) == 0


def test_sleep_and_light_sleep_move_sim_time():
    b = sim.setup(clock=SimClock())
    t0 = sim.ticks_ms()
    sim.sleep_ms(20)
    sim.sleep_us(500)
    sim.light_sleep(100)
    assert ticks_diff(sim.ticks_ms(), t0) == 120 and b.clock.elapsed_us() == 120_500
    assert b.log.events[-1][1:] == ("light_sleep", 100)


def test_tick_cost_lets_a_busy_wait_end_on_a_manual_clock():
    c = SimClock(tick_cost_us=5)
    t_end = ticks_add(c.ticks_us(), 1000)
    spins = 0
    while ticks_diff(t_end, c.ticks_us()) > 0:
        spins += 1
    assert spins == 199 and c.elapsed_us() == 1005
