"""Run the firmware app on the simulated pod without a bridge: `micropython -m pod.sim.run_sim SETTINGS`.

SETTINGS as in pod.sim.board_sim, plus "board": the board JSON path (default board.json in the cwd).
The cwd plays the device filesystem (config.json, logs/). Prints the run's result as JSON.

`--probe SETTINGS` builds the sim board only and prints `sim_heap_bytes N`: the heap the simulator
itself takes (fakes, bus, pins, clock, their code), so a test can give the micropython process the
device's heap plus exactly that.
"""
import gc
import sys


def _settings(path):
    import json

    with open(path) as f:
        return json.load(f)


def _board(settings):
    from pod import board as podboard

    return podboard.load(settings.get("board", podboard.BOARD_FILE))


def _app_modules(settings):
    from pod import app, logstore  # noqa: F401

    imu = settings.get("imu") or _board(settings)["imu"]["type"]
    if imu == "mpu6886":
        import pod.drivers.mpu6886  # noqa: F401
    else:
        import pod.drivers.lsm6dsx  # noqa: F401


def _sim(settings):
    # app_hw (the app's) is imported before the measurement starts.
    from pod import app_hw  # noqa: F401

    gc.collect()
    before = gc.mem_alloc()  # type: ignore[attr-defined]
    from pod.sim.board_sim import SimHardware

    hw = SimHardware(_board(settings), settings)
    gc.collect()
    return hw, gc.mem_alloc() - before  # type: ignore[attr-defined]


def probe(path):
    settings = _settings(path)
    hw, sim_bytes = _sim(settings)
    print("sim_heap_bytes", sim_bytes)
    return hw


def run(path):
    # The simulator first (its FIFO and register files want large blocks), then the app's code.
    settings = _settings(path)
    hw, _ = _sim(settings)
    _app_modules(settings)
    from pod import app

    return app.main(hw=hw, board=hw.sim.profile)


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        print("usage: micropython -m pod.sim.run_sim [--probe] SETTINGS.json")
        sys.exit(2)
    if args[0] == "--probe":
        probe(args[1])
    else:
        run(args[0])
