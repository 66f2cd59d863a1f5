"""What a notebook loop of `solve()` costs against HiGHS's own time on the same LP.

    python benchmarks/library_loop.py              # 100 solves of the embedded case
    python benchmarks/library_loop.py -n 20 --json

gasmix: `n` calls of `gasmix.solve(case)` (prepare, build, one passModel, HiGHS, row-by-row
verification, the Plan's headline figures; tables stay unbuilt until read), then the time to
read every table of the last plan once. HiGHS alone: the same LP, written once as MPS, read
into a fresh `highspy.Highs()` and run `n` times (a cold start each time, as `solve()` has).
Figures are printed, never asserted: timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path


def gasmix_loop(case, n: int) -> tuple[float, float]:
    """(seconds for n solve() calls, seconds to build every table of the last plan once)."""
    from gasmix.optimizer import solve

    solve(case)  # warm-up: imports, lazy paths, the HiGHS library
    started = time.perf_counter()
    for _ in range(n):
        plan = solve(case)
    loop = time.perf_counter() - started
    started = time.perf_counter()
    for name in plan.tables():
        plan.tables()[name]
    return loop, time.perf_counter() - started


def highs_loop(case, n: int) -> float:
    """Seconds for n cold HiGHS runs (read the MPS, run) of the LP solve() gives HiGHS."""
    import highspy

    from gasmix.optimizer import write_mps

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.mps"
        write_mps(case, path)
        total = 0.0
        for _ in range(n + 1):
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            h.readModel(str(path))
            started = time.perf_counter()
            h.run()
            elapsed = time.perf_counter() - started
            total += elapsed if _ else 0.0  # the first run warms up
        return total


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=100, help="solves to time (default 100)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    from gasmix.models import default_case

    case = default_case()
    loop, tables = gasmix_loop(case, args.n)
    highs = highs_loop(case, args.n)
    figures = {"solves": args.n, "gasmix_seconds": loop, "highs_seconds": highs,
               "ratio": loop / highs if highs else None, "tables_once_seconds": tables}
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"{args.n} × solve(default_case()): {loop:.2f} s ({1000 * loop / args.n:.1f} ms each)")
        print(f"{args.n} × HiGHS alone (read MPS + run, run timed): {highs:.2f} s")
        print(f"ratio gasmix / HiGHS: {loop / highs:.2f} (target ≤ 2)")
        print(f"every table of one plan, built on first read: {tables:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
