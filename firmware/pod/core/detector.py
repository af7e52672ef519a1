"""Streaming step detector and cadence estimator for a waist-worn accelerometer.

One call per IMU sample, integer arithmetic only, no heap allocation per sample on MicroPython,
and every intermediate value inside ESP32's 31-bit small ints for any int16 input (the bounds are
noted beside each stage). Runs unchanged on CPython and MicroPython.

Signal chain (see docs/detector.md):
  1. squared magnitude of the acceleration: orientation-free, no sqrt, linear near 1 g;
  2. two-pole low-pass (6 Hz; lower for walking, following the cadence), minus a slow mean:
     one hump per foot contact;
  3. a Schmitt trigger at +-1/8 of the tracked hump height around the mean; each rising crossing
     is a step candidate. Its contact time: running (a flight phase, the load starts at contact)
     from where the rise left the valley; walking from the crossing; both less the filter delay,
     to a fraction of a sample;
  4. a rhythm gate: a bout starts after GATE_STEPS candidates with consistent intervals (and
     running-sized impacts for a running rhythm); the held steps are then released with their
     own contact times, minus any far smaller sway hump or (walking) postural shift, plus a
     walk's first step when a second hump of it delayed the gate; STOP_MS without a step ends
     the bout. In a walking bout a weak hump one step after the last step that no regular step
     follows is released too: the last steps of a walk barely move the trunk;
  5. cadence: this bout's recent intervals (a pause left out) cleaned against half the median
     stride (one near twice it counts as two, a far shorter one is merged into the next), then
     the median stride time halved: left/right alternation and a single wrong step cannot move it.

Times inside are sample counts; a step is reported as its lag behind the sample that confirmed it,
so the caller stamps it from the FIFO index, never from when the code ran.
"""

try:
    import micropython
    from micropython import const
except ImportError:  # CPython: const is the value, the code emitters are plain Python

    def const(x):
        return x

    class micropython:  # noqa: N801 - stands in for the module's decorators
        @staticmethod
        def native(f):
            return f


# --- fixed-point formats -------------------------------------------------------------------
_ONE_Q = const(256)  # times are in Q8: 1/256 sample
_UNIT_SHIFT = const(14)  # axis counts * mul >> 14 gives units of 1/512 g
_TIME_MASK = const(0x3FFFFFFF)  # Q8 sample clock wraps at 2^30 (11 h at 104 Hz): use differences
_HALF = const(0x20000000)  # a clock difference above this is negative
_E_MAX = const(0xFFFFF)  # squared magnitude clamp, 32 g: past any gait, keeps stages below 2^30
_AMP_FLOOR = const(960)  # 0.24 g^2 in Q2: thresholds at +-0.03 g^2 stay above sensor noise
_FBUF_MS = const(1200)  # filtered samples kept: a slow walk's rise (a power of two >= this)
_SMASK = const(0x3FFFFF)  # sample index = Q8 clock >> 8, modulo 2^22
_RUN_HUMP = const(3072)  # 0.75 g^2 in Q2: the smallest hump of a running step at the waist

# --- tuning: physiology and signal processing, not any one recording ----------------------
SPM_MIN = const(60)
SPM_MAX = const(240)
LP_MHZ = const(6000)  # low-pass while the rhythm is unknown, and for running: passes 240 spm
LP_PER_STEP_X10 = const(23)  # walking: cutoff 2.3 x the step rate drops a step's sub-peaks
LP_MIN_MHZ = const(3500)
LP_MAX_MHZ = const(6000)
DC_MHZ = const(80)  # slow mean: gravity and posture
AMP_TAU_MS = const(2460)  # the tracked hump height decays with this time constant (1/256 per
# sample at 104 Hz), so that a quieter gait still gets through after a few seconds
RISE_MS = const(45)  # walking: contact to the filtered hump's mean crossing, less group delay
ONSET_MS = const(45)  # running: contact to the filtered hump's onset, less group delay
RUN_SPM = const(140)  # a bout starting above this is running...
RUN_ENTER_SPM = const(150)  # ...a walk becomes a run above this, a run a walk below
RUN_LEAVE_SPM = const(130)  # this, so the contact rule does not flicker at the boundary
REFRACTORY_MAX_MS = const(330)  # cap on the refractory (a share of a step): a half-rate lock breaks
REFR_PCT = const(48)  # second hump of the same step: closer than this (under half a step, so a
# cadence locked at half the rate still lets the missed steps through)
REFR_WALK_PCT = const(60)  # after a soft walking step (hump below _RUN_HUMP): its hump, small
# against the tracked height, splits into two about half a step apart (turns, the last steps), while
# a true walking step comes this soon after the last in under 0.5 % of intervals (three corpora)
STOP_MS = const(2500)  # no step for this long: stopped
GATE_STEPS = const(4)  # candidates with a steady rhythm needed to start a bout
GATE_TOL_PCT = const(30)  # how steady: each interval within this of their median
# Walking only. A weak hump (it rises by 1/8 of the hump height from its valley but never
# reaches the trigger) is the next step if it starts 70-140 % of a step after the last one (one
# step, allowing the slowing of a stop), and if no regular step comes within 110 % of a step
# after it: one that does makes it the start of that step, a turn or a pause, not a step.
WEAK_LO_PCT = const(70)
WEAK_HI_PCT = const(140)
WEAK_WAIT_PCT = const(110)
# The first step of a walk: a candidate 70-135 % of a step before the first released one (the
# first step from standing is slower than the next), looking back past at most 3 humps that are
# too close to be steps (the second hump of that first step).
LEAD_BACK = const(3)
LEAD_HI_PCT = const(135)
# An anticipatory postural adjustment before gait initiation: the oldest held hump is not a step
# if it is below 60 % of the next one and less than 85 % of the next interval before it.
APA_H_PCT = const(60)
APA_IV_PCT = const(85)
HIST = const(32)  # step times kept for the gate and cadence (power of two)
_HMASK = const(31)
_CAD_WIN_MS = const(6000)  # cadence window; the median moves within half of it (2 s running)
_CAD_MIN_IV = const(3)
_CAD_MAX_IV = const(12)


class StepDetector:
    """Feed raw accelerometer counts one sample at a time; read steps and cadence back."""

    def __init__(self, odr_mhz=104000, counts_per_g=4096):
        odr_mhz = int(odr_mhz)
        counts_per_g = int(counts_per_g)
        if not 25000 <= odr_mhz <= 500000:
            raise ValueError("odr_mhz must be 25000..500000 (25-500 Hz), got %d" % odr_mhz)
        if not 1024 <= counts_per_g <= 16384:
            raise ValueError("counts_per_g must be 1024..16384 (+-2 to +-32 g), got %d" % counts_per_g)
        self.odr_mhz = odr_mhz
        self.counts_per_g = counts_per_g
        # counts -> 1/512 g: |x| <= 32768 and mul <= 8192, so x*mul < 2^28.
        self._mul = (512 << _UNIT_SHIFT) // counts_per_g
        # One-pole smoothing factors in Q8, from the rate: alpha = 1 - exp(-2 pi fc / fs).
        self._a_dc = self._alpha_q16(DC_MHZ)  # Q16, < 2^11 at 25 Hz
        # hump height decay per sample, Q16: 1 - exp(-1 / (tau fs)), < 2^11 at 25 Hz
        k = (65536000 // AMP_TAU_MS * 1000 + odr_mhz // 2) // odr_mhz
        self._k_amp = k - k * k // 131072
        fs = odr_mhz  # mHz
        # Periods in samples (Q8) from physiology.
        # accepted intervals reach a little past 60-240 spm, so a step timed a sample late or
        # early at either end of the range still counts
        self._iv_min_q = fs * 1536 // 100 // (SPM_MAX + 20)
        self._iv_max_q = fs * 1536 // 100 // (SPM_MIN - 5)
        self._refr_max_q = REFRACTORY_MAX_MS * 256 // 1000 * fs // 1000
        self._stop_q = STOP_MS * 256 // 1000 * fs // 1000  # < 2^30 for STOP_MS <= 8 s at 500 Hz
        self._win_q = (_CAD_WIN_MS * 256 // 1000) * fs // 1000
        # spm*100 = _k_cad / interval_q8  (1536 * 500000 < 2^30)
        self._k_cad = 1536 * odr_mhz
        # Group delay of the two low-pass poles, 2/(2 pi fc) = 64 ms, in Q8 samples.
        self._t_hist = [0] * HIST  # step contact times (sample clock, Q8 offset below)
        n = 16
        while n * 1000 < _FBUF_MS * (odr_mhz // 1000):
            n <<= 1
        self._fmask = n - 1  # 128 samples at 104 Hz, 1024 at 500 Hz
        self._fb = [0] * n  # recent filtered samples, to re-time a held step
        self._r_hist = [0] * HIST  # their contact times by the running rule
        self._fl_hist = [0] * HIST  # 1: timed before any hump had set the levels
        self._h_hist = [0] * HIST  # their hump heights, once each hump has passed
        self._iv2 = [0] * HIST
        self._iv = [0] * HIST  # scratch for the median: allocated once
        self._out = [0] * HIST  # lags of the steps released by the last feed()
        self.reset()

    def _alpha_q16(self, fc_mhz):
        # 1 - exp(-w), w = 2 pi fc / fs, in integers: bit-identical on every port. Its (2,2) Pade
        # form w / (1 + w/2 + w^2/12) is within 0.4 % up to w = 1.5 (6 Hz at 25 Hz), where the
        # series to w^3 would be 20 % high.
        w = 6283 * fc_mhz // self.odr_mhz  # w in 1/1000, < 2^11
        d = 1000 + w // 2 + w * w // 12000
        return max(1, (w * 65536 + d // 2) // d)

    def _set_lp(self, fc_mhz):
        # The cutoff follows the cadence; the contact is the crossing less the two poles' group
        # delay, plus the rise time it already includes.
        self._lp_mhz = fc_mhz
        self._a_lp = (self._alpha_q16(fc_mhz) + 128) >> 8  # Q8
        # The delay of the sampled poles as they run, (1 - a) / a samples each for the Q8 a in
        # use, plus half a sample (each sample averages its period): 2 / (2 pi fc) alone would
        # be about half a sample long, 5 ms at 104 Hz but 20 ms at 25 Hz.
        a = self._a_lp
        gd_q = 2 * (256 - a) * 256 // a + 128
        self._delay_q = gd_q - self._ms_q(RISE_MS)
        self._delay_on_q = gd_q - self._ms_q(ONSET_MS)

    def _ms_q(self, ms):
        return ms * 256 * (self.odr_mhz // 1000) // 1000

    def reset(self):
        self._set_lp(LP_MHZ)
        self._nq = 0  # sample clock in Q8 (1/256 sample), wraps at 2^30
        self._lp1 = -1  # low-pass states, Q2 of e; -1 = not started
        self._lp2 = 0
        self._dc = 0  # slow mean, Q8 of e
        self._dc_k = 0  # samples averaged so far, while the mean is still settling
        self._prev = 0  # previous filtered value
        self._amp = 0  # typical hump height (peak - valley) of the filtered value, Q4
        # Schmitt trigger: 1 = above; else armed (below), and in a walking bout 2 * the weak humps'
        # state (_weak_start): one attribute more would fill the instance's attribute table
        self._hi = 0
        self._peak = 0
        self._valley = 0
        self._nh = 0  # candidates recorded in _t_hist
        self._on_q = 0
        self._peak_q = 0
        self._gate_iv_q = 0
        self._running = 0  # this bout is a run: contacts by the onset rule
        self._on_ok = 0
        self._slot = -1  # history index of the candidate whose hump is still rising
        self._in_gait = 0
        self._held = 0  # candidates held by the gate, not yet released
        self._prov = 0  # provisional cadence while the gate holds steady candidates
        self._cad = 0
        self._inst = 0
        self._nb = 0  # steps of this bout in the history (at most HIST): the cadence's window
        self._n_out = 0

    # --- public API -------------------------------------------------------------------------
    def in_gait(self):
        return self._in_gait == 1

    def cadence_x100(self):
        # before a bout is confirmed, three steady candidates already give a provisional cadence
        return self._cad if self._cad else self._prov

    def inst_x100(self):
        return self._inst

    def lag_q8(self, i):
        """Lag of released step i behind the sample passed to the last feed(), in 1/256 samples."""
        return self._out[i]

    @micropython.native
    def feed(self, x, y, z):
        """One sample of raw counts; returns how many steps this sample confirmed."""
        self._n_out = 0
        nq = (self._nq + _ONE_Q) & _TIME_MASK
        self._nq = nq
        mul = self._mul
        # Axis in 1/512 g: |xu| <= 16384 because counts_per_g >= 1024; the squares sum < 2^30.
        xu = (x * mul) >> _UNIT_SHIFT
        yu = (y * mul) >> _UNIT_SHIFT
        zu = (z * mul) >> _UNIT_SHIFT
        e = (xu * xu + yu * yu + zu * zu) >> 8  # 1/1024 g^2
        if e > _E_MAX:
            e = _E_MAX  # 32 g: past any real gait, keeps every stage below 2^30
        if self._lp1 < 0:  # start the filters settled on the first sample
            self._lp1 = e << 2
            self._lp2 = e << 2
            self._dc = e << 8
        a = self._a_lp
        # Q2 states < 2^22, alpha Q8 < 2^8: products < 2^30
        lp1 = self._lp1
        lp1 += (((e << 2) - lp1) * a) >> 8
        lp2 = self._lp2
        lp2 += ((lp1 - lp2) * a) >> 8
        self._lp1 = lp1
        self._lp2 = lp2
        # slow mean: a running average until it has seen one time constant, then exponential,
        # so a start mid-stride settles in a second or two instead of half a minute
        a = self._a_dc
        k = self._dc_k
        if k < 65536:
            k += 1
            self._dc_k = k
            if k * a < 16384:  # 1/k > 4 a: half a second of plain average, then exponential
                a = 4096 if k < 16 else 65536 // k  # <= 2^12 keeps the product below 2^30
            else:
                self._dc_k = 65536
        dc = self._dc
        # Q8 < 2^28; (diff >> 10) * a < 2^18 * 2^12. Rounded, and fine enough that the update's
        # dead band (about 2^10 / a in Q2, a = 66 at 500 Hz) leaves no offset in f at any rate.
        dc += ((((lp2 << 6) - dc) >> 10) * a + 32) >> 6
        self._dc = dc
        f = lp2 - (dc >> 6)  # Q2 of e, zero-mean
        self._fb[(nq >> 8) & self._fmask] = f
        self._detect(f, nq)
        self._prev = f
        return self._n_out

    # --- stages -----------------------------------------------------------------------------
    @micropython.native
    def _detect(self, f, nq):
        amp = self._amp >> 4
        if amp < _AMP_FLOOR:
            amp = _AMP_FLOOR
        thr = amp >> 3  # hysteresis band +-amp/8 around the mean: the weaker foot still crosses
        prev = self._prev
        if self._hi != 1:  # armed
            if f < self._valley:
                self._valley = f
            # the rise's onset: where it last left the valley (valley + amp/8), timed to a
            # fraction of a sample; the crossing of the mean + amp/8 then confirms the step
            lvl = self._valley + (amp >> 3)
            if f <= lvl:
                self._on_ok = 0  # still in the valley
            elif self._on_ok == 0:  # just left it (a moving level cannot skip this)
                on_q = (nq - self._frac(prev, f, lvl)) & _TIME_MASK
                self._on_q = on_q
                self._on_ok = 1
                if self._in_gait and not self._running:
                    self._weak_start(on_q)
            wk = self._hi >> 1
            if wk:
                if wk & 1:  # a weak hump rising: wait for it to peak below the trigger
                    if f > self._peak:
                        self._peak = f
                    elif f < self._peak - (amp >> 4):
                        self._hi = (wk + 1) << 1
                    elif self._weak_flat(wk, nq):  # it levelled off: the walker stands
                        self._hi = (wk + 1) << 1
                else:
                    self._weak_due(nq)
            if f >= thr:  # armed by the last dip, so the level moving cannot skip a crossing
                # (a regular hump: any held weak ones were not steps)
                self._hi = 1
                self._peak = f
                self._peak_q = nq
                cross_q = (nq - self._frac(prev, f, thr)) & _TIME_MASK
                # Running has a flight phase: the load, and the hump, start at the contact. In
                # walking the trunk already rises before the heel strikes, later in the hump.
                walk_q = (cross_q - self._delay_q) & _TIME_MASK
                run_q = walk_q
                if self._on_ok:
                    run_q = (self._on_q - self._delay_on_q) & _TIME_MASK
                # a contact is never after the sample that found it
                if (nq - walk_q) & _TIME_MASK > _HALF:
                    walk_q = nq
                if (nq - run_q) & _TIME_MASK > _HALF:
                    run_q = nq
                self._candidate(nq, walk_q, run_q)
        else:
            if f > self._peak:
                self._peak = f
                self._peak_q = nq
            if f < -thr:
                self._hi = 0
                h = self._peak - self._valley  # < 2^23
                if self._slot >= 0:  # the hump of a recorded candidate: keep its height
                    self._h_hist[self._slot & _HMASK] = h
                    if not self._in_gait:  # still held: time it from its own hump
                        self._retime(self._slot & _HMASK, h, nq)
                    self._slot = -1
                if self._amp < _AMP_FLOOR << 4:
                    self._amp = h << 4  # the first hump sets the scale at once
                else:
                    self._amp += ((h << 4) - self._amp) >> 1
                self._valley = f
        # a quieter gait still gets through after a few seconds: Q4 < 2^27, k_amp < 2^11
        self._amp -= ((self._amp >> 8) * self._k_amp) >> 8
        if self._in_gait or self._held:
            nh = self._nh
            if nh:  # the call only when a timeout is due: this runs on every sample of a bout
                gap = (nq - self._t_hist[(nh - 1) & _HMASK]) & _TIME_MASK
                if gap > (self._stop_q if self._in_gait else self._iv_max_q):
                    self._timeout(nq)

    @micropython.native
    def _weak_start(self, on_q):
        # The last step or two of a walk barely move the trunk: humps that never reach the
        # trigger. One that starts when the rhythm expects the next step is held; it is released
        # if no regular step follows (that would make it the start of a turn or a pause).
        # State, while armed: _hi >> 1 = 2 * n + r, n humps held, r = 1 while one more rises;
        # their contacts wait in _t_hist just past the last step, where the next steps go.
        if self._cad <= 0:
            return
        iv = self._k_cad // self._cad // 100  # 1 % of a step (Q8): iv * 140 < 2^30 above 1 spm
        h = self._t_hist
        k = self._nh
        n = self._hi >> 2
        gap = (on_q - h[(k + n - 1) & _HMASK]) & _TIME_MASK
        if gap < iv * WEAK_LO_PCT or gap > iv * WEAK_HI_PCT:
            return  # a second hump of the last one, or out of the rhythm
        if n == 2:  # three in a row: the first is a step
            self._weak_emit(h[k & _HMASK])
            n = 1
            k += 1
        h[(k + n) & _HMASK] = (on_q - self._delay_on_q) & _TIME_MASK
        self._hi = (2 * n + 1) << 1
        self._peak = self._valley

    @micropython.native
    def _weak_flat(self, wk, nq):
        # a weak hump still not down from its peak a whole wait after its onset has levelled off
        t = self._t_hist[(self._nh + (wk >> 1)) & _HMASK]
        return self._cad > 0 and (nq - t) & _TIME_MASK > self._k_cad // self._cad // 100 * WEAK_WAIT_PCT

    @micropython.native
    def _weak_due(self, nq):
        # held weak humps and no regular step since: the last steps of a walk
        n = self._hi >> 2
        last = self._t_hist[(self._nh + n - 1) & _HMASK]
        if self._cad > 0 and (nq - last) & _TIME_MASK > self._k_cad // self._cad // 100 * WEAK_WAIT_PCT:
            self._hi = 0
            for _ in range(n):
                self._weak_emit(self._t_hist[self._nh & _HMASK])

    @micropython.native
    def _weak_emit(self, tc):
        # release a held weak hump as the next step (it is already where _candidate puts it)
        slot = self._slot
        self._candidate(self._nq, tc, tc)
        self._slot = slot

    @micropython.native
    def _retime(self, i, h, nq):
        """Re-time held candidate i by the running rule from its own hump, now that its height h
        is known: before a bout is confirmed the levels came from older humps or the noise floor.
        (The walking rule's mean crossing barely depends on the height, once one hump has set
        the levels.)"""
        run_q = self._back_cross(self._valley + (h >> 3), nq)
        if run_q >= 0:
            self._r_hist[i] = (run_q - self._delay_on_q) & _TIME_MASK
        if self._fl_hist[i]:  # timed against the noise floor: the walking rule too
            walk_q = self._back_cross(h >> 3, nq)
            if walk_q >= 0:
                self._t_hist[i] = (walk_q - self._delay_q) & _TIME_MASK

    @micropython.native
    def _back_cross(self, lvl, nq):
        # Walk back from the hump's peak through the recent filtered samples to where the rise
        # crossed lvl; -1 when that is older than the buffer holds.
        fb = self._fb
        c = nq >> 8
        s = self._peak_q >> 8
        back = (c - s) & _SMASK
        m = self._fmask
        while back < m:
            f0 = fb[(s - 1) & m]
            if f0 <= lvl:
                f1 = fb[s & m]
                return (nq - (back << 8) - self._frac(f0, f1, lvl)) & _TIME_MASK
            s -= 1
            back += 1
        return -1

    @micropython.native
    def _frac(self, f0, f1, lvl):
        # how far (Q8 samples) behind this sample the signal crossed lvl
        d = f1 - f0
        a = f1 - lvl
        if a > d:  # the level moved past the previous sample: the crossing is this sample
            a = d
        while d > (1 << 20):
            d >>= 4
            a >>= 4
        if d <= 0:
            return 0
        return (a << 8) // d

    @micropython.native
    def _candidate(self, nq, walk_q, run_q):
        # both contact estimates are kept until the bout's gait is known
        tc = run_q if self._running else walk_q
        h = self._t_hist
        k = self._nh
        if k > 0:
            iv = (tc - h[(k - 1) & _HMASK]) & _TIME_MASK
            lim = self._iv_min_q
            if self._cad > 0:
                # refractory: most of a step, but never so long that a cadence locked at half
                # (every other step missed) would keep rejecting the missing steps. After a soft
                # walking step a longer share (the cap keeps it under a step); after a running-
                # sized impact under half a step: that may be a run's strong side locked at half.
                pct = REFR_PCT
                if self._running == 0 and self._h_hist[(k - 1) & _HMASK] < _RUN_HUMP:
                    pct = REFR_WALK_PCT
                m = (self._k_cad // self._cad) * pct // 100
                if m > self._refr_max_q:
                    m = self._refr_max_q
                if m > lim:
                    lim = m
            if iv < lim:
                return  # a second hump of the same step
        h[k & _HMASK] = tc
        self._r_hist[k & _HMASK] = run_q
        self._fl_hist[k & _HMASK] = 1 if self._amp < _AMP_FLOOR << 4 else 0
        self._h_hist[k & _HMASK] = 0
        self._slot = k
        self._nh = k + 1
        if self._in_gait:
            if self._nb < HIST:
                self._nb += 1
            self._release(nq, tc)
            self._cadence()
            return
        if self._held < GATE_STEPS:
            self._held += 1
        if self._held >= GATE_STEPS - 1 and self._steady(GATE_STEPS - 1):
            self._prov = self._k_cad // self._gate_iv_q
        if self._held >= GATE_STEPS and self._steady(GATE_STEPS):
            self._prov = 0
            self._in_gait = 1
            self._held = 0
            # Release the held steps with their own contact times. A held hump far smaller than
            # its neighbours is the sway before the first step, not a step: drop it, from the
            # history too, so the cadence does not see it.
            hh = self._h_hist
            top = 0
            for j in range(1, GATE_STEPS):
                if hh[(k - j) & _HMASK] > top:
                    top = hh[(k - j) & _HMASK]
            running = self._gate_iv_q <= self._k_cad // (RUN_SPM * 100)
            self._running = 1 if running else 0
            b0 = k - GATE_STEPS + 1  # the bout's first step in the history
            w = b0
            apa = 0
            if not running:
                apa = self._postural(k, top)
                b0 = self._lead_in(k, top, nq, apa)
                if b0 < w:
                    w = b0 + 1  # its first step, released, stays where it is
            for j in range(GATE_STEPS - 1, -1, -1):
                i = (k - j) & _HMASK
                if j > 0 and hh[i] * 4 < top:
                    continue
                if j >= GATE_STEPS - apa:  # a postural shift (and the sway before it)
                    continue
                tc = self._r_hist[i] if running else h[i]
                h[w & _HMASK] = tc
                hh[w & _HMASK] = hh[i]
                w += 1
                self._release(nq, tc)
            self._slot = w - 1
            self._nb = w - b0
            self._nh = w
            self._cadence()

    def _postural(self, k, top):
        # Before the first step the trunk shifts onto the stance leg: a hump weaker than the
        # first step's and sooner before it than the rhythm (the first step from standing is
        # slower than the next, not faster). The oldest held hump like that (past a sway hump
        # far smaller than the steps) is not a step. Returns how many held humps to skip.
        h = self._t_hist
        hh = self._h_hist
        s = 0
        if hh[(k - GATE_STEPS + 1) & _HMASK] * 4 < top:
            s = 1
        i0 = (k - GATE_STEPS + 1 + s) & _HMASK
        i1 = (k - GATE_STEPS + 2 + s) & _HMASK
        i2 = (k - GATE_STEPS + 3 + s) & _HMASK
        a = (h[i1] - h[i0]) & _TIME_MASK
        b = (h[i2] - h[i1]) & _TIME_MASK
        return s + 1 if hh[i0] * 100 < hh[i1] * APA_H_PCT and a * 100 < b * APA_IV_PCT else 0

    def _lead_in(self, k, top, nq, apa):
        # The first step from standing often comes with a second hump (the weight shift) that
        # breaks the rhythm, so the gate starts a step late. An earlier candidate about one step
        # before the first held one (the humps between too close to be steps) is that step.
        h = self._t_hist
        hh = self._h_hist
        e = k - GATE_STEPS + 1
        if apa:
            e += apa  # the first held ones are sway or a postural shift: measure from the next
        elif hh[e & _HMASK] * 4 < top:
            e += 1
        iv = self._gate_iv_q
        w = k - GATE_STEPS + 1
        i = w - 1
        n = 0
        while n < LEAD_BACK and i >= 0 and i > k - HIST + GATE_STEPS:
            gap = (h[e & _HMASK] - h[i & _HMASK]) & _TIME_MASK
            if gap > iv * LEAD_HI_PCT // 100:
                return w
            if gap >= iv * WEAK_LO_PCT // 100:
                if hh[i & _HMASK] * 4 < top:
                    return w
                self._release(nq, h[i & _HMASK])
                return i  # the bout starts here
            i -= 1
            n += 1
        return w

    @micropython.native
    def _steady(self, m):
        # the last m candidates have m-1 intervals within the cadence range and within +-30 % of
        # their median
        h = self._t_hist
        k = self._nh - 1
        iv = self._iv
        for j in range(m - 1):
            d = (h[(k - j) & _HMASK] - h[(k - j - 1) & _HMASK]) & _TIME_MASK
            if d < self._iv_min_q or d > self._iv_max_q:
                return False
            iv[j] = d
        med = self._median(iv, m - 1)
        self._gate_iv_q = med
        lo = med - (med * GATE_TOL_PCT) // 100
        hi = med + (med * GATE_TOL_PCT) // 100
        for j in range(m - 1):
            if iv[j] < lo or iv[j] > hi:
                return False
        if med < self._k_cad // (RUN_SPM * 100):
            # A running rhythm needs running impacts: at the waist every stride lands with more
            # than RUN_HUMP. A fast, weak rhythm is shuffling, handling or a vehicle.
            for j in range(1, m):
                if self._h_hist[(k - j) & _HMASK] < _RUN_HUMP:
                    return False
        return True

    @micropython.native
    def _release(self, nq, tc):
        if self._n_out < HIST:
            self._out[self._n_out] = (nq - tc) & _TIME_MASK
            self._n_out += 1

    @micropython.native
    def _median(self, a, m):
        # insertion sort of a[0:m] in place: m <= HIST, no allocation
        for i in range(1, m):
            v = a[i]
            j = i - 1
            while j >= 0 and a[j] > v:
                a[j + 1] = a[j]
                j -= 1
            a[j + 1] = v
        return a[m >> 1] if m & 1 else (a[(m >> 1) - 1] + a[m >> 1]) >> 1

    @micropython.native
    def _cadence(self):
        # Intervals of up to _CAD_MAX_IV recent steps of this bout within the window, newest
        # first. One longer than a step can be (a pause mid-bout, a turn's missed steps) is left
        # out, and the window reaches past it: a few steps after a turn would not say much.
        h = self._t_hist
        k = self._nh - 1
        iv = self._iv
        d = (h[k & _HMASK] - h[(k - 1) & _HMASK]) & _TIME_MASK
        if 0 < d <= self._iv_max_q:
            self._inst = self._k_cad // d
        # iv[0:n]: up to _CAD_MAX_IV of them, to classify; iv[0:m]: those within the window
        m = -1
        n = 0
        j = 0
        span = 0
        top = self._nb - 1
        while j < top and n < _CAD_MAX_IV:
            d = (h[(k - j) & _HMASK] - h[(k - j - 1) & _HMASK]) & _TIME_MASK
            j += 1
            if d > self._stop_q:  # not within one bout
                break
            if m < 0 and span + d > self._win_q and n >= _CAD_MIN_IV:
                m = n
            span += d
            if d <= self._iv_max_q:
                iv[n] = d
                n += 1
        if m < 0:
            m = n
        if m == 0:  # nothing but pauses: keep what is shown
            return
        # The typical step is half the median stride (two neighbouring intervals): left and right
        # steps often differ, their sum does not, and a median ignores a turn or a stumble.
        # Against it an interval near twice as long is a missed step, so it counts as two; one
        # far shorter is a doubled step, merged into the next.
        # The classifier looks at up to _CAD_MAX_IV intervals even past the window, so that a turn's
        # few odd steps in a short walking window cannot move it.
        cp = self._iv2
        if n > 1:
            for j in range(n - 1):
                cp[j] = iv[j] + iv[j + 1]
            med = self._median(cp, n - 1) >> 1
        else:
            med = iv[0]
        if med <= 0:  # only a corrupted history: keep what is shown
            return
        c = 0
        carry = 0
        same = 1
        for j in range(m):
            d = iv[j] + carry
            carry = 0
            if d < (med * 6) // 10:
                carry = d
                same = 0
                continue
            r = 1
            if d > (med * 17) // 10:
                r = (d + (med >> 1)) // med
                same = 0
            d //= r
            while r > 0 and c < HIST:
                cp[c] = d
                c += 1
                r -= 1
        if c == 3:  # the middle one: the median of two strides would be a mean the odd one moves
            self._cad = self._k_cad // self._median(cp, 3)
        elif same and m == n:  # nothing to clean: the median stride already found
            self._cad = self._k_cad // med
        elif c > 1:
            for j in range(c - 1):
                iv[j] = cp[j] + cp[j + 1]
            self._cad = self._k_cad // (self._median(iv, c - 1) >> 1)
        elif c == 1:
            self._cad = self._k_cad // cp[0]
        if self._running:
            if self._cad < RUN_LEAVE_SPM * 100:
                self._running = 0
        elif self._cad > RUN_ENTER_SPM * 100:
            self._running = 1
        if c > 0:
            fc = self._cad // 6 * LP_PER_STEP_X10 // 10  # spm*100 / 6 = step rate in mHz
            if fc < LP_MIN_MHZ:
                fc = LP_MIN_MHZ
            elif fc > LP_MAX_MHZ:
                fc = LP_MAX_MHZ
            if fc - self._lp_mhz > 250 or self._lp_mhz - fc > 250:
                self._set_lp(fc)

    @micropython.native
    def _timeout(self, nq):
        if self._nh == 0:
            return
        gap = (nq - self._t_hist[(self._nh - 1) & _HMASK]) & _TIME_MASK
        if self._in_gait:
            if gap > self._stop_q:  # stopped: the display drops to 0, a new bout must pass the gate
                self._in_gait = 0
                self._running = 0
                self._set_lp(LP_MHZ)
                self._held = 0
                self._cad = 0
                self._inst = 0
                self._nb = 0
                if self._hi > 1:
                    self._hi = 0  # drop held weak humps
        elif gap > self._iv_max_q:
            self._held = 0
            self._prov = 0
