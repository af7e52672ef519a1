"""The pod's GATT server: Running Speed and Cadence (0x1814), Device Information (0x180A), Battery (0x180F).

Written directly on MicroPython's low-level `bluetooth` module, in aioble's style (a short IRQ
handler, an asyncio task that does the periodic work). Why not aioble itself: it is a
micropython-lib package installed with `mip` from micropython.org, which this project's machines and CI
cannot reach, and the PyPI package named `aioble` is an unrelated desktop library. The whole server is
one small module, so nothing is lost.

Timing budget (docs/ble.md): nothing here runs per IMU sample. The pipeline calls step() once per
detected step (O(1), no allocation); the notifier task wakes once a second (or once per step) and
encodes 4..10 bytes into a buffer allocated once. The IRQ handler is a few comparisons.

The `type: ignore`s mark calls where micropython-esp32-stubs disagree with the MicroPython docs
(the stubs type handles as memoryview, insist on bytes, and drop gatts_notify's conn_handle).
"""

import asyncio
import time

import bluetooth
from micropython import const

from pod.ble import adv
from pod.core import rsc

_IRQ_CENTRAL_CONNECT = const(1)
_IRQ_CENTRAL_DISCONNECT = const(2)
_IRQ_GATTS_WRITE = const(3)

_FLAG_READ = const(0x0002)
_FLAG_WRITE = const(0x0008)
_FLAG_NOTIFY = const(0x0010)
_FLAG_INDICATE = const(0x0020)

# SC Control Point 0x2A55 op codes and response values (RSC service specification).
_CP_SET_CUMULATIVE = const(0x01)
_CP_RESPONSE = const(0x10)
_CP_SUCCESS = const(0x01)
_CP_NOT_SUPPORTED = const(0x02)
_CP_INVALID_PARAM = const(0x03)

_ADV_INTERVAL_US = const(500_000)  # 2 adverts a second: quick pairing, little battery
MAX_CONNECTIONS = const(2)  # a watch and a phone at once

UUID_RSC = bluetooth.UUID(0x1814)
UUID_RSC_MEASUREMENT = bluetooth.UUID(0x2A53)
UUID_RSC_FEATURE = bluetooth.UUID(0x2A54)
UUID_SENSOR_LOCATION = bluetooth.UUID(0x2A5D)
UUID_SC_CONTROL_POINT = bluetooth.UUID(0x2A55)
UUID_DIS = bluetooth.UUID(0x180A)
UUID_MANUFACTURER = bluetooth.UUID(0x2A29)
UUID_MODEL = bluetooth.UUID(0x2A24)
UUID_FIRMWARE = bluetooth.UUID(0x2A26)
UUID_BAS = bluetooth.UUID(0x180F)
UUID_BATTERY_LEVEL = bluetooth.UUID(0x2A19)


def services(control_point=True):
    """The services_definition passed to BLE.gatts_register_services."""
    chars = [
        (UUID_RSC_MEASUREMENT, _FLAG_NOTIFY),
        (UUID_RSC_FEATURE, _FLAG_READ),
        (UUID_SENSOR_LOCATION, _FLAG_READ),
    ]
    if control_point:  # only needed for Set Cumulative Value, i.e. with the total distance field
        chars.append((UUID_SC_CONTROL_POINT, _FLAG_WRITE | _FLAG_INDICATE))
    return (
        (UUID_RSC, tuple(chars)),
        (UUID_DIS, ((UUID_MANUFACTURER, _FLAG_READ), (UUID_MODEL, _FLAG_READ), (UUID_FIRMWARE, _FLAG_READ))),
        (UUID_BAS, ((UUID_BATTERY_LEVEL, _FLAG_READ | _FLAG_NOTIFY),)),
    )


class RscService:
    """One BLE RSC sensor. run() is its asyncio task; step() is called by the pipeline per step."""

    def __init__(self, s=None, *, source=None, ble=None, fw="0", model="cadence pod",
                 manufacturer="cadencepod project", period_ms=1000, clock=None):
        self.s = rsc.settings(s)
        self.model = rsc.RscModel(self.s)
        # the step detector (anything with cadence_x100() and in_gait()), or a function returning it
        self.source = source
        self.period_ms = period_ms
        # ticks_ms/ticks_add/ticks_diff: the time module on the device, the sim's clock in the sim
        self._clk = clock if clock is not None else time
        self._ble = ble if ble is not None else bluetooth.BLE()
        self._info = (manufacturer, model, fw)
        self._buf = bytearray(rsc.MAX_LEN)
        mv = memoryview(self._buf)
        self._views = tuple(mv[:n] for n in range(rsc.MAX_LEN + 1))  # no slice per notification
        self._batt = bytearray(1)
        self._conns = []
        self._step_flag = asyncio.ThreadSafeFlag()
        self._stepped = False
        self._per_step = self.s["notify"] == rsc.NOTIFY_STEP
        self.notified = 0  # measurements sent (all connections count once)
        self.error = None
        self._stopping = False
        self.task = None
        self.h_meas = self.h_feature = self.h_location = self.h_cp = self.h_batt = None

    # --- called from the pipeline -------------------------------------------------------------
    def step(self):
        """One detected step: O(1), no allocation, safe from a task or a scheduled callback."""
        self.model.step()
        self._stepped = True
        if self._per_step:
            self._step_flag.set()

    def set_battery(self, pct):
        """Battery level 0..100 %, from the app's battery reading (about once a minute)."""
        self._batt[0] = 0 if pct < 0 else 100 if pct > 100 else pct
        if self.h_batt is None:
            return
        self._ble.gatts_write(self.h_batt, self._batt)  # type: ignore[arg-type]
        for c in self._conns:
            self._notify(c, self.h_batt, self._batt)

    # --- radio --------------------------------------------------------------------------------
    def start(self):
        ble = self._ble
        ble.active(True)
        ble.config(gap_name=self.s["name"])
        ble.irq(self._irq)
        cp = self.s["distance_field"]
        handles = ble.gatts_register_services(services(cp))
        rsc_h, dis_h, bas_h = handles
        self.h_meas, self.h_feature, self.h_location = rsc_h[0], rsc_h[1], rsc_h[2]
        self.h_cp = rsc_h[3] if cp else None
        f = self.model.features()
        ble.gatts_write(self.h_feature, bytes((f & 0xFF, f >> 8)))
        ble.gatts_write(self.h_location, bytes((rsc.LOCATION_HIP,)))
        for i in range(3):
            ble.gatts_write(dis_h[i], self._info[i].encode())
        self.h_batt = bas_h[0]
        ble.gatts_write(self.h_batt, self._batt)  # type: ignore[arg-type]
        self._adv = adv.payloads(self.s["name"])
        self._advertise()

    def stop(self):
        ble = self._ble
        self._stopping = True  # the disconnect IRQs that follow must not restart advertising
        try:
            ble.gap_advertise(None)  # type: ignore[arg-type]
            for c in self._conns:
                ble.gap_disconnect(c)
        except OSError:
            pass
        self._conns = []
        ble.active(False)

    def _advertise(self):
        if self._stopping:
            return
        a, r = self._adv
        try:
            self._ble.gap_advertise(_ADV_INTERVAL_US, a, resp_data=r or None)
        except OSError as e:  # the controller refused (out of resources): retried on the next event
            self.error = "advertising failed: %s" % (e,)

    def _irq(self, event, data):
        # Runs in the BLE stack's callback context: record and return, the tasks do the work.
        if event == _IRQ_CENTRAL_CONNECT:
            self._conns = self._conns + [data[0]]  # a new list: a task may be iterating the old one
            if len(self._conns) < MAX_CONNECTIONS:
                self._advertise()  # connecting stops advertising; let a second receiver find us
        elif event == _IRQ_CENTRAL_DISCONNECT:
            self._conns = [c for c in self._conns if c != data[0]]
            self._advertise()
        elif event == _IRQ_GATTS_WRITE and data[1] == self.h_cp:
            # Answered here, not in a task: two quick writes (from two receivers) must each get
            # their own response. A few byte operations; the IRQ is a scheduled callback, not hard.
            self._control_point(data[0])

    def _notify(self, conn, handle, value):
        try:
            self._ble.gatts_notify(conn, handle, value)  # type: ignore[call-arg]
        except OSError:
            pass  # the link dropped between the IRQ and now; the disconnect event follows

    def notify(self):
        """Encode the current cadence and send it to every connected receiver."""
        src = self.source
        if callable(src):  # e.g. `lambda: app.det`: the app replaces its detector on an IMU reopen
            src = src()
        if src is None:
            n = self.model.encode_into(self._buf, 0, False)
        else:
            n = self.model.encode_into(self._buf, src.cadence_x100(), src.in_gait())
        v = self._views[n]
        for c in self._conns:
            self._notify(c, self.h_meas, v)
        self.notified += 1
        return n

    # --- tasks --------------------------------------------------------------------------------
    async def run(self):
        try:
            self.start()
        except OSError as e:  # no controller, out of memory: the pod keeps running without BLE
            self.error = "BLE failed to start: %s" % (e,)
            print(self.error)
            return
        tasks = []
        try:
            if self._per_step:
                tasks.append(asyncio.create_task(self._idle_ticker()))
                while True:
                    await self._step_flag.wait()
                    self.notify()
            else:
                clk = self._clk
                t = clk.ticks_ms()
                while True:
                    # An absolute schedule: the period does not drift with the time notify() takes.
                    t = clk.ticks_add(t, self.period_ms)
                    d = clk.ticks_diff(t, clk.ticks_ms())
                    if d > 0:
                        await asyncio.sleep_ms(d)
                    else:
                        t = clk.ticks_ms()  # fell behind (a long GC?): resync, never burst
                    self.notify()
        finally:
            for k in tasks:
                k.cancel()
            self.stop()

    async def _idle_ticker(self):
        # In per-step mode, still send once a period when no step came, so receivers see 0 spm.
        while True:
            await asyncio.sleep_ms(self.period_ms)
            if not self._stepped:
                self._step_flag.set()
            self._stepped = False

    def _control_point(self, conn):
        req = self._ble.gatts_read(self.h_cp)  # type: ignore[arg-type]
        op = req[0] if len(req) else 0
        result = _CP_NOT_SUPPORTED
        if op == _CP_SET_CUMULATIVE:
            if len(req) == 5:
                self.model.set_distance_dm(req[1] | (req[2] << 8) | (req[3] << 16) | (req[4] << 24))
                result = _CP_SUCCESS
            else:
                result = _CP_INVALID_PARAM
        try:
            self._ble.gatts_indicate(conn, self.h_cp, bytes((_CP_RESPONSE, op, result)))  # type: ignore
        except OSError:
            pass
