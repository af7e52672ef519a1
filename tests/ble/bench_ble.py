"""Benchmark: does BLE change the pipeline's per-sample cost or the metronome's timing? (issue 7)

Runs the unmodified firmware app on the simulated pod (pod.sim) under the real micropython binary,
three times: BLE off, BLE on notifying once a second, BLE on notifying per step (with a simulated
central connected, so notifications really go out through the fake `bluetooth` module). Prints,
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


def run(mode, seconds, speed, spm, workdir):
    d = pathlib.Path(tempfile.mkdtemp(prefix=mode + "-", dir=workdir))
    (d / "board.json").write_text((ROOT / "hardware" / "boards" / "sim.json").read_text())
    (d / "config.json").write_text(json.dumps({"target_spm": spm}))
    events = d / "events.csv"
    (d / "sim.json").write_text(json.dumps({
        "recording": str(RECORDING), "loop": True, "speed": speed, "session": [1.0],
        "end_s": seconds, "events": str(events)}))
    p = run_micropython([str(HERE / "mp_bench_app.py"), mode], path=[HERE / "fakes"], cwd=str(d),
                        timeout=seconds * 4 + 120)
    out = p.stdout.decode()
    line = [x for x in out.splitlines() if x.startswith("BENCH ")]
    if p.returncode != 0 or not line:
        raise SystemExit("bench run %s failed:\n%s\n%s" % (mode, out, p.stderr.decode()))
    r = json.loads(line[0][6:])
    r["beat_err"] = beat_errors_us(events, spm)
    return r


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="sim seconds per run")
    ap.add_argument("--speed", type=float, default=1.0, help="sim speed (1 = real time, 0 = flat out)")
    ap.add_argument("--spm", type=int, default=170, help="metronome target")
    ap.add_argument("--repeat", type=int, default=3, help="runs per mode, interleaved (medians shown)")
    a = ap.parse_args(argv)
    modes = ("off", "second", "step")
    runs = {m: [] for m in modes}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(a.repeat):  # interleaved and rotated: load bursts and warm-up hit every mode
            for m in modes[i % 3:] + modes[: i % 3]:
                runs[m].append(run(m, a.seconds, a.speed, a.spm, tmp))
    print("BLE benchmark on the simulated pod: %.0f s sim x %d runs per mode, speed %g, %d spm target, "
          "unix port" % (a.seconds, a.repeat, a.speed, a.spm))
    print("%-7s %8s %11s %11s %6s %6s %5s %13s %12s %9s" % (
        "ble", "samples", "us/sample", "worst drain", "steps", "beats", "late", "beat |err| us",
        "beat max us", "notified"))
    for m in modes:
        rs = runs[m]
        per_sample = statistics.median(r["drain_us"] / max(1, r["samples"]) for r in rs)
        errs = [[abs(e) for e in r["beat_err"]] for r in rs]
        mean_err = statistics.median(statistics.fmean(e) for e in errs if e) if any(errs) else float("nan")
        max_err = max((max(e) for e in errs if e), default=float("nan"))
        print("%-7s %8d %11.2f %11d %6d %6d %5d %13.0f %12.0f %9s" % (
            m, rs[0]["samples"], per_sample, max(r["drain_max_us_per_sample"] for r in rs),
            rs[0]["steps"], rs[0]["beats"], sum(r["late_beats"] for r in rs), mean_err, max_err,
            rs[0].get("sent", "-")))
    print("us/sample: median over runs of the wall clock inside the app's FIFO drain / samples; worst "
          "drain: the worst per-sample figure of any drain.")
    print("beat |err|: median over runs of the mean absolute deviation of buzzer onsets from an ideal "
          "absolute schedule; beat max: the worst single beat of any run. late: beats dropped late.")
    print("samples, steps, beats and notified are from the first run (identical input every run).")
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
