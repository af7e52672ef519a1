"""Run the firmware's detection core over a recording, on CPython or under `micropython`.

Both engines run pod.core.replay over the same int16 samples; their raw events are identical by
design (tests check it) and are turned into the scorer's JSON here.
"""
import os
import pathlib
import subprocess
import tempfile

from pod.core.detector import StepDetector
from pod.core.replay import EV_CADENCE, EV_STEP, Replay

from . import recording
from .errors import PodError, last_line
from .mpbin import micropython_binary

FIRMWARE_DIR = pathlib.Path(__file__).resolve().parents[2] / "firmware"
MP_SCRIPT = pathlib.Path(__file__).resolve().parent / "mp" / "detect_main.py"


def events_cpython(samples, odr_mhz, counts_per_g):
    det = StepDetector(odr_mhz=odr_mhz, counts_per_g=counts_per_g)
    rep = Replay(det)
    events = []
    rep.block(samples, len(samples) // 3, lambda k, i, v: events.append((k, i, v)))
    return events


def events_micropython(samples, odr_mhz, counts_per_g):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "samples.i16")
        with open(path, "wb") as fh:
            fh.write(samples.tobytes())
        env = dict(os.environ, MICROPYPATH="%s:.frozen" % FIRMWARE_DIR)
        p = subprocess.run([micropython_binary(), str(MP_SCRIPT), path, str(odr_mhz), str(counts_per_g)],
                           capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise PodError("micropython engine failed: %s" % last_line(p.stderr or p.stdout))
    events = []
    for line in p.stdout.splitlines():
        k, i, v = line.split()
        events.append((int(k), int(i), int(v)))
    return events


ENGINES = {"cpython": events_cpython, "micropython": events_micropython}


def to_json(events, t0, odr_hz):
    """Scorer format: steps with contact time t and emission time at, plus the shown cadence."""
    steps, cadence = [], []
    for kind, idx, val in events:
        at = t0 + (idx + 1) / odr_hz
        if kind == EV_STEP:
            steps.append({"t": round(at - val / 256.0 / odr_hz, 4), "at": round(at, 4)})
        elif kind == EV_CADENCE:
            cadence.append([round(at, 4), val / 100.0])
    return {"steps": steps, "cadence": cadence}


def detect_file(path, engine="cpython", odr_hz=recording.DEFAULT_ODR_HZ,
                counts_per_g=recording.DEFAULT_COUNTS_PER_G):
    t, ax, ay, az = recording.load_csv(path)
    samples = recording.to_counts(t, ax, ay, az, odr_hz=odr_hz, counts_per_g=counts_per_g)
    odr_mhz = int(round(odr_hz * 1000))
    events = ENGINES[engine](samples, odr_mhz, counts_per_g)
    return to_json(events, t[0], odr_hz)
