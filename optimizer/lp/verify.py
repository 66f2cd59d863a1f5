"""After-the-fact checks of a solver's answer, recomputed from the primal values.

A solver's "optimal" is not taken on trust (PuLP has reported infeasible CBC runs as
optimal): every row and bound is re-evaluated with the returned values, and the equality
rows the caller names (gasmix: the node balances) are recomputed on their own so the plan
can state its largest residual.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import VerificationError
from .linear_model import LinearModel

# Absolute tolerance in the model's units (MMcf/d, Bcf), scaled by the size of the bound:
# solvers work to about 1e-7 relative after scaling.
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Check:
    max_balance_residual: float   # over the rows of the blocks named by `residual_of`
    max_row_violation: float      # relative to 1 + the size of the row
    max_bound_violation: float
    activity: np.ndarray          # A·x per row, for the plan's tables


def check_solution(model: LinearModel, x: np.ndarray, residual_of: str | None = None) -> Check:
    """Recompute every row and bound from `x`; raise VerificationError if any is broken.
    `residual_of` names the row blocks (one family name) whose largest |A·x − b| the check
    reports as `max_balance_residual`."""
    if x is None or not np.all(np.isfinite(x)):
        raise VerificationError("the solver returned no finite values for some variables")
    activity, size = model.row_activity(x, with_size=True)
    lower, upper = model.row_bounds()
    # A row's tolerance scales with the size of its terms, not only its bound: a share
    # row reads Σ_g q − σ·Σ q ≤ 0, with a zero bound but terms of thousands of MMcf/d.
    bound = np.maximum(np.abs(np.where(np.isfinite(lower), lower, 0)),
                       np.abs(np.where(np.isfinite(upper), upper, 0)))
    scale = 1.0 + np.maximum(bound, size)
    below = np.where(np.isfinite(lower), lower - activity, 0.0) / scale
    above = np.where(np.isfinite(upper), activity - upper, 0.0) / scale
    row_violation = np.maximum(np.maximum(below, above), 0.0)
    col_scale = 1.0 + np.abs(np.where(np.isfinite(model.col_upper), model.col_upper, 0))
    col_violation = np.maximum(np.maximum(model.col_lower - x, x - model.col_upper), 0.0) / col_scale

    blocks = model.block(residual_of) if residual_of else []
    balance = np.concatenate([np.arange(b.start, b.stop) for b in blocks] or [np.zeros(0, int)])
    residual = np.abs(activity[balance] - lower[balance])
    check = Check(
        max_balance_residual=float(residual.max()) if residual.size else 0.0,
        max_row_violation=float(row_violation.max()) if row_violation.size else 0.0,
        max_bound_violation=float(col_violation.max()) if col_violation.size else 0.0,
        activity=activity,
    )
    if check.max_row_violation > TOLERANCE or check.max_bound_violation > TOLERANCE:
        worst = model.row_names()[int(np.argmax(row_violation))] if row_violation.size else ""
        raise VerificationError(
            f"the solver's solution breaks the model: worst row {worst} off by "
            f"{check.max_row_violation:.3g} (relative), worst bound off by "
            f"{check.max_bound_violation:.3g}")
    return check
