"""Test-wide fixtures. Helpers live in podtest.py: conftest is not importable by name when
several conftest files exist (tests/hardware has its own)."""
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from podtest import run_micropython  # noqa: E402


@pytest.fixture(scope="session")
def micropython():
    return run_micropython
