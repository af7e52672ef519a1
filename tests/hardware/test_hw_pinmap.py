"""Board pin maps: every shipped board validates; broken copies fail with one clear message each."""
import copy
import json

import pinmap
import pytest

BOARDS = ("m5stickc_plus2", "xiao_esp32s3_lsm6dso", "sim")


def board(name):
    with open(pinmap.board_path(name)) as f:
        return json.load(f)


def test_the_three_boards_exist():
    assert set(BOARDS) <= set(pinmap.board_names())


@pytest.mark.parametrize("name", BOARDS)
def test_board_validates(name):
    b = pinmap.load(name)
    # the minimum keys of the brief, with their types
    assert b["name"] == name
    assert b["mcu"] in ("esp32", "esp32s3", "sim")
    assert isinstance(b["mpy_march"], str)
    for key in ("type", "i2c_addr", "i2c_id", "freq_hz"):
        assert key in b["imu"]
    for key in ("i2c_sda", "i2c_scl", "imu_int", "buzzer", "motor", "button_a", "button_b", "led",
                "led_active_low", "battery_adc", "power_hold"):
        assert key in b["pins"]
    assert set(b["outputs"]) >= {"buzzer", "motor"}


def test_datasheet_facts_of_the_real_boards():
    m5 = pinmap.load("m5stickc_plus2")
    assert (m5["pins"]["i2c_sda"], m5["pins"]["i2c_scl"]) == (21, 22)
    assert m5["pins"]["power_hold"] == 4 and m5["pins"]["buzzer"] == 2 and m5["pins"]["led"] == 19
    assert m5["imu"] == dict(m5["imu"], type="mpu6886", i2c_addr=0x68)
    assert m5["outputs"] == {"buzzer": True, "motor": False}
    xiao = pinmap.load("xiao_esp32s3_lsm6dso")
    labels = xiao["pad_labels"]
    # XIAO ESP32S3 pads: D0..D10 -> GPIO1,2,3,4,5,6,43,44,7,8,9
    expected = {"D0": 1, "D1": 2, "D2": 3, "D3": 4, "D4": 5, "D5": 6, "D6": 43, "D7": 44,
                "D8": 7, "D9": 8, "D10": 9}
    assert {v: int(k) for k, v in labels.items() if v.startswith("D")} == expected
    assert xiao["imu"]["type"] == "lsm6dso" and xiao["imu"]["i2c_addr"] == 0x6A


def check(b, *needles, stem=None):
    with pytest.raises(ValueError) as e:
        pinmap.validate(b, stem)
    msg = str(e.value)
    assert "\n" not in msg, "one-line error expected"
    for n in needles:
        assert n in msg, "%r not in %r" % (n, msg)
    return msg


def test_duplicate_pin_fails():
    b = board("m5stickc_plus2")
    b["pins"]["button_b"] = 37
    check(b, "GPIO37 is used twice: pins.button_a and pins.button_b")


def test_pin_clashing_with_a_factory_wired_pin_fails():
    b = board("m5stickc_plus2")
    b["pins"]["motor"] = 27          # the LCD backlight
    b["outputs"]["motor"] = True
    check(b, "GPIO27 is used twice", "reserved:lcd_backlight")


def test_nonexistent_pin_fails():
    b = board("m5stickc_plus2")
    b["pins"]["motor"] = 24
    b["outputs"]["motor"] = True
    check(b, "pins.motor", "GPIO24 does not exist on the esp32")


def test_pin_not_brought_out_fails():
    b = board("xiao_esp32s3_lsm6dso")
    b["pins"]["motor"] = 10          # exists on the S3, but has no XIAO pad
    check(b, "GPIO10 is not usable on the XIAO ESP32S3")
    b = board("m5stickc_plus2")
    b["pins"]["button_b"] = 7        # SPI flash
    check(b, "GPIO7 is not usable")


def test_non_rtc_interrupt_pin_on_esp32_fails():
    b = board("m5stickc_plus2")
    b["pins"]["imu_int"] = 23
    check(b, "pins.imu_int = GPIO23 cannot wake the esp32 from sleep", "RTC GPIO", "32-39")


def test_non_rtc_interrupt_pin_on_s3_fails_too():
    # deep-sleep ext0/ext1 wake on the S3 needs an RTC GPIO (0-21): GPIO43 (pad D6) is not one
    b = board("xiao_esp32s3_lsm6dso")
    b["pins"]["imu_int"] = 43
    b["reserved"].pop("uart0_tx")
    check(b, "GPIO43 cannot wake the esp32s3")


def test_output_on_input_only_pin_fails():
    b = board("m5stickc_plus2")
    b["pins"]["buzzer"] = 36
    check(b, "pins.buzzer = GPIO36 is input-only")


def test_unexplained_strapping_pin_fails():
    b = board("m5stickc_plus2")
    del b["strapping_notes"]["2"]
    check(b, "pins.buzzer = GPIO2 is a boot-strapping pin", 'strapping_notes["2"]')
    b = board("xiao_esp32s3_lsm6dso")
    b["pins"]["button_b"] = 3        # pad D2, an S3 strapping pin
    check(b, "button_b = GPIO3 is a boot-strapping pin on the esp32s3")


def test_battery_on_adc2_fails():
    b = board("m5stickc_plus2")
    b["pins"]["battery_adc"] = 26
    b["reserved"]["lcd_backlight"] = 27
    check(b, "pins.battery_adc = GPIO26 is not an ADC1 pin")


def test_outputs_must_match_pins():
    b = board("xiao_esp32s3_lsm6dso")
    b["outputs"]["motor"] = False
    check(b, "outputs.motor is False but pins.motor is 4")


def test_missing_keys_and_bad_values_fail():
    b = board("sim")
    del b["pins"]["led"]
    b["imu"]["i2c_addr"] = 300
    b["imu"]["type"] = "bmi270"
    b["mpy_march"] = "rv32imc"
    msg = check(b, "pins.led is missing", "imu.i2c_addr is 300", "imu.type is 'bmi270'",
                "'mpy_march' is 'rv32imc'")
    assert msg.count(";") >= 3           # every violation listed, not just the first
    b = board("sim")
    b["pins"]["imu_int"] = None
    check(b, "pins.imu_int must be a GPIO number")
    check(board("sim"), "'name' is 'sim' but the file is other.json", stem="other")


def test_power_section_is_checked():
    b = board("xiao_esp32s3_lsm6dso")
    b["power"]["fifo_watermark_samples"] = 600
    b["power"]["battery_mah"] = 0
    check(b, "power.fifo_watermark_samples is 600", "power.battery_mah is 0")


def test_load_reports_bad_files(tmp_path):
    p = tmp_path / "broken.json"
    p.write_text("{not json")
    with pytest.raises(ValueError, match="broken.json is not valid JSON"):
        pinmap.load(str(p))
    with pytest.raises(ValueError, match="cannot read"):
        pinmap.load(str(tmp_path / "nothere.json"))
    good = tmp_path / "m5stickc_plus2.json"
    good.write_text(json.dumps(board("m5stickc_plus2")))
    assert pinmap.load(str(good))["name"] == "m5stickc_plus2"


def test_mutations_do_not_leak_into_the_shipped_files():
    a = board("m5stickc_plus2")
    b = copy.deepcopy(a)
    b["pins"]["button_b"] = 37
    assert pinmap.problems(a, "m5stickc_plus2") == []


def test_cli_validates_every_board(capsys):
    assert pinmap.main([]) == 0
    out = capsys.readouterr().out
    for name in BOARDS:
        assert "ok   %s" % name in out
