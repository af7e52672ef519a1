"""Progressive cadence plan: raise the target one small step at a time, only once it holds.

The plan is a small dict of ints (JSON on the pod, see docs/coaching.md). After each session,
`decide(state, steady_s, in_band_s)` returns the next state and a decision record with its reason
code and the numbers behind it. The records are logged; `replay(records)` runs them again and
reproduces the plan exactly (and raises if a logged outcome does not match).

Rules (defaults in brackets, all stored in the state):
  - start: target = baseline + step, step = `step_spm` [5] or `step_pct` % of baseline, capped at goal;
  - a session with less than `min_steady_s` [300] of steady running changes nothing (SHORT);
  - compliance = in_band_s * 100 // steady_s, where in band is within +-`band_x100` [300] of target;
  - good (>= `hold_pct` [80]) sessions in a row: after `hold_n` [2] the target steps up (UP);
  - poor (< `poor_pct` [50]) sessions in a row: after `back_n` [2] it steps back (BACK), never
    below min(baseline, goal); a session in between holds and resets both counts (HOLD).
  - the fade level (fade.py) moves on with good sessions, back with poor ones, and restarts at 0
    with a new target.
Pure integer code; runs unchanged on CPython and MicroPython.
"""

from pod.core import fade
from pod.core.baseline import SteadyGate

# reason codes: small ints for the log, names for people
INIT = 0  # a new plan from a baseline
UP = 1  # held for hold_n sessions: one step up
COUNT = 2  # good session, counted toward the next step
AT_CAP = 3  # good session, target already at the goal cap
HOLD = 4  # compliance in between: hold, both counts reset
POOR = 5  # poor session, counted toward a step back
BACK = 6  # poor for back_n sessions: one step back
FLOOR = 7  # poor for back_n sessions but already at the floor
SHORT = 8  # too little steady running to judge: nothing changes
SET = 9  # target set by hand (cadencepod plan set)
RESET = 10  # plan restarted at its first target (cadencepod plan reset)
SNAPSHOT = 11  # the plan as it stands, logged at session start: no decision, replay starts here
REASONS = ("init", "up", "count", "at_cap", "hold", "poor", "back", "floor", "short", "set", "reset",
           "snapshot")

# int fields, in this order, of the two log events (docs/coaching.md)
STATE_KEYS = ("baseline_x100", "goal_x100", "step_x100", "target_x100", "hold_n", "hold_pct",
              "band_x100", "poor_pct", "back_n", "min_steady_s", "streak", "poor", "fade", "seq")
DECISION_KEYS = ("seq", "reason", "from_x100", "to_x100", "steady_s", "in_band_s", "streak", "poor", "fade")

MIN_X100 = 10000  # plan cadences live in 100..240 spm
MAX_X100 = 24000
_LIMITS = {  # key: (lo, hi) for validate()
    "baseline_x100": (MIN_X100, MAX_X100), "goal_x100": (MIN_X100, MAX_X100), "step_x100": (100, 2000),
    "target_x100": (MIN_X100, MAX_X100), "hold_n": (1, 20), "hold_pct": (1, 100), "band_x100": (50, 2000),
    "poor_pct": (0, 100), "back_n": (1, 20), "min_steady_s": (0, 86400), "streak": (0, 20), "poor": (0, 20),
    "fade": (0, fade.MAX_LEVEL), "seq": (0, 0x3FFFFFFF),
}


def _floor(st):
    return min(st["baseline_x100"], st["goal_x100"])


def first_target(st):
    return min(st["baseline_x100"] + st["step_x100"], st["goal_x100"])


def new(baseline_x100, goal_x100, step_spm=5, step_pct=0, hold_n=2, hold_pct=80, band_x100=300,
        poor_pct=50, back_n=2, min_steady_s=300):
    """A new plan from a baseline cadence. Returns (state, record). step_pct > 0 overrides step_spm."""
    baseline_x100 = int(baseline_x100)
    if step_pct:
        # a percentage of the baseline, rounded to whole spm so targets stay readable
        step_x100 = (baseline_x100 * int(step_pct) + 5000) // 10000 * 100
    else:
        step_x100 = int(step_spm) * 100
    st = {"v": 1, "baseline_x100": baseline_x100, "goal_x100": int(goal_x100), "step_x100": step_x100,
          "target_x100": 0, "hold_n": int(hold_n), "hold_pct": int(hold_pct), "band_x100": int(band_x100),
          "poor_pct": int(poor_pct), "back_n": int(back_n), "min_steady_s": int(min_steady_s),
          "streak": 0, "poor": 0, "fade": 0, "seq": 0}
    st["target_x100"] = MIN_X100  # placeholder so validate() checks everything else first
    validate(st)
    st["target_x100"] = first_target(st)
    return st, _record(st, INIT, 0, 0, 0)


def validate(st):
    """Raise ValueError with a one-line message if st is not a usable plan state."""
    if not isinstance(st, dict):
        raise ValueError("plan state must be a JSON object")
    if st.get("v") != 1:
        raise ValueError("plan state version must be 1, got %r" % (st.get("v"),))
    for k in STATE_KEYS:
        if k not in st:
            raise ValueError("plan state lacks %s" % k)
        x = st[k]
        if not isinstance(x, int) or isinstance(x, bool):
            raise ValueError("plan %s must be an int, got %r" % (k, x))
        lo, hi = _LIMITS[k]
        if not lo <= x <= hi:
            raise ValueError("plan %s must be %d..%d, got %d" % (k, lo, hi, x))
    if st["poor_pct"] > st["hold_pct"]:
        raise ValueError("plan poor_pct (%d) must not exceed hold_pct (%d)"
                         % (st["poor_pct"], st["hold_pct"]))
    if st["target_x100"] > st["goal_x100"]:
        raise ValueError("plan target %d exceeds the goal cap %d" % (st["target_x100"], st["goal_x100"]))
    return st


def _record(st, reason, from_x100, steady_s, in_band_s):
    r = {"seq": st["seq"], "reason": reason, "from_x100": from_x100, "to_x100": st["target_x100"],
         "steady_s": steady_s, "in_band_s": in_band_s, "streak": st["streak"], "poor": st["poor"],
         "fade": st["fade"]}
    if reason in (INIT, SET, RESET, SNAPSHOT):
        r["state"] = dict(st)  # the full plan, so a log can be replayed from this point
    return r


def compliance_pct(steady_s, in_band_s):
    if steady_s <= 0:
        return 0
    return in_band_s * 100 // steady_s


def decide(st, steady_s, in_band_s):
    """Judge one finished session. Returns (new_state, record); st itself is not changed."""
    steady_s = int(steady_s)
    in_band_s = int(in_band_s)
    if steady_s < 0 or not 0 <= in_band_s <= steady_s:
        raise ValueError("need 0 <= in_band_s <= steady_s, got %d, %d" % (in_band_s, steady_s))
    s = dict(st)
    s["seq"] = st["seq"] + 1
    tgt = st["target_x100"]
    if steady_s < st["min_steady_s"] or steady_s == 0:
        reason = SHORT
    else:
        pct = compliance_pct(steady_s, in_band_s)
        if pct >= st["hold_pct"]:
            s["poor"] = 0
            s["fade"] = fade.next_level(st["fade"], True, False)
            if tgt >= st["goal_x100"]:
                reason = AT_CAP
                s["streak"] = 0
            elif st["streak"] + 1 >= st["hold_n"]:
                reason = UP
                s["target_x100"] = min(tgt + st["step_x100"], st["goal_x100"])
                s["streak"] = 0
                s["fade"] = 0
            else:
                reason = COUNT
                s["streak"] = st["streak"] + 1
        elif pct < st["poor_pct"]:
            s["streak"] = 0
            s["fade"] = fade.next_level(st["fade"], False, True)
            if st["poor"] + 1 >= st["back_n"]:
                s["poor"] = 0
                if tgt > _floor(st):
                    reason = BACK
                    s["target_x100"] = max(tgt - st["step_x100"], _floor(st))
                    s["fade"] = 0
                else:
                    reason = FLOOR
            else:
                reason = POOR
                s["poor"] = st["poor"] + 1
        else:
            reason = HOLD
            s["streak"] = 0
            s["poor"] = 0
    return s, _record(s, reason, tgt, steady_s, in_band_s)


def set_target(st, target_x100):
    """Set the target by hand (counts restart). Returns (new_state, record)."""
    target_x100 = int(target_x100)
    if not MIN_X100 <= target_x100 <= st["goal_x100"]:
        raise ValueError("target must be %d..%d (spm*100, at most the goal), got %d"
                         % (MIN_X100, st["goal_x100"], target_x100))
    s = dict(st)
    s.update(target_x100=target_x100, streak=0, poor=0, fade=0, seq=st["seq"] + 1)
    return s, _record(s, SET, st["target_x100"], 0, 0)


def reset(st):
    """Restart the plan at its first target. Returns (new_state, record)."""
    s = dict(st)
    s.update(target_x100=first_target(st), streak=0, poor=0, fade=0, seq=st["seq"] + 1)
    return s, _record(s, RESET, st["target_x100"], 0, 0)


def snapshot(st):
    """A record of the plan as it stands (log it at session start, so each log replays alone)."""
    return _record(st, SNAPSHOT, st["target_x100"], 0, 0)


def replay(records):
    """Rebuild the plan from its logged records; raises ValueError where the log disagrees."""
    st = None
    for r in records:
        reason = r["reason"]
        if "state" in r:
            st = validate(dict(r["state"]))
            st["v"] = 1
        elif st is None:
            raise ValueError("plan log must begin with a full state (init, set or reset), got reason %d"
                             % reason)
        else:
            st, mine = decide(st, r["steady_s"], r["in_band_s"])
            for k in DECISION_KEYS:
                if mine[k] != r[k]:
                    raise ValueError("plan decision %d: logged %s=%d, replay gives %d"
                                     % (r["seq"], k, r[k], mine[k]))
    if st is None:
        raise ValueError("plan log is empty")
    return st


def record_events(r):
    """The log events for one record: [("plan", ints)] plus ("plan_state", ints) when it has a state."""
    ev = [("plan", tuple(r[k] for k in DECISION_KEYS))]
    if "state" in r:
        ev.append(("plan_state", tuple(r["state"][k] for k in STATE_KEYS)))
    return ev


def _keyed(keys, vals):
    d = {}
    for i in range(len(keys)):
        d[keys[i]] = vals[i]
    return d


def records_from_events(events):
    """Inverse of record_events over a session's events [(kind, ints), ...] (other kinds skipped)."""
    out = []
    for kind, vals in events:
        if kind == "plan":
            if len(vals) != len(DECISION_KEYS):
                raise ValueError("plan event needs %d ints, got %d" % (len(DECISION_KEYS), len(vals)))
            out.append(_keyed(DECISION_KEYS, vals))
        elif kind == "plan_state":
            if not out or len(vals) != len(STATE_KEYS):
                raise ValueError("plan_state event must follow a plan event and have %d ints"
                                 % len(STATE_KEYS))
            s = _keyed(STATE_KEYS, vals)
            s["v"] = 1
            out[-1]["state"] = s
    return out


class ComplianceMeter:
    """Per session: steady-running time, and the part of it within +-band of the target."""

    def __init__(self, band_x100=300, gate=None):
        self.band_x100 = int(band_x100)
        self.gate = gate if gate is not None else SteadyGate()
        self.in_band_ms = 0

    def reset(self):
        self.gate.reset()
        self.in_band_ms = 0

    def update(self, t_ms, cadence_x100, target_x100):
        dt = self.gate.update(t_ms, cadence_x100)
        if dt:
            d = cadence_x100 - target_x100
            if -self.band_x100 <= d <= self.band_x100:
                self.in_band_ms += dt
        return dt

    def steady_ms(self):
        return self.gate.steady_ms

    def result_s(self):
        """(steady_s, in_band_s) for decide()."""
        return self.gate.steady_ms // 1000, self.in_band_ms // 1000
