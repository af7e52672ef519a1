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
    "battery_low_mv": (3500, int, 0, 4200),  # warn once below this (LED code 5, a long buzz x3); 0 = off
    "battery_empty_mv": (3400, int, 0, 4200),  # end the session cleanly and switch off below this; 0 = off
    "log_raw": (False, bool, None, None),  # also log raw accelerometer samples
    "imu_retry_s": (10, int, 1, 600),  # how often to retry a missing or failing IMU
    "wdt_ms": (10000, int, 0, 60000),  # hardware watchdog timeout; 0 = off
    "log_budget_kb": (1024, int, 64, 8192),  # flash kept for session logs
    # power (docs: hardware/README.md). auto = the board profile's power.light_sleep_between_batches,
    # and not on a board whose USB link light sleep drops (power.light_sleep_while_usb false)
    "light_sleep": ("auto", str, ("auto", "on", "off"), None),
    # coaching (docs/coaching.md): each part is off, or costs nothing, unless it is asked for
    "use_plan": (True, bool, None, None),  # follow /plan.json when it exists: its target, fade, decisions
    "plan_goal_spm": (0, int, 0, 240),  # a baseline session with no plan yet starts one to this goal
    "baseline": (False, bool, None, None),  # baseline sessions: metronome off, natural cadence measured
    "phase_log": (True, bool, None, None),  # log each contact's phase error vs the nearest beat
    "sync": (False, bool, None, None),  # start the beat on the runner's steps, then lead to the target
    "sync_rate_x100": (20, int, 1, 500),  # sync tempo ramp, spm*100 per second (20 = 0.2 spm/s)
    "alerts": ("plan", str, ("plan", "on", "off"), None),  # too slow / too fast alerts; plan = with a plan
    "alert_band_spm": (3, int, 1, 20),  # +- band around the asked tempo
    "alert_out_s": (5, int, 0, 120),  # out of band this long before an alert
    "alert_gap_s": (20, int, 0, 600),  # at least this long between alerts
    "warmup_s": (180, int, 0, 1800),  # no alerts, always beats, for this much running at the start
    "fade_play_s": (60, int, 1, 600),  # without a plan: beats play this long...
    "fade_rest_s": (0, int, 0, 600),  # ...then rest this long (0 = no rest); a plan's fade level wins
    "autostart": (False, bool, None, None),  # sessions start and stop by themselves
    "autostart_spm": (130, int, 60, 240),  # sustained cadence that starts a session...
    "autostart_s": (10, int, 1, 120),  # ...for this long
    "autostop_s": (60, int, 5, 3600),  # no steps this long stops it
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
    low = cfg["battery_low_mv"]
    if low and cfg["battery_empty_mv"] > low:
        warnings.append("battery_empty_mv must not exceed battery_low_mv (%r): using it" % (low,))
        cfg["battery_empty_mv"] = low
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
    from pod import jsonfile

    jsonfile.save(path, cfg)
