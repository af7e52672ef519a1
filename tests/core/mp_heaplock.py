# Runs under `micropython`: feeds a recording through StepDetector with the heap locked.
# Any allocation in feed() raises MemoryError. Prints "steps N samples M" on success.
# usage: micropython mp_heaplock.py SAMPLES.i16
import sys
from array import array

import micropython

from pod.core.detector import StepDetector

with open(sys.argv[1], "rb") as fh:
    buf = array("h", fh.read())
n = len(buf) // 3
det = StepDetector(odr_mhz=104000, counts_per_g=4096)
steps = 0
cad = 0
i = 0
micropython.heap_lock()
try:
    while i < n:
        k = det.feed(buf[3 * i], buf[3 * i + 1], buf[3 * i + 2])
        j = 0
        while j < k:
            lag = det.lag_q8(j)
            j += 1
        steps += k
        cad = det.cadence_x100()
        i += 1
finally:
    micropython.heap_unlock()
print("steps", steps, "samples", n, "cadence", cad)
