"""Metronome schedule maths: exact against rational arithmetic, drift-free, wrap-safe, no allocation."""
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pod.core.metronome import Metronome, ticks_add30, ticks_diff30

WRAP = 1 << 30


def ideal(start, k, spm_x100, div):
    return (start + int(Fraction(60_000_000 * div * 100, spm_x100) * k)) % WRAP


@settings(max_examples=60, deadline=None)
@given(start=st.integers(0, WRAP - 1), spm_x100=st.integers(3000, 30000), div=st.sampled_from([1, 2, 4]),
       n=st.integers(1, 400))
def test_every_beat_is_exactly_on_the_rational_schedule(start, spm_x100, div, n):
    m = Metronome(steps_per_beat=div)
    m.set_spm_x100(spm_x100)
    m.start(start)
    for k in range(n):
        assert m.due_us() == ideal(start, k, spm_x100, div)
        m.advance()


def test_three_hours_at_odd_tempo_has_zero_drift():
    # 173 spm: a period of 346820.809... us that no integer step represents.
    m = Metronome(spm=173)
    start = WRAP - 5_000_000  # wraps 5 s in, then ten more times
    m.start(start)
    k = 0
    worst = 0
    while True:
        t = m.due_us()
        exact = Fraction(start) + Fraction(60_000_000, 173) * k
        if exact > start + 3 * 3600 * 1_000_000:
            break
        err = ticks_diff30(t, int(exact) % WRAP)
        worst = max(worst, abs(err))
        m.advance()
        k += 1
    assert k > 31000
    assert worst == 0


def test_tempo_change_reanchors_on_last_beat():
    m = Metronome(spm=170)
    m.start(1000)
    for _ in range(10):
        m.advance()
    last = ticks_add30(1000, int(Fraction(60_000_000, 170) * 9))
    m.set_spm(175)
    assert m.due_us() == ticks_add30(last, 60_000_000 // 175)
    m.advance()
    assert m.due_us() == ticks_add30(last, int(Fraction(60_000_000, 175) * 2))


def test_division_and_accents():
    m = Metronome(spm=180, steps_per_beat=2, accent_every=4)
    assert m.period_us() == 666666
    m.start(0)
    accents = []
    for _ in range(8):
        accents.append(m.is_accent())
        m.advance()
    assert accents == [True, False, False, False, True, False, False, False]
    m.set_accent_every(0)
    assert not m.is_accent()


def test_skip_late_drops_missed_beats_without_moving_the_schedule():
    m = Metronome(spm=120)
    m.start(0)
    assert m.skip_late(1_600_000) == 4  # beats at 0, 0.5, 1.0, 1.5 s are gone
    assert m.due_us() == 2_000_000


@pytest.mark.parametrize("bad", [dict(spm=20), dict(spm=400), dict(steps_per_beat=3), dict(accent_every=-1)])
def test_bad_settings_raise_clear_valueerror(bad):
    with pytest.raises(ValueError):
        Metronome(**bad)


MP_SCRIPT = r"""
import micropython
from pod.core.metronome import Metronome, ticks_diff30
m = Metronome(spm=173, steps_per_beat=1, accent_every=4)
m.start((1 << 30) - 1000)
def run(m):
    n = 0
    while n < 40000:
        m.is_accent()
        m.advance()
        n += 1
    return n
micropython.heap_lock()
try:
    n = run(m)
finally:
    micropython.heap_unlock()
print("OK", n, m.due_us() < (1 << 30))
"""


def test_no_heap_allocation_and_small_ints_on_micropython(micropython, tmp_path):
    script = tmp_path / "m.py"
    script.write_text(MP_SCRIPT)
    r = micropython([str(script)], heapsize="96K")
    assert r.returncode == 0, r.stderr.decode() + r.stdout.decode()
    assert r.stdout.decode().split() == ["OK", "40000", "True"]
