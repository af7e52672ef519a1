"""Closed-loop metronome: phase errors, locking onto the runner, leading at a bounded rate."""
import coach_runner
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pod.core import sync as S


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**7), st.integers(0, 10**6), st.integers(250, 800))
def test_phase_error_is_the_signed_distance_to_the_nearest_beat(contact, beat0, period):
    e = S.phase_error_ms(contact, beat0, period)
    k = (contact - beat0 - e) // period
    assert beat0 + k * period + e == contact
    assert -period // 2 <= e <= period // 2
    nearest = min(abs(contact - (beat0 + j * period)) for j in range(k - 2, k + 3))
    assert abs(e) == nearest


def play(sync, **kw):
    states = []
    orig = sync.poll

    def poll(t):
        due = orig(t)
        if due:
            states.append(sync.state)
        return due

    sync.poll = poll
    beats, contacts = coach_runner.run(sync, **kw)
    return beats, contacts, states


@settings(max_examples=40, deadline=None)
@given(st.integers(-30, 40), st.integers(0, 8), st.integers(0, 10**6), st.sampled_from([10, 20, 50]))
def test_sync_locks_within_4_beats_and_ramps_no_faster_than_the_rate(lag, noise, seed, rate):
    sync = S.Sync(17000, rate_x100_per_s=rate)
    beats, contacts, states = play(sync, start_spm=160, lag_ms=lag, noise_ms=noise, seconds=100, seed=seed)
    # locked by the 4th beat: the beat stopped chasing and leads, and the runner's steps land on it
    assert states[3] == S.LEAD
    t4 = beats[3][0]
    errs = [e for t, e in contacts if t > t4]
    assert errs and all(abs(e - lag) <= 25 + 3 * noise for e in errs), max(abs(e - lag) for e in errs)
    # the tempo starts at the runner's own over the acquiring steps, and rises at most `rate`
    # spm*100 per second
    t0, tempo0 = beats[0]
    first = [t for t, _ in contacts[:6]]
    assert tempo0 == 6000000 * 5 // (first[5] - first[0])
    low = None
    for t, tempo in beats:
        v = tempo * 1000 - rate * t
        low = v if low is None else min(low, v)
        assert v - low <= 1000 + rate * 2  # <= 1 spm*100 rounding, 2 ms of beat-time rounding
    reached = [t for t, tempo in beats if tempo == 17000]
    if rate >= 20:  # 10 spm at 0.2 spm/s takes 50 s: the follower gets there inside the run
        assert reached
    if reached:
        assert reached[0] - t0 >= (17000 - tempo0) * 1000 // rate - 1000


def test_runner_who_does_not_follow_is_not_dragged():
    sync = S.Sync(17000, rate_x100_per_s=50)
    beats, _, _ = play(sync, start_spm=160, alpha=0.0, beta=0.0, noise_ms=0, seconds=60, seed=3)
    assert max(t for _, t in beats) <= 16000 + 400 + 50  # held within follow_x100 of the runner


def test_fixed_mode_keeps_exact_time_over_an_hour():
    sync = S.Sync(17300, sync=False)
    sync.start(1000)
    n = 0
    t = 1000
    last = None
    while n < 10380:  # one hour of beats at 173 spm
        t = sync.next_beat_ms()
        assert sync.poll(t)
        assert not sync.poll(t)
        n += 1
        last = t
    exact = 1000 + (n - 1) * 60000 / 173  # float only in the test
    assert abs(last - exact) <= 1
    assert sync.contact(last + 7) == 7
    assert sync.contact(last + 340) == 340 - round(60000 / 173)


def test_stop_ends_the_beat_and_resync_restarts_it():
    sync = S.Sync(17000, acq_n=4)
    for i in range(4):
        assert sync.contact(375 * i) is None
    assert sync.state == S.LOCK and sync.tempo_x100 == 16000
    assert sync.next_beat_ms() == 375 * 4  # in phase: on the runner's next contact
    for i in range(4, 7):
        assert not sync.poll(375 * i - 1)
        assert sync.poll(375 * i)
        assert sync.contact(375 * i) == 0
    assert sync.state == S.LEAD
    assert sync.contact(375 * 6 + 30) == 30  # leading: the beat no longer moves to the runner
    assert sync.next_beat_ms() - 375 * 6 in (sync.period_ms(), sync.period_ms() + 1)
    assert sync.poll(375 * 6 + 30 + 2999)  # still beating 2.999 s after the last contact
    assert not sync.poll(375 * 6 + 30 + 3000) and sync.state == S.ACQUIRE
    assert sync.contact(10000) is None


def test_uneven_steps_do_not_start_a_beat():
    sync = S.Sync(17000)
    for t in (0, 300, 700, 950, 1400, 1600):
        assert sync.contact(t) is None
    assert sync.state == S.ACQUIRE and not sync.poll(2000)


@pytest.mark.parametrize("kw", [dict(target_x100=5000), dict(target_x100=17000, rate_x100_per_s=0),
                                dict(target_x100=17000, acq_n=10)])
def test_bad_config(kw):
    with pytest.raises(ValueError):
        S.Sync(**kw)
