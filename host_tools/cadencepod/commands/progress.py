"""`cadencepod progress`: baseline, plan targets and achieved cadence across the archived sessions."""
import pathlib

import click

from ..archive import Archive, damage_note, load_file
from ..clickutil import Command
from ..commands.export import write_output
from ..errors import PodError


@click.command("progress", cls=Command)
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False), help="Archive folder.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Output prefix: writes PREFIX.png and PREFIX.html (default: ARCHIVE/progress).")
def command(archive_dir, output):
    """Progress over the weeks: baseline, plan targets, achieved cadence and plan decisions (spm)."""
    from ..progress import natural_baseline, points_of, render_html, render_png

    arch = Archive(archive_dir)
    files = arch.files()
    if not files:
        raise PodError("no sessions in the archive %s (copy them from the pod with `cadencepod pull`)"
                       % arch.root)
    loaded, notes = [], []
    for f in files:
        try:
            s = load_file(f)
        except PodError as e:  # one unreadable log must not hide the season
            click.echo("warning: skipped %s" % e.message, err=True)
            notes.append("skipped: %s" % e.message)
            continue
        note = damage_note(f.name, s)
        if note:
            notes.append(note)
        loaded.append((f.stem, f, s))
    pts = points_of(loaded)
    if not pts:
        raise PodError("none of the %d sessions in %s has a minute of running to chart"
                       % (len(files), arch.root))
    for p in pts:
        if p["note"]:
            notes.append("%s: %s" % (p["name"], p["note"]))
    prefix = pathlib.Path(output) if output else arch.root / "progress"
    title = "cadence pod progress: %d sessions, %s to %s" % (
        len(pts), pts[0]["when"].strftime("%Y-%m-%d"), pts[-1]["when"].strftime("%Y-%m-%d"))
    png = render_png(pts, title)
    write_output(prefix.with_name(prefix.name + ".png"), png)
    write_output(prefix.with_name(prefix.name + ".html"), render_html(pts, title, png, notes).encode())
    base = natural_baseline(pts)
    last = pts[-1]
    click.echo("wrote %s.png and %s.html: %d sessions; baseline %s, latest %.1f spm%s"
               % (prefix, prefix, len(pts), "%.1f spm" % base if base else "not measured", last["median_spm"],
                  "" if last["target_spm"] is None else " (target %g spm)" % last["target_spm"]))
