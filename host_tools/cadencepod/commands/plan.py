"""`cadencepod plan show|set|reset`: read and edit the progressive cadence plan.

The plan lives on the pod as `plan.json` beside `config.json` (see docs/coaching.md). By default
these commands work on the pod over USB (the same raw-REPL file access as `cadencepod pull` and
`cadencepod config`); with --file they work on a local copy. The rules themselves are in
firmware/pod/core/plan.py, shared with the pod: one copy of the logic.
"""
import json
import os
import tempfile

import click
from pod.core import plan as P
from rich.console import Console
from rich.table import Table

from ..clickutil import Group, Number
from ..errors import PodError
from ..podfile import PodOrLocalFile

# relative to the device's cwd (/ on the pod, the flash dir in the sim), like config.json
DEVICE_PLAN = "plan.json"


def _where(f):
    f = click.option("--file", "-f", "path", type=click.Path(dir_okay=False),
                     help="Work on a local plan JSON file (a copy of the pod's plan.json), not the pod.")(f)
    return click.option("--port", "-p", help="Serial port of the pod (default: the one pod found on USB).")(f)


def _x100(spm, name):
    """Spm as typed (may have decimals) to the plan's spm*100 int."""
    v = int(round(spm * 100))
    if not P.MIN_X100 <= v <= P.MAX_X100:
        raise PodError("%s must be %d..%d spm, got %g" % (name, P.MIN_X100 // 100, P.MAX_X100 // 100, spm))
    return v


def parse(raw, where):
    """A validated plan state from the text of a plan file; PodError naming `where` otherwise."""
    try:
        st = json.loads(raw)
    except ValueError as e:
        raise PodError("%s is not valid JSON: %s" % (where, e)) from None
    try:
        return P.validate(st)
    except ValueError as e:
        raise PodError("%s: %s" % (where, e)) from None


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            raw = f.read()
    except FileNotFoundError:
        raise PodError("no plan file %s (create one with `cadencepod plan set --file %s --baseline SPM "
                       "--goal SPM`)" % (path, path)) from None
    except OSError as e:
        raise PodError("cannot read %s: %s" % (path, e.strerror)) from None
    return parse(raw, path)


def save(path, st):
    """Write atomically: a crash mid-write leaves the old plan, never half a file."""
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".plan-", suffix=".json", dir=d)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(dump(st))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def dump(st):
    return json.dumps(st, sort_keys=True) + "\n"


class _Plan(PodOrLocalFile):
    """The plan file on the pod (default) or a local one (--file). Use as a context manager."""

    device_name = DEVICE_PLAN

    def __init__(self, port, path):
        if port and path:
            raise PodError("give --port (the pod) or --file (a local copy), not both")
        super().__init__(port, path)

    def read(self, missing_ok=False):
        """The validated state, or None when there is none and missing_ok."""
        if self.path:
            if missing_ok and not os.path.exists(self.path):
                return None
            return load(self.path)
        data = self.pod.read_small(DEVICE_PLAN)
        if data is None:
            if missing_ok:
                return None
            raise PodError("no plan on the pod yet (create one with `cadencepod plan set --baseline SPM "
                           "--goal SPM`)")
        return parse(data.decode("utf-8", "replace"), self.where())

    def write(self, st):
        if self.path:
            save(self.path, st)
        else:  # the device helper writes a temp file and renames it: a cut leaves the old plan
            self.pod.write_file(DEVICE_PLAN, dump(st).encode())


def _spm(x100):
    return "%g" % (x100 / 100)


def _print_state(st, record=None):
    t = Table(title="cadence plan (steps per minute, both feet)", show_header=False)
    t.add_column("key")
    t.add_column("value")
    t.add_row("target", "%s spm" % _spm(st["target_x100"]))
    t.add_row("baseline", "%s spm" % _spm(st["baseline_x100"]))
    t.add_row("goal (cap)", "%s spm" % _spm(st["goal_x100"]))
    t.add_row("step", "%s spm" % _spm(st["step_x100"]))
    t.add_row("step up after", "%d sessions with >= %d %% of steady running within +-%s spm"
              % (st["hold_n"], st["hold_pct"], _spm(st["band_x100"])))
    t.add_row("step back after", "%d sessions below %d %%" % (st["back_n"], st["poor_pct"]))
    t.add_row("judged if steady running", ">= %d s" % st["min_steady_s"])
    t.add_row("good sessions in a row", str(st["streak"]))
    t.add_row("poor sessions in a row", str(st["poor"]))
    t.add_row("beats play", "%d %% of each minute (fade level %d)"
              % (P.fade.PLAY_PCT[st["fade"]], st["fade"]))
    t.add_row("decisions so far", str(st["seq"]))
    Console(width=100).print(t)
    if record is not None:
        click.echo("decision %d: %s, target %s -> %s spm"
                   % (record["seq"], P.REASONS[record["reason"]], _spm(record["from_x100"]),
                      _spm(record["to_x100"])))


@click.group("plan", cls=Group)
def command():
    """Show or edit the progressive cadence plan (the pod's plan.json over USB, or a local --file)."""


@command.command("show")
@_where
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
def show(port, path, as_json):
    """Show the plan: target, goal, step rule and progress."""
    with _Plan(port, path) as where:
        st = where.read()
    if as_json:
        click.echo(json.dumps(st, sort_keys=True))
    else:
        _print_state(st)


@command.command("set")
@_where
@click.option("--baseline", type=Number(),
              help="Natural cadence from a baseline run, spm (starts a new plan).")
@click.option("--goal", type=Number(), help="Goal cadence: the target never goes above it, spm.")
@click.option("--step", "step_spm", type=int, help="Step size in spm (default 5).")
@click.option("--step-pct", type=int, help="Step size as %% of the baseline instead (e.g. 5).")
@click.option("--target", type=Number(), help="Set the current target by hand, spm.")
@click.option("--hold-sessions", type=int, help="Good sessions in a row before a step up (default 2).")
@click.option("--hold-pct", type=int, help="Share of steady running within the band for a good session (80).")
@click.option("--band", type=Number(), help="Band around the target that counts as on target, +-spm (3).")
@click.option("--poor-pct", type=int, help="Below this share a session is poor (50).")
@click.option("--back-sessions", type=int, help="Poor sessions in a row before a step back (2).")
@click.option("--min-steady-s", type=int, help="Steady running needed to judge a session, s (300).")
def set_(port, path, baseline, goal, step_spm, step_pct, target, hold_sessions, hold_pct, band, poor_pct,
         back_sessions, min_steady_s):
    """Create the plan, or change its settings or target.

    A new baseline or step size restarts the plan at baseline + step; other changes keep the
    target (capped at the goal) and restart the session counts; --target sets the target by hand.
    """
    if step_spm is not None and step_pct is not None:
        raise PodError("give --step or --step-pct, not both")
    with _Plan(port, path) as where:
        old = where.read(missing_ok=True)
        if old is None and (baseline is None or goal is None):
            raise PodError("%s does not exist: a new plan needs --baseline and --goal" % where.where())
        st, rec = _edited(old, baseline, goal, step_spm, step_pct, target, hold_sessions, hold_pct, band,
                          poor_pct, back_sessions, min_steady_s)
        where.write(st)
    _print_state(st, rec)
    click.echo("saved to %s" % where.where())


def _edited(old, baseline, goal, step_spm, step_pct, target, hold_sessions, hold_pct, band, poor_pct,
            back_sessions, min_steady_s):
    """(new state, record) for `plan set`; PodError (and nothing written) on any bad value."""
    src = old or {}
    args = {
        "baseline_x100": _x100(baseline, "--baseline") if baseline is not None else src.get("baseline_x100"),
        "goal_x100": _x100(goal, "--goal") if goal is not None else src.get("goal_x100"),
        "step_spm": step_spm if step_spm is not None else None,
        "step_pct": step_pct or 0,
        "hold_n": hold_sessions if hold_sessions is not None else src.get("hold_n", 2),
        "hold_pct": hold_pct if hold_pct is not None else src.get("hold_pct", 80),
        "band_x100": int(round(band * 100)) if band is not None else src.get("band_x100", 300),
        "poor_pct": poor_pct if poor_pct is not None else src.get("poor_pct", 50),
        "back_n": back_sessions if back_sessions is not None else src.get("back_n", 2),
        "min_steady_s": min_steady_s if min_steady_s is not None else src.get("min_steady_s", 300),
    }
    restart = old is None or baseline is not None or step_spm is not None or step_pct is not None
    try:
        if args["step_spm"] is None and not args["step_pct"]:
            # keep the old step size (it may have come from a percentage)
            args["step_spm"] = src.get("step_x100", 500) // 100
            if src.get("step_x100", 500) % 100:
                raise ValueError("the plan's step is not whole spm: give --step or --step-pct")
        st, rec = P.new(**args)
        if not restart:
            st.update(target_x100=min(old["target_x100"], st["goal_x100"]), streak=old["streak"],
                      poor=old["poor"], fade=old["fade"], seq=old["seq"])
        if target is not None:
            st, rec = P.set_target(st, _x100(target, "--target"))
        elif not restart:
            st, rec = P.set_target(st, st["target_x100"])
        if old is not None:
            rec["from_x100"] = old["target_x100"]
        P.validate(st)
    except ValueError as e:
        raise PodError(str(e)) from None
    return st, rec


@command.command("reset")
@_where
def reset(port, path):
    """Restart the plan at its first target (baseline + step); settings are kept."""
    with _Plan(port, path) as where:
        st, rec = P.reset(where.read())
        where.write(st)
    _print_state(st, rec)
    click.echo("saved to %s" % where.where())
