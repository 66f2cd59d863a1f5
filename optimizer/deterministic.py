"""`solve(case, **policy)`: case → formulation → solver → verified `Plan`."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

import highspy

from ..models import Case, Policy

from .errors import InfeasiblePolicy, SolverFailure, VerificationError
from .formulation.arrays import prepare
from .formulation.diagnose import Violation, diagnose
from .formulation.build import build
from .results.plan import Plan, make_plan
from .lp.linear_model import quiet_stdout
from .results.security import n1_shortfalls
from .lp.solvers import SOLVERS, HighsSession, SolveStatus, run_solver
from .lp.verify import check_solution


def make_policy(case: Case, policy: Policy | None = None, *, caps: Mapping[str, float] | None = None,
                max_share: float | None = None, risk_weight: float | None = None,
                exclude=None, share_basis: str | None = None, share_of: str | None = None,
                limits=None, storage_days: float | None = None, cover_days: float | None = None,
                min_n1: float | None = None) -> Policy:
    """The case's default policy with the given choices laid over it.

    `caps` are added to (and override) the case's caps; `exclude` (a code or a list) and
    `limits` are added to the case's own.
    """
    base = policy or case.policy
    changes = {}
    if caps:
        changes["caps"] = {**base.caps, **{k: float(v) for k, v in caps.items()}}
    if max_share is not None:
        changes["max_share"] = float(max_share)
    if risk_weight is not None:
        changes["risk_weight_usd_mmbtu"] = float(risk_weight)
    if exclude:
        codes = [exclude] if isinstance(exclude, str) else list(exclude)
        changes["exclude"] = tuple(dict.fromkeys([*base.exclude, *codes]))
    if share_basis is not None:
        changes["share_basis"] = share_basis
    if share_of is not None:
        changes["share_of"] = share_of
    if limits:
        changes["limits"] = (*base.limits, *limits)
    for name, value in (("storage_days", storage_days), ("cover_days", cover_days),
                        ("min_n1", min_n1)):
        if value is not None:
            changes[name] = value
    return base.replace(**changes) if changes else base


def pulp_problem(case: Case, policy: Policy | None = None, **choices):
    """The PuLP `LpProblem` of a case and policy, e.g. to inspect it or write it with
    `.writeLP()` / `.writeMPS()`. Constraints are named `<family>_<item>_<period>`."""
    data = prepare(case, make_policy(case, policy, **choices))
    problem, _, _ = build(data).model.to_pulp(name=f"gasmix_{case.name}")
    return problem


def solve_verified(model, data, solver: str = "highs", time_limit: float | None = None):
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
        check = check_solution(model, result.x)
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


def solve(case: Case, policy: Policy | None = None, *, solver: str = "highs",
          time_limit: float | None = None, **choices) -> Plan:
    """Solve `case` for the cheapest supply plan under its policy, with `choices` (caps,
    max_share, risk_weight, exclude, share_basis, share_of, limits, storage_days, cover_days,
    min_n1) laid over it.

    Raises CaseError for a policy naming unknown suppliers, InfeasiblePolicy (with a
    diagnosis) when the policy cannot be met, SolverFailure when no verified optimal plan
    came back.
    """
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r} (choose from {', '.join(SOLVERS)})")
    started = time.perf_counter()
    policy = make_policy(case, policy, **choices)
    data = prepare(case, policy)
    shortfalls = n1_shortfalls(data)  # N−1 is fixed by the infrastructure: check before solving
    if shortfalls:
        raise InfeasiblePolicy(shortfalls)
    formulation = build(data)
    built = time.perf_counter()
    result, check = solve_verified(formulation.model, data, solver, time_limit)
    timings = {"build": built - started}
    return make_plan(data, formulation.columns, formulation.model, result, check, timings)
