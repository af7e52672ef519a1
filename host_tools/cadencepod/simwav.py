"""Render the simulated pod's recorded outputs (buzzer tones, motor pulses) to a WAV you can listen to.

Input: the sim's event lines `t_us,kind,value` (pod.sim EventLog): kind "buzzer" with the tone in Hz
(0 = off), kind "motor" with the drive 0..65535. The buzzer becomes a square-ish tone, the motor a
low 170 Hz hum at its drive level, so haptic beats are audible too.
"""
import math
import struct
import wave

RATE_HZ = 22050
MOTOR_HZ = 170


def read_events(path):
    """[(t_us, kind, value)] from an event file; malformed lines are skipped."""
    out = []
    with open(path) as f:
        for line in f:
            parts = line.strip().split(",")
            if len(parts) != 3:
                continue
            try:
                out.append((int(parts[0]), parts[1], int(float(parts[2]))))
            except ValueError:
                continue
    return out


def pulses(events, kind):
    """[(t_on_us, t_off_us, value)] for one output: on at a non-zero value, off at 0."""
    out = []
    on_t = None
    val = 0
    for t, k, v in events:
        if k != kind:
            continue
        if v and on_t is None:
            on_t, val = t, v
        elif v and on_t is not None:  # value change while on: close and reopen
            out.append((on_t, t, val))
            on_t, val = t, v
        elif not v and on_t is not None:
            out.append((on_t, t, val))
            on_t = None
    return out


def beat_errors_us(events, spm, steps_per_beat=1):
    """Error of each beat onset against the ideal absolute schedule from the first beat, in us.
    Beats are the onsets of the buzzer (or of the motor when there is no buzzer)."""
    from fractions import Fraction

    kind = "buzzer" if any(k == "buzzer" for _t, k, _v in events) else "motor"
    onsets = [t for t, _on, _v in pulses(events, kind)]
    if not onsets:
        return []
    period = Fraction(60_000_000 * steps_per_beat, spm)
    return [t - (onsets[0] + int(period * k)) for k, t in enumerate(onsets)]


def render(events, path, start_us=None, max_s=600):
    """Write a mono 16-bit WAV of the outputs. Returns (seconds, beats)."""
    buzz = pulses(events, "buzzer")
    motor = pulses(events, "motor")
    allp = buzz + motor
    if start_us is None:
        start_us = min((p[0] for p in allp), default=0) - 200000
    end_us = max((p[1] for p in allp), default=start_us) + 300000
    n = min(int((end_us - start_us) * RATE_HZ // 1000000), max_s * RATE_HZ)
    n = max(n, 1)
    buf = [0.0] * n
    for t0, t1, hz in buzz:
        a, b = _span(t0, t1, start_us, n)
        for i in range(a, b):
            ph = (i - a) * hz / RATE_HZ
            buf[i] += 0.35 * (1.0 if ph % 1.0 < 0.5 else -1.0) * _env(i - a, b - a)
    for t0, t1, u16 in motor:
        a, b = _span(t0, t1, start_us, n)
        amp = 0.45 * u16 / 65535.0
        for i in range(a, b):
            buf[i] += amp * math.sin(2 * math.pi * MOTOR_HZ * (i - a) / RATE_HZ) * _env(i - a, b - a)
    frames = bytearray()
    for s in buf:
        frames += struct.pack("<h", int(max(-1.0, min(1.0, s)) * 32000))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE_HZ)
        w.writeframes(bytes(frames))
    return n / RATE_HZ, len(buzz) or len(motor)


def _span(t0, t1, start_us, n):
    a = max(0, int((t0 - start_us) * RATE_HZ // 1000000))
    b = min(n, int((t1 - start_us) * RATE_HZ // 1000000))
    return a, max(a, b)


def _env(i, length):
    # 2 ms attack and release: no clicks
    edge = RATE_HZ // 500
    if i < edge:
        return i / edge
    if length - i < edge:
        return (length - i) / edge
    return 1.0
