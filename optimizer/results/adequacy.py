"""Days that matter, as a plan reports them: the peak day of every period, the flow-based
N−1 (a day solved on the network itself: formulation/windows.py) and short disruptions.

* **Peak day** of period t: the plan's own where the case puts peak days in the model
  (case.toml `peak_day = "block"`); else solved after the plan: design-day demand (the
  average × each node's peak-day factor), every source up to its maximum and entry
  capacity, storage from the plan's stock on the period's first morning at its (ratcheted)
  withdrawal rate. Reports the share of total and of protected demand served.
* **Flow-based N−1** of period t: the peak day without the largest single infrastructure
  (an entry or a storage site: the Regulation's I_m) of each calculated area, and without
  the largest of the whole system; storage at full deliverability, so the figure depends on
  the infrastructure alone, like the Regulation's formula (which the table keeps beside
  it). N−1 = 100 × the share of the area's peak-day demand still served. An arc between
  nodes is a bottleneck here, where the formula assumes gas reaches any node of its area.
* **Short events** (disruptions.csv `first_day`, `days`) are day blocks of their
  scenario's model (formulation/blocks.py); `short_events_table` reads what each demand
  tier gave up on those days from the stress test's re-solves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import Violation
from ..formulation.arrays import PROTECTED, ModelData
from ..formulation.blocks import PEAK_DAY
from ..formulation.build import build
from ..formulation.windows import stock_at_start, window_data
from ..lp.solvers import SolveStatus, run_solver
from .security import N1_STANDARD, area_name, calculated_areas, n1_by_area

SYSTEM = "system"


@dataclass(frozen=True)
class Served:
    """What a window served: MMcf/d of demand and unserved, in total and protected, per
    node, and the unserved gas of each demand tier (R; empty without tiers)."""

    demand: np.ndarray            # N
    unserved: np.ndarray          # N
    protected_demand: np.ndarray  # N
    protected_unserved: np.ndarray  # N
    tiers: np.ndarray             # R

    def pct(self, nodes: np.ndarray, protected: bool = False) -> float:
        """100 × the share of the nodes' (protected) demand served (NaN: none asked)."""
        asked = (self.protected_demand if protected else self.demand)[nodes].sum()
        short = (self.protected_unserved if protected else self.unserved)[nodes].sum()
        return float(100.0 * (1.0 - short / asked)) if asked > 0 else float("nan")


def solve_window(d: ModelData) -> Served:
    """Solve a window's data (windows.window_data) and read what it served."""
    formulation = build(d)
    result = run_solver(formulation.model, "highs")
    if result.status is not SolveStatus.OPTIMAL:  # unserved gas keeps a window feasible
        raise RuntimeError(f"the window {d.period_ids[0]} did not solve: {result.status}")
    c = formulation.columns
    tiers = result.x[c.tiers][:, 0] if c.tiers.size else np.zeros(0)
    return served_of(d, d.demand[:, 0], result.x[c.unserved][:, 0], tiers)


def served_of(d: ModelData, demand: np.ndarray, unserved: np.ndarray, tiers: np.ndarray) -> Served:
    """What a day served, from its demand (N), unserved gas (N) and tiers' unserved (R)."""
    protected_demand, protected_unserved = demand.copy(), unserved.copy()
    if len(d.tier_ids):
        is_protected = np.array(d.tier_ids, dtype=object) == PROTECTED
        protected_demand = np.zeros_like(demand)
        protected_unserved = np.zeros_like(demand)
        np.add.at(protected_demand, d.tier_node[is_protected],
                  (d.tier_share * demand[d.tier_node])[is_protected])
        np.add.at(protected_unserved, d.tier_node[is_protected], tiers[is_protected])
    return Served(demand, unserved, protected_demand, protected_unserved, tiers)


def blocks_served(d: ModelData, columns, x: np.ndarray) -> list[tuple]:
    """[(block, Served)] of the day blocks a plan solved (formulation/blocks.py)."""
    if columns is None:
        return []
    out = []
    for j, block in enumerate(d.blocks):
        tiers = x[columns.tiers[:, j]] if columns.tiers.size else np.zeros(0)
        out.append((block, served_of(d, block.demand(d), x[columns.unserved[:, j]], tiers)))
    return out


def peak_demand(d: ModelData, t: int) -> np.ndarray:
    """N, MMcf/d: each node's design-day demand in period t (average × its peak factor; a
    one-day period is its own peak day)."""
    return d.demand[:, t] * (d.node_peak_factor if d.days[t] > 1 else 1.0)


def supply_capacity(d: ModelData, t: int) -> np.ndarray:
    """S, MMcf/d: what each source can deliver on a day of period t (its maximum and its
    entry's capacity; 0 for an excluded supplier)."""
    cap = np.minimum(d.source_max[:, t], d.entry_capacity[d.source_entry, t])
    return np.where(d.excluded, 0.0, cap)


def peak_day(d: ModelData, t: int, stock: np.ndarray) -> Served:
    """The peak day of period t with storage at `stock` (Bcf) on its morning."""
    return solve_window(window_data(d, t, 1.0, label=f"{d.period_ids[t]} peak day",
                                    demand=peak_demand(d, t), supply_max=supply_capacity(d, t),
                                    stock=stock))


def without(d: ModelData, t: int, item: str) -> tuple[np.ndarray, np.ndarray]:
    """(entry capacity E, withdrawal rate K) of period t without infrastructure `item`
    (an entry or a storage site)."""
    capacity, withdrawal = d.entry_capacity[:, t].copy(), d.withdrawal_rate[:, t].copy()
    if item in d.entry_ids:
        capacity[d.entry_ids.index(item)] = 0.0
    elif item in d.storage_ids:
        withdrawal[d.storage_ids.index(item)] = 0.0
    return capacity, withdrawal


def largest_of_system(d: ModelData, t: int) -> tuple[str, float]:
    """The largest single infrastructure of the whole system in period t (an entry, or a
    strategic storage site by withdrawal rate) and its capacity, MMcf/d."""
    withdrawal = np.where(d.storage_active[:, t] & d.storage_strategic, d.withdrawal_rate[:, t], 0.0)
    items = list(d.entry_ids) + list(d.storage_ids)
    values = np.concatenate([d.entry_capacity[:, t], withdrawal])
    i = int(np.argmax(values)) if len(values) else 0
    return (items[i], float(values[i])) if len(values) else ("", 0.0)


def n1_flow(d: ModelData, t: int) -> list[dict]:
    """The flow-based N−1 of period t: per calculated area (without the area's largest
    infrastructure) and for the system (without its largest), storage full."""
    formula = n1_by_area(d)
    full = d.working_gas.astype(float)
    rows = []
    cases = [(area_name(d, nodes), nodes, str(formula.largest[a, t]), float(formula.pct[a, t]))
             for a, nodes in enumerate(calculated_areas(d))]
    everything = np.arange(len(d.node_ids))
    item, _ = largest_of_system(d, t)
    cases.append((SYSTEM, everything, item, float("nan")))
    for area, nodes, item, formula_pct in cases:
        demand = peak_demand(d, t)
        if demand[nodes].sum() <= 0:
            continue
        capacity, withdrawal = without(d, t, item)
        served = solve_window(window_data(d, t, 1.0, label=f"{d.period_ids[t]} without {item}",
                                          demand=demand, supply_max=supply_capacity(d, t),
                                          stock=full, entry_capacity=capacity,
                                          withdrawal_rate=withdrawal))
        rows.append({"period": d.period_ids[t], "check": "n1", "area": area, "without": item,
                     "peak_demand_mmcfd": float(demand[nodes].sum()),
                     "served_pct": served.pct(nodes),
                     "protected_served_pct": served.pct(nodes, protected=True),
                     "n1_formula_pct": formula_pct})
    return rows


def adequacy_table(d: ModelData, stock: np.ndarray, planned: list[tuple] = ()) -> pd.DataFrame:
    """adequacy.csv: per period, the peak day and the flow-based N−1 per area and for the
    system. The peak day is the plan's own where it has one (`planned`: blocks_served of its
    peak-day blocks), else solved on the plan's stock (`stock`, K × T, Bcf at the end of
    each period)."""
    rows = []
    everything = np.arange(len(d.node_ids))
    own = {block.t: served for block, served in planned if block.label == PEAK_DAY}
    for t, period in enumerate(d.period_ids):
        served = own[t] if t in own else peak_day(d, t, stock_at_start(d, stock, t))
        rows.append({"period": period, "check": "peak_day", "area": SYSTEM, "without": "",
                     "peak_demand_mmcfd": float(peak_demand(d, t).sum()),
                     "served_pct": served.pct(everything),
                     "protected_served_pct": served.pct(everything, protected=True),
                     "n1_formula_pct": float("nan")})
        rows += n1_flow(d, t)
    return pd.DataFrame(rows, columns=["period", "check", "area", "without", "peak_demand_mmcfd",
                                       "served_pct", "protected_served_pct", "n1_formula_pct"])


def n1_flow_shortfalls(d: ModelData) -> list[Violation]:
    """Areas and periods whose flow-based N−1 is below the policy's `min_n1` (%), as
    violations (MMcf/d short of the area's peak-day demand)."""
    required = d.policy.min_n1
    if required is None:
        return []
    out = []
    for t in range(len(d.period_ids)):
        for row in n1_flow(d, t):
            if row["area"] == SYSTEM or not row["served_pct"] < required - 1e-9:
                continue
            short = (required - row["served_pct"]) / 100.0 * row["peak_demand_mmcfd"]
            out.append(Violation(N1_STANDARD, f"{required:g}% in area {row['area']} without "
                                 f"{row['without']} (flow-based N−1 {row['served_pct']:.1f}%)",
                                 row["period"], ">=", float(short), "MMcf/d", 0.0, "N−1 standard"))
    return out


def short_events_table(days_of: list[tuple]) -> pd.DataFrame:
    """One row per short event's block and demand tier (or node total without tiers), from
    [(scenario id, its data, blocks_served)]: the gas left unserved on those days, MMcf/d
    and Bcf, the shares of demand served, and what the shortfall costs at the tiers'
    values and would cost at VOLL (million USD)."""
    rows = []
    for scenario, d, served_blocks in days_of:
        everything = np.arange(len(d.node_ids))
        for block, served in served_blocks:
            if block.label == PEAK_DAY:
                continue
            base = {"scenario": scenario, "period": d.period_ids[block.t],
                    "first_day": block.first_day, "days": block.days,
                    "served_pct": served.pct(everything),
                    "protected_served_pct": served.pct(everything, protected=True)}
            # What the shortfall costs at each tier's value, and what it would at VOLL.
            energy = block.days * d.energy
            if len(d.tier_ids):
                by_tier: dict[str, list[float]] = {}
                for tier, value, worth in zip(d.tier_ids, served.tiers, d.tier_values):
                    total = by_tier.setdefault(tier, [0.0, 0.0])
                    total[0] += float(value)
                    total[1] += float(value) * energy * worth
            else:
                lost = float(served.unserved.sum())
                by_tier = {PROTECTED: [lost, lost * energy * d.voll]}
            for tier, (value, cost) in by_tier.items():
                rows.append({**base, "tier": tier, "unserved_mmcfd": value,
                             "unserved_bcf": value * block.days / 1000.0, "cost_musd": cost,
                             "cost_at_voll_musd": value * energy * d.voll})
    return pd.DataFrame(rows, columns=["scenario", "period", "first_day", "days", "served_pct",
                                       "protected_served_pct", "tier", "unserved_mmcfd",
                                       "unserved_bcf", "cost_musd", "cost_at_voll_musd"])
