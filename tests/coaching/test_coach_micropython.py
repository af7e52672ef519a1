"""The coaching core runs unchanged under the real micropython binary, with the same results."""
import os
import subprocess
import sys

from podtest import FIRMWARE, ROOT

SCRIPT = ROOT / "tests" / "coaching" / "mp_coaching.py"


def cpython_output():
    env = dict(os.environ, PYTHONPATH=str(FIRMWARE))
    r = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout.decode()


def test_same_outputs_on_cpython_and_micropython(micropython):
    ref = cpython_output()
    r = micropython([str(SCRIPT)], heapsize="256k", timeout=300)
    assert r.returncode == 0, r.stderr.decode() + r.stdout.decode()
    assert r.stdout.decode() == ref
    lines = ref.splitlines()
    assert lines[-1] == "done"
    assert "plan replay True True" in lines
    assert any(" reason=1 " in ln for ln in lines)  # the season includes a step up
    assert any(ln.startswith("alerts ") and not ln.startswith("alerts 0 ") for ln in lines)
    sync_line = [ln for ln in lines if ln.startswith("sync ")][0]
    assert sync_line.split()[2:4] == ["2", "17000"]  # leading, and at the target


def test_per_step_calls_do_not_allocate(micropython):
    """alerts, baseline, compliance, autostart and sync per-step calls under heap_lock."""
    r = micropython([str(SCRIPT), "heaplock"], heapsize="256k", timeout=300)
    out = r.stdout.decode()
    assert r.returncode == 0 and out.rstrip().endswith("done"), r.stderr.decode() + out
