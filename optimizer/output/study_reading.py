"""What a sweep's table says at a glance, for every output that shows one (terminal,
report, workbook): the reference point each point is compared with, the cash cost change
from it, where demand starts being shed, and a two-parameter pivot.

Cash is compared, not cash + unserved gas at VOLL: a plan that meets a cap by shedding
demand is marked as such, instead of letting VOLL (a penalty, not a price paid) swamp the
scale of what diversification costs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

OPTIMAL = "optimal"
# Unserved gas below this (Bcf over the horizon) is solver noise, not shed demand.
SHED_BCF = 0.05


def _numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def reference_value(key: str, values) -> object:
    """The value each point is compared with: the loosest cap (the largest: uncapped at 1),
    the base multiplier (1, else the nearest), no exclusion ('none'), else the smallest
    value (λ = 0, the lowest VOLL)."""
    values = list(dict.fromkeys(v for v in values if not (isinstance(v, float) and v != v)))
    kind = key.partition(".")[0]
    numbers = [v for v in values if isinstance(v, (int, float, np.integer, np.floating))]
    if kind in ("cap", "max_share") and numbers:
        return max(numbers)
    if kind in ("price", "demand", "capacity") and numbers:
        return min(numbers, key=lambda v: (abs(v - 1.0), v))
    if kind == "exclude":
        return "none" if "none" in map(str, values) else values[0]
    return min(numbers) if numbers else values[0]


def cash_change(table: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Each point's cash cost minus the cash cost at the reference value of the first
    parameter, the other parameters held (NaN where either point failed)."""
    first = keys[0]
    ref = reference_value(first, table[first])
    ok = table["status"] == OPTIMAL
    cash = table["cash_cost_musd"].astype(float).where(ok)
    at_ref = table[table[first] == ref]
    others = keys[1:]
    if not others:
        base = cash[at_ref.index]
        value = base.iloc[0] if len(base) else np.nan
        return cash - value
    lookup = {tuple(row[k] for k in others): cash[i] for i, row in at_ref.iterrows()}
    base = [lookup.get(tuple(row[k] for k in others), np.nan) for _, row in table.iterrows()]
    return cash - np.asarray(base, dtype=float)


def shed(table: pd.DataFrame) -> pd.Series:
    """True where an optimal point leaves demand unserved."""
    return (table["status"] == OPTIMAL) & (table["unserved_bcf"].astype(float).fillna(0) > SHED_BCF)


def sweep_pivot(table: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, dict]:
    """The first two parameters as rows × columns (the others at their first value): a
    frame of (cash cost, unserved Bcf, status) per cell, and the values the others are
    held at."""
    rows, columns = keys[0], keys[1]
    held = {k: _values(table[k])[0] for k in keys[2:]}
    part = table
    for k, v in held.items():
        part = part[part[k] == v]
    index = pd.MultiIndex.from_product([_values(part[rows]), _values(part[columns])],
                                       names=[rows, columns])
    cells = part.set_index([rows, columns])[["cash_cost_musd", "unserved_bcf", "status"]]
    return cells[~cells.index.duplicated()].reindex(index), held


def _values(series: pd.Series) -> list:
    """A parameter's distinct values: numbers in order, text as first seen."""
    values = list(dict.fromkeys(series.tolist()))
    return sorted(values) if _numeric(series) else values


def tightest_served(table: pd.DataFrame, key: str):
    """For a one-parameter cap sweep: the tightest cap that serves all demand (None if
    none does or the parameter is not a cap)."""
    if key.partition(".")[0] not in ("cap", "max_share"):
        return None
    served = table[(table["status"] == OPTIMAL) & ~shed(table)]
    return None if not len(served) else served[key].min()
