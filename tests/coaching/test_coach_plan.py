"""Progressive plan: the properties issue 5 asks for, and the rules by example."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pod.core import plan as P

SET = settings(max_examples=200, deadline=None)


@st.composite
def plans(draw):
    baseline = draw(st.integers(140, 185)) * 100 + draw(st.sampled_from([0, 50]))
    goal = draw(st.integers(150, 200)) * 100
    kw = dict(hold_n=draw(st.integers(1, 4)), hold_pct=draw(st.integers(60, 95)),
              poor_pct=draw(st.integers(20, 59)), back_n=draw(st.integers(1, 3)),
              min_steady_s=draw(st.sampled_from([0, 60, 300])))
    if draw(st.booleans()):
        kw["step_pct"] = draw(st.integers(2, 8))
    else:
        kw["step_spm"] = draw(st.integers(2, 8))
    return P.new(baseline, goal, **kw)


sessions = st.tuples(st.integers(0, 3600), st.integers(0, 100)).map(lambda s: (s[0], s[0] * s[1] // 100))


def run(state, seq):
    recs = []
    for steady, inband in seq:
        state, r = P.decide(state, steady, inband)
        recs.append(r)
    return state, recs


def test_defaults_follow_the_issue():
    s, r = P.new(16000, 18000)
    assert s["target_x100"] == 16500 and r["reason"] == P.INIT
    assert (s["hold_n"], s["hold_pct"], s["band_x100"]) == (2, 80, 300)
    s, r = P.decide(s, 1800, 1500)  # 83 %: good, counted
    assert (r["reason"], s["target_x100"], s["streak"]) == (P.COUNT, 16500, 1)
    s, r = P.decide(s, 1800, 1440)  # exactly 80 %: good, second in a row -> up
    assert (r["reason"], r["from_x100"], r["to_x100"]) == (P.UP, 16500, 17000)
    s, r = P.decide(s, 1800, 1000)  # 55 %: in between -> hold
    assert (r["reason"], s["target_x100"]) == (P.HOLD, 17000)
    s, r = P.decide(s, 1800, 100)
    assert r["reason"] == P.POOR and s["target_x100"] == 17000
    s, r = P.decide(s, 1800, 100)
    assert (r["reason"], s["target_x100"]) == (P.BACK, 16500)
    s, r = P.decide(s, 100, 100)  # 100 s of steady running is too little to judge
    assert r["reason"] == P.SHORT and s["target_x100"] == 16500


def test_percent_step_and_cap():
    s, _ = P.new(16000, 17500, step_pct=5)  # 8 spm steps
    assert s["step_x100"] == 800 and s["target_x100"] == 16800
    for _ in range(2):
        s, r = P.decide(s, 600, 600)
    assert r["reason"] == P.UP and s["target_x100"] == 17500  # capped, not 176
    s, r = P.decide(s, 600, 600)
    assert r["reason"] == P.AT_CAP and s["target_x100"] == 17500


def test_floor_is_the_baseline():
    s, _ = P.new(16000, 18000, back_n=1)
    s, r = P.decide(s, 600, 0)
    assert (r["reason"], s["target_x100"]) == (P.BACK, 16000)
    s, r = P.decide(s, 600, 0)
    assert (r["reason"], s["target_x100"]) == (P.FLOOR, 16000)


def test_fade_levels_follow_compliance_and_restart_with_a_new_target():
    s, _ = P.new(16000, 16500, hold_n=1)  # first target is already the cap
    levels = []
    for _ in range(7):
        s, r = P.decide(s, 600, 600)
        levels.append(r["fade"])
    assert levels == [1, 2, 3, 4, 5, 5, 5]
    s, r = P.decide(s, 600, 0)
    assert r["fade"] == 4
    s, _ = P.new(16000, 18000, hold_n=1)
    s, r = P.decide(s, 600, 600)
    assert r["reason"] == P.UP and r["fade"] == 0


@SET
@given(plans(), st.lists(sessions, max_size=30), st.data())
def test_target_within_cap_and_one_step_per_decision(p, seq, data):
    s, _ = p
    for steady, inband in seq:
        if data.draw(st.integers(0, 9)) == 0:
            s, r = P.reset(s)
        else:
            s, r = P.decide(s, steady, inband)
            assert abs(r["to_x100"] - r["from_x100"]) <= s["step_x100"]
        assert s["target_x100"] <= s["goal_x100"]
        assert r["to_x100"] == s["target_x100"]
        P.validate(s)


@SET
@given(plans(), st.lists(sessions, max_size=12), st.integers(0, 3600), st.integers(0, 100),
       st.integers(0, 100))
def test_one_decision_is_monotone_in_compliance(p, before, steady, pa, pb):
    s, _ = run(p[0], before)
    lo, hi = sorted((pa, pb))
    s_lo, _ = P.decide(s, steady, steady * lo // 100)
    s_hi, _ = P.decide(s, steady, steady * hi // 100)
    assert s_hi["target_x100"] >= s_lo["target_x100"]


@SET
@given(plans(), st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), max_size=25),
       st.integers(300, 3600))
def test_whole_plan_is_monotone_in_compliance(p, pairs, steady):
    """Session by session at least as compliant never ends at a lower target (same steady time)."""
    hi = [(steady, steady * max(a, b) // 100) for a, b in pairs]
    lo = [(steady, steady * min(a, b) // 100) for a, b in pairs]
    s_hi, r_hi = run(p[0], hi)
    s_lo, r_lo = run(p[0], lo)
    for a, b in zip(r_hi, r_lo, strict=True):
        assert a["to_x100"] >= b["to_x100"]


@SET
@given(plans(), st.lists(sessions, max_size=30), st.data())
def test_replay_reproduces_the_plan_exactly(p, seq, data):
    s, r0 = p
    recs = [r0]
    for steady, inband in seq:
        k = data.draw(st.integers(0, 19))
        if k == 0:
            s, r = P.reset(s)
        elif k == 2:
            r = P.snapshot(s)
        elif k == 1:
            s, r = P.set_target(s, data.draw(st.integers(P.MIN_X100, s["goal_x100"])))
        else:
            s, r = P.decide(s, steady, inband)
        recs.append(r)
    assert P.replay(recs) == s
    # through the log: int events, JSON on disk, back to records
    events = [ev for r in recs for ev in P.record_events(r)]
    on_disk = json.loads(json.dumps(events))
    assert P.replay(P.records_from_events(on_disk)) == s
    # a log can also be replayed from any full-state record on
    starts = [i for i, r in enumerate(recs) if "state" in r]
    i = data.draw(st.sampled_from(starts))
    assert P.replay(recs[i:]) == s


def test_replay_rejects_a_log_that_disagrees():
    s, r0 = P.new(16000, 18000)
    s, r1 = P.decide(s, 600, 600)
    s, r2 = P.decide(s, 600, 600)
    forged = dict(r2, to_x100=17500)
    with pytest.raises(ValueError, match="to_x100"):
        P.replay([r0, r1, forged])
    with pytest.raises(ValueError, match="full state"):
        P.replay([r1, r2])
    with pytest.raises(ValueError, match="empty"):
        P.replay([])


@pytest.mark.parametrize("bad, msg", [
    ({"v": 2}, "version"),
    (dict(P.new(16000, 18000)[0], hold_pct=True), "hold_pct must be an int"),
    (dict(P.new(16000, 18000)[0], target_x100=18500), "exceeds the goal"),
    (dict(P.new(16000, 18000)[0], fade=9), "fade must be"),
    ([1, 2], "JSON object"),
])
def test_validate_names_the_problem(bad, msg):
    with pytest.raises(ValueError, match=msg):
        P.validate(bad)


def test_bad_arguments():
    with pytest.raises(ValueError, match="baseline_x100"):
        P.new(5000, 18000)
    with pytest.raises(ValueError, match="in_band_s"):
        P.decide(P.new(16000, 18000)[0], 100, 200)
    with pytest.raises(ValueError, match="target must be"):
        P.set_target(P.new(16000, 18000)[0], 19000)


def test_compliance_meter_counts_steady_time_in_band():
    from pod.core.baseline import SteadyGate
    m = P.ComplianceMeter(band_x100=300, gate=SteadyGate(warmup_ms=60000, settle_ms=10000))
    t = 0
    for i in range(600):  # 10 min at 1 Hz: first minute warm-up, then alternate 2 min in / 1 min out
        minute = i // 60
        cad = 17000 if minute % 3 != 2 else 16500
        m.update(t, cad, 17000)
        t += 1000
    steady_s, in_band_s = m.result_s()
    assert steady_s == 539  # 600 s - 60 s warm-up - the first update has no interval
    assert in_band_s == 539 - 3 * 60


def test_plan_events_survive_the_session_log_codec():
    """The payloads of docs/coaching.md through logcodec: a session log replays on its own."""
    lc = pytest.importorskip("pod.core.logcodec")
    if not hasattr(lc, "encode_records"):
        pytest.skip("logcodec has no encode_records yet")
    s, _ = P.new(16000, 18000)
    s, _ = P.decide(s, 900, 900)  # an earlier session
    recs = [("header", 0, {"fw": "test"})]
    recs += [("event", 0, k, list(v)) for k, v in P.record_events(P.snapshot(s))]
    recs += [("event", 900, "phase", -12), ("event", 950, "alert", [1, 16000, 16500])]
    s, r = P.decide(s, 900, 900)
    recs += [("event", 1000, k, list(v)) for k, v in P.record_events(r)]
    log = lc.decode(lc.encode_records(recs))
    events = [(k, v) for _, k, v in log.events]
    assert ("phase", -12) in events and ("alert", [1, 16000, 16500]) in events
    assert P.replay(P.records_from_events(events)) == s and s["target_x100"] == 17000
