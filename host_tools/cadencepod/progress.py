"""Progress across sessions from the local archive: the baseline, the plan's targets and the cadence
achieved, session by session over the weeks, with each plan decision (step up, step back).

One point per session with enough running. The plan figures come from the session's own log (the
`plan` / `plan_state` events the pod writes, docs/coaching.md), so the chart shows what the pod
decided, not a host re-judgement; the host's time-in-band stands in only for sessions without a plan.
"""
import base64
import datetime
import html
import os
import statistics

from pod.core import plan as P

from .exporters import UNIT_NOTE, start_datetime
from .report import SPM_LABEL, analyze, plan_of, png_bytes

MIN_RUN_S = 60.0  # a session with less running than this is not a point on the chart
JUDGED = (P.UP, P.COUNT, P.AT_CAP, P.HOLD, P.POOR, P.BACK, P.FLOOR, P.SHORT)


def session_point(name, session, path=None):
    """The numbers of one session for the progress chart, or None when it has too little running."""
    a = analyze(session)
    if a["run_time_s"] < MIN_RUN_S:
        return None
    when, when_known = start_datetime(session, path)
    recs, note = plan_of(session.events)
    state = next((r["state"] for r in recs if "state" in r), None)
    decision = next((r for r in reversed(recs) if r["reason"] in JUDGED), None)
    metronome = any(m for (_t, _c, _tg, m) in session.summaries)
    measured = a["baseline"]  # the pod's own baseline measurement, in a baseline run
    # a baseline run: the pod measured one, or no beat and no plan (a plan session can play silently)
    baseline_run = bool(measured) or (bool(session.summaries) and not metronome and not recs)
    if state:
        target = state["target_x100"] / 100.0
    else:
        tgs = [tg for (_t, _c, tg, _m) in session.summaries if tg]
        target = float(statistics.median(tgs)) if tgs else None
    if decision is not None and decision["reason"] != P.SHORT:
        compliance = P.compliance_pct(decision["steady_s"], decision["in_band_s"])
        judged_by = "pod"
    else:  # no decision: the host's time in band, if the session had a target to hold
        compliance = round(100 * a["time_in_band"]) if a["judged_time_s"] and not baseline_run else None
        judged_by = "host"
    return {
        "name": name, "when": when, "when_known": when_known,
        "median_spm": measured[0] if measured and measured[0] else a["median_spm"],
        "run_time_s": a["run_time_s"], "baseline_run": baseline_run,
        "target_spm": target if (metronome or state) and not baseline_run else None,
        "number": session_number(name, session),
        "pulled": _mtime(path),
        "baseline_spm": state["baseline_x100"] / 100.0 if state else None,
        "goal_spm": state["goal_x100"] / 100.0 if state else None,
        "band_spm": state["band_x100"] / 100.0 if state else a["band_spm"],
        "hold_pct": state["hold_pct"] if state else None,
        "decision": P.REASONS[decision["reason"]] if decision else None,
        "next_target_spm": decision["to_x100"] / 100.0 if decision else None,
        "compliance_pct": compliance, "judged_by": judged_by,
        "alerts": len(a["alerts"]), "note": note,
    }


def _mtime(path):
    try:
        return os.path.getmtime(path) if path else 0.0
    except OSError:
        return 0.0


def session_number(name, session):
    """The pod's session number (header, else the S00042 name): its sessions in the order run."""
    n = (session.header or {}).get("session")
    if isinstance(n, int):
        return n
    stem = str(name)
    if stem[:1] == "S" and stem[1:6].isdigit():
        return int(stem[1:6])  # S00042.cpl, or S00042-<hash>.cpl: a second pod's 42, not 420,000+
    digits = "".join(c for c in stem if c.isdigit())
    return int(digits) if digits else 0


def points_of(loaded):
    """Session points, oldest first, from [(name, path, session)].

    With the pod's clock every session has its start time. Without it a start is only estimated
    from the file time (files pulled together share one), so the order is the pull order (`pull`
    saves a pod's sessions oldest first), then the pod's session number; an estimate is moved on to
    a minute after the session before it if needed."""
    pts = [p for p in (session_point(n, s, path) for (n, path, s) in loaded) if p]
    if all(p["when_known"] for p in pts):
        pts.sort(key=lambda p: (p["when"], p["name"]))
    else:
        pts.sort(key=lambda p: (p["pulled"], p["number"], p["name"]))
        for a, b in zip(pts, pts[1:], strict=False):
            if not b["when_known"] and b["when"] <= a["when"]:
                b["when"] = a["when"] + datetime.timedelta(minutes=1)
    prev = None  # a target unlike the one the last decision left was set by hand (plan set / reset)
    for p in pts:
        p["set_by_hand"] = bool(prev and prev["next_target_spm"] and p["target_spm"]
                                and p["target_spm"] != prev["next_target_spm"])
        if p["target_spm"] is not None:
            prev = p
    return pts


def natural_baseline(pts):
    """The plan's baseline, else the median of the baseline runs (metronome off), else None."""
    for p in reversed(pts):
        if p["baseline_spm"]:
            return p["baseline_spm"]
    runs = [p["median_spm"] for p in pts if p["baseline_run"]]
    return statistics.median(runs) if runs else None  # (the pod's measurement where it logged one)


def render_png(pts, title):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    fig, (ax, bx) = plt.subplots(2, 1, figsize=(12, 9), sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    xs = [p["when"] for p in pts]
    span = (xs[-1] - xs[0]) if len(xs) > 1 else datetime.timedelta(days=7)
    pad = max(span * 0.04, datetime.timedelta(days=1))
    # the target in force from each session to the next, then the one the last decision set
    tx, ty, band = [], [], []
    for p in pts:
        if p["target_spm"] is None:
            continue
        tx.append(p["when"])
        ty.append(p["target_spm"])
        band.append(p["band_spm"])
    if tx:
        last = next((p for p in reversed(pts) if p["next_target_spm"]), None)
        tx.append(xs[-1] + pad)
        ty.append(last["next_target_spm"] if last and last["when"] >= tx[-2] else ty[-1])
        band.append(band[-1])
        ax.fill_between(tx, [t - b for t, b in zip(ty, band, strict=True)],
                        [t + b for t, b in zip(ty, band, strict=True)], step="post", color="tab:green",
                        alpha=0.25, lw=0, label="target band (±%g spm)" % band[-1])
        ax.step(tx, ty, where="post", color="tab:green", lw=1.5,
                label="target (the plan's, else the session's)")
    base = [(p["when"], p["baseline_spm"]) for p in pts if p["baseline_spm"]]
    if base:
        bxs = [w for (w, _b) in base] + [xs[-1] + pad]
        bys = [b for (_w, b) in base]
        ax.step(bxs, bys + bys[-1:], where="post", color="grey", ls="--", lw=1.2, label="baseline (plan)")
    goal = [(p["when"], p["goal_spm"]) for p in pts if p["goal_spm"]]
    if goal:
        gxs = [w for (w, _g) in goal] + [xs[-1] + pad]
        gys = [g for (_w, g) in goal]
        ax.step(gxs, gys + gys[-1:], where="post", color="tab:red", ls=":", lw=1.5, label="goal (cap)")
    runs = [p for p in pts if not p["baseline_run"]]
    bl = [p for p in pts if p["baseline_run"]]
    if runs:
        ax.plot([p["when"] for p in runs], [p["median_spm"] for p in runs], "o-", color="tab:blue", ms=7,
                lw=0.8, label="achieved (median running cadence)")
    if bl:
        ax.plot([p["when"] for p in bl], [p["median_spm"] for p in bl], "s", color="black", ms=8,
                label="baseline run (metronome off)")
    for i, p in enumerate(pts):
        if p["decision"] in ("up", "back"):  # marked where the new target starts: the next session
            x = pts[i + 1]["when"] if i + 1 < len(pts) else xs[-1] + pad
            ax.annotate("%s\n(%s)" % ("step up" if p["decision"] == "up" else "step back", p["name"]),
                        (x, p["next_target_spm"]), xytext=(-4, 16 if p["decision"] == "up" else -28),
                        textcoords="offset points", ha="right", fontsize=8,
                        color="tab:green" if p["decision"] == "up" else "tab:red",
                        arrowprops=dict(arrowstyle="-", color="grey", lw=0.5))
    for p in pts:
        if p["set_by_hand"]:
            ax.annotate("set by hand", (p["when"], p["target_spm"]), xytext=(-4, 16),
                        textcoords="offset points", ha="right", fontsize=8, color="tab:purple",
                        arrowprops=dict(arrowstyle="-", color="grey", lw=0.5))
    vals = [p["median_spm"] for p in pts] + ty + [g for (_w, g) in goal] + [b for (_w, b) in base]
    ax.set_ylim(min(vals) - 6, max(vals) + 6)
    ax.set_ylabel(SPM_LABEL)
    ax.set_title("cadence over the weeks: baseline, plan targets and achieved")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    hold = next((p["hold_pct"] for p in reversed(pts) if p["hold_pct"]), None)
    cp = [p for p in pts if p["compliance_pct"] is not None]
    good, poor = (hold or 80), 50
    cols = ["tab:green" if p["compliance_pct"] >= good else "tab:orange" if p["compliance_pct"] >= poor
            else "tab:red" for p in cp]
    days = span.total_seconds() / 86400
    width = max(min(days / max(len(pts), 1) * 0.6, 2.0), 0.3, days / 200)  # in days: visible at any span
    bx.bar([p["when"] for p in cp], [max(p["compliance_pct"], 1.5) for p in cp], width=width, color=cols)
    bx.axhline(good, color="black", lw=0.8, ls="--")
    bx.annotate("%d %% = good session" % good, (0.01, good), xycoords=("axes fraction", "data"), fontsize=8,
                va="bottom")
    bx.set_ylim(0, 105)
    bx.set_ylabel("% of steady running in band")
    bx.set_title("compliance per session (as the pod judged it; host time-in-band without a plan)")
    bx.set_xlim(xs[0] - pad, xs[-1] + pad)
    weeks = span.days / 7.0
    if weeks <= 104:  # a tick every Monday, or every few Mondays over a long season
        every = 1 + int(weeks // 12)
        bx.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO, interval=every))
        bx.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %Y" if weeks > 40 else "%d %b"))
        ticks = "Mondays" if every == 1 else "every %d weeks, on Mondays" % every
    else:
        bx.xaxis.set_major_locator(mdates.AutoDateLocator())
        ticks = "years"
    bx.set_xlabel("date (ticks: %s)" % ticks + ("" if all(p["when_known"] for p in pts)
                                            else "; sessions without a clock placed by file time"))
    return png_bytes(fig, title)


def render_html(pts, title, png, notes=()):
    e = html.escape
    lines = ["<!doctype html><html><head><meta charset='utf-8'><title>%s</title></head><body>" % e(title),
             "<h1>%s</h1>" % e(title), "<p><b>Units:</b> %s.</p>" % e(UNIT_NOTE)]
    base = natural_baseline(pts)
    if base:
        lines.append("<p>Baseline (natural cadence): %.1f spm.</p>" % base)
    for n in notes:
        lines.append("<p><b>Note:</b> %s</p>" % e(n))
    lines += ["<img alt='progress' src='data:image/png;base64,%s'>" % base64.b64encode(png).decode(),
              "<table border='1' cellpadding='4'><tr><th>session</th><th>date (UTC)</th><th>kind</th>"
              "<th>running</th><th>achieved (spm)</th><th>target (spm)</th><th>compliance</th>"
              "<th>alerts</th><th>decision</th></tr>"]
    for p in pts:
        dec = p["decision"] or "-"
        if p["set_by_hand"]:
            dec = "target set by hand before it; " + dec
        if p["decision"] in ("up", "back"):
            dec += " &rarr; %g spm" % p["next_target_spm"]
        lines.append("<tr><td>%s</td><td>%s%s</td><td>%s</td><td>%d min</td><td>%.1f</td><td>%s</td>"
                     "<td>%s</td><td>%d</td><td>%s</td></tr>"
                     % (e(p["name"]), p["when"].strftime("%Y-%m-%d %H:%M"), "" if p["when_known"] else " (?)",
                        "baseline run" if p["baseline_run"] else "coached",
                        round(p["run_time_s"] / 60), p["median_spm"],
                        "-" if p["target_spm"] is None else "%g" % p["target_spm"],
                        "-" if p["compliance_pct"] is None else "%d %% (%s)" % (p["compliance_pct"],
                                                                              p["judged_by"]),
                        p["alerts"], dec))
    lines += ["</table></body></html>", ""]
    return "\n".join(lines)
