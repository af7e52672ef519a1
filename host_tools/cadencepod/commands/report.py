"""`cadencepod report SESSION`: PNG + HTML report of one session."""
import pathlib

import click

from ..archive import Archive, damage_note
from ..clickutil import Command, Number
from ..commands.export import write_output
from ..errors import PodError


@click.command("report", cls=Command)
@click.argument("session")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Output prefix: writes PREFIX.png and PREFIX.html (default: beside the log).")
@click.option("--band", type=Number(0.5, 30),
              help="Half-width of the target band, steps/min (default: the plan's band in the log, else 3).")
@click.option("--step-length", "step_m", type=Number(0.3, 3.0),
              help="Step length in m for km-equivalents (default: from the config, else 1.0).")
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False), help="Archive folder.")
def command(session, output, band, step_m, archive_dir):
    """Cadence vs target band with the alerts fired, compliance per minute/per km, histogram,
    late drift, phase error over time and its distribution, the plan's decision (spm = steps/min)."""
    from ..report import analyze, baseline_text, no_judgement, render_html, render_png

    path, s = Archive(archive_dir).load(session)
    if not s.summaries and len(s.steps) < 2:
        raise PodError("%s has no cadence data to report (no summaries and no steps)" % path.name)
    note = damage_note(path.name, s)
    if note:
        click.echo("warning: " + note, err=True)
    a = analyze(s, band_spm=band, step_m=step_m)
    prefix = pathlib.Path(output) if output else path.with_suffix("")
    title = "cadence pod session %s" % path.stem
    png = render_png(a, title)
    write_output(prefix.with_name(prefix.name + ".png"), png)
    write_output(prefix.with_name(prefix.name + ".html"),
                 render_html(a, title, png, [note] if note else []).encode())
    if a["judged_time_s"]:
        click.echo("wrote %s.png and %s.html: %.0f%% of running time within ±%g spm of target"
                   % (prefix, prefix, 100 * a["time_in_band"], a["band_spm"]))
    else:
        base = "; " + baseline_text(a["baseline"]) if a["baseline"] else ""
        click.echo("wrote %s.png and %s.html: %s%s" % (prefix, prefix, no_judgement(a), base))
