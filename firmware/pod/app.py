"""The firmware app: IMU FIFO -> step detector -> session log, and the metronome, on asyncio.

Tasks and their latency budget (ESP32 at 240 MHz, 104 Hz ODR, FIFO watermark ~0.5 s):
  * IMU INT1 -> Pin.irq (soft, scheduled) -> ThreadSafeFlag.set(): the handler only signals.
  * imu task: waits on the flag, drains the FIFO in chunks of CHUNK samples (a few ms each) and
    yields between chunks, so a due beat waits at most one chunk. Samples are timed by their
    FIFO index against the calibrated output data rate, never by when the code ran.
  * metronome task: sleeps until GUARD_US before the beat (one chunk fits in it), then spins the
    last microseconds: beats land within ~1 ms of an absolute schedule (pod.core.metronome).
    gc.collect() right after each beat, so a collection never falls on one.
  * main loop (every LOOP_MS): buttons, LED, the polling fallback for a stuck INT line, log
    summaries and flushes, battery, IMU retries, and the only place the watchdog is fed, and only
    while the other tasks show progress.
A missing or failing IMU leaves a metronome-only pod with the LED error code, retried every
imu_retry_s. A broken config file gives defaults and a warning. Nothing here touches `machine`:
pod.app_hw maps the board onto the HAL (real ESP32 or the simulated pod).
"""
import array
import asyncio
import gc
import sys

from pod import app_ui as ui
from pod import config as podconfig
from pod.core.detector import StepDetector
from pod.core.metronome import Metronome

try:
    from micropython import const
except ImportError:  # CPython

    def const(x):
        return x


FW_VERSION = "0.1.0"
LOOP_MS = const(50)
GUARD_US = const(4000)  # wake this long before a beat, then spin
LATE_US = const(20000)  # a beat later than this is dropped (after a stall), not played late
CHUNK = const(16)  # samples per FIFO read: ~2 ms of detector work on an ESP32
CAL_MIN_MS = const(30000)  # ODR calibration window
LEAD_IN_MS = const(500)  # first beat after a session start

# LED error codes (blinks per group)
ERR_IMU = const(2)
ERR_CONFIG = const(3)
ERR_STORAGE = const(4)

MODES = ("both", "haptic", "audio", "off")


def log_warning(msg):
    print("warning:", msg)


class SampleClock:
    """Session time of each sample from its FIFO index: t_ms += 1000/ODR exactly (Bresenham)."""

    def __init__(self, odr_mhz):
        self.t_ms = 0
        self._frac = 0
        self.set_rate(odr_mhz)

    def set_rate(self, odr_mhz):
        self.odr_mhz = odr_mhz
        self._q = 1000000 // odr_mhz
        self._r = 1000000 % odr_mhz
        self.period_us = 1000000000 // odr_mhz

    def reset(self):
        self.t_ms = 0
        self._frac = 0

    def tick(self):
        self.t_ms += self._q
        self._frac += self._r
        if self._frac >= self.odr_mhz:
            self._frac -= self.odr_mhz
            self.t_ms += 1

    def lag_ms(self, lag_q8):
        # (lag_q8 >> 2) * period_us stays below 2^30 for lags up to ~20 s at 104 Hz
        return ((lag_q8 >> 2) * self.period_us) // 64000


def odr_from(samples, elapsed_ms):
    """Measured output data rate in mHz, in small-int steps."""
    a = samples * 1000
    q1 = a // elapsed_ms
    q2 = (a - q1 * elapsed_ms) * 1000 // elapsed_ms
    return q1 * 1000 + q2


class LogAdapter:
    """The session log, through pod.logstore; the app runs on (metronome only) if it fails."""

    def __init__(self, root, budget_bytes):
        self.store = None
        self.log = None
        try:
            from pod.logstore import LogStore

            self.store = LogStore(root=root, budget_bytes=budget_bytes)
        except Exception as e:  # no filesystem, bad budget: keep the metronome going
            log_warning("session log unavailable: %s" % (e,))

    def open(self, header):
        self.log = None
        if self.store is not None:
            try:
                self.log = self.store.open_session(header)
            except MemoryError:  # no room for the log buffer: the metronome still runs
                self.log = None
                log_warning("session log: out of memory")
        return self.log is not None and self.log.active

    def error(self):
        return self.log is not None and self.log.error

    def step(self, t_ms, interval_ms):
        if self.log is not None:
            self.log.step(t_ms, interval_ms)

    def summary(self, t_ms, cadence_x100, target_spm, metronome_on):
        if self.log is not None:
            self.log.summary(t_ms, cadence_x100, target_spm, metronome_on)

    def event(self, t_ms, kind, value=0):
        if self.log is not None:
            self.log.event(t_ms, kind, value)

    def raw(self, t_ms, x, y, z):
        if self.log is not None:
            self.log.raw(t_ms, x, y, z)

    def flush(self):
        if self.log is not None:
            self.log.flush()

    def close(self, t_ms):
        if self.log is not None:
            self.log.close(t_ms)
            self.log = None


class App:
    def __init__(self, hw, board, cfg, warnings=()):
        self.hw = hw
        self.board = board
        self.cfg = cfg
        self.warnings = list(warnings)
        add, diff = hw.ticks_add, hw.ticks_diff
        self.diff = diff
        self.met = Metronome(spm=cfg["target_spm"], steps_per_beat=cfg["steps_per_beat"],
                             accent_every=cfg["accent_every"], ticks_add=add, ticks_diff=diff)
        self.mode = cfg["output"] if cfg["metronome"] else "off"
        self.led = ui.Led(hw.led)
        self.buttons = []
        for name in hw.buttons:
            self.buttons.append((name, ui.Button(multi=len(hw.buttons) == 1)))
        self.flag = asyncio.ThreadSafeFlag()
        self._irq_cb = self._irq  # bound once: the handler allocates nothing
        self.log = LogAdapter("logs", cfg["log_budget_kb"] * 1024)
        self.imu = None
        self.det = None
        self.clock = None
        self.imu_error = None
        self._imu_retry_ms = 0
        self.session = False
        self._session_ms = 0  # ticks_ms at session start
        self._last_step_ms = 0
        self._summary_ms = 0
        self._flush_ms = 0
        self._battery_ms = 0
        self._last_drain_ms = 0
        self._cal_ms = 0
        self._cal_n = 0
        self._cal_t = 0
        self._buf = array.array("h")  # replaced by the IMU's own scratch buffer
        self._raw = cfg["log_raw"]
        self.stop_requested = False
        self.config_dirty = False
        # progress counters for the watchdog and the tests
        self.samples = 0
        self.steps = 0  # in the current session
        self.steps_total = 0
        self.session_ms_total = 0
        self.last_cadence_x100 = 0
        self.beats = 0
        self.late_beats = 0
        self.irqs = 0
        self.polls = 0
        self.stuck = 0
        self.imu_failures = 0
        self.overflows = 0
        self._chip0 = None
        self.chip_steps = None  # the IMU's own count over the last session (cross-check)
        self._met_alive = 0
        self._imu_alive = 0
        self._wdt_seen = (0, 0)
        self._boot_ms = 0
        self._stable = True
        self._wdt_ms = 0

    # --- IMU pipeline ----------------------------------------------------------------------
    def _irq(self, _pin):
        self.irqs += 1
        self.flag.set()

    def _open_imu(self, now_ms):
        try:
            imu = self.hw.open_imu()
            imu.irq(self._irq_cb)
        except (OSError, ValueError) as e:
            self._imu_failed(now_ms, e)
            return False
        self.imu = imu
        self.imu_error = None
        self.clock = SampleClock(imu.odr_mhz)
        self.det = StepDetector(odr_mhz=imu.odr_mhz, counts_per_g=imu.counts_per_g)
        if not len(self._buf):
            self._buf = imu.buffer(CHUNK)
        self._cal_n = 0
        self._cal_ms = 0
        self._cal_t = self.hw.ticks_us()
        self._last_drain_ms = now_ms
        return True

    def _imu_failed(self, now_ms, e):
        if self.imu_error is None:
            log_warning("IMU: %s; metronome-only mode, retrying every %d s" % (e, self.cfg["imu_retry_s"]))
            if self.session:
                self.log.event(self._t_ms(now_ms), "error", "imu: %s" % (e,))
        self.imu_failures += 1
        self.imu_error = e
        if self.imu is not None:
            try:
                self.imu.irq(None)
            except (OSError, ValueError):
                pass
        self.imu = None
        self._imu_retry_ms = self.hw.ticks_add(now_ms, self.cfg["imu_retry_s"] * 1000)

    async def _imu_task(self):
        while True:
            await self.flag.wait()
            self._imu_alive += 1
            if self.imu is None:
                continue
            try:
                await self._drain()
            except OSError as e:
                self._imu_failed(self.hw.ticks_ms(), e)

    async def _drain(self):
        imu = self.imu
        buf = self._buf
        det = self.det
        clock = self.clock
        n_total = 0
        while imu is self.imu:
            n = imu.read(buf, CHUNK)
            if not n and imu.overflowed():
                self._overflow()
                break
            j = 0
            while j < n:
                x = buf[3 * j]
                y = buf[3 * j + 1]
                z = buf[3 * j + 2]
                j += 1
                clock.tick()
                k = det.feed(x, y, z)
                if self.session:
                    if self._raw:
                        self.log.raw(clock.t_ms, x, y, z)
                    if k:
                        self._steps(k)
            n_total += n
            if n < CHUNK:
                break
            await asyncio.sleep_ms(0)  # let a due beat through between chunks
        self.samples += n_total
        now_us = self.hw.ticks_us()
        self._last_drain_ms = self.hw.ticks_ms()
        self._calibrate(n_total, now_us)

    def _overflow(self):
        # The FIFO overran (the app stalled): samples are lost, so re-anchor the sample clock on
        # the session clock and restart the detector on the fresh data.
        self.overflows += 1
        now_ms = self.hw.ticks_ms()
        if self.session:
            t = self._t_ms(now_ms)
            self.clock.t_ms = t
            self.log.event(t, "error", "imu fifo overflow")
        self.det.reset()
        self._cal_n = 0
        self._cal_ms = 0
        self._cal_t = self.hw.ticks_us()

    def _steps(self, k):
        det = self.det
        clock = self.clock
        i = 0
        while i < k:
            t = clock.t_ms - clock.lag_ms(det.lag_q8(i))
            if t < 0:
                t = 0
            self.log.step(t, t - self._last_step_ms if self.steps else 0)
            self._last_step_ms = t
            self.steps += 1
            self.steps_total += 1
            i += 1

    def _calibrate(self, n, now_us):
        # The FIFO is drained to empty, so the samples read up to now_us are all it produced by
        # then (+-1): over CAL_MIN_MS this measures the ODR to ~0.02 %.
        self._cal_n += n
        self._cal_ms += self.diff(now_us, self._cal_t) // 1000
        self._cal_t = self.hw.ticks_add(self._cal_t, (self.diff(now_us, self._cal_t) // 1000) * 1000)
        if self._cal_ms >= CAL_MIN_MS and self._cal_n:
            odr = odr_from(self._cal_n, self._cal_ms)
            nominal = self.imu.odr_mhz
            if nominal * 19 // 20 <= odr <= nominal * 21 // 20:
                self.clock.set_rate(odr)
            self._cal_n = 0
            self._cal_ms = 0

    # --- metronome ---------------------------------------------------------------------------
    async def _metronome_task(self):
        hw = self.hw
        met = self.met
        while True:
            self._met_alive += 1
            if not met.running:
                await asyncio.sleep_ms(LOOP_MS)
                continue
            wait = met.wait_us(hw.ticks_us())
            if wait > GUARD_US:
                await asyncio.sleep_ms((wait - GUARD_US) // 1000 + 1)
                continue
            if wait > 0:
                hw.sleep_us(wait)
            elif wait < -LATE_US:
                self.late_beats += met.skip_late(hw.ticks_us())
                continue
            accent = met.is_accent()
            self._beat_on(accent)
            met.advance()
            self.beats += 1
            await asyncio.sleep_ms(self.cfg["accent_pulse_ms"] if accent else self.cfg["pulse_ms"])
            self._beat_off()
            gc.collect()  # right after a beat: the pause falls between beats

    def _beat_on(self, accent):
        mode = self.mode
        cfg = self.cfg
        pct = 100 if accent else cfg["intensity"]
        if mode == "both" or mode == "haptic":
            self.hw.motor_on(pct)
        if mode == "both" or mode == "audio":
            self.hw.buzzer_on(cfg["accent_hz"] if accent else cfg["buzzer_hz"], pct)

    def _beat_off(self):
        self.hw.motor_off()
        self.hw.buzzer_off()

    # --- session and buttons ---------------------------------------------------------------
    def _t_ms(self, now_ms):
        return self.diff(now_ms, self._session_ms)

    def start_session(self):
        hw = self.hw
        now_ms = hw.ticks_ms()
        if self.session:
            return
        header = {"fw": FW_VERSION, "board": self.board.get("name", "?"), "config": self.cfg, "start_s": None}
        gc.collect()  # the log buffer wants one contiguous block
        ok = self.log.open(header)
        if not ok:
            log_warning("session log: %s" % (self.log.error() or "unavailable"))
        self.session = True
        self._session_ms = now_ms
        self._summary_ms = now_ms
        self._flush_ms = now_ms
        self.steps = 0
        self._last_step_ms = 0
        if self.clock is not None:
            self.clock.reset()
        if self.det is not None:
            self.det.reset()
        self.log.event(0, "start", self.cfg["target_spm"])
        if self.mode != "off":
            self.log.event(0, "mode", MODES.index(self.mode))
        if self.imu is None:
            self.log.event(0, "error", "imu: %s" % (self.imu_error,))
        self._chip0 = self._chip_count()
        self.met.start(hw.ticks_add(hw.ticks_us(), LEAD_IN_MS * 1000))
        print("session start: target %d spm, output %s" % (self.cfg["target_spm"], self.mode))

    def stop_session(self):
        if not self.session:
            return
        t = self._t_ms(self.hw.ticks_ms())
        self.met.stop()
        self._beat_off()
        self._summary(t)
        c = self._chip_count()
        if c is not None and self._chip0 is not None:
            self.chip_steps = (c - self._chip0) & 0xFFFF
            self.log.event(t, "chip_steps", self.chip_steps)
        self.log.event(t, "stop", self.steps)
        self.log.close(t)
        self.session = False
        self.session_ms_total += t
        print("session stop: %d steps, %d beats, %d s" % (self.steps, self.beats, t // 1000))
        if self.config_dirty:
            try:
                podconfig.save(self.cfg)
                self.config_dirty = False
            except OSError as e:
                log_warning("config not saved: %s" % (e,))

    def _chip_count(self):
        if self.imu is None:
            return None
        try:
            return self.imu.chip_steps()
        except OSError:
            return None

    def nudge(self, delta_spm):
        spm = self.cfg["target_spm"] + delta_spm
        if podconfig.check("target_spm", spm) is not None:
            return
        self.cfg["target_spm"] = spm
        self.met.set_spm(spm)
        self.config_dirty = True
        if self.session:
            self.log.event(self._t_ms(self.hw.ticks_ms()), "target", spm)

    def switch_mode(self):
        i = (MODES.index(self.mode) + 1) % len(MODES)
        self.mode = MODES[i]
        if self.session:
            self.log.event(self._t_ms(self.hw.ticks_ms()), "mode", i)

    def do(self, act):
        if act == ui.START_STOP:
            if self.session:
                self.stop_session()
            else:
                self.start_session()
        elif act == ui.NUDGE_UP:
            self.nudge(self.cfg["nudge_spm"])
        elif act == ui.NUDGE_DOWN:
            self.nudge(-self.cfg["nudge_spm"])
        elif act == ui.SWITCH_MODE:
            self.switch_mode()

    def _summary(self, t):
        cad = self.det.cadence_x100() if self.det is not None else 0
        self.last_cadence_x100 = cad
        self.log.summary(t, cad, self.cfg["target_spm"], self.mode != "off")

    # --- main loop -------------------------------------------------------------------------
    def _poll(self, now_ms):
        hw = self.hw
        diff = self.diff
        for name, b in self.buttons:
            g = b.update(hw.pressed(name), now_ms, diff)
            if g:
                self.do(ui.action(name, g, hw.buttons))
        if self.imu is None:
            if diff(now_ms, self._imu_retry_ms) >= 0 and self._open_imu(now_ms):
                print("IMU up: %s" % (self.board["imu"]["type"],))
                if self.session:
                    self.log.event(self._t_ms(now_ms), "error", 0)
        elif diff(now_ms, self._last_drain_ms) >= self.imu.poll_ms:
            # Polling fallback: no IRQ for two watermark periods. A line still active means the
            # edge was missed (it only re-arms once the FIFO drops below the watermark).
            self.polls += 1
            if self.imu.int_active():
                self.stuck += 1
            self._last_drain_ms = now_ms
            self.flag.set()
        if self.session:
            t = self._t_ms(now_ms)
            if diff(now_ms, self._summary_ms) >= self.cfg["summary_s"] * 1000:
                self._summary_ms = now_ms
                self._summary(t)
            if diff(now_ms, self._flush_ms) >= self.cfg["flush_s"] * 1000:
                self._flush_ms = now_ms
                self.log.flush()
        if diff(now_ms, self._battery_ms) >= self.cfg["battery_s"] * 1000:
            self._battery_ms = now_ms
            mv = hw.battery_mv()
            if mv is not None and self.session:
                self.log.event(self._t_ms(now_ms), "battery", mv)
        self.led.show(self._pattern(), now_ms)
        self.led.update(now_ms, diff)

    def _pattern(self):
        if self.imu is None:
            return ui.error_pattern(ERR_IMU)
        if self.session and self.log.error():
            return ui.error_pattern(ERR_STORAGE)
        if self.session:
            return ui.SESSION
        if self.warnings:
            return ui.error_pattern(ERR_CONFIG)
        return ui.IDLE

    def _feed_wdt(self, now_ms):
        # Fed only here, and only while the metronome and IMU tasks make progress.
        seen = (self._met_alive, self._imu_alive)
        ok_met = seen[0] != self._wdt_seen[0]
        ok_imu = self.imu is None or seen[1] != self._wdt_seen[1]
        if ok_met and ok_imu:
            self._wdt_seen = seen
            self._wdt_ms = now_ms
            self.hw.wdt_feed()

    async def run(self):
        hw = self.hw
        for w in self.warnings:
            log_warning(w)
        self._battery_ms = hw.ticks_ms()
        self._boot_ms = hw.ticks_ms()
        self._stable = crash_count() == 0
        self._open_imu(hw.ticks_ms())
        hw.wdt_start(self.cfg["wdt_ms"])
        tasks = [asyncio.create_task(self._imu_task()), asyncio.create_task(self._metronome_task())]
        hw.started(self)
        try:
            while not self.stop_requested and not hw.done():
                now_ms = hw.ticks_ms()
                if not self._stable and self.diff(now_ms, self._boot_ms) >= STABLE_MS:
                    self._stable = True
                    set_crash_count(0)
                self._poll(now_ms)
                self._feed_wdt(now_ms)
                await asyncio.sleep_ms(LOOP_MS)
        finally:
            self.stop_session()
            for t in tasks:
                t.cancel()
            self._beat_off()
            hw.finished(self)


CRASH_FILE = "crashes"  # consecutive app crashes; 3 in a row -> safe mode, never a boot loop
CRASH_LIMIT = const(3)
STABLE_MS = const(60000)  # running this long clears the count


def crash_count():
    try:
        with open(CRASH_FILE) as f:
            return int(f.read().strip() or 0)
    except (OSError, ValueError):
        return 0


def set_crash_count(n):
    try:
        if n:
            with open(CRASH_FILE, "w") as f:
                f.write(str(n))
        else:
            import os

            os.remove(CRASH_FILE)
    except OSError:
        pass


def main(hw=None, board=None):
    """Device entry (main.py). Returns instead of raising: the REPL stays reachable."""
    from pod import board as podboard

    crashes = crash_count()
    if crashes >= CRASH_LIMIT:
        # The watchdog resets a crashed app: without this, a deterministic crash is a boot loop.
        print("safe mode: the app crashed %d times in a row; fix it, then delete /%s" % (crashes, CRASH_FILE))
        return None

    try:
        if board is None:
            board = podboard.load()
        if hw is None:
            from pod.app_hw import Hardware

            hw = Hardware(board)
    except (podboard.BoardError, OSError, ValueError) as e:
        print("cadence pod: cannot start: %s" % (e,))
        return None
    if hw.safe_mode_requested():
        print("safe mode: button held at boot, app skipped (REPL available)")
        hw.led(True)
        return None
    cfg, warnings = podconfig.load()
    app = App(hw, board, cfg, warnings)
    try:
        asyncio.run(app.run())
    except KeyboardInterrupt:
        print("app stopped")
    except Exception as e:
        set_crash_count(crashes + 1)
        sys.print_exception(e)  # type: ignore[attr-defined]
        try:
            hw.led(True)
        except Exception:  # the LED is a courtesy here
            pass
    return app
