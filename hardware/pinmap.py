"""Load and validate a pod board profile (hardware/boards/<name>.json). Pure Python, stdlib only.

The board JSON is the one source of the pin map: `make flash` copies it to the device as /board.json,
the firmware reads it, and wiring_svg.py / power_budget.py / the BOM tests read it here.

    python hardware/pinmap.py                 # validate every board and print its pin table
    python hardware/pinmap.py m5stickc_plus2  # one board

Checks (each violation is one clear line in a ValueError):
- the minimum keys of the brief are present with the right types;
- every pin exists on that module and is usable (not flash/PSRAM);
- no GPIO is used twice (pins + the board's factory-wired `reserved` pins);
- output pins are not input-only pins;
- the IMU interrupt pin can wake the chip from deep sleep (an RTC GPIO);
- the battery ADC pin is on ADC1 (ADC2 is shared with the radio);
- boot-strapping pins are either unused or explained in `strapping_notes`.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BOARDS_DIR = os.path.join(HERE, "boards")


def _r(a, b):
    return set(range(a, b + 1))


# Per-chip facts. Sources: ESP32 Series Datasheet ("Pin Definitions", "Strapping Pins", "RTC and
# Low-power Management": RTC GPIOs); ESP32-S3 Series Datasheet (same sections; RTC GPIOs are 0-21).
MCU_DATA = {
    "esp32": {
        # GPIO20, 24 and 28-31 do not exist; 6-11 are the SPI flash on every module.
        "gpios": _r(0, 19) | {21, 22, 23} | _r(25, 27) | _r(32, 39),
        "flash": _r(6, 11),
        "input_only": _r(34, 39),
        "rtc": {0, 2, 4} | _r(12, 15) | _r(25, 27) | _r(32, 39),
        "strapping": {0, 2, 5, 12, 15},
        "adc1": _r(32, 39),
        "march": {"xtensawin"},
    },
    "esp32s3": {
        "gpios": _r(0, 21) | _r(26, 48),
        "flash": _r(26, 32),
        "input_only": set(),
        # Deep-sleep ext0/ext1 wake needs an RTC GPIO (0-21). Light-sleep GPIO wake works on any pin.
        "rtc": _r(0, 21),
        "strapping": {0, 3, 45, 46},
        "adc1": _r(1, 10),
        "march": {"xtensawin"},
    },
    # The simulated pod: fake pins, no electrical constraints beyond "exists" and "used once".
    "sim": {
        "gpios": _r(0, 63),
        "flash": set(),
        "input_only": set(),
        "rtc": _r(0, 63),
        "strapping": set(),
        "adc1": _r(0, 63),
        "march": {"x64", "x86", "armv7m", "xtensawin"},
    },
}

# Per-module limits on top of the chip: which GPIOs the module actually brings out.
MODULE_DATA = {
    # The in-package flash and PSRAM take the SPI pads (GPIO6-11) and GPIO16/17: "Pins IO16, IO17, CMD,
    # CLK, SD0 and SD1 are used to connect the embedded flash" (ESP32-PICO datasheets, end of section
    # 2.2 "Pin Description"). GPIO20 is brought out on the V3 packages only.
    "ESP32-PICO-V3-02": {"mcu": "esp32", "exclude": _r(6, 11) | {16, 17}, "extra": {20}},
    # Seeed XIAO ESP32S3: pads D0-D10 plus the on-board BOOT button (GPIO0) and user LED (GPIO21).
    # Seeed wiki "Pin multiplexing with XIAO ESP32S3"; GPIO41/42 are only on the Sense camera board.
    "XIAO ESP32S3": {"mcu": "esp32s3", "only": {1, 2, 3, 4, 5, 6, 7, 8, 9, 43, 44, 0, 21}},
    "sim": {"mcu": "sim"},
}

IMU_TYPES = {"mpu6886", "lsm6dso", "lsm6ds3"}
REQUIRED_PINS = ("i2c_sda", "i2c_scl", "imu_int", "buzzer", "motor", "button_a", "button_b",
                 "led", "battery_adc", "power_hold")
NOT_NULL_PINS = ("i2c_sda", "i2c_scl", "imu_int", "button_a")
OUTPUT_PINS = ("i2c_sda", "i2c_scl", "buzzer", "motor", "led", "power_hold")


def usable_gpios(mcu, module):
    """The set of GPIO numbers a board on this chip and module may use."""
    chip = MCU_DATA[mcu]
    pins = set(chip["gpios"]) - chip["flash"]
    mod = MODULE_DATA.get(module)
    if mod:
        pins = (pins - mod.get("exclude", set())) | (mod.get("extra", set()) & chip["gpios"])
        if "only" in mod:
            pins &= mod["only"]
    return pins


def gpio_pins(board):
    """(role, gpio) for every GPIO the board uses: its pins, then its factory-wired reserved pins."""
    out = []
    for role, val in board.get("pins", {}).items():
        if isinstance(val, bool) or val is None:
            continue  # flags such as led_active_low, and absent parts
        out.append((role, val))
    for role, val in board.get("reserved", {}).items():
        if val is not None:
            out.append(("reserved:" + role, val))
    return out


def _labelled(board):
    """gpio_pins with the JSON path as the label: pins.motor, reserved:lcd_cs."""
    return [(r if r.startswith("reserved:") else "pins." + r, g) for r, g in gpio_pins(board)]


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def problems(board, stem=None):
    """Every rule the board breaks, as a list of one-line messages (empty when valid)."""
    errs = []
    if not isinstance(board, dict):
        return ["board file must hold a JSON object"]
    name = board.get("name")
    if not isinstance(name, str) or not name:
        errs.append("missing 'name'")
    elif stem is not None and name != stem:
        errs.append("'name' is %r but the file is %s.json" % (name, stem))
    mcu = board.get("mcu")
    if mcu not in MCU_DATA:
        errs.append("'mcu' is %r, expected one of %s" % (mcu, ", ".join(sorted(MCU_DATA))))
        return errs
    chip = MCU_DATA[mcu]
    module = board.get("module", mcu)
    if module in MODULE_DATA and MODULE_DATA[module]["mcu"] != mcu:
        errs.append("module %r is a %s, not a %s" % (module, MODULE_DATA[module]["mcu"], mcu))
    if board.get("mpy_march") not in chip["march"]:
        errs.append("'mpy_march' is %r, expected one of %s for %s"
                    % (board.get("mpy_march"), ", ".join(sorted(chip["march"])), mcu))

    imu = board.get("imu")
    if not isinstance(imu, dict):
        errs.append("missing 'imu' object")
    else:
        if imu.get("type") not in IMU_TYPES:
            errs.append("imu.type is %r, expected one of %s"
                        % (imu.get("type"), ", ".join(sorted(IMU_TYPES))))
        for key, lo, hi in (("i2c_addr", 0x08, 0x77), ("i2c_id", 0, 1), ("freq_hz", 10000, 1000000)):
            v = imu.get(key)
            if not _is_int(v) or not lo <= v <= hi:
                errs.append("imu.%s is %r, expected an integer in %d..%d" % (key, v, lo, hi))

    pins = board.get("pins")
    if not isinstance(pins, dict):
        errs.append("missing 'pins' object")
        return errs
    for key in REQUIRED_PINS:
        if key not in pins:
            errs.append("pins.%s is missing (use null when the part is absent)" % key)
        elif pins[key] is None and key in NOT_NULL_PINS:
            errs.append("pins.%s must be a GPIO number, not null" % key)
    if not isinstance(pins.get("led_active_low"), bool):
        errs.append("pins.led_active_low must be true or false")

    outputs = board.get("outputs")
    if not isinstance(outputs, dict):
        errs.append("missing 'outputs' object")
    else:
        for part in ("buzzer", "motor"):
            if not isinstance(outputs.get(part), bool):
                errs.append("outputs.%s must be true or false" % part)
            elif outputs[part] != (pins.get(part) is not None):
                errs.append("outputs.%s is %s but pins.%s is %r"
                            % (part, outputs[part], part, pins.get(part)))

    usable = usable_gpios(mcu, module)
    seen = {}
    for role, gpio in _labelled(board):
        if not _is_int(gpio):
            errs.append("%s is %r, expected a GPIO number" % (role, gpio))
            continue
        if gpio not in chip["gpios"]:
            errs.append("%s = GPIO%d does not exist on the %s" % (role, gpio, mcu))
        elif gpio not in usable:
            errs.append("%s = GPIO%d is not usable on the %s (flash/PSRAM or not brought out)"
                        % (role, gpio, module))
        if gpio in seen:
            errs.append("GPIO%d is used twice: %s and %s" % (gpio, seen[gpio], role))
        else:
            seen[gpio] = role

    def pin(key):
        v = pins.get(key)
        return v if _is_int(v) else None

    for key in OUTPUT_PINS:
        g = pin(key)
        if g is not None and g in chip["input_only"]:
            errs.append("pins.%s = GPIO%d is input-only on the %s and cannot drive an output" % (key, g, mcu))
    g = pin("imu_int")
    if g is not None and g not in chip["rtc"]:
        errs.append("pins.imu_int = GPIO%d cannot wake the %s from sleep; use an RTC GPIO (%s)"
                    % (g, mcu, _ranges(chip["rtc"])))
    g = pin("battery_adc")
    if g is not None and g not in chip["adc1"]:
        errs.append("pins.battery_adc = GPIO%d is not an ADC1 pin on the %s (ADC2 is shared with the radio); "
                    "use one of %s" % (g, mcu, _ranges(chip["adc1"])))

    power = board.get("power")
    if power is not None:
        wm = power.get("fifo_watermark_samples") if isinstance(power, dict) else None
        if not _is_int(wm) or not 1 <= wm <= 128:
            errs.append("power.fifo_watermark_samples is %r, expected 1..128 (the MPU6886 FIFO holds 128 "
                        "accel frames)" % (wm,))
        mah = power.get("battery_mah") if isinstance(power, dict) else None
        if not _is_int(mah) or mah <= 0:
            errs.append("power.battery_mah is %r, expected a positive integer" % (mah,))
        mhz = power.get("cpu_mhz") if isinstance(power, dict) else None
        if mhz is not None and mhz not in (80, 160, 240):
            errs.append("power.cpu_mhz is %r, expected 80, 160 or 240 (the ESP32 and S3 clocks; BLE needs "
                        ">= 80)" % (mhz,))

    notes = board.get("strapping_notes", {})
    if not isinstance(notes, dict):
        errs.append("'strapping_notes' must map a GPIO number (as text) to a reason")
        notes = {}
    for role, gpio in _labelled(board):
        if _is_int(gpio) and gpio in chip["strapping"]:
            reason = notes.get(str(gpio))
            if not isinstance(reason, str) or len(reason.strip()) < 10:
                errs.append("%s = GPIO%d is a boot-strapping pin on the %s: avoid it or explain it in "
                            "strapping_notes[\"%d\"]" % (role, gpio, mcu, gpio))
    return errs


def _ranges(pins):
    """{0,2,4,12,13,14,15} -> '0, 2, 4, 12-15'."""
    out, run = [], []
    for p in sorted(pins):
        if run and p == run[-1] + 1:
            run.append(p)
            continue
        if run:
            out.append(str(run[0]) if len(run) == 1 else "%d-%d" % (run[0], run[-1]))
        run = [p]
    if run:
        out.append(str(run[0]) if len(run) == 1 else "%d-%d" % (run[0], run[-1]))
    return ", ".join(out)


def validate(board, stem=None):
    """Raise ValueError listing every violation; return the board unchanged when it is valid."""
    errs = problems(board, stem)
    if errs:
        label = board.get("name", stem) if isinstance(board, dict) else stem
        raise ValueError("board %s: %s" % (label, "; ".join(errs)))
    return board


def board_path(name):
    return os.path.join(BOARDS_DIR, name + ".json")


def board_names():
    return sorted(f[:-5] for f in os.listdir(BOARDS_DIR) if f.endswith(".json"))


def load(name_or_path):
    """Load a board by name (hardware/boards/<name>.json) or by path, validate it, return the dict."""
    path = name_or_path if name_or_path.endswith(".json") else board_path(name_or_path)
    stem = os.path.basename(path)[:-5]
    try:
        with open(path) as f:
            board = json.load(f)
    except OSError as e:
        raise ValueError("board %s: cannot read %s (%s)" % (stem, path, e.strerror)) from None
    except ValueError as e:
        raise ValueError("board %s: %s is not valid JSON (%s)" % (stem, path, e)) from None
    return validate(board, stem)


def pin_table(board):
    """Rows (role, gpio, label, note) for docs: used pins first, then reserved ones."""
    labels = board.get("pad_labels", {})
    notes = board.get("pin_notes", {})
    rows = []
    for role, gpio in gpio_pins(board):
        rows.append((role, gpio, labels.get(str(gpio), ""), notes.get(role, "")))
    return rows


def main(argv):
    names = argv or board_names()
    status = 0
    for name in names:
        try:
            board = load(name)
        except ValueError as e:
            print("FAIL %s" % e)
            status = 1
            continue
        print("ok   %s (%s, %s, imu %s @0x%02x)" % (name, board["mcu"], board.get("module", ""),
                                                   board["imu"]["type"], board["imu"]["i2c_addr"]))
        for role, gpio, label, _ in pin_table(board):
            print("       %-22s GPIO%-3d %s" % (role, gpio, label))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
