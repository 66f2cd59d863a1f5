"""The formulation against small cases solved by hand.

Every expected number below is derived in the comment above its assertion. Units: flows
MMcf/d, prices USD/MMBtu, objective million USD; E = 1.037·1000/1e6 = 0.001037, so
q MMcf/d for d days at p USD/MMBtu costs q·d·p·E MUSD.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import E, arc, constraint, flow, price, share, source, storage, tiny_case
from gasmix.optimizer import InfeasiblePolicy, solve

REL = 1e-9


def approx(x, abs=1e-7):
    return pytest.approx(x, rel=REL, abs=abs)


def run(case_and_choices, **solver):
    case, choices = case_and_choices
    return solve(case, **choices, **solver)


# --- the cases (each one a function, so the HiGHS/CBC comparison can reuse them) ----------

def two_suppliers():
    # A at 3.0 up to 60, B at 5.0 without limit; demand 100 MMcf/d for 30 days.
    return tiny_case(sources=[source("A", 3.0, max=60), source("B", 5.0)], demand=100), {}


def two_suppliers_capped():
    # A and B both unlimited; a 70% cap on A.
    return tiny_case(sources=[source("A", 3.0), source("B", 5.0)], demand=100), {"caps": {"A": 0.7}}


def risky_pair(risk_weight):
    # A: 3.0 USD/MMBtu, risk 0.7; B: 3.5 USD/MMBtu, risk 0.2; both unlimited.
    case = tiny_case(sources=[source("A", 3.0, risk=0.7), source("B", 3.5, risk=0.2)], demand=100)
    return case, {"risk_weight": risk_weight}


def storage_arbitrage():
    # P1: 31 days at 2.0; P2: 28 days at 6.0 (one source on its own hub), demand 100 in both.
    # Storage: 10 Bcf, empty at the start (end target = initial = 0), injection ≤ 50,
    # withdrawal ≤ 80 MMcf/d, costs 0.1 in / 0.2 out.
    case = tiny_case(periods=2, days=[31, 28], demand=100,
                     sources=[source("A", [2.0, 6.0])],
                     storage=[storage("S1", working_gas=10, initial=0, injection=50, withdrawal=80,
                                      injection_cost=0.1, withdrawal_cost=0.2)])
    return case, {}


def two_nodes(demand_n2):
    # A at N1 (3.0, unlimited), C at N2 (8.0, unlimited); arc N1→N2 of 50 MMcf/d, tariff 0.5.
    # Demand 20 at N1 and `demand_n2` at N2; 30 days.
    case = tiny_case(nodes=("N1", "N2"), demand={"N1": 20, "N2": demand_n2},
                     sources=[source("A", 3.0, node="N1"), source("C", 8.0, node="N2")],
                     arcs=[arc("L12", "N1", "N2", 50, tariff=0.5)])
    return case, {}


def short_supply():
    # Only A, 3.0 up to 60; demand 100; VOLL 100.
    return tiny_case(sources=[source("A", 3.0, max=60)], demand=100, voll=100.0), {}


def excluded_cheap():
    return tiny_case(sources=[source("A", 3.0), source("B", 5.0)], demand=100), {"exclude": ["A"]}


def contract_minimum():
    # B has a take-or-pay of 30 MMcf/d.
    return tiny_case(sources=[source("A", 3.0), source("B", 5.0, min=30)], demand=100), {}


def glide(share_basis):
    # Two periods (31 and 28 days), demand 100 in both; A at 3.0 always; B at 5.0 in P1 and
    # 10.0 in P2; a 60% cap on A.
    case = tiny_case(periods=2, days=[31, 28], demand=100,
                     sources=[source("A", 3.0), source("B", [5.0, 10.0])])
    return case, {"caps": {"A": 0.6}, "share_basis": share_basis}


# --- 1. merit order ------------------------------------------------------------------------

def test_merit_order_two_suppliers():
    case, kw = two_suppliers()
    plan = solve(case, **kw)
    # A runs to its maximum 60, B covers the rest: 40.
    assert flow(plan, "A") == approx(60)
    assert flow(plan, "B") == approx(40)
    # objective = (60·3 + 40·5)·30·E = 380·30·0.001037 = 11.8218 MUSD
    assert plan.objective == approx((60 * 3 + 40 * 5) * 30 * E)
    assert plan.objective == approx(11.8218)
    assert plan.summary["cash_cost_musd"] == approx(plan.objective)
    assert plan.summary["risk_penalty_musd"] == approx(0.0)
    # one more MMcf/d of demand is bought from B: marginal price 5.0
    assert price(plan) == approx(5.0)
    # shares 60/100 and 40/100; HHI = 10 000·(0.6² + 0.4²) = 5200
    assert share(plan, "A") == approx(0.6)
    assert share(plan, "B") == approx(0.4)
    assert plan.summary["shares"] == {"A": approx(0.6), "B": approx(0.4)}
    assert plan.summary["hhi"] == pytest.approx(5200, rel=REL)
    # volumes: 60·30/1000 = 1.8 Bcf, 40·30/1000 = 1.2 Bcf
    assert plan.summary["supply_bcf"] == approx(3.0)
    assert plan.summary["avg_cost_usd_mmbtu"] == approx(3.8)  # 380/100


# --- 2. a binding share cap and its shadow price --------------------------------------------

def test_share_cap_binds_at_predicted_volume():
    case, kw = two_suppliers_capped()
    plan = solve(case, **kw)
    # A ≤ 0.7·(A + B) with A + B = 100 → A = 70, B = 30.
    assert flow(plan, "A") == approx(70)
    assert flow(plan, "B") == approx(30)
    # objective = (70·3 + 30·5)·30·E = 360·30·E = 11.1996 MUSD
    assert plan.objective == approx(360 * 30 * E)
    # one more MMcf/d of demand: 0.7 of it from A, 0.3 from B → 0.7·3 + 0.3·5 = 3.6
    assert price(plan) == approx(3.6)

    row = constraint(plan, "share_cap", "cap A")
    assert row["binding"]
    assert row["limit"] == approx(0.7)
    assert row["value"] == approx(0.7)
    assert row["slack"] == approx(0.0)
    assert row["unit"] == "MUSD per pp"
    # One percentage point more of the 100 MMcf/d base is 1 MMcf/d moved from B to A,
    # saving (5 − 3)·30·E = 0.06222 MUSD: the shadow price is that saving, positive.
    assert row["shadow_price"] == approx((5 - 3) * 30 * E * 100 * 0.01)
    assert row["shadow_price"] == approx(0.06222)
    # the plan's own number agrees with re-solving at σ = 0.71
    looser = solve(case, caps={"A": 0.71})
    assert plan.objective - looser.objective == approx(row["shadow_price"])
    assert plan.shares.set_index("supplier").loc["A", "cap"] == approx(0.7)
    assert plan.summary["binding_constraints"] == 1


# --- 3. the risk weight that flips the choice -----------------------------------------------

def test_risk_weight_flips_choice_at_predicted_lambda():
    # Effective cost: A 3.0 + 0.7λ, B 3.5 + 0.2λ → equal at 0.5λ = 0.5, λ = 1.0.
    below, above, none = (run(risky_pair(lam)) for lam in (0.9, 1.1, 0.0))
    # λ = 0.9: A 3.63 < B 3.68 → all A
    assert flow(below, "A") == approx(100)
    assert flow(below, "B") == approx(0)
    # λ = 1.1: A 3.77 > B 3.72 → all B
    assert flow(above, "A") == approx(0)
    assert flow(above, "B") == approx(100)

    # λ = 0.9: cash = 100·3·30·E = 9.333; penalty = 0.9·0.7·100·30·E = 1.95993
    assert below.summary["cash_cost_musd"] == approx(100 * 3.0 * 30 * E)
    assert below.summary["risk_penalty_musd"] == approx(0.9 * 0.7 * 100 * 30 * E)
    assert below.objective == approx(100 * (3.0 + 0.9 * 0.7) * 30 * E)
    # λ = 1.1: cash = 100·3.5·30·E; penalty = 1.1·0.2·100·30·E
    assert above.summary["cash_cost_musd"] == approx(100 * 3.5 * 30 * E)
    assert above.summary["risk_penalty_musd"] == approx(1.1 * 0.2 * 100 * 30 * E)
    assert above.objective == approx(100 * (3.5 + 1.1 * 0.2) * 30 * E)
    # the mix is the same at λ = 0 and λ = 0.9, so the cash cost is too; only the penalty moves
    assert none.summary["cash_cost_musd"] == approx(below.summary["cash_cost_musd"])
    assert none.summary["risk_penalty_musd"] == approx(0.0)
    assert below.summary["cost_breakdown_musd"]["risk_penalty"] == approx(below.summary["risk_penalty_musd"])
    assert below.flows["risk_penalty_musd"].sum() == approx(below.summary["risk_penalty_musd"])
    # The balance dual is taken from the penalised objective, so the reported marginal
    # cost includes the penalty: 3.0 + 0.9·0.7 = 3.63 (not the cash 3.0).
    assert price(below) == approx(3.63)
    assert price(above) == approx(3.72)


# --- 4. storage arbitrage ---------------------------------------------------------------------

def test_storage_buys_cheap_releases_dear():
    case, kw = storage_arbitrage()
    plan = solve(case, **kw)
    # Moving gas from P1 to P2 gains 6.0 − 2.0 − 0.1 − 0.2 = 3.7 USD/MMBtu > 0, so inject at
    # the full rate x = 50 in P1: v1 = 0 + 31·50/1000 = 1.55 Bcf (≤ 10).
    # End target 0 → withdraw it all in P2: w = 1.55·1000/28 = 55.357… MMcf/d (≤ 80).
    w = 1550 / 28
    st_ = plan.storage.set_index("period")
    assert st_.loc["P1", "injection_mmcfd"] == approx(50)
    assert st_.loc["P1", "withdrawal_mmcfd"] == approx(0)
    assert st_.loc["P1", "stock_bcf"] == approx(1.55)
    assert st_.loc["P2", "injection_mmcfd"] == approx(0)
    assert st_.loc["P2", "withdrawal_mmcfd"] == approx(w)
    assert st_.loc["P2", "stock_bcf"] == approx(0.0)
    # supply: P1 100 + 50 = 150; P2 100 − 55.357 = 44.643
    assert flow(plan, "A", "P1") == approx(150)
    assert flow(plan, "A", "P2") == approx(100 - w)
    # objective = E·[31·(150·2 + 0.1·50) + 28·(6·(100 − w) + 0.2·w)]
    #           = E·[31·305 + (16800 − 6·1550 + 0.2·1550)] = E·(9455 + 7810) = E·17265
    assert plan.objective == approx(E * (31 * (150 * 2 + 0.1 * 50) + 28 * (6 * (100 - w) + 0.2 * w)))
    assert plan.objective == approx(17265 * E)
    # storage cost = E·(31·0.1·50 + 28·0.2·w) = E·(155 + 310) = 465·E
    assert plan.summary["cost_breakdown_musd"]["storage"] == approx(465 * E)
    assert plan.storage["cost_musd"].sum() == approx(465 * E)
    # injection rate binds, so each period's marginal gas is bought from A at its price
    assert price(plan, "N1", "P1") == approx(2.0)
    assert price(plan, "N1", "P2") == approx(6.0)


def test_storage_is_not_drained_below_its_initial_stock():
    # Full storage (initial 1.5 Bcf), one period, dear gas: it may not sell off the 1.5 Bcf
    # it was handed for free, because the end target defaults to the initial stock.
    case = tiny_case(sources=[source("A", 6.0)], demand=100,
                     storage=[storage("S1", working_gas=10, initial=1.5, injection=50, withdrawal=80)])
    plan = solve(case)
    # (with zero storage costs, injecting and withdrawing at once is an equally cheap
    # optimum, so only the net movement is determined)
    net = plan.storage["withdrawal_mmcfd"].item() - plan.storage["injection_mmcfd"].item()
    assert net == approx(0.0)
    assert flow(plan, "A") == approx(100)
    assert plan.storage["stock_bcf"].item() == approx(1.5)
    assert plan.objective == approx(100 * 6.0 * 30 * E)
    # with an explicit end target of 0.3 Bcf: withdraw (1.5 − 0.3)·1000/30 = 40 MMcf/d
    case = tiny_case(sources=[source("A", 6.0)], demand=100,
                     storage=[storage("S1", working_gas=10, initial=1.5, injection=50, withdrawal=80,
                                      end_target=0.3)])
    plan = solve(case)
    net = plan.storage["withdrawal_mmcfd"].item() - plan.storage["injection_mmcfd"].item()
    assert net == approx(40.0)
    assert plan.storage["stock_bcf"].item() == approx(0.3)
    assert plan.objective == approx(60 * 6.0 * 30 * E)


# --- 5. congestion splits node prices --------------------------------------------------------

def test_uncongested_arc_prices_differ_by_tariff():
    case, kw = two_nodes(40)
    plan = solve(case, **kw)
    # 40 < 50: all of N2's demand comes from A over the arc at 3.0 + 0.5 = 3.5 < 8.0
    t = plan.transport.iloc[0]
    assert t["flow_mmcfd"] == approx(40)
    assert t["utilisation"] == approx(0.8)
    assert t["cost_musd"] == approx(0.5 * 40 * 30 * E)
    assert flow(plan, "A") == approx(60)
    assert flow(plan, "C") == approx(0)
    assert price(plan, "N1") == approx(3.0)
    assert price(plan, "N2") == approx(3.5)
    # objective = 30·E·(3·60 + 0.5·40)
    assert plan.objective == approx(30 * E * (3 * 60 + 0.5 * 40))
    row = constraint(plan, "arc_capacity", "L12")
    assert not row["binding"]
    assert row["slack"] == approx(10)
    assert row["shadow_price"] == approx(0.0)


def test_congested_arc_prices_split():
    case, kw = two_nodes(100)
    plan = solve(case, **kw)
    # N2 needs 100: 50 over the arc (full), 50 from C at 8.0
    t = plan.transport.iloc[0]
    assert t["flow_mmcfd"] == approx(50)
    assert t["utilisation"] == approx(1.0)
    assert flow(plan, "A") == approx(70)
    assert flow(plan, "C") == approx(50)
    # N1's marginal gas is A's (3.0); N2's is C's (8.0): the price gap 5.0 exceeds the tariff
    assert price(plan, "N1") == approx(3.0)
    assert price(plan, "N2") == approx(8.0)
    # objective = 30·E·(3·70 + 0.5·50 + 8·50)
    assert plan.objective == approx(30 * E * (3 * 70 + 0.5 * 50 + 8 * 50))
    row = constraint(plan, "arc_capacity", "L12")
    assert row["binding"]
    assert row["slack"] == approx(0)
    assert row["unit"] == "MUSD per 100 MMcf/d"
    # 100 MMcf/d more capacity (at the margin) replaces C (8.0) by A + tariff (3.5), saving
    # 4.5 USD/MMBtu on each of 100 MMcf/d × 30 days
    assert row["shadow_price"] == approx((8.0 - 3.0 - 0.5) * 100 * 30 * E)


# --- 6. unserved demand -----------------------------------------------------------------------

def test_shortfall_is_unserved_at_voll():
    case, kw = short_supply()
    plan = solve(case, **kw)
    # A gives 60, the other 40 MMcf/d is unserved: 40·30/1000 = 1.2 Bcf
    assert flow(plan, "A") == approx(60)
    assert plan.prices["unserved_mmcfd"].item() == approx(40)
    assert plan.summary["unserved_bcf"] == approx(1.2)
    assert price(plan) == approx(100.0)
    # unserved cost = 40·100·30·E = 124.44; objective = 30·E·(60·3 + 40·100)
    assert plan.summary["unserved_cost_musd"] == approx(40 * 100 * 30 * E)
    assert plan.objective == approx(30 * E * (60 * 3 + 40 * 100))
    # the cash cost is the gas actually bought; the average is per served MMBtu (3.0)
    assert plan.summary["cash_cost_musd"] == approx(60 * 3 * 30 * E)
    assert plan.summary["avg_cost_usd_mmbtu"] == approx(3.0)
    # with VOLL 50 the marginal price follows it
    assert price(solve(case.with_settings(voll_usd_mmbtu=50.0))) == approx(50.0)


# --- 7. exclusions, contract minimums, infeasible policies -------------------------------------

def test_exclusion_moves_supply_to_the_other_supplier():
    case, kw = excluded_cheap()
    plan = solve(case, **kw)
    assert flow(plan, "A") == approx(0)
    assert flow(plan, "B") == approx(100)
    assert plan.objective == approx(100 * 5 * 30 * E)
    assert price(plan) == approx(5.0)


def test_exclusion_overrides_contract_minimum():
    # A has a take-or-pay of 80 but is excluded: its minimum is not enforced.
    case = tiny_case(sources=[source("A", 3.0, min=80), source("B", 5.0)], demand=100)
    plan = solve(case, exclude=["A"])
    assert flow(plan, "A") == approx(0)
    assert flow(plan, "B") == approx(100)


def test_contract_minimum_forces_dear_source_in():
    case, kw = contract_minimum()
    plan = solve(case, **kw)
    # B must take 30; A covers the remaining 70
    assert flow(plan, "B") == approx(30)
    assert flow(plan, "A") == approx(70)
    # objective = 30·E·(70·3 + 30·5)
    assert plan.objective == approx(30 * E * (70 * 3 + 30 * 5))
    assert price(plan) == approx(3.0)


def test_infeasible_policy_names_family_and_period():
    # A must take ≥ 80 but may hold ≤ 50% of supply, and B can give at most 10:
    # A ≤ 0.5·(A + B) ⇔ A ≤ B ≤ 10 < 80, in both periods, whatever the demand.
    case = tiny_case(periods=2, sources=[source("A", 3.0, min=80), source("B", 5.0, max=10)],
                     demand=100)
    with pytest.raises(InfeasiblePolicy) as info:
        solve(case, caps={"A": 0.5})
    violations = info.value.violations
    # Cheapest relaxation (slack priced 1 per unit of row): keep A = 80, B = 10, and let the
    # cap row A − 0.5·(A + B) ≤ 0 give way by 80 − 0.5·90 = 35 MMcf/d in each period
    # (relaxing the minimum instead would cost 70 per period).
    assert {(v.family, v.item, v.period) for v in violations} == {
        ("share_limit", "cap A", "P1"), ("share_limit", "cap A", "P2")}
    for v in violations:
        assert v.amount == pytest.approx(35, rel=1e-6)
    message = str(info.value)
    assert "cap A" in message and "P1" in message and "P2" in message


def test_infeasible_minimums_alone_are_diagnosed():
    # Two take-or-pay contracts of 80 each with a 50% cap on each and only 100 of demand:
    # A, B ≥ 80 but A + B ≤ 100 (no way to dispose of gas). Infeasible.
    case = tiny_case(sources=[source("A", 3.0, min=80), source("B", 5.0, min=80)], demand=100)
    with pytest.raises(InfeasiblePolicy) as info:
        solve(case)
    # Relaxing the minimums by 60 in total is the only way; the diagnosis names them.
    violations = info.value.violations
    assert violations and all(v.family == "source_minimum" and v.period == "P1" for v in violations)
    assert sum(v.amount for v in violations) == pytest.approx(60, rel=1e-6)


# --- 8. share basis: period vs horizon ---------------------------------------------------------

def test_period_basis_cap_binds_in_every_period():
    case, kw = glide("period")
    plan = solve(case, **kw)
    # A = 60, B = 40 in both periods.
    for p in ("P1", "P2"):
        assert flow(plan, "A", p) == approx(60)
        assert flow(plan, "B", p) == approx(40)
        assert share(plan, "A", p) == approx(0.6)
    # objective = E·(31·(60·3 + 40·5) + 28·(60·3 + 40·10)) = E·(31·380 + 28·580) = 28020·E
    assert plan.objective == approx(28020 * E)
    # shadow: one pp of a period's 100 MMcf/d moved from B to A saves (p_B − 3)·d_t·E
    assert constraint(plan, "share_cap", "cap A", "P1")["shadow_price"] == approx(2 * 31 * E)
    assert constraint(plan, "share_cap", "cap A", "P2")["shadow_price"] == approx(7 * 28 * E)


def test_horizon_basis_allows_averaging():
    case, kw = glide("horizon")
    plan = solve(case, **kw)
    # Σ_t d_t·A_t ≤ 0.6·Σ_t d_t·100 = 0.6·5900 = 3540. A saves 7 per unit in P2 and only 2
    # in P1, so P2 gets all its gas from A (28·100 = 2800) and P1 the rest: A1 = 740/31.
    a1 = 740 / 31
    assert flow(plan, "A", "P2") == approx(100)
    assert flow(plan, "B", "P2") == approx(0)
    assert flow(plan, "A", "P1") == approx(a1)
    assert flow(plan, "B", "P1") == approx(100 - a1)
    # objective = E·(31·(3·A1 + 5·(100 − A1)) + 28·3·100) = E·(15500 − 2·740 + 8400) = 22420·E
    assert plan.objective == approx(22420 * E)
    # horizon share 3540/5900 = 0.6; per-period shares 0.2387 and 1.0
    assert plan.summary["shares"]["A"] == approx(0.6)
    assert share(plan, "A", "P1") == approx(a1 / 100)
    assert share(plan, "A", "P2") == approx(1.0)
    row = constraint(plan, "share_cap", "cap A", "horizon")
    assert row["binding"]
    assert row["value"] == approx(0.6)
    # σ + 1 pp admits 0.01·5900 = 59 more day-weighted MMcf/d of A, all in P1, each saving
    # 2·E: saving 2·E·59 = 118·E
    assert row["shadow_price"] == approx(118 * E)
    # marginal gas in either period: base grows by d_t, 60% of it may be A → 0.6·3 + 0.4·5 = 3.8
    assert price(plan, "N1", "P1") == approx(3.8)
    assert price(plan, "N1", "P2") == approx(3.8)
    # averaging is worth (28020 − 22420)·E
    assert solve(case, caps={"A": 0.6}, share_basis="period").objective - plan.objective == \
        approx(5600 * E)


# --- more families: entry capacity, share of imports, minimum shares, source windows ----------

def test_entry_capacity_binds_with_its_shadow_price():
    # A's entry carries at most 60: the same mix as test 1, now limited by the entry row.
    case = tiny_case(sources=[source("A", 3.0, entry_capacity=60), source("B", 5.0)], demand=100)
    plan = solve(case)
    assert flow(plan, "A") == approx(60)
    assert plan.objective == approx(380 * 30 * E)
    row = constraint(plan, "entry_capacity", "E_A")
    assert row["binding"] and row["unit"] == "MUSD per 100 MMcf/d"
    # more capacity through the entry replaces B (5.0) by A (3.0): 2.0 USD/MMBtu saved on
    # each of 100 MMcf/d × 30 days
    assert row["shadow_price"] == approx(2.0 * 100 * 30 * E)
    assert not constraint(plan, "entry_capacity", "E_B")["binding"]


def test_share_of_imports_leaves_domestic_out_of_the_base():
    # Domestic D at 2.0 up to 50, pipeline U at 3.0, LNG L at 6.0; demand 100; U ≤ 60%.
    case = tiny_case(sources=[source("D", 2.0, max=50, kind="domestic"), source("U", 3.0),
                              source("L", 6.0, kind="lng")], demand=100)
    # of supply: U ≤ 0.6·100 = 60, so D 50 + U 50 and the cap is slack; cost 30·E·250
    supply = solve(case, caps={"U": 0.6})
    assert flow(supply, "U") == approx(50) and flow(supply, "L") == approx(0)
    assert supply.objective == approx(250 * 30 * E)
    # of imports: U ≤ 0.6·(U + L) with U + L = 50 → U = 30, L = 20; cost 30·E·(100 + 90 + 120)
    imports = solve(case, caps={"U": 0.6}, share_of="imports")
    assert flow(imports, "D") == approx(50)
    assert flow(imports, "U") == approx(30)
    assert flow(imports, "L") == approx(20)
    assert imports.objective == approx(310 * 30 * E)
    assert share(imports, "U") == approx(0.6)
    row = constraint(imports, "share_cap", "cap U")
    # 1 pp of the 50 MMcf/d import base moves 0.5 from L to U, saving 0.5·3·30·E
    assert row["shadow_price"] == approx(0.5 * 3 * 30 * E)
    # Shares are reported on the base the cap limits: U 30/50, L 20/50 of imports; the
    # domestic supplier has no share of imports; summary "shares" stay shares of supply.
    s = imports.summary
    assert s["share_of"] == "imports"
    assert s["base_shares"]["U"] == approx(0.6) and s["base_shares"]["L"] == approx(0.4)
    assert s["base_shares"]["D"] is None and s["max_period_shares"]["D"] is None
    assert s["shares"] == approx({"D": 0.5, "U": 0.3, "L": 0.2})
    assert imports.shares.set_index("supplier")["share"].isna().to_dict() == \
        {"D": True, "U": False, "L": False}


def test_minimum_share_of_a_kind():
    # As above, with LNG ≥ 10% of supply: L = 10, U = 40; cost 30·E·(100 + 120 + 60) = 280
    from gasmix.models import ShareLimit
    case = tiny_case(sources=[source("D", 2.0, max=50, kind="domestic"), source("U", 3.0),
                              source("L", 6.0, kind="lng")], demand=100)
    plan = solve(case, limits=[ShareLimit("kind", "lng", min_share=0.1)])
    assert flow(plan, "L") == approx(10)
    assert flow(plan, "U") == approx(40)
    assert plan.objective == approx(280 * 30 * E)
    row = constraint(plan, "share_min", "min kind lng")
    assert row["binding"]
    # lowering the minimum by 1 pp moves 1 MMcf/d from L back to U, saving 3·30·E (the
    # saving of loosening a minimum is positive too)
    assert row["shadow_price"] == approx(3 * 30 * E)


def test_max_share_caps_every_supplier():
    # Same three sources, no supplier above 40%: D 40, U 40, L 20; cost 30·E·(80+120+120)
    case = tiny_case(sources=[source("D", 2.0, max=50, kind="domestic"), source("U", 3.0),
                              source("L", 6.0, kind="lng")], demand=100)
    plan = solve(case, max_share=0.4)
    assert [flow(plan, g) for g in "DUL"] == [approx(40), approx(40), approx(20)]
    assert plan.objective == approx(320 * 30 * E)
    # 1 pp more for D replaces LNG by D, saving (6 − 2)·30·E; for U: (6 − 3)·30·E
    assert constraint(plan, "share_cap", "cap D")["shadow_price"] == approx(4 * 30 * E)
    assert constraint(plan, "share_cap", "cap U")["shadow_price"] == approx(3 * 30 * E)


def test_source_window():
    # A (3.0) only in P2; B (5.0) always; 3 periods of 30 days, demand 100.
    case = tiny_case(periods=3, sources=[source("A", 3.0, first_period="P2", last_period="P2"),
                                         source("B", 5.0)])
    plan = solve(case)
    assert [flow(plan, "A", p) for p in ("P1", "P2", "P3")] == [approx(0), approx(100), approx(0)]
    assert plan.objective == approx((500 + 300 + 500) * 30 * E)
    assert [price(plan, "N1", p) for p in ("P1", "P2", "P3")] == [approx(5), approx(3), approx(5)]


# --- 9. HiGHS and CBC agree ---------------------------------------------------------------------

CASES = {
    "two_suppliers": two_suppliers,
    "cap": two_suppliers_capped,
    "risk_0.9": lambda: risky_pair(0.9),
    "risk_1.1": lambda: risky_pair(1.1),
    "storage": storage_arbitrage,
    "uncongested": lambda: two_nodes(40),
    "congested": lambda: two_nodes(100),
    "unserved": short_supply,
    "exclusion": excluded_cheap,
    "minimum": contract_minimum,
    "period_basis": lambda: glide("period"),
    "horizon_basis": lambda: glide("horizon"),
}


# CBC's primal values come back through its solution file with 8 significant digits (PuLP
# reads the text CBC prints), so the two solvers agree to about 1e-9 relative, not better.
CBC_REL = 1e-8


@pytest.mark.parametrize("name", list(CASES))
def test_highs_and_cbc_agree(name):
    case, kw = CASES[name]()
    highs = solve(case, solver="highs", **kw)
    cbc = solve(case, solver="cbc", **kw)
    assert highs.summary["solver"] == "highs" and cbc.summary["solver"] == "cbc"
    assert cbc.objective == pytest.approx(highs.objective, rel=CBC_REL)
    assert cbc.prices["marginal_cost_usd_mmbtu"].to_numpy() == pytest.approx(
        highs.prices["marginal_cost_usd_mmbtu"].to_numpy(), abs=1e-6)
    # the shadow prices of the share caps and arcs agree (same convention, same values)
    for family in ("share_cap", "arc_capacity"):
        h = highs.constraints[highs.constraints["family"] == family]
        c = cbc.constraints[cbc.constraints["family"] == family]
        assert c["shadow_price"].to_numpy() == pytest.approx(h["shadow_price"].to_numpy(), abs=1e-9)


def test_cbc_agrees_to_its_output_precision():
    # The storage case at the precision CBC's 8-digit solution file allows.
    case, kw = storage_arbitrage()
    highs, cbc = solve(case, **kw), solve(case, solver="cbc", **kw)
    assert cbc.objective == pytest.approx(highs.objective, rel=CBC_REL)
    assert cbc.objective == pytest.approx(17265 * E, rel=CBC_REL)
    assert cbc.prices["marginal_cost_usd_mmbtu"].to_numpy() == pytest.approx([2.0, 6.0], abs=1e-6)


def test_cbc_plan_with_a_binding_cap_on_realistic_volumes():
    # One node, 1000 MMcf/d (Mexico's regions are 1000–2700 each), A at 3.0, B at 5.0,
    # A capped at 2/3: A = 666.667, B = 333.333,
    # objective = (2000/3·3 + 1000/3·5)·30·E = (11000/3)·30·E = 114.07 MUSD.
    # CBC returns A = 666.66667 (8 significant digits), so the cap row reads
    # 666.66667 − (2/3)·1000 = +3.3e-6: rounding, ~3e-9 of the row's terms. The post-solve
    # check must judge that against the size of the row, not against 1 + |rhs| = 1
    # (regression: it used to refuse this plan with SolverFailure).
    case = tiny_case(sources=[source("A", 3.0), source("B", 5.0)], demand=1000)
    plan = solve(case, caps={"A": 2 / 3}, solver="cbc")
    assert plan.objective == pytest.approx(11000 / 3 * 30 * E, rel=1e-8)
    assert flow(plan, "A") == pytest.approx(2000 / 3, rel=1e-8)


# --- 10. property: tightening a cap never lowers cost ---------------------------------------------

@st.composite
def random_case(draw):
    periods = draw(st.integers(1, 3))
    days = draw(st.lists(st.integers(28, 31), min_size=periods, max_size=periods))
    demand = draw(st.lists(st.floats(10, 200), min_size=periods, max_size=periods))
    n = draw(st.integers(2, 4))
    specs = []
    for i in range(n):
        prices = draw(st.lists(st.floats(1.0, 15.0), min_size=periods, max_size=periods))
        # the last supplier is unlimited so demand is always coverable
        cap = None if i == n - 1 else draw(st.one_of(st.none(), st.floats(0.0, 150.0)))
        risk = draw(st.floats(0.0, 1.0))
        specs.append(source(f"S{i}", prices, max=cap, risk=risk))
    case = tiny_case(periods=periods, days=days, demand=demand, sources=specs)
    supplier = f"S{draw(st.integers(0, n - 1))}"
    return case, supplier


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=random_case(), s1=st.floats(0.0, 1.0), s2=st.floats(0.0, 1.0),
       basis=st.sampled_from(["period", "horizon"]), risk_weight=st.sampled_from([0.0, 1.5]))
def test_tightening_a_cap_never_lowers_cost(data, s1, s2, basis, risk_weight):
    case, supplier = data
    lo, hi = sorted((s1, s2))
    tight = solve(case, caps={supplier: lo}, share_basis=basis, risk_weight=risk_weight)
    loose = solve(case, caps={supplier: hi}, share_basis=basis, risk_weight=risk_weight)
    free = solve(case, risk_weight=risk_weight)
    assert tight.objective >= loose.objective * (1 - 1e-7) - 1e-9
    assert loose.objective >= free.objective * (1 - 1e-7) - 1e-9
    # and the cap holds (share of supply; undefined, NaN, in a period with no supply)
    if basis == "period":
        s = tight.shares
        assert (s.loc[s["supplier"] == supplier, "share"].fillna(0.0) <= lo + 1e-7).all()
    else:
        assert tight.summary["shares"][supplier] <= lo + 1e-7


def test_diagnosis_orders_violations_by_gas_volume_across_units():
    # A must take 100 with demand 51 and nowhere else to put gas: its minimum gives way by
    # 49 MMcf/d × 30 days = 1.47 Bcf. The store must end at 5 Bcf but cannot inject: its
    # end target gives way by 5 Bcf. Larger volume first, whatever the units.
    case = tiny_case(sources=[source("A", 3.0, min=100)], demand=51,
                     storage=[storage(working_gas=10, injection=0, withdrawal=0, end_target=5)])
    with pytest.raises(InfeasiblePolicy) as info:
        solve(case)
    first, second = info.value.violations
    assert (first.family, first.amount, first.unit) == ("storage_end", approx(5), "Bcf")
    assert (second.family, second.amount, second.unit) == ("source_minimum", approx(49), "MMcf/d")
    assert first.volume_bcf == approx(5) and second.volume_bcf == approx(49 * 30 / 1000)


def test_period_cap_shadow_price_uses_each_periods_own_supply():
    # Demand 100 in P1 and 40 in P2 (30 days each); A at 3, B at 5; A ≤ 60% every period.
    # One pp of period t's cap moves 1% of that period's supply from B to A:
    #   P1 saves (5 − 3)·30·E·100·1% = 2·30·E·1.0;  P2: 2·30·E·0.4.
    case = tiny_case(periods=2, sources=[source("A", 3.0), source("B", 5.0)], demand=[100, 40])
    plan = solve(case, caps={"A": 0.6})
    assert constraint(plan, "share_cap", "cap A", "P1")["shadow_price"] == approx(2 * 30 * E * 1.0)
    assert constraint(plan, "share_cap", "cap A", "P2")["shadow_price"] == approx(2 * 30 * E * 0.4)
    cbc = solve(case, caps={"A": 0.6}, solver="cbc")
    assert constraint(cbc, "share_cap", "cap A", "P2")["shadow_price"] == approx(2 * 30 * E * 0.4)


def test_time_limit_reaches_the_solver(monkeypatch):
    # The time limit: HiGHS gets it as its own option, CBC through PuLP.
    from gasmix.optimizer.lp import solvers

    made = []
    real_new = solvers.new_highs

    def recording_new_highs(time_limit=None):
        made.append(real_new(time_limit))
        return made[-1]

    monkeypatch.setattr(solvers, "new_highs", recording_new_highs)
    case = tiny_case(sources=[source("A", 3.0)], demand=100)
    solve(case, time_limit=7.5)
    _, limit = made[0].getOptionValue("time_limit")
    assert limit == 7.5
    assert solve(case, solver="cbc", time_limit=7.5).summary["status"] == "optimal"
