"""Save a JSON file so that a power cut leaves the old or the new one, never half of either."""
import json


def save(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f)
    import os

    try:
        os.rename(tmp, path)  # LittleFS and POSIX replace the old file in one step
    except OSError:  # a filesystem that will not rename over a file
        try:
            os.remove(path)
        except OSError:
            pass
        os.rename(tmp, path)
