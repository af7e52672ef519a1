"""pod.logstore under the real micropython binary; the files are read back by the CPython codec."""
import json
import pathlib

from pod.core import logcodec as lc

SCRIPT = pathlib.Path(__file__).with_name("mp_logstore_script.py")


def test_logstore_on_micropython_reads_back_on_cpython(micropython, tmp_path):
    r = micropython([str(SCRIPT)], heapsize="96K", cwd=tmp_path)
    assert r.returncode == 0, r.stderr.decode() + r.stdout.decode()
    facts = json.loads(r.stdout.decode().strip().splitlines()[-1])
    logs = tmp_path / "logs"
    s1 = lc.decode((logs / "S00001.cpl").read_bytes())
    assert facts["s1"] == ["S00001.cpl", None, 600]
    assert s1.complete and len(s1.steps) == 600 and len(s1.summaries) == 43
    assert s1.header["fw"] == "mp-test" and s1.events[-1][1:] == ("alert", 2)
    # the abandoned session keeps its header and the flushed step, and is not damaged
    s2 = lc.decode((logs / "S00002.cpl").read_bytes())
    assert s2.header["session"] == 2 and s2.steps[:1] == [(1, 350)] and not s2.damage and s2.end is None
    # the third filled the budget: stopped with an error event, nothing deleted
    assert facts["s3"][1] == "storage_full"
    assert facts["s3"][2] == ["S00001.cpl", "S00002.cpl", "S00003.cpl"]
    s3 = lc.decode((logs / "S00003.cpl").read_bytes())
    assert s3.events[-1][1:] == ("error", lc.ERR_STORAGE_FULL) and s3.end is not None
    # allocation-light: a step appends to a preallocated buffer (only the CRC call's memoryview)
    assert facts["alloc_per_step"] <= 32, facts


def test_reader_runs_on_micropython_too(micropython, tmp_path):
    """The same codec decodes a CPython-written log on the device, damage included."""
    recs = [("header", 1, {"fw": "x", "board": "sim", "config": {}, "start_s": None})]
    recs += [("step", 300 * i, 300) for i in range(50)]
    recs += [("event", 9, "plan", {"why": "ok"}), ("end", 9, 50)]
    data = lc.encode_records(recs)
    (tmp_path / "a.cpl").write_bytes(data)
    (tmp_path / "b.cpl").write_bytes(data[:-20])
    (tmp_path / "read.py").write_text(
        "from pod.core import logcodec as lc\n"
        "for n in ('a.cpl', 'b.cpl'):\n"
        "    s = lc.decode(open(n, 'rb').read())\n"
        "    print(n, len(s.steps), s.events, s.end, [d.reason for d in s.damage])\n")
    r = micropython(["read.py"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode().splitlines()
    assert out[0] == "a.cpl 50 [(9, 'plan', {'why': 'ok'})] (9, 50) []"
    assert out[1] == "b.cpl 50 [] None ['truncated']"
