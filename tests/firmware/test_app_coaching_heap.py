"""Coaching's memory on the simulated pod: the compiled app (as flashed) with everything on at once
(a plan with faded beats and alerts, sync mode, phase errors) runs 20 minutes of a real recording.

Heap accounting as in test_app_session: the process gets the device's 96 KB + exactly what the
simulator holds + a fragmentation allowance, and the app's own live heap is what is left of the
sampled heap once the simulator's bytes are taken off. Every object is bigger on x64 than on the
ESP32 (8-byte pointers, 32-byte GC blocks against 4 and 16), so x64 figures are compared with the
device heap times X64_PER_ESP32_BYTE: the same scenario measured 113,664 B on x64 and 79,664 B on a
32-bit build of the same MicroPython (1.43x; 1.49x without sync). Without coaching the app fits
96 KB even in x64 objects (test_app_session).
"""
import pytest
from sim_app import DEMO_RUN, plan_state
from test_app_helpers import run_sim, sim_pod, sim_result

DEVICE_HEAP_KB = 96
FRAG_KB = 16
X64_PER_ESP32_BYTE = 1.5
SESSION_S = 1200


@pytest.fixture(scope="module")
def coached(tmp_path_factory):
    cfg = {"target_spm": 160, "warmup_s": 20, "alert_gap_s": 20, "output": "both", "sync": True}
    s = {"recording": str(DEMO_RUN), "loop": True,
         "preload": True, "session": [1.0, 1.0 + SESSION_S], "end_s": SESSION_S + 3.0, "events": "events.csv",
         "result": "result.json", "heap_every_s": 10, "start_us": (1 << 30) - 20_000_000,
         "plan": plan_state(target_spm=170, fade=1, min_steady_s=30)}
    build, fs, sim_bytes = sim_pod(tmp_path_factory.mktemp("coachheap"), cfg, s)
    device_x64 = int(DEVICE_HEAP_KB * 1024 * X64_PER_ESP32_BYTE)
    heap_kb = (device_x64 + sim_bytes + 1023) // 1024 + FRAG_KB
    r = run_sim(build, fs, heap_kb, timeout=600)
    out = r.stdout.decode() + r.stderr.decode()
    res = sim_result(fs)
    return {"rc": r.returncode, "out": out, "res": res, "sim_bytes": sim_bytes, "device_x64": device_x64}


def test_everything_on_runs_and_coaches(coached):
    assert coached["rc"] == 0 and "MemoryError" not in coached["out"], coached["out"][-3000:]
    r = coached["res"]
    assert r["session_s"] >= SESSION_S - 1 and r["late_beats"] == 0
    assert r["alerts"] > 0 and r["phases"] > 1000 and r["decision"] is not None
    coaching = {"pod.app_coach", "pod.core.plan", "pod.core.sync", "pod.core.alerts", "pod.core.fade"}
    assert coaching <= set(r["modules"])


def test_coached_heap_is_flat_and_fits_the_device(coached):
    heap = coached["res"]["heap"][3:]  # live bytes after a collect every 10 s, once warm
    app = [h - coached["sim_bytes"] for h in heap]
    half = len(app) // 2
    growth = sum(app[half:]) / (len(app) - half) - sum(app[:half]) / half
    print("\ncoaching, everything on: app's own live heap %d..%d B (x64 objects); device-equivalent "
          "budget %d B (96 KB x %.1f)" % (min(app), max(app), coached["device_x64"], X64_PER_ESP32_BYTE))
    assert max(app) - min(app) <= 2048 and abs(growth) <= 512
    assert max(app) <= coached["device_x64"]
