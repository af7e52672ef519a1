"""Synthetic gait signals and event helpers for the detector tests."""
import math
from array import array

from pod.core.detector import StepDetector
from pod.core.replay import EV_STEP, Replay

ODR_HZ = 104
CPG = 4096


def gait(spm, seconds, amp_g=None, odr_hz=ODR_HZ, axis=(0.0, 0.0, 1.0), start_s=0.0):
    """Gravity along `axis` plus one smooth hump per step (a vertical impact-like pulse).

    The default hump is walking-sized below 140 spm and running-sized above (peaks of about
    2.4 g at the waist, as in the treadmill recordings)."""
    if amp_g is None:
        amp_g = 0.8 if spm < 140 else 2.0
    n = int(seconds * odr_hz)
    period = 60.0 / spm
    out = array("h", bytes(6 * n))
    for i in range(n):
        t = i / odr_hz
        v = 1.0
        if t >= start_s:
            ph = ((t - start_s) % period) / period
            v += amp_g * (math.exp(-((ph - 0.3) / 0.12) ** 2) - 0.3)
        for a in range(3):
            out[3 * i + a] = max(-32768, min(32767, int(round(v * axis[a] * CPG))))
    return out


def run(samples, det=None, chunks=None):
    det = det or StepDetector(odr_mhz=ODR_HZ * 1000, counts_per_g=CPG)
    rep = Replay(det)
    ev = []

    def emit(k, i, v):
        ev.append((k, i, v))

    n = len(samples) // 3
    if chunks is None:
        rep.block(samples, n, emit)
    else:
        pos = 0
        for c in chunks:
            if pos >= n:
                break
            c = min(c, n - pos)
            rep.block(samples[3 * pos:3 * (pos + c)], c, emit)
            pos += c
        if pos < n:
            rep.block(samples[3 * pos:], n - pos, emit)
    return ev


def step_times(events):
    """Contact times in samples (float) of the step events."""
    return [i - v / 256.0 for k, i, v in events if k == EV_STEP]
