"""Session log codec: exact round trip, and a reader that survives truncation and corruption."""
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pod.core import logcodec as lc

U32 = st.integers(0, 0xFFFFFFFF)
json_scalar = st.one_of(st.integers(-(2 ** 40), 2 ** 40), st.text(max_size=12), st.booleans())
json_value = st.one_of(json_scalar, st.lists(st.integers(-1000, 1000), max_size=4),
                       st.dictionaries(st.text(max_size=6), st.integers(-1000, 1000), max_size=3))


@st.composite
def raw_record(draw):
    t0 = draw(st.integers(0, 0xFFFFFFFF - 0xFFFF))
    n = draw(st.integers(1, lc.MAX_RAW_PER_FRAME))
    i16 = st.integers(-32768, 32767)
    samples = [(t0, draw(i16), draw(i16), draw(i16))]
    for _ in range(n - 1):
        samples.append((t0 + draw(st.integers(0, 0xFFFF)), draw(i16), draw(i16), draw(i16)))
    return ("raw", t0, samples)


record = st.one_of(
    st.tuples(st.just("step"), U32, st.integers(0, 0xFFFF)),
    st.tuples(st.just("step_phase"), U32, st.integers(0, 0xFFFF), st.integers(-32768, 32767)),
    st.tuples(st.just("summary"), U32, st.integers(0, 0xFFFF), st.integers(0, 255), st.booleans()),
    st.tuples(st.just("event"), U32, st.sampled_from(lc.EVENT_KINDS), st.integers(lc.I32_MIN, lc.I32_MAX)),
    st.tuples(st.just("event"), U32, st.text(min_size=1, max_size=10), json_value),
    raw_record(),
    st.tuples(st.just("end"), U32, U32),
)
header = st.fixed_dictionaries({
    "fw": st.text(max_size=10), "board": st.sampled_from(["sim", "m5stickc_plus2", "xiao_esp32s3_lsm6dso"]),
    "config": st.dictionaries(st.text(max_size=8), st.integers(0, 500), max_size=5),
    "start_s": st.one_of(st.none(), st.integers(0, 2 ** 32)),
})


@st.composite
def session(draw):
    return [("header", lc.FORMAT_VERSION, draw(header))] + draw(st.lists(record, max_size=25))


def frame_ends(records):
    """End offset of each record's frame in encode_records(records)."""
    ends, off = [], 0
    for r in records:
        off += len(lc.encode_records([r]))
        ends.append(off)
    return ends


@settings(max_examples=150, deadline=None)
@given(session())
def test_round_trip_exact(recs):
    data = lc.encode_records(recs)
    s = lc.decode(data)
    assert s.records == recs
    assert s.damage == []
    assert s.header == recs[0][2]
    assert s.good_bytes == len(data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(session())
def test_truncation_at_every_offset_keeps_exactly_the_complete_records(recs):
    data = lc.encode_records(recs)
    ends = frame_ends(recs)
    for k in range(len(data) + 1):
        s = lc.decode(data[:k])
        n_complete = sum(1 for e in ends if e <= k)
        assert s.records == recs[:n_complete]
        assert bool(s.damage) == (k not in ends and k != 0)


@settings(max_examples=200, deadline=None)
@given(session(), st.data())
def test_random_corruption_keeps_everything_before_the_damage(recs, data_st):
    data = bytearray(lc.encode_records(recs))
    ends = frame_ends(recs)
    n_hits = data_st.draw(st.integers(1, 4))
    hits = sorted(data_st.draw(st.lists(st.integers(0, len(data) - 1), min_size=1, max_size=n_hits,
                                        unique=True)))
    for p in hits:
        data[p] ^= data_st.draw(st.integers(1, 255))
    first = hits[0]
    before = sum(1 for e in ends if e <= first)
    strict = lc.decode(bytes(data))
    assert strict.records == recs[:before]
    assert strict.damage and strict.damage[0].offset == ([0] + ends)[before]
    healed = lc.decode(bytes(data), resync=True)
    assert healed.records[:before] == recs[:before]
    if len(hits) == 1:  # one damaged frame: resync recovers every other record
        assert healed.records == recs[:before] + recs[before + 1:]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.booleans())
def test_arbitrary_bytes_never_crash_the_reader(blob, resync):
    s = lc.decode(blob, resync=resync)
    assert s.good_bytes <= len(blob)


def test_garbage_between_sessions_of_frames_is_skipped_with_resync():
    recs = [("header", 1, {"fw": "x", "board": "sim", "config": {}, "start_s": None})]
    recs += [("step", 100 * i, 350) for i in range(20)]
    data = lc.encode_records(recs)
    rng = random.Random(4)
    cut = len(lc.encode_records(recs[:8]))
    junk = bytes(rng.randrange(256) for _ in range(57))
    s = lc.decode(data[:cut] + junk + data[cut:], resync=True)
    assert s.records == recs
    assert len(s.damage) == 1 and s.damage[0].offset == cut and s.damage[0].end == cut + 57


def test_byte_level_example_in_the_docs():
    """The examples in docs/log-format.md, byte for byte (CRC-32 as zlib computes it)."""
    import zlib

    buf = bytearray(32)
    n = lc.put_step(buf, 0, 12345, 353)
    assert bytes(buf[:n]).hex(" ") == "01 06 39 30 00 00 61 01 5e 6e ed 43"
    assert zlib.crc32(bytes(buf[:8])) == 0x43ED6E5E
    n = lc.put_summary(buf, 0, 15000, 17250, 170, True)
    assert bytes(buf[:n]).hex(" ") == "02 08 98 3a 00 00 62 43 aa 01 ef 27 cd 6c"
    n = lc.put_event(buf, 0, 15000, "target", 175)
    assert bytes(buf[:n]).hex(" ") == "03 09 98 3a 00 00 03 af 00 00 00 37 20 98 39"
    n = lc.put_end(buf, 0, 20000, 60)
    assert bytes(buf[:n]).hex(" ") == "05 08 20 4e 00 00 3c 00 00 00 41 2a c4 e9"


def test_raw_packer_splits_on_count_and_time_gap():
    pk = lc.RawPacker()
    assert pk.fits(0)
    for i in range(lc.MAX_RAW_PER_FRAME):
        assert pk.fits(i * 10)
        pk.add(i * 10, i, -i, 40000)  # 40000 saturates to 32767
    assert not pk.fits(1000)
    out = bytearray(300)
    n = pk.put(out, 0)
    s = lc.decode(lc.encode_records([("header", 1, {})]) + bytes(out[:n]))
    last = lc.MAX_RAW_PER_FRAME - 1
    assert s.raw[-1] == (last * 10, last, -last, 32767)
    pk.add(5, 0, 0, 0)
    assert not pk.fits(5 + 0x10000)  # dt would overflow u16: a new frame


def test_bytes_per_hour_figure_matches_the_frame_sizes():
    from cadencepod.bench_pull import synthetic_run

    data = synthetic_run(hours=1.0, spm=170.0, summary_s=5)
    s = lc.decode(data)
    assert len(s.steps) == 10200 and len(s.summaries) == 720
    fixed = len(data) - len(s.steps) * lc.STEP_LEN - len(s.summaries) * lc.SUMMARY_LEN
    assert 0 < fixed < 300  # header, three events, end record


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=64))
def test_bitwise_crc_fallback_matches_binascii(blob):
    import binascii

    assert lc.crc32_bitwise(blob) == binascii.crc32(blob)


def test_a_step_with_its_phase_error_is_one_frame_read_as_a_step_and_a_phase_event():
    recs = [("header", lc.FORMAT_VERSION, {}), ("step", 1000, 0), ("step_phase", 1353, 353, -12),
            ("step_phase", 1706, 353, 40000)]
    data = lc.encode_records(recs)
    assert len(lc.encode_records(recs[2:3])) == lc.STEP_PHASE_LEN == 14
    s = lc.decode(data)
    assert s.steps == [(1000, 0), (1353, 353), (1706, 353)]
    assert s.events == [(1353, "phase", -12), (1706, "phase", 32767)]  # saturates at i16
    old = lc.encode_records([("header", 1, {}), ("step", 1000, 0), ("event", 1000, "phase", 5)])
    v1 = lc.decode(old)  # format 1 logs (a phase event per step) still read the same way
    assert v1.version == 1 and v1.steps == [(1000, 0)] and v1.events == [(1000, "phase", 5)]
