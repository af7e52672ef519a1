"""Bluetooth Running Speed and Cadence (RSC, service 0x1814): the measurement encoder and its model.

Pure and integer-only so it costs little on the device; runs unchanged on CPython and MicroPython.
Every field saturates at its wire limit (0 below, the field maximum above): a watch shows a pinned
value rather than a wrapped, nonsense one.

RSC Measurement 0x2A53, little-endian:
  flags u8 (bit0 stride length present, bit1 total distance present, bit2 running, else walking)
  instantaneous speed u16 in 1/256 m/s, instantaneous cadence u8 in 1/min,
  [instantaneous stride length u16 in 1/100 m], [total distance u32 in 1/10 m]

Speed, stride length and distance are ESTIMATES: the pod measures steps, not distance, and multiplies
by a step length calibrated from a run of known distance (calibrate_step_mm). See docs/ble.md.
"""

try:
    from micropython import const
except ImportError:  # CPython

    def const(x):
        return x


FLAG_STRIDE = const(0x01)
FLAG_DISTANCE = const(0x02)
FLAG_RUNNING = const(0x04)

# RSC Feature 0x2A54 bits (the same three meanings as the flags) and Sensor Location 0x2A5D.
FEATURE_STRIDE = const(0x0001)
FEATURE_DISTANCE = const(0x0002)
FEATURE_RUNNING = const(0x0004)
LOCATION_HIP = const(3)

MAX_LEN = const(10)  # flags 1 + speed 2 + cadence 1 + stride 2 + distance 4
U8_MAX = const(0xFF)
U16_MAX = const(0xFFFF)
U32_MAX = 0xFFFFFFFF  # not const(): above ESP32's 31-bit small ints

UNIT_STEPS = "steps"
UNIT_STRIDES = "strides"
NOTIFY_SECOND = "second"
NOTIFY_STEP = "step"

# Model input limits keep every product below 2^30 (ESP32 small int): 51000 * 3000 * 2 < 2^30.
_CAD_X100_MAX = const(51000)  # 510 steps/min = 255 strides/min: the u8 limit in either unit
STEP_MM_MIN = const(300)
STEP_MM_MAX = const(3000)

DEFAULTS = {
    "enabled": True,
    "name": "CadencePod",
    "cadence_unit": UNIT_STRIDES,  # see docs/ble.md for which receivers expect which
    "notify": NOTIFY_SECOND,  # "second": 1 Hz; "step": on each step (and 1 Hz while still)
    "step_mm": 1000,  # one step (not stride); calibrate it: calibrate_step_mm()
    "run_spm": 140,  # at or above this cadence the running bit is set, else walking
    "stride_field": True,
    "distance_field": True,
}


def _sat(v, hi):
    if v <= 0:
        return 0
    if v >= hi:
        return hi
    return v


def encode_into(buf, speed_q8, cadence, stride_cm=None, distance_dm=None, running=False):
    """Write one RSC Measurement into buf (at least MAX_LEN bytes) and return its length.

    speed_q8 in 1/256 m/s, cadence in 1/min, stride_cm in 1/100 m, distance_dm in 1/10 m; None leaves
    an optional field out. Values outside a field's range saturate. No allocation.
    """
    flags = FLAG_RUNNING if running else 0
    v = _sat(speed_q8, U16_MAX)
    buf[1] = v & 0xFF
    buf[2] = v >> 8
    buf[3] = _sat(cadence, U8_MAX)
    n = 4
    if stride_cm is not None:
        flags |= FLAG_STRIDE
        v = _sat(stride_cm, U16_MAX)
        buf[4] = v & 0xFF
        buf[5] = v >> 8
        n = 6
    if distance_dm is not None:
        flags |= FLAG_DISTANCE
        v = _sat(distance_dm, U32_MAX)
        buf[n] = v & 0xFF
        buf[n + 1] = (v >> 8) & 0xFF
        buf[n + 2] = (v >> 16) & 0xFF
        buf[n + 3] = (v >> 24) & 0xFF
        n += 4
    buf[0] = flags
    return n


def encode(speed_q8, cadence, stride_cm=None, distance_dm=None, running=False):
    """Like encode_into, but returns a new bytes object (host side and tests)."""
    buf = bytearray(MAX_LEN)
    n = encode_into(buf, speed_q8, cadence, stride_cm, distance_dm, running)
    return bytes(buf[:n])


def decode(data):
    """Decode an RSC Measurement into a dict of raw wire units; ValueError if it is malformed."""
    n = len(data)
    if n < 4:
        raise ValueError("RSC measurement too short: %d bytes" % n)
    flags = data[0]
    need = 4 + (2 if flags & FLAG_STRIDE else 0) + (4 if flags & FLAG_DISTANCE else 0)
    if n < need:
        raise ValueError("RSC measurement flags 0x%02x need %d bytes, got %d" % (flags, need, n))
    out = {
        "flags": flags,
        "running": bool(flags & FLAG_RUNNING),
        "speed_q8": data[1] | (data[2] << 8),
        "cadence": data[3],
        "stride_cm": None,
        "distance_dm": None,
    }
    i = 4
    if flags & FLAG_STRIDE:
        out["stride_cm"] = data[4] | (data[5] << 8)
        i = 6
    if flags & FLAG_DISTANCE:
        out["distance_dm"] = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)
    return out


def calibrate_step_mm(distance_mm, steps):
    """Step length in mm from a run of known distance and the steps the pod counted over it.

    Example: a 400 m track lap (400000 mm) counted as 380 steps gives 1053 mm. Raises ValueError
    for a result outside STEP_MM_MIN..STEP_MM_MAX, which means a wrong distance or count.
    """
    distance_mm = int(distance_mm)
    steps = int(steps)
    if steps <= 0:
        raise ValueError("calibration needs a positive step count, got %d" % steps)
    if distance_mm <= 0:
        raise ValueError("calibration needs a positive distance, got %d mm" % distance_mm)
    step_mm = (distance_mm + steps // 2) // steps
    if not STEP_MM_MIN <= step_mm <= STEP_MM_MAX:
        raise ValueError(
            "%d mm over %d steps is %d mm a step, outside %d..%d: check the distance and the count"
            % (distance_mm, steps, step_mm, STEP_MM_MIN, STEP_MM_MAX)
        )
    return step_mm


def settings(cfg=None):
    """The BLE settings: DEFAULTS overlaid with cfg (the config's "ble" dict), checked.

    Raises ValueError naming the bad key, so a bad config gives one clear line.
    """
    s = dict(DEFAULTS)
    if cfg:
        for k in cfg:
            if k not in DEFAULTS:
                raise ValueError("ble.%s: unknown setting (known: %s)" % (k, ", ".join(sorted(DEFAULTS))))
            s[k] = cfg[k]
    for k in ("enabled", "stride_field", "distance_field"):
        if not isinstance(s[k], bool):
            raise ValueError("ble.%s must be true or false, got %r" % (k, s[k]))
    if s["cadence_unit"] not in (UNIT_STEPS, UNIT_STRIDES):
        raise ValueError("ble.cadence_unit must be 'steps' or 'strides', got %r" % (s["cadence_unit"],))
    if s["notify"] not in (NOTIFY_SECOND, NOTIFY_STEP):
        raise ValueError("ble.notify must be 'second' or 'step', got %r" % (s["notify"],))
    name = s["name"]
    if not isinstance(name, str) or not 1 <= len(name.encode()) <= 20:
        raise ValueError("ble.name must be 1..20 bytes of text, got %r" % (name,))
    for k, lo, hi in (("step_mm", STEP_MM_MIN, STEP_MM_MAX), ("run_spm", 60, 240)):
        v = s[k]
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise ValueError("ble.%s must be an integer %d..%d, got %r" % (k, lo, hi, v))
    return s


def settings_lenient(cfg=None):
    """(settings, warnings) for the device: a bad key falls back to its default, never fails boot."""
    warnings = []
    if cfg is None:
        cfg = {}
    if not isinstance(cfg, dict):
        return dict(DEFAULTS), ["ble is not an object: using the BLE defaults"]
    good = {}
    for k in cfg:
        try:
            settings({k: cfg[k]})
            good[k] = cfg[k]
        except ValueError as e:
            warnings.append("%s: using %r" % (e, DEFAULTS.get(k)) if k in DEFAULTS else str(e))
    return settings(good), warnings


class RscModel:
    """Turns the detector's cadence and steps into RSC fields; one instance per session.

    step() is called once per detected step (a few times a second), encode_into() once per
    notification. Both are O(1), integer-only and allocate nothing.
    """

    def __init__(self, s=None):
        s = settings(s)
        self.strides = s["cadence_unit"] == UNIT_STRIDES
        self.step_mm = s["step_mm"]
        self.run_x100 = s["run_spm"] * 100
        self.stride_field = s["stride_field"]
        self.distance_field = s["distance_field"]
        self.reset()

    def reset(self):
        self.steps = 0
        self.distance_dm = 0
        self._rem_mm = 0  # distance not yet a whole decimetre

    def features(self):
        """The RSC Feature 0x2A54 value this model's measurements can carry."""
        f = FEATURE_RUNNING
        if self.stride_field:
            f |= FEATURE_STRIDE
        if self.distance_field:
            f |= FEATURE_DISTANCE
        return f

    def step(self):
        self.steps += 1
        r = self._rem_mm + self.step_mm
        if r >= 100:
            q = r // 100
            r -= q * 100
            d = self.distance_dm + q  # compared, never subtracted: U32_MAX is a big int on ESP32
            self.distance_dm = d if d < U32_MAX else U32_MAX
        self._rem_mm = r

    def set_distance_dm(self, dm):
        """SC Control Point 'Set Cumulative Value': the receiver restarts the distance count."""
        self.distance_dm = _sat(dm, U32_MAX)
        self._rem_mm = 0

    def encode_into(self, buf, cadence_x100, in_gait=True):
        """Encode the current state given the detector's cadence (steps/min x 100)."""
        c = _sat(cadence_x100, _CAD_X100_MAX) if in_gait else 0
        # speed = c/100 steps/min * step_mm/1000 / 60 m/s, in 1/256 m/s: c*step_mm*256/6e6 = *2/46875
        speed_q8 = (c * self.step_mm * 2 + 23437) // 46875
        if self.strides:
            cadence = (c + 100) // 200
            stride_cm = (self.step_mm + 2) // 5  # two steps, mm -> cm
        else:
            cadence = (c + 50) // 100
            stride_cm = (self.step_mm + 5) // 10
        return encode_into(
            buf,
            speed_q8,
            cadence,
            stride_cm if self.stride_field else None,
            self.distance_dm if self.distance_field else None,
            c >= self.run_x100,
        )
