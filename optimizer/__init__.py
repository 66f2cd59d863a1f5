"""The optimisation model of gasmix: formulation, solving, verification and the Plan.

    from gasmix.models import default_case
    from gasmix.optimizer import solve
    plan = solve(default_case(), caps={"US": 0.6}, risk_weight=2.0)
    table = sweep(default_case(), {"cap.US": "0.4:1.0:0.05"})
"""

from .deterministic import InfeasiblePolicy, SolverFailure, make_policy, pulp_problem, solve, write_mps
from .formulation.diagnose import Violation
from .output.files import PlanWriteError
from .results.plan import Plan
from .lp.solvers import SOLVERS, SolveStatus
from .stochastic import solve_stochastic, stress_test
from .sweep import Grid, SweepError, make_grid, solve_point, sweep
from .lp.verify import VerificationError

__all__ = ["solve", "sweep", "make_grid", "solve_point", "Grid", "SweepError", "write_mps",
           "solve_stochastic", "stress_test",
           "make_policy", "pulp_problem", "Plan", "PlanWriteError", "SolveStatus", "SOLVERS",
           "InfeasiblePolicy", "SolverFailure", "Violation", "VerificationError"]
