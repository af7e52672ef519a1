"""User errors: one clear line on stderr, exit 2, no traceback, no data lost."""
import errno
import json
import os
import pathlib
import pty
import threading
import tty

import pytest
from cadencepod.cli import main
from logsynth import run_bytes


def run(capsys, *args):
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    return exc.value.code, out, err


def one_line_error(code, err):
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def archive(tmp_path):
    a = tmp_path / "archive"
    a.mkdir()
    (a / "S00003.cpl").write_bytes(run_bytes(duration_s=120))
    return a


def test_unknown_session(capsys, archive):
    line = one_line_error(*run(capsys, "export", "S00099", "--archive", str(archive))[::2])
    assert "unknown session" in line


def test_corrupt_log(capsys, archive, tmp_path):
    bad = archive / "S00004.cpl"
    bad.write_bytes(b"\x00garbage" * 50)
    line = one_line_error(*run(capsys, "report", "S00004", "--archive", str(archive))[::2])
    assert "corrupt log" in line
    assert bad.read_bytes() == b"\x00garbage" * 50


def test_damaged_log_still_exports_with_a_warning(capsys, archive, tmp_path):
    data = bytearray((archive / "S00003.cpl").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (archive / "S00005.cpl").write_bytes(bytes(data))
    code, out, err = run(capsys, "export", "S00005", "-f", "csv", "--archive", str(archive))
    assert code in (0, None)
    assert "warning: S00005.cpl is damaged at byte" in err


def test_bad_option_and_bad_value(capsys, archive):
    line = one_line_error(*run(capsys, "export", "S00003", "--format", "pdf", "--archive", str(archive))[::2])
    assert "bad option" in line and "pdf" in line
    line = one_line_error(*run(capsys, "pull", "--bogus")[::2])
    assert "bad option" in line


def test_disk_full_on_export_keeps_nothing_half_written(capsys, archive, monkeypatch):
    real = pathlib.Path.write_bytes

    def full(self, data):
        if self.name.endswith(".tmp"):
            real(self, data[:10])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", full)
    line = one_line_error(*run(capsys, "export", "S00003", "-f", "fit", "--archive", str(archive))[::2])
    assert "disk full" in line
    assert sorted(p.name for p in archive.iterdir()) == ["S00003.cpl"]


def test_no_device(capsys, tmp_path, monkeypatch):
    line = one_line_error(*run(capsys, "pull", "--port", "/dev/ttyUSB-none", "--archive", str(tmp_path))[::2])
    assert "no device at /dev/ttyUSB-none" in line
    monkeypatch.delenv("CADENCEPOD_PORT", raising=False)
    import serial.tools.list_ports

    monkeypatch.setattr(serial.tools.list_ports, "comports", lambda: [])
    line = one_line_error(*run(capsys, "pull", "--archive", str(tmp_path))[::2])
    assert "no pod found" in line
    line = one_line_error(*run(capsys, "live")[::2])
    assert "no pod found" in line


def test_port_that_is_not_micropython(capsys, tmp_path):
    """A serial device that answers, but not as a MicroPython REPL (a GPS, a modem...)."""
    m, s = pty.openpty()
    tty.setraw(s)
    port = os.ttyname(s)
    stop = threading.Event()

    def chatter():
        while not stop.is_set():
            try:
                os.read(m, 1024)
                os.write(m, b"$GPGGA,hello\r\n")
            except OSError:
                return

    th = threading.Thread(target=chatter, daemon=True)
    th.start()
    try:
        line = one_line_error(*run(capsys, "pull", "--port", port, "--archive", str(tmp_path))[::2])
    finally:
        stop.set()
        os.close(m)
        os.close(s)
    assert "does not answer as a MicroPython device" in line


def test_config_errors_write_nothing(capsys, tmp_path):
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps({"target_spm": 175}))
    for bad, word in (("target_spm=900", "60..240"), ("colour=red", "unknown setting colour"),
                      ("ble.cadence_unit=paces", "cadence_unit"), ("output=laser", "one of"),
                      ("target_spm", "KEY=VALUE"), ("nosuch.key=1", "unknown section")):
        line = one_line_error(*run(capsys, "config", "set", bad, "--file", str(cfg))[::2])
        assert word in line, line
    assert json.loads(cfg.read_text()) == {"target_spm": 175}
    cfg.write_text("{not json")
    line = one_line_error(*run(capsys, "config", "get", "--file", str(cfg))[::2])
    assert "not valid JSON" in line


def test_config_set_and_get_local_file(capsys, tmp_path):
    cfg = tmp_path / "config.json"
    code, out, _ = run(capsys, "config", "set", "target_spm=176", "steps_per_beat=2", "ble.name=MyPod",
                       "--file", str(cfg))
    assert code in (0, None)
    assert json.loads(cfg.read_text()) == {"target_spm": 176, "steps_per_beat": 2, "ble": {"name": "MyPod"}}
    code, out, _ = run(capsys, "config", "get", "target_spm", "--file", str(cfg))
    assert out.strip() == "176"
    code, out, _ = run(capsys, "config", "get", "--file", str(cfg))
    eff = json.loads(out)
    assert eff["target_spm"] == 176 and eff["pulse_ms"] == 40  # defaults filled in


def test_sessions_lists_intact_cut_and_corrupt_logs(capsys, archive):
    data = (archive / "S00003.cpl").read_bytes()
    (archive / "S00004.cpl").write_bytes(data[: len(data) // 2])
    (archive / "S00005.cpl").write_bytes(b"not a log at all")
    code, out, err = run(capsys, "sessions", "--archive", str(archive))
    assert code in (0, None), err
    rows = {ln.split()[1]: ln for ln in out.splitlines() if ".cpl" in ln}
    assert "ok" in rows["S00003.cpl"] and "cut short" in rows["S00004.cpl"]
    assert "corrupt" in rows["S00005.cpl"]
