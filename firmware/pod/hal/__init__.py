"""The thin hardware layer: `from pod import hal` gives the ESP32 implementation on the device
(hal/esp32.py, the only importer of `machine`) and the simulated twin elsewhere (hal/sim.py).
Both export the same names; see hal/README.md."""
import sys

if sys.platform == "esp32":
    from pod.hal.esp32 import *  # noqa: F401,F403
else:
    from pod.hal.sim import *  # noqa: F401,F403
