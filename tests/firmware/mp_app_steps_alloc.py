# Run under the real micropython binary (test_app_alloc.py): the app's per-sample and per-step path
# (clock tick, detector, App._steps with phase error, Sync, auto start/stop bookkeeping) allocates
# nothing; with the session log on, only the log codec's one CRC memoryview per record.
# argv: board.json, recording.csv, config JSON. Prints one "RESULT <json>" line.
import gc
import json
import sys

import micropython
from pod import app as podapp
from pod import board as podboard
from pod import config as podconfig
from pod.sim.board_sim import SimHardware

board_path, csv_path, cfg_json = sys.argv[1], sys.argv[2], sys.argv[3]
board = podboard.load(board_path)
hw = SimHardware(board, {"recording": csv_path, "preload": True, "loop": True})
cfg, _w = podconfig.validate(json.loads(cfg_json))
app = podapp.App(hw, board, cfg)
app._open_imu(hw.ticks_ms())
app._coach()
app.start_session()
app._played = app._heard = True  # no metronome task here: as if the first beat played at t = 0
app._first_beat_ms = app._beat_ms = 0
app.log.log.store.flush_ms = 1 << 29  # no write-out inside the measured windows (not per step)

# the recording as int16 counts, resampled (nearest row) to the IMU's rate, looped to 3000 samples
cpg = app.imu.counts_per_g
rows = []
with open(csv_path) as f:
    f.readline()
    for line in f:
        p = line.split(",")
        rows.append((float(p[0]), int(float(p[1]) * cpg), int(float(p[2]) * cpg), int(float(p[3]) * cpg)))
span = rows[-1][0] - rows[0][0]
rate = (len(rows) - 1) / span
xs, ys, zs = [], [], []
for i in range(3000):
    j = int(i * 1000 * rate / (app.imu.odr_mhz / 1000) + 0.5) % len(rows)
    xs.append(rows[j][1])
    ys.append(rows[j][2])
    zs.append(rows[j][3])
rows = None
n = len(xs)
clock = app.clock
det = app.det


def feed(i0, i1):
    k_total = 0
    i = i0
    while i < i1:
        clock.tick()
        k = det.feed(xs[i], ys[i], zs[i])
        if k:
            app._steps(k)
            k_total += k
        i += 1
    return k_total


out = {}
feed(0, 600)  # warm up: the detector in gait, sync acquiring, the beat grid set
# 1) per-sample and per-step work with the log's records switched off: no allocation at all
log = app.log.log
app.log.log = None
exc = None
steps = 0  # globals exist before the lock (a new global is a dict insert)
micropython.heap_lock()
try:
    steps = feed(600, 1400)
except MemoryError as e:
    exc = e
    steps = -1
micropython.heap_unlock()
err = None
if exc is not None:
    sys.print_exception(exc)
    err = str(exc)
app.log.log = log
out["locked_steps"] = steps
out["locked_error"] = err
# 2) with the log: bytes allocated per step (gc off so nothing is reclaimed meanwhile)
gc.collect()
gc.disable()
a0 = gc.mem_alloc()
s0 = app.steps
feed(1400, min(n, 2200))
a1 = gc.mem_alloc()
gc.enable()
k = app.steps - s0
out["logged_steps"] = k
out["alloc_per_step"] = (a1 - a0) / max(1, k)
out["phases"] = app.phases + (app.coach.phases if app.coach is not None else 0)
print("RESULT " + json.dumps(out))
