"""Numbers that are not numbers, and an export aimed at a session log: one-line errors, exit 2, and
no file touched."""

import pytest
from logsynth import run_bytes
from podtest import run_cadencepod

cli = run_cadencepod


@pytest.mark.parametrize("args", [
    ["plan", "set", "--band", "nan"],
    ["plan", "set", "--goal", "inf"],
    ["report", "last", "--step-length", "nan"],
    ["report", "last", "--band", "nan"],
    ["config", "calibrate", "--distance-m", "inf"],
    ["sim", "run", "x.csv", "--speed", "-inf"],
])
def test_nan_and_inf_are_one_line_errors(args):
    r = cli(*args)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("error: ") and "not a finite number" in r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_export_never_writes_over_a_session_log(tmp_path):
    arch = tmp_path / "arch"
    arch.mkdir()
    src = arch / "S00001.cpl"
    data = run_bytes(duration_s=60)
    src.write_bytes(data)
    for out in (src, arch / "S00002.cpl", arch / "S00001.ok"):
        r = cli("export", "1", "-f", "csv", "-o", str(out), "--archive", str(arch))
        assert r.returncode == 2 and "refusing to write over" in r.stderr, r.stderr
    assert src.read_bytes() == data and not (arch / "S00002.cpl").exists()
