"""ST LSM6DSO and LSM6DS3 / LSM6DS3TR-C accelerometer driver: FIFO stream + watermark on INT1.

    imu = LSM6DSx(i2c, addr=0x6A, odr_hz=104, fs_g=8)
    imu.enable_fifo(52)              # continuous mode, accel only, FIFO watermark -> INT1
    n = imu.read_fifo(buf)           # buf = array("h", 3 * N): x, y, z counts; no allocation

The part is told apart by WHO_AM_I: 0x6C LSM6DSO (tagged FIFO: 7-byte words TAG + X,Y,Z),
0x69 LSM6DS3 / 0x6A LSM6DS3TR-C (16-bit words X, Y, Z; FIFO_PATTERN says which comes next).
Registers from ST's lsm6dso_reg.h, lsm6ds3_reg.h and lsm6ds3tr-c_reg.h. Data is little-endian;
the FIFO output registers roll back to their first address, so one burst reads many samples.
A FIFO overrun drops samples: read_fifo() then restarts the FIFO (bypass -> continuous), sets
`overflowed`, counts `overflows`, and returns 0 so the caller re-anchors its sample clock.
"""
from pod.drivers import ImuNotFound

try:
    from micropython import const
except ImportError:  # CPython

    def const(x):
        return x


ID_LSM6DSO = const(0x6C)
ID_LSM6DS3 = const(0x69)
ID_LSM6DS3TRC = const(0x6A)

_FUNC_CFG_ACCESS = const(0x01)
_WHO_AM_I = const(0x0F)
_INT1_CTRL = const(0x0D)
_CTRL1_XL = const(0x10)
_CTRL2_G = const(0x11)
_CTRL3_C = const(0x12)
_CTRL10_C = const(0x19)
_FIFO_STATUS1 = const(0x3A)
# LSM6DSO
_O_FIFO_CTRL1 = const(0x07)  # WTM[7:0] in words
_O_FIFO_CTRL2 = const(0x08)  # b0 WTM[8]
_O_FIFO_CTRL3 = const(0x09)  # BDR_GY[7:4] | BDR_XL[3:0]
_O_FIFO_CTRL4 = const(0x0A)  # FIFO_MODE[2:0]
_O_MD1_CFG = const(0x5E)  # b1 INT1_EMB_FUNC
_O_MD2_CFG = const(0x5F)  # b1 INT2_EMB_FUNC
_O_FREQ_FINE = const(0x63)
_O_FIFO_DATA_OUT_TAG = const(0x78)
_E_EMB_FUNC_EN_A = const(0x04)  # b3 PEDO_EN (embedded bank)
_E_EMB_FUNC_INT1 = const(0x0A)  # b3 INT1_STEP_DETECTOR
_E_EMB_FUNC_INT2 = const(0x0E)  # b3 INT2_STEP_DETECTOR
_E_STEP_COUNTER_L = const(0x62)
_E_EMB_FUNC_SRC = const(0x64)  # b7 PEDO_RST_STEP
# LSM6DS3 / DS3TR-C
_3_FIFO_CTRL1 = const(0x06)  # FTH[7:0] in words
_3_FIFO_CTRL2 = const(0x07)  # FTH[11:8] (DS3) / FTH[10:8] (DS3TR-C)
_3_FIFO_CTRL3 = const(0x08)  # DEC_FIFO_GYRO[5:3] | DEC_FIFO_XL[2:0]
_3_FIFO_CTRL5 = const(0x0A)  # ODR_FIFO[6:3] | FIFO_MODE[2:0]
_3_FIFO_DATA_OUT_L = const(0x3E)
_3_STEP_COUNTER_L = const(0x4B)
_3_TAP_CFG = const(0x58)  # b6 PEDO_EN on the LSM6DS3

_BDU_IF_INC = const(0x44)
_SW_RESET = const(0x01)
_MODE_CONTINUOUS = const(6)
_TAG_XL = const(0x02)
_INT_FIFO_TH = const(0x08)
_INT1_STEP_DET = const(0x80)

CHUNK = const(32)  # samples per I2C burst

# ODR code (1..8) -> nominal rate in mHz; the same codes select BDR_XL / ODR_FIFO
ODR_MHZ = (12500, 26000, 52000, 104000, 208000, 416000, 833000, 1666000)
_FS_BITS = {2: 0, 4: 2, 8: 3, 16: 1}
_UG_PER_LSB = {2: 61, 4: 122, 8: 244, 16: 488}


def odr_code(odr_hz):
    """The ODR code whose rate is nearest odr_hz (12.5 Hz .. 1.66 kHz)."""
    if not 1 <= odr_hz <= 1666:
        raise ValueError("odr_hz must be 1..1666, got %r" % (odr_hz,))
    want = odr_hz * 1000
    best = 1
    for i in range(len(ODR_MHZ)):
        if abs(ODR_MHZ[i] - want) < abs(ODR_MHZ[best - 1] - want):
            best = i + 1
    return best


class LSM6DSx:
    has_pedometer = True
    int_active_high = True

    def __init__(self, i2c, addr=0x6A, odr_hz=104, fs_g=8):
        if fs_g not in _FS_BITS:
            raise ValueError("fs_g must be 2, 4, 8 or 16, got %r" % (fs_g,))
        self.i2c = i2c
        self.addr = addr
        self._b1 = bytearray(1)
        self._st = bytearray(4)
        stv = memoryview(self._st)
        self._st2 = stv[:2]
        self._st4 = stv[:4]
        ident = self._r(_WHO_AM_I)
        if ident not in (ID_LSM6DSO, ID_LSM6DS3, ID_LSM6DS3TRC):
            raise ImuNotFound(
                "LSM6DSx at I2C 0x%02x: WHO_AM_I is 0x%02x, expected 0x6c (LSM6DSO), "
                "0x69 (LSM6DS3) or 0x6a (LSM6DS3TR-C)" % (addr, ident)
            )
        self.chip_id = ident
        self._tagged = ident == ID_LSM6DSO
        if self._tagged:
            self.model = "LSM6DSO"
            self.fifo_capacity = 512  # samples (words) held
            self._max_wtm = 511  # 9-bit WTM
        elif ident == ID_LSM6DS3:
            self.model = "LSM6DS3"
            self.fifo_capacity = 1365  # 8 KB of 16-bit words, 3 per sample
            self._max_wtm = 4095 // 3
        else:
            self.model = "LSM6DS3TR-C"
            self.fifo_capacity = 682  # 4 KB
            self._max_wtm = 2047 // 3
        self._frame = 7 if self._tagged else 6
        self._data_reg = _O_FIFO_DATA_OUT_TAG if self._tagged else _3_FIFO_DATA_OUT_L
        self._parse = self._parse_tagged if self._tagged else self._parse_words
        # Scratch allocated once: the raw burst buffer and a view for every burst length.
        self._raw = bytearray(CHUNK * self._frame)
        mv = memoryview(self._raw)
        self._views = [mv[: k * self._frame] for k in range(CHUNK + 1)]
        self._skip = [mv[: 2 * k] for k in range(3)]
        self.overflowed = False
        self.overflows = 0
        self.resyncs = 0  # DS3: times a read started mid-sample and skipped to the next X word
        self.watermark = 0
        self._pedo = False

        self._w(_CTRL3_C, _SW_RESET)
        for _ in range(100):  # reset takes ~50 us; each I2C read is longer
            if not self._r(_CTRL3_C) & _SW_RESET:
                break
        else:
            raise OSError("%s at I2C 0x%02x: software reset did not complete" % (self.model, addr))
        self._w(_CTRL3_C, _BDU_IF_INC)
        self.odr_code = odr_code(odr_hz)
        self.odr_mhz = ODR_MHZ[self.odr_code - 1]  # nominal rate
        self.fs_g = fs_g
        self.counts_per_g = 1000000 // _UG_PER_LSB[fs_g]
        self._w(_CTRL2_G, 0)  # gyro off
        self._w(_CTRL1_XL, (self.odr_code << 4) | (_FS_BITS[fs_g] << 2))

    # --- registers -------------------------------------------------------------------------
    def _r(self, reg):
        self.i2c.readfrom_mem_into(self.addr, reg, self._b1)
        return self._b1[0]

    def _w(self, reg, val):
        self._b1[0] = val
        self.i2c.writeto_mem(self.addr, reg, self._b1)

    def _set(self, reg, bits):
        self._w(reg, self._r(reg) | bits)

    # --- FIFO ------------------------------------------------------------------------------
    def enable_fifo(self, watermark_samples):
        """Accelerometer into the FIFO at the ODR, continuous (stream) mode, watermark on INT1.
        INT1 is high while the FIFO holds >= watermark_samples (ST FIFO_WTM is a level)."""
        if not 1 <= watermark_samples <= self._max_wtm:
            raise ValueError("watermark must be 1..%d samples, got %r" % (self._max_wtm, watermark_samples))
        self.watermark = watermark_samples
        if self._tagged:
            self._w(_O_FIFO_CTRL4, 0)  # bypass: empties the FIFO
            self._w(_O_FIFO_CTRL1, watermark_samples & 0xFF)
            self._w(_O_FIFO_CTRL2, (watermark_samples >> 8) & 0x01)
            self._w(_O_FIFO_CTRL3, self.odr_code)  # BDR_XL = ODR, gyro not batched
            self._w(_INT1_CTRL, _INT_FIFO_TH)
            self._w(_O_FIFO_CTRL4, _MODE_CONTINUOUS)
        else:
            words = watermark_samples * 3
            self._w(_3_FIFO_CTRL5, 0)
            self._w(_3_FIFO_CTRL1, words & 0xFF)
            self._w(_3_FIFO_CTRL2, (words >> 8) & (0x0F if self.chip_id == ID_LSM6DS3 else 0x07))
            self._w(_3_FIFO_CTRL3, 0x01)  # DEC_FIFO_XL: no decimation; no gyro in the FIFO
            self._w(_INT1_CTRL, (self._r(_INT1_CTRL) & _INT1_STEP_DET) | _INT_FIFO_TH)
            self._w(_3_FIFO_CTRL5, (self.odr_code << 3) | _MODE_CONTINUOUS)

    def _fifo_restart(self):
        if self._tagged:
            self._w(_O_FIFO_CTRL4, 0)
            self._w(_O_FIFO_CTRL4, _MODE_CONTINUOUS)
        else:
            self._w(_3_FIFO_CTRL5, self.odr_code << 3)
            self._w(_3_FIFO_CTRL5, (self.odr_code << 3) | _MODE_CONTINUOUS)

    def fifo_level(self):
        """Complete samples waiting in the FIFO."""
        st = self._st
        self.i2c.readfrom_mem_into(self.addr, _FIFO_STATUS1, self._st2)
        if self._tagged:
            return ((st[1] & 0x03) << 8) | st[0]
        return (((st[1] & 0x0F) << 8) | st[0]) // 3

    def read_fifo(self, buf):
        """Read up to len(buf) // 3 samples into buf (array('h')) as x, y, z; return the count.
        Allocation-free. An incomplete trailing sample stays in the FIFO for the next read."""
        cap = len(buf) // 3
        i2c = self.i2c
        st = self._st
        self.overflowed = False
        if self._tagged:
            i2c.readfrom_mem_into(self.addr, _FIFO_STATUS1, self._st2)
            level = ((st[1] & 0x03) << 8) | st[0]
            ovr = st[1] & 0x48  # FIFO_OVR_IA | FIFO_OVR_LATCHED
        else:
            i2c.readfrom_mem_into(self.addr, _FIFO_STATUS1, self._st4)
            words = ((st[1] & 0x0F) << 8) | st[0]
            ovr = st[1] & 0x40  # OVER_RUN
            pattern = ((st[3] & 0x03) << 8) | st[2]
            if not ovr and pattern and words:
                # a previous read stopped mid-sample: drop the rest of it to realign on X
                skip = 3 - pattern if pattern < 3 else 0
                if skip > words:
                    return 0
                i2c.readfrom_mem_into(self.addr, _3_FIFO_DATA_OUT_L, self._skip[skip])
                words -= skip
                self.resyncs += 1
            level = words // 3
        if ovr:
            self.overflowed = True
            self.overflows += 1
            self._fifo_restart()
            return 0
        n = level if level < cap else cap
        j = 0
        while n > 0:
            k = n if n < CHUNK else CHUNK
            i2c.readfrom_mem_into(self.addr, self._data_reg, self._views[k])
            j = self._parse(k, buf, j)
            n -= k
        return j // 3

    def _parse_words(self, k, buf, j):
        raw = self._raw
        i = 0
        end = 6 * k
        while i < end:
            v = raw[i] | (raw[i + 1] << 8)
            if v & 0x8000:
                v -= 0x10000
            buf[j] = v
            j += 1
            i += 2
        return j

    def _parse_tagged(self, k, buf, j):
        raw = self._raw
        i = 0
        end = 7 * k
        while i < end:
            if raw[i] >> 3 == _TAG_XL:
                a = i + 1
                b = i + 7
                while a < b:
                    v = raw[a] | (raw[a + 1] << 8)
                    if v & 0x8000:
                        v -= 0x10000
                    buf[j] = v
                    j += 1
                    a += 2
            i += 7
        return j

    # --- rate ----------------------------------------------------------------------------------
    def factory_odr_mhz(self):
        """The ODR corrected by the factory trim: LSM6DSO INTERNAL_FREQ_FINE, signed, 0.15 %/LSB.
        The LSM6DS3 has no such register: nominal. Calibrate against ticks_us for better."""
        if not self._tagged:
            return self.odr_mhz
        ff = self._r(_O_FREQ_FINE)
        if ff > 127:
            ff -= 256
        return self.odr_mhz * (10000 + 15 * ff) // 10000

    # --- embedded step detector ------------------------------------------------------------------
    def enable_pedometer_int(self, int_pin=1):
        """Turn on the chip's own step detector and route its interrupt to INT1 (or INT2 on the
        LSM6DSO), as a cross-check of the software detector. Count with pedometer_steps()."""
        if self.odr_mhz < 26000:
            raise ValueError("the step detector needs ODR >= 26 Hz")
        if int_pin not in (1, 2):
            raise ValueError("int_pin must be 1 or 2")
        if self._tagged:
            self._w(_FUNC_CFG_ACCESS, 0x80)  # embedded functions bank
            try:
                self._set(_E_EMB_FUNC_EN_A, 0x08)  # PEDO_EN
                self._set(_E_EMB_FUNC_INT1 if int_pin == 1 else _E_EMB_FUNC_INT2, 0x08)
                self._set(_E_EMB_FUNC_SRC, 0x80)  # PEDO_RST_STEP
            finally:
                self._w(_FUNC_CFG_ACCESS, 0x00)
            self._set(_O_MD1_CFG if int_pin == 1 else _O_MD2_CFG, 0x02)  # INTx_EMB_FUNC
        else:
            if int_pin != 1:
                raise ValueError("%s: the step detector interrupt is on INT1 only" % (self.model,))
            if self.chip_id == ID_LSM6DS3:
                self._set(_CTRL10_C, 0x04)  # FUNC_EN
                self._set(_3_TAP_CFG, 0x40)  # PEDO_EN
            else:
                self._set(_CTRL10_C, 0x14)  # FUNC_EN | PEDO_EN
            self._set(_INT1_CTRL, _INT1_STEP_DET)
        self._pedo = True

    def pedometer_steps(self):
        """The chip's step counter (16 bits, wraps)."""
        b = self._st2
        if self._tagged:
            self._w(_FUNC_CFG_ACCESS, 0x80)
            try:
                self.i2c.readfrom_mem_into(self.addr, _E_STEP_COUNTER_L, b)
            finally:
                self._w(_FUNC_CFG_ACCESS, 0x00)
        else:
            self.i2c.readfrom_mem_into(self.addr, _3_STEP_COUNTER_L, b)
        return b[0] | (b[1] << 8)

    def reset_steps(self):
        if self._tagged:
            self._w(_FUNC_CFG_ACCESS, 0x80)
            try:
                self._set(_E_EMB_FUNC_SRC, 0x80)
            finally:
                self._w(_FUNC_CFG_ACCESS, 0x00)
        else:
            c = self._r(_CTRL10_C)
            self._w(_CTRL10_C, c | 0x02)  # PEDO_RST_STEP
            self._w(_CTRL10_C, c & ~0x02)

    def power_down(self):
        self._w(_CTRL1_XL, 0)
