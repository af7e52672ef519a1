"""IMU drivers against the register-level fakes: configuration registers as the datasheets
specify, FIFO parsing (partial frames, overflow, sign extension), WHO_AM_I errors, pedometer."""
from array import array

import pytest
from pod.drivers import ImuNotFound, open_imu
from pod.drivers.lsm6dsx import LSM6DSx
from pod.drivers.mpu6886 import MPU6886
from pod.sim.fake_clock import SimClock
from pod.sim.fake_i2c import FakeI2C
from pod.sim.fake_imu import FuncSource
from pod.sim.fake_lsm6dsx import FakeLSM6DS3, FakeLSM6DSO
from pod.sim.fake_mpu6886 import FakeMPU6886

CHIPS = ["lsm6dso", "lsm6ds3", "lsm6ds3trc", "mpu6886"]


def make(chip, clock=None, **kw):
    bus = FakeI2C(clock)
    if chip == "lsm6dso":
        fake = FakeLSM6DSO(clock=clock, **kw)
    elif chip == "lsm6ds3":
        fake = FakeLSM6DS3(variant="ds3", clock=clock, **kw)
    elif chip == "lsm6ds3trc":
        fake = FakeLSM6DS3(variant="ds3trc", clock=clock, **kw)
    else:
        fake = FakeMPU6886(clock=clock, **kw)
    bus.attach(fake)
    imu = open_imu(bus, chip, fake.addr)
    return bus, fake, imu


def buf(n):
    return array("h", [0] * (3 * n))


# --- configuration registers ---------------------------------------------------------------
def test_lsm6dso_config_registers():
    _, f, imu = make("lsm6dso")
    imu.enable_fifo(52)
    assert f.writes()[0] == (0x12, 0x01)  # CTRL3_C SW_RESET first
    r = f.regs
    assert r[0x12] == 0x44  # CTRL3_C: BDU | IF_INC
    assert r[0x10] == 0x4C  # CTRL1_XL: ODR 104 Hz (0100), FS +-8 g (11)
    assert r[0x11] == 0x00  # CTRL2_G: gyro off
    assert (r[0x07], r[0x08]) == (52, 0)  # FIFO_CTRL1/2: WTM = 52 words
    assert r[0x09] == 0x04  # FIFO_CTRL3: BDR_XL 104 Hz, gyro not batched
    assert r[0x0A] == 0x06  # FIFO_CTRL4: continuous mode
    assert r[0x0D] == 0x08  # INT1_CTRL: INT1_FIFO_TH
    assert (imu.model, imu.odr_mhz, imu.counts_per_g) == ("LSM6DSO", 104000, 4098)


@pytest.mark.parametrize("variant,ctrl2", [("lsm6ds3", 0x01), ("lsm6ds3trc", 0x01)])
def test_lsm6ds3_config_registers(variant, ctrl2):
    _, f, imu = make(variant)
    imu.enable_fifo(100)  # 300 words
    r = f.regs
    assert r[0x12] == 0x44
    assert r[0x10] == 0x4C
    assert (r[0x06], r[0x07]) == (300 & 0xFF, ctrl2)  # FIFO_CTRL1/2: FTH = 300 words
    assert r[0x08] == 0x01  # FIFO_CTRL3: DEC_FIFO_XL no decimation, no gyro
    assert r[0x0A] == 0x26  # FIFO_CTRL5: ODR_FIFO 104 Hz (0100) | continuous (110)
    assert r[0x0D] == 0x08  # INT1_CTRL: INT1_FTH
    assert imu.model == ("LSM6DS3" if variant == "lsm6ds3" else "LSM6DS3TR-C")


def test_mpu6886_config_registers():
    _, f, imu = make("mpu6886")
    imu.enable_fifo(50)
    r = f.regs
    assert f.writes()[0] == (0x6B, 0x80)  # DEVICE_RESET first
    assert r[0x6B] == 0x01  # awake, auto clock
    assert r[0x6C] == 0x07  # gyro standby
    assert r[0x1A] == 0x01  # CONFIG: DLPF_CFG 1, stream FIFO, bit 7 clear (watermark works)
    assert r[0x1B] == 0x00  # FCHOICE_B 0: SMPLRT_DIV applies
    assert r[0x19] == 9  # 1 kHz / (1 + 9) = 100 Hz
    assert r[0x1C] == 0x10  # ACCEL_FS_SEL +-8 g
    assert r[0x1D] == 0x03  # A_DLPF_CFG 3, FCHOICE_B 0
    assert (r[0x60], r[0x61]) == (400 >> 8, 400 & 0xFF)  # watermark 50 records of 8 bytes
    assert r[0x37] == 0x20  # INT active high, push-pull, latched
    assert r[0x38] == 0x10  # FIFO_OFLOW_EN
    assert r[0x23] == 0x08  # ACCEL_FIFO_EN
    assert r[0x6A] == 0x40  # USER_CTRL FIFO_EN
    assert (imu.odr_mhz, imu.counts_per_g) == (100000, 4096)


def test_mpu6886_int_active_low_open_drain_as_the_m5_profile_asks():
    bus = FakeI2C()
    f = bus.attach(FakeMPU6886())
    imu = open_imu(bus, "mpu6886", f.addr, int_active_low=True, int_open_drain=True)
    imu.enable_fifo(50)
    assert f.regs[0x37] == 0xE0  # INT_LEVEL low | INT_OPEN drain | LATCH_INT_EN
    assert imu.int_active_high is False
    f.int_status |= 0x10  # an overflow raises the interrupt: the line goes low
    f._update_int()
    assert f.int1.level == 0


def test_lsm6_refuses_an_active_low_int_it_cannot_drive():
    bus = FakeI2C()
    f = bus.attach(FakeLSM6DSO())
    with pytest.raises(ValueError, match="active-high"):
        open_imu(bus, "lsm6dso", f.addr, int_active_low=True)


@pytest.mark.parametrize("fs,bits,cpg", [(2, 0, 16393), (4, 2, 8196), (8, 3, 4098), (16, 1, 2049)])
def test_lsm6_full_scale(fs, bits, cpg):
    bus = FakeI2C()
    f = bus.attach(FakeLSM6DSO())
    imu = LSM6DSx(bus, odr_hz=26, fs_g=fs)
    assert f.regs[0x10] == (0x2 << 4) | (bits << 2)
    assert imu.counts_per_g == cpg and imu.odr_mhz == 26000


@pytest.mark.parametrize("fs,bits,cpg", [(2, 0, 16384), (4, 1, 8192), (8, 2, 4096), (16, 3, 2048)])
def test_mpu_full_scale(fs, bits, cpg):
    bus = FakeI2C()
    f = bus.attach(FakeMPU6886())
    imu = MPU6886(bus, fs_g=fs, odr_hz=50)
    assert f.regs[0x1C] == bits << 3 and imu.counts_per_g == cpg
    assert f.regs[0x19] == 19 and imu.odr_mhz == 50000


def test_bad_arguments():
    bus = FakeI2C()
    bus.attach(FakeLSM6DSO())
    with pytest.raises(ValueError, match="fs_g"):
        LSM6DSx(bus, fs_g=3)
    imu = LSM6DSx(bus)
    with pytest.raises(ValueError, match="watermark"):
        imu.enable_fifo(0)
    with pytest.raises(ValueError, match="unknown IMU"):
        open_imu(bus, "bmi270")


# --- WHO_AM_I and missing parts -----------------------------------------------------------------
def test_wrong_who_am_i_lsm6():
    bus = FakeI2C()
    bus.attach(FakeLSM6DSO(who_am_i=0x6B))
    with pytest.raises(ImuNotFound) as e:
        LSM6DSx(bus, 0x6A)
    msg = str(e.value)
    assert "0x6b" in msg and "0x6c" in msg and "0x6a" in msg
    assert isinstance(e.value, OSError)  # the app's IMU fallback catches OSError


def test_wrong_who_am_i_mpu():
    bus = FakeI2C()
    bus.attach(FakeMPU6886(who_am_i=0x71))  # an MPU9250 where an MPU6886 was expected
    with pytest.raises(ImuNotFound, match="WHO_AM_I is 0x71, expected 0x19"):
        MPU6886(bus)


def test_no_device_is_oserror():
    with pytest.raises(OSError) as e:
        LSM6DSx(FakeI2C(), 0x6A)
    assert e.value.args[0] == 19


# --- FIFO parsing -----------------------------------------------------------------------------
@pytest.mark.parametrize("chip", CHIPS)
def test_sign_extension_and_order(chip):
    _, f, imu = make(chip)
    imu.enable_fifo(4)
    vals = [(-1, -32768, 32767), (-12345, 0, 1), (256, -256, -2)]
    f.push_samples(vals)
    b = buf(8)
    assert imu.read_fifo(b) == 3
    assert [tuple(b[3 * i : 3 * i + 3]) for i in range(3)] == vals
    assert imu.read_fifo(b) == 0


@pytest.mark.parametrize("chip", CHIPS)
def test_read_caps_at_buffer_and_keeps_the_rest(chip):
    _, f, imu = make(chip)
    imu.enable_fifo(10)
    f.push_samples([(i, -i, 2 * i) for i in range(70)])
    b = buf(25)
    got = []
    while True:
        n = imu.read_fifo(b)
        if not n:
            break
        got += [b[3 * i] for i in range(n)]
    assert got == list(range(70))  # bursts longer than the driver's chunk, in order


def test_mpu_partial_record_stays_for_next_read():
    _, f, imu = make("mpu6886")
    imu.enable_fifo(4)
    f.push_samples([(1, 2, 3), (4, 5, 6)])
    rec = bytes([0xFF, 0xF9, 0x00, 0x08, 0x80, 0x00, 0x06, 0x62])  # -7, 8, -32768, temp
    f.push_raw(rec[:3])
    b = buf(8)
    assert imu.read_fifo(b) == 2 and list(b[:6]) == [1, 2, 3, 4, 5, 6]
    assert imu.fifo_level() == 0 and f.fifo.n == 3
    f.push_raw(rec[3:])
    assert imu.read_fifo(b) == 1 and list(b[:3]) == [-7, 8, -32768]


def test_ds3_partial_sample_stays_for_next_read():
    _, f, imu = make("lsm6ds3trc")
    imu.enable_fifo(4)
    f.push_samples([(1, 2, 3)])
    f.push_raw(bytes([0xF9, 0xFF]))  # X of the next sample only (-7)
    b = buf(8)
    assert imu.read_fifo(b) == 1 and list(b[:3]) == [1, 2, 3]
    f.push_raw(bytes([0x08, 0x00, 0x00, 0x80]))  # Y = 8, Z = -32768
    assert imu.read_fifo(b) == 1 and list(b[:3]) == [-7, 8, -32768]
    assert imu.resyncs == 0


def test_ds3_realigns_on_x_after_a_torn_read():
    bus, f, imu = make("lsm6ds3")
    imu.enable_fifo(4)
    f.push_samples([(1, 2, 3), (4, 5, 6)])
    bus.readfrom_mem(f.addr, 0x3E, 2)  # someone read one word: FIFO_PATTERN is now 1
    b = buf(8)
    assert imu.read_fifo(b) == 1 and list(b[:3]) == [4, 5, 6]
    assert imu.resyncs == 1


def test_dso_skips_words_of_other_sensors():
    _, f, imu = make("lsm6dso")
    imu.enable_fifo(4)
    f.push_samples([(1, 2, 3)])
    f.push_raw(bytes([0x04 << 3, 1, 2, 3, 4, 5, 6]))  # a timestamp word
    f.push_samples([(-4, -5, -6)])
    b = buf(8)
    assert imu.read_fifo(b) == 2 and list(b[:6]) == [1, 2, 3, -4, -5, -6]


@pytest.mark.parametrize("chip", CHIPS)
def test_overflow_is_reported_and_recovered(chip):
    _, f, imu = make(chip)
    imu.enable_fifo(8)
    f.push_samples([(i, 0, 0) for i in range(imu.fifo_capacity + 40)])
    assert f.overruns > 0
    b = buf(16)
    assert imu.read_fifo(b) == 0
    assert imu.overflowed and imu.overflows == 1
    assert imu.fifo_level() == 0  # FIFO restarted
    f.push_samples([(7, -7, 7)])
    assert imu.read_fifo(b) == 1 and list(b[:3]) == [7, -7, 7]
    assert not imu.overflowed and imu.overflows == 1


# --- interrupt line and timing with the clock -----------------------------------------------------
EDGES = [("lsm6dso", 26, 250000), ("lsm6ds3", 26, 250000), ("mpu6886", 50, 500000)]


@pytest.mark.parametrize("chip,wm,edge_us", EDGES)
def test_watermark_edge_at_its_sim_time(chip, wm, edge_us):
    clock = SimClock()
    _, f, imu = make(chip, clock)
    imu.enable_fifo(wm)
    edges = []
    f.int1.watch(type("W", (), {"_edge": lambda self, lvl: edges.append((clock.elapsed_us(), lvl))})())
    clock.advance_us(edge_us - 1)
    assert not f.int1.level and imu.fifo_level() == wm - 1
    clock.advance_us(1)
    assert edges == [(edge_us, 1)]
    b = buf(64)
    assert imu.read_fifo(b) == wm
    assert f.int1.level == 0  # drained below the watermark / latch cleared
    clock.advance_us(edge_us)
    assert edges[-1] == (2 * edge_us, 1)


def test_odr_error_and_factory_trim():
    clock = SimClock()
    _, f, imu = make("lsm6dso", clock, odr_error_ppm=2000, freq_fine=-4)
    imu.enable_fifo(26)
    assert imu.factory_odr_mhz() == 104000 * (10000 - 60) // 10000
    clock.advance_us(100_000_000)
    expect = 104000 * (10000 - 60) // 10000 * 1002000 // 1000000 * 100 // 1000
    assert abs(f.samples_made - expect) <= 1


def test_samples_follow_the_source_and_clip():
    clock = SimClock()
    src = FuncSource(lambda t: (-20_000_000, 500_000, 1_000_000))  # -20 g, 0.5 g, 1 g
    _, f, imu = make("mpu6886", clock, source=src)
    imu.enable_fifo(10)
    clock.advance_us(50_000)
    b = buf(10)
    assert imu.read_fifo(b) == 5
    assert list(b[:3]) == [-32768, 2048, 4096]


# --- embedded step detector -----------------------------------------------------------------------
def _steps_source(spm):
    period = 60_000_000 // spm

    def fn(t):
        return (0, 0, 1_600_000 if t % period < 60_000 else 900_000)

    return FuncSource(fn)


def test_lsm6dso_pedometer_registers_and_counts():
    clock = SimClock()
    _, f, imu = make("lsm6dso", clock, source=_steps_source(180))
    imu.enable_fifo(52)
    imu.enable_pedometer_int(2)  # INT1 carries the FIFO watermark level
    assert f.emb[0x04] & 0x08 and f.emb[0x0E] & 0x08  # PEDO_EN, INT2_STEP_DETECTOR
    assert f.regs[0x5F] & 0x02  # MD2_CFG INT2_EMB_FUNC
    assert f.regs[0x01] == 0  # back in the user bank
    edges = []
    f.int2.watch(type("W", (), {"_edge": lambda self, lvl: lvl and edges.append(1)})())
    clock.advance_us(10_000_000)
    assert 29 <= imu.pedometer_steps() <= 31
    assert len(edges) >= 29
    imu.reset_steps()
    assert imu.pedometer_steps() == 0


@pytest.mark.parametrize("variant,ctrl10", [("lsm6ds3", 0x3C), ("lsm6ds3trc", 0x3C)])
def test_lsm6ds3_pedometer_registers(variant, ctrl10):
    clock = SimClock()
    _, f, imu = make(variant, clock, source=_steps_source(120))
    imu.enable_fifo(52)
    imu.enable_pedometer_int(1)
    if variant == "lsm6ds3":
        assert f.regs[0x19] == 0x38 | 0x04 and f.regs[0x58] & 0x40  # FUNC_EN; TAP_CFG PEDO_EN
    else:
        assert f.regs[0x19] == 0x38 | 0x14  # FUNC_EN | PEDO_EN
    assert f.regs[0x0D] == 0x88  # INT1_STEP_DETECTOR | INT1_FTH
    clock.advance_us(10_000_000)
    assert 19 <= imu.pedometer_steps() <= 21
    with pytest.raises(ValueError, match="INT1 only"):
        imu.enable_pedometer_int(2)


def test_mpu_has_no_pedometer():
    _, _, imu = make("mpu6886")
    assert not imu.has_pedometer
    with pytest.raises(ValueError, match="no step detector"):
        imu.enable_pedometer_int()


@pytest.mark.parametrize("with_temp,record", [(True, 8), (False, 6)])
def test_mpu_detects_its_fifo_record_size(with_temp, record):
    clock = SimClock(speed=100)  # sim time runs by itself: the driver sees the first record land
    _, f, imu = make("mpu6886", clock, record_temp=with_temp)
    imu.enable_fifo(20)
    assert imu.record_bytes == record and (f.regs[0x60] << 8 | f.regs[0x61]) == 20 * record
    f.push_samples([(-5, 6, -7)] * 3)
    b = buf(40)
    got = []
    while len(got) < 3:
        n = imu.read_fifo(b)
        got += [tuple(b[3 * i : 3 * i + 3]) for i in range(n)]
    assert (-5, 6, -7) in got and all(g in ((-5, 6, -7), (0, 0, 4096)) for g in got)
