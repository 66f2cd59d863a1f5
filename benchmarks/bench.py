"""gasmix benchmarks: a large synthetic case against HiGHS alone, and a warm sweep against
independent solves. Figures are reported, never asserted (timings are noisy).

    python benchmarks/bench.py            # a table
    python benchmarks/bench.py --json     # exactly one JSON object on stdout

Large case (generated into a temporary folder unless `--case FOLDER`):

* gasmix_seconds — in a fresh process: `models.load_case(folder)` + `optimizer.solve(case,
  max_share=…)` (prepare, build, HiGHS, check, Plan tables); best of `--repeat`.
* highs_seconds — in another fresh process: `highspy.Highs()`, `readModel(path)`, `run()`
  with output off, on the MPS file `optimizer.write_mps` wrote for the same case and policy
  (written beforehand, outside any timed region); best of `--repeat`.
  Both processes use HiGHS's default options (no time limit, default threads) and the
  same environment, one after the other.
* peak_rss_mb — the peak resident memory of the gasmix process alone (its own
  `ru_maxrss`: imports, a warm-up solve of the Mexico case, then the large case).

Sweep (in this process, on the embedded Mexico case): `optimizer.sweep(case, grid)` against
`optimizer.solve_point(case, grid, i)` for every point i (each a full solve from scratch).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


DEFAULT_GRID = ("cap.US=0.50:0.995:0.005",)  # 100 points
TARGETS = {
    "ratio": (1.5, "gasmix_seconds / highs_seconds ≤ 1.5 on a case of ≥ 300,000 variables"),
    "sweep_speedup": (20.0, "independent / sweep ≥ 20 on 100 points of the Mexico case"),
    "peak_rss_mb": (2048.0, "peak memory ≤ 2 GB at ≥ 300,000 variables"),
}
MIN_VARIABLES = 300_000
SWEEP_POINTS = 100


# --- helpers ----------------------------------------------------------------------------

def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextlib.contextmanager
def stdout_to_stderr():
    """Send everything written to file descriptor 1 (Python or C: HiGHS banners) to
    stderr, so that `--json` output is the only thing on stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def best_of(repeat: int, run):
    """Call `run()` `repeat` times; return (fastest wall time in seconds, its result)."""
    best, result = math.inf, None
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        value = run()
        seconds = time.perf_counter() - started
        if seconds < best:
            best, result = seconds, value
    return best, result


def log(message: str) -> None:
    """Progress on stderr (stdout is kept for the figures)."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def warm_up() -> None:
    """Import the libraries and solve the Mexico case once, so first-call costs (imports,
    lazy pandas/numpy paths, the HiGHS library load) fall outside every timed region."""
    from gasmix.models import default_case
    from gasmix.optimizer import solve
    solve(default_case())


# --- workers: each runs in its own process ------------------------------------------------

def gasmix_worker(folder: str, max_share: float | None, stages: bool) -> dict:
    """Time load_case + solve on the case folder once; with `stages`, one more run split
    into its steps. Returns the figures and this process's peak memory."""
    warm_up()
    from gasmix import models, optimizer

    started = time.perf_counter()
    case = models.load_case(folder)
    plan = optimizer.solve(case, max_share=max_share)
    seconds = time.perf_counter() - started
    summary = plan.summary
    out = {"gasmix_seconds": seconds,
           # passModel + HiGHS run + reading the solution back, as gasmix measures it
           "gasmix_solver_seconds": summary.get("solve_seconds"),
           "objective_musd": summary["objective_musd"], "unserved_bcf": summary["unserved_bcf"],
           "cash_cost_musd": summary["cash_cost_musd"],
           "binding_constraints": _binding_counts(plan),
           "peak_rss_mb": peak_rss_mb()}  # before the stage run, which would add its own
    if stages:
        del plan, case
        out["stages_seconds"] = stage_times(folder, max_share)
    return out


def _binding_counts(plan) -> dict:
    """How many rows of each family bind: evidence that the LP is not trivial."""
    table = plan.constraints
    if table.empty or "binding" not in table:
        return {}
    return {k: int(v) for k, v in table.groupby("family")["binding"].sum().items()}


def stage_times(folder: str, max_share: float | None) -> dict:
    """One solve split into the steps `optimizer.solve` takes, timed one by one. Uses the
    optimizer's internal modules, so it reports `{"error": …}` if they have changed."""
    try:
        from gasmix import models
        from gasmix.models import make_policy
        from gasmix.optimizer.formulation.arrays import prepare
        from gasmix.optimizer.formulation.build import build
        from gasmix.optimizer.results.plan import make_plan
        from gasmix.optimizer.lp.solvers import run_solver
        from gasmix.optimizer.lp.verify import check_solution
        from gasmix.optimizer.formulation.names import BALANCE
    except ImportError as exc:
        return {"error": f"stage timing unavailable: {exc}"}
    times, clock = {}, time.perf_counter()

    def lap(name):
        nonlocal clock
        now = time.perf_counter()
        times[name] = now - clock
        clock = now

    try:
        case = models.load_case(folder)
        lap("load_case")
        data = prepare(case, make_policy(case, max_share=max_share))
        lap("prepare")
        formulation = build(data)
        lap("build")
        model = formulation.model
        model.csr()
        model.row_bounds()
        lap("assemble_matrix")
        result = run_solver(model, "highs")
        lap("highs")  # HighsLp arrays, passModel, run, reading the solution back
        check = check_solution(model, result.x, residual_of=BALANCE)
        lap("check_solution")
        make_plan(data, formulation.columns, model, result, check, {"build": times["build"]})
        lap("make_plan")
    except Exception as exc:  # noqa: BLE001 - a report, not a test
        times["error"] = f"{type(exc).__name__}: {exc}"
    return times


def highs_worker(mps: str) -> dict:
    """Time HiGHS alone on an MPS file once: construct, read, run (output off)."""
    import highspy
    highspy.Highs()  # load the library once before timing

    started = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(mps)
    read = time.perf_counter()
    h.run()
    finished = time.perf_counter()
    info = h.getInfo()
    return {"highs_seconds": finished - started, "highs_read_seconds": read - started,
            "highs_run_seconds": finished - read,
            "variables": int(h.getNumCol()), "constraints": int(h.getNumRow()),
            "nonzeros": int(h.getNumNz()), "highs_status": h.modelStatusToString(h.getModelStatus()),
            "highs_objective": float(info.objective_function_value),
            "simplex_iterations": int(info.simplex_iteration_count),
            "highs_peak_rss_mb": peak_rss_mb()}


def run_worker(*args: str) -> dict:
    """Run this script as a worker in a fresh Python process and parse its JSON answer."""
    command = [sys.executable, str(Path(__file__).resolve()), *args]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"worker {' '.join(args[:2])} failed with exit code {done.returncode}")
    return json.loads(done.stdout)


# --- the two benchmarks ---------------------------------------------------------------------

def bench_large(args, workdir: Path) -> dict:
    """Generate (or reuse) the large case, write its MPS, then time gasmix and HiGHS alone,
    each in its own process."""
    from gasmix import models, optimizer
    from generate import generate_case

    if args.case:
        folder = Path(args.case)
        log(f"large case: reusing {folder}")
    else:
        folder = workdir / "case"
        log(f"generating the large case ({args.periods} periods × {args.days_per_period} d, "
            f"{args.nodes} nodes, {args.sources} sources, {args.storage} storage) in {folder}")
        started = time.perf_counter()
        generate_case(folder, periods=args.periods, days_per_period=args.days_per_period,
                      nodes=args.nodes, sources=args.sources, storage=args.storage, seed=args.seed)
        log(f"  generated in {time.perf_counter() - started:.1f} s")
    mps = workdir / "large.mps"
    started = time.perf_counter()
    optimizer.write_mps(models.load_case(folder), mps, max_share=args.max_share)
    log(f"wrote {mps} ({mps.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s "
        "(not timed)")

    # Alternate the two, one fresh process per run, so that both see the same (noisy)
    # machine; keep the fastest run of each.
    repeat = max(1, args.repeat)
    highs_runs, gasmix_runs = [], []
    for r in range(repeat):
        log(f"run {r + 1}/{repeat}: HiGHS alone (readModel + run)")
        highs_runs.append(run_worker("--worker", "highs", "--mps", str(mps)))
        log(f"  {highs_runs[-1]['highs_seconds']:.2f} s (read {highs_runs[-1]['highs_read_seconds']:.2f} s)")
        log(f"run {r + 1}/{repeat}: gasmix (load_case + solve, max_share={args.max_share})")
        worker_args = ["--worker", "gasmix", "--case", str(folder)]
        if args.max_share is not None:
            worker_args += ["--max-share", str(args.max_share)]
        if args.stages and r == 0:
            worker_args.append("--stages")
        gasmix_runs.append(run_worker(*worker_args))
        log(f"  {gasmix_runs[-1]['gasmix_seconds']:.2f} s "
            f"(HiGHS inside: {gasmix_runs[-1]['gasmix_solver_seconds']:.2f} s)")
    highs = min(highs_runs, key=lambda run: run["highs_seconds"])
    gasmix = min(gasmix_runs, key=lambda run: run["gasmix_seconds"])
    stages = gasmix_runs[0].get("stages_seconds")

    objective_gap = abs(gasmix["objective_musd"] - highs["highs_objective"])
    return {
        "case": f"{args.periods}x{args.days_per_period}d, {args.nodes} nodes, {args.sources} sources, "
                f"{args.storage} storage" if not args.case else str(folder),
        "max_share": args.max_share,
        "variables": highs["variables"], "constraints": highs["constraints"],
        "nonzeros": highs["nonzeros"],
        "gasmix_seconds": gasmix["gasmix_seconds"], "highs_seconds": highs["highs_seconds"],
        "ratio": gasmix["gasmix_seconds"] / highs["highs_seconds"],
        # The solver's own time varies most on a busy machine; these isolate the rest.
        "gasmix_solver_seconds": gasmix["gasmix_solver_seconds"],
        "gasmix_overhead_seconds": gasmix["gasmix_seconds"] - gasmix["gasmix_solver_seconds"],
        "highs_read_seconds": highs["highs_read_seconds"], "highs_run_seconds": highs["highs_run_seconds"],
        "peak_rss_mb": max(run["peak_rss_mb"] for run in gasmix_runs),
        "peak_rss_scope": "gasmix worker process alone (largest over the runs)",
        "highs_peak_rss_mb": highs["highs_peak_rss_mb"],
        "highs_status": highs["highs_status"], "simplex_iterations": highs["simplex_iterations"],
        "objective_musd": gasmix["objective_musd"], "objective_gap_musd": objective_gap,
        "unserved_bcf": gasmix["unserved_bcf"], "binding_constraints": gasmix["binding_constraints"],
        **({"stages_seconds": stages} if stages else {}),
    }


def parse_grid(specs) -> dict:
    """['cap.US=0.5:0.995:0.005', …] → {'cap.US': '0.5:0.995:0.005', …} (like --param)."""
    grid = {}
    for spec in specs:
        key, sep, value = spec.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise SystemExit(f"bench.py: --sweep-grid expects KEY=SPEC, got {spec!r}")
        grid[key.strip()] = value.strip()
    return grid


def bench_sweep(args) -> dict:
    """The warm sweep over the grid against one solve_point per point, on the Mexico case."""
    from gasmix import models, optimizer

    case = models.default_case()
    grid = optimizer.make_grid(case, parse_grid(args.sweep_grid or DEFAULT_GRID))
    repeat = args.sweep_repeat if args.sweep_repeat is not None else max(args.repeat, 5)
    log(f"sweep: {len(grid)} points of the Mexico case, best of {repeat}")
    sweep_seconds, table = best_of(repeat, lambda: optimizer.sweep(case, grid))
    log(f"  sweep {sweep_seconds:.2f} s; now {len(grid)} independent solves")

    def independent():
        objectives = []
        for i in range(len(grid)):
            try:
                objectives.append(optimizer.solve_point(case, grid, i).objective)
            except Exception:  # noqa: BLE001 - an infeasible point is a row, as in the sweep
                objectives.append(math.nan)
        return objectives

    independent_seconds, objectives = best_of(repeat, independent)
    log(f"  independent {independent_seconds:.2f} s")
    optimal = (table["status"] == "optimal").to_numpy()
    gaps = [abs(a - b) / max(1.0, abs(b)) for a, b, ok in
            zip(table["objective_musd"], objectives, optimal) if ok and not math.isnan(b)]
    return {
        "sweep_grid": list(args.sweep_grid or DEFAULT_GRID), "sweep_points": len(grid),
        "sweep_repeat": repeat,
        "sweep_optimal_points": int(optimal.sum()),
        "sweep_seconds": sweep_seconds, "independent_seconds": independent_seconds,
        "sweep_speedup": independent_seconds / sweep_seconds,
        "sweep_max_relative_objective_gap": max(gaps) if gaps else None,
    }


def targets(figures: dict) -> dict:
    """Each target with its value and whether it is met (None: not measured, or the case is
    below the size the target speaks of)."""
    out = {}
    big_enough = figures.get("variables", 0) >= MIN_VARIABLES
    for key, (limit, text) in TARGETS.items():
        value = figures.get(key)
        if value is None:
            met = None
        elif key == "sweep_speedup":
            met = value >= limit if figures.get("sweep_points") == SWEEP_POINTS else None
        else:
            met = value <= limit if big_enough else None
        out[key] = {"target": text, "value": value, "met": met}
    return out


def _clean(value):
    """NaN and infinities as null, recursively, so the JSON is strict."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def print_table(figures: dict) -> None:
    """The figures as rich tables on stdout."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="gasmix benchmark", show_lines=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = [
        ("large case", figures.get("case")), ("max_share", figures.get("max_share")),
        ("variables (LP columns)", figures.get("variables")), ("constraints (LP rows)", figures.get("constraints")),
        ("nonzeros", figures.get("nonzeros")), ("simplex iterations", figures.get("simplex_iterations")),
        ("gasmix: load_case + solve (s)", figures.get("gasmix_seconds")),
        ("HiGHS alone: read MPS + run (s)", figures.get("highs_seconds")),
        ("ratio gasmix / HiGHS", figures.get("ratio")),
        ("  gasmix: HiGHS inside solve (s)", figures.get("gasmix_solver_seconds")),
        ("  gasmix: everything else (s)", figures.get("gasmix_overhead_seconds")),
        ("  HiGHS alone: readModel (s)", figures.get("highs_read_seconds")),
        ("  HiGHS alone: run (s)", figures.get("highs_run_seconds")),
        ("peak RSS, gasmix process (MB)", figures.get("peak_rss_mb")),
        ("peak RSS, HiGHS-alone process (MB)", figures.get("highs_peak_rss_mb")),
        ("objective gap gasmix vs HiGHS (MUSD)", figures.get("objective_gap_musd")),
        ("unserved (Bcf)", figures.get("unserved_bcf")),
        ("sweep points (optimal)", _pair(figures.get("sweep_points"), figures.get("sweep_optimal_points"))),
        ("sweep timings: best of", figures.get("sweep_repeat")),
        ("sweep (s)", figures.get("sweep_seconds")),
        ("independent solve_point calls (s)", figures.get("independent_seconds")),
        ("sweep speedup", figures.get("sweep_speedup")),
        ("sweep vs independent, max rel. objective gap", figures.get("sweep_max_relative_objective_gap")),
        ("this process's peak RSS (MB)", figures.get("bench_process_peak_rss_mb")),
    ]
    for name, value in rows:
        if value is not None:
            table.add_row(name, _fmt(value))
    console.print(table)
    if figures.get("binding_constraints"):
        console.print("binding rows by family: " + ", ".join(
            f"{k} {v:,}" for k, v in figures["binding_constraints"].items()))
    stages = figures.get("stages_seconds")
    if stages:
        console.print("gasmix stages (one extra run, s): " + ", ".join(
            f"{k} {_fmt(v)}" for k, v in stages.items()))
    goals = Table(title="targets")
    goals.add_column("target")
    goals.add_column("value", justify="right")
    goals.add_column("met")
    for goal in figures["targets"].values():
        met = {True: "[green]yes[/]", False: "[red]no[/]", None: "–"}[goal["met"]]
        goals.add_row(goal["target"], _fmt(goal["value"]) if goal["value"] is not None else "–", met)
    console.print(goals)


def _pair(total, optimal):
    return None if total is None else f"{total} ({optimal})"


def _fmt(value) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if abs(value) < 1:
            return f"{value:.3g}"
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


# --- command line -----------------------------------------------------------------------

def _share(text: str) -> float | None:
    """A --max-share value: a number, or `none` for no cap."""
    return None if text.strip().lower() == "none" else float(text)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="gasmix benchmarks (figures are reported, not asserted).")
    large = parser.add_argument_group("large case")
    large.add_argument("--periods", type=int, default=365, help="periods (default 365)")
    large.add_argument("--days-per-period", type=int, default=1, help="days per period (default 1)")
    large.add_argument("--nodes", type=int, default=30, help="nodes (default 30)")
    large.add_argument("--sources", type=int, default=700, help="sources (default 700)")
    large.add_argument("--storage", type=int, default=10, help="storage sites (default 10)")
    large.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    large.add_argument("--max-share", type=_share, default=0.6,
                       help="max_share policy for the large case (default 0.6; adds the share "
                            "rows; none: no cap)")
    large.add_argument("--case", default=None, help="use this case folder instead of generating one")
    large.add_argument("--stages", action="store_true",
                       help="also time one gasmix run step by step (load, prepare, build, HiGHS, check, plan)")
    parser.add_argument("--sweep-grid", action="append", metavar="KEY=SPEC",
                        help=f"sweep parameter, repeatable (default {DEFAULT_GRID[0]}: 100 points)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="best of N for every timing (default 1; the sweep uses at least 5)")
    parser.add_argument("--sweep-repeat", type=int, default=None,
                        help="best of N for the sweep timings only (default max(--repeat, 5))")
    parser.add_argument("--skip-large", action="store_true", help="skip the large case")
    parser.add_argument("--skip-sweep", action="store_true", help="skip the sweep benchmark")
    parser.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    # Internal: run one timed part in this (fresh) process.
    parser.add_argument("--worker", choices=["gasmix", "highs"], help=argparse.SUPPRESS)
    parser.add_argument("--mps", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.worker:
        with stdout_to_stderr():
            if args.worker == "gasmix":
                result = gasmix_worker(args.case, args.max_share, args.stages)
            else:
                result = highs_worker(args.mps)
        print(json.dumps(_clean(result)))
        return 0

    figures: dict = {}
    with stdout_to_stderr():
        with contextlib.redirect_stdout(sys.stderr):
            warm_up()
        if not args.skip_large:
            with tempfile.TemporaryDirectory(prefix="gasmix-bench-") as tmp:
                figures.update(bench_large(args, Path(tmp)))
        if not args.skip_sweep:
            figures.update(bench_sweep(args))
    figures["bench_process_peak_rss_mb"] = peak_rss_mb()
    figures["targets"] = targets(figures)
    if args.json:
        print(json.dumps(_clean(figures), indent=1))
    else:
        print_table(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
