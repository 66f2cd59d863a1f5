"""The formulation as a PuLP problem: named families, the same LP CBC and HiGHS solve."""

from __future__ import annotations

import pulp
import pytest

from gasmix.models import default_case
from gasmix.optimizer import pulp_problem, solve
from gasmix.optimizer.lp import pulp_api


def test_pulp_problem_names_constraints_after_their_families(tmp_path):
    case = default_case()
    problem = pulp_problem(case, caps={"US": 0.6})
    names = [c.name for c in pulp_api.constraints(problem)]
    for family in ("balance", "entry_capacity", "storage_balance", "share_limit"):
        assert any(n.startswith(family + "_") for n in names), family
    T, N = len(case.periods), len(case.nodes)
    assert sum(n.startswith("balance_") for n in names) == N * T
    assert sum(n.startswith("share_limit_cap_US") for n in names) == T
    problem.writeMPS(str(tmp_path / "mexico.mps"))
    assert (tmp_path / "mexico.mps").stat().st_size > 0


def test_pulp_problem_solved_by_pulp_matches_solve():
    case = default_case()
    problem = pulp_problem(case, caps={"US": 0.7}, risk_weight=1.0)
    returned = problem.solve(pulp_api.cbc())
    assert pulp_api.outcome(problem, returned)[0] == "optimal"
    plan = solve(case, caps={"US": 0.7}, risk_weight=1.0)
    assert pulp.value(problem.objective) == pytest.approx(plan.objective, rel=1e-6)
