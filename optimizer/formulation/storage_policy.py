"""Security-of-supply policy on storage: a strategic floor in days of demand, and
supply-loss cover (stock against each import supplier's flow). Two constraint families in
the notation of constraints.py; each is one function whose docstring is its equation. The
floors and cover days they use are computed once in arrays.py (storage_days_floor,
cover_days), from the policy and the sites' fill trajectory.

Both are policy rows: elastic when diagnosing an infeasible policy, each slack priced by the
Bcf it stands for.
"""

from __future__ import annotations

import numpy as np

from ..lp.linear_model import LinearModel
from .arrays import ModelData
from .constraints import Columns
from .names import STORAGE_COVER, STORAGE_DAYS


def define_storage_days(m: LinearModel, d: ModelData, c: Columns) -> None:
    """storage_days[t] (policy `storage_days` = D):

        Σ_{k strategic, in service at t} v[k,t] ≥ min(D·D̄/1000, reach[t])
            for every t with a strategic site in service

    D̄ = Σ_t d_t·Σ_n demand[n,t] / Σ_t d_t, the average national demand (MMcf/d); strategic
    sites are those with n1_deliverability not `no` (a site not yet in service cannot
    deliver, so its stock does not count); reach[t] = Σ_{k strategic, in service at t}
    min(working_gas_k, initial_k + Σ_{τ ≤ t, k in service} d_τ·injection_k/1000), the most
    stock they can hold by t filling at full rate since they opened (Bcf). D·D̄/1000 above
    the strategic working gas is an input error.
    """
    floor = d.storage_days_floor
    periods = np.flatnonzero(floor > 0)
    if len(periods) == 0 or c.stock.size == 0:
        return
    rows, cols = [], []
    for r, t in enumerate(periods):
        sites = np.flatnonzero(d.storage_strategic & d.storage_active[:, t])
        rows.append(np.full(len(sites), r))
        cols.append(c.stock[sites, t])
    m.add_rows(STORAGE_DAYS, [("total", d.period_ids[t]) for t in periods], ">=",
               np.concatenate(rows), np.concatenate(cols), np.ones(sum(len(x) for x in cols)),
               floor[periods], elastic=True)


def cover_suppliers(d: ModelData) -> list[int]:
    """Suppliers the cover applies to: those with imported (non-domestic) sources."""
    imported = d.source_kind != "domestic"
    return sorted(set(int(g) for g in d.source_supplier[imported]))


def define_storage_cover(m: LinearModel, d: ModelData, c: Columns) -> None:
    """storage_cover[g,t] (policy `cover_days` = D), supply-loss cover:

        Σ_{k strategic, in service at t} v[k,t] − (D_t/1000) · Σ_{s∈g, s imported} q[s,t] ≥ 0
            for every import supplier g and every period t with D_t > 0,
        D_t = D · min(1, reach[t] / WG[t])

    Strategic stocks (n1_deliverability not `no`: linepack and LNG tanks are operational
    stock, not a reserve) must hold D days of each import supplier's flow, so losing any
    one supplier can be bridged for D days: storage traded against concentration. Domestic
    production is not an import and is not covered. reach[t] is as in storage_days; WG[t]
    the working gas of the strategic sites in service at t (D_t = 0 where there is none:
    with no stock to hold, the cover would only shed demand to shrink the imports it
    covers). Until the sites can be full the days covered shrink in proportion; a site too
    small for D days still sheds imports: that is the policy's price.
    """
    covered = d.cover_days
    periods = np.flatnonzero(covered > 0)
    if len(periods) == 0:
        return
    imported = d.source_kind != "domestic"
    row_labels, rows, cols, vals = [], [], [], []
    for g in cover_suppliers(d):
        members = np.flatnonzero((d.source_supplier == g) & imported)
        for t in periods:
            sites = np.flatnonzero(d.storage_strategic & d.storage_active[:, t])
            r = len(row_labels)
            row_labels.append((d.supplier_ids[g], d.period_ids[t]))
            rows.append(np.full(len(sites) + len(members), r))
            cols.append(np.concatenate([c.stock[sites, t], c.supply[members, t]]))
            vals.append(np.concatenate([np.ones(len(sites)),
                                        np.full(len(members), -covered[t] / 1000.0)]))
    if not row_labels:  # nothing imported: nothing to cover
        return
    m.add_rows(STORAGE_COVER, row_labels, ">=", np.concatenate(rows), np.concatenate(cols),
               np.concatenate(vals), 0.0, elastic=True)
