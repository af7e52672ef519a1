"""Coaching in the firmware app (issue 5), on the simulated pod with real running recordings.

Each test runs the unmodified app (pod.app from source under the micropython unix port, asyncio on
the sim clock) and checks what it logged (decoded with the host's codec), played (the sim's buzzer
and motor events) and saved (plan.json)."""
import pathlib
import subprocess
import sys
from collections import Counter

from pod.core import plan as pplan
from sim_app import DEMO_RUN, TREADMILL, plan_state, pulses, run


def kinds(log):
    return Counter(e[1] for e in log.events)


def of(log, kind):
    return [(t, v) for t, k, v in log.events if k == kind]


def test_end_to_end_plan_session_logs_snapshot_phase_errors_alerts_and_decision(tmp_path):
    # A real running recording (the demo run, looped), a plan at 170 spm with fade level 1 on the
    # pod: the log must replay the plan, and hold the phase errors and the alerts.
    st = plan_state(target_spm=170, fade=1, min_steady_s=30)
    r = run(tmp_path, {"target_spm": 160, "warmup_s": 20, "alert_gap_s": 20}, recording=DEMO_RUN,
            plan=st, session=[1.0, 181.0], end_s=183)
    assert r.rc == 0 and "Traceback" not in r.out, r.out[-3000:]
    assert "CPL " in r.out  # the store echoes records for `cadencepod live`
    (log,) = r.logs()
    assert log.complete, log.damage
    assert log.header["counts_per_g"] > 0 and log.header["odr_mhz"] == 104000
    k = kinds(log)
    # the plan as it stood at t = 0, then the decision at the end, and they replay to plan.json
    plans = of(log, "plan")
    assert plans[0][0] == 0 and plans[0][1][1] == pplan.SNAPSHOT and k["plan_state"] == 1
    assert len(plans) == 2 and plans[1][1][1] != pplan.SNAPSHOT
    recs = pplan.records_from_events([(kk, v) for _t, kk, v in log.events])
    saved = r.plan()
    assert pplan.replay(recs) == saved and saved["seq"] == 1
    assert r.result["decision"]["reason"] == plans[1][1][1]
    # the metronome played the plan's target (not the config's 160)
    assert ("target" in k) and of(log, "target")[0][1] == 170
    assert {tg for _t, _c, tg, _on in log.summaries} == {170}  # and the summaries carry it
    # a phase error per step while the runner hears the beat, each within half a beat period; none
    # in the silences (fade rests, alerts) once their first unplayed beat has passed
    per_ms = 60000 // 170
    phase_ev = of(log, "phase")
    phases = [v for _t, v in phase_ev]
    assert 0.6 * len(log.steps) <= len(phases) <= 0.95 * len(log.steps) and len(log.steps) > 300
    assert all(abs(e) <= per_ms // 2 + 1 for e in phases)
    beats = [t for t, k, v in r.events() if k == "buzzer" and v != "0"]
    off_ms = beats[0] // 1000 - 500  # sim ms of the session's t = 0: the first beat ends the lead-in
    # (a step is judged when its FIFO batch is read, up to a second after the contact: its beat
    # may already be playing again)
    silences = [(a // 1000 - off_ms + 2 * per_ms, b // 1000 - off_ms - 1000)
                for a, b in zip(beats, beats[1:], strict=False) if b - a > 3 * per_ms * 1000]
    assert silences  # the fade rested at least once
    assert not [t for t, _v in phase_ev if any(a < t < b for a, b in silences)]
    # alerts: after the warm-up, [code, cadence, asked tempo], at least alert_gap_s apart, played
    alerts = of(log, "alert")
    assert alerts, k
    assert all(t >= 20000 and v[0] in (1, 2) and v[2] == 17000 for t, v in alerts)
    assert all(b[0] - a[0] >= 20000 for a, b in zip(alerts, alerts[1:], strict=False))
    want = 400_000 if alerts[0][1][0] == 2 else 80_000  # FAST: two long buzzes; SLOW: three short
    long_pulses = [p for p in pulses(r.events()) if abs(p[1] - want) <= 2000]
    assert len(long_pulses) >= len(alerts) * (2 if want == 400_000 else 3)
    assert r.result["alerts"] == len(alerts)
    # fade level 1 (80 % of each minute) after the warm-up: some beats rest
    assert r.result["beats_faded"] > 0
    # and the host report shows them: phase errors, the alerts fired, the plan's decision
    (cpl,) = sorted((r.fs / "logs").glob("*.cpl"))
    cmd = [sys.executable, "-m", "cadencepod", "report", str(cpl), "-o", str(tmp_path / "rep")]
    rep = subprocess.run(cmd, capture_output=True, text=True)
    assert rep.returncode == 0, rep.stderr
    html = (tmp_path / "rep.html").read_text()
    n_slow = sum(1 for _t, v in alerts if v[0] == 1)
    assert "%d too slow, %d too fast" % (n_slow, len(alerts) - n_slow) in html
    assert "Alerts fired" in html
    assert "phase error (contact - beat)" in html and "over %d steps" % len(phases) in html
    assert pplan.REASONS[plans[1][1][1]] in html
    assert (tmp_path / "rep.png").stat().st_size > 10000
    cad = sorted(c for _t, c, _tg, _on in log.summaries if c)
    print("\ne2e: %d steps, median %.1f spm, %d phase errors (median |e| %d ms), alerts %s, decision %s"
          % (len(log.steps), cad[len(cad) // 2] / 100, len(phases),
             sorted(abs(e) for e in phases)[len(phases) // 2], [v[0] for _t, v in alerts],
             pplan.REASONS[plans[1][1][1]]))


def test_sync_mode_starts_on_the_runner_then_ramps_no_faster_than_the_rate(tmp_path):
    rate = 20  # spm*100 per second
    r = run(tmp_path, {"target_spm": 170, "sync": True, "sync_rate_x100": rate, "use_plan": False},
            recording=TREADMILL, session=[1.0, 91.0], end_s=92)
    assert r.rc == 0 and "Traceback" not in r.out, r.out[-3000:]
    (log,) = r.logs()
    states = [v for _t, v in of(log, "sync")]
    assert states[:3] == [0, 1, 2]  # acquire, lock, lead
    tempos = of(log, "tempo")
    cad = [c for _t, c, _tg, _on in log.summaries if c]
    runner = sorted(cad)[len(cad) // 2]
    assert abs(tempos[0][1] - runner) <= 800  # the beat starts at the runner's own cadence
    for (t0, a), (t1, b) in zip(tempos, tempos[1:], strict=False):
        assert abs(b - a) <= rate * (t1 - t0) // 1000 + 100  # bounded ramp (+ the 1 spm log step)
    phases = [v for _t, v in of(log, "phase")]
    assert all(abs(e) <= 60 for e in phases[:4])  # in phase from the first beats
    onsets = r.onsets("buzzer")
    assert len(onsets) > 100 and r.result["late_beats"] == 0
    gaps = [b - a for a, b in zip(onsets, onsets[1:], strict=False)]
    assert min(gaps) >= 250_000  # never a double beat while the grid is re-anchored
    print("\nsync: runner %.1f spm, tempo %.2f -> %.2f spm over %d s, first phase errors %s"
          % (runner / 100, tempos[0][1] / 100, tempos[-1][1] / 100, (tempos[-1][0] - tempos[0][0]) // 1000,
             phases[:6]))


def test_auto_start_keeps_the_run_up_steps_and_auto_stop_ends_the_session(tmp_path):
    # the demo run once (79 s), then the pod lies still
    r = run(tmp_path, {"autostart": True, "autostart_s": 10, "autostop_s": 5}, recording=DEMO_RUN,
            loop=False, end_s=100)
    assert r.rc == 0 and "Traceback" not in r.out, r.out[-3000:]
    (log,) = r.logs()
    assert log.complete
    (auto,) = of(log, "autostart")
    assert auto[0] == 0 and auto[1] >= 20  # >= 10 s of run-up steps kept
    assert log.steps[0][0] <= 1000  # the session begins at the first kept step
    assert sum(1 for s in log.steps if s[0] < 10000) >= 20
    assert of(log, "autostop") and of(log, "stop")
    assert 60 < r.result["session_s"] < 85


def test_baseline_session_plays_nothing_measures_and_starts_the_plan(tmp_path):
    r = run(tmp_path, {"baseline": True, "plan_goal_spm": 185, "warmup_s": 0}, recording=DEMO_RUN,
            session=[1.0, 101.0], end_s=103)
    assert r.rc == 0 and "Traceback" not in r.out, r.out[-3000:]
    assert r.onsets("buzzer") == [] and r.onsets("motor") == []
    (log,) = r.logs()
    ((_t, (med, steady_s)),) = of(log, "baseline")
    assert 15000 <= med <= 20000 and steady_s >= 60
    st = r.plan()
    assert st["baseline_x100"] == med and st["target_x100"] == min(med + 500, 18500)
    assert of(log, "plan")[0][1][1] == pplan.INIT
    assert all(not on for _t, _c, _tg, on in log.summaries)
    assert not of(log, "phase")


def test_faded_feedback_rests_between_play_windows(tmp_path):
    r = run(tmp_path, {"fade_play_s": 10, "fade_rest_s": 10, "warmup_s": 0, "target_spm": 170},
            recording=DEMO_RUN, session=[1.0, 61.0], end_s=62)
    assert r.rc == 0, r.out[-3000:]
    onsets = r.onsets("buzzer")
    t0 = 1_000_000  # session start (sim us); the fade cycle starts there
    played = Counter(((t - t0) // 10_000_000) % 2 for t in onsets)
    assert played[0] >= 80 and played[1] <= 2  # 3 windows x 10 s x 2.83 beats/s; edges +-1 beat
    assert r.result["beats_faded"] >= 80


def test_the_log_is_closed_even_when_the_app_crashes(tmp_path):
    r = run(tmp_path, {}, recording=TREADMILL, session=[1.0], crash_at_s=8, end_s=20)
    assert "injected crash" in r.out
    (log,) = r.logs()
    assert log.complete and len(log.steps) > 10  # end record written by the finally


def test_phase_errors_with_a_beat_every_second_step_are_against_the_step_grid(tmp_path):
    # A runner on a 2-steps-per-beat metronome steps on the beats and half-way between them: the
    # phase error is measured from the nearest step slot, so both kinds of step are near 0.
    errs = {}
    for spb in (1, 2):
        r = run(tmp_path / str(spb), {"target_spm": 187, "steps_per_beat": spb, "use_plan": False},
                recording=DEMO_RUN, session=[1.0, 61.0], end_s=62)
        assert r.rc == 0, r.out[-3000:]
        (log,) = r.logs()
        e = sorted(abs(v) for _t, v in of(log, "phase"))
        errs[spb] = e[len(e) // 2]
        assert all(v <= 60000 // 187 // 2 + 1 for v in e)  # within half a step, not half a beat
    assert errs[2] <= errs[1] + 40, errs  # the same runner, the same timing


def test_a_long_auto_start_keeps_every_run_up_step(tmp_path):
    r = run(tmp_path, {"autostart": True, "autostart_s": 30, "autostop_s": 5}, recording=DEMO_RUN,
            loop=False, end_s=100)
    assert r.rc == 0 and "Traceback" not in r.out, r.out[-3000:]
    (log,) = r.logs()
    (auto,) = of(log, "autostart")
    assert auto[1] >= 30 * 2.8  # 30 s of run-up at ~187 spm, none dropped
    assert log.steps[0][0] <= 1000


def test_the_fade_rests_only_after_the_warm_up_running_time(tmp_path):
    # 30 s of warm-up running: the beats play all of it, then the 10 s / 10 s cycles start.
    r = run(tmp_path, {"fade_play_s": 10, "fade_rest_s": 10, "warmup_s": 30, "target_spm": 170},
            recording=DEMO_RUN, session=[1.0, 71.0], end_s=72)
    assert r.rc == 0, r.out[-3000:]
    onsets = r.onsets("buzzer")
    gaps = [b - a for a, b in zip(onsets, onsets[1:], strict=False)]
    first_rest = next(a for a, g in zip(onsets, gaps, strict=False) if g > 2_000_000)
    assert first_rest >= 1_000_000 + 30_000_000 + 9_000_000  # warm-up, then a 10 s play window
    assert r.result["beats_faded"] >= 40


def test_sync_alerts_do_not_push_a_runner_between_the_beat_and_the_target(tmp_path):
    # The runner (~187 spm) is above a 175 target: sync starts the beat on the runner and leads it
    # down slowly. A cadence between the beat and the target is on course: no "too slow" for it.
    cfg = {"target_spm": 175, "sync": True, "sync_rate_x100": 5, "alerts": "on", "warmup_s": 0,
           "alert_out_s": 3, "alert_gap_s": 10, "use_plan": False}
    r = run(tmp_path, cfg, recording=DEMO_RUN, session=[1.0, 121.0], end_s=122)
    assert r.rc == 0, r.out[-3000:]
    (log,) = r.logs()
    for _t, (code, cad, asked) in of(log, "alert"):
        assert not (code == 1 and cad >= 17500), (code, cad, asked)  # never "too slow" above the target


def test_walking_never_ends_the_fade_warm_up(tmp_path):
    # Daily-life walking (well under 130 spm): no running time, so the warm-up never ends and the
    # beats never rest, however long the session.
    walk = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "lowerback-daily-mobgap" / \
        "HA-001-test11.csv"
    r = run(tmp_path, {"fade_play_s": 10, "fade_rest_s": 10, "warmup_s": 20, "target_spm": 110},
            recording=walk, session=[1.0, 81.0], end_s=82)
    assert r.rc == 0, r.out[-3000:]
    assert r.result["beats_faded"] == 0 and len(r.onsets("buzzer")) > 140
