"""Shared test fixtures: the repository on sys.path and a way to run the real `gasmix`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def gasmix_command() -> list[str]:
    """The installed console script next to this interpreter, else `python -m cli` from the
    source tree (a developer running pytest without installing)."""
    script = Path(sys.executable).parent / "gasmix"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "cli"]


@pytest.fixture
def run_gasmix(tmp_path):
    """Run gasmix as a user would: a subprocess in an empty folder (not the repository)."""
    work = tmp_path / "work"
    work.mkdir()

    def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        env = dict(os.environ)
        command = gasmix_command()
        if command[0] == sys.executable:
            env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        return subprocess.run([*command, *args], cwd=cwd or work, env=env, capture_output=True,
                              text=True, timeout=300)

    run.cwd = work
    return run


@pytest.fixture
def case_copy(tmp_path) -> Path:
    """A writable copy of the embedded Mexico case."""
    from models import default_case_path

    target = tmp_path / "case"
    shutil.copytree(default_case_path(), target, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    return target
