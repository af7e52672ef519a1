"""The log store as the app uses it: one RAM buffer per store, the header built piecewise in it,
echo lines for `cadencepod live` (summaries and events, not the per-step phase events)."""
from pod import logstore
from pod.core import logcodec as lc

HEADER = {"fw": "0.1.0", "board": "sim", "config": {"target_spm": 170, "ble": {"notify": "step"}},
          "start_s": None, "counts_per_g": 4096, "odr_mhz": 104000}


def test_one_buffer_serves_every_session_and_a_new_session_closes_the_open_one(tmp_path):
    store = logstore.LogStore(root=str(tmp_path / "logs"), budget_bytes=1 << 20)
    a = store.open_session(HEADER)
    a.step(100, 0)
    b = store.open_session(HEADER)  # the app never does this, but the shared buffer must survive it
    assert b.buf is a.buf is store.buffer()
    b.step(200, 0)
    b.close(300)
    logs = sorted((tmp_path / "logs").glob("*.cpl"))
    assert len(logs) == 2
    for p, steps in zip(logs, ([(100, 0)], [(200, 0)]), strict=True):
        s = lc.decode(p.read_bytes())
        assert s.complete and s.steps == steps
        assert s.header == dict(HEADER, session=s.header["session"])


def test_a_header_larger_than_the_buffer_still_goes_out_whole(tmp_path):
    store = logstore.LogStore(root=str(tmp_path / "logs"), budget_bytes=1 << 20)
    big = dict(HEADER, config={"k%03d" % i: "x" * 20 for i in range(200)})  # ~6 KB of JSON
    log = store.open_session(big)
    log.close(0)
    s = lc.decode(next((tmp_path / "logs").glob("*.cpl")).read_bytes())
    assert s.complete and s.header["config"] == big["config"]


def test_echo_prints_summaries_and_events_but_not_phase_errors(tmp_path, capsys):
    store = logstore.LogStore(root=str(tmp_path / "logs"), budget_bytes=1 << 20, echo=True)
    log = store.open_session(HEADER)
    log.step(100, 0)
    log.event(100, "phase", -12)
    log.summary(1000, 17000, 170, True)
    log.event(1000, "alert", [1, 16000, 17000])
    log.close(2000)
    lines = [x for x in capsys.readouterr().out.splitlines() if x.startswith("CPL ")]
    recs = [lc.decode(bytes.fromhex(x[4:])).records for x in lines]
    kinds = [r[0][0] for r in recs]
    assert kinds == ["summary", "event"]
    assert recs[1][0][2] == "alert"


class _FailingFile:
    """The flash write fails at the last flush (EIO / ENOSPC from the filesystem)."""

    def __init__(self, f):
        self.f = f

    def write(self, b):
        raise OSError(28)

    def flush(self):
        pass

    def close(self):
        self.f.close()


def test_close_after_a_failed_final_write_never_raises(tmp_path):
    store = logstore.LogStore(root=str(tmp_path / "logs"), budget_bytes=1 << 20)
    log = store.open_session(HEADER)
    for i in range(5):
        log.step(i * 350, 350)
    log.f = _FailingFile(log.f)
    log.close(2000)  # the log methods never raise: the app's stop and power-off go on
    assert log.error is not None and log.f is None
    log.close(2001)  # and twice is still fine
