"""`cadencepod flash`: clear one-line errors, the build, and end to end onto the simulated pod."""
import json
import os
import pathlib
import shutil
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
# A flash stops the app (Ctrl-C) without a soft reset, so the stopped app's objects stay in the heap
# beside the transfer. x64 objects are 1.3-1.5x the device's and the simulator's own ~130 KB shares the
# heap: 512K leaves the transfer the room a 96 KB pod has (about 30 KB on 32-bit).
POD_HEAP = "512K"


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
    with SimBridge(fs, heapsize=POD_HEAP, transcript=tmp_path / "console.log") as br:
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


# --- copy-then-swap: a flash cut short leaves the old app working -----------------------------------
def flash_sim(br, tmp_path):
    r = cli("flash", "--board", "sim", "--port", br.port, "--build-dir", str(tmp_path / "build"))
    assert r.returncode == 0, r.stderr
    return r


def app_files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def boot_a_short_session(fs, br=None):
    """Power the pod up (again) with a short scripted session; its result.json proves the app ran."""
    rec = ROOT / "tests" / "fixtures" / "sacrum-running-treadmill" / "trial00.csv"
    (fs / "result.json").unlink(missing_ok=True)
    (fs / "sim.json").write_text(json.dumps({"recording": str(rec), "preload": True, "session": [1.0, 5.0],
                                             "end_s": 6, "result": "result.json"}))
    if br is None:
        with SimBridge(fs, heapsize=POD_HEAP) as br:
            wait_for(fs / "result.json", timeout=30)
    else:
        br.kill_device()
        br.start_device()
        wait_for(fs / "result.json", timeout=30)
    assert json.loads((fs / "result.json").read_text())["steps"] >= 5


def test_a_cable_pulled_mid_copy_leaves_the_old_app_running(tmp_path):
    fs = tmp_path / "pod-fs"
    with SimBridge(fs, heapsize=POD_HEAP) as br:
        flash_sim(br, tmp_path)
    (fs / "pod" / "old.txt").write_text("the old app\n")
    old = app_files(fs / "pod")
    for p in fs.rglob("*"):
        os.utime(p, (0, 0))
    n_mpy = len(list((tmp_path / "build" / "pod").rglob("*.mpy")))
    br = SimBridge(fs, heapsize=POD_HEAP)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "cadencepod", "flash", "--board", "sim", "--port",
                                 br.port, "--build-dir", str(tmp_path / "build")],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        end = time.monotonic() + 120
        # half of the new modules written (wherever the flash puts them): pull the cable
        while sum(p.stat().st_mtime > 1e9 for p in fs.rglob("*.mpy")) < n_mpy // 2:
            assert proc.poll() is None and time.monotonic() < end, "the flash ended before the cut"
            time.sleep(0.005)
    finally:
        br.stop()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: lost the pod on "), err
    assert "old app is kept" in lines[0], err
    assert app_files(fs / "pod") == old  # the old app, whole
    boot_a_short_session(fs)  # plugged in again: it runs
    assert (fs / "pod" / "old.txt").exists()


def test_a_copy_that_fails_midway_changes_nothing(tmp_path):
    fs = tmp_path / "pod-fs"
    build = tmp_path / "build"
    with SimBridge(fs, heapsize=POD_HEAP) as br:
        flash_sim(br, tmp_path)
        (fs / "pod" / "old.txt").write_text("the old app\n")
        old = app_files(fs / "pod")
        # a build file that cannot be read, half-way through the sorted copy
        (build / "pod" / "core" / "m_vanished.mpy").symlink_to(tmp_path / "nowhere")
        with pytest.raises(flash.PodError, match="mpremote on .* failed: .*No such file"):
            flash.copy(br.port, build)
        assert app_files(fs / "pod") == old
        boot_a_short_session(fs, br)
        assert not (fs / "pod.new").exists()  # the half-copied staging folder's space is given back
        # the next good flash replaces it all
        (build / "pod" / "core" / "m_vanished.mpy").unlink()
        flash.copy(br.port, build)
        assert app_files(fs / "pod") == app_files(build / "pod")
        assert not (fs / "pod.new").exists() and not (fs / "pod.old").exists()


def test_b_a_leftover_staging_folder_is_replaced(tmp_path):
    fs = tmp_path / "pod-fs"
    (fs / "pod.new" / "core").mkdir(parents=True)
    (fs / "pod.new" / "app.py").write_text("raise ImportError('left over')\n")  # would shadow app.mpy
    (fs / "pod.new" / "core" / "junk.mpy").write_bytes(b"M\x06junk")
    with SimBridge(fs, heapsize=POD_HEAP) as br:
        flash_sim(br, tmp_path)
        assert not (fs / "pod.new").exists() and not (fs / "pod.old").exists()
        assert app_files(fs / "pod") == app_files(tmp_path / "build" / "pod")  # not nested, no junk
        boot_a_short_session(fs, br)


def test_c_power_lost_mid_swap_boots_the_old_app(tmp_path):
    fs = tmp_path / "pod-fs"
    with SimBridge(fs, heapsize=POD_HEAP) as br:
        flash_sim(br, tmp_path)
        old = app_files(fs / "pod")
        # between the swap's two renames: /pod is /pod.old, the complete new tree still /pod.new
        br.kill_device()
        (fs / "pod").rename(fs / "pod.old")
        shutil.copytree(fs / "pod.old", fs / "pod.new")
        boot_a_short_session(fs, br)
        assert app_files(fs / "pod") == old and not (fs / "pod.old").exists()
        # and the next flash starts over cleanly
        flash_sim(br, tmp_path)
        assert not (fs / "pod.new").exists() and not (fs / "pod.old").exists()
        assert app_files(fs / "pod") == old


def test_flash_does_not_soft_reset_the_pod(tmp_path):
    # On an ESP32 a soft reset stops the timer that feeds the watchdog once the app is stopped (the
    # watchdog itself cannot be stopped): the pod would reset mid-copy, and every flash with it.
    fs = tmp_path / "pod-fs"
    with SimBridge(fs, heapsize=POD_HEAP) as br:
        flash_sim(br, tmp_path)
        flash_sim(br, tmp_path)
        assert br.restarts == 0


def test_a_full_pod_is_told_to_free_space_and_keeps_its_app(tmp_path):
    fs = tmp_path / "pod-fs"
    build = tmp_path / "build"
    with SimBridge(fs, heapsize=POD_HEAP) as br:
        flash_sim(br, tmp_path)
        old = app_files(fs / "pod")
        with open(build / "pod" / "huge.bin", "wb") as f:  # sparse: more than this disk holds
            f.truncate(shutil.disk_usage(tmp_path).total + (1 << 30))
        with pytest.raises(flash.PodError, match=r"KiB free, and the new app needs \d+ KiB .* pull --delete"):
            flash.copy(br.port, build)
        assert app_files(fs / "pod") == old and not (fs / "pod.new").exists()
        boot_a_short_session(fs, br)
