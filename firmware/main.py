# Device entry: start the cadence pod app. Any failure ends at the REPL, never in a boot loop:
# hold button A while booting to skip the app (safe mode).
try:
    import pod.app
except Exception as e:  # a broken install: report it and stay at the REPL
    import sys

    print("cadence pod: app failed to load:")
    sys.print_exception(e)  # type: ignore[attr-defined]
else:
    pod.app.main()
