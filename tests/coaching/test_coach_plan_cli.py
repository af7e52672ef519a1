"""`cadencepod plan show|set|reset` on a local plan file."""
import json

from cadencepod.cli import cli
from click.testing import CliRunner
from pod.core import plan as P


def invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_set_show_reset_round_trip(tmp_path):
    f = str(tmp_path / "plan.json")
    r = invoke("plan", "set", "--file", f, "--baseline", "161.5", "--goal", "180")
    assert r.exit_code == 0, r.output
    assert "init, target 0 -> 166.5 spm" in r.output
    st = json.loads(open(f).read())
    assert P.validate(st)["target_x100"] == 16650
    r = invoke("plan", "set", "--file", f, "--target", "170", "--hold-sessions", "3")
    assert r.exit_code == 0 and "set, target 166.5 -> 170 spm" in r.output
    st = json.loads(open(f).read())
    assert (st["target_x100"], st["hold_n"], st["baseline_x100"]) == (17000, 3, 16150)
    r = invoke("plan", "set", "--file", f, "--goal", "168")  # a lower goal caps the target
    assert json.loads(open(f).read())["target_x100"] == 16800
    r = invoke("plan", "reset", "--file", f)
    assert r.exit_code == 0 and "reset, target 168 -> 166.5 spm" in r.output
    r = invoke("plan", "show", "--file", f, "--json")
    assert json.loads(r.output) == json.loads(open(f).read())
    r = invoke("plan", "show", "--file", f)
    assert "166.5 spm" in r.output and "goal (cap)" in r.output


def test_the_pod_and_the_cli_read_the_same_file(tmp_path):
    f = tmp_path / "plan.json"
    st, _ = P.new(16000, 18000, step_pct=5)
    st, _ = P.decide(st, 900, 900)
    f.write_text(json.dumps(st))
    r = invoke("plan", "show", "--file", str(f), "--json")
    assert json.loads(r.output) == st


def test_user_errors_are_one_line_and_keep_the_file(tmp_path):
    f = tmp_path / "plan.json"
    r = invoke("plan", "show", "--file", str(f))
    assert r.exit_code == 2 and "no plan file" in r.output
    r = invoke("plan", "set", "--file", str(f), "--goal", "180")
    assert r.exit_code == 2 and "needs --baseline and --goal" in r.output
    assert not f.exists()
    invoke("plan", "set", "--file", str(f), "--baseline", "160", "--goal", "180")
    before = f.read_bytes()
    for args, msg in [(("--target", "185"), "at most the goal"), (("--baseline", "20"), "--baseline must be"),
                      (("--hold-pct", "30"), "must not exceed hold_pct"),
                      (("--step", "5", "--step-pct", "5"), "not both"), (("--step", "-1"), "step_x100")]:
        r = invoke("plan", "set", "--file", str(f), *args)
        assert r.exit_code == 2, (args, r.output)
        assert msg in r.output and r.output.count("\n") == 1 and "Traceback" not in r.output
        assert f.read_bytes() == before  # a refused edit changes nothing
    bad = tmp_path / "bad.json"
    bad.write_text('{"v": 1, "target_x100": 17000}')
    r = invoke("plan", "show", "--file", str(bad))
    assert r.exit_code == 2 and "lacks baseline_x100" in r.output
    bad.write_text("{oops")
    r = invoke("plan", "reset", "--file", str(bad))
    assert r.exit_code == 2 and "not valid JSON" in r.output and bad.read_text() == "{oops"
