"""The system's monthly balance from a plan's tables, in one place for the chart and the
workbook: supply by supplier, storage withdrawal and injection, unserved gas and demand,
MMcf/d (daily averages), one row per period.

    Σ supply + withdrawal + unserved = demand + injection

holds in every period (pass-through feed gas for LNG export plants enters and leaves
within the network, so it is in neither side).
"""

from __future__ import annotations

import pandas as pd

EPSILON = 1e-6  # MMcf/d: a supplier with less over the horizon supplies nothing
BALANCE_COLUMNS = ("storage withdrawal", "unserved", "storage injection", "demand")


def _by_period(frame: pd.DataFrame, column: str, periods: list[str]) -> pd.Series:
    if not len(frame) or column not in frame.columns:
        return pd.Series(0.0, index=periods)
    total = pd.to_numeric(frame[column], errors="coerce").groupby(frame["period"].astype(str),
                                                                  sort=False).sum()
    return total.reindex(periods).fillna(0.0)


def monthly_balance(flows: pd.DataFrame, storage: pd.DataFrame, prices: pd.DataFrame,
                    periods: list[str]) -> pd.DataFrame:
    """period × (each supplier that supplies anything, largest first; storage withdrawal,
    unserved, storage injection, demand), MMcf/d."""
    supply = flows.pivot_table(index=flows["period"].astype(str), columns="supplier",
                               values="flow_mmcfd", aggfunc="sum", sort=False)
    supply = supply.reindex(periods).fillna(0.0)
    supply = supply.loc[:, supply.sum() > EPSILON]
    supply = supply[supply.sum().sort_values(ascending=False, kind="stable").index]
    supply.columns = [str(c) for c in supply.columns]
    supply["storage withdrawal"] = _by_period(storage, "withdrawal_mmcfd", periods).to_numpy()
    supply["unserved"] = _by_period(prices, "unserved_mmcfd", periods).to_numpy()
    supply["storage injection"] = _by_period(storage, "injection_mmcfd", periods).to_numpy()
    supply["demand"] = _by_period(prices, "demand_mmcfd", periods).to_numpy()
    supply.index.name = "period"
    return supply


def suppliers_of(balance: pd.DataFrame) -> list[str]:
    """The supplier columns of a monthly balance."""
    return [c for c in balance.columns if c not in BALANCE_COLUMNS]
