"""Register-level fake of the TDK InvenSense MPU-6886 (M5StickC Plus2), accelerometer side.

Modelled after DS-000193 and its close sibling the ICM-20602 (same register map):
* WHO_AM_I 0x75 = 0x19; PWR_MGMT_1 0x6B resets to 0x41 (SLEEP), DEVICE_RESET b7 self-clears;
  PWR_MGMT_2 0x6C b5:3 accel standby; CONFIG 0x1A resets to 0x80 and b7 must be 0 for the FIFO
  watermark (as on the ICM-20602), b6 FIFO_MODE (1 = drop new data when full), b2:0 DLPF_CFG.
* Sample rate = 1 kHz / (1 + SMPLRT_DIV) when 0 < DLPF_CFG < 7 and GYRO_CONFIG FCHOICE_B = 0,
  else 8 kHz; ACCEL_CONFIG b4:3 full scale (16384/8192/4096/2048 LSB/g).
* FIFO: 1 KB, enabled by USER_CTRL b6 and FIFO_EN b3 (accel) / b4 (gyro); every record carries
  the temperature, as the Linux driver does for the ICM-20602: accel (6) + temp (2) [+ gyro (6)],
  big-endian, in register order. FIFO_COUNTH/L 0x72/0x73 in bytes; FIFO_R_W 0x74 pops one byte
  (the address does not advance); USER_CTRL b2 FIFO_RST.
* Watermark FIFO_WM_TH1/2 0x60/0x61 (bytes, 10 bits): FIFO_WM_INT_STATUS 0x39 b6 is set when a
  write leaves count >= threshold, cleared by reading 0x39. Overflow sets INT_STATUS 0x3A b4
  (FIFO_OFLOW_INT), cleared by reading 0x3A. INT_PIN_CFG 0x37: b7 active low, b5 latch, b4 clear
  on any read. INT_ENABLE 0x38: b4 FIFO_OFLOW_EN, b0 DATA_RDY_INT_EN.
"""
from pod.sim.fake_imu import FakeIMU, clip16

CPG = (16384, 8192, 4096, 2048)  # LSB/g for ACCEL_FS_SEL 0..3
TEMP_RAW = 1634  # 30 degC = (30 - 25) * 326.8


class FakeMPU6886(FakeIMU):
    FIFO_BYTES = 1024

    def __init__(self, addr=0x68, who_am_i=0x19, source=None, clock=None, odr_error_ppm=0, record_temp=True):
        self.record_temp = record_temp  # False: records without the temperature (6 bytes)
        self.wm_status = 0
        self.int_status = 0
        self._was = 0
        FakeIMU.__init__(self, addr, who_am_i, source, clock, odr_error_ppm)

    def reset(self):
        r = self.regs
        for i in range(256):
            r[i] = 0
        r[0x75] = self.who_am_i
        r[0x6B] = 0x41
        r[0x1A] = 0x80
        self.fifo.clear()
        self.wm_status = 0
        self.int_status = 0

    def _next(self, reg):
        return reg if reg == 0x74 else (reg + 1) & 0xFF

    def _ug_to_counts(self, ug):
        return clip16(ug * CPG[(self.regs[0x1C] >> 3) & 3] // 1000000)

    def _odr_mhz_now(self):
        r = self.regs
        if r[0x6B] & 0x40 or (r[0x6C] & 0x38) == 0x38:
            return 0  # asleep, or accelerometer in standby
        dlpf = r[0x1A] & 0x07
        if 0 < dlpf < 7 and not (r[0x1B] & 0x03):
            return 1000000 // (1 + r[0x19])
        return 8000000

    def frame_bytes(self):
        en = self.regs[0x23]
        n = 0
        if en & 0x08:
            n += 6
        if en & 0x10:
            n += 6
        return n + 2 if n and self.record_temp else n

    def watermark(self):
        return ((self.regs[0x60] & 0x03) << 8) | self.regs[0x61]

    def _rd(self, reg):
        r = self.regs
        if r[0x37] & 0x10 and reg not in (0x39, 0x3A):  # INT_RD_CLEAR: any read clears
            self.wm_status = 0
            self.int_status = 0
        if reg == 0x39:
            v = 0x40 if self.wm_status else 0
            self.wm_status = 0
            return v
        if reg == 0x3A:
            v = self.int_status
            self.int_status = 0
            return v
        if reg == 0x72:
            return (self.fifo.n >> 8) & 0x1F
        if reg == 0x73:
            return self.fifo.n & 0xFF
        if reg == 0x74:
            b = self.fifo.pop()
            return 0xFF if b < 0 else b
        return r[reg]

    def _wr(self, reg, v):
        if reg in (0x39, 0x3A, 0x72, 0x73, 0x75) or 0x3B <= reg <= 0x48:
            return
        if reg == 0x6B and v & 0x80:  # DEVICE_RESET
            self.reset()
            return
        if reg == 0x6A and v & 0x04:  # FIFO_RST, self-clearing
            self.fifo.clear()
            v &= ~0x04
        self.regs[reg] = v

    def _store(self, x, y, z):
        r = self.regs
        for i, v in ((0x3B, x), (0x3D, y), (0x3F, z), (0x41, TEMP_RAW)):
            r[i] = (v >> 8) & 0xFF
            r[i + 1] = v & 0xFF
        if r[0x38] & 0x01:
            self.int_status |= 0x01  # DATA_RDY_INT
        fb = self.frame_bytes()
        if not (r[0x6A] & 0x40) or not fb:
            return
        f = self.fifo
        if f.n + fb > f.cap:
            if r[0x1A] & 0x40:  # FIFO_MODE = 1: new data dropped
                self.int_status |= 0x10
                self.overruns += 1
                return
            f.drop(f.n + fb - f.cap)  # oldest bytes overwritten
            self.int_status |= 0x10
            self.overruns += 1
        if r[0x23] & 0x08:
            for v in (x, y, z):
                f.push((v >> 8) & 0xFF)
                f.push(v & 0xFF)
        if self.record_temp:
            f.push((TEMP_RAW >> 8) & 0xFF)
            f.push(TEMP_RAW & 0xFF)
        if r[0x23] & 0x10:
            for _ in range(6):
                f.push(0)
        self._check_wm()

    def _check_wm(self):
        th = self.watermark()
        if th and not (self.regs[0x1A] & 0x80) and self.fifo.n >= th:
            self.wm_status = 1

    def push_raw(self, data):
        """Append raw FIFO bytes as if the chip had written them."""
        for b in data:
            self.fifo.push(b)
        self._check_wm()
        self._update_int()

    def _asserted(self):
        r = self.regs
        ovf = r[0x38] & 0x10 and self.int_status & 0x10
        drdy = r[0x38] & 0x01 and self.int_status & 0x01
        return self.wm_status or ovf or drdy

    def _update_int(self):
        r = self.regs
        low = r[0x37] & 0x80
        a = 1 if self._asserted() else 0
        if not (r[0x37] & 0x20):
            # not latched: a 50 us pulse when a status gets set; the bits stay for the host
            if a and not self._was:
                self.int1.set(0 if low else 1)
                self.int1.set(1 if low else 0)
            self._was = a
            return
        self.int1.set((1 - a) if low else a)

    def _samples_to_int_change(self):
        r = self.regs
        if r[0x38] & 0x01:
            return 1
        fb = self.frame_bytes()
        if not (r[0x6A] & 0x40) or not fb:
            return None
        n = self.fifo.n
        th = self.watermark()
        if th and not self.wm_status and n < th:
            return max(1, (th - n + fb - 1) // fb)
        if r[0x38] & 0x10:
            return max(1, (self.fifo.cap - n) // fb + 1)
        return None
