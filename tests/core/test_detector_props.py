"""Hypothesis properties of the detection core on CPython."""
import math
from array import array

import pytest
from detector_helpers import CPG, ODR_HZ, gait, run, step_times
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pod.core.detector import StepDetector
from pod.core.replay import EV_CADENCE, EV_STEP

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_constructor_rejects_bad_config():
    with pytest.raises(ValueError, match="odr_mhz"):
        StepDetector(odr_mhz=10000)
    with pytest.raises(ValueError, match="counts_per_g"):
        StepDetector(counts_per_g=100)


@FAST
@given(st.lists(st.integers(1, 300), min_size=1, max_size=40))
def test_chunking_does_not_change_events(chunks):
    sig = gait(172, 12)
    assert run(sig, chunks=chunks) == run(sig)


def rotate(samples, yaw, pitch, roll):
    cy, sy, cp, sp, cr, sr = (math.cos(yaw), math.sin(yaw), math.cos(pitch), math.sin(pitch),
                              math.cos(roll), math.sin(roll))
    r = [[cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr],
         [sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr],
         [-sp, cp * sr, cp * cr]]
    out = array("h", bytes(len(samples) * 2))
    for i in range(0, len(samples), 3):
        v = samples[i:i + 3]
        for a in range(3):
            out[i + a] = int(round(sum(r[a][b] * v[b] for b in range(3))))
    return out


def same_steps(a, b, tol_samples=1.0, first_tol=6.0):
    """Same steps, each within tol_samples. The very first step of a bout is timed before the
    detector has seen a hump, against its absolute noise floor, so it alone gets first_tol."""
    ta, tb = step_times(a), step_times(b)
    return len(ta) == len(tb) and all(abs(x - y) <= (first_tol if i == 0 else tol_samples)
                                      for i, (x, y) in enumerate(zip(ta, tb, strict=True)))


@FAST
@given(st.floats(-math.pi, math.pi), st.floats(-math.pi, math.pi), st.floats(-math.pi, math.pi),
       st.integers(80, 220))
def test_rotation_invariant(yaw, pitch, roll, spm):
    sig = gait(spm, 12)
    base = run(sig)
    assert len(step_times(base)) > 10
    assert same_steps(run(rotate(sig, yaw, pitch, roll)), base)


@FAST
@given(st.floats(0.5, 2.0), st.integers(80, 220))
def test_gain_invariant_within_range(gain, spm):
    """Above its two absolute floors (sensor noise; running-sized impacts for a running rhythm,
    0.75 g^2) the detector only sees the signal's shape. Running humps are 2.4 g at gain 1, so
    gains from 0.8 keep them above the impact floor; walking humps have no such floor."""
    if spm >= 140:
        gain = 0.8 + (gain - 0.5) * (1.2 / 1.5)
    if 136 <= spm <= 144:  # where a bout's start decides walk or run rule: see the next test
        return
    sig = gait(spm, 12)
    scaled = array("h", [int(round(v * gain)) for v in sig])  # 1.8 g * 2 stays inside +-8 g
    assert same_steps(run(scaled), run(sig))


def test_walk_run_rule_is_decided_once_per_bout():
    """At the walk/run boundary a bout's contact rule is fixed by its start; it does not flicker."""
    sig = gait(141, 20)
    ts = step_times(run(sig))
    # the first step is timed before any hump: see same_steps
    iv = [b - a for a, b in zip(ts[1:], ts[2:], strict=False)]
    assert len(iv) > 30
    assert max(iv) - min(iv) < 1.5  # samples: no jump of the contact estimate mid-bout


@FAST
@given(st.integers(0, 1 << 30), st.integers(100, 200))
def test_clock_offset_and_wrap_do_not_move_events(offset_q8, spm):
    """The Q8 sample clock wraps at 2^30 (about 11 h at 104 Hz): lags must not notice."""
    sig = gait(spm, 10)
    det = StepDetector(odr_mhz=ODR_HZ * 1000, counts_per_g=CPG)
    det._nq = offset_q8 & 0x3FFFFF00
    assert run(sig, det=det) == run(sig)


@FAST
@given(st.integers(1, 400), st.integers(100, 200))
def test_time_shift_moves_events_by_the_shift(shift, spm):
    """The same walk starting `shift` samples later after standing still: every step moves by shift."""
    a = gait(spm, 14, start_s=2.0)
    b = a[:3] * shift + a  # the same standing sample, `shift` more times first
    ta, tb = step_times(run(a)), step_times(run(b))
    assert len(ta) == len(tb) > 10
    assert all(abs((y - x) - shift) < 1e-9 for x, y in zip(ta, tb, strict=True))


@settings(max_examples=30, deadline=None)
@given(st.integers(60, 240))
def test_periodic_gait_cadence_recovered(spm):
    ev = run(gait(spm, 30))
    cads = [v for k, i, v in ev if k == EV_CADENCE]
    assert cads, "no cadence reported"
    assert abs(cads[-1] / 100.0 - spm) <= 1.0
    n_steps = len(step_times(ev))
    expected = 30 * spm / 60.0
    assert abs(n_steps - expected) <= 2


@FAST
@given(st.integers(0, 2**31 - 1), st.integers(1, 20))
def test_stationary_noise_gives_no_steps(seed, noise_mg):
    import random
    rnd = random.Random(seed)
    n = ODR_HZ * 20
    sig = array("h", bytes(6 * n))
    for i in range(n):
        sig[3 * i] = int(rnd.gauss(0, noise_mg * CPG / 1000))
        sig[3 * i + 1] = int(rnd.gauss(0, noise_mg * CPG / 1000))
        sig[3 * i + 2] = CPG + int(rnd.gauss(0, noise_mg * CPG / 1000))
    assert [e for e in run(sig) if e[0] == EV_STEP] == []


@FAST
@given(st.floats(0.3, 6.0), st.integers(1, 3), st.floats(1.0, 10.0))
def test_single_bumps_give_no_steps(amp_g, n_bumps, at_s):
    n = ODR_HZ * 15
    sig = array("h", bytes(6 * n))
    for i in range(n):
        t = i / ODR_HZ
        v = 1.0
        for b in range(n_bumps):  # bumps more than 2 s apart: a tap, a knock, not a rhythm
            v += amp_g * math.exp(-((t - at_s - 2.5 * b) / 0.04) ** 2)
        sig[3 * i + 2] = int(min(32767, v * CPG))
    assert [e for e in run(sig) if e[0] == EV_STEP] == []


@settings(max_examples=15, deadline=None)
@given(st.integers(70, 230))
def test_cadence_shows_one_step_before_the_bout_is_confirmed(spm):
    """Three steady candidates give a provisional cadence (within 5 %: the first step is timed
    before any hump has set the levels); the fourth releases the steps."""
    sig = gait(spm, 10)
    det = StepDetector(odr_mhz=ODR_HZ * 1000, counts_per_g=CPG)
    first_cad = first_step = None
    for i in range(len(sig) // 3):
        n = det.feed(sig[3 * i], sig[3 * i + 1], sig[3 * i + 2])
        if first_cad is None and det.cadence_x100():
            first_cad = (i, det.cadence_x100())
        if n and first_step is None:
            first_step = i
    assert first_cad is not None and first_step is not None
    assert first_cad[0] < first_step
    assert abs(first_cad[1] / 100 - spm) <= 0.05 * spm


@settings(max_examples=15, deadline=None)
@given(st.integers(70, 220), st.booleans())
def test_one_missed_or_doubled_step_does_not_move_the_cadence(spm, doubled):
    """A step the detector misses (a flat stretch) or a second hump inside one step: the cleaned
    median keeps the shown cadence within 1 spm."""
    sig = gait(spm, 24)
    n = len(sig) // 3
    per = ODR_HZ * 60.0 / spm
    k0 = int(int(12 * spm / 60) * per)  # a step 12 s in starts here (its hump peaks at phase 0.3)
    if doubled:  # a copy of the step's hump half a step later
        for i in range(int(0.25 * per)):
            j, src = k0 + int(0.55 * per) + i, k0 + int(0.05 * per) + i
            if j < n:
                sig[3 * j + 2] = max(sig[3 * j + 2], sig[3 * src + 2])
    else:  # the step's hump flattened to the level between humps
        for i in range(int(per)):
            sig[3 * (k0 + i) + 2] = sig[3 * k0 + 2]
    ev = run(sig)
    # the cadence shown from 10 steps on: the last value set before then, and every later one
    # (a cadence event comes only on a change: a steady one may have none after 10 steps)
    cad = [(i, v / 100.0) for k, i, v in ev if k == EV_CADENCE]
    after = [c for i, c in cad if i <= 10 * per][-1:] + [c for i, c in cad if i > 10 * per]
    assert after and all(abs(c - spm) <= 1.0 for c in after)


@settings(max_examples=12, deadline=None)
@given(st.integers(80, 125), st.floats(0.2, 0.3))
def test_last_step_that_levels_off_is_counted(spm, level):
    """The last step of a walk can lift the trunk and stay there (the walker stands): a weak rise
    that never comes back down. It is released as a step, timed from its onset."""
    a, per, nsteps = 0.8, 60.0 / spm, 12
    onset = (nsteps + 0.15) * per
    n = int((nsteps * per + 5) * ODR_HZ)
    sig = array("h", bytes(6 * n))
    for i in range(n):
        t = i / ODR_HZ
        v = 1.0 - 0.3 * a
        if t < nsteps * per:
            v += a * math.exp(-((((t % per) / per) - 0.3) / 0.12) ** 2)
        elif t > onset:
            x = min((t - onset) / (0.15 * per), 1.0)
            v += level * a * (1 - math.exp(-2 * (1.2 * x) ** 2))
        sig[3 * i + 2] = int(round(v * CPG))
    ts = [x / ODR_HZ for x in step_times(run(sig))]
    assert len(ts) == nsteps + 1
    assert abs(ts[-1] - onset) < 0.15 * per
