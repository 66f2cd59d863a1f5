"""The variables, the objective and the physical and policy constraint families of the
deterministic model. Each family is one function whose docstring is its equation; the
registry (families.py) lists them, and docs/model.md is generated from it.

Notation: periods t with d_t days; nodes n; sources s, with supplier g(s) and entry e(s) at
node n(s); arcs a; storage sites k. E converts MMcf/d × days × USD/MMBtu into million USD
and w_t = d_t·E weighs a period's rates into its cost. Variables: q supply, f arc flow,
y_in injection, y_out withdrawal, v stock, u unserved gas, b the share base.

Rows are built in bulk from index arrays (no Python loop over terms), and every row is
labelled (item, period). Families read only the prepared arrays (arrays.ModelData).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..lp.linear_model import LabelGrid, LinearModel
from .arrays import ModelData
from .names import BALANCE, DEMAND_TIERS, ENTRY_CAPACITY, ORIGIN_CAPACITY, SHARE_BASE, \
    SHARE_LIMIT, SOURCE_MINIMUM, STORAGE_BALANCE, STORAGE_END, STORAGE_FLOOR, STORAGE_RATCHET

_NONE = np.zeros(0, dtype=int)


@dataclass
class Columns:
    """Column indices of each variable, shaped item × period."""

    supply: np.ndarray     # q[s,t], S × T, MMcf/d
    flow: np.ndarray       # f[a,t], A × T, MMcf/d
    inject: np.ndarray     # y_in[k,t], K × T, MMcf/d
    withdraw: np.ndarray   # y_out[k,t], K × T, MMcf/d
    stock: np.ndarray      # v[k,t], K × T, Bcf at the end of t
    unserved: np.ndarray   # u[n,t], N × T, MMcf/d
    share_base: np.ndarray  # b[t], T (empty without share limits), MMcf/d
    # Two-stage model only (two_stage.py): c[s,t] contracted volume of s ∈ C, shared by the
    # scenarios, and z[s,t] contracted gas paid for but not taken (s ∈ C with τ_s > 0).
    contract: np.ndarray = field(default_factory=lambda: _NONE)
    contracted: np.ndarray = field(default_factory=lambda: _NONE)  # C: the sources of c's rows
    unpaid: np.ndarray = field(default_factory=lambda: _NONE)
    # r[x,t], X × T, MMcf/d: feed gas of LNG export plants the system does not carry.
    curtailed: np.ndarray = field(default_factory=lambda: _NONE)
    # ℓ[i,t], R × T, MMcf/d: the demand of tier i left unserved (demand_tiers.csv).
    tiers: np.ndarray = field(default_factory=lambda: _NONE)
    # The day blocks' own columns (blocks.BlockColumns; None without blocks), set by their
    # family; and, in a scenario of the two-stage model, its name tag, the weight of its
    # costs in the objective and its unit costs (what cost_ω counts).
    blocks: object = None
    tag: str = ""
    objective_weight: float = 1.0
    unit_cost: dict | None = None


def labels(items: list[str], periods: list[str]) -> LabelGrid:
    """(item, period) for every item × period, item-major: the order of a block's rows
    (a sequence made on demand, not a list of tuples held through the solve)."""
    return LabelGrid(items, periods)


def define_variables(m: LinearModel, d: ModelData) -> Columns:
    """Variables (all ≥ 0) and the objective, in million USD:

        min Σ_t w_t·( Σ_s (price[s,t] + λ·risk[g(s)])·q[s,t] + Σ_a tariff_a·f[a,t]
                      + Σ_k (cost_in_k·y_in[k,t] + cost_out_k·y_out[k,t])
                      + VOLL·Σ_n u[n,t] + c_X·Σ_x r[x,t] )  +  F
        (with demand tiers: Σ_i value_i·ℓ[i,t] in place of VOLL·Σ_n u[n,t])

    w_t = d_t·E, E = heat content (MMBtu/Mcf) × 1000 / 10⁶. price[s,t] = multiplier_s ×
    hub_price[hub(s),t] + adder_s + tariff_e(s) (without a hub: adder_s + tariff_e(s)).
    q, f, y_in, y_out, u in MMcf/d; v in Bcf (no cost); b in MMcf/d (no cost). The risk
    term λ·risk is a penalty, not cash: the plan reports the two apart. r[x,t] ≤ feed[x,t]
    is export feed gas left uncarried, at c_X = export_curtailment_usd_mmbtu (VOLL if unset).
    F = Σ_t fixed[t], the reservation payments on firm capacity (arrays.fixed_payments): a
    constant, paid whatever flows, part of the cash cost.
    """
    T = len(d.period_ids)
    wt = d.weight[None, :]

    def block(name, items, cost):
        cols = m.add_variables(name, labels(items, d.period_ids), cost=cost.ravel())
        return cols.reshape(len(items), T)

    K = len(d.storage_ids)
    if not m.elastic:  # the diagnosis prices violations only
        m.offset = float(d.fixed_cost.sum())
    return Columns(
        supply=block("q", d.source_ids, supply_cost(d)),
        flow=block("f", d.arc_ids, wt * np.broadcast_to(d.arc_tariff[:, None], (len(d.arc_ids), T))),
        inject=block("y_in", d.storage_ids, wt * np.broadcast_to(d.injection_cost[:, None], (K, T))),
        withdraw=block("y_out", d.storage_ids, wt * np.broadcast_to(d.withdrawal_cost[:, None], (K, T))),
        stock=block("v", d.storage_ids, np.zeros((K, T))),
        unserved=block("u", d.node_ids, unserved_cost(d)),
        share_base=m.add_variables("b", list(d.period_ids)) if d.share_rules else _NONE,
        curtailed=curtailment_columns(m, d, block),
        tiers=tier_columns(m, d, block),
    )


def tier_columns(m: LinearModel, d: ModelData, block) -> np.ndarray:
    """ℓ[i,t] for each demand tier, 0 ≤ ℓ ≤ share_i·demand[n(i),t], at w_t·value_i (none
    without demand tiers). `block(name, items, cost)` adds a priced item × period block."""
    if not len(d.tier_ids):
        return _NONE
    items = [f"{d.node_ids[n]}:{tier}" for n, tier in zip(d.tier_node, d.tier_ids)]
    cols = block("u_tier", items, tier_cost(d))
    m.set_upper(cols.ravel(), tier_bounds(d).ravel())
    return cols


def tier_cost(d: ModelData) -> np.ndarray:
    """Objective coefficient of ℓ[i,t]: w_t·value_i (protected demand: VOLL), R × T."""
    return d.weight[None, :] * d.tier_values[:, None]


def tier_bounds(d: ModelData) -> np.ndarray:
    """Upper bound of ℓ[i,t]: share_i·demand[n(i),t], R × T."""
    return d.tier_share[:, None] * d.demand[d.tier_node]


def curtailment_columns(m: LinearModel, d: ModelData, block) -> np.ndarray:
    """r[x,t] for each export plant, 0 ≤ r ≤ feed[x,t], at its curtailment cost (none
    without exports). `block(name, items, cost)` adds a priced item × period block."""
    if not len(d.export_ids):
        return _NONE
    cols = block("r", d.export_ids, curtailment_cost(d))
    m.set_upper(cols.ravel(), d.export_feed.ravel())
    return cols


def curtailment_cost(d: ModelData) -> np.ndarray:
    """Objective coefficient of r[x,t]: w_t·c_X, X × T."""
    return np.broadcast_to(d.weight[None, :] * d.export_curtailment,
                           (len(d.export_ids), len(d.period_ids)))


def supply_cost(d: ModelData) -> np.ndarray:
    """Objective coefficient of q[s,t]: w_t·(price[s,t] + λ·risk[g(s)]), S × T."""
    return d.weight[None, :] * (d.price + d.risk_weight * d.risk[:, None])


def unserved_cost(d: ModelData) -> np.ndarray:
    """Objective coefficient of u[n,t]: w_t·VOLL, N × T; 0 with demand tiers, whose
    columns ℓ carry the cost of the gas left unserved (define_demand_tiers)."""
    voll = 0.0 if len(d.tier_ids) else d.voll
    return np.broadcast_to(d.weight[None, :] * voll, (len(d.node_ids), len(d.period_ids)))


def supply_bounds(d: ModelData) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) of q[s,t] once exclusions apply: an excluded supplier's sources are
    fixed at 0, contract minimums included (the source-bound and exclusion families)."""
    lower = np.where(d.excluded[:, None], 0.0, d.source_min)
    upper = np.where(d.excluded[:, None], 0.0, d.source_max)
    return lower, upper


def define_balance(m: LinearModel, d: ModelData, c: Columns) -> None:
    """balance[n,t], and the bound of unserved gas:

        Σ_{s: n(s)=n} q[s,t] + Σ_{a: to(a)=n} f[a,t] − Σ_{a: from(a)=n} f[a,t]
            + Σ_{k at n} (y_out[k,t] − y_in[k,t]) + u[n,t]
            + Σ_{x at n} r[x,t] − Σ_{x: node(entry(x))=n} r[x,t] = demand[n,t] + transit[n,t]
        0 ≤ u[n,t] ≤ demand[n,t]

    Unserved gas stands for demand that is not met, so it never exceeds that demand: it
    cannot be injected into storage or shipped on. transit[n,t] is the pass-through feed
    gas of LNG export plants (exports.csv): + at the plant's node, − at the node of the
    entry it comes through (arrays.pass_through); 0 without exports. The feed left
    uncarried, r, is taken off both ends: the plant draws feed − r, its entry brings in
    feed − r.
    """
    T = len(d.period_ids)
    t = np.arange(T)

    def row(node_of_item: np.ndarray) -> np.ndarray:
        return (node_of_item[:, None] * T + t[None, :]).ravel()

    nodes = np.arange(len(d.node_ids))
    rows = [row(d.source_node), row(d.arc_to), row(d.arc_from), row(d.storage_node),
            row(d.storage_node), row(nodes)]
    cols = [c.supply, c.flow, c.flow, c.withdraw, c.inject, c.unserved]
    signs = [1.0, 1.0, -1.0, 1.0, -1.0, 1.0]
    if c.curtailed.size:
        rows += [row(d.export_node), row(d.entry_node[d.export_entry])]
        cols += [c.curtailed, c.curtailed]
        signs += [1.0, -1.0]
    _, _, transit = d.pass_through
    m.add_rows(BALANCE, labels(d.node_ids, d.period_ids), "==",
               np.concatenate(rows), np.concatenate([x.ravel() for x in cols]),
               np.concatenate([np.full(x.size, s) for x, s in zip(cols, signs)]),
               (d.demand + transit).ravel())
    m.set_upper(c.unserved.ravel(), d.demand.ravel())


def define_demand_tiers(m: LinearModel, d: ModelData, c: Columns) -> None:
    """demand_tiers[n,t] (with demand_tiers.csv):

        u[n,t] − Σ_{i at n} ℓ[i,t] = 0,    0 ≤ ℓ[i,t] ≤ share_i·demand[n,t]

    ℓ[i,t] is the demand of tier i left unserved, at w_t·value_i in the objective: a node's
    curtailable tiers (fuel switching at the substitute's price, industry at the value of
    its output; value_i = min(its value, VOLL)) and its protected demand (share
    1 − Σ shares, at VOLL). u keeps the node's
    total unserved gas (the balance family) at no cost of its own, so the cheapest tiers
    give way first. Without tiers there are no rows and u costs VOLL.
    """
    if not c.tiers.size:
        return
    T = len(d.period_ids)
    t = np.arange(T)
    rows = np.concatenate([np.arange(len(d.node_ids) * T),
                           (d.tier_node[:, None] * T + t[None, :]).ravel()])
    m.add_rows(DEMAND_TIERS, labels(d.node_ids, d.period_ids), "==", rows,
               np.concatenate([c.unserved.ravel(), c.tiers.ravel()]),
               np.concatenate([np.ones(c.unserved.size), -np.ones(c.tiers.size)]), 0.0)


def define_storage_ratchet(m: LinearModel, d: ModelData, c: Columns) -> None:
    """storage_ratchet[k,t] (sites with withdrawal_at_empty_share ρ_k < 1, in service):

        y_out[k,t] ≤ withdrawal_k · (ρ_k + (1 − ρ_k) · v[k,t−1] / working_gas_k)

    v[k,0] = initial_k. The withdrawal rate falls linearly as the stock falls, from the full
    rate at working gas to ρ_k of it when empty (the pressure of a depleted field or
    aquifer). The stock read is the one at the start of the period, so within a long
    period the ratchet is that of its first day.
    """
    K, T = c.stock.shape
    rho = d.withdrawal_at_empty
    sites = [k for k in range(K) if rho[k] < 1.0 and d.working_gas[k] > 0]
    if not sites:
        return
    row_labels, rows, cols, vals, rhs = [], [], [], [], []
    for k in sites:
        slope = d.withdrawal_rate[k] * (1.0 - rho[k]) / d.working_gas[k]  # T, per Bcf
        for t in np.flatnonzero(d.storage_active[k]):
            r = len(row_labels)
            row_labels.append((d.storage_ids[k], d.period_ids[t]))
            rows.append(r), cols.append(c.withdraw[k, t]), vals.append(1.0)
            limit = d.withdrawal_rate[k, t] * rho[k]
            if t == 0:
                limit += slope[t] * d.initial[k]
            else:
                rows.append(r), cols.append(c.stock[k, t - 1]), vals.append(-slope[t])
            rhs.append(limit)
    m.add_rows(STORAGE_RATCHET, row_labels, "<=", np.array(rows), np.array(cols),
               np.array(vals), np.array(rhs))


def define_entry_capacity(m: LinearModel, d: ModelData, c: Columns) -> None:
    """entry_capacity[e,t]:  Σ_{s: e(s)=e} q[s,t] − Σ_{x: entry(x)=e} r[x,t] ≤ capacity[e,t] − reserved[e,t]

    capacity[e,t] is the entry's capacity (entry_capacity.csv overrides capacity_mmcfd by
    period), 0 outside its service window; reserved[e,t] the pass-through feed gas it is
    asked to carry for LNG export plants (arrays.pass_through; 0 without exports), less
    what is curtailed (r). Only entries that some source or export uses get a row.
    """
    T = len(d.period_ids)
    used = np.unique(np.concatenate([d.source_entry, d.export_entry]).astype(int))
    position = {e: i for i, e in enumerate(used)}

    def row(entry_of_item: np.ndarray) -> np.ndarray:
        at = np.array([position[e] for e in entry_of_item], dtype=int)
        return (at[:, None] * T + np.arange(T)[None, :]).ravel()

    _, reserved, _ = d.pass_through
    rows, cols, values = [row(d.source_entry)], [c.supply.ravel()], [np.ones(c.supply.size)]
    if c.curtailed.size:
        rows.append(row(d.export_entry))
        cols.append(c.curtailed.ravel())
        values.append(-np.ones(c.curtailed.size))
    m.add_rows(ENTRY_CAPACITY, labels([d.entry_ids[e] for e in used], d.period_ids), "<=",
               np.concatenate(rows), np.concatenate(cols), np.concatenate(values),
               (d.entry_capacity - reserved)[used].ravel())


def define_origin_capacity(m: LinearModel, d: ModelData, c: Columns) -> None:
    """origin_capacity[o,t]:  Σ_{s: origin(s)=o} q[s,t] ≤ available[o,t]

    available[o,t] is the liquefaction capacity origin o can sell to the market
    (lng_origins.csv available_mmcfd; lng_origin_capacity.csv overrides it by period), 0
    outside its window; an origin without a limit gets no row.
    """
    row_labels, rows, cols, rhs = [], [], [], []
    for o, origin in enumerate(d.origin_ids):
        members = np.flatnonzero(d.source_origin == o)
        limited = np.flatnonzero(np.isfinite(d.origin_available[o]))
        if not len(members) or not len(limited):
            continue
        # one row per limited period, each over the origin's sources
        rows.append(np.repeat(len(row_labels) + np.arange(len(limited)), len(members)))
        cols.append(c.supply[np.ix_(members, limited)].T.ravel())
        row_labels.extend((origin, d.period_ids[t]) for t in limited)
        rhs.append(d.origin_available[o, limited])
    if row_labels:
        rows = np.concatenate(rows)
        m.add_rows(ORIGIN_CAPACITY, row_labels, "<=", rows, np.concatenate(cols),
                   np.ones(len(rows)), np.concatenate(rhs))


def define_source_bounds(m: LinearModel, d: ModelData, c: Columns) -> None:
    """source bounds, as column bounds:  min[s,t] ≤ q[s,t] ≤ max[s,t]

    min is the contract minimum (min_mmcfd) and max the maximum (max_mmcfd; none: +∞),
    both 0 outside the source's window, and both 0 for a source of an offer (sources.csv
    `offer`) the policy does not admit. The minimum is policy: in the elastic model that
    diagnoses an infeasible policy it is a row whose slack is priced by its volume (Bcf).
    """
    m.set_upper(c.supply.ravel(), d.source_max.ravel())
    minimum, _ = supply_bounds(d)  # an exclusion overrides a minimum: see define_exclusions
    m.set_lower(SOURCE_MINIMUM, c.supply.ravel(), minimum.ravel(),
                labels(d.source_ids, d.period_ids), elastic=True,
                slack_cost=np.broadcast_to(d.days / 1000.0, c.supply.shape).ravel())  # Bcf


def define_arc_capacity(m: LinearModel, d: ModelData, c: Columns) -> None:
    """arc capacity, as column bounds:  0 ≤ f[a,t] ≤ capacity_a"""
    T = len(d.period_ids)
    m.set_upper(c.flow.ravel(), np.repeat(d.arc_capacity, T))


def define_storage(m: LinearModel, d: ModelData, c: Columns) -> None:
    """storage[k,t]:

        v[k,t] = v[k,t−1] + d_t·(y_in[k,t] − y_out[k,t]) / 1000      (v[k,0] = initial_k before t = 1)
        floor[k,t] ≤ v[k,t] ≤ working_gas_k
        y_in[k,t] ≤ injection_k,  y_out[k,t] ≤ withdrawal_k          (both 0 before the site starts)
        v[k,T] ≥ end_target_k                                        (default: initial_k)

    Stocks in Bcf, rates in MMcf/d, hence the 1/1000. floor[k,t] is floor_bcf
    (storage_floors.csv overrides it by period), 0 before the site starts. Floors and the
    end target are policy (elastic rows, slack in Bcf, when diagnosing).
    """
    K, T = c.stock.shape
    if K == 0:
        return
    rows_labels = labels(d.storage_ids, d.period_ids)
    rows = np.arange(K * T).reshape(K, T)
    scale = d.days[None, :] / 1000.0
    m.add_rows(STORAGE_BALANCE, rows_labels, "==",
               np.concatenate([rows.ravel(), rows[:, 1:].ravel(), rows.ravel(), rows.ravel()]),
               np.concatenate([c.stock.ravel(), c.stock[:, :-1].ravel(), c.inject.ravel(),
                               c.withdraw.ravel()]),
               np.concatenate([np.ones(K * T), -np.ones(K * (T - 1)),
                               -np.broadcast_to(scale, (K, T)).ravel(),
                               np.broadcast_to(scale, (K, T)).ravel()]),
               np.column_stack([d.initial, np.zeros((K, T - 1))]).ravel())
    m.set_upper(c.stock.ravel(), np.repeat(d.working_gas, T))
    m.set_upper(c.inject.ravel(), d.injection_rate.ravel())
    m.set_upper(c.withdraw.ravel(), d.withdrawal_rate.ravel())
    m.set_lower(STORAGE_FLOOR, c.stock.ravel(), d.floor.ravel(), rows_labels, elastic=True)
    m.set_lower(STORAGE_END, c.stock[:, -1], d.end_target,
                [(k, d.period_ids[-1]) for k in d.storage_ids], elastic=True)


def define_share_limits(m: LinearModel, d: ModelData, c: Columns) -> None:
    """share limits (supplier caps, max_share, share_limits.csv) [rule, t]:

        b[t] = Σ_{s∈B} q[s,t]                                 (share_base[t])
        Σ_{s∈g} q[s,t] − σ·b[t] ≤ 0                           (a cap; a minimum: ≥ 0)

    B, the share base: every source (policy share_of = supply) or the non-domestic ones
    (share_of = imports); g: the rule's group (a supplier, a kind or one source) within B;
    σ its bound. A supplier's cap is caps[g], else max_share for every supplier with gas
    in B; a cap of 1 (or a minimum of 0) makes no row. Basis "period": one row per period
    (a share_limits row naming a period: that period only); basis "horizon": one row,
    Σ_t d_t·(Σ_{s∈g} q[s,t] − σ·b[t]) ≤ 0. b is a column of its own so that σ sits in one
    coefficient per period row (a sweep changes a cap by changing that coefficient).
    """
    if not d.share_rules:
        return
    base = np.flatnonzero(d.in_share_base)
    T = len(d.period_ids)
    m.add_rows(SHARE_BASE, list(d.period_ids), "==",
               np.concatenate([np.arange(T), np.repeat(np.arange(T), len(base))]),
               np.concatenate([c.share_base, c.supply[base].T.ravel()]),
               np.concatenate([np.ones(T), -np.ones(T * len(base))]), 0.0)
    for sense in ("<=", ">="):
        row_labels, origin, rows, cols, vals, volume = [], [], [], [], [], []
        for index, rule in enumerate(d.share_rules):
            if rule.sense != sense:
                continue
            horizon = rule.periods is None
            weights = d.days if horizon else np.ones(T)
            # Slack priced by the gas (Bcf) it stands for: at constant total supply, a row
            # short by s needs s MMcf/d swapped between the group and the rest. A period row
            # is in MMcf/d (× d_t days), a horizon row already in MMcf/d·days.
            if horizon:
                row_labels.append((rule.name, "horizon"))
                origin.append(index)
                volume.append(1 / 1000.0)
            for t in (range(T) if horizon else rule.periods):
                if not horizon:
                    row_labels.append((rule.name, d.period_ids[t]))
                    origin.append(index)
                    volume.append(d.days[t] / 1000.0)
                cols += [c.supply[rule.members, t], [c.share_base[t]]]
                vals += [np.full(len(rule.members), weights[t]), [-rule.bound * weights[t]]]
                rows.append(np.full(len(rule.members) + 1, len(row_labels) - 1))
        if row_labels:
            m.add_rows(SHARE_LIMIT, row_labels, sense, np.concatenate(rows), np.concatenate(cols),
                       np.concatenate(vals), 0.0, elastic=True, origin=origin,
                       slack_cost=np.array(volume))


def define_exclusions(m: LinearModel, d: ModelData, c: Columns) -> None:
    """exclusions:  q[s,t] = 0 for every source of an excluded supplier (e.g. sanctions).

    An exclusion overrides a contract minimum: a sanctioned supplier's contract cannot be
    honoured, so its take-or-pay is not enforced (built after the source bounds).
    """
    cols = c.supply[d.excluded].ravel()
    m.set_upper(cols, 0.0)
    m.col_lower[cols] = 0.0
