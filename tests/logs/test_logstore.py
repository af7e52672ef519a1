"""Device-side log store: power-cut loss bound, new file per session, storage budget and deletion rules.

Runs on CPython here and, in test_logstore_micropython.py, under the real micropython binary.
"""
import os

from pod import logstore as ls
from pod.core import logcodec as lc

HDR = {"fw": "test", "board": "sim", "config": {"target_spm": 170}, "start_s": None}


class FakeFree:
    """Filesystem free space the test controls (a nearly full flash without filling the disk)."""

    def __init__(self, n):
        self.n = n

    def __call__(self, root):
        return self.n


def read(path):
    with open(path, "rb") as f:
        return lc.decode(f.read())


def test_session_round_trip_and_new_file_per_session(tmp_path):
    store = ls.LogStore(root=str(tmp_path / "logs"))
    log = store.open_session(HDR)
    log.event(0, "start", 0)
    for i in range(1, 200):
        log.step(i * 350, 350)
        if i % 14 == 0:
            log.summary(i * 350, 17143, 170, True)
    log.event(70000, "target", 175)
    log.event(70001, "plan", {"decision": "hold", "why": "compliance 62 %"})
    log.close(71000)
    assert log.error is None
    log2 = store.open_session(HDR)
    log2.close(5)
    names = [n for (n, _s, _d) in store.sessions()]
    assert names == ["S00001.cpl", "S00002.cpl"]
    s = read(tmp_path / "logs" / "S00001.cpl")
    assert s.complete and s.header["session"] == 1 and s.header["board"] == "sim"
    assert len(s.steps) == 199 and s.steps[0] == (350, 350)
    assert len(s.summaries) == 14
    assert s.events[-1] == (70001, "plan", {"decision": "hold", "why": "compliance 62 %"})
    assert s.end == (71000, 199)


def test_power_cut_loses_at_most_flush_ms(tmp_path):
    """What is on disk at any moment (the last flush) holds every step older than FLUSH_MS."""
    store = ls.LogStore(root=str(tmp_path / "logs"))
    log = store.open_session(HDR)
    path = tmp_path / "logs" / log.name
    worst_ms = 0
    for i in range(1, 400):
        t = i * 333
        log.step(t, 333)
        if i % 15 == 0:
            log.summary(t, 18018, 180, True)
        on_disk = read(path)  # a power cut now keeps exactly this
        assert on_disk.header is not None and not on_disk.damage or on_disk.damage[0].reason == "truncated"
        newest = on_disk.steps[-1][0] if on_disk.steps else 0
        worst_ms = max(worst_ms, t - newest)
    assert worst_ms <= ls.FLUSH_MS + 333
    # the cut session stays as it is; the next boot writes a new file beside it
    size_before = path.stat().st_size
    data_before = path.read_bytes()
    log2 = ls.LogStore(root=str(tmp_path / "logs")).open_session(HDR)
    log2.step(100, 350)
    log2.close(200)
    assert path.read_bytes() == data_before and path.stat().st_size == size_before
    assert log2.name == "S00002.cpl"


def test_full_flash_never_deletes_an_undownloaded_session(tmp_path):
    root = tmp_path / "logs"
    store = ls.LogStore(root=str(root), budget_bytes=40000, reserve_bytes=0)
    old = store.open_session(HDR)
    for i in range(1000):
        old.step(i * 300, 300)
    old.close()
    assert old.error is None
    old_bytes = (root / old.name).read_bytes()
    log = store.open_session(HDR)
    for i in range(5000):
        log.step(i * 300, 300)
    assert log.error == "storage_full"
    assert not log.active
    log.step(10 ** 6, 300)  # no-op, no exception: the metronome keeps going
    assert (root / old.name).read_bytes() == old_bytes
    s = read(root / log.name)
    assert s.events[-1][1:] == ("error", lc.ERR_STORAGE_FULL)
    assert s.end is not None and not s.damage
    assert store.used_bytes() <= 40000 + ls.BUF_BYTES
    # no room even to start: the next session reports it instead of deleting anything
    log3 = store.open_session(HDR)
    assert log3.error == "storage_full" and log3.name is None
    assert sorted(os.listdir(root)) == ["S00001.cpl", "S00002.cpl", "seq"]


def test_oldest_downloaded_sessions_go_first(tmp_path):
    root = tmp_path / "logs"
    store = ls.LogStore(root=str(root), budget_bytes=60000, reserve_bytes=0)
    sizes = {}
    for _k in range(3):
        log = store.open_session(HDR)
        for i in range(1500):
            log.step(i * 300, 300)
        log.close()
        sizes[log.name] = (root / log.name).stat().st_size
    # S00001 and S00003 verified by the host; S00002's marker is for another size (not verified)
    (root / "S00001.ok").write_text("%d %s\n" % (sizes["S00001.cpl"], "ab" * 32))
    (root / "S00002.ok").write_text("%d %s\n" % (sizes["S00002.cpl"] + 1, "ab" * 32))
    (root / "S00003.ok").write_text("%d %s\n" % (sizes["S00003.cpl"], "ab" * 32))
    log = store.open_session(HDR)
    for i in range(1500):
        log.step(i * 300, 300)
    log.close()
    assert log.error is None
    assert store.deleted[0] == "S00001.cpl"
    assert "S00002.cpl" not in store.deleted
    assert (root / "S00002.cpl").exists()
    assert not (root / "S00001.ok").exists()


def test_filesystem_reserve_counts_too(tmp_path):
    free = FakeFree(1 << 20)
    store = ls.LogStore(root=str(tmp_path / "logs"), fs_free=free)
    log = store.open_session(HDR)
    log.step(10, 300)
    log.flush()
    free.n = ls.RESERVE_BYTES + 100  # the app's other files filled the flash
    for i in range(3000):
        log.step(i * 300, 300)
    assert log.error == "storage_full"
    assert read(tmp_path / "logs" / log.name).events[-1][1] == "error"


def test_enospc_on_write_stops_logging_without_raising(tmp_path):
    store = ls.LogStore(root=str(tmp_path / "logs"))
    log = store.open_session(HDR)

    class Full:
        def write(self, b):
            raise OSError(28, "No space left on device")

        def flush(self):
            pass

        def close(self):
            pass

    log.f = Full()
    for i in range(400):
        log.step(i * 300, 300)
    log.flush()
    log.close()
    assert log.error == "storage_full"


def test_raw_capture_and_echo(tmp_path, capsys):
    store = ls.LogStore(root=str(tmp_path / "logs"), echo=True)
    log = store.open_session(dict(HDR, counts_per_g=4096, odr_mhz=104000))
    for i in range(300):
        log.raw(i * 10, i, -i, 4096)
    log.summary(3000, 17000, 170, False)
    log.close(3000)
    s = read(tmp_path / "logs" / log.name)
    assert len(s.raw) == 300 and s.raw[299] == (2990, 299, -299, 4096)
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("CPL ")]
    assert len(lines) == 1
    from cadencepod.commands.live import describe, parse_line

    assert "170.0 spm" in describe(parse_line(lines[0].encode()))
