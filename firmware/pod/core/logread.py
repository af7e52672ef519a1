"""Session log reader: every complete record of a framed log, and where and why it is damaged.

The reading half of pod.core.logcodec (which re-exports decode, iter_records, read_frame and
encode_records): host side and tests; the pod only writes. Never raises on damaged input: returns
every complete record before the first damage, and with resync every one after it too.
"""
import struct

from pod.core import logcodec as lc


class Damage:
    """Where the readable data stopped and why."""

    def __init__(self, offset, reason, end=None):
        self.offset = offset
        self.reason = reason
        self.end = end  # with resync: offset where good records start again (None = never)

    def __repr__(self):
        return "Damage(offset=%d, reason=%r, end=%r)" % (self.offset, self.reason, self.end)


def _parse_payload(rtype, p):
    """Decode one payload to a record tuple; None if the payload is malformed for its type."""
    n = len(p)
    if rtype == lc.T_STEP and n == 6:
        t, iv = struct.unpack("<IH", p)
        return ("step", t, iv)
    if rtype == lc.T_STEP_PHASE and n == 8:
        t, iv, ph = struct.unpack("<IHh", p)
        return ("step_phase", t, iv, ph)
    if rtype == lc.T_SUMMARY and n == 8:
        t, cad, tgt, fl = struct.unpack("<IHBB", p)
        return ("summary", t, cad, tgt, bool(fl & lc.FLAG_METRONOME))
    if rtype == lc.T_EVENT and n == 9:
        t, k, v = struct.unpack("<IBi", p)
        if 1 <= k <= len(lc.EVENT_KINDS):
            return ("event", t, lc.EVENT_KINDS[k - 1], v)
        return ("event", t, "kind%d" % k, v)
    if rtype == lc.T_RAW and n >= 5:
        t0, cnt = struct.unpack("<IB", p[:5])
        if n != 5 + cnt * lc.RAW_BYTES:
            return None
        samples = []
        for i in range(cnt):
            dt, x, y, z = struct.unpack("<Hhhh", p[5 + i * lc.RAW_BYTES:5 + (i + 1) * lc.RAW_BYTES])
            samples.append((t0 + dt, x, y, z))
        return ("raw", t0, samples)
    if rtype == lc.T_END and n == 8:
        t, steps = struct.unpack("<II", p)
        return ("end", t, steps)
    if rtype == lc.T_HEADER and n >= 5 and bytes(p[:4]) == lc.MAGIC:
        try:
            hdr = lc.json.loads(bytes(p[5:]).decode())
        except (ValueError, UnicodeError):
            return None
        if not isinstance(hdr, dict):
            return None
        return ("header", p[4], hdr)
    if rtype == lc.T_EVENT_X and n >= 4:
        t = struct.unpack("<I", p[:4])[0]
        try:
            kv = lc.json.loads(bytes(p[4:]).decode())
        except (ValueError, UnicodeError):
            return None
        if not isinstance(kv, list) or len(kv) != 2 or not isinstance(kv[0], str):
            return None
        return ("event", t, kv[0], kv[1])
    return None


_KNOWN = (lc.T_STEP, lc.T_STEP_PHASE, lc.T_SUMMARY, lc.T_EVENT, lc.T_RAW, lc.T_END, lc.T_HEADER, lc.T_EVENT_X)


def read_frame(data, off):
    """Try one frame at off. Returns (record, next_off), or (None, reason) if no valid frame there."""
    size = len(data)
    if off >= size:
        return None, "end"
    rtype = data[off]
    if rtype not in _KNOWN:
        return None, "unknown record type 0x%02x" % rtype
    if rtype & 0x80:
        if off + 3 > size:
            return None, "truncated"
        n = data[off + 1] | (data[off + 2] << 8)
        h = 3
    else:
        if off + 2 > size:
            return None, "truncated"
        n = data[off + 1]
        h = 2
    end = off + h + n + lc.CRC_LEN
    if end > size:
        return None, "truncated"
    mv = memoryview(data)
    want = struct.unpack("<I", mv[off + h + n:end])[0]
    if lc.crc32(mv[off:off + h + n]) & 0xFFFFFFFF != want:
        return None, "bad crc"
    rec = _parse_payload(rtype, mv[off + h:off + h + n])
    if rec is None:
        return None, "malformed record"
    return rec, end


def iter_records(data, resync=False):
    """Yield (offset, end, record) for every valid frame, and (offset, None, Damage) for each gap.

    Without resync, reading stops at the first damage, so the result is exactly the complete
    records before it. With resync the reader scans byte by byte for the next valid frame
    (a false match needs a 32-bit CRC collision) and goes on.
    """
    off = 0
    size = len(data)
    while off < size:
        rec, nxt = read_frame(data, off)
        if rec is not None:
            yield off, nxt, rec
            off = nxt
            continue
        dmg = Damage(off, nxt)
        if not resync:
            yield off, None, dmg
            return
        scan = off + 1
        while scan < size:
            if read_frame(data, scan)[0] is not None:
                break
            scan += 1
        if scan < size:
            dmg.end = scan
        yield off, None, dmg
        off = scan


class Session:
    """A decoded session log (host side)."""

    def __init__(self):
        self.version = None
        self.header = None
        self.records = []     # every record tuple in file order, header included
        self.steps = []       # (t_ms, interval_ms)
        self.summaries = []   # (t_ms, cadence_x100, target_spm, metronome_on)
        self.events = []      # (t_ms, kind, value)
        self.raw = []         # (t_ms, x, y, z)
        self.end = None       # (t_ms, steps) when the session was closed cleanly
        self.damage = []      # Damage objects; empty for an intact file
        self.size = 0
        self.good_bytes = 0   # bytes up to the end of the last record before the first damage

    @property
    def complete(self):
        return self.end is not None and not self.damage

    def duration_ms(self):
        t = 0
        for lst in (self.steps, self.summaries, self.events, self.raw):
            if lst:
                t = max(t, lst[-1][0])
        if self.end:
            t = max(t, self.end[0])
        return t


def decode(data, resync=False):
    """Decode a whole log. Never raises on any bytes input; see iter_records for resync."""
    s = Session()
    s.size = len(data)
    for _off, end, rec in iter_records(data, resync):
        if end is None:
            s.damage.append(rec)
            continue
        if not s.damage:
            s.good_bytes = end
        kind = rec[0]
        if kind == "header":
            if s.header is None:
                s.version, s.header = rec[1], rec[2]
        elif kind == "step":
            s.steps.append((rec[1], rec[2]))
        elif kind == "step_phase":  # a step, and its phase error as the `phase` event it stands for
            s.steps.append((rec[1], rec[2]))
            s.events.append((rec[1], "phase", rec[3]))
        elif kind == "summary":
            s.summaries.append((rec[1], rec[2], rec[3], rec[4]))
        elif kind == "event":
            s.events.append((rec[1], rec[2], rec[3]))
        elif kind == "raw":
            s.raw.extend(rec[2])
        elif kind == "end":
            s.end = (rec[1], rec[2])
        s.records.append(rec)
    return s


def encode_records(records):
    """Encode record tuples (as decode() returns them in Session.records) to bytes. Host and tests."""
    out = bytearray()
    buf = bytearray(300)
    for rec in records:
        k = rec[0]
        if k == "header":
            hdr = dict(rec[2])
            out += lc.frame(lc.T_HEADER, lc.header_payload(hdr, rec[1]))
        elif k == "step":
            out += buf[:lc.put_step(buf, 0, rec[1], rec[2])]
        elif k == "step_phase":
            out += buf[:lc.put_step_phase(buf, 0, rec[1], rec[2], rec[3])]
        elif k == "summary":
            out += buf[:lc.put_summary(buf, 0, rec[1], rec[2], rec[3], rec[4])]
        elif k == "event":
            if lc.event_is_compact(rec[2], rec[3]):
                out += buf[:lc.put_event(buf, 0, rec[1], rec[2], rec[3])]
            else:
                out += lc.frame(lc.T_EVENT_X, lc.event_x_payload(rec[1], rec[2], rec[3]))
        elif k == "raw":
            pk = lc.RawPacker()
            pk.t0_ms = rec[1]
            for (t, x, y, z) in rec[2]:
                pk.add(t, x, y, z)
            out += buf[:pk.put(buf, 0)]
        elif k == "end":
            out += buf[:lc.put_end(buf, 0, rec[1], rec[2])]
        else:
            raise ValueError("unknown record kind %r" % (k,))
    return bytes(out)
