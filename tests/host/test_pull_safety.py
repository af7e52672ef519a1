"""The archive side of a pull: the copy is on disk before the pod's is deleted, and `last` is the
newest pull even when a pod's numbering restarted."""
import hashlib
import os

import pytest
from cadencepod import pull as P
from cadencepod.archive import Archive
from cadencepod.errors import PodError
from logsynth import run_bytes


class FakePod:
    """The device calls pull makes, over an in-memory file, recording the order of events."""

    def __init__(self, data, events):
        self.data = data
        self.events = events

    def sha256(self, path, n):
        return hashlib.sha256(self.data[:n]).hexdigest()

    def read_into(self, path, start, n, sink, progress=None):
        sink(self.data[start:start + n])

    def eval(self, expr):
        return len(self.data)

    def remove(self, path):
        self.events.append(("remove", path))

    def write_file(self, path, data):
        self.events.append(("write", path))


def test_the_copy_is_synced_to_disk_before_the_pods_copy_is_deleted(tmp_path, monkeypatch):
    events = []
    real_fsync = os.fsync

    def fsync(fd):
        events.append(("fsync", fd))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    data = run_bytes(duration_s=60)
    arch = Archive(tmp_path / "arch").ensure()
    r = P.pull_one(FakePod(data, events), arch, "S00001.cpl", "logs/S00001.cpl", len(data), None, delete=True)
    assert r.deleted == ["S00001.cpl"] and (tmp_path / "arch" / "S00001.cpl").read_bytes() == data
    kinds = [e[0] for e in events]
    assert kinds.count("fsync") >= 2  # the file, then its folder (the rename)
    assert max(i for i, k in enumerate(kinds) if k == "fsync") < kinds.index("remove")


def test_last_is_the_newest_pull_not_the_highest_name(tmp_path):
    arch = tmp_path / "arch"
    arch.mkdir()
    old, new = arch / "S00003.cpl", arch / "S00001-c518d30a.cpl"  # a new S00001 after a reflash
    old.write_bytes(run_bytes(duration_s=30))
    new.write_bytes(run_bytes(duration_s=30, start_s=1770000000))
    os.utime(old, (1764200000, 1764200000))
    os.utime(new, (1770000100, 1770000100))
    assert Archive(arch).resolve("last") == new


def test_a_session_number_held_twice_is_named_not_guessed(tmp_path):
    arch = tmp_path / "arch"
    arch.mkdir()
    first, second = arch / "S00001.cpl", arch / "S00001-c518d30a.cpl"  # two pods' (or a reflashed pod's) 1
    for f in (first, second, arch / "S00002.cpl"):
        f.write_bytes(run_bytes(duration_s=30))
    a = Archive(arch)
    for spec in ("1", "S00001"):
        with pytest.raises(PodError, match="ambiguous: S00001-c518d30a.cpl, S00001.cpl"):
            a.resolve(spec)
    assert a.resolve("S00001.cpl") == first and a.resolve("S00001-c518d30a") == second
    assert a.resolve("2") == a.resolve("S00002") == arch / "S00002.cpl"
    with pytest.raises(PodError, match="unknown session '3'"):
        a.resolve("3")
