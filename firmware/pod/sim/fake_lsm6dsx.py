"""Register-level fakes of the ST LSM6DSO and LSM6DS3 / LSM6DS3TR-C (I2C, accelerometer side).

Modelled after the datasheets / ST's lsm6dso_reg.h, lsm6ds3_reg.h, lsm6ds3tr-c_reg.h:
* LSM6DSO: WHO_AM_I 0x6C; tagged FIFO of 7-byte words (TAG = sensor<<3 | cnt<<1 | parity, then
  X,Y,Z little-endian) read from FIFO_DATA_OUT_TAG 0x78..0x7E, the address rolling back to 0x78;
  FIFO_STATUS1/2 (DIFF_FIFO in words, WTM_IA b7, OVR_IA b6, FULL_IA b5, OVR_LATCHED b3);
  FIFO_CTRL1-4 (WTM, BDR_XL, FIFO_MODE); INT1_CTRL b3 INT1_FIFO_TH; embedded bank behind
  FUNC_CFG_ACCESS b7 with EMB_FUNC_EN_A b3 PEDO_EN, EMB_FUNC_INT1/2 b3, STEP_COUNTER 0x62/63,
  EMB_FUNC_SRC 0x64; MD1_CFG/MD2_CFG b1 route embedded functions; INTERNAL_FREQ_FINE 0x63.
* LSM6DS3 (0x69) / DS3TR-C (0x6A): untagged FIFO of 16-bit words X,Y,Z read from
  FIFO_DATA_OUT_L/H 0x3E/0x3F (address rolls back), FIFO_STATUS1-4 (DIFF_FIFO in words, pattern),
  FIFO_CTRL1/2 FTH in words, FIFO_CTRL3 DEC_FIFO_XL, FIFO_CTRL5 ODR_FIFO|FIFO_MODE, INT1_CTRL
  b3 FTH / b7 step detector; pedometer FUNC_EN in CTRL10_C b2 and PEDO_EN in TAP_CFG b6 (DS3) or
  CTRL10_C b4 (DS3TR-C); STEP_COUNTER 0x4B/0x4C.
The FIFO_WTM flag (and INT1 when routed) is a level: set while the FIFO holds >= watermark words.
"""
from pod.sim.fake_imu import FakeIMU, StepModel, clip16

# ODR codes 1..10 of CTRL1_XL / BDR / ODR_FIFO, in mHz (0 = power down)
ODR_MHZ = (0, 12500, 26000, 52000, 104000, 208000, 416000, 833000, 1666000, 3332000, 6664000)
UG_PER_LSB = {0: 61, 1: 488, 2: 122, 3: 244}  # FS_XL bits -> sensitivity (2, 16, 4, 8 g)

_CTRL1_XL = 0x10
_CTRL3_C = 0x12


def _odr(code):
    if code == 0x0B:  # 1.6 Hz low-power
        return 1600
    return ODR_MHZ[code] if code < len(ODR_MHZ) else 0


class _FakeST(FakeIMU):
    WORD = 2
    FIFO_WORDS = 4096

    def __init__(self, addr=0x6A, who_am_i=0x6C, source=None, clock=None, odr_error_ppm=0):
        self.FIFO_BYTES = self.FIFO_WORDS * self.WORD
        self.steps = StepModel()
        self._pulse = 0
        self.ovr = 0
        self.ovr_latched = 0
        self._latch = bytearray(7)
        self._batch_ctr = 0
        FakeIMU.__init__(self, addr, who_am_i, source, clock, odr_error_ppm)

    def _reset_common(self):
        for i in range(256):
            self.regs[i] = 0
        self.regs[0x0F] = self.who_am_i
        self.regs[_CTRL3_C] = 0x04  # IF_INC
        self.fifo.clear()
        self.ovr = 0
        self.ovr_latched = 0

    def _ug_to_counts(self, ug):
        lsb = UG_PER_LSB[(self.regs[_CTRL1_XL] >> 2) & 3]
        return clip16((ug + (lsb >> 1)) // lsb if ug >= 0 else -((-ug + (lsb >> 1)) // lsb))

    def _odr_mhz_now(self):
        return _odr(self.regs[_CTRL1_XL] >> 4)

    def _set_out(self, x, y, z):
        r = self.regs
        r[0x28] = x & 0xFF
        r[0x29] = (x >> 8) & 0xFF
        r[0x2A] = y & 0xFF
        r[0x2B] = (y >> 8) & 0xFF
        r[0x2C] = z & 0xFF
        r[0x2D] = (z >> 8) & 0xFF
        r[0x1E] |= 0x01  # XLDA

    def level_words(self):
        return self.fifo.n // (7 if self.WORD == 7 else 2)

    def _batch_due(self, bdr_code):
        # batch at BDR when it is slower than the ODR (codes double the rate, roughly)
        odr_code = self.regs[_CTRL1_XL] >> 4
        every = 1 << (odr_code - bdr_code) if 0 < bdr_code < odr_code else 1
        self._batch_ctr += 1
        if self._batch_ctr >= every:
            self._batch_ctr = 0
            return True
        return False


class FakeLSM6DSO(_FakeST):
    WORD = 7
    FIFO_WORDS = 512
    TAG_XL = 0x02

    def __init__(self, addr=0x6A, who_am_i=0x6C, source=None, clock=None, odr_error_ppm=0, freq_fine=0):
        self.emb = bytearray(256)
        self.freq_fine = freq_fine
        self._tag_cnt = 0
        _FakeST.__init__(self, addr, who_am_i, source, clock, odr_error_ppm)

    def reset(self):
        self._reset_common()
        self.regs[0x63] = self.freq_fine & 0xFF
        for i in range(256):
            self.emb[i] = 0

    def _actual_mhz(self):
        ff = self.freq_fine
        return self._odr * (10000 + 15 * ff) // 10000 * (1000000 + self.odr_error_ppm) // 1000000

    def _bank(self):
        return self.regs[0x01] & 0x80

    def _next(self, reg):
        if self._bank() or not (self.regs[_CTRL3_C] & 0x04):
            return reg + 1 if self.regs[_CTRL3_C] & 0x04 else reg
        if reg == 0x7E:
            return 0x78
        return (reg + 1) & 0xFF

    def fifo_mode(self):
        return self.regs[0x0A] & 0x07

    def watermark(self):
        return ((self.regs[0x08] & 0x01) << 8) | self.regs[0x07]

    def _status2(self):
        n = self.level_words()
        wtm = self.watermark()
        v = (n >> 8) & 0x03
        if wtm and n >= wtm:
            v |= 0x80
        if self.ovr:
            v |= 0x40
        if n >= self.FIFO_WORDS - 1:
            v |= 0x20
        if self.ovr_latched:
            v |= 0x08
        return v

    def _rd(self, reg):
        if reg != 0x01 and self._bank():
            if reg == 0x12:  # EMB_FUNC_STATUS: reading clears a latched step
                v = self.emb[0x12]
                self.emb[0x12] = 0
                return v
            if reg == 0x64:
                v = self.emb[0x64]
                self.emb[0x64] = v & 0xDF  # STEP_DETECTED clears on read
                return v
            return self.emb[reg]
        if reg == 0x3A:
            return self.level_words() & 0xFF
        if reg == 0x3B:
            v = self._status2()
            self.ovr_latched = 0
            return v
        if reg == 0x35:  # EMB_FUNC_STATUS_MAINPAGE
            v = self.emb[0x12]
            self.emb[0x12] = 0
            return v
        if reg == 0x78:
            lat = self._latch
            if self.fifo.n >= 7:
                for i in range(7):
                    lat[i] = self.fifo.pop()
                self.ovr = 0
            else:
                for i in range(7):
                    lat[i] = 0
            return lat[0]
        if 0x79 <= reg <= 0x7E:
            return self._latch[reg - 0x78]
        return self.regs[reg]

    def _wr(self, reg, v):
        if reg != 0x01 and self._bank():
            if reg == 0x64 and v & 0x80:  # PEDO_RST_STEP
                self.steps.steps = 0
                self.emb[0x62] = 0
                self.emb[0x63] = 0
                v &= 0x7F
            self.emb[reg] = v
            return
        if reg in (0x0F, 0x3A, 0x3B, 0x63) or 0x78 <= reg <= 0x7E or 0x1A <= reg <= 0x2D:
            return  # read-only
        if reg == _CTRL3_C and v & 0x01:  # SW_RESET, self-clearing
            self.reset()
            return
        self.regs[reg] = v
        if reg == 0x0A and (v & 0x07) == 0:  # bypass empties the FIFO
            self.fifo.clear()
            self.ovr = 0

    def _store(self, x, y, z):
        self._set_out(x, y, z)
        mode = self.fifo_mode()
        bdr = self.regs[0x09] & 0x0F
        if mode not in (1, 6) or not bdr or not self._batch_due(bdr):
            return
        if self.fifo.n + 7 > self.fifo.cap:
            if mode == 1:
                return  # FIFO mode stops when full
            self.fifo.drop(7)
            self.ovr = 1
            self.ovr_latched = 1
            self.overruns += 1
        self._tag_cnt = (self._tag_cnt + 1) & 3
        tag = (self.TAG_XL << 3) | (self._tag_cnt << 1)
        p = tag ^ (tag >> 4)
        p ^= p >> 2
        p ^= p >> 1
        tag |= p & 1
        f = self.fifo
        f.push(tag)
        f.push(x & 0xFF)
        f.push((x >> 8) & 0xFF)
        f.push(y & 0xFF)
        f.push((y >> 8) & 0xFF)
        f.push(z & 0xFF)
        f.push((z >> 8) & 0xFF)

    def push_raw(self, data):
        """Append raw FIFO words (7 bytes each: tag + data) as if the chip had written them."""
        for b in data:
            self.fifo.push(b)
        self._update_int()

    def _pedo_on(self):
        return self.emb[0x04] & 0x08

    def _pedo(self, v):
        if self._pulse:
            self._pulse = 0
        if not self._pedo_on():
            return
        if self.steps.feed(self.now_us, v):
            self.emb[0x62] = self.steps.steps & 0xFF
            self.emb[0x63] = self.steps.steps >> 8
            self.emb[0x64] |= 0x20
            self.emb[0x12] |= 0x08
            self._pulse = 1

    def _step_int(self, pin):
        if not self._pedo_on():
            return 0
        if pin == 1:
            routed = (self.emb[0x0A] & 0x08) and (self.regs[0x5E] & 0x02)
        else:
            routed = (self.emb[0x0E] & 0x08) and (self.regs[0x5F] & 0x02)
        if not routed:
            return 0
        if self.emb[0x17] & 0x80:  # EMB_FUNC_LIR: latched until EMB_FUNC_STATUS is read
            return 1 if self.emb[0x12] & 0x08 else 0
        return self._pulse

    def _int_level(self, ctrl, pin):
        n = self.level_words()
        wtm = self.watermark()
        lvl = 0
        if (ctrl & 0x08) and wtm and n >= wtm:
            lvl = 1
        if (ctrl & 0x10) and self.ovr:
            lvl = 1
        if (ctrl & 0x20) and n >= self.FIFO_WORDS - 1:
            lvl = 1
        if self._step_int(pin):
            lvl = 1
        return lvl

    def _update_int(self):
        self.int1.set(self._int_level(self.regs[0x0D], 1))
        self.int2.set(self._int_level(self.regs[0x0E], 2))

    def _samples_to_int_change(self):
        if self._pedo_on() or (self.regs[0x0D] | self.regs[0x0E]) & 0x03:
            return 1
        if (self.regs[0x0D] | self.regs[0x0E]) & 0x38 and self.fifo_mode() in (1, 6):
            n = self.level_words()
            wtm = self.watermark()
            if (self.regs[0x0D] | self.regs[0x0E]) & 0x08 and wtm and n < wtm:
                return wtm - n
            return max(1, self.FIFO_WORDS - n)
        return None


class FakeLSM6DS3(_FakeST):
    """variant "ds3" (WHO_AM_I 0x69, 8 KB FIFO) or "ds3trc" (LSM6DS3TR-C, 0x6A, 4 KB FIFO)."""

    WORD = 2

    def __init__(self, addr=0x6A, variant="ds3trc", who_am_i=None, source=None, clock=None, odr_error_ppm=0):
        if variant not in ("ds3", "ds3trc"):
            raise ValueError("variant must be 'ds3' or 'ds3trc'")
        self.variant = variant
        self.FIFO_WORDS = 4096 if variant == "ds3" else 2048
        self._fth_mask = 0x0F if variant == "ds3" else 0x07
        self._popped = 0
        if who_am_i is None:
            who_am_i = 0x69 if variant == "ds3" else 0x6A
        _FakeST.__init__(self, addr, who_am_i, source, clock, odr_error_ppm)

    def reset(self):
        self._reset_common()
        self.regs[0x19] = 0x38  # CTRL10_C: gyro axes enabled
        self._popped = 0

    def _next(self, reg):
        if not (self.regs[_CTRL3_C] & 0x04):
            return reg
        if reg == 0x3F:
            return 0x3E
        return (reg + 1) & 0xFF

    def fifo_mode(self):
        return self.regs[0x0A] & 0x07

    def watermark(self):
        return ((self.regs[0x07] & self._fth_mask) << 8) | self.regs[0x06]

    def pattern(self):
        return self._popped % 3

    def _status2(self):
        n = self.level_words()
        wtm = self.watermark()
        v = (n >> 8) & self._fth_mask
        if wtm and n >= wtm:
            v |= 0x80
        if self.ovr:
            v |= 0x40
        if n >= self.FIFO_WORDS - 3:
            v |= 0x20
        if n == 0:
            v |= 0x10
        return v

    def _rd(self, reg):
        if reg == 0x3A:
            return self.level_words() & 0xFF
        if reg == 0x3B:
            return self._status2()
        if reg == 0x3C:
            return self.pattern() & 0xFF
        if reg == 0x3D:
            return 0
        if reg == 0x3E:
            lat = self._latch
            if self.fifo.n >= 2:
                lat[0] = self.fifo.pop()
                lat[1] = self.fifo.pop()
                self._popped += 1
                self.ovr = 0
            else:
                lat[0] = 0
                lat[1] = 0
            return lat[0]
        if reg == 0x3F:
            return self._latch[1]
        if reg == 0x53:  # FUNC_SRC: STEP_DETECTED clears on read
            v = self.regs[0x53]
            self.regs[0x53] = 0
            return v
        return self.regs[reg]

    def _wr(self, reg, v):
        if reg in (0x0F, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x4B, 0x4C, 0x53) or 0x1A <= reg <= 0x2D:
            return
        if reg == _CTRL3_C and v & 0x01:
            self.reset()
            return
        self.regs[reg] = v
        if reg == 0x0A and (v & 0x07) == 0:
            self.fifo.clear()
            self.ovr = 0
            self._popped = 0
        if reg == 0x19 and v & 0x02:  # PEDO_RST_STEP
            self.steps.steps = 0
            self.regs[0x4B] = 0
            self.regs[0x4C] = 0

    def _store(self, x, y, z):
        self._set_out(x, y, z)
        mode = self.fifo_mode()
        odr_fifo = (self.regs[0x0A] >> 3) & 0x0F
        if mode not in (1, 6) or not odr_fifo or not (self.regs[0x08] & 0x07):
            return
        if not self._batch_due(odr_fifo):
            return
        if self.fifo.n + 6 > self.fifo.cap:
            if mode == 1:
                return
            self.fifo.drop(6)  # the oldest sample goes; the pattern stays aligned
            self.ovr = 1
            self.overruns += 1
        f = self.fifo
        for v in (x, y, z):
            f.push(v & 0xFF)
            f.push((v >> 8) & 0xFF)

    def push_raw(self, data):
        """Append raw FIFO bytes (16-bit words, little-endian) as if the chip had written them."""
        for b in data:
            self.fifo.push(b)
        self._update_int()

    def _pedo_on(self):
        c10 = self.regs[0x19]
        if not c10 & 0x04:
            return False
        if self.variant == "ds3":
            return bool(self.regs[0x58] & 0x40)
        return bool(c10 & 0x10)

    def _pedo(self, v):
        if self._pulse:
            self._pulse = 0
        if not self._pedo_on() or self.regs[0x19] & 0x02:
            return
        if self.steps.feed(self.now_us, v):
            self.regs[0x4B] = self.steps.steps & 0xFF
            self.regs[0x4C] = self.steps.steps >> 8
            self.regs[0x53] |= 0x10
            self._pulse = 1

    def _update_int(self):
        n = self.level_words()
        wtm = self.watermark()
        c1 = self.regs[0x0D]
        lvl = 0
        if (c1 & 0x08) and wtm and n >= wtm:
            lvl = 1
        if (c1 & 0x10) and self.ovr:
            lvl = 1
        if (c1 & 0x20) and n >= self.FIFO_WORDS - 3:
            lvl = 1
        if (c1 & 0x80) and self._pulse and self._pedo_on():
            lvl = 1
        self.int1.set(lvl)
        c2 = self.regs[0x0E]
        lvl2 = 0
        if (c2 & 0x08) and wtm and n >= wtm:
            lvl2 = 1
        if (c2 & 0x10) and self.ovr:
            lvl2 = 1
        self.int2.set(lvl2)

    def _samples_to_int_change(self):
        c = self.regs[0x0D] | self.regs[0x0E]
        if self._pedo_on() or c & 0x03:
            return 1
        if c & 0x38 and self.fifo_mode() in (1, 6):
            n = self.level_words()
            wtm = self.watermark()
            if c & 0x08 and wtm and n < wtm:
                return max(1, (wtm - n + 2) // 3)
            return max(1, (self.FIFO_WORDS - n) // 3)
        return None
