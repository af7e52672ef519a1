"""mypy over firmware/ against the MicroPython ESP32 stubs in typings/ (`make typings`)."""
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not (ROOT / "typings" / "machine.pyi").exists(),
                                reason="stubs not installed: run `make typings` (make test does)")


def mypy(*args):
    return subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "mypy.ini"), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_firmware_typechecks_against_micropython_stubs():
    r = mypy()
    assert r.returncode == 0, r.stdout + r.stderr


def test_stubs_are_in_force_cpython_only_calls_are_errors(tmp_path):
    ok = tmp_path / "ok_dev.py"
    ok.write_text("import machine, time\nfrom micropython import const\n"
                  "p = machine.Pin(4, machine.Pin.IN)\nt = time.ticks_add(time.ticks_us(), const(5))\n")
    bad = tmp_path / "bad_dev.py"
    bad.write_text("import time\nt = time.perf_counter()\n")
    assert mypy(str(ok)).returncode == 0, mypy(str(ok)).stdout
    r = mypy(str(bad))
    assert r.returncode == 1 and "perf_counter" in r.stdout, r.stdout
