"""Live cadence from a pod over Bluetooth LE, through bleak: the BLE half of `cadencepod live`.

live_ble() finds a pod advertising the Running Speed and Cadence service (0x1814), subscribes to its
RSC Measurement (0x2A53) and prints one line per notification. It decodes with the pod's own
pod.core.rsc.decode (tests check that decoder against the independent bluetooth-sig package).
Without Bluetooth (no adapter, no BlueZ/D-Bus, no bleak) it raises one PodError line.
"""
import asyncio
import time

from pod.core import rsc

from .errors import PodError

RSC_SERVICE_UUID = "00001814-0000-1000-8000-00805f9b34fb"
RSC_MEASUREMENT_UUID = "00002a53-0000-1000-8000-00805f9b34fb"


def spm_of(cadence, unit):
    """Steps per minute from the cadence byte, given the unit the pod is configured to send."""
    return cadence * 2 if unit == rsc.UNIT_STRIDES else cadence


def describe(data, unit=rsc.UNIT_STRIDES):
    """One display line for one RSC Measurement notification."""
    m = rsc.decode(bytes(data))
    parts = ["%3d spm" % spm_of(m["cadence"], unit),
             "%5.2f m/s (est.)" % (m["speed_q8"] / 256),
             "running" if m["running"] else "walking"]
    if m["stride_cm"] is not None:
        parts.append("stride %.2f m" % (m["stride_cm"] / 100))
    if m["distance_dm"] is not None:
        parts.append("%.1f m" % (m["distance_dm"] / 10))
    return "  ".join(parts)


def _no_bluetooth(e):
    msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    if isinstance(e, OSError):  # on Linux: no D-Bus system bus, so no BlueZ to ask
        msg = "BlueZ/D-Bus not reachable: " + msg
    return PodError("no Bluetooth on this machine (%s)" % msg)


async def _find(scanner_cls, address, name, scan_s):
    def wanted(dev, ad):
        if address:
            return dev.address.lower() == address.lower()
        uuids = [u.lower() for u in (getattr(ad, "service_uuids", None) or [])]
        if RSC_SERVICE_UUID not in uuids:
            return False
        return name is None or (ad.local_name or dev.name or "") == name

    try:
        return await scanner_cls.find_device_by_filter(wanted, timeout=scan_s)
    except Exception as e:  # bleak raises OSError, BleakError or BleakDBusError when the radio is absent
        raise _no_bluetooth(e) from None


async def _stream(client_cls, dev, unit, duration_s, echo, clock):
    count = 0
    got = asyncio.Event()

    def on_measurement(_char, data):
        nonlocal count
        try:
            line = describe(data, unit)
        except ValueError as e:
            line = "bad measurement %s: %s" % (bytes(data).hex(), e)
        count += 1
        echo(line)
        got.set()

    async with client_cls(dev) as client:
        await client.start_notify(RSC_MEASUREMENT_UUID, on_measurement)
        end = None if duration_s is None else clock() + duration_s
        while end is None or clock() < end:
            got.clear()
            try:
                await asyncio.wait_for(got.wait(), 5.0)
            except asyncio.TimeoutError:
                echo("(no measurement for 5 s)")
        try:
            await client.stop_notify(RSC_MEASUREMENT_UUID)
        except Exception:  # already disconnected: nothing to stop
            pass
    return count


def live_ble(address=None, name=None, *, unit=rsc.UNIT_STRIDES, scan_s=10.0, duration_s=None,
             echo=print, scanner_cls=None, client_cls=None, clock=time.monotonic):
    """Show live cadence from a pod over BLE until Ctrl-C (or for duration_s). Returns the count."""
    if unit not in (rsc.UNIT_STEPS, rsc.UNIT_STRIDES):
        raise PodError("unit must be 'steps' or 'strides', got %r" % (unit,))
    if scanner_cls is None or client_cls is None:
        try:
            from bleak import BleakClient, BleakScanner
        except ImportError:
            raise PodError("BLE needs bleak: pip install bleak==3.1.0") from None
        scanner_cls = scanner_cls or BleakScanner
        client_cls = client_cls or BleakClient

    async def main():
        dev = await _find(scanner_cls, address, name, scan_s)
        if dev is None:
            what = address or name or "advertising Running Speed and Cadence"
            raise PodError("no pod found (%s) within %g s: is it on, with BLE enabled?" % (what, scan_s))
        echo("connected to %s (%s); cadence unit on the wire: %s" % (dev.name or "?", dev.address, unit))
        return await _stream(client_cls, dev, unit, duration_s, echo, clock)

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        return 0
    except PodError:
        raise
    except Exception as e:  # a dropped link or a stack error: one line, not a traceback
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise PodError("BLE link failed: %s" % msg) from None
