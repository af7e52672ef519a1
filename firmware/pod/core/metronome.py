"""Metronome beat schedule: exact, absolute, and free of drift for any session length.

Beat k of a tempo segment is due at anchor + floor(k * P) microseconds, P = 60e6 * steps_per_beat
/ spm, computed with an integer quotient and a running remainder (Bresenham), so the error of every
beat against the ideal schedule is below 1 us and never accumulates; nothing depends on when the
code happened to run. Offsets are folded into the anchor with ticks_add before they leave the
31-bit small-int range, so an ESP32 never allocates here, and the 2^30 us ticks wrap is harmless.

A tempo, division or restart change starts a new segment anchored on the last beat played (or on
the given time), so the beat stays in phase. Pure Python: the clock maths is injected
(time.ticks_add / ticks_diff on the device, the sim clock's twins in tests).
"""

try:
    from micropython import const
except ImportError:  # CPython

    def const(x):
        return x


_US_PER_MIN = const(60_000_000)
_FOLD_US = const(1 << 28)  # fold the offset into the anchor before it nears 2^30
SPM_X100_MIN = const(3000)  # 30 spm
SPM_X100_MAX = const(30000)  # 300 spm
DIVISIONS = (1, 2, 4)  # steps per beat: every step, every 2nd (stride), every 4th
_TICKS_PERIOD = const(1 << 30)
_TICKS_HALF = const(1 << 29)


def ticks_add30(t, delta):
    """ESP32 ticks_add (period 2^30), for hosts whose own ticks never wrap."""
    return (t + delta) & (_TICKS_PERIOD - 1)


def ticks_diff30(a, b):
    """ESP32 ticks_diff (period 2^30): signed a - b."""
    return ((a - b + _TICKS_HALF) & (_TICKS_PERIOD - 1)) - _TICKS_HALF


class Metronome:
    """When is the next beat, and is it accented. The caller plays it and calls advance()."""

    def __init__(self, spm=170, steps_per_beat=1, accent_every=0, ticks_add=ticks_add30,
                 ticks_diff=ticks_diff30):
        self._add = ticks_add
        self._diff = ticks_diff
        self.spm_x100 = 0
        self.steps_per_beat = 1
        self.accent_every = 0
        self.running = False
        self.beat = 0  # beats played since start() (accent counting)
        self._anchor = 0  # ticks_us of the segment origin
        self._off = 0  # offset of the next beat from the anchor, us (floor)
        self._rem = 0  # fractional part of that offset, in 1/spm_x100 us
        self._q = 0
        self._r = 0
        self._last = 0  # ticks_us of the last beat played
        self.set_accent_every(accent_every)
        self.set_division(steps_per_beat)
        self.set_spm_x100(int(spm) * 100)

    # --- configuration -------------------------------------------------------------------
    def set_spm(self, spm):
        self.set_spm_x100(int(spm) * 100)

    def set_spm_x100(self, spm_x100):
        spm_x100 = int(spm_x100)
        if not SPM_X100_MIN <= spm_x100 <= SPM_X100_MAX:
            raise ValueError("tempo must be 30..300 spm, got %d/100" % spm_x100)
        self.spm_x100 = spm_x100
        self._period()

    def set_division(self, steps_per_beat):
        if steps_per_beat not in DIVISIONS:
            raise ValueError("steps_per_beat must be 1, 2 or 4, got %r" % (steps_per_beat,))
        self.steps_per_beat = steps_per_beat
        if self.spm_x100:
            self._period()

    def set_accent_every(self, n):
        n = int(n)
        if not 0 <= n <= 16:
            raise ValueError("accent_every must be 0 (none)..16 beats, got %d" % n)
        self.accent_every = n

    def _period(self):
        # P*spm_x100 = 60e6*100*spm_per_beat; split the division so no term passes 2^30.
        d = self.spm_x100
        n = _US_PER_MIN * self.steps_per_beat  # <= 2.4e8
        q1 = n // d
        r1 = n - q1 * d  # < d <= 30000
        q2 = r1 * 100 // d
        self._q = q1 * 100 + q2  # whole us per beat
        self._r = r1 * 100 - q2 * d  # remainder, in 1/d us
        if self.running:
            # New segment from the last beat played: the next one comes one new period after it.
            self._anchor = self._last
            self._off = 0
            self._rem = 0
            self._step()

    def period_us(self):
        """Beat period rounded down to whole microseconds."""
        return self._q

    # --- running -------------------------------------------------------------------------
    def start(self, first_us):
        """Schedule beat 0 at ticks_us value first_us."""
        self._anchor = first_us
        self._off = 0
        self._rem = 0
        self._last = first_us
        self.beat = 0
        self.running = True

    def stop(self):
        self.running = False

    def due_us(self):
        """ticks_us of the next beat."""
        return self._add(self._anchor, self._off)

    def wait_us(self, now_us):
        """Microseconds from now_us until the next beat (negative when late)."""
        return self._diff(self.due_us(), now_us)

    def is_accent(self):
        """Whether the next beat is an accented one (first of each group of accent_every)."""
        n = self.accent_every
        return n > 1 and self.beat % n == 0

    def advance(self):
        """The due beat was played: move to the next one. Returns the time it was due."""
        t = self.due_us()
        self._last = t
        self.beat += 1
        self._step()
        return t

    def skip_late(self, now_us):
        """Drop beats already in the past (after a long stall) rather than play them in a burst.

        Returns how many were dropped; the schedule itself is unchanged."""
        n = 0
        while self._diff(self.due_us(), now_us) < 0:
            self._last = self.due_us()
            self.beat += 1
            self._step()
            n += 1
        return n

    def _step(self):
        self._off += self._q
        self._rem += self._r
        if self._rem >= self.spm_x100:
            self._rem -= self.spm_x100
            self._off += 1
        if self._off >= _FOLD_US:
            self._anchor = self._add(self._anchor, self._off)
            self._off = 0
