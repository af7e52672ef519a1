"""`cadencepod config calibrate`: step length for the BLE speed from a session of known distance."""
import json

from logsynth import run_bytes
from pod.core import logcodec as lc
from podtest import run_cadencepod

cli = run_cadencepod


def session(tmp_path):
    p = tmp_path / "S00007.cpl"
    p.write_bytes(run_bytes(duration_s=300))
    return p, len(lc.decode(p.read_bytes()).steps)


def test_prints_the_step_length_and_writes_it_only_when_asked(tmp_path):
    p, steps = session(tmp_path)
    cfg = tmp_path / "config.json"
    r = cli("config", "calibrate", p, "--distance-m", 1000, "--file", cfg)
    want = (1000000 + steps // 2) // steps
    assert r.returncode == 0, r.stderr
    assert "%d steps over 1000 m -> step length %d mm" % (steps, want) in r.stdout
    assert not cfg.exists()
    r = cli("config", "calibrate", p, "--distance-m", 1000, "--apply", "--file", cfg)
    assert r.returncode == 0, r.stderr
    assert json.loads(cfg.read_text())["ble"]["step_mm"] == want


def test_an_impossible_distance_is_one_line_and_writes_nothing(tmp_path):
    p, _ = session(tmp_path)
    cfg = tmp_path / "config.json"
    r = cli("config", "calibrate", p, "--distance-m", 50, "--apply", "--file", cfg)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not cfg.exists()
