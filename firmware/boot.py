# Runs first at every boot: keep it tiny, it must never fail. The app starts from main.py.
try:
    import micropython

    micropython.alloc_emergency_exception_buf(100)  # tracebacks from IRQ handlers
except (ImportError, AttributeError):  # the unix port (simulated pod) has neither
    pass
try:  # power lost inside `cadencepod flash`'s swap (/pod renamed /pod.old): put the old app back
    import os

    try:
        os.stat("pod")
    except OSError:
        os.rename("pod.old", "pod")
except Exception:  # no /pod.old either (a fresh pod): main.py reports the missing app
    pass
