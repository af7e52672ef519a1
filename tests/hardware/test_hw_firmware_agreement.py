"""The firmware reads the hardware board files as they are (`make flash` copies one to /board.json):
check that its loader accepts every one and sees the same outputs and pins."""
import pinmap
import pytest
from pod import board as fw_board


@pytest.mark.parametrize("name", ["m5stickc_plus2", "xiao_esp32s3_lsm6dso", "sim"])
def test_firmware_loader_reads_the_hardware_file(name):
    hw = pinmap.load(name)
    fw = fw_board.load(pinmap.board_path(name))
    assert fw == hw
    for part in ("buzzer", "motor"):
        assert fw_board.has_output(fw, part) == hw["outputs"][part]
    for role, gpio in pinmap.gpio_pins(hw):
        if not role.startswith("reserved:"):
            assert fw_board.pin(fw, role) == gpio


def test_the_watermark_the_power_budget_assumes_is_in_every_board_file():
    for name in pinmap.board_names():
        wm = pinmap.load(name)["power"]["fifo_watermark_samples"]
        assert 1 <= wm <= 128          # fits the smallest FIFO (MPU6886: 1 kB / 8 B frames)
