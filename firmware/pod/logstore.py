"""On-device session logs: one append-only file per session, buffered writes, a storage budget.

Power-cut safety comes from three rules:
  * a session is a new file (S00001.cpl, S00002.cpl, ...) that is only ever appended to; older files
    are never opened for writing, so a cut can only truncate the file being written;
  * every record is a CRC-framed frame (pod.core.logcodec), so the reader keeps every complete record;
  * records sit in a RAM buffer and are written and flushed at least every FLUSH_MS of session time:
    a sudden power cut loses at most the last FLUSH_MS (4 s) of records.

Storage budget: the logs may use at most `budget_bytes` (default 1 MiB = config log_budget_kb 1024:
about 7.9 h of running at 132.5 kB/h, see docs/log-format.md; the last buffer may overshoot it by at
most BUF_BYTES) and always leave `reserve_bytes` of the filesystem free for the config and plan
files. When a session needs room, the oldest sessions that the host has downloaded and verified
(marker file NAME.ok holding "size sha256hex", written by `cadencepod pull`) are deleted first.
A session that has not been downloaded is never deleted: logging stops instead, with an
("error", ERR_STORAGE_FULL) event written into the log and `log.error == "storage_full"` for the
app to show on the LED. The log methods never raise: the metronome keeps running whatever the disk does.
"""
import json
import os
import struct

from pod.core import logcodec as lc

try:
    from micropython import const
except ImportError:  # CPython
    def const(x):
        return x

FLUSH_MS = const(4000)          # max session time between writes to flash (= max loss on a power cut)
BUF_BYTES = const(2048)         # RAM buffer; full buffers are written early (raw capture fills it in ~2 s)
TAIL_BYTES = const(64)          # buffer room kept for the final error event + end record
DEFAULT_BUDGET_BYTES = 1024 * 1024  # pod.config log_budget_kb default
RESERVE_BYTES = 65536           # filesystem space the logs never take
MIN_START_BYTES = 16384         # room a new session needs before it starts
FREE_CHECK_BYTES = 16384        # re-read the filesystem's free space after this many bytes written
SEQ_FILE = "seq"
MARK_EXT = ".ok"


def _exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


def _fs_free(root):
    try:
        st = os.statvfs(root)
        return st[0] * st[4]  # f_bsize * f_bavail
    except (OSError, AttributeError):
        return 1 << 30


class LogStore:
    def __init__(self, root="/logs", budget_bytes=DEFAULT_BUDGET_BYTES, reserve_bytes=RESERVE_BYTES,
                 flush_ms=FLUSH_MS, echo=False, fs_free=None):
        if budget_bytes < MIN_START_BYTES:
            raise ValueError("budget_bytes below %d" % MIN_START_BYTES)
        self.root = root.rstrip("/") or "/"
        self.budget_bytes = budget_bytes
        self.reserve_bytes = reserve_bytes
        self.flush_ms = flush_ms
        self.echo = echo            # print summaries/events as "CPL <hex frame>" lines for `cadencepod live`
        self._fs_free = fs_free or _fs_free
        if not _exists(self.root):
            os.mkdir(self.root)
        self.deleted = []           # names deleted to make room (the app may log them)
        # One RAM buffer for every session of this store, allocated now (at boot the heap is still
        # in one piece): a fresh 2 KB block per session would need a free block that a long-running
        # pod's fragmented 96 KB heap may no longer have.
        self._buf = memoryview(bytearray(BUF_BYTES))
        self._open = None           # the session using it (one at a time)

    def buffer(self):
        return self._buf

    def _path(self, name):
        return self.root + "/" + name

    def sessions(self):
        """[(name, size_bytes, downloaded)] oldest first."""
        out = []
        for name in os.listdir(self.root):
            if name.endswith(lc.FILE_EXT):
                size = os.stat(self._path(name))[6]
                out.append((name, size, self._downloaded(name, size)))
        out.sort()
        return out

    def _downloaded(self, name, size):
        """True if the host left a marker for exactly this file size (a verified download)."""
        try:
            with open(self._path(name[:-len(lc.FILE_EXT)] + MARK_EXT)) as f:
                parts = f.read().split()
            return len(parts) >= 2 and int(parts[0]) == size
        except (OSError, ValueError):
            return False

    def used_bytes(self):
        n = 0
        for _name, size, _dl in self.sessions():
            n += size
        return n

    def free_bytes(self):
        """Bytes a session may still write: within the budget and above the filesystem reserve."""
        return min(self.budget_bytes - self.used_bytes(), self._fs_free(self.root) - self.reserve_bytes)

    def make_room(self, need_bytes, keep=None):
        """Delete oldest downloaded sessions until need_bytes are free. Never touches the others."""
        for name, _size, downloaded in self.sessions():
            if self.free_bytes() >= need_bytes:
                return True
            if downloaded and name != keep:
                os.remove(self._path(name))
                try:
                    os.remove(self._path(name[:-len(lc.FILE_EXT)] + MARK_EXT))
                except OSError:
                    pass
                self.deleted.append(name)
        return self.free_bytes() >= need_bytes

    def _next_name(self):
        seq = 0
        try:
            with open(self._path(SEQ_FILE)) as f:
                seq = int(f.read().strip() or 0)
        except (OSError, ValueError):
            pass
        for name, _s, _d in self.sessions():
            try:
                seq = max(seq, int(name[1:-len(lc.FILE_EXT)]))
            except ValueError:
                pass
        seq += 1
        with open(self._path(SEQ_FILE), "w") as f:
            f.write(str(seq))
        return seq, "S%05d%s" % (seq, lc.FILE_EXT)

    def open_session(self, header):
        """Start a new session file. Returns a SessionLog; check log.error (None when logging).
        The store's buffer serves one session at a time: a session still open is closed first."""
        if self._open is not None:
            self._open.close()
        try:
            if not self.make_room(MIN_START_BYTES):
                return SessionLog(self, None, None, header, error="storage_full")
            seq, name = self._next_name()
            hdr = dict(header)
            hdr["session"] = seq
            return SessionLog(self, name, self._path(name), hdr)
        except OSError as e:
            return SessionLog(self, None, None, header, error="write_failed: %s" % (e,))


class SessionLog:
    def __init__(self, store, name, path, header, error=None):
        self.store = store
        self.name = name
        self.path = path
        self.error = error
        self.steps = 0
        self.bytes_written = 0
        self.buf = store.buffer()  # put_* pack into the view: no per-record copies
        self.n = 0
        self.raw_packer = lc.RawPacker()
        self.last_t_ms = 0
        self._flushed_t_ms = 0
        self._since_free_check = 0
        self._room_left = 0
        self.f = None
        if error is not None:
            return
        store._open = self
        try:
            self.f = open(path, "wb")
            self._room_left = self.store.free_bytes()
            n = self._put_header(header)
            if n:
                self._write(self.buf, n)
            else:  # larger than the buffer: the codec's own (one big allocation)
                payload = lc.header_payload(header)
                frame = bytearray(lc.frame_len(lc.T_HEADER, len(payload)))
                lc.put_frame(frame, 0, lc.T_HEADER, payload)
                self._write(frame, len(frame))
            self.f.flush()
        except OSError as e:
            self._fail("write_failed: %s" % (e,))

    def _put_header(self, header):
        """The header frame (= lc.put_frame(.., T_HEADER, lc.header_payload(header))) built in the
        store's buffer a JSON piece at a time: a session starts on a long-running, fragmented heap
        that may have no free block for the whole config as one JSON string. 0 if it does not fit."""
        buf = self.buf
        k = len(lc.MAGIC)
        buf[3:3 + k] = lc.MAGIC
        buf[3 + k] = lc.FORMAT_VERSION
        try:
            n = self._json(header, 4 + k)
        except IndexError:
            return 0
        struct.pack_into("<BH", buf, 0, lc.T_HEADER, n - 3)
        return lc._seal(buf, 0, n)

    def _json(self, obj, n):
        # a dict one level deep piece by piece, anything else through json.dumps (small)
        if not isinstance(obj, dict):
            return self._text(json.dumps(obj), n)
        n = self._text("{", n)
        first = True
        for key in obj:
            n = self._text(json.dumps(key) + ": " if first else ", " + json.dumps(key) + ": ", n)
            first = False
            n = self._json(obj[key], n)
        return self._text("}", n)

    def _text(self, t, n):
        b = t.encode()
        e = n + len(b)
        if e > BUF_BYTES - lc.CRC_LEN:
            raise IndexError
        self.buf[n:e] = b
        return e

    @property
    def active(self):
        return self.error is None and self.f is not None

    # ---- records ----
    def step(self, t_ms, interval_ms, phase_ms=None):
        """One foot contact; phase_ms (vs the nearest beat) rides in the same frame."""
        if self.f is None:
            return
        self.steps += 1
        if phase_ms is None:
            self._room(lc.STEP_LEN)
            self.n = lc.put_step(self.buf, self.n, t_ms, interval_ms)
        else:
            self._room(lc.STEP_PHASE_LEN)
            self.n = lc.put_step_phase(self.buf, self.n, t_ms, interval_ms, phase_ms)
        self._tick(t_ms)

    def summary(self, t_ms, cadence_x100, target_spm, metronome_on):
        if self.f is None:
            return
        self._room(lc.SUMMARY_LEN)
        start = self.n
        self.n = lc.put_summary(self.buf, self.n, t_ms, cadence_x100, target_spm, metronome_on)
        self._echo(start)
        self._tick(t_ms)

    def event(self, t_ms, kind, value=0):
        if self.f is None:
            return
        start = self.n
        if lc.event_is_compact(kind, value):
            self._room(lc.EVENT_LEN)
            start = self.n
            self.n = lc.put_event(self.buf, self.n, t_ms, kind, value)
            if kind == "phase":  # per step, like step records: logged, not echoed (no allocation)
                self._tick(t_ms)
                return
        else:
            payload = lc.event_x_payload(t_ms, kind, value)
            need = lc.frame_len(lc.T_EVENT_X, len(payload))
            if need > BUF_BYTES - TAIL_BYTES:
                return  # a pathological event: drop it rather than the session
            self._room(need)
            start = self.n
            self.n = lc.put_frame(self.buf, self.n, lc.T_EVENT_X, payload)
        self._echo(start)
        self._tick(t_ms)

    def raw(self, t_ms, x, y, z):
        if self.f is None:
            return
        pk = self.raw_packer
        if not pk.fits(t_ms):
            self._put_raw()
        pk.add(t_ms, x, y, z)
        self._tick(t_ms)

    def _put_raw(self):
        pk = self.raw_packer
        if pk.n:
            self._room(2 + pk.payload_len() + lc.CRC_LEN)
            self.n = pk.put(self.buf, self.n)

    # ---- buffering ----
    def _room(self, k):
        if self.n + k > BUF_BYTES - TAIL_BYTES:
            self._write_out()

    def _tick(self, t_ms):
        self.last_t_ms = t_ms
        if t_ms - self._flushed_t_ms >= self.store.flush_ms:
            self.flush()

    def _echo(self, start):
        if self.store.echo:
            import binascii
            print("CPL", binascii.hexlify(bytes(self.buf[start:self.n])).decode())

    def flush(self):
        """Write the buffer and flush it to flash. The app calls this every few seconds."""
        if self.f is None:
            return
        self._put_raw()
        self._write_out()
        if self.f is not None:
            try:
                self.f.flush()
            except OSError as e:
                self._fail("write_failed: %s" % (e,))
        self._flushed_t_ms = self.last_t_ms

    def _write_out(self):
        if self.f is None or self.n == 0:
            return
        if self._since_free_check + self.n > FREE_CHECK_BYTES or self.n > self._room_left:
            self._since_free_check = 0
            self._room_left = self.store.free_bytes()
            if self._room_left < self.n + TAIL_BYTES and self.store.make_room(MIN_START_BYTES, self.name):
                self._room_left = self.store.free_bytes()
            if self._room_left < self.n + TAIL_BYTES:
                self._stop_full()
                return
        self._write(self.buf, self.n)
        self.n = 0

    def _write(self, data, n):
        try:
            w = self.f.write(data[:n] if isinstance(data, memoryview) else memoryview(data)[:n])
            if w is not None and w != n:
                raise OSError(28)  # short write: the filesystem is full
            self.bytes_written += n
            self._since_free_check += n
            self._room_left -= n
        except OSError as e:
            if e.args and e.args[0] == 28:  # ENOSPC
                self._fail("storage_full")
            else:
                self._fail("write_failed: %s" % (e,))

    def _stop_full(self):
        """Out of budget with nothing downloaded to delete: log why, then stop logging."""
        self.n = lc.put_event(self.buf, self.n, self.last_t_ms, "error", lc.ERR_STORAGE_FULL)
        self.n = lc.put_end(self.buf, self.n, self.last_t_ms, self.steps)
        self._write(self.buf, self.n)
        self.n = 0
        self._fail("storage_full")

    def _release(self):
        if self.store._open is self:
            self.store._open = None

    def _fail(self, why):
        if self.error is None:
            self.error = why
        self._release()
        f, self.f = self.f, None
        if f is not None:
            try:
                f.close()
            except OSError:
                pass

    def close(self, t_ms=None):
        """Write the end record and close. Safe to call twice."""
        if self.f is None:
            return
        if t_ms is not None:
            self.last_t_ms = t_ms
        self._put_raw()
        self._room(lc.END_LEN)
        if self.f is None:
            return
        self.n = lc.put_end(self.buf, self.n, self.last_t_ms, self.steps)
        self.flush()  # may fail (full, write error): then _fail() has closed the file already
        self._release()
        f, self.f = self.f, None
        if f is None:
            return
        try:
            f.close()
        except OSError:
            pass
