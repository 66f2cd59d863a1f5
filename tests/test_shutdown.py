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
