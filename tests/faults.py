"""Fault injection for the crash-safety tests: gasmix run under strace, which records the
system calls of a clean run and, in a second run, delivers a signal (SIGKILL, SIGINT,
SIGTERM, SIGSTOP) or an error (ENOSPC) at a chosen one of them — the K-th call of that
system call (strace counts each call on its own), in the main thread, where gasmix does
all its writing. The same K picks the same moment in every run of the same command in the
same state, so a failure reproduces exactly.

    from faults import Trace, injected, outputs_on_disk

Also here: what "complete" means for each kind of output, and the leftovers a run may not
leave behind.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from conftest import gasmix_command

STRACE = shutil.which("strace")
RENAMES = "rename,renameat,renameat2"
OPENS = "open,openat"
# Every call that creates, fills, moves or removes a file: where a write can be cut.
WRITES = "open,openat,write,close,rename,renameat,renameat2,unlink,unlinkat,rmdir,mkdir,mkdirat"
TEMP_JUNK = re.compile(r"^\..+\.(tmp|old)$")


def need_strace() -> None:
    """strace is part of the test set-up (.ci/run installs it): missing in CI is a failure,
    elsewhere the fault-injection tests are skipped."""
    if STRACE is None:
        if os.environ.get("CI"):
            pytest.fail("strace is not installed (.ci/run installs it)")
        pytest.skip("strace is not installed")


def _env(scratch: Path | None = None) -> dict:
    env = dict(os.environ)
    # Python writing its own bytecode caches would add renames and writes of its own.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if scratch is not None:  # the system's temporary folder, to see what is left there
        scratch.mkdir(exist_ok=True)
        env["TMPDIR"] = str(scratch)
    return env


def _strace(log: Path, calls: str, inject: str | None) -> list[str]:
    command = [STRACE, "-qq", "-y", "-o", str(log), "-e", f"trace={calls}"]  # -y: fds as paths
    if inject:
        command += ["-e", f"inject={inject}"]
    return command


@dataclass(frozen=True)
class Call:
    """One system call of a trace: its place in the trace, its line, and `nth`: how many
    calls of the same system call came before it, plus one (strace's `when=`)."""

    number: int
    line: str
    nth: int

    @property
    def name(self) -> str:
        return self.line.split("(", 1)[0]

    @property
    def paths(self) -> list[str]:
        """The quoted strings among its arguments (file names)."""
        return re.findall(r'"((?:[^"\\]|\\.)*)"', self.line.split(") = ")[0])


class Trace:
    """The main thread's calls of `calls` in a clean run of `gasmix ARGS` in a copy of the
    folder `cwd`: the same files (outputs, leftovers) make the same calls, so a call's
    `nth` picks the same moment in a later run in `cwd` itself."""

    def __init__(self, *args: str, cwd: Path, calls: str, log: Path):
        need_strace()
        self.args, self.calls = args, calls
        copy = log.with_name(log.name + "-folder")
        shutil.copytree(cwd, copy, symlinks=True)
        done = subprocess.run([*_strace(log, calls, None), *gasmix_command(), *args], cwd=copy,
                              env=_env(), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        lines = [line for line in log.read_text().splitlines()
                 if not line.startswith(("---", "+++")) and "(" in line]
        seen: dict[str, int] = {}
        self.calls_made = []
        for i, line in enumerate(lines, 1):
            name = line.split("(", 1)[0]
            seen[name] = seen.get(name, 0) + 1
            self.calls_made.append(Call(i, line, seen[name]))

    def find(self, test) -> list[Call]:
        return [c for c in self.calls_made if test(c)]

    def after(self, call: Call) -> list[Call]:
        return [c for c in self.calls_made if c.number > call.number]


def injected(args, cwd: Path, call: Call, fault: str, log: Path, wait: bool = True,
             scratch: Path | None = None):
    """Run `gasmix ARGS` with `fault` (e.g. "signal=KILL", "error=ENOSPC") at `call` of a
    trace of the same command (with `scratch` as its system temporary folder, if given).
    Returns the CompletedProcess, or the Popen if not `wait`."""
    need_strace()
    command = [*_strace(log, call.name, f"{call.name}:{fault}:when={call.nth}"),
               *gasmix_command(), *args]
    if not wait:
        return subprocess.Popen(command, cwd=cwd, env=_env(scratch), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
    return subprocess.run(command, cwd=cwd, env=_env(scratch), capture_output=True, text=True,
                          timeout=300)


# --- what is on disk ---------------------------------------------------------------------

def leftovers(folder: Path) -> list[str]:
    """Hidden temporary or set-aside outputs in `folder` (a run's junk once it is over)."""
    return sorted(p.name for p in folder.iterdir() if TEMP_JUNK.match(p.name))


def plan_folder(path: Path) -> dict | None:
    """The summary of a complete plan folder at `path`, None if there is none; a folder
    that is there but incomplete fails the test."""
    if not path.exists():
        return None
    manifest = json.loads((path / ".gasmix.json").read_text())
    assert manifest["kind"] in ("plan", "sweep", "frontier", "stress"), manifest
    names = set(manifest["files"])
    assert names == {p.name for p in path.iterdir()} - {".gasmix.json"}, (path, names)
    for name in names:
        if name.endswith(".csv"):
            assert len(pd.read_csv(path / name)) > 0 or name == "constraints.csv", name
        elif name.endswith(".json"):
            json.loads((path / name).read_text())
        elif name.endswith(".png"):
            assert (path / name).read_bytes().startswith(b"\x89PNG\r\n\x1a\n"), name
    summary = path / ("summary.json" if "summary.json" in names else
                      next(n for n in names if n.endswith(".json")))
    return json.loads(summary.read_text())


def plan_json(path: Path) -> dict | None:
    """A complete JSON plan at `path` (None if there is none)."""
    if not path.exists():
        return None
    document = json.loads(path.read_text())
    assert document["generator"] == "gasmix" and "flows" in document
    return document["summary"]


def plan_workbook(path: Path) -> dict | None:
    """A complete plan workbook at `path`: its summary sheet as {figure: value}."""
    if not path.exists():
        return None
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        assert book.properties.keywords == "gasmix plan"
        assert {"summary", "flows", "constraints"} <= set(book.sheetnames), book.sheetnames
        rows = list(book["summary"].iter_rows(values_only=True))
        return {row[0]: row[1] for row in rows[1:]}
    finally:
        book.close()


def report_file(path: Path) -> str | None:
    """A complete HTML report at `path` (its text), None if there is none."""
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    assert text.rstrip().endswith("</html>"), text[-200:]
    return text
