"""`cadencepod demo` (make demo) end to end into a temporary folder: no hardware, real recording."""
import json
import pathlib
import subprocess
import sys
import wave

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_demo_writes_its_outputs(tmp_path):
    out = tmp_path / "demo-output"
    r = subprocess.run([sys.executable, "-m", "cadencepod", "demo", "--out", str(out)], capture_output=True,
                       text=True, timeout=600, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["steps_true"] == 249 and abs(s["steps_detected"] - 249) <= 20
    assert s["beats"] > 200 and s["beat_error_us_max"] <= 1000 and s["ticks_wraps"] >= 1
    assert len(s["logs"]) == 1 and s["log_bytes"] > 1000
    with wave.open(str(out / "beats.wav")) as w:
        assert w.getnframes() / w.getframerate() > 70
    for name in s["files"]:
        assert (out / name).stat().st_size > 0
    assert "session 79.4 s" in r.stdout


def test_demo_with_a_missing_recording_is_one_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "cadencepod", "demo", "--recording", str(tmp_path / "no.csv")],
                       capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
