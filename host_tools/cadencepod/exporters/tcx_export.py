"""TCX (Garmin Training Center v2) with RunCadence in strides/min, ActivityExtension/v2 namespace."""
import datetime
from xml.sax.saxutils import escape

from . import UNIT_NOTE, start_datetime, timeline

NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
NS_AX = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"


def _iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_tcx(session, path=None):
    start, _known = start_datetime(session, path)
    tl = timeline(session)
    dur_s = max(session.duration_ms() / 1000.0, tl[-1][0] if tl else 0.0, 1.0)
    running = [spm for (_t, spm, _g, _m) in tl if spm > 0]
    avg = sum(running) / len(running) if running else 0.0
    mx = max(running) if running else 0.0
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           "<!-- %s. RunCadence below is strides per minute. -->" % escape(UNIT_NOTE),
           '<TrainingCenterDatabase xmlns="%s" xmlns:ns3="%s">' % (NS, NS_AX),
           "  <Activities>", '    <Activity Sport="Running">', "      <Id>%s</Id>" % _iso(start),
           '      <Lap StartTime="%s">' % _iso(start),
           "        <TotalTimeSeconds>%.1f</TotalTimeSeconds>" % dur_s,
           "        <DistanceMeters>0</DistanceMeters>", "        <Calories>0</Calories>",
           "        <Intensity>Active</Intensity>", "        <TriggerMethod>Manual</TriggerMethod>",
           "        <Track>"]
    for (t_s, spm, _g, _m) in tl:
        ts = start + datetime.timedelta(seconds=t_s)
        out += ["          <Trackpoint>", "            <Time>%s</Time>" % _iso(ts),
                "            <Extensions><ns3:TPX><ns3:RunCadence>%d</ns3:RunCadence></ns3:TPX></Extensions>"
                % int(round(spm / 2.0)),
                "          </Trackpoint>"]
    out += ["        </Track>",
            "        <Extensions><ns3:LX><ns3:AvgRunCadence>%d</ns3:AvgRunCadence>"
            "<ns3:MaxRunCadence>%d</ns3:MaxRunCadence></ns3:LX></Extensions>"
            % (round(avg / 2), round(mx / 2)),
            "      </Lap>",
            "      <Notes>%s</Notes>" % escape(UNIT_NOTE),
            "    </Activity>", "  </Activities>", "</TrainingCenterDatabase>", ""]
    return "\n".join(out)
