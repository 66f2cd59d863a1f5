"""Shared test fixtures: a way to run the real `gasmix`, and a writable copy of the case.

The tests import the installed package (`pip install -e ".[test]"` or `pip install
".[test]"`); nothing here edits sys.path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def gasmix_command() -> list[str]:
    """The installed console script next to this interpreter, else `python -m gasmix`."""
    script = Path(sys.executable).parent / "gasmix"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "gasmix"]


@pytest.fixture
def run_gasmix(tmp_path):
    """Run gasmix as a user would: a subprocess in an empty folder (not the repository)."""
    work = tmp_path / "work"
    work.mkdir()

    def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([*gasmix_command(), *args], cwd=cwd or work, capture_output=True,
                              text=True, timeout=300)

    run.cwd = work
    return run


@pytest.fixture
def case_copy(tmp_path) -> Path:
    """A writable copy of the embedded Mexico case."""
    from gasmix.models import default_case_path

    target = tmp_path / "case"
    shutil.copytree(default_case_path(), target, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    return target
