"""Exports read back by decoders that are not ours: garmin-fit-sdk, fitdecode, an XML parser, csv."""
import csv
import io
import math
import xml.etree.ElementTree as ET

import fitdecode
from cadencepod.exporters import strides_parts
from cadencepod.exporters.csv_export import raw_corpus_csv, steps_csv, timeline_csv
from cadencepod.exporters.fit_export import build_fit
from cadencepod.exporters.tcx_export import build_tcx
from cadencepod.report import analyze, render_html, render_png
from garmin_fit_sdk import Decoder, Stream
from hypothesis import given, settings
from hypothesis import strategies as st
from logsynth import run_records
from pod.core import logcodec as lc

NS = {"t": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2",
      "x": "http://www.garmin.com/xmlschemas/ActivityExtension/v2"}


def session(**kw):
    return lc.decode(lc.encode_records(run_records(**kw)))


def garmin_read(data):
    dec = Decoder(Stream.from_byte_array(bytearray(data)))
    assert dec.is_fit() and dec.check_integrity()
    msgs, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    return msgs


def test_fit_cadence_in_strides_reads_back_with_both_decoders():
    s = session(duration_s=300)
    data = build_fit(s)
    msgs = garmin_read(data)
    want = {}
    start = s.header["start_s"]
    for (t, cad, _tg, _m) in s.summaries:
        want.setdefault(start + t // 1000, cad / 100.0)
    recs = msgs["record_mesgs"]
    assert len(recs) == len(want)
    for r in recs:
        spm = want[int(r["timestamp"].timestamp())]
        assert abs(2 * (r["cadence"] + r["fractional_cadence"]) - spm) <= 1 / 64 + 1e-9
    sess = msgs["session_mesgs"][0]
    assert sess["sport"] == "running" and sess["message_index"] == 0
    assert msgs["lap_mesgs"][0]["message_index"] == 0
    avg_spm = sum(c / 100.0 for (_t, c, _g, _m) in s.summaries) / len(s.summaries)
    assert abs(2 * (sess["avg_running_cadence"] + sess["avg_fractional_cadence"]) - avg_spm) <= 1 / 64 + 1e-9
    assert sess["max_running_cadence"] >= sess["avg_running_cadence"]
    assert sess["total_strides"] == len(s.steps) // 2
    # fitdecode, independently
    got = []
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as fr:
        for frame in fr:
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record":
                got.append(2 * (frame.get_value("cadence") + frame.get_value("fractional_cadence")))
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "session":
                assert frame.get_value("sport") == "running"
                assert frame.get_value("avg_running_cadence") == sess["avg_running_cadence"]
    assert len(got) == len(recs)
    assert all(abs(a - b) <= 1 / 64 + 1e-9 for a, b in zip(got, [want[k] for k in sorted(want)], strict=True))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(60, 240, allow_nan=False), min_size=1, max_size=20))
def test_fit_any_cadence_round_trips_to_one_64th_spm(spms):
    recs = [("header", 1, {"fw": "t", "board": "sim", "config": {}, "start_s": 1764000000})]
    recs += [("summary", 1000 * (i + 1), int(round(v * 100)), 170, True) for i, v in enumerate(spms)]
    s = lc.decode(lc.encode_records(recs))
    msgs = garmin_read(build_fit(s))
    for r, (_k, _t, cad, _g, _m) in zip(msgs["record_mesgs"], recs[1:], strict=True):
        assert abs(2 * (r["cadence"] + r["fractional_cadence"]) - cad / 100.0) <= 1 / 64 + 1e-9


def test_strides_parts():
    assert strides_parts(181) == (90, 0.5)
    assert strides_parts(180) == (90, 0.0)
    c, f = strides_parts(171.3)
    assert abs(2 * (c + f) - 171.3) <= 1 / 64


def test_tcx_run_cadence_in_strides_reads_back():
    s = session(duration_s=120)
    root = ET.fromstring(build_tcx(s).encode())
    act = root.find("t:Activities/t:Activity", NS)
    assert act.get("Sport") == "Running"
    cads = [int(e.text) for e in act.iter("{%s}RunCadence" % NS["x"])]
    assert cads == [int(round(c / 200.0)) for (_t, c, _g, _m) in s.summaries]
    lap = act.find("t:Lap", NS)
    assert int(lap.find("t:Extensions/x:LX/x:AvgRunCadence", NS).text) in range(80, 90)
    assert float(lap.find("t:TotalTimeSeconds", NS).text) > 100
    assert "strides per minute" in act.find("t:Notes", NS).text
    assert act.find(".//t:Cadence", NS) is None  # <Cadence> is bike cadence: never used


def test_csv_exports_state_units_and_values():
    s = session(duration_s=60)
    rows = list(csv.DictReader(io.StringIO(timeline_csv(s))))
    assert len(rows) == len(s.summaries)
    assert set(rows[0]) >= {"cadence_steps_per_min", "cadence_strides_per_min", "target_steps_per_min"}
    for r, (_t, c, _g, _m) in zip(rows, s.summaries, strict=True):
        assert abs(float(r["cadence_steps_per_min"]) - c / 100.0) < 0.006
        assert abs(float(r["cadence_strides_per_min"]) * 2 - c / 100.0) < 0.02
    steps = list(csv.DictReader(io.StringIO(steps_csv(s))))
    assert len(steps) == len(s.steps) and "step_cadence_steps_per_min" in steps[0]


def test_raw_capture_to_corpus_csv():
    s = session(duration_s=10, raw_s=2)
    text = raw_corpus_csv(s)
    lines = text.splitlines()
    assert lines[0] == "t,ax,ay,az"
    t, ax, ay, az = (float(v) for v in lines[1].split(","))
    assert t == 0.0 and math.isclose(ax, 100 / 4096, abs_tol=1e-5) and math.isclose(az, 1.0, abs_tol=1e-5)
    assert len(lines) == 1 + len(s.raw)


def test_report_numbers_and_files():
    s = session(duration_s=1200, base_spm=170.0)
    a = analyze(s, band_spm=3)
    assert 0.3 < a["time_in_band"] < 1.0
    assert a["drift_spm"] < -2  # the synthetic run slows late
    assert len(a["per_min"]) in (20, 21)
    assert a["per_km"] and a["step_m"] == 1.0
    png = render_png(a, "t")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    html = render_html(a, "t", png)
    assert "strides per minute" in html and "late drift" in html


def test_bundle_writes_the_demo_files(tmp_path):
    from cadencepod.exporters.bundle import write_all

    src = tmp_path / "S00001.cpl"
    src.write_bytes(lc.encode_records(run_records(duration_s=200)))
    paths = write_all(src, tmp_path / "demo-output")
    assert sorted(p.name for p in paths) == ["report.html", "report.png", "session.csv", "session.fit",
                                              "session.tcx"]
    assert all(p.stat().st_size > 0 for p in paths)


def test_report_shows_coaching_events():
    recs = run_records(duration_s=300)
    recs[-2:-2] = [("event", 1000 * i, "phase", (-1) ** i * (10 + i)) for i in range(1, 200)]
    recs[-2:-2] = [("event", 60000, "alert", 1), ("event", 200000, "alert", 2)]
    s = lc.decode(lc.encode_records(recs))
    a = analyze(s)
    assert len(a["phase"]) == 199 and len(a["alerts"]) == 2
    assert a["phase_abs_median_ms"] == 110
    html = render_html(a, "t", render_png(a, "t"))
    assert "median |error| 110 ms" in html and "over 199 steps" in html
    assert "<td>alerts fired</td><td>1 too slow, 1 too fast</td>" in html
    assert [(t, k) for (t, k, _c, _tg) in a["alerts"]] == [(60.0, 1), (200.0, 2)]
