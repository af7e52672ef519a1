"""Host side: `cadencepod live --ble` with bleak, and with fake scanner/client classes in bleak's shape."""
import asyncio
import subprocess
import sys
import types

import pytest
from cadencepod import ble_live
from cadencepod.errors import PodError
from click.testing import CliRunner
from pod.core import rsc


def test_describe_units():
    b = rsc.encode(768, 90, 200, 12345, True)
    assert ble_live.describe(b, "strides") == "180 spm   3.00 m/s (est.)  running  stride 2.00 m  1234.5 m"
    assert ble_live.describe(b, "steps").startswith(" 90 spm")
    assert ble_live.describe(rsc.encode(0, 0), "steps") == "  0 spm   0.00 m/s (est.)  walking"


def test_cli_without_bluetooth_is_one_line():
    # This machine has no Bluetooth stack; one with an adapter but no pod also gives one line.
    p = subprocess.run([sys.executable, "-m", "cadencepod", "live", "--ble", "--scan", "1", "--seconds", "1"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), p.stderr
    assert "Bluetooth" in lines[0] and "Traceback" not in p.stderr


def test_live_ble_command_is_gone():
    from cadencepod.cli import cli

    assert "live-ble" not in cli.list_commands(None)
    r = CliRunner().invoke(cli, ["live-ble"])
    assert r.exit_code != 0


def test_cli_passes_the_ble_options(monkeypatch):
    from cadencepod.cli import cli

    calls = []
    monkeypatch.setattr(ble_live, "live_ble", lambda *a, **kw: calls.append((a, kw)))
    r = CliRunner().invoke(cli, ["live", "--ble", "--name", "Pod7", "--unit", "steps", "--seconds", "3"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    (args, kw), = calls
    assert args == (None, "Pod7")
    assert (kw["unit"], kw["duration_s"], kw["scan_s"]) == ("steps", 3.0, 10.0)
    calls.clear()
    r = CliRunner().invoke(cli, ["live", "--ble", "--address", "AA:01", "--scan", "2"],
                           catch_exceptions=False)
    (args, kw), = calls
    assert args == ("AA:01", None) and (kw["unit"], kw["duration_s"], kw["scan_s"]) == ("strides", None, 2.0)


@pytest.mark.parametrize("args, msg", [
    (["--name", "Pod7"], "--name only with --ble"),
    (["--unit", "steps"], "--unit only with --ble"),
    (["--ble", "--port", "/dev/ttyUSB0"], "--port is for USB"),
    (["--ble", "--unit", "furlongs"], "bad option"),
])
def test_cli_option_mistakes_are_one_line(args, msg):
    from cadencepod.cli import cli

    r = CliRunner().invoke(cli, ["live"] + args)
    assert r.exit_code == 2, r.output
    assert msg in r.output and r.output.count("\n") == 1, r.output


class FakeScanner:
    devices = []
    fail = None

    @classmethod
    async def find_device_by_filter(cls, filterfunc, timeout=10.0):
        if cls.fail:
            raise cls.fail
        for dev, ad in cls.devices:
            if filterfunc(dev, ad):
                return dev
        return None


class FakeClient:
    payloads = []
    fail_connect = None

    def __init__(self, dev):
        self.dev = dev

    async def __aenter__(self):
        if FakeClient.fail_connect:
            raise FakeClient.fail_connect
        return self

    async def __aexit__(self, *a):
        return False

    async def start_notify(self, uuid, cb):
        assert uuid == ble_live.RSC_MEASUREMENT_UUID

        async def feed():
            for p in FakeClient.payloads:
                await asyncio.sleep(0.01)
                cb(None, bytearray(p))

        self._t = asyncio.ensure_future(feed())

    async def stop_notify(self, uuid):
        pass


def dev(address, name):
    return types.SimpleNamespace(address=address, name=name)


def ad(name, uuids):
    return types.SimpleNamespace(local_name=name, service_uuids=uuids)


@pytest.fixture
def fakes():
    FakeScanner.devices = [
        (dev("AA:00", "Watch"), ad("Watch", ["0000180d-0000-1000-8000-00805f9b34fb"])),
        (dev("AA:01", "CadencePod"), ad("CadencePod", [ble_live.RSC_SERVICE_UUID])),
    ]
    FakeScanner.fail = None
    FakeClient.fail_connect = None
    FakeClient.payloads = [rsc.encode(768, 90, 200, 10, True), b"\x03\x00", rsc.encode(0, 0)]
    return dict(scanner_cls=FakeScanner, client_cls=FakeClient)


class Clock:
    def __init__(self, ticks):
        self.ticks = list(ticks)

    def __call__(self):
        return self.ticks.pop(0) if len(self.ticks) > 1 else self.ticks[0]


def test_stream_prints_each_notification(fakes):
    out = []
    n = ble_live.live_ble(echo=out.append, duration_s=1.0, clock=Clock([0, 0, 0, 0, 2]), **fakes)
    assert n == 3
    assert out[0].startswith("connected to CadencePod (AA:01)")
    assert out[1].startswith("180 spm")
    assert out[2].startswith("bad measurement 0300")
    assert out[3].startswith("  0 spm")


def test_finds_by_name_and_address(fakes):
    out = []
    ble_live.live_ble(address="aa:01", echo=out.append, duration_s=1, clock=Clock([0, 0, 0, 0, 2]), **fakes)
    assert "AA:01" in out[0]
    with pytest.raises(PodError, match="no pod found \\(Other\\)"):
        ble_live.live_ble(name="Other", echo=out.append, **fakes)


def test_scanner_failure_is_no_bluetooth(fakes):
    FakeScanner.fail = FileNotFoundError(2, "No such file or directory")
    with pytest.raises(PodError, match="^no Bluetooth on this machine"):
        ble_live.live_ble(echo=print, **fakes)


def test_link_failure_is_one_line(fakes):
    FakeClient.fail_connect = TimeoutError("connect timed out\nsecond line")
    with pytest.raises(PodError) as e:
        ble_live.live_ble(echo=print, **fakes)
    assert str(e.value.message) == "BLE link failed: connect timed out"
