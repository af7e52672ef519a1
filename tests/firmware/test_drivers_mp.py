"""The drivers, fakes and sim HAL under the real micropython binary: allocation-free read_fifo
(heap_lock), and the IRQ -> ThreadSafeFlag -> FIFO drain path in asyncio on sim time."""
import pathlib

import pytest

HERE = pathlib.Path(__file__).parent


def _ok(res):
    out = res.stdout.decode() + res.stderr.decode()
    assert res.returncode == 0, out
    return out


def test_read_fifo_allocates_nothing_under_micropython(micropython):
    out = _ok(micropython([str(HERE / "mp_drivers_heaplock.py")], heapsize="256K"))
    for chip in ("lsm6dso", "lsm6ds3", "lsm6ds3trc", "mpu6886"):
        assert "OK %s read" % chip in out and "OK %s signs+overflow" % chip in out
    assert "OK wrap" in out


@pytest.mark.parametrize("chip", ["lsm6dso", "lsm6ds3trc", "mpu6886"])
def test_sim_board_in_asyncio_on_sim_time(micropython, chip):
    # 5 simulated minutes starting 2 s before the ticks wrap, in a 160 KB heap
    out = _ok(micropython([str(HERE / "mp_drivers_asyncio.py"), chip, "300"], heapsize="160K", timeout=120))
    assert "OK asyncio %s" % chip in out
    print(out)


def test_sim_board_real_time_scaled(micropython):
    # 20 s of sim time following real time 10x faster
    args = [str(HERE / "mp_drivers_asyncio.py"), "lsm6dso", "20", "10"]
    out = _ok(micropython(args, heapsize="160K", timeout=60))
    assert "OK asyncio lsm6dso" in out
