"""A daily national case: the embedded Mexico case (7 nodes) by day, for 1–3 years, timed
against HiGHS alone. Figures are reported, never asserted (timings are noisy).

    python benchmarks/daily.py                  # 1 year: 365 daily periods, a table
    python benchmarks/daily.py --years 1 2 3    # one row per horizon
    python benchmarks/daily.py --json           # exactly one JSON object on stdout
    python benchmarks/daily.py --years 2 -o /tmp/mx-daily   # also keep the case folder

The case is written as an ordinary case folder (`case.toml` + the Mexico case's CSV
tables) and read by `models.load_case`, so `gasmix solve FOLDER` reads it too:

* periods: one per day (`YYYY-MM-DD`, days = 1) from 2026-01-01, `--years` × 12 months.
  The Mexico case covers 24 months (2026–2027); a third year **holds the last year**: each
  month of 2028 takes the figures of the same month of 2027, and the sources, entries,
  origins and exports whose window lies inside 2027 (Pemex's quarterly output) are repeated
  a year later under a new id (`…2027Q1` → `…2028Q1`). A window that ends with the case
  (December 2027) then runs to the end. With one year, whatever starts after 2026 is left out.
* demand: each month's figure spread onto its days with a weekly cycle (weekends
  `--weekend` lower) and a winter/summer tilt (`--seasonal`, the amplitude of a cosine
  peaking mid-January), scaled so that the days-weighted average of every month is the
  monthly figure (volumes preserved, to the rounding of 0.001 MMcf/d).
* prices (hub prices), capacities (entries, arcs, origins' availability), contracts'
  minimums and maxima, exports' feed gas: held at the month's figure on each of its days.
* storage: rates, floors and end targets as in the case; windows (first/last period) start
  on the first day of their first month and end on the last day of their last month;
  disruption events likewise.

Timing, as benchmarks/bench.py (whose workers it runs): `gasmix_seconds` is
`models.load_case(folder)` + `optimizer.solve(case)` (prepare, build, HiGHS, verification,
the Plan) in a fresh process after a warm-up solve; `highs_seconds` is highspy alone
(`readModel` + `run`) in another fresh process on the MPS file `optimizer.write_mps` wrote
for the same case; `peak_rss_mb` is the gasmix process's `ru_maxrss`. The policy is the
case's own (least cost, no caps). The monthly plan of the same horizon (the same folder
built by month) is solved too, and both costs are printed: they differ because days
resolve what a month averages away (weekday peaks against entry and arc capacities).
"""

from __future__ import annotations

import argparse
import calendar
import contextlib
import json
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from bench import _clean, _fmt, log, peak_rss_mb, run_worker, stdout_to_stderr, warm_up

MARKER = "DAILY.json"


# --- the case ---------------------------------------------------------------------------

def _month(period: str) -> tuple[int, int]:
    year, month = period.split("-")[:2]
    return int(year), int(month)


def _month_id(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def horizon_months(case_months: list[str], years: int) -> list[tuple[str, str]]:
    """(month of the horizon, month of the case whose figures it takes) for `years` × 12
    months from the case's first month; months past the case take the same calendar month
    of the case's last year."""
    year0, month0 = _month(case_months[0])
    last_year = _month(case_months[-1])[0]
    known = set(case_months)
    out = []
    for i in range(12 * years):
        year, month = year0 + (month0 - 1 + i) // 12, (month0 - 1 + i) % 12 + 1
        mid = _month_id(year, month)
        source = mid if mid in known else _month_id(last_year, month)
        if source not in known:
            raise ValueError(f"the case has no {source} to stand for {mid}")
        out.append((mid, source))
    return out


def sub_periods(month: str, daily: bool) -> list[tuple[str, str, int]]:
    """(period id, start, days) of a month: its days, or the month itself."""
    year, mon = _month(month)
    days = calendar.monthrange(year, mon)[1]
    first = date(year, mon, 1)
    if not daily:
        return [(month, first.isoformat(), days)]
    return [((first + timedelta(days=d)).isoformat(),) * 2 + (1,) for d in range(days)]


def demand_shape(days: list[str], weekend: float, seasonal: float) -> np.ndarray:
    """Weights of a month's days with mean 1: weekends `weekend` lower, a cosine tilt of
    amplitude `seasonal` peaking on 15 January."""
    stamps = pd.to_datetime(pd.Series(days))
    weekly = np.where(stamps.dt.day_of_week.to_numpy() >= 5, 1.0 - weekend, 1.0)
    season = 1.0 + seasonal * np.cos(2 * np.pi * (stamps.dt.day_of_year.to_numpy() - 15) / 365.25)
    weights = weekly * season
    return weights / weights.mean()


def _window_tables(folder: Path):
    """(table name, key column or None, window columns) of the tables with periods as
    first/last windows, from the schema."""
    from gasmix.models.schema import TABLES
    for name, schema in TABLES.items():
        window = [c.name for c in schema.columns
                  if c.references == "periods" and c.name in ("first_period", "last_period")]
        if window and (folder / f"{name}.csv").is_file():
            yield name, schema.key, window


def _period_tables(folder: Path):
    """Tables with one row per item × period (a `period` column), from the schema."""
    from gasmix.models.schema import TABLES
    for name, schema in TABLES.items():
        if (name != "periods" and any(c.name == "period" and c.references == "periods"
                                      for c in schema.columns)
                and (folder / f"{name}.csv").is_file()):
            yield name


def build_case_folder(target, years: int = 1, daily: bool = True, weekend: float = 0.07,
                      seasonal: float = 0.10, source=None) -> Path:
    """Write the embedded Mexico case (or the case folder `source`) by day (or by month
    with `daily=False`) over `years` years into the new or empty folder `target`."""
    from gasmix.models import default_case_path

    source = Path(source) if source else default_case_path()
    target = Path(target)
    if target.exists() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise SystemExit(f"daily.py: {target} is not empty and was not written by daily.py")
    target.mkdir(parents=True, exist_ok=True)
    read = lambda name: pd.read_csv(source / f"{name}.csv", dtype=str, keep_default_na=False)  # noqa: E731

    periods = read("periods")
    months = horizon_months(list(periods["period"]), years)
    horizon = [m for m, _ in months]
    split = {m: sub_periods(m, daily) for m in horizon}
    first_of = {m: split[m][0][0] for m in horizon}
    last_of = {m: split[m][-1][0] for m in horizon}
    case_last = periods["period"].iloc[-1]
    case_last_year = _month(case_last)[0]
    extra_years = sorted({_month(m)[0] for m, s in months if m != s})

    tables = {"periods": pd.DataFrame([row for m in horizon for row in split[m]],
                                      columns=["period", "start", "days"])}
    for name in _period_tables(source):
        table = read(name)
        value = {"demand": "demand_mmcfd"}.get(name)
        pieces = []
        for month, src in months:
            rows = table[table["period"] == src]
            if rows.empty:
                continue
            days = [p for p, _, _ in split[month]]
            block = rows.loc[rows.index.repeat(len(days))].reset_index(drop=True)
            block["period"] = np.tile(days, len(rows))
            if value and daily:
                weights = np.tile(demand_shape(days, weekend, seasonal), len(rows))
                block[value] = np.round(block[value].astype(float).to_numpy() * weights, 3)
            pieces.append(block)
        tables[name] = pd.concat(pieces, ignore_index=True) if pieces else table.iloc[0:0]

    for name, key, window in _window_tables(source):
        table = read(name)
        rows = []
        for row in table.to_dict("records"):
            first = row.get("first_period", "")
            last = row.get("last_period", "")
            in_last_year = bool(first and last and _month(first)[0] == _month(last)[0] == case_last_year)
            copies = [(row, 0)]
            if key and in_last_year:
                copies += [(row, y - case_last_year) for y in extra_years]
            for original, shift in copies:
                new = dict(original)
                if shift:
                    year = str(case_last_year + shift)
                    old = str(case_last_year)
                    new[key] = (new[key].replace(old, year) if old in new[key]
                                else f"{new[key]}_{year}")
                    for col in window:
                        y, m = _month(new[col])
                        new[col] = _month_id(y + shift, m)
                f, l = new.get("first_period", ""), new.get("last_period", "")
                if f and f > horizon[-1]:
                    continue  # starts after the horizon
                if l and (l >= horizon[-1] or (l == case_last and extra_years and not in_last_year)):
                    l = ""    # runs to the end of the horizon
                if l and l < horizon[0]:
                    continue
                if "first_period" in window:
                    new["first_period"] = first_of[f] if f else ""
                if "last_period" in window:
                    new["last_period"] = last_of[l] if l else ""
                short = pd.notna(new.get("first_day")) and str(new.get("first_day", "")) != ""
                if daily and short and f:
                    # A short event (some days of one month) runs on exactly those days.
                    y, m = _month(f)
                    first_day, days = int(float(new["first_day"])), int(float(new["days"]))
                    new["first_period"] = f"{y:04d}-{m:02d}-{first_day:02d}"
                    new["last_period"] = f"{y:04d}-{m:02d}-{first_day + days - 1:02d}"
                    new["first_day"] = new["days"] = ""
                rows.append(new)
        tables[name] = pd.DataFrame(rows, columns=table.columns)

    written = []
    for csv in sorted(source.glob("*.csv")):
        name = csv.stem
        table = tables.get(name)
        if table is None:
            table = read(name)
        table.to_csv(target / csv.name, index=False, lineterminator="\n")
        written.append(csv.name)
    resolution = "daily" if daily else "monthly"
    toml = (source / "case.toml").read_text(encoding="utf-8")
    lines = []
    for line in toml.splitlines():
        if line.startswith("name = "):
            line = f'name = "mexico-{resolution}-{years}y"'
        elif line.startswith("title = "):
            span = horizon[0][:4] + ("" if years == 1 else f"-{horizon[-1][:4]}")
            line = (f'title = "Mexico natural-gas supply mix, {span} '
                    f'({resolution}, seven regions; benchmarks/daily.py)"')
        lines.append(line)
    (target / "case.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (target / MARKER).write_text(json.dumps(
        {"writer": "benchmarks/daily.py", "years": years, "resolution": resolution,
         "weekend": weekend, "seasonal": seasonal, "files": ["case.toml", *written]}, indent=1) + "\n",
        encoding="utf-8")
    return target


# --- the benchmark ----------------------------------------------------------------------

def demand_bcf(case) -> float:
    """Total demand over the horizon, Bcf."""
    days = pd.Series({p.id: p.days for p in case.periods})
    return float((case.demand * case.demand.index.get_level_values(1).map(days).to_numpy()).sum() / 1000)


def bench_years(years: int, args, workdir: Path) -> dict:
    """Build the daily and the monthly case of `years` years, time gasmix and HiGHS alone
    on the daily one, solve the monthly one for comparison."""
    from gasmix import models, optimizer

    folder = Path(args.output) / f"daily-{years}y" if args.output else workdir / f"daily-{years}y"
    monthly_folder = workdir / f"monthly-{years}y"
    started = time.perf_counter()
    build_case_folder(folder, years, True, args.weekend, args.seasonal)
    build_case_folder(monthly_folder, years, False)
    daily_case, monthly_case = models.load_case(folder), models.load_case(monthly_folder)
    log(f"{years} year(s): {len(daily_case.periods)} daily periods written and read in "
        f"{time.perf_counter() - started:.1f} s ({folder})")
    mps = workdir / f"daily-{years}y.mps"
    optimizer.write_mps(daily_case, mps)

    highs_runs, gasmix_runs = [], []
    for r in range(max(1, args.repeat)):
        highs_runs.append(run_worker("--worker", "highs", "--mps", str(mps)))
        gasmix_runs.append(run_worker("--worker", "gasmix", "--case", str(folder), "--max-share", "none"))
        log(f"  run {r + 1}: HiGHS alone {highs_runs[-1]['highs_seconds']:.2f} s, "
            f"gasmix {gasmix_runs[-1]['gasmix_seconds']:.2f} s")
    highs = min(highs_runs, key=lambda run: run["highs_seconds"])
    gasmix = min(gasmix_runs, key=lambda run: run["gasmix_seconds"])
    monthly = optimizer.solve(monthly_case).summary
    return {
        "years": years, "periods": len(daily_case.periods),
        "first_period": daily_case.periods[0].id, "last_period": daily_case.periods[-1].id,
        "variables": highs["variables"], "constraints": highs["constraints"],
        "nonzeros": highs["nonzeros"], "simplex_iterations": highs["simplex_iterations"],
        "gasmix_seconds": gasmix["gasmix_seconds"], "highs_seconds": highs["highs_seconds"],
        "ratio": gasmix["gasmix_seconds"] / highs["highs_seconds"],
        "gasmix_solver_seconds": gasmix["gasmix_solver_seconds"],
        "highs_read_seconds": highs["highs_read_seconds"], "highs_run_seconds": highs["highs_run_seconds"],
        "peak_rss_mb": max(run["peak_rss_mb"] for run in gasmix_runs),
        "highs_peak_rss_mb": highs["highs_peak_rss_mb"],
        "objective_gap_musd": abs(gasmix["objective_musd"] - highs["highs_objective"]),
        "daily_cash_cost_musd": gasmix["cash_cost_musd"], "monthly_cash_cost_musd": monthly["cash_cost_musd"],
        "daily_objective_musd": gasmix["objective_musd"], "monthly_objective_musd": monthly["objective_musd"],
        "daily_unserved_bcf": gasmix["unserved_bcf"], "monthly_unserved_bcf": monthly["unserved_bcf"],
        "daily_demand_bcf": demand_bcf(daily_case), "monthly_demand_bcf": demand_bcf(monthly_case),
    }


TIMING = (("years", "years"), ("periods", "periods"), ("variables", "columns"),
          ("constraints", "rows"), ("gasmix_seconds", "gasmix s"), ("highs_seconds", "HiGHS s"),
          ("ratio", "ratio"), ("peak_rss_mb", "peak MB"), ("highs_peak_rss_mb", "HiGHS MB"))
CONSISTENCY = (("years", "years"), ("daily_demand_bcf", "demand Bcf, daily"),
               ("monthly_demand_bcf", "monthly"), ("daily_cash_cost_musd", "cash MUSD, daily"),
               ("monthly_cash_cost_musd", "monthly"), ("daily_unserved_bcf", "unserved Bcf, daily"),
               ("monthly_unserved_bcf", "monthly"))


def print_table(rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for title, columns in (("gasmix: the Mexico case by day, against HiGHS alone", TIMING),
                           ("the daily plan against the monthly plan of the same horizon", CONSISTENCY)):
        table = Table(title=title)
        for _, name in columns:
            table.add_column(name, justify="right")
        for row in rows:
            table.add_row(*(_fmt(row[key]) for key, _ in columns))
        console.print(table)
    for row in rows:
        console.print(f"{row['years']} y: daily cash cost {row['daily_cash_cost_musd']:,.2f} against "
                      f"monthly {row['monthly_cash_cost_musd']:,.2f} MUSD "
                      f"({row['daily_cash_cost_musd'] - row['monthly_cash_cost_musd']:+,.2f}); "
                      f"objective gap gasmix vs HiGHS {row['objective_gap_musd']:.3g} MUSD")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The Mexico case by day, timed against HiGHS alone "
                                                 "(figures are reported, not asserted).")
    parser.add_argument("--years", type=int, nargs="+", default=[1], choices=(1, 2, 3),
                        help="horizon in years from January 2026, one or more of 1 2 3 (default 1)")
    parser.add_argument("--weekend", type=float, default=0.07,
                        help="weekend demand below weekdays, as a share (default 0.07)")
    parser.add_argument("--seasonal", type=float, default=0.10,
                        help="amplitude of the winter/summer tilt within months (default 0.10; 0: none)")
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs of each timing (default 1)")
    parser.add_argument("-o", "--output", default=None,
                        help="keep the daily case folders here (daily-<years>y); default: a temporary folder")
    parser.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    rows = []
    with stdout_to_stderr():
        with contextlib.redirect_stdout(sys.stderr):
            warm_up()
        with tempfile.TemporaryDirectory(prefix="gasmix-daily-") as tmp:
            for years in args.years:
                rows.append(bench_years(years, args, Path(tmp)))
    figures = {"case": "Mexico by day (benchmarks/daily.py)", "policy": "the case's (least cost, no caps)",
               "weekend": args.weekend, "seasonal": args.seasonal, "repeat": args.repeat,
               "runs": rows, "bench_process_peak_rss_mb": peak_rss_mb()}
    if args.json:
        print(json.dumps(_clean(figures), indent=1))
    else:
        print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
