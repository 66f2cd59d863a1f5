"""Writing output so that an interrupted run never leaves a half-written result.

Everything is finished in a temporary file or folder beside the target and then renamed
into place. Targets that are not gasmix output are never replaced.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

PLAN_MARKER = "summary.json"


class PlanWriteError(OSError):
    """The output could not be written where asked (nothing there was changed)."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _is_gasmix_json(path: Path) -> bool:
    try:
        return "summary" in json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return False


def replace_file(path: Path, text: str) -> Path:
    """Write `text` to `path` atomically; an existing file is replaced only if it is a
    gasmix JSON plan."""
    if path.is_dir():
        raise PlanWriteError(f"{path} is a folder; give a file name for --format json")
    if path.exists() and not _is_gasmix_json(path):
        raise PlanWriteError(f"{path} exists and is not a gasmix JSON plan; choose a new file name")

    def write(tmp: Path) -> None:
        tmp.write_text(text + "\n", encoding="utf-8")

    return write_file(path, write, replaceable=_is_gasmix_json)


def write_file(path: Path, write, replaceable=None, what: str = "a gasmix output") -> Path:
    """Have `write(tmp)` write a temporary file beside `path`, then rename it into place.

    An existing `path` is replaced only if `replaceable(path)` says it is gasmix's own
    output (by default nothing is replaced); on any failure the temporary file is removed
    and `path` is as it was."""
    if path.is_dir():
        raise PlanWriteError(f"{path} is a folder; give a file name")
    if path.exists() and not (replaceable and replaceable(path)):
        raise PlanWriteError(f"{path} exists and is not {what}; choose a new file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; others may read a plan
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def replace_folder(path: Path, fill, marker: str | None = PLAN_MARKER) -> Path:
    """Fill a fresh temporary folder beside `path` with `fill(folder)`, then swap it in.

    An existing `path` is replaced only if it is empty or holds `marker` (a previous plan);
    any other folder is left alone, so `-o` can never wipe a user's files.
    """
    if path.exists() and not path.is_dir():
        raise PlanWriteError(f"{path} exists and is not a folder")
    if path.is_dir() and any(path.iterdir()) and not (marker and (path / marker).exists()):
        what = f"is not a gasmix plan (no {marker})" if marker else "is not empty"
        raise PlanWriteError(f"{path} exists and {what}; choose an empty or new folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; others may read a plan
        fill(tmp)
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
            old.rmdir()
            os.rename(path, old)
            os.rename(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path
