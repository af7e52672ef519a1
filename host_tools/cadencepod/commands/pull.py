"""`cadencepod pull`: copy new sessions from the pod into the local archive, verified."""
import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

from ..archive import Archive
from ..clickutil import Command
from ..device import DeviceLost, Pod
from ..pull import pull_all


@click.command("pull", cls=Command)
@click.option("--port", "-p", help="Serial port of the pod (default: the one pod found on USB).")
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False), help="Archive folder "
              "(default $CADENCEPOD_ARCHIVE or ~/cadencepod/archive).")
@click.option("--delete", is_flag=True, help="Delete each session from the pod after its copy is verified.")
def command(port, archive_dir, delete):
    """Download new sessions, verify each by sha256 against the pod, resume interrupted copies."""
    archive = Archive(archive_dir).ensure()
    console = Console(stderr=True)
    with Pod(port) as pod:
        with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                      TransferSpeedColumn(), console=console, transient=True) as prog:
            def factory(total):
                task = prog.add_task("pulling", total=total)
                return lambda n: prog.advance(task, n)
            try:
                items, res = pull_all(pod, archive, delete=delete, progress_factory=factory)
            except DeviceLost as e:
                raise DeviceLost("%s; run pull again to resume (received data is kept, nothing was "
                                 "deleted)" % e.message) from None
    if not items:
        click.echo("no sessions on the pod")
        return
    for name in res.downloaded:
        click.echo("%s %s (verified sha256)" % ("resumed" if name in res.resumed else "pulled", name))
    if res.skipped:
        click.echo("already archived: %s" % ", ".join(res.skipped))
    if res.deleted:
        click.echo("deleted from the pod: %s" % ", ".join(res.deleted))
    click.echo("%d new, %d already archived, %d bytes transferred -> %s"
               % (len(res.downloaded), len(res.skipped), res.bytes, archive.root))
