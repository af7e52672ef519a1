"""CSV exports: the cadence timeline, and raw capture in the corpus format (t,ax,ay,az in g)."""
import csv
import io

from ..errors import PodError
from . import UNIT_NOTE, timeline


def timeline_csv(session):
    """One row per summary. Column names carry the unit."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["t_s", "cadence_steps_per_min", "cadence_strides_per_min", "target_steps_per_min",
                "metronome_on", "steps_so_far"])
    steps = session.steps
    j = 0
    for (t_s, spm, target, met) in timeline(session):
        while j < len(steps) and steps[j][0] / 1000.0 <= t_s:
            j += 1
        w.writerow(["%.3f" % t_s, "%.2f" % spm, "%.2f" % (spm / 2), target, int(met), j])
    return buf.getvalue()


def steps_csv(session):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["contact_t_s", "interval_ms", "step_cadence_steps_per_min"])
    for (t, iv) in session.steps:
        w.writerow(["%.3f" % (t / 1000.0), iv, "%.2f" % (60000.0 / iv) if iv else ""])
    return buf.getvalue()


def raw_corpus_csv(session):
    """Raw accelerometer capture -> corpus CSV: t (s from the first sample), ax, ay, az in g."""
    if not session.raw:
        raise PodError("this session has no raw capture (enable raw capture in the pod config)")
    cpg = (session.header.get("counts_per_g") or (session.header.get("config") or {}).get("counts_per_g"))
    if not isinstance(cpg, (int, float)) or cpg <= 0:
        raise PodError("raw capture without counts_per_g in the session header: cannot convert to g")
    t0 = session.raw[0][0]
    buf = io.StringIO()
    buf.write("t,ax,ay,az\n")
    for (t, x, y, z) in session.raw:
        buf.write("%.3f,%.5f,%.5f,%.5f\n" % ((t - t0) / 1000.0, x / cpg, y / cpg, z / cpg))
    return buf.getvalue()


__all__ = ["timeline_csv", "steps_csv", "raw_corpus_csv", "UNIT_NOTE"]
