"""The optimisation model of gasmix: formulation, solving, verification and the Plan.

    from models import default_case
    from optimizer import solve
    plan = solve(default_case(), caps={"US": 0.6}, risk_weight=2.0)
"""

from .api import InfeasiblePolicy, SolverFailure, make_policy, pulp_problem, solve
from .diagnose import Violation
from .files import PlanWriteError
from .plan import Plan
from .solvers import SOLVERS, SolveStatus
from .stochastic_api import solve_stochastic, stress_test
from .verify import VerificationError

__all__ = ["solve", "solve_stochastic", "stress_test", "make_policy", "pulp_problem", "Plan", "PlanWriteError", "SolveStatus", "SOLVERS",
           "InfeasiblePolicy", "SolverFailure", "Violation", "VerificationError"]
