"""TDK InvenSense MPU-6886 accelerometer driver (M5StickC Plus2): FIFO stream + watermark INT.

    imu = MPU6886(i2c, addr=0x68, odr_hz=100, fs_g=8)
    imu.enable_fifo(50)
    n = imu.read_fifo(buf)           # buf = array("h", 3 * N): x, y, z counts; no allocation

Registers from DS-000193 (same map as the ICM-20602). The rate is 1 kHz / (1 + SMPLRT_DIV) with
the DLPF on, so 104 Hz is asked as 100 Hz (odr_mhz tells what you got). Data is big-endian.
Each FIFO record is accel (6 bytes) + temperature (2): the ICM-20602 family always writes the
temperature with the sensor data (the Linux inv_mpu6050 driver reads ICM-20602 FIFO records the
same way). enable_fifo() checks it on the part: the FIFO count after a reset is a whole number
of records, so it settles record_bytes to 8 or 6 (8 when it cannot tell, e.g. a paused sim).
The INT pin is latched (active high, push-pull) and cleared when read_fifo() reads the status
registers. No step detector on this part: has_pedometer is False.
"""
from pod.drivers import ImuNotFound

try:
    from micropython import const
except ImportError:  # CPython

    def const(x):
        return x


ID_MPU6886 = const(0x19)

_SMPLRT_DIV = const(0x19)
_CONFIG = const(0x1A)  # b7 must be 0 for the FIFO watermark; b6 FIFO_MODE; b2:0 DLPF_CFG
_GYRO_CONFIG = const(0x1B)
_ACCEL_CONFIG = const(0x1C)  # b4:3 ACCEL_FS_SEL
_ACCEL_CONFIG2 = const(0x1D)  # b3 ACCEL_FCHOICE_B, b2:0 A_DLPF_CFG
_FIFO_EN = const(0x23)  # b4 GYRO_FIFO_EN, b3 ACCEL_FIFO_EN
_INT_PIN_CFG = const(0x37)  # b7 INT_LEVEL, b6 INT_OPEN, b5 LATCH_INT_EN, b4 INT_RD_CLEAR
_INT_ENABLE = const(0x38)  # b4 FIFO_OFLOW_EN, b0 DATA_RDY_INT_EN
_FIFO_WM_INT_STATUS = const(0x39)  # b6 FIFO_WM_INT
_INT_STATUS = const(0x3A)  # b4 FIFO_OFLOW_INT
_FIFO_WM_TH1 = const(0x60)  # FIFO_WM_TH[9:8] (bytes)
_FIFO_WM_TH2 = const(0x61)  # FIFO_WM_TH[7:0]
_USER_CTRL = const(0x6A)  # b6 FIFO_EN, b2 FIFO_RST
_PWR_MGMT_1 = const(0x6B)  # b7 DEVICE_RESET, b6 SLEEP, b2:0 CLKSEL
_PWR_MGMT_2 = const(0x6C)  # b5:3 STBY accel, b2:0 STBY gyro
_FIFO_COUNTH = const(0x72)
_FIFO_R_W = const(0x74)
_WHO_AM_I = const(0x75)

_FIFO_BYTES = const(1024)
CHUNK = const(32)  # samples per I2C burst

_FS_SEL = {2: 0, 4: 1, 8: 2, 16: 3}


class MPU6886:
    has_pedometer = False
    int_active_high = True

    def __init__(self, i2c, addr=0x68, odr_hz=100, fs_g=8, int_active_low=False, int_open_drain=False):
        # The M5StickC Plus2 shares its INT net (GPIO35) with other open-drain sources: the board
        # profile asks for active-low, open-drain there.
        self.int_active_high = not int_active_low
        self._int_cfg = 0x20 | (0x80 if int_active_low else 0) | (0x40 if int_open_drain else 0)
        if fs_g not in _FS_SEL:
            raise ValueError("fs_g must be 2, 4, 8 or 16, got %r" % (fs_g,))
        if not 4 <= odr_hz <= 1000:
            raise ValueError("odr_hz must be 4..1000, got %r" % (odr_hz,))
        self.i2c = i2c
        self.addr = addr
        self.model = "MPU6886"
        self._b1 = bytearray(1)
        self._st = bytearray(2)
        ident = self._r(_WHO_AM_I)
        if ident != ID_MPU6886:
            raise ImuNotFound("MPU6886 at I2C 0x%02x: WHO_AM_I is 0x%02x, expected 0x19" % (addr, ident))
        self.chip_id = ident
        self._raw = bytearray(CHUNK * 8)
        self._record(8)  # accel x, y, z + temperature, big-endian
        self.overflowed = False
        self.overflows = 0
        self.watermark = 0

        self._w(_PWR_MGMT_1, 0x80)  # DEVICE_RESET
        for _ in range(100):
            if not self._r(_PWR_MGMT_1) & 0x80:
                break
        else:
            raise OSError("MPU6886 at I2C 0x%02x: reset did not complete" % (addr,))
        self._w(_PWR_MGMT_1, 0x01)  # awake, auto clock
        self._w(_PWR_MGMT_2, 0x07)  # gyro in standby, accel on
        self._w(_CONFIG, 0x01)  # DLPF_CFG=1 (1 kHz internal rate), FIFO overwrites, b7=0
        self._w(_GYRO_CONFIG, 0x00)  # FCHOICE_B=0 so SMPLRT_DIV applies
        div = (1000 + odr_hz // 2) // odr_hz - 1
        div = 0 if div < 0 else (255 if div > 255 else div)
        self._w(_SMPLRT_DIV, div)
        self.odr_mhz = 1000000 // (1 + div)  # nominal rate
        self.fs_g = fs_g
        self.counts_per_g = 16384 >> _FS_SEL[fs_g]
        self._w(_ACCEL_CONFIG, _FS_SEL[fs_g] << 3)
        self._w(_ACCEL_CONFIG2, 0x03)  # A_DLPF_CFG=3: 44.8 Hz bandwidth, below Nyquist at 100 Hz
        self._w(_INT_ENABLE, 0x00)
        self._w(_FIFO_EN, 0x00)
        self._w(_USER_CTRL, 0x00)

    def _record(self, nbytes):
        self.record_bytes = nbytes
        mv = memoryview(self._raw)
        self._views = [mv[: k * nbytes] for k in range(CHUNK + 1)]
        self.fifo_capacity = _FIFO_BYTES // nbytes

    def _detect_record(self):
        # The FIFO count after a reset is a whole number of records: a multiple of 8 or of 6
        # tells the size (a multiple of 24 could be either: reset and look again).
        st = self._st
        for _ in range(300):  # ~30 ms of I2C reads at 400 kHz: three sample periods at 100 Hz
            self.i2c.readfrom_mem_into(self.addr, _FIFO_COUNTH, st)
            n = ((st[0] & 0x1F) << 8) | st[1]
            if not n:
                continue
            if n % 24:
                self._record(8 if n % 8 == 0 else 6)
                return
            self._w(_USER_CTRL, 0x44)  # FIFO_EN | FIFO_RST

    def _r(self, reg):
        self.i2c.readfrom_mem_into(self.addr, reg, self._b1)
        return self._b1[0]

    def _w(self, reg, val):
        self._b1[0] = val
        self.i2c.writeto_mem(self.addr, reg, self._b1)

    def enable_fifo(self, watermark_samples):
        """Accel (+temperature) records into the FIFO at the sample rate, oldest overwritten
        when full; the watermark and FIFO overflow latch the INT pin high."""
        if not 1 <= watermark_samples <= 127:
            raise ValueError("watermark must be 1..127 samples, got %r" % (watermark_samples,))
        self.watermark = watermark_samples
        self._w(_FIFO_WM_TH1, 0)
        self._w(_FIFO_WM_TH2, 0)
        self._w(_FIFO_EN, 0x08)  # ACCEL_FIFO_EN
        self._w(_USER_CTRL, 0x44)  # FIFO_EN | FIFO_RST
        self._detect_record()
        th = watermark_samples * self.record_bytes
        self._w(_USER_CTRL, 0x04)  # FIFO_RST
        self._w(_FIFO_WM_TH1, (th >> 8) & 0x03)
        self._w(_FIFO_WM_TH2, th & 0xFF)
        self._w(_INT_PIN_CFG, self._int_cfg)  # level and drive per the board; latched until read
        self._w(_INT_ENABLE, 0x10)  # FIFO_OFLOW_EN (the watermark interrupt needs no enable bit)
        self._w(_FIFO_EN, 0x08)  # ACCEL_FIFO_EN
        self._w(_USER_CTRL, 0x40)  # FIFO_EN

    def _fifo_restart(self):
        self._w(_USER_CTRL, 0x44)  # FIFO_EN | FIFO_RST

    def fifo_level(self):
        st = self._st
        self.i2c.readfrom_mem_into(self.addr, _FIFO_COUNTH, st)
        return (((st[0] & 0x1F) << 8) | st[1]) // self.record_bytes

    def read_fifo(self, buf):
        """Read up to len(buf) // 3 samples into buf (array('h')) as x, y, z; return the count.
        Allocation-free. An incomplete trailing record stays in the FIFO for the next read."""
        cap = len(buf) // 3
        i2c = self.i2c
        st = self._st
        self.overflowed = False
        # FIFO_WM_INT_STATUS, INT_STATUS in one burst: clears the latched INT pin
        i2c.readfrom_mem_into(self.addr, _FIFO_WM_INT_STATUS, st)
        if st[1] & 0x10:  # FIFO_OFLOW_INT: the oldest bytes were overwritten
            self.overflowed = True
            self.overflows += 1
            self._fifo_restart()
            return 0
        i2c.readfrom_mem_into(self.addr, _FIFO_COUNTH, st)
        rec = self.record_bytes
        level = (((st[0] & 0x1F) << 8) | st[1]) // rec
        n = level if level < cap else cap
        raw = self._raw
        j = 0
        while n > 0:
            k = n if n < CHUNK else CHUNK
            i2c.readfrom_mem_into(self.addr, _FIFO_R_W, self._views[k])
            i = 0
            end = k * rec
            while i < end:
                a = i
                while a < i + 6:
                    v = (raw[a] << 8) | raw[a + 1]
                    if v & 0x8000:
                        v -= 0x10000
                    buf[j] = v
                    j += 1
                    a += 2
                i += rec
            n -= k
        return j // 3

    def factory_odr_mhz(self):
        return self.odr_mhz

    def enable_pedometer_int(self, int_pin=1):
        raise ValueError("MPU6886 has no step detector")

    def pedometer_steps(self):
        raise ValueError("MPU6886 has no step detector")

    def power_down(self):
        self._w(_PWR_MGMT_1, 0x40)  # SLEEP
