"""The `sim` board: sets up the simulated pod (pod.hal.sim) from a scenario, then gives the app the
same pod.app_hw.Board it gets on an ESP32, so the app runs unmodified.

The simulated pod (hal.sim + pod.sim.fake_*): a register-level fake IMU on a fake I2C bus fed from
a corpus CSV, its INT line on a sim pin with a soft IRQ, buttons driven by a script, a buzzer and a
motor that record timed events, a LED, an ADC, a watchdog, and one SimClock that can start near the
ESP32 ticks wrap. asyncio runs on that clock: when every task sleeps, time jumps to the next
wake-up or device edge (speed 0), or follows real time scaled by `speed` (>= 1).

Settings (sim.json beside the device files, or a dict):
  recording     corpus CSV path (t,ax,ay,az in g); none = a pod lying still
  loop          replay the recording end to end (long sessions)
  preload       hold the recording in memory (no per-row garbage: long accelerated runs)
  speed         0 = as fast as possible; 1 = real time; k = k times real time
  start_us      initial ticks_us (e.g. 2**30 - 20e6 crosses the wrap 20 s in)
  odr_error_ppm the fake IMU's rate error (the app calibrates it away)
  imu           override the board's IMU type (lsm6dso, lsm6ds3, mpu6886); imu_missing: no chip
  int_dead      the IMU's INT line never reaches the pin (the app's polling fallback must cope)
  safe_mode     button A held at boot
  crash_at_s    make the hardware raise at this sim time (crash handling tests)
  imu_glitch_s  one IMU FIFO read fails at this sim time (OSError, as a loose I2C contact would)
  session       button A press times in s: [start, stop, start, ...]
  presses       extra presses: [[t_s, "a"|"b", hold_s], ...]
  end_s         stop the app at this sim time
  events        file for the output events (t_us,kind,value lines), for WAV rendering
  result        file for the run's figures (JSON), written when the app stops
  heap_every_s  sample gc.mem_alloc() after a collect this often (sim time)
  usb           a USB host is attached (boards with power.light_sleep_while_usb false then stay awake)
  ble_central_s a simulated BLE central connects at this sim time (needs the fake `bluetooth`)
  time_drain    measure the real CPU time of every FIFO drain (drain_us, drain_max_us_per_sample)
  plan          write this dict as plan.json before the app starts (coaching tests)
  battery_mv    the cell's voltage over sim time: [[t_s, mv], ...], linear in between (a discharge)

Light sleep: the simulated CPU sleeps in sim time until the timeout or the first pin IRQ (the IMU INT,
a button edge), and counts its wake-ups (result: light_sleeps, wakes_per_s).
"""
import asyncio
import gc
import json
import sys
import time

from pod.app_hw import Board
from pod.hal import sim as halsim
from pod.sim.fake_clock import SimClock
from pod.sim.fake_pins import EventLog

SIM_FILE = "sim.json"
TICKS_PERIOD = 1 << 30


def load_settings(path=SIM_FILE):
    try:
        with open(path) as f:
            s = json.load(f)
    except OSError:
        return {}
    except ValueError:
        print("warning: %s is not valid JSON: default sim settings" % path)
        return {}
    return s if isinstance(s, dict) else {}


def install_asyncio_clock(clock):
    """Run asyncio on `clock`: its ms time base, and idle waits that move sim time.

    Readiness of a ThreadSafeFlag is read from the flag itself: the unix port's poller handles a
    Python stream by sleeping 1 ms per call, which would make sim time crawl. Any other stream
    (a real fd) still goes through the poller."""
    core = asyncio.core  # type: ignore[attr-defined]
    # asyncio's ms clock = sim time, kept an hour ahead of the unix port's own ticks_ms: a task
    # made ready (create_task, a flag) is queued at the real ticks_ms, which must never look like
    # the future, or sim time would jump ahead to "reach" it.
    base_ms = time.ticks_ms() + 3600000  # type: ignore[operator]  # the unix port: a plain int

    def ticks():
        return base_ms + clock.elapsed_us() // 1000

    core.ticks = ticks
    ioq = core._io_queue
    real_wait = ioq.wait_io_event
    queue = core._task_queue

    def poll_ready():
        woke = False
        other = False
        for k in ioq.map:
            if woke:
                break
            sm = ioq.map[k]
            s = sm[2]
            if not hasattr(s, "state"):
                other = True
            elif s.state and sm[0] is not None:
                queue.push(sm[0])
                sm[0] = None
                ioq._dequeue(s)
                woke = True
        if woke:
            poll_ready()  # the map changed under the loop: look again
        elif other:
            real_wait(0)

    def wait_io_event(dt):
        poll_ready()
        if dt == 0:
            return
        if dt < 0:  # nothing scheduled: only a device edge can wake anything
            target = clock.next_event_us()
            if target is None:
                real_wait(-1)
                return
        else:
            target = (clock.elapsed_us() // 1000 + dt) * 1000
        clock.idle_until(target, slice_ms=50)
        poll_ready()

    ioq.wait_io_event = wait_io_event


class _Lines:
    """readline() over 256-byte reads: the unix port reads a text file a byte per syscall (small
    blocks, so a long run never needs a large free block in a fragmented heap)."""

    def __init__(self, path):
        self._f = open(path, "rb")
        self._buf = b""
        self._i = 0

    def readline(self):
        while True:
            j = self._buf.find(b"\n", self._i)
            if j >= 0:
                line = self._buf[self._i : j + 1]
                self._i = j + 1
                return line.decode()
            more = self._f.read(256)
            if not more:
                line = self._buf[self._i :]
                self._buf = b""
                self._i = 0
                return line.decode()
            self._buf = self._buf[self._i :] + more
            self._i = 0

    def close(self):
        self._f.close()


class _Chunked:
    """int16 values in 6 KB blocks: a long recording needs no single huge free block (the app's
    modules, loaded first on a pod booting main.py, leave the heap fragmented)."""

    BLOCK = 3072

    def __init__(self, n):
        import array

        self.blocks = []
        while n > 0:
            k = n if n < self.BLOCK else self.BLOCK
            self.blocks.append(array.array("h", bytes(2 * k)))
            n -= k

    def __getitem__(self, i):
        return self.blocks[i // 3072][i % 3072]

    def __setitem__(self, i, v):
        self.blocks[i // 3072][i % 3072] = v


class ArraySource:
    """A corpus CSV held in memory (mg, int16) and replayed by linear interpolation, looping.

    For long accelerated runs: streaming the CSV makes garbage at every row (strings, floats),
    which would be charged to the app's heap between its collections; this makes almost none.
    Its own memory is the simulator's, measured with the rest (run_sim --probe)."""

    def __init__(self, path, loop=True):
        self.loop = loop
        self.done = False
        self.loops = 0
        f = _Lines(path)
        rows = -1  # first pass: size the array once (growing it needs twice the memory)
        while f.readline():
            rows += 1
        f.close()
        self.data = _Chunked(3 * max(rows, 0))
        f = _Lines(path)
        head = f.readline().strip().replace(" ", "")
        if head.split(",")[:4] != ["t", "ax", "ay", "az"]:
            raise ValueError("%s: not a corpus CSV (header must be t,ax,ay,az)" % (path,))
        t_first = t_last = 0.0
        n = 0
        while n < rows:
            line = f.readline()
            if not line:
                break
            p = line.strip().split(",")
            if len(p) < 4:
                continue
            t = float(p[0])
            if not n:
                t_first = t
            t_last = t
            for k in range(3):
                mg = int(float(p[k + 1]) * 1000)
                self.data[3 * n + k] = -32768 if mg < -32768 else (32767 if mg > 32767 else mg)
            n += 1
        f.close()
        if n < 2:
            raise ValueError("%s: no samples" % (path,))
        self.n = n
        # rows are taken as evenly spaced over the file's span (corpus files mostly are)
        self.period_us = int((t_last - t_first) * 1000000) // (n - 1)
        self.span_us = self.period_us * n

    def at(self, t_us):
        if t_us >= self.span_us:
            if not self.loop:
                self.done = True
                i = self.n - 1
                d = self.data
                return (d[3 * i] * 1000, d[3 * i + 1] * 1000, d[3 * i + 2] * 1000)
            self.loops = t_us // self.span_us
            t_us = t_us % self.span_us
        i = t_us // self.period_us
        f = t_us - i * self.period_us
        j = i + 1 if i + 1 < self.n else 0
        d = self.data
        p = self.period_us
        a = 3 * i
        b = 3 * j
        return (
            (d[a] * 1000) + (d[b] - d[a]) * 1000 * f // p,
            (d[a + 1] * 1000) + (d[b + 1] - d[a + 1]) * 1000 * f // p,
            (d[a + 2] * 1000) + (d[b + 2] - d[a + 2]) * 1000 * f // p,
        )


def _buffered_csv(path, loop):
    from pod.sim import fake_imu

    fake_imu.open = _Lines  # type: ignore[attr-defined]  # CsvSource's only file: read it in blocks
    return fake_imu.CsvSource(path, loop=loop)


class SimHardware(Board):
    """pod.app_hw.Board on a freshly set-up simulated pod, plus the end of run and its figures."""

    def __init__(self, board, settings=None):
        s = load_settings() if settings is None else settings
        self.settings = s
        clock = SimClock(start_us=s.get("start_us", 0), speed=s.get("speed", 0))
        self.clock = clock
        self._sink = open(s["events"], "w") if s.get("events") else None
        log = EventLog(clock, limit=0 if self._sink else 2000, sink=self._sink)
        source = None
        if s.get("recording"):
            if s.get("preload"):
                source = ArraySource(s["recording"], loop=bool(s.get("loop")))
            else:
                source = _buffered_csv(s["recording"], bool(s.get("loop")))
        self.sim = halsim.setup(profile=board, clock=clock, source=source, imu_type=s.get("imu"), log=log,
                                odr_error_ppm=s.get("odr_error_ppm", 0), imu_present=not s.get("imu_missing"))
        self._script_buttons(s)
        if s.get("int_dead"):  # a broken INT wire: the app must notice and poll the FIFO
            from pod.sim.fake_pins import Line

            self.sim.pin_named("imu_int").connect(Line())
        if board["pins"].get("battery_adc") is not None:
            self.sim.adc(board["pins"]["battery_adc"]).uv = s.get("battery_uv", 1950000)
        Board.__init__(self, board)
        for name in self._buttons:  # as wake sources: an edge ends a light sleep
            self._buttons[name].irq(handler=self._button_edge, trigger=halsim.IRQ_RISING | halsim.IRQ_FALLING)
        self.light_sleeps = 0
        self.slept_us = 0
        self.drain_us = 0
        self.drained = 0
        self.drain_max_us_per_sample = 0
        self.svc = None
        if s.get("plan") is not None:
            with open("plan.json", "w") as f:
                json.dump(s["plan"], f)
        self.end_us = int(s["end_s"] * 1000000) if s.get("end_s") else None
        self._heap_every_us = int(s.get("heap_every_s", 60) * 1000000)
        n = (self.end_us or 0) // self._heap_every_us + 2
        self.heap = [0] * (n if n < 4096 else 4096)  # allocated now: the run must not grow it
        self._heap_n = 0
        self._next_heap_us = self._heap_every_us
        self.ticks_wraps = 0
        self._last_ticks = clock.ticks_us()
        clock.attach(self)  # as a device: heap samples and wrap counting at exact sim times
        install_asyncio_clock(clock)

    def _script_buttons(self, s):
        per = {}
        for t in s.get("session", ()):
            per.setdefault("button_a", []).append((t, 0.15))
        for p in s.get("presses", ()):
            per.setdefault("button_" + p[1], []).append((p[0], p[2] if len(p) > 2 else 0.15))
        for name in per:
            if self.sim.profile["pins"].get(name) is None:
                continue
            self.sim.script_button(name, [(int(t * 1000000), int((t + h) * 1000000)) for t, h in per[name]])

    def _button_edge(self, _pin):
        pass

    def light_sleep_ok(self):
        return True

    def usb_connected(self):
        return bool(self.settings.get("usb", False))

    def light_sleep(self, ms):
        """Sleep the simulated CPU until ms pass or a pin IRQ is queued (a wake source fired)."""
        c = self.clock
        self.light_sleeps += 1
        start = c.elapsed_us()
        c.idle_until(start + ms * 1000, slice_ms=20)
        self.slept_us += c.elapsed_us() - start

    def started(self, app):
        if self.settings.get("imu_glitch_s") is not None and app.imu is not None:
            self._glitch(app.imu, int(self.settings["imu_glitch_s"] * 1000000))
        if self.settings.get("time_drain"):
            self._time_drain(app)
        t = self.settings.get("ble_central_s")
        if t is not None:
            asyncio.create_task(self._central(t))

    def _glitch(self, imu, at_us):
        read = imu.read
        clock = self.clock
        done = [False]

        def failing(buf, n):
            if not done[0] and clock.elapsed_us() >= at_us:
                done[0] = True
                raise OSError(19)  # ENODEV: the chip dropped off the bus for a moment
            return read(buf, n)

        imu.read = failing

    async def _central(self, t_s):
        import bluetooth

        d = int(t_s * 1000000) - self.clock.elapsed_us()
        if d > 0:
            await asyncio.sleep_ms(d // 1000)
        bluetooth.BLE().sim_connect()  # type: ignore[attr-defined]  # the fake module's hook

    def _time_drain(self, app):
        orig = app._drain

        async def timed():
            t0 = time.ticks_us()  # type: ignore[attr-defined]  # real time: the CPU the pipeline takes
            s0 = app.samples
            await orig()
            dt = time.ticks_diff(time.ticks_us(), t0)  # type: ignore[attr-defined]
            n = app.samples - s0
            self.drained += n
            self.drain_us += dt
            if n and dt // n > self.drain_max_us_per_sample:
                self.drain_max_us_per_sample = dt // n

        app._drain = timed

    def pressed(self, name):
        crash = self.settings.get("crash_at_s")
        if crash is not None and self.clock.elapsed_us() >= crash * 1000000:
            raise RuntimeError("sim: injected crash")
        return Board.pressed(self, name)

    def safe_mode_requested(self):
        if self.settings.get("safe_mode"):
            self.sim.press("button_a")
        return Board.safe_mode_requested(self)

    def done(self):
        wdt = self.sim.wdt
        if wdt is not None and wdt.expired:
            print("sim: watchdog expired (the ESP32 would reset here)")
            return True
        if self.sim.powered_off:
            print("sim: powered off")
            return True
        return self.end_us is not None and self.clock.elapsed_us() >= self.end_us

    def battery_mv(self):
        curve = self.settings.get("battery_mv")
        if not curve:
            return Board.battery_mv(self)
        t = self.clock.elapsed_us() / 1000000
        if t <= curve[0][0]:
            return int(curve[0][1])
        for i in range(1, len(curve)):
            (t0, v0), (t1, v1) = curve[i - 1], curve[i]
            if t <= t1:
                return int(v0 + (v1 - v0) * (t - t0) / (t1 - t0))
        return int(curve[-1][1])

    def finished(self, app):
        del self.heap[self._heap_n :]  # in place: after hours the heap may have no block for a copy
        gc.collect()
        wdt = self.sim.wdt
        r = {
            "sim_s": self.clock.elapsed_us() // 1000 / 1000,
            "session_s": app.session_ms_total / 1000,
            "steps": app.steps_total,
            "beats": app.beats,
            "late_beats": app.late_beats,
            "samples": app.samples,
            "irqs": app.irqs,
            "polls": app.polls,
            "stuck": app.stuck,
            "imu_failures": app.imu_failures,
            "overflows": app.overflows,
            "chip_steps": app.chip_steps,
            "cadence_x100": app.last_cadence_x100,
            "odr_mhz": app.clock.odr_mhz if app.clock is not None else None,
            "ticks_wraps": self.ticks_wraps,
            "heap": self.heap,
            "heap_after_gc": gc.mem_alloc(),  # type: ignore[attr-defined]
            "heap_total": gc.mem_alloc() + gc.mem_free(),  # type: ignore[attr-defined]
            "wdt_expired": bool(wdt is not None and wdt.expired),
            "powered_off": self.sim.powered_off,
            "irq_dropped": self._int.irq_dropped,
            "light_sleeps": self.light_sleeps,
            "slept_s": self.slept_us // 1000 / 1000,
            "loop_wakes": app.loop_wakes,
            "wakes_per_s": round(self.light_sleeps * 1000000 / max(1, self.clock.elapsed_us()), 3),
            "light_sleep": app._sleep,
            "beats_faded": app.beats_faded,
            "alerts": app.alerts_played,
            "phases": app.phases + (app.coach.phases if app.coach is not None else 0),
            "decision": app.coach.decision if app.coach is not None else None,
            "modules": sorted(k for k in sys.modules if k.startswith("pod.")),  # what stayed loaded
        }
        if self.settings.get("time_drain"):
            r["drain_us"] = self.drain_us
            r["drained"] = self.drained
            r["drain_max_us_per_sample"] = self.drain_max_us_per_sample
        svc = app.ble
        if svc is not None:
            r["ble_notified"] = svc.notified
            r["ble_error"] = svc.error
            r["ble_battery"] = svc._batt[0]
            try:
                import bluetooth

                r["ble_sent"] = len(bluetooth.BLE().sim_sent)  # type: ignore[attr-defined]
            except (ImportError, AttributeError):
                pass
        if self._sink is not None:
            self.sim.log.sink = None
            self._sink.close()
            self._sink = None
        if self.settings.get("result"):
            # whole or not at all: a host polls for this file and reads it as soon as it appears
            from pod import jsonfile  # the app's (loaded by now)

            jsonfile.save(self.settings["result"], r)
        print("sim result: ", end="")
        json.dump(r, sys.stdout)  # streamed: no one large string on a fragmented heap
        print()
        return r

    # --- as a clock device: heap samples, ticks wraps ------------------------------------------
    def next_event_us(self):
        return self._next_heap_us

    def advance_to(self, t_us):
        t = self.clock.to_ticks_us(t_us)
        if t < self._last_ticks:
            self.ticks_wraps += 1
        self._last_ticks = t
        if t_us >= self._next_heap_us:
            self._next_heap_us += self._heap_every_us
            gc.collect()
            if self._heap_n < len(self.heap):
                self.heap[self._heap_n] = gc.mem_alloc()  # type: ignore[attr-defined]
                self._heap_n += 1
