"""`cadencepod live` display lines for the coaching events the pod echoes (docs/coaching.md)."""
from cadencepod.commands.live import describe, describe_event
from pod.core import plan as P


def test_coaching_events_read_as_words():
    assert describe_event(7.0, "alert", [2, 17800, 17000]) == \
        "    7.0 s  ALERT too fast: cadence 178.0 spm, target 170 spm"
    assert describe_event(7.0, "alert", 1) == "    7.0 s  ALERT too slow"
    assert describe_event(0.0, "tempo", 16550) == "    0.0 s  beat tempo 165.5 spm"
    assert describe_event(0.0, "sync", 2) == "    0.0 s  beat sync: leading toward the target"
    assert describe_event(3.0, "autostart", 14) == "    3.0 s  auto start (14 earlier steps kept)"
    assert describe_event(9.0, "autostop", 60000) == "    9.0 s  auto stop after 60 s idle"
    st, _ = P.new(16000, 18000)
    st, rec = P.decide(st, 900, 900)
    (k1, v1), = P.record_events(rec)
    assert describe_event(1.0, k1, list(v1)) == "    1.0 s  plan count: target 165 -> 165 spm"


def test_per_step_and_bulky_events_are_not_lines():
    assert describe_event(1.0, "phase", -12) is None
    assert describe_event(1.0, "plan_state", list(range(14))) is None
    # anything else (or a malformed coaching value) still shows, raw
    assert describe_event(1.0, "target", 175) == "    1.0 s  event target 175"
    assert describe_event(1.0, "alert", ["x"]) == "    1.0 s  event alert ['x']"
    assert describe_event(1.0, "sync", 9) == "    1.0 s  event sync 9"

    assert describe(("event", 5000, "phase", -12)) is None
    assert describe(("summary", 5000, 17000, 172, True)).endswith("in band   metronome on")
