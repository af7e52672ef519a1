# Runs under the real `micropython` unix binary with tests/ble/fakes first on the path (see
# test_service.py). It plays the central against the fake `bluetooth` module and prints one
# "RESULT <json>" line per scenario; the pytest side checks them (and decodes the payloads with the
# independent bluetooth-sig decoder on CPython).
import asyncio
import json
import sys

import micropython


class Source:
    """Stands in for the step detector: only cadence_x100() and in_gait() are read."""

    def __init__(self):
        self.cad = 0
        self.gait = False

    def cadence_x100(self):
        return self.cad

    def in_gait(self):
        return self.gait


def emit(name, **kw):
    kw["scenario"] = name
    print("RESULT " + json.dumps(kw))


def hexs(b):
    return "".join("%02x" % x for x in b)


def sent(ble, kind=None):
    return [[k, c, h, hexs(d)] for (k, c, h, d) in ble.sim_sent if kind is None or k == kind]


def disabled():
    import pod.ble

    svc = pod.ble.start({"enabled": False}, Source())
    emit("disabled", svc_none=svc is None, bluetooth_imported="bluetooth" in sys.modules,
         service_imported="pod.ble.rsc_service" in sys.modules)


async def per_second():
    import bluetooth
    import pod.ble

    ble = bluetooth.BLE()
    src = Source()
    svc = pod.ble.start({"name": "PodTest", "cadence_unit": "steps", "step_mm": 1100}, src,
                        fw="1.2.3", model="sim", period_ms=40)
    await asyncio.sleep_ms(10)
    adv_at_start = ble.sim_adv
    reads = {
        "feature": hexs(ble.gatts_read(ble.sim_find(0x2A54))),
        "location": hexs(ble.gatts_read(ble.sim_find(0x2A5D))),
        "manufacturer": ble.gatts_read(ble.sim_find(0x2A29)).decode(),
        "model": ble.gatts_read(ble.sim_find(0x2A24)).decode(),
        "firmware": ble.gatts_read(ble.sim_find(0x2A26)).decode(),
        "battery": hexs(ble.gatts_read(ble.sim_find(0x2A19))),
    }
    await asyncio.sleep_ms(100)
    before_connect = svc.notified
    c1 = ble.sim_connect()
    adv_after_first = ble.sim_adv is not None
    src.cad, src.gait = 17250, True
    for _ in range(10):
        svc.step()
    await asyncio.sleep_ms(90)  # two or three notifications
    c2 = ble.sim_connect()
    adv_after_second = ble.sim_adv is not None
    await asyncio.sleep_ms(45)
    # SC Control Point: Set Cumulative Value to 1000 dm, an unsupported op code, a short parameter.
    cp = ble.sim_find(0x2A55)
    ble.sim_write(c1, cp, b"\x01\xe8\x03\x00\x00")
    await asyncio.sleep_ms(0)
    ble.sim_write(c2, cp, b"\x02")
    await asyncio.sleep_ms(0)
    ble.sim_write(c1, cp, b"\x01\x05")
    await asyncio.sleep_ms(45)
    svc.set_battery(87)
    src.cad, src.gait = 0, False
    await asyncio.sleep_ms(45)
    ble.sim_disconnect(c2)
    adv_after_disconnect = ble.sim_adv is not None
    await asyncio.sleep_ms(45)
    table = ble.sim_table()
    svc.task.cancel()
    await asyncio.sleep_ms(5)
    emit("per_second", table=table, reads=reads, adv=[hexs(adv_at_start[1]),
         hexs(adv_at_start[2] or b""), adv_at_start[0], adv_at_start[3]],
         gap_name=ble.config("gap_name"), before_connect=before_connect,
         adv_after_first=adv_after_first, adv_after_second=adv_after_second,
         adv_after_disconnect=adv_after_disconnect, c1=c1, c2=c2, sent=sent(ble),
         handles=[svc.h_meas, svc.h_feature, svc.h_location, svc.h_cp, svc.h_batt],
         active_after_cancel=ble.active(), calls=ble.sim_calls)


async def per_step():
    import bluetooth
    import pod.ble

    ble = bluetooth.BLE()
    ble._reset()
    src = Source()
    svc = pod.ble.start({"notify": "step", "distance_field": False}, lambda: src, period_ms=200)
    await asyncio.sleep_ms(5)
    ble.sim_connect()
    src.cad, src.gait = 18000, True
    counts = []
    for _ in range(5):
        svc.step()
        await asyncio.sleep_ms(20)  # steps 20 ms apart: each must give its own notification
        counts.append(len(ble.sim_sent))
    src.cad, src.gait = 0, False
    await asyncio.sleep_ms(450)  # no steps: the idle ticker still sends about every 200 ms
    idle = len(ble.sim_sent) - counts[-1]
    # No allocation in the per-step path (the pipeline calls it), with a task waiting on the flag.
    micropython.heap_lock()
    try:
        for _ in range(100):
            svc.step()
        alloc_free = True
    except MemoryError:
        alloc_free = False
    finally:
        micropython.heap_unlock()
    table = ble.sim_table()
    svc.task.cancel()
    await asyncio.sleep_ms(5)
    emit("per_step", counts=counts, idle=idle, alloc_free=alloc_free, sent=sent(ble),
         table=table, steps=svc.model.steps)


def encoder_no_alloc():
    from pod.core import rsc

    buf = bytearray(rsc.MAX_LEN)
    m = rsc.RscModel({"cadence_unit": "strides"})
    micropython.heap_lock()
    try:
        for i in range(200):
            m.step()
            n = m.encode_into(buf, 15000 + i * 200, True)
            rsc.encode_into(buf, 70000, 300, 70000, 0x3FFFFFFF, True)
        ok = True
    except MemoryError:
        ok = False
    finally:
        micropython.heap_unlock()
    emit("encoder_no_alloc", ok=ok, last=hexs(buf[:n]))


def fake_api():
    import bluetooth

    ble = bluetooth.BLE()
    ble._reset()
    out = {}

    def err(f):
        try:
            f()
        except OSError as e:
            return e.args[0]
        return None

    out["inactive"] = err(lambda: ble.gap_advertise(100_000, b"\x02\x01\x06"))
    ble.active(True)
    ((h,),) = ble.gatts_register_services(((bluetooth.UUID(0x180F), ((bluetooth.UUID(0x2A19), 0x12),)),))
    out["notconn"] = err(lambda: ble.gatts_notify(99, h, b"x"))
    out["badhandle"] = err(lambda: ble.gatts_read(h + 100))
    out["adv_too_long"] = err(lambda: ble.gap_advertise(100_000, bytes(32)))
    out["disconnect_unknown"] = ble.gap_disconnect(99)
    ble.gap_advertise(100_000, b"\x02\x01\x06")
    c = ble.sim_connect()
    ble.gatts_write(h, b"hi")
    ble.gatts_notify(c, h)
    out["notify_none_sends_local"] = hexs(ble.sim_sent[-1][3])
    ble.active(False)
    ble._reset()
    emit("fake_api", **out)


disabled()  # first: nothing may have imported bluetooth yet
fake_api()
asyncio.run(per_second())
asyncio.run(per_step())
encoder_no_alloc()
print("DONE")
