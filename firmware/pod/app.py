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
  * light sleep (board power.light_sleep_between_batches, config light_sleep): when nothing is due,
    the main loop sleeps the CPU until the earlier of the next FIFO batch (IMU INT wakes it) and
    _WAKE_EARLY_US before the guard of the next beat; never during a PWM tone or motor pulse, an
    alert, a BLE connection, a pressed button, or (on boards whose USB link it drops) on USB.
  * coaching: each step's phase error vs the beat grid (here); pod.app_coach (loaded only when a
    plan, sync, alerts, fade, auto start or a baseline run asks for it: the heap is 96 KB) runs
    Sync per step, alerts, compliance, baseline and auto stop per second, and the plan snapshot
    and decision at the session edges.
  * BLE (pod.ble, docs/ble.md): its own task; svc.step() per step, svc.set_battery() per reading.
A missing or failing IMU leaves a metronome-only pod with the LED error code, retried every
imu_retry_s. A broken config file gives defaults and a warning. Nothing here touches `machine`:
pod.app_hw maps the board onto the HAL (real ESP32 or the simulated pod).
"""
import array
import asyncio
import gc
import sys

from pod import app_ui as ui
from pod import jsonfile
from pod.core import battery
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
_WAKE_EARLY_US = const(2000)  # light sleep ends this long before a beat's guard (wake-up latency)
_SLEEP_MIN_MS = const(3)  # shorter idle times are not worth a light sleep
_SLEEP_MAX_MS = const(1000)  # the main loop's housekeeping still runs at least this often
_BUSY_LOOP_MS = const(10)  # main loop period while light sleep is on but blocked (pulse, button)
_SECOND_MS = const(1000)  # coaching updates
_BATT_EMPTY_MV = const(3300)  # LiPo 0 % .. 100 % for the BLE battery level (linear: a rough gauge)
_BATT_FULL_MV = const(4200)

# LED error codes (blinks per group)
ERR_IMU = const(2)
ERR_CONFIG = const(3)
ERR_STORAGE = const(4)
ERR_BATTERY = const(5)
_BATT_CONFIRM_MS = const(5000)  # a low reading is confirmed this soon, not a battery_s later
BATTERY_LOW_PATTERN = ((600, 250), (600, 250), (600, 0))  # three long pulses: unlike any alert

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

    def __init__(self, root, budget_bytes, echo=True):
        self.store = None
        self.log = None
        try:
            from pod.logstore import LogStore

            # echo: summaries and events also go to the console as CPL lines (`cadencepod live`)
            self.store = LogStore(root=root, budget_bytes=budget_bytes, echo=echo)
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

    def step(self, t_ms, interval_ms, phase_ms=None):
        if self.log is not None:
            self.log.step(t_ms, interval_ms, phase_ms)

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
        log, self.log = self.log, None
        if log is not None:
            log.close(t_ms)


class App:
    def __init__(self, hw, board, cfg, warnings=()):
        self.hw = hw
        self.board = board
        self.cfg = cfg
        self.target_spm = cfg["target_spm"]  # this session's: the plan's, or the config's, nudged
        self.warnings = list(warnings)
        from pod import config as podconfig

        self.config_path = podconfig.CONFIG_FILE
        self._spm_lo, self._spm_hi = podconfig.SCHEMA["target_spm"][2:4]
        del podconfig
        unload("pod.config")  # boot only: its schema is 7 KB of a 96 KB heap
        add, diff = hw.ticks_add, hw.ticks_diff
        self.diff = diff
        self.met = Metronome(spm=cfg["target_spm"], steps_per_beat=cfg["steps_per_beat"],
                             accent_every=cfg["accent_every"], ticks_add=add, ticks_diff=diff)
        self.mode = cfg["output"] if cfg["metronome"] else "off"
        self._mode_cfg = self.mode  # what a session plays (a baseline session plays nothing)
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
        self.batt = battery.BatteryGuard(cfg["battery_low_mv"], cfg["battery_empty_mv"])
        self._pattern_task = None  # a haptic pattern playing (alert, low battery)
        self.powered_off = False
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
        # coaching and BLE
        self.coach = None  # pod.app_coach.Coach, loaded on first need
        self._phase = cfg["phase_log"]
        self.phases = 0
        self.ble = None
        self._t0 = 0  # sample-clock ms at the session's t = 0
        self._off_ms = 0  # session time (ticks) minus sample-clock session time, at the last drain
        self._beat_ms = 0  # session ms of the last beat played (the grid for phase errors)
        self._second_ms = 0
        self._alerting = False
        self.alerts_played = 0
        self.beats_faded = 0
        # light sleep
        self._sleep = False
        self._draining = False
        self._out_on = False  # a beat or alert output is on
        self._out_pwm = False  # ...driven by PWM (tone or reduced-intensity motor): no light sleep
        self._pulse_end_us = 0
        self._played = False  # a beat was played in this session, at ticks_us _played_us
        self._first_beat_ms = 0  # session ms of the session's first beat
        self._heard = False  # the last beat of the grid was played (not faded out, no alert)
        self._played_us = 0
        self.light_sleeps = 0
        self.loop_wakes = 0

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
        old = self.clock
        self.clock = SampleClock(imu.odr_mhz)
        # the sample clock runs on across a lost and found IMU: session times, the phase grid and
        # auto start's step times all live on it
        if self.session:
            self.clock.t_ms = self._t_ms(now_ms) + self._t0
        elif old is not None:
            self.clock.t_ms = old.t_ms + max(0, self.diff(now_ms, self._last_drain_ms))
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
            self._draining = True  # no light sleep until the batch is processed
            try:
                await self._drain()
            except OSError as e:
                self._imu_failed(self.hw.ticks_ms(), e)
            finally:
                self._draining = False
            if self.session and self.imu is not None:
                # session time (ticks) of the newest sample: the FIFO was just read to empty
                self._off_ms = self._t_ms(self.hw.ticks_ms()) - (self.clock.t_ms - self._t0)
                if self.coach is not None and self.coach.sync is not None:
                    self.coach.sync_metronome(self)

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
                if k:
                    self._steps(k)
                if self._raw and self.session:
                    self.log.raw(clock.t_ms - self._t0, x, y, z)
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
            self.clock.t_ms = t + self._t0
            self.log.event(t, "error", "imu fifo overflow")
        self.det.reset()
        self._cal_n = 0
        self._cal_ms = 0
        self._cal_t = self.hw.ticks_us()

    def _steps(self, k):
        # Per detected step: integer work and compact records only (no allocation).
        det = self.det
        clock = self.clock
        coach = self.coach
        svc = self.ble
        met = self.met
        i = 0
        while i < k:
            if svc is not None:
                svc.step()
            td = clock.t_ms - clock.lag_ms(det.lag_q8(i))  # sample-clock ms of the contact
            i += 1
            if coach is not None and coach.auto is not None:
                # auto start/stop sees every step (in a session it tracks the last activity)
                if coach.auto.step(td, det.cadence_x100()) and not self.session:
                    self.start_session(auto_begin=coach.auto.begin_ms)
                    continue  # this step is the last of the run-up, logged by start_session
            if not self.session:
                continue
            t = td - self._t0
            if t < 0:
                t = 0
            e = None  # the contact's phase error, logged in the step's own record
            if coach is not None and coach.sync is not None:
                e = coach.contact(t, self._heard)  # Sync's own grid
            elif self._phase and self.mode != "off" and met.running and self._heard:
                # signed ms from the nearest step slot of the grid the runner hears (a beat every
                # 1, 2 or 4 steps), in sample-clock time: the last beat moved by the ticks - sample
                # clock offset; contacts from half a step before the first beat on
                per = met.period_us() // 1000 // met.steps_per_beat
                if 2 * (t - self._first_beat_ms + self._off_ms) >= -per:
                    e = (t - self._beat_ms + self._off_ms) % per
                    if 2 * e > per:
                        e -= per
                    self.phases += 1
            self._step(t, e)

    def _step(self, t, phase_ms=None):
        self.log.step(t, t - self._last_step_ms if self.steps else 0, phase_ms)
        self._last_step_ms = t
        self.steps += 1
        self.steps_total += 1

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
            if self.mode == "off":  # silent: the schedule runs on, nothing wakes for it
                met.skip_late(hw.ticks_us())
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
            t = self._t_ms(hw.ticks_ms())
            if not self._played:
                self._first_beat_ms = t
            self._beat_ms = t
            self._played = True
            self._played_us = met.advance()
            if self._alerting or (self.coach is not None and not self.coach.beat_on(t)):
                self.beats_faded += 1  # faded feedback rests (or an alert plays): the grid goes on
                self._heard = False  # no phase errors against beats the runner does not hear
                continue
            self._heard = True
            pulse_ms = self.cfg["accent_pulse_ms"] if accent else self.cfg["pulse_ms"]
            self._pulse_end_us = hw.ticks_add(hw.ticks_us(), pulse_ms * 1000)
            self._beat_on(accent)
            self.beats += 1
            await asyncio.sleep_ms(pulse_ms)
            self._beat_off()
            gc.collect()  # right after a beat: the pause falls between beats

    def _beat_on(self, accent):
        mode = self.mode
        cfg = self.cfg
        pct = 100 if accent else cfg["intensity"]
        pwm = False
        if mode == "both" or mode == "haptic":
            self.hw.motor_on(pct)
            pwm = pct < 100  # a full-drive motor is a DC level that light sleep holds
        if mode == "both" or mode == "audio":
            self.hw.buzzer_on(cfg["accent_hz"] if accent else cfg["buzzer_hz"], pct)
            pwm = True
        self._out_pwm = pwm
        self._out_on = True

    def _beat_off(self):
        self.hw.motor_off()
        self.hw.buzzer_off()
        self._out_on = False

    # --- session and buttons ---------------------------------------------------------------
    def _t_ms(self, now_ms):
        return self.diff(now_ms, self._session_ms)

    def start_session(self, auto_begin=None):
        """Start a session (button, or auto start with auto_begin = the sample-clock ms of the first
        run-up step: those steps are kept)."""
        hw = self.hw
        now_ms = hw.ticks_ms()
        if self.session:
            return
        cfg = self.cfg
        header = {"fw": FW_VERSION, "board": self.board.get("name", "?"), "config": cfg, "start_s": None}
        if self.imu is not None:  # raw capture and exports need the scale and the sample rate
            header["counts_per_g"] = self.imu.counts_per_g
            header["odr_mhz"] = self.clock.odr_mhz
        gc.collect()  # the log buffer wants one contiguous block
        ok = self.log.open(header)
        if not ok:
            log_warning("session log: %s" % (self.log.error() or "unavailable"))
        self.session = True
        pre = ()
        if auto_begin is not None and self.clock is not None:
            # the session began at the first run-up step, (t_now - begin) ms ago
            self._t0 = auto_begin
            now_ms = hw.ticks_add(now_ms, -(self.clock.t_ms - auto_begin))
            pre = self.coach.auto.pre_steps()  # type: ignore[union-attr]
        else:
            self._t0 = self.clock.t_ms if self.clock is not None else 0
            if self.det is not None:
                self.det.reset()
        self._session_ms = now_ms
        self._summary_ms = now_ms
        self._flush_ms = now_ms
        self._second_ms = now_ms
        self._off_ms = 0
        self._played = False
        self._heard = False
        self.steps = 0
        self._last_step_ms = 0
        self.log.event(0, "start", cfg["target_spm"])
        if auto_begin is not None:
            self.log.event(0, "autostart", len(pre))
            for td in pre:
                self._step(td - auto_begin)
        coach = self._coach(start=True)
        tempo_x100 = cfg["target_spm"] * 100
        if coach is not None:
            tempo_x100 = coach.start(self.log, tempo_x100)
        sync = coach is not None and coach.sync is not None
        self.mode = "off" if not tempo_x100 or not cfg["metronome"] else self._mode_cfg
        self.target_spm = tempo_x100 // 100 if tempo_x100 else cfg["target_spm"]
        if tempo_x100 and tempo_x100 != cfg["target_spm"] * 100:
            self.log.event(0, "target", tempo_x100 // 100)  # the plan's target
        if self.mode != "off":
            self.log.event(0, "mode", MODES.index(self.mode))
        if self.imu is None:
            self.log.event(0, "error", "imu: %s" % (self.imu_error,))
        self._chip0 = self._chip_count()
        if tempo_x100:
            self.met.set_spm_x100(tempo_x100)
        if tempo_x100 and not sync:
            self.met.start(hw.ticks_add(hw.ticks_us(), LEAD_IN_MS * 1000))
        print("session start: target %d spm, output %s%s"
              % (tempo_x100 // 100, self.mode, " (sync)" if sync else ""))

    def stop_session(self):
        if not self.session:
            return
        t = self._t_ms(self.hw.ticks_ms())
        self.session = False
        self.met.stop()
        if self._pattern_task is not None:  # an alert still buzzing: the session is over
            self._pattern_task.cancel()
            self._pattern_task = None
        self._beat_off()
        try:
            self._summary(t)
            c = self._chip_count()
            if c is not None and self._chip0 is not None:
                self.chip_steps = (c - self._chip0) & 0xFFFF
                self.log.event(t, "chip_steps", self.chip_steps)
            if self.coach is not None:
                self.coach.end(self.log, t)
            self.log.event(t, "stop", self.steps)
        finally:
            self.log.close(t)  # whatever failed above, the file gets its end record and is closed
        self.session_ms_total += t
        self.mode = self._mode_cfg
        print("session stop: %d steps, %d beats, %d s" % (self.steps, self.beats, t // 1000))
        if self.coach is not None and self.coach.auto is not None:
            self.coach.auto.reset()  # listen for the next run, whoever ended this one
        self._save_config()

    def _save_config(self):
        if not self.config_dirty:
            return
        try:
            jsonfile.save(self.config_path, self.cfg)
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
        spm = self.target_spm + delta_spm
        if not self._spm_lo <= spm <= self._spm_hi:
            return
        self.target_spm = spm
        self.cfg["target_spm"] = spm
        self.met.set_spm(spm)
        if self.coach is not None and self.coach.sync is not None:
            self.coach.sync.set_target(spm * 100)
        self.config_dirty = True
        if self.session:  # saved at the stop: no flash write mid-run
            self.log.event(self._t_ms(self.hw.ticks_ms()), "target", spm)
        else:
            self._save_config()

    def switch_mode(self):
        i = (MODES.index(self.mode) + 1) % len(MODES)
        self.mode = MODES[i]
        self._mode_cfg = self.mode
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
        self.log.summary(t, cad, self.target_spm, self.mode != "off")

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
            if self.coach is not None and diff(now_ms, self._second_ms) >= _SECOND_MS:
                self._second_ms = now_ms
                self.coach.second(self, t)
        every_ms = _BATT_CONFIRM_MS if self.batt.pending() else self.cfg["battery_s"] * 1000
        if diff(now_ms, self._battery_ms) >= every_ms:
            self._battery_ms = now_ms
            mv = hw.battery_mv()
            if mv is not None:
                if self.session:
                    self.log.event(self._t_ms(now_ms), "battery", mv)
                if self.ble is not None:
                    self.ble.set_battery((mv - _BATT_EMPTY_MV) * 100 // (_BATT_FULL_MV - _BATT_EMPTY_MV))
                ev = self.batt.update(mv)
                if ev == battery.LOW:
                    self._battery_low(mv, now_ms)
                elif ev == battery.EMPTY:
                    self._battery_empty(mv, now_ms)
                    return
        self.led.show(self._pattern(), now_ms)
        self.led.update(now_ms, diff)

    def _battery_low(self, mv, now_ms):
        log_warning("battery low: %d mV" % mv)
        if self.session:
            self.log.event(self._t_ms(now_ms), "battery_low", mv)
        if self.mode != "off":
            asyncio.create_task(self._warn_battery())

    async def _warn_battery(self):
        while self._alerting:  # after an alert that is playing, never instead of it
            await asyncio.sleep_ms(100)
        self._pattern_task = asyncio.current_task()
        await self.play_pattern(BATTERY_LOW_PATTERN)

    def _battery_empty(self, mv, now_ms):
        """Close the session while there is still power to write it, then switch off."""
        log_warning("battery empty: %d mV: session saved, switching off" % mv)
        if self.session:
            self.log.event(self._t_ms(now_ms), "battery_empty", mv)
        self.stop_session()
        self._save_config()
        self._beat_off()
        self.powered_off = True
        self.hw.power_off()

    async def play_pattern(self, pattern):
        """A haptic pattern, (on_ms, off_ms) pulses (alerts, low battery); beats pause meanwhile.
        On a board without a motor it sounds on the buzzer."""
        hw = self.hw
        self._alerting = True
        try:
            for on_ms, off_ms in pattern:
                self._out_on = True
                self._out_pwm = True
                if hw.has_motor():
                    hw.motor_on(100)
                else:
                    hw.buzzer_on(self.cfg["buzzer_hz"], 100)
                await asyncio.sleep_ms(on_ms)
                self._beat_off()
                if off_ms:
                    await asyncio.sleep_ms(off_ms)
        finally:
            self._beat_off()
            self._alerting = False

    def _coach(self, start=False):
        """The coaching glue, imported only when something asks for it (start: at a session start)."""
        if self.coach is None:
            cfg = self.cfg
            want = cfg["autostart"] or (start and (cfg["sync"] or cfg["baseline"] or cfg["fade_rest_s"]
                                                   or cfg["alerts"] == "on"))
            if start and not want and cfg["use_plan"]:
                import os

                try:
                    os.stat("plan.json")
                    want = True
                except OSError:
                    pass
            if want:
                from pod.app_coach import Coach

                self.coach = Coach(cfg, log_warning)
        return self.coach

    # --- light sleep -------------------------------------------------------------------------
    def _sleep_allowed(self):
        cfg = self.cfg["light_sleep"]
        if cfg == "off" or not self.hw.light_sleep_ok():
            return False
        if cfg == "on":
            return True
        power = self.board.get("power", {})
        if not power.get("light_sleep_between_batches", False):
            return False
        # a board whose USB link light sleep drops (XIAO's USB-Serial/JTAG) sleeps only off USB
        return bool(power.get("light_sleep_while_usb", False)) or not self.hw.usb_connected()

    def _light_sleep_ms(self):
        """How long the CPU may light-sleep now (0: stay awake). The IMU INT and the buttons wake it."""
        if self._draining or self._alerting or (self._out_on and self._out_pwm):
            return 0
        if getattr(self.flag, "state", 0):
            return 0  # a FIFO batch is waiting for the imu task
        imu = self.imu
        if imu is not None and imu.int_active():
            self.flag.set()  # the edge came while busy (or woke the chip): read it now
            return 0
        svc = self.ble
        if svc is not None and svc._conns:
            return 0  # a connection needs the radio's timing
        for _name, b in self.buttons:
            if b.down or b.clicks or b._raw:
                return 0  # debounce and gestures need the 50 ms polling
        hw = self.hw
        now_us = hw.ticks_us()
        ms = _SLEEP_MAX_MS
        if self._out_on:  # a full-drive motor pulse: sleep through it, wake to end it
            ms = self.diff(self._pulse_end_us, now_us) // 1000
        met = self.met
        if met.running and self.mode != "off":
            w = (met.wait_us(now_us) - GUARD_US - _WAKE_EARLY_US) // 1000
            if w < ms:
                ms = w
        now_ms = hw.ticks_ms()
        if imu is not None:
            # the timer backs up the INT wake: the next batch is due one watermark after the last
            w = self.diff(hw.ticks_add(self._last_drain_ms, imu.poll_ms // 2 + 5), now_ms)
            if w < _SLEEP_MIN_MS:  # the batch is late (a dead INT line?): wake for the polling fallback
                w = self.diff(hw.ticks_add(self._last_drain_ms, imu.poll_ms), now_ms) + 1
            if w < ms:
                ms = w
        w = self.diff(self.led.next_ms(hw.ticks_add), now_ms)  # the LED's next edge
        if w < ms:
            ms = w
        return ms if ms >= _SLEEP_MIN_MS else 0

    def _pattern(self):
        if self.imu is None:
            return ui.error_pattern(ERR_IMU)
        if self.session and self.log.error():
            return ui.error_pattern(ERR_STORAGE)
        if self.batt.state != battery.NONE:
            return ui.error_pattern(ERR_BATTERY)
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
        self._start_ble()
        if self.ble is not None and self.ble.task is not None:
            tasks.append(self.ble.task)
        self._sleep = self._sleep_allowed()
        self._coach()  # auto start listens from boot
        hw.started(self)
        try:
            while not self.stop_requested and not self.powered_off and not hw.done():
                now_ms = hw.ticks_ms()
                self.loop_wakes += 1
                if not self._stable and self.diff(now_ms, self._boot_ms) >= STABLE_MS:
                    self._stable = True
                    set_crash_count(0)
                self._poll(now_ms)
                self._feed_wdt(now_ms)
                ms = self._light_sleep_ms() if self._sleep else 0
                if ms:
                    hw.light_sleep(ms)
                    self.light_sleeps += 1
                    await asyncio.sleep_ms(0)  # let the woken tasks (IMU, metronome) run first
                else:
                    await asyncio.sleep_ms(_BUSY_LOOP_MS if self._sleep else LOOP_MS)
        finally:
            try:
                self.stop_session()
            finally:
                for t in tasks:
                    t.cancel()
                self._beat_off()
                hw.finished(self)

    def _start_ble(self):
        """BLE RSC sensor (docs/ble.md), unless disabled; a port without Bluetooth runs without."""
        ble_cfg = self.cfg.get("ble")
        if isinstance(ble_cfg, dict) and ble_cfg.get("enabled", True) is False:
            return
        try:
            import bluetooth  # noqa: F401  # before pod.ble: no BLE code loaded on a port without it
        except ImportError:
            log_warning("BLE: this port has no bluetooth module: BLE off")
            return
        try:
            import pod.ble

            self.ble = pod.ble.start(ble_cfg, lambda: self.det, warn=log_warning, fw=FW_VERSION,
                                     model=self.board.get("name", "?"), clock=self.hw)
        except (ImportError, OSError, MemoryError) as e:
            log_warning("BLE unavailable: %s" % (e,))


CRASH_FILE = "crashes"  # consecutive app crashes; 3 in a row -> safe mode, never a boot loop
CRASH_LIMIT = const(3)
STABLE_MS = const(60000)  # running this long clears the count


def unload(name):
    """Drop a module needed only at boot, so its code and tables go back to the heap."""
    if sys.implementation.name != "micropython":  # CPython: tests hold the module
        return
    sys.modules.pop(name, None)
    pkg, _, attr = name.rpartition(".")
    p = sys.modules.get(pkg)
    if p is not None and hasattr(p, attr):
        delattr(p, attr)


def load_config():
    from pod import config as podconfig

    return podconfig.load()


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
    cfg, warnings = load_config()
    app = App(hw, board, cfg, warnings)
    try:
        asyncio.run(app.run())
        hw.wdt_hand_over()
    except KeyboardInterrupt:  # Ctrl-C: a user, or mpremote before a pull or a flash
        hw.wdt_hand_over()
        print("app stopped")
    except Exception as e:  # the watchdog resets the pod: a crash recovers (see crash_count)
        set_crash_count(crashes + 1)
        sys.print_exception(e)  # type: ignore[attr-defined]
        try:
            hw.led(True)
        except Exception:  # the LED is a courtesy here
            pass
    return app
