"""The simulated pod's pty bridge with the real mpremote: fs, run, Ctrl-C of main.py, soft reset."""
import os
import pathlib
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "host_tools"))
from cadencepod.simbridge import SimBridge  # noqa: E402
from podtest import run_cadencepod  # noqa: E402


def mpremote(port, *args):
    return subprocess.run([sys.executable, "-m", "mpremote", "connect", port, *args], capture_output=True,
                          text=True, timeout=60)


@pytest.fixture
def pod(tmp_path):
    fs = tmp_path / "fs"
    fs.mkdir()
    # a main.py that never returns, like the app: mpremote must interrupt it
    (fs / "main.py").write_text("import time\nprint('main up')\nwhile True:\n    time.sleep_ms(5)\n")
    with SimBridge(fs, heapsize="96K", transcript=tmp_path / "console.log") as br:
        yield br, fs, tmp_path / "console.log"


def wait_text(path, text, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.exists() and text in path.read_bytes():
            return True
        time.sleep(0.05)
    return False


def test_fs_cp_ls_cat_and_run(pod, tmp_path):
    br, fs, log = pod
    assert wait_text(log, b"main up")
    src = tmp_path / "hello.txt"
    src.write_bytes(bytes(range(256)) * 40)  # binary, 10 KB
    assert mpremote(br.port, "fs", "mkdir", ":data").returncode == 0
    r = mpremote(br.port, "fs", "cp", str(src), ":data/hello.txt")
    assert r.returncode == 0, r.stderr
    assert (fs / "data" / "hello.txt").read_bytes() == src.read_bytes()  # the pod's filesystem
    back = tmp_path / "back.txt"
    assert mpremote(br.port, "fs", "cp", ":data/hello.txt", str(back)).returncode == 0
    assert back.read_bytes() == src.read_bytes()
    r = mpremote(br.port, "fs", "ls", ":data")
    assert "hello.txt" in r.stdout
    script = tmp_path / "s.py"
    script.write_text("import os\nprint(sorted(os.listdir('data')), 6 * 7)\n")
    r = mpremote(br.port, "run", str(script))
    assert r.returncode == 0 and r.stdout.strip() == "['hello.txt'] 42", r.stdout + r.stderr


def test_soft_reset_restarts_micropython_like_a_board(pod):
    br, fs, log = pod
    assert wait_text(log, b"main up")
    before = br.restarts
    r = mpremote(br.port, "exec", "import sys; sys.modules['marker'] = 1", "soft-reset",
                 "exec", "import sys; print('marker' in sys.modules)")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "False"  # the reset cleared the VM
    assert br.restarts >= before + 1
    # Ctrl-D at the friendly prompt: a soft reboot that runs main.py again
    n = log.read_bytes().count(b"main up")
    os.write(br.host_s, b"\r\x03\x02")
    time.sleep(0.3)
    os.write(br.host_s, b"\x04")
    end = time.monotonic() + 10
    while log.read_bytes().count(b"main up") == n and time.monotonic() < end:
        time.sleep(0.05)
    assert log.read_bytes().count(b"main up") == n + 1


def test_power_cut_and_power_on(pod):
    br, fs, log = pod
    br.kill_device()
    try:  # a dead pod does not answer: mpremote fails or waits forever
        r = subprocess.run([sys.executable, "-m", "mpremote", "connect", br.port, "exec", "print(1)"],
                           capture_output=True, text=True, timeout=4)
        assert r.returncode != 0
    except subprocess.TimeoutExpired:
        pass
    br.start_device()
    r = mpremote(br.port, "exec", "print(6 * 7)")
    assert r.returncode == 0 and r.stdout.strip() == "42"


def test_a_host_command_gives_the_pod_back_to_its_app(pod):
    # `cadencepod config get` stops main.py (the app) to reach the raw REPL; when it is done the pod
    # soft-resets, so main.py (the app) runs again instead of the pod sitting at the REPL.
    br, fs, log = pod
    assert wait_text(log, b"main up")
    (fs / "config.json").write_text('{"target_spm": 175}')
    r = run_cadencepod("config", "get", "target_spm", "--port", br.port, timeout=60)
    assert r.returncode == 0 and "175" in r.stdout, r.stderr
    end = time.monotonic() + 10
    while time.monotonic() < end and log.read_bytes().count(b"main up") < 2:
        time.sleep(0.05)
    assert log.read_bytes().count(b"main up") >= 2  # main.py ran again
