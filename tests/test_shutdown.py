"""Stopping gasmix from outside: a sweep's worker processes die with it (SIGTERM, SIGKILL,
Ctrl-C to the whole terminal group), and every stop says what is on disk.

Real processes and real signals: gasmix runs in a session of its own, its workers are read
from /proc, and waits are bounded but never timed (tests/processes.py)."""

from __future__ import annotations

import signal

import pytest

from processes import Gasmix, alive, wait_for

# Long enough that it is still solving when signalled: tens of thousands of points.
LONG_SWEEP = ("sweep", "--param", "cap.US=0.4:1.0:0.0005", "--param", "risk_weight=0:5:0.25",
              "--workers", "2", "-o", "sw", "-q")


@pytest.fixture
def long_sweep(tmp_path):
    run = Gasmix(*LONG_SWEEP, cwd=tmp_path)
    yield run
    run.stop()


def _workers_started(run: Gasmix) -> list[int]:
    return wait_for(lambda: len(run.children()) == 2 and run.children(), what="two workers")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_sweep_workers_die_with_their_parent(long_sweep, signum, tmp_path):
    workers = _workers_started(long_sweep)
    long_sweep.process.send_signal(signum)
    long_sweep.process.wait(timeout=120)
    # Bounded, not timed: a worker that outlives its parent waits for work for ever (and
    # holds the parent's standard streams open, so they would never close either).
    wait_for(lambda: not any(alive(pid) for pid in workers), bound=30,
             what=f"the workers {workers} to end after the parent's {signum.name}")
    code, out, err = long_sweep.finish()
    assert not (tmp_path / "sw").exists()
    if signum == signal.SIGTERM:  # handled: it says so, and what is on disk
        assert code == 143, err
        assert err.strip() == "terminated: nothing was written", err
        assert "Traceback" not in err


def test_ctrl_c_to_the_terminal_group_stops_the_sweep_with_one_message(long_sweep, tmp_path):
    # A terminal sends Ctrl-C's SIGINT to every process of its group: the workers too.
    workers = _workers_started(long_sweep)
    long_sweep.signal_group(signal.SIGINT)
    long_sweep.process.wait(timeout=120)
    wait_for(lambda: not any(alive(pid) for pid in workers), bound=30, what="the workers to end")
    code, out, err = long_sweep.finish()
    assert code == 130, err
    assert err.strip() == "interrupted: nothing was written", err
    assert out == ""
    assert not (tmp_path / "sw").exists()


# --- Ctrl-C says what is on disk (strace delivers the SIGINT at a chosen system call) -------

def _run(args, cwd):
    import subprocess

    from conftest import gasmix_command

    return subprocess.run([*gasmix_command(), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture
def work(tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def test_ctrl_c_after_the_plan_is_swapped_in_says_it_was_written(work, tmp_path):
    from faults import RENAMES, Trace, injected, plan_folder

    assert _run(["solve", "-q", "--cap", "US=0.5", "-o", "plan"], work).returncode == 0
    args = ["solve", "-q", "--cap", "US=0.6", "-o", "plan"]
    trace = Trace(*args, cwd=work, calls=RENAMES, log=tmp_path / "clean")
    swap_in = trace.find(lambda c: c.paths[-1:] == ["plan"])[-1]
    done = injected(args, work, swap_in, "signal=INT", tmp_path / "int")
    assert done.returncode == 130
    assert done.stderr.strip() == ("interrupted: plan was written and is complete; nothing else "
                                   "was written")
    assert plan_folder(work / "plan")["policy"]["caps"] == {"US": 0.6}


def test_ctrl_c_while_gasmix_loads_is_one_line(work, tmp_path):
    # The first moments: click, numpy, pandas, HiGHS being imported (the issue saw a
    # traceback, or HiGHS's ImportError, there).
    from faults import Trace, injected

    args = ["solve", "-q", "-o", "plan"]
    trace = Trace(*args, cwd=work, calls="rt_sigaction,openat", log=tmp_path / "clean")
    (start,) = [c for c in trace.calls_made if c.line.startswith("rt_sigaction(SIGTERM, {sa_handler=0x")]
    loading = [c for c in trace.after(start) if c.name == "openat" and c.line.count(".py")]
    picks = {loading[0].number: loading[0]}  # the first module gasmix loads after its handlers
    for word in ("click", "numpy", "pandas", "highspy", "scipy", "rich"):
        hits = [c for c in loading if f"/{word}/" in c.line]
        if hits:
            picks[hits[len(hits) // 2].number] = hits[len(hits) // 2]
    assert len(picks) >= 4
    for call in picks.values():
        done = injected(args, work, call, "signal=INT", tmp_path / f"int-{call.number}")
        assert (done.returncode, done.stderr) == (130, "interrupted: nothing was written\n"), call.line
        assert not (work / "plan").exists()


def test_ctrl_c_while_a_workbook_is_saved_is_never_lost(work, tmp_path):
    # Python drops an exception raised in a finaliser (a ZipFile's __del__ as the workbook
    # is saved): the issue saw exit 0. Every write of the save is tried.
    from faults import Trace, injected, plan_workbook

    args = ["solve", "-q", "--format", "xlsx", "-o", "plan.xlsx"]
    trace = Trace(*args, cwd=work, calls="write", log=tmp_path / "clean")
    saving = [c for c in trace.calls_made if "openpyxl" in c.line or ".plan.xlsx.gasmix-" in c.line]
    step = max(1, len(saving) // 5)
    for call in saving[::step]:
        (work / "plan.xlsx").unlink(missing_ok=True)
        done = injected(args, work, call, "signal=INT", tmp_path / f"int-{call.number}")
        assert done.returncode == 130, (call.line, done.stderr)
        written = plan_workbook(work / "plan.xlsx") is not None
        assert done.stderr.strip() == ("interrupted: plan.xlsx was written and is complete; nothing "
                                       "else was written" if written else
                                       "interrupted: nothing was written"), call.line


def test_a_reader_that_closes_standard_output_early(tmp_path):
    # `gasmix sweep … | head -1`: the pipe is closed before gasmix writes to it.
    import os
    import subprocess

    from conftest import gasmix_command
    from faults import plan_folder

    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run([*gasmix_command(), "sweep", "--param", "cap.US=0.5:1:0.25", "-o", "sw"],
                              cwd=tmp_path, stdout=write, stderr=subprocess.PIPE, text=True,
                              timeout=300)
    finally:
        os.close(write)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ("note: standard output was closed by its reader (broken pipe); "
                                   "what was printed after that was dropped")
    assert plan_folder(tmp_path / "sw")
