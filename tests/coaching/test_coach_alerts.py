"""Cadence alerts: quiet when they should be, never nagging, no flapping at the band edge."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pod.core import alerts as A

SET = settings(max_examples=150, deadline=None)
TARGET = 17000


def cfg(**kw):
    base = dict(band_x100=300, hyst_x100=100, out_ms=5000, gap_ms=20000, repeat_ms=45000,
                run_min_x100=13000, warmup_ms=60000)
    base.update(kw)
    return base


# a session: segments of (duration_s, kind, cadence); kind: run / walk / stop (no updates) / zero
KINDS = ["run", "run", "run", "walk", "stop", "zero"]
segments = st.lists(st.tuples(st.integers(1, 90), st.sampled_from(KINDS), st.integers(15500, 18500)),
                    min_size=1, max_size=25)


def trace(segs, period_ms=1000):
    """[(t_ms, cadence_x100)] updates at period_ms; a stop sends nothing, zero sends cadence 0."""
    out = []
    t = 0
    for dur, kind, cad in segs:
        if kind == "stop":  # a stop is, by definition, no update for MAX_GAP_MS or more
            dur = max(dur, A.MAX_GAP_MS // 1000)
        for _ in range(dur * 1000 // period_ms):
            t += period_ms
            if kind == "run":
                out.append((t, cad))
            elif kind == "walk":
                out.append((t, 11000))
            elif kind == "zero":
                out.append((t, 0))
    return out


def drive(al, tr, target=TARGET):
    return [(t, c, al.update(t, c, target)) for t, c in tr]


def test_patterns_are_distinct_pulse_tuples():
    slow, fast = A.PATTERNS[A.SLOW], A.PATTERNS[A.FAST]
    assert slow != fast and len(slow) != len(fast)
    for p in (slow, fast):
        assert all(isinstance(on, int) and isinstance(off, int) and on > 0 and off >= 0 for on, off in p)


def test_fires_after_out_ms_then_repeats_no_sooner_than_repeat_ms():
    al = A.CadenceAlerts(**cfg(warmup_ms=0))
    res = drive(al, [(t * 1000, 16000) for t in range(1, 121)])  # 160 spm, target 170 +- 3
    fired = [(t, a) for t, c, a in res if a]
    assert fired[0] == (6000, A.SLOW)  # out from t=1 s, fires once 5 s out of band
    assert [t for t, _ in fired] == [6000, 51000, 96000]
    al = A.CadenceAlerts(**cfg(warmup_ms=0))
    res = drive(al, [(t * 1000, 18000) for t in range(1, 30)])
    assert [a for _, _, a in res if a] == [A.FAST]


@SET
@given(segments, st.integers(0, 120000), st.sampled_from([500, 1000, 2500]))
def test_never_during_stops_walking_or_warm_up_and_never_closer_than_gap(segs, warmup_ms, period_ms):
    c = cfg(warmup_ms=warmup_ms)
    al = A.CadenceAlerts(**c)
    res = drive(al, trace(segs, period_ms))
    run_ms = 0
    last_t = None
    last_alert = None
    for t, cad, a in res:
        dt = t - last_t if last_t is not None else 0
        running = cad >= c["run_min_x100"] and dt <= A.MAX_GAP_MS
        if running:
            run_ms += dt
        if a:
            assert running, "alert while stopped or walking at t=%d" % t
            assert run_ms >= warmup_ms, "alert during warm-up at t=%d" % t
            if last_alert is not None:
                assert t - last_alert >= c["gap_ms"]
            last_alert = t
        last_t = t


@SET
@given(segments)
def test_alert_only_after_out_ms_of_unbroken_out_of_band_running(segs):
    c = cfg(warmup_ms=0)
    al = A.CadenceAlerts(**c)
    res = drive(al, trace(segs, 1000))
    for i, (t, _cad, a) in enumerate(res):
        if not a:
            continue
        window = [(tt, cc) for tt, cc, _ in res[: i + 1] if t - tt <= c["out_ms"]]
        assert window[0][0] <= t - c["out_ms"]  # there was an update out_ms ago (no stop in between)
        for _, cc in window:
            if a == A.SLOW:
                assert c["run_min_x100"] <= cc < TARGET - c["band_x100"] + c["hyst_x100"]
            else:
                assert cc > TARGET + c["band_x100"] - c["hyst_x100"]


@SET
@given(st.sampled_from(["slow", "fast"]), st.lists(st.integers(-49, 49), min_size=50, max_size=600),
       st.integers(0, 99))
def test_hysteresis_stops_flapping_at_the_band_edge(edge, wobble, offset):
    """A cadence wobbling less than the hysteresis around a band edge is one episode, not many."""
    c = cfg(warmup_ms=0)
    al = A.CadenceAlerts(**c)
    base = TARGET - c["band_x100"] if edge == "slow" else TARGET + c["band_x100"]
    centre = base + (offset - 49 if edge == "slow" else 49 - offset) // 2  # anywhere near the edge
    res = drive(al, [((i + 1) * 1000, centre + w) for i, w in enumerate(wobble)])
    assert al.transitions <= 1
    n = sum(1 for _, _, a in res if a)
    assert n <= 1 + len(wobble) * 1000 // c["repeat_ms"]


def test_without_hysteresis_the_same_signal_flaps():
    """The property above can fail: with no hysteresis an edge-hovering cadence keeps toggling."""
    al = A.CadenceAlerts(**cfg(warmup_ms=0, hyst_x100=0))
    drive(al, [((i + 1) * 1000, 16700 + (-20 if i % 2 else 20)) for i in range(100)])
    assert al.transitions > 50


def test_a_stop_ends_the_episode():
    al = A.CadenceAlerts(**cfg(warmup_ms=0))
    tr = [(t * 1000, 16000) for t in range(1, 5)] + [(t * 1000, 0) for t in range(5, 8)] + \
         [(t * 1000, 16000) for t in range(8, 20)]
    res = drive(al, tr)
    assert [t for t, _, a in res if a] == [13000]  # 5 s after running resumed at 8 s


@pytest.mark.parametrize("kw", [dict(band_x100=0), dict(hyst_x100=400), dict(gap_ms=10, repeat_ms=5),
                                dict(out_ms=-1)])
def test_bad_config(kw):
    with pytest.raises(ValueError):
        A.CadenceAlerts(**cfg(**kw))
