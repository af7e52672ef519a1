"""Session report: numbers (time in band, compliance per minute and per km-equivalent, late drift,
and the coaching: alerts fired, phase error, beat tempo, plan decisions) and their rendering to one
PNG (matplotlib, Agg) and one self-contained HTML page. The coaching events are the ones in
docs/coaching.md; the plan records are rebuilt and checked with the pod's own pod.core.plan."""
import base64
import html
import io
import statistics

from pod.core import plan as P

from .exporters import UNIT_NOTE, timeline

DEFAULT_BAND_SPM = 3.0
DEFAULT_STEP_M = 1.0  # step length for km-equivalents when the config has none (~10 km/h at 170 spm)
RUNNING_MIN_SPM = 120.0  # below this a summary counts as walking/stopped: not judged against the target
SPM_LABEL = "cadence (spm = steps/min)"
ALERT_NAMES = {1: "too slow", 2: "too fast"}
ALERT_STYLE = {1: ("^", "tab:orange"), 2: ("v", "tab:red")}  # marker, colour
PHASE_BIN_S = 15.0  # phase error median per bin, for the trend line


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _cadence_at(rows, t_s):
    """The timeline cadence in force at t_s (for alerts logged without their cadence)."""
    spm = rows[0][2] if rows else 0.0
    for r in rows:
        if r[0] > t_s:
            break
        spm = r[2]
    return spm


def alerts_of(events, rows):
    """[(t_s, code, cadence_spm, target_spm)] from `alert` events: [code, cadence_x100, target_x100],
    or a bare code (then the cadence comes from the timeline)."""
    out = []
    for (t, k, v) in events:
        if k != "alert":
            continue
        if isinstance(v, list) and len(v) >= 3 and all(_is_int(x) for x in v[:3]):
            out.append((t / 1000.0, v[0], v[1] / 100.0, v[2] / 100.0))
        elif _is_int(v):
            out.append((t / 1000.0, v, _cadence_at(rows, t / 1000.0), 0.0))
    return out


def plan_of(events):
    """(records, note): the plan records in the log, and whether they replay (pod.core.plan)."""
    pev = [(k, v) for (_t, k, v) in events if k in ("plan", "plan_state") and isinstance(v, list)]
    if not pev:
        return [], None
    try:
        recs = P.records_from_events(pev)
    except (ValueError, KeyError, TypeError) as e:
        return [], "plan events unreadable: %s" % e
    try:
        P.replay(recs)
        note = None
    except (ValueError, KeyError, TypeError) as e:
        note = "plan decisions do not replay: %s" % e
    return recs, note


def baseline_of(events):
    """(median spm, steady s) the pod measured in a baseline run (`baseline` event), or None."""
    for (_t, k, v) in events:
        if k == "baseline" and isinstance(v, list) and len(v) >= 2 and _is_int(v[0]) and _is_int(v[1]):
            return v[0] / 100.0, v[1]
    return None


def _phase_trend(phase):
    bins = {}
    for (t, v) in phase:
        bins.setdefault(int(t // PHASE_BIN_S), []).append(v)
    return [((b + 0.5) * PHASE_BIN_S, statistics.median(vs)) for b, vs in sorted(bins.items())]


def no_judgement(a):
    """Why no time in band is given: no target at all, or a target but no running to judge."""
    if a.get("had_target"):
        return "no running (at least %.0f spm) to judge against the target" % RUNNING_MIN_SPM
    return "no target in this session (metronome off)"


def analyze(session, band_spm=None, step_m=None):
    """All the report's numbers. band_spm None: the band of the plan in the log, else 3 spm."""
    plan_recs, plan_note = plan_of(session.events)
    if band_spm is None:
        st = next((r["state"] for r in plan_recs if "state" in r), None)
        band_spm = st["band_x100"] / 100.0 if st else DEFAULT_BAND_SPM
    tl = timeline(session)
    cfg = (session.header or {}).get("config") or {}
    if step_m is None:
        ble = cfg.get("ble") if isinstance(cfg.get("ble"), dict) else {}
        step_mm = ble.get("step_mm") if isinstance(ble.get("step_mm"), (int, float)) else 0
        step_m = cfg.get("step_length_m") or (cfg.get("stride_length_m") or 0) / 2 or step_mm / 1000.0 \
            or DEFAULT_STEP_M
    rows = []  # (t_s, dt_s, spm, target, in_band, running, steps_so_far)
    steps = session.steps
    j = 0
    # A summary stands for the time up to the next one, but never for more than two periods: a
    # damaged stretch skipped by the reader is no data, not the last good cadence. The last one
    # (written at the stop) stands for nothing after it.
    period = cfg.get("summary_s") if isinstance(cfg.get("summary_s"), (int, float)) else 5
    for i, (t, spm, target, _met) in enumerate(tl):
        dt = min(tl[i + 1][0] - t, 2.0 * period) if i + 1 < len(tl) else 0.0
        while j < len(steps) and steps[j][0] / 1000.0 <= t:
            j += 1
        running = spm >= RUNNING_MIN_SPM
        in_band = running and target > 0 and abs(spm - target) <= band_spm
        rows.append((t, max(dt, 0.0), spm, target, in_band, running, j))
    run_time = sum(r[1] for r in rows if r[5])
    judged_time = sum(r[1] for r in rows if r[5] and r[3] > 0)  # running with a target to hold
    band_time = sum(r[1] for r in rows if r[4])
    run_spm = [r[2] for r in rows if r[5]]

    def compliance(key):
        bins = {}
        for r in rows:
            if r[5] and r[3] > 0:
                b = bins.setdefault(key(r), [0.0, 0.0])
                b[0] += r[1]
                b[1] += r[1] if r[4] else 0.0
        return [(k, v[1] / v[0], v[0]) for k, v in sorted(bins.items()) if v[0] > 0]

    per_min = compliance(lambda r: int(r[0] // 60))
    per_km = compliance(lambda r: int(r[6] * step_m // 1000))
    drift = None
    if len(run_spm) >= 8:
        n = len(run_spm)
        mid = statistics.median(run_spm[n // 4:3 * n // 4])
        late = statistics.median(run_spm[3 * n // 4:])
        drift = late - mid
    phase = [(t / 1000.0, v) for (t, k, v) in session.events
             if k == "phase" and isinstance(v, (int, float)) and not isinstance(v, bool)]
    pv = sorted(v for (_t, v) in phase)
    return {
        "phase": phase, "alerts": alerts_of(session.events, rows), "phase_trend": _phase_trend(phase),
        "phase_abs_median_ms": statistics.median(abs(v) for v in pv) if pv else None,
        "phase_median_ms": statistics.median(pv) if pv else None,
        "phase_iqr_ms": (pv[3 * len(pv) // 4] - pv[len(pv) // 4]) if len(pv) >= 4 else None,
        "tempo": [(t / 1000.0, v / 100.0) for (t, k, v) in session.events if k == "tempo" and _is_int(v)],
        "marks": [(t / 1000.0, k) for (t, k, v) in session.events if k in ("autostart", "autostop")],
        "plan": plan_recs, "plan_note": plan_note, "baseline": baseline_of(session.events),
        "rows": rows, "band_spm": band_spm, "step_m": step_m,
        "run_time_s": run_time, "band_time_s": band_time, "judged_time_s": judged_time,
        "had_target": any(r[3] > 0 for r in rows),
        "time_in_band": (band_time / judged_time) if judged_time else 0.0,
        "median_spm": statistics.median(run_spm) if run_spm else 0.0,
        "per_min": per_min, "per_km": per_km, "drift_spm": drift,
        "steps": len(steps), "duration_s": session.duration_ms() / 1000.0,
        "events": session.events,
    }


def _plan_pcts(a):
    """(hold_pct, poor_pct) of the plan in the log: the colours of a good and a poor share."""
    for r in reversed(a["plan"]):
        if "state" in r:
            return r["state"]["hold_pct"], r["state"]["poor_pct"]
    return None


def _cadence_panel(ax, a):
    rows = a["rows"]
    ts = [r[0] / 60.0 for r in rows]
    tg = [r[3] if r[3] else float("nan") for r in rows]
    ax.fill_between(ts, [t - a["band_spm"] for t in tg], [t + a["band_spm"] for t in tg], color="tab:green",
                    alpha=0.3, step="post", lw=0, label="target ±%g spm" % a["band_spm"])
    ax.step(ts, tg, where="post", color="tab:green", lw=1, label="target")
    if a["tempo"]:
        tt = [t / 60.0 for (t, _v) in a["tempo"]] + [a["duration_s"] / 60.0]
        tv = [v for (_t, v) in a["tempo"]]
        ax.step(tt, tv + tv[-1:], where="post", color="black", lw=1, ls="--", label="beat tempo")
    ax.plot(ts, [r[2] if r[2] > 0 else float("nan") for r in rows], lw=1.2, color="tab:blue",
            label="cadence")
    for code in (1, 2):
        pts = [(t, c) for (t, k, c, _tg) in a["alerts"] if k == code]
        if pts:
            m, col = ALERT_STYLE[code]
            for (t, _c) in pts:
                ax.axvline(t / 60.0, color=col, lw=0.8, alpha=0.5)
            ax.plot([t / 60.0 for (t, _c) in pts], [c for (_t, c) in pts], m, color=col, ms=10, mec="black",
                    label="alert: %s (%d)" % (ALERT_NAMES[code], len(pts)))
    for (t, k) in a["marks"]:
        ax.axvline(t / 60.0, color="grey", lw=1, ls=":")
        ax.annotate(k.replace("auto", "auto "), (t / 60.0, 0.02), xycoords=("data", "axes fraction"),
                    rotation=90, fontsize=8, color="grey", ha="right", va="bottom")
    run = [r[2] for r in rows if r[5]] + [t for t in tg if t == t]
    if run:
        ax.set_ylim(min(run) - 8, max(run) + 8)
    ax.set_xlim(0, max(a["duration_s"] / 60.0, 1))
    ax.set_xlabel("time (min)")
    ax.set_ylabel(SPM_LABEL)
    drift = "" if a["drift_spm"] is None else ", late drift %+.1f spm" % (round(a["drift_spm"], 1) + 0.0)
    if a["judged_time_s"]:
        ax.set_title("cadence vs target band: %.0f%% of running time in band%s" % (100 * a["time_in_band"],
                                                                                   drift))
    else:
        ax.set_title("cadence (%s)" % no_judgement(a) + drift)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8, ncol=3)
    text = plan_summary(a)
    if text:
        ax.text(0.01, 0.97, text, transform=ax.transAxes, fontsize=8, va="top",
                bbox=dict(boxstyle="round", fc="white", ec="grey", alpha=0.9))


def plan_summary(a):
    """Two lines on the plan in this log: the target it ran at, and the decision at its end."""
    recs = a["plan"]
    out = []
    if a["baseline"]:
        out.append(baseline_text(a["baseline"]))
    if not recs:
        return "\n".join(out + ([a["plan_note"]] if a["plan_note"] else []))
    first = recs[0]
    if first["reason"] == P.INIT:
        out.append("plan started: baseline %g spm, first target %g spm, goal %g spm"
                   % (first["state"]["baseline_x100"] / 100, first["to_x100"] / 100,
                      first["state"]["goal_x100"] / 100))
    else:
        out.append("plan: target %g spm at the start" % (first["to_x100"] / 100))
    last = recs[-1]
    if last is not first and last["reason"] not in (P.INIT, P.SET, P.RESET, P.SNAPSHOT):
        out.append("decision: %s, target %g -> %g spm (%d %% of %d s steady running in band)"
                   % (P.REASONS[last["reason"]], last["from_x100"] / 100, last["to_x100"] / 100,
                      P.compliance_pct(last["steady_s"], last["in_band_s"]), last["steady_s"]))
    if a["plan_note"]:
        out.append(a["plan_note"])
    return "\n".join(out)


def _compliance_bars(ax, bins, xlabel, title, hold, offset=0):
    if not bins:
        ax.text(0.5, 0.5, "no running with a target: nothing to judge", transform=ax.transAxes, ha="center",
                color="grey")
    xs = [k + offset for (k, _c, _t) in bins]
    ys = [100 * c for (_k, c, _t) in bins]
    good, poor = hold if hold else (80, 50)
    cols = ["tab:green" if y >= good else "tab:orange" if y >= poor else "tab:red" for y in ys]
    ax.bar(xs, [max(y, 1.5) for y in ys], width=0.9, align="edge", color=cols)  # 0 % still shows
    idle = sorted(set(range(min(xs), max(xs))) - set(xs)) if xs else []
    if idle:  # bins with no running at all (stops): not judged
        ax.bar(idle, [100] * len(idle), width=0.9, align="edge", color="lightgrey", label="no running")
        ax.legend(loc="lower right", fontsize=8)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.axhline(good, color="black", lw=0.8, ls="--")
    ax.annotate("%d %% = good session" % good if hold else "%d %%" % good, (0.01, good),
                xycoords=("axes fraction", "data"), fontsize=8, va="bottom")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("% of running time in band")
    ax.set_ylim(0, 105)
    ax.set_title(title)


def baseline_text(b):
    spm, steady_s = b
    if not spm:
        return "baseline run: too little steady running to measure (%d s)" % steady_s
    return "baseline run: natural cadence %.1f spm (median over %d s of steady running)" % (spm, steady_s)


def render_png(a, title):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = a["rows"]
    phase = bool(a["phase"])
    nrows = 4 if phase else 3
    fig = plt.figure(figsize=(13, 4 * nrows))
    gs = fig.add_gridspec(nrows, 2, height_ratios=[1.4] + [1] * (nrows - 1))
    _cadence_panel(fig.add_subplot(gs[0, :]), a)
    hold = _plan_pcts(a)
    _compliance_bars(fig.add_subplot(gs[1, 0]), a["per_min"], "time (min)", "compliance per minute", hold)
    _compliance_bars(fig.add_subplot(gs[1, 1]), a["per_km"], "distance (km-equivalent: steps x %.2f m)"
                     % a["step_m"],
                     "compliance per km-equivalent", hold)
    ax = fig.add_subplot(gs[2, 0] if phase else gs[2, :])
    run = [r[2] for r in rows if r[5]]
    if run:
        ax.hist(run, bins=30, color="tab:blue")
    for t in sorted({r[3] for r in rows if r[3]}):
        ax.axvspan(t - a["band_spm"], t + a["band_spm"], color="tab:green", alpha=0.25, zorder=0)
    ax.set_xlabel(SPM_LABEL)
    ax.set_ylabel("summaries (running only)")
    ax.set_title("cadence distribution, median %.1f spm (green: target band)" % a["median_spm"])
    if phase:
        pv = [v for (_t, v) in a["phase"]]
        ax = fig.add_subplot(gs[2, 1])
        ax.hist(pv, bins=range(int(min(pv)) // 10 * 10 - 10, int(max(pv)) + 20, 10), color="tab:purple")
        ax.axvline(0, color="black", lw=0.8)
        ax.axvline(a["phase_median_ms"], color="tab:red", lw=1.2, ls="--",
                   label="median %+.0f ms" % a["phase_median_ms"])
        ax.set_xlabel("phase error: foot contact - nearest beat (ms; + = after the beat)")
        ax.set_ylabel("steps")
        iqr = a["phase_iqr_ms"]
        ax.set_title("phase error distribution: median |error| %.0f ms%s" % (
            a["phase_abs_median_ms"], "" if iqr is None else ", IQR %.0f ms" % iqr))
        ax.legend(loc="upper right", fontsize=8)
        ax = fig.add_subplot(gs[3, :])
        ax.plot([t / 60.0 for (t, _v) in a["phase"]], pv, ".", ms=2, color="tab:purple", alpha=0.35,
                label="each step")
        tr = a["phase_trend"]
        ax.plot([t / 60.0 for (t, _v) in tr], [v for (_t, v) in tr], color="black", lw=1.2,
                label="median per %g s" % PHASE_BIN_S)
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_xlim(0, max(a["duration_s"] / 60.0, 1))
        ax.set_xlabel("time (min)")
        ax.set_ylabel("contact - beat (ms)")
        ax.set_title("phase error over time (%d steps with a beat)" % len(pv))
        ax.grid(alpha=0.3)
        ax.legend(loc="upper right", fontsize=8)
    return png_bytes(fig, title, rect=(0, 0, 1, 0.985))


def png_bytes(fig, title, rect=None):
    """A finished figure as PNG bytes: the title with the units note, laid out, then closed."""
    import matplotlib.pyplot as plt

    fig.suptitle(title + "\n" + UNIT_NOTE, fontsize=10)
    fig.tight_layout(rect=rect)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    plt.close(fig)
    return buf.getvalue()


def render_html(a, title, png, notes=()):
    e = html.escape
    drift = a["drift_spm"]
    drift_txt = ("%+.1f spm (median of the last quarter of running vs the middle half)" % drift
                 if drift is not None else "not enough running to judge")
    lines = ["<!doctype html><html><head><meta charset='utf-8'><title>%s</title></head><body>" % e(title),
             "<h1>%s</h1>" % e(title), "<p><b>Units:</b> %s.</p>" % e(UNIT_NOTE)]
    for n in notes:
        lines.append("<p><b>Note:</b> %s</p>" % e(n))
    lines += ["<table border='1' cellpadding='4'>",
              "<tr><td>duration</td><td>%.0f s</td></tr>" % a["duration_s"],
              "<tr><td>steps</td><td>%d</td></tr>" % a["steps"],
              "<tr><td>median running cadence</td><td>%.1f steps/min (%.1f strides/min)</td></tr>"
              % (a["median_spm"], a["median_spm"] / 2),
              "<tr><td>time in band (target ±%g spm)</td><td>%s</td></tr>"
              % (a["band_spm"], "%.0f%% of %.0f s running with a target" % (100 * a["time_in_band"],
                                                                             a["judged_time_s"])
                 if a["judged_time_s"] else no_judgement(a)),
              "<tr><td>late drift</td><td>%s</td></tr>" % e(drift_txt),
              "<tr><td>baseline run</td><td>%s</td></tr>"
              % (e(baseline_text(a["baseline"])) if a["baseline"] else "no (not a baseline session)"),
              "<tr><td>alerts fired</td><td>%d too slow, %d too fast</td></tr>"
              % tuple(sum(1 for x in a["alerts"] if x[1] == c) for c in (1, 2)),
              "<tr><td>phase error (contact - beat)</td><td>%s</td></tr>"
              % ("median %+.0f ms, median |error| %.0f ms, IQR %s over %d steps"
                 % (a["phase_median_ms"], a["phase_abs_median_ms"],
                    "-" if a["phase_iqr_ms"] is None else "%.0f ms" % a["phase_iqr_ms"], len(a["phase"]))
                 if a["phase"] else "not logged"),
              "</table>",
              "<img alt='report' src='data:image/png;base64,%s'>" % base64.b64encode(png).decode(),
              "<h2>Per-minute compliance</h2><table border='1'><tr><th>minute</th><th>% in band</th></tr>"]
    lines += ["<tr><td>%d</td><td>%.0f</td></tr>" % (m, 100 * c) for (m, c, _t) in a["per_min"]]
    lines += ["</table><h2>Per-km-equivalent compliance</h2>",
              "<p>Distance is estimated as steps x %.2f m: no GPS on the pod.</p>" % a["step_m"],
              "<table border='1'><tr><th>km</th><th>% in band</th></tr>"]
    lines += ["<tr><td>%d</td><td>%.0f</td></tr>" % (k + 1, 100 * c) for (k, c, _t) in a["per_km"]]
    lines += ["</table>"]
    if a["alerts"]:
        lines += ["<h2>Alerts fired</h2><table border='1'><tr><th>t (min:s)</th><th>alert</th>"
                  "<th>cadence (spm)</th><th>target (spm)</th></tr>"]
        lines += ["<tr><td>%d:%02d</td><td>%s</td><td>%.1f</td><td>%s</td></tr>"
                  % (t // 60, t % 60, ALERT_NAMES.get(k, "code %s" % k), c, "%g" % tg if tg else "-")
                  for (t, k, c, tg) in a["alerts"]]
        lines += ["</table>"]
    if a["plan"] or a["plan_note"]:
        lines += ["<h2>Plan decisions</h2>"]
        if a["plan_note"]:
            lines.append("<p><b>Note:</b> %s</p>" % e(a["plan_note"]))
        lines += ["<table border='1'><tr><th>#</th><th>decision</th><th>target (spm)</th>"
                  "<th>steady running (s)</th><th>in band (s)</th><th>compliance</th></tr>"]
        for r in a["plan"]:
            judged = r["reason"] not in (P.INIT, P.SET, P.RESET, P.SNAPSHOT)
            name = P.REASONS[r["reason"]] if 0 <= r["reason"] < len(P.REASONS) else str(r["reason"])
            lines.append("<tr><td>%d</td><td>%s</td><td>%g &rarr; %g</td><td>%s</td><td>%s</td>"
                         "<td>%s</td></tr>"
                         % (r["seq"], e(name), r["from_x100"] / 100, r["to_x100"] / 100,
                            r["steady_s"] if judged else "-", r["in_band_s"] if judged else "-",
                            "%d %%" % P.compliance_pct(r["steady_s"], r["in_band_s"]) if judged else "-"))
        lines += ["</table>"]
    lines += ["<h2>Events</h2><table border='1'><tr><th>t (s)</th><th>kind</th><th>value</th></tr>"]
    # one row per contact would drown the table: the phase errors are in the charts and the summary
    lines += ["<tr><td>%.1f</td><td>%s</td><td>%s</td></tr>" % (t / 1000.0, e(str(k)), e(str(v)))
              for (t, k, v) in a["events"] if k != "phase"]
    lines += ["</table></body></html>", ""]
    return "\n".join(lines)
