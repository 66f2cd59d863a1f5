"""Days that matter (issue 12): demand tiers, the withdrawal ratchet, the peak day, short
events and the flow-based N−1, each against a case small enough to solve by hand."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from cases import E, source, storage, tiny_case
from gasmix import solve
from gasmix.models import DemandTier


def tiered(case, *tiers):
    """`case` with demand tiers (node, tier, share, value)."""
    return case.edited(demand_tiers=tuple(DemandTier(*t) for t in tiers))


POWER, INDUSTRY = ("N1", "power_switch", 0.3, 15.0), ("N1", "industrial", 0.2, 40.0)


def test_tiers_give_way_cheapest_first():
    # Demand 100, gas 60 at 3: 40 short. Power switches its whole 30 (at 15), industry
    # gives 10 (at 40); protected demand is served. Cost over 30 days:
    # E·30·(60·3 + 30·15 + 10·40) = 0.03111 · 1030.
    plan = solve(tiered(tiny_case(sources=[source("A", 3.0, max=60)], demand=100), POWER, INDUSTRY))
    assert plan.objective == pytest.approx(E * 30 * (60 * 3 + 30 * 15 + 10 * 40), rel=1e-9)
    tiers = plan.extra["demand_tiers"].set_index("tier")["unserved_mmcfd"]
    assert tiers.to_dict() == pytest.approx({"power_switch": 30, "industrial": 10, "protected": 0})
    s = plan.summary
    assert s["unserved_bcf"] == pytest.approx(40 * 30 / 1000)
    assert s["demand_response_bcf"] == pytest.approx(1.2) and s["protected_unserved_bcf"] == 0
    assert s["unserved_cost_musd"] == pytest.approx(E * 30 * (30 * 15 + 10 * 40))
    # The node's marginal cost is the value of the marginal tier: industry at 40.
    assert plan.prices["marginal_cost_usd_mmbtu"].item() == pytest.approx(40.0)


def test_protected_demand_goes_last_at_voll():
    # Gas 30: 70 short = power 30 + industry 20 + protected 20 (at VOLL 100).
    plan = solve(tiered(tiny_case(sources=[source("A", 3.0, max=30)], demand=100), POWER, INDUSTRY))
    tiers = plan.extra["demand_tiers"].set_index("tier")["unserved_mmcfd"]
    assert tiers.to_dict() == pytest.approx({"power_switch": 30, "industrial": 20, "protected": 20})
    assert plan.objective == pytest.approx(E * 30 * (30 * 3 + 30 * 15 + 20 * 40 + 20 * 100))
    assert plan.summary["protected_unserved_bcf"] == pytest.approx(0.6)
    assert plan.prices["marginal_cost_usd_mmbtu"].item() == pytest.approx(100.0)


def test_switching_cheaper_than_gas_is_dispatched():
    # Fuel oil at 2.5 beats gas at 3: the power tier switches although gas is there.
    plan = solve(tiered(tiny_case(sources=[source("A", 3.0)], demand=100),
                        ("N1", "power_switch", 0.3, 2.5)))
    assert plan.flows["flow_mmcfd"].item() == pytest.approx(70)
    assert plan.objective == pytest.approx(E * 30 * (70 * 3 + 30 * 2.5))


def test_without_tiers_the_plan_is_unchanged():
    case = tiny_case(sources=[source("A", 3.0, max=60)], demand=100)
    assert solve(case).objective == pytest.approx(E * 30 * (60 * 3 + 40 * 100))
    assert "demand_tiers" not in solve(case).extra


def test_tier_shares_above_one_are_refused():
    from gasmix.models import CaseError
    with pytest.raises(CaseError, match="add up to 1.3"):
        tiered(tiny_case(sources=[source("A", 3.0)]), ("N1", "a", 0.7, 5.0), ("N1", "b", 0.6, 9.0))


def ratchet_case(rho: float):
    # Two periods of 10 days, demand 600, gas 100 at 3; a full 10 Bcf site withdrawing
    # 500 MMcf/d, emptied to 0 by the end.
    site = dataclasses.replace(storage(working_gas=10, initial=10, injection=0, withdrawal=500,
                                       end_target=0), withdrawal_at_empty_share=rho)
    return tiny_case(sources=[source("A", 3.0, max=100)], periods=2, days=10, demand=600,
                     storage=[site])


def test_withdrawal_ratchet_binds_as_the_stock_falls():
    # Without a ratchet the site gives 500 in both periods (5 + 5 Bcf): nothing unserved.
    assert solve(ratchet_case(1.0)).summary["unserved_bcf"] == pytest.approx(0)
    # With ρ = 0.2: P1 starts full (500). P2 starts at 10 − 500·10/1000 = 5 Bcf, so
    # y2 ≤ 500·(0.2 + 0.8·5/10) = 300 and 200 MMcf/d go unserved for 10 days. Holding
    # back 1 MMcf/d in P1 would raise y2's limit by only 500·0.8·0.01/10 = 0.4.
    plan = solve(ratchet_case(0.2))
    st = plan.storage.set_index("period")
    assert st["withdrawal_mmcfd"].to_dict() == pytest.approx({"P1": 500, "P2": 300})
    assert plan.summary["unserved_bcf"] == pytest.approx(2.0)
    assert plan.objective == pytest.approx(E * 10 * (2 * 100 * 3 + 200 * 100))
