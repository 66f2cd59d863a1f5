"""Real processes for the shutdown and fault-injection tests: gasmix started in a session of
its own (so a test can signal it as a terminal would, and nothing it leaves behind can reach
the test runner), its children read from /proc, and waits that are bounded but never timed.

    from processes import Gasmix, alive, children, wait_for

A wait polls a condition until it holds or a generous bound passes; the bound only stops a
broken run from hanging the suite, no assertion depends on how long anything took.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from conftest import gasmix_command

BOUND = 120.0  # seconds: the most any wait here may take before the test gives up


def wait_for(condition, bound: float = BOUND, what: str = "a condition"):
    """Poll `condition()` until it returns something true; return that. Fails the test if
    `bound` seconds pass first."""
    deadline = time.monotonic() + bound
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {bound:.0f} s")
        time.sleep(0.02)


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process from /proc, None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2:].split()  # the name may hold spaces or ")"
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    """A process that still runs (a zombie waiting to be reaped has ended)."""
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def children(pid: int) -> list[int]:
    """The live processes whose parent is `pid`."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat and stat[1] == pid and stat[0] not in ("Z", "X"):
                found.append(int(entry.name))
    return sorted(found)


class Gasmix:
    """`gasmix ARGS` in a new session (its own process group), standard streams captured.

    `stop()` kills whatever of the group is still alive: a test's cleanup, never its
    assertion."""

    def __init__(self, *args: str, cwd: Path, env: dict | None = None, stdin=subprocess.DEVNULL):
        self.args = [*gasmix_command(), *args]
        self.process = subprocess.Popen(self.args, cwd=cwd, env=env, stdin=stdin,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, start_new_session=True)
        self.pid = self.process.pid
        self.seen: set[int] = set()  # every child seen, to be sure none outlives the test

    def children(self) -> list[int]:
        kids = children(self.pid)
        self.seen.update(kids)
        return kids

    def signal_group(self, signum: int) -> None:
        """As a terminal does on Ctrl-C: the signal to every process of the group."""
        os.killpg(self.pid, signum)

    def finish(self, bound: float = BOUND) -> tuple[int, str, str]:
        out, err = self.process.communicate(timeout=bound)
        return self.process.returncode, out, err

    def stop(self) -> None:
        for pid in [self.pid, *self.seen]:
            if alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()
