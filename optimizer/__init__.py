"""The optimisation side of gasmix: the public verbs on top, the machinery in rooms below.

    from gasmix.models import default_case
    from gasmix.optimizer import solve, sweep
    plan = solve(default_case(), caps={"US": 0.6}, risk_weight=2.0)
    table = sweep(default_case(), {"cap.US": "0.4:1.0:0.05"})

The rooms follow the data: `formulation/` (the case and policy as arrays, the registry of
constraint families, the deterministic and two-stage models), `lp/` (the LP as arrays,
HiGHS and CBC, verification; nothing about gas), `results/` (the Plan, headline figures,
security indicators), `output/` (folders, workbooks, the report, charts, the terminal).
The verbs on top: deterministic.py, stochastic.py, sweeps.py (with grid.py), frontiers.py,
executors.py, errors.py. The names below load on first use (PEP 562).
"""

from ..models.extras import lazy_names

_NAMES = {
    **dict.fromkeys(("pulp_problem", "solve", "write_mps"), ".deterministic"),
    "make_policy": "..models.policy",
    **dict.fromkeys(("CaseError", "InfeasiblePolicy", "PlanWriteError", "SolverFailure",
                     "SweepError", "VerificationError", "Violation"), ".errors"),
    "frontier": ".frontiers",
    "offer_value": ".offers",
    **dict.fromkeys(("Grid", "make_grid"), ".grid"),
    "SOLVERS": ".lp",
    "SolveStatus": ".lp.solvers",
    "Plan": ".results.plan",
    **dict.fromkeys(("solve_stochastic", "stress_test"), ".stochastic"),
    **dict.fromkeys(("solve_point", "sweep"), ".sweeps"),
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_names(globals(), _NAMES)
