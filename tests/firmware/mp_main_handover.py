# Run under the real micropython binary (test_app_behaviour.py): pod.app.main() hands the watchdog to
# a timer when the app is stopped with Ctrl-C (KeyboardInterrupt), and not when the app crashes.
# argv: board.json, "interrupt" | "crash". Prints one "RESULT <json>" line.
import json
import sys

from pod import app as podapp
from pod import board as podboard
from pod.sim.board_sim import SimHardware

board = podboard.load(sys.argv[1])
how = sys.argv[2]
hw = SimHardware(board, {})


async def run(self):
    self.hw.wdt_start(10000)
    if how == "interrupt":
        raise KeyboardInterrupt
    raise RuntimeError("boom")


podapp.App.run = run
podapp.main(hw=hw, board=board)
wdt = hw.sim.wdt
print("RESULT " + json.dumps({"kept_ms": getattr(wdt, "kept_ms", 0)}))
