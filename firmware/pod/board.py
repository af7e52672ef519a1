"""The board profile: /board.json, copied from hardware/boards/<board>.json by `make flash`.

Pins, IMU type and address, and which outputs exist are data, from the one source in hardware/.
"""
import json

BOARD_FILE = "board.json"


class BoardError(Exception):
    pass


def load(path=BOARD_FILE):
    """Return the board dict. Raises BoardError with one clear line when it is missing or unusable."""
    try:
        with open(path) as f:
            b = json.load(f)
    except OSError:
        raise BoardError("no %s on the pod: flash it with `make flash BOARD=...`" % path) from None
    except ValueError:
        raise BoardError("%s is not valid JSON: flash it again" % path) from None
    if not isinstance(b, dict):
        raise BoardError("%s is not a JSON object" % path)
    for key in ("name", "mcu", "imu", "pins"):
        if key not in b:
            raise BoardError("%s has no %r" % (path, key))
    return b


def pin(board, name):
    """A pin number, or None when the board does not have it."""
    return board["pins"].get(name)


def has_output(board, name):
    return bool(board.get("outputs", {}).get(name)) and pin(board, name) is not None
