"""Report and progress numbers at the edges: a damaged stretch, the last summary, a walk with a
target, the calibrated step length, sessions pulled without a clock, a silent plan session."""
import datetime

from cadencepod.progress import points_of, session_number
from cadencepod.report import analyze, no_judgement
from logsynth import coached_records, run_records
from pod.core import logcodec as lc
from pod.core import plan as P


def ten_minutes(spm_after_2min=16000):
    recs = [("header", lc.FORMAT_VERSION, {"fw": "t", "board": "sim", "start_s": 1764000000,
                                           "config": {"target_spm": 170, "summary_s": 5}}),
            ("event", 0, "start", 170)]
    for t in range(5000, 600001, 5000):
        recs.append(("summary", t, 17000 if t <= 120000 else spm_after_2min, 170, True))
    return recs + [("event", 600000, "stop", 0), ("end", 600000, 0)]


def test_a_damaged_stretch_is_no_data_not_the_last_good_cadence():
    data = bytearray(lc.encode_records(ten_minutes()))
    intact = analyze(lc.decode(bytes(data)))
    assert round(100 * intact["time_in_band"]) == 20
    i0, i1 = len(data) * 22 // 100, len(data) * 90 // 100
    data[i0:i1] = b"\xff" * (i1 - i0)  # garbage over minutes 2..9
    s = lc.decode(bytes(data), resync=True)
    a = analyze(s)
    span = len(s.summaries) * 5 * 2  # each readable summary stands for at most two periods
    assert a["run_time_s"] <= span <= 300  # of the 595 s the intact log has
    assert a["band_time_s"] <= 125  # the 2 minutes in band, not the gap after them
    assert all(secs > 0 for _m, _c, secs in a["per_min"])


def test_the_last_summary_adds_no_extra_minute():
    a = analyze(lc.decode(lc.encode_records(ten_minutes())))
    assert [m for m, _c, _s in a["per_min"]] == list(range(10))  # minutes 0..9 of a 10-minute run


def test_a_walk_with_a_target_says_there_was_no_running_to_judge():
    a = analyze(lc.decode(lc.encode_records(run_records(duration_s=300, base_spm=110.0, target=170))))
    assert not a["judged_time_s"] and "no running" in no_judgement(a)
    a = analyze(lc.decode(lc.encode_records(run_records(duration_s=300, base_spm=110.0, target=0))))
    assert "no target" in no_judgement(a)


def test_per_km_compliance_uses_the_calibrated_step_length():
    recs = run_records(duration_s=600)
    recs[0][2]["config"]["ble"] = {"step_mm": 800}
    s = lc.decode(lc.encode_records(recs))
    a = analyze(s)
    km = len(s.steps) * 0.8 / 1000
    assert len(a["per_km"]) == int(km) + 1  # 1.0 m steps would give one more kilometre


def _season_without_clock(durations):
    st, _ = P.new(16000, 18000, hold_n=1, min_steady_s=60)
    loaded = []
    for i, d in enumerate(durations):
        recs, st, _rec = coached_records(st, start_s=None, session=i + 1, skill=0.95, seed=i, duration_s=d)
        loaded.append(("S%05d" % (i + 1), None, lc.decode(lc.encode_records(recs))))
    return loaded


def test_sessions_without_a_clock_keep_the_pods_order():
    # pulled together: one file time, so the estimated starts order them by duration
    pts = points_of(_season_without_clock([3600, 1200, 2400]))
    assert [p["name"] for p in pts] == ["S00001", "S00002", "S00003"]
    assert not any(p["set_by_hand"] for p in pts)
    assert all(b["when"] > a["when"] for a, b in zip(pts, pts[1:], strict=False))
    assert all(isinstance(p["when"], datetime.datetime) for p in pts)


def test_a_plan_session_with_the_output_off_is_not_a_baseline_run():
    st, _ = P.new(16000, 18000, hold_n=1, min_steady_s=60)
    recs, _st, _rec = coached_records(st, session=1, skill=0.95, duration_s=1200)
    silent = [(r[0], r[1], r[2], r[3], False) if r[0] == "summary" else r for r in recs]
    (p,) = points_of([("S00001", None, lc.decode(lc.encode_records(silent)))])
    assert not p["baseline_run"] and p["target_spm"] == st["target_x100"] / 100.0


def test_the_session_number_from_a_name_ignores_the_hash_of_a_second_pods_file():
    no_number = lc.decode(lc.encode_records(run_records(duration_s=30)))
    no_number.header.pop("session", None)
    assert session_number("S00042.cpl", no_number) == 42
    assert session_number("S00001-c518d30a.cpl", no_number) == 1  # was 151830: "c518d30a" has digits
