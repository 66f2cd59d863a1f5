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

from ..errors import PlanWriteError

PLAN_MARKER = "summary.json"
GENERATOR = "gasmix"
# Every output folder gets this manifest: what kind of output it is and the files gasmix
# wrote into it. A folder is replaced only if the manifest says it is the same kind and it
# holds nothing else — so `-o` never deletes a file gasmix did not write.
MANIFEST = ".gasmix.json"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _is_gasmix_json(path: Path) -> bool:
    """A JSON plan gasmix wrote (it says so), not any JSON with a "summary" key."""
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("generator") == GENERATOR
    except (OSError, ValueError, TypeError, AttributeError):
        return False


def _check_parents(path: Path) -> None:
    """A clear message when a folder on the way is a file (not "[Errno 17] File exists")."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise PlanWriteError(f"{parent} is a file, not a folder: cannot write {path}")
            return


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
    _check_parents(path)
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


def replace_folder(path: Path, fill, kind: str | None = "plan") -> Path:
    """Fill a fresh temporary folder beside `path` with `fill(folder)`, then swap it in.

    `kind` names the output ("plan", "stress", "sweep", "frontier"); it is recorded with
    the list of files written in the folder's manifest. An existing `path` is replaced only
    if it is empty, or if its manifest says it is gasmix output of the same kind and it
    holds only the files gasmix wrote. With `kind=None` only a new or empty folder is
    written (e.g. `gasmix init`). If the process is killed between the two renames, the
    previous output is left in a hidden `.NAME.*.old` folder beside it.
    """
    check_target(path, kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    old = None
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; others may read a plan
        fill(tmp)
        if kind:
            written = sorted(p.name for p in tmp.iterdir())
            (tmp / MANIFEST).write_text(json.dumps({"generator": GENERATOR, "kind": kind,
                                                    "files": written}, indent=1) + "\n")
        if path.exists():
            # Checked again: filling may take a while (charts), and a file put into the
            # folder meanwhile must not go with the old output.
            check_target(path, kind)
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
            old.rmdir()
            os.rename(path, old)
            os.rename(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, path)
    except BaseException:
        # Interrupted between the two renames: put the previous output back.
        if old is not None and old.exists() and not path.exists():
            os.rename(old, path)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def add_to_manifest(folder: Path, name: str) -> None:
    """Record a file gasmix added to an output folder afterwards (a report written into
    it) in the folder's manifest; a folder without gasmix's manifest is left as it is."""
    manifest = folder / MANIFEST
    try:
        content = json.loads(manifest.read_text(encoding="utf-8"))
        if content.get("generator") != GENERATOR or not isinstance(content.get("files"), list):
            return
    except (OSError, ValueError, AttributeError):
        return
    if name in content["files"]:
        return
    content["files"] = sorted([*content["files"], name])
    write_file(manifest, lambda tmp: tmp.write_text(json.dumps(content, indent=1) + "\n"),
               replaceable=lambda _: True)


def check_target(path: Path, kind: str | None) -> None:
    """Raise PlanWriteError if output of `kind` may not be written at `path` (see
    replace_folder) — callable before a long solve, so that a run is not thrown away."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise PlanWriteError(f"{path} exists and is not a folder")
    if path.is_dir() and any(path.iterdir()):
        problem = _foreign(path, kind)
        if problem:
            raise PlanWriteError(f"{path} {problem}; choose an empty or new folder")
    _check_parents(path)


def _foreign(path: Path, kind: str | None) -> str | None:
    """Why the non-empty folder `path` must not be replaced by output of `kind` (None: it
    may be)."""
    if kind is None:
        return "is not empty"
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        theirs, files = manifest["kind"], set(manifest["files"])
        if manifest.get("generator") != GENERATOR:
            raise ValueError
    except (OSError, ValueError, TypeError, KeyError):
        return f"exists and is not a gasmix {kind} (no {MANIFEST} of gasmix's)"
    if theirs != kind:
        return f"is not a gasmix {kind}: it holds a gasmix {theirs}"
    extra = sorted(p.name for p in path.iterdir() if p.name != MANIFEST and p.name not in files)
    if extra:
        shown = ", ".join(extra[:5]) + (f" and {len(extra) - 5} more" if len(extra) > 5 else "")
        return f"holds files gasmix did not write ({shown})"
    return None
