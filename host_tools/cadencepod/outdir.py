"""Output folders the tools wipe and refill (demo, flash builds), and only those."""
import pathlib
import shutil

from .errors import PodError

MARK = ".cadencepod-output"


def fresh_dir(path, option, ours=()):
    """Empty `path` for a tool's output and return it. Only an empty folder, one this tool made
    (its marker inside) or one that holds all of `ours` (an older output) is wiped: a mistyped
    --out must never delete somebody's files."""
    p = pathlib.Path(path)
    if p.exists():
        if not p.is_dir():
            raise PodError("%s exists and is not a folder: choose another %s" % (p, option))
        mine = (p / MARK).exists() or (ours and all((p / n).exists() for n in ours))
        if any(p.iterdir()) and not mine:
            raise PodError("%s is not empty and was not made by cadencepod: choose another %s "
                           "(it would be wiped)" % (p, option))
        try:
            shutil.rmtree(p)
        except OSError as e:
            raise PodError("cannot empty %s: %s" % (p, e.strerror or e)) from None
    try:
        p.mkdir(parents=True)
        (p / MARK).write_text("made by cadencepod: wiped and refilled on its next run\n")
    except OSError as e:
        raise PodError("cannot create %s: %s" % (p, e.strerror or e)) from None
    return p
