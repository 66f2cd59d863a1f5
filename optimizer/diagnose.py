"""Turning an infeasible policy into plain words.

Unserved demand at VOLL keeps the physical model feasible, so infeasibility can only come
from policy: contract minimums, share limits, storage floors and end targets. The model is
rebuilt *elastic* — each policy row gets a slack and every other cost is zero — and solved.
Each slack is priced by the volume of gas (Bcf) one unit of it stands for, so the optimum
is the smallest volume of policy that must give way, whatever the rows' own units; the
slacks left positive are reported with their family, item, period and amount.
"""

from __future__ import annotations

from dataclasses import dataclass

from .data import ModelData
from .model import build
from .solvers import SolveStatus, solve_highs

# family → (what it is, unit of its rows)
FAMILIES = {
    "share_limit": ("share limit", "MMcf/d"),
    "source_minimum": ("contract minimum", "MMcf/d"),
    "storage_floor": ("storage floor", "Bcf"),
    "storage_end": ("storage end target", "Bcf"),
}


@dataclass(frozen=True)
class Violation:
    """One policy row that must give way: by `amount` in `unit`, in `period`."""

    family: str
    item: str
    period: str
    sense: str
    amount: float
    unit: str

    def __str__(self) -> str:
        what = FAMILIES.get(self.family, (self.family, ""))[0]
        amount = f"{self.amount:,.1f} {self.unit}"
        if self.family == "share_limit":
            direction = "above its maximum" if self.sense == "<=" else "short of its minimum"
            when = "over the horizon" if self.period == "horizon" else f"in {self.period}"
            return f"{what} '{self.item}' {when}: supply would be {amount} {direction}"
        if self.family == "source_minimum":
            return f"{what} of {self.item} in {self.period}: {amount} cannot be taken"
        return f"{what} of {self.item} in {self.period}: {amount} short"


def diagnose(data: ModelData) -> list[Violation]:
    """Every policy row that must give way for the policy to be feasible, largest first."""
    model = build(data, elastic=True).model
    result = solve_highs(model)
    if result.status is not SolveStatus.OPTIMAL:
        return []
    found: list[Violation] = []
    for block in model.rows:
        if block.slack is None:
            continue
        unit = FAMILIES.get(block.family, ("", ""))[1]
        for (item, period), value in zip(block.labels, result.x[block.slack]):
            if value <= 1e-6:
                continue
            if period == "horizon":  # a horizon row is in MMcf/d·days: report it in Bcf
                value, unit_here = value / 1000.0, "Bcf"
            else:
                unit_here = unit
            found.append(Violation(block.family, str(item), str(period), block.sense,
                                   float(value), unit_here))
    found.sort(key=lambda v: -v.amount)
    return found
