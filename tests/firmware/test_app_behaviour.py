"""The app on the simulated pod in short scenarios: buttons, a missing IMU, a dead INT line, a broken
config, safe mode. Each runs the compiled app (as flashed) for a few simulated seconds."""
import json
import pathlib

import pytest
from sim_app import DEMO_RUN, pulses, read_events
from test_app_helpers import build_app, run_sim, sim_result

ROOT = pathlib.Path(__file__).resolve().parents[2]
RUN = ROOT / "tests" / "fixtures" / "sacrum-running-treadmill" / "trial00.csv"
HEAP_KB = 256  # memory is test_app_session's job; these check behaviour


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    return build_app(tmp_path_factory.mktemp("app") / "build")


def scenario(build, tmp_path, config=None, config_text=None, **settings):
    fs = tmp_path / "fs"
    fs.mkdir()
    if config is not None:
        (fs / "config.json").write_text(json.dumps(config))
    if config_text is not None:
        (fs / "config.json").write_text(config_text)
    s = {"board": str(ROOT / "hardware" / "boards" / "sim.json"), "recording": str(RUN), "loop": True,
         "preload": True, "start_us": (1 << 30) - 3_000_000, "events": "events.csv", "result": "result.json"}
    s.update(settings)
    (fs / "sim.json").write_text(json.dumps(s))
    r = run_sim(build, fs, HEAP_KB, timeout=120)
    out = r.stdout.decode() + r.stderr.decode()
    assert r.returncode == 0, out
    assert "Traceback" not in out, out
    return out, sim_result(fs), read_events(fs), fs


def onsets(events, kind="buzzer", t0=0, t1=1 << 62):
    return [t for t, k, v in events if k == kind and v != "0" and t0 <= t < t1]


def session_log(fs):
    from pod.core import logcodec

    logs = sorted((fs / "logs").glob("*.cpl"))
    return [logcodec.decode(p.read_bytes()) for p in logs]


def test_buttons_start_nudge_switch_mode_and_stop(build, tmp_path):
    # A click at 1 s starts; B click at 6 s: +5 spm; A hold at 11 s: output both -> haptic;
    # B hold at 16 s: -5 spm; A click at 21 s stops.
    presses = [[6.0, "b", 0.15], [11.0, "a", 1.2], [16.0, "b", 1.2]]
    out, res, ev, fs = scenario(build, tmp_path, config={"target_spm": 170}, session=[1.0, 21.0],
                                presses=presses, end_s=23)
    buzz = onsets(ev, "buzzer")
    motor = onsets(ev, "motor")
    iv_before = [b - a for a, b in zip(buzz, buzz[1:], strict=False) if b < 6_000_000]
    iv_after = [b - a for a, b in zip(buzz, buzz[1:], strict=False) if 7_000_000 < a and b < 11_000_000]
    assert set(iv_before) <= {352941, 352942}  # 170 spm
    assert set(iv_after) <= {342857, 342858}  # 175 spm
    assert not onsets(ev, "buzzer", 12_200_000, 21_000_000)  # haptic only after the hold
    assert onsets(ev, "motor", 12_200_000, 21_000_000)
    m_after = [b - a for a, b in zip(motor, motor[1:], strict=False) if 17_500_000 < a and b < 21_000_000]
    assert set(m_after) <= {352941, 352942}  # back to 170 after the B hold
    assert not onsets(ev, "motor", 21_200_000) and not onsets(ev, "buzzer", 21_200_000)  # stopped
    (log,) = session_log(fs)
    kinds = [(e[1], e[2]) for e in log.events]
    assert ("target", 175) in kinds and ("target", 170) in kinds and ("mode", 1) in kinds
    assert json.loads((fs / "config.json").read_text())["target_spm"] == 170  # saved at stop
    # the config schema is boot-only and the log reader host-only: neither stays in the pod's heap
    assert "pod.app" in res["modules"]
    assert "pod.config" not in res["modules"] and "pod.core.logread" not in res["modules"]


def test_nudge_stops_at_the_configured_range(build, tmp_path):
    out, res, ev, fs = scenario(build, tmp_path, config={"target_spm": 240}, session=[1.0, 6.0],
                                presses=[[3.0, "b", 0.15]], end_s=7)
    buzz = onsets(ev, "buzzer")
    assert {b - a for a, b in zip(buzz, buzz[1:], strict=False)} <= {250000}  # still 240 spm
    (log,) = session_log(fs)
    assert not [v for _t, k, v in log.events if k == "target" and v > 240]
    assert json.loads((fs / "config.json").read_text())["target_spm"] == 240


def test_missing_imu_gives_metronome_only_with_led_code_and_retries(build, tmp_path):
    out, res, ev, fs = scenario(build, tmp_path, imu_missing=True, session=[1.0, 28.0], end_s=30,
                                config={"imu_retry_s": 5})
    assert "metronome-only" in out
    assert res["imu_failures"] >= 5  # boot + a retry every 5 s
    assert len(onsets(ev, "buzzer")) > 70  # the metronome keeps going
    led_on = [t for t, k, v in ev if k == "led" and v == "1" and t > 2_000_000]
    gaps = [b - a for a, b in zip(led_on, led_on[1:], strict=False)]
    # error code 2: two blinks 400 ms apart, then a 1.5 s pause (LED steps at the 50 ms main loop)
    assert gaps and all(abs(g - 400_000) <= 60_000 or abs(g - 1_650_000) <= 60_000 for g in gaps)
    assert abs(sum(1 for g in gaps if g < 1_000_000) - sum(1 for g in gaps if g > 1_000_000)) <= 1
    assert len(gaps) > 10
    (log,) = session_log(fs)
    assert any(k == "error" and "imu" in str(v) for _t, k, v in log.events)


def test_dead_int_line_falls_back_to_polling(build, tmp_path):
    out, res, ev, fs = scenario(build, tmp_path, int_dead=True, session=[1.0, 20.0], end_s=21)
    assert res["irqs"] == 0 and res["polls"] > 15
    assert res["steps"] > 30  # ~2.9 steps/s while the session ran


def test_broken_config_gives_defaults_and_a_warning(build, tmp_path):
    out, res, ev, fs = scenario(build, tmp_path, config_text='{"target_spm": 17', session=[1.0, 8.0],
                                end_s=9)
    assert "config.json is not valid JSON: using defaults" in out
    buzz = onsets(ev, "buzzer")
    assert {b - a for a, b in zip(buzz, buzz[1:], strict=False)} <= {352941, 352942}  # default 170


def test_safe_mode_skips_the_app(build, tmp_path):
    out, res, ev, fs = scenario(build, tmp_path, safe_mode=True, session=[1.0], end_s=5)
    assert "safe mode" in out
    assert res is None and not onsets(ev, "buzzer")


def test_repeated_crashes_end_in_safe_mode_not_a_boot_loop(build, tmp_path):
    fs = tmp_path / "fs"
    outs = []
    for _ in range(4):
        s = {"board": str(ROOT / "hardware" / "boards" / "sim.json"), "crash_at_s": 2.0, "end_s": 5}
        fs.mkdir(exist_ok=True)
        (fs / "sim.json").write_text(json.dumps(s))
        r = run_sim(build, fs, HEAP_KB, timeout=60)
        outs.append(r.stdout.decode() + r.stderr.decode())
    assert all("injected crash" in o for o in outs[:3])
    assert "safe mode: the app crashed 3 times" in outs[3] and "injected crash" not in outs[3]
    (fs / "crashes").unlink()  # the user's fix
    s["crash_at_s"] = None
    s["end_s"] = 61
    (fs / "sim.json").write_text(json.dumps(s))
    (fs / "crashes").write_text("2")
    r = run_sim(build, fs, HEAP_KB, timeout=60)
    assert r.returncode == 0 and not (fs / "crashes").exists()  # 60 s of running clears the count


def test_a_flat_battery_warns_once_then_saves_the_session_and_switches_off(build, tmp_path):
    # The cell runs down during a session: 3.9 V, below 3.5 V at ~40 s, below 3.4 V at ~73 s.
    curve = [[0, 3900], [20, 3800], [100, 3200]]
    out, res, ev, fs = scenario(build, tmp_path, config={"battery_s": 10}, session=[1.0, 200.0],
                                end_s=200, battery_mv=curve)
    assert "battery low" in out and "battery empty" in out
    assert res["powered_off"] and res["sim_s"] < 100  # off, long before the scripted end
    assert ("power" in {k for _t, k, _v in ev})
    (log,) = session_log(fs)
    assert log.complete, log.damage  # the end record was written before the power went
    kinds = [k for _t, k, _v in log.events]
    assert kinds.count("battery_low") == 1 and kinds.count("battery_empty") == 1
    t_low = next(t for t, k, _v in log.events if k == "battery_low")
    t_empty = next(t for t, k, _v in log.events if k == "battery_empty")
    assert 30_000 < t_low < t_empty < 90_000 and kinds[-1] == "stop"
    # three long pulses (not a beat, not an alert) right after the low warning
    long_pulses = [on for on, n in pulses(ev) if n >= 500_000]
    assert len(long_pulses) == 3
    t_off = max(t for t, k, _v in ev if k == "power")
    assert not [t for t, k, v in ev if k in ("buzzer", "motor") and v != "0" and t > t_off]


def test_an_empty_level_above_the_low_level_is_a_config_warning(build, tmp_path):
    out, res, ev, fs = scenario(build, tmp_path, config={"battery_low_mv": 3400, "battery_empty_mv": 3600},
                                session=[1.0, 3.0], end_s=4)
    assert "battery_empty_mv must not exceed battery_low_mv" in out
    assert not res["powered_off"]


def test_an_imu_glitch_mid_session_keeps_the_step_times_running_on(build, tmp_path):
    out, res, ev, fs = scenario(build, tmp_path, config={"imu_retry_s": 5}, session=[1.0, 40.0], end_s=42,
                                imu_glitch_s=15.0)
    assert res["imu_failures"] == 1 and "IMU up" in out
    (log,) = session_log(fs)
    times = [t for t, _iv in log.steps]
    assert times == sorted(times) and times[-1] > 30_000  # on the session clock after the reopen
    assert sum(1 for t, iv in log.steps if t == 0) <= 1  # only a first step can be at 0
    after = [t for t in times if t > 22_000]
    assert len(after) > 40  # steps found again once the IMU is back (~3 per second)


def test_sync_at_a_walking_tempo_and_a_nudge_below_it_run(build, tmp_path):
    out, res, ev, fs = scenario(build, tmp_path, config={"sync": True, "target_spm": 65}, session=[1.0, 20.0],
                                presses=[[8.0, "b", 1.2]], end_s=22)  # B hold: 60 spm, the floor
    (log,) = session_log(fs)
    assert ("target", 60) in [(k, v) for _t, k, v in log.events]


def test_a_nudge_while_idle_is_saved_at_once(build, tmp_path):
    out, res, ev, fs = scenario(build, tmp_path, config={"target_spm": 170}, presses=[[2.0, "b", 0.15]],
                                end_s=4)
    assert json.loads((fs / "config.json").read_text())["target_spm"] == 175


def test_autostart_listens_again_after_a_session_stopped_by_hand(build, tmp_path):
    out, res, ev, fs = scenario(build, tmp_path, config={"autostart": True}, presses=[[40.0, "a", 0.15]],
                                end_s=90)
    logs = session_log(fs)
    assert len(logs) == 2  # the runner ran on: a new session started by itself
    assert all(("autostart" in [k for _t, k, _v in s.events]) for s in logs)


def test_no_phase_error_before_the_first_beat(build, tmp_path):
    out, res, ev, fs = scenario(build, tmp_path, config={"target_spm": 170}, session=[1.0, 8.0], end_s=10)
    (log,) = session_log(fs)
    phases = [t for t, k, _v in log.events if k == "phase"]
    assert phases and min(phases) >= 500 - 177  # first beat after the 500 ms lead-in, less half a beat


def test_an_alert_stops_with_the_session(build, tmp_path):
    # The demo run is at ~187 spm: at 150 spm with no warm-up the "too fast" alert fires at once.
    cfg = {"alerts": "on", "warmup_s": 0, "alert_out_s": 0, "target_spm": 150}
    out, res, ev, fs = scenario(build, tmp_path, config=cfg, session=[1.0, 2.35], end_s=5,
                                recording=str(DEMO_RUN))
    (log,) = session_log(fs)
    assert "alert" in [k for _t, k, _v in log.events]
    assert not [t for t, k, v in ev if k in ("motor", "buzzer") and v != "0" and t > 2_600_000]


@pytest.mark.parametrize("how, kept_ms", [("interrupt", 3333), ("crash", 0)])
def test_ctrl_c_hands_the_watchdog_to_a_timer_but_a_crash_does_not(tmp_path, how, kept_ms):
    # mpremote stops the app with Ctrl-C before a pull or a flash: the watchdog (which an ESP32 cannot
    # stop) is then fed by a timer, so a long transfer is not reset half way. A crash still resets.
    from podtest import run_micropython

    script = pathlib.Path(__file__).with_name("mp_main_handover.py")
    p = run_micropython([str(script), str(ROOT / "hardware" / "boards" / "sim.json"), how], cwd=str(tmp_path))
    out = p.stdout.decode() + p.stderr.decode()
    line = [x for x in out.splitlines() if x.startswith("RESULT ")]
    assert line, out
    assert json.loads(line[0][7:])["kept_ms"] == kept_ms
