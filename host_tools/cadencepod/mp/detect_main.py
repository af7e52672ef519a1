# Runs under the `micropython` binary: feeds a file of int16 x,y,z triples through the core.
# usage: micropython detect_main.py SAMPLES.i16 ODR_MHZ COUNTS_PER_G   (firmware/ on MICROPYPATH)
import sys
from array import array

from pod.core.detector import StepDetector
from pod.core.replay import Replay

BLOCK = 64  # samples per read: like a FIFO batch


def emit(kind, idx, val):
    print(kind, idx, val)


def main():
    path, odr_mhz, cpg = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rep = Replay(StepDetector(odr_mhz=odr_mhz, counts_per_g=cpg))
    buf = array("h", bytes(6 * BLOCK))
    mv = memoryview(buf)
    with open(path, "rb") as fh:
        while True:
            nbytes = fh.readinto(mv)
            if not nbytes:
                break
            rep.block(buf, nbytes // 6, emit)


main()
