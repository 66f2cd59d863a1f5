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


def peak(plan) -> "pd.Series":
    a = plan.extra["adequacy"]
    return a[a["check"] == "peak_day"].set_index("period")["served_pct"]


@pytest.mark.parametrize("rho, served", [(1.0, 140 / 150), (0.5, 130 / 150)])
def test_peak_day_binds_storage_deliverability_the_month_does_not(rho, served):
    # Demand 100 on average, 150 on the peak day (factor 1.5). Gas 100 a day covers the
    # month; on the peak day storage must give 50 and can give 40 (5 of 10 Bcf held: with
    # a ratchet of ρ = 0.5, 40·(0.5 + 0.5·5/10) = 30).
    from gasmix.models import Node
    site = dataclasses.replace(storage(working_gas=10, initial=5, injection=0, withdrawal=40),
                               withdrawal_at_empty_share=rho)
    case = tiny_case(sources=[source("A", 3.0, max=100)], demand=100, storage=[site])
    plan = solve(case.edited(nodes=(Node("N1", peak_day_factor=1.5),)))
    assert plan.summary["unserved_bcf"] == pytest.approx(0)
    assert peak(plan)["P1"] == pytest.approx(100 * served)


def n1_case():
    # B's demand 150 comes through its own entry (120) or from A (entry 100) over an arc
    # of 50. The area {A, B}: formula (220 − 120)/150 = 66.7%; on the network, without
    # B's entry only 50 arrives: 33.3%.
    from cases import arc
    return tiny_case(sources=[source("SA", 3.0, node="A", entry_capacity=100),
                              source("SB", 4.0, node="B", entry_capacity=120)],
                     nodes=("A", "B"), demand={"A": 0.0, "B": 150.0},
                     arcs=[arc("AB", "A", "B", 50)])


def test_flow_based_n1_falls_below_the_formula_behind_a_bottleneck():
    plan = solve(n1_case())
    a = plan.extra["adequacy"]
    area = a[(a["check"] == "n1") & (a["area"] == "A+B")].iloc[0]
    assert area["without"] == "E_SB"
    assert area["n1_formula_pct"] == pytest.approx(100 * 100 / 150)
    assert area["served_pct"] == pytest.approx(100 * 50 / 150)
    assert plan.summary["n1_min_pct"] == pytest.approx(100 * 100 / 150)  # the formula, kept


def test_min_n1_holds_the_flow_based_figure():
    from gasmix.optimizer.errors import InfeasiblePolicy
    assert solve(n1_case(), min_n1=30).summary["unserved_bcf"] == pytest.approx(0)
    with pytest.raises(InfeasiblePolicy, match="flow-based N−1 33.3%"):
        solve(n1_case(), min_n1=50)  # the formula's 66.7% would pass


def cut_case(days: int):
    # 30 days, demand 100 from US gas (100 a day); 0.4 Bcf in store, dearer than US gas
    # (so the plan keeps it for the cut: the cut scales the plan's US flow, 100). A cut to
    # 40% of the plan's US flow for `days` days leaves 60 a day to bridge: 5 days need
    # 0.3 Bcf (covered), 10 days 0.6 (0.2 Bcf short, 20 MMcf/d over the window). The other
    # days cannot refill the store: US gas is all there is, and demand takes it.
    from gasmix.models import Disruption, Scenario
    cut = Disruption("supplier", "US", "P1", "P1", capacity_factor=0.4, first_day=11, days=days)
    return tiny_case(sources=[source("A", 3.0, supplier="US", max=100)], demand=100,
                     storage=[storage(working_gas=0.4, initial=0.4, injection=0, withdrawal=100,
                                      withdrawal_cost=5.0, end_target=0)],
                     scenarios=[Scenario("base", 0.9), Scenario("cut", 0.1, (cut,))])


@pytest.mark.parametrize("days, unserved_bcf", [(5, 0.0), (10, 0.2)])
def test_storage_bridges_a_five_day_cut_not_a_ten_day_one(days, unserved_bcf):
    from gasmix import stress_test
    table, plan = stress_test(cut_case(days))
    window = plan.extra["short_events"]
    assert window["unserved_bcf"].sum() == pytest.approx(unserved_bcf, abs=1e-9)
    assert window["served_pct"].item() == pytest.approx(100 * (1 - unserved_bcf * 1000 / days / 100))
    # The cut's days are days of the scenario's month: its shortfall is the month's.
    cut = table.set_index("scenario").loc["cut"]
    assert cut["unserved_bcf"] == pytest.approx(unserved_bcf, abs=1e-9)


def test_short_events_keep_inside_their_period():
    from gasmix.models import CaseError, Disruption, Scenario
    bad = Disruption("supplier", "US", "P1", "P1", capacity_factor=0.4, first_day=28, days=5)
    with pytest.raises(CaseError):
        tiny_case(sources=[source("A", 3.0, supplier="US")],
                  scenarios=[Scenario("base", 0.5), Scenario("cut", 0.5, (bad,))]).edited()


@pytest.mark.parametrize("grid", [{"voll": [60.0, 150.0]}, {"demand": [0.9, 1.2]}])
def test_sweeps_move_the_tiers_with_voll_and_demand(grid):
    # A warm sweep changes VOLL (the protected tier's value) and demand (every tier's
    # bound) in place: each point equals its own cold solve.
    from gasmix import sweep
    # Gas 30 of 100: 70 short, 20 of it protected (at VOLL).
    case = tiered(tiny_case(sources=[source("A", 3.0, max=30)], demand=100), POWER, INDUSTRY)
    table = sweep(case, grid)
    key = next(iter(grid))
    for value, objective in zip(table[key], table["objective_musd"]):
        cold = solve(case.with_settings(voll_usd_mmbtu=value)) if key == "voll" else \
            solve(case.with_demand(scale=value))
        assert objective == pytest.approx(cold.objective, rel=1e-9)
