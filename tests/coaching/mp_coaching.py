"""Every coaching module on one fixed input; prints one line per result.

Run under CPython and under the micropython binary: the outputs must be identical
(tests/coaching/test_coach_micropython.py). With `heaplock` as argument (MicroPython only) the
per-step calls also run under micropython.heap_lock() to show they do not allocate.
"""
import sys

from pod.core import alerts, autostart, baseline, fade, plan, sync

HEAPLOCK = len(sys.argv) > 1 and sys.argv[1] == "heaplock"
if HEAPLOCK:
    import micropython

_seed = [12345]


def rnd(n):
    """Small LCG, identical on both interpreters (31-bit safe)."""
    _seed[0] = (_seed[0] * 1103515245 + 12345) & 0x3FFFFFFF
    return (_seed[0] >> 8) % n


def show(name, d):
    print(name + " " + " ".join("%s=%s" % (k, d[k]) for k in sorted(d)))


def lock():
    if HEAPLOCK:
        micropython.heap_lock()


def unlock():
    if HEAPLOCK:
        micropython.heap_unlock()


# plan: a season of sessions, then replay
st, rec = plan.new(16000, 18000)
recs = [rec]
for _i in range(14):
    steady = 200 + rnd(2000)
    st, rec = plan.decide(st, steady, steady * (40 + rnd(61)) // 100)
    recs.append(rec)
    show("plan", rec)
st2, rec = plan.set_target(st, 17200)
recs.append(rec)
st2, rec = plan.reset(st2)
recs.append(rec)
evs = []
for r in recs:
    evs.extend(plan.record_events(r))
print("plan replay", plan.replay(recs) == st2, plan.replay(plan.records_from_events(evs)) == st2)
show("plan state", st2)

# alerts over a noisy cadence with stops
al = alerts.CadenceAlerts(warmup_ms=30000, gap_ms=15000, repeat_ms=30000)
t = 0
cad_trace = []
for i in range(900):
    t += 1000
    seg = (i // 60) % 5
    cad = (0, 16000, 17000, 18000, 16750)[seg]
    if cad:
        cad += rnd(200) - 100
    cad_trace.append((t, cad))
out = [0] * 64  # filled under heap_lock: no appends
n = 0
lock()
for t, cad in cad_trace:
    a = al.update(t, cad, 17000)
    if a and n < 64:
        out[n] = t
        out[n + 1] = a
        n += 2
unlock()
print("alerts", al.count, al.transitions, out[:n])
print("patterns", alerts.PATTERNS[alerts.SLOW], alerts.PATTERNS[alerts.FAST])

# fade
g = fade.FadeGate.for_level(2, 60000, start_ms=5000)
print("fade", fade.play_rest_ms(2), [g.on(x) for x in (0, 5000, 40999, 41000, 64999, 65000)],
      fade.next_level(5, True, False), fade.next_level(0, False, True))

# baseline and compliance on the same trace
bm = baseline.BaselineMeter(warmup_ms=60000, settle_ms=10000)
cm = plan.ComplianceMeter(300, baseline.SteadyGate(warmup_ms=60000))
lock()
for t, cad in cad_trace:
    bm.update(t, cad)
    cm.update(t, cad, 17000)
unlock()
print("baseline", bm.median_x100(), bm.steady_ms(), cm.result_s())

# auto start on a run-up
au = autostart.AutoStart(start_ms=10000, idle_ms=20000, keep=32)
t = 0
started = -1
for i in range(80):
    t += 375 + rnd(20)
    cad = 0 if i < 4 else (11000 if i < 10 else 16000)
    if au.step(t, cad) == autostart.START:
        started = t
        break
kept = au.pre_steps()
print("autostart", started, au.begin_ms, len(kept), kept[0], kept[-1])
lock()
for _i in range(40):
    t += 375
    au.step(t, 16000)
    au.poll(t)
unlock()
print("autostop", au.poll(t + 19999), au.poll(t + 20000), au.end_ms)

# sync: a runner at 160 spm who follows with a 20 ms lag
s = sync.Sync(17000, rate_x100_per_s=20)
per = 375000  # runner period in us
nxt = 500
last_beat = -1
beats = 0
errs = []
lock()
for t in range(0, 90000):
    if s.poll(t):
        last_beat = t
        beats += 1
    if t == nxt:
        e = s.contact(t)
        if e is not None and len(errs) < 12:
            unlock()
            errs.append(e)
            lock()
        step = per // 1000
        if last_beat >= 0:
            a = t - last_beat
            if a > s.period_ms() // 2:
                a -= s.period_ms()
            step = per // 1000 - (a - 20) // 2
            per += (s.period_ms() * 1000 - per) * 3 // 10
        nxt = t + step + rnd(7) - 3
unlock()
print("sync", beats, s.state, s.tempo_x100, errs, sync.phase_error_ms(1234567, 1000, 353))
print("done")
