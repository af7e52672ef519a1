"""Benchmark: `cadencepod pull`'s transfer vs plain `mpremote cp`, same file, same pod, same run.

    python -m cadencepod.bench_pull            # against a simulated pod (micropython on a pty)
    python -m cadencepod.bench_pull --port P   # against a real pod (uses its newest session file)

Also prints the log size of a 3 h run at 170 spm with the default summary period, from the codec.
"""
import argparse
import hashlib
import os
import pathlib
import subprocess
import sys
import tempfile
import time

from pod.core import logcodec as lc

SUMMARY_S = 5  # pod.config default summary_s


def synthetic_run(hours=3.0, spm=170.0, summary_s=SUMMARY_S):
    """Log bytes of a steady run: a step record per step, a summary every summary_s, start/stop/end."""
    recs = [("header", lc.FORMAT_VERSION, {"fw": "bench", "board": "sim", "start_s": None,
                                           "config": {"target_spm": 170, "summary_s": summary_s}})]
    recs.append(("event", 0, "start", 0))
    iv = 60000.0 / spm
    n = int(hours * 3600 * spm / 60)
    next_sum = summary_s * 1000
    for i in range(1, n + 1):
        t = int(i * iv)
        recs.append(("step", t, int(round(iv))))
        if t >= next_sum:
            recs.append(("summary", t, int(spm * 100), 170, True))
            next_sum += summary_s * 1000
    recs.append(("event", t, "battery", 3900))
    recs.append(("event", t, "stop", 0))
    recs.append(("end", t, n))
    return lc.encode_records(recs)


def bytes_per_hour():
    data = synthetic_run(hours=3.0)
    return len(data), len(data) / 3.0


def bench(port, dev_path, size):
    from .device import Pod

    out = {}
    with Pod(port) as pod:
        buf = bytearray()
        t0 = time.perf_counter()
        pod.read_into(dev_path, 0, size, buf.extend)
        t1 = time.perf_counter()
        dev_sha = pod.sha256(dev_path, size)
        t2 = time.perf_counter()
    assert hashlib.sha256(buf).hexdigest() == dev_sha, "transfer mismatch"
    out["pull_s"], out["hash_s"] = t1 - t0, t2 - t1
    with tempfile.TemporaryDirectory() as d:
        dst = os.path.join(d, "copy.cpl")
        mpremote = os.path.join(os.path.dirname(sys.executable), "mpremote")
        t0 = time.perf_counter()
        r = subprocess.run([mpremote, "connect", port, "cp", ":" + dev_path, dst], capture_output=True)
        t1 = time.perf_counter()
        if r.returncode != 0:
            raise SystemExit("mpremote cp failed: %s" % r.stderr.decode().strip())
        assert pathlib.Path(dst).read_bytes() == bytes(buf)
    out["mpremote_s"] = t1 - t0
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", help="a real pod's serial port (default: a simulated pod)")
    args = ap.parse_args(argv)
    total, per_h = bytes_per_hour()
    print("log size, 3 h at 170 spm, summary every %d s: %d bytes = %.1f kB per hour of running"
          % (SUMMARY_S, total, per_h / 1000))
    if args.port:
        from .device import Pod

        with Pod(args.port) as pod:
            root, files = pod.list_sessions()
        if not files:
            raise SystemExit("no session on the pod to copy")
        name, size, _mk = files[-1]
        res = bench(args.port, root + "/" + name, size)
        data = None
    else:
        from .simbridge import SimBridge

        firmware = pathlib.Path(__file__).resolve().parents[2] / "firmware"
        with tempfile.TemporaryDirectory() as flash:
            os.makedirs(os.path.join(flash, "logs"))
            data = synthetic_run(hours=3.0)
            size = len(data)
            pathlib.Path(flash, "logs", "S00001.cpl").write_bytes(data)
            with SimBridge(flash, path=[firmware], autorun=False) as br:
                res = bench(br.port, "logs/S00001.cpl", size)
    kb = size / 1000
    print("file: %d bytes" % size)
    print("cadencepod pull transfer: %.2f s = %.0f kB/s (+ %.2f s device-side sha256 verify)"
          % (res["pull_s"], kb / res["pull_s"], res["hash_s"]))
    print("mpremote cp (256-byte chunks): %.2f s = %.0f kB/s" % (res["mpremote_s"], kb / res["mpremote_s"]))
    print("speed-up: %.1fx" % (res["mpremote_s"] / res["pull_s"]))
    w_pull, w_mpr = wire_bytes(data if not args.port else None)
    if w_pull:
        print("bytes on the wire per log byte: pull %.2f, mpremote cp %.2f (+ a round trip per 256 B): on a "
              "115200-baud UART pull moves ~%.1f kB/s of log" % (w_pull, w_mpr, 11.52 / w_pull))


def wire_bytes(data):
    """Device->host bytes per log byte: base64 lines vs mpremote's repr(bytes) of 256-byte reads."""
    if not data:
        return None, None
    import base64

    from .device import CHUNK

    pull = sum(len(base64.b64encode(data[i:i + CHUNK])) + 1 for i in range(0, len(data), CHUNK))
    mpr = sum(len(repr(data[i:i + 256])) + 1 for i in range(0, len(data), 256))
    return pull / len(data), mpr / len(data)


if __name__ == "__main__":
    main()
