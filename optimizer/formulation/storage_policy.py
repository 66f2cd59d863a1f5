"""Security-of-supply policy on storage: a strategic floor in days of demand, and supply-loss
cover (stock against each import supplier's flow). Two constraint families in the notation
of constraints.py; each is one function whose docstring is its equation.

Both are policy rows: elastic when diagnosing an infeasible policy, each slack priced by the
Bcf it stands for.
"""

from __future__ import annotations

import numpy as np

from ...models import CaseError, Problem

from .constraints import Columns
from .arrays import ModelData, _window
from ..lp.linear_model import LinearModel


def storage_active(d: ModelData) -> np.ndarray:
    """K × T: True where site k is in service in period t."""
    return np.array([_window(d.period_ids, k.first_period, None) for k in d.case.storage],
                    dtype=bool).reshape(len(d.storage_ids), len(d.period_ids))


def strategic_sites(d: ModelData) -> np.ndarray:
    """Boolean K: the strategic / deliverable storage (storage.csv `n1_deliverability` not
    `no`). Operational stock the case marks `no` (linepack, LNG terminal tanks) counts
    neither towards the storage-days floor nor towards the supply-loss cover."""
    return np.array([k.n1_deliverability != "no" for k in d.case.storage], dtype=bool)


def strategic_reach(d: ModelData) -> np.ndarray:
    """T: the most stock (Bcf) the strategic sites can hold by the end of t: each from its
    initial stock, filling at full rate only in the periods since it opened, never above its
    working gas (0 before it opens)."""
    active = storage_active(d)
    fill = d.initial[:, None] + np.cumsum(active * d.days[None, :] * d.injection_rate / 1000.0,
                                          axis=1)
    reach = np.where(active, np.minimum(fill, d.working_gas[:, None]), 0.0)
    return reach[strategic_sites(d)].sum(axis=0)


def storage_days_floor(d: ModelData) -> np.ndarray:
    """The total stock (Bcf) the storage-days policy asks for in each period (0: none).

    D days of average demand, D̄ = mean_t Σ_n demand[n,t] (MMcf/d), is D·D̄/1000 Bcf, held
    in the strategic sites only (strategic_sites). From the first period with a strategic
    site in service; and never more than those sites can hold by then if they fill as fast
    as they can since they opened (reach[t], strategic_reach), so a floor the sites cannot
    yet reach becomes a fill trajectory towards it, not an infeasible plan. A floor above
    the strategic sites' working gas can never be met: that is an input error.
    """
    days = d.policy.storage_days
    T = len(d.period_ids)
    if not days:
        return np.zeros(T)
    target = days * float(d.demand.sum(axis=0).mean()) / 1000.0
    capacity = float(d.working_gas[strategic_sites(d)].sum())
    if target > capacity + 1e-9:
        held = capacity * 1000.0 / float(d.demand.sum(axis=0).mean()) if capacity else 0.0
        raise CaseError([Problem("policy", f"{days:g} days of average demand is {target:,.1f} Bcf "
                                 f"but the strategic storage sites (n1_deliverability not 'no') "
                                 f"hold {capacity:,.1f} Bcf of working gas "
                                 f"({held:.2f} days): lower storage_days or add storage",
                                 column="storage_days", value=days)], case=d.case.name)
    in_service = storage_active(d)[strategic_sites(d)].any(axis=0)
    return np.where(in_service, np.minimum(target, strategic_reach(d)), 0.0)


def define_storage_days(m: LinearModel, d: ModelData, c: Columns) -> None:
    """8. storage_days[t] (policy `storage_days` = D):

        Σ_{k strategic} v[k,t] ≥ min(D·D̄/1000, reach[t])   for every t with a strategic
                                                            site in service

    D̄ is the average national demand (MMcf/d) over the horizon, reach[t] the most stock
    the strategic sites (n1_deliverability not `no`) can hold by t filling at full rate
    since they opened (Bcf).
    """
    floor = storage_days_floor(d)
    periods = np.flatnonzero(floor > 0)
    if len(periods) == 0 or c.v.size == 0:
        return
    v = c.v[strategic_sites(d)]
    K = v.shape[0]
    m.add_rows("storage_days", [("total", d.period_ids[t]) for t in periods], ">=",
               np.repeat(np.arange(len(periods)), K), v[:, periods].T.ravel(),
               np.ones(len(periods) * K), floor[periods], elastic=True)


def cover_suppliers(d: ModelData) -> list[int]:
    """Suppliers the cover applies to: those with imported (non-domestic) sources."""
    imported = d.source_kind != "domestic"
    return sorted(set(int(g) for g in d.source_supplier[imported]))


def define_storage_cover(m: LinearModel, d: ModelData, c: Columns) -> None:
    """9. storage_cover[g,t] (policy `cover_days` = D), supply-loss cover:

        Σ_{k strategic} v[k,t] − (D_t/1000) · Σ_{s∈g, s imported} q[s,t] ≥ 0
            for every import supplier g and every period t with a strategic site in service,
        D_t = D · min(1, reach[t] / WG[t])

    Strategic stocks (n1_deliverability not `no`: linepack and LNG tanks are operational
    stock, not a reserve) must hold D days of each import supplier's flow, so losing any
    one supplier can be bridged for D days: storage traded against concentration.
    Domestic production is not an import and is not covered. In a period with no strategic
    site in service there is no stock to hold, so the cover does not apply (it would only
    shed demand to shrink the imports it covers). Like the floor it follows the fill
    trajectory: reach[t] is the most the strategic sites can hold by t filling at full rate
    since they opened (strategic_reach), WG[t] the working gas of those in service; until
    they can be full the days covered shrink in proportion, so the cover never asks for
    more stock than the sites can have injected since they opened only because they have
    not had time to fill (a site too small for D days still sheds imports: that is the
    policy's price).
    """
    days = d.policy.cover_days
    if not days:
        return
    if c.v.size == 0:
        raise CaseError([Problem("policy", "cover_days needs storage: the case has no storage "
                                 "site", column="cover_days", value=days)], case=d.case.name)
    strategic = strategic_sites(d)
    v = c.v[strategic]
    K = v.shape[0]
    in_service = np.flatnonzero(storage_active(d)[strategic].any(axis=0))
    reach = strategic_reach(d)
    capacity = (storage_active(d)[strategic] * d.working_gas[strategic, None]).sum(axis=0)
    imported = d.source_kind != "domestic"
    labels, rows, cols, vals = [], [], [], []
    for g in cover_suppliers(d):
        members = np.flatnonzero((d.source_supplier == g) & imported)
        for t in in_service:
            covered = days * min(1.0, reach[t] / capacity[t]) if capacity[t] > 0 else 0.0
            r = len(labels)
            labels.append((d.supplier_ids[g], d.period_ids[t]))
            rows.append(np.full(K + len(members), r))
            cols.append(np.concatenate([v[:, t], c.q[members, t]]))
            vals.append(np.concatenate([np.ones(K), np.full(len(members), -covered / 1000.0)]))
    if not labels:  # nothing imported, or no site in service: nothing to cover
        return
    m.add_rows("storage_cover", labels, ">=", np.concatenate(rows), np.concatenate(cols),
               np.concatenate(vals), 0.0, elastic=True)


POLICY_FAMILIES = (define_storage_days, define_storage_cover)
