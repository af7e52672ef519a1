"""Auto start and stop of a session from the steps themselves.

Start: the cadence has stayed at or above `run_min_x100` [130 spm] for `start_ms` [10 s], with no
gap longer than `max_gap_ms` between steps. The steps that came before the trigger are not lost:
a small ring buffer holds the latest step times, and `pre_steps()` returns those of the run-up
(from `lead_ms` before the sustained run began, within one unbroken chain of steps), so the
session can begin at the first of them.
Stop: no activity for `idle_ms` [60 s]; a step is activity when its cadence is at least
`idle_below_x100` [0: any step], so walking breaks can be made to count as idle or not.

Times are ms ints from a clock the app keeps monotonic (e.g. summed ticks_diff); only differences
are used. Call `step(t_ms, cadence_x100)` per step, `poll(now_ms)` every second or so.
Integer arithmetic and no allocation per step; runs unchanged on CPython and MicroPython.
"""

try:
    from micropython import const
except ImportError:  # CPython

    def const(x):
        return x


NONE = const(0)
START = const(1)
STOP = const(2)


class AutoStart:
    def __init__(self, run_min_x100=13000, start_ms=10000, idle_ms=60000, idle_below_x100=0,
                 max_gap_ms=2000, lead_ms=5000, keep=64):
        if run_min_x100 <= 0 or start_ms < 0 or idle_ms <= 0 or max_gap_ms <= 0 or lead_ms < 0:
            raise ValueError("need run_min_x100 > 0, start_ms >= 0, idle_ms > 0, max_gap_ms > 0, "
                             "lead_ms >= 0")
        if not 4 <= keep <= 1024:
            raise ValueError("keep must be 4..1024 steps, got %d" % keep)
        self.run_min_x100 = int(run_min_x100)
        self.start_ms = int(start_ms)
        self.idle_ms = int(idle_ms)
        self.idle_below_x100 = int(idle_below_x100)
        self.max_gap_ms = int(max_gap_ms)
        self.lead_ms = int(lead_ms)
        self._ring = [0] * keep  # step times, one allocation
        self.reset()

    def reset(self):
        self.active = False
        self.begin_ms = -1  # time of the first kept step of the session
        self.end_ms = -1  # last activity when the session stopped
        self._n = 0  # steps in the ring
        self._head = 0  # next write slot
        self._chain_ms = -1  # first step of the current unbroken chain
        self._run_ms = -1  # first step of the current sustained-running stretch
        self._last_ms = -1  # previous step
        self._act_ms = -1  # last activity while active

    def step(self, t_ms, cadence_x100):
        """One detected step (its contact time). Returns START when the session should start."""
        last = self._last_ms
        self._last_ms = t_ms
        if self.active:
            if cadence_x100 >= self.idle_below_x100:
                self._act_ms = t_ms
            return NONE
        ring = self._ring
        ring[self._head] = t_ms
        self._head = (self._head + 1) % len(ring)
        if self._n < len(ring):
            self._n += 1
        if last < 0 or t_ms - last > self.max_gap_ms:
            self._chain_ms = t_ms
            self._run_ms = -1
        if cadence_x100 < self.run_min_x100:
            self._run_ms = -1
            return NONE
        if self._run_ms < 0:
            self._run_ms = t_ms
        if t_ms - self._run_ms < self.start_ms:
            return NONE
        self.active = True
        self._act_ms = t_ms
        kept = self.pre_steps()
        self.begin_ms = kept[0] if kept else t_ms
        return START

    def pre_steps(self):
        """Step times (oldest first) of the run-up to the trigger that the ring still holds."""
        lo = self._run_ms - self.lead_ms
        if self._chain_ms >= 0 and self._chain_ms - lo > 0:
            lo = self._chain_ms
        ring = self._ring
        n = len(ring)
        out = []
        i = (self._head - self._n) % n
        for _ in range(self._n):
            t = ring[i]
            if t - lo >= 0:
                out.append(t)
            i = (i + 1) % n
        return out

    def poll(self, now_ms):
        """Returns STOP once, when an active session has been idle for idle_ms."""
        if self.active and now_ms - self._act_ms >= self.idle_ms:
            self.active = False
            self.end_ms = self._act_ms
            self._n = 0
            self._run_ms = -1
            self._chain_ms = -1
            self._last_ms = -1
            return STOP
        return NONE
