"""Helper (no tests): run the firmware app from source on the simulated pod and read what it left.

Used by test_app_coaching.py, test_app_ble_power.py and tests/ble/bench_ble.py. Runs `micropython -m
pod.sim.run_sim` with firmware/ (plus `path`, e.g. the fake `bluetooth`) on the path, cwd = a scratch
pod filesystem holding config.json and sim.json.
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "firmware"))

from podtest import run_micropython  # noqa: E402

BOARD = ROOT / "hardware" / "boards" / "sim.json"
TREADMILL = ROOT / "tests" / "fixtures" / "sacrum-running-treadmill" / "trial00.csv"
DEMO_RUN = ROOT / "host_tools" / "cadencepod" / "data" / "demo-run.csv"
BLE_FAKES = ROOT / "tests" / "ble" / "fakes"


class SimRun:
    def __init__(self, fs, rc, out, result):
        self.fs = fs
        self.rc = rc
        self.out = out
        self.result = result

    def events(self):
        return read_events(self.fs)

    def onsets(self, kind="buzzer"):
        return [t for t, k, v in self.events() if k == kind and v != "0"]

    def logs(self):
        from pod.core import logcodec

        return [logcodec.decode(p.read_bytes()) for p in sorted((self.fs / "logs").glob("*.cpl"))]

    def plan(self):
        p = self.fs / "plan.json"
        return json.loads(p.read_text()) if p.exists() else None


def run(fs, config, recording=DEMO_RUN, path=(), heap_kb=512, timeout=300, board=BOARD, **settings):
    fs = pathlib.Path(fs)
    fs.mkdir(parents=True, exist_ok=True)
    (fs / "config.json").write_text(json.dumps(config))
    s = {"board": str(board), "recording": str(recording), "loop": True, "preload": True,
         "events": "events.csv", "result": "result.json"}
    s.update(settings)
    (fs / "sim.json").write_text(json.dumps(s))
    p = run_micropython(["-m", "pod.sim.run_sim", "sim.json"], heapsize="%dK" % heap_kb, path=list(path),
                        cwd=str(fs), timeout=timeout)
    out = p.stdout.decode() + p.stderr.decode()
    res = fs / "result.json"
    return SimRun(fs, p.returncode, out, json.loads(res.read_text()) if res.exists() else None)


def plan_state(target_spm=170, fade=0, min_steady_s=30, **kw):
    st = {"v": 1, "baseline_x100": 16000, "goal_x100": 18000, "step_x100": 500,
          "target_x100": target_spm * 100, "hold_n": 2, "hold_pct": 80, "band_x100": 300, "poor_pct": 50,
          "back_n": 2, "min_steady_s": min_steady_s, "streak": 0, "poor": 0, "fade": fade, "seq": 0}
    st.update(kw)
    return st


def read_events(fs):
    """Output events [(t_us, kind, value)] (buzzer, motor, led ...) the sim wrote to fs/events.csv."""
    ev = []
    p = fs / "events.csv"
    if p.exists():
        for line in p.read_text().splitlines():
            t, k, v = line.split(",")
            ev.append((int(t), k, v))
    return ev


def pulses(events, kind="motor"):
    """(start_us, length_us) of each on-period of an output."""
    out = []
    on = None
    for t, k, v in events:
        if k != kind:
            continue
        if v != "0" and on is None:
            on = t
        elif v == "0" and on is not None:
            out.append((on, t - on))
            on = None
    return out
