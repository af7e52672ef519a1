"""`cadencepod bench` (make bench): detector accuracy on the corpus and per-sample cost."""
import json
import os
import pathlib
import shlex
import subprocess
import sys
import tempfile

import click

from .. import recording
from ..detect import FIRMWARE_DIR
from ..errors import PodError
from ..mpbin import micropython_binary

BENCH_SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "mp" / "bench_core.py"
_ROOT = pathlib.Path(__file__).resolve().parents[3]
# Walking and running: a bout of running costs more per sample (a step every 35 samples, each one
# running the rhythm gate and the cadence median).
COST_RECORDINGS = (
    ("walking", _ROOT / "tests" / "fixtures" / "lowerback-daily-mobgap" / "HA-001-test11.csv"),
    ("running", _ROOT / "host_tools" / "cadencepod" / "data" / "demo-run.csv"),
)


def cost_us(csv_path, repeats=5):
    """µs per sample of StepDetector.feed under micropython, beside a no-op call in the same run."""
    t, ax, ay, az = recording.load_csv(str(csv_path))
    samples = recording.to_counts(t, ax, ay, az)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "s.i16")
        with open(path, "wb") as fh:
            fh.write(samples.tobytes())
        env = dict(os.environ, MICROPYPATH="%s:.frozen" % FIRMWARE_DIR)
        p = subprocess.run([micropython_binary(), str(BENCH_SCRIPT), path, str(repeats)],
                           capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise PodError("micropython benchmark failed: %s" % p.stderr.strip()[-300:])
    return json.loads(p.stdout)


@click.command()
@click.option("--shared", type=click.Path(file_okay=False), default="../shared", show_default=True,
              help="The shared folder with data/corpus and eval/score.py.")
@click.option("--engine", type=click.Choice(["cpython", "micropython"]), default="cpython", show_default=True)
@click.option("--skip-accuracy", is_flag=True, help="Only measure the per-sample cost.")
def command(shared, engine, skip_accuracy):
    """Print the scorer's accuracy table and the core's per-sample cost under micropython."""
    if not skip_accuracy:
        score = pathlib.Path(shared) / "eval" / "score.py"
        corpus = pathlib.Path(shared) / "data" / "corpus"
        if not score.exists() or not corpus.is_dir():
            raise PodError("no corpus at %s (expected eval/score.py and data/corpus): pass --shared DIR "
                           "or --skip-accuracy" % shared)
        det = "%s -m cadencepod detect --engine %s {csv}" % (shlex.quote(sys.executable), engine)
        click.echo("accuracy: %s %s --detector %r" % (score, corpus, det))
        p = subprocess.run([sys.executable, str(score), str(corpus), "--detector", det])
        if p.returncode != 0:
            raise PodError("the scorer reported detector failures")
    click.echo("cost under micropython (best of 5; targets: <= 5 us per sample, < 8x the no-op call):")
    for label, path in COST_RECORDINGS:
        r = cost_us(path)
        ratio = r["feed_us"] / r["noop_us"]
        click.echo("  %-8s %6d samples of %-18s feed %.3f us/sample, no-op call %.3f us: %.1fx"
                   % (label, r["samples"], path.name, r["feed_us"], r["noop_us"], ratio))
