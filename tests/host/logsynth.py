"""Synthetic session logs for host tests: a run with a cadence that drifts, summaries, events."""
import math

from pod.core import logcodec as lc


def run_records(duration_s=600, base_spm=168.0, target=170, summary_s=5, start_s=1764000000, raw_s=0):
    """Record tuples of a run whose cadence wanders +-4 spm around base_spm and drops late."""
    recs = [("header", lc.FORMAT_VERSION, {"fw": "test", "board": "sim", "session": 7, "start_s": start_s,
                                           "counts_per_g": 4096, "config": {"target_spm": target}})]
    recs.append(("event", 0, "start", 0))
    t_ms = 0.0
    next_sum = summary_s * 1000
    steps = 0
    while t_ms < duration_s * 1000:
        frac = t_ms / (duration_s * 1000.0)
        spm = base_spm + 4 * math.sin(t_ms / 37000.0) - (6 * (frac - 0.75) / 0.25 if frac > 0.75 else 0)
        iv = 60000.0 / spm
        t_ms += iv
        steps += 1
        recs.append(("step", int(t_ms), int(round(iv))))
        if t_ms >= next_sum:
            recs.append(("summary", int(t_ms), int(round(spm * 100)), target, True))
            next_sum += summary_s * 1000
    if raw_s:
        for k in range(0, raw_s * 104, 26):
            samples = [(k * 10 + i * 10, 100 + i, -50, 4096 - i) for i in range(26)]
            recs.append(("raw", samples[0][0], samples))
    recs.append(("event", int(t_ms), "stop", 0))
    recs.append(("end", int(t_ms), steps))
    return recs


def run_bytes(**kw):
    return lc.encode_records(run_records(**kw))
