"""What gasmix asks of PuLP, in one place, for both PuLP lines it supports.

* PuLP 3.3 (any Python gasmix runs on): expressions are dicts, a constraint is built and
  kept as given, `problem.constraints` is a dict, CBC comes bundled (`PULP_CBC_CMD`), and
  `solve()` leaves the status on the problem.
* PuLP 4 (Python 3.12 and later; a Rust core): expressions come from `from_list`, the
  problem keeps its own copy of each constraint (returned by `addConstraint`, and the one
  that carries the dual), `constraints()` is a method, CBC is `COIN_CMD` with the binary of
  the `cbcbox` package (`pip install "pulp[cbc]"`), and `solve()` returns the statistics.

Everything else gasmix uses (`add_variable`, `setObjective`, `writeMPS`, `varValue`, `dj`,
`pi`, `numConstraints`) reads the same in both.
"""

from __future__ import annotations

import pulp

# Feature detection, not a version string: PuLP 4 builds expressions through `from_list`.
PULP_4 = hasattr(pulp.LpAffineExpression, "from_list")
_SENSES = {"==": pulp.LpConstraintEQ, "<=": pulp.LpConstraintLE, ">=": pulp.LpConstraintGE}


class CbcMissing(RuntimeError):
    """PuLP 4 is installed without a CBC binary."""


def expression(pairs: list, constant: float = 0.0):
    """Σ coefficient·variable + constant, from (variable, coefficient) pairs."""
    if PULP_4:
        return pulp.LpAffineExpression.from_list(pairs, constant=constant)
    return pulp.LpAffineExpression(pairs, constant=constant)


def add_row(problem, pairs: list, sense: str, rhs: float, name: str):
    """Add `Σ coefficient·variable (sense) rhs` to `problem`; return the constraint the
    problem keeps (the one whose `pi` holds the dual after a solve)."""
    if PULP_4:
        row = pulp.LpAffineExpression.from_list(pairs, constant=-rhs)
        row.sense = _SENSES[sense]
        return problem.addConstraint(row, name=name)
    row = pulp.LpConstraint(pulp.LpAffineExpression(pairs), sense=_SENSES[sense], name=name, rhs=rhs)
    problem.addConstraint(row, name=name)
    return row


def constraints(problem) -> list:
    """The problem's constraints, in the order they were added."""
    return problem.constraints() if PULP_4 else list(problem.constraints.values())


def cbc(time_limit: float | None = None, msg: bool = False):
    """The CBC command: PuLP 3.3's bundled binary, or PuLP 4's COIN_CMD with cbcbox's."""
    if not PULP_4:
        return pulp.PULP_CBC_CMD(msg=msg, timeLimit=time_limit, keepFiles=False)
    command = pulp.COIN_CMD(msg=msg, timeLimit=time_limit, keepFiles=False)
    if not command.available():
        raise CbcMissing(f"PuLP {pulp.__version__} has no CBC of its own: "
                         'pip install "pulp[cbc]" (or put a cbc binary on PATH)')
    return command


def outcome(problem, returned) -> tuple[str, str]:
    """How a solve ended: ("optimal" | "infeasible" | "unbounded" | "stopped", PuLP's word
    for it). `returned` is what `problem.solve()` returned."""
    if PULP_4:
        status = returned.status
        optimal = status == pulp.LpSolveStatus.Optimal and returned.has_solution
        word = status.name
    else:
        status = problem.status
        optimal = status == pulp.LpStatusOptimal and problem.sol_status == pulp.LpSolutionOptimal
        word = pulp.LpStatus.get(status, str(status))
    # Both lines number these the same: 1 optimal, -1 infeasible, -2 unbounded.
    if optimal:
        return "optimal", word
    if status == -1:
        return "infeasible", word
    if status == -2:
        return "unbounded", word
    # PuLP 3.3 reports CBC stopped on its time limit as "optimal" with a non-optimal
    # solution status: that is not a plan either.
    return "stopped", word
