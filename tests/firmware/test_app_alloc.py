"""The app's per-sample and per-step work allocates nothing on MicroPython (issue 5: integer-only, no
allocation in the per-sample path), checked under micropython.heap_lock with the real binary; with the
session log on, each record costs only the codec's CRC memoryview (tests/logs bounds that)."""
import json

import pytest
from podtest import run_micropython
from sim_app import BOARD, TREADMILL

SCRIPT = __file__.replace("test_app_alloc.py", "mp_app_steps_alloc.py")


@pytest.mark.parametrize("cfg", [
    {"ble": {"enabled": False}},  # the phase error against the metronome's grid
    {"ble": {"enabled": False}, "sync": True, "autostart": True},  # Sync and auto start bookkeeping too
], ids=["grid", "sync+autostart"])
def test_per_step_path_allocates_nothing(cfg, tmp_path):
    p = run_micropython([SCRIPT, str(BOARD), str(TREADMILL), json.dumps(cfg)], heapsize="8M", timeout=120,
                        cwd=str(tmp_path))  # the pod's filesystem (logs/)
    out = p.stdout.decode() + p.stderr.decode()
    line = [x for x in out.splitlines() if x.startswith("RESULT ")]
    assert p.returncode == 0 and line, out[-3000:]
    r = json.loads(line[0][7:])
    assert r["locked_error"] is None and r["locked_steps"] > 5, r  # steps happened under heap_lock
    assert r["phases"] > 5, r
    # one step record with its phase error: the codec's one CRC memoryview (x64: 32 B), nothing else
    assert r["logged_steps"] > 5 and r["alloc_per_step"] <= 32, r
    print("\n%s: %d steps under heap_lock, %.1f B allocated per logged step" % (
        "+".join(sorted(cfg)), r["locked_steps"], r["alloc_per_step"]))
