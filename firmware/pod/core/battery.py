"""Battery guard: warn once when the LiPo runs low, and end the session cleanly before it browns out.

`update(mv)` per battery reading returns NONE, or LOW / EMPTY once, on entering that state. A level
counts only after `confirm` readings in a row below it: a motor pulse or a radio burst sags the cell
for a moment. A reading back above low + RECOVER_MV (the pod is charging) clears both states. A
reading under NO_BATTERY_MV is no cell at all (a board on USB with none fitted, or a floating ADC)
and changes nothing. A threshold of 0 turns that level off. Pure integer code (CPython, MicroPython).
"""

NONE = 0
LOW = 1
EMPTY = 2
NO_BATTERY_MV = 2500
RECOVER_MV = 150


class BatteryGuard:
    def __init__(self, low_mv=3500, empty_mv=3400, confirm=2):
        low_mv = int(low_mv)
        empty_mv = int(empty_mv)
        if low_mv and empty_mv and empty_mv > low_mv:
            raise ValueError("battery empty level %d mV is above the low level %d mV" % (empty_mv, low_mv))
        if confirm < 1:
            raise ValueError("confirm must be >= 1")
        self.low_mv = low_mv
        self.empty_mv = empty_mv
        self.confirm = confirm
        self.state = NONE
        self._n_low = 0
        self._n_empty = 0

    def pending(self):
        """A level is being confirmed: read again soon rather than in a minute."""
        return (0 < self._n_low and self.state == NONE) or (0 < self._n_empty and self.state != EMPTY)

    def update(self, mv):
        if mv < NO_BATTERY_MV:
            return NONE
        if self.state != NONE and mv >= max(self.low_mv, self.empty_mv) + RECOVER_MV:
            self.state = NONE  # charging: warn again next time it runs down
        self._n_low = self._n_low + 1 if self.low_mv and mv < self.low_mv else 0
        self._n_empty = self._n_empty + 1 if self.empty_mv and mv < self.empty_mv else 0
        if self._n_empty >= self.confirm and self.state != EMPTY:
            self.state = EMPTY
            return EMPTY
        if self._n_low >= self.confirm and self.state == NONE:
            self.state = LOW
            return LOW
        return NONE
