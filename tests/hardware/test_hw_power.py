"""The power budget: the script runs, its arithmetic matches a hand computation, and the README has
its current output."""
import pathlib
import subprocess
import sys

import pinmap
import power_budget as pb
import pytest

HARDWARE = pathlib.Path(pb.__file__).resolve().parent


def test_script_prints_every_mode_for_both_boards():
    proc = subprocess.run([sys.executable, str(HARDWARE / "power_budget.py")], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for name in ("m5stickc_plus2", "xiao_esp32s3_lsm6dso"):
        assert name in out
    for mode in ("recording + haptic metronome", "recording + audio metronome", "idle, motion wake-up",
                 "deep sleep"):
        assert sum(line.startswith(mode) for line in out.splitlines()) == 2, mode
    assert "n/a (no motor)" in out          # the StickC has no vibration motor
    assert "FIFO watermark sweep" in out


def test_every_figure_is_cited():
    for name, (value, status, source) in pb.FIGURES.items():
        assert value > 0, name
        assert status in ("checked", "quoted", "estimate"), name
        assert len(source) > 20, name
        if status == "estimate":
            assert "estimate" in source, name


def test_recording_haptic_matches_hand_computation():
    """XIAO, recording + haptic at 180 spm, watermark 52, light sleep on, worked out by hand."""
    r = pb.recording(pinmap.load("xiao_esp32s3_lsm6dso"), "haptic")
    # FIFO: 104 Hz / 52 = 2 batches/s; beats: 180/60 = 3/s, 2 wakes each; flush every 5 s
    assert r["wakes_per_s"] == pytest.approx(2 + 6 + 0.2)
    # active time per second:
    #   wakes   8.2 * 1.0 ms                         = 8.2 ms
    #   I2C     2 * (1 + 52*7) bytes * 9 / 400 kHz   = 16.425 ms
    #   samples 104 * 0.15 ms                        = 15.6 ms
    #   flush   10 ms / 5 s                          = 2.0 ms   -> 42.225 ms
    active = 0.0082 + 2 * 365 * 9 / 400000 + 0.0156 + 0.002
    assert active == pytest.approx(0.042225)
    assert r["active_frac"] == pytest.approx(active)
    # MCU: busy at 34.0 mA, light sleep at 2.0 mA the rest (a DC motor pulse does not keep it awake)
    mcu = active * 34.0 + (1 - active) * 2.0
    assert r["parts"]["mcu"] == pytest.approx(mcu)             # 3.351 mA
    motor = 66.0 * 3 * 0.040                                   # 7.92 mA
    assert r["parts"]["output"] == pytest.approx(motor)
    self_discharge = 400 * 0.03 / 720                          # 0.0167 mA
    total = mcu + 0.17 + motor + 0.0084 + self_discharge
    assert r["total_ma"] == pytest.approx(total)
    assert total == pytest.approx(11.466, abs=0.001)
    assert r["life_h"] == pytest.approx(400 * 0.9 / total)     # 31.4 h


def test_expected_wakes_per_second():
    xiao, m5 = pinmap.load("xiao_esp32s3_lsm6dso"), pinmap.load("m5stickc_plus2")
    assert pb.expected_wakes_per_s(xiao) == pytest.approx(104 / 52 + 6 + 0.2)
    half = pb.expected_wakes_per_s(m5, target_spm=170, beat_divisor=2)
    assert half == pytest.approx(100 / 52 + 170 / 60 + 0.2)


def test_deep_sleep_matches_hand_computation():
    r = pb.deep_sleep(pinmap.load("xiao_esp32s3_lsm6dso"))
    assert r["total_ma"] == pytest.approx(0.014 + 0.003 + 0.0084 + 400 * 0.03 / 720)


def test_light_sleep_and_batching_save_power():
    b = pinmap.load("m5stickc_plus2")
    on = pb.recording(b, "audio", light_sleep=True)
    off = pb.recording(b, "audio", light_sleep=False)
    assert on["total_ma"] < off["total_ma"] / 3
    per_sample = pb.recording(b, "audio", watermark=1)
    assert per_sample["wakes_per_s"] > 100 and per_sample["total_ma"] > on["total_ma"]
    # a beat every 2nd step halves the beat wakes
    half = pb.recording(b, "audio", beat_divisor=2)
    assert on["wakes_per_s"] - half["wakes_per_s"] == pytest.approx(3.0)


def test_fifo_headroom_of_the_chosen_watermark():
    # MPU6886: 1 kB FIFO / 8 B frames = 128 frames; watermark 52 at 100 Hz leaves 0.76 s before overflow
    r = pb.recording(pinmap.load("m5stickc_plus2"), "audio")
    assert r["headroom_ms"] == pytest.approx((128 - 52) * 10.0)
    assert r["headroom_ms"] > 500


def test_readme_has_the_current_output():
    readme = (HARDWARE / "README.md").read_text(encoding="utf-8")
    assert pb.tables(markdown=True).strip() in readme
    assert readme == pb.readme_text(readme), "run: python hardware/power_budget.py --update-readme"


def test_readme_design_claims_match_the_model():
    readme = (HARDWARE / "README.md").read_text(encoding="utf-8")
    m5, xiao = pinmap.load("m5stickc_plus2"), pinmap.load("xiao_esp32s3_lsm6dso")
    for b, out in ((m5, "audio"), (xiao, "haptic")):
        on = pb.recording(b, out)["total_ma"]
        off = pb.recording(b, out, light_sleep=False)["total_ma"]
        assert "%.1f mA vs %.1f mA" % (on, off) in readme
        assert off / on > 3
    assert "%d ms of FIFO headroom" % round(pb.recording(m5, "audio")["headroom_ms"]) in readme
    assert "104 would leave %d ms" % round(pb.recording(m5, "audio", watermark=104)["headroom_ms"]) in readme
    wakes = [pb.recording(xiao, "haptic", beat_divisor=d)["wakes_per_s"] for d in (1, 2, 4)]
    assert "= %.1f at 180 spm" % wakes[0] in readme
    assert "(%.1f with a beat every 2nd" % wakes[1] in readme and "%.1f every 4th" % wakes[2] in readme
    for board, nbytes in ((m5, 416), (xiao, 364)):
        bp = pb.board_power(board)
        assert bp["watermark"] * bp["bytes_per_sample"] == nbytes
        assert "%d B" % nbytes in readme
