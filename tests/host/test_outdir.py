"""Output folders: the tools wipe only what they made, never a folder given by mistake."""
import pytest
from cadencepod.errors import PodError
from cadencepod.outdir import MARK, fresh_dir
from podtest import run_cadencepod


def test_a_foreign_folder_is_refused_and_kept(tmp_path):
    victim = tmp_path / "thesis"
    victim.mkdir()
    (victim / "chapter1.tex").write_text("years of work")
    with pytest.raises(PodError, match="not made by cadencepod"):
        fresh_dir(victim, "--out")
    assert (victim / "chapter1.tex").read_text() == "years of work"


def test_our_own_folder_an_older_output_and_an_empty_one_are_refilled(tmp_path):
    ours = fresh_dir(tmp_path / "a", "--out")
    (ours / "old.wav").write_text("x")
    assert (fresh_dir(ours, "--out") / MARK).exists() and not (ours / "old.wav").exists()
    older = tmp_path / "b"
    older.mkdir()
    (older / "summary.json").write_text("{}")
    (older / "pod-fs").mkdir()
    fresh_dir(older, "--out", ours=("summary.json", "pod-fs"))
    assert not (older / "summary.json").exists()
    (tmp_path / "c").mkdir()
    fresh_dir(tmp_path / "c", "--out")


def test_flash_build_dir_never_wipes_a_foreign_folder(tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "notes.txt").write_text("keep")
    r = run_cadencepod("flash", "--board", "sim", "--build-only", "--build-dir", victim)
    assert r.returncode == 2 and r.stderr.startswith("error: ") and "not made by cadencepod" in r.stderr
    assert (victim / "notes.txt").read_text() == "keep"
