"""`cadencepod sim`: the simulated pod. `bridge` serves it on a pty for mpremote / cadencepod pull;
`run` runs the app on a recording headless (accelerated) and renders the beats to a WAV."""
import json
import os
import pathlib
import subprocess
import time

import click

from ..clickutil import Group, Number, target_spm_type
from ..errors import PodError, last_line
from . import flash as flashcmd

ROOT = pathlib.Path(__file__).resolve().parents[3]
# the device's 96 KB + the simulator's own share: see tests/firmware/test_app_session.py
DEFAULT_HEAP = "288K"


@click.group("sim", cls=Group)
def command():
    """The simulated pod: the unmodified firmware on the micropython binary."""


@command.command("bridge")
@click.option("--fs", "fs_dir", default="sim-pod", show_default=True, type=click.Path(file_okay=False),
              help="host folder that is the pod's filesystem")
@click.option("--heapsize", default=DEFAULT_HEAP, show_default=True)
@click.option("--flash/--no-flash", "do_flash", default=True, help="flash the firmware (board sim) first")
def bridge(fs_dir, heapsize, do_flash):
    """Serve a simulated pod on a pty until Ctrl-C; use the printed port with mpremote or cadencepod."""
    from ..simbridge import SimBridge

    fs = pathlib.Path(fs_dir)
    with SimBridge(fs, heapsize=heapsize, transcript=fs.parent / (fs.name + "-console.log")) as br:
        if do_flash:
            board = flashcmd.load_board("sim")
            out = ROOT / "build" / "flash-sim"
            flashcmd.build(board, out)
            flashcmd.copy(br.port, out)
        click.echo(br.port)
        click.echo("simulated pod on %s (filesystem %s); put a sim.json there to feed its IMU; Ctrl-C stops"
                   % (br.port, fs), err=True)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass


@command.command("run")
@click.argument("recording", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_dir", default="sim-output", show_default=True, type=click.Path(file_okay=False))
@click.option("--minutes", type=Number(), default=None, help="session length (loops the recording); "
              "default: the recording once")
@click.option("--speed", type=Number(), default=0.0, show_default=True,
              help="0 = as fast as possible, 1 = real time")
@click.option("--target", "target_spm", type=target_spm_type(), default=None, help="metronome target, spm")
@click.option("--heapsize", default=DEFAULT_HEAP, show_default=True)
def run(recording, out_dir, minutes, speed, target_spm, heapsize):
    """Run one session of the app on RECORDING (corpus CSV) and write beats.wav and the log."""
    from ..simwav import beat_errors_us, read_events, render

    if speed and speed < 1:
        raise PodError("--speed must be 0 (as fast as possible) or >= 1")
    out = pathlib.Path(out_dir).resolve()
    fs = out / "pod-fs"
    fs.mkdir(parents=True, exist_ok=True)
    build = out / "build"
    flashcmd.build(flashcmd.load_board("sim"), build)
    if target_spm:
        (fs / "config.json").write_text(json.dumps({"target_spm": target_spm}))
    else:
        (fs / "config.json").unlink(missing_ok=True)  # no --target: the default, not the last run's
    if minutes:
        length = minutes * 60
    else:
        last = pathlib.Path(recording).read_text().strip().splitlines()[-1]
        try:
            length = float(last.split(",")[0])
        except ValueError:
            raise PodError("%s is not a corpus CSV (t,ax,ay,az)" % recording) from None
    settings = {"board": str(build / "board.json"), "recording": str(pathlib.Path(recording).resolve()),
                "loop": bool(minutes), "preload": True, "speed": speed, "start_us": (1 << 30) - 20_000_000,
                "session": [1.0, 1.0 + length], "end_s": length + 2.0, "events": "events.csv",
                "result": "result.json"}
    (fs / "sim.json").write_text(json.dumps(settings))
    env = dict(os.environ, MICROPYPATH=os.pathsep.join([str(build), ".frozen"]))
    from ..mpbin import micropython_binary

    r = subprocess.run([micropython_binary(), "-X", "heapsize=%s" % heapsize, "-m", "pod.sim.run_sim",
                        "sim.json"], cwd=fs, env=env, capture_output=True, text=True)
    (out / "console.log").write_text(r.stdout + r.stderr)
    if r.returncode != 0 or not (fs / "result.json").exists():
        raise PodError("the simulated pod failed: %s (see %s)"
                       % (last_line(r.stderr or r.stdout), out / "console.log"))
    res = json.loads((fs / "result.json").read_text())
    events = read_events(fs / "events.csv")
    render(events, out / "beats.wav")
    cfg = json.loads((fs / "config.json").read_text()) if (fs / "config.json").exists() else {}
    errs = beat_errors_us(events, cfg.get("target_spm", 170))
    click.echo("%.0f s session: %d steps, %d beats (worst %s us off the schedule), cadence %.1f spm, "
               "heap %d B after GC, ticks wrap crossed %d time(s)"
               % (res["session_s"], res["steps"], res["beats"], max((abs(e) for e in errs), default="-"),
                  res["cadence_x100"] / 100, res["heap_after_gc"], res["ticks_wraps"]))
    click.echo("wrote %s/beats.wav, the log in %s/logs" % (out_dir, fs))
