"""BLE (issue 7) and light sleep (issue 6) in the firmware app, on the simulated pod.

BLE runs against the fake `bluetooth` module of tests/ble/fakes (same call shapes as the real one),
with a simulated central connecting. Light sleep: the simulated CPU sleeps until a pin IRQ or the
timeout and counts its wake-ups; they are compared (loosely) with the power budget's model."""
import json
import sys

from sim_app import BLE_FAKES, ROOT, TREADMILL, run

sys.path.insert(0, str(ROOT / "hardware"))
import power_budget  # noqa: E402

SIM_BOARD = json.loads((ROOT / "hardware" / "boards" / "sim.json").read_text())


def ok(r):
    assert r.rc == 0 and "Traceback" not in r.out, r.out[-3000:]
    return r.result


def test_ble_per_step_notifies_every_step_and_reports_the_battery(tmp_path):
    res = ok(run(tmp_path, {"ble": {"notify": "step"}, "battery_s": 5}, recording=TREADMILL,
                 path=[BLE_FAKES], session=[1.0], ble_central_s=0.5, end_s=20))
    assert res["ble_error"] is None
    # a notification per step (steps confirmed in one FIFO batch may share one), all sent
    assert res["ble_notified"] >= 0.9 * res["steps"] and res["steps"] > 40
    assert res["ble_sent"] >= res["ble_notified"]
    assert res["ble_battery"] == (3900 - 3300) * 100 // 900  # sim battery 1.95 V x 2 = 3.9 V
    assert res["light_sleeps"] <= 2  # no light sleep while a receiver is connected


def test_ble_once_a_second(tmp_path):
    res = ok(run(tmp_path, {"ble": {"notify": "second"}}, recording=TREADMILL, path=[BLE_FAKES],
                 session=[1.0], ble_central_s=0.5, end_s=20))
    assert 18 <= res["ble_notified"] <= 21


def test_ble_disabled_never_starts(tmp_path):
    r = run(tmp_path, {"ble": {"enabled": False}}, recording=TREADMILL, path=[BLE_FAKES], session=[1.0],
            end_s=5)
    res = ok(r)
    assert "ble_notified" not in res and "BLE" not in r.out


def test_ble_on_a_port_without_bluetooth_is_one_warning(tmp_path):
    r = run(tmp_path, {}, recording=TREADMILL, session=[1.0], end_s=5)
    ok(r)
    assert "warning: BLE: this port has no bluetooth module: BLE off" in r.out


def test_light_sleep_wakes_about_as_often_as_the_power_budget_assumes(tmp_path):
    # A haptic metronome at full drive (a DC motor pulse: the CPU sleeps through it, as the budget's
    # model assumes), 170 spm, one beat per step, flush every 5 s.
    res = ok(run(tmp_path, {"target_spm": 170, "output": "haptic", "intensity": 100, "accent_every": 0,
                            "flush_s": 5, "ble": {"enabled": False}},
                 recording=TREADMILL, session=[1.0], end_s=61))
    expected = power_budget.expected_wakes_per_s(SIM_BOARD, 170, 1, 5.0)
    measured = res["light_sleeps"] / res["sim_s"]
    print("\nwake-ups: %.2f /s measured (light-sleep exits, haptic 170 spm), %.2f /s in the budget; "
          "asleep %.0f %% of the time" % (measured, expected, 100 * res["slept_s"] / res["sim_s"]))
    assert res["light_sleep"] and res["late_beats"] == 0
    assert 0.6 * expected <= measured <= 1.5 * expected  # a loose sanity bound, not a timing test
    assert res["slept_s"] >= 0.5 * res["sim_s"]


def test_no_light_sleep_when_off_or_on_usb_with_a_board_that_drops_it(tmp_path):
    res = ok(run(tmp_path / "off", {"light_sleep": "off"}, recording=TREADMILL, session=[1.0], end_s=10))
    assert res["light_sleeps"] == 0 and not res["light_sleep"]
    board = dict(SIM_BOARD, power=dict(SIM_BOARD["power"], light_sleep_while_usb=False))
    bf = tmp_path / "board.json"
    bf.write_text(json.dumps(board))
    res = ok(run(tmp_path / "usb", {}, recording=TREADMILL, session=[1.0], end_s=10, board=bf, usb=True))
    assert res["light_sleeps"] == 0
    res = ok(run(tmp_path / "nousb", {}, recording=TREADMILL, session=[1.0], end_s=10, board=bf, usb=False))
    assert res["light_sleeps"] > 10


def test_beats_stay_on_schedule_with_light_sleep(tmp_path):
    r = run(tmp_path, {"target_spm": 170, "output": "both"}, recording=TREADMILL, session=[1.0], end_s=40)
    res = ok(r)
    assert res["light_sleeps"] > 50
    beats = r.onsets("buzzer")
    period = 60e6 / 170
    errs = [t - beats[0] - round((t - beats[0]) / period) * period for t in beats]
    assert len(beats) > 100 and max(abs(e) for e in errs) <= 1000
