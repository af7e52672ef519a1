"""`cadencepod detect`: the scorer's detector command, and its errors."""
import json
import subprocess
import sys

import pytest
from podtest import FIXTURES


def detect(*args):
    return subprocess.run([sys.executable, "-m", "cadencepod", "detect", *map(str, args)],
                          capture_output=True, text=True)


def test_prints_scorer_json_with_contacts_before_emission():
    rec = FIXTURES / "sacrum-running-treadmill" / "trial04"
    p = detect(str(rec) + ".csv")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    truth = json.loads(rec.with_suffix(".json").read_text())["truth"]["steps"]
    assert abs(len(out["steps"]) - len(truth)) <= 2
    assert all(s["t"] <= s["at"] for s in out["steps"])  # causal: nothing is emitted before it happens
    assert out["cadence"] and all(0 <= spm <= 250 for _, spm in out["cadence"])


def test_engines_agree():
    rec = str(FIXTURES / "lowerback-daily-mobgap" / "HA-001-test11.csv")
    assert detect(rec).stdout == detect("--engine", "micropython", rec).stdout


@pytest.mark.parametrize("content, message", [
    ("a,b,c\n1,2,3\n", "header must be t,ax,ay,az"),
    ("t,ax,ay,az\n0,0,0,1\n0.01,x,0,1\n", "line 3: not a number"),
    ("t,ax,ay,az\n0.02,0,0,1\n0.01,0,0,1\n", "time goes backwards"),
    ("t,ax,ay,az\n0,0,0,1\n", "fewer than two samples"),
])
def test_bad_recording_is_one_clear_line(tmp_path, content, message):
    f = tmp_path / "bad.csv"
    f.write_text(content)
    p = detect(f)
    assert p.returncode == 2
    assert p.stdout == ""
    assert message in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_missing_file_and_bad_option(tmp_path):
    p = detect(tmp_path / "nope.csv")
    assert p.returncode == 2 and "no such file" in p.stderr and "Traceback" not in p.stderr
    p = detect("--odr", "5", tmp_path / "nope.csv")
    assert p.returncode == 2 and "Traceback" not in p.stderr
