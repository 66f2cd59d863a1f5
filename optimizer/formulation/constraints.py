"""The gasmix formulation: its variables, objective and seven constraint families.

Notation (DESIGN.md): periods t with d_t days, nodes n, sources s (supplier g(s), entry
e(s) at node n(s)), arcs a, storage sites k; E converts MMcf/d × days × USD/MMBtu into
million USD, so w_t = d_t·E weighs a period's rates into its cost.

Each family is one function; its docstring is its equation. Rows are built in bulk from
index arrays (no Python loop over terms), and every row is labelled (item, period).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arrays import ModelData
from ..lp.linear_model import LinearModel


@dataclass
class Columns:
    """Column indices of each variable, shaped item × period."""

    q: np.ndarray  # supply, S × T
    f: np.ndarray  # arc flow, A × T
    x: np.ndarray  # injection, K × T
    w: np.ndarray  # withdrawal, K × T
    v: np.ndarray  # end-of-period stock, K × T
    u: np.ndarray  # unserved demand, N × T
    b: np.ndarray  # share base (total supply counted by share limits), T; empty without limits


def _labels(items: list[str], periods: list[str]) -> list[tuple[str, str]]:
    return [(i, p) for i in items for p in periods]


def define_variables(m: LinearModel, d: ModelData) -> Columns:
    """Variables (all ≥ 0) and the objective, in million USD:

        min Σ_t w_t·( Σ_s (price[s,t] + λ·risk[g(s)])·q[s,t] + Σ_a tariff_a·f[a,t]
                      + Σ_k (c_in_k·x[k,t] + c_out_k·w[k,t]) + VOLL·Σ_n u[n,t] )

    with w_t = d_t·E. q is in MMcf/d, f, x, w, u in MMcf/d, v in Bcf (no cost).
    The risk term λ·risk is a penalty, not cash: the plan reports the two apart.
    """
    T = len(d.period_ids)
    wt = d.weight[None, :]

    def block(name, items, cost):
        cols = m.add_variables(name, _labels(items, d.period_ids), cost=cost.ravel())
        return cols.reshape(len(items), T)

    K = len(d.storage_ids)
    return Columns(
        q=block("q", d.source_ids, supply_cost(d)),
        f=block("f", d.arc_ids, wt * np.broadcast_to(d.arc_tariff[:, None], (len(d.arc_ids), T))),
        x=block("x", d.storage_ids, wt * np.broadcast_to(d.injection_cost[:, None], (K, T))),
        w=block("w", d.storage_ids, wt * np.broadcast_to(d.withdrawal_cost[:, None], (K, T))),
        v=block("v", d.storage_ids, np.zeros((K, T))),
        u=block("u", d.node_ids, unserved_cost(d)),
        b=m.add_variables("b", list(d.period_ids)) if d.share_rules else np.zeros(0, dtype=int),
    )


def supply_cost(d: ModelData) -> np.ndarray:
    """Objective coefficient of q[s,t]: w_t·(price[s,t] + λ·risk[g(s)]), S × T."""
    return d.weight[None, :] * (d.price + d.risk_weight * d.risk[:, None])


def unserved_cost(d: ModelData) -> np.ndarray:
    """Objective coefficient of u[n,t]: w_t·VOLL, N × T."""
    return np.broadcast_to(d.weight[None, :] * d.voll, (len(d.node_ids), len(d.period_ids)))


def supply_bounds(d: ModelData) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) of q[s,t] once exclusions apply: an excluded supplier's sources are
    fixed at 0, contract minimums included (families 3 and 7 together)."""
    lower = np.where(d.excluded[:, None], 0.0, d.source_min)
    upper = np.where(d.excluded[:, None], 0.0, d.source_max)
    return lower, upper


def define_balance(m: LinearModel, d: ModelData, c: Columns) -> None:
    """1. balance[n,t]:

        Σ_{s: n(s)=n} q[s,t] + Σ_{a: to(a)=n} f[a,t] − Σ_{a: from(a)=n} f[a,t]
            + Σ_{k at n} (w[k,t] − x[k,t]) + u[n,t] = demand[n,t]

    Its dual divided by w_t is the marginal cost of gas at n in t (USD/MMBtu).
    """
    T = len(d.period_ids)
    t = np.arange(T)

    def row(node_of_item: np.ndarray) -> np.ndarray:
        return (node_of_item[:, None] * T + t[None, :]).ravel()

    nodes = np.arange(len(d.node_ids))
    rows = [row(d.source_node), row(d.arc_to), row(d.arc_from), row(d.storage_node),
            row(d.storage_node), row(nodes)]
    cols = [c.q, c.f, c.f, c.w, c.x, c.u]
    signs = [1.0, 1.0, -1.0, 1.0, -1.0, 1.0]
    m.add_rows("balance", _labels(d.node_ids, d.period_ids), "==",
               np.concatenate(rows), np.concatenate([x.ravel() for x in cols]),
               np.concatenate([np.full(x.size, s) for x, s in zip(cols, signs)]),
               d.demand.ravel())


def define_entry_capacity(m: LinearModel, d: ModelData, c: Columns) -> None:
    """2. entry_capacity[e,t]:  Σ_{s: e(s)=e} q[s,t] ≤ capacity[e,t]

    (capacity is 0 outside the entry's service window, e.g. Costa Azul after conversion).
    Only entries that some source uses get a row.
    """
    T = len(d.period_ids)
    used = np.unique(d.source_entry)
    position = {e: i for i, e in enumerate(used)}
    entry_row = np.array([position[e] for e in d.source_entry], dtype=int)
    rows = (entry_row[:, None] * T + np.arange(T)[None, :]).ravel()
    m.add_rows("entry_capacity", _labels([d.entry_ids[e] for e in used], d.period_ids), "<=",
               rows, c.q.ravel(), np.ones(c.q.size), d.entry_capacity[used].ravel())


def define_source_bounds(m: LinearModel, d: ModelData, c: Columns) -> None:
    """3. source bounds, as column bounds:  min[s,t] ≤ q[s,t] ≤ max[s,t]

    min is the contract minimum (take-or-pay) and max the contract or field maximum, both 0
    outside the source's window. The minimum is policy (elastic when diagnosing).
    """
    m.set_upper(c.q.ravel(), d.source_max.ravel())
    minimum, _ = supply_bounds(d)  # an exclusion overrides a minimum: see define_exclusions
    m.set_lower("source_minimum", c.q.ravel(), minimum.ravel(),
                _labels(d.source_ids, d.period_ids), elastic=True,
                slack_cost=np.broadcast_to(d.days / 1000.0, c.q.shape).ravel())  # Bcf


def define_arc_capacity(m: LinearModel, d: ModelData, c: Columns) -> None:
    """4. arc capacity, as column bounds:  0 ≤ f[a,t] ≤ capacity_a"""
    T = len(d.period_ids)
    m.set_upper(c.f.ravel(), np.repeat(d.arc_capacity, T))


def define_storage(m: LinearModel, d: ModelData, c: Columns) -> None:
    """5. storage[k,t]:

        v[k,t] = v[k,t−1] + d_t·(x[k,t] − w[k,t]) / 1000        (v[k,0−1] = initial_k)
        floor[k,t] ≤ v[k,t] ≤ working_gas_k
        x[k,t] ≤ injection_k,  w[k,t] ≤ withdrawal_k          (both 0 before the site starts)
        v[k,T] ≥ end_target_k                                 (default: initial_k)

    Stocks in Bcf, rates in MMcf/d, hence the 1/1000. Floors and the end target are policy
    (elastic when diagnosing).
    """
    K, T = c.v.shape
    if K == 0:
        return
    labels = _labels(d.storage_ids, d.period_ids)
    rows = np.arange(K * T).reshape(K, T)
    scale = d.days[None, :] / 1000.0
    previous_rows = rows[:, 1:]
    m.add_rows("storage_balance", labels, "==",
               np.concatenate([rows.ravel(), previous_rows.ravel(), rows.ravel(), rows.ravel()]),
               np.concatenate([c.v.ravel(), c.v[:, :-1].ravel(), c.x.ravel(), c.w.ravel()]),
               np.concatenate([np.ones(K * T), -np.ones(K * (T - 1)),
                               -np.broadcast_to(scale, (K, T)).ravel(),
                               np.broadcast_to(scale, (K, T)).ravel()]),
               np.column_stack([d.initial, np.zeros((K, T - 1))]).ravel())
    m.set_upper(c.v.ravel(), np.repeat(d.working_gas, T))
    m.set_upper(c.x.ravel(), d.injection_rate.ravel())
    m.set_upper(c.w.ravel(), d.withdrawal_rate.ravel())
    m.set_lower("storage_floor", c.v.ravel(), d.floor.ravel(), labels, elastic=True)
    m.set_lower("storage_end", c.v[:, -1], d.end_target,
                [(k, d.period_ids[-1]) for k in d.storage_ids], elastic=True)


def define_share_limits(m: LinearModel, d: ModelData, c: Columns) -> None:
    """6. supplier share cap (and general share limits) [g, t]:

        b[t] = Σ_{s∈B} q[s,t]                                 (share_base[t])
        Σ_{s∈g} q[s,t] − σ_g · b[t] ≤ 0                       (a minimum share: ≥ 0)

    B is the share base: all sources (share of supply) or the non-domestic ones (share of
    imports). Linear because σ is a constant. Basis "period": one row per period; basis
    "horizon": one row, each period weighted by its days, Σ_t d_t·(…) ≤ 0. The base total
    b is a column of its own so that σ sits in one coefficient per period: a sweep changes
    a cap by changing that coefficient, not one per source.
    """
    if not d.share_rules:
        return
    base = np.flatnonzero(d.in_denominator)
    T = len(d.period_ids)
    m.add_rows("share_base", list(d.period_ids), "==",
               np.concatenate([np.arange(T), np.repeat(np.arange(T), len(base))]),
               np.concatenate([c.b, c.q[base].T.ravel()]),
               np.concatenate([np.ones(T), -np.ones(T * len(base))]), 0.0)
    for sense in ("<=", ">="):
        labels, origin, rows, cols, vals, volume = [], [], [], [], [], []
        for index, rule in enumerate(d.share_rules):
            if rule.sense != sense:
                continue
            horizon = rule.periods is None
            weights = d.days if horizon else np.ones(T)
            # Slack priced by the gas (Bcf) it stands for: at constant total supply, a row
            # short by s needs s MMcf/d swapped between the group and the rest. A period row
            # is in MMcf/d (× d_t days), a horizon row already in MMcf/d·days.
            if horizon:
                labels.append((rule.name, "horizon"))
                origin.append(index)
                volume.append(1 / 1000.0)
            for t in (range(T) if horizon else rule.periods):
                if not horizon:
                    labels.append((rule.name, d.period_ids[t]))
                    origin.append(index)
                    volume.append(d.days[t] / 1000.0)
                cols += [c.q[rule.members, t], [c.b[t]]]
                vals += [np.full(len(rule.members), weights[t]), [-rule.bound * weights[t]]]
                rows.append(np.full(len(rule.members) + 1, len(labels) - 1))
        if labels:
            m.add_rows("share_limit", labels, sense, np.concatenate(rows), np.concatenate(cols),
                       np.concatenate(vals), 0.0, elastic=True, origin=origin,
                       slack_cost=np.array(volume))


def define_exclusions(m: LinearModel, d: ModelData, c: Columns) -> None:
    """7. exclusions:  q[s,t] = 0 for every source of an excluded supplier (e.g. sanctions).

    An exclusion overrides a contract minimum: a sanctioned supplier's contract cannot be
    honoured, so its take-or-pay is not enforced (applied after the source bounds).
    """
    cols = c.q[d.excluded].ravel()
    m.set_upper(cols, 0.0)
    m.col_lower[cols] = 0.0


FAMILIES = (define_balance, define_entry_capacity, define_source_bounds, define_arc_capacity,
            define_storage, define_share_limits, define_exclusions)
