"""`cadencepod export SESSION --format csv|steps|fit|tcx|raw`."""
import errno
import pathlib

import click

from ..archive import Archive, damage_note
from ..clickutil import Command
from ..errors import PodError
from ..exporters import UNIT_NOTE

FORMATS = {"csv": ".csv", "steps": ".steps.csv", "fit": ".fit", "tcx": ".tcx", "raw": ".raw.csv"}


def export_session(session, fmt, src_path):
    """Bytes of the export."""
    if fmt == "csv":
        from ..exporters.csv_export import timeline_csv
        return timeline_csv(session).encode()
    if fmt == "steps":
        from ..exporters.csv_export import steps_csv
        return steps_csv(session).encode()
    if fmt == "raw":
        from ..exporters.csv_export import raw_corpus_csv
        return raw_corpus_csv(session).encode()
    if fmt == "fit":
        from ..exporters.fit_export import build_fit
        return build_fit(session, src_path)
    if fmt == "tcx":
        from ..exporters.tcx_export import build_tcx
        return build_tcx(session, src_path).encode()
    raise PodError("unknown format %r" % fmt)


# The archive's own files: an export written over one would destroy a session (maybe its only copy).
_ARCHIVE_SUFFIXES = (".cpl", ".ok", ".part")


def write_output(path, data):
    path = pathlib.Path(path)
    if path.suffix.lower() in _ARCHIVE_SUFFIXES:
        raise PodError("refusing to write over %s: %s files are session logs and their markers; "
                       "choose another --output" % (path, path.suffix))
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as e:
        try:
            tmp.unlink()
        except OSError:
            pass
        if e.errno == errno.ENOSPC:
            raise PodError("disk full while writing %s" % path) from None
        raise PodError("cannot write %s: %s" % (path, e.strerror or e)) from None


@click.command("export", cls=Command)
@click.argument("session")
@click.option("--format", "-f", "fmt", type=click.Choice(sorted(FORMATS)), default="csv", show_default=True,
              help="csv: cadence timeline; steps: one row per step; fit/tcx: activity files; "
                   "raw: raw accelerometer capture as corpus CSV (t,ax,ay,az in g).")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Output file (default: beside the log).")
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False), help="Archive folder.")
def command(session, fmt, output, archive_dir):
    """Export a session (archive name like S00042, 'last', or a .cpl path)."""
    path, s = Archive(archive_dir).load(session)
    note = damage_note(path.name, s)
    if note:
        click.echo("warning: " + note, err=True)
    if fmt in ("fit", "tcx"):
        from ..exporters import start_datetime

        start, known = start_datetime(s, path)
        if not known:
            click.echo("note: the pod had no clock for this session: times start at %s, estimated from "
                       "the file time" % start.strftime("%Y-%m-%d %H:%M UTC"), err=True)
    data = export_session(s, fmt, path)
    out = pathlib.Path(output) if output else path.with_suffix(FORMATS[fmt])
    write_output(out, data)
    click.echo("wrote %s (%s)" % (out, UNIT_NOTE if fmt in ("csv", "fit", "tcx") else "steps per minute"
                                  if fmt == "steps" else "acceleration in g"))
