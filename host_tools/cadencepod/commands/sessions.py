"""`cadencepod sessions`: list the local archive."""
import datetime

import click
from pod.core import logcodec as lc
from rich.console import Console
from rich.table import Table

from ..archive import Archive, summarize
from ..archive import state as archive_state
from ..clickutil import Command
from ..errors import PodError


@click.command("sessions", cls=Command)
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False), help="Archive folder.")
def command(archive_dir):
    """List the sessions in the local archive (cadence in steps per minute, both feet)."""
    archive = Archive(archive_dir)
    files = archive.files()
    if not files:
        click.echo("no sessions in %s (run `cadencepod pull`)" % archive.root)
        return
    table = Table(title="sessions in %s" % archive.root)
    for col in ("session", "start", "duration", "steps", "avg spm", "target spm", "state"):
        table.add_column(col)
    for p in files:
        try:
            data = p.read_bytes()
        except OSError as e:
            raise PodError("cannot read %s: %s" % (p, e.strerror)) from None
        s = lc.decode(data, resync=True)
        if s.header is None:
            table.add_row(p.name, "", "", "", "", "", "corrupt (no header)")
            continue
        info = summarize(s)
        start = s.header.get("start_s")
        start_txt = (datetime.datetime.fromtimestamp(start, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
                     if isinstance(start, (int, float)) else "unknown")
        dur = int(info["duration_s"])
        state = archive_state(s)
        table.add_row(p.name, start_txt, "%d:%02d:%02d" % (dur // 3600, dur % 3600 // 60, dur % 60),
                      str(info["steps"]), "%.1f" % info["avg_spm"], str(info["target_spm"] or ""), state)
    Console(width=120).print(table)
