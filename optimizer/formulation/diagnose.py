"""Turning an infeasible policy into plain words.

Unserved demand at VOLL keeps the physical model feasible, so infeasibility can only come
from policy: contract minimums, share limits, storage floors and end targets. The model is
rebuilt *elastic* — each policy row gets a slack and every other cost is zero — and solved.
Each slack is priced by the volume of gas (Bcf) it stands for: a contract minimum's or a
floor's own shortfall, and for a share limit the gas that would have to be swapped between
the group and other suppliers at constant total supply (the row's own slack). The optimum
is the smallest volume of policy that must give way; the slacks left positive are
reported, largest volume first, with their family, item, period and amount.
"""

from __future__ import annotations

from ..errors import Violation
from ..lp.solvers import SolveStatus, solve_highs
from .arrays import ModelData
from .build import build
from .families import title
from .names import SHARE_LIMIT, SOURCE_MINIMUM

# How a row block's shortfall reads (errors.Violation): all others are "short".
PHRASING = {SHARE_LIMIT: "share", SOURCE_MINIMUM: "untakeable"}


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
        slack = result.x[block.slack]
        volume = slack * model.col_cost[block.slack]  # Bcf: how slacks were priced
        for k, ((item, period), value) in enumerate(zip(block.labels, slack)):
            if value <= 1e-6:
                continue
            if block.family == SHARE_LIMIT:
                rule = data.share_rules[block.origin[k]]
                amount, unit = value, "MMcf/d"
                if rule.periods is None:  # a horizon row is in MMcf/d·days: report Bcf
                    amount, unit = value / 1000.0, "Bcf"
            else:
                amount = value
                unit = "Bcf" if block.family.startswith("storage") else "MMcf/d"
            found.append(Violation(block.family, str(item), str(period), block.sense,
                                   float(amount), unit, float(volume[k]), title(block.family),
                                   PHRASING.get(block.family, "short")))
    found.sort(key=lambda v: -v.volume_bcf)
    return found
