"""LNG priced by netback, origin availability, offers, firm capacity and pass-through
demand, on hand-computed cases.

Netback case (one period of 30 days, node N1, demand 100): three markets, delivered
prices H1 = 10, H2 = 9, H3 = 12.5; two origins, O1 (supplier A) and O2 (supplier B), and one
LNG terminal entry E_T (regas tariff 0.2). Freight, USD/MMBtu:

    O1 → H1 1.0, O1 → H2 0.5, O1 → H3 3.0, O1 → E_T 0.8
    O2 → H1 2.0, O2 → H3 1.0,              O2 → E_T 1.5

FOB(O1) = max(10 − 1, 9 − 0.5, 12.5 − 3) = 9.5 (market H3); FOB(O2) = max(10 − 2,
12.5 − 1) = 11.5 (H3). Delivered at E_T: O1 9.5 + 0.8 = 10.3, O2 11.5 + 1.5 = 13.0; with the
tariff 10.5 and 13.2. O1's source can take 60: q1 = 60, q2 = 40, objective/w =
60·10.5 + 40·13.2 = 1,158.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from cases import E, constraint, flow, source, tiny_case

from gasmix.models import Origin, Route, Scenario, Disruption, Settings, Export
from gasmix.models.case import Entry
from gasmix.optimizer import CaseError, solve
from gasmix.optimizer.formulation.arrays import prepare, route_freight
from gasmix.optimizer.formulation.scenarios import apply_scenario

W = 30 * E
MARKETS = {"H1": 10.0, "H2": 9.0, "H3": 12.5}


def _hub_series(prices: dict[str, float], periods=("P1",)) -> pd.Series:
    index = pd.MultiIndex.from_tuples([(h, p) for h in prices for p in periods],
                                      names=["hub", "period"])
    return pd.Series([prices[h] for h in prices for _ in periods], index=index, dtype=float)


def netback_case(o1_max=60.0, o1_available=None, extra_sources=(), offer=None, admit=()):
    case = tiny_case(sources=[source("LNG_O1", 0.0, supplier="A", kind="lng", max=o1_max),
                              source("LNG_O2", 0.0, supplier="B", kind="lng"),
                              *extra_sources])
    terminal = Entry("E_T", "lng", "N1", 1e6, tariff_usd_mmbtu=0.2)
    sources = []
    for s in case.sources:
        if s.id in ("LNG_O1", "LNG_O2"):
            origin = "O1" if s.id == "LNG_O1" else "O2"
            s = dataclasses.replace(s, entry="E_T", hub=None, price_adder_usd_mmbtu=0.0,
                                    origin=origin, pricing="netback",
                                    offer=offer if s.id == "LNG_O2" else None)
        sources.append(s)
    entries = tuple(e for e in case.entries if e.id not in ("E_LNG_O1", "E_LNG_O2")) + (terminal,)
    routes = (Route("O1", "H1", freight_usd_mmbtu=1.0), Route("O1", "H2", freight_usd_mmbtu=0.5),
              Route("O1", "H3", freight_usd_mmbtu=3.0), Route("O1", "E_T", freight_usd_mmbtu=0.8),
              Route("O2", "H1", freight_usd_mmbtu=2.0), Route("O2", "H3", freight_usd_mmbtu=1.0),
              Route("O2", "E_T", freight_usd_mmbtu=1.5))
    hubs = pd.concat([case.hub_prices, _hub_series(MARKETS)])
    return dataclasses.replace(
        case, sources=tuple(sources), entries=entries, routes=routes, hub_prices=hubs,
        origins=(Origin("O1", "A", available_mmcfd=o1_available), Origin("O2", "B")),
        policy=dataclasses.replace(case.policy, admit=tuple(admit)))


def test_netback_fob_is_the_best_market_less_freight_and_delivered_adds_freight():
    plan = solve(netback_case())
    assert flow(plan, "LNG_O1") == pytest.approx(60.0)
    assert flow(plan, "LNG_O2") == pytest.approx(40.0)
    assert plan.objective == pytest.approx(1158 * W)
    table = plan.extra["lng_prices"].set_index("source")
    assert table.loc["LNG_O1", "fob_usd_mmbtu"] == pytest.approx(9.5)
    assert table.loc["LNG_O1", "market"] == "H3"
    assert table.loc["LNG_O1", "freight_usd_mmbtu"] == pytest.approx(0.8)
    assert table.loc["LNG_O1", "delivered_usd_mmbtu"] == pytest.approx(10.3)
    assert table.loc["LNG_O2", "fob_usd_mmbtu"] == pytest.approx(11.5)
    assert table.loc["LNG_O2", "delivered_usd_mmbtu"] == pytest.approx(13.0)
    prices = plan.flows.set_index("source")["price_usd_mmbtu"]
    assert prices["LNG_O1"] == pytest.approx(10.5) and prices["LNG_O2"] == pytest.approx(13.2)


def test_a_market_shock_moves_the_netback():
    # H3 × 2 = 25: FOB(O1) = 25 − 3 = 22, delivered 22 + 0.8 + 0.2 = 23.0; FOB(O2) = 24,
    # delivered 24 + 1.5 + 0.2 = 25.7.
    case = netback_case()
    data = prepare(case, case.policy)
    shock = Scenario("shock", 1.0, (Disruption("hub", "H3", price_multiplier=2.0),))
    view = apply_scenario(data, shock)
    assert list(view.data.price[[0, 1], 0]) == pytest.approx([23.0, 25.7])


def test_an_origin_cap_binds():
    # O1 can sell only 30: q1 = 30, q2 = 70: 30·10.5 + 70·13.2 = 1,239. One more MMcf/d from
    # O1 would save 13.2 − 10.5 = 2.7 USD/MMBtu: 2.7·W MUSD, 270·W per 100 MMcf/d.
    plan = solve(netback_case(o1_available=30.0))
    assert flow(plan, "LNG_O1") == pytest.approx(30.0)
    assert plan.objective == pytest.approx(1239 * W)
    row = constraint(plan, "origin_capacity", "O1")
    assert row["binding"] and row["shadow_price"] == pytest.approx(2.7 * 100 * W)


def test_an_offer_is_unavailable_until_admitted():
    # O2's source is an offer: without it, O1 (60) leaves 40 unserved at VOLL 100.
    closed = solve(netback_case(offer="B_OFFER"))
    assert flow(closed, "LNG_O2") == pytest.approx(0.0)
    assert closed.summary["unserved_bcf"] == pytest.approx(40 * 30 / 1000)
    admitted = solve(netback_case(offer="B_OFFER", admit=("B_OFFER",)))
    assert flow(admitted, "LNG_O2") == pytest.approx(40.0)
    assert admitted.objective == pytest.approx(1158 * W)
    again = solve(netback_case(offer="B_OFFER"), admit="B_OFFER")
    assert again.objective == pytest.approx(1158 * W)


def test_admitting_an_unknown_offer_is_an_input_error():
    with pytest.raises(CaseError, match="unknown offer"):
        solve(netback_case(offer="B_OFFER"), admit="NOPE")


def test_a_scenario_can_open_an_offer_or_cut_an_admitted_one():
    case = netback_case(offer="B_OFFER")
    data = prepare(case, case.policy)
    opened = apply_scenario(data, Scenario("lifted", 1.0, (Disruption("offer", "B_OFFER",
                                                                      capacity_factor=1.0),)))
    assert opened.data.source_max[1, 0] > 1e5      # closed in the base, open here
    assert data.source_max[1, 0] == 0.0
    admitted = netback_case(offer="B_OFFER", admit=("B_OFFER",))
    data = prepare(admitted, admitted.policy)
    cut = apply_scenario(data, Scenario("cut", 1.0, (Disruption("offer", "B_OFFER",
                                                                capacity_factor=0.0),)))
    assert cut.data.source_max[1, 0] == 0.0


def test_freight_computed_from_a_voyage():
    # 2,400 nm at 20 knots: 5 days each way; 100,000 m³ × 1.0 × 20 = 2,000,000 MMBtu loaded;
    # boil-off laden 0.1 %/day × 5 = 10,000 MMBtu lost, heel 0.1 %/day × 5 = 10,000 burnt;
    # charter 50,000 × (10 + 2 port days) = 600,000; Panama 400,000; port 100,000; gas
    # 20,000 × 10 = 200,000. (600,000 + 400,000 + 100,000 + 200,000) / 1,990,000.
    settings = Settings(charter_usd_per_day=50_000, speed_knots=20, cargo_m3=100_000,
                        fill_ratio=1.0, mmbtu_per_m3=20, boil_off_laden_pct_per_day=0.1,
                        boil_off_ballast_pct_per_day=0.1, port_days=2, port_costs_usd=100_000,
                        panama_usd_round_trip=400_000, boil_off_value_usd_mmbtu=10)
    route = Route("O", "X", distance_nm=2400, canal="panama")
    assert route_freight(route, settings) == pytest.approx(1_300_000 / 1_990_000)
    assert route_freight(Route("O", "X", freight_usd_mmbtu=0.7), settings) == 0.7


def test_firm_capacity_is_paid_at_zero_flow():
    # Entry E_B (firm 100 MMcf/d at 0.5 USD/MMBtu of reserved capacity per day) carries the
    # dear source B (5.0), which the plan leaves unused for A (3.0): it still pays
    # 100·0.5 = 50 per day of w, all of it stranded.
    case = tiny_case(sources=[source("A", 3.0), source("B", 5.0)])
    entries = tuple(dataclasses.replace(e, firm_mmcfd=100.0, reservation_usd_mmbtu=0.5)
                    if e.id == "E_B" else e for e in case.entries)
    plan = solve(dataclasses.replace(case, entries=entries))
    assert flow(plan, "B") == pytest.approx(0.0)
    assert plan.objective == pytest.approx((100 * 3.0 + 50) * W)
    assert plan.summary["fixed_capacity_musd"] == pytest.approx(50 * W)
    assert plan.summary["stranded_capacity_musd"] == pytest.approx(50 * W)
    assert plan.summary["cash_cost_musd"] == pytest.approx(350 * W)
    firm = plan.extra["firm_capacity"].set_index("asset")
    assert firm.loc["E_B", "unused_mmcfd"] == pytest.approx(100.0)


def test_pass_through_feed_gas_takes_entry_capacity_and_stays_out_of_costs_and_shares():
    # An export plant at N2 takes 50 of feed gas through E_A (capacity 80) at N1, crossing
    # arc N1→N2 (capacity 60). The plan has 30 left at E_A (A, 3.0) for N1's demand of 100;
    # the rest comes from B (5.0): 30·3 + 70·5 = 440. The feed gas is in no cost or share.
    case = tiny_case(nodes=("N1", "N2"), demand={"N1": 100.0, "N2": 0.0},
                     sources=[source("A", 3.0, entry_capacity=80), source("B", 5.0)])
    from cases import arc
    case = dataclasses.replace(case, arcs=(arc("N1_N2", "N1", "N2", 60),),
                               exports=(Export("X", "N2", "E_A", 50.0),))
    plan = solve(case)
    assert flow(plan, "A") == pytest.approx(30.0)
    assert flow(plan, "B") == pytest.approx(70.0)
    assert plan.objective == pytest.approx(440 * W)
    assert float(plan.transport["flow_mmcfd"].item()) == pytest.approx(50.0)
    assert plan.summary["pass_through_bcf"] == pytest.approx(50 * 30 / 1000)
    assert plan.summary["shares"]["A"] == pytest.approx(0.3)
    table = plan.extra["pass_through"]
    assert table["carried_mmcfd"].item() == pytest.approx(50.0)


def _export_case(arc_capacity=None, entry_capacity=1e6, demand_n1=100.0, curtailment=None):
    """N1 (demand `demand_n1`) with source A (3.0) through E_A; an export plant X at N2 asks
    50 of feed gas through E_A; N1→N2 arc of `arc_capacity` (None: no arc)."""
    from cases import arc
    case = tiny_case(nodes=("N1", "N2"), demand={"N1": demand_n1, "N2": 0.0},
                     sources=[source("A", 3.0, entry_capacity=entry_capacity)])
    arcs = () if arc_capacity is None else (arc("N1_N2", "N1", "N2", arc_capacity),)
    settings = dataclasses.replace(case.settings, export_curtailment_usd_mmbtu=curtailment)
    return dataclasses.replace(case, arcs=arcs, exports=(Export("X", "N2", "E_A", 50.0),),
                               settings=settings)


def test_feed_gas_with_no_path_to_its_plant_is_curtailed_not_infeasible():
    # No arc N1→N2: the 50 of feed cannot reach X. It is curtailed at its cost (VOLL 100 when
    # the case sets none): 100·3 + 50·100 = 5,300; demand is served in full.
    plan = solve(_export_case())
    assert plan.summary["unserved_bcf"] == pytest.approx(0.0)
    assert plan.summary["export_curtailed_bcf"] == pytest.approx(50 * 30 / 1000)
    assert plan.summary["pass_through_bcf"] == pytest.approx(0.0)
    assert plan.objective == pytest.approx((100 * 3 + 50 * 100) * W)
    assert plan.summary["cash_cost_musd"] == pytest.approx(300 * W)
    assert plan.summary["cost_breakdown_musd"]["export_curtailment"] == pytest.approx(5000 * W)
    assert plan.summary["objective_musd"] == pytest.approx(
        plan.summary["cash_cost_musd"] + plan.summary["unserved_cost_musd"])
    # The two-stage model curtails it the same way.
    from gasmix.optimizer import solve_stochastic
    stochastic = solve_stochastic(dataclasses.replace(_export_case(), scenarios=(Scenario("base", 1.0),)))
    assert stochastic.summary["expected_cost_musd"] == pytest.approx((100 * 3 + 50 * 100) * W)
    # An arc of 40 carries 40 of it: 10 curtailed.
    table = solve(_export_case(arc_capacity=40.0)).extra["pass_through"]
    assert table["carried_mmcfd"].item() == pytest.approx(40.0)
    assert table["curtailed_mmcfd"].item() == pytest.approx(10.0)


def test_feed_gas_goes_before_demand_when_its_curtailment_costs_less_than_voll():
    # E_A holds 120: demand 100 and feed 50 cannot both pass. At a curtailment cost of 20
    # (< VOLL 100) the plan cuts the feed to 20: 100·3 + 30·20 = 900. At the default (VOLL)
    # shedding demand is cheaper — it also saves the gas's price — 70·3 + 30·100 = 3,210:
    # a case that puts its own demand first sets the cost below VOLL less its dearest gas.
    cheap = solve(_export_case(arc_capacity=60.0, entry_capacity=120.0, curtailment=20.0))
    assert cheap.summary["unserved_bcf"] == pytest.approx(0.0)
    assert cheap.extra["pass_through"]["carried_mmcfd"].item() == pytest.approx(20.0)
    assert cheap.objective == pytest.approx((100 * 3 + 30 * 20) * W)
    default = solve(_export_case(arc_capacity=60.0, entry_capacity=120.0))
    assert default.objective == pytest.approx((70 * 3 + 30 * 100) * W)
    assert default.summary["unserved_bcf"] == pytest.approx(30 * 30 / 1000)
    assert default.summary["export_curtailed_bcf"] == pytest.approx(0.0)


def test_what_an_offer_is_worth_with_and_without_and_cut_off():
    # Without B's offer: O1's 60 and 40 unserved at VOLL 100: 630 + 4,000 = 4,630. With it:
    # 1,158. Cut off (the offer withdrawn, nothing else committed): back to 4,630. With
    # p = 0.2: E = 0.8·1,158 + 0.2·4,630 = 1,852.4; CVaR 95% = 4,630 (the tail is the cut).
    from gasmix.optimizer import offer_value

    study = offer_value(netback_case(offer="B_OFFER"), "B_OFFER", cutoff_probability=0.2)
    s = study.summary
    assert s["cost_without_musd"] == pytest.approx(4630 * W)
    assert s["cost_with_musd"] == pytest.approx(1158 * W)
    assert s["cost_with_cut_off_musd"] == pytest.approx(4630 * W)
    assert s["expected_cost_with_musd"] == pytest.approx(1852.4 * W)
    assert s["cvar_with_musd"] == pytest.approx(4630 * W)
    assert s["value_musd"] == pytest.approx((4630 - 1852.4) * W)
    assert s["offer_volume_bcf"] == pytest.approx(40 * 30 / 1000)
    assert s["offer_share"] == pytest.approx(0.4)
    assert list(study.table["state"]) == ["without", "with", "with_cut_off"]
    assert list(study.table["unserved_bcf"]) == pytest.approx([1.2, 0.0, 1.2])


def test_the_plan_folder_and_its_report_show_fob_freight_and_delivered(tmp_path):
    from gasmix.optimizer.output import report

    plan = solve(netback_case())
    folder = plan.write(tmp_path / "plan")
    written = pd.read_csv(folder / "lng_prices.csv").set_index("source")
    assert written.loc["LNG_O2", "fob_usd_mmbtu"] == pytest.approx(11.5)
    html = report.render(folder)
    assert "LNG by origin and terminal" in html
    assert "9.50" in html and "13.00" in html  # O1's FOB, O2's delivered
