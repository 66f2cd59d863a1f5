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

from dataclasses import dataclass

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


@dataclass(frozen=True)
class N1:
    """The N−1 terms of every calculated area (rows) and period (columns), MMcf/d, the
    area's largest infrastructure and its N−1 (%; NaN where the area has no demand)."""

    areas: list[str]
    ep: np.ndarray
    pm: np.ndarray
    sm: np.ndarray
    lngm: np.ndarray
    largest: np.ndarray   # areas × T, names
    im: np.ndarray
    dmax: np.ndarray
    pct: np.ndarray

    def worst(self) -> np.ndarray:
        """T: the area of lowest N−1 in each period (the first area where none is defined)."""
        return np.argmin(np.where(np.isnan(self.pct), np.inf, self.pct), axis=0)


def n1_by_area(d: ModelData) -> N1:
    """N−1 per calculated area and period, from the infrastructure in service: see the
    module's docstring for the formula."""
    T = len(d.period_ids)
    kinds = d.entry_kind
    cap = d.entry_capacity  # E × T, zero outside the service windows
    withdrawal = np.where(d.storage_active & d.storage_strategic[:, None], d.withdrawal_rate, 0.0)
    dmax_all = d.peak_day_factor * d.demand  # N × T
    names, rows = [], {k: [] for k in ("ep", "pm", "sm", "lngm", "largest", "im", "dmax", "pct")}
    for nodes in calculated_areas(d):
        entries = np.isin(d.entry_node, nodes)
        sites = np.isin(d.storage_node, nodes)
        ep = cap[entries & (kinds == "pipeline")].sum(axis=0)
        pm = cap[entries & (kinds == "domestic")].sum(axis=0)
        lng = cap[entries & (kinds == "lng")].sum(axis=0)
        sm = withdrawal[sites].sum(axis=0)
        items = [d.entry_ids[e] for e in np.flatnonzero(entries)] + \
            [d.storage_ids[k] for k in np.flatnonzero(sites)]
        every = np.vstack([cap[entries], withdrawal[sites]]) if items else np.zeros((1, T))
        im = every.max(axis=0)
        dmax = dmax_all[nodes].sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            pct = np.where(dmax > 0, 100.0 * (ep + pm + sm + lng - im) / dmax, np.nan)
        largest = np.array(items, dtype=object)[every.argmax(axis=0)] if items else \
            np.full(T, "", dtype=object)
        names.append(area_name(d, nodes))
        for key, value in zip(rows, (ep, pm, sm, lng, largest, im, dmax, pct)):
            rows[key].append(value)
    return N1(names, *(np.vstack(rows[k]) for k in rows))


def n1_areas(d: ModelData, n1: N1 | None = None) -> pd.DataFrame:
    """One row per calculated area and period: the N−1 terms (MMcf/d), the area's largest
    infrastructure and N−1 (%; NaN where the area has no demand)."""
    n1 = n1_by_area(d) if n1 is None else n1
    A, T = n1.pct.shape
    return pd.DataFrame({
        "period": np.tile(np.array(d.period_ids, dtype=object), A),
        "area": np.repeat(np.array(n1.areas, dtype=object), T),
        "ep_mmcfd": n1.ep.ravel(), "pm_mmcfd": n1.pm.ravel(), "sm_mmcfd": n1.sm.ravel(),
        "lngm_mmcfd": n1.lngm.ravel(), "largest_infrastructure": n1.largest.ravel(),
        "im_mmcfd": n1.im.ravel(), "dmax_mmcfd": n1.dmax.ravel(), "n1_pct": n1.pct.ravel()})


def n1_table(d: ModelData, n1: N1 | None = None) -> pd.DataFrame:
    """One row per period: the worst calculated area (lowest N−1) with its N−1 terms
    (MMcf/d), its largest infrastructure and N−1 (%)."""
    n1 = n1_by_area(d) if n1 is None else n1
    worst, t = n1.worst(), np.arange(len(d.period_ids))
    return pd.DataFrame({
        "period": d.period_ids, "area": np.array(n1.areas, dtype=object)[worst],
        "ep_mmcfd": n1.ep[worst, t], "pm_mmcfd": n1.pm[worst, t], "sm_mmcfd": n1.sm[worst, t],
        "lngm_mmcfd": n1.lngm[worst, t], "largest_infrastructure": n1.largest[worst, t],
        "im_mmcfd": n1.im[worst, t], "dmax_mmcfd": n1.dmax[worst, t], "n1_pct": n1.pct[worst, t]})


def security_table(d: ModelData, q: np.ndarray, n1: N1 | None = None) -> pd.DataFrame:
    """security.csv: per period N−1 with its terms, HHI and Shannon of the plan's supply."""
    table = n1_table(d, n1)
    by_supplier = np.zeros((len(d.supplier_ids), len(d.period_ids)))
    np.add.at(by_supplier, d.source_supplier, q)
    hhi, shannon = diversity(by_supplier)
    table["hhi"] = hhi
    table["shannon"] = shannon
    return table


def security_summary(d: ModelData, q: np.ndarray, n1: N1 | None = None) -> dict:
    """Summary keys: the lowest N−1 with its period, area and largest infrastructure, each
    area's lowest, and the horizon's Shannon index of supplier shares (beside the HHI)."""
    n1 = n1_by_area(d) if n1 is None else n1
    volume = np.zeros(len(d.supplier_ids))
    np.add.at(volume, d.source_supplier, (q * d.days).sum(axis=1))
    _, shannon = diversity(volume)
    defined = ~np.isnan(n1.pct)
    by_area, low = {}, None
    for a, area in enumerate(n1.areas):
        if not defined[a].any():
            continue
        t = int(np.nanargmin(n1.pct[a]))
        by_area[area] = {"n1_min_pct": float(n1.pct[a, t]), "period": d.period_ids[t],
                         "largest_infrastructure": str(n1.largest[a, t])}
        # The lowest over areas and periods; ties go to the earliest period, then area.
        if low is None or (n1.pct[a, t], t) < (n1.pct[low[0], low[1]], low[1]):
            low = (a, t)
    return {"n1_min_pct": None if low is None else float(n1.pct[low]),
            "n1_min_period": None if low is None else d.period_ids[low[1]],
            "n1_min_area": None if low is None else n1.areas[low[0]],
            "n1_largest_infrastructure": None if low is None else str(n1.largest[low]),
            "n1_by_area": by_area,
            "shannon": float(shannon),
            "storage_policy": {"storage_days": d.policy.storage_days,
                               "cover_days": d.policy.cover_days, "min_n1": d.policy.min_n1}}
