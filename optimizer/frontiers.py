"""Trade-off frontiers: what diversification and lower risk cost.

Two sweeps, each read as a curve of (measure, cost):

* diversification — tighten a cap (every supplier's, `max_share`, or one supplier's) and
  record the largest supplier's share of supply (or that supplier's) against cost;
* risk — raise λ, the diplomatic-risk weight, and record the risk exposure (the supply-
  weighted mean risk score) against cost.

Cost is cash plus unserved gas at VOLL — a plan that meets a cap by leaving demand unserved
is not cheap — and the risk penalty is left out (it is a weight, not money). A point is
Pareto-efficient when no other point is at least as good on both and better on one; a
point that repeats an earlier point's plan (a higher λ that changes nothing) is not counted
again (`same_plan_as` names the first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor

import numpy as np
import pandas as pd

from ..models import Case, Policy, ShareLimit, make_policy
from .errors import SweepError
from .grid import DEFAULT_RISK_WEIGHTS, DEFAULT_SHARES, TRADE_OFFS
from .sweeps import OPTIMAL_STATUS, sweep

# Costs within this relative distance count as equal when comparing points.
COST_TOLERANCE = 1e-9


def pareto_mask(x, y, valid=None) -> np.ndarray:
    """True where (x[i], y[i]) is not dominated: no j with x[j] ≤ x[i], y[j] ≤ y[i] and
    one of them strictly smaller (both are to be minimised). Invalid points are never
    efficient and never dominate."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    valid = np.isfinite(x) & np.isfinite(y) & (True if valid is None else np.asarray(valid, dtype=bool))
    tol_y = COST_TOLERANCE * np.maximum(1.0, np.abs(y))
    tol_x = 1e-9
    with np.errstate(invalid="ignore"):  # inf − inf: such points are invalid anyway
        no_worse = (x[:, None] <= x[None, :] + tol_x) & (y[:, None] <= y[None, :] + tol_y[None, :])
        better = (x[:, None] < x[None, :] - tol_x) | (y[:, None] < y[None, :] - tol_y[None, :])
    dominates = no_worse & better & valid[:, None]  # [j, i]: j dominates i
    return valid & ~dominates.any(axis=0)


def repeated_plans(x, y, values) -> np.ndarray:
    """For each point, the parameter value of an earlier point (smallest value first) with
    the same plan — the same measure and the same cost, within the tolerances — or NaN:
    a higher λ or a looser cap that changes nothing gives the same plan again, and a
    frontier counts each plan once."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    values = np.asarray(values, dtype=float)
    same = np.full(len(x), np.nan)
    order = np.argsort(values, kind="stable")
    firsts: list[int] = []
    for i in order:
        if not (np.isfinite(x[i]) and np.isfinite(y[i])):
            continue
        for j in firsts:
            if abs(x[j] - x[i]) <= 1e-9 and abs(y[j] - y[i]) <= COST_TOLERANCE * max(1.0, abs(y[j])):
                same[i] = values[j]
                break
        else:
            firsts.append(i)
    return same


def frontier(case: Case, policy: Policy | None = None, *, trade_offs=TRADE_OFFS,
             shares=DEFAULT_SHARES, supplier: str | None = None,
             risk_weights=DEFAULT_RISK_WEIGHTS, executor: Executor | None = None,
    caps: Mapping[str, float] | None = None, max_share: float | None = None,
    risk_weight: float | None = None, exclude: str | Sequence[str] | None = None,
    admit: str | Sequence[str] | None = None, share_basis: str | None = None,
    share_of: str | None = None, limits: Sequence[ShareLimit] | None = None,
    storage_days: float | None = None, cover_days: float | None = None,
    min_n1: float | None = None,
    time_limit: float | None = None, progress=None) -> pd.DataFrame:
    """The cost–diversification and cost–risk trade-offs of `case`, one row per point.

    `shares` are the caps tried (on every supplier, or on `supplier` alone); `risk_weights`
    the λ values. Columns: trade_off, parameter, value, status, x (the measure), x_label,
    cost_musd, objective_musd, cash_cost_musd, unserved_bcf, largest_share, risk_exposure,
    pareto (efficient, one point per distinct plan), same_plan_as (the parameter value of
    the point whose plan this one repeats, else empty), share_<SUPPLIER>. `progress(done)` is told the points done over all the
    trade-offs traced. The policy choices (as in `solve`) set the base policy.
    """
    choices = {k: v for k, v in dict(caps=caps, max_share=max_share, risk_weight=risk_weight, exclude=exclude,
                   admit=admit, share_basis=share_basis, share_of=share_of, limits=limits,
                   storage_days=storage_days, cover_days=cover_days, min_n1=min_n1).items() if v is not None}
    unknown = set(trade_offs) - set(TRADE_OFFS)
    if unknown or not trade_offs:
        raise SweepError(f"trade-offs are {', '.join(TRADE_OFFS)} (got {', '.join(map(str, trade_offs))})")
    parts = []
    done = 0  # points of the trade-offs traced so far: `progress` counts all of them
    if "diversification" in trade_offs:
        key = f"cap.{supplier}" if supplier else "max_share"
        table = sweep(case, {key: shares}, executor, policy, time_limit=time_limit,
                      progress=_after(progress, done), **choices)
        done += len(table)
        # Measured on the base the caps limit: supply, or imports.
        of = make_policy(case, policy, **choices).share_of
        base = "imports" if of == "imports" else "supply"
        column = (f"base_share_{supplier}" if of == "imports" else f"share_{supplier}") if supplier \
            else "largest_base_share"
        measure = table[column]
        label = (f"{supplier}'s share of {base} (%)" if supplier
                 else f"largest supplier's share of {base} (%)")
        parts.append(_frame(table, "diversification", key, measure, label))
    if "risk" in trade_offs:
        table = sweep(case, {"risk_weight": risk_weights}, executor, policy, time_limit=time_limit,
                      progress=_after(progress, done), **choices)
        parts.append(_frame(table, "risk", "risk_weight", table["risk_exposure"],
                            "risk exposure (supply-weighted risk score, 0–1)"))
    return pd.concat(parts, ignore_index=True)


def _after(progress, done: int):
    """`progress` for a sweep that starts after `done` points of the frontier."""
    return None if progress is None else (lambda points: progress(done + points))


def _frame(table: pd.DataFrame, trade_off: str, key: str, measure: pd.Series, label: str) -> pd.DataFrame:
    ok = (table["status"] == OPTIMAL_STATUS).to_numpy()
    cost = table["total_cost_musd"]
    shares = [c for c in table.columns if c.startswith("share_")]
    frame = pd.DataFrame({
        "trade_off": trade_off, "parameter": key, "value": table[key], "status": table["status"],
        "x": measure, "x_label": label, "cost_musd": cost,
        "objective_musd": table["objective_musd"], "cash_cost_musd": table["cash_cost_musd"],
        "unserved_bcf": table["unserved_bcf"], "largest_share": table["largest_share"],
        "risk_exposure": table["risk_exposure"],
        "pareto": pareto_mask(measure, cost, ok),
    })
    # One Pareto point per distinct plan: a repeat names the point whose plan it repeats.
    frame["same_plan_as"] = repeated_plans(measure.where(ok), cost.where(ok), table[key])
    frame.loc[frame["same_plan_as"].notna(), "pareto"] = False
    return pd.concat([frame, table[shares], table[["message"]]], axis=1)
