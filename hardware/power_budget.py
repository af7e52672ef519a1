"""Battery life of the pod per mode, from datasheet currents. Pure Python, stdlib only.

    python hardware/power_budget.py             # tables for every real board
    python hardware/power_budget.py --markdown  # the same, as Markdown
    python hardware/power_budget.py --update-readme   # rewrite the block in hardware/README.md

Every current is a FIGURES entry (value, status, source) citing its document and table/section.
status: "checked" = the number was read in that source while writing this file; "quoted" = taken from
the named datasheet table but not re-read here (confirm before relying on it); "estimate" = engineering
estimate, to be replaced by a measurement. The board files (boards/*.json) give the battery, the IMU,
the ODR and the FIFO watermark.

The model (recording modes): the ESP32 sleeps (light sleep, or idles in modem sleep when light sleep is
off) and wakes for (a) each FIFO batch: ODR / watermark times per second, (b) each metronome beat edge
(on and off: 2 per beat), (c) each log flush. Active time per second is the sum of the wake overheads,
the I2C burst reads, the per-sample detector cost and the flush time; during a PWM tone the CPU cannot
light-sleep (LEDC stops), during a DC motor pulse it can (GPIO levels hold in light sleep).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pinmap  # noqa: E402

FIGURES = {
    # ---- ESP32 (classic) on the M5StickC Plus2 -------------------------------------------------
    "esp32_active_ma": (38.0, "checked",
        "measurement on an ESP32-S module at 3.3 V, radio off, 'CPU Active 38 mA' (dzen.ru ESP32"
        " sleep-current article); the ESP32 Series Datasheet, table 'Power Consumption by Power Modes',"
        " gives 20-31 mA for Modem-sleep at 80 MHz"),
    "esp32_idle_ma": (20.0, "quoted",
        "ESP32 Series Datasheet (Espressif), table 'Power Consumption by Power Modes', Modem-sleep 80 MHz"
        " range 20-31 mA: lower value, CPU idle"),
    "esp32_light_sleep_ma": (1.56, "checked",
        "module measurement, ESP32-S module at 3.3 V, 'CPU Light Sleep (timer) 1560 uA' (dzen.ru ESP32 "
        "sleep-current article); the datasheet's chip-only figure is 0.8 mA (ESP32 Series Datasheet "
        "(Espressif), table 'Power Consumption by Power Modes', Light-sleep)"),
    "esp32_deep_sleep_ma": (0.004, "checked",
        "measurement on an ESP32-S module, 'CPU Deep Sleep (EXT0) 4 uA' (dzen.ru ESP32 sleep-current"
        " article): deep sleep with ext0 wake on an RTC GPIO, as the IMU wake-up uses; the datasheet"
        " lists 10 uA for 'RTC timer + RTC memory'"),
    # ---- ESP32-S3 on the XIAO -----------------------------------------------------------------
    "s3_active_ma": (34.0, "checked",
        "measurement on a XIAO ESP32S3 at 3.3 V, 'about 34mA during active state' (forum.seeedstudio.com,"
        " 'XIAO ESP32S3 deep sleep current higher than expected'); an ESP32-S3-DevKitM-1 measures 31.7 mA"
        " (lucidar.me); used for busy and idle CPU alike"),
    "s3_idle_ma": (34.0, "checked",
        "same measurement as s3_active_ma (idle loop, no light sleep)"),
    "s3_light_sleep_ma": (2.0, "checked",
        "measurement on an ESP32-S3 board with flash/PSRAM, 'around 2 mA' in light sleep "
        "(forum.dronebotworkshop.com, ESP-32S3 light sleep current); the datasheet chip-only figure is "
        "240 uA (ESP32-S3 Series Datasheet (Espressif), table 'Current Consumption in Low-Power Modes', "
        "Light-sleep)"),
    "xiao_deep_sleep_ma": (0.014, "checked",
        "Seeed's figure for the XIAO ESP32S3 board in deep sleep, 14 uA, as quoted in forum.seeedstudio.com"
        " 'XIAO ESP32-C3 and ESP32-S3 deep sleep current high'; a measurement there gives 10 uA from the"
        " battery pads at 3.8 V but about 300 uA at 3.3 V and below (regulator dropout)"),
    # ---- M5StickC Plus2 board -----------------------------------------------------------------
    "m5_board_quiescent_ma": (0.1, "estimate",
        "estimate: LCD controller asleep, backlight off, RTC, USB-UART and regulator quiescent current; "
        "no datasheet covers the board. Measure it."),
    "m5_power_off_ma": (0.005, "estimate",
        "estimate: board switched off through HOLD (GPIO4) low, BM8563 RTC running; measure it"),
    # ---- IMUs --------------------------------------------------------------------------------
    "mpu6886_accel_ma": (0.45, "quoted",
        "MPU-6886 datasheet DS-000193 v1.1, electrical characteristics, accelerometer low-noise mode "
        "supply current (MPU-6500 family value; confirm in the table)"),
    "mpu6886_wom_ma": (0.07, "checked",
        "proxy: MPU-6000/MPU-6050 Product Specification rev 3.4, section 6.3, 'Accelerometer Low Power "
        "Mode Current 20 Hz update rate 70 uA' (the MPU-6886 wake-on-motion mode is at least as frugal)"),
    "mpu6886_sleep_ma": (0.005, "checked",
        "proxy: MPU-6000/MPU-6050 Product Specification rev 3.4, section 6.3, 'Full-Chip Idle Mode Supply"
        " Current 5 uA'"),
    "lsm6dso_accel_ma": (0.17, "quoted",
        "LSM6DSO datasheet DS12140, Table 'Electrical characteristics', LA_IddHP accelerometer current in"
        " high-performance mode (combo XL+G is 0.55 mA, checked on the datasheet front page)"),
    "lsm6dso_wake_ma": (0.026, "quoted",
        "LSM6DSO datasheet DS12140, Table 'Electrical characteristics', LA_IddLM accelerometer low-power "
        "mode at 52 Hz, used for wake-up detection"),
    "lsm6dso_pd_ma": (0.003, "quoted",
        "LSM6DSO datasheet DS12140, Table 'Electrical characteristics', IddPD power-down current"),
    # ---- outputs -----------------------------------------------------------------------------
    "motor_ma": (66.0, "quoted",
        "Adafruit product 1201 'Vibrating Mini Motor Disc': 60 mA at 3 V, 80 mA at 4 V; linear "
        "interpolation at 3.3 V"),
    "piezo_ma": (0.5, "estimate",
        "estimate: piezo sounder is a ~10-20 nF capacitor; C*V*f = 15 nF * 3.3 V * 4 kHz * 2 edges ~= 0.4"
        " mA (Murata PKM13EPYH4000-A0 is specified by capacitance, not current)"),
    "m5_buzzer_ma": (15.0, "estimate",
        "estimate: on-board passive (magnetic) buzzer through a transistor, about 30 mA at 50 % PWM duty;"
        " no datasheet published for the part"),
    "divider_ma": (0.0084, "checked",
        "computed: 3.7 V / (220 kOhm + 220 kOhm) battery divider (bom.csv R4, R5)"),
    # ---- firmware timing (estimates until measured on a device) ------------------------------
    "wake_overhead_ms": (1.0, "estimate",
        "estimate: light-sleep exit + MicroPython scheduler + asyncio task switch per wake; measure with "
        "a GPIO toggle and a scope"),
    "sample_cost_ms": (0.15, "estimate",
        "estimate: detector feed + step logging per sample in MicroPython at 80 MHz; `make bench` prints "
        "the host-side figure"),
    "flush_ms": (10.0, "estimate",
        "estimate: one log flush (append to a flash file) every flush period"),
    "mpu6886_fifo_bytes": (1024, "checked",
        "MPU-6886 datasheet DS-000193 v1.1, Features: '1 kB FIFO buffer'"),
    "lsm6dso_fifo_bytes": (3072, "quoted",
        "LSM6DSO datasheet DS12140, FIFO section: 3 kbyte of raw FIFO (the front page's 'up to 9 kbyte' "
        "counts compressed data)"),
    "self_discharge_pct_month": (3.0, "estimate",
        "estimate: LiPo self-discharge of a few % per month, the floor of every long standby figure"),
    "battery_usable": (0.9, "estimate",
        "estimate: share of the rated LiPo capacity above the 3.3 V cut-off"),
}

def fig(name):
    return FIGURES[name][0]


def figure_values():
    """{name: value} for every figure (what the tests and the firmware notes use)."""
    return {k: v[0] for k, v in FIGURES.items()}


DEFAULTS = {
    "target_spm": 180,          # a beat on every step at a typical running cadence
    "beat_divisor": 1,          # 1 = every step, 2 = every 2nd, 4 = every 4th
    "haptic_pulse_ms": 40,
    "audio_pulse_ms": 30,
    "haptic_pwm": False,        # full-intensity DC pulse: the CPU may light-sleep during it
    "flush_period_s": 5.0,
    "light_sleep": True,
    "watermark": None,          # None = the board file's power.fifo_watermark_samples
}

BYTES_PER_SAMPLE = {"mpu6886": 8, "lsm6dso": 7, "lsm6ds3": 6}   # accel(+temp) frame / tagged FIFO word


def board_power(board):
    """The figures that differ per board, as a dict."""
    imu = board["imu"]["type"]
    if board["mcu"] == "esp32":
        mcu = {"active": fig("esp32_active_ma"), "idle": fig("esp32_idle_ma"),
               "light": fig("esp32_light_sleep_ma"), "deep": fig("esp32_deep_sleep_ma")}
    else:
        mcu = {"active": fig("s3_active_ma"), "idle": fig("s3_idle_ma"),
               "light": fig("s3_light_sleep_ma"), "deep": fig("xiao_deep_sleep_ma")}
    if imu == "mpu6886":
        imu_ma = {"run": fig("mpu6886_accel_ma"), "wake": fig("mpu6886_wom_ma"),
                  "off": fig("mpu6886_sleep_ma")}
    else:
        imu_ma = {"run": fig("lsm6dso_accel_ma"), "wake": fig("lsm6dso_wake_ma"), "off": fig("lsm6dso_pd_ma")}
    m5 = board["name"].startswith("m5stick")
    return {
        "mcu": mcu,
        "imu": imu_ma,
        "board_ma": fig("m5_board_quiescent_ma") if m5 else fig("divider_ma"),
        "power_off_ma": fig("m5_power_off_ma") if m5 else None,
        "buzzer_ma": fig("m5_buzzer_ma") if m5 else fig("piezo_ma"),
        "motor_ma": fig("motor_ma") if board["outputs"]["motor"] else None,
        "battery_mah": board["power"]["battery_mah"],
        "odr_hz": board["imu"].get("odr_mhz", 104000) / 1000.0,
        "i2c_hz": board["imu"]["freq_hz"],
        "bytes_per_sample": BYTES_PER_SAMPLE[imu],
        "watermark": board["power"]["fifo_watermark_samples"],
        "fifo_bytes": fig("mpu6886_fifo_bytes") if imu == "mpu6886" else fig("lsm6dso_fifo_bytes"),
    }


def recording(board, output, **over):
    """Average current of a recording session with the metronome on `output` ('haptic' or 'audio').

    Returns a dict with the breakdown (mA), total_ma, life_h, wakes_per_s, active_frac, sleep_frac.
    """
    p = dict(DEFAULTS, **over)
    bp = board_power(board)
    if output == "haptic" and bp["motor_ma"] is None:
        return None
    w = p["watermark"] or bp["watermark"]
    odr = bp["odr_hz"]
    beats_per_s = p["target_spm"] / 60.0 / p["beat_divisor"]
    pulse_s = (p["haptic_pulse_ms"] if output == "haptic" else p["audio_pulse_ms"]) / 1000.0
    batches_per_s = odr / w
    # one burst read: register address + watermark frames, 9 clocks per byte
    i2c_s = (1 + w * bp["bytes_per_sample"]) * 9 / bp["i2c_hz"]
    wake_s = fig("wake_overhead_ms") / 1000.0
    wakes_per_s = expected_wakes_per_s(board, p["target_spm"], p["beat_divisor"], p["flush_period_s"], w)
    active_s = (wakes_per_s * wake_s + batches_per_s * i2c_s + odr * fig("sample_cost_ms") / 1000.0
                + fig("flush_ms") / 1000.0 / p["flush_period_s"])
    # a PWM output keeps the CPU awake (idle) for the whole pulse
    awake_pulse_s = beats_per_s * pulse_s if (output == "audio" or p["haptic_pwm"]) else 0.0
    sleep_s = max(0.0, 1.0 - active_s - awake_pulse_s)
    rest_ma = bp["mcu"]["light"] if p["light_sleep"] else bp["mcu"]["idle"]
    mcu_ma = active_s * bp["mcu"]["active"] + awake_pulse_s * bp["mcu"]["idle"] + sleep_s * rest_ma
    out_ma = (bp["motor_ma"] if output == "haptic" else bp["buzzer_ma"]) * beats_per_s * pulse_s
    parts = {"mcu": mcu_ma, "imu": bp["imu"]["run"], "output": out_ma, "board": bp["board_ma"]}
    # time from the watermark interrupt to FIFO overflow: the budget for a late read (GC, flash erase)
    headroom_s = (bp["fifo_bytes"] // bp["bytes_per_sample"] - w) / odr
    return _finish(parts, bp, wakes_per_s=wakes_per_s, active_frac=active_s, sleep_frac=sleep_s,
                   watermark=w, batch_ms=1000.0 * w / odr, headroom_ms=1000.0 * headroom_s)


def expected_wakes_per_s(board, target_spm=180, beat_divisor=1, flush_period_s=5.0, watermark=None):
    """Wake-ups per second the firmware should show while recording (the simulated pod can count them):
    one per FIFO batch, two per beat (pulse on, pulse off), one per log flush."""
    bp = board_power(board)
    w = watermark or bp["watermark"]
    return bp["odr_hz"] / w + 2 * target_spm / 60.0 / beat_divisor + 1.0 / flush_period_s


def idle_motion_wake(board):
    """Deep sleep with the IMU in its low-power wake-up mode, INT -> ext0 wake of the ESP32."""
    bp = board_power(board)
    parts = {"mcu": bp["mcu"]["deep"], "imu": bp["imu"]["wake"], "output": 0.0, "board": bp["board_ma"]}
    return _finish(parts, bp, wakes_per_s=0.0)


def deep_sleep(board):
    """Everything off: IMU powered down, ESP32 in deep sleep (M5: switched off through HOLD)."""
    bp = board_power(board)
    if bp["power_off_ma"] is not None:
        parts = {"mcu": 0.0, "imu": 0.0, "output": 0.0, "board": bp["power_off_ma"]}
    else:
        parts = {"mcu": bp["mcu"]["deep"], "imu": bp["imu"]["off"], "output": 0.0, "board": bp["board_ma"]}
    return _finish(parts, bp, wakes_per_s=0.0)


def _finish(parts, bp, **extra):
    # self-discharge as an equivalent current: capacity * %/month over 30 days
    parts["battery"] = bp["battery_mah"] * fig("self_discharge_pct_month") / 100.0 / (30 * 24)
    total = sum(parts.values())
    life_h = bp["battery_mah"] * fig("battery_usable") / total
    out = {"parts": parts, "total_ma": total, "life_h": life_h}
    out.update(extra)
    return out


MODES = (
    ("recording + haptic metronome", lambda b, **k: recording(b, "haptic", **k)),
    ("recording + audio metronome", lambda b, **k: recording(b, "audio", **k)),
    ("idle, motion wake-up", lambda b, **k: idle_motion_wake(b)),
    ("deep sleep", lambda b, **k: deep_sleep(b)),
)


def _life(h):
    if h >= 48:
        return "%.0f days" % (h / 24.0)
    return "%.1f h" % h


def mode_rows(board, **over):
    rows = []
    for label, fn in MODES:
        r = fn(board, **over)
        rows.append((label, r))
    return rows


def tables(markdown=False):
    lines = []

    def table(head, rows):
        if markdown:
            lines.append("| " + " | ".join(head) + " |")
            lines.append("|" + "|".join("---" for _ in head) + "|")
            for r in rows:
                lines.append("| " + " | ".join(r) + " |")
        else:
            widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
            fmt = "  ".join("%%-%ds" % w for w in widths)
            lines.append(fmt % tuple(head))
            for r in rows:
                lines.append(fmt % tuple(r))
        lines.append("")

    for name in pinmap.board_names():
        board = pinmap.load(name)
        if board["mcu"] == "sim":
            continue
        bp = board_power(board)
        title = "%s: %d mAh, %s at %.0f Hz, FIFO watermark %d samples, light sleep %s" % (
            name, bp["battery_mah"], board["imu"]["type"], bp["odr_hz"], bp["watermark"],
            "on" if DEFAULTS["light_sleep"] else "off")
        lines.append(("### " if markdown else "== ") + title)
        lines.append("")
        rows = []
        for label, r in mode_rows(board):
            if r is None:
                rows.append((label, "n/a (no motor)", "", "", "", "", "", "", ""))
                continue
            p = r["parts"]
            rows.append((label, "%.3f" % r["total_ma"], _life(r["life_h"]), "%.3f" % p["mcu"],
                         "%.3f" % p["imu"], "%.3f" % p["output"], "%.3f" % p["board"],
                         "%.3f" % p["battery"], "%.1f" % r["wakes_per_s"]))
        table(("mode", "avg mA", "battery life", "MCU mA", "IMU mA", "output mA", "board mA",
               "self-disch. mA", "wakes/s"), rows)

        out = "haptic" if board["outputs"]["motor"] else "audio"
        lines.append(("FIFO watermark sweep, recording + %s metronome at %d spm (beat every step):"
                      % (out, DEFAULTS["target_spm"])))
        lines.append("")
        rows = []
        for w in (1, 8, 26, 52, 104, 128):
            on = recording(board, out, watermark=w, light_sleep=True)
            off = recording(board, out, watermark=w, light_sleep=False)
            rows.append((str(w), "%.0f" % on["batch_ms"], "%.1f" % on["wakes_per_s"],
                         "%.1f %%" % (100 * on["active_frac"]),
                         "%.2f" % on["total_ma"], _life(on["life_h"]),
                         "%.2f" % off["total_ma"], _life(off["life_h"]),
                         "%d" % (w * bp["bytes_per_sample"]),
                         "%.0f" % on["headroom_ms"] if on["headroom_ms"] > 0 else "overflows"))
        table(("watermark", "batch ms", "wakes/s", "CPU busy", "mA (light sleep)", "life", "mA (no sleep)",
               "life", "read buffer B", "FIFO headroom ms"), rows)
    return "\n".join(lines)


def sources(markdown=False):
    lines = []
    for name, (val, mark, src) in FIGURES.items():
        if markdown:
            lines.append("- `%s` = %g: %s (%s)" % (name, val, src, mark))
        else:
            lines.append("%-24s %8g  [%s] %s" % (name, val, mark, src))
    return "\n".join(lines)


README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "README.md")
BEGIN, END = "<!-- power-budget:begin -->", "<!-- power-budget:end -->"


def readme_text(current):
    """README.md with the block between the power-budget markers replaced by the current output."""
    head, rest = current.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    body = tables(True).strip() + "\n\n#### Figures and their sources\n\n" + sources(True)
    return head + BEGIN + "\n" + body + "\n" + END + tail


def main(argv):
    md = "--markdown" in argv
    if "--update-readme" in argv:
        with open(README, encoding="utf-8") as f:
            old = f.read()
        new = readme_text(old)
        if new != old:
            with open(README, "w", encoding="utf-8") as f:
                f.write(new)
            print("updated %s" % README)
        return 0
    print(tables(md))
    print(("#### Figures and their sources\n" if md else "== Figures and their sources\n"))
    print(sources(md))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
