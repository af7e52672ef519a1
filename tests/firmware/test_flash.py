"""`cadencepod flash`: clear one-line errors, the build, and end to end onto the simulated pod."""
import json
import pathlib
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "host_tools"))
from cadencepod.commands import flash  # noqa: E402
from cadencepod.simbridge import SimBridge  # noqa: E402
from podtest import run_cadencepod  # noqa: E402

cli = run_cadencepod


@pytest.mark.parametrize("args, msg", [
    (["flash", "--board", "sim"], "no port given"),
    (["flash", "--board", "sim", "--port", "/dev/ttyNOPE0"], "port /dev/ttyNOPE0 not found"),
    (["flash", "--board", "nope", "--port", "/dev/null"], "unknown board 'nope'"),
    (["flash", "--board", "sim", "--port", "/dev/null"], "mpremote on /dev/null failed"),  # not a pod
])
def test_bad_port_or_board_is_one_clear_line(args, msg):
    r = cli(*args)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and msg in lines[0], r.stderr


def test_make_flash_without_port_fails_cleanly():
    r = subprocess.run(["make", "-s", "flash", "BOARD=sim"], cwd=ROOT, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode != 0
    assert "error: no port given" in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


def test_build_for_esp32_board(tmp_path):
    board = flash.load_board("m5stickc_plus2")
    files, mpy_bytes = flash.build(board, tmp_path)
    assert "main.py" in files and "boot.py" in files and "board.json" in files
    assert "pod/app.mpy" in files and "pod/core/metronome.mpy" in files and "pod/hal/esp32.mpy" in files
    assert not [f for f in files if f.startswith("pod/sim/") or f == "pod/hal/sim.mpy"]
    assert not [f for f in files if f.startswith("pod/") and f.endswith(".py")]
    for f in files:
        if f.endswith(".mpy"):
            assert (tmp_path / f).read_bytes()[:2] == b"M\x06"
    assert json.loads((tmp_path / "board.json").read_text())["name"] == "m5stickc_plus2"
    print("\ncompiled app for m5stickc_plus2 (xtensawin): %d bytes of .mpy in %d files"
          % (mpy_bytes, sum(f.endswith(".mpy") for f in files)))


def wait_for(path, timeout=60):
    end = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < end, "timed out waiting for %s" % path
        time.sleep(0.1)
    time.sleep(0.2)


def test_flash_to_the_simulated_pod_then_run(tmp_path):
    fs = tmp_path / "pod-fs"
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps({"target_spm": 175}))
    with SimBridge(fs, heapsize="256K", transcript=tmp_path / "console.log") as br:
        r = cli("flash", "--board", "sim", "--port", br.port, "--config", str(cfg),
                "--build-dir", str(tmp_path / "build"))
        assert r.returncode == 0, r.stderr
        assert "flashed sim" in r.stdout
        for f in ("pod/app.mpy", "main.py", "boot.py", "board.json"):
            assert (fs / f).exists(), f
        # a stale source file must not shadow the new .mpy after the next flash
        (fs / "pod" / "app.py").write_text("raise ImportError('stale')\n")
        r = cli("flash", "--board", "sim", "--port", br.port, "--build-dir", str(tmp_path / "build"))
        assert r.returncode == 0, r.stderr
        assert not (fs / "pod" / "app.py").exists()
        assert json.loads((fs / "config.json").read_text())["target_spm"] == 175  # kept
        # run code on it: the compiled modules load from the pod's filesystem
        script = tmp_path / "check.py"
        script.write_text("import pod.app, pod.core.metronome as m\nprint(pod.app.FW_VERSION, m.__file__)\n")
        r = subprocess.run([sys.executable, "-m", "mpremote", "connect", br.port, "run", str(script)],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert r.stdout.split() == ["0.1.0", "pod/core/metronome.mpy"]
        # power-cycle into main.py: the flashed app runs a short session on a real recording
        rec = ROOT / "tests" / "fixtures" / "sacrum-running-treadmill" / "trial00.csv"
        (fs / "sim.json").write_text(json.dumps({"recording": str(rec), "loop": True, "preload": True,
                                                 "session": [1.0, 9.0], "end_s": 10, "result": "result.json",
                                                 "events": "events.csv"}))
        br.kill_device()
        br.start_device()
        wait_for(fs / "result.json")
    res = json.loads((fs / "result.json").read_text())
    assert res["beats"] >= 20 and res["steps"] >= 15 and res["late_beats"] == 0
    assert list((fs / "logs").glob("*.cpl"))
