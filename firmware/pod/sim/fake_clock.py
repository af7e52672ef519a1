"""Injectable simulated clock with ESP32 tick semantics (wrap at 2**30), driving the fake devices.

Sim time is `elapsed_us`, unwrapped microseconds since the clock was made:

    elapsed = offset + (real_us - real0_us) * speed

* speed=0 (default): manual. Time moves only by advance_us()/advance_to(): deterministic tests.
* speed=k: follows real time k times faster. skip_idle=True also jumps over idle waits
  (advance_to, sleeps), so a 3-hour session runs as fast as the code can.

`ticks_us()`/`ticks_ms()` are the device view: (start + elapsed) wrapped at TICKS_PERIOD, and can
start near the wrap. Devices (fake IMUs, scripted buttons, the watchdog) attach with `attach(dev)`
and provide `next_event_us()` (None or the elapsed time of their next possible edge) and
`advance_to(t_us)`; the clock stops at each of those events, so an INT edge happens at its exact
sim time. Pure Python: runs unchanged on CPython and the micropython unix port.
"""
import time

TICKS_PERIOD = 1 << 30
TICKS_MAX = TICKS_PERIOD - 1
_HALF = TICKS_PERIOD >> 1

try:
    _real_us = time.ticks_us  # type: ignore[attr-defined]
    _real_ms = time.ticks_ms  # type: ignore[attr-defined]
    _real_diff = time.ticks_diff  # type: ignore[attr-defined]
except AttributeError:  # CPython

    def _real_us():
        return time.monotonic_ns() // 1000  # type: ignore[attr-defined]

    def _real_ms():
        return time.monotonic_ns() // 1000000  # type: ignore[attr-defined]

    def _real_diff(a, b):
        return a - b


def ticks_add(t, delta):
    return (t + delta) & TICKS_MAX


def ticks_diff(a, b):
    """a - b in the wrapped tick space, in [-2**29, 2**29)."""
    return ((a - b + _HALF) & TICKS_MAX) - _HALF


class SimClock:
    def __init__(self, start_us=0, start_ms=None, speed=0, skip_idle=None, tick_cost_us=0):
        if speed < 0:
            raise ValueError("speed must be >= 0")
        self.speed = speed
        self.skip_idle = True if not speed else bool(skip_idle)  # a manual clock only jumps
        self.start_us = start_us & TICKS_MAX
        self.start_ms = (start_us // 1000 if start_ms is None else start_ms) & TICKS_MAX
        self.irq_pending = 0  # bumped by SimPin when it queues a handler
        # Manual clocks: code takes no sim time, so a busy-wait on ticks would never end; a cost
        # per ticks read (a few us) makes one terminate, as it would on the device.
        self.tick_cost_us = tick_cost_us
        self._elapsed = 0
        self._offset = 0
        self._devices = []
        self._busy = False
        self._real0 = _real_us()
        self._real0_ms = _real_ms() + 1  # type: ignore[operator]

    # --- device side -----------------------------------------------------------------------
    def attach(self, dev):
        if dev not in self._devices:
            self._devices.append(dev)
        return dev

    def detach(self, dev):
        if dev in self._devices:
            self._devices.remove(dev)

    @property
    def manual(self):
        return not self.speed

    def _target(self):
        if not self.speed:
            return self._offset
        return self._offset + int(_real_diff(_real_us(), self._real0) * self.speed)

    def _run_to(self, t, stop_on_irq=False):
        # Step the devices event by event up to t (or to the first IRQ if asked).
        self._busy = True
        try:
            while True:
                nxt = t
                for d in self._devices:
                    e = d.next_event_us()
                    if e is not None and e < nxt:
                        nxt = e
                if nxt < self._elapsed:
                    nxt = self._elapsed
                self._elapsed = nxt  # first: an IRQ handler run meanwhile sees the edge's time
                for d in self._devices:
                    d.advance_to(nxt)
                if nxt >= t or (stop_on_irq and self.irq_pending):
                    return nxt
        finally:
            self._busy = False

    def sync(self):
        """Bring the devices up to the current sim time (real-time modes); cheap in manual mode."""
        if self.speed and not self._busy:
            t = self._target()
            if t > self._elapsed:
                self._run_to(t)

    # --- time view ---------------------------------------------------------------------------
    def elapsed_us(self):
        self.sync()
        return self._elapsed

    def ticks_us(self):
        if self.tick_cost_us and not self._busy:
            self.advance_to(self._elapsed + self.tick_cost_us)
        self.sync()
        return (self.start_us + self._elapsed) & TICKS_MAX

    def ticks_ms(self):
        if self.tick_cost_us and not self._busy:
            self.advance_to(self._elapsed + self.tick_cost_us)
        self.sync()
        return (self.start_ms + self._elapsed // 1000) & TICKS_MAX

    def to_ticks_us(self, elapsed_us):
        return (self.start_us + elapsed_us) & TICKS_MAX

    def anchor_asyncio(self):
        # an hour ahead of the unix port's real ticks_ms, so sim time stays ahead of it
        self._real0_ms = _real_ms() - self.elapsed_us() // 1000 + 3600000  # type: ignore[operator]

    def asyncio_ms(self):
        """asyncio's clock: sim ms on the unix port's own time base, kept ahead of the real
        ticks_ms that the C TaskQueue stamps ready tasks with, so those run at once (hal.sim)."""
        self.sync()
        return self._real0_ms + self._elapsed // 1000

    # --- moving time -------------------------------------------------------------------------
    def advance_to(self, t_us, stop_on_irq=False):
        """Jump sim time to t_us (elapsed), stepping devices through their events. Returns the
        time reached: t_us, or earlier when stop_on_irq and a pin IRQ got queued."""
        self.sync()
        if t_us <= self._elapsed:
            return self._elapsed
        reached = self._run_to(t_us, stop_on_irq)
        if self.speed:
            self._offset += reached - self._target()
        else:
            self._offset = reached
        return reached

    def advance_us(self, us, stop_on_irq=False):
        return self.advance_to(self.elapsed_us() + us, stop_on_irq)

    def next_event_us(self):
        nxt = None
        for d in self._devices:
            e = d.next_event_us()
            if e is not None and (nxt is None or e < nxt):
                nxt = e
        return nxt

    def sleep_us(self, us):
        """Blocking sleep in sim time: a jump when skipping idle time, else a scaled real sleep."""
        if us <= 0:
            self.sync()
            return
        if self.skip_idle:
            self.advance_us(us)
            return
        target = self.elapsed_us() + us
        while True:
            now = self.elapsed_us()
            if now >= target:
                return
            _real_sleep_us(int((target - now) / self.speed) + 1)

    def sleep_ms(self, ms):
        self.sleep_us(ms * 1000)

    def idle_until(self, target_us, slice_ms=50):
        """The CPU idles until target_us or until a pin IRQ is queued: a jump when skipping idle
        time, else real sleeps (scaled) of at most slice_ms, each up to the next device edge."""
        self.irq_pending = 0
        if self.skip_idle:
            self.advance_to(target_us, stop_on_irq=True)
            return
        while self.elapsed_us() < target_us and not self.irq_pending:
            nxt = self.next_event_us()
            stop = target_us if nxt is None or nxt > target_us else nxt
            wait_ms = int((stop - self.elapsed_us()) / self.speed // 1000)
            _real_sleep_us(max(0, min(slice_ms, wait_ms)) * 1000)


def _real_sleep_us(us):
    if hasattr(time, "sleep_us"):
        time.sleep_us(us)  # type: ignore[attr-defined]
    else:
        time.sleep(us / 1000000)
