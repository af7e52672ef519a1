"""Every arithmetic result in the detector stays inside ESP32's 31-bit small ints.

CPython ints never overflow, so the detector's source is re-compiled with each arithmetic
expression wrapped in a check: any value outside -2^30..2^30-1 (which on the ESP32 would become
a heap-allocated big int) fails the test, wherever it happens.
"""
import ast
import pathlib
from array import array

import pod.core.detector as detector_mod
from hypothesis import given, settings
from hypothesis import strategies as st
from pod.core.replay import Replay

LIMIT = 1 << 30


class _Wrap(ast.NodeTransformer):
    def _chk(self, node):
        return ast.Call(func=ast.Name("_chk", ast.Load()), args=[node], keywords=[])

    def visit_BinOp(self, node):
        self.generic_visit(node)
        return self._chk(node)

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        return self._chk(node) if isinstance(node.op, ast.USub) else node

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        load = ast.parse(ast.unparse(node.target), mode="eval").body
        value = self._chk(ast.BinOp(left=load, op=node.op, right=node.value))
        return ast.Assign(targets=[node.target], value=value, lineno=node.lineno)


def _chk(v):
    if isinstance(v, int) and not -LIMIT <= v < LIMIT:
        raise OverflowError("intermediate %d outside 31-bit small ints" % v)
    return v


def checked_detector_class():
    src = pathlib.Path(detector_mod.__file__).read_text()
    tree = ast.fix_missing_locations(_Wrap().visit(ast.parse(src)))
    ns = {"_chk": _chk, "__name__": "checked_detector"}
    exec(compile(tree, "checked_detector", "exec"), ns)
    return ns["StepDetector"]


CheckedDetector = checked_detector_class()


def test_the_check_catches_an_overflow():
    import pytest
    with pytest.raises(OverflowError):
        _chk(1 << 30)


samples = st.lists(
    st.one_of(st.integers(-32768, 32767), st.sampled_from([-32768, 32767, 0])),
    min_size=3, max_size=3000,
)


@settings(max_examples=40, deadline=None)
@given(samples, st.sampled_from([25000, 104000, 208000, 500000]), st.sampled_from([1024, 2048, 4096, 16384]))
def test_any_int16_input_stays_in_small_ints(vals, odr_mhz, cpg):
    vals = vals[: len(vals) // 3 * 3]
    det = CheckedDetector(odr_mhz=odr_mhz, counts_per_g=cpg)
    Replay(det).block(array("h", vals), len(vals) // 3, lambda k, i, v: None)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**31 - 1), st.sampled_from([104000, 500000]))
def test_saturation_gaps_and_gait_stay_in_small_ints(seed, odr_mhz):
    """Saturated bursts, dropped-out stretches (zeros) and a real gait rhythm, all in one stream."""
    import random
    rnd = random.Random(seed)
    det = CheckedDetector(odr_mhz=odr_mhz, counts_per_g=1024)
    rep = Replay(det)
    buf = array("h", bytes(6 * 64))
    for block in range(120):
        mode = rnd.choice(["sat", "gap", "gait", "noise"])
        for i in range(64):
            t = block * 64 + i
            if mode == "sat":
                v = (rnd.choice([-32768, 32767]), rnd.choice([-32768, 32767]), rnd.choice([-32768, 32767]))
            elif mode == "gap":
                v = (0, 0, 0)
            elif mode == "gait":
                v = (0, 0, 1024 + (20000 if t % 40 < 4 else 0))
            else:
                v = tuple(rnd.randint(-32768, 32767) for _ in range(3))
            buf[3 * i], buf[3 * i + 1], buf[3 * i + 2] = v
        rep.block(buf, 64, lambda k, i, v: None)
