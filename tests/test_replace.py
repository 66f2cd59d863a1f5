"""Replacing an output: a kill inside the swap is repaired by the next run (which says so),
killed runs leave no temporaries behind, links are refused, and writers running side by
side both succeed — every one with real processes, strace-injected faults and real files."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from conftest import gasmix_command
from faults import (OPENS, RENAMES, Trace, injected, leftovers, plan_folder, plan_json,
                    report_file)
from processes import Gasmix, wait_for


def _run(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*gasmix_command(), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture
def work(tmp_path) -> Path:
    """A folder holding a US-capped plan (`plan/`), the previous output of every test."""
    folder = tmp_path / "work"
    folder.mkdir()
    done = _run("solve", "-q", "--cap", "US=0.5", "-o", "plan", cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder


def _cap(summary: dict) -> float | None:
    return summary["policy"]["caps"].get("US")


def test_a_kill_between_the_two_renames_is_repaired_by_the_next_run(work, tmp_path):
    args = ["solve", "-q", "--cap", "US=0.6", "-o", "plan"]
    trace = Trace(*args, cwd=work, calls=RENAMES, log=tmp_path / "clean")
    aside, swap_in = trace.find(lambda c: "plan" in c.paths)
    assert aside.paths[0] == "plan" and swap_in.paths[1] == "plan"
    killed = injected(args, work, swap_in, "signal=KILL", tmp_path / "killed")
    assert killed.returncode == -signal.SIGKILL
    # The window itself: the previous plan is aside, complete, under a hidden name.
    assert not (work / "plan").exists()
    (old,) = [work / n for n in leftovers(work) if n.endswith(".old")]
    assert _cap(plan_folder(old)) == 0.5

    done = _run("solve", "-q", "--cap", "US=0.7", "-o", "plan", cwd=work)
    assert done.returncode == 0, done.stderr
    assert f"note: restored plan/ from {old.name}" in done.stderr
    assert ".tmp, an unfinished plan left by a killed run" in done.stderr
    assert _cap(plan_folder(work / "plan")) == 0.7
    assert leftovers(work) == []


WRITE_CALLS = "openat,rename,renameat,renameat2,unlink,unlinkat,rmdir"


def test_a_kill_after_the_swap_leaves_the_new_output_and_no_junk(work, tmp_path):
    # Killed as it deletes the previous plan: the new one is in place, complete.
    args = ["solve", "-q", "--cap", "US=0.7", "-o", "plan"]
    trace = Trace(*args, cwd=work, calls=WRITE_CALLS, log=tmp_path / "clean")
    swap_in = trace.find(lambda c: c.name.startswith("rename") and c.paths[-1:] == ["plan"])[-1]
    deleting = [c for c in trace.after(swap_in) if c.name in ("unlinkat", "unlink", "rmdir")]
    assert deleting, "the previous plan is deleted after the swap"
    killed = injected(args, work, deleting[0], "signal=KILL",
                      tmp_path / "killed")
    assert killed.returncode == -signal.SIGKILL
    assert _cap(plan_folder(work / "plan")) == 0.7
    done = _run("solve", "-q", "--cap", "US=0.8", "-o", "plan", cwd=work)
    assert done.returncode == 0, done.stderr
    assert "that a killed run was deleting" in done.stderr
    assert leftovers(work) == []


@pytest.mark.parametrize("fmt, target", [("csv", "plan"), ("json", "plan.json")])
def test_temporaries_of_killed_runs_do_not_pile_up(work, tmp_path, fmt, target):
    args = ["solve", "-q", "--format", fmt, "-o", target]
    for i in range(2):
        trace = Trace(*args, cwd=work, calls=OPENS, log=tmp_path / f"clean{i}")
        # A file opened in the temporary once it exists (the first open may create it).
        opened = trace.find(lambda c: any(f".{target}.gasmix-" in p for p in c.paths))[1:]
        call = opened[min(i, len(opened) - 1)]
        killed = injected(args, work, call, "signal=KILL", tmp_path / f"killed{i}")
        assert killed.returncode == -signal.SIGKILL
        # Each killed run cleaned what the one before it left: one temporary, its own.
        assert len([n for n in leftovers(work) if n.endswith(".tmp")]) == 1, leftovers(work)
    done = _run(*args, cwd=work)
    assert done.returncode == 0, done.stderr
    assert f"an unfinished {target} left by a killed run" in done.stderr
    assert leftovers(work) == []
    assert (plan_folder if fmt == "csv" else plan_json)(work / target)


def test_a_writer_waits_for_another_inside_its_swap(work, tmp_path):
    # Writer A is stopped (SIGSTOP, by strace) just after moving the previous plan aside:
    # the window where a second writer used to put its plan in, so that A's own rename
    # failed ("[Errno 39] Directory not empty") and left a stray .old.
    args = ["solve", "-q", "--cap", "US=0.6", "-o", "plan"]
    trace = Trace(*args, cwd=work, calls=RENAMES, log=tmp_path / "clean")
    (aside,) = trace.find(lambda c: c.paths[:1] == ["plan"])
    a = injected(args, work, aside, "signal=STOP", tmp_path / "a", wait=False)
    try:
        wait_for(lambda: not (work / "plan").exists(), what="writer A inside its swap")
        b = Gasmix("solve", "-q", "--cap", "US=0.7", "-o", "plan", cwd=work)
        try:
            # B either finishes (the race) or waits for A's lock on the folder.
            wait_for(lambda: b.process.poll() is not None or _waits_for_a_lock(b.pid),
                     what="writer B to finish or wait")
            os.killpg(a.pid, signal.SIGCONT)
            a_out, a_err = a.communicate(timeout=300)
            code, _, b_err = b.finish()
        finally:
            b.stop()
    finally:
        if a.poll() is None:
            os.killpg(a.pid, signal.SIGKILL)
            a.communicate()
    assert a.returncode == 0, a_err
    assert code == 0, b_err
    assert "Errno" not in a_err + b_err
    assert _cap(plan_folder(work / "plan")) == 0.7  # B came second: its plan is the last
    assert leftovers(work) == []


def _waits_for_a_lock(pid: int) -> bool:
    """Is `pid` blocked waiting for a file lock (a "->" line of /proc/locks)?"""
    return any(line.split()[1] == "->" and line.split()[5] == str(pid)
               for line in Path("/proc/locks").read_text().splitlines() if "->" in line)


def test_writers_side_by_side_all_succeed(work):
    runs = [Gasmix("solve", "-q", "--cap", f"US={cap}", "-o", "plan", cwd=work)
            for cap in (0.55, 0.6, 0.65, 0.7)]
    try:
        results = [run.finish() for run in runs]
    finally:
        for run in runs:
            run.stop()
    assert [code for code, _, _ in results] == [0, 0, 0, 0], [err for _, _, err in results]
    assert _cap(plan_folder(work / "plan")) in (0.55, 0.6, 0.65, 0.7)
    assert leftovers(work) == []


# --- links -------------------------------------------------------------------------------

def test_an_output_that_is_a_link_is_refused(work):
    os.symlink("plan", work / "latest")
    done = _run("solve", "-q", "--cap", "US=0.7", "-o", "latest", cwd=work)
    assert done.returncode == 2
    assert "latest is a symbolic link (to plan); gasmix does not write through links" in done.stderr
    assert "nothing was written" in done.stderr or "Traceback" not in done.stderr
    assert os.readlink(work / "latest") == "plan" and _cap(plan_folder(work / "plan")) == 0.5


@pytest.mark.parametrize("fmt, name, kind", [("json", "plan.json", "plan"),
                                             ("xlsx", "plan.xlsx", "plan"),
                                             (None, "report.html", "report")])
def test_a_file_output_that_is_a_link_is_refused(work, fmt, name, kind):
    first = ["solve", "-q", "--format", fmt, "-o", name] if fmt else ["report", "plan", "-o", name]
    assert _run(*first, cwd=work).returncode == 0
    before = (work / name).read_bytes()
    link = "latest" + Path(name).suffix
    os.symlink(name, work / link)
    again = ["solve", "-q", "--format", fmt, "-o", link] if fmt else ["report", "plan", "-o", link]
    done = _run(*again, cwd=work)
    assert done.returncode == 2, done.stderr
    assert f"{link} is a symbolic link (to {name})" in done.stderr
    assert "Traceback" not in done.stderr
    assert (work / link).is_symlink() and (work / name).read_bytes() == before
    if kind == "report":
        assert report_file(work / name)


def test_a_report_after_a_kill_between_the_renames_finds_the_plan(work, tmp_path):
    args = ["solve", "-q", "--cap", "US=0.6", "-o", "plan"]
    trace = Trace(*args, cwd=work, calls=RENAMES, log=tmp_path / "clean")
    swap_in = trace.find(lambda c: c.paths[-1:] == ["plan"])[-1]
    assert injected(args, work, swap_in, "signal=KILL", tmp_path / "killed").returncode == -signal.SIGKILL
    assert not (work / "plan").exists()
    done = _run("report", "plan", "-o", "plan.html", cwd=work)
    assert done.returncode == 0, done.stderr
    assert "note: restored plan/ from" in done.stderr
    assert report_file(work / "plan.html") and _cap(plan_folder(work / "plan")) == 0.5
    assert leftovers(work) == []
