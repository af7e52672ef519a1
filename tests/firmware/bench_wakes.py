"""Benchmark: CPU wake-ups per second of the app on the simulated pod vs the power budget (issue 6).

The simulated CPU light-sleeps whenever the app allows it and wakes on the IMU INT, a button edge or
its timeout; each exit is counted (pod.sim.board_sim). hardware/power_budget.py's model:
ODR / watermark + 2 per beat (on, off) + 1 per log flush. The app also wakes for the LED's edges
(0.4 s on / 0.6 s off in a session: 2 per second) and stays awake through a PWM pulse (buzzer,
or a motor below 100 %), so a tone's end needs no separate wake-up.

    .venv/bin/python tests/firmware/bench_wakes.py [--seconds 60]
"""
import argparse
import json
import pathlib
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "hardware"))

import power_budget  # noqa: E402
import sim_app  # noqa: E402

CASES = (  # label, config
    ("haptic 100 % (DC motor)", {"output": "haptic", "intensity": 100}),
    ("haptic 70 % (PWM motor)", {"output": "haptic", "intensity": 70}),
    ("audio (PWM buzzer)", {"output": "audio"}),
    ("metronome off", {"metronome": False}),
)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--spm", type=int, default=170)
    a = ap.parse_args(argv)
    board = json.loads(sim_app.BOARD.read_text())
    print("wake-ups per second, %d spm, beat every step, flush every 5 s, %g s session, sim board "
          "(watermark %d at 104 Hz)" % (a.spm, a.seconds, board["power"]["fifo_watermark_samples"]))
    print("%-26s %9s %9s %8s %7s" % ("output", "measured", "budget", "asleep", "late"))
    with tempfile.TemporaryDirectory() as tmp:
        for label, cfg in CASES:
            cfg = dict(cfg, target_spm=a.spm, flush_s=5, accent_every=0, ble={"enabled": False})
            r = sim_app.run(pathlib.Path(tmp) / label.split()[0], cfg, recording=sim_app.TREADMILL,
                            session=[0.0], end_s=a.seconds)
            if r.rc != 0 or r.result is None:
                raise SystemExit("run failed: " + r.out[-2000:])
            res = r.result
            beats = cfg.get("metronome", True)
            budget = power_budget.expected_wakes_per_s(board, a.spm if beats else 0, 1, 5.0)
            print("%-26s %9.2f %9.2f %7.0f%% %7d" % (label, res["light_sleeps"] / res["sim_s"], budget,
                                                    100 * res["slept_s"] / res["sim_s"], res["late_beats"]))


if __name__ == "__main__":
    main()
