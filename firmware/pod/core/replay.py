"""Drive a StepDetector over a block of samples and collect raw events.

Shared by the host's `detect` (CPython and the `micropython` engine) and by tests, so both
engines run literally the same loop. Events are ints only:
  (EV_STEP, sample_index, lag_q8)      a step; contact = index - lag_q8 / 256 samples
  (EV_CADENCE, sample_index, spm_x100) the shown cadence changed from this sample on
"""

EV_STEP = 1
EV_CADENCE = 2


class Replay:
    def __init__(self, det):
        self.det = det
        self.index = 0  # sample index of the next sample (unbounded on the host)
        self._shown = 0

    def block(self, buf, n, emit):
        """Feed n samples from buf (x, y, z interleaved ints); emit(kind, index, value) per event."""
        det = self.det
        i = 0
        while i < n:
            k = det.feed(buf[3 * i], buf[3 * i + 1], buf[3 * i + 2])
            idx = self.index
            for j in range(k):
                emit(EV_STEP, idx, det.lag_q8(j))
            cad = det.cadence_x100()
            if cad != self._shown:
                self._shown = cad
                emit(EV_CADENCE, idx, cad)
            self.index = idx + 1
            i += 1
