"""Closed-loop metronome: phase error per foot contact, and a sync mode that leads the runner.

Phase error: for each detected foot contact, contact time minus the nearest beat, in ms, signed
(positive = the foot lands after the beat). `phase_error_ms()` is that, for any beat schedule.

`Sync` runs the beat schedule itself:
  ACQUIRE  no beat yet: waits for `acq_n` contacts with an even rhythm (intervals within 25 %);
  LOCK     the beat starts at the runner's own tempo, the first beat where the next contact is due;
           each contact then pulls the next beat by half its phase error, until `lock_n`
           errors in a row differ from the one before by at most `lock_tol_ms` (a steady
           asynchrony: the runner is with the beat);
  LEAD     the beat no longer follows: the tempo moves toward the target by at most
           `rate_x100_per_s` (spm*100 per second of beats) and only while the runner's own
           cadence is within `follow_x100` of the beat, so the runner is led, not jerked.
No contact for `lost_ms` stops the beat and goes back to ACQUIRE. With sync=False, `start(t_ms)`
plays the target tempo at once (a plain metronome whose phase errors are still measured).

The app calls `contact(t_ms)` per detected step and `poll(now_ms)` often (it returns True once
per beat when the beat is due; `next_beat_ms()` says when). Beat times are kept as ms plus a
remainder in 1/tempo_x100 ms (Bresenham), so beat n lands within 1 ms of its exact time however
long the session: no drift. All ints, no allocation per call.
Times are ms since session start, as ints.
"""

try:
    from micropython import const
except ImportError:  # CPython

    def const(x):
        return x


ACQUIRE = const(0)
LOCK = const(1)
LEAD = const(2)
FIXED = const(3)
STATES = ("acquire", "lock", "lead", "fixed")

_MS_X100 = const(6000000)  # beat period in ms = _MS_X100 / tempo_x100 (a minute, x100)
EVEN_PCT = const(25)  # acquisition: largest spread of the intervals, % of the shortest
_NCON = const(9)  # contact times kept: up to 8 intervals


def phase_error_ms(contact_ms, beat_ms, period_ms):
    """Signed ms from the nearest beat of a grid with a beat at beat_ms, every period_ms."""
    d = (contact_ms - beat_ms) % period_ms
    return d - period_ms if 2 * d > period_ms else d


class Sync:
    def __init__(self, target_x100, rate_x100_per_s=20, sync=True, acq_n=6, lock_n=2, lock_tol_ms=40,
                 follow_x100=400, lost_ms=3000, min_x100=6000, max_x100=24000):
        target_x100 = int(target_x100)
        if not min_x100 <= target_x100 <= max_x100:
            raise ValueError("target_x100 must be %d..%d, got %d" % (min_x100, max_x100, target_x100))
        if rate_x100_per_s <= 0 or not 3 <= acq_n <= _NCON or lock_n < 1 or lock_tol_ms <= 0:
            raise ValueError("need rate_x100_per_s > 0, acq_n 3..%d, lock_n >= 1, lock_tol_ms > 0" % _NCON)
        self.target_x100 = target_x100
        self.rate_x100_per_s = int(rate_x100_per_s)
        self.sync = bool(sync)
        self.acq_n = int(acq_n)
        self.lock_n = int(lock_n)
        self.lock_tol_ms = int(lock_tol_ms)
        self.follow_x100 = int(follow_x100)
        self.lost_ms = int(lost_ms)
        self.min_x100 = int(min_x100)
        self.max_x100 = int(max_x100)
        self._con = [0] * _NCON
        self.reset()

    def reset(self):
        self.state = ACQUIRE
        self.tempo_x100 = 0
        self.beats = 0  # beats played since the beat (re)started
        self.last_error_ms = 0
        self._prev_err = 0
        self._nc = 0  # contacts in the ring (saturates at _NCON)
        self._ch = 0  # ring head
        self._ok = 0  # errors in a row within lock_tol_ms
        self._period_ms = 0  # whole ms of the period, and the rest in 1/tempo_x100 ms
        self._period_r = 0
        self._next_ms = 0  # next beat: ms, plus _next_r / tempo_x100 ms
        self._next_r = 0
        self._beat_ms = 0  # last beat (played, or the virtual one at the acquiring contact)
        self._prev_ms = 0  # the one before
        self._acc = 0  # tempo ramp remainder
        self._last_contact_ms = 0

    def set_target(self, target_x100):
        if not self.min_x100 <= target_x100 <= self.max_x100:
            raise ValueError("target_x100 must be %d..%d, got %d"
                             % (self.min_x100, self.max_x100, target_x100))
        self.target_x100 = int(target_x100)
        if self.state == FIXED:
            self._set_tempo(self.target_x100)

    def _set_tempo(self, tempo_x100):
        self.tempo_x100 = tempo_x100
        self._period_ms = _MS_X100 // tempo_x100
        self._period_r = _MS_X100 % tempo_x100
        self._next_r = 0  # under 1 ms, once per tempo change

    def _begin(self, first_beat_ms, tempo_x100, state):
        self._set_tempo(tempo_x100)
        self.state = state
        self.beats = 0
        self._ok = 0
        self._acc = 0
        self.last_error_ms = 0
        self._beat_ms = first_beat_ms - self._period_ms
        self._prev_ms = self._beat_ms - self._period_ms
        self._next_ms = first_beat_ms
        self._next_r = 0

    def start(self, t_ms):
        """Fixed-tempo mode (sync=False): beats at the target from t_ms on."""
        self._begin(t_ms, self.target_x100, FIXED)

    def playing(self):
        return self.state != ACQUIRE

    def next_beat_ms(self):
        return self._next_ms

    def period_ms(self):
        return self._period_ms

    def poll(self, now_ms):
        """True once per beat when it is due (at or after next_beat_ms())."""
        if self.state == ACQUIRE:
            return False
        if self.state != FIXED and now_ms - self._last_contact_ms >= self.lost_ms:
            self.reset()  # the runner stopped: no beat until the rhythm is found again
            return False
        if now_ms - self._next_ms < 0:
            return False
        self._prev_ms = self._beat_ms
        self._beat_ms = self._next_ms
        self.beats += 1
        if self.state == LEAD:
            self._steer()
        self._next_ms += self._period_ms
        r = self._next_r + self._period_r
        if r >= self.tempo_x100:
            r -= self.tempo_x100
            self._next_ms += 1
        self._next_r = r
        return True

    def _runner_x100(self):
        """The runner's cadence over the contacts in the ring (0 if too few)."""
        n = self._nc
        if n < 2:
            return 0
        c = self._con
        newest = c[(self._ch - 1) % _NCON]
        oldest = c[(self._ch - n) % _NCON]
        span = newest - oldest
        return 6000000 * (n - 1) // span if span > 0 else 0

    def _steer(self):
        tempo = self.tempo_x100
        diff = self.target_x100 - tempo
        if diff == 0:
            return
        r = self._runner_x100()
        if r == 0 or not -self.follow_x100 <= r - tempo <= self.follow_x100:
            self._acc = 0  # the runner is not with the beat: hold, and bank no ramp
            return
        # whole ms of the beat just played: never more than the time that really passed
        self._acc += self.rate_x100_per_s * self._period_ms
        step = self._acc // 1000
        if step == 0:
            return
        self._acc -= step * 1000
        if diff > 0:
            tempo += step if step < diff else diff
        else:
            tempo -= step if step < -diff else -diff
        self._set_tempo(tempo)

    def _nearest_error(self, t_ms):
        e = t_ms - self._beat_ms
        d = t_ms - self._prev_ms
        if abs(d) < abs(e):
            e = d
        d = t_ms - self._next_ms
        if abs(d) < abs(e):
            e = d
        return e

    def contact(self, t_ms):
        """One detected foot contact. Returns its phase error in ms, or None while no beat plays."""
        self._last_contact_ms = t_ms
        c = self._con
        c[self._ch] = t_ms
        self._ch = (self._ch + 1) % _NCON
        if self._nc < _NCON:
            self._nc += 1
        st = self.state
        if st == ACQUIRE:
            if self.sync:
                self._acquire(t_ms)
            return None
        e = self._nearest_error(t_ms)
        self._prev_err = self.last_error_ms
        self.last_error_ms = e
        if st == LOCK:
            # pull the next beat halfway toward where this runner's steps land
            self._next_ms += e // 2 if e >= 0 else -((-e) // 2)
            # locked when the runner's asynchrony is steady: the beat does not chase a runner's
            # habitual lag (that would slow the beat for good), it only removes the start offset
            d = e - self._prev_err
            q = self._period_ms // 4
            if -self.lock_tol_ms <= d <= self.lock_tol_ms and -q <= e <= q:
                self._ok += 1
                if self._ok >= self.lock_n:
                    self.state = LEAD
            else:
                self._ok = 0
        return e

    def _acquire(self, t_ms):
        n = self.acq_n
        if self._nc < n:
            return
        c = self._con
        lo = 100000  # above any interval that can pass the check below
        hi = 0
        prev = c[(self._ch - n) % _NCON]
        for k in range(n - 1, 0, -1):
            t = c[(self._ch - k) % _NCON]
            iv = t - prev
            prev = t
            if iv < lo:
                lo = iv
            if iv > hi:
                hi = iv
        # an even rhythm in the running range: intervals 250..750 ms (80..240 spm), spread within
        # EVEN_PCT (a detector's contact jitter is +-20 ms; a missed or extra step is 50-100 %)
        if lo < 250 or hi > 750 or (hi - lo) * 100 > EVEN_PCT * lo:
            return
        span = t_ms - c[(self._ch - n) % _NCON]
        tempo = 6000000 * (n - 1) // span
        if tempo < self.min_x100:
            tempo = self.min_x100
        elif tempo > self.max_x100:
            tempo = self.max_x100
        self._set_tempo(tempo)
        self._begin(t_ms + self._period_ms, tempo, LOCK)
