"""The result of a solve: tidy tables, the summary, and the writers.

Tables (pandas DataFrames, one row per item × period):
  flows        period, source, supplier, kind, entry, node, flow_mmcfd, volume_bcf,
               price_usd_mmbtu, cost_musd, risk_penalty_musd
  storage      period, storage, node, injection_mmcfd, withdrawal_mmcfd, stock_bcf, floor_bcf,
               working_gas_bcf, cost_musd, in_service
  transport    period, arc, from_node, to_node, flow_mmcfd, capacity_mmcfd, utilisation, cost_musd
  prices       period, node, demand_mmcfd, unserved_mmcfd, marginal_cost_usd_mmbtu
  shares       period, supplier, volume_bcf, share, cap
  constraints  family, name, period, limit, value, slack, shadow_price, unit, binding
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..formulation.arrays import ModelData, netback, source_prices
from ..formulation.constraints import Columns
from ..formulation.names import (BALANCE, ENTRY_CAPACITY, ORIGIN_CAPACITY, SHARE_LIMIT,
                                 STORAGE_COVER, STORAGE_DAYS)
from ..lp.solvers import SolverResult
from ..lp.verify import Check
from ..output.plan_files import TABLE_NAMES, plan_document, write_plan
from .metrics import Headline, base_shares, headline, stranded_capacity
from .security import n1_areas, security_summary, security_table

# The `family` column of constraints.csv: the kind of limit each row is.
SHARE_CAP, SHARE_MIN = "share_cap", "share_min"
ARC_CAPACITY = "arc_capacity"
STORAGE_INJECTION, STORAGE_WITHDRAWAL, STORAGE_WORKING_GAS = \
    "storage_injection", "storage_withdrawal", "storage_working_gas"
# Rows whose slack is within this (in their own units) count as binding.
BINDING_TOLERANCE = 1e-6
# Solver noise: values this small are written and read as 0 (no "-0.000000" in a CSV).
NOISE = 1e-9


def denoise(values) -> np.ndarray:
    """`values` with solver noise (|v| < NOISE) set to 0."""
    values = np.asarray(values, dtype=float)
    return np.where(np.abs(values) < NOISE, 0.0, values)


@dataclass(frozen=True)
class Solution:
    """A plan's primal values as arrays in model order (MMcf/d; stock in Bcf): what the
    tables are made from, and what a stochastic plan reads a deterministic plan's
    commitments from."""

    supply: np.ndarray    # S × T
    flow: np.ndarray      # A × T
    inject: np.ndarray    # K × T
    withdraw: np.ndarray  # K × T
    stock: np.ndarray     # K × T
    unserved: np.ndarray  # N × T


@dataclass
class Plan:
    """An optimal supply plan: tables, summary and the arrays behind them."""

    summary: dict
    flows: pd.DataFrame
    storage: pd.DataFrame
    transport: pd.DataFrame
    prices: pd.DataFrame
    shares: pd.DataFrame
    constraints: pd.DataFrame
    data: ModelData = field(repr=False)
    solution: Solution = field(repr=False)
    # Further tables by name (security; a stochastic plan's scenarios, …), written beside the others.
    extra: dict = field(default_factory=dict)

    @property
    def objective(self) -> float:
        return self.summary["objective_musd"]

    def tables(self) -> dict[str, pd.DataFrame]:
        return {**{name: getattr(self, name) for name in TABLE_NAMES}, **self.extra}

    def to_dict(self) -> dict:
        """The whole plan as one JSON-ready document."""
        return plan_document(self)

    def write(self, path: str | Path, format: str = "csv", progress=None) -> Path:
        """Write the plan: a folder of CSV tables + summary.json (format "csv"), one JSON
        file ("json"), or one Excel workbook ("xlsx"; needs openpyxl). The output is
        finished in a temporary place and then moved into `path`, so an interrupted write
        never leaves a half-written plan. `progress(step)` is called before each sheet of
        a workbook."""
        return write_plan(self, path, format, progress)


# --- building a Plan from a solution ----------------------------------------------------

def make_plan(data: ModelData, cols: Columns, model, result: SolverResult, check: Check,
              timings: dict[str, float], *, hidden_cash: dict[str, float] | None = None,
              figures_over_scenarios: dict | None = None, warnings: list[str] = (),
              tables: dict[str, pd.DataFrame] | None = None) -> Plan:
    """The Plan of a verified solution: tables, summary, security indicators.

    A stochastic plan (optimizer/stochastic.py) adds what its base scenario's tables do
    not show: `hidden_cash`, cash the flows do not carry (take-or-pay paid for untaken gas,
    capacity booked and idle), added to the cost breakdown and the cash cost;
    `figures_over_scenarios`, its summary keys over the scenarios; `warnings`; `tables`
    (scenarios, scenario flows, commitments). `timings` may give "solve" (seconds of all
    the solves) in place of the one solve's own time."""
    x = result.x
    T = len(data.period_ids)
    wt = data.weight
    periods = np.array(data.period_ids, dtype=object)
    q, f, inj, wd, v, u = (x[c] for c in (cols.supply, cols.flow, cols.inject, cols.withdraw,
                                          cols.stock, cols.unserved))
    solution = Solution(*(denoise(a) for a in (q, f, inj, wd, v, u)))

    def long(items, values: dict) -> pd.DataFrame:
        return _period_major(periods, items, values)

    suppliers = np.array(data.supplier_ids, dtype=object)
    source_supplier = suppliers[data.source_supplier]
    cash = wt * data.price * q
    penalty = wt * data.risk_weight * data.risk[:, None] * q
    flows = long(
        {"source": data.source_ids, "supplier": source_supplier, "kind": data.source_kind,
         "entry": np.array(data.entry_ids, dtype=object)[data.source_entry],
         "node": np.array(data.node_ids, dtype=object)[data.source_node]},
        {"flow_mmcfd": q, "volume_bcf": q * data.days / 1000, "price_usd_mmbtu": data.price,
         "cost_musd": cash, "risk_penalty_musd": penalty})

    K = len(data.storage_ids)
    storage_cost = wt * (data.injection_cost[:, None] * inj + data.withdrawal_cost[:, None] * wd)
    storage = long(
        {"storage": data.storage_ids, "node": np.array(data.node_ids, dtype=object)[data.storage_node]},
        {"injection_mmcfd": inj, "withdrawal_mmcfd": wd, "stock_bcf": v, "floor_bcf": data.floor,
         "working_gas_bcf": np.broadcast_to(data.working_gas[:, None], (K, T)),
         "cost_musd": storage_cost})
    # A site not yet in service holds nothing and has no capacity to show (charts leave it out).
    storage["in_service"] = data.storage_active.T.ravel() if K else np.zeros(0, dtype=bool)

    A = len(data.arc_ids)
    node_names = np.array(data.node_ids, dtype=object)
    arc_cap = np.broadcast_to(data.arc_capacity[:, None], (A, T))
    transport_cost = wt * data.arc_tariff[:, None] * f
    with np.errstate(invalid="ignore", divide="ignore"):
        utilisation = np.where(arc_cap > 0, f / arc_cap, 0.0)
    transport = long(
        {"arc": data.arc_ids, "from_node": node_names[data.arc_from], "to_node": node_names[data.arc_to]},
        {"flow_mmcfd": f, "capacity_mmcfd": arc_cap, "utilisation": utilisation,
         "cost_musd": transport_cost})

    balance = model.block(BALANCE)[0]
    marginal = marginal_cost(data, result.row_dual[balance.start:balance.stop], 1.0)
    prices = long({"node": data.node_ids},
                  {"demand_mmcfd": data.demand, "unserved_mmcfd": u, "marginal_cost_usd_mmbtu": marginal})

    shares = _shares_table(data, q)
    constraints = _constraints_table(data, cols, model, result, check.activity)
    figures = headline(data, q, f, inj, wd, u)
    summary = _summary(data, result, check, timings, figures, q, u, v, shares, constraints)
    for part, value in (hidden_cash or {}).items():
        summary["cost_breakdown_musd"][part] = value
        summary["cash_cost_musd"] += value
    summary.update(figures_over_scenarios or {})
    summary["warnings"] += list(warnings)
    areas = n1_areas(data)  # N−1 depends on the infrastructure only: computed once
    security = security_table(data, q, areas)
    summary.update(security_summary(data, q, security, areas))
    # Tables of what the case has: LNG origins, firm capacity, pass-through feed gas.
    optional = {"lng_prices": _lng_prices_table(data), "firm_capacity": _firm_table(data, q, f),
                "pass_through": _pass_through_table(data)}
    return Plan(summary, flows, storage, transport, prices, shares, constraints, data, solution,
                extra={"security": security, **{k: t for k, t in optional.items() if len(t)},
                       **(tables or {})})


def _lng_prices_table(d: ModelData) -> pd.DataFrame:
    """period × LNG source with an origin: its origin, pricing, best market (netback), FOB,
    freight to its terminal and delivered price (before the terminal's tariff), USD/MMBtu.
    A source priced delivered (a DES contract) shows no FOB or freight."""
    with_origin = np.flatnonzero(d.source_origin >= 0)
    if not len(with_origin):
        return pd.DataFrame()
    _, fob = source_prices(d, d.hub_price, parts=True)
    _, market = netback(d, d.hub_price)
    hubs = np.array([*d.hub_ids, ""], dtype=object)  # index −1: no market
    netbacked = d.source_pricing[with_origin] == "netback"
    best = np.where(netbacked[:, None], market[d.source_origin[with_origin]], -1)
    freight = np.where((d.source_pricing[with_origin] != "delivered")[:, None],
                       d.source_freight[with_origin, None], np.nan) * np.ones((1, len(d.period_ids)))
    delivered = d.price[with_origin] - d.entry_tariff[d.source_entry[with_origin], None]
    table = _period_major(
        np.array(d.period_ids, dtype=object),
        {"source": np.array(d.source_ids, dtype=object)[with_origin],
         "origin": np.array(d.origin_ids, dtype=object)[d.source_origin[with_origin]],
         "entry": np.array(d.entry_ids, dtype=object)[d.source_entry[with_origin]],
         "pricing": d.source_pricing[with_origin]},
        {"fob_usd_mmbtu": fob[with_origin], "freight_usd_mmbtu": freight,
         "delivered_usd_mmbtu": delivered})
    table.insert(5, "market", hubs[best.T.ravel()])
    return table


def _firm_table(d: ModelData, q: np.ndarray, f: np.ndarray) -> pd.DataFrame:
    """period × entry or arc with firm capacity: reserved, used, the reservation paid and
    the part of it stranded (reserved but unused), million USD."""
    unused, stranded = stranded_capacity(d, q, f)
    firm = np.concatenate([d.entry_firm, d.arc_firm])
    keep = np.flatnonzero(firm > 0)
    if not len(keep):
        return pd.DataFrame()
    T = len(d.period_ids)
    rate = np.concatenate([d.entry_reservation, d.arc_reservation])
    in_service = np.vstack([d.entry_in_service, np.ones((len(d.arc_ids), T), dtype=bool)])
    paid = d.weight[None, :] * (firm * rate)[:, None] * in_service
    names = np.array([*d.entry_ids, *d.arc_ids], dtype=object)
    kinds = np.array(["entry"] * len(d.entry_ids) + ["arc"] * len(d.arc_ids), dtype=object)
    return _period_major(np.array(d.period_ids, dtype=object),
                         {"asset": names[keep], "kind": kinds[keep]},
                         {"firm_mmcfd": np.where(in_service, firm[:, None], 0.0)[keep],
                          "unused_mmcfd": unused[keep], "fixed_musd": paid[keep],
                          "stranded_musd": stranded[keep]})


def _pass_through_table(d: ModelData) -> pd.DataFrame:
    """period × LNG export plant: feed gas asked and carried (MMcf/d), its entry and node."""
    if not len(d.export_ids):
        return pd.DataFrame()
    carried, _, _ = d.pass_through
    return _period_major(np.array(d.period_ids, dtype=object),
                         {"export": d.export_ids,
                          "entry": np.array(d.entry_ids, dtype=object)[d.export_entry],
                          "node": np.array(d.node_ids, dtype=object)[d.export_node]},
                         {"feed_mmcfd": d.export_feed, "carried_mmcfd": carried})


def marginal_cost(d: ModelData, balance_dual: np.ndarray, weight: float) -> np.ndarray:
    """N × T, USD/MMBtu: the marginal cost of demand at each node, min(y, ρ·w_t·VOLL)/(ρ·w_t)
    with y the balance row's dual and ρ the weight of the model's cost (1, or a scenario's
    weight in the mean-risk objective). One more MMcf/d of demand also raises the bound of
    its unserved gas (u ≤ demand), so it costs at most VOLL: where y is above, the bound
    binds and the extra demand goes unserved."""
    y = balance_dual.reshape(len(d.node_ids), len(d.period_ids))
    scale = weight * d.weight[None, :]
    return np.minimum(y, scale * d.voll) / scale


def _period_major(periods: np.ndarray, items: dict, values: dict) -> pd.DataFrame:
    """A tidy table from item × period arrays: rows in time order (the case's period
    order, not the ids' alphabetical one), items in model order within each period.
    Solver noise is written as 0 (denoise)."""
    T = len(periods)
    n = len(next(iter(items.values())))
    frame = {"period": np.repeat(periods, n),
             **{k: np.tile(np.asarray(a, dtype=object), T) for k, a in items.items()}}
    for k, a in values.items():
        column = np.broadcast_to(np.asarray(a, dtype=float), (n, T)).T.ravel()
        frame[k] = denoise(column)
    return pd.DataFrame(frame)


def _shares_table(data: ModelData, q: np.ndarray) -> pd.DataFrame:
    """Each supplier's share of the share base in each period — the quantity caps limit —
    with its cap where one applies. The base is all supply, or imports when the policy
    says `share_of="imports"`; a supplier with no source in the base (domestic gas, then)
    has no share (NaN)."""
    G, T = len(data.supplier_ids), len(data.period_ids)
    by_supplier = np.zeros((G, T))
    np.add.at(by_supplier, data.source_supplier, q)
    in_base_volume, share, _ = base_shares(data, q)
    # The cap a supplier's share must keep under in that period; a horizon-basis cap holds
    # only on the average, so it is not shown against single periods.
    caps = np.full((G, T), np.nan)
    index = {g: i for i, g in enumerate(data.supplier_ids)}
    for rule in data.share_rules:
        if rule.group_type == "supplier" and rule.sense == "<=" and rule.periods is not None:
            ts = list(rule.periods)
            caps[index[rule.group], ts] = np.fmin(caps[index[rule.group], ts], rule.bound)
    periods = np.array(data.period_ids, dtype=object)
    frame = _period_major(periods, {"supplier": data.supplier_ids},
                          {"volume_bcf": by_supplier * data.days / 1000,
                           "base_volume_bcf": in_base_volume * data.days / 1000,
                           "share": share, "cap": caps})
    return frame


def _constraints_table(data: ModelData, cols: Columns, model, result: SolverResult,
                       activity: np.ndarray) -> pd.DataFrame:
    """Each share limit and capacity with its slack and shadow price.

    shadow_price is the change in the objective per unit increase of the limit: for share
    limits in million USD per percentage point, for capacities in USD/MMBtu (million USD
    per MMcf/d in a period divided by that period's d_t·E). Negative on a binding cap:
    loosening it lowers cost.
    """
    x, y, dj = result.x, result.row_dual, result.col_dual
    wt = data.weight
    T = len(data.period_ids)
    rows = []

    # Share limits: row  Σ_g q − σ·Σ_B q (≤ or ≥) 0, so ∂obj/∂σ = y · Σ_B q.
    base_q = x[cols.supply][data.in_share_base]
    period_index = {p: t for t, p in enumerate(data.period_ids)}
    for block in model.block(SHARE_LIMIT):
        for i, (name, period), index in zip(range(block.start, block.stop), block.labels,
                                            block.origin):
            rule = data.share_rules[index]
            if rule.periods is None:  # one row over the horizon, days-weighted
                base = float((base_q.sum(axis=0) * data.days).sum())
            else:  # one row per period: the label names it
                base = float(base_q[:, period_index[period]].sum())
            # The row reads group − σ·base (≤ or ≥) 0. With no supply in the base the share
            # is undefined and the row is tight (0 = 0): it is what holds supply at zero.
            share = activity[i] / base + rule.bound if base > 0 else np.nan
            slack = abs(activity[i]) / base if base > 0 else 0.0
            rows.append((SHARE_CAP if block.sense == "<=" else SHARE_MIN, name, period,
                         rule.bound, share, slack, y[i] * base * 0.01, "MUSD/pp"))

    columns = ["family", "name", "period", "limit", "value", "slack", "shadow_price", "unit"]
    frames = [pd.DataFrame(rows, columns=columns)]

    def block_frame(family, names, periods, limit, value, shadow, unit):
        return pd.DataFrame({"family": family, "name": names, "period": periods, "limit": limit,
                             "value": value, "slack": limit - value, "shadow_price": shadow,
                             "unit": unit})

    for block in model.block(ENTRY_CAPACITY):
        i = np.arange(block.start, block.stop)
        names, periods = zip(*block.labels)
        frames.append(block_frame(ENTRY_CAPACITY, names, periods, block.rhs, activity[i],
                                  y[i] / wt[(i - block.start) % T], "USD/MMBtu"))

    for block in model.block(ORIGIN_CAPACITY):
        i = np.arange(block.start, block.stop)
        names, periods = zip(*block.labels)
        index = {p: t for t, p in enumerate(data.period_ids)}
        frames.append(block_frame(ORIGIN_CAPACITY, names, periods, block.rhs, activity[i],
                                  y[i] / wt[[index[p] for p in periods]], "USD/MMBtu"))

    # Capacities held as column bounds: the reduced cost of a column at its upper bound is
    # ∂obj/∂bound (≤ 0). Storage working gas is in Bcf, so its value is per Bcf·period.
    def bound_capacity(family, names, columns, unit, per_weight=True):
        upper = model.col_upper[columns]
        value = x[columns]
        at_upper = upper - value <= BINDING_TOLERANCE * (1 + np.abs(upper))
        shadow = np.where(at_upper, np.minimum(dj[columns], 0.0), 0.0)
        # A column fixed at zero (a site not yet in service) has no defined marginal value:
        # its reduced cost is whatever the degenerate basis makes it. Leave it blank.
        fixed = upper <= model.col_lower[columns] + BINDING_TOLERANCE
        shadow = np.where(fixed, np.nan, shadow)
        if per_weight:
            shadow = shadow / wt[None, :]
        frames.append(block_frame(family, np.repeat(np.asarray(names, dtype=object), T),
                                  np.tile(np.asarray(data.period_ids, dtype=object), len(names)),
                                  upper.ravel(), value.ravel(), shadow.ravel(), unit))

    bound_capacity(ARC_CAPACITY, data.arc_ids, cols.flow, "USD/MMBtu")
    bound_capacity(STORAGE_INJECTION, data.storage_ids, cols.inject, "USD/MMBtu")
    bound_capacity(STORAGE_WITHDRAWAL, data.storage_ids, cols.withdraw, "USD/MMBtu")
    bound_capacity(STORAGE_WORKING_GAS, data.storage_ids, cols.stock, "MUSD/Bcf", per_weight=False)

    # Storage policy rows (storage_policy.py), in Bcf: the stock held against the stock
    # required; the dual is the cost of requiring one Bcf more.
    for block in model.block(STORAGE_DAYS) + model.block(STORAGE_COVER):
        i = np.arange(block.start, block.stop)
        names, periods = zip(*block.labels)
        stock = activity[i] if block.family == STORAGE_DAYS else \
            activity[i] + _cover_requirement(data, cols, x, block)
        required = block.rhs if block.family == STORAGE_DAYS else stock - activity[i]
        frame = block_frame(block.family, names, periods, required, stock, y[i], "MUSD/Bcf")
        frame["slack"] = frame["value"] - frame["limit"]  # a minimum: slack is the stock above it
        frames.append(frame)

    frame = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
    for column in ("value", "slack", "shadow_price"):  # solver noise, not "-0.000000"
        frame[column] = denoise(frame[column].to_numpy())
    frame["binding"] = (frame["slack"].abs() <= BINDING_TOLERANCE * (1 + frame["limit"].abs())) & \
        (frame["shadow_price"].abs() > NOISE)
    return frame


def _cover_requirement(data: ModelData, cols: Columns, x: np.ndarray, block) -> np.ndarray:
    """D/1000 × each covered supplier's imported flow (Bcf), for the rows of a cover block."""
    period_index = {p: t for t, p in enumerate(data.period_ids)}
    supplier_index = {g: i for i, g in enumerate(data.supplier_ids)}
    q = x[cols.supply]
    imported = data.source_kind != "domestic"
    out = []
    for supplier, period in block.labels:
        members = (data.source_supplier == supplier_index[supplier]) & imported
        t = period_index[period]
        out.append(data.cover_days[t] / 1000.0 * q[members, t].sum())
    return np.array(out)


def _summary(data: ModelData, result: SolverResult, check: Check, timings: dict, figures: Headline,
             q, u, v, shares: pd.DataFrame, constraints: pd.DataFrame) -> dict:
    info = data.info
    policy = data.policy
    demand_avg = data.demand.sum(axis=0)  # MMcf/d per period
    stock = v.sum(axis=0) if v.size else np.zeros(len(data.period_ids))
    with np.errstate(invalid="ignore", divide="ignore"):
        cover = np.where(demand_avg > 0, stock * 1000 / demand_avg, 0.0)
    by = shares.groupby("supplier", sort=False)
    max_period_share = by["share"].max()  # NaN where the supplier has no share in any period
    base_volume = by["base_volume_bcf"].sum()
    base_total = float(base_volume.sum())
    in_base = set(np.array(data.supplier_ids, dtype=object)[data.source_supplier[data.in_share_base]])
    binding = constraints[constraints["binding"]]
    return {
        "status": str(result.status),
        "warnings": _warnings(data, u, q, constraints),
        "objective_musd": float(result.objective),
        "cash_cost_musd": figures.cash_cost_musd,
        "risk_penalty_musd": figures.risk_penalty_musd,
        "unserved_cost_musd": figures.unserved_cost_musd,
        "cost_breakdown_musd": {"supply": figures.supply_musd, "transport": figures.transport_musd,
                                "storage": figures.storage_musd,
                                "fixed_capacity": figures.fixed_musd,
                                "unserved_at_voll": figures.unserved_cost_musd,
                                "risk_penalty": figures.risk_penalty_musd},
        # Reservation payments on firm capacity (in the cash cost), and the part of them
        # paid for reserved capacity the plan leaves unused.
        "fixed_capacity_musd": figures.fixed_musd,
        "stranded_capacity_musd": figures.stranded_musd,
        "pass_through_bcf": float((data.pass_through[0] * data.days / 1000).sum()),
        "unserved_bcf": figures.unserved_bcf,
        "supply_bcf": figures.supply_bcf,
        "avg_cost_usd_mmbtu": figures.avg_cost_usd_mmbtu,
        "shares": {g: float(s) for g, s in zip(data.supplier_ids, figures.shares)},
        "share_of": policy.share_of,
        # Shares of the base the caps apply to (supply or imports): over the horizon, and
        # the largest in any period (the figure a period-basis cap holds down).
        "base_shares": {g: float(base_volume[g] / base_total) if base_total > 0 and g in in_base
                        else None for g in data.supplier_ids},
        "max_period_shares": {g: None if np.isnan(max_period_share.get(g, np.nan))
                              else float(max_period_share[g]) for g in data.supplier_ids},
        "hhi": figures.hhi,
        "import_dependence": figures.import_dependence,
        "risk_exposure": figures.risk_exposure,
        "storage_cover_days": float(cover.mean()) if cover.size else 0.0,
        "storage_capacity_days": float(data.working_gas.sum() * 1000 / demand_avg.mean())
        if demand_avg.mean() > 0 else 0.0,
        "binding_constraints": int(len(binding)),
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
                   "share_limits": [{"name": r.name, "group_type": r.group_type, "group": r.group,
                                     "sense": r.sense, "share": r.bound,
                                     "basis": "horizon" if r.periods is None else "period",
                                     "periods": None if r.periods is None or len(r.periods) == len(data.period_ids)
                                     else [data.period_ids[t] for t in r.periods]}
                                    for r in data.share_rules]},
    }


def _warnings(data: ModelData, u: np.ndarray, q: np.ndarray, constraints: pd.DataFrame) -> list[str]:
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

    shares = constraints[constraints["family"].isin([SHARE_CAP, SHARE_MIN])]
    short_ids = {p for p, s in zip(data.period_ids, short) if s}
    tight = shares[(shares["slack"].abs() <= BINDING_TOLERANCE)
                   & (shares["period"].isin(short_ids) | (shares["period"] == "horizon"))]
    if len(tight):
        names = ", ".join(dict.fromkeys(tight["name"]))
        advice = ("a looser limit, the horizon basis (--share-basis horizon)"
                  if data.policy.share_basis == "period" else "a looser limit")
        notes.append(f"{volume:,.1f} Bcf of demand is unserved ({when}) while share limits hold "
                     f"it back ({names}): the limits, not only the network, cause the shortfall. "
                     f"Try {advice}, or more capacity for other suppliers.")

    cover = constraints[constraints["family"] == STORAGE_COVER]
    held = cover[(cover["slack"].abs() <= BINDING_TOLERANCE * (1 + cover["limit"].abs()))
                 & cover["period"].isin(short_ids)]
    if len(held):
        names = ", ".join(dict.fromkeys(held["name"]))
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
