"""End to end against the simulated pod (micropython behind a pty, the project's SimBridge):
record -> pull -> verify -> export -> report; a pod killed mid-transfer resumes and loses nothing."""
import hashlib
import pathlib

import pytest
from cadencepod.archive import Archive
from cadencepod.device import DeviceLost, Pod
from cadencepod.pull import pull_all
from cadencepod.simbridge import SimBridge
from logsynth import run_bytes
from pod.core import logcodec as lc
from podtest import run_cadencepod

ROOT = pathlib.Path(__file__).resolve().parents[2]
RECORD = """
from pod.logstore import LogStore
st = LogStore(root="logs")
log = st.open_session({"fw": "e2e", "board": "sim", "config": {"target_spm": 172}, "start_s": 1764000000})
log.event(0, "start", 0)
t = 0
for i in range(1200):
    iv = 350 if i < 600 else 345
    t += iv
    log.step(t, iv)
    if i % 14 == 0:
        log.summary(t, 6000000 // iv, 172, True)
log.event(t, "stop", 0)
log.close(t)
print("recorded", log.name, log.error)
"""


def cli(*args, env=None):
    return run_cadencepod(*args, env={"CADENCEPOD_IDLE_S": "2", **(env or {})}, cwd=ROOT)


@pytest.fixture
def flash(tmp_path, micropython):
    d = tmp_path / "flash"
    d.mkdir()
    (tmp_path / "record.py").write_text(RECORD)
    r = micropython([str(tmp_path / "record.py")], cwd=d, heapsize="96K")
    assert r.returncode == 0 and b"recorded S00001.cpl None" in r.stdout, r.stderr
    return d


@pytest.fixture
def bridge(flash):
    br = SimBridge(flash, path=[ROOT / "firmware"], autorun=False)
    yield br
    br.stop()


def sha(p):
    return hashlib.sha256(pathlib.Path(p).read_bytes()).hexdigest()


def test_record_pull_verify_export_report(bridge, flash, tmp_path):
    arch = tmp_path / "archive"
    r = cli("pull", "--port", bridge.port, "--archive", str(arch))
    assert r.returncode == 0, r.stderr
    assert "pulled S00001.cpl (verified sha256)" in r.stdout
    assert sha(arch / "S00001.cpl") == sha(flash / "logs" / "S00001.cpl")
    marker = (flash / "logs" / "S00001.ok").read_text().split()
    assert marker == [str((flash / "logs" / "S00001.cpl").stat().st_size), sha(arch / "S00001.cpl")]
    # a second pull copies nothing, and nothing was deleted without --delete
    r = cli("pull", "--port", bridge.port, "--archive", str(arch))
    assert r.returncode == 0 and "already archived: S00001.cpl" in r.stdout
    assert (flash / "logs" / "S00001.cpl").exists()
    r = cli("sessions", "--archive", str(arch))
    assert r.returncode == 0 and "S00001.cpl" in r.stdout
    for fmt, ext in (("csv", ".csv"), ("fit", ".fit"), ("tcx", ".tcx")):
        out = str(tmp_path / ("session" + ext))
        r = cli("export", "S00001", "--format", fmt, "--archive", str(arch), "-o", out)
        assert r.returncode == 0, r.stderr
        assert "strides per minute" in r.stdout
    assert (tmp_path / "session.fit").read_bytes()[8:12] == b".FIT"
    r = cli("report", "last", "--archive", str(arch), "-o", str(tmp_path / "report"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "report.png").stat().st_size > 1000 and (tmp_path / "report.html").exists()
    # --delete removes it from the pod only now that the copy is verified
    r = cli("pull", "--port", bridge.port, "--archive", str(arch), "--delete")
    assert r.returncode == 0 and "deleted from the pod: S00001.cpl" in r.stdout
    assert not (flash / "logs" / "S00001.cpl").exists()
    assert (arch / "S00001.cpl").exists()


def test_kill_mid_transfer_then_resume(bridge, flash, tmp_path):
    big = run_bytes(duration_s=3 * 3600, base_spm=170.0)  # a 3 h run, ~400 kB
    (flash / "logs" / "S00002.cpl").write_bytes(big)
    arch = Archive(tmp_path / "archive")
    seen = {"n": 0}

    def factory(total):
        def progress(n):
            seen["n"] += n
            if seen["n"] > 60000 and bridge.proc is not None:
                bridge.kill_device()  # power cut / cable pulled mid-transfer
        return progress

    with Pod(bridge.port) as pod:
        pod.idle_s = 1.5
        with pytest.raises(DeviceLost):
            pull_all(pod, arch, delete=True, progress_factory=factory)
    part = arch.part_path("S00002.cpl")
    assert part.exists() and 0 < part.stat().st_size < len(big)
    assert big.startswith(part.read_bytes())  # what arrived is exact
    # S00001 was verified before the cut, so --delete removed it; S00002 is untouched and unmarked
    assert (arch.root / "S00001.cpl").exists() and not (flash / "logs" / "S00001.cpl").exists()
    assert (flash / "logs" / "S00002.cpl").read_bytes() == big
    assert not (flash / "logs" / "S00002.ok").exists()
    bridge.start_device()
    r = cli("pull", "--port", bridge.port, "--archive", str(arch.root))
    assert r.returncode == 0, r.stderr
    assert "resumed S00002.cpl (verified sha256)" in r.stdout
    assert (arch.root / "S00002.cpl").read_bytes() == big
    assert not part.exists()
    assert lc.decode(big).records == lc.decode((arch.root / "S00002.cpl").read_bytes()).records
    assert (flash / "logs" / "S00002.cpl").read_bytes() == big  # still there: no --delete this time


def test_kill_through_the_cli_gives_one_line_and_keeps_data(bridge, flash, tmp_path):
    bridge.kill_device()
    r = cli("pull", "--port", bridge.port, "--archive", str(tmp_path / "a"))
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and r.stderr.startswith("error: ")
    assert "MicroPython" in r.stderr or "answer" in r.stderr
    assert (flash / "logs" / "S00001.cpl").exists()


LIVE_MAIN = """
import time
from pod.logstore import LogStore
hdr = {"fw": "live", "board": "sim", "config": {}, "start_s": None}
log = LogStore(root="logs", echo=True).open_session(hdr)
log.event(0, "tempo", 17200)
for i in range(1, 400):
    for k in range(3):
        log.event(i * 1000 - 300 * k, "phase", -20 - k)
    log.summary(i * 1000, 17000 + 10 * (i % 50), 172, True)
    if i % 20 == 0:
        log.event(i * 1000, "target", 175)
        log.event(i * 1000, "alert", [1, 16500, 17200])
    time.sleep(0.02)
log.close()
"""


def test_live_streams_cadence_from_a_recording_pod(tmp_path):
    flash = tmp_path / "flash"
    flash.mkdir()
    (flash / "main.py").write_text(LIVE_MAIN)
    with SimBridge(flash, path=[ROOT / "firmware"], autorun=True) as br:
        r = cli("live", "--port", br.port, "--seconds", "2")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert any("cadence 170.0 spm (85.0 strides/min)  target 172" in ln for ln in lines), r.stdout
    assert any("event target 175" in ln for ln in lines)
    # coaching events read as words; per-step phase errors are not lines
    assert any("ALERT too slow: cadence 165.0 spm, target 172 spm" in ln for ln in lines), r.stdout
    assert not any("phase" in ln and "cadence" not in ln for ln in lines)


def test_config_on_the_pod(bridge, flash):
    r = cli("config", "set", "target_spm=178", "output=haptic", "--port", bridge.port)
    assert r.returncode == 0, r.stderr
    import json

    assert json.loads((flash / "config.json").read_text()) == {"target_spm": 178, "output": "haptic"}
    r = cli("config", "get", "target_spm", "--port", bridge.port)
    assert r.returncode == 0 and r.stdout.strip() == "178"
    r = cli("config", "set", "target_spm=10", "--port", bridge.port)
    assert r.returncode == 2 and "60..240" in r.stderr
    assert json.loads((flash / "config.json").read_text())["target_spm"] == 178


def test_full_local_disk_during_pull_loses_and_deletes_nothing(bridge, flash, tmp_path, monkeypatch):
    import errno

    import cadencepod.pull as pull_mod
    from cadencepod.errors import PodError

    class FullFile:
        def __init__(self, *a):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def write(self, b):
            raise OSError(errno.ENOSPC, "No space left on device")

        def flush(self):
            pass

    monkeypatch.setattr(pull_mod, "open", FullFile, raising=False)
    before = (flash / "logs" / "S00001.cpl").read_bytes()
    with Pod(bridge.port) as pod:
        with pytest.raises(PodError, match="disk full"):
            pull_all(pod, Archive(tmp_path / "a"), delete=True)
    assert (flash / "logs" / "S00001.cpl").read_bytes() == before
    assert not (flash / "logs" / "S00001.ok").exists()
    assert not (tmp_path / "a" / "S00001.cpl").exists()


RECORD_COACHED = """
from pod.logstore import LogStore
from pod.core import plan, alerts, sync
st, _r = plan.new(16000, 17500)
store = LogStore(root="logs")
for n in range(2):
    tgt = st["target_x100"]
    log = store.open_session({"fw": "e2e", "board": "sim", "config": {"target_spm": tgt // 100},
                              "start_s": 1764000000 + n * 3 * 86400})
    log.event(0, "start", tgt // 100)
    for kind, v in plan.record_events(plan.snapshot(st)):
        log.event(0, kind, list(v))
    log.event(0, "tempo", tgt)
    al = alerts.CadenceAlerts(warmup_ms=30000)
    meter = plan.ComplianceMeter(gate=plan.SteadyGate(warmup_ms=30000))
    period = 6000000 // tgt
    t = 0
    next_s = 1000
    for i in range(2400):
        slow = 600 <= i < 800
        iv = period + (25 if slow else 0)
        t += iv
        log.step(t, iv)
        log.event(t, "phase", sync.phase_error_ms(t, 0, period))
        while next_s <= t:
            cad = 6000000 // iv
            a = al.update(next_s, cad, tgt)
            if a:
                log.event(next_s, "alert", [a, cad, tgt])
            meter.update(next_s, cad, tgt)
            if next_s % 5000 == 0:
                log.summary(next_s, cad, tgt // 100, True)
            next_s += 1000
    st, rec = plan.decide(st, *meter.result_s())
    for kind, v in plan.record_events(rec):
        log.event(t, kind, list(v))
    log.event(t, "stop", 0)
    log.close(t)
    print("recorded", log.name, plan.REASONS[rec["reason"]], log.error)
"""


def test_coached_sessions_recorded_on_the_pod_pull_report_and_progress(tmp_path, micropython):
    flash = tmp_path / "flash"
    flash.mkdir()
    (tmp_path / "record.py").write_text(RECORD_COACHED)
    r = micropython([str(tmp_path / "record.py")], cwd=flash, heapsize="96K")
    assert r.returncode == 0, r.stderr
    assert b"recorded S00001.cpl count None" in r.stdout and b"recorded S00002.cpl up None" in r.stdout
    arch = tmp_path / "archive"
    with SimBridge(flash, path=[ROOT / "firmware"], autorun=False) as br:
        r = cli("pull", "--port", br.port, "--archive", str(arch))
    assert r.returncode == 0 and "pulled S00002.cpl (verified sha256)" in r.stdout, r.stderr
    r = cli("report", "S00002", "--archive", str(arch), "-o", str(tmp_path / "rep"))
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "rep.html").read_text()
    assert "<td>too slow</td>" in html and "<td>up</td>" in html and "median |error|" in html
    assert "do not replay" not in html
    r = cli("progress", "--archive", str(arch), "-o", str(tmp_path / "prog"))
    assert r.returncode == 0, r.stderr
    assert "2 sessions; baseline 160.0 spm, latest" in r.stdout and "(target 165 spm)" in r.stdout
    assert "up &rarr; 170 spm" in (tmp_path / "prog.html").read_text()
