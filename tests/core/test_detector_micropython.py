"""The core under the real `micropython` binary: identical events to CPython, no allocation."""
import glob
import os

import pytest
from cadencepod import recording
from cadencepod.detect import events_cpython, events_micropython
from podtest import FIXTURES

RECORDINGS = sorted(glob.glob(str(FIXTURES / "*" / "*.csv")))


def counts(path):
    t, ax, ay, az = recording.load_csv(path)
    return recording.to_counts(t, ax, ay, az)


def test_fixtures_are_shipped():
    assert len(RECORDINGS) >= 5


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: os.path.relpath(p, FIXTURES))
def test_micropython_events_identical_to_cpython(path):
    samples = counts(path)
    cp = events_cpython(samples, 104000, 4096)
    mp = events_micropython(samples, 104000, 4096)
    assert mp == cp
    if "wrist" not in path:  # the still recordings must stay at zero steps; the rest must step
        assert any(k == 1 for k, _, _ in cp)


@pytest.mark.parametrize("names", [["lowerback-daily-mobgap/HA-001-test11"],
                                   ["sacrum-running-treadmill/trial%02d" % i for i in (0, 4, 18, 26)]])
def test_feed_does_not_allocate(micropython, tmp_path, names):
    samples = counts(str(FIXTURES / (names[0] + ".csv")))
    for name in names[1:]:  # the treadmill trials back to back: thousands of running samples
        samples.extend(counts(str(FIXTURES / (name + ".csv"))))
    path = tmp_path / "s.i16"
    path.write_bytes(samples.tobytes())
    script = os.path.join(os.path.dirname(__file__), "mp_heaplock.py")
    p = micropython([script, str(path)], heapsize="96K")
    assert p.returncode == 0, p.stderr.decode() + p.stdout.decode()
    words = p.stdout.decode().split()
    assert words[0] == "steps" and int(words[1]) > 0
    assert int(words[3]) == len(samples) // 3 >= 1000
