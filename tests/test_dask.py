"""Where sweep points run must not change the table: a Dask cluster (library and CLI) and
local worker processes give exactly the serial run's table for the same chunk size.

The cluster is real: two worker processes on 127.0.0.1, started once for the module and
closed at its end."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pandas as pd
import pytest

from conftest import ROOT, gasmix_command
from gasmix.models import default_case
from gasmix.optimizer import sweep
from gasmix.optimizer.frontiers import frontier
from gasmix.optimizer.executors import ScaleOutError, executor_for

distributed = pytest.importorskip("distributed")

ISSUE_GRID = {"cap.US": "0.4:1.0:0.05"}
# 26 points in chunks of 4: seven chunks spread over both workers, each starting from the
# reference basis; the grid crosses a share cap with a cost parameter.
CROSS_GRID = {"cap.US": "0.4:1.0:0.05", "risk_weight": "0,3"}


@pytest.fixture(scope="module")
def mexico():
    return default_case()


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None)
    client = Client(cluster)
    try:
        yield cluster, client
    finally:
        client.close()
        cluster.close()


def _env() -> dict:
    env = dict(os.environ)
    if gasmix_command()[0] == sys.executable:
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _gasmix(args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([*gasmix_command(), *args], cwd=cwd, env=_env(), capture_output=True,
                          text=True, timeout=300)


# --- the library ------------------------------------------------------------------------------

@pytest.mark.parametrize("grid,chunk_size", [
    (ISSUE_GRID, 25),           # one chunk
    (ISSUE_GRID, 3),            # five chunks
    (CROSS_GRID, 4),
    ({"max_share": "0.05,0.3,0.6,0.3,0.7", "exclude": "none,RU"}, 3),  # invalid and infeasible rows
])
def test_dask_executor_gives_the_serial_table(mexico, cluster, grid, chunk_size):
    _, client = cluster
    serial = sweep(mexico, grid, chunk_size=chunk_size)
    seen = []
    on_dask = sweep(mexico, grid, client.get_executor(), chunk_size=chunk_size, progress=seen.append)
    pd.testing.assert_frame_equal(on_dask, serial, check_exact=True)  # exact: same chunks, same bases
    assert seen[-1] == len(serial)


def test_dask_frontier_gives_the_serial_frontier(mexico, cluster):
    _, client = cluster
    serial = frontier(mexico, shares="0.4:1:0.1", risk_weights="0:6:1")
    on_dask = frontier(mexico, shares="0.4:1:0.1", risk_weights="0:6:1", executor=client.get_executor())
    pd.testing.assert_frame_equal(on_dask, serial, check_exact=True)


def test_a_second_sweep_on_the_same_workers_is_not_confused_with_the_first(mexico, cluster):
    # Workers keep one built model per sweep (by token): a different sweep must rebuild.
    _, client = cluster
    executor = client.get_executor()
    first = sweep(mexico, {"cap.US": "0.5,0.7"}, executor)
    other = sweep(mexico, {"demand": "0.9,1.1"}, executor)
    again = sweep(mexico, {"cap.US": "0.5,0.7"}, executor)
    pd.testing.assert_frame_equal(other, sweep(mexico, {"demand": "0.9,1.1"}), check_exact=True)
    pd.testing.assert_frame_equal(first, again, check_exact=True)


def test_process_pool_gives_the_serial_table(mexico):
    # Regression (fixed): failed with "TypeError: cannot pickle 'mappingproxy' object". sweep() submits the
    # base Policy to the executor, and Policy.__post_init__ (models/case.py) freezes `caps`
    # into a types.MappingProxyType, which the standard pickle used by ProcessPoolExecutor
    # cannot serialise (Dask falls back to cloudpickle, so it works there). Every sweep and
    # frontier with --workers N > 1 therefore crashed; see test_cli_workers_2 below.
    serial = sweep(mexico, CROSS_GRID, chunk_size=4)
    with ProcessPoolExecutor(2) as pool:
        in_processes = sweep(mexico, CROSS_GRID, pool, chunk_size=4)
    pd.testing.assert_frame_equal(in_processes, serial, check_exact=True)


def test_executor_for_picks_the_executor(cluster):
    cl, _ = cluster
    with executor_for() as executor:
        assert executor is None
    with executor_for(scheduler=cl.scheduler_address) as executor:
        assert executor.submit(pow, 2, 10).result() == 1024
    # an address nobody listens on: ScaleOutError naming it (short timeout to keep it quick)
    with pytest.raises(ScaleOutError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:1"):
        with executor_for(scheduler="tcp://127.0.0.1:1", connect_timeout=1):
            pass


# --- the command line -------------------------------------------------------------------------

def test_cli_scheduler_writes_the_serial_sweep_csv(cluster, tmp_path):
    cl, _ = cluster
    address = cl.scheduler_address
    assert address.startswith("tcp://127.0.0.1:")
    args = ["sweep", "--param", "cap.US=0.4:1.0:0.05", "--chunk-size", "4", "-q"]
    with ThreadPoolExecutor(2) as pool:
        serial, dask = pool.map(lambda extra: _gasmix([*args, *extra], tmp_path),
                                [["-o", "serial"], ["-o", "dask", "--scheduler", address]])
    assert serial.returncode == 0, serial.stderr
    assert dask.returncode == 0, dask.stderr
    assert dask.stdout == ""
    a = (tmp_path / "serial" / "sweep.csv").read_text()
    b = (tmp_path / "dask" / "sweep.csv").read_text()
    assert a == b  # byte for byte
    assert len(pd.read_csv(tmp_path / "dask" / "sweep.csv")) == 13


def test_cli_workers_2_writes_the_serial_sweep_csv(tmp_path):
    # Regression (fixed): exited 1 with a traceback ("TypeError: cannot pickle 'mappingproxy'
    # object"), the Policy pickling bug described in test_process_pool_gives_the_serial_table.
    args = ["sweep", "--param", "cap.US=0.4:1.0:0.05", "--chunk-size", "4", "-q"]
    with ThreadPoolExecutor(2) as pool:
        serial, local = pool.map(lambda extra: _gasmix([*args, *extra], tmp_path),
                                 [["-o", "serial"], ["-o", "local", "--workers", "2"]])
    assert serial.returncode == 0, serial.stderr
    assert local.returncode == 0, local.stderr[-2000:]
    assert (tmp_path / "serial" / "sweep.csv").read_text() == (tmp_path / "local" / "sweep.csv").read_text()
