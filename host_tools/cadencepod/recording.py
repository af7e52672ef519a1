"""Recordings in the corpus CSV format (t,ax,ay,az; t in s, acceleration in g).

`to_counts` turns one into what the pod's IMU would deliver: samples at the output data rate,
each the mean over its sample period (the IMU's own averaging filter), scaled to int16 counts.
"""
import csv
from array import array

from .errors import PodError

DEFAULT_ODR_HZ = 104.0
DEFAULT_COUNTS_PER_G = 4096  # +-8 g, as the firmware configures both IMUs


def load_csv(path):
    """Return (t, ax, ay, az) lists, checked: a clear PodError for anything malformed."""
    t, ax, ay, az = [], [], [], []
    try:
        with open(path, newline="") as fh:
            rows = csv.reader(fh)
            head = next(rows, None)
            if head is None or [h.strip() for h in head[:4]] != ["t", "ax", "ay", "az"]:
                raise PodError("%s: not a recording: the header must be t,ax,ay,az" % path)
            for line_no, row in enumerate(rows, start=2):
                if not row:
                    continue
                try:
                    vals = [float(v) for v in row[:4]]
                except ValueError:
                    msg = "%s line %d: not a number in %r" % (path, line_no, ",".join(row))
                    raise PodError(msg) from None
                if len(vals) < 4:
                    raise PodError("%s line %d: expected 4 columns" % (path, line_no))
                if t and vals[0] < t[-1]:
                    raise PodError("%s line %d: time goes backwards" % (path, line_no))
                t.append(vals[0])
                ax.append(vals[1])
                ay.append(vals[2])
                az.append(vals[3])
    except FileNotFoundError:
        raise PodError("%s: no such file" % path) from None
    except UnicodeDecodeError:
        raise PodError("%s: not a text CSV file" % path) from None
    if len(t) < 2:
        raise PodError("%s: fewer than two samples" % path)
    return t, ax, ay, az


def to_counts(t, ax, ay, az, odr_hz=DEFAULT_ODR_HZ, counts_per_g=DEFAULT_COUNTS_PER_G):
    """Resample to odr_hz by averaging each sample period; return array('h') of x,y,z triples."""
    period = 1.0 / odr_hz
    n_out = int((t[-1] - t[0]) / period)
    out = array("h", bytes(6 * n_out))
    j = 0
    n_in = len(t)
    for k in range(n_out):
        t1 = t[0] + (k + 1) * period
        t0 = t1 - period
        s = [0.0, 0.0, 0.0]
        c = 0
        while j < n_in and t[j] <= t1:
            if t[j] > t0:
                s[0] += ax[j]
                s[1] += ay[j]
                s[2] += az[j]
                c += 1
            j += 1
        if c:
            v = (s[0] / c, s[1] / c, s[2] / c)
        else:  # input slower than the ODR: interpolate between neighbours
            i1 = min(max(j, 1), n_in - 1)
            i0 = i1 - 1
            w = 0.0 if t[i1] == t[i0] else (t1 - t[i0]) / (t[i1] - t[i0])
            w = min(max(w, 0.0), 1.0)
            v = tuple(c[i0] + w * (c[i1] - c[i0]) for c in (ax, ay, az))
        for a in range(3):
            q = int(round(v[a] * counts_per_g))
            out[3 * k + a] = -32768 if q < -32768 else (32767 if q > 32767 else q)
    return out
