"""Session exporters: CSV timeline, FIT (garmin-fit-sdk), TCX, and raw capture to the corpus CSV.

Units, stated in every file: the pod counts steps per minute (spm, both feet). FIT and TCX carry
running cadence in strides per minute (one stride = two steps), as Garmin does: 180 spm = 90 strides/min.
"""
import datetime
import os

UNIT_NOTE = ("cadence units: steps per minute (spm) = both feet, as the pod shows; "
             "FIT/TCX running cadence = strides per minute = spm / 2")


def timeline(session, every_s=5.0):
    """[(t_s, cadence_spm, target_spm, metronome_on)] from the summaries, or from the steps if none."""
    if session.summaries:
        return [(t / 1000.0, c / 100.0, tg, bool(m)) for (t, c, tg, m) in session.summaries]
    out = []
    steps = session.steps
    if len(steps) < 2:
        return out
    target = 0
    for (_t, kind, value) in session.events:
        if kind == "target" and isinstance(value, int):
            target = value
            break
    t_end = steps[-1][0] / 1000.0
    t = every_s
    i = 0
    while t <= t_end + 1e-9:
        while i < len(steps) and steps[i][0] / 1000.0 <= t:
            i += 1
        ivs = sorted(iv for (_s, iv) in steps[max(0, i - 8):i] if 0 < iv < 2000)
        spm = 60000.0 / ivs[len(ivs) // 2] if ivs else 0.0
        out.append((t, spm, target, False))
        t += every_s
    return out


def start_datetime(session, path=None):
    """(UTC datetime of the session start, known?) from the header, else the file time minus duration."""
    st = session.header.get("start_s") if session.header else None
    if isinstance(st, (int, float)) and st > 946684800:  # after 2000: a real clock
        return datetime.datetime.fromtimestamp(st, datetime.timezone.utc), True
    ref = os.path.getmtime(path) if path else 0
    ref -= session.duration_ms() / 1000.0
    return datetime.datetime.fromtimestamp(int(ref), datetime.timezone.utc), False


def strides_parts(spm):
    """spm -> (cadence strides/min int, fractional 0..127/128) with 2*(c + f) == spm to 1/64 spm."""
    q = int(round(spm / 2.0 * 128))
    c = min(q // 128, 254)
    return c, (q - c * 128) / 128.0 if c < 254 else 0.0
