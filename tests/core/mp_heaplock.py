# Runs under `micropython`: feeds a recording through StepDetector with the heap locked, the way
# the firmware does: a FIFO-sized block is read with the heap unlocked, then fed with it locked.
# Any allocation in feed() raises MemoryError. Prints "steps N samples M cadence C" on success.
# usage: micropython mp_heaplock.py SAMPLES.i16 [ODR_MHZ]
import sys
from array import array

import micropython
from pod.core.detector import StepDetector

BLOCK = 32


def feed_locked(det, buf, n):
    # locals only: a new global name would grow the module dict, which allocates
    steps = 0
    micropython.heap_lock()
    try:
        i = 0
        while i < n:
            k = det.feed(buf[3 * i], buf[3 * i + 1], buf[3 * i + 2])
            j = 0
            while j < k:
                det.lag_q8(j)
                j += 1
            steps += k
            det.cadence_x100()
            i += 1
    finally:
        micropython.heap_unlock()
    return steps


def main():
    buf = array("h", bytes(6 * BLOCK))
    mv = memoryview(buf)
    det = StepDetector(odr_mhz=int(sys.argv[2]) if len(sys.argv) > 2 else 104000, counts_per_g=4096)
    steps = 0
    samples = 0
    with open(sys.argv[1], "rb") as fh:
        while True:
            nbytes = fh.readinto(mv)
            if not nbytes:
                break
            steps += feed_locked(det, buf, nbytes // 6)
            samples += nbytes // 6
    print("steps", steps, "samples", samples, "cadence", det.cadence_x100())


main()
