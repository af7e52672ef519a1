"""The coaching core fed by the real detector on real running recordings (sacrum, treadmill).

Fixtures: tests/fixtures/sacrum-running-treadmill (Apache-2.0, source in its README and JSON).
The clips are 5 s; auto start and the baseline need longer, so they see each clip three times in a
row (a seam every 5 s, which a real run does not have)."""
import json

import pytest
from cadencepod.recording import load_csv, to_counts
from pod.core import autostart, baseline, sync
from pod.core.detector import StepDetector
from podtest import FIXTURES

TRIALS = ["trial00", "trial04", "trial18", "trial26"]
ODR_HZ = 104


def contacts(trial, reps):
    """Contact times (ms) the detector reports over `reps` back-to-back copies, with its cadence."""
    base = FIXTURES / "sacrum-running-treadmill" / trial
    c = to_counts(*load_csv(str(base) + ".csv"), odr_hz=ODR_HZ)
    truth = json.loads((base.with_suffix(".json")).read_text())["truth"]["steps"]
    n = len(c) // 3
    det = StepDetector(odr_mhz=ODR_HZ * 1000, counts_per_g=4096)
    out = []
    for k in range(n * reps):
        i = k % n
        m = det.feed(c[3 * i], c[3 * i + 1], c[3 * i + 2])
        for j in range(m):
            out.append(((k * 256 - det.lag_q8(j)) * 1000 // (ODR_HZ * 256), det.cadence_x100()))
    ivs = [b - a for a, b in zip(truth, truth[1:], strict=False)]
    return out, 6000000 * len(ivs) // int(sum(ivs) * 1000)


@pytest.mark.parametrize("trial", TRIALS)
def test_sync_starts_in_phase_with_a_real_runner(trial):
    steps, truth_x100 = contacts(trial, 1)
    sy = sync.Sync(19000)
    errs = []
    for t, _ in steps:
        sy.poll(t)
        e = sy.contact(t)
        if e is not None:
            errs.append(e)
    assert sy.state == sync.LEAD
    assert abs(sy.tempo_x100 - truth_x100) <= 600  # the runner's own tempo (+ at most the ramp)
    assert len(errs) >= 6
    # this runner ignores the beat, yet the first beats land on the steps
    assert all(abs(e) <= 60 for e in errs[:6]), errs


@pytest.mark.parametrize("trial", TRIALS)
def test_autostart_and_baseline_on_a_real_run(trial):
    steps, truth_x100 = contacts(trial, 3)
    au = autostart.AutoStart()
    bm = baseline.BaselineMeter(warmup_ms=2000, settle_ms=1000)
    start = None
    for t, cad in steps:
        bm.update(t, cad)
        if au.step(t, cad) == autostart.START:
            start = t
            kept = au.pre_steps()
    assert start is not None and 10000 <= start - steps[0][0] <= 13000
    assert kept[0] == steps[0][0]  # the session keeps every step from the first one
    assert abs(bm.median_x100(min_steady_ms=5000) - truth_x100) <= 400
