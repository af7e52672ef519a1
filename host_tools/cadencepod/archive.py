"""The local session archive: a folder of pulled .cpl files, named as on the pod (S00042.cpl)."""
import hashlib
import os
import pathlib

from pod.core import logcodec as lc

from .errors import PodError


def default_archive():
    env = os.environ.get("CADENCEPOD_ARCHIVE")
    return pathlib.Path(env) if env else pathlib.Path.home() / "cadencepod" / "archive"


def sha256_file(path, nbytes=None):
    h = hashlib.sha256()
    left = nbytes
    with open(path, "rb") as f:
        while True:
            want = 65536 if left is None else min(65536, left)
            if want == 0:
                break
            b = f.read(want)
            if not b:
                break
            h.update(b)
            if left is not None:
                left -= len(b)
    return h.hexdigest()


class Archive:
    def __init__(self, root=None):
        self.root = pathlib.Path(root) if root else default_archive()

    def ensure(self):
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise PodError("cannot create the archive folder %s: %s" % (self.root, e.strerror or e)) from None
        return self

    def path(self, name):
        return self.root / name

    def part_path(self, name):
        return self.root / (name + ".part")

    def files(self):
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.iterdir() if p.suffix == lc.FILE_EXT and p.is_file())

    def resolve(self, spec):
        """A session by file path, name (S00042 or S00042.cpl), number (42) or 'last'."""
        p = pathlib.Path(spec)
        if p.suffix == lc.FILE_EXT and p.is_file():
            return p
        files = self.files()
        if spec in ("last", "latest") and files:
            # the newest pull, not the highest name: a pod's numbering restarts after its flash is
            # erased, and a second pod's S00001 is saved as S00001-<hash>.cpl beside the first one
            return max(files, key=lambda f: (f.stat().st_mtime_ns, f.name))
        q = self.root / spec
        if q.suffix == lc.FILE_EXT and q.is_file():
            return q  # an exact file name is never ambiguous
        stem = "S%05d" % int(spec) if spec.isdigit() else spec
        # S00042.cpl, and S00042-<hash>.cpl: another pod's (or an erased pod's) session 42
        same = [f for f in files if f.stem == stem or f.stem.startswith(stem + "-")]
        if len(same) == 1:
            return same[0]
        if same:
            raise PodError("session %r is ambiguous: %s (give the file name)"
                           % (spec, ", ".join(f.name for f in same)))
        raise PodError("unknown session %r: not a .cpl file and not in the archive %s "
                       "(`cadencepod sessions` lists it)" % (spec, self.root))

    def load(self, spec):
        """(path, Session). Corrupt beyond use -> PodError; damaged but readable -> session.damage set."""
        path = self.resolve(spec)
        return path, load_file(path)


def load_file(path):
    try:
        data = pathlib.Path(path).read_bytes()
    except OSError as e:
        raise PodError("cannot read %s: %s" % (path, e.strerror or e)) from None
    s = lc.decode(data, resync=True)
    if s.header is None:
        raise PodError("corrupt log %s: no valid session header (not a cadence pod log, or damaged at byte 0)"
                       % pathlib.Path(path).name)
    return s


def cut_short(s):
    """True when the only damage is a partial last record (a power cut while writing)."""
    return (len(s.damage) == 1 and s.damage[0].reason == "truncated" and s.damage[0].end is None)


def state(s):
    if s.complete:
        return "ok"
    if not s.damage or cut_short(s):
        return "cut short"
    return "damaged"


def damage_note(name, s):
    """One line describing damage, or None for an intact log."""
    if cut_short(s):
        return ("%s was cut short at byte %d (power loss while recording): every complete record is kept"
                % (name, s.damage[0].offset))
    if not s.damage:
        if s.end is None:
            return "%s has no end record (recording was cut: power loss or still running)" % name
        return None
    d = s.damage[0]
    return ("%s is damaged at byte %d (%s); kept every record before it%s" %
            (name, d.offset, d.reason, " and the readable ones after it" if d.end is not None else ""))


def summarize(s):
    """Plain numbers for listings and reports."""
    dur_s = s.duration_ms() / 1000.0
    cads = [c / 100.0 for (_t, c, _tg, _m) in s.summaries if c > 0]
    return {
        "steps": len(s.steps),
        "duration_s": dur_s,
        "avg_spm": (sum(cads) / len(cads)) if cads else 0.0,
        "target_spm": s.summaries[-1][2] if s.summaries else None,
        "raw_samples": len(s.raw),
        "complete": s.complete,
    }
