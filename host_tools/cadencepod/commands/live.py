"""`cadencepod live`: stream cadence from a pod while it records, over USB or (`--ble`) Bluetooth LE.

USB: the pod's log store echoes each summary and event frame on the USB console as `CPL <hex frame>`
(LogStore(echo=True)); this command listens without interrupting the app, checks each frame's CRC
with the same codec and shows the cadence. Steps per minute (both feet) throughout.

Bluetooth (`--ble`): the pod is a standard Running Speed and Cadence sensor; cadencepod.ble_live
subscribes to its RSC Measurement with bleak. Without Bluetooth it is one error line, exit 2.
"""
import binascii
import os
import time

import click
from pod.core import logcodec as lc

from ..clickutil import Command, Number
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


ALERTS = {1: "too slow", 2: "too fast"}
SYNC_STATES = ("acquiring the runner's steps", "locking onto the steps", "leading toward the target",
               "fixed tempo")


def _ints(v, n):
    return isinstance(v, list) and len(v) >= n and all(isinstance(x, int) for x in v[:n])


def describe_event(t_s, kind, v):
    """One line for a coaching or session event (docs/coaching.md), or None for the per-step ones."""
    if kind in ("phase", "plan_state"):
        return None  # phase: per step, the pod does not echo it (the report charts it); plan_state: bulky
    if kind == "alert" and _ints(v, 3):
        what = "%s: cadence %.1f spm, target %g spm" % (ALERTS.get(v[0], "alert %d" % v[0]), v[1] / 100,
                                                        v[2] / 100)
    elif kind == "alert" and isinstance(v, int):
        what = ALERTS.get(v, "alert %d" % v)
    elif kind == "plan" and _ints(v, 4):
        from pod.core import plan as P

        name = P.REASONS[v[1]] if 0 <= v[1] < len(P.REASONS) else str(v[1])
        what = "plan %s: target %g -> %g spm" % (name, v[2] / 100, v[3] / 100)
    elif kind == "tempo" and isinstance(v, int):
        what = "beat tempo %.1f spm" % (v / 100)
    elif kind == "sync" and isinstance(v, int) and 0 <= v < len(SYNC_STATES):
        what = "beat sync: " + SYNC_STATES[v]
    elif kind == "autostart" and isinstance(v, int):
        what = "auto start (%d earlier steps kept)" % v
    elif kind == "autostop" and isinstance(v, int):
        what = "auto stop after %.0f s idle" % (v / 1000)
    else:
        return "%7.1f s  event %s %s" % (t_s, kind, v)
    return "%7.1f s  %s%s" % (t_s, "ALERT " if kind == "alert" else "", what)


def describe(rec):
    """One display line for a record from the pod (None: nothing to show)."""
    if rec[0] == "summary":
        _k, t, cad, target, met = rec
        spm = cad / 100.0
        band = ("in band" if abs(spm - target) <= 3 else ("too slow" if spm < target else "too fast")) \
            if target and spm else "-"
        return "%7.1f s  cadence %5.1f spm (%4.1f strides/min)  target %3d  %-8s  metronome %s" % (
            t / 1000.0, spm, spm / 2, target, band, "on" if met else "off")
    if rec[0] == "event":
        return describe_event(rec[1] / 1000.0, rec[2], rec[3])
    return None


@click.command("live", cls=Command)
@click.option("--port", "-p", help="Serial port of the pod (default: the one pod found on USB).")
@click.option("--seconds", type=Number(0.5, None), help="Stop after this many seconds.")
@click.option("--baud", default=115200, show_default=True, help="Baud rate (UART bridges only).")
@click.option("--ble", is_flag=True, help="Over Bluetooth LE instead of USB (needs an adapter; uses bleak).")
@click.option("--name", help="With --ble: the pod's advertised name (the config's ble.name).")
@click.option("--address", help="With --ble: the pod's Bluetooth address (default: the first RSC sensor).")
@click.option("--unit", type=click.Choice(["strides", "steps"]),
              help="With --ble: the cadence unit the pod sends (the config's ble.cadence_unit; "
                   "default strides).")
@click.option("--scan", "scan_s", type=Number(0.5, 120),
              help="With --ble: seconds to look for the pod (default 10).")
def command(port, seconds, baud, ble, name, address, unit, scan_s):
    """Show live cadence from a pod recording a session (steps per minute).

    Over USB by default; with --ble from the pod's Bluetooth Running Speed and Cadence service
    (speed, stride length and distance there are estimates from the calibrated stride length).
    """
    if ble:
        if port:
            raise PodError("--port is for USB; with --ble pick the pod with --name or --address")
        from ..ble_live import live_ble

        live_ble(address, name, unit=unit or "strides", scan_s=10.0 if scan_s is None else scan_s,
                 duration_s=seconds, echo=click.echo)
        return
    given = [o for o, v in (("--name", name), ("--address", address), ("--unit", unit), ("--scan", scan_s))
             if v is not None]
    if given:
        raise PodError("%s only with --ble (over USB the pod is picked with --port)" % given[0])
    _live_usb(port, seconds, baud)


def _live_usb(port, seconds, baud):
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
