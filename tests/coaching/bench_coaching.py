"""Benchmark (not a test): RAM of the coaching core and cost of its per-step calls.

    MICROPYPATH=firmware .venv/bin/micropython tests/coaching/bench_coaching.py
Prints figures; it asserts nothing (timings on the host say little about an ESP32).
"""
import gc
import time

gc.collect()
m0 = gc.mem_alloc()
from pod.core import alerts, autostart, baseline, plan, sync  # noqa: E402

gc.collect()
m1 = gc.mem_alloc()
al = alerts.CadenceAlerts(warmup_ms=0)
bm = baseline.BaselineMeter()
cm = plan.ComplianceMeter()
au = autostart.AutoStart()
sy = sync.Sync(17000)
gc.collect()
m2 = gc.mem_alloc()
print("coaching modules: %d bytes of heap; one of each object: %d bytes" % (m1 - m0, m2 - m1))

N = 20000
t0 = time.ticks_us()
for i in range(N):
    t = i * 353
    al.update(t, 16000, 17000)
    bm.update(t, 16000)
    cm.update(t, 16000, 17000)
    au.step(t, 16000)
    sy.poll(t)
    sy.contact(t)
dt = time.ticks_diff(time.ticks_us(), t0)
print("per step, all five updates: %d us (unix port on this host)" % (dt // N))
