"""RSC Measurement encoder against the independent bluetooth-sig decoder, plus the model's maths."""
import itertools

import pytest
from bluetooth_sig.gatt.characteristics.rsc_feature import RSCFeatureCharacteristic
from bluetooth_sig.gatt.characteristics.rsc_measurement import RSCMeasurementCharacteristic
from bluetooth_sig.gatt.characteristics.sensor_location import SensorLocationCharacteristic
from hypothesis import given, settings
from hypothesis import strategies as st
from pod.core import rsc

SIG = RSCMeasurementCharacteristic()


def sig_decode(b):
    return SIG.parse_value(bytearray(b))


@pytest.mark.parametrize("stride,distance,running", list(itertools.product([False, True], repeat=3)))
def test_every_flag_combination_round_trips(stride, distance, running):
    b = rsc.encode(768, 90, 100 if stride else None, 12345 if distance else None, running)
    assert len(b) == 4 + 2 * stride + 4 * distance
    assert b[0] == (rsc.FLAG_STRIDE * stride) | (rsc.FLAG_DISTANCE * distance) | (rsc.FLAG_RUNNING * running)
    d = sig_decode(b)
    assert d.instantaneous_speed == 3.0
    assert d.instantaneous_cadence == 90
    assert d.is_running is running
    assert d.instantaneous_stride_length == (1.0 if stride else None)
    assert d.total_distance == (1234.5 if distance else None)
    assert rsc.decode(b) == {"flags": b[0], "running": running, "speed_q8": 768, "cadence": 90,
                             "stride_cm": 100 if stride else None, "distance_dm": 12345 if distance else None}


def test_field_notes_example_bytes():
    assert rsc.encode(768, 90, 100, 12345, True) == bytes.fromhex("0700035A640039300000")


def _sat(v, hi):
    return min(max(v, 0), hi)


@settings(max_examples=300, deadline=None)
@given(
    speed=st.integers(-(2**20), 2**20),
    cadence=st.integers(-1000, 1000),
    stride=st.none() | st.integers(-(2**20), 2**20),
    distance=st.none() | st.integers(-(2**40), 2**40),
    running=st.booleans(),
)
def test_full_ranges_saturate_never_wrap(speed, cadence, stride, distance, running):
    b = rsc.encode(speed, cadence, stride, distance, running)
    d = sig_decode(b)
    assert round(d.instantaneous_speed * 256) == _sat(speed, 0xFFFF)
    assert d.instantaneous_cadence == _sat(cadence, 0xFF)
    if stride is None:
        assert d.instantaneous_stride_length is None
    else:
        assert round(d.instantaneous_stride_length * 100) == _sat(stride, 0xFFFF)
    if distance is None:
        assert d.total_distance is None
    else:
        assert round(d.total_distance * 10) == _sat(distance, 0xFFFFFFFF)
    assert d.is_running is running


@pytest.mark.parametrize("value,limit", [(0xFFFF, 0xFFFF), (0x10000, 0xFFFF), (0x1FFFF, 0xFFFF)])
def test_speed_edge_saturates(value, limit):
    assert rsc.decode(rsc.encode(value, 0))["speed_q8"] == limit


def test_distance_edges():
    assert rsc.decode(rsc.encode(0, 0, None, 0xFFFFFFFF))["distance_dm"] == 0xFFFFFFFF
    assert rsc.decode(rsc.encode(0, 0, None, 0x100000000))["distance_dm"] == 0xFFFFFFFF
    assert rsc.decode(rsc.encode(0, 0, None, -1))["distance_dm"] == 0


def test_own_decoder_rejects_truncated():
    with pytest.raises(ValueError, match="too short"):
        rsc.decode(b"\x00\x01\x02")
    with pytest.raises(ValueError, match="need 10 bytes"):
        rsc.decode(bytes.fromhex("0700035A6400393000"))


# --- the model: detector cadence -> fields -------------------------------------------------


def model_decode(m, cadence_x100, in_gait=True):
    buf = bytearray(rsc.MAX_LEN)
    n = m.encode_into(buf, cadence_x100, in_gait)
    return sig_decode(buf[:n])


def test_strides_unit_default_halves_cadence_and_doubles_stride():
    m = rsc.RscModel()
    assert rsc.DEFAULTS["cadence_unit"] == "strides"
    d = model_decode(m, 18000)  # 180 steps/min, 1.000 m steps
    assert d.instantaneous_cadence == 90
    assert d.instantaneous_stride_length == 2.0
    assert d.instantaneous_speed == pytest.approx(3.0, abs=1 / 256)
    # a receiver that multiplies cadence by stride length gets the same speed in either unit
    assert d.instantaneous_cadence * d.instantaneous_stride_length / 60 == pytest.approx(3.0)


def test_steps_unit():
    m = rsc.RscModel({"cadence_unit": "steps", "step_mm": 1100})
    d = model_decode(m, 17250)
    assert d.instantaneous_cadence == 173  # 172.5 rounds half up
    assert d.instantaneous_stride_length == 1.1
    assert d.instantaneous_speed == pytest.approx(172.5 * 1.1 / 60, abs=1 / 256)


@settings(max_examples=200, deadline=None)
@given(cad=st.integers(0, 60000), step_mm=st.integers(rsc.STEP_MM_MIN, rsc.STEP_MM_MAX),
       unit=st.sampled_from(["steps", "strides"]))
def test_model_speed_matches_float_maths(cad, step_mm, unit):
    m = rsc.RscModel({"cadence_unit": unit, "step_mm": step_mm})
    d = model_decode(m, cad)
    c = min(cad, 51000)
    assert d.instantaneous_speed == pytest.approx(c / 100 * step_mm / 1000 / 60, abs=0.5 / 256 + 1e-9)
    assert d.instantaneous_cadence == min(255, round(c / (200 if unit == "strides" else 100) + 1e-9))
    assert d.is_running is (c >= 14000)


def test_not_in_gait_sends_zero_and_walking():
    m = rsc.RscModel()
    d = model_decode(m, 18000, in_gait=False)
    assert (d.instantaneous_speed, d.instantaneous_cadence, d.is_running) == (0.0, 0, False)


def test_running_threshold_setting():
    m = rsc.RscModel({"run_spm": 150})
    assert model_decode(m, 14900).is_running is False
    assert model_decode(m, 15000).is_running is True


def test_distance_accumulates_per_step_without_drift():
    m = rsc.RscModel({"step_mm": 1053})
    for _ in range(1000):
        m.step()
    assert m.distance_dm == 10530  # 1053 m exactly: the sub-decimetre remainder is carried
    assert model_decode(m, 18000).total_distance == 1053.0
    m.set_distance_dm(5)
    m.step()
    assert m.distance_dm == 15  # 0.5 m + 1.053 m, remainder 53 mm kept


def test_distance_saturates():
    m = rsc.RscModel()
    m.set_distance_dm(0xFFFFFFFF - 3)
    for _ in range(10):
        m.step()
    assert m.distance_dm == 0xFFFFFFFF


def test_optional_fields_off():
    m = rsc.RscModel({"stride_field": False, "distance_field": False})
    d = model_decode(m, 18000)
    assert d.instantaneous_stride_length is None and d.total_distance is None
    assert m.features() == rsc.FEATURE_RUNNING


def test_feature_and_location_values_decode():
    f = rsc.RscModel().features()
    fd = RSCFeatureCharacteristic().parse_value(bytearray((f & 0xFF, f >> 8)))
    assert fd.instantaneous_stride_length_supported and fd.total_distance_supported
    assert fd.walking_or_running_status_supported
    assert not fd.calibration_procedure_supported and not fd.multiple_sensor_locations_supported
    assert SensorLocationCharacteristic().parse_value(bytearray((rsc.LOCATION_HIP,))).name == "HIP"


# --- calibration and settings ---------------------------------------------------------------


def test_calibrate_step_mm():
    assert rsc.calibrate_step_mm(400_000, 380) == 1053
    assert rsc.calibrate_step_mm(5_000_000, 4000) == 1250


@pytest.mark.parametrize("dist,steps,msg", [(400_000, 0, "positive step count"),
                                            (0, 100, "positive distance"),
                                            (400_000, 4000, "outside"),
                                            (400_000, 10, "outside")])
def test_calibrate_rejects_nonsense(dist, steps, msg):
    with pytest.raises(ValueError, match=msg):
        rsc.calibrate_step_mm(dist, steps)


@pytest.mark.parametrize("cfg,msg", [
    ({"cadence_unit": "rpm"}, "ble.cadence_unit"),
    ({"notify": "always"}, "ble.notify"),
    ({"step_mm": 50}, "ble.step_mm"),
    ({"step_mm": True}, "ble.step_mm"),
    ({"run_spm": "fast"}, "ble.run_spm"),
    ({"enabled": 1}, "ble.enabled"),
    ({"name": ""}, "ble.name"),
    ({"name": "x" * 21}, "ble.name"),
    ({"colour": "red"}, "unknown setting"),
])
def test_settings_errors_are_one_clear_line(cfg, msg):
    with pytest.raises(ValueError, match=msg) as e:
        rsc.settings(cfg)
    assert "\n" not in str(e.value)


def test_settings_defaults():
    s = rsc.settings(None)
    assert s == rsc.DEFAULTS and s is not rsc.DEFAULTS


def test_lenient_settings_for_boot():
    s, w = rsc.settings_lenient({"cadence_unit": "rpm", "step_mm": 1200, "colour": 1})
    assert s["cadence_unit"] == "strides" and s["step_mm"] == 1200
    assert len(w) == 2 and "ble.cadence_unit" in w[0] and "using 'strides'" in w[0]
    assert "unknown setting" in w[1]
    assert rsc.settings_lenient("on") == (rsc.DEFAULTS, ["ble is not an object: using the BLE defaults"])
