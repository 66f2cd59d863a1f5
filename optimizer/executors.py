"""Where sweep points run: here, in local worker processes, or on a Dask cluster.

Each is a `concurrent.futures.Executor` (or None for here), which is all `sweep()` needs.
Dask is the `dask` extra; a scheduler address is e.g. tcp://10.0.0.5:8786.

Local workers never outlive the process that started them. If the work is interrupted
(Ctrl-C, SIGTERM, any exception) they are killed at once rather than left to finish their
points; on Linux each also asks the kernel for SIGKILL when its parent dies, which covers a
parent killed with SIGKILL, where no code of ours runs. Ctrl-C reaches every process of the
terminal's group: workers ignore it and leave the stopping to the parent, so one message is
printed, not one traceback per worker.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor

from .errors import ScaleOutError

DASK_HINT = 'a Dask scheduler needs dask.distributed: pip install "gasmix[dask]"'


@contextlib.contextmanager
def executor_for(workers: int = 1, scheduler: str | None = None, connect_timeout: float = 10.0):
    """An executor for `workers` local processes or the Dask scheduler at `scheduler`
    (None: run in this process), closed on exit."""
    if scheduler:
        try:
            from distributed import Client
        except ImportError as exc:
            raise ScaleOutError(DASK_HINT) from exc
        try:
            client = Client(scheduler, timeout=connect_timeout)
        except (OSError, TimeoutError) as exc:
            raise ScaleOutError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        except (ValueError, TypeError) as exc:  # Dask's words for an address it cannot parse
            raise ScaleOutError(f"{scheduler!r} is not a Dask scheduler address ({exc}); give "
                                "one like tcp://10.0.0.5:8786") from exc
        try:
            yield client.get_executor()
        finally:
            client.close()
    elif workers > 1:
        # fork where the kernel can tie a child to its parent: the workers are then this
        # process's own children (not a fork server's), which the parent-death signal needs.
        # (Python 3.12+ warns about forking with threads: the only other thread here may be
        # the progress bar's, and workers never touch the terminal whose lock it holds.)
        context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                   initializer=_start_worker, initargs=(os.getpid(),))
        try:
            yield pool
        except BaseException:
            _kill_workers(pool)
            raise
        pool.shutdown(wait=True)
    else:
        yield None


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _start_worker(parent: int) -> None:
    """Run first in every local worker process."""
    # Ctrl-C is the parent's to handle (it kills the workers); a SIGTERM sent to a worker
    # ends it, whatever handler it inherited from the parent by fork.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    # The parent may have died before the request above was made: then no signal comes.
    if os.getppid() != parent:
        os._exit(1)


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Stop `pool` now: drop the queued points and kill the workers (a chunk being solved
    is not waited for)."""
    # concurrent.futures has no public way to reach its processes before Python 3.14; read
    # them before shutdown(), which forgets them.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            process.join(timeout=10)
