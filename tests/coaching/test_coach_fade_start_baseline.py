"""Faded feedback, auto start/stop, baseline run."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pod.core import autostart as AS
from pod.core import baseline as B
from pod.core import fade as F

# ---- fade ------------------------------------------------------------------------------------


def test_play_rest_cycle_within_a_session():
    g = F.FadeGate(30000, 15000, start_ms=60000)
    assert g.on(0) and g.on(59999)  # warm-up: full beats
    assert g.on(60000) and g.on(89999) and not g.on(90000) and not g.on(104999) and g.on(105000)
    assert F.FadeGate(1000, 0).on(123456789)
    assert not F.FadeGate(0, 1000).on(5)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, F.MAX_LEVEL), st.integers(1000, 600000))
def test_level_sets_the_share_of_time_the_beats_play(level, cycle_ms):
    g = F.FadeGate.for_level(level, cycle_ms)
    on = sum(1 for t in range(0, 10 * cycle_ms, cycle_ms // 100 or 1) if g.on(t))
    n = len(range(0, 10 * cycle_ms, cycle_ms // 100 or 1))
    assert abs(on * 100 / n - F.PLAY_PCT[level]) <= 2


def test_schedule_fades_out_and_levels_move_one_at_a_time():
    assert list(F.PLAY_PCT) == sorted(F.PLAY_PCT, reverse=True) and F.PLAY_PCT[0] == 100
    assert F.PLAY_PCT[-1] == 0
    lv = 0
    for _ in range(10):
        lv = F.next_level(lv, True, False)
    assert lv == F.MAX_LEVEL
    assert F.next_level(lv, False, True) == F.MAX_LEVEL - 1
    assert F.next_level(0, False, True) == 0 and F.next_level(3, False, False) == 3
    with pytest.raises(ValueError):
        F.play_rest_ms(9)
    with pytest.raises(ValueError):
        F.FadeGate(0, 0)


# ---- auto start / stop ----------------------------------------------------------------------


def steps_at(spm, t0, seconds):
    iv = 60000 // spm
    return [t0 + i * iv for i in range(seconds * 1000 // iv)]


def test_starts_after_10_s_above_130_and_keeps_the_run_up():
    a = AS.AutoStart()
    walk = steps_at(110, 0, 20)
    for t in walk:
        assert a.step(t, 11000) == AS.NONE
    run = steps_at(160, walk[-1] + 500, 30)
    fired = None
    # the detector's cadence reads 0 for the first 4 steps of a bout, then the running cadence
    for i, t in enumerate(run):
        if a.step(t, 0 if i < 4 else 16000) == AS.START:
            fired = i
            break
    assert fired is not None
    assert run[fired] - run[4] >= 10000 and run[fired - 1] - run[4] < 10000
    kept = a.pre_steps()
    assert kept[-1] == run[fired]
    assert kept[0] <= run[0]  # the run-up before cadence was known is kept too (lead_ms)
    assert a.begin_ms == kept[0] and a.active


def test_a_dip_or_gap_restarts_the_count_and_idle_stops():
    a = AS.AutoStart(start_ms=5000, idle_ms=20000)
    ts = steps_at(160, 0, 4)
    for t in ts:
        assert a.step(t, 16000) == AS.NONE
    assert a.step(ts[-1] + 375, 12000) == AS.NONE  # a dip under 130: start again
    t = ts[-1] + 375 + 3000  # and a 3 s gap ends the chain
    got = AS.NONE
    while got != AS.START:
        got = a.step(t, 16000)
        t += 375
    assert a.pre_steps()[0] == ts[-1] + 375 + 3000
    last = t - 375
    assert a.poll(last + 19999) == AS.NONE
    assert a.poll(last + 20000) == AS.STOP and a.end_ms == last and not a.active
    assert a.poll(last + 40000) == AS.NONE


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(150, 2500), st.sampled_from([0, 9000, 12000, 13000, 16000, 18000])),
                min_size=1, max_size=200), st.integers(0, 15000), st.integers(4, 64))
def test_start_only_after_sustained_running_and_ring_keeps_latest(steps, start_ms, keep):
    a = AS.AutoStart(start_ms=start_ms, keep=keep)
    t = 0
    hist = []
    for dt, cad in steps:
        t += dt
        hist.append((t, cad))
        # starts exactly when an unbroken stretch of steps >= 130 spm, no more than max_gap_ms
        # apart, ends here and began at least start_ms ago
        j = len(hist) - 1
        while j > 0 and hist[j - 1][1] >= 13000 and hist[j][0] - hist[j - 1][0] <= 2000:
            j -= 1
        due = hist[-1][1] >= 13000 and t - hist[j][0] >= start_ms
        assert (a.step(t, cad) == AS.START) == due
        if due:
            kept = a.pre_steps()
            assert kept == sorted(kept) and len(kept) <= keep and kept[-1] == t
            assert set(kept) <= {tt for tt, _ in hist}
            break


def test_autostart_bad_config():
    with pytest.raises(ValueError):
        AS.AutoStart(keep=2)
    with pytest.raises(ValueError):
        AS.AutoStart(idle_ms=0)


# ---- baseline ---------------------------------------------------------------------------------


def test_baseline_is_the_median_of_steady_running_without_warm_up():
    m = B.BaselineMeter(warmup_ms=120000, settle_ms=10000)
    t = 0
    for i in range(1200):  # 20 min at 1 Hz
        if i < 120:
            cad = 14000  # warm-up jog, excluded
        elif 600 <= i < 660:
            cad = 0  # a stop; the first 10 s after it are not steady either
        elif 660 <= i < 670:
            cad = 19000
        else:
            cad = 16200 + (i % 5) * 50  # 162.0 .. 164.0, median 163
        m.update(t, cad)
        t += 1000
    assert m.median_x100() == 16300
    assert m.steady_ms() == (1200 - 1 - 120 - 60 - 10) * 1000


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(13000, 23900), min_size=61, max_size=400))
def test_baseline_matches_a_sorted_median_within_a_quarter_spm(cads):
    m = B.BaselineMeter(warmup_ms=0, settle_ms=0)
    for i, c in enumerate(cads):
        m.update(i * 1000, c)
    counted = sorted(cads[1:])  # each update accounts the second before it at its own cadence
    lo = counted[(len(counted) - 1) // 2]
    hi = counted[len(counted) // 2]
    assert lo - 25 <= m.median_x100(min_steady_ms=0) <= hi + 25


def test_baseline_needs_enough_steady_running():
    m = B.BaselineMeter(warmup_ms=0, settle_ms=0)
    for i in range(30):
        m.update(i * 1000, 16000)
    assert m.median_x100() == 0 and m.median_x100(min_steady_ms=10000) == 16000
    with pytest.raises(ValueError):
        B.SteadyGate(run_min_x100=0)
