"""ESP32 small ints are 31-bit (|x| < 2^30): a value beyond that allocates a big int per step.
Run every per-step object late in a 12-day session and check everything it stores stays small."""
from pod.core import alerts, autostart, baseline, plan, sync

LIMIT = 1 << 30
T0 = LIMIT - 3_700_000  # the last hour before ms-since-start itself leaves small ints


def small(obj):
    for k, v in vars(obj).items():
        vals = v if isinstance(v, list) else [v]
        for x in vals:
            if isinstance(x, int) and not isinstance(x, bool):
                assert -LIMIT <= x < LIMIT, (type(obj).__name__, k, x)


def test_state_stays_in_small_ints_late_in_a_long_session():
    al = alerts.CadenceAlerts(warmup_ms=0)
    bm = baseline.BaselineMeter(warmup_ms=0)
    cm = plan.ComplianceMeter()
    au = autostart.AutoStart(idle_ms=5000)
    sy = sync.Sync(24000, rate_x100_per_s=1000)
    t = T0
    n = 0
    while t < T0 + 3_600_000:
        cad = 16000 + (n % 7) * 1000  # 160..220 spm
        al.update(t, cad, 17000)
        bm.update(t, cad)
        cm.update(t, cad, 17000)
        au.step(t, cad)
        au.poll(t)
        sy.poll(t)
        sy.contact(t)
        t += 300 + (n % 3)
        n += 1
        if n % 97 == 0:
            for o in (al, bm.gate, cm, cm.gate, au, sy):
                small(o)
    assert sy.tempo_x100 > 16000 and au.active and bm.median_x100() > 0
    assert -LIMIT < sync.phase_error_ms(LIMIT - 1, 0, 353) < LIMIT
