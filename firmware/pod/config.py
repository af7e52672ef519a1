"""Pod settings: defaults, validation, and loading /config.json without ever failing to boot.

A missing, unreadable or malformed file gives the defaults and a warning; a bad value falls back to
its default with a warning naming the key. Pure Python, so the host's `cadencepod config` can use the
same SCHEMA to validate before writing to the pod.
"""
import json

CONFIG_FILE = "config.json"  # relative: the device's cwd is / at boot, the sim's is its flash dir

# key: (default, type, low/choices, high). Ranges are what the hardware and runners can use.
SCHEMA = {
    "target_spm": (170, int, 60, 240),  # metronome tempo, steps per minute (both feet)
    "metronome": (True, bool, None, None),  # play beats while a session runs
    "output": ("both", str, ("haptic", "audio", "both"), None),  # falls back to what the board has
    "intensity": (70, int, 0, 100),  # % of full drive (motor PWM duty, buzzer volume)
    "pulse_ms": (40, int, 5, 200),  # length of a beat
    "accent_pulse_ms": (70, int, 5, 250),
    "steps_per_beat": (1, int, (1, 2, 4), None),  # beat every step, every 2nd or every 4th
    "accent_every": (0, int, 0, 16),  # accent the first of every N beats; 0 = none
    "buzzer_hz": (2700, int, 200, 8000),
    "accent_hz": (3600, int, 200, 8000),
    "nudge_spm": (5, int, 1, 20),  # button nudge of the target
    "summary_s": (5, int, 1, 60),  # cadence summary record period in the log
    "flush_s": (5, int, 1, 60),  # log flush period: at most this much is lost on a power cut
    "battery_s": (60, int, 5, 3600),  # battery reading period
    "log_raw": (False, bool, None, None),  # also log raw accelerometer samples
    "imu_retry_s": (10, int, 1, 600),  # how often to retry a missing or failing IMU
    "wdt_ms": (10000, int, 0, 60000),  # hardware watchdog timeout; 0 = off
    "log_budget_kb": (1024, int, 64, 8192),  # flash kept for session logs
}


def defaults():
    d = {}
    for k in SCHEMA:
        d[k] = SCHEMA[k][0]
    return d


def check(key, value):
    """Return an error message for one setting, or None when it is valid."""
    if key not in SCHEMA:
        return "unknown setting %s" % key
    spec = SCHEMA[key]
    typ = spec[1]
    lo = spec[2]
    hi = spec[3]
    # bool is an int subclass: never accept true/false for a number, or 1 for a flag.
    if type(value) is not typ:
        return "%s must be %s, got %r" % (key, typ.__name__, value)
    if isinstance(lo, tuple):
        if value not in lo:
            return "%s must be one of %s, got %r" % (key, ", ".join(str(c) for c in lo), value)
    elif isinstance(lo, int) and isinstance(hi, int) and not lo <= value <= hi:  # type: ignore[operator]
        return "%s must be %d..%d, got %r" % (key, lo, hi, value)
    return None


def validate(raw):
    """Merge a user dict over the defaults. Returns (config, warnings); never raises."""
    cfg = defaults()
    warnings = []
    if not isinstance(raw, dict):
        return cfg, ["config is not a JSON object: using defaults"]
    for key in raw:
        value = raw[key]
        if key not in SCHEMA:
            cfg[key] = value  # another module's setting (coaching, BLE): kept for it to check
            continue
        err = check(key, value)
        if err:
            warnings.append(err + ": using %r" % (SCHEMA[key][0],))
        else:
            cfg[key] = value
    if cfg["accent_pulse_ms"] < cfg["pulse_ms"]:
        cfg["accent_pulse_ms"] = cfg["pulse_ms"]
    return cfg, warnings


def load(path=CONFIG_FILE):
    """Read the config file. Returns (config, warnings); a broken file is a warning, not a crash."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return defaults(), ["no %s: using defaults" % path]
    except ValueError:  # UnicodeError: not even text
        return defaults(), ["%s is not valid JSON: using defaults" % path]
    try:
        raw = json.loads(text)
    except ValueError:
        return defaults(), ["%s is not valid JSON: using defaults" % path]
    return validate(raw)


def save(cfg, path=CONFIG_FILE):
    """Write a validated config (used by the app after a button nudge, so it survives a reboot)."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(cfg, f)
    try:
        import os

        os.rename(tmp, path)
    except OSError:
        pass
