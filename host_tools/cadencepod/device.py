"""Talking to a pod over USB: mpremote's SerialTransport plus a small helper run on the device.

mpremote's own `cp` reads 256 bytes per raw-REPL round trip and prints them as a bytes repr.
Here one exec streams the whole file as base64 lines of CHUNK bytes, read from the serial port in
bulk, so there is one round trip per file and ~1.33 bytes on the wire per byte of log.
Hashes (sha256) are computed on the device over the file in chunks, so verification never trusts
the transfer it verifies.
"""
import base64
import contextlib
import io
import os
import time

from .errors import PodError

CHUNK = 1536            # bytes per base64 line: 2048 characters, fits any device's RAM
IDLE_TIMEOUT_S = 5.0    # no byte from the device for this long = the device is gone
# Espressif native USB, CP210x, WCH CH34x/CH9102, FTDI, Raspberry Pi, MicroPython's own VID
KNOWN_USB_VIDS = {0x303A, 0x10C4, 0x1A86, 0x0403, 0x2E8A, 0xF055}

# Runs on the device once per connection. Names start with _cp to stay out of the app's way.
DEVICE_HELPER = """
import os, sys, binascii, hashlib
def _cp_isdir(p):
    try:
        return os.stat(p)[0] & 0x4000 != 0
    except OSError:
        return False
def _cp_root():
    for r in ('logs', '/logs', '/flash/logs'):
        if _cp_isdir(r):
            return r
    return None
def _cp_ls():
    r = _cp_root()
    out = []
    if r:
        for n in os.listdir(r):
            if n.endswith('.cpl'):
                mk = None
                try:
                    with open(r + '/' + n[:-4] + '.ok') as f:
                        mk = f.read()
                except OSError:
                    pass
                out.append((n, os.stat(r + '/' + n)[6], mk))
    print(repr((r, out)))
def _cp_hash(p, n):
    h = hashlib.sha256()
    b = bytearray(1024)
    mv = memoryview(b)
    with open(p, 'rb') as f:
        while n > 0:
            k = f.readinto(mv[:min(1024, n)])
            if not k:
                break
            h.update(mv[:k])
            n -= k
    print(binascii.hexlify(h.digest()).decode())
def _cp_read(p, off, n, cs):
    b = bytearray(cs)
    mv = memoryview(b)
    try:
        w = sys.stdout.buffer.write
    except AttributeError:
        w = lambda x: sys.stdout.write(x.decode())
    with open(p, 'rb') as f:
        f.seek(off)
        while n > 0:
            k = f.readinto(mv[:min(cs, n)])
            if not k:
                break
            w(binascii.b2a_base64(mv[:k]))
            n -= k
def _cp_put(p, data):
    t = p + '.tmp'
    with open(t, 'wb') as f:
        f.write(data)
    try:
        os.remove(p)
    except OSError:
        pass
    os.rename(t, p)
def _cp_cat(p):
    try:
        with open(p, 'rb') as f:
            print(repr(f.read()))
    except OSError:
        print('None')
"""


class DeviceLost(PodError):
    """The device stopped answering mid-operation (cable pulled, crash, power cut)."""


def find_port():
    """The single USB serial port that looks like a pod, or a PodError."""
    env = os.environ.get("CADENCEPOD_PORT")
    if env:
        return env
    from serial.tools import list_ports

    cands = [p.device for p in list_ports.comports() if p.vid in KNOWN_USB_VIDS]
    if not cands:
        raise PodError("no pod found on USB: connect it (data cable, not charge-only) or pass --port")
    if len(cands) > 1:
        raise PodError("several serial ports look like a pod (%s): pick one with --port" % ", ".join(cands))
    return cands[0]


class Pod:
    """A connected pod in raw REPL. Use as a context manager."""

    def __init__(self, port=None, baudrate=115200, timeout_s=4.0):
        from mpremote.transport import TransportError
        from mpremote.transport_serial import SerialTransport

        self.port = port or find_port()
        self.idle_s = float(os.environ.get("CADENCEPOD_IDLE_S") or IDLE_TIMEOUT_S)
        if not os.path.exists(self.port) and "://" not in self.port:
            raise PodError("no device at %s (is the pod plugged in?)" % self.port)
        quiet = io.StringIO()
        try:
            with contextlib.redirect_stdout(quiet):
                self.t = SerialTransport(self.port, baudrate=baudrate)
        except (TransportError, OSError) as e:
            raise PodError("cannot open %s: %s" % (self.port, e)) from None
        self.t.serial.timeout = 0.05
        self._buf = bytearray()
        # Two tries: a pod still booting (or the unix port setting up its tty) drops early input.
        for tries_left, wait_s in ((1, timeout_s * 0.4), (0, timeout_s * 0.6)):
            try:
                with contextlib.redirect_stdout(quiet):
                    self.t.enter_raw_repl(soft_reset=False, timeout_overall=wait_s)
                break
            except (TransportError, OSError) as e:
                if tries_left:
                    continue
                self._close_quietly()
                raise PodError("%s does not answer as a MicroPython device (no raw REPL): %s"
                               % (self.port, str(e).splitlines()[0] if str(e) else "timeout")) from None
        self.exec(DEVICE_HELPER)

    def _close_quietly(self):
        try:
            self.t.close()
        except Exception:
            pass

    def close(self):
        """Leave the raw REPL and soft-reset the pod, so its app starts again: entering the raw
        REPL stopped it (Ctrl-C), and a pod left at the REPL would neither record nor beat."""
        try:
            if self.t.in_raw_repl:
                self.t.exit_raw_repl()
            self.t.serial.write(b"\x04")  # Ctrl-D in the friendly REPL: boot.py, main.py
            self.t.serial.flush()
        except Exception:
            pass
        self._close_quietly()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- raw REPL plumbing: bulk reads through one buffer, so no byte is read twice or lost ----
    def _fill(self, idle_s):
        idle_s = idle_s or self.idle_s
        ser = self.t.serial
        start = time.monotonic()
        while True:
            try:
                n = ser.in_waiting
                data = ser.read(n if n > 0 else 1)
            except OSError as e:
                raise DeviceLost("lost the device on %s: %s" % (self.port, e)) from None
            if data:
                self._buf += data
                return
            if time.monotonic() - start > idle_s:
                raise DeviceLost("the device on %s stopped answering" % self.port)

    def _take_until(self, end, on_data=None, idle_s=None):
        """Consume buffered/serial bytes up to and including `end` (1 byte); return what came before."""
        out = bytearray()
        while True:
            i = self._buf.find(end)
            if i >= 0:
                part = bytes(self._buf[:i])
                del self._buf[:i + 1]
            else:
                part = bytes(self._buf)
                self._buf.clear()
            if part:
                if on_data:
                    on_data(part)
                else:
                    out += part
            if i >= 0:
                return bytes(out)
            self._fill(idle_s)

    def _take(self, n, idle_s=None):
        while len(self._buf) < n:
            self._fill(idle_s)
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def _start(self, code):
        """Send code in raw-paste mode: the device grants a window of bytes, then 0x01 per window."""
        data = code.encode() if isinstance(code, str) else code
        self._take_until(b">")
        ser = self.t.serial
        try:
            ser.write(b"\x05A\x01")
            if self._take(2) != b"R\x01":
                raise PodError("the device on %s does not support raw-paste mode (MicroPython < 1.14?)"
                               % self.port)
            window = int.from_bytes(self._take(2), "little")
            remain = window
            i = 0
            while i < len(data):
                while remain == 0 or self._buf or ser.in_waiting:
                    c = self._take(1)
                    if c == b"\x01":
                        remain += window
                    elif c == b"\x04":  # device ended the paste early
                        ser.write(b"\x04")
                        return
                    else:
                        raise PodError("unexpected byte %r from the device during upload" % c)
                chunk = data[i:i + remain]
                ser.write(chunk)
                remain -= len(chunk)
                i += len(chunk)
            ser.write(b"\x04")
            self._take_until(b"\x04")  # device acknowledges the end of the code
        except OSError as e:
            raise DeviceLost("lost the device on %s: %s" % (self.port, e)) from None

    def exec(self, code, on_data=None, idle_s=None):
        """Run code on the device; return its stdout. Raises DeviceError with the device's error line."""
        self._start(code)
        out = self._take_until(b"\x04", on_data, idle_s)
        err = self._take_until(b"\x04", None, idle_s)
        if err:
            raise DeviceError(err.decode("utf-8", "replace"))
        return out

    def eval(self, expr):
        import ast

        out = self.exec("print(repr(%s))" % expr)
        return ast.literal_eval(out.decode().strip())

    # ---- log files ----
    def list_sessions(self):
        """(root or None, [(name, size, marker_text or None)])."""
        import ast

        root, files = ast.literal_eval(self.exec("_cp_ls()").decode().strip())
        return root, sorted(files)

    def sha256(self, path, nbytes):
        return self.exec("_cp_hash(%r, %d)" % (path, nbytes)).decode().strip()

    def read_into(self, path, offset, nbytes, sink, progress=None, idle_s=None):
        """Stream nbytes from offset into sink(bytes) in CHUNK pieces; returns bytes delivered.

        Each complete base64 line is delivered as soon as it arrives, so an interrupted transfer
        keeps everything up to the last whole line.
        """
        state = {"buf": bytearray(), "got": 0}

        def on_data(data):
            buf = state["buf"]
            buf += data
            while True:
                j = buf.find(b"\n")
                if j < 0:
                    break
                line = bytes(buf[:j]).strip()
                del buf[:j + 1]
                if not line:
                    continue
                try:
                    chunk = base64.b64decode(line, validate=True)
                except ValueError:
                    raise PodError("garbled transfer from the device (bad base64 line)") from None
                sink(chunk)
                state["got"] += len(chunk)
                if progress:
                    progress(len(chunk))

        self.exec("_cp_read(%r, %d, %d, %d)" % (path, offset, nbytes, CHUNK), on_data=on_data, idle_s=idle_s)
        return state["got"]

    def write_file(self, path, data):
        self.exec("_cp_put(%r, %r)" % (path, bytes(data)))

    def read_small(self, path):
        """Whole content of a small file (config), or None if it does not exist."""
        import ast

        return ast.literal_eval(self.exec("_cp_cat(%r)" % path).decode().strip())

    def remove(self, path):
        self.exec("os.remove(%r)" % path)


class DeviceError(PodError):
    """Python error raised on the device; the message is its last line."""

    def __init__(self, text):
        lines = [ln for ln in text.strip().splitlines() if ln.strip()]
        self.full = text
        super().__init__("device error: %s" % (lines[-1] if lines else "unknown"))
