"""BOM covers both boards and agrees with the pin maps; the wiring SVGs and tables are up to date."""
import csv
import re

import pinmap
import pytest
import wiring_svg

REAL_BOARDS = ("m5stickc_plus2", "xiao_esp32s3_lsm6dso")
COLUMNS = ["board_profile", "ref", "part_number", "qty", "value", "role", "example_supplier_part"]
DIY_REFS = {"U1", "U2", "M1", "Q1", "D1", "R1", "R2", "R3", "R4", "R5", "C1", "BZ1", "SW1", "BT1"}


def bom_rows():
    with open(wiring_svg.BOM_PATH, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def test_bom_references_both_boards_and_only_known_ones():
    profiles = {r["board_profile"] for r in bom_rows()}
    assert profiles == set(REAL_BOARDS)
    assert profiles <= set(pinmap.board_names())


def test_bom_rows_are_complete():
    seen = set()
    for r in bom_rows():
        for col in COLUMNS:
            assert r[col].strip(), "empty %s in %s" % (col, r)
        assert int(r["qty"]) >= 1
        key = (r["board_profile"], r["ref"])
        assert key not in seen, "duplicate %s" % (key,)
        seen.add(key)


def test_diy_bom_has_every_part_of_the_drawing():
    refs = {r["ref"] for r in bom_rows() if r["board_profile"] == "xiao_esp32s3_lsm6dso"}
    assert DIY_REFS <= refs
    m5 = [r for r in bom_rows() if r["board_profile"] == "m5stickc_plus2"]
    assert any(r["part_number"] == "K016-P2" for r in m5)


def test_bom_agrees_with_the_board_files():
    xiao = pinmap.load("xiao_esp32s3_lsm6dso")
    bom = wiring_svg.load_bom("xiao_esp32s3_lsm6dso")
    assert "%d mAh" % xiao["power"]["battery_mah"] in bom["BT1"]["value"]
    assert "0x%02X" % xiao["imu"]["i2c_addr"] in bom["U2"]["role"]
    # divider ratio in the board file = (R4 + R5) / R5
    kohm = [float(re.match(r"([\d.]+) k", bom[r]["value"]).group(1)) for r in ("R4", "R5")]
    assert xiao["battery_adc_ratio"] == pytest.approx((kohm[0] + kohm[1]) / kohm[1])
    assert xiao["outputs"]["motor"] and xiao["outputs"]["buzzer"]


@pytest.mark.parametrize("name", REAL_BOARDS)
def test_committed_svg_is_up_to_date(name):
    with open(wiring_svg.svg_path(name), encoding="utf-8") as f:
        committed = f.read()
    assert committed == wiring_svg.render(name), "run: python hardware/wiring_svg.py"


def test_wiring_md_tables_are_up_to_date():
    with open(wiring_svg.WIRING_MD, encoding="utf-8") as f:
        text = f.read()
    assert text == wiring_svg.wiring_md_text(text), "run: python hardware/wiring_svg.py"
    for name in REAL_BOARDS:
        assert "<!-- pins:%s -->" % name in text


def test_svg_shows_every_pin_and_the_drivers():
    for name in REAL_BOARDS:
        b = pinmap.load(name)
        svg = wiring_svg.render(name)
        for role, gpio in pinmap.gpio_pins(b):
            assert "GPIO%d" % gpio in svg, (name, role)
    svg = wiring_svg.render("xiao_esp32s3_lsm6dso")
    bom = wiring_svg.load_bom("xiao_esp32s3_lsm6dso")
    for ref in ("Q1", "D1", "R1", "R2", "M1", "R3", "BZ1", "R4", "R5", "C1", "SW1"):
        assert "%s %s" % (ref, wiring_svg._esc(bom[ref]["value"])) in svg, ref


def test_svg_follows_the_data(monkeypatch):
    # the drawing is generated, not hand-made: a changed pin shows up in it
    real = pinmap.load("xiao_esp32s3_lsm6dso")
    moved = dict(real, pins=dict(real["pins"], motor=3))
    svg = wiring_svg.draw(moved, wiring_svg.load_bom("xiao_esp32s3_lsm6dso"))
    assert "GPIO3 · D2" in svg and "GPIO4 · D3" not in svg


def test_check_mode_reports_a_stale_file(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "wiring_xiao_esp32s3_lsm6dso.svg"
    stale.write_text("<svg/>")
    monkeypatch.setattr(wiring_svg, "svg_path", lambda name: str(tmp_path / ("wiring_%s.svg" % name)))
    (tmp_path / "wiring_m5stickc_plus2.svg").write_text(wiring_svg.render("m5stickc_plus2"))
    assert wiring_svg.main(["--check"]) == 1
    assert "wiring_xiao_esp32s3_lsm6dso.svg" in capsys.readouterr().out
