"""Unserved gas never exceeds the demand it stands for (hand-computed cases).

The case the independent formulation found: node A has demand 10 and no supply but a
storage site that must end the month holding 3 Bcf; node B has demand 100 and one source
of 100 (price 1); an arc B→A (tariff 0.5). One period of 30 days, VOLL 10.

Without the bound, A would "serve" its injection with 100 MMcf/d of unserved gas made
from nothing (objective/w = 110·10 + 100·1 = 1,200). With it, the 100 MMcf/d injected
(3 Bcf over 30 days) must be real gas from B: B's source ships all its 100 to A
(100·1 + 100·0.5 = 150), A's own demand goes unserved (10·10 = 100) and so does all of
B's (100·10 = 1,000): 1,250. Without the arc the end target cannot be met at all: the
policy is infeasible (exit 3), with the end target named short by 3 Bcf.
"""

from __future__ import annotations

import pytest
from cases import E, arc, flow, price, source, storage, tiny_case

from gasmix.optimizer import InfeasiblePolicy, solve, solve_stochastic, sweep
from gasmix.models import Scenario

W = 30 * E  # one period of 30 days: million USD per (MMcf/d × USD/MMBtu)


def issue_case(with_arc: bool = True, scenarios=()):
    return tiny_case(
        nodes=("A", "B"), demand={"A": 10.0, "B": 100.0}, voll=10.0,
        sources=[source("S", 1.0, node="B", max=100)],
        arcs=[arc("B_A", "B", "A", 1000, tariff=0.5)] if with_arc else [],
        storage=[storage("K", "A", working_gas=10, injection=500, withdrawal=500,
                         end_target=3.0)],
        scenarios=scenarios)


def unserved(plan, node):
    p = plan.prices
    return float(p.loc[p["node"] == node, "unserved_mmcfd"].item())


def test_unserved_gas_cannot_feed_storage_or_be_shipped_on():
    plan = solve(issue_case())
    assert plan.objective == pytest.approx(1250 * W)
    assert flow(plan, "S") == pytest.approx(100.0)
    assert float(plan.transport["flow_mmcfd"].item()) == pytest.approx(100.0)
    assert unserved(plan, "A") == pytest.approx(10.0)   # never above A's demand
    assert unserved(plan, "B") == pytest.approx(100.0)
    assert float(plan.storage["stock_bcf"].item()) == pytest.approx(3.0)
    p = plan.prices
    assert (p["unserved_mmcfd"] <= p["demand_mmcfd"] + 1e-9).all()


def test_without_a_way_to_bring_gas_the_end_target_is_infeasible():
    with pytest.raises(InfeasiblePolicy) as raised:
        solve(issue_case(with_arc=False))
    (violation,) = raised.value.violations
    assert violation.family == "storage_end"
    assert violation.amount == pytest.approx(3.0)  # Bcf short


def test_marginal_cost_where_the_bound_binds_is_voll():
    # All of B's demand goes unserved (the bound binds): one more MMcf/d of it goes
    # unserved too, at VOLL; the balance row's dual alone would say more.
    plan = solve(issue_case())
    assert price(plan, "B") == pytest.approx(10.0)
    assert price(plan, "A") == pytest.approx(10.0)
    assert plan.prices["marginal_cost_usd_mmbtu"].max() <= 10.0 + 1e-9


def test_the_two_stage_model_bounds_unserved_gas_too():
    plan = solve_stochastic(issue_case(scenarios=[Scenario("base", 1.0)]))
    assert plan.summary["expected_cost_musd"] == pytest.approx(1250 * W)
    assert unserved(plan, "A") == pytest.approx(10.0)


def test_a_demand_multiplier_in_a_sweep_moves_the_bound():
    # Demand × 0.5: A 5, B 50. The 100 injected still comes from B's source: all of it
    # ships to A (150), A's 5 and B's 50 go unserved (550): 700. × 1.5: A 15, B 150:
    # 150 + 165·10 = 1,800.
    table = sweep(issue_case(), {"demand": [0.5, 1.0, 1.5]})
    assert list(table["status"]) == ["optimal"] * 3
    assert list(table["objective_musd"]) == pytest.approx([700 * W, 1250 * W, 1800 * W])
    for multiplier, cost in zip((0.5, 1.0, 1.5), table["objective_musd"]):
        case = issue_case()
        cold = solve(case.__class__(**{**case.__dict__, "demand": case.demand * multiplier}))
        assert cost == pytest.approx(cold.objective)
