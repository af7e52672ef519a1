"""Coaching in the app (docs/coaching.md): plan, phase errors, sync, alerts, fade, auto start/stop,
baseline. The maths is pod.core's; this file only wires it to the app's session, log and beats.

Called by pod.app (which loads this module only when a plan, sync, alerts, fade, auto start or a
baseline run is asked for): contact() per detected step in sync mode (integer work, no allocation:
Sync's ring; the phase error goes in the step's log record; without sync the app computes it),
sync_metronome() after each FIFO drain, second() about once a second from the main loop (alerts,
compliance, baseline, auto stop), start()/end() at the session edges (plan snapshot, decision,
plan.json). pod.core modules are imported only for the parts the config turns on: the heap is 96 KB.
Times are session ms (the app's sample clock); cadences spm*100.
"""
import asyncio
import json

try:
    from micropython import const
except ImportError:  # CPython

    def const(x):
        return x


PLAN_FILE = "plan.json"  # next to config.json (cwd / on the device)
_LEAD_MS = const(5)  # a re-anchored beat is this far ahead at least (the beat guard + 1 ms)
_NOT_YET_MS = const(0x3FFFFFFF)  # fade cycles start time until the warm-up is run


def load_plan(path=PLAN_FILE):
    """(state, warning): the plan state, or None with a one-line reason (None when there is no file)."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None, None
    from pod.core import plan

    try:
        return plan.validate(json.loads(text)), None
    except ValueError as e:  # bad JSON or a bad plan: coach without it, never crash
        return None, "%s: %s: plan ignored" % (path, e)


def save_plan(st, path=PLAN_FILE):
    from pod import jsonfile

    jsonfile.save(path, st)


class Coach:
    def __init__(self, cfg, warn=print):
        self.cfg = cfg
        self.warn = warn
        self.plan = None  # the plan state while a session follows it
        self.alerts = None
        self.meter = None  # plan.ComplianceMeter
        self.base = None  # baseline.BaselineMeter in a baseline session
        self.fade = None  # fade.FadeGate
        self.sync = None  # sync.Sync in sync mode
        self.auto = None  # autostart.AutoStart
        self.baseline_session = False
        self.decision = None  # the last session's plan record (tests, the sim result)
        self.phases = 0
        self.alerts_fired = 0
        self._tempo_logged = 0
        self._sync_state = -1
        self._warm = None  # baseline.SteadyGate: the fade's warm-up clock (running time)
        if cfg["autostart"]:
            from pod.core.autostart import AutoStart

            # the ring holds the whole run-up (plus the 5 s lead) at up to 4 steps a second
            self.auto = AutoStart(run_min_x100=cfg["autostart_spm"] * 100, start_ms=cfg["autostart_s"] * 1000,
                                  idle_ms=cfg["autostop_s"] * 1000,
                                  keep=max(64, (cfg["autostart_s"] + 6) * 4))

    # --- session edges --------------------------------------------------------------------------
    def start(self, log, target_x100):
        """A session starts (log open, t = 0). Returns the tempo (spm*100) to play, 0 for none."""
        cfg = self.cfg
        self.decision = None
        self.baseline_session = cfg["baseline"]
        warmup_ms = cfg["warmup_s"] * 1000
        self.plan = None
        if cfg["use_plan"] and not self.baseline_session:
            st, w = load_plan()
            if w:
                self.warn(w)
                log.event(0, "warning", w)
            if st is not None:
                from pod.core import plan

                self.plan = st
                for kind, v in plan.record_events(plan.snapshot(st)):
                    log.event(0, kind, list(v))
                target_x100 = st["target_x100"]
                from pod.core.baseline import SteadyGate

                gate = SteadyGate(run_min_x100=13000, warmup_ms=warmup_ms)
                self.meter = plan.ComplianceMeter(band_x100=st["band_x100"], gate=gate)
        if self.baseline_session:
            from pod.core.baseline import BaselineMeter

            if self.base is None:
                self.base = BaselineMeter(warmup_ms=warmup_ms)
            self.base.reset()
            return 0
        self.alerts = None
        if cfg["alerts"] == "on" or (cfg["alerts"] == "plan" and self.plan is not None):
            from pod.core.alerts import CadenceAlerts

            gap_ms = cfg["alert_gap_s"] * 1000
            self.alerts = CadenceAlerts(band_x100=cfg["alert_band_spm"] * 100,
                                        out_ms=cfg["alert_out_s"] * 1000, gap_ms=gap_ms,
                                        repeat_ms=max(60000, gap_ms), warmup_ms=warmup_ms)
        self.fade = None
        if self.plan is not None and self.plan["fade"]:
            from pod.core import fade

            self.fade = fade.FadeGate.for_level(self.plan["fade"], start_ms=_NOT_YET_MS)
        elif cfg["fade_rest_s"]:
            from pod.core import fade

            self.fade = fade.FadeGate(cfg["fade_play_s"] * 1000, cfg["fade_rest_s"] * 1000,
                                      start_ms=_NOT_YET_MS)
        # the fade cycles start once the warm-up's running time is done, like the alerts' warm-up
        self._warm = None
        if self.fade is not None:
            if warmup_ms:
                from pod.core.baseline import SteadyGate

                self._warm = SteadyGate(warmup_ms=warmup_ms)
            else:
                self.fade.start_ms = 0
        self.sync = None
        if cfg["sync"]:
            from pod.core.sync import Sync

            self.sync = Sync(target_x100, rate_x100_per_s=cfg["sync_rate_x100"])
            self._sync_state = -1
            self._tempo_logged = 0
        return target_x100

    def end(self, log, t_ms):
        """The session ends: the plan decision (logged, saved) or the baseline result."""
        if self.baseline_session and self.base is not None:
            med = self.base.median_x100()
            log.event(t_ms, "baseline", [med, self.base.steady_ms() // 1000])
            goal = self.cfg["plan_goal_spm"] * 100
            if med and goal and load_plan()[0] is None:
                from pod.core import plan

                try:
                    st, rec = plan.new(med, goal)
                    save_plan(st)
                    for kind, v in plan.record_events(rec):
                        log.event(t_ms, kind, list(v))
                    self.decision = rec
                except (ValueError, OSError) as e:
                    self.warn("plan not started: %s" % (e,))
        elif self.plan is not None and self.meter is not None:
            from pod.core import plan

            steady_s, in_band_s = self.meter.result_s()
            st, rec = plan.decide(self.plan, steady_s, in_band_s)
            for kind, v in plan.record_events(rec):
                log.event(t_ms, kind, list(v))
            self.decision = rec
            try:
                save_plan(st)
            except OSError as e:
                self.warn("plan.json not saved: %s" % (e,))
                log.event(t_ms, "warning", "plan.json not saved")
        self.plan = None
        self.meter = None
        self.alerts = None
        self.sync = None
        self.fade = None

    # --- per step (integer work, no allocation) -------------------------------------------------
    def contact(self, t_ms, heard=True):
        """Sync mode: one foot contact at session time t_ms (sample clock). Returns its phase error
        for the step's log record (None: no beat yet, the last one was not heard, or phase_log off)."""
        s = self.sync
        while s.poll(t_ms):
            pass
        e = s.contact(t_ms)
        if e is not None and heard and self.cfg["phase_log"]:
            self.phases += 1
            return e
        return None

    def sync_metronome(self, app):
        """After a FIFO drain: Sync runs on the sample clock (contacts arrive a batch late); the
        metronome plays its grid ahead in real time, from the next grid beat still in the future."""
        s = self.sync
        met = app.met
        hw = app.hw
        self.advance(app.clock.t_ms - app._t0)
        if not s.playing():
            if met.running:
                met.stop()
            return
        if s.tempo_x100 != met.spm_x100:
            met.set_spm_x100(s.tempo_x100)
        per = s.period_ms()
        now_us = hw.ticks_us()
        ahead = s.next_beat_ms() + app._off_ms - app._t_ms(hw.ticks_ms())
        lead = _LEAD_MS
        if ahead < lead:
            ahead += ((lead - ahead) // per + 1) * per
        due = hw.ticks_add(now_us, ahead * 1000)
        if met.running:
            d = app.diff(due, met.due_us())
            if -2000 <= d <= 2000:
                return  # on the grid already: keep the schedule
            if app._played and app.diff(due, app._played_us) < per * 500:
                due = hw.ticks_add(due, per * 1000)  # never two beats within half a period
        met.start(due)

    def advance(self, t_ms):
        """Sync's beats up to t_ms (sample-clock session time)."""
        s = self.sync
        if s is not None:
            while s.poll(t_ms):
                pass

    def beat_on(self, t_ms):
        """Does the beat at t_ms play (faded feedback)?"""
        f = self.fade
        return f is None or f.on(t_ms)

    # --- about once a second --------------------------------------------------------------------
    def asked_x100(self, metronome_x100):
        """The tempo the runner is asked to hold now: the beat's while sync ramps toward the target."""
        s = self.sync
        if s is not None:
            return s.tempo_x100 if s.playing() else 0
        return metronome_x100

    def second(self, app, t_ms):
        """About once a second in a session: baseline, compliance, sync log, alerts, auto stop."""
        log = app.log
        cad_x100 = app.det.cadence_x100() if app.det is not None else 0
        if self.base is not None and self.baseline_session:
            self.base.update(t_ms, cad_x100)
        else:
            self._second(app, log, t_ms, cad_x100)
        auto = self.auto
        if auto is not None and app.clock is not None and auto.poll(app.clock.t_ms):
            log.event(t_ms, "autostop", auto.idle_ms)
            app.stop_session()

    def _second(self, app, log, t_ms, cad_x100):
        f = self.fade
        w = self._warm
        if f is not None and w is not None and f.start_ms == _NOT_YET_MS:
            w.update(t_ms, cad_x100)
            if w.run_ms >= w.warmup_ms:
                f.start_ms = t_ms
        st = self.plan
        if self.meter is not None and st is not None:
            self.meter.update(t_ms, cad_x100, st["target_x100"])
        s = self.sync
        if s is not None:
            if s.state != self._sync_state:
                self._sync_state = s.state
                log.event(t_ms, "sync", s.state)
            if s.playing() and abs(s.tempo_x100 - self._tempo_logged) >= 100:
                self._tempo_logged = s.tempo_x100
                log.event(t_ms, "tempo", s.tempo_x100)
        a = self.alerts
        asked = self.asked_x100(app.met.spm_x100)
        if a is None or not asked:
            return
        if s is not None:  # the beat leads toward the target: anywhere between the two is on course
            lo, hi = (asked, s.target_x100) if asked <= s.target_x100 else (s.target_x100, asked)
            if lo <= cad_x100 <= hi:
                asked = cad_x100
        code = a.update(t_ms, cad_x100, asked)
        if code:
            self.alerts_fired += 1
            log.event(t_ms, "alert", [code, cad_x100, asked])
            if not app._alerting:
                app._pattern_task = asyncio.create_task(self.play_alert(app, code))  # rare: allocates

    async def play_alert(self, app, code):
        """The alert's haptic pattern (alerts.PATTERNS), played by the app (beats pause meanwhile)."""
        from pod.core.alerts import PATTERNS

        await app.play_pattern(PATTERNS[code])
        app.alerts_played += 1
