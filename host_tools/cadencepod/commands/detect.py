"""`cadencepod detect FILE.csv`: the scorer's detector command (see ../shared/eval/score.py)."""
import json

import click

from .. import recording
from ..clickutil import Number
from ..detect import ENGINES, detect_file


@click.command()
@click.argument("csv_path", metavar="FILE.csv", type=click.Path(dir_okay=False))
@click.option("--engine", type=click.Choice(sorted(ENGINES)), default="cpython", show_default=True,
              help="Run the core on CPython or under the real micropython binary.")
@click.option("--odr", "odr_hz", type=Number(25, 500), default=recording.DEFAULT_ODR_HZ,
              show_default=True, help="IMU output data rate to resample to, Hz.")
@click.option("--counts-per-g", type=click.IntRange(1024, 16384), default=recording.DEFAULT_COUNTS_PER_G,
              show_default=True, help="Accelerometer scale (4096 = +-8 g).")
def command(csv_path, engine, odr_hz, counts_per_g):
    """Detect steps in a corpus-format recording, resampled as the pod's IMU would deliver it.

    Prints JSON: {"steps": [{"t": contact_s, "at": emitted_s}], "cadence": [[t_s, spm], ...]}.
    """
    out = detect_file(csv_path, engine=engine, odr_hz=odr_hz, counts_per_g=counts_per_g)
    click.echo(json.dumps(out))


command.name = "detect"
