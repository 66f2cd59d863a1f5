"""Security of supply: supply-loss cover, the storage-days floor, N−1 and diversity indices,
on tiny cases solved by hand (real HiGHS).

One node, 30-day periods, demand 100 MMcf/d; source A at 2 USD/MMBtu; a storage site S1
(working gas 10 Bcf, empty, no costs). E = 0.001037 million USD per MMcf/d·day·USD/MMBtu.
"""

from __future__ import annotations

import dataclasses
import math

import pytest

from cases import E, arc, constraint, source, storage, tiny_case
from gasmix.models import CaseError
from gasmix.optimizer import InfeasiblePolicy, solve
from gasmix.optimizer.formulation.arrays import prepare
from gasmix.optimizer.results.security import n1_areas, n1_table


def site(injection=1000.0):
    return storage(working_gas=10.0, initial=0.0, injection=injection, withdrawal=1000.0)


def test_cover_forces_storage_fill_by_the_predicted_amount():
    """cover_days = 5, one period: stock v = 30·x/1000 must be ≥ 5·q_A/1000 with
    q_A = 100 + x (A also supplies the injection). 30x ≥ 5(100 + x) → x = 20 MMcf/d,
    v = 0.6 Bcf, cost 30·120·2·E = 7200E instead of 6000E.
    The cover row's shadow price: one Bcf more needs dx = 1/0.025 = 40 MMcf/d, which
    costs 30·40·2·E = 2400E million USD per Bcf."""
    case = tiny_case(sources=[source("A", 2.0)], storage=[site()])
    assert solve(case).summary["objective_musd"] == pytest.approx(6000 * E)
    plan = solve(case, cover_days=5)
    assert plan.summary["objective_musd"] == pytest.approx(7200 * E)
    st = plan.storage.iloc[0]
    assert st["injection_mmcfd"] == pytest.approx(20.0)
    assert st["stock_bcf"] == pytest.approx(0.6)
    row = constraint(plan, "storage_cover", "A")
    assert row["limit"] == pytest.approx(0.6) and row["value"] == pytest.approx(0.6)
    assert row["binding"] and row["shadow_price"] == pytest.approx(2400 * E)


def test_cover_leaves_domestic_production_uncovered():
    # All gas domestic: nothing imported, nothing to cover, no storage filled.
    case = tiny_case(sources=[source("D", 2.0, kind="domestic")], storage=[site()])
    plan = solve(case, cover_days=5)
    assert plan.storage.iloc[0]["stock_bcf"] == pytest.approx(0.0)


def test_storage_days_floor_fills_storage_and_holds_it():
    """storage_days = 3 of average demand 100 → 0.3 Bcf in both periods: x = 10 in P1
    (30·10/1000), none in P2. Cost 30·(110 + 100)·2·E = 12600E."""
    case = tiny_case(sources=[source("A", 2.0)], storage=[site()], periods=2)
    plan = solve(case, storage_days=3)
    assert plan.summary["objective_musd"] == pytest.approx(12600 * E)
    assert list(plan.storage["stock_bcf"]) == pytest.approx([0.3, 0.3])
    assert constraint(plan, "storage_days", "total", "P1")["limit"] == pytest.approx(0.3)


def test_storage_days_floor_follows_what_the_sites_can_reach():
    """Injection at most 5 MMcf/d: by P1 the site can hold 30·5/1000 = 0.15 Bcf, by P2 0.3,
    so the floor is 0.15 then 0.3 — a fill trajectory, not an infeasible policy."""
    case = tiny_case(sources=[source("A", 2.0)], storage=[site(injection=5.0)], periods=2)
    plan = solve(case, storage_days=3)
    assert list(plan.storage["stock_bcf"]) == pytest.approx([0.15, 0.3])
    assert list(plan.storage["injection_mmcfd"]) == pytest.approx([5.0, 5.0])


def test_storage_days_beyond_the_working_gas_is_an_input_error():
    # 200 days × 100 MMcf/d = 20 Bcf > 10 Bcf of working gas.
    case = tiny_case(sources=[source("A", 2.0)], storage=[site()])
    with pytest.raises(CaseError, match="storage_days"):
        solve(case, storage_days=200)


def n1_case():
    """Pipeline A 300, LNG B 200, domestic D 100 MMcf/d, storage withdrawal 50; demand 400.
    N−1 = 100·(300 + 100 + 50 + 200 − 300)/400 = 87.5%, the largest being A's entry."""
    return tiny_case(sources=[source("A", 2.0, entry_capacity=300),
                              source("B", 6.0, kind="lng", entry_capacity=200),
                              source("D", 3.0, kind="domestic", entry_capacity=100)],
                     storage=[storage(working_gas=1.0, initial=0.5, injection=50, withdrawal=50)],
                     demand=400)


def test_n1_computed_by_hand():
    case = n1_case()
    table = n1_table(prepare(case, case.policy))
    row = table.iloc[0]
    assert (row["ep_mmcfd"], row["lngm_mmcfd"], row["pm_mmcfd"], row["sm_mmcfd"]) == (300, 200, 100, 50)
    assert row["largest_infrastructure"] == "E_A" and row["n1_pct"] == pytest.approx(87.5)
    plan = solve(case)
    assert plan.summary["n1_min_pct"] == pytest.approx(87.5)
    assert plan.summary["n1_largest_infrastructure"] == "E_A"
    assert plan.extra["security"]["n1_pct"].iloc[0] == pytest.approx(87.5)


def test_required_n1_is_checked_against_the_infrastructure():
    case = n1_case()
    assert solve(case, min_n1=80).summary["status"] == "optimal"
    with pytest.raises(InfeasiblePolicy, match="N−1") as raised:
        solve(case, min_n1=90)
    # 2.5 points of 400 MMcf/d peak demand: 10 MMcf/d short.
    assert raised.value.violations[0].amount == pytest.approx(10.0)


def test_shannon_and_hhi_beside_each_other():
    """A (max 60) and B share 100: shares 0.6 / 0.4, HHI 5,200,
    Shannon −(0.6 ln 0.6 + 0.4 ln 0.4) = 0.6730."""
    plan = solve(tiny_case(sources=[source("A", 2.0, max=60), source("B", 3.0)]))
    expected = -(0.6 * math.log(0.6) + 0.4 * math.log(0.4))
    assert plan.summary["shannon"] == pytest.approx(expected)
    assert plan.summary["hhi"] == pytest.approx(5200)
    row = plan.extra["security"].iloc[0]
    assert row["shannon"] == pytest.approx(expected) and row["hhi"] == pytest.approx(5200)


def test_policy_options_are_range_checked():
    case = tiny_case(sources=[source("A", 2.0)], storage=[site()])
    with pytest.raises(CaseError, match="cover_days"):
        solve(case, cover_days=-1)


def island_case():
    """Two areas. Mainland N1 (demand 400) with N2 (demand 0) joined by an arc N1 → N2:
    pipeline A 300 at N1, LNG B 200 at N2, domestic D 100 at N1, storage S1 (withdrawal 50)
    at N1. Island N3 (demand 100), no arc: pipeline I 150 and LNG L 80.
    Mainland (N1+N2): 100·(300 + 100 + 50 + 200 − 300)/400 = 87.5%, without E_A.
    Island (N3): 100·(150 + 80 − 150)/100 = 80%, without E_I — the worst area.
    Counted nationally, as before, the island's entries would have raised the mainland:
    100·(450 + 100 + 50 + 280 − 300)/500 = 116%."""
    return tiny_case(nodes=("N1", "N2", "N3"), demand={"N1": 400, "N2": 0, "N3": 100},
                     arcs=[arc("N1_N2", "N1", "N2", 1000)],
                     sources=[source("A", 2.0, entry_capacity=300),
                              source("B", 6.0, kind="lng", entry_capacity=200, node="N2"),
                              source("D", 3.0, kind="domestic", entry_capacity=100),
                              source("I", 2.5, entry_capacity=150, node="N3"),
                              source("L", 6.0, kind="lng", entry_capacity=80, node="N3")],
                     storage=[storage(working_gas=1.0, initial=0.5, injection=50, withdrawal=50)])


def test_n1_per_calculated_area_with_an_isolated_node():
    case = island_case()
    data = prepare(case, case.policy)
    areas = n1_areas(data).set_index("area")
    assert set(areas.index) == {"N1+N2", "N3"}
    assert areas.loc["N1+N2", "n1_pct"] == pytest.approx(87.5)
    assert areas.loc["N1+N2", "largest_infrastructure"] == "E_A"
    assert areas.loc["N3", "n1_pct"] == pytest.approx(80.0)
    assert (areas.loc["N3", "ep_mmcfd"], areas.loc["N3", "lngm_mmcfd"], areas.loc["N3", "sm_mmcfd"]) == (150, 80, 0)
    row = n1_table(data).iloc[0]
    assert (row["area"], row["largest_infrastructure"]) == ("N3", "E_I")
    assert row["n1_pct"] == pytest.approx(80.0)
    s = solve(case).summary
    assert (s["n1_min_pct"], s["n1_min_area"]) == (pytest.approx(80.0), "N3")
    assert s["n1_by_area"]["N1+N2"]["n1_min_pct"] == pytest.approx(87.5)
    # min_n1 holds the flow-based N−1 in every area. The island without E_I keeps L's 80
    # of its 100: 80%, 5 MMcf/d short of 85%. The mainland without E_A keeps D's 100 and
    # the storage's 50 at N1; B's 200 at N2 cannot reach N1 (the arc runs N1 → N2), so it
    # serves 150 of 400 = 37.5% — where the formula counts B and gives 87.5% — 190 short.
    with pytest.raises(InfeasiblePolicy, match="area N3") as raised:
        solve(case, min_n1=85)
    assert [v.amount for v in raised.value.violations] == [pytest.approx(190.0), pytest.approx(5.0)]
    assert "flow-based N−1 37.5%" in str(raised.value.violations[0])


def test_storage_not_counted_as_deliverability():
    """n1_deliverability = no (e.g. linepack): Sm = 0 in the hand N−1 case,
    100·(300 + 100 + 200 − 300)/400 = 75%."""
    case = n1_case()
    site_ = dataclasses.replace(case.storage[0], n1_deliverability="no")
    case = dataclasses.replace(case, storage=(site_,))
    row = n1_table(prepare(case, case.policy)).iloc[0]
    assert row["sm_mmcfd"] == 0 and row["n1_pct"] == pytest.approx(75.0)


def test_cover_applies_only_while_a_site_is_in_service():
    """Two periods; S1 starts in P2. Before, the cover row of P1 read 0 ≥ 5·q_A/1000 and
    shed all of P1's demand (3 Bcf at VOLL). Now P1 has no cover row: A serves it (6000E).
    P2: stock 30·x/1000 ≥ 5·(100 + x)/1000 → x = 20, 120 at 2 → 7200E; total 13200E."""
    late = storage(working_gas=10.0, initial=0.0, injection=1000.0, withdrawal=1000.0)
    late = dataclasses.replace(late, first_period="P2")
    plan = solve(tiny_case(sources=[source("A", 2.0)], storage=[late], periods=2), cover_days=5)
    assert plan.summary["unserved_bcf"] == pytest.approx(0.0)
    assert plan.summary["objective_musd"] == pytest.approx(13200 * E)
    cover = plan.constraints[plan.constraints["family"] == "storage_cover"]
    assert list(cover["period"]) == ["P2"]


def test_warning_names_the_cover_when_it_sheds_demand():
    """Working gas 0.3 Bcf, cover 5 days: imports at most 1000·0.3/5 = 60 MMcf/d. Filling
    the site (x = 10 → 0.3 Bcf) lets q_A = 60, of which 50 served: 50 MMcf/d × 30 days =
    1.5 Bcf unserved, and the warning says the cover is why."""
    small = storage(working_gas=0.3, initial=0.0, injection=1000.0, withdrawal=1000.0)
    plan = solve(tiny_case(sources=[source("A", 2.0)], storage=[small]), cover_days=5)
    assert plan.summary["unserved_bcf"] == pytest.approx(1.5)
    warnings = " ".join(plan.summary["warnings"])
    assert "supply-loss cover (5 days)" in warnings and "cover policy" in warnings


def test_floor_and_cover_count_only_strategic_storage():
    """Linepack L (n1_deliverability = no) full with 10 Bcf it cannot give up (withdrawal 0)
    and an empty strategic site S. cover_days = 5, one 30-day period: before, L's 10 Bcf
    met the cover and nothing was injected (6000E). Now only S counts:
    30x ≥ 5·(100 + x) → x = 20, cost 30·120·2·E = 7200E (as with S alone)."""
    import dataclasses

    linepack = dataclasses.replace(
        storage("L", working_gas=10.0, initial=10.0, injection=0.0, withdrawal=0.0),
        n1_deliverability="no")
    case = tiny_case(sources=[source("A", 2.0)], storage=[linepack, site()])
    plan = solve(case, cover_days=5)
    assert plan.summary["objective_musd"] == pytest.approx(7200 * E)
    # storage_days = 3 of demand 100 = 0.3 Bcf, all in S: x = 10, cost 30·110·2·E = 6600E.
    plan = solve(case, storage_days=3)
    assert plan.summary["objective_musd"] == pytest.approx(6600 * E)


def test_cover_follows_the_fill_trajectory():
    """Site of 10 Bcf injecting at most 100 MMcf/d: by the end of the one 30-day period it
    can hold 3 Bcf, 30% of its working gas, so the cover's 5 days shrink to 1.5:
    30x ≥ 1.5·(100 + x) → x = 150/28.5 = 5.263, cost 30·(100 + x)·2·E. (Before: the full
    5 days, x = 20, 7200E.)"""
    case = tiny_case(sources=[source("A", 2.0)], storage=[site(injection=100.0)])
    plan = solve(case, cover_days=5)
    x = 150 / 28.5
    st = plan.storage.iloc[0]  # net injection x (gross flows may cycle at no cost)
    assert st["injection_mmcfd"] - st["withdrawal_mmcfd"] == pytest.approx(x)
    assert st["stock_bcf"] == pytest.approx(30 * x / 1000)
    assert plan.summary["objective_musd"] == pytest.approx(30 * (100 + x) * 2 * E)
