"""Cadence alerts that do not nag: "too slow" / "too fast" only when it matters.

An alert fires when the cadence has been out of the target band for `out_ms` without a break,
at least `gap_ms` after any previous alert, and (within one out-of-band episode) at most every
`repeat_ms`. Leaving the band needs the cadence to come back `hyst_x100` inside it, so a cadence
hovering at the band edge is one long episode, not a stream of short ones.
The pod is quiet while stopped or walking (cadence below `run_min_x100`, or no update for
MAX_GAP_MS) and during warm-up (the first `warmup_ms` of running time); a stop ends the episode.

Call `update(t_ms, cadence_x100, target_x100)` once per step or once per second; it returns
NONE, SLOW or FAST. PATTERNS[code] is the haptic pattern: a tuple of (on_ms, off_ms) pulses.
Integer arithmetic only; runs unchanged on CPython and MicroPython.
"""

try:
    from micropython import const
except ImportError:  # CPython

    def const(x):
        return x


NONE = const(0)
SLOW = const(1)  # too slow: speed up
FAST = const(2)  # too fast: ease off
NAMES = ("none", "slow", "fast")
# Quick triple buzz = "quicken"; two long buzzes = "lengthen". Distinct by count and by length.
PATTERNS = (
    (),
    ((80, 80), (80, 80), (80, 0)),
    ((400, 200), (400, 0)),
)
MAX_GAP_MS = const(3000)  # no update for this long means the runner stopped


class CadenceAlerts:
    def __init__(self, band_x100=300, hyst_x100=100, out_ms=5000, gap_ms=20000, repeat_ms=60000,
                 run_min_x100=13000, warmup_ms=180000):
        band_x100 = int(band_x100)
        hyst_x100 = int(hyst_x100)
        if band_x100 <= 0 or not 0 <= hyst_x100 <= band_x100:
            raise ValueError("need band_x100 > 0 and 0 <= hyst_x100 <= band_x100")
        if out_ms < 0 or gap_ms < 0 or repeat_ms < gap_ms:
            raise ValueError("need out_ms >= 0, gap_ms >= 0 and repeat_ms >= gap_ms")
        if run_min_x100 <= 0 or warmup_ms < 0:
            raise ValueError("need run_min_x100 > 0 and warmup_ms >= 0")
        self.band_x100 = band_x100
        self.hyst_x100 = hyst_x100
        self.out_ms = int(out_ms)
        self.gap_ms = int(gap_ms)
        self.repeat_ms = int(repeat_ms)
        self.run_min_x100 = int(run_min_x100)
        self.warmup_ms = int(warmup_ms)
        self.reset()

    def reset(self):
        self.zone = NONE  # NONE = in band, else SLOW/FAST: the current out-of-band episode
        self.run_ms = 0  # running time in the session, the warm-up clock
        self.count = 0  # alerts fired
        self.transitions = 0  # zone changes, for tests and the log
        self._since_ms = 0  # when the episode began
        self._last_ms = -1  # previous update
        self._alert_ms = -1  # previous alert, any episode
        self._episode_alerted = False

    def _set_zone(self, z, t_ms):
        if z != self.zone:
            self.zone = z
            self.transitions += 1
            self._since_ms = t_ms
            self._episode_alerted = False

    def update(self, t_ms, cadence_x100, target_x100):
        last = self._last_ms
        self._last_ms = t_ms
        dt = t_ms - last if last >= 0 else 0
        if cadence_x100 < self.run_min_x100 or dt > MAX_GAP_MS or dt < 0:
            self._set_zone(NONE, t_ms)  # stopped or walking: quiet, and the episode is over
            return NONE
        self.run_ms += dt
        if self.run_ms < self.warmup_ms:
            return NONE
        lo = target_x100 - self.band_x100
        hi = target_x100 + self.band_x100
        z = self.zone
        if z == NONE:
            if cadence_x100 < lo:
                z = SLOW
            elif cadence_x100 > hi:
                z = FAST
        elif z == SLOW:
            if cadence_x100 > hi:
                z = FAST
            elif cadence_x100 >= lo + self.hyst_x100:
                z = NONE
        else:
            if cadence_x100 < lo:
                z = SLOW
            elif cadence_x100 <= hi - self.hyst_x100:
                z = NONE
        self._set_zone(z, t_ms)
        if z == NONE or t_ms - self._since_ms < self.out_ms:
            return NONE
        a = self._alert_ms
        if a >= 0:
            if t_ms - a < self.gap_ms:
                return NONE
            if self._episode_alerted and t_ms - a < self.repeat_ms:
                return NONE
        self._alert_ms = t_ms
        self._episode_alerted = True
        self.count += 1
        return z
