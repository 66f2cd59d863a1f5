"""Where sweep points run: here, in local worker processes, or on a Dask cluster.

Each is a `concurrent.futures.Executor` (or None for here), which is all `sweep()` needs.
Dask is the `dask` extra; a scheduler address is e.g. tcp://10.0.0.5:8786.
"""

from __future__ import annotations

import contextlib
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
        try:
            yield client.get_executor()
        finally:
            client.close()
    elif workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield pool
    else:
        yield None
