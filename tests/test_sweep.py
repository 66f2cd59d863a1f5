"""Sweeps (optimizer/sweeps.py) against independent cold solves and hand computations.

The warm path (one LP per worker, changed in place and re-solved from the previous basis)
must give what a fresh `solve()` of each point gives. Every comparison below solves the
point again from scratch, either with `solve_point` or by building the point by hand.

Units as in test_model_small.py: flows MMcf/d, prices USD/MMBtu, objective million USD;
E = 0.001037, so q MMcf/d for d days at p USD/MMBtu costs q·d·p·E MUSD.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cases import E, source, tiny_case
from gasmix.models import CaseError, ShareLimit, default_case
from gasmix.optimizer import InfeasiblePolicy, SweepError, make_grid, solve, solve_point, sweep
from gasmix.optimizer.grid import Grid, parse_parameter, parse_values
from gasmix.optimizer.sweeps import INVALID, OPTIMAL_STATUS, point_case, point_choices

REL = 1e-6  # the acceptance criterion: warm equals cold to 1e-6 relative


@pytest.fixture(scope="module")
def mexico():
    return default_case()


def approx(x, rel=REL, abs=1e-6):
    return pytest.approx(x, rel=rel, abs=abs)


def cold(case, grid, i, **choices):
    """Point i solved on its own from scratch: ("optimal", plan), ("infeasible", exc) or
    ("invalid", exc)."""
    try:
        return OPTIMAL_STATUS, solve_point(case, grid, i, **choices)
    except InfeasiblePolicy as exc:
        return "infeasible", exc
    except CaseError as exc:
        return INVALID, exc


def summary_columns(plan) -> dict:
    """The sweep-table columns as the cold plan's summary states them."""
    s = plan.summary
    period_shares = [v for v in s["max_period_shares"].values() if v is not None]
    out = {
        "objective_musd": plan.objective,
        "cash_cost_musd": s["cash_cost_musd"],
        "risk_penalty_musd": s["risk_penalty_musd"],
        "unserved_cost_musd": s["unserved_cost_musd"],
        "total_cost_musd": s["cash_cost_musd"] + s["unserved_cost_musd"],
        "unserved_bcf": s["unserved_bcf"],
        "hhi": s["hhi"],
        "import_dependence": s["import_dependence"],
        "risk_exposure": s["risk_exposure"],
        "largest_share": max(s["shares"].values()),
        "largest_period_share": max(period_shares),
    }
    out.update({f"share_{g}": v for g, v in s["shares"].items()})
    return out


def assert_warm_equals_cold(case, spec, *, other_columns=True, chunk_size=None,
                            **choices) -> pd.DataFrame:
    """Sweep `spec`, then solve every point cold and compare status and objective (and,
    with `other_columns`, the summary figures)."""
    table = sweep(case, spec, **({"chunk_size": chunk_size} if chunk_size else {}), **choices)
    grid = make_grid(case, spec)
    assert len(table) == len(grid)
    assert list(table.columns[:len(grid.keys)]) == grid.keys
    for i in range(len(grid)):
        row = table.iloc[i]
        status, plan = cold(case, grid, i, **choices)
        assert row["status"] == status, (grid.points[i], row["message"])
        if status != OPTIMAL_STATUS:
            assert math.isnan(row["objective_musd"])
            continue
        assert row["objective_musd"] == approx(plan.objective), grid.points[i]
        # The objective is unique even where the plan is not; where the plan is unique (it
        # is at these points of the Mexico case) every figure must match the summary too.
        expected = summary_columns(plan) if other_columns else {
            "cash_cost_musd": plan.summary["cash_cost_musd"]}
        for column, value in expected.items():
            assert row[column] == approx(value), (grid.points[i], column)
    return table


# --- 1. the issue's example and every parameter kind on the Mexico case ----------------------

def test_issue_example_cap_us_every_point_equals_a_cold_solve(mexico):
    table = assert_warm_equals_cold(mexico, {"cap.US": "0.4:1.0:0.05"})
    assert len(table) == 13 and (table["status"] == "optimal").all()
    assert table["cap.US"].tolist() == [0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85,
                                        0.9, 0.95, 1.0]
    # Columns promised by sweep()'s docstring, one share column per supplier.
    shares = [f"share_{s.id}" for s in mexico.suppliers]
    for column in ["status", "objective_musd", "cash_cost_musd", "risk_penalty_musd",
                   "unserved_cost_musd", "total_cost_musd", "unserved_bcf", "avg_cost_usd_mmbtu",
                   "hhi", "import_dependence", "risk_exposure", "largest_supplier", "largest_share",
                   "largest_period_share", *shares, "message"]:
        assert column in table.columns, column
    # Horizon shares of all suppliers add up to 1 at every point.
    assert table[shares].sum(axis=1).to_numpy() == pytest.approx(np.ones(13), abs=1e-9)


def test_issue_example_points_built_by_hand_equal_the_sweep(mexico):
    table = sweep(mexico, {"cap.US": "0.4:1.0:0.05"})
    grid = make_grid(mexico, {"cap.US": "0.4:1.0:0.05"})
    for i in (1, 4, 12):  # 0.45, 0.6, 1.0
        values = grid.points[i]
        # the documented cold path: point_case + point_choices
        via_helpers = solve(point_case(mexico, grid.parameters, values),
                            **point_choices(grid.parameters, values))
        # and entirely by hand: the cap as `gasmix solve --cap US=v` would pass it
        by_hand = solve(mexico, caps={"US": values[0]})
        assert table["objective_musd"][i] == approx(via_helpers.objective)
        assert table["objective_musd"][i] == approx(by_hand.objective)
        assert table["share_US"][i] == approx(by_hand.summary["shares"]["US"])
    # 0.45 is the table's value exactly (not 0.45000000000000007), so a separate
    # `solve --cap US=0.45` is the same problem.
    assert table["cap.US"][1] == 0.45


KIND_SPECS = [
    ("max_share", "0.45:1.0:0.05"),
    ("risk_weight", "0:6:1"),
    ("voll", "10,40,100,400"),
    ("price.HH", "0.5,0.8,1,1.5,2.5"),
    ("price.WAHA", "0.5,1,2,4"),
    ("price.NEA", "0.3,0.6,1,2"),    # an LNG market: moves every netback
    ("demand", "0.8:1.25:0.05"),
    ("capacity.VALLEY_CROSSING", "0,0.5,1,1.5"),
    ("capacity.COMANCHE_TRAIL", "0,0.5,1,2"),
    ("capacity.COSTA_AZUL", "0,0.5,1,3"),  # an entry that closes before the horizon ends
    ("capacity.DOM_SSE", "1,1.5,2"),       # domestic production (must-take fills 99.7% of it)
    ("capacity.ALTAMIRA", "0,1,4"),
    ("exclude", "none,RU,RU+QA,US,none"),  # back to none: bounds restored in place
]


@pytest.mark.parametrize("key,spec", KIND_SPECS, ids=[k for k, _ in KIND_SPECS])
def test_every_parameter_kind_equals_cold_solves(mexico, key, spec):
    table = assert_warm_equals_cold(mexico, {key: spec})
    assert (table["status"] == "optimal").all(), table[["status", "message"]]


def test_domestic_capacity_below_the_contract_minimum_is_an_infeasible_row(mexico):
    # DOM_SSE carries Pemex's minimum output: with no (or half) capacity the minimum cannot
    # flow, so those points are infeasible rows naming the contract minimum; the sweep goes
    # on and the later points equal cold solves.
    table = assert_warm_equals_cold(mexico, {"capacity.DOM_SSE": "0,0.5,1,1.5"})
    assert table["status"].tolist() == ["infeasible", "infeasible", "optimal", "optimal"]
    assert all("contract minimum" in m for m in table["message"][:2])


def test_parameter_kinds_by_hand_on_mexico(mexico):
    """Each kind's point built without the sweep module's helpers."""
    # voll=40: the case with VOLL 40
    t = sweep(mexico, {"voll": [40.0]})
    assert t["objective_musd"][0] == approx(solve(mexico.with_settings(voll_usd_mmbtu=40.0)).objective)
    # exclude=RU+QA: both excluded outright
    t = sweep(mexico, {"exclude": "RU+QA"})
    assert t["exclude"][0] == "RU+QA"
    assert t["objective_musd"][0] == approx(solve(mexico, exclude=["RU", "QA"]).objective)
    # demand=1.1: every node's demand times 1.1
    import dataclasses
    t = sweep(mexico, {"demand": [1.1]})
    scaled = dataclasses.replace(mexico, demand=mexico.demand * 1.1)
    assert t["objective_musd"][0] == approx(solve(scaled).objective)
    # price.HH=1.5: Henry Hub prices × 1.5 (other hubs unchanged)
    hub = mexico.hub_prices.index.get_level_values(0)
    prices = mexico.hub_prices.where(hub != "HH", mexico.hub_prices * 1.5)
    t = sweep(mexico, {"price.HH": [1.5]})
    assert t["objective_musd"][0] == approx(solve(dataclasses.replace(mexico, hub_prices=prices)).objective)
    # capacity.VALLEY_CROSSING=0.5: that entry's capacity halved
    entries = tuple(dataclasses.replace(e, capacity_mmcfd=e.capacity_mmcfd * 0.5)
                    if e.id == "VALLEY_CROSSING" else e for e in mexico.entries)
    t = sweep(mexico, {"capacity.VALLEY_CROSSING": [0.5]})
    assert t["objective_musd"][0] == approx(solve(dataclasses.replace(mexico, entries=entries)).objective)
    # risk_weight=3 and max_share=0.6
    t = sweep(mexico, {"risk_weight": [3.0], "max_share": [0.6]})
    assert t["objective_musd"][0] == approx(solve(mexico, risk_weight=3.0, max_share=0.6).objective)


def test_two_parameter_grid_first_parameter_varies_fastest(mexico):
    spec = {"cap.US": "0.5:0.9:0.1", "risk_weight": "0,2,5"}
    table = assert_warm_equals_cold(mexico, spec)
    assert len(table) == 15
    # cap.US runs through its five values for each risk weight in turn
    assert table["cap.US"].tolist() == [0.5, 0.6, 0.7, 0.8, 0.9] * 3
    assert table["risk_weight"].tolist() == [0.0] * 5 + [2.0] * 5 + [5.0] * 5


def test_mixed_grids_with_base_policy_equal_cold_solves(mexico):
    # caps on top of a base max_share: a --cap overrides max_share, so cap.US=1 frees US
    assert_warm_equals_cold(mexico, {"cap.US": "0.5,0.8,1"}, max_share=0.7)
    # a base cap on another supplier; the 0.4 point is infeasible (MX's minimum output)
    assert_warm_equals_cold(mexico, {"cap.US": "0.4,0.6,0.7"}, caps={"MX": 0.3})
    # exclusions crossed with prices, and caps crossed with demand in small chunks
    assert_warm_equals_cold(mexico, {"exclude": "none,RU", "price.NEA": "0.5,1"})
    assert_warm_equals_cold(mexico, {"cap.US": "0.5:0.9:0.1", "demand": "0.9,1.1"}, chunk_size=3)
    # shares of imports; exclusions crossed with caps (an excluded supplier's cap counts 0,
    # so 0.1 and 0.12 contradict — invalid rows — or become infeasible as suppliers go)
    assert_warm_equals_cold(mexico, {"max_share": "0.3:1:0.1"}, share_of="imports")
    assert_warm_equals_cold(mexico, {"max_share": "0.1,0.12,0.5", "exclude": "none,US,US+QA+RU"})
    # a base Policy object (not keywords)
    assert_warm_equals_cold(mexico, {"cap.US": "0.5,1", "risk_weight": "0,2"},
                            policy=mexico.policy.replace(max_share=0.7, exclude=("RU",)))
    # the horizon basis (one volume-weighted row per cap)
    assert_warm_equals_cold(mexico, {"max_share": "0.5,0.7,1"}, share_basis="horizon")


def test_security_policies_follow_the_swept_demand(mexico):
    # The storage-days floor is days of *average demand*, so it must move with a demand
    # sweep; a floor the storage cannot hold at a point is that point's invalid row.
    # (Only strategic storage counts: Jaf, 10 Bcf, about 1.13 days of average demand.)
    table = assert_warm_equals_cold(mexico, {"demand": "0.8:1.2:0.1", "cap.US": "0.6,1"}, storage_days=1.0)
    assert (table["status"] == "optimal").any()
    assert_warm_equals_cold(mexico, {"demand": "0.8:1.2:0.1"}, storage_days=1.1)
    assert_warm_equals_cold(mexico, {"demand": "0.8:1.2:0.1"}, cover_days=1)
    # N−1 is checked per point (capacity changes it)
    assert_warm_equals_cold(mexico, {"capacity.VALLEY_CROSSING": "0,0.5,1", "demand": "0.8,1.2"}, min_n1=50)


def test_points_that_only_loosen_slack_caps_skip_the_solve_and_still_equal_cold(mexico, monkeypatch):
    # Without caps the US has at most 77.3% in any month: caps of 0.8 … 1 are slack, so a
    # point that only loosens a slack cap may reuse the last optimum (no HiGHS run). Going
    # back to a binding cap (0.6, 0.7) must solve again. Every point equals a cold solve.
    from gasmix.optimizer.lp.solvers import HighsSession
    runs = []
    original = HighsSession.run

    def counting_run(self, *args, **kwargs):
        runs.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(HighsSession, "run", counting_run)
    spec = {"cap.US": "0.8,0.9,1,0.95,0.6,0.85,1,0.7"}
    table = sweep(mexico, spec)
    solved_in_sweep = len(runs)
    monkeypatch.setattr(HighsSession, "run", original)
    # reference + 8 points, minus the skipped 0.9, 1, 0.95 (after 0.8) and 1 (after 0.85)
    assert solved_in_sweep < 1 + 8
    grid = make_grid(mexico, spec)
    for i in range(len(grid)):
        plan = solve_point(mexico, grid, i)
        for column, value in summary_columns(plan).items():
            assert table[column][i] == approx(value), (grid.points[i], column)
    assert table["share_US"][4] == approx(0.6) and table["share_US"][7] == approx(0.7)


def test_cap_swept_down_to_zero_and_back(mexico):
    # σ = 0 puts a zero coefficient in the share row; the next point must restore it.
    table = assert_warm_equals_cold(mexico, {"cap.US": "0,0.6,0,1,0.3"})
    assert table["share_US"][0] == approx(0.0) and table["share_US"][2] == approx(0.0)


def test_chunk_size_does_not_change_objectives_and_runs_are_repeatable(mexico):
    spec = {"cap.US": "0.4:1.0:0.05"}
    reference = sweep(mexico, spec, chunk_size=4)
    again = sweep(mexico, spec, chunk_size=4)
    pd.testing.assert_frame_equal(reference, again)  # same chunks → the same table, exactly
    for chunk_size in (1, 5, 100):
        other = sweep(mexico, spec, chunk_size=chunk_size)
        assert other["status"].tolist() == reference["status"].tolist()
        assert other["objective_musd"].to_numpy() == pytest.approx(
            reference["objective_musd"].to_numpy(), rel=REL)
    with pytest.raises(SweepError, match="chunk_size"):
        sweep(mexico, spec, chunk_size=0)


def test_progress_reports_points_done_in_order(mexico):
    seen = []
    sweep(mexico, {"cap.US": "0.4:1.0:0.05"}, chunk_size=5, progress=seen.append)
    assert seen == [5, 10, 13]


# --- 1b. a hand-computed tiny case -------------------------------------------------------------

def test_tiny_cap_sweep_by_hand():
    # A at 3, B at 5, both unlimited, demand 100 MMcf/d for 30 days; cap σ on A.
    # A = 100σ, B = 100(1−σ): cost = (3σ + 5(1−σ))·100·30·E = (500 − 200σ)·30·E.
    #   σ=0 → 500·0.03111 = 15.555   σ=0.25 → 450·… = 13.9995   σ=0.5 → 12.444
    #   σ=0.75 → 10.8885              σ=1 (no cap) → 300·… = 9.333
    case = tiny_case(sources=[source("A", 3.0), source("B", 5.0)], demand=100)
    table = sweep(case, {"cap.A": "0:1:0.25"})
    assert table["cap.A"].tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    for sigma, objective, share_a in zip(table["cap.A"], table["objective_musd"], table["share_A"]):
        assert objective == pytest.approx((3 * sigma + 5 * (1 - sigma)) * 100 * 30 * E, rel=1e-9)
        assert share_a == pytest.approx(sigma, abs=1e-9)
    assert table["objective_musd"][1] == pytest.approx(13.9995, rel=1e-9)
    # avg cost is cost per MMBtu served: 3σ + 5(1−σ)
    assert table["avg_cost_usd_mmbtu"].tolist() == pytest.approx([5.0, 4.5, 4.0, 3.5, 3.0], rel=1e-9)
    # HHI = 10 000·(σ² + (1−σ)²): 10 000, 6 250, 5 000, 6 250, 10 000
    assert table["hhi"].tolist() == pytest.approx([10000, 6250, 5000, 6250, 10000], rel=1e-9)


def test_tiny_max_share_sweep_by_hand():
    # A 3, B 5, C 7, demand 100, 30 days; every supplier capped at σ.
    #   σ ≥ 1/2: A = σ, B = 1−σ           → unit cost 3σ + 5(1−σ)
    #   1/3 ≤ σ < 1/2: A = B = σ, C = 1−2σ → unit cost 8σ + 7(1−2σ) = 7 − 6σ
    #   σ < 1/3: the caps add up to < 100% → an invalid point (no solve)
    # σ=0.4 → 4.6; 0.5 → 4.0; 0.6 → 3.8; 1 → 3.0 (×100×30×E)
    case = tiny_case(sources=[source("A", 3.0), source("B", 5.0), source("C", 7.0)], demand=100)
    table = sweep(case, {"max_share": "0.25,0.4,0.5,0.6,1"})
    assert table["status"].tolist() == [INVALID, "optimal", "optimal", "optimal", "optimal"]
    assert "caps add up to 75%" in table["message"][0]
    assert table["objective_musd"][1:].tolist() == pytest.approx(
        [u * 100 * 30 * E for u in (4.6, 4.0, 3.8, 3.0)], rel=1e-9)
    assert table["largest_share"][1:].tolist() == pytest.approx([0.4, 0.5, 0.6, 1.0], abs=1e-9)


def test_tiny_other_kinds_by_hand():
    w = 30 * E  # MUSD per (MMcf/d · USD/MMBtu) over the 30-day period
    # demand × m with A (3, ≤ 60) and B (5): 50 → 50·3 = 150; 100 → 60·3 + 40·5 = 380;
    # 150 → 180 + 90·5 = 630
    case = tiny_case(sources=[source("A", 3.0, max=60), source("B", 5.0)], demand=100)
    t = sweep(case, {"demand": "0.5,1,1.5"})
    assert t["objective_musd"].tolist() == pytest.approx([150 * w, 380 * w, 630 * w], rel=1e-9)
    # VOLL with only A (3, ≤ 60), demand 100: 40 unserved at VOLL v, unless v < 3 when
    # buying nothing is cheaper: v=2 → 100·2 = 200; v=10 → 180 + 400 = 580; v=100 → 4180
    case = tiny_case(sources=[source("A", 3.0, max=60)], demand=100)
    t = sweep(case, {"voll": "2,10,100"})
    assert t["objective_musd"].tolist() == pytest.approx([200 * w, 580 * w, 4180 * w], rel=1e-9)
    # unserved: 100 and 40 MMcf/d for 30 days = 3.0 and 1.2 Bcf
    assert t["unserved_bcf"].tolist() == pytest.approx([3.0, 1.2, 1.2], rel=1e-9)
    # price multiplier v on A's hub (3.0), B fixed at 5: unit cost min(3v, 5)
    case = tiny_case(sources=[source("A", [3.0]), source("B", 5.0)], demand=100)
    t = sweep(case, {"price.H_A": "0.5,1,2"})
    assert t["objective_musd"].tolist() == pytest.approx([150 * w, 300 * w, 500 * w], rel=1e-9)
    # capacity multiplier v on A's entry (60): A = min(60v, 100), B the rest
    # v=0 → 500; 0.5 → 30·3 + 70·5 = 440; 1 → 380; 2 → 300
    case = tiny_case(sources=[source("A", 3.0, entry_capacity=60), source("B", 5.0)], demand=100)
    t = sweep(case, {"capacity.E_A": "0,0.5,1,2"})
    assert t["objective_musd"].tolist() == pytest.approx([500 * w, 440 * w, 380 * w, 300 * w], rel=1e-9)
    # exclusions: A 3, B 5, C 7 → none 300; A → 500; A+B → 700; none again 300
    case = tiny_case(sources=[source("A", 3.0), source("B", 5.0), source("C", 7.0)], demand=100)
    t = sweep(case, {"exclude": "none,A,A+B,none"})
    assert t["objective_musd"].tolist() == pytest.approx([300 * w, 500 * w, 700 * w, 300 * w], rel=1e-9)
    assert t["exclude"].tolist() == ["none", "A", "A+B", "none"]
    # λ on A (3, risk 0.7) and B (3.5, risk 0.2): A costs 3 + 0.7λ, B 3.5 + 0.2λ; A below λ=1.
    # λ=0 → 300; λ=0.5 → 335 (cash 300, penalty 35); λ=2 → B: 390 (cash 350, penalty 40)
    case = tiny_case(sources=[source("A", 3.0, risk=0.7), source("B", 3.5, risk=0.2)], demand=100)
    t = sweep(case, {"risk_weight": "0,0.5,2"})
    assert t["objective_musd"].tolist() == pytest.approx([300 * w, 335 * w, 390 * w], rel=1e-9)
    assert t["cash_cost_musd"].tolist() == pytest.approx([300 * w, 300 * w, 350 * w], rel=1e-9)
    assert t["risk_penalty_musd"].tolist() == pytest.approx([0, 35 * w, 40 * w], abs=1e-12)
    assert t["risk_exposure"].tolist() == pytest.approx([0.7, 0.7, 0.2], rel=1e-9)


def test_tiny_per_period_entry_capacity_override_scales_with_the_multiplier():
    import dataclasses
    # A's entry has 50 in P1 and 70 in P2 (overrides), B unlimited at 5, demand 100, 30 days.
    # capacity.E_A=0.5: A 25 and 35 → (25·3 + 75·5) + (35·3 + 65·5) = 450 + 430 = 880
    case = tiny_case(periods=2, sources=[source("A", 3.0, entry_capacity=80), source("B", 5.0)], demand=100)
    override = pd.Series([50.0, 70.0], index=pd.MultiIndex.from_tuples(
        [("E_A", "P1"), ("E_A", "P2")], names=["entry", "period"]))
    case = dataclasses.replace(case, entry_capacity=override)
    table = assert_warm_equals_cold(case, {"capacity.E_A": "0.5,1,2"}, other_columns=False)
    assert table["objective_musd"][0] == pytest.approx(880 * 30 * E, rel=1e-9)


# --- 5. failing points are rows, and the sweep goes on -----------------------------------------

def test_contradictory_caps_are_invalid_rows_naming_the_rule():
    # B must have at least 40% (a policy limit); cap.B=0.2 contradicts it. No solve happens.
    # The other points: A at 3 up to the rest, B at least 40 → 60·3 + 40·5 = 380 (×30E).
    case = tiny_case(sources=[source("A", 3.0), source("B", 5.0)], demand=100)
    limits = [ShareLimit("supplier", "B", min_share=0.4)]
    table = assert_warm_equals_cold(case, {"cap.B": "0.2,0.5,1"}, limits=limits, other_columns=False)
    assert table["status"].tolist() == [INVALID, "optimal", "optimal"]
    assert "supplier B must have at least 40% and at most 20%" in table["message"][0]
    assert table["objective_musd"][1:].tolist() == pytest.approx([380 * 30 * E] * 2, rel=1e-9)
    assert table[["cash_cost_musd", "hhi"]].iloc[0].isna().all()


def test_mexico_infeasible_and_invalid_points_then_the_sweep_goes_on(mexico):
    # 0.05: 11 suppliers × 5% = 55% < 100% → invalid (no solve).
    # 0.3: domestic minimum production is above 30% of supply in many months → infeasible,
    # and the diagnosis names the cap on MX. 0.6: optimal, equal to a cold solve.
    table = assert_warm_equals_cold(mexico, {"max_share": "0.05,0.3,0.6,0.3,0.7"})
    assert table["status"].tolist() == [INVALID, "infeasible", "optimal", "infeasible", "optimal"]
    assert "caps add up to 55%" in table["message"][0]
    assert "cap MX" in table["message"][1] and "above its maximum" in table["message"][1]
    with pytest.raises(InfeasiblePolicy, match="cap MX"):
        solve(mexico, max_share=0.3)


def test_time_limited_points_are_rows_with_their_status(mexico):
    # A time limit no solve can meet (1 ns): every point stops, none raises.
    table = sweep(mexico, {"cap.US": "0.5,0.7,1"}, time_limit=1e-9)
    assert table["status"].tolist() == ["time_limit"] * 3
    assert table["objective_musd"].isna().all()
    assert all("time limit" in m.lower() for m in table["message"])


def test_sweep_error_for_a_parameter_whose_rows_mean_nothing(mexico):
    # A cap on MX when shares are of imports: MX has no imported gas → a policy error
    # (a CaseError, as `solve` would raise), not a crash.
    with pytest.raises(CaseError, match="no source in the share base"):
        sweep(mexico, {"cap.MX": "0.5"}, share_of="imports")


# --- 7. constraints hold on the sweep's solutions ------------------------------------------------

def test_cap_sweep_respects_the_cap_in_every_period(mexico):
    table = sweep(mexico, {"cap.US": "0.4:1.0:0.05"})
    grid = make_grid(mexico, {"cap.US": "0.4:1.0:0.05"})
    for i, row in table.iterrows():
        assert row["status"] == "optimal"
        cap = row["cap.US"]
        # horizon share from the table
        assert row["share_US"] <= cap + 1e-7
        # per period, from the point's own plan (its share table, 24 months)
        plan = solve_point(mexico, grid, i)
        us = plan.shares[plan.shares["supplier"] == "US"]
        assert len(us) == 24 and (us["share"] <= cap + 1e-7).all()
        assert plan.summary["max_period_shares"]["US"] <= cap + 1e-7
    # a binding cap is met with equality where it costs money to hold it (0.4 … 0.7)
    assert table["share_US"][:7].tolist() == pytest.approx(table["cap.US"][:7].tolist(), abs=1e-7)


def test_max_share_sweep_respects_the_cap_for_every_supplier(mexico):
    table = sweep(mexico, {"max_share": "0.3:1.0:0.05"})
    ok = table[table["status"] == "optimal"]
    assert len(ok) >= 10
    shares = [f"share_{s.id}" for s in mexico.suppliers]
    for _, row in ok.iterrows():
        assert row["largest_period_share"] <= row["max_share"] + 1e-7
        assert row["largest_share"] <= row["max_share"] + 1e-7
        assert (row[shares] <= row["max_share"] + 1e-7).all()
        assert row["largest_share"] == pytest.approx(row[shares].max(), abs=1e-12)
        assert row["share_" + row["largest_supplier"]] == row["largest_share"]


def test_horizon_cap_sweep_holds_over_the_horizon(mexico):
    table = sweep(mexico, {"cap.US": "0.5,0.6,0.7"}, share_basis="horizon")
    assert (table["status"] == "optimal").all()
    assert (table["share_US"] <= table["cap.US"] + 1e-7).all()


def test_excluded_suppliers_get_nothing(mexico):
    table = sweep(mexico, {"exclude": "none,US,US+RU"})
    assert table["share_US"][1] == 0.0 and table["share_US"][2] == 0.0
    assert table["share_RU"][2] == 0.0
    assert table["share_US"][0] > 0.7  # without the exclusion the US supplies most


def test_demand_sweep_scales_supply_with_demand(mexico):
    table = sweep(mexico, {"demand": "0.8,1.0"})
    assert (table["status"] == "optimal").all() and (table["unserved_bcf"] == 0).all()
    # cost rises with demand
    assert table["cash_cost_musd"][1] > table["cash_cost_musd"][0]


# --- 3. specs ---------------------------------------------------------------------------------

def values(case, key, spec):
    return parse_values(parse_parameter(key, case), spec, case)


def test_range_spec_includes_stop_on_the_grid(mexico):
    v = values(mexico, "cap.US", "0.4:1.0:0.05")
    assert len(v) == 13 and v[0] == 0.4 and v[-1] == 1.0
    assert v[1] == 0.45  # exactly, not 0.45000000000000007
    assert v[5] == 0.65 and v[11] == 0.95
    assert len(values(mexico, "max_share", "0.30:1.00:0.05")) == 15
    assert values(mexico, "risk_weight", "0:10:0.5") == [i / 2 for i in range(21)]
    assert values(mexico, "demand", "0.1:0.3:0.1") == [0.1, 0.2, 0.3]
    # stop off the grid: the last value is below it
    assert values(mexico, "demand", "1:2:0.3") == [1.0, 1.3, 1.6, 1.9]
    # a one-point range
    assert values(mexico, "voll", "50:50:1") == [50.0]


def test_comma_lists_and_python_values(mexico):
    assert values(mexico, "voll", "10, 40,100") == [10.0, 40.0, 100.0]
    assert values(mexico, "cap.US", "0.5") == [0.5]
    assert values(mexico, "cap.US", [0.5, 1]) == [0.5, 1.0]
    assert values(mexico, "cap.US", np.array([0.25, 0.75])) == [0.25, 0.75]
    assert values(mexico, "risk_weight", 2) == [2.0]


def test_exclude_specs(mexico):
    assert values(mexico, "exclude", "none,RU,RU+QA") == [(), ("RU",), ("RU", "QA")]
    assert values(mexico, "exclude", "RU,QA+NG,none") == [("RU",), ("QA", "NG"), ()]
    assert values(mexico, "exclude", " None , RU + QA ") == [(), ("RU", "QA")]
    assert values(mexico, "exclude", "RU+RU") == [("RU",)]  # repeated codes once
    assert values(mexico, "exclude", [(), ("RU", "QA")]) == [(), ("RU", "QA")]


def test_parse_parameter_names_the_target(mexico):
    p = parse_parameter("cap.US", mexico)
    assert (p.key, p.kind, p.target) == ("cap.US", "cap", "US")
    assert parse_parameter(" price.NEA ", mexico).target == "NEA"
    assert parse_parameter("capacity.COSTA_AZUL", mexico).kind == "capacity"
    assert parse_parameter("max_share", mexico).target is None


BAD_SPECS = [
    ("foo", "1", "unknown parameter 'foo'"),
    ("cap.XX", "0.5", "unknown supplier 'XX'"),
    ("cap", "0.5", "say which supplier"),
    ("max_share.US", "0.5", "takes no '.US'"),
    ("price.NOPE", "1", "unknown hub 'NOPE'"),
    ("capacity.NOPE", "1", "unknown entry 'NOPE'"),
    ("cap.US", "1.2", "not a share between 0 and 1"),
    ("cap.US", "-0.1", "not a share between 0 and 1"),
    ("max_share", "0.4:1.1:0.1", "not a share between 0 and 1"),
    ("demand", "-1", "must be ≥ 0"),
    ("price.HH", "0.5,-2", "must be ≥ 0"),
    ("capacity.DOM_SSE", "-0.5", "must be ≥ 0"),
    ("risk_weight", "-1", "must be ≥ 0"),
    ("voll", "0", "must be > 0"),
    ("demand", "1:2:0", "step must be positive"),
    ("demand", "1:2:-0.1", "step must be positive"),
    ("demand", "1:2", "a range is start:stop:step"),
    ("demand", "abc", "'abc' is not a number"),
    ("demand", "1,,2", "'' is not a number"),
    ("demand", "nan", "not a finite number"),
    ("demand", "0:1e9:1", "too many"),
    ("exclude", "none,XX", "unknown supplier 'XX'"),
]


@pytest.mark.parametrize("key,spec,message", BAD_SPECS)
def test_bad_specs_raise_sweep_error(mexico, key, spec, message):
    with pytest.raises(SweepError) as info:
        make_grid(mexico, {key: spec})
    assert message in str(info.value)


def test_grid_errors(mexico):
    with pytest.raises(SweepError, match="no parameters"):
        make_grid(mexico, {})
    with pytest.raises(SweepError, match="no points"):
        make_grid(mexico, [])
    with pytest.raises(SweepError, match="given twice"):
        make_grid(mexico, {"cap.US": "0.5", " cap.US": "0.6"})
    with pytest.raises(SweepError, match="same parameters"):
        make_grid(mexico, [{"cap.US": 0.5}, {"max_share": 0.6}])


def test_cartesian_product_order(mexico):
    grid = make_grid(mexico, {"cap.US": "0.5,0.6", "risk_weight": "0,1,2", "exclude": "none,RU"})
    assert isinstance(grid, Grid) and len(grid) == 12 and grid.keys == ["cap.US", "risk_weight", "exclude"]
    # the first parameter varies fastest, the last slowest
    expected = [(c, r, e) for e in [(), ("RU",)] for r in [0.0, 1.0, 2.0] for c in [0.5, 0.6]]
    assert list(grid.points) == expected
    assert make_grid(mexico, grid) is grid


def test_list_of_points_grid(mexico):
    points = [{"cap.US": 0.6, "exclude": "RU"}, {"cap.US": 0.8, "exclude": ()}]
    grid = make_grid(mexico, points)
    assert grid.points == ((0.6, ("RU",)), (0.8, ()))
    table = assert_warm_equals_cold(mexico, points)
    assert table["exclude"].tolist() == ["RU", "none"]


def test_list_of_points_grid_does_not_depend_on_dict_key_order(mexico):
    # Regression (fixed): make_grid compared each point's keys *in order* with the first point's,
    # so two points setting the same parameters in a different order are refused with
    # "every point must set the same parameters (cap.US, risk_weight)" — which they do.
    points = [{"cap.US": 0.6, "risk_weight": 1.0}, {"risk_weight": 2.0, "cap.US": 0.8}]
    grid = make_grid(mexico, points)
    assert grid.points == ((0.6, 1.0), (0.8, 2.0))


def test_a_range_runs_downwards_when_stop_is_below_start(mexico):
    # "the US cap from 100% to 40%": the same values as 0.4:1:0.1, in the order written
    down = make_grid(mexico, {"cap.US": "1:0.4:0.1"})
    assert [v for (v,) in down.points] == [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    up = make_grid(mexico, {"cap.US": "0.4:1:0.1"})
    assert sorted(down.points) == sorted(up.points)


# --- where chunks run: threads, order, time limits ------------------------------------------

def test_threads_give_the_serial_table(mexico):
    # Chunks side by side in one process (a thread pool, a multi-threaded Dask worker): each
    # thread keeps its own model and HiGHS instance, and the table is the serial one, exactly.
    from concurrent.futures import ThreadPoolExecutor

    grid = {"cap.US": "0.5:0.9:0.05", "risk_weight": "0,2"}
    serial = sweep(mexico, grid, chunk_size=3)
    with ThreadPoolExecutor(4) as pool:
        threaded = sweep(mexico, grid, pool, chunk_size=3)
    pd.testing.assert_frame_equal(threaded, serial, check_exact=True)


def test_a_chunk_that_starts_with_a_failed_point_does_not_depend_on_what_ran_before(mexico):
    # max_share 0.05 contradicts itself (caps add up to < 100%): the second chunk starts with
    # it. Run alone on a fresh thread, that chunk must give exactly what it gives after the
    # first chunk in the same thread.
    import threading
    import uuid

    from gasmix.optimizer.sweeps import _run_chunk, make_policy

    grid = make_grid(mexico, {"max_share": "0.45,1,0.05,0.5"})
    serial = sweep(mexico, grid, chunk_size=2)
    assert serial["status"].tolist() == ["optimal", "optimal", "invalid", "optimal"]
    job = (uuid.uuid4().hex, mexico, make_policy(mexico), grid.parameters, None, grid.points[0])
    alone = []
    thread = threading.Thread(target=lambda: alone.extend(_run_chunk(*job, list(grid.points[2:]))))
    thread.start()
    thread.join()
    assert alone[1]["objective_musd"] == serial["objective_musd"][3]  # exactly
    assert alone[1]["share_US"] == serial["share_US"][3]


def test_the_time_limit_is_per_point_not_per_chunk(mexico):
    # HiGHS's run clock counts across runs of one instance. 20 ms is well above one warm
    # re-solve (about 1 ms) but below the total of a chunk of 75 points where the cap binds
    # (so that each is re-solved): no point may be stopped.
    # (The peak day as a check after the plan: its day blocks make the LP seven times the
    # rows, and a cold solve of it alone near 20 ms; the time limit's rule is the same.)
    table = sweep(mexico.with_settings(peak_day="check"), {"cap.US": "0.4:0.77:0.005"},
                  time_limit=0.02, chunk_size=75)
    assert (table["status"] == "optimal").all(), table["status"].value_counts()
