"""Faded feedback: the metronome plays for a while, then rests, and plays less as compliance holds.

Within a session: play `play_ms`, rest `rest_ms`, repeat (`FadeGate`).
Across sessions: a level into PLAY_PCT, the share of each cycle the beats play. A session that
holds the target moves one level on (fewer beats), a poor one moves one level back (more beats),
and a new plan target starts again at level 0 (full beats). Gait-retraining studies fade cues
this way so that the new cadence stays after the cues stop.
Integer arithmetic only; runs unchanged on CPython and MicroPython.
"""

try:
    from micropython import const
except ImportError:  # CPython

    def const(x):
        return x


PLAY_PCT = (100, 80, 60, 40, 20, 0)  # share of each cycle with beats, per level
MAX_LEVEL = const(5)
CYCLE_MS = const(60000)


def next_level(level, good, poor):
    """Level for the next session: one on after a good session, one back after a poor one."""
    if good:
        return level + 1 if level < MAX_LEVEL else MAX_LEVEL
    if poor:
        return level - 1 if level > 0 else 0
    return level


def play_rest_ms(level, cycle_ms=CYCLE_MS):
    """(play_ms, rest_ms) of one cycle at this level."""
    if not 0 <= level <= MAX_LEVEL:
        raise ValueError("fade level must be 0..%d, got %d" % (MAX_LEVEL, level))
    play = cycle_ms * PLAY_PCT[level] // 100
    return play, cycle_ms - play


class FadeGate:
    """Is the metronome playing at t_ms? Cycles start at `start_ms` (e.g. the end of warm-up)."""

    def __init__(self, play_ms, rest_ms, start_ms=0):
        play_ms = int(play_ms)
        rest_ms = int(rest_ms)
        if play_ms < 0 or rest_ms < 0 or play_ms + rest_ms <= 0:
            raise ValueError("play_ms and rest_ms must be >= 0 and not both 0")
        self.play_ms = play_ms
        self.rest_ms = rest_ms
        self.start_ms = int(start_ms)

    @classmethod
    def for_level(cls, level, cycle_ms=CYCLE_MS, start_ms=0):
        play, rest = play_rest_ms(level, cycle_ms)
        return cls(play, rest, start_ms)

    def on(self, t_ms):
        d = t_ms - self.start_ms
        if d < 0:
            return True  # before the cycles start (warm-up) the beats play
        if self.rest_ms == 0:
            return True
        if self.play_ms == 0:
            return False
        return d % (self.play_ms + self.rest_ms) < self.play_ms
