"""Security-of-supply indicators: the N−1 infrastructure standard and supplier diversity.

N−1 (EU Regulation 2017/1938, Annex II), per period t, in MMcf/d:

    N−1[t] = 100 × (EPm + Pm + Sm + LNGm − Im) / Dmax

EPm: pipeline entry capacity in service; Pm: domestic production entry capacity; Sm: storage
withdrawal capacity of the sites in service; LNGm: regas capacity in service; Im: the largest
single one of those (an entry or a storage site); Dmax: peak-day demand, the period's average
national demand × the case's `peak_day_factor`. It depends on the case's infrastructure only,
not on the plan.

Diversity of supply by supplier, per period and over the horizon: HHI = 10,000 × Σ s² and
Shannon–Wiener H = −Σ s ln s (0 for one supplier; ln G for G equal suppliers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .data import ModelData
from .diagnose import Violation
from .storage_policy import storage_active


def n1_table(d: ModelData) -> pd.DataFrame:
    """One row per period: the N−1 terms (MMcf/d), the largest infrastructure and N−1 (%)."""
    kinds = np.array([e.kind for e in d.case.entries], dtype=object)
    cap = d.entry_capacity  # E × T, zero outside the service windows
    ep = cap[kinds == "pipeline"].sum(axis=0)
    pm = cap[kinds == "domestic"].sum(axis=0)
    lng = cap[kinds == "lng"].sum(axis=0)
    withdrawal = np.where(storage_active(d), d.withdrawal_rate, 0.0)
    sm = withdrawal.sum(axis=0)
    names = list(d.entry_ids) + list(d.storage_ids)
    every = np.vstack([cap, withdrawal]) if len(names) else np.zeros((1, len(d.period_ids)))
    largest = every.argmax(axis=0)
    im = every.max(axis=0)
    dmax = d.case.settings.peak_day_factor * d.demand.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        n1 = np.where(dmax > 0, 100.0 * (ep + pm + sm + lng - im) / dmax, np.nan)
    return pd.DataFrame({
        "period": d.period_ids, "ep_mmcfd": ep, "pm_mmcfd": pm, "sm_mmcfd": sm, "lngm_mmcfd": lng,
        "largest_infrastructure": [names[i] for i in largest], "im_mmcfd": im,
        "dmax_mmcfd": dmax, "n1_pct": n1})


def diversity(volume_by_supplier: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """HHI (0–10,000) and Shannon–Wiener H of supplier shares; volumes G × T (or G)."""
    total = volume_by_supplier.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, volume_by_supplier / total, 0.0)
        terms = np.where(share > 0, share * np.log(np.where(share > 0, share, 1.0)), 0.0)
    return 10_000 * (share ** 2).sum(axis=0), -terms.sum(axis=0)


def security_table(d: ModelData, q: np.ndarray) -> pd.DataFrame:
    """security.csv: per period N−1 with its terms, HHI and Shannon of the plan's supply."""
    table = n1_table(d)
    by_supplier = np.zeros((len(d.supplier_ids), len(d.period_ids)))
    np.add.at(by_supplier, d.source_supplier, q)
    hhi, shannon = diversity(by_supplier)
    table["hhi"] = hhi
    table["shannon"] = shannon
    return table


def security_summary(d: ModelData, q: np.ndarray, table: pd.DataFrame) -> dict:
    """Summary keys: the lowest N−1 with its period and largest infrastructure, and the
    horizon's Shannon index of supplier shares (beside the summary's HHI)."""
    if not table["n1_pct"].notna().any():  # no demand anywhere: N−1 is undefined
        worst = None
    else:
        worst = int(np.nanargmin(table["n1_pct"].to_numpy()))
    volume = np.zeros(len(d.supplier_ids))
    np.add.at(volume, d.source_supplier, (q * d.days).sum(axis=1))
    _, shannon = diversity(volume)
    return {"n1_min_pct": None if worst is None else float(table["n1_pct"].iloc[worst]),
            "n1_min_period": None if worst is None else str(table["period"].iloc[worst]),
            "n1_largest_infrastructure": None if worst is None
            else str(table["largest_infrastructure"].iloc[worst]),
            "shannon": float(shannon),
            "storage_policy": {"storage_days": d.policy.storage_days,
                               "cover_days": d.policy.cover_days, "min_n1": d.policy.min_n1}}


def n1_shortfalls(d: ModelData) -> list[Violation]:
    """Periods whose N−1 is below the policy's `min_n1`, as violations (MMcf/d short)."""
    required = d.policy.min_n1
    if required is None:
        return []
    table = n1_table(d)
    out = []
    for row in table.itertuples():
        if row.n1_pct < required - 1e-9:
            short = (required - row.n1_pct) / 100.0 * row.dmax_mmcfd
            out.append(Violation("n1", f"{required:g}% without {row.largest_infrastructure} "
                                 f"(N−1 {row.n1_pct:.1f}%)", row.period, ">=", float(short),
                                 "MMcf/d", 0.0))
    return out
