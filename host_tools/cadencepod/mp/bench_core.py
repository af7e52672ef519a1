# Runs under `micropython`: per-sample cost of StepDetector.feed beside a no-op call, same run.
# usage: micropython bench_core.py SAMPLES.i16 [repeats]    (firmware/ on MICROPYPATH)
import gc
import sys
import time
from array import array

from pod.core.detector import StepDetector


class NoOp:
    def feed(self, x, y, z):
        return 0


def run(obj, buf, n):
    t0 = time.ticks_us()
    i = 0
    while i < n:
        obj.feed(buf[3 * i], buf[3 * i + 1], buf[3 * i + 2])
        i += 1
    return time.ticks_diff(time.ticks_us(), t0)


def main():
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with open(path, "rb") as fh:
        data = fh.read()
    buf = array("h", data)
    n = len(buf) // 3
    best_det = best_noop = None
    for _ in range(repeats):  # best of: the least disturbed run
        gc.collect()
        d = run(StepDetector(odr_mhz=104000, counts_per_g=4096), buf, n)
        gc.collect()
        z = run(NoOp(), buf, n)
        best_det = d if best_det is None or d < best_det else best_det
        best_noop = z if best_noop is None or z < best_noop else best_noop
    print('{"samples": %d, "feed_us": %.3f, "noop_us": %.3f}' % (n, best_det / n, best_noop / n))


main()
