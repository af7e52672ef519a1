"""`cadencepod live`: stream cadence from a pod over USB while it records.

The pod's log store echoes each summary and event frame on the USB console as `CPL <hex frame>`
(LogStore(echo=True)); this command listens without interrupting the app, checks each frame's CRC
with the same codec and shows the cadence. Steps per minute (both feet) throughout.
"""
import binascii
import os
import time

import click
from pod.core import logcodec as lc

from ..clickutil import Command
from ..errors import PodError

PREFIX = b"CPL "


def parse_line(line):
    """A decoded record from one console line, or None for any other output."""
    line = line.strip()
    if not line.startswith(PREFIX):
        return None
    try:
        data = binascii.unhexlify(line[len(PREFIX):].strip())
    except (binascii.Error, ValueError):
        return None
    rec, _end = lc.read_frame(data, 0)
    return rec


def describe(rec):
    if rec[0] == "summary":
        _k, t, cad, target, met = rec
        spm = cad / 100.0
        band = ("in band" if abs(spm - target) <= 3 else ("too slow" if spm < target else "too fast")) \
            if target and spm else "-"
        return "%7.1f s  cadence %5.1f spm (%4.1f strides/min)  target %3d  %-8s  metronome %s" % (
            t / 1000.0, spm, spm / 2, target, band, "on" if met else "off")
    if rec[0] == "event":
        return "%7.1f s  event %s %s" % (rec[1] / 1000.0, rec[2], rec[3])
    return None


@click.command("live", cls=Command)
@click.option("--port", "-p", help="Serial port of the pod (default: the one pod found on USB).")
@click.option("--seconds", type=click.FloatRange(0.5, None), help="Stop after this many seconds.")
@click.option("--baud", default=115200, show_default=True, help="Baud rate (UART bridges only).")
def command(port, seconds, baud):
    """Show live cadence from a pod recording a session (steps per minute)."""
    import serial

    from ..device import find_port

    port = port or find_port()
    if not os.path.exists(port) and "://" not in port:
        raise PodError("no device at %s (is the pod plugged in?)" % port)
    try:
        ser = serial.serial_for_url(port, baudrate=baud, timeout=0.2)
    except (serial.SerialException, OSError) as e:
        raise PodError("cannot open %s: %s" % (port, e)) from None
    start = time.monotonic()
    last_data = start
    hinted = False
    buf = b""
    shown = 0
    try:
        while seconds is None or time.monotonic() - start < seconds:
            try:
                chunk = ser.read(4096)
            except (serial.SerialException, OSError) as e:
                raise PodError("lost the pod on %s: %s" % (port, e)) from None
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for line in lines:
                rec = parse_line(line)
                text = describe(rec) if rec else None
                if text:
                    click.echo(text)
                    shown += 1
                    last_data = time.monotonic()
            if not hinted and time.monotonic() - last_data > 10:
                click.echo("no live data yet: start a session on the pod (Ctrl-C to quit)", err=True)
                hinted = True
    except KeyboardInterrupt:
        pass
    finally:
        ser.close()
    if not shown:
        raise PodError("no live cadence received from %s: is a session recording?" % port)
