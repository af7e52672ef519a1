# Runs first at every boot: keep it tiny, it must never fail. The app starts from main.py.
try:
    import micropython

    micropython.alloc_emergency_exception_buf(100)  # tracebacks from IRQ handlers
except (ImportError, AttributeError):  # the unix port (simulated pod) has neither
    pass
