"""The optimisation side of gasmix: the public verbs on top, the machinery in rooms below.

    from gasmix.models import default_case
    from gasmix.optimizer import solve, sweep
    plan = solve(default_case(), caps={"US": 0.6}, risk_weight=2.0)
    table = sweep(default_case(), {"cap.US": "0.4:1.0:0.05"})

The rooms follow the data: `formulation/` (the case and policy as arrays, the registry of
constraint families, the deterministic and two-stage models), `lp/` (the LP as arrays,
HiGHS and CBC, verification; nothing about gas), `results/` (the Plan, headline figures,
security indicators), `output/` (folders, workbooks, the report, charts, the terminal).
"""

from .deterministic import make_policy, pulp_problem, solve, write_mps
from .errors import (CaseError, InfeasiblePolicy, PlanWriteError, SolverFailure, SweepError,
                     VerificationError, Violation)
from .frontier import frontier
from .lp.solvers import SOLVERS, SolveStatus
from .results.plan import Plan
from .stochastic import solve_stochastic, stress_test
from .sweep import Grid, make_grid, solve_point, sweep

__all__ = ["solve", "solve_stochastic", "stress_test", "sweep", "frontier", "make_grid",
           "solve_point", "Grid", "write_mps", "make_policy", "pulp_problem", "Plan",
           "SolveStatus", "SOLVERS", "Violation", "CaseError", "InfeasiblePolicy",
           "SolverFailure", "SweepError", "PlanWriteError", "VerificationError"]
