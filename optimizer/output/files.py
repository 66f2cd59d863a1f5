"""Writing output so that a run stopped at any moment leaves the old output or the new one,
complete, and the next run cleans up after it.

Everything is finished in a temporary folder beside the target,
`.NAME.gasmix-XXXXXXXX.tmp`, and renamed into place. A file (finished inside that folder,
with the scratch files of its writer) takes one rename. A folder that replaces another
takes two: the old one aside as `.NAME.gasmix-XXXXXXXX.old`, the new one
in, then the old one is deleted. Targets that are not gasmix output are never replaced, and
a target that is a symbolic link is refused (gasmix never writes through a link: what it
would replace is then somewhere the user did not name).

What a killed run leaves, the next write into the same folder (or `check_target`, before a
long solve) repairs first, and says so (`recovered()`):

* an `.old` whose target is missing (killed between the two renames): renamed back, so
  the previous output is there, complete;
* an `.old` whose target exists (killed while deleting it): removed;
* a `.tmp` that no live process is writing (killed while filling it): removed.

Two locks make this safe with writers running side by side. A writer holds an flock on its
temporary folder from creation to rename, so a temporary in use is never taken for
junk; and temporaries are created, recovered and renamed under an flock on the target's
folder, so two writers' renames never interleave (the second takes the first's output as
the previous one). The kernel drops both locks when a process dies, however it dies.

The renames and the record of what was written (`written()`) happen with SIGINT and SIGTERM
blocked, so a run that is interrupted knows exactly which outputs it swapped in.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import tempfile
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on Windows: there, no locks (and no concurrent-writer safety)
    fcntl = None

from ...models.limits import not_regular
from ..errors import PlanWriteError

PLAN_MARKER = "summary.json"
GENERATOR = "gasmix"
# Every output folder gets this manifest: what kind of output it is and the files gasmix
# wrote into it. A folder is replaced only if the manifest says it is the same kind and it
# holds nothing else — so `-o` never deletes a file gasmix did not write.
MANIFEST = ".gasmix.json"
# A manifest lists a few file names: one larger than this is not gasmix's, and is not read.
MANIFEST_LIMIT = 1 << 20
# A JSON plan gasmix wrote starts with its generator: how much of its head is read to know.
_JSON_PLAN_HEAD = 4096
_GASMIX_HEAD = re.compile(r'^\{\s*"generator"\s*:\s*"gasmix"\s*[,}]')
# What a temporary or set-aside output is called: `.NAME.gasmix-XXXXXXXX.tmp` or `.old`.
_AFTER_NAME = ".gasmix-"
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.gasmix-[A-Za-z0-9_]+\.(?P<what>tmp|old)$")
# The signals whose handlers end the command line (Ctrl-C, SIGTERM): held back while an
# output is swapped in and recorded.
_STOPS = {signal.SIGINT, signal.SIGTERM}

# What this process has done: outputs swapped in (complete), and repairs of what killed
# runs had left.
_written: list[Path] = []
_recovered: list[str] = []


def written() -> tuple[Path, ...]:
    """The outputs this process has swapped in, in order: each is complete on disk."""
    return tuple(_written)


def recovered() -> tuple[str, ...]:
    """What this process repaired of killed runs' leftovers, one sentence each."""
    return tuple(_recovered)


def on_disk() -> str:
    """What this process wrote, as the command line says it when stopped early."""
    if not _written:
        return "nothing was written"
    names = ", ".join(str(p) for p in _written)
    return (f"{names} {'was' if len(_written) == 1 else 'were'} written and "
            f"{'is' if len(_written) == 1 else 'are'} complete; nothing else was written")


# --- locks -------------------------------------------------------------------------------

def _lock(fd: int, wait: bool = True) -> bool:
    """flock `fd` exclusively; False if another process holds it (and `wait` is False)."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def _open_for_lock(path: Path, follow: bool = False) -> int | None:
    """An fd to lock `path` by; None if it cannot be opened. A temporary is never opened
    through a link (`follow` is for the target's folder, which may well be one)."""
    flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        return os.open(path, flags)
    except OSError:
        return None


@contextlib.contextmanager
def _folder_locked(folder: Path):
    """Hold the lock on `folder` (a folder that cannot be opened is not locked: the
    writes into it will fail on their own and say why)."""
    fd = _open_for_lock(folder, follow=True) if folder.is_dir() else None
    try:
        if fd is not None:
            _lock(fd)
        yield
    finally:
        if fd is not None:
            os.close(fd)


def _in_use(path: Path) -> bool:
    """Is a live process writing the temporary `path` (does it hold its lock)? One that
    cannot be opened is taken as in use: it is not ours to remove."""
    fd = _open_for_lock(path)
    if fd is None:
        return True
    try:
        return not _lock(fd, wait=False)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _signals_held():
    """SIGINT and SIGTERM wait (pending, not lost) until the block ends: what it does and
    its record happen together or not at all."""
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None:
        yield
        return
    old = mask(signal.SIG_BLOCK, _STOPS)
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, old)


# --- recovery ----------------------------------------------------------------------------

def _remove(path: Path) -> None:
    """Remove a leftover; OSError if it cannot be removed whole (then it is not reported)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _recover(folder: Path) -> None:
    """Repair what killed runs left in `folder` (the caller holds the folder's lock, so
    any `.old` there is a dead run's: a live one's exists only under that lock)."""
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        match = _LEFTOVER.match(entry.name)
        if not match:
            continue
        target = folder / match["name"]
        shown = f"{target}/"  # only a folder is ever set aside
        try:
            if match["what"] == "old":
                if not os.path.lexists(target):
                    os.rename(entry, target)
                    _recovered.append(f"restored {shown} from {entry.name}, where a run killed "
                                      "while replacing it had moved it")
                else:
                    _remove(entry)
                    _recovered.append(f"removed {folder / entry.name}, the previous {shown} that "
                                      "a killed run was deleting")
            elif not _in_use(entry):
                _remove(entry)
                _recovered.append(f"removed {folder / entry.name}, an unfinished {target} left by "
                                  "a killed run")
        except OSError:
            # Not ours to touch (another user's, in a shared folder): left as it is.
            continue


def _temporary(path: Path) -> tuple[Path, int]:
    """A new temporary folder beside `path`, created and locked under the parent folder's
    lock (so no other run's recovery sees it unlocked); returns it and its locked fd."""
    parent = path.parent
    with _folder_locked(parent):
        _recover(parent)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}{_AFTER_NAME}", suffix=".tmp", dir=parent))
        fd = _open_for_lock(tmp)
        if fd is None:
            shutil.rmtree(tmp, ignore_errors=True)
            raise PlanWriteError(f"cannot open the temporary folder {tmp}")
        _lock(fd)
    return tmp, fd


# --- checks ------------------------------------------------------------------------------

def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _is_gasmix_json(path: Path) -> bool:
    """A JSON plan gasmix wrote: it opens with `"generator": "gasmix"` (plan_document puts
    it first), not any JSON with a "summary" key. Only the head is read: a plan may be
    large, and a file that is not gasmix's may be anything."""
    try:
        if not_regular(path):
            return False
        with path.open("rb") as handle:
            head = handle.read(_JSON_PLAN_HEAD).decode("utf-8", errors="replace")
    except OSError:
        return False
    return bool(_GASMIX_HEAD.match(head))


def _read_manifest(path: Path):
    """The JSON content of the manifest `path`; ValueError if it is larger than
    MANIFEST_LIMIT (not gasmix's: a manifest names a few files) or nested too deeply."""
    with path.open("rb") as handle:
        raw = handle.read(MANIFEST_LIMIT + 1)
    if len(raw) > MANIFEST_LIMIT:
        raise ValueError(f"{path} is larger than {MANIFEST_LIMIT} bytes")
    try:
        return json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise ValueError(f"{path} is nested too deeply") from None


def _check_parents(path: Path) -> None:
    """A clear message when a folder on the way is a file (not "[Errno 17] File exists"),
    or when the folder the output would be made in cannot be written (checked before a
    long solve, not after it: the output is made beside `path`, in its nearest existing
    folder)."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise PlanWriteError(f"{parent} is a file, not a folder: cannot write {path}")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise PlanWriteError(f"the folder {parent} is not writable: cannot write {path}")
            return


def _refuse_link(path: Path) -> None:
    if path.is_symlink():
        raise PlanWriteError(f"{path} is a symbolic link (to {os.readlink(path)}); gasmix does "
                             "not write through links: give the link's target or a new name")


def check_file(path: Path) -> None:
    """Raise PlanWriteError if a file output may not be written at `path` (a link, a
    folder, a parent that is a file) — callable before a long solve."""
    path = Path(path)
    _refuse_link(path)
    if path.is_dir():
        raise PlanWriteError(f"{path} is a folder; give a file name")
    if path.exists() and not_regular(path):  # a FIFO would block the check of what it is
        raise PlanWriteError(f"{path} exists and is not a regular file; gasmix replaces only "
                             "its own files: choose a new file name")
    _check_parents(path)


def _check_file_target(path: Path, replaceable, what: str) -> None:
    check_file(path)
    if path.exists() and not (replaceable and replaceable(path)):
        raise PlanWriteError(f"{path} exists and is not {what}; choose a new file name")


# --- writing -----------------------------------------------------------------------------

def replace_file(path: Path, text: str) -> Path:
    """Write `text` to `path` atomically; an existing file is replaced only if it is a
    gasmix JSON plan."""
    if Path(path).is_dir() and not Path(path).is_symlink():
        raise PlanWriteError(f"{path} is a folder; give a file name for --format json")

    def write(tmp: Path) -> None:
        tmp.write_text(text + "\n", encoding="utf-8")

    return write_file(path, write, replaceable=_is_gasmix_json, what="a gasmix JSON plan")


def write_file(path: Path, write, replaceable=None, what: str = "a gasmix output") -> Path:
    """Have `write(tmp)` write a file in a temporary folder beside `path`, then rename it
    into place.

    An existing `path` is replaced only if `replaceable(path)` says it is gasmix's own
    output (by default nothing is replaced); on any failure the temporary folder is removed
    and `path` is as it was. Scratch files the writer makes through `tempfile` (openpyxl
    makes one per sheet) go into the same temporary folder, so what a killed run leaves is
    all in one place beside the target, for the next run to remove."""
    path = Path(path)
    _check_file_target(path, replaceable, what)
    path.parent.mkdir(parents=True, exist_ok=True)
    box, fd = _temporary(path)
    tmp = box / path.name
    try:
        with _scratch_in(box):
            write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # as a plain new file: others may read a plan
        with _folder_locked(path.parent):
            # Checked again: another run may have put something there meanwhile.
            _check_file_target(path, replaceable, what)
            with _signals_held():
                os.replace(tmp, path)
                _written.append(path)
    finally:
        shutil.rmtree(box, ignore_errors=True)
        os.close(fd)
    return path


@contextlib.contextmanager
def _scratch_in(folder: Path):
    saved = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = saved


def replace_folder(path: Path, fill, kind: str | None = "plan") -> Path:
    """Fill a fresh temporary folder beside `path` with `fill(folder)`, then swap it in.

    `kind` names the output ("plan", "stress", "sweep", "frontier"); it is recorded with
    the list of files written in the folder's manifest. An existing `path` is replaced only
    if it is empty, or if its manifest says it is gasmix output of the same kind and it
    holds only the files gasmix wrote. With `kind=None` only a new or empty folder is
    written (e.g. `gasmix init`). A run killed between the two renames leaves the previous
    output in `.NAME.gasmix-*.old`, which the next write renames back.
    """
    path = Path(path)
    check_target(path, kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp, fd = _temporary(path)
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; others may read a plan
        fill(tmp)
        if kind:
            written_files = sorted(p.name for p in tmp.iterdir())
            (tmp / MANIFEST).write_text(json.dumps({"generator": GENERATOR, "kind": kind,
                                                    "files": written_files}, indent=1) + "\n")
        with _folder_locked(path.parent):
            _recover(path.parent)
            # Checked again: filling may take a while (charts), and a file put into the
            # folder meanwhile must not go with the old output.
            _check_target(path, kind)
            old = None
            if path.exists():
                old = path.parent / f".{path.name}{_AFTER_NAME}{os.urandom(4).hex()}.old"
            with _signals_held():
                if old is not None:
                    os.rename(path, old)
                try:
                    os.rename(tmp, path)
                except BaseException:
                    if old is not None:  # the previous output goes back where it was
                        os.rename(old, path)
                    raise
                _written.append(path)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        os.close(fd)
    return path


def add_to_manifest(folder: Path, name: str) -> None:
    """Record a file gasmix added to an output folder afterwards (a report written into
    it) in the folder's manifest; a folder without gasmix's manifest is left as it is."""
    manifest = folder / MANIFEST
    try:
        content = _read_manifest(manifest)
        if content.get("generator") != GENERATOR or not isinstance(content.get("files"), list):
            return
    except (OSError, ValueError, AttributeError):
        return
    if name in content["files"]:
        return
    content["files"] = sorted([*content["files"], name])
    write_file(manifest, lambda tmp: tmp.write_text(json.dumps(content, indent=1) + "\n"),
               replaceable=lambda _: True)


def repair_beside(path: Path) -> None:
    """Repair what killed runs left in the folder of `path` (see the module's words):
    before an output is checked, or read (a plan a killed run had moved aside is put back
    before `gasmix report` looks for it)."""
    parent = Path(path).parent
    if parent.is_dir():
        with _folder_locked(parent):
            _recover(parent)


def check_target(path: Path, kind: str | None) -> None:
    """Raise PlanWriteError if output of `kind` may not be written at `path` (see
    replace_folder) — callable before a long solve, so that a run is not thrown away.
    What killed runs left beside `path` is repaired first."""
    path = Path(path)
    repair_beside(path)
    _check_target(path, kind)


def _check_target(path: Path, kind: str | None) -> None:
    _refuse_link(path)
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
        manifest = _read_manifest(path / MANIFEST)
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
