"""Simulated pins, interrupt lines, outputs that record timed events, ADC and watchdog.

A `Line` is a digital signal driven by a fake chip (an IMU INT pin) or a test (a button).
A `SimPin` watches a line; `irq(handler, trigger)` queues the handler on a matching edge through
`micropython.schedule` when it exists (as ESP32 soft IRQs do; a full queue drops the IRQ and counts
it in `irq_dropped`), else calls it at once (CPython). Outputs append (t_us, kind, value) to an
`EventLog`, t_us being the clock's unwrapped elapsed time.
"""
try:
    from micropython import schedule as _schedule
except ImportError:  # CPython
    _schedule = None  # type: ignore[assignment]

IRQ_FALLING = 1
IRQ_RISING = 2


class Line:
    def __init__(self, level=0):
        self.level = level
        self._watchers = []

    def set(self, level):
        level = 1 if level else 0
        if level != self.level:
            self.level = level
            for w in self._watchers:
                w._edge(level)

    def watch(self, pin):
        if pin not in self._watchers:
            self._watchers.append(pin)

    def unwatch(self, pin):
        if pin in self._watchers:
            self._watchers.remove(pin)


class SimPin:
    """Input pin. `line` is what it reads; with none it owns one a test can drive()."""

    IRQ_FALLING = IRQ_FALLING
    IRQ_RISING = IRQ_RISING

    def __init__(self, pin_id, line=None, clock=None, pull_up=False):
        self.id = pin_id
        self.clock = clock
        self.line = line if line is not None else Line(1 if pull_up else 0)
        self._handler = None
        self._trigger = 0
        self.irq_count = 0
        self.irq_dropped = 0
        self.line.watch(self)

    def value(self, v=None):
        if v is not None:
            raise ValueError("sim input pin %s is read-only: drive() it" % (self.id,))
        return self.line.level

    def __call__(self):
        return self.line.level

    def drive(self, level):
        """Set the input level (a button press, a test forcing the INT line)."""
        self.line.set(level)

    def connect(self, line):
        self.line.unwatch(self)
        self.line = line
        line.watch(self)

    def irq(self, handler=None, trigger=IRQ_RISING | IRQ_FALLING):
        self._handler = handler
        self._trigger = trigger if handler is not None else 0
        return self

    def _edge(self, level):
        if not self._handler or not (self._trigger & (IRQ_RISING if level else IRQ_FALLING)):
            return
        self.irq_count += 1
        if self.clock is not None:
            self.clock.irq_pending += 1
        if _schedule is None:
            self._handler(self)
            return
        try:
            _schedule(self._handler, self)
        except RuntimeError:  # queue full: the ESP32 drops the IRQ too
            self.irq_dropped += 1


class EventLog:
    """Timed output events. The newest `limit` stay in memory in a ring allocated once (older ones
    are dropped and counted in .dropped), and every one is streamed as a `t_us,kind,value` line to
    `sink` (an open text file) when given: a 3-hour run fits a 96 KB heap that way."""

    def __init__(self, clock=None, limit=500, sink=None):
        self.clock = clock
        self.limit = limit
        self.sink = sink
        self._ring: list = [None] * limit
        self._i = 0
        self.count = 0

    @property
    def dropped(self):
        return self.count - self.limit if self.count > self.limit else 0

    @property
    def events(self):
        """[(t_us, kind, value), ...] oldest first (the newest `limit`)."""
        if self.count <= self.limit:
            return self._ring[: self.count]
        return self._ring[self._i :] + self._ring[: self._i]

    def now_us(self):
        return self.clock.elapsed_us() if self.clock is not None else 0

    def add(self, kind, value):
        t = self.now_us()
        self.count += 1
        if self.sink is not None:
            self.sink.write("%d,%s,%s\n" % (t, kind, value))
        if self.limit:
            self._ring[self._i] = (t, kind, value)
            self._i = (self._i + 1) % self.limit

    def of(self, kind):
        return [e for e in self.events if e[1] == kind]

    def clear(self):
        self._ring: list = [None] * self.limit
        self._i = 0
        self.count = 0


class OutputPin:
    def __init__(self, pin_id, log, name=None, active_low=False):
        self.id = pin_id
        self.kind = name or "pin%s" % (pin_id,)
        self.active_low = active_low
        self.log = log
        self.state = 0  # logical (after active_low)

    def value(self, v=None):
        if v is None:
            return self.state
        v = 1 if v else 0
        if v != self.state:
            self.state = v
            self.log.add(self.kind, v)
        return None

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)


class Buzzer:
    """Passive buzzer on PWM: tone(freq_hz, duty_u16) / off(). Logs ("buzzer", freq_hz or 0)."""

    def __init__(self, pin_id, log, name="buzzer"):
        self.id = pin_id
        self.kind = name
        self.log = log
        self.freq_hz = 0
        self.duty_u16 = 0

    def tone(self, freq_hz, duty_u16=32768):
        if freq_hz <= 0 or duty_u16 <= 0:
            self.off()
            return
        if freq_hz != self.freq_hz or duty_u16 != self.duty_u16:
            self.freq_hz = freq_hz
            self.duty_u16 = duty_u16
            self.log.add(self.kind, freq_hz)

    def off(self):
        if self.freq_hz:
            self.freq_hz = 0
            self.duty_u16 = 0
            self.log.add(self.kind, 0)


class Motor:
    """Vibration motor through a transistor on PWM: on(intensity_u16) / off(). Logs ("motor", u16)."""

    def __init__(self, pin_id, log, name="motor"):
        self.id = pin_id
        self.kind = name
        self.log = log
        self.intensity_u16 = 0

    def on(self, intensity_u16=65535):
        intensity_u16 = max(0, min(65535, intensity_u16))
        if intensity_u16 != self.intensity_u16:
            self.intensity_u16 = intensity_u16
            self.log.add(self.kind, intensity_u16)

    def off(self):
        self.on(0)


class Adc:
    def __init__(self, pin_id, uv=1950000):
        self.id = pin_id
        self.uv = uv

    def read_uv(self):
        return self.uv


class Watchdog:
    """Expires when not fed for timeout_ms of sim time: logs ("wdt", "expired") and sets .expired
    (the real one resets the chip; the sim runner decides what to do)."""

    def __init__(self, clock, timeout_ms, log=None):
        self.clock = clock
        self.timeout_us = timeout_ms * 1000
        self.log = log
        self.expired = False
        self.feeds = 0
        self._last = clock.elapsed_us()
        clock.attach(self)

    def feed(self):
        self.feeds += 1
        self._last = self.clock.elapsed_us()

    def keep_fed(self, period_ms):
        """A timer feeds it from now on (the app handed the pod to the REPL): it never expires."""
        self.kept_ms = period_ms
        if self.log is not None:
            self.log.add("wdt_keepalive", period_ms)

    def next_event_us(self):
        if getattr(self, "kept_ms", 0):
            return None
        return None if self.expired else self._last + self.timeout_us

    def advance_to(self, t_us):
        if not self.expired and t_us >= self._last + self.timeout_us:
            self.expired = True
            if self.log is not None:
                self.log.add("wdt", "expired")


class ScriptedInput:
    """A clock device that drives a line at given sim times: [(t_us, level), ...] (buttons)."""

    def __init__(self, clock, line, script):
        self.line = line
        self.script = sorted(script)
        self._i = 0
        clock.attach(self)

    def next_event_us(self):
        return self.script[self._i][0] if self._i < len(self.script) else None

    def advance_to(self, t_us):
        while self._i < len(self.script) and self.script[self._i][0] <= t_us:
            self.line.set(self.script[self._i][1])
            self._i += 1
