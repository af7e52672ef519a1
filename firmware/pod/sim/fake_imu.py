"""Common machinery of the register-level IMU fakes, and the sample sources that feed them.

A fake is an I2C device (readfrom_mem_into / writeto_mem by register) with a register file, a
byte FIFO and INT lines. It makes samples at the ODR its registers select (times a rate error, as
real parts drift), taking values from a source at each sample's exact sim time; so the resampling
to any ODR happens here. Sources give acceleration in micro-g (ints) via `at(t_us)`.
Nothing in the I2C read path allocates, so drivers can be tested under micropython.heap_lock().
"""
from pod.sim.fake_pins import Line

ONE_G_UG = 1000000


class Ring:
    """Byte FIFO of fixed capacity."""

    def __init__(self, cap):
        self.buf = bytearray(cap)
        self.cap = cap
        self.head = 0
        self.n = 0

    def push(self, b):
        if self.n >= self.cap:
            return False
        i = self.head + self.n
        if i >= self.cap:
            i -= self.cap
        self.buf[i] = b
        self.n += 1
        return True

    def pop(self):
        if not self.n:
            return -1
        b = self.buf[self.head]
        self.head += 1
        if self.head >= self.cap:
            self.head = 0
        self.n -= 1
        return b

    def drop(self, k):
        if k > self.n:
            k = self.n
        self.head = (self.head + k) % self.cap
        self.n -= k

    def clear(self):
        self.head = 0
        self.n = 0


class FakeIMU:
    """Base class. Subclasses define the register map: reset(), _rd(reg), _wr(reg, v), _next(reg),
    _store(x, y, z) (one accel sample in counts into output regs + FIFO), _update_int(),
    _ug_to_counts(ug), _odr_mhz_now(), _samples_to_int_change() and push_raw()."""

    FIFO_BYTES = 1024

    def __init__(self, addr, who_am_i, source=None, clock=None, odr_error_ppm=0):
        self.addr = addr
        self.who_am_i = who_am_i
        self.regs = bytearray(256)
        self.fifo = Ring(self.FIFO_BYTES)
        self.int1 = Line()
        self.int2 = Line()
        self.source = source
        self.clock = clock
        self.odr_error_ppm = odr_error_ppm
        self.now_us = 0
        self.samples_made = 0
        self.overruns = 0
        self._wlog = bytearray(1024)  # (reg, value) pairs of register writes, no allocation
        self._wlog_n = 0
        self.rest_ug = (0, 0, ONE_G_UG)  # what a still pod reads without a source
        self._odr = 0
        self._t0 = 0
        self._n = 0
        self._src_t0 = 0
        self.reset()
        if clock is not None:
            self.now_us = clock.elapsed_us()
            self._src_t0 = self.now_us
            clock.attach(self)

    # --- I2C side (called by FakeI2C) -------------------------------------------------------
    def readfrom_mem_into(self, reg, buf):
        for i in range(len(buf)):
            buf[i] = self._rd(reg)
            reg = self._next(reg)
        self._update_int()

    def writeto_mem(self, reg, buf):
        for i in range(len(buf)):
            v = buf[i]
            k = self._wlog_n
            if k < 1024:
                self._wlog[k] = reg
                self._wlog[k + 1] = v
                self._wlog_n = k + 2
            self._wr(reg, v)
            reg = self._next(reg)
        self._retime()
        self._update_int()

    def reg(self, reg):
        """Peek a register without read side effects (tests)."""
        return self.regs[reg]

    def writes(self):
        """[(reg, value), ...] of the register writes so far (the first 512)."""
        w = self._wlog
        return [(w[i], w[i + 1]) for i in range(0, self._wlog_n, 2)]

    # --- the register map: subclasses ---------------------------------------------------------
    def reset(self):
        raise NotImplementedError

    def _rd(self, reg):
        raise NotImplementedError

    def _wr(self, reg, v):
        raise NotImplementedError

    def _next(self, reg):
        raise NotImplementedError

    def _store(self, x, y, z):
        raise NotImplementedError

    def _update_int(self):
        raise NotImplementedError

    def _ug_to_counts(self, ug):
        raise NotImplementedError

    def _odr_mhz_now(self):
        raise NotImplementedError

    def _samples_to_int_change(self):
        raise NotImplementedError

    # --- feeding ------------------------------------------------------------------------------
    def set_source(self, source):
        self.source = source
        self._src_t0 = self.now_us

    def push_sample(self, x, y, z):
        """Store one sample (counts) now, regardless of time: FIFO parsing tests."""
        self._store(x, y, z)
        self.samples_made += 1
        self._update_int()

    def push_samples(self, samples):
        for s in samples:
            self.push_sample(s[0], s[1], s[2])

    # --- timing (called by SimClock) ------------------------------------------------------------
    def _actual_mhz(self):
        return self._odr * (1000000 + self.odr_error_ppm) // 1000000

    def _retime(self):
        odr = self._odr_mhz_now()
        if odr != self._odr:
            self._odr = odr
            self._t0 = self.now_us
            self._n = 0

    @property
    def odr_start_us(self):
        """Sim time the current output data rate started (its sample 0)."""
        return self._t0

    def _t_of(self, n):
        return self._t0 + n * 1000000000 // self._actual_mhz()

    def next_event_us(self):
        if not self._odr:
            return None
        k = self._samples_to_int_change()
        if k is None:
            return None
        return self._t_of(self._n + k)

    def advance_to(self, t_us):
        if self._odr:
            while True:
                tn = self._t_of(self._n + 1)
                if tn > t_us:
                    break
                self._n += 1
                self.now_us = tn
                self._make_sample(tn)
        if t_us > self.now_us:
            self.now_us = t_us

    def _make_sample(self, t_us):
        if self.source is not None:
            v = self.source.at(t_us - self._src_t0)
        else:
            v = self.rest_ug
        self._store(self._ug_to_counts(v[0]), self._ug_to_counts(v[1]), self._ug_to_counts(v[2]))
        self.samples_made += 1
        self._pedo(v)
        self._update_int()

    def _pedo(self, v):
        pass


def clip16(v):
    if v > 32767:
        return 32767
    if v < -32768:
        return -32768
    return v


class StepModel:
    """A crude chip step detector: |a| rises through 1.25 g, re-armed below 1.05 g, at most one
    step per 250 ms. Enough to exercise the step-detector interrupt path."""

    def __init__(self):
        self.armed = True
        self.last_t = -1000000
        self.steps = 0

    def feed(self, t_us, v):
        m2 = (v[0] // 1000) ** 2 + (v[1] // 1000) ** 2 + (v[2] // 1000) ** 2  # mg^2
        if self.armed and m2 > 1562500 and t_us - self.last_t >= 250000:
            self.armed = False
            self.last_t = t_us
            self.steps = (self.steps + 1) & 0xFFFF
            return True
        if m2 < 1102500:
            self.armed = True
        return False


class FuncSource:
    """Values from a function of time: fn(t_us) -> (x, y, z) in micro-g."""

    def __init__(self, fn):
        self.fn = fn
        self.done = False

    def at(self, t_us):
        return self.fn(t_us)


class CsvSource:
    """Streams a corpus CSV (header `t,ax,ay,az`, t in s, acc in g) and interpolates it linearly
    at any time, so the fake resamples it to its own ODR. Reads line by line (a 3-hour recording
    never sits in a 96 KB heap). loop=True replays it end to end; otherwise the last value holds
    and .done turns True."""

    def __init__(self, path, loop=False):
        self.path = path
        self.loop = loop
        self.done = False
        self.loops = 0
        self._base_us = 0  # sim time of the file's t=0 for the current pass
        self._pending = None
        self._open()

    def _open(self):
        self._f = open(self.path)
        head = self._f.readline().strip().replace(" ", "")
        if head.split(",")[:4] != ["t", "ax", "ay", "az"]:
            self._f.close()
            raise ValueError("%s: not a corpus CSV (header must be t,ax,ay,az)" % (self.path,))
        self._line = 1
        self._t_first = None
        a = self._row()
        if a is None:
            raise ValueError("%s: no samples" % (self.path,))
        self._a = a
        self._b = self._row() or a

    def _row(self):
        if self._pending is not None:
            r = self._pending
            self._pending = None
            return r
        while True:
            line = self._f.readline()
            if not line:
                return None
            self._line += 1
            line = line.strip()
            if not line:
                continue
            p = line.split(",")
            try:
                t = float(p[0])
                r = (int(float(p[1]) * 1e6), int(float(p[2]) * 1e6), int(float(p[3]) * 1e6))
            except (ValueError, IndexError):
                raise ValueError("%s line %d: bad row %r" % (self.path, self._line, line[:40])) from None
            if self._t_first is None:
                self._t_first = t
            return (self._base_us + int((t - self._t_first) * 1e6),) + r

    def close(self):
        self._f.close()

    def at(self, t_us):
        a = self._a
        b = self._b
        while t_us > b[0]:
            nxt = self._row()
            if nxt is None:
                if not self.loop:
                    self.done = True
                    return (b[1], b[2], b[3])
                # the next pass starts one sample interval after the last row
                gap = b[0] - a[0] if b[0] > a[0] else 10000
                self._f.close()
                self.loops += 1
                self._base_us = b[0] + gap
                self._open()
                self._pending = self._b
                nxt = self._a
            a = b
            b = nxt
        self._a = a
        self._b = b
        dt = b[0] - a[0]
        if dt <= 0 or t_us <= a[0]:
            return (a[1], a[2], a[3])
        f = t_us - a[0]
        return (
            a[1] + (b[1] - a[1]) * f // dt,
            a[2] + (b[2] - a[2]) * f // dt,
            a[3] + (b[3] - a[3]) * f // dt,
        )
