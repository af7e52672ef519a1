"""The OpenSCAD enclosure renders to STL, and the bought parts fit inside it without collisions.

Needs the Debian `openscad` package (tools/sysdeps.sh installs it in `make test`). Without it the tests
skip with a reason, except in CI (env CI set), where a missing openscad is a failure.
"""
import os
import pathlib
import shutil
import subprocess
import time

import pytest

SCAD = pathlib.Path(__file__).resolve().parents[2] / "hardware" / "enclosure" / "pod.scad"


def openscad_status(env, which=shutil.which):
    """(path, None) when installed; otherwise (None, "fail") in CI and (None, "skip") elsewhere."""
    exe = which("openscad")
    if exe:
        return exe, None
    return None, ("fail" if env.get("CI") else "skip")


@pytest.fixture(scope="module")
def openscad():
    exe, action = openscad_status(os.environ)
    if action == "fail":
        pytest.fail("openscad is not installed but CI is set: run tools/sysdeps.sh "
                    "(apt-get install openscad)")
    if action == "skip":
        pytest.skip("openscad not installed (apt-get install openscad, or run `make test` which does it)")
    return exe


def test_missing_openscad_fails_in_ci_and_skips_elsewhere():
    def none(_):
        return None
    assert openscad_status({"CI": "1"}, none) == (None, "fail")
    assert openscad_status({}, none) == (None, "skip")
    assert openscad_status({"CI": "1"}, lambda _: "/usr/bin/openscad") == ("/usr/bin/openscad", None)


def run(openscad, out, *defines):
    cmd = [openscad, "-o", str(out)]
    for d in defines:
        cmd += ["-D", d]
    cmd.append(str(SCAD))
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    print("openscad %s: %.1f s" % (" ".join(defines) or "(default)", time.monotonic() - t0))
    return proc


def assert_stl(path):
    data = path.read_bytes()
    assert len(data) > 10000
    assert data.startswith(b"solid") and b"facet normal" in data
    assert data.rstrip().endswith(b"endsolid OpenSCAD_Model")


def test_default_model_renders_to_stl(openscad, tmp_path):
    # the exact command of the README: body + lid + button cap laid out for printing
    out = tmp_path / "out.stl"
    proc = run(openscad, out)
    assert proc.returncode == 0, proc.stderr[-2000:]
    # a model warning (non-manifold result, undefined variable...) is a broken model; font noise is not
    warnings = [ln for ln in proc.stderr.splitlines()
                if ln.startswith(("WARNING", "ERROR")) and "font" not in ln.lower()]
    assert not warnings, proc.stderr[-2000:]
    assert_stl(out)


def test_m5stickc_sleeve_renders(openscad, tmp_path):
    out = tmp_path / "sleeve.stl"
    proc = run(openscad, out, 'variant="m5stickc_plus2"')
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert_stl(out)


def test_bought_parts_fit_without_collisions(openscad, tmp_path):
    # the fit_check variant intersects the printed parts with blocks of the bought parts: empty = fits
    out = tmp_path / "fit.stl"
    proc = run(openscad, out, 'variant="fit_check"', "$fn=16")   # coarse circles: 3x faster, same verdict
    assert "Current top level object is empty." in proc.stderr, proc.stderr[-2000:]
    assert not out.exists()


def test_fit_check_catches_a_cavity_that_is_too_short(openscad, tmp_path):
    out = tmp_path / "fit.stl"
    proc = run(openscad, out, 'variant="fit_check"', "$fn=16", "cav=[50,32,14]")
    assert proc.returncode == 0 and out.exists(), proc.stderr[-2000:]


def test_broken_model_fails(openscad, tmp_path):
    proc = run(openscad, tmp_path / "x.stl", 'variant="no_such_part"')
    assert proc.returncode != 0
    assert "unknown variant no_such_part" in proc.stderr
