"""Security-of-supply indicators: the N−1 infrastructure standard and supplier diversity.

N−1 (EU Regulation 2017/1938, Annex II), per calculated area m and period t, in MMcf/d:

    N−1[m,t] = 100 × (EPm + Pm + Sm + LNGm − Im) / Dmax

The calculated areas are the connected parts of the arc graph, arcs taken as undirected
(gas that cannot reach an area cannot cover its loss; an isolated node, such as Baja
California, is an area of its own). Per area: EPm pipeline entry capacity in service at its
nodes; Pm domestic production entry capacity; Sm withdrawal capacity of its storage sites in
service that count as deliverability (storage.csv `n1_deliverability`, default yes); LNGm
regas capacity in service; Im the largest single one of those (an entry or a storage site);
Dmax the area's peak-day demand, its average demand × the case's `peak_day_factor`. An area
with no demand has no N−1. It depends on the case's infrastructure only, not on the plan;
security.csv shows each period's worst area, and `min_n1` holds in every area.

Diversity of supply by supplier, per period and over the horizon: HHI = 10,000 × Σ s² and
Shannon–Wiener H = −Σ s ln s (0 for one supplier; ln G for G equal suppliers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..formulation.arrays import ModelData
from ..errors import Violation
from .metrics import diversity

# The family of an N−1 shortfall (errors.Violation): not a row of the LP, a check made
# before solving, since N−1 depends on the infrastructure alone.
N1_STANDARD = "n1"


def calculated_areas(d: ModelData) -> list[np.ndarray]:
    """The connected parts of the arc graph (undirected), as arrays of node indices, in
    the order of their first node."""
    parent = list(range(len(d.node_ids)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in zip(d.arc_from, d.arc_to):
        ra, rb = root(int(a)), root(int(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for n in range(len(d.node_ids)):
        groups.setdefault(root(n), []).append(n)
    return [np.array(g, dtype=int) for g in groups.values()]


def area_name(d: ModelData, nodes: np.ndarray) -> str:
    """An area named by its nodes: 'BC', 'NES+SSE+CEN+…'."""
    return "+".join(d.node_ids[n] for n in nodes)


def n1_areas(d: ModelData) -> pd.DataFrame:
    """One row per calculated area and period: the N−1 terms (MMcf/d), the area's largest
    infrastructure and N−1 (%; NaN where the area has no demand)."""
    T = len(d.period_ids)
    kinds = d.entry_kind
    cap = d.entry_capacity  # E × T, zero outside the service windows
    withdrawal = np.where(d.storage_active & d.storage_strategic[:, None], d.withdrawal_rate, 0.0)
    dmax_all = d.peak_day_factor * d.demand  # N × T
    frames = []
    for nodes in calculated_areas(d):
        entries = np.isin(d.entry_node, nodes)
        sites = np.isin(d.storage_node, nodes)
        ep = cap[entries & (kinds == "pipeline")].sum(axis=0)
        pm = cap[entries & (kinds == "domestic")].sum(axis=0)
        lng = cap[entries & (kinds == "lng")].sum(axis=0)
        sm = withdrawal[sites].sum(axis=0)
        names = [d.entry_ids[e] for e in np.flatnonzero(entries)] + \
            [d.storage_ids[k] for k in np.flatnonzero(sites)]
        every = np.vstack([cap[entries], withdrawal[sites]]) if names else np.zeros((1, T))
        largest = every.argmax(axis=0)
        im = every.max(axis=0)
        dmax = dmax_all[nodes].sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            n1 = np.where(dmax > 0, 100.0 * (ep + pm + sm + lng - im) / dmax, np.nan)
        frames.append(pd.DataFrame({
            "period": d.period_ids, "area": area_name(d, nodes), "ep_mmcfd": ep, "pm_mmcfd": pm,
            "sm_mmcfd": sm, "lngm_mmcfd": lng,
            "largest_infrastructure": [names[i] if names else "" for i in largest],
            "im_mmcfd": im, "dmax_mmcfd": dmax, "n1_pct": n1}))
    return pd.concat(frames, ignore_index=True)


def n1_table(d: ModelData, areas: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per period: the worst calculated area (lowest N−1) with its N−1 terms
    (MMcf/d), its largest infrastructure and N−1 (%). `areas`: n1_areas(d), if at hand."""
    areas = n1_areas(d) if areas is None else areas
    order = {p: i for i, p in enumerate(d.period_ids)}
    ranked = areas.assign(_t=areas["period"].map(order),
                          _n1=areas["n1_pct"].fillna(np.inf))
    worst = ranked.sort_values(["_t", "_n1"], kind="stable").groupby("_t", sort=True).head(1)
    return worst.drop(columns=["_t", "_n1"]).reset_index(drop=True)


def security_table(d: ModelData, q: np.ndarray, areas: pd.DataFrame | None = None) -> pd.DataFrame:
    """security.csv: per period N−1 with its terms, HHI and Shannon of the plan's supply."""
    table = n1_table(d, areas)
    by_supplier = np.zeros((len(d.supplier_ids), len(d.period_ids)))
    np.add.at(by_supplier, d.source_supplier, q)
    hhi, shannon = diversity(by_supplier)
    table["hhi"] = hhi
    table["shannon"] = shannon
    return table


def security_summary(d: ModelData, q: np.ndarray, table: pd.DataFrame,
                     areas: pd.DataFrame | None = None) -> dict:
    """Summary keys: the lowest N−1 with its period, area and largest infrastructure, and
    the horizon's Shannon index of supplier shares (beside the summary's HHI)."""
    if not table["n1_pct"].notna().any():  # no demand anywhere: N−1 is undefined
        worst = None
    else:
        worst = int(np.nanargmin(table["n1_pct"].to_numpy()))
    volume = np.zeros(len(d.supplier_ids))
    np.add.at(volume, d.source_supplier, (q * d.days).sum(axis=1))
    _, shannon = diversity(volume)

    def at(column, cast=str):
        return None if worst is None else cast(table[column].iloc[worst])

    by_area = {}
    for area, rows in (n1_areas(d) if areas is None else areas).groupby("area", sort=False):
        if rows["n1_pct"].notna().any():
            low = rows.loc[rows["n1_pct"].idxmin()]
            by_area[area] = {"n1_min_pct": float(low["n1_pct"]), "period": str(low["period"]),
                             "largest_infrastructure": str(low["largest_infrastructure"])}
    return {"n1_min_pct": at("n1_pct", float), "n1_min_period": at("period"),
            "n1_min_area": at("area"), "n1_largest_infrastructure": at("largest_infrastructure"),
            "n1_by_area": by_area,
            "shannon": float(shannon),
            "storage_policy": {"storage_days": d.policy.storage_days,
                               "cover_days": d.policy.cover_days, "min_n1": d.policy.min_n1}}


def n1_shortfalls(d: ModelData) -> list[Violation]:
    """Areas and periods whose N−1 is below the policy's `min_n1`, as violations (MMcf/d
    short)."""
    required = d.policy.min_n1
    if required is None:
        return []
    out = []
    for row in n1_areas(d).itertuples():
        if row.n1_pct < required - 1e-9:  # (NaN: no demand in the area, nothing to cover)
            short = (required - row.n1_pct) / 100.0 * row.dmax_mmcfd
            out.append(Violation(N1_STANDARD, f"{required:g}% in area {row.area} without "
                                 f"{row.largest_infrastructure} (N−1 {row.n1_pct:.1f}%)",
                                 row.period, ">=", float(short), "MMcf/d", 0.0, "N−1 standard"))
    return out
