"""The simulated pod's USB port: the `micropython` unix binary behind a pty that mpremote can open.

    host (mpremote, cadencepod pull)  <->  /dev/pts/A  ==relay thread==  /dev/pts/B  <->  micropython
                                                                                          cwd = flash dir

The flash dir plays the device filesystem: micropython runs with its cwd there, so `mpremote fs ls/cp`
and the firmware's relative paths (board.json, config.json, logs/) land in it. Like a board:
  * power-on and a soft reset from the friendly REPL run boot.py then main.py (if present), then
    give the REPL; Ctrl-C interrupts main.py (pts B is micropython's controlling terminal, so the
    kernel turns ^C into SIGINT while code runs, and micropython reads it as a byte at its prompt);
  * Ctrl-D soft reset makes the unix port exit: the bridge prints "soft reboot" and restarts it, back
    in the raw REPL without running main.py when the reset came from there (what mpremote expects);
  * pts B has output post-processing off (else micropython's \\r\\n turns into \\r\\r\\n) and echo
    off; pts A is fully raw.
`kill_device()` cuts the power (kills the process, the port stays open and silent); `start_device()`
powers it up again.
"""
import fcntl
import os
import pty
import select
import subprocess
import termios
import threading
import time
import tty

from .mpbin import micropython_binary

BANNER_END = b">>> "
RAW_PROMPT = b"raw REPL; CTRL-B to exit"
MAX_PENDING = 1 << 16
STALE_S = 1.0
# Power-on of the simulated board: run boot.py then main.py as the ESP32 port's _boot does.
_BOOT = (
    "import os\n"
    "for _f in ('boot.py', 'main.py'):\n"
    "    try:\n"
    "        os.stat(_f)\n"
    "    except OSError:\n"
    "        continue\n"
    "    exec(open(_f).read(), {'__name__': '__main__'})\n"
)


def _controlling_tty():
    # Runs in the child after setsid(): stdin (pts B) becomes its controlling terminal for ^C.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class SimBridge:
    """One simulated pod on a pty. Use as a context manager or call stop()."""

    def __init__(self, flash_dir, *, micropython=None, heapsize=None, path=(), env=None, autorun=True,
                 transcript=None):
        self.micropython = micropython or micropython_binary()
        self.flash_dir = os.path.abspath(str(flash_dir))
        os.makedirs(self.flash_dir, exist_ok=True)
        self.heapsize = heapsize
        self.path = [os.path.abspath(str(p)) for p in path]
        self.env = dict(env or {})
        self.autorun = autorun
        self.transcript = open(transcript, "ab") if transcript else None
        self.raw = False
        self.restarts = 0
        self._stop = False
        self._lock = threading.RLock()
        self.host_m, self.host_s = pty.openpty()
        tty.setraw(self.host_s)
        os.set_blocking(self.host_m, False)
        self._pending = bytearray()  # device output the host has not read yet
        self._progress = 0.0
        self.dropped = 0
        self.port = os.ttyname(self.host_s)
        self.proc = None
        self.dev_m = None
        self._spawn(boot=autorun)
        self._thread = threading.Thread(target=self._relay, name="simbridge", daemon=True)
        self._thread.start()

    # --- the device process --------------------------------------------------------------
    def _spawn(self, boot):
        m, s = pty.openpty()
        attr = termios.tcgetattr(s)
        attr[0] &= ~(termios.ICRNL | termios.INLCR | termios.IXON | termios.ISTRIP)  # iflag
        attr[1] &= ~termios.OPOST  # oflag: no \n -> \r\n
        attr[3] = termios.ISIG  # lflag: ^C -> SIGINT while code runs; no echo, no line editing
        attr[6][termios.VMIN] = 1
        attr[6][termios.VTIME] = 0
        termios.tcsetattr(s, termios.TCSANOW, attr)
        cmd = [self.micropython]
        if self.heapsize:
            cmd += ["-X", "heapsize=%s" % self.heapsize]
        if boot:
            cmd += ["-i", "-c", _BOOT]
        env = dict(os.environ)
        env.update(self.env)
        env["MICROPYPATH"] = os.pathsep.join(["", *self.path, ".frozen"])
        self.proc = subprocess.Popen(cmd, stdin=s, stdout=s, stderr=s, cwd=self.flash_dir, env=env,
                                     close_fds=True, start_new_session=True, preexec_fn=_controlling_tty)
        os.close(s)
        self.dev_m = m

    def _read_until(self, fd, token, timeout=10.0):
        buf = b""
        end = time.monotonic() + timeout
        while token not in buf and time.monotonic() < end:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                buf += chunk
        return buf

    def _restart(self):
        """The unix port exited (soft reset or crash): reboot it like a board would."""
        self._close_dev()
        self.restarts += 1
        self._to_host(b"MPY: soft reboot\r\n")
        if self.raw:
            self._spawn(boot=False)
            self._read_until(self.dev_m, BANNER_END)  # swallow the banner; mpremote waits for raw REPL
            os.write(self.dev_m, b"\x01")
        else:
            self._spawn(boot=self.autorun)

    def _close_dev(self):
        if self.dev_m is not None:
            try:
                os.close(self.dev_m)
            except OSError:
                pass
            self.dev_m = None

    def _to_host(self, data):
        if self.transcript:
            self.transcript.write(data)
            self.transcript.flush()
        if not self._pending:
            self._progress = time.monotonic()
        self._pending += data
        self._push()

    def _push(self):
        # USB CDC semantics: the device waits while the host reads slowly (the relay stops reading
        # the device above MAX_PENDING), but output nobody reads for STALE_S is thrown away, so a
        # chatty app never blocks when no host is connected.
        while self._pending:
            try:
                n = os.write(self.host_m, self._pending)
            except (BlockingIOError, OSError):
                if time.monotonic() - self._progress > STALE_S:
                    self.dropped += len(self._pending)
                    self._pending = bytearray()
                return
            del self._pending[:n]
            self._progress = time.monotonic()

    # --- relay ---------------------------------------------------------------------------
    def _relay(self):
        tail = b""
        while not self._stop:
            with self._lock:
                fds = [self.host_m]
                if self.dev_m is not None and len(self._pending) < MAX_PENDING:
                    fds.append(self.dev_m)
            try:
                r, _, _ = select.select(fds, [self.host_m] if self._pending else [], [], 0.05)[:3]
            except (OSError, ValueError):
                r = []
            with self._lock:
                self._push()
                if self.dev_m is not None and self.dev_m in r:
                    try:
                        data = os.read(self.dev_m, 65536)
                    except OSError:
                        data = b""  # EIO: the process is gone
                    if data:
                        tail = (tail + data)[-64:]
                        if RAW_PROMPT in tail:
                            self.raw = True
                            tail = b""
                        self._to_host(data)
                if self.host_m in r:
                    try:
                        data = os.read(self.host_m, 65536)
                    except OSError:
                        data = b""
                    if data:
                        if b"\x02" in data and self.raw:
                            self.raw = False  # Ctrl-B: back to the friendly REPL
                        if self.dev_m is not None:
                            try:
                                os.write(self.dev_m, data)
                            except OSError:
                                pass
                if self.proc is not None and self.proc.poll() is not None and not self._stop:
                    self._drain_dev()
                    self._restart()

    def _drain_dev(self):
        # Last words of the exiting process (tracebacks) still go to the host.
        while self.dev_m is not None:
            r, _, _ = select.select([self.dev_m], [], [], 0)
            if not r:
                return
            try:
                data = os.read(self.dev_m, 65536)
            except OSError:
                return
            if not data:
                return
            self._to_host(data)

    # --- power ---------------------------------------------------------------------------
    def kill_device(self):
        """Power cut: kill micropython mid-whatever. The port stays open but silent."""
        with self._lock:
            proc, self.proc = self.proc, None
            if proc is not None:
                proc.kill()
                proc.wait()
            self._close_dev()

    def start_device(self):
        """Power on again after kill_device(): boot.py and main.py run."""
        with self._lock:
            if self.proc is None:
                self.raw = False
                self._spawn(boot=self.autorun)

    def stop(self):
        self._stop = True
        self._thread.join(timeout=2)
        with self._lock:
            if self.proc is not None:
                if self.proc.poll() is None:
                    self.proc.kill()
                self.proc.wait()
                self.proc = None
            self._close_dev()
        for fd in (self.host_m, self.host_s):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.transcript:
            self.transcript.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
