"""Buttons and status LED: small state machines fed with ticks_ms, no hardware access.

Button gestures (two-button boards): A click start/stop session, A hold switch output mode,
B click target +nudge, B hold target -nudge. One-button boards: click start/stop, double click +nudge,
triple click -nudge, hold switch mode.
"""

try:
    from micropython import const
except ImportError:  # CPython

    def const(x):
        return x


DEBOUNCE_MS = const(30)
HOLD_MS = const(900)
MULTI_MS = const(350)  # gap that ends a multi-click

# Actions
NONE = const(0)
START_STOP = const(1)
NUDGE_UP = const(2)
NUDGE_DOWN = const(3)
SWITCH_MODE = const(4)


class Button:
    """Debounced click / multi-click / hold detection for one button, polled every few ms."""

    def __init__(self, multi=False):
        self.multi = multi  # count multi-clicks (one-button boards), else report a click at once
        self.down = False
        self._raw = False
        self._raw_ms = 0
        self._down_ms = 0
        self._up_ms = 0
        self._held = False  # the hold of this press was already reported
        self.clicks = 0  # clicks in the current multi-click run

    def update(self, pressed, now_ms, ticks_diff):
        """Feed the raw level. Returns 'hold', ('click', n) as n, or 0 for nothing."""
        if pressed != self._raw:
            self._raw = pressed
            self._raw_ms = now_ms
        stable = ticks_diff(now_ms, self._raw_ms) >= DEBOUNCE_MS
        if stable and pressed != self.down:
            self.down = pressed
            if pressed:
                self._down_ms = now_ms
                self._held = False
            else:
                self._up_ms = now_ms
                if not self._held:
                    if not self.multi:
                        return 1
                    self.clicks += 1
        if self.down and not self._held and ticks_diff(now_ms, self._down_ms) >= HOLD_MS:
            self._held = True
            self.clicks = 0
            return -1
        if not self.down and self.clicks and ticks_diff(now_ms, self._up_ms) >= MULTI_MS:
            n = self.clicks
            self.clicks = 0
            return n
        return 0


def action(button_name, gesture, buttons):
    """Map a gesture (-1 hold, n clicks) on a button to an action, given the board's buttons."""
    if gesture == 0:
        return NONE
    two = "b" in buttons
    if button_name == "a":
        if gesture == -1:
            return SWITCH_MODE
        if gesture == 1 or two:
            return START_STOP
        return NUDGE_UP if gesture == 2 else NUDGE_DOWN
    if gesture == -1:
        return NUDGE_DOWN
    return NUDGE_UP


# LED patterns: on/off durations in ms, repeated.
IDLE = (40, 2960)  # heartbeat: alive, no session
SESSION = (400, 600)  # session running
SAFE = (100, 100)  # safe mode / fatal


def error_pattern(code):
    """`code` short blinks then a pause: the LED error code."""
    p = []
    for _ in range(code):
        p.append(150)
        p.append(250)
    p[-1] = 1500
    return tuple(p)


class Led:
    def __init__(self, write):
        self._write = write  # write(on: bool)
        self.pattern = IDLE
        self._i = 0
        self._t_ms = 0
        self._on = None

    def show(self, pattern, now_ms):
        if pattern is not self.pattern and pattern != self.pattern:
            self.pattern = pattern
            self._i = 0
            self._t_ms = now_ms
            self._set(True)

    def update(self, now_ms, ticks_diff):
        p = self.pattern
        if ticks_diff(now_ms, self._t_ms) >= p[self._i]:
            self._t_ms = now_ms
            self._i = (self._i + 1) % len(p)
        self._set(self._i % 2 == 0)

    def next_ms(self, ticks_add):
        """ticks_ms of the pattern's next edge (light sleep wakes for it)."""
        return ticks_add(self._t_ms, self.pattern[self._i])

    def _set(self, on):
        if on != self._on:
            self._on = on
            self._write(on)
