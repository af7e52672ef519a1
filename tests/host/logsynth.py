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


def coached_records(plan_state, *, duration_s=1200, start_s=1764000000, session=1, skill=0.8, seed=1,
                    metronome=True, goal_x100=0):
    """(records, new plan state, end-of-session decision record) of one coached run.

    The coaching events come from the pod's own core (alerts.CadenceAlerts, sync.phase_error_ms,
    plan.ComplianceMeter + plan.decide, plan.record_events), so the log has the shape the app writes:
    plan snapshot + plan_state at t=0, sync/tempo, a phase error per contact, alerts, the decision.
    `skill` (0..1) is how closely the runner holds the target; a stop at a light sits mid-run; with
    metronome=False it is a baseline run (no beat, no phase, no alerts) that ends, as the app's does,
    with a `baseline` event [median_x100, steady_s] and, given goal_x100, the new plan's init records.
    """
    import random

    from pod.core import alerts as A
    from pod.core import baseline as B
    from pod.core import plan as P
    from pod.core import sync as S

    rnd = random.Random(seed)
    target = plan_state["target_x100"] if plan_state else 0
    tgt_spm = target / 100.0
    natural = plan_state["baseline_x100"] / 100.0 if plan_state else 160.0
    hdr = {"fw": "test", "board": "sim", "session": session, "start_s": start_s, "counts_per_g": 4096,
           "config": {"target_spm": int(tgt_spm) if metronome else 0}}
    recs = [("header", lc.FORMAT_VERSION, hdr)]
    recs.append(("event", 0, "start", int(tgt_spm)))
    if plan_state and metronome:
        for kind, v in P.record_events(P.snapshot(plan_state)):
            recs.append(("event", 0, kind, list(v)))
    end_ms = duration_s * 1000
    stop_at, stop_len = end_ms * 0.55, 30000
    slow_at, fast_at = end_ms * 0.35, end_ms * 0.75

    def cadence(t):
        if stop_at <= t < stop_at + stop_len:
            return 0.0
        if not metronome:
            return natural + 2 * math.sin(t / 41000.0)
        warm = min(1.0, t / 180000.0)
        spm = natural + (tgt_spm - natural) * warm * skill + (1 - skill) * 2 * math.sin(t / 23000.0)
        if slow_at <= t < slow_at + 45000:
            spm = tgt_spm - 9
        elif fast_at <= t < fast_at + 35000:
            spm = tgt_spm + 8
        return spm

    al = A.CadenceAlerts(band_x100=plan_state["band_x100"] if plan_state else 300)
    meter = P.ComplianceMeter(band_x100=plan_state["band_x100"] if plan_state else 300)
    base = B.BaselineMeter()
    if metronome:
        recs.append(("event", 0, "sync", 2))
        recs.append(("event", 0, "tempo", target))
    period = int(round(60000.0 / tgt_spm)) if metronome else 0  # the beat grid, whole ms
    t = 0.0
    steps = 0
    next_s = 1000
    next_sum = 5000
    lag = rnd.uniform(-25, 30)
    while t < end_ms:
        spm = cadence(t)
        if spm <= 0:
            t += 500
        else:
            prev = t
            t += 60000.0 / spm + rnd.gauss(0, 4)
            if metronome and abs(spm - tgt_spm) <= 2:  # on the beat: steps land at the runner's own lag
                t = max(prev + 200, round((t - lag) / period) * period + lag + rnd.gauss(0, 12))
            steps += 1
            recs.append(("step", int(t), int(round(t - prev))))
            if metronome:  # off tempo the steps drift through the beat grid
                recs.append(("event", int(t), "phase", S.phase_error_ms(int(t), 0, period)))
        while next_s <= t:
            cad = int(round(cadence(next_s) * 100))
            if metronome:
                a = al.update(next_s, cad, target)
                if a:
                    recs.append(("event", next_s, "alert", [a, cad, target]))
            meter.update(next_s, cad, target)
            base.update(next_s, cad)
            if next_s >= next_sum:
                recs.append(("summary", next_s, cad, int(tgt_spm) if metronome else 0, metronome))
                next_sum += 5000
            next_s += 1000
    t_end = int(t)
    new_state, rec = plan_state, None
    if plan_state and metronome:
        new_state, rec = P.decide(plan_state, *meter.result_s())
        for kind, v in P.record_events(rec):
            recs.append(("event", t_end, kind, list(v)))
    elif not metronome:
        med = base.median_x100()
        recs.append(("event", t_end, "baseline", [med, base.steady_ms() // 1000]))
        if med and goal_x100:
            new_state, rec = P.new(med, goal_x100)
            for kind, v in P.record_events(rec):
                recs.append(("event", t_end, kind, list(v)))
    recs.append(("event", t_end, "stop", steps))
    recs.append(("end", t_end, steps))
    return recs, new_state, rec


def season(n=9, *, goal_x100=17500, start_s=1764000000, every_days=3.5, duration_s=900):
    """[(name, bytes)] of a baseline run (which starts the plan, as on the pod) then n coached runs,
    the plan carried from one to the next."""
    out = []
    recs, st, _r = coached_records(None, start_s=start_s, session=1, metronome=False, duration_s=duration_s,
                                   goal_x100=goal_x100)
    out.append(("S00001.cpl", lc.encode_records(recs)))
    for i in range(n):
        skill = 0.95 if i % 4 != 3 else 0.3  # now and then a poor session
        recs, st, _rec = coached_records(st, start_s=int(start_s + (i + 1) * every_days * 86400),
                                         session=i + 2, skill=skill, seed=i, duration_s=duration_s)
        out.append(("S%05d.cpl" % (i + 2), lc.encode_records(recs)))
    return out
