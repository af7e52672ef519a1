"""Benchmark: does BLE change the pipeline's per-sample cost or the metronome's timing? (issue 7)

Runs the unmodified firmware app on the simulated pod (pod.sim) under the real micropython binary,
three times: BLE off, BLE on notifying once a second, BLE on notifying per step (with a simulated
central connected, so notifications really go out through the fake `bluetooth` module). BLE is
wired by the app itself (config "ble": pod.ble.start, svc.step() per step, svc.set_battery());
the sim times each FIFO drain (settings time_drain, ble_central_s: pod.sim.board_sim). Prints,
per run: the pipeline's CPU time per IMU sample (wall clock inside the app's FIFO drain, mean and
worst drain), steps, metronome beats, late beats, and each beat's error against the ideal absolute
schedule (from the sim's buzzer events), and the notifications sent.

speed=1 (default) runs the sim in real time, so CPU spent anywhere (BLE included) can delay a beat;
speed=0 runs as fast as possible (sim time then only moves when every task sleeps, so beat timing is
exact by construction and only the CPU figures mean something).

    .venv/bin/python tests/ble/bench_ble.py [--seconds 30] [--speed 1] [--spm 170]

Figures are from the unix port on this machine, not an ESP32: compare the rows with each other.
A last line times the BLE calls on their own (step(), notify() into the fake radio, the encoder):
the pipeline-level rows are noisy to a few us/sample on a shared machine, this bounds BLE's share.
"""
import argparse
import json
import pathlib
import statistics
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests"))

sys.path.insert(0, str(ROOT / "tests" / "firmware"))

import sim_app  # noqa: E402
from podtest import run_micropython  # noqa: E402

RECORDING = ROOT / "tests" / "fixtures" / "sacrum-running-treadmill" / "trial00.csv"


def beat_errors_us(events_csv, spm):
    """Each beat onset's error against t0 + k * period, t0 fitted as the mean offset (us)."""
    onsets = []
    for line in pathlib.Path(events_csv).read_text().splitlines():
        t, kind, value = line.split(",")
        if kind == "buzzer" and value != "0":
            onsets.append(int(t))
    if len(onsets) < 3:
        return []
    period = 60e6 / spm
    k = [round((t - onsets[0]) / period) for t in onsets]
    resid = [t - onsets[0] - kk * period for t, kk in zip(onsets, k, strict=True)]
    mean = statistics.fmean(resid)
    return [r - mean for r in resid]


def run(mode, seconds, speed, spm, workdir, light_sleep="off"):
    """One run of the app on the simulated pod with BLE wired by the app itself (config "ble")."""
    ble = {"enabled": False} if mode == "off" else {"notify": mode}
    d = pathlib.Path(tempfile.mkdtemp(prefix=mode + "-", dir=workdir))
    r = sim_app.run(d, {"target_spm": spm, "ble": ble, "light_sleep": light_sleep}, recording=RECORDING,
                    path=[HERE / "fakes"], speed=speed, session=[1.0], end_s=seconds, time_drain=True,
                    ble_central_s=0.2, timeout=seconds * 4 + 120, heap_kb=1024)
    if r.rc != 0 or r.result is None:
        raise SystemExit("bench run %s failed:\n%s" % (mode, r.out[-3000:]))
    res = dict(r.result)
    res["mode"] = mode
    res["samples"] = res["drained"]
    res["sent"] = res.get("ble_sent", "-")
    res["beat_err"] = beat_errors_us(d / "events.csv", spm)
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="sim seconds per run")
    ap.add_argument("--speed", type=float, default=1.0, help="sim speed (1 = real time, 0 = flat out)")
    ap.add_argument("--spm", type=int, default=170, help="metronome target")
    ap.add_argument("--repeat", type=int, default=3, help="runs per mode, interleaved (medians shown)")
    ap.add_argument("--light-sleep", default="off", choices=("off", "auto"),
                    help="the app's light_sleep setting (off: compare BLE alone; auto: the board's default)")
    a = ap.parse_args(argv)
    modes = ("off", "second", "step")
    runs = {m: [] for m in modes}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(a.repeat):  # interleaved and rotated: load bursts and warm-up hit every mode
            for m in modes[i % 3:] + modes[: i % 3]:
                runs[m].append(run(m, a.seconds, a.speed, a.spm, tmp, a.light_sleep))
    print("BLE benchmark on the simulated pod: %.0f s sim x %d runs per mode, speed %g, %d spm target, "
          "light sleep %s, unix port" % (a.seconds, a.repeat, a.speed, a.spm, a.light_sleep))
    print("%-7s %8s %11s %11s %6s %6s %5s %13s %12s %9s %8s" % (
        "ble", "samples", "us/sample", "worst drain", "steps", "beats", "late", "beat |err| us",
        "beat max us", "notified", "wakes/s"))
    for m in modes:
        rs = runs[m]
        per_sample = statistics.median(r["drain_us"] / max(1, r["samples"]) for r in rs)
        errs = [[abs(e) for e in r["beat_err"]] for r in rs]
        mean_err = statistics.median(statistics.fmean(e) for e in errs if e) if any(errs) else float("nan")
        max_err = max((max(e) for e in errs if e), default=float("nan"))
        print("%-7s %8d %11.2f %11d %6d %6d %5d %13.0f %12.0f %9s %8.2f" % (
            m, rs[0]["samples"], per_sample, max(r["drain_max_us_per_sample"] for r in rs),
            rs[0]["steps"], rs[0]["beats"], sum(r["late_beats"] for r in rs), mean_err, max_err,
            rs[0].get("sent", "-"), statistics.median(r["wakes_per_s"] for r in rs)))
    print("us/sample: median over runs of the wall clock inside the app's FIFO drain / samples; worst "
          "drain: the worst per-sample figure of any drain.")
    print("beat |err|: median over runs of the mean absolute deviation of buzzer onsets from an ideal "
          "absolute schedule; beat max: the worst single beat of any run. late: beats dropped late.")
    print("samples, steps, beats and notified are from the first run (identical input every run); "
          "wakes/s: light-sleep exits per second (0 with light sleep off, and while a central is connected).")
    p = run_micropython([str(HERE / "mp_bench_app.py"), "micro"], path=[HERE / "fakes"], timeout=300)
    line = [x for x in p.stdout.decode().splitlines() if x.startswith("BENCH ")]
    if p.returncode != 0 or not line:
        raise SystemExit("micro bench failed:\n%s%s" % (p.stdout.decode(), p.stderr.decode()))
    m = json.loads(line[0][6:])
    per_sample = (m["step_us"] * 3 + m["notify_us"]) / 104  # 3 steps/s, 1 notification/s, 104 Hz
    print("BLE calls on their own: step() %.2f us, notify() %.2f us (fake radio), encode %.2f us; at 180 spm"
          " and 1 Hz that is %.3f us per 104 Hz sample" % (m["step_us"], m["notify_us"], m["encode_us"],
                                                             per_sample))


if __name__ == "__main__":
    main()
