"""Turning an infeasible policy into plain words.

Unserved demand at VOLL keeps the physical model feasible, so infeasibility can only come
from policy: contract minimums, share limits, storage floors and end targets. The model is
rebuilt *elastic* — each policy row gets a slack priced at 1 and every other cost is zero —
and solved; the slacks that remain positive are the smallest set of relaxations that make
the policy feasible, and each is reported with its family, item, period and amount.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .data import ModelData
from .model import build
from .solvers import SolveStatus, solve_highs

DESCRIBE = {
    "share_limit": ("share limit", "MMcf/d of supply over the limit"),
    "source_minimum": ("contract minimum", "MMcf/d that cannot be taken"),
    "storage_floor": ("storage floor", "Bcf below the floor"),
    "storage_end": ("storage end target", "Bcf short of the target"),
}


@dataclass(frozen=True)
class Violation:
    family: str
    item: str
    period: str
    amount: float
    unit: str

    def __str__(self) -> str:
        what, unit = DESCRIBE.get(self.family, (self.family, self.unit))
        amount = f"{self.amount:,.1f}"
        if self.family == "share_limit":
            return f"{what} '{self.item}' in {self.period}: must give way by {amount} {unit}"
        return f"{what} of {self.item} in {self.period}: {amount} {unit}"


def diagnose(data: ModelData, limit: int = 12) -> list[Violation]:
    """The policy rows that must give way, largest first (at most `limit` of them)."""
    formulation = build(data, elastic=True)
    model = formulation.model
    result = solve_highs(model)
    if result.status is not SolveStatus.OPTIMAL:
        return []
    found: list[Violation] = []
    for name, block in model.variables.items():
        if not name.startswith("slack_"):
            continue
        family = name[len("slack_"):].rsplit("_", 1)[0]
        values = result.x[block.start:block.stop]
        for label, value in zip(block.labels, values):
            if value > 1e-6:
                item, period = label
                found.append(Violation(family, str(item), str(period), float(value),
                                       DESCRIBE.get(family, ("", ""))[1]))
    found.sort(key=lambda v: -v.amount)
    return found[:limit] if limit else found


def total_violation(violations: list[Violation]) -> float:
    return float(np.sum([v.amount for v in violations]))
