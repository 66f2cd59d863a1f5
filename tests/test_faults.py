"""The fault-injection suite: gasmix stopped or starved at seeded random moments of a solve
(folder, workbook, JSON with a report), a sweep on two workers and a report, and what is on
disk afterwards held to three rules:

1. every output is its previous version or its new one, complete — never neither (a kill
   between the two renames of a folder may leave the previous one aside, complete, for the
   next run to put back);
2. the exit code and the last line say what happened and what is on disk: 130 "interrupted:"
   or 143 "terminated:" naming exactly the outputs that are new, 2 "cannot write …" for a
   full disk, likewise;
3. nothing is left in the system's temporary folder, and the next run succeeds and leaves
   no temporary or set-aside output behind.

How: a clean run of the command is traced with strace (tests/faults.py); the moments are
drawn with a fixed seed from its main thread's file calls (opens, writes, closes, renames,
removals, made folders) after gasmix's signal handlers are in place — half of them anywhere
(mostly loading and solving), half once outputs are being written — and each is replayed
in a fresh copy of the same folder with SIGKILL, SIGINT or SIGTERM delivered there, or (a
full disk) the write failing with ENOSPC. Set GASMIX_FAULT_SEED to draw other moments and
GASMIX_FAULT_SAMPLES for more of them.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from conftest import gasmix_command
from faults import Trace, injected, leftovers, plan_folder, plan_json, plan_workbook, report_file

SEED = os.environ.get("GASMIX_FAULT_SEED", "11")
SAMPLES = int(os.environ.get("GASMIX_FAULT_SAMPLES", "2"))
CALLS = "rt_sigaction,openat,write,close,rename,renameat2,unlink,unlinkat,rmdir,mkdir"

# name: (the previous run, the run that is cut, {output: its completeness check})
SCENARIOS = {
    "solve-folder": (["solve", "-q", "--cap", "US=0.5", "-o", "plan"],
                     ["solve", "-q", "--cap", "US=0.6", "-o", "plan"], {"plan": plan_folder}),
    "solve-workbook": (["solve", "-q", "--cap", "US=0.5", "--format", "xlsx", "-o", "plan.xlsx"],
                       ["solve", "-q", "--cap", "US=0.6", "--format", "xlsx", "-o", "plan.xlsx"],
                       {"plan.xlsx": plan_workbook}),
    "solve-json-and-report": (
        ["solve", "-q", "--cap", "US=0.5", "--format", "json", "-o", "plan.json", "--report", "plan.html"],
        ["solve", "-q", "--cap", "US=0.6", "--format", "json", "-o", "plan.json", "--report", "plan.html"],
        {"plan.json": plan_json, "plan.html": report_file}),
    "sweep": (["sweep", "-q", "--param", "cap.US=0.5:1:0.25", "--workers", "2", "-o", "sw"],
              ["sweep", "-q", "--param", "cap.US=0.5:1:0.1", "--workers", "2", "-o", "sw"],
              {"sw": plan_folder}),
    "report": (["report", "plan.json", "-o", "plan.html"], ["report", "plan.json", "-o", "plan.html"],
               {"plan.html": report_file}),
}
FAULTS = {"KILL": "signal=KILL", "INT": "signal=INT", "TERM": "signal=TERM", "full-disk": "error=ENOSPC"}


def _run(args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*gasmix_command(), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """Per scenario: a folder holding the previous outputs, and the trace of a clean run."""
    cache = {}

    def get(name: str):
        if name not in cache:
            before, args, _ = SCENARIOS[name]
            root = tmp_path_factory.mktemp(name)
            template = root / "template"
            template.mkdir()
            if name == "report":  # a report is drawn from a plan already on disk
                assert _run(["solve", "-q", "--format", "json", "-o", "plan.json"], template).returncode == 0
            done = _run(before, template)
            assert done.returncode == 0, done.stderr
            cache[name] = template, Trace(*args, cwd=template, calls=CALLS, log=root / "trace")
        return cache[name]

    return get


def _moments(trace: Trace, fault: str, name: str) -> list:
    """The calls a fault is injected at: drawn with a fixed seed from the main thread's
    file calls made while gasmix's handlers are in place (a full disk: writes into a
    temporary output)."""
    calls = trace.calls_made
    # gasmix's entry point installs a SIGTERM handler first thing, and ignores SIGTERM once
    # the outcome is decided (before that, a signal meets Python's own start-up).
    (start,) = [c.number for c in calls if c.line.startswith("rt_sigaction(SIGTERM, {sa_handler=0x")]
    (end,) = [c.number for c in calls if c.line.startswith("rt_sigaction(SIGTERM, {sa_handler=SIG_IGN")]
    window = [c for c in calls if start < c.number < end and c.name != "rt_sigaction"]
    if fault == "full-disk":
        window = [c for c in window if c.name == "write" and ".gasmix-" in c.line]
    # Half the moments anywhere (mostly loading and solving), half while outputs are written.
    writing = [c for c in window if c.number >= next(c.number for c in window if ".gasmix-" in c.line)]
    rng = random.Random(f"{SEED}:{name}:{fault}")
    anywhere = rng.sample(window, SAMPLES // 2)
    rest = [c for c in writing if c not in anywhere]
    late = rng.sample(rest, min(len(rest), SAMPLES - SAMPLES // 2))
    return sorted(anywhere + late, key=lambda c: c.number)


def _identity(path: Path) -> int | None:
    """The inode of an output: a swap puts a new one in place, so it tells new from old."""
    return path.lstat().st_ino if os.path.lexists(path) else None


_WRITTEN = re.compile(r"(?:^|: |; )(?P<names>[^:;]+?) (?:was|were) written and (?:is|are) complete")


def _said_written(last_line: str) -> set[str]:
    match = _WRITTEN.search(last_line)
    if match is None:
        assert "nothing was written" in last_line, last_line
        return set()
    return set(match["names"].split(", "))


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("name", SCENARIOS)
def test_faults_leave_old_or_new_outputs_and_say_which(prepared, tmp_path, name, fault):
    template, trace = prepared(name)
    _, args, outputs = SCENARIOS[name]
    for i, call in enumerate(_moments(trace, fault, name)):
        work = tmp_path / f"at-{call.number}"
        shutil.copytree(template, work, symlinks=True)
        before = {out: _identity(work / out) for out in outputs}
        scratch = tmp_path / f"scratch-{call.number}"  # its system temporary folder
        done = injected(args, work, call, FAULTS[fault], tmp_path / f"log-{i}", scratch=scratch)
        where = f"{fault} at call {call.number} ({call.line[:120]}): {done.stderr[-600:]}"
        assert "Traceback" not in done.stderr, where
        lines = done.stderr.strip().splitlines()

        new = set()
        for out, complete in outputs.items():
            path = work / out
            if os.path.lexists(path):
                assert complete(path), where
                if _identity(path) != before[out]:
                    new.add(out)
            else:
                # Only a kill between a folder's two renames leaves it missing: the previous
                # one is then aside, complete.
                assert fault == "KILL" and before[out] is not None, where
                (aside,) = [work / n for n in leftovers(work) if n.startswith(f".{out}.") and n.endswith(".old")]
                assert _identity(aside) == before[out] and complete(aside), where

        if fault == "KILL":
            assert done.returncode == -signal.SIGKILL, where
        elif fault in ("INT", "TERM"):
            assert done.returncode == {"INT": 130, "TERM": 143}[fault], where
            assert lines[-1].startswith({"INT": "interrupted: ", "TERM": "terminated: "}[fault]), where
            assert _said_written(lines[-1]) == new, where
        else:  # a full disk
            assert done.returncode == 2, where
            assert "No space left on device" in lines[-1], where
            assert _said_written(lines[-1]) == new, where

        # Nothing of the run is left outside the outputs' folder (openpyxl's scratch files
        # were, in the system's temporary folder).
        assert list(scratch.iterdir()) == [], where

        again = _run(args, work)
        assert again.returncode == 0, f"the next run after {where}: {again.stderr}"
        assert leftovers(work) == [], where
        for out, complete in outputs.items():
            assert complete(work / out), where
