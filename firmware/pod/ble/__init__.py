"""Bluetooth LE for the pod: the standard Running Speed and Cadence sensor (see docs/ble.md).

start(cfg, ...) is the app's one entry point. With BLE disabled in the config it returns None without
importing `bluetooth` at all, so the radio stays off and costs nothing.
"""


def start(cfg, source, warn=print, **kw):
    """Create the RSC service and its asyncio task; None when cfg says BLE is off.

    cfg: the config's "ble" dict; a bad value falls back to its default and is passed to warn(), as
    for the rest of the config. source: the step detector (anything with cadence_x100() and
    in_gait()), or a function returning the current one (None while there is no IMU).
    kw: fw=, model=, manufacturer=, ble=, period_ms=, clock= (the app's hw, for ticks_ms/ticks_add/
    ticks_diff; default the time module); see RscService.
    The caller keeps the returned service and calls its step() once per detected step.
    """
    from pod.core.rsc import settings_lenient

    s, warnings = settings_lenient(cfg)
    for w in warnings:
        warn(w)
    if not s["enabled"]:
        return None
    import asyncio

    from pod.ble.rsc_service import RscService

    svc = RscService(s, source=source, **kw)
    svc.task = asyncio.create_task(svc.run())
    return svc
