"""`cadencepod plan show|set|reset` against the simulated pod over USB (SimBridge: micropython on a pty,
its cwd the pod's flash), plus the same edits on a local --file."""
import json
import os
import pathlib
import subprocess
import sys

import pytest
from cadencepod.simbridge import SimBridge
from pod.core import plan as P

ROOT = pathlib.Path(__file__).resolve().parents[2]


def cli(*args):
    env = dict(os.environ, CADENCEPOD_IDLE_S="2")
    env.pop("CADENCEPOD_PORT", None)
    return subprocess.run([sys.executable, "-m", "cadencepod"] + list(args), capture_output=True, text=True,
                          timeout=120, env=env, cwd=ROOT)


def one_line_error(r):
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert "Traceback" not in r.stderr
    return lines[0]


@pytest.fixture(scope="module")
def pod(tmp_path_factory):
    flash = tmp_path_factory.mktemp("flash")
    br = SimBridge(flash, path=[ROOT / "firmware"], autorun=False)
    yield br, flash
    br.stop()


def test_set_show_reset_on_the_pod(pod):
    br, flash = pod
    plan_file = flash / "plan.json"
    if plan_file.exists():
        plan_file.unlink()
    line = one_line_error(cli("plan", "show", "--port", br.port))
    assert "no plan on the pod" in line
    line = one_line_error(cli("plan", "set", "--port", br.port, "--goal", "180"))
    assert "plan.json on the pod does not exist: a new plan needs --baseline and --goal" in line
    assert not plan_file.exists()

    r = cli("plan", "set", "--port", br.port, "--baseline", "160", "--goal", "180")
    assert r.returncode == 0, r.stderr
    assert "init, target 0 -> 165 spm" in r.stdout and "saved to plan.json on the pod" in r.stdout
    st = P.validate(json.loads(plan_file.read_text()))  # the pod's own file, readable by the firmware
    assert (st["baseline_x100"], st["target_x100"], st["goal_x100"]) == (16000, 16500, 18000)

    r = cli("plan", "set", "-p", br.port, "--target", "172", "--hold-sessions", "3")
    assert r.returncode == 0 and "set, target 165 -> 172 spm" in r.stdout, r.stderr
    st = json.loads(plan_file.read_text())
    assert (st["target_x100"], st["hold_n"]) == (17200, 3)

    r = cli("plan", "show", "--port", br.port, "--json")
    assert r.returncode == 0 and json.loads(r.stdout) == st
    r = cli("plan", "show", "--port", br.port)
    assert r.returncode == 0 and "172 spm" in r.stdout and "goal (cap)" in r.stdout

    # refused edits write nothing to the pod
    before = plan_file.read_bytes()
    for args, msg in [(("--target", "185"), "at most the goal"), (("--baseline", "20"), "--baseline must be"),
                      (("--hold-pct", "30"), "must not exceed hold_pct")]:
        line = one_line_error(cli("plan", "set", "--port", br.port, *args))
        assert msg in line
        assert plan_file.read_bytes() == before

    r = cli("plan", "reset", "--port", br.port)
    assert r.returncode == 0 and "reset, target 172 -> 165 spm" in r.stdout, r.stderr
    assert json.loads(plan_file.read_text())["target_x100"] == 16500
    assert not (flash / "plan.json.tmp").exists()


def test_a_damaged_plan_on_the_pod_is_one_line_and_kept(pod):
    br, flash = pod
    (flash / "plan.json").write_text("{oops")
    line = one_line_error(cli("plan", "reset", "--port", br.port))
    assert "plan.json on the pod is not valid JSON" in line
    assert (flash / "plan.json").read_text() == "{oops"
    (flash / "plan.json").write_text('{"v": 1, "target_x100": 17000}')
    line = one_line_error(cli("plan", "show", "--port", br.port))
    assert "plan.json on the pod: plan state lacks baseline_x100" in line


def test_port_and_file_together_and_no_pod(tmp_path):
    line = one_line_error(cli("plan", "show", "--port", "/dev/ttyUSB9", "--file", str(tmp_path / "p.json")))
    assert "not both" in line
    line = one_line_error(cli("plan", "show", "--port", str(tmp_path / "nothing")))
    assert "no device at" in line
    line = one_line_error(cli("plan", "show", "--bogus"))
    assert "bad option" in line


def test_a_dead_pod_is_one_line(tmp_path):
    flash = tmp_path / "flash"
    with SimBridge(flash, path=[ROOT / "firmware"], autorun=False) as br:
        br.kill_device()
        line = one_line_error(cli("plan", "show", "--port", br.port))
    assert "MicroPython" in line or "answer" in line
