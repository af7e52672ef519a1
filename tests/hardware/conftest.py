"""hardware/ is plain scripts (stdlib only), not a package: put it on sys.path for these tests."""
import pathlib
import sys

HARDWARE = pathlib.Path(__file__).resolve().parents[2] / "hardware"
if str(HARDWARE) not in sys.path:
    sys.path.insert(0, str(HARDWARE))
