"""The gasmix command line: parse, call the library, print, exit.

Exit codes: 0 a plan was written; 2 bad input or usage; 3 the policy is infeasible
(diagnosis printed); 4 the solver failed or stopped without a plan.
"""

from __future__ import annotations

import json
import math
import shutil
import sys
from pathlib import Path

from contextlib import contextmanager

import click
import numpy as np
import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)
from rich.table import Table

from .models import SCALAR_SETTINGS, CaseError, check_setting, default_case_path, load_case
from .models.extras import MissingExtra, require
from .models.schema import SHARE_BASES, SHARE_OF
from .optimizer import SOLVERS, InfeasiblePolicy, PlanWriteError, SolverFailure, solve
from .optimizer.output import report
from .optimizer.output.files import check_target, replace_folder, write_file
from .optimizer.frontier import DEFAULT_RISK_WEIGHTS, DEFAULT_SHARES, TRADE_OFFS, frontier
from .optimizer.output.plan_files import TABLE_NAMES
from .optimizer.executors import ScaleOutError, executor_for
from .optimizer.output.studies import write_frontier, write_sweep
from .optimizer.sweep import DEFAULT_CHUNK_SIZE, SweepError, make_grid, sweep
from .optimizer.stochastic import solve_stochastic, stress_test

# `--scenarios` with no FILE: the case's own disruptions.csv.
CASE_SCENARIOS = "<case>"

EXIT_INPUT, EXIT_INFEASIBLE, EXIT_SOLVER = 2, 3, 4

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)


@contextmanager
def _busy(quiet: bool, what: str):
    """A spinner on standard error while something slow runs (only on a terminal: rich
    draws nothing live when the output is a file or a pipe)."""
    if quiet or not err.is_terminal:
        yield
        return
    with err.status(what + " …"):
        yield


@contextmanager
def _steps(quiet: bool, what: str, total: int):
    """A progress bar on standard error for work in named steps; yields `step(name)`, to
    call as each step starts. Nothing is drawn unless standard error is a terminal."""
    if quiet or not err.is_terminal:
        yield lambda name: None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  MofNCompleteColumn(), console=err, transient=True) as bar:
        task = bar.add_task(what, total=total)
        started = []

        def step(name: str) -> None:
            if started:
                bar.advance(task)
            started.append(name)
            bar.update(task, description=f"{what}: {name}")
        yield step


def _fail(message: str, code: int) -> None:
    # Messages quote user input ("[settings]", cell values): never read them as markup.
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    sys.exit(code)


def _fail_solve(exc: Exception) -> None:
    """A solve that gave no plan, by its exit code: 2 bad input, 3 infeasible policy (with
    the diagnosis), 4 the solver."""
    if isinstance(exc, CaseError):
        _fail(exc.report(), EXIT_INPUT)
    if isinstance(exc, InfeasiblePolicy):
        _fail(str(exc), EXIT_INFEASIBLE)
    _fail(f"the solver gave no plan ({exc})", EXIT_SOLVER)


def _load(case_dir: str | None):
    try:
        return load_case(case_dir if case_dir else default_case_path())
    except CaseError as exc:
        _fail(exc.report(), EXIT_INPUT)
    except MissingExtra as exc:
        _fail(str(exc), EXIT_INPUT)


def _pairs(values: tuple[str, ...], option: str) -> list[tuple[str, str]]:
    out = []
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise click.BadParameter(f"{item!r}: expected KEY=VALUE", param_hint=option)
        out.append((key.strip(), value.strip()))
    return out


def _share(text: str, option: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a number", param_hint=option) from None
    if not 0.0 <= value <= 1.0:
        raise click.BadParameter(f"{text} is not a share between 0 and 1", param_hint=option)
    return value


def _apply_settings(case, sets: tuple[str, ...]):
    """`--set KEY=VALUE`: case settings go into the case, policy settings into the solve's
    choices; each value is checked as case.toml's would be."""
    settings, choices = {}, {}
    for key, value in _pairs(sets, "--set"):
        setting = SCALAR_SETTINGS.get(key)
        if setting is None:
            raise click.BadParameter(f"unknown setting {key!r} (known: {', '.join(SCALAR_SETTINGS)})",
                                     param_hint="--set")
        checked = check_setting(key, value)
        if isinstance(checked, str):
            raise click.BadParameter(f"{key}={value}: {checked}", param_hint="--set")
        if setting.section == "settings":
            settings[key] = checked[0]
        else:
            choices[{"risk_weight_usd_mmbtu": "risk_weight"}.get(key, key)] = checked[0]
    return (case.with_settings(**settings) if settings else case), choices


def policy_options(command):
    """The policy options shared by stress, sweep and frontier (the same as solve's)."""
    options = [
        click.option("--cap", "caps", multiple=True, metavar="SUPPLIER=SHARE",
                     help="Base policy: cap one supplier's share, e.g. --cap US=0.6. Repeatable."),
        click.option("--max-share", type=float, default=None, metavar="SHARE",
                     help="Base policy: cap every supplier's share."),
        click.option("--risk-weight", type=float, default=None, metavar="USD",
                     help="Base policy: λ in USD/MMBtu per unit of risk score."),
        click.option("--exclude", multiple=True, metavar="SUPPLIER",
                     help="Base policy: exclude a supplier. Repeatable."),
        click.option("--share-basis", type=click.Choice(SHARE_BASES), default=None,
                     help="Caps hold in every period, or volume-weighted over the horizon."),
        click.option("--share-of", type=click.Choice(SHARE_OF), default=None,
                     help="Shares of all supply, or of imports only."),
        click.option("--storage-days", type=float, default=None, metavar="DAYS",
                     help="Strategic floor: total stock ≥ DAYS of average demand in every period."),
        click.option("--cover-days", type=float, default=None, metavar="DAYS",
                     help="Supply-loss cover: total stock ≥ DAYS of each import supplier's flow."),
        click.option("--min-n1", type=float, default=None, metavar="PCT",
                     help="Require the N−1 standard (%) in every period."),
        click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
                     help="Override a scalar case setting, e.g. --set voll_usd_mmbtu=200."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _base(case_dir, caps, max_share, risk_weight, exclude, share_basis, share_of, storage_days,
          cover_days, min_n1, sets):
    """The case and the policy choices from the shared options."""
    cap_values = {k: _share(v, "--cap") for k, v in _pairs(caps, "--cap")}
    case, choices = _apply_settings(_load(case_dir), sets)
    # Ranges and finiteness are checked with the policy (one place for the CLI, case.toml
    # and the library); a bad value exits 2 from there.
    choices.update({k: v for k, v in dict(caps=cap_values, max_share=max_share, risk_weight=risk_weight,
                                          exclude=list(exclude), share_basis=share_basis,
                                          share_of=share_of, storage_days=storage_days,
                                          cover_days=cover_days, min_n1=min_n1).items()
                    if v not in (None, {}, [])})
    return case, choices


EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells expect


class _Commands(click.Group):
    """The gasmix group: Ctrl-C exits 130 with one line (click's "Aborted!" exits 1).
    Outputs are written aside and swapped in, so an interrupt leaves the old ones whole."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            err.print("interrupted: nothing was written")
            sys.exit(EXIT_INTERRUPTED)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gasmix")
def main():
    """gasmix: the least-cost, diversified natural-gas supply plan for an importing country.

    \b
    Example:
      gasmix solve --cap US=0.6 -o plan-us60
    """


@main.command("solve")
@click.argument("case_dir", metavar="[CASE]", required=False, type=click.Path())
@click.option("-o", "--output", default=None,
              help="Plan folder (csv) or file (json, '-' for standard output; xlsx). "
                   "Default: plan/, plan.json or plan.xlsx.")
@click.option("--cap", "caps", multiple=True, metavar="SUPPLIER=SHARE",
              help="Cap one supplier's share of supply, e.g. --cap US=0.6. Repeatable.")
@click.option("--max-share", type=float, default=None, metavar="SHARE",
              help="Cap every supplier's share (a --cap for a supplier overrides it).")
@click.option("--risk-weight", type=float, default=None, metavar="USD",
              help="λ in USD/MMBtu per unit of supplier risk score (penalty, not cash).")
@click.option("--exclude", multiple=True, metavar="SUPPLIER",
              help="Exclude a supplier outright (e.g. sanctions). Repeatable.")
@click.option("--share-basis", type=click.Choice(SHARE_BASES), default=None,
              help="Caps hold in every period, or volume-weighted over the horizon.")
@click.option("--share-of", type=click.Choice(SHARE_OF), default=None,
              help="Shares of all supply, or of imports only.")
@click.option("--solver", type=click.Choice(SOLVERS), default="highs", show_default=True)
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              metavar="SECONDS", help="Stop the solver after this many seconds.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "xlsx"]), default="csv",
              show_default=True,
              help="csv: a folder of tables + summary.json; json: one JSON document; "
                   "xlsx: one Excel workbook (summary sheet + a sheet per table).")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
              help="Override a scalar case setting, e.g. --set voll_usd_mmbtu=200. Repeatable.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False), default=None, metavar="FILE.html",
              help="Also write an HTML report of the plan (charts; needs gasmix[charts]).")
@click.option("--storage-days", type=float, default=None, metavar="DAYS",
              help="Strategic floor: total stock ≥ DAYS of average demand in every period.")
@click.option("--cover-days", type=float, default=None, metavar="DAYS",
              help="Supply-loss cover: total stock ≥ DAYS of each import supplier's flow.")
@click.option("--min-n1", type=float, default=None, metavar="PCT",
              help="Require the N−1 standard (%) in every period (exit 3 if the "
                   "infrastructure cannot meet it).")
@click.option("--scenarios", "scenarios", is_flag=False, flag_value=CASE_SCENARIOS, default=None,
              metavar="[FILE]", help="Two-stage stochastic plan over the disruption scenarios "
              "(FILE, default the case's disruptions.csv).")
@click.option("--cvar-alpha", type=float, default=0.95, show_default=True, metavar="ALPHA",
              help="CVaR level α of the stochastic plan.")
@click.option("--cvar-weight", type=float, default=0.0, show_default=True, metavar="W",
              help="Weight W of CVaR against expected cost (0: risk-neutral, 1: CVaR only).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def solve_command(case_dir, output, caps, max_share, risk_weight, exclude, share_basis, share_of,
                  solver, time_limit, fmt, sets, report_file, storage_days, cover_days, min_n1,
                  scenarios, cvar_alpha, cvar_weight, quiet):
    """Solve CASE for the cheapest supply mix under the policy and write the plan.

    \b
    Examples:
      gasmix solve                              # embedded Mexico case → plan/
      gasmix solve --cap US=0.6 -o plan-us60    # no more than 60% from the US, every month
      gasmix solve --max-share 0.5 --risk-weight 2 --exclude RU --format json -o plan.json
      gasmix solve my-case/ --set voll_usd_mmbtu=250 --solver cbc
      gasmix solve --cap US=0.5 --format json -o - | jq .summary.cash_cost_musd
      gasmix solve --cap US=0.6 --format xlsx -o us60.xlsx --report us60.html
      gasmix solve --cover-days 1 --storage-days 1 -o plan-cover
      gasmix solve --scenarios --cvar-weight 0.5 -o plan-risk   # risk-averse two-stage plan
    """
    if output == "-" and fmt != "json":
        raise click.BadParameter("'-' (standard output) needs --format json", param_hint="-o")
    if scenarios is None:
        ctx = click.get_current_context()
        given = [f"--{name.replace('_', '-')}" for name in ("cvar_weight", "cvar_alpha")
                 if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT]
        if given:
            raise click.UsageError(f"{' and '.join(given)} {'shapes' if len(given) == 1 else 'shape'} the stochastic plan: add "
                                   "--scenarios [FILE] (without it the plan is deterministic)")
    if fmt == "xlsx" and output and Path(output).suffix.lower() != ".xlsx":
        raise click.BadParameter(f"{output!r}: a workbook's name must end in .xlsx", param_hint="-o")
    if fmt == "json" and output not in (None, "-") and Path(output).suffix.lower() != ".json":
        raise click.BadParameter(f"{output!r}: a JSON plan's name must end in .json", param_hint="-o")
    if fmt == "csv" and output and Path(output).suffix.lower() in (".xlsx", ".json", ".csv"):
        raise click.BadParameter(f"{output!r} is a folder name for --format csv; for a file give "
                                 "--format json or xlsx", param_hint="-o")
    if report_file:  # a report that cannot be written is found before the solve, not after
        _check_report_target(report_file)
    # Missing extras are found before the solve, not after minutes of it.
    try:
        if fmt == "xlsx":
            require("openpyxl", "excel", "--format xlsx")
        if report_file:
            require("matplotlib", "charts", "--report")
    except MissingExtra as exc:
        _fail(str(exc), EXIT_INPUT)
    if time_limit is not None and not math.isfinite(time_limit):
        raise click.BadParameter("must be a finite number of seconds", param_hint="--time-limit")
    case, choices = _base(case_dir, caps, max_share, risk_weight, exclude, share_basis, share_of,
                          storage_days, cover_days, min_n1, sets)
    if fmt == "csv" and output != "-":
        _check_output(output or "plan", "plan")
    try:
        with _busy(quiet or output == "-", "solving"):
            if scenarios is None:
                plan = solve(case, solver=solver, time_limit=time_limit, **choices)
            else:
                plan = solve_stochastic(case, scenarios=None if scenarios == CASE_SCENARIOS else scenarios,
                                        cvar_alpha=cvar_alpha, cvar_weight=cvar_weight, solver=solver,
                                        time_limit=time_limit, **choices)
    except (CaseError, InfeasiblePolicy, SolverFailure) as exc:
        _fail_solve(exc)
    if output == "-":
        click.echo(json.dumps(plan.to_dict(), allow_nan=False))
        if report_file:
            _write_report(lambda step: report.plan_report(plan.summary, plan.tables(), step),
                          report_file, "plan", True)
        return
    target = Path(output) if output else Path({"json": "plan.json", "xlsx": "plan.xlsx"}.get(fmt, "plan"))
    try:
        with _steps(quiet, "writing the plan", len(TABLE_NAMES) + 1) as step:
            written = plan.write(target, format=fmt, progress=step)
    except (PlanWriteError, OSError) as exc:
        _fail(f"cannot write the plan: {exc}", EXIT_INPUT)
    if report_file:
        _write_report(lambda step: report.plan_report(plan.summary, plan.tables(), step),
                      report_file, "plan", quiet)
    if not quiet:
        print_summary(out, plan, written)
        if "stochastic" in plan.summary:
            print_stochastic(out, plan)
        if report_file:
            out.print(f"report written to {escape(report_file)}")


def _check_output(path, kind: str) -> None:
    """An output folder that cannot be written is found before solving, not after."""
    try:
        check_target(Path(path), kind)
    except PlanWriteError as exc:
        _fail(f"cannot write the {kind}: {exc}", EXIT_INPUT)


def _check_report_target(target: str) -> None:
    path = Path(target)
    if path.suffix.lower() not in (".html", ".htm"):
        raise click.BadParameter(f"{target!r}: a report's name must end in .html", param_hint="--report")
    if path.exists() and (path.is_dir() or not report.is_report(path)):
        _fail(f"cannot write the report: {target} exists and is not a gasmix report; choose a new "
              "file name", EXIT_INPUT)


def _write_report(make, target: str, kind: str, quiet: bool) -> None:
    """Render a report (`make(step)` → HTML) with a progress bar, and write it."""
    try:
        with _steps(quiet, "drawing the report", report.chart_count(kind)) as step:
            html = make(step)
        report.write_report(html, target)
    except MissingExtra as exc:
        _fail(str(exc), EXIT_INPUT)
    except report.ReportError as exc:
        _fail(str(exc), EXIT_INPUT)
    except OSError as exc:
        _fail(f"cannot write the report: {exc}", EXIT_INPUT)


@main.command("report")
@click.argument("source", metavar="PLAN_DIR", type=click.Path())
@click.option("-o", "--output", default="report.html", show_default=True, metavar="FILE.html",
              help="The HTML file to write (replaces only a previous gasmix report).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def report_command(source, output, quiet):
    """Write one self-contained HTML report (inline charts, no network) of a plan folder,
    a JSON plan, a sweep folder or a frontier folder.

    \b
    Examples:
      gasmix solve --cap US=0.6 -o us60 && gasmix report us60 -o us60.html
      gasmix report sweep-us-cap/ -o sweep.html
    """
    _check_report_target(output)
    try:
        kind = report.report_kind(Path(source))
    except report.ReportError as exc:
        _fail(str(exc), EXIT_INPUT)
    _write_report(lambda step: report.render(source, step), output, kind, quiet)
    if not quiet:
        out.print(f"{kind} report written to {escape(output)}")


@main.command("stress")
@click.argument("case_dir", metavar="[CASE]", required=False, type=click.Path())
@click.option("-o", "--output", default="stress", show_default=True,
              help="Folder for stress.csv and summary.json.")
@click.option("--scenarios", "scenarios", default=None, metavar="FILE",
              help="Disruptions file (default: the case's disruptions.csv).")
@click.option("--solver", type=click.Choice(SOLVERS), default="highs", show_default=True)
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              metavar="SECONDS")
@policy_options
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def stress_command(case_dir, output, scenarios, solver, time_limit, caps, max_share, risk_weight,
                   exclude, share_basis, share_of, storage_days, cover_days, min_n1, sets, quiet):
    """The deterministic plan's commitments under each disruption scenario.

    Contracted volumes and storage injections are fixed as the deterministic plan chose
    them; each scenario's operations are re-solved. Writes stress.csv (cost, change from
    base, unserved gas, average and peak marginal cost per scenario).

    \b
    Examples:
      gasmix stress -o stress
      gasmix stress --cover-days 1 --scenarios my-disruptions.csv
    """
    if time_limit is not None and not math.isfinite(time_limit):
        raise click.BadParameter("must be a finite number of seconds", param_hint="--time-limit")
    case, choices = _base(case_dir, caps, max_share, risk_weight, exclude, share_basis, share_of,
                          storage_days, cover_days, min_n1, sets)
    _check_output(output, "stress")
    try:
        table, plan = stress_test(case, scenarios=scenarios, solver=solver, time_limit=time_limit,
                                  **choices)
    except (CaseError, InfeasiblePolicy, SolverFailure) as exc:
        _fail_solve(exc)

    def fill(folder: Path) -> None:
        table.to_csv(folder / "stress.csv", index=False, float_format="%.6f")
        summary = {"deterministic_plan": plan.summary,
                   "scenarios": json.loads(table.to_json(orient="records", double_precision=10))}
        (folder / "summary.json").write_text(json.dumps(summary, indent=1, allow_nan=False) + "\n")

    try:
        written = replace_folder(Path(output), fill, kind="stress")
    except (PlanWriteError, OSError) as exc:
        _fail(f"cannot write the stress test: {exc}", EXIT_INPUT)
    if not quiet:
        console = Console(highlight=False)
        console.print(f"deterministic plan: {plan.summary['objective_musd']:,.1f} MUSD; its "
                      "commitments under each scenario:")
        console.print(_scenario_rich_table(table, "stress test", change=True))
        console.print(f"written to {escape(str(written))}")


def _scenario_rich_table(table, title: str, change: bool = False) -> Table:
    out = Table(title=title, title_justify="left")
    columns = ["scenario", "p", "cost MUSD"] + (["vs base"] if change else []) + \
        ["unserved Bcf", "avg MC", "peak MC (where)"]
    for col in columns:
        out.add_column(col, justify="left" if col == "scenario" else "right")
    for row in table.itertuples():
        cells = [escape(row.scenario), f"{row.probability:.2f}", f"{row.cost_musd:,.1f}"]
        if change:
            cells.append(f"{row.change_from_base_musd:+,.1f}")
        peak = "–" if row.peak_marginal_usd_mmbtu != row.peak_marginal_usd_mmbtu else \
            f"{row.peak_marginal_usd_mmbtu:.2f} ({row.peak_at})"
        average = "–" if row.avg_marginal_usd_mmbtu != row.avg_marginal_usd_mmbtu else \
            f"{row.avg_marginal_usd_mmbtu:.2f}"
        cells += [f"{row.unserved_bcf:,.1f}", average, peak]
        out.add_row(*cells)
    return out


def print_stochastic(console: Console, plan) -> None:
    """The stochastic plan's four figures and its scenarios."""
    s = plan.summary
    st = s["stochastic"]
    console.print(f"stochastic plan (α {st['cvar_alpha']:g}, W {st['cvar_weight']:g}): mean-risk "
                  f"objective [bold]{s['mean_risk_objective_musd']:,.1f} MUSD[/] · E[cost] "
                  f"{s['expected_cost_musd']:,.1f} · CVaR {s['cvar_musd']:,.1f} · VSS "
                  f"{s['vss_musd']:,.1f} (on E[cost] alone {s['vss_expected_cost_musd']:,.1f}) · "
                  f"EVPI {s['evpi_musd']:,.1f}")
    console.print(_scenario_rich_table(plan.extra["scenarios"], "scenarios (stochastic plan)"))


@main.command("validate")
@click.argument("case_dir", metavar="[CASE]", required=False, type=click.Path())
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def validate_command(case_dir, quiet):
    """Check CASE and report every problem at once (exit 2 if there is any).

    \b
    Example:
      gasmix validate my-case/
    """
    case = _load(case_dir)
    if not quiet:
        out.print(
            f"[green]ok[/]: case {case.name} — {len(case.periods)} periods, {len(case.nodes)} nodes, "
            f"{len(case.sources)} sources from {len(case.suppliers)} suppliers, "
            f"{len(case.entries)} entries, {len(case.arcs)} arcs, {len(case.storage)} storage sites")


@main.command("init")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--xlsx", "workbook", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Write the case as one Excel workbook FILE (a sheet per table + a case sheet) "
                   "instead of a folder.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def init_command(directory, workbook, quiet):
    """Write the embedded Mexico case to DIRECTORY (or to a workbook), to edit and solve.

    \b
    Examples:
      gasmix init my-case && gasmix solve my-case --cap US=0.6
      gasmix init --xlsx mexico.xlsx && gasmix solve mexico.xlsx
    """
    if (directory is None) == (workbook is None):
        raise click.UsageError("give a DIRECTORY or --xlsx FILE (one of them)")
    source = default_case_path()
    if workbook is not None:
        target = Path(workbook)
        if target.suffix.lower() != ".xlsx":
            raise click.BadParameter(f"{workbook!r}: the workbook's name must end in .xlsx",
                                     param_hint="--xlsx")
        try:
            from .models.workbook import write_case_workbook
            with _busy(quiet, "writing the workbook"):
                write_file(target, lambda tmp: write_case_workbook(source, tmp),
                           what="a file gasmix may replace")
        except MissingExtra as exc:
            _fail(str(exc), EXIT_INPUT)
        except OSError as exc:
            _fail(f"cannot write the case: {exc}", EXIT_INPUT)
        if not quiet:
            out.print(f"wrote the Mexico case to {escape(str(target))} — edit the sheets, then "
                      f"`gasmix validate {escape(str(target))}`")
        return
    target = Path(directory)

    def fill(folder: Path) -> None:
        for item in sorted(source.iterdir()):
            if item.suffix in (".csv", ".toml", ".md"):
                shutil.copy2(item, folder / item.name)

    try:
        replace_folder(target, fill, kind=None)  # only into a new or empty folder
    except OSError as exc:
        _fail(f"cannot write the case: {exc}", EXIT_INPUT)
    if not quiet:
        out.print(f"wrote the Mexico case to {escape(str(target))}/ — edit the "
                  f"tables, then `gasmix validate {escape(str(target))}`")


# --- sweeps and frontiers --------------------------------------------------------------

def scale_options(command):
    for option in reversed([
        click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Local worker processes."),
        click.option("--scheduler", default=None, metavar="ADDRESS",
                     help="A running Dask scheduler, e.g. tcp://10.0.0.5:8786 (needs gasmix[dask])."),
        click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
                     metavar="SECONDS", help="Per point: stop the solver after this many seconds."),
    ]):
        command = option(command)
    return command


def _run_study(run, total: int, label: str, workers: int, scheduler: str | None, quiet: bool):
    """Run `run(executor, progress)` with a progress bar on a terminal; map failures to
    exit codes."""
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), TimeRemainingColumn(), console=err, transient=True,
                        disable=quiet)
    try:
        with executor_for(workers, scheduler) as executor, progress:
            task = progress.add_task(label, total=total)
            return run(executor, lambda done: progress.update(task, completed=done))
    except CaseError as exc:
        _fail(exc.report(), EXIT_INPUT)
    except (SweepError, ScaleOutError) as exc:
        _fail(str(exc), EXIT_INPUT)


@main.command("sweep")
@click.argument("case_dir", metavar="[CASE]", required=False, type=click.Path())
@click.option("--param", "params", multiple=True, required=True, metavar="KEY=SPEC",
              help="A parameter and its values: start:stop:step or a comma list. Keys: cap.<SUPPLIER>, "
                   "max_share, risk_weight, voll, price.<HUB>, demand, capacity.<ENTRY> "
                   "(multipliers for price, demand, capacity), exclude (e.g. none,RU,RU+QA). "
                   "Several --param: every combination.")
@click.option("-o", "--output", default="sweep", show_default=True, help="Output folder.")
@scale_options
@click.option("--chunk-size", type=click.IntRange(min=1), default=DEFAULT_CHUNK_SIZE, show_default=True,
              help="Points per task: each starts from the same reference basis, so the table does not "
                   "depend on where chunks ran.")
@policy_options
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def sweep_command(case_dir, params, output, workers, scheduler, time_limit, chunk_size, caps,
                  max_share, risk_weight, exclude, share_basis, share_of, storage_days, cover_days,
                  min_n1, sets, quiet):
    """Solve CASE over a grid of parameters; write sweep.csv and sweep.png.

    \b
    Examples:
      gasmix sweep --param cap.US=0.4:1.0:0.05 -o sweep-us-cap
      gasmix sweep --param risk_weight=0:5:0.25 --param price.HH=1,1.5,2 -o sweep-risk
      gasmix sweep --param demand=0.9:1.2:0.05 --workers 2 -o sweep-demand
      gasmix sweep --param exclude=none,RU,RU+QA --scheduler tcp://127.0.0.1:8786 -o sweep-exclude
    """
    case, choices = _base(case_dir, caps, max_share, risk_weight, exclude, share_basis, share_of,
                          storage_days, cover_days, min_n1, sets)
    _check_output(output, "sweep")
    spec = dict(_pairs(params, "--param"))
    if len(spec) != len(params):
        raise click.BadParameter("a parameter is given twice", param_hint="--param")
    try:
        grid = make_grid(case, spec)
    except SweepError as exc:
        _fail(f"--param: {exc}", EXIT_INPUT)
    table = _run_study(lambda executor, progress: sweep(case, grid, executor, time_limit=time_limit,
                                                        chunk_size=chunk_size, progress=progress,
                                                        **choices),
                       len(grid), "sweep", workers, scheduler, quiet)
    about = {"case": case.name, "title": f"{case.title or case.name}: sweep over {', '.join(grid.keys)}",
             "base_policy": _jsonable(choices), "seconds": table.attrs.get("seconds")}
    try:
        notes = write_sweep(table, Path(output), grid.keys, about)
    except OSError as exc:
        _fail(f"cannot write the sweep: {exc}", EXIT_INPUT)
    if not quiet:
        print_sweep(Console(highlight=False), table, grid.keys, Path(output), notes)
    _no_plan_at_all(table, output)


@main.command("frontier")
@click.argument("case_dir", metavar="[CASE]", required=False, type=click.Path())
@click.option("--trade-off", "trade_offs", type=click.Choice(["both", *TRADE_OFFS]), default="both",
              show_default=True, help="Which trade-off to trace.")
@click.option("--shares", default=DEFAULT_SHARES, show_default=True, metavar="SPEC",
              help="Caps to try (start:stop:step or a list), on every supplier or on --supplier.")
@click.option("--supplier", default=None, metavar="SUPPLIER",
              help="Cap this supplier alone (default: every supplier, max_share).")
@click.option("--risk-weights", default=DEFAULT_RISK_WEIGHTS, show_default=True, metavar="SPEC",
              help="λ values to try, USD/MMBtu per unit of risk score.")
@click.option("-o", "--output", default="frontier", show_default=True, help="Output folder.")
@scale_options
@policy_options
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def frontier_command(case_dir, trade_offs, shares, supplier, risk_weights, output, workers, scheduler,
                     time_limit, caps, max_share, risk_weight, exclude, share_basis, share_of,
                     storage_days, cover_days, min_n1, sets, quiet):
    """Trace what diversification and lower risk cost; mark the Pareto-efficient plans.

    \b
    Examples:
      gasmix frontier                                  # both trade-offs, embedded case
      gasmix frontier --supplier US --shares 0.5:1:0.02 --trade-off diversification
      gasmix frontier --trade-off risk --risk-weights 0:10:0.5 -o frontier-risk
    """
    case, choices = _base(case_dir, caps, max_share, risk_weight, exclude, share_basis, share_of,
                          storage_days, cover_days, min_n1, sets)
    chosen = TRADE_OFFS if trade_offs == "both" else (trade_offs,)
    _check_output(output, "frontier")
    if supplier and "diversification" not in chosen:
        raise click.BadParameter("applies to the diversification trade-off only", param_hint="--supplier")
    if supplier and supplier not in {s.id for s in case.suppliers}:
        raise click.BadParameter(f"unknown supplier {supplier!r} (known: "
                                 f"{', '.join(s.id for s in case.suppliers)})", param_hint="--supplier")
    grids = {}
    # Parse early: a bad spec is a usage error before any solving, named by its option.
    for trade_off, option, key, spec in (("diversification", "--shares", f"cap.{supplier}" if supplier
                                          else "max_share", shares),
                                         ("risk", "--risk-weights", "risk_weight", risk_weights)):
        try:
            grids[trade_off] = make_grid(case, {key: spec})
        except SweepError as exc:
            _fail(f"{option} {spec}: {exc}", EXIT_INPUT)
    total = sum(len(grids[t]) for t in chosen)
    done_before = {"diversification": 0, "risk": len(grids["diversification"]) if "diversification" in chosen else 0}

    def run(executor, progress):
        state = {"offset": 0}

        def step(done):
            progress(state["offset"] + done)
        parts = []
        for trade_off in chosen:
            state["offset"] = done_before[trade_off]
            parts.append(frontier(case, trade_offs=(trade_off,), shares=shares, supplier=supplier,
                                  risk_weights=risk_weights, executor=executor, time_limit=time_limit,
                                  progress=step, **choices))
        return pd.concat(parts, ignore_index=True)

    table = _run_study(run, total, "frontier", workers, scheduler, quiet)
    about = {"case": case.name, "title": f"{case.title or case.name}: cost of diversification and risk",
             "base_policy": _jsonable(choices), "supplier": supplier}
    try:
        notes = write_frontier(table, Path(output), about)
    except OSError as exc:
        _fail(f"cannot write the frontier: {exc}", EXIT_INPUT)
    if not quiet:
        print_frontier(Console(highlight=False), table, Path(output), notes)
    _no_plan_at_all(table, output)


def _no_plan_at_all(table, output: str) -> None:
    """A study whose every point failed is written (the statuses say why) but exits with
    the code `solve` would give, so a script does not take an empty table for an answer:
    2 if every point's limits contradict each other, 3 if every point is infeasible (or
    either), else 4 (time limits, solver failures)."""
    statuses = set(table["status"])
    if "optimal" in statuses:
        return
    if statuses == {"invalid"}:
        code = EXIT_INPUT
    elif statuses <= {"invalid", "infeasible"}:
        code = EXIT_INFEASIBLE
    else:
        code = EXIT_SOLVER
    _fail(f"no point gave an optimal plan (statuses in {output}/); see the message column", code)


def _jsonable(choices: dict) -> dict:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in choices.items()}


def print_sweep(console: Console, table, keys: list[str], written: Path, notes: list[str]) -> None:
    ok = table["status"] == "optimal"
    statuses = ", ".join(f"{n} {s}" for s, n in table["status"].value_counts().items())
    console.print(f"[bold]sweep[/] of {_plural(len(table), 'point')} over {', '.join(keys)}: {statuses}")
    shown = table if len(table) <= 30 else table.iloc[np.linspace(0, len(table) - 1, 15).round().astype(int)]
    out = Table(box=None, header_style="bold")
    for key in keys:
        out.add_column(key, justify="right")
    for name in ("status", "cost MUSD", "unserved Bcf", "avg USD/MMBtu", "largest share"):
        out.add_column(name, justify="right" if name != "status" else "left")
    for _, row in shown.iterrows():
        good = row["status"] == "optimal"
        out.add_row(*[f"{row[k]:g}" if isinstance(row[k], float) else escape(str(row[k])) for k in keys],
                    row["status"] if good else f"[red]{row['status']}[/]",
                    _money(row["total_cost_musd"]) if good else "",
                    f"{row['unserved_bcf']:,.1f}" if good else "",
                    f"{row['avg_cost_usd_mmbtu']:.2f}" if good and pd.notna(row["avg_cost_usd_mmbtu"]) else "",
                    f"{row['largest_supplier']} {row['largest_share']:.1%}" if good else "")
    console.print(out)
    if len(shown) < len(table):
        console.print(f"({len(shown)} of {len(table)} rows shown; all are in sweep.csv)")
    if ok.any():
        best = table.loc[table.loc[ok, "total_cost_musd"].idxmin()]
        where = ", ".join(f"{k}={best[k]}" for k in keys)
        console.print(f"cheapest: {where} at {_money(best['total_cost_musd'])} MUSD (cash + unserved at VOLL)")
    for note in notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    console.print(f"wrote {escape(str(written))}/ (sweep.csv, sweep.json"
                  f"{', sweep.png' if not notes else ''})")


def print_frontier(console: Console, table, written: Path, notes: list[str]) -> None:
    for trade_off, part in table.groupby("trade_off", sort=False):
        efficient = part[part["pareto"]].sort_values(["x", "value"])
        distinct = efficient.drop_duplicates(["x", "cost_musd"])
        console.print(f"[bold]{trade_off}[/]: {_plural(len(part), 'point')}, {len(efficient)} "
                      f"Pareto-efficient, {_plural(len(distinct), 'distinct plan')} "
                      f"({part['x_label'].iloc[0]})")
        out = Table(box=None, header_style="bold")
        for name in ("parameter", "measure", "cost MUSD", "unserved Bcf"):
            out.add_column(name, justify="right")
        percent = trade_off == "diversification"
        for _, row in distinct.iterrows():
            out.add_row(f"{row['parameter']}={row['value']:g}",
                        f"{row['x']:.1%}" if percent else f"{row['x']:.3f}",
                        _money(row["cost_musd"]), f"{row['unserved_bcf']:,.1f}")
        console.print(out)
    for note in notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    console.print(f"wrote {escape(str(written))}/ (frontier.csv, frontier.json"
                  f"{', frontier.png' if not notes else ''})")


# --- the terminal summary ---------------------------------------------------------------

def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _span(periods: list[str]) -> str:
    return periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"


def _money(value: float) -> str:
    """Enough digits to tell small values from zero, thousands separators for large ones."""
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3g}"


def _limit_text(limits: list[dict]) -> str:
    """A supplier's share limits as a planner reads them: ≤60%, ≥10%, over the horizon."""
    per_period = [lim for lim in limits if lim["periods"]]
    if len(per_period) > 2:  # a glide path: its range, not every step
        bounds = [lim["share"] for lim in per_period]
        limits = [lim for lim in limits if not lim["periods"]]
        glide = f"{min(bounds):.0%}–{max(bounds):.0%} by period"
    else:
        glide = ""
    parts = []
    for lim in limits:
        text = ("≤" if lim["sense"] == "<=" else "≥") + f"{lim['share']:.0%}"
        if lim["basis"] == "horizon":
            text += " over horizon"
        elif lim["periods"]:
            text += f" in {_plural(len(lim['periods']), 'period')}"
        parts.append(text)
    return ", ".join(parts + ([glide] if glide else []))


def print_summary(console: Console, plan, written: Path) -> None:
    """A short account of the plan: cost, mix against caps, what binds, any shortfall."""
    s = plan.summary
    case = s["case"]
    costs = s["cost_breakdown_musd"]
    console.print(f"[bold]{escape(case['title'] or case['name'])}[/]")
    console.print(f"{_span(list(dict.fromkeys([case['first_period'], case['last_period']])))} "
                  f"({_plural(case['periods'], 'period')}) · {s['solver']} "
                  f"{s['solve_seconds']:.2f} s · [green]{s['status']}[/]")
    console.print(f"cost [bold]{s['objective_musd']:,.1f} MUSD[/] = cash {s['cash_cost_musd']:,.1f}"
                  f" + unserved at VOLL {costs['unserved_at_voll']:,.1f}"
                  f" + risk penalty {s['risk_penalty_musd']:,.1f}")
    average = s["avg_cost_usd_mmbtu"]
    console.print(f"average cost of gas served "
                  f"{'–' if average is None else f'{average:.2f} USD/MMBtu'} · "
                  f"HHI {s['hhi']:,.0f} · import dependence {s['import_dependence']:.1%}")
    if s.get("n1_min_pct") is not None:
        console.print(f"N−1 lowest {s['n1_min_pct']:.1f}% ({s['n1_min_period']}, without "
                      f"{escape(s['n1_largest_infrastructure'])}) · Shannon {s['shannon']:.3f}")
    by_period = plan.prices.groupby("period", sort=False)["unserved_mmcfd"].sum()
    short = by_period[by_period > 1e-6]
    if len(short):
        console.print(f"[bold red]unserved demand {s['unserved_bcf']:,.1f} Bcf[/] in "
                      f"{_plural(len(short), 'period')} ({_span(list(short.index))}), worst "
                      f"{short.idxmax()} at {short.max():,.0f} MMcf/d")
    for warning in s["warnings"]:
        console.print(f"[yellow]warning:[/] {escape(warning)}")

    limits: dict[str, list[dict]] = {}
    for lim in s["policy"]["share_limits"]:
        if lim["group_type"] == "supplier":
            limits.setdefault(lim["group"], []).append(lim)
    shares = Table(title=f"supplier shares of {s['share_of']}", title_justify="left")
    for col in ("supplier", "horizon", "largest month", "limit"):
        shares.add_column(col, justify="left" if col == "supplier" else "right")
    for code, share in sorted(s["base_shares"].items(), key=lambda kv: -(kv[1] or 0.0)):
        if share is None or (share < 5e-4 and code not in limits):
            continue
        shares.add_row(code, f"{share:.1%}", f"{s['max_period_shares'][code]:.1%}",
                       _limit_text(limits.get(code, [])))
    console.print(shares)

    binding = plan.constraints[plan.constraints["binding"]]
    if len(binding):
        # Shadow prices are ∂cost/∂limit; shown as what loosening the limit would save
        # (raising a cap or a capacity, lowering a minimum).
        grouped = binding.groupby(["family", "name", "unit"], sort=False).agg(
            periods=("period", "count"), total=("shadow_price", "sum"), mean=("shadow_price", "mean"),
            peak=("shadow_price", "min"))
        # Share limits first (by total), then capacities by their mean value: the two
        # are in different units, so they are not ranked against each other.
        is_share = grouped.index.get_level_values("unit") == "MUSD/pp"
        grouped["order"] = np.where(is_share, 1e12 + grouped["total"].abs(), grouped["mean"].abs())
        table = Table(title="binding constraints: what loosening each is worth", title_justify="left")
        for col in ("constraint", "binding periods", "saving"):
            table.add_column(col, justify="left" if col == "constraint" else "right")
        for (family, name, unit), row in grouped.sort_values("order", ascending=False).head(10).iterrows():
            # Caps and working gas: one unit more holds in every binding period, so the
            # saving is the sum; a rate capacity is worth its own amount in each period.
            if family == "share_min":
                saving = f"{_money(row['total'])} MUSD per −1 pp"
            elif unit == "MUSD/pp":
                saving = f"{_money(-row['total'])} MUSD per +1 pp"
            elif unit == "MUSD/Bcf":
                saving = f"{_money(-row['total'])} MUSD per extra Bcf"
            else:
                saving = (f"up to {_money(-row['peak'])} USD/MMBtu of extra capacity "
                          f"(mean {_money(-row['mean'])})")
            table.add_row(escape(f"{family.replace('_', ' ')}: {name}"), str(int(row["periods"])), saving)
        console.print(table)
    console.print(f"plan written to {escape(str(written))}")


if __name__ == "__main__":
    main()
