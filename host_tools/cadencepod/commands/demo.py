"""`cadencepod demo` (`make demo`): a whole session on the simulated pod, no hardware needed.

Steps (one function each, run in order by `command`):
  1. prepare       a fresh demo-output/ with an empty pod filesystem in it;
  2. power_on      the simulated pod on a pty (cadencepod.simbridge);
  3. flash         the firmware for board `sim` over that pty with mpremote (as `make flash` does);
  4. configure     the sim: which recording feeds the fake IMU, the button presses that start and
                   stop the session (a file the simulator reads, beside the device's files);
  5. run_session   soft reset -> main.py runs the unmodified app until the recording ends;
  6. render_beats  the buzzer/motor events to demo-output/beats.wav (before the pull: the pull's
                   closing soft reset starts the app again, and that run rewrites the events file);
  7. pull_logs     the session log over the pty with mpremote;
  8. export_and_report  session.csv/.fit/.tcx and report.html/.png (cadencepod export / report);
  9. summarize     print and write demo-output/summary.json.
"""
import json
import pathlib
import shutil
import subprocess
import sys
import time

import click

from ..clickutil import Command, target_spm_type
from ..errors import PodError, last_line
from ..outdir import fresh_dir
from . import flash as flashcmd

ROOT = pathlib.Path(__file__).resolve().parents[3]
DATA = pathlib.Path(__file__).resolve().parents[1] / "data"
DEFAULT_RECORDING = DATA / "demo-run.csv"
TICKS_WRAP_US = 1 << 30
# The device's 96 KB + the simulator's own share (recording in memory, fakes, ~130 KB on x64) +
# 16 KB for the fragmentation it causes: see tests/firmware/test_app_session.py.
HEAPSIZE = "288K"  # (the app loads first here, as on a pod: a little more room for fragmentation)


class Demo:
    def __init__(self, out_dir, recording, target_spm=180, speed=0.0, heapsize=HEAPSIZE):
        self.out = pathlib.Path(out_dir).resolve()
        self.recording = pathlib.Path(recording).resolve()
        self.target_spm = target_spm
        self.speed = speed
        self.heapsize = heapsize
        self.flash_dir = self.out / "pod-fs"
        self.bridge = None
        self.result = None
        self.logs = []
        self.wav = None
        self.beat_errors = []
        self.made = []

    # 1
    def prepare(self):
        if not self.recording.exists():
            raise PodError("recording %s not found" % self.recording)
        fresh_dir(self.out, "--out", ours=("summary.json", "pod-fs"))
        self.flash_dir.mkdir(parents=True)

    # 2
    def power_on(self):
        from ..simbridge import SimBridge

        self.bridge = SimBridge(self.flash_dir, heapsize=self.heapsize, transcript=self.out / "console.log")
        return self.bridge.port

    # 3
    def flash(self):
        board = flashcmd.load_board("sim")
        files, mpy_bytes = flashcmd.build(board, self.out / "build")
        cfg = self.out / "build" / "config.json"
        cfg.write_text(json.dumps({"target_spm": self.target_spm, "output": "both", "accent_every": 4}))
        flashcmd.copy(self.bridge.port, self.out / "build")
        return len(files), mpy_bytes

    # 4
    def configure(self):
        meta = self.recording.with_suffix(".json")
        duration_s = None
        if meta.exists():
            duration_s = json.loads(meta.read_text()).get("duration_s")
        if duration_s is None:
            duration_s = _csv_duration(self.recording)
        settings = {
            "recording": str(self.recording),
            "preload": True,
            "speed": self.speed,
            "start_us": TICKS_WRAP_US - 20_000_000,  # the ticks wrap comes 20 s into the run
            "odr_error_ppm": 2500,  # a real part's rate is off: the app calibrates it
            "session": [1.0, round(duration_s + 1.0, 3)],  # button A presses: start, stop
            "end_s": round(duration_s + 3.0, 3),
            "events": "sim-events.csv",
            "result": "sim-result.json",
        }
        (self.flash_dir / "sim.json").write_text(json.dumps(settings, indent=1))
        return settings

    # 5
    def run_session(self, timeout_s=300):
        result = self.flash_dir / "sim-result.json"
        if result.exists():
            result.unlink()
        flashcmd.mpremote(self.bridge.port, "soft-reset")  # raw-REPL reset: main.py does not run
        console = self.out / "console.log"
        mark = console.stat().st_size if console.exists() else 0
        _friendly_reset(self.bridge)
        end = time.monotonic() + timeout_s
        while not result.exists():
            with open(console, "rb") as f:
                f.seek(mark)
                said = f.read()
            if b"Traceback" in said:  # the app died: say why instead of waiting
                last = said.decode(errors="replace").strip().splitlines()[-4:]
                err = [x for x in last if "Error" in x or "Exception" in x]
                raise PodError("the simulated pod failed: %s (see %s)" % ((err or last)[-1].strip(), console))
            if time.monotonic() > end:
                raise PodError("the simulated session did not finish in %d s (see %s)" % (timeout_s, console))
            time.sleep(0.2)
        time.sleep(0.2)
        self.result = json.loads(result.read_text())
        return self.result

    # 7
    def pull_logs(self):
        """`cadencepod pull` over the pty into demo-output/archive (verified by sha256)."""
        archive = self.out / "archive"
        r = subprocess.run([sys.executable, "-m", "cadencepod", "pull", "--port", self.bridge.port,
                            "--archive", str(archive)], capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise PodError("pull from the simulated pod failed: %s"
                           % last_line(r.stderr or r.stdout))
        self.logs = sorted(archive.rglob("*.cpl"))
        return self.logs

    # 6
    def render_beats(self):
        from ..simwav import beat_errors_us, read_events, render

        events = read_events(self.flash_dir / "sim-events.csv")
        self.wav = self.out / "beats.wav"
        seconds, beats = render(events, self.wav)
        shutil.copyfile(self.flash_dir / "sim-events.csv", self.out / "events.csv")
        self.beat_errors = beat_errors_us(events, self.target_spm)
        return seconds, beats

    # 8
    def export_and_report(self):
        """session.csv/.fit/.tcx and report.html/.png with `cadencepod export` / `cadencepod report`."""
        if not self.logs:
            raise PodError("no session log was pulled from the simulated pod")
        log = str(self.logs[-1])
        made = []
        jobs = [["export", log, "--format", f, "--output", str(self.out / ("session." + f))]
                for f in ("csv", "fit", "tcx")]
        jobs.append(["report", log, "--output", str(self.out / "report")])
        for args in jobs:
            r = subprocess.run([sys.executable, "-m", "cadencepod", *args], capture_output=True, text=True,
                               timeout=300)
            if r.returncode != 0:
                raise PodError("cadencepod %s failed: %s" % (args[0], last_line(r.stderr or r.stdout)))
        for name in ("session.csv", "session.fit", "session.tcx", "report.html", "report.png"):
            if (self.out / name).exists():
                made.append(name)
        self.made = made
        return made

    # 9
    def summarize(self):
        r = self.result or {}
        summary = {
            "recording": str(self.recording.relative_to(ROOT) if self.recording.is_relative_to(ROOT)
                             else self.recording),
            "target_spm": self.target_spm,
            "session_s": r.get("session_s"),
            "steps_detected": r.get("steps"),
            "steps_true": _true_steps(self.recording),
            "cadence_spm_last": (r.get("cadence_x100") or 0) / 100.0,
            "beats": r.get("beats"),
            "beat_error_us_max": max((abs(e) for e in self.beat_errors), default=None),
            "beat_error_us_last": self.beat_errors[-1] if self.beat_errors else None,
            "ticks_wraps": r.get("ticks_wraps"),
            "heap_bytes_after_gc": r.get("heap_after_gc"),
            "odr_mhz_calibrated": r.get("odr_mhz"),
            "logs": [str(p.relative_to(self.out)) for p in self.logs],
            "console": "console.log",
            "log_bytes": sum(p.stat().st_size for p in self.logs),
            "beats_wav": "beats.wav" if self.wav else None,
            "files": self.made,
        }
        (self.out / "summary.json").write_text(json.dumps(summary, indent=1))
        return summary

    def stop(self):
        if self.bridge is not None:
            self.bridge.stop()
            self.bridge = None


def _friendly_reset(bridge):
    # Ctrl-B (leave raw REPL) then Ctrl-D at the friendly prompt: a soft reset that runs main.py.
    import os

    os.write(bridge.host_s, b"\r\x03\x02")
    time.sleep(0.2)
    os.write(bridge.host_s, b"\x04")


def _csv_duration(path):
    last = None
    with open(path) as f:
        for line in f:
            last = line
    try:
        return float(last.split(",")[0])
    except (AttributeError, ValueError):
        raise PodError("%s is not a corpus CSV (t,ax,ay,az)" % path) from None


def _true_steps(recording):
    meta = recording.with_suffix(".json")
    if not meta.exists():
        return None
    truth = json.loads(meta.read_text()).get("truth", {})
    return len(truth.get("steps", [])) or None


@click.command("demo", cls=Command)
@click.option("--recording", type=click.Path(exists=True, dir_okay=False), default=str(DEFAULT_RECORDING),
              show_default=True, help="corpus CSV (t,ax,ay,az in g) that feeds the fake IMU")
@click.option("--out", "out_dir", default="demo-output", show_default=True)
@click.option("--target", "target_spm", type=target_spm_type(), default=180, show_default=True,
              help="metronome target, spm")
@click.option("--speed", default=0.0, show_default=True,
              help="sim speed: 0 = as fast as possible, 1 = real time")
def command(recording, out_dir, target_spm, speed):
    """Run a session on a real recording through the simulated pod; write demo-output/."""
    demo = Demo(out_dir, recording, target_spm=target_spm, speed=speed)
    step = "prepare"
    try:
        demo.prepare()
        step = "power on"
        port = demo.power_on()
        click.echo("simulated pod on %s (filesystem %s)" % (port, demo.flash_dir))
        step = "flash"
        n, size = demo.flash()
        click.echo("flashed %d files, %d bytes of .mpy" % (n, size))
        step = "configure"
        demo.configure()
        step = "session"
        click.echo("running the session on %s ..." % demo.recording.name)
        demo.run_session()
        step = "beats"
        demo.render_beats()
        step = "pull"
        demo.pull_logs()
        step = "export and report"
        demo.export_and_report()
        s = demo.summarize()
    except subprocess.TimeoutExpired:
        raise PodError("demo step %r timed out" % step) from None
    finally:
        demo.stop()
    click.echo("session %.1f s: %s steps detected (%s true), last cadence %.1f spm, target %d spm"
               % (s["session_s"] or 0, s["steps_detected"], s["steps_true"], s["cadence_spm_last"],
                  target_spm))
    click.echo("%s beats, worst beat error %s us, ticks wrap crossed %s time(s), heap %s bytes after GC"
               % (s["beats"], s["beat_error_us_max"], s["ticks_wraps"], s["heap_bytes_after_gc"]))
    click.echo("pulled %d log file(s), %d bytes; wrote into %s/: beats.wav, %s, summary.json"
               % (len(s["logs"]), s["log_bytes"], out_dir, ", ".join(s["files"])))
    if sys.stdout.isatty():
        click.echo("listen: aplay %s/beats.wav" % out_dir)
