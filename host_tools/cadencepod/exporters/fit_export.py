"""FIT activity file via garmin-fit-sdk's Encoder: sport running, cadence in strides/min.

record.cadence (strides/min, integer) + record.fractional_cadence (1/128) so that
2 * (cadence + fractional_cadence) = steps per minute; session and lap carry avg/max running cadence
(the running sub-fields of avg_cadence/max_cadence) and total strides. Garmin Connect and Strava
double running cadence for display, so they show steps per minute again.
"""
import datetime

from garmin_fit_sdk import Encoder, Profile

from . import start_datetime, strides_parts, timeline

MESG = Profile["mesg_num"]


def build_fit(session, path=None):
    start, _known = start_datetime(session, path)
    tl = [row for row in timeline(session)]
    dur_s = max(session.duration_ms() / 1000.0, tl[-1][0] if tl else 0.0, 1.0)
    end = start + datetime.timedelta(seconds=dur_s)
    enc = Encoder()
    enc.write_mesg({"mesg_num": MESG["FILE_ID"], "type": "activity", "manufacturer": "development",
                    "product": 1, "serial_number": int(session.header.get("session") or 1),
                    "time_created": start})
    enc.write_mesg({"mesg_num": MESG["EVENT"], "timestamp": start, "event": "timer", "event_type": "start"})
    last_ts = None
    running = []
    for (t_s, spm, _target, _met) in tl:
        ts = start + datetime.timedelta(seconds=int(t_s))
        if ts == last_ts:
            continue  # FIT timestamps are whole seconds
        last_ts = ts
        c, f = strides_parts(spm)
        if spm > 0:
            running.append(spm)
        enc.write_mesg({"mesg_num": MESG["RECORD"], "timestamp": ts, "cadence": c, "fractional_cadence": f})
    enc.write_mesg({"mesg_num": MESG["EVENT"], "timestamp": end, "event": "timer", "event_type": "stop_all"})
    avg_spm = sum(running) / len(running) if running else 0.0
    max_spm = max(running) if running else 0.0
    ac, af = strides_parts(avg_spm)
    mc, mf = strides_parts(max_spm)
    strides = len(session.steps) // 2
    common = {"timestamp": end, "start_time": start, "total_elapsed_time": dur_s, "total_timer_time": dur_s,
              "sport": "running", "avg_cadence": ac, "avg_fractional_cadence": af, "max_cadence": mc,
              "max_fractional_cadence": mf, "total_cycles": strides, "message_index": 0}
    enc.write_mesg(dict(common, mesg_num=MESG["LAP"], event="lap", event_type="stop",
                        lap_trigger="session_end"))
    enc.write_mesg(dict(common, mesg_num=MESG["SESSION"], event="session", event_type="stop",
                        sub_sport="generic", first_lap_index=0, num_laps=1, trigger="activity_end"))
    enc.write_mesg({"mesg_num": MESG["ACTIVITY"], "timestamp": end, "total_timer_time": dur_s,
                    "num_sessions": 1, "type": "manual", "event": "activity", "event_type": "stop"})
    return enc.close()
