"""What gasmix shows in a terminal: plan summaries, study tables, progress and errors.

Everything the command line prints goes through here (rich markup, tables, spinners), so
`cli.py` only decides *what* to print. Results go to standard output; errors, spinners and
progress bars to standard error, drawn only when it is a terminal (rich draws nothing live
into a file or a pipe) and never with `quiet`.

Text that came from the user or a case file (ids, names, periods, paths, messages) goes
through `shown` wherever it is printed — in a line, a table cell or a title: its
non-printable characters are shown as escapes (safe_text.visible: an ESC in a title never
reaches the terminal) and rich's markup is escaped, and the consoles read no emoji codes, so
"[red]" and ":warning:" in an id print as typed.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)
from rich.table import Table

from ...models.safe_text import visible
from .labels import SAVING_STEPS, limit_label, param_value
from .study_reading import (SHED_BCF, cash_change, reference_value, shed, sweep_pivot,
                            tightest_served)

# highlight=False: rich would otherwise colour numbers and paths on its own guesses;
# emoji=False: ":warning:" in a user's id is text, not an emoji.
out = Console(highlight=False, emoji=False)
err = Console(stderr=True, highlight=False, emoji=False)


def shown(value) -> str:
    """A user's value (an id, a name, a period, a path, a message) as markup that prints
    it literally: non-printable characters as escapes, markup escaped."""
    return escape(visible(str(value)))


# --- messages ----------------------------------------------------------------------------

def print_error(message: str) -> None:
    # Messages quote user input ("[settings]", cell values): never read them as markup.
    err.print(f"[bold red]error:[/] {escape(visible(message, keep=chr(10)))}", soft_wrap=True)


def print_interrupted() -> None:
    err.print("interrupted: nothing was written")


def print_validated(console: Console, case) -> None:
    console.print(
        f"[green]ok[/]: case {shown(case.name)} — {len(case.periods)} periods, {len(case.nodes)} nodes, "
        f"{len(case.sources)} sources from {len(case.suppliers)} suppliers, "
        f"{len(case.entries)} entries, {len(case.arcs)} arcs, {len(case.storage)} storage sites")


def print_case_written(console: Console, target: Path, workbook: bool, name: str = "mexico") -> None:
    what = f"the {shown(name)} case"
    if workbook:
        console.print(f"wrote {what} to {shown(target)} — edit the sheets, then "
                      f"`gasmix validate {shown(target)}`")
    else:
        console.print(f"wrote {what} to {shown(target)}/ — edit the "
                      f"tables, then `gasmix validate {shown(target)}`")


def print_report_written(console: Console, target: str, kind: str = "", replaced: bool = False) -> None:
    """"report written to FILE", or "<kind> report written to FILE", saying when it
    replaced a previous report."""
    console.print(f"{kind + ' ' if kind else ''}report written to {shown(target)}"
                  + (" (it replaced the previous gasmix report there)" if replaced else ""))


# --- progress ----------------------------------------------------------------------------

@contextmanager
def busy(quiet: bool, what: str):
    """A spinner on standard error while something slow runs."""
    if quiet or not err.is_terminal:
        yield
        return
    with err.status(what + " …"):
        yield


@contextmanager
def steps(quiet: bool, what: str, total: int):
    """A progress bar on standard error for work in named steps; yields `step(name)`, to
    call as each step starts."""
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
            bar.update(task, description=shown(f"{what}: {name}"))
        yield step


@contextmanager
def study_progress(label: str, total: int, quiet: bool):
    """A progress bar with elapsed and remaining time for `total` points; yields
    `progress(done)`, to call with the number of points done so far."""
    bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TimeRemainingColumn(), console=err, transient=True,
                   disable=quiet)
    with bar:
        task = bar.add_task(shown(label), total=total)
        yield lambda done: bar.update(task, completed=done)


# --- small words -------------------------------------------------------------------------

def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _span(periods: list[str]) -> str:
    """The first and last period, as shown."""
    return shown(periods[0]) if len(periods) == 1 else f"{shown(periods[0])} to {shown(periods[-1])}"


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


# --- a plan ------------------------------------------------------------------------------

def adequacy_lines(adequacy: pd.DataFrame) -> list[str]:
    """The peak day with the plan's stock, and the flow-based N−1 (per area, lowest
    period) beside the Regulation's formula (results/adequacy.py)."""
    lines = []
    adequacy = adequacy.dropna(subset=["served_pct"])  # areas and days with no demand
    peak = adequacy[adequacy["check"] == "peak_day"]
    if len(peak):
        worst = peak.loc[peak["served_pct"].idxmin()]
        lines.append("peak day: all demand served in every period" if worst["served_pct"] >= 100 - 1e-6
                     else f"peak day: lowest {worst['served_pct']:.1f}% of demand served "
                          f"({shown(worst['period'])}), protected {worst['protected_served_pct']:.1f}%")
    n1 = adequacy[adequacy["check"] == "n1"]
    parts = []
    for area, rows in n1.groupby("area", sort=False):
        worst = rows.loc[rows["served_pct"].idxmin()]
        formula = "" if np.isnan(worst["n1_formula_pct"]) else f", formula {worst['n1_formula_pct']:.0f}%"
        parts.append(f"{shown(area)} {worst['served_pct']:.1f}% ({shown(worst['period'])}, without "
                     f"{shown(worst['without'])}{formula})")
    if parts:
        lines.append("flow-based N−1, lowest: " + "; ".join(parts))
    return lines


def print_summary(console: Console, plan, written: Path) -> None:
    """A short account of the plan: cost, mix against caps, what binds, any shortfall. A
    stochastic plan leads with its figures over the scenarios; the rest is then its
    undisturbed base scenario's."""
    s = plan.summary
    case = s["case"]
    costs = s["cost_breakdown_musd"]
    console.print(f"[bold]{shown(case['title'] or case['name'])}[/]")
    console.print(f"{_span(list(dict.fromkeys([case['first_period'], case['last_period']])))} "
                  f"({_plural(case['periods'], 'period')}) · {s['solver']} "
                  f"{s['solve_seconds']:.2f} s · [green]{shown(s['status'])}[/]")
    stochastic = "stochastic" in s
    if stochastic:
        _print_stochastic_headline(console, s)
    console.print(("base scenario (undisturbed): " if stochastic else "")
                  + f"cost [bold]{s['objective_musd']:,.1f} MUSD[/] = cash {s['cash_cost_musd']:,.1f}"
                  + (" + unserved at its tiers' values " if s.get("tiers_bcf") else " + unserved at VOLL ")
                  + f"{costs['unserved_at_voll']:,.1f}"
                  f" + risk penalty {s['risk_penalty_musd']:,.1f}")
    average = s["avg_cost_usd_mmbtu"]
    console.print(f"average cost of gas served "
                  f"{'–' if average is None else f'{average:.2f} USD/MMBtu'} · "
                  f"HHI {s['hhi']:,.0f} · import dependence {s['import_dependence']:.1%}")
    if s.get("n1_min_pct") is not None:
        console.print(f"N−1 lowest {s['n1_min_pct']:.1f}% ({shown(s['n1_min_period'])}, without "
                      f"{shown(s['n1_largest_infrastructure'])}) · Shannon {s['shannon']:.3f}")
    for line in adequacy_lines(plan.extra["adequacy"]):
        console.print(line)
    if s.get("tiers_bcf"):
        tiers = ", ".join(f"{shown(t)} {v:,.1f}" for t, v in s["tiers_bcf"].items() if v > 5e-4)
        console.print(f"unserved by demand tier (Bcf): {tiers or 'none'}")
    if s.get("fixed_capacity_musd"):
        console.print(f"firm capacity: reservation {s['fixed_capacity_musd']:,.1f} MUSD (in the "
                      f"cash cost, paid whatever flows), of it stranded (booked, unused) "
                      f"{s['stranded_capacity_musd']:,.1f}")
    if s.get("pass_through_bcf"):
        console.print(f"pass-through feed gas to LNG export plants {s['pass_through_bcf']:,.1f} "
                      "Bcf (the exporters' own: outside costs, shares and demand)")
    by_period = plan.prices.groupby("period", sort=False)["unserved_mmcfd"].sum()
    short = by_period[by_period > 1e-6]
    if len(short):
        console.print(f"[bold red]unserved demand {s['unserved_bcf']:,.1f} Bcf[/] in "
                      f"{_plural(len(short), 'period')} ({_span(list(short.index))}), worst "
                      f"{shown(short.idxmax())} at {short.max():,.0f} MMcf/d")
    for warning in s["warnings"]:
        console.print(f"[yellow]warning:[/] {shown(warning)}")

    limits: dict[str, list[dict]] = {}
    for lim in s["policy"]["share_limits"]:
        if lim["group_type"] == "supplier":
            limits.setdefault(lim["group"], []).append(lim)
    shares = Table(title=f"supplier shares of {shown(s['share_of'])}", title_justify="left")
    word = period_word(getattr(getattr(plan, "data", None), "days", None))
    for col in ("supplier", "horizon", f"largest {word}", "limit"):
        shares.add_column(col, justify="left" if col == "supplier" else "right")
    for code, share in sorted(s["base_shares"].items(), key=lambda kv: -(kv[1] or 0.0)):
        if share is None or (share < 5e-4 and code not in limits):
            continue
        shares.add_row(shown(code), f"{share:.1%}", f"{s['max_period_shares'][code]:.1%}",
                       _limit_text(limits.get(code, [])))
    console.print(shares)
    if "lng_prices" in plan.extra:
        console.print(_lng_price_table(plan.extra["lng_prices"]))
    for table in savings_tables(plan.savings, word):
        console.print(table)
    console.print(f"plan written to {shown(written)}")


# At most this many binding limits of one unit are listed (the rest are in savings.csv).
SAVINGS_SHOWN = 8


def period_word(days) -> str:
    """What a plan's periods are called in the terminal: day (all 1 day long), month (all
    28–31 days; also when the lengths are unknown) or period."""
    if days is None or not len(days):
        return "month"
    days = np.asarray(days)
    if (days == 1).all():
        return "day"
    return "month" if ((days >= 28) & (days <= 31)).all() else "period"


def savings_tables(savings: pd.DataFrame, word: str = "month") -> list[Table]:
    """The binding limits, one table per unit of saving (share limits per pp, capacities
    per 100 MMcf/d, storage per Bcf): the saving over the horizon and in the largest month
    (or day, or period: `word`), as results/savings.py computes them for every output.
    Narrow enough for 60 columns."""
    out = []
    for unit, group in savings.groupby("unit", sort=False):
        step = SAVING_STEPS.get(unit, unit)
        table = Table(title=f"binding: MUSD saved {step}", title_justify="left", box=None,
                      header_style="bold", pad_edge=False)
        table.add_column("limit", no_wrap=True, overflow="ellipsis", max_width=26)
        table.add_column(f"{word}s", justify="right", no_wrap=True)
        table.add_column("horizon", justify="right", no_wrap=True)
        table.add_column(f"largest {word}", justify="right", no_wrap=True)
        for row in group.head(SAVINGS_SHOWN).itertuples():
            table.add_row(shown(limit_label(row.family, row.name)), str(row.binding_periods),
                          _money(row.horizon_saving),
                          f"{_money(row.peak_saving)} ({shown(row.peak_period)})")
        if len(group) > SAVINGS_SHOWN:
            table.caption = f"{len(group) - SAVINGS_SHOWN} more in savings.csv"
            table.caption_justify = "left"
        out.append(table)
    return out


# --- disruption scenarios ----------------------------------------------------------------

def _scenario_table(table: pd.DataFrame, title: str, change: bool = False) -> Table:
    view = Table(title=title, title_justify="left")
    columns = ["scenario", "p", "cost MUSD"] + (["vs base"] if change else []) + \
        ["unserved Bcf", "avg MC", "peak MC (where)"]
    for col in columns:
        view.add_column(col, justify="left" if col == "scenario" else "right")
    for row in table.itertuples():
        cells = [shown(row.scenario), f"{row.probability:.2f}", f"{row.cost_musd:,.1f}"]
        if change:
            cells.append(f"{row.change_from_base_musd:+,.1f}")
        # x != x: NaN, a scenario with no marginal cost to show.
        peak = "–" if row.peak_marginal_usd_mmbtu != row.peak_marginal_usd_mmbtu else \
            f"{row.peak_marginal_usd_mmbtu:.2f} ({shown(row.peak_at)})"
        average = "–" if row.avg_marginal_usd_mmbtu != row.avg_marginal_usd_mmbtu else \
            f"{row.avg_marginal_usd_mmbtu:.2f}"
        cells += [f"{row.unserved_bcf:,.1f}", average, peak]
        view.add_row(*cells)
    return view


def _print_stochastic_headline(console: Console, s: dict) -> None:
    """The figures over the scenarios, before anything of the base scenario."""
    st = s["stochastic"]
    console.print(f"stochastic plan over {_plural(len(st.get('scenarios') or {}), 'scenario')} "
                  f"(CVaR α {st['cvar_alpha']:.0%}, weight W {st['cvar_weight']:g})")
    console.print(f"mean-risk objective [bold]{s['mean_risk_objective_musd']:,.1f} MUSD[/] · "
                  f"expected cost {s['expected_cost_musd']:,.1f} · CVaR {s['cvar_musd']:,.1f}")
    console.print(f"VSS {s['vss_musd']:,.1f} (on expected cost alone "
                  f"{s['vss_expected_cost_musd']:,.1f}) · EVPI {s['evpi_musd']:,.1f}")


def print_stochastic(console: Console, plan) -> None:
    """The stochastic plan's scenarios (its figures lead print_summary)."""
    console.print(_scenario_table(plan.extra["scenarios"], "scenarios (stochastic plan)"))


def print_stress(console: Console, table: pd.DataFrame, plan, written: Path) -> None:
    """The deterministic plan's cost, then each scenario's under its commitments."""
    console.print(f"deterministic plan: {plan.summary['objective_musd']:,.1f} MUSD; its "
                  "commitments under each scenario:")
    console.print(_scenario_table(table, "stress test", change=True))
    short = plan.extra.get("short_events")
    if short is not None and len(short):
        console.print(_short_events(short))
    console.print(f"written to {shown(written)}")


def _short_events(short: pd.DataFrame) -> Table:
    """The days of short events (day blocks of each scenario's re-solve): one row per
    window, the shares served and the gas each demand tier gave up over it (Bcf)."""
    view = Table(title="short events on their own days (each scenario's re-solve): demand "
                       "served, and Bcf unserved by tier", box=None, header_style="bold",
                 title_justify="left")
    tiers = list(dict.fromkeys(short["tier"]))
    for name in ("scenario", "days", "served", "protected", *tiers):
        view.add_column(shown(name), justify="left" if name in ("scenario", "days") else "right",
                        no_wrap=True)
    keys = ["scenario", "period", "first_day", "days"]
    for (scenario, period, first, days), rows in short.groupby(keys, sort=False):
        by_tier = rows.set_index("tier")["unserved_bcf"]
        view.add_row(shown(scenario), f"{shown(period)} d{first}–{first + days - 1}",
                     f"{rows['served_pct'].iloc[0]:.1f}%", f"{rows['protected_served_pct'].iloc[0]:.1f}%",
                     *(f"{by_tier.get(t, 0.0):,.2f}" for t in tiers))
    return view


# --- sweeps and frontiers ----------------------------------------------------------------

def print_sweep(console: Console, table: pd.DataFrame, keys: list[str], written: Path,
                notes: list[str], fmt: str = "csv") -> None:
    """The points (one parameter) or a pivot of the first two (several), then what the
    sweep says: the cash cost change from the reference point and where demand is shed."""
    statuses = ", ".join(f"{n} {s}" for s, n in table["status"].value_counts().items())
    console.print(f"[bold]sweep[/] of {_plural(len(table), 'point')} over {shown(', '.join(keys))}: "
                  f"{shown(statuses)}")
    if len(keys) == 1:
        console.print(_sweep_points(table, keys[0]))
    else:
        title, pivot = _sweep_pivot(table, keys)
        console.print(title)
        console.print(pivot)
    for line in _sweep_reading(table, keys):
        console.print(line)
    for note in notes:
        console.print(f"[yellow]note:[/] {shown(note)}")
    console.print(_written(written, fmt, "sweep", notes))


def _sweep_points(table: pd.DataFrame, key: str) -> Table:
    """One row per point (a sample of 15 beyond 30): cash cost and its change from the
    reference point, unserved gas, the largest share."""
    change = cash_change(table, [key])
    order = np.arange(len(table))
    rows = order if len(table) <= 30 else np.linspace(0, len(table) - 1, 15).round().astype(int)
    view = Table(box=None, header_style="bold")
    ref = reference_value(key, table[key])
    for name in (key, "cash MUSD", f"vs {param_value(key, ref)}", "unserved Bcf", "largest share"):
        view.add_column(shown(name), justify="right", no_wrap=True)
    for i in rows:
        row = table.iloc[i]
        value = shown(param_value(key, row[key]))
        if row["status"] != "optimal":  # the status where its figures would be
            view.add_row(value, f"[red]{shown(row['status'])}[/]", "", "", "")
            continue
        view.add_row(value, _money(row["cash_cost_musd"]),
                     f"{change.iloc[i]:+,.0f}" if change.iloc[i] == change.iloc[i] else "",
                     f"{row['unserved_bcf']:,.1f}",
                     f"{shown(row['largest_supplier'])} {row['largest_share']:.1%}")
    if len(rows) < len(table):
        view.caption = f"{len(rows)} of {len(table)} rows shown; all are in sweep.csv"
        view.caption_justify = "left"
    return view


def _sweep_pivot(table: pd.DataFrame, keys: list[str]) -> tuple[str, Table]:
    """Cash cost (MUSD) with the first parameter down and the second across; * marks a
    point that sheds demand, a failed point shows its status."""
    cells, held = sweep_pivot(table, keys)
    rows, columns = keys[0], keys[1]
    title = f"cash cost, MUSD: {shown(rows)} down, {shown(columns)} across"
    if held:
        title += "; " + shown(", ".join(f"{k} = {param_value(k, v)}" for k, v in held.items()))
    view = Table(box=None, header_style="bold")
    view.add_column(shown(rows), justify="right", no_wrap=True)
    across = list(dict.fromkeys(cells.index.get_level_values(1)))
    for value in across:
        view.add_column(shown(param_value(columns, value)), justify="right", no_wrap=True)
    for down in dict.fromkeys(cells.index.get_level_values(0)):
        out = [shown(param_value(rows, down))]
        for value in across:
            cash, unserved, status = cells.loc[(down, value)]
            if not isinstance(status, str):
                out.append("")  # no such point
            elif status != "optimal":
                out.append(f"[red]{shown(status)}[/]")
            else:
                out.append(_money(cash) + ("*" if unserved > SHED_BCF else ""))
        view.add_row(*out)
    if (cells["unserved_bcf"].fillna(0) > SHED_BCF).any():
        title += " (* leaves demand unserved)"
    return title, view


def _sweep_reading(table: pd.DataFrame, keys: list[str]) -> list[str]:
    """What the sweep says in a line or two: the range of the cash cost change from the
    reference point, where demand is shed, the tightest cap that serves all demand."""
    key = keys[0]
    ok = table["status"] == "optimal"
    if not ok.any():
        return []
    ref = reference_value(key, table[key])
    shedding = table[shed(table)]
    change = cash_change(table, keys)[~shed(table)].dropna()  # shedding "saves" cash
    lines = []
    if len(change):
        lines.append(f"cash cost against {shown(key)} = {shown(param_value(key, ref))}, where all demand is "
                     f"served: {change.min():+,.0f} to {change.max():+,.0f} MUSD")
    if len(shedding):
        values = ", ".join(param_value(key, v) for v in list(dict.fromkeys(shedding[key]))[:6])
        lines.append(f"[red]demand left unserved[/] at {shown(key)} = {shown(values)}"
                     + (" …" if shedding[key].nunique() > 6 else ""))
    if len(keys) == 1:
        tight = tightest_served(table, key)
        if tight is not None:
            at = table[table[key] == tight].index[0]
            lines.append(f"tightest {shown(key)} that serves all demand: {shown(param_value(key, tight))} "
                         f"({cash_change(table, keys)[at]:+,.0f} MUSD cash)")
    return lines


def _written(written: Path, fmt: str, kind: str, notes: list[str]) -> str:
    if fmt == "xlsx":
        return f"wrote {shown(written)}"
    return (f"wrote {shown(written)}/ ({kind}.csv, {kind}.json"
            f"{f', {kind}.png' if not notes else ''})")


def print_frontier(console: Console, table: pd.DataFrame, written: Path, notes: list[str],
                   fmt: str = "csv") -> None:
    for trade_off, part in table.groupby("trade_off", sort=False):
        distinct = part[part["pareto"]].sort_values(["x", "value"])  # one point per plan
        console.print(f"[bold]{shown(trade_off)}[/]: {_plural(len(part), 'point')}, "
                      f"{_plural(len(distinct), 'Pareto-efficient plan')} "
                      f"({shown(part['x_label'].iloc[0])})")
        view = Table(box=None, header_style="bold")
        for name in ("parameter", "measure", "cost MUSD", "unserved Bcf"):
            view.add_column(name, justify="right")
        percent = trade_off == "diversification"
        for _, row in distinct.iterrows():
            view.add_row(shown(f"{row['parameter']}={param_value(row['parameter'], row['value'])}"),
                        f"{row['x']:.1%}" if percent else f"{row['x']:.3f}",
                        _money(row["cost_musd"]), f"{row['unserved_bcf']:,.1f}")
        console.print(view)
    for note in notes:
        console.print(f"[yellow]note:[/] {shown(note)}")
    console.print(_written(written, fmt, "frontier", notes))


def print_offer(console: Console, study, written: Path) -> None:
    """What accepting an offer is worth, in five lines and a table of the three states."""
    s = study.summary
    console.print(f"[bold]offer {shown(s['offer'])}[/] ({len(s['sources'])} sources): "
                  f"{s['offer_volume_bcf']:,.1f} Bcf taken when admitted, "
                  f"{s['offer_share']:.1%} of supply, risk penalty "
                  f"{_money(s['offer_risk_penalty_musd'])} MUSD (not cash)")
    table = Table(box=None, header_style="bold")
    for col in ("state", "p", "cost MUSD", "cash MUSD", "unserved Bcf"):
        table.add_column(col, justify="left" if col == "state" else "right")
    for row in study.table.itertuples():
        table.add_row(shown(row.state), f"{row.probability:.2f}", _money(row.cost_musd),
                      _money(row.cash_cost_musd), f"{row.unserved_bcf:,.1f}")
    console.print(table)
    console.print(f"saving if never cut off {_money(s['saving_if_never_cut_musd'])} MUSD · "
                  f"expected cost with it {_money(s['expected_cost_with_musd'])} "
                  f"(p cut-off {s['cutoff_probability']:.2f}) · value "
                  f"[bold]{_money(s['value_musd'])} MUSD[/] · on CVaR "
                  f"{s['cvar_alpha']:.0%} {_money(s['value_on_cvar_musd'])} MUSD")
    console.print(f"written to {shown(written)}")


def _lng_price_table(table: pd.DataFrame) -> Table:
    """LNG by origin and terminal, averaged over the horizon: FOB, freight, delivered
    (USD/MMBtu), and the market a netback came from most often."""
    out = Table(title="LNG by origin and terminal (horizon average, USD/MMBtu)",
                title_justify="left")
    for col in ("source", "origin → terminal", "pricing", "market", "FOB", "freight", "delivered"):
        out.add_column(col, justify="right" if col in ("FOB", "freight", "delivered") else "left")
    for source, rows in table.groupby("source", sort=False):
        first = rows.iloc[0]
        markets = rows["market"][rows["market"] != ""]
        market = markets.mode().iloc[0] if len(markets) else "–"

        def mean(column):
            values = rows[column].dropna()
            return "–" if values.empty else f"{values.mean():.2f}"

        out.add_row(shown(source), shown(f"{first['origin']} → {first['entry']}"),
                    shown(first["pricing"]), shown(market), mean("fob_usd_mmbtu"),
                    mean("freight_usd_mmbtu"), mean("delivered_usd_mmbtu"))
    return out
