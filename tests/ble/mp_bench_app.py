# The firmware app on the simulated pod, with BLE off or on, for bench_ble.py (run under the real
# micropython binary, cwd = a scratch "device" dir holding board.json and sim.json, tests/ble/fakes on
# the path for the `bluetooth` module). Prints one "BENCH <json>" line.
#
# BLE is wired in the way docs/ble.md tells the app to: pod.ble.start() once the app's tasks run,
# svc.step() once per detected step, a central connected so notifications really go out. The app's
# own code is not modified: the hooks wrap its methods from outside.
import asyncio
import json
import sys
import time

from pod import app as podapp
from pod import board as podboard
from pod.sim.board_sim import SimHardware, load_settings

MODE = sys.argv[1]  # "off", "second", "step", or "micro" (BLE calls timed on their own, no app)
assert MODE in ("off", "second", "step", "micro"), MODE


class Detector:
    """The app's current detector (it is replaced when the IMU is reopened)."""

    def __init__(self, app):
        self.app = app

    def cadence_x100(self):
        d = self.app.det
        return d.cadence_x100() if d is not None else 0

    def in_gait(self):
        d = self.app.det
        return d is not None and d.in_gait()


class BenchHardware(SimHardware):
    svc = None
    drain_us = 0
    drain_max_us_per_sample = 0
    drains = 0
    drained = 0

    def started(self, app):
        self._time_drain(app)
        if MODE == "off":
            return
        import bluetooth
        import pod.ble

        svc = pod.ble.start({"notify": MODE}, Detector(app), fw=podapp.FW_VERSION, model="sim", clock=self)
        self.svc = svc
        orig_steps = app._steps

        def steps(k):
            orig_steps(k)
            for _ in range(k):
                svc.step()

        app._steps = steps

        async def central():
            await asyncio.sleep_ms(200)
            bluetooth.BLE().sim_connect()

        asyncio.create_task(central())

    def _time_drain(self, app):
        orig = app._drain

        async def timed():
            t0 = time.ticks_us()  # real time: the CPU the pipeline takes, whatever the sim clock does
            s0 = app.samples
            await orig()
            dt = time.ticks_diff(time.ticks_us(), t0)
            n = app.samples - s0
            self.drains += 1
            self.drained += n
            self.drain_us += dt
            if n and dt // n > self.drain_max_us_per_sample:
                self.drain_max_us_per_sample = dt // n

        app._drain = timed

    def finished(self, app):
        r = SimHardware.finished(self, app)
        out = {
            "mode": MODE,
            "samples": self.drained,
            "drains": self.drains,
            "drain_us": self.drain_us,
            "drain_max_us_per_sample": self.drain_max_us_per_sample,
            "steps": r["steps"],
            "beats": r["beats"],
            "late_beats": r["late_beats"],
            "sim_s": r["sim_s"],
        }
        if self.svc is not None:
            import bluetooth

            out["notified"] = self.svc.notified
            out["sent"] = len(bluetooth.BLE().sim_sent)
            out["ble_error"] = self.svc.error
        print("BENCH " + json.dumps(out))
        return r


def micro():
    import bluetooth
    from pod.ble.rsc_service import RscService
    from pod.core.detector import StepDetector

    det = StepDetector()
    svc = RscService({}, source=det)
    svc.start()
    bluetooth.BLE().sim_connect()
    out = {"mode": "micro"}
    for name, fn, n in (("step_us", svc.step, 20000), ("notify_us", svc.notify, 2000),
                        ("encode_us", lambda: svc.model.encode_into(svc._buf, 18000, True), 20000)):
        t0 = time.ticks_us()
        for _ in range(n):
            fn()
        out[name] = time.ticks_diff(time.ticks_us(), t0) / n
    print("BENCH " + json.dumps(out))


if MODE == "micro":
    micro()
    sys.exit(0)

settings = load_settings("sim.json")
board = podboard.load("board.json")
hw = BenchHardware(board, settings)
podapp.main(hw=hw, board=board)
