# Run under the micropython unix binary by test_logstore_micropython.py (cwd = a temp "flash" dir).
# Writes sessions with pod.logstore and prints one JSON line of facts for the CPython side to check.
import gc
import json

from pod import logstore as ls

HDR = {"fw": "mp-test", "board": "sim", "config": {"target_spm": 170}, "start_s": None}
out = {}

store = ls.LogStore(root="logs", budget_bytes=60000, reserve_bytes=0)
log = store.open_session(HDR)
log.event(0, "start", 0)
t = 0
for i in range(600):
    t += 350
    log.step(t, 350)
    if i % 14 == 0:
        log.summary(t, 17143, 170, True)
log.event(t, "alert", 2)
log.close(t + 100)
out["s1"] = [log.name, log.error, log.steps]

# steady-state allocation of the per-step path (buffer appends, no flush in the window)
log = store.open_session(HDR)
log.step(1, 350)
log.flush()
gc.collect()
gc.disable()
a0 = gc.mem_alloc()
for i in range(100):
    log.step(2 + i, 350)
a1 = gc.mem_alloc()
gc.enable()
out["alloc_per_step"] = (a1 - a0) / 100
# power cut: this session is abandoned without close (the buffer since the last flush is lost)
out["s2"] = [log.name, log.error]

store2 = ls.LogStore(root="logs", budget_bytes=60000, reserve_bytes=0)
log = store2.open_session(HDR)
for i in range(10000):
    log.step(i * 300, 300)
out["s3"] = [log.name, log.error, [n for (n, _s, _d) in store2.sessions()]]
print(json.dumps(out))
