"""Session report: numbers (time in band, compliance per minute and per km-equivalent, late drift)
and their rendering to one PNG (matplotlib, Agg) and one self-contained HTML page."""
import base64
import html
import io
import statistics

from .exporters import UNIT_NOTE, timeline

DEFAULT_BAND_SPM = 3.0
DEFAULT_STEP_M = 1.0  # step length for km-equivalents when the config has none (~10 km/h at 170 spm)
RUNNING_MIN_SPM = 120.0  # below this a summary counts as walking/stopped: not judged against the target


def analyze(session, band_spm=DEFAULT_BAND_SPM, step_m=None):
    tl = timeline(session)
    cfg = (session.header or {}).get("config") or {}
    if step_m is None:
        step_m = cfg.get("step_length_m") or (cfg.get("stride_length_m") or 0) / 2 or DEFAULT_STEP_M
    rows = []  # (t_s, dt_s, spm, target, in_band, running, steps_so_far)
    steps = session.steps
    j = 0
    for i, (t, spm, target, _met) in enumerate(tl):
        dt = (tl[i + 1][0] - t) if i + 1 < len(tl) else (tl[i][0] - tl[i - 1][0] if i else 0.0)
        while j < len(steps) and steps[j][0] / 1000.0 <= t:
            j += 1
        running = spm >= RUNNING_MIN_SPM
        in_band = running and target > 0 and abs(spm - target) <= band_spm
        rows.append((t, max(dt, 0.0), spm, target, in_band, running, j))
    run_time = sum(r[1] for r in rows if r[5])
    band_time = sum(r[1] for r in rows if r[4])
    run_spm = [r[2] for r in rows if r[5]]

    def compliance(key):
        bins = {}
        for r in rows:
            if r[5]:
                b = bins.setdefault(key(r), [0.0, 0.0])
                b[0] += r[1]
                b[1] += r[1] if r[4] else 0.0
        return [(k, (v[1] / v[0]) if v[0] else 0.0, v[0]) for k, v in sorted(bins.items())]

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
    alerts = [(t / 1000.0, v) for (t, k, v) in session.events if k == "alert"]
    return {
        "phase": phase, "alerts": alerts,
        "phase_abs_median_ms": statistics.median(abs(v) for (_t, v) in phase) if phase else None,
        "rows": rows, "band_spm": band_spm, "step_m": step_m,
        "run_time_s": run_time, "band_time_s": band_time,
        "time_in_band": (band_time / run_time) if run_time else 0.0,
        "median_spm": statistics.median(run_spm) if run_spm else 0.0,
        "per_min": per_min, "per_km": per_km, "drift_spm": drift,
        "steps": len(steps), "duration_s": session.duration_ms() / 1000.0,
        "events": session.events,
    }


def render_png(a, title):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = a["rows"]
    coach = bool(a["phase"] or a["alerts"])
    fig, axs = plt.subplots(3 if coach else 2, 2, figsize=(12, 11 if coach else 8))
    ax = axs[0][0]
    ts = [r[0] / 60.0 for r in rows]
    ax.plot(ts, [r[2] for r in rows], lw=1, color="tab:blue", label="cadence")
    tg = [r[3] if r[3] else float("nan") for r in rows]
    ax.fill_between(ts, [t - a["band_spm"] for t in tg], [t + a["band_spm"] for t in tg], color="tab:green",
                    alpha=0.25, step="post", label="target ±%g spm" % a["band_spm"])
    ax.set_xlabel("time (min)")
    ax.set_ylabel("cadence (steps/min)")
    ax.set_title("cadence vs target band" + ("" if a["drift_spm"] is None else
                                              ", late drift %+.1f spm" % a["drift_spm"]))
    ax.legend(loc="lower right")
    ax = axs[0][1]
    run = [r[2] for r in rows if r[5]]
    if run:
        ax.hist(run, bins=30, color="tab:blue")
    ax.set_xlabel("cadence (steps/min)")
    ax.set_ylabel("summaries")
    ax.set_title("histogram (running only): %.0f%% of time in band" % (100 * a["time_in_band"]))
    ax = axs[1][0]
    ax.bar([m for (m, _c, _t) in a["per_min"]], [100 * c for (_m, c, _t) in a["per_min"]], color="tab:green")
    ax.set_xlabel("minute")
    ax.set_ylabel("% of running time in band")
    ax.set_title("per-minute compliance")
    ax.set_ylim(0, 100)
    ax = axs[1][1]
    ax.bar([k + 1 for (k, _c, _t) in a["per_km"]], [100 * c for (_k, c, _t) in a["per_km"]],
           color="tab:purple")
    ax.set_xlabel("km-equivalent (steps x %.2f m)" % a["step_m"])
    ax.set_ylabel("% in band")
    ax.set_ylim(0, 100)
    ax.set_title("per-km-equivalent compliance")
    if coach:
        ax = axs[2][0]
        if a["phase"]:
            ax.plot([t / 60.0 for (t, _v) in a["phase"]], [v for (_t, v) in a["phase"]], ".", ms=2)
        ax.axhline(0, color="grey", lw=0.5)
        ax.set_xlabel("time (min)")
        ax.set_ylabel("contact - beat (ms)")
        ax.set_title("phase error")
        ax = axs[2][1]
        for (t, _v) in a["alerts"]:
            ax.axvline(t / 60.0, color="tab:red", lw=1)
        ax.set_xlim(0, max(a["duration_s"] / 60.0, 1))
        ax.set_yticks([])
        ax.set_xlabel("time (min)")
        ax.set_title("alerts fired: %d" % len(a["alerts"]))
    fig.suptitle(title + " - " + UNIT_NOTE, fontsize=9)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
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
              "<tr><td>time in band (target ±%g spm)</td><td>%.0f%% of %.0f s running</td></tr>"
              % (a["band_spm"], 100 * a["time_in_band"], a["run_time_s"]),
              "<tr><td>late drift</td><td>%s</td></tr>" % e(drift_txt),
              "<tr><td>alerts fired</td><td>%d</td></tr>" % len(a["alerts"]),
              "<tr><td>phase error, median |contact - beat|</td><td>%s</td></tr>"
              % ("%.0f ms over %d steps" % (a["phase_abs_median_ms"], len(a["phase"]))
                 if a["phase"] else "not logged"),
              "</table>",
              "<img alt='report' src='data:image/png;base64,%s'>" % base64.b64encode(png).decode(),
              "<h2>Per-minute compliance</h2><table border='1'><tr><th>minute</th><th>% in band</th></tr>"]
    lines += ["<tr><td>%d</td><td>%.0f</td></tr>" % (m, 100 * c) for (m, c, _t) in a["per_min"]]
    lines += ["</table><h2>Per-km-equivalent compliance</h2>",
              "<p>Distance is estimated as steps x %.2f m: no GPS on the pod.</p>" % a["step_m"],
              "<table border='1'><tr><th>km</th><th>% in band</th></tr>"]
    lines += ["<tr><td>%d</td><td>%.0f</td></tr>" % (k + 1, 100 * c) for (k, c, _t) in a["per_km"]]
    lines += ["</table><h2>Events</h2><table border='1'><tr><th>t (s)</th><th>kind</th><th>value</th></tr>"]
    lines += ["<tr><td>%.1f</td><td>%s</td><td>%s</td></tr>" % (t / 1000.0, e(str(k)), e(str(v)))
              for (t, k, v) in a["events"]]
    lines += ["</table></body></html>", ""]
    return "\n".join(lines)
