"""`solve(case, **policy)`: case → arrays → families → LP → solver → verified `Plan`."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import highspy

from ..models import Case, Policy, ShareLimit, make_policy
from .errors import InfeasiblePolicy, SolverFailure, VerificationError
from .formulation.arrays import ModelData, prepare
from .formulation.build import build
from .formulation.diagnose import diagnose
from .formulation.names import BALANCE
from .lp.linear_model import quiet_stdout
from .lp.solvers import HighsSession, SolveStatus, check_solver, run_solver
from .lp.verify import check_solution
from .results.plan import Plan, make_plan
from .results.adequacy import n1_flow_shortfalls


def checked_data(case: Case, policy: Policy | None = None, **choices) -> ModelData:
    """The case and the policy (the case's own with `choices` laid over it) as arrays,
    every rule checked: CaseError for bad input, InfeasiblePolicy for an N−1 standard the
    infrastructure cannot meet (it does not depend on the plan, so it is found before any
    solve)."""
    data = prepare(case, make_policy(case, policy, **choices))
    require_n1(data)
    return data


def require_n1(data: ModelData) -> None:
    """Raise InfeasiblePolicy if the policy's min_n1 is above some area's flow-based N−1
    (results/adequacy.py: the peak day without the area's largest infrastructure)."""
    shortfalls = n1_flow_shortfalls(data)
    if shortfalls:
        raise InfeasiblePolicy(shortfalls)


def pulp_problem(case: Case, policy: Policy | None = None, **choices):
    """The PuLP `LpProblem` of a case and policy, e.g. to inspect it or write it with
    `.writeLP()` / `.writeMPS()`. Constraints are named `<family>_<item>_<period>`."""
    data = prepare(case, make_policy(case, policy, **choices))
    problem, _, _ = build(data).model.to_pulp(name=f"gasmix_{case.name}")
    return problem


def solve_verified(model, data: ModelData, solver: str = "highs", time_limit: float | None = None):
    """Solve `model` and check the answer: every row and bound recomputed from the primal
    values. Returns (result, check); raises InfeasiblePolicy (with the diagnosis of `data`'s
    policy) or SolverFailure."""
    result = run_solver(model, solver, time_limit)
    if result.status is SolveStatus.UNBOUNDED:
        # Not a policy that cannot be met: some cost can fall without limit (a negative
        # price on a column with no upper bound). Diagnosing it as infeasible would mislead.
        raise SolverFailure(SolveStatus.UNBOUNDED,
                            "the model is unbounded: some cost can fall without limit — look "
                            "for a negative price (a hub price, adder or scenario multiplier) "
                            "on gas with no upper bound")
    if result.status is SolveStatus.INFEASIBLE:
        raise InfeasiblePolicy(diagnose(data))
    if result.status is not SolveStatus.OPTIMAL:
        raise SolverFailure(result.status, result.message or "no plan")
    try:
        check = check_solution(model, result.x, residual_of=BALANCE)
    except VerificationError as exc:
        raise SolverFailure(SolveStatus.ERROR, str(exc)) from exc
    return result, check


def write_mps(case: Case, path, policy: Policy | None = None, **choices) -> Path:
    """Write the LP of a case and policy as a free-format MPS file — exactly the model
    `solve` gives HiGHS — for another solver or for timing HiGHS on its own."""
    path = Path(path)
    data = prepare(case, make_policy(case, policy, **choices))
    session = HighsSession(build(data).model)
    if not session.loaded:
        raise SolverFailure(SolveStatus.ERROR, "HiGHS rejected the model")
    path.parent.mkdir(parents=True, exist_ok=True)
    with quiet_stdout():
        status = session.highs.writeModel(str(path))
    if status == highspy.HighsStatus.kError:
        raise OSError(f"could not write {path}")
    return path


def solve(case: Case, policy: Policy | None = None, *,
          caps: Mapping[str, float] | None = None, max_share: float | None = None,
          risk_weight: float | None = None, exclude: str | Sequence[str] | None = None,
          admit: str | Sequence[str] | None = None, share_basis: str | None = None,
          share_of: str | None = None, limits: Sequence[ShareLimit] | None = None,
          storage_days: float | None = None, cover_days: float | None = None,
          min_n1: float | None = None, solver: str = "highs",
          time_limit: float | None = None) -> Plan:
    """Solve `case` for the cheapest supply plan under its policy; returns a verified
    optimal Plan. `solver` "highs" or "cbc"; `time_limit` in seconds.

    Policy choices, laid over the case's own policy (`policy`, default the case's):
    caps {supplier: maximum share}, max_share (every supplier), risk_weight λ (USD/MMBtu
    per unit of risk score), exclude (suppliers), admit (offers), share_basis ("period"
    or "horizon"), share_of ("supply" or "imports"), limits (ShareLimit rows),
    storage_days, cover_days (days), min_n1 (%).

    Raises CaseError for a policy that breaks the case's rules (unknown suppliers, shares
    outside 0…1, limits that contradict each other), InfeasiblePolicy (with a diagnosis)
    when the policy cannot be met, SolverFailure when no verified optimal plan came back.
    """
    check_solver(solver)
    started = time.perf_counter()
    data = checked_data(case, policy, caps=caps, max_share=max_share, risk_weight=risk_weight,
                        exclude=exclude, admit=admit, share_basis=share_basis,
                        share_of=share_of, limits=limits, storage_days=storage_days,
                        cover_days=cover_days, min_n1=min_n1)
    return solve_data(data, solver, time_limit, started)


def solve_data(data: ModelData, solver: str = "highs", time_limit: float | None = None,
               started: float | None = None) -> Plan:
    """`solve` for data already prepared and checked (checked_data): build, solve, verify,
    make the Plan. `started` is when the solve began (for the plan's build time)."""
    started = time.perf_counter() if started is None else started
    formulation = build(data)
    built = time.perf_counter()
    result, check = solve_verified(formulation.model, data, solver, time_limit)
    return make_plan(data, formulation.columns, formulation.model, result, check,
                     {"build": built - started})
