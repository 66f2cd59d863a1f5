"""The optimisation model of gasmix: formulation, solving, verification and the Plan.

    from models import default_case
    from optimizer import solve
    plan = solve(default_case(), caps={"US": 0.6}, risk_weight=2.0)
    table = sweep(default_case(), {"cap.US": "0.4:1.0:0.05"})
"""

from .api import InfeasiblePolicy, SolverFailure, make_policy, pulp_problem, solve, write_mps
from .diagnose import Violation
from .files import PlanWriteError
from .plan import Plan
from .solvers import SOLVERS, SolveStatus
from .stochastic_api import solve_stochastic, stress_test
from .sweep import Grid, SweepError, make_grid, solve_point, sweep
from .verify import VerificationError

__all__ = ["solve", "sweep", "make_grid", "solve_point", "Grid", "SweepError", "write_mps",
           "solve_stochastic", "stress_test",
           "make_policy", "pulp_problem", "Plan", "PlanWriteError", "SolveStatus", "SOLVERS",
           "InfeasiblePolicy", "SolverFailure", "Violation", "VerificationError"]
