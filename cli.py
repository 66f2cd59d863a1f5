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

import click
import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from models import SCALAR_SETTINGS, CaseError, check_setting, default_case_path, load_case
from models.schema import SHARE_BASES, SHARE_OF
from optimizer import SOLVERS, InfeasiblePolicy, PlanWriteError, SolverFailure, solve
from optimizer.files import replace_folder
from optimizer.stochastic_api import solve_stochastic, stress_test

# `--scenarios` with no FILE: the case's own disruptions.csv.
CASE_SCENARIOS = "<case>"

EXIT_INPUT, EXIT_INFEASIBLE, EXIT_SOLVER = 2, 3, 4
CASE_HELP = "Case folder (case.toml + CSV tables); default: the embedded Mexico case."

err = Console(stderr=True, highlight=False)


def _fail(message: str, code: int) -> None:
    # Messages quote user input ("[settings]", cell values): never read them as markup.
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    sys.exit(code)


def _load(case_dir: str | None):
    try:
        return load_case(case_dir if case_dir else default_case_path())
    except CaseError as exc:
        _fail(exc.report(), EXIT_INPUT)


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gasmix")
def main():
    """gasmix: the least-cost, diversified natural-gas supply plan for an importing country.

    \b
    Example:
      gasmix solve --cap US=0.6 -o plan-us60
    """


@main.command("solve")
@click.argument("case_dir", metavar="[CASE]", required=False, type=click.Path(file_okay=False))
@click.option("-o", "--output", default=None,
              help="Plan folder (csv) or file (json; '-' for standard output). "
                   "Default: plan/ or plan.json.")
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
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True,
              help="csv: a folder of tables + summary.json; json: one JSON document.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
              help="Override a scalar case setting, e.g. --set voll_usd_mmbtu=200. Repeatable.")
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
                  solver, time_limit, fmt, sets, storage_days, cover_days, min_n1, scenarios,
                  cvar_alpha, cvar_weight, quiet):
    """Solve CASE for the cheapest supply mix under the policy and write the plan.

    \b
    Examples:
      gasmix solve                              # embedded Mexico case → plan/
      gasmix solve --cap US=0.6 -o plan-us60    # no more than 60% from the US, every month
      gasmix solve --max-share 0.5 --risk-weight 2 --exclude RU --format json -o plan.json
      gasmix solve my-case/ --set voll_usd_mmbtu=250 --solver cbc
      gasmix solve --cap US=0.5 --format json -o - | jq .summary.cash_cost_musd
      gasmix solve --cover-days 1 --storage-days 1 -o plan-cover
      gasmix solve --scenarios --cvar-weight 0.5 -o plan-risk   # risk-averse two-stage plan
    """
    if output == "-" and fmt != "json":
        raise click.BadParameter("'-' (standard output) needs --format json", param_hint="-o")
    if time_limit is not None and not math.isfinite(time_limit):
        raise click.BadParameter("must be a finite number of seconds", param_hint="--time-limit")
    cap_values = {k: _share(v, "--cap") for k, v in _pairs(caps, "--cap")}
    case, choices = _apply_settings(_load(case_dir), sets)
    # Ranges and finiteness of these are checked with the policy (one place for the CLI,
    # case.toml and the library); a bad value exits 2 from there.
    choices.update({k: v for k, v in dict(caps=cap_values, max_share=max_share, risk_weight=risk_weight,
                                          exclude=list(exclude), share_basis=share_basis,
                                          share_of=share_of, storage_days=storage_days,
                                          cover_days=cover_days, min_n1=min_n1).items()
                    if v not in (None, {}, [])})
    try:
        if scenarios is None:
            plan = solve(case, solver=solver, time_limit=time_limit, **choices)
        else:
            plan = solve_stochastic(case, scenarios=None if scenarios == CASE_SCENARIOS else scenarios,
                                    cvar_alpha=cvar_alpha, cvar_weight=cvar_weight, solver=solver,
                                    time_limit=time_limit, **choices)
    except CaseError as exc:
        _fail(exc.report(), EXIT_INPUT)
    except InfeasiblePolicy as exc:
        _fail(str(exc), EXIT_INFEASIBLE)
    except SolverFailure as exc:
        _fail(f"the solver gave no plan ({exc})", EXIT_SOLVER)
    if output == "-":
        click.echo(json.dumps(plan.to_dict(), allow_nan=False))
        return
    target = Path(output) if output else Path("plan.json" if fmt == "json" else "plan")
    try:
        written = plan.write(target, format=fmt)
    except (PlanWriteError, OSError) as exc:
        _fail(f"cannot write the plan: {exc}", EXIT_INPUT)
    if not quiet:
        console = Console(highlight=False)
        print_summary(console, plan, written)
        if "stochastic" in plan.summary:
            print_stochastic(console, plan)


@main.command("stress")
@click.argument("case_dir", metavar="[CASE]", required=False, type=click.Path(file_okay=False))
@click.option("-o", "--output", default="stress", show_default=True,
              help="Folder for stress.csv and summary.json.")
@click.option("--scenarios", "scenarios", default=None, metavar="FILE",
              help="Disruptions file (default: the case's disruptions.csv).")
@click.option("--cap", "caps", multiple=True, metavar="SUPPLIER=SHARE",
              help="Cap one supplier's share of supply. Repeatable.")
@click.option("--max-share", type=float, default=None, metavar="SHARE", help="Cap every supplier's share.")
@click.option("--risk-weight", type=float, default=None, metavar="USD", help="λ in USD/MMBtu.")
@click.option("--exclude", multiple=True, metavar="SUPPLIER", help="Exclude a supplier. Repeatable.")
@click.option("--share-basis", type=click.Choice(SHARE_BASES), default=None)
@click.option("--share-of", type=click.Choice(SHARE_OF), default=None)
@click.option("--storage-days", type=float, default=None, metavar="DAYS",
              help="Strategic floor in days of average demand.")
@click.option("--cover-days", type=float, default=None, metavar="DAYS",
              help="Supply-loss cover in days of each import supplier's flow.")
@click.option("--min-n1", type=float, default=None, metavar="PCT", help="Required N−1 (%).")
@click.option("--solver", type=click.Choice(SOLVERS), default="highs", show_default=True)
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              metavar="SECONDS")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Override a scalar case setting.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def stress_command(case_dir, output, scenarios, caps, max_share, risk_weight, exclude, share_basis,
                   share_of, storage_days, cover_days, min_n1, solver, time_limit, sets, quiet):
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
    cap_values = {k: _share(v, "--cap") for k, v in _pairs(caps, "--cap")}
    case, choices = _apply_settings(_load(case_dir), sets)
    choices.update({k: v for k, v in dict(caps=cap_values, max_share=max_share, risk_weight=risk_weight,
                                          exclude=list(exclude), share_basis=share_basis,
                                          share_of=share_of, storage_days=storage_days,
                                          cover_days=cover_days, min_n1=min_n1).items()
                    if v not in (None, {}, [])})
    try:
        table, plan = stress_test(case, scenarios=scenarios, solver=solver, time_limit=time_limit,
                                  **choices)
    except CaseError as exc:
        _fail(exc.report(), EXIT_INPUT)
    except InfeasiblePolicy as exc:
        _fail(str(exc), EXIT_INFEASIBLE)
    except SolverFailure as exc:
        _fail(f"the solver gave no plan ({exc})", EXIT_SOLVER)

    def fill(folder: Path) -> None:
        table.to_csv(folder / "stress.csv", index=False, float_format="%.6f")
        summary = {"deterministic_plan": plan.summary,
                   "scenarios": json.loads(table.to_json(orient="records", double_precision=10))}
        (folder / "summary.json").write_text(json.dumps(summary, indent=1, allow_nan=False) + "\n")

    try:
        written = replace_folder(Path(output), fill)
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
                  f"{s['vss_musd']:,.1f} · EVPI {s['evpi_musd']:,.1f}")
    console.print(_scenario_rich_table(plan.extra["scenarios"], "scenarios (stochastic plan)"))


@main.command("validate")
@click.argument("case_dir", metavar="[CASE]", required=False, type=click.Path(file_okay=False))
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def validate_command(case_dir, quiet):
    """Check CASE and report every problem at once (exit 2 if there is any).

    \b
    Example:
      gasmix validate my-case/
    """
    case = _load(case_dir)
    if not quiet:
        Console(highlight=False).print(
            f"[green]ok[/]: case {case.name} — {len(case.periods)} periods, {len(case.nodes)} nodes, "
            f"{len(case.sources)} sources from {len(case.suppliers)} suppliers, "
            f"{len(case.entries)} entries, {len(case.arcs)} arcs, {len(case.storage)} storage sites")


@main.command("init")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def init_command(directory, quiet):
    """Write the embedded Mexico case to DIRECTORY, to edit and solve.

    \b
    Example:
      gasmix init my-case && gasmix solve my-case --cap US=0.6
    """
    target = Path(directory)
    source = default_case_path()

    def fill(folder: Path) -> None:
        for item in sorted(source.iterdir()):
            if item.suffix in (".csv", ".toml", ".md"):
                shutil.copy2(item, folder / item.name)

    try:
        replace_folder(target, fill, marker=None)  # only into a new or empty folder
    except OSError as exc:
        _fail(f"cannot write the case: {exc}", EXIT_INPUT)
    if not quiet:
        Console(highlight=False).print(f"wrote the Mexico case to {escape(str(target))}/ — edit the "
                                       f"tables, then `gasmix validate {escape(str(target))}`")


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
