"""What loosening a limit saves: the one place where LP duals become planner figures.

Every output (terminal, HTML report, workbook, CSV) shows a limit's value the same way: a
**saving**, positive, in million USD, for loosening the limit by one planner unit —

    limit (family)                                loosened by              unit
    share cap (share_cap)                         +1 percentage point      MUSD per pp
    share floor (share_min)                       −1 percentage point      MUSD per pp
    entry, LNG origin, arc capacity;
    storage injection and withdrawal rates        +100 MMcf/d              MUSD per 100 MMcf/d
    storage working gas                           +1 Bcf                   MUSD per Bcf
    storage-days floor, supply-loss cover         −1 Bcf of stock needed   MUSD per Bcf

— in the one period of the row (a cap over the horizon has one row, period "horizon").
`saving()` turns ∂objective/∂limit (what the solver's duals give, in million USD per unit
of the limit: per unit share, per MMcf/d, per Bcf) into that figure; `savings_table()`
sums each binding limit over the horizon (the limit loosened by the same step in every
period) and names its largest month.

A dual is a rate at the margin: "MUSD per 100 MMcf/d" is the first MMcf/d's value scaled
up, an upper bound on what the whole 100 MMcf/d would save once the plan adjusts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Families whose limit is a floor: loosening lowers it.
FLOORS = ("share_min", "storage_days", "storage_cover")
PER_PP, PER_100_MMCFD, PER_BCF = "MUSD per pp", "MUSD per 100 MMcf/d", "MUSD per Bcf"
# family → (the step a planner loosens it by, in the limit's own unit; the unit shown)
STEPS = {
    "share_cap": (0.01, PER_PP), "share_min": (0.01, PER_PP),
    "entry_capacity": (100.0, PER_100_MMCFD), "origin_capacity": (100.0, PER_100_MMCFD),
    "arc_capacity": (100.0, PER_100_MMCFD), "storage_injection": (100.0, PER_100_MMCFD),
    "storage_withdrawal": (100.0, PER_100_MMCFD),
    "storage_working_gas": (1.0, PER_BCF), "storage_days": (1.0, PER_BCF),
    "storage_cover": (1.0, PER_BCF),
}
HORIZON = "horizon"  # the period of a limit held over the whole horizon
SAVINGS_COLUMNS = ("family", "name", "unit", "binding_periods", "binding_in", "horizon_saving",
                   "peak_saving", "peak_period")


def saving(family: str, derivative) -> tuple[np.ndarray, str]:
    """(saving, unit) of loosening a `family` limit by one planner step, from
    `derivative` = ∂objective/∂limit (million USD per unit of the limit: per unit share,
    per MMcf/d, per Bcf; one value per row). Positive where loosening lowers cost."""
    step, unit = STEPS[family]
    direction = 1.0 if family in FLOORS else -1.0  # floors loosen downwards
    return direction * step * np.asarray(derivative, dtype=float), unit


def period_span(picked, order: list[str], most: int = 4) -> str:
    """'2027-04 to 2027-10, 2027-12' for the periods `picked`, in the order of `order`;
    runs of consecutive periods joined, at most `most` runs then '…'; 'horizon' as is."""
    index = {p: i for i, p in enumerate(order)}
    known = sorted({p for p in picked if p in index}, key=index.get)
    runs: list[list[str]] = []
    for p in known:
        if runs and index[p] == index[runs[-1][-1]] + 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    shown = [r[0] if len(r) == 1 else f"{r[0]} to {r[-1]}" for r in runs[:most]]
    if len(runs) > most:
        shown.append("…")
    shown += list(dict.fromkeys(p for p in picked if p not in index))  # "horizon"
    return ", ".join(shown)


def savings_table(constraints: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    """One row per binding limit: its family, name and unit; in how many periods it binds
    and when; `horizon_saving`, the limit loosened by one step in every period (the sum
    of its periods' savings); `peak_saving`, the largest one-period saving, and
    `peak_period`. Share limits first, then by horizon saving, largest first."""
    binding = constraints[constraints["binding"].astype(bool)]
    rows = []
    for (family, name, unit), group in binding.groupby(["family", "name", "unit"], sort=False):
        values = group["shadow_price"].astype(float)
        peak = values.idxmax()
        rows.append({"family": family, "name": name, "unit": unit,
                     "binding_periods": len(group),
                     "binding_in": period_span(list(group["period"]), periods),
                     "horizon_saving": float(np.nansum(values)),
                     "peak_saving": float(values[peak]), "peak_period": group.at[peak, "period"]})
    table = pd.DataFrame(rows, columns=list(SAVINGS_COLUMNS))
    if not len(table):
        return table
    share = table["family"].isin(("share_cap", "share_min"))
    order = np.lexsort((-table["horizon_saving"].to_numpy(), ~share.to_numpy()))
    return table.iloc[order].reset_index(drop=True)
