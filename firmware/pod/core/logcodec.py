"""Session log codec: framed, CRC-checked, append-only records. Shared by the firmware and the host.

Pure Python: runs unchanged on CPython and MicroPython. The writer side packs each record into a
caller-owned bytearray (no per-record buffers); the reader side never raises on damaged input and
returns every complete record before the first damage. The byte layout is in docs/log-format.md.

Frame:  type u8 | len (u8, or u16 LE when type & 0x80) | payload[len] | crc32 u32 LE
        crc32 = binascii.crc32 over type, len and payload (same CRC as zlib/PNG).
"""
import struct


def crc32_bitwise(data, crc=0):
    """CRC-32 (zlib/PNG polynomial) in plain Python: identical to binascii.crc32, used only on a
    port built without it."""
    crc ^= 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0xEDB88320 & -(crc & 1))
    return crc ^ 0xFFFFFFFF


try:
    from binascii import crc32
except ImportError:
    crc32 = crc32_bitwise

try:
    import json
except ImportError:  # pragma: no cover - every supported port has json
    import ujson as json

FORMAT_VERSION = 2  # 2 added T_STEP_PHASE; readers take 1 and 2
MAGIC = b"CPOD"
FILE_EXT = ".cpl"

# Record types. Bit 7 set = 16-bit length field.
T_STEP = 0x01       # t_ms u32, interval_ms u16
T_SUMMARY = 0x02    # t_ms u32, cadence_x100 u16, target_spm u8, flags u8 (bit0 metronome on)
T_EVENT = 0x03      # t_ms u32, kind u8, value i32
T_RAW = 0x04        # t0_ms u32, n u8, n x (dt_ms u16, x i16, y i16, z i16)
T_END = 0x05        # t_ms u32, steps u32 (clean close marker)
T_STEP_PHASE = 0x06  # t_ms u32, interval_ms u16, phase_ms i16: a step and its phase error in one frame
T_HEADER = 0x81     # MAGIC, version u8, JSON object
T_EVENT_X = 0x83    # t_ms u32, JSON [kind, value]  (events with text or structured values)

FLAG_METRONOME = 0x01
CRC_LEN = 4
MAX_RAW_PER_FRAME = 31   # 5 + 31 * 8 = 253 bytes payload, fits the u8 length
RAW_BYTES = 8

# Compact event kinds (u8 on disk). Other kinds, or non-int values, go in T_EVENT_X as JSON.
EVENT_KINDS = ("start", "stop", "target", "mode", "error", "battery", "plan", "alert", "phase",
               "warning", "autostart", "autostop", "storage_full", "pause", "resume", "imu")
_KIND_CODE = {}
for _i, _k in enumerate(EVENT_KINDS):
    _KIND_CODE[_k] = _i + 1

# Error codes carried by ("error", code) events; the text names are for the host.
ERRORS = {1: "storage_full", 2: "write_failed", 3: "imu_failed", 4: "config_invalid", 5: "buffer_overflow"}
ERR_STORAGE_FULL = 1
ERR_WRITE_FAILED = 2

STEP_LEN = 2 + 6 + CRC_LEN
STEP_PHASE_LEN = 2 + 8 + CRC_LEN
SUMMARY_LEN = 2 + 8 + CRC_LEN
EVENT_LEN = 2 + 9 + CRC_LEN
END_LEN = 2 + 8 + CRC_LEN
I32_MIN = -0x80000000
I32_MAX = 0x7FFFFFFF


def _seal(buf, off, n):
    """Append the CRC of buf[off:off+n] (header and payload); return the offset after the frame.

    Pass a memoryview as buf (the log store does) and the only allocation is the slice view."""
    mv = buf if isinstance(buf, memoryview) else memoryview(buf)
    c = crc32(mv[off:off + n])
    struct.pack_into("<I", buf, off + n, c)
    return off + n + CRC_LEN


def _u16(v):
    return 0 if v < 0 else (0xFFFF if v > 0xFFFF else v)


def _i16(v):
    return -32768 if v < -32768 else (32767 if v > 32767 else v)


# ---- writer: each put_* packs one frame into buf at off and returns the new offset ----------------
# The caller guarantees room (the *_LEN constants above, or frame_len() for variable frames).

def put_step(buf, off, t_ms, interval_ms):
    struct.pack_into("<BBIH", buf, off, T_STEP, 6, t_ms, _u16(interval_ms))
    return _seal(buf, off, 8)


def put_step_phase(buf, off, t_ms, interval_ms, phase_ms):
    """A step and its phase error vs the nearest beat: 14 B, against 27 B as a step + a phase event."""
    struct.pack_into("<BBIHh", buf, off, T_STEP_PHASE, 8, t_ms, _u16(interval_ms), _i16(phase_ms))
    return _seal(buf, off, 10)


def put_summary(buf, off, t_ms, cadence_x100, target_spm, metronome_on):
    t = 0 if target_spm < 0 else (255 if target_spm > 255 else target_spm)
    struct.pack_into("<BBIHBB", buf, off, T_SUMMARY, 8, t_ms, _u16(cadence_x100), t,
                     FLAG_METRONOME if metronome_on else 0)
    return _seal(buf, off, 10)


def put_end(buf, off, t_ms, steps):
    struct.pack_into("<BBII", buf, off, T_END, 8, t_ms, steps)
    return _seal(buf, off, 10)


def event_is_compact(kind, value):
    return (kind in _KIND_CODE and isinstance(value, int) and not isinstance(value, bool)
            and I32_MIN <= value <= I32_MAX)


def put_event(buf, off, t_ms, kind, value):
    """Compact event; the caller checked event_is_compact(kind, value)."""
    struct.pack_into("<BBIBi", buf, off, T_EVENT, 9, t_ms, _KIND_CODE[kind], value)
    return _seal(buf, off, 11)


def event_x_payload(t_ms, kind, value):
    """Payload of a T_EVENT_X frame (allocates: events with text are rare)."""
    return struct.pack("<I", t_ms) + json.dumps([kind, value]).encode()


def header_payload(header, version=FORMAT_VERSION):
    """header: dict with fw, board, config, start_s (None if unknown) and any extra keys."""
    return MAGIC + bytes((version,)) + json.dumps(header).encode()


def frame_len(rtype, payload_len):
    return (3 if rtype & 0x80 else 2) + payload_len + CRC_LEN


def put_frame(buf, off, rtype, payload):
    """Generic frame for a ready-made payload (header, event_x, raw)."""
    n = len(payload)
    if rtype & 0x80:
        if n > 0xFFFF:
            raise ValueError("record too long")
        struct.pack_into("<BH", buf, off, rtype, n)
        h = 3
    else:
        if n > 0xFF:
            raise ValueError("record too long")
        struct.pack_into("<BB", buf, off, rtype, n)
        h = 2
    buf[off + h:off + h + n] = payload
    return _seal(buf, off, h + n)


def frame(rtype, payload):
    """One frame as bytes (host side and tests)."""
    buf = bytearray(frame_len(rtype, len(payload)))
    put_frame(buf, 0, rtype, payload)
    return bytes(buf)


class RawPacker:
    """Accumulates raw accelerometer samples into one T_RAW payload, in a buffer allocated once."""

    def __init__(self):
        self.buf = bytearray(5 + MAX_RAW_PER_FRAME * RAW_BYTES)
        self.n = 0
        self.t0_ms = 0

    def fits(self, t_ms):
        return self.n < MAX_RAW_PER_FRAME and (self.n == 0 or 0 <= t_ms - self.t0_ms <= 0xFFFF)

    def add(self, t_ms, x, y, z):
        """Add one sample; the caller flushed first if not fits(t_ms). Values saturate to int16."""
        if self.n == 0:
            self.t0_ms = t_ms
        struct.pack_into("<Hhhh", self.buf, 5 + self.n * RAW_BYTES, t_ms - self.t0_ms,
                         _i16(x), _i16(y), _i16(z))
        self.n += 1

    def payload_len(self):
        return 5 + self.n * RAW_BYTES

    def put(self, out, off):
        """Write the pending frame into out at off; returns the new offset and empties the packer."""
        struct.pack_into("<IB", self.buf, 0, self.t0_ms, self.n)
        n = self.payload_len()
        struct.pack_into("<BB", out, off, T_RAW, n)
        out[off + 2:off + 2 + n] = memoryview(self.buf)[:n]
        self.n = 0
        return _seal(out, off, 2 + n)



# ---- reader: pod.core.logread ---------------------------------------------------------------------
# The pod only writes logs, and its heap is 96 KB: the reader's code stays on the host. These names
# keep `logcodec` the one codec that both sides import.

def decode(data, resync=False):
    """Decode a whole log (a logread.Session). Never raises on any bytes input."""
    from pod.core import logread

    return logread.decode(data, resync)


def iter_records(data, resync=False):
    from pod.core import logread

    return logread.iter_records(data, resync)


def read_frame(data, off):
    from pod.core import logread

    return logread.read_frame(data, off)


def encode_records(records):
    from pod.core import logread

    return logread.encode_records(records)
