"""`cadencepod report` coaching additions (compliance per minute, phase error, alerts, plan decisions)
and `cadencepod progress` across an archive. Logs are built with the codec from the pod's own coaching
core (logsynth.coached_records), as the app writes them."""
import io
import json

import pytest
from cadencepod import progress as PR
from cadencepod.cli import main
from cadencepod.report import alerts_of, analyze, plan_of, render_html, render_png
from logsynth import coached_records, run_bytes, season
from pod.core import logcodec as lc
from pod.core import plan as P


def decode(recs):
    return lc.decode(lc.encode_records(recs))


@pytest.fixture(scope="module")
def coached():
    st, _ = P.new(16000, 17500)
    recs, new_st, rec = coached_records(st, duration_s=1200)
    return decode(recs), st, new_st, rec


def run(capsys, *args):
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    return exc.value.code, out, err


def png_size(png):
    from PIL import Image

    return Image.open(io.BytesIO(png)).size


def test_alerts_phase_and_plan_are_read_from_the_log(coached):
    s, st, new_st, rec = coached
    a = analyze(s)
    logged = [(t, v) for (t, k, v) in s.events if k == "alert"]
    assert [(t / 1000.0, v[0], v[1] / 100.0, v[2] / 100.0) for (t, v) in logged] == a["alerts"]
    assert {k for (_t, k, _c, _tg) in a["alerts"]} == {1, 2}  # the slow patch and the fast patch
    for (_t, k, c, tg) in a["alerts"]:
        assert (c < tg) if k == 1 else (c > tg)
    n_phase = sum(1 for (_t, k, _v) in s.events if k == "phase")
    assert len(a["phase"]) == n_phase > 1000
    # the runner holds the beat at a steady lag most of the time: a tight distribution around it
    assert abs(a["phase_median_ms"]) <= 35 and a["phase_iqr_ms"] < 60
    assert a["phase_trend"] and all(abs(v) <= 200 for (_t, v) in a["phase_trend"])
    assert a["tempo"] == [(0.0, st["target_x100"] / 100.0)]
    assert a["plan_note"] is None
    assert [r["reason"] for r in a["plan"]] == [P.SNAPSHOT, rec["reason"]]
    assert P.replay(a["plan"]) == new_st


def test_compliance_per_minute_follows_the_cadence(coached):
    s, st, _n, _r = coached
    a = analyze(s)
    per_min = {m: c for (m, c, _t) in a["per_min"]}
    tgt = st["target_x100"] / 100.0
    for m, c in per_min.items():
        rows = [r for r in a["rows"] if int(r[0] // 60) == m and r[5]]
        inside = sum(1 for r in rows if abs(r[2] - tgt) <= 3)
        assert c == pytest.approx(inside / len(rows), abs=0.2)
    slow_min = int(a["alerts"][0][0] // 60)  # the minute of the slow patch
    assert per_min[slow_min] < 0.5
    assert max(per_min.values()) == 1.0


def test_alert_as_a_bare_code_takes_the_timeline_cadence():
    rows = [(0.0, 5, 150.0, 165, False, True, 0), (5.0, 5, 160.0, 165, False, True, 10)]
    assert alerts_of([(7000, "alert", 1), (8000, "alert", "junk")], rows) == [(7.0, 1, 160.0, 0.0)]


def test_a_tampered_plan_decision_is_reported(coached):
    s, *_ = coached
    events = [(t, k, list(v)) if k == "plan" else (t, k, v) for (t, k, v) in s.events]
    last = max(i for i, e in enumerate(events) if e[1] == "plan")
    events[last][2][3] += 500  # the log claims a target the rules did not give
    recs, note = plan_of(events)
    assert len(recs) == 2 and note.startswith("plan decisions do not replay")
    assert plan_of([(0, "plan", [1, 2])])[1].startswith("plan events unreadable")
    assert plan_of([(0, "start", 0)]) == ([], None)


def test_png_and_html_show_the_coaching(coached):
    s, *_ = coached
    a = analyze(s)
    png = render_png(a, "coached")
    plain = render_png(analyze(lc.decode(run_bytes(duration_s=300))), "plain")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    # the coached report has the two phase-error panels (one more row of charts)
    w, h = png_size(png)
    w2, h2 = png_size(plain)
    assert w == w2 and h > h2
    html = render_html(a, "coached", png)
    assert "<h2>Alerts fired</h2>" in html and "too slow" in html and "too fast" in html
    assert "1 too slow, 1 too fast" in html
    assert "<h2>Plan decisions</h2>" in html and "<td>count</td>" in html and "91 %" in html
    assert "median |error|" in html and "over %d steps" % len(a["phase"]) in html
    assert "<td>phase</td>" not in html  # per-contact events stay out of the events table


def test_report_cli_on_a_coached_session(capsys, coached, tmp_path):
    s, *_ = coached
    arch = tmp_path / "a"
    arch.mkdir()
    (arch / "S00002.cpl").write_bytes(lc.encode_records(s.records))
    code, out, err = run(capsys, "report", "S00002", "--archive", str(arch), "-o", str(tmp_path / "r"))
    assert code in (0, None), err
    assert "wrote" in out and (tmp_path / "r.png").stat().st_size > 20000
    assert "Plan decisions" in (tmp_path / "r.html").read_text()


@pytest.fixture(scope="module")
def season_archive(tmp_path_factory):
    d = tmp_path_factory.mktemp("archive")
    for name, data in season(n=9, duration_s=900):
        (d / name).write_bytes(data)
    return d


def test_progress_points_follow_the_plan(season_archive):
    from cadencepod.archive import load_file

    files = sorted(season_archive.glob("*.cpl"))
    pts = PR.points_of([(f.stem, f, load_file(f)) for f in files])
    assert [p["name"] for p in pts] == [f.stem for f in files]
    assert pts[0]["baseline_run"] and pts[0]["target_spm"] is None and pts[0]["decision"] is None
    assert pts[0]["compliance_pct"] is None  # a baseline run has nothing to comply with
    # the baseline run's point is the pod's own measurement, and the plan it started carries it on
    s0 = load_file(files[0])
    (measured_x100, steady_s), = [v for (_t, k, v) in s0.events if k == "baseline"]
    assert steady_s > 300 and abs(measured_x100 / 100 - 160) < 2
    assert pts[0]["median_spm"] == measured_x100 / 100 == PR.natural_baseline(pts)
    assert all(p["baseline_spm"] == measured_x100 / 100 for p in pts)
    assert pts[1]["target_spm"] == (measured_x100 + 500) / 100
    # each session starts at the target the previous decision left
    for prev, cur in zip(pts[1:], pts[2:], strict=False):
        assert cur["target_spm"] == prev["next_target_spm"]
    ups = [p for p in pts if p["decision"] == "up"]
    assert ups and all(p["next_target_spm"] == min(p["target_spm"] + 5, 175) for p in ups)
    assert max(p["target_spm"] or 0 for p in pts) <= 175  # never past the goal
    assert all(p["judged_by"] == "pod" for p in pts[1:])


def test_progress_cli(capsys, season_archive, tmp_path):
    code, out, err = run(capsys, "progress", "--archive", str(season_archive), "-o", str(tmp_path / "p"))
    assert code in (0, None), err
    assert "10 sessions; baseline 160.5 spm" in out  # what the pod measured in S00001
    png = (tmp_path / "p.png").read_bytes()
    assert png[:4] == b"\x89PNG" and png_size(png)[0] > 800
    html = (tmp_path / "p.html").read_text()
    assert html.count("<td>coached</td>") == 9 and "baseline run" in html and "up &rarr;" in html


def test_progress_skips_a_corrupt_log_with_a_warning(capsys, season_archive, tmp_path):
    arch = tmp_path / "a"
    arch.mkdir()
    for f in sorted(season_archive.glob("*.cpl"))[:3]:
        (arch / f.name).write_bytes(f.read_bytes())
    (arch / "S00099.cpl").write_bytes(b"\x00garbage" * 40)
    code, out, err = run(capsys, "progress", "--archive", str(arch))
    assert code in (0, None), err
    assert err.startswith("warning: skipped corrupt log S00099.cpl") and err.count("\n") == 1
    assert "3 sessions" in out and (arch / "progress.png").exists()
    assert (arch / "S00099.cpl").read_bytes() == b"\x00garbage" * 40


def test_progress_errors_are_one_line(capsys, tmp_path):
    code, _out, err = run(capsys, "progress", "--archive", str(tmp_path / "none"))
    assert code == 2 and err.startswith("error: no sessions in the archive") and err.count("\n") == 1
    arch = tmp_path / "short"
    arch.mkdir()
    (arch / "S00001.cpl").write_bytes(run_bytes(duration_s=30))
    code, _out, err = run(capsys, "progress", "--archive", str(arch))
    assert code == 2 and "has a minute of running" in err and err.count("\n") == 1


def test_the_plan_events_survive_json(coached):
    # plan / plan_state / alert are lists: they travel as T_EVENT_X JSON and come back as int lists
    s, *_ = coached
    for (_t, k, v) in s.events:
        if k in ("plan", "plan_state", "alert"):
            assert isinstance(v, list) and all(isinstance(x, int) for x in v), (k, v)
            json.dumps(v)


def test_progress_marks_a_target_set_by_hand():
    st, _ = P.new(16000, 18000)
    loaded = []
    for i in range(3):
        if i == 2:
            st, _rec = P.set_target(st, 17200)  # `cadencepod plan set --target 172` between sessions
        recs, st, _rec = coached_records(st, start_s=1764000000 + i * 86400 * 3, session=i + 1, seed=i,
                                         duration_s=400)
        loaded.append(("S%05d" % (i + 1), None, decode(recs)))
    pts = PR.points_of(loaded)
    assert [p["set_by_hand"] for p in pts] == [False, False, True]
    assert pts[2]["target_spm"] == 172
    html = PR.render_html(pts, "t", PR.render_png(pts, "t"))
    assert html.count("target set by hand before it") == 1


def test_the_band_defaults_to_the_plans(coached):
    st, _ = P.new(16000, 17500, band_x100=450)
    recs, *_ = coached_records(st, duration_s=300)
    assert analyze(decode(recs))["band_spm"] == 4.5
    assert analyze(decode(recs), band_spm=2)["band_spm"] == 2
    assert analyze(lc.decode(run_bytes(duration_s=120)))["band_spm"] == 3.0  # no plan in the log


def test_a_baseline_run_reports_the_measured_cadence_not_compliance(capsys, season_archive, tmp_path):
    code, out, err = run(capsys, "report", "S00001", "--archive", str(season_archive),
                         "-o", str(tmp_path / "b"))
    assert code in (0, None), err
    assert "no target in this session (metronome off); baseline run: natural cadence 160.5 spm" in out
    a = analyze(lc.decode((season_archive / "S00001.cpl").read_bytes()))
    assert a["per_min"] == [] and a["judged_time_s"] == 0 and a["run_time_s"] > 600
    assert a["baseline"][0] == 160.5
    html = (tmp_path / "b.html").read_text()
    assert "plan started: baseline 160.5 spm" not in html  # that line is the PNG's; the table has the plan
    assert "<td>init</td>" in html and "natural cadence 160.5 spm" in html
