"""The result of a solve: the Plan — its summary, computed from arrays when it is made,
and its tables (results/tables.py), built when first read.

A plan is made after every solve, and a library loop of solves reads its summary far more
often than its tables: the headline figures, shares, security summary, binding count and
warnings come straight from the solution's arrays, and the pandas tables wait until asked
for (then they are kept).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator, Mapping
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..formulation.arrays import PROTECTED, ModelData
from ..formulation.blocks import demand_derivatives
from ..formulation.constraints import Columns
from ..formulation.names import BALANCE, STORAGE_COVER
from ..lp.solvers import SolverResult
from ..lp.verify import Check
from ..output.plan_files import TABLE_NAMES, plan_document, write_plan
from .metrics import Headline, base_shares, headline
from .savings import savings_table
from .adequacy import adequacy_table, blocks_served
from .security import N1, n1_by_area, security_summary, security_table
from .tables import (BINDING_TOLERANCE, SHARE_CAP, SHARE_MIN, ConstraintFacts, Solution,
                     constraint_facts, demand_tiers_table, denoise, firm_capacity_table, flows_table,
                     lng_prices_table, pass_through_table, prices_table, shares_table,
                     storage_table, transport_table)

__all__ = ["Plan", "Solution", "make_plan", "marginal_cost", "denoise"]


class LazyTables(Mapping):
    """Named tables built on first access (then kept): a plan's further tables."""

    def __init__(self, builders: dict[str, Callable[[], pd.DataFrame]]):
        self._builders = dict(builders)
        self._built: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._built:
            self._built[name] = self._builders[name]()
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)

    def __setitem__(self, name: str, table: pd.DataFrame) -> None:
        self._builders[name] = lambda: table
        self._built[name] = table


class Plan:
    """An optimal supply plan: the summary (a dict of headline figures), the tables flows,
    storage, transport, prices, shares, constraints and `extra` (security and whatever the
    case or the plan adds), and the arrays behind them (`data`, `solution`)."""

    def __init__(self, summary: dict, data: ModelData, solution: Solution, raw: Solution,
                 facts: ConstraintFacts, marginal: np.ndarray, n1: N1,
                 tables: dict[str, pd.DataFrame] | None = None, planned: list[tuple] = ()):
        self.summary = summary
        self.data = data
        self.solution = solution       # denoised primal values
        self._raw = raw                # the solver's values, for the tables
        self._facts = facts
        self._marginal = marginal
        builders = {"security": lambda: security_table(data, raw.supply, n1),
                    # The peak day and the flow-based N−1 of every period: small LPs, solved
                    # when first asked for (the CLI's solve, a report), not by every solve.
                    "adequacy": lambda: adequacy_table(data, raw.stock, planned)}
        # Tables of what the case has: LNG origins, firm capacity, pass-through feed gas.
        if (data.source_origin >= 0).any():
            builders["lng_prices"] = lambda: lng_prices_table(data)
        if (data.entry_firm > 0).any() or (data.arc_firm > 0).any():
            builders["firm_capacity"] = lambda: firm_capacity_table(data, raw)
        if len(data.export_ids):
            builders["pass_through"] = lambda: pass_through_table(data, raw)
        if len(data.tier_ids):
            builders["demand_tiers"] = lambda: demand_tiers_table(data, raw)
        for name, table in (tables or {}).items():
            builders[name] = (lambda t=table: t)
        self.extra = LazyTables(builders)

    def __repr__(self) -> str:
        s = self.summary
        return (f"<Plan {s['case']['name']} {s['case']['first_period']}–{s['case']['last_period']}: "
                f"{s['status']}, objective {s['objective_musd']:,.1f} MUSD, cash "
                f"{s['cash_cost_musd']:,.1f}, unserved {s['unserved_bcf']:,.1f} Bcf>")

    @property
    def objective(self) -> float:
        return self.summary["objective_musd"]

    @cached_property
    def flows(self) -> pd.DataFrame:
        return flows_table(self.data, self._raw)

    @cached_property
    def storage(self) -> pd.DataFrame:
        return storage_table(self.data, self._raw)

    @cached_property
    def transport(self) -> pd.DataFrame:
        return transport_table(self.data, self._raw)

    @cached_property
    def prices(self) -> pd.DataFrame:
        return prices_table(self.data, self._raw, self._marginal)

    @cached_property
    def shares(self) -> pd.DataFrame:
        return shares_table(self.data, self._raw)

    @cached_property
    def constraints(self) -> pd.DataFrame:
        return self._facts.frame()

    @cached_property
    def savings(self) -> pd.DataFrame:
        """One row per binding limit: what loosening it saves over the horizon and in its
        largest month (results/savings.py: the one convention of every output)."""
        return savings_table(self.constraints, list(self.data.period_ids))

    @property
    def security(self) -> pd.DataFrame:
        """Per period: N−1 of the worst calculated area with its terms, HHI and Shannon."""
        return self.extra["security"]

    def tables(self) -> dict[str, pd.DataFrame]:
        return {**{name: getattr(self, name) for name in TABLE_NAMES},
                **{name: self.extra[name] for name in self.extra}}

    def to_dict(self) -> dict:
        """The whole plan as one JSON-ready document."""
        return plan_document(self)

    def write(self, path: str | Path, format: str | None = None, progress=None) -> Path:
        """Write the plan: a folder of CSV tables + summary.json, one JSON file (a name
        ending .json) or one Excel workbook (.xlsx; needs openpyxl); `format` ("csv",
        "json", "xlsx") if the name does not say. The output is finished in a temporary
        place and then moved into `path`, so an interrupted write never leaves a
        half-written plan. `progress(step)` is called before each sheet of a workbook."""
        return write_plan(self, path, format, progress)

    def report(self, path: str | Path) -> Path:
        """Write the plan's HTML report (self-contained: inline charts, no network; needs
        gasmix[charts]) to `path`, replacing only a previous gasmix report."""
        from ..output.report import plan_report, write_report  # matplotlib on use only

        return write_report(plan_report(self.summary, self.tables()), path)

    @property
    def plot(self):
        """The plan's charts as matplotlib Figures: plan.plot.supply_mix(), .shares(),
        .storage(), .prices(), .costs()."""
        from ..output.plots import PlanPlots
        return PlanPlots(self)

    def _repr_html_(self) -> str:
        s = self.summary
        rows = [("status", s["status"]), ("objective", f"{s['objective_musd']:,.1f} MUSD"),
                ("cash cost", f"{s['cash_cost_musd']:,.1f} MUSD"),
                ("unserved gas", f"{s['unserved_bcf']:,.1f} Bcf"),
                ("average cost of gas served", "–" if s["avg_cost_usd_mmbtu"] is None
                 else f"{s['avg_cost_usd_mmbtu']:.2f} USD/MMBtu"),
                ("largest shares", ", ".join(f"{g} {v:.1%}" for g, v in sorted(
                    s["shares"].items(), key=lambda kv: -kv[1])[:4])),
                ("HHI", f"{s['hhi']:,.0f}"), ("binding constraints", str(s["binding_constraints"]))]
        rows += [("warning", w) for w in s["warnings"]]
        body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                       f"<td style='text-align:left'>{html.escape(v)}</td></tr>" for k, v in rows)
        case = s["case"]
        title = html.escape(f"Plan: {case['title'] or case['name']} ({case['first_period']} to "
                            f"{case['last_period']})")
        return f"<table><caption style='text-align:left'><b>{title}</b></caption>{body}</table>"


# --- building a Plan from a solution ----------------------------------------------------

def make_plan(data: ModelData, cols: Columns, model, result: SolverResult, check: Check,
              timings: dict[str, float], *, hidden_cash: dict[str, float] | None = None,
              figures_over_scenarios: dict | None = None, warnings: list[str] = (),
              tables: dict[str, pd.DataFrame] | None = None) -> Plan:
    """The Plan of a verified solution: its summary from the arrays; its tables later.

    A stochastic plan (optimizer/stochastic.py) adds what its base scenario's tables do
    not show: `hidden_cash`, cash the flows do not carry (take-or-pay paid for untaken gas,
    capacity booked and idle), added to the cost breakdown and the cash cost;
    `figures_over_scenarios`, its summary keys over the scenarios; `warnings`; `tables`
    (scenarios, scenario flows, commitments). `timings` may give "solve" (seconds of all
    the solves) in place of the one solve's own time."""
    x = result.x
    raw = Solution(*(x[c] for c in (cols.supply, cols.flow, cols.inject, cols.withdraw,
                                    cols.stock, cols.unserved)),
                   curtailed=x[cols.curtailed].reshape(len(data.export_ids), len(data.period_ids)),
                   tiers=x[cols.tiers].reshape(len(data.tier_ids), len(data.period_ids)))
    balance = model.block(BALANCE)[0]
    # The period's demand moves its days' too (a peak day is κ × the average): their duals.
    marginal = marginal_cost(data, result.row_dual[balance.start:balance.stop]
                             + demand_derivatives(data, model, result.row_dual).ravel(), 1.0)
    facts = constraint_facts(data, cols, model, x, result.row_dual, result.col_dual,
                             check.activity)
    figures = headline(data, raw.supply, raw.flow, raw.inject, raw.withdraw, raw.unserved,
                       raw.curtailed, raw.tiers)
    summary = _summary(data, result, check, timings, figures, raw, facts)
    for part, value in (hidden_cash or {}).items():
        summary["cost_breakdown_musd"][part] = value
        summary["cash_cost_musd"] += value
    summary.update(figures_over_scenarios or {})
    summary["warnings"] += list(warnings)
    n1 = n1_by_area(data)  # N−1 depends on the infrastructure only: computed once
    summary.update(security_summary(data, raw.supply, n1))
    planned = blocks_served(data, cols.blocks, x)  # the day blocks the plan served
    return Plan(summary, data, raw.denoised(), raw, facts, marginal, n1, tables, planned)


def tier_volumes(d: ModelData, tiers: np.ndarray) -> dict:
    """{"demand_response_bcf": …, "protected_unserved_bcf": …, "tiers_bcf": {tier: Bcf}}:
    the unserved demand by tier over the horizon (protected demand: PROTECTED)."""
    bcf = (tiers * d.days / 1000).sum(axis=1)
    by_tier: dict[str, float] = {}
    for tier, volume in zip(d.tier_ids, bcf):
        by_tier[tier] = by_tier.get(tier, 0.0) + float(volume)
    protected = by_tier.get(PROTECTED, 0.0)
    return {"demand_response_bcf": float(bcf.sum()) - protected,
            "protected_unserved_bcf": protected, "tiers_bcf": by_tier}


def marginal_cost(d: ModelData, balance_dual: np.ndarray, weight: float) -> np.ndarray:
    """N × T, USD/MMBtu: the marginal cost of demand at each node, min(y, ρ·w_t·VOLL)/(ρ·w_t)
    with y the balance row's dual (and, with day blocks, what the days' balances add:
    blocks.demand_derivatives) and ρ the weight of the model's cost (1, or a scenario's
    weight in the mean-risk objective). One more MMcf/d of demand also raises the bound of
    its unserved gas (u ≤ demand), so it costs at most VOLL: where y is above, the bound
    binds and the extra demand goes unserved."""
    y = balance_dual.reshape(len(d.node_ids), len(d.period_ids))
    scale = weight * d.weight[None, :]
    return np.minimum(y, scale * d.voll) / scale


def _summary(data: ModelData, result: SolverResult, check: Check, timings: dict, figures: Headline,
             x: Solution, facts: ConstraintFacts) -> dict:
    info = data.info
    policy = data.policy
    demand_avg = data.demand.sum(axis=0)  # MMcf/d per period
    stock = x.stock.sum(axis=0) if x.stock.size else np.zeros(len(data.period_ids))
    with np.errstate(invalid="ignore", divide="ignore"):
        cover = np.where(demand_avg > 0, stock * 1000 / demand_avg, 0.0)
    in_base_volume, period_share, in_base_mask = base_shares(data, x.supply)
    base_volume = (in_base_volume * data.days / 1000).sum(axis=1)  # Bcf per supplier
    base_total = float(base_volume.sum())
    with np.errstate(invalid="ignore"):
        max_period_share = np.where(np.isnan(period_share).all(axis=1), np.nan,
                                    np.nanmax(np.where(np.isnan(period_share), -np.inf,
                                                       period_share), axis=1))
    in_base = {g for g, inside in zip(data.supplier_ids, in_base_mask) if inside}
    return {
        "status": str(result.status),
        "warnings": _warnings(data, x.unserved, x.supply, facts),
        "objective_musd": float(result.objective),
        "cash_cost_musd": figures.cash_cost_musd,
        "risk_penalty_musd": figures.risk_penalty_musd,
        "unserved_cost_musd": figures.unserved_cost_musd,
        "cost_breakdown_musd": {"supply": figures.supply_musd, "transport": figures.transport_musd,
                                "storage": figures.storage_musd,
                                "fixed_capacity": figures.fixed_musd,
                                "unserved_at_voll": figures.unserved_cost_musd - figures.curtailment_musd,
                                "export_curtailment": figures.curtailment_musd,
                                "risk_penalty": figures.risk_penalty_musd},
        # Reservation payments on firm capacity (in the cash cost), and the part of them
        # paid for reserved capacity the plan leaves unused.
        "fixed_capacity_musd": figures.fixed_musd,
        "stranded_capacity_musd": figures.stranded_musd,
        # Feed gas of LNG export plants carried across Mexico, and what the system could not
        # carry (valued at the export curtailment cost inside unserved_cost_musd).
        "pass_through_bcf": float(((data.export_feed - x.curtailed) * data.days / 1000).sum()),
        "export_curtailed_bcf": float((x.curtailed * data.days / 1000).sum()),
        "unserved_bcf": figures.unserved_bcf,
        # With demand tiers: the gas the curtailable tiers gave up (fuel switching,
        # industry) and the protected demand left unserved, both within unserved_bcf.
        **(tier_volumes(data, x.tiers) if len(data.tier_ids) else {}),
        "supply_bcf": figures.supply_bcf,
        "avg_cost_usd_mmbtu": figures.avg_cost_usd_mmbtu,
        "shares": {g: float(s) for g, s in zip(data.supplier_ids, figures.shares)},
        "share_of": policy.share_of,
        # Shares of the base the caps apply to (supply or imports): over the horizon, and
        # the largest in any period (the figure a period-basis cap holds down).
        "base_shares": {g: float(base_volume[i] / base_total) if base_total > 0 and g in in_base
                        else None for i, g in enumerate(data.supplier_ids)},
        "max_period_shares": {g: None if np.isnan(max_period_share[i])
                              else float(max_period_share[i]) for i, g in enumerate(data.supplier_ids)},
        "hhi": figures.hhi,
        "import_dependence": figures.import_dependence,
        "risk_exposure": figures.risk_exposure,
        "storage_cover_days": float(cover.mean()) if cover.size else 0.0,
        "storage_capacity_days": float(data.working_gas.sum() * 1000 / demand_avg.mean())
        if demand_avg.mean() > 0 else 0.0,
        "binding_constraints": int(facts.binding.sum()),
        "max_balance_residual_mmcfd": check.max_balance_residual,
        "solver": result.solver,
        "solve_seconds": timings.get("solve", result.seconds),
        "build_seconds": timings.get("build", 0.0),
        "case": {"name": info.name, "title": info.title, "input_sha256": info.input_sha256,
                 "periods": len(data.period_ids), "first_period": data.period_ids[0],
                 "last_period": data.period_ids[-1]},
        "policy": {"caps": dict(policy.caps), "max_share": policy.max_share,
                   "risk_weight_usd_mmbtu": policy.risk_weight_usd_mmbtu,
                   "exclude": list(policy.exclude), "share_basis": policy.share_basis,
                   "share_of": policy.share_of, "voll_usd_mmbtu": data.voll,
                   # where demand starts to give way: VOLL or the cheapest demand tier
                   "shedding_from_usd_mmbtu": float(min([data.voll, *data.tier_values])),
                   "share_limits": [{"name": r.name, "group_type": r.group_type, "group": r.group,
                                     "sense": r.sense, "share": r.bound,
                                     "basis": "horizon" if r.periods is None else "period",
                                     "periods": None if r.periods is None or len(r.periods) == len(data.period_ids)
                                     else [data.period_ids[t] for t in r.periods]}
                                    for r in data.share_rules]},
    }


def _warnings(data: ModelData, u: np.ndarray, q: np.ndarray, facts: ConstraintFacts) -> list[str]:
    """Plain-words flags a planner must not miss in an 'optimal' plan: why demand went
    unserved. Four causes, each named where it applies:

    * share limits — unserved demand keeps every policy feasible, and shares are of supply,
      so a limit can be "met" by buying less gas: a share row binds in a short period;
    * supply-loss cover — likewise, the cover (stock ≥ D days of each import supplier's
      flow) can be "met" by importing less: a cover row binds in a short period;
    * price — some source could still deliver more but costs more than VOLL (its price plus
      the risk penalty λ·risk);
    * capacity — neither: supply or the network cannot reach the demand.
    """
    short = u.sum(axis=0) > 1e-6
    if not short.any():
        return []
    T = len(data.period_ids)
    volume = float((u * data.days / 1000).sum())
    when = _describe_periods(data.period_ids, short)
    notes = []
    c = facts.columns
    short_ids = {p for p, s in zip(data.period_ids, short) if s}
    in_short = np.array([p in short_ids for p in c["period"]], dtype=bool)

    tight = (np.isin(c["family"], [SHARE_CAP, SHARE_MIN]) & (np.abs(c["slack"]) <= BINDING_TOLERANCE)
             & (in_short | (c["period"] == "horizon")))
    if tight.any():
        names = ", ".join(dict.fromkeys(c["name"][tight]))
        advice = ("a looser limit, the horizon basis (--share-basis horizon)"
                  if data.policy.share_basis == "period" else "a looser limit")
        notes.append(f"{volume:,.1f} Bcf of demand is unserved ({when}) while share limits hold "
                     f"it back ({names}): the limits, not only the network, cause the shortfall. "
                     f"Try {advice}, or more capacity for other suppliers.")

    held = ((c["family"] == STORAGE_COVER)
            & (np.abs(c["slack"]) <= BINDING_TOLERANCE * (1 + np.abs(c["limit"]))) & in_short)
    if held.any():
        names = ", ".join(dict.fromkeys(c["name"][held]))
        notes.append(f"{volume:,.1f} Bcf of demand is unserved ({when}) while the supply-loss "
                     f"cover ({data.policy.cover_days:g} days) holds imports back ({names}): "
                     "the stock cannot cover more imported gas, so the cover policy, not the "
                     "network, causes the shortfall. Try fewer --cover-days or more working gas.")

    # Sources that could have delivered more in a short period, and what they would cost.
    effective = data.price + data.risk_weight * data.risk[:, None]
    entry_flow = np.zeros((len(data.entry_ids), T))
    np.add.at(entry_flow, data.source_entry, q)
    spare = ((q < data.source_max - 1e-6)
             & (entry_flow[data.source_entry] < (data.entry_capacity - data.pass_through[1])[data.source_entry] - 1e-6)
             & ~data.excluded[:, None] & short[None, :])
    dear = spare & (effective > data.voll)
    if dear.any():
        cheapest = float(effective[dear].min())
        notes.append(f"VOLL ({data.voll:g} USD/MMBtu) is below what more gas would cost "
                     f"(from {cheapest:.2f} USD/MMBtu, risk penalty included): leaving demand "
                     "unserved is the cheaper choice in the model.")
    if not notes:
        notes.append(f"{volume:,.1f} Bcf of demand is unserved ({when}): supply or network "
                     "capacity cannot reach it.")
    return notes


def _describe_periods(period_ids: list[str], mask: np.ndarray) -> str:
    """'2027-04 to 2027-10' for one run of periods, else the list (shortened)."""
    picked = [p for p, m in zip(period_ids, mask) if m]
    first, last = int(np.argmax(mask)), len(mask) - 1 - int(np.argmax(mask[::-1]))
    if mask[first:last + 1].all():
        return picked[0] if len(picked) == 1 else f"{picked[0]} to {picked[-1]}"
    shown = ", ".join(picked[:4])
    return shown + (f" and {len(picked) - 4} more" if len(picked) > 4 else "")
