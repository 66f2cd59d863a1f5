"""A plan's tables, built from its arrays when first asked for (results/plan.py).

Tables (pandas DataFrames, one row per item × period, rows in the case's period order):
  flows          period, source, supplier, kind, entry, node, flow_mmcfd, volume_bcf,
                 price_usd_mmbtu, cost_musd, risk_penalty_musd
  storage        period, storage, node, injection_mmcfd, withdrawal_mmcfd, stock_bcf, floor_bcf,
                 working_gas_bcf, cost_musd, in_service
  transport      period, arc, from_node, to_node, flow_mmcfd, capacity_mmcfd, utilisation, cost_musd
  prices         period, node, demand_mmcfd, unserved_mmcfd, marginal_cost_usd_mmbtu
  shares         period, supplier, volume_bcf, base_volume_bcf, share, cap
  constraints    family, name, period, limit, value, slack, shadow_price, unit, binding
  lng_prices     period, source, origin, entry, pricing, market, fob_usd_mmbtu,
                 freight_usd_mmbtu, delivered_usd_mmbtu          (a case with LNG origins)
  firm_capacity  period, asset, kind, firm_mmcfd, unused_mmcfd, fixed_musd, stranded_musd
  pass_through   period, export, entry, node, feed_mmcfd, carried_mmcfd, curtailed_mmcfd
  demand_tiers   period, node, tier, demand_mmcfd, unserved_mmcfd, unserved_bcf,
                 value_usd_mmbtu, cost_musd                     (a case with demand tiers)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..formulation.arrays import ModelData, netback, source_prices
from ..formulation.blocks import ENTRY, FLOW, INJECT, ORIGIN, WITHDRAW, capacity_derivatives
from ..formulation.constraints import Columns
from ..formulation.names import (ENTRY_CAPACITY, ORIGIN_CAPACITY, SHARE_LIMIT, STORAGE_COVER,
                                 STORAGE_DAYS)
from .metrics import base_shares, stranded_capacity
from .savings import saving

# The `family` column of constraints.csv: the kind of limit each row is.
SHARE_CAP, SHARE_MIN = "share_cap", "share_min"
ARC_CAPACITY = "arc_capacity"
STORAGE_INJECTION, STORAGE_WITHDRAWAL, STORAGE_WORKING_GAS = \
    "storage_injection", "storage_withdrawal", "storage_working_gas"
# Rows whose slack is within this (in their own units) count as binding.
BINDING_TOLERANCE = 1e-6
# Solver noise: values this small are written and read as 0 (no "-0.000000" in a CSV).
NOISE = 1e-9
CONSTRAINT_COLUMNS = ("family", "name", "period", "limit", "value", "slack", "shadow_price",
                      "unit")


def denoise(values) -> np.ndarray:
    """`values` with solver noise (|v| < NOISE) set to 0."""
    values = np.asarray(values, dtype=float)
    return np.where(np.abs(values) < NOISE, 0.0, values)


@dataclass(frozen=True)
class Solution:
    """A plan's primal values as arrays in model order (MMcf/d; stock in Bcf)."""

    supply: np.ndarray    # S × T
    flow: np.ndarray      # A × T
    inject: np.ndarray    # K × T
    withdraw: np.ndarray  # K × T
    stock: np.ndarray     # K × T
    unserved: np.ndarray  # N × T
    # X × T: export feed gas the system did not carry (none without exports)
    curtailed: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    # R × T: the demand of each tier left unserved (none without demand tiers)
    tiers: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    def denoised(self) -> "Solution":
        return Solution(*(denoise(a) for a in (self.supply, self.flow, self.inject,
                                               self.withdraw, self.stock, self.unserved,
                                               self.curtailed, self.tiers)))


def period_major(periods, items: dict, values: dict) -> pd.DataFrame:
    """A tidy table from item × period arrays: rows in time order (the case's period
    order, not the ids' alphabetical one), items in model order within each period.
    Solver noise is written as 0 (denoise)."""
    periods = np.asarray(periods, dtype=object)
    T = len(periods)
    n = len(next(iter(items.values())))
    frame = {"period": np.repeat(periods, n),
             **{k: np.tile(np.asarray(a, dtype=object), T) for k, a in items.items()}}
    for k, a in values.items():
        column = np.broadcast_to(np.asarray(a, dtype=float), (n, T)).T.ravel()
        frame[k] = denoise(column)
    return pd.DataFrame(frame)


def _names(ids, index) -> np.ndarray:
    return np.array(ids, dtype=object)[index]


def flows_table(d: ModelData, x: Solution) -> pd.DataFrame:
    q, wt = x.supply, d.weight
    return period_major(
        d.period_ids,
        {"source": d.source_ids, "supplier": _names(d.supplier_ids, d.source_supplier),
         "kind": d.source_kind, "entry": _names(d.entry_ids, d.source_entry),
         "node": _names(d.node_ids, d.source_node)},
        {"flow_mmcfd": q, "volume_bcf": q * d.days / 1000, "price_usd_mmbtu": d.price,
         "cost_musd": wt * d.price * q,
         "risk_penalty_musd": wt * d.risk_weight * d.risk[:, None] * q})


def storage_table(d: ModelData, x: Solution) -> pd.DataFrame:
    K, T = len(d.storage_ids), len(d.period_ids)
    cost = d.weight * (d.injection_cost[:, None] * x.inject + d.withdrawal_cost[:, None] * x.withdraw)
    table = period_major(
        d.period_ids, {"storage": d.storage_ids, "node": _names(d.node_ids, d.storage_node)},
        {"injection_mmcfd": x.inject, "withdrawal_mmcfd": x.withdraw, "stock_bcf": x.stock,
         "floor_bcf": d.floor, "working_gas_bcf": np.broadcast_to(d.working_gas[:, None], (K, T)),
         "cost_musd": cost})
    # A site not yet in service holds nothing and has no capacity to show (charts leave it out).
    table["in_service"] = d.storage_active.T.ravel() if K else np.zeros(0, dtype=bool)
    return table


def transport_table(d: ModelData, x: Solution) -> pd.DataFrame:
    A, T = len(d.arc_ids), len(d.period_ids)
    capacity = np.broadcast_to(d.arc_capacity[:, None], (A, T))
    with np.errstate(invalid="ignore", divide="ignore"):
        utilisation = np.where(capacity > 0, x.flow / capacity, 0.0)
    return period_major(
        d.period_ids, {"arc": d.arc_ids, "from_node": _names(d.node_ids, d.arc_from),
                       "to_node": _names(d.node_ids, d.arc_to)},
        {"flow_mmcfd": x.flow, "capacity_mmcfd": capacity, "utilisation": utilisation,
         "cost_musd": d.weight * d.arc_tariff[:, None] * x.flow})


def prices_table(d: ModelData, x: Solution, marginal: np.ndarray) -> pd.DataFrame:
    return period_major(d.period_ids, {"node": d.node_ids},
                        {"demand_mmcfd": d.demand, "unserved_mmcfd": x.unserved,
                         "marginal_cost_usd_mmbtu": marginal})


def demand_tiers_table(d: ModelData, x: Solution) -> pd.DataFrame:
    """Per period and demand tier (demand_tiers.csv; protected demand last at each node):
    the tier's demand, what was left unserved, its value and what that cost."""
    demand = d.tier_share[:, None] * d.demand[d.tier_node]
    return period_major(
        d.period_ids, {"node": _names(d.node_ids, d.tier_node), "tier": d.tier_ids},
        {"demand_mmcfd": demand, "unserved_mmcfd": x.tiers, "unserved_bcf": x.tiers * d.days / 1000,
         "value_usd_mmbtu": np.broadcast_to(d.tier_values[:, None], demand.shape),
         "cost_musd": d.weight * d.tier_values[:, None] * x.tiers})


def supplier_caps(d: ModelData) -> np.ndarray:
    """G × T: the cap a supplier's share must keep under in each period (NaN: none). A
    horizon-basis cap holds only on the average, so it is not shown against periods."""
    G, T = len(d.supplier_ids), len(d.period_ids)
    caps = np.full((G, T), np.nan)
    index = {g: i for i, g in enumerate(d.supplier_ids)}
    for rule in d.share_rules:
        if rule.group_type == "supplier" and rule.sense == "<=" and rule.periods is not None:
            ts = list(rule.periods)
            caps[index[rule.group], ts] = np.fmin(caps[index[rule.group], ts], rule.bound)
    return caps


def shares_table(d: ModelData, x: Solution) -> pd.DataFrame:
    """Each supplier's share of the share base in each period — the quantity caps limit —
    with its cap where one applies. The base is all supply, or imports when the policy
    says `share_of="imports"`; a supplier with no source in the base (domestic gas, then)
    has no share (NaN)."""
    G, T = len(d.supplier_ids), len(d.period_ids)
    by_supplier = np.zeros((G, T))
    np.add.at(by_supplier, d.source_supplier, x.supply)
    in_base_volume, share, _ = base_shares(d, x.supply)
    return period_major(d.period_ids, {"supplier": d.supplier_ids},
                        {"volume_bcf": by_supplier * d.days / 1000,
                         "base_volume_bcf": in_base_volume * d.days / 1000,
                         "share": share, "cap": supplier_caps(d)})


def lng_prices_table(d: ModelData) -> pd.DataFrame:
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
    table = period_major(
        d.period_ids,
        {"source": _names(d.source_ids, with_origin),
         "origin": _names(d.origin_ids, d.source_origin[with_origin]),
         "entry": _names(d.entry_ids, d.source_entry[with_origin]),
         "pricing": d.source_pricing[with_origin]},
        {"fob_usd_mmbtu": fob[with_origin], "freight_usd_mmbtu": freight,
         "delivered_usd_mmbtu": delivered})
    table.insert(5, "market", hubs[best.T.ravel()])
    return table


def firm_capacity_table(d: ModelData, x: Solution) -> pd.DataFrame:
    """period × entry or arc with firm capacity: reserved, unused, the reservation paid and
    the part of it stranded (reserved but unused), million USD."""
    unused, stranded = stranded_capacity(d, x.supply, x.flow)
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
    return period_major(d.period_ids, {"asset": names[keep], "kind": kinds[keep]},
                        {"firm_mmcfd": np.where(in_service, firm[:, None], 0.0)[keep],
                         "unused_mmcfd": unused[keep], "fixed_musd": paid[keep],
                         "stranded_musd": stranded[keep]})


def pass_through_table(d: ModelData, x: Solution) -> pd.DataFrame:
    """period × LNG export plant: feed gas asked, carried and curtailed (MMcf/d), its entry
    and node."""
    if not len(d.export_ids):
        return pd.DataFrame()
    return period_major(d.period_ids,
                        {"export": d.export_ids, "entry": _names(d.entry_ids, d.export_entry),
                         "node": _names(d.node_ids, d.export_node)},
                        {"feed_mmcfd": d.export_feed, "carried_mmcfd": d.export_feed - x.curtailed,
                         "curtailed_mmcfd": x.curtailed})


# --- the limits and their shadow prices -------------------------------------------------

@dataclass(frozen=True)
class ConstraintFacts:
    """Every share limit and capacity with its value, slack and shadow price, as columns
    (CONSTRAINT_COLUMNS and `binding`): what the summary counts and constraints.csv shows."""

    columns: dict

    @property
    def binding(self) -> np.ndarray:
        return self.columns["binding"]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.columns)


def constraint_facts(d: ModelData, cols: Columns, model, x: np.ndarray, row_dual: np.ndarray,
                     col_dual: np.ndarray, activity: np.ndarray) -> ConstraintFacts:
    """Each share limit and capacity with its slack and shadow price.

    shadow_price is what loosening the limit by one planner step in the row's period
    saves, million USD (savings.saving: +1 pp of a cap, +100 MMcf/d of a capacity, +1 Bcf
    of working gas, 1 Bcf less of required stock), from the duals' ∂objective/∂limit:
    positive on a binding limit. A row is binding where its slack is within
    BINDING_TOLERANCE·(1 + |limit|) and its shadow price is not zero.
    """
    y, dj = row_dual, col_dual
    T = len(d.period_ids)
    period_index = {p: t for t, p in enumerate(d.period_ids)}
    parts: list[dict] = []

    def add(family, names, periods, limit, value, derivative, slack=None):
        """Rows of `family`; `derivative` is ∂objective/∂limit per unit of the limit."""
        shadow, unit = saving(family, derivative)
        limit = np.asarray(limit, dtype=float)
        value = np.asarray(value, dtype=float)
        n = len(limit)
        parts.append({"family": np.full(n, family, dtype=object),
                      "name": np.asarray(names, dtype=object),
                      "period": np.asarray(periods, dtype=object), "limit": limit, "value": value,
                      "slack": limit - value if slack is None else np.asarray(slack, dtype=float),
                      "shadow_price": np.asarray(shadow, dtype=float),
                      "unit": np.full(n, unit, dtype=object)})

    # Share limits: row  Σ_g q − σ·Σ_B q (≤ or ≥) 0, so ∂obj/∂σ = y · Σ_B q.
    base_q = x[cols.supply][d.in_share_base]
    for block in model.block(SHARE_LIMIT):
        rows = []
        for i, (name, period), index in zip(range(block.start, block.stop), block.labels,
                                            block.origin):
            rule = d.share_rules[index]
            if rule.periods is None:  # one row over the horizon, days-weighted
                base = float((base_q.sum(axis=0) * d.days).sum())
            else:  # one row per period: the label names it
                base = float(base_q[:, period_index[period]].sum())
            # The row reads group − σ·base (≤ or ≥) 0. With no supply in the base the share
            # is undefined and the row is tight (0 = 0): it is what holds supply at zero.
            share = activity[i] / base + rule.bound if base > 0 else np.nan
            slack = abs(activity[i]) / base if base > 0 else 0.0
            rows.append((name, period, rule.bound, share, slack, y[i] * base))
        if rows:
            names, periods, limit, share, slack, derivative = zip(*rows)
            add(SHARE_CAP if block.sense == "<=" else SHARE_MIN, names, periods, limit, share,
                derivative, slack=slack)

    # A capacity also bounds the day blocks of its period (formulation/blocks.py): what
    # their rows and bounds add to its derivative, and a capacity that binds on some day
    # of the period binds (its monthly average may stay below it).
    days = capacity_derivatives(d, model, cols, y, dj)

    def on_days(kind: str, items: list[str], names, periods) -> np.ndarray:
        if kind not in days:
            return np.zeros(len(names))
        row = {item: i for i, item in enumerate(items)}
        return np.array([days[kind][row[n], period_index[p]] for n, p in zip(names, periods)])

    for family, kind, items in ((ENTRY_CAPACITY, ENTRY, d.entry_ids), (ORIGIN_CAPACITY, ORIGIN, d.origin_ids)):
        for block in model.block(family):
            i = np.arange(block.start, block.stop)
            names, periods = zip(*block.labels)
            extra = on_days(kind, items, names, periods)
            slack = np.where(extra < 0, 0.0, block.rhs - activity[i])
            add(family, names, periods, block.rhs, activity[i], y[i] + extra, slack=slack)

    # Capacities held as column bounds: the reduced cost of a column at its upper bound is
    # ∂obj/∂bound (≤ 0), per MMcf/d of a rate or per Bcf of working gas, in its period.
    def bound_capacity(family, names, columns, kind=None):
        upper = model.col_upper[columns]
        value = x[columns]
        at_upper = upper - value <= BINDING_TOLERANCE * (1 + np.abs(upper))
        shadow = np.where(at_upper, np.minimum(dj[columns], 0.0), 0.0)
        extra = days[kind] if kind in days else np.zeros_like(shadow)
        shadow = shadow + extra
        # A column fixed at zero (a site not yet in service) has no defined marginal value:
        # its reduced cost is whatever the degenerate basis makes it. Leave it blank.
        fixed = upper <= model.col_lower[columns] + BINDING_TOLERANCE
        shadow = np.where(fixed, np.nan, shadow)
        slack = np.where(extra < 0, 0.0, upper - value)
        add(family, np.repeat(np.asarray(names, dtype=object), T),
            np.tile(np.asarray(d.period_ids, dtype=object), len(names)),
            upper.ravel(), value.ravel(), shadow.ravel(), slack=slack.ravel())

    bound_capacity(ARC_CAPACITY, d.arc_ids, cols.flow, FLOW)
    bound_capacity(STORAGE_INJECTION, d.storage_ids, cols.inject, INJECT)
    bound_capacity(STORAGE_WITHDRAWAL, d.storage_ids, cols.withdraw, WITHDRAW)
    bound_capacity(STORAGE_WORKING_GAS, d.storage_ids, cols.stock)

    # Storage policy rows (storage_policy.py), in Bcf: the stock held against the stock
    # required (a minimum: the slack is the stock above it); the dual is the cost of
    # requiring one Bcf more.
    for block in model.block(STORAGE_DAYS) + model.block(STORAGE_COVER):
        i = np.arange(block.start, block.stop)
        names, periods = zip(*block.labels)
        if block.family == STORAGE_DAYS:
            stock, required = activity[i], block.rhs
        else:
            stock = activity[i] + _cover_requirement(d, cols, x, block)
            required = stock - activity[i]
        add(block.family, names, periods, required, stock, y[i], slack=stock - required)

    columns = {c: np.concatenate([p[c] for p in parts]) if parts else
               np.zeros(0, dtype=object if c in ("family", "name", "period", "unit") else float)
               for c in CONSTRAINT_COLUMNS}
    for c in ("value", "slack", "shadow_price"):  # solver noise, not "-0.000000"
        columns[c] = denoise(columns[c])
    with np.errstate(invalid="ignore"):
        columns["binding"] = ((np.abs(columns["slack"]) <= BINDING_TOLERANCE
                               * (1 + np.abs(columns["limit"])))
                              & (np.abs(columns["shadow_price"]) > NOISE))
    return ConstraintFacts(columns)


def _cover_requirement(d: ModelData, cols: Columns, x: np.ndarray, block) -> np.ndarray:
    """D_t/1000 × each covered supplier's imported flow (Bcf), for the rows of a cover block."""
    period_index = {p: t for t, p in enumerate(d.period_ids)}
    supplier_index = {g: i for i, g in enumerate(d.supplier_ids)}
    q = x[cols.supply]
    imported = d.source_kind != "domestic"
    out = []
    for supplier, period in block.labels:
        members = (d.source_supplier == supplier_index[supplier]) & imported
        t = period_index[period]
        out.append(d.cover_days[t] / 1000.0 * q[members, t].sum())
    return np.array(out)
