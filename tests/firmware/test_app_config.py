"""Config loading never fails a boot; board profiles load; button gestures and LED patterns."""
import json
import pathlib

import pytest
from pod import app_ui as ui
from pod import board as podboard
from pod import config as podconfig
from pod.core.metronome import ticks_diff30

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_missing_config_gives_defaults_and_a_warning(tmp_path):
    cfg, warnings = podconfig.load(str(tmp_path / "config.json"))
    assert cfg == podconfig.defaults()
    assert len(warnings) == 1 and "using defaults" in warnings[0]


@pytest.mark.parametrize("text", ["{", "[1, 2]", "", "\x00\xff garbage", "null"])
def test_broken_config_gives_defaults_and_a_warning(tmp_path, text):
    p = tmp_path / "config.json"
    p.write_bytes(text.encode("latin-1"))
    cfg, warnings = podconfig.load(str(p))
    assert cfg == podconfig.defaults()
    assert warnings


def test_bad_values_fall_back_per_key_and_good_ones_stay(tmp_path):
    p = tmp_path / "config.json"
    p.write_text(json.dumps({"target_spm": 175, "intensity": 300, "output": "loud", "metronome": 1,
                             "steps_per_beat": 3, "pulse_ms": 30, "plan": {"goal": 180}}))
    cfg, warnings = podconfig.load(str(p))
    assert cfg["target_spm"] == 175 and cfg["pulse_ms"] == 30
    assert cfg["intensity"] == 70 and cfg["output"] == "both" and cfg["metronome"] is True
    assert cfg["steps_per_beat"] == 1
    assert cfg["plan"] == {"goal": 180}  # another module's section is kept for it
    assert sorted(w.split()[0] for w in warnings) == ["intensity", "metronome", "output", "steps_per_beat"]


def test_save_then_load_round_trips(tmp_path):
    cfg = podconfig.defaults()
    cfg["target_spm"] = 165
    path = str(tmp_path / "config.json")
    podconfig.save(cfg, path)
    assert podconfig.load(path) == (cfg, [])


@pytest.mark.parametrize("name", ["m5stickc_plus2", "xiao_esp32s3_lsm6dso", "sim"])
def test_every_board_profile_loads(name):
    b = podboard.load(str(ROOT / "hardware" / "boards" / ("%s.json" % name)))
    assert podboard.pin(b, "imu_int") is not None
    assert podboard.pin(b, "button_a") is not None


def test_missing_board_file_is_one_clear_error(tmp_path):
    with pytest.raises(podboard.BoardError, match="make flash"):
        podboard.load(str(tmp_path / "board.json"))


def press(btn, t0, hold_ms, step=10):
    """Feed a press of hold_ms then 1 s of release; return the gestures seen."""
    out = []
    t = t0
    while t < t0 + hold_ms:
        g = btn.update(True, t, ticks_diff30)
        if g:
            out.append(g)
        t += step
    end = t + 1000
    while t < end:
        g = btn.update(False, t, ticks_diff30)
        if g:
            out.append(g)
        t += step
    return out, t


def test_click_hold_and_double_click():
    b = ui.Button(multi=True)
    assert press(b, 0, 120)[0] == [1]
    assert press(b, 5000, 1500)[0] == [-1]
    # two quick clicks: one gesture of 2
    seen = []
    t = 10000
    for _ in range(2):
        for _i in range(10):
            g = b.update(True, t, ticks_diff30)
            seen += [g] if g else []
            t += 10
        for _i in range(15):
            g = b.update(False, t, ticks_diff30)
            seen += [g] if g else []
            t += 10
    for _i in range(100):
        g = b.update(False, t, ticks_diff30)
        seen += [g] if g else []
        t += 10
    assert seen == [2]


def test_click_is_reported_at_release_without_multi_click():
    b = ui.Button()
    seen = [(t, b.update(t < 100, t, ticks_diff30)) for t in range(0, 300, 10)]
    assert [t for t, g in seen if g] == [130] and [g for t, g in seen if g] == [1]


def test_bounce_shorter_than_debounce_is_ignored():
    b = ui.Button(multi=True)
    seen = [b.update(v, t, ticks_diff30) for t, v in [(0, True), (5, False), (10, True), (15, False)]]
    seen += [b.update(False, t, ticks_diff30) for t in range(20, 2000, 10)]
    assert not any(seen)


def test_gesture_actions_for_one_and_two_button_boards():
    two, one = ["a", "b"], ["a"]
    assert ui.action("a", 1, two) == ui.START_STOP
    assert ui.action("a", -1, two) == ui.SWITCH_MODE
    assert ui.action("b", 1, two) == ui.NUDGE_UP
    assert ui.action("b", -1, two) == ui.NUDGE_DOWN
    assert ui.action("a", 1, one) == ui.START_STOP
    assert ui.action("a", 2, one) == ui.NUDGE_UP
    assert ui.action("a", 3, one) == ui.NUDGE_DOWN
    assert ui.action("a", -1, one) == ui.SWITCH_MODE


def test_led_error_code_blinks_n_times():
    states = []
    led = ui.Led(states.append)
    led.show(ui.error_pattern(3), 0)
    for t in range(0, 2700, 10):
        led.update(t, ticks_diff30)
    ons = sum(1 for s in states if s)
    assert ons == 3 + 1  # three blinks, then the next group starts at 2700 ms
