"""Baseline run: the runner's natural cadence, as the median over steady running.

A sample counts as steady running when the cadence is at or above the running threshold, the
warm-up (the first `warmup_ms` of running time in the session) is over, and the current running
bout has lasted `settle_ms` (a restart after a traffic light is not steady yet). Each sample is
weighted by the time since the previous one, so a median over time, not over updates.

The median comes from a histogram in half-spm bins (fixed memory for a run of any length), so it is
exact to +-0.25 spm. Integer arithmetic only; runs unchanged on CPython and MicroPython.
Times are ms since session start (ints), cadence is spm*100 like `StepDetector.cadence_x100()`.
"""

try:
    from micropython import const
except ImportError:  # CPython

    def const(x):
        return x


BIN_X100 = const(50)  # histogram bin width: 0.5 spm
LO_X100 = const(6000)  # histogram covers 60..240 spm
HI_X100 = const(24000)
_NBINS = const(361)  # (HI - LO) / BIN + 1: bins centred on every half spm
MAX_DT_MS = const(2000)  # a longer gap between updates counts as 2 s: no update, no evidence

RUN_MIN_X100 = const(13000)  # running threshold, the same default as auto start
WARMUP_MS = const(180000)  # 3 min of running excluded at the start
SETTLE_MS = const(10000)  # a bout must last this long before it is steady


class SteadyGate:
    """Decides which time counts as steady running; shared by the baseline and plan compliance."""

    def __init__(self, run_min_x100=RUN_MIN_X100, warmup_ms=WARMUP_MS, settle_ms=SETTLE_MS):
        run_min_x100 = int(run_min_x100)
        warmup_ms = int(warmup_ms)
        settle_ms = int(settle_ms)
        if not 0 < run_min_x100 <= HI_X100:
            raise ValueError("run_min_x100 must be 1..%d, got %d" % (HI_X100, run_min_x100))
        if warmup_ms < 0 or settle_ms < 0:
            raise ValueError("warmup_ms and settle_ms must be >= 0")
        self.run_min_x100 = run_min_x100
        self.warmup_ms = warmup_ms
        self.settle_ms = settle_ms
        self.reset()

    def reset(self):
        self.run_ms = 0  # running time so far in the session (warm-up clock)
        self.bout_ms = 0  # length of the current running bout
        self.steady_ms = 0  # total steady time so far
        self._last_ms = -1

    def update(self, t_ms, cadence_x100):
        """Account the time since the last update; return how many ms of it were steady running."""
        last = self._last_ms
        self._last_ms = t_ms
        if last < 0:
            return 0
        dt = t_ms - last
        if dt <= 0:
            return 0
        if dt > MAX_DT_MS:
            dt = MAX_DT_MS
        if cadence_x100 < self.run_min_x100:
            self.bout_ms = 0
            return 0
        self.run_ms += dt
        self.bout_ms += dt
        if self.run_ms <= self.warmup_ms or self.bout_ms <= self.settle_ms:
            return 0
        self.steady_ms += dt
        return dt


class BaselineMeter:
    """Feed (t_ms, cadence_x100) during a metronome-off session; read `median_x100()` at the end."""

    def __init__(self, run_min_x100=RUN_MIN_X100, warmup_ms=WARMUP_MS, settle_ms=SETTLE_MS):
        self.gate = SteadyGate(run_min_x100, warmup_ms, settle_ms)
        self._hist = [0] * _NBINS  # ms of steady running per bin; one allocation
        self.reset()

    def reset(self):
        self.gate.reset()
        h = self._hist
        for i in range(_NBINS):
            h[i] = 0

    def update(self, t_ms, cadence_x100):
        dt = self.gate.update(t_ms, cadence_x100)
        if dt:
            if cadence_x100 >= HI_X100:
                i = _NBINS - 1
            elif cadence_x100 <= LO_X100:
                i = 0
            else:
                i = (cadence_x100 - LO_X100 + BIN_X100 // 2) // BIN_X100
            self._hist[i] += dt
        return dt

    def steady_ms(self):
        return self.gate.steady_ms

    def median_x100(self, min_steady_ms=60000):
        """Median cadence over steady running (nearest half spm, as spm*100); 0 if less than min_steady_ms."""
        total = self.gate.steady_ms
        if total <= 0 or total < min_steady_ms:
            return 0
        half = (total + 1) // 2
        acc = 0
        h = self._hist
        for i in range(_NBINS):
            acc += h[i]
            if acc >= half:
                return LO_X100 + i * BIN_X100
        return 0  # unreachable: the bins sum to total
