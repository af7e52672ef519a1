"""Battery guard: one warning, one clean stop, no reaction to a single sag or to no battery at all."""
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pod.core import battery as B


def run(mvs, **kw):
    g = B.BatteryGuard(**kw)
    return [g.update(mv) for mv in mvs]


def test_a_discharge_warns_once_then_stops_once():
    mvs = list(range(4100, 3200, -10))
    ev = run(mvs)
    assert ev.count(B.LOW) == 1 and ev.count(B.EMPTY) == 1
    assert mvs[ev.index(B.LOW)] < 3500 and mvs[ev.index(B.EMPTY)] < 3400
    assert ev.index(B.LOW) < ev.index(B.EMPTY)


def test_a_single_sag_is_not_a_level():
    assert run([3900, 3300, 3900, 3300, 3900]) == [B.NONE] * 5


def test_no_battery_reads_change_nothing():
    assert run([0, 100, 2400, 0]) == [B.NONE] * 4


def test_charging_rearms_the_warning():
    ev = run([3400, 3400, 3700, 3700, 3400, 3400], empty_mv=0)
    assert ev == [B.NONE, B.LOW, B.NONE, B.NONE, B.NONE, B.LOW]


def test_a_level_of_zero_is_off_and_bad_levels_are_refused():
    assert run([3000] * 5, low_mv=0, empty_mv=0) == [B.NONE] * 5
    with pytest.raises(ValueError):
        B.BatteryGuard(low_mv=3300, empty_mv=3400)


@given(st.lists(st.integers(0, 4500), max_size=200), st.integers(1, 4))
def test_each_event_needs_confirm_readings_below_its_level_and_empty_comes_once(mvs, confirm):
    g = B.BatteryGuard(confirm=confirm)
    run_low = run_empty = 0
    empties = 0
    for mv in mvs:
        ev = g.update(mv)
        if mv >= B.NO_BATTERY_MV:
            run_low = run_low + 1 if mv < g.low_mv else 0
            run_empty = run_empty + 1 if mv < g.empty_mv else 0
        if ev == B.LOW:
            assert run_low >= confirm
        if ev == B.EMPTY:
            assert run_empty >= confirm
            empties += 1
        if mv >= g.low_mv + B.RECOVER_MV:
            empties = 0  # charged: may empty again
        assert empties <= 1
