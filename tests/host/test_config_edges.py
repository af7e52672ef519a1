"""`config` on a local file at the edges the pod cares about, and targets the pod would refuse."""
import json

from podtest import FIXTURES, run_cadencepod

FIXTURE = FIXTURES / "sacrum-running-treadmill" / "trial00.csv"

cli = run_cadencepod


def test_set_refuses_an_empty_level_above_the_low_level(tmp_path):
    f = tmp_path / "config.json"
    r = cli("config", "set", "battery_low_mv=3500", "battery_empty_mv=3600", "--file", str(f))
    assert r.returncode == 2 and "battery_empty_mv must not exceed battery_low_mv" in r.stderr
    assert not f.exists()  # nothing written


def test_set_replaces_a_broken_file_with_a_warning(tmp_path):
    f = tmp_path / "config.json"
    f.write_text('{"target_spm": 17')
    r = cli("config", "set", "target_spm=170", "--file", str(f))
    assert r.returncode == 0, r.stderr
    assert "not valid JSON" in r.stderr and json.loads(f.read_text()) == {"target_spm": 170}
    assert cli("config", "get", "--file", str(f)).returncode == 0


def test_get_shows_a_sections_defaults(tmp_path):
    f = tmp_path / "config.json"
    f.write_text("{}")
    r = cli("config", "get", "ble.name", "--file", str(f))
    assert r.returncode == 0 and r.stdout.strip(), r.stderr


def test_flash_checks_its_config_as_config_set_does(tmp_path):
    f = tmp_path / "c.json"
    f.write_text(json.dumps({"targt_spm": 175, "ble": {"enabled": "yes"}}))
    r = cli("flash", "--board", "sim", "--build-only", "--config", str(f), "--build-dir", str(tmp_path / "b"))
    assert r.returncode == 2 and "unknown setting targt_spm" in r.stderr and "ble.enabled" in r.stderr


def test_demo_and_sim_refuse_a_target_the_pod_would_not_play(tmp_path):
    for args in (["demo", "--target", "300", "--out", str(tmp_path / "d")],
                 ["sim", "run", str(FIXTURE), "--target", "300", "--out", str(tmp_path / "s")]):
        r = cli(*args)
        assert r.returncode == 2 and "'--target'" in r.stderr and "300" in r.stderr, (args, r.stderr)
