"""Helpers (no tests) to run the compiled firmware on the simulated pod: used by test_app_*.py."""
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def micropython():
    from cadencepod.mpbin import micropython_binary

    return micropython_binary()


def build_app(out_dir):
    """The app as `make flash BOARD=sim` builds it: .mpy for x64, into out_dir."""
    sys.path.insert(0, str(ROOT / "host_tools"))
    from cadencepod.commands import flash

    board = flash.load_board("sim")
    flash.build(board, out_dir)
    return pathlib.Path(out_dir)


def _env(build):
    env = dict(os.environ)
    env["MICROPYPATH"] = os.pathsep.join([str(build), ".frozen"])
    return env


def probe_sim_bytes(build, fs, settings="sim.json"):
    """Heap bytes the simulator itself holds for these settings (run_sim --probe)."""
    r = subprocess.run([micropython(), "-X", "heapsize=1M", "-m", "pod.sim.run_sim", "--probe", settings],
                       cwd=fs, env=_env(build), capture_output=True, timeout=120)
    out = r.stdout.decode()
    for line in out.splitlines():
        if line.startswith("sim_heap_bytes"):
            return int(line.split()[1])
    raise AssertionError("probe failed: " + out + r.stderr.decode())


def run_sim(build, fs, heap_kb, settings="sim.json", timeout=300):
    """Run the app on the simulated pod with `-X heapsize=<heap_kb>K`, cwd = the pod's filesystem."""
    return subprocess.run([micropython(), "-X", "heapsize=%dK" % heap_kb, "-m", "pod.sim.run_sim", settings],
                          cwd=fs, env=_env(build), capture_output=True, timeout=timeout)


def sim_pod(work, config, settings):
    """A built app and a pod filesystem under `work` with this config.json and sim.json (the sim
    board by default), and the heap bytes the simulator itself holds for them: (build, fs, sim_bytes)."""
    build = build_app(work / "build")
    fs = work / "fs"
    fs.mkdir()
    (fs / "config.json").write_text(json.dumps(config))
    settings = {"board": str(ROOT / "hardware" / "boards" / "sim.json"), **settings}
    (fs / "sim.json").write_text(json.dumps(settings))
    return build, fs, probe_sim_bytes(build, fs)


def sim_result(fs):
    """The run's result.json, or None when the app did not get to write it."""
    path = fs / "result.json"
    return json.loads(path.read_text()) if path.exists() else None
