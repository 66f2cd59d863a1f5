"""The two-stage stochastic plan, CVaR, VSS and EVPI, and the stress test: small cases solved
by hand (real HiGHS), then the Mexico case's guarantees.

The hand cases: one node, one 30-day period, demand 100 MMcf/d, VOLL 100.
  A: contracted source, delivered at 2 USD/MMBtu, of which r (its entry tariff) is the firm
     (reservation) part paid on the contracted volume c, and 2 − r the commodity paid on
     what is taken; take-or-pay share τ (the untaken part at 2 − r);
  B: spot source at 5 USD/MMBtu, unlimited.
Scenario "cut" halves A's entry (capacity 200 → 100, capacity factor 0.5 on entry E_A),
and with it, pro rata, A's contracted deliveries.
One MMcf/d over the period at p USD/MMBtu costs 30·p·E million USD (E = 0.001037); costs
below are per day and MMcf/d ("units"), × 30E for million USD.
"""

from __future__ import annotations

import numpy as np
import pytest

from cases import E, source, tiny_case
from gasmix.models import Disruption, Scenario, default_case
from gasmix.optimizer import solve, solve_stochastic, stress_test
from gasmix.optimizer.formulation.arrays import prepare
from gasmix.optimizer.formulation.scenarios import apply_scenario
from gasmix.optimizer.formulation.build import build_stochastic
from gasmix.optimizer.formulation.two_stage import cvar
from gasmix.optimizer.stochastic import _solve

CUT = Disruption("entry", "E_A", capacity_factor=0.5, description="A's entry carries half")


def two_scenario_case(tau: float, p_cut: float, firm: float = 0.5):
    """A's entry E_A holds 200 MMcf/d; the cut halves it (to 100) and, pro rata, the
    contracted deliveries through it (q ≤ 0.5·c). Up to c = 200 the cut delivers 0.5·c:
    an entry's cut curtails contracts pro rata, so more contract is more gas in the cut."""
    return tiny_case(
        sources=[source("A", 2.0, contract="contract", take_or_pay=tau, tariff=firm,
                        entry_capacity=200.0),
                 source("B", 5.0)],
        scenarios=[Scenario("base", 1 - p_cut), Scenario("cut", p_cut, (CUT,))])


def contract_of(plan, source_id="A", period="P1") -> float:
    c = plan.extra["commitments"]
    row = c[(c["item"] == source_id) & (c["period"] == period)]
    return float(row["stochastic_mmcfd"].item())


def test_stochastic_plan_contracts_more_than_the_deterministic_one_and_vss_is_as_computed():
    """τ = 0.5, p(cut) = 0.5, r = 0.5, risk-neutral.

    Deterministic plan: A supplies all 100 at 2 → contract c = 100, cost 200 units = 6000E.
    Stochastic, for 100 ≤ c ≤ 200: base pays 0.5c + 1.5·100 = 0.5c + 150 (take 100 ≥ τ·c);
    cut takes 0.5c from A and 100 − 0.5c from B: 0.5c + 1.5·0.5c + 5·(100 − 0.5c) =
    500 − 1.25c. E = 325 − 0.375c falls with c; above 200 base adds 1.5·(0.5c − 100) unpaid
    take-or-pay and cut gains nothing (E = 0.875c + 75 rises), so c* = 200: base 250, cut
    250, RP = 7500E. The insurance is no longer free: the base costs 250 instead of 200.
    Deterministic commitments (c = 100): base 200, cut 50 + 75 + 250 = 375, EEV = 8625E,
    VSS = 1125E. Wait-and-see: base 200 (c = 100), cut 250 (c = 200): WS = 6750E,
    EVPI = 750E.
    """
    case = two_scenario_case(tau=0.5, p_cut=0.5)
    plan = solve_stochastic(case)
    assert solve(case).summary["objective_musd"] == pytest.approx(6000 * E)
    assert contract_of(plan) == pytest.approx(200.0)
    c = plan.extra["commitments"]
    assert float(c.loc[c["item"] == "A", "deterministic_mmcfd"].item()) == pytest.approx(100.0)
    s = plan.summary
    assert s["mean_risk_objective_musd"] == pytest.approx(7500 * E)
    assert s["expected_cost_musd"] == pytest.approx(7500 * E)
    assert s["vss_musd"] == pytest.approx(1125 * E)
    assert s["evpi_musd"] == pytest.approx(750 * E)
    sc = plan.extra["scenarios"].set_index("scenario")
    assert sc.loc["cut", "deterministic_plan_cost_musd"] == pytest.approx(11250 * E)
    assert sc.loc["cut", "cost_musd"] == pytest.approx(7500 * E)
    flows = plan.extra["scenario_flows"]
    cut_a = flows[(flows["scenario"] == "cut") & (flows["source"] == "A")].iloc[0]
    assert cut_a["flow_mmcfd"] == pytest.approx(100.0) and cut_a["contract_mmcfd"] == pytest.approx(200.0)
    # The base plan books 200 and takes 100: 100 units of idle firm capacity at 0.5.
    assert s["objective_musd"] == pytest.approx(7500 * E)
    assert s["cost_breakdown_musd"]["capacity_reserved_unused"] == pytest.approx(30 * 100 * 0.5 * E)


def test_over_contracting_has_a_price():
    """τ = 0.5, p(cut) = 0.5, r = 1.5 (commodity 0.5). For 100 ≤ c ≤ 200: base 1.5c + 50,
    cut 1.5c + 0.5·0.5c + 5·(100 − 0.5c) = 500 − 0.75c; E = 275 + 0.375c rises with c (below
    100 it falls: base 500 − 3c), so the plan contracts what the base needs, c = 100 (base
    200, cut 425: E = 312.5 units = 9375E). Before the firm part was paid on c, the extra
    100 of contract was free and c = 200."""
    case = two_scenario_case(tau=0.5, p_cut=0.5, firm=1.5)
    plan = solve_stochastic(case)
    assert contract_of(plan) == pytest.approx(100.0)
    assert plan.summary["expected_cost_musd"] == pytest.approx(9375 * E)
    assert plan.summary["vss_musd"] == pytest.approx(0.0, abs=1e-9)


def test_cvar_only_with_alpha_near_one_minimises_the_worst_scenario():
    """τ = 0.9, p(cut) = 0.1, r = 0.5.

    Risk-neutral: below c = 100 base costs 500 − 3c; for 100 ≤ c ≤ 111.1 base 0.5c + 150,
    cut 500 − 1.25c, E = 185 + 0.325c rises: c = 100 (base 200 → 6000E, cut 375 → 11250E).
    W = 1, α = 0.99 (1 − α < p(cut)): CVaR is the worst cost. Above c = 100/0.9 base pays
    the take-or-pay on 0.9c − 100 at 1.5: 0.5c + 150 + 1.5·(0.9c − 100) = 1.85c; it meets
    cut's 500 − 1.25c at c = 500/3.1 = 161.3, both 1.85·500/3.1 = 298.4 units = 8951.6E.
    """
    case = two_scenario_case(tau=0.9, p_cut=0.1)
    neutral = solve_stochastic(case)
    assert contract_of(neutral) == pytest.approx(100.0)
    assert neutral.summary["expected_cost_musd"] == pytest.approx((0.9 * 6000 + 0.1 * 11250) * E)

    averse = solve_stochastic(case, cvar_weight=1.0, cvar_alpha=0.99)
    worst = 30 * 1.85 * 500 / 3.1 * E
    assert contract_of(averse) == pytest.approx(500 / 3.1)
    costs = averse.extra["scenarios"]["cost_musd"]
    assert averse.summary["mean_risk_objective_musd"] == pytest.approx(costs.max())
    assert averse.summary["mean_risk_objective_musd"] == pytest.approx(worst)
    assert averse.summary["cvar_musd"] == pytest.approx(worst)


def test_one_base_scenario_with_free_commitments_is_the_deterministic_model():
    case = two_scenario_case(tau=0.5, p_cut=0.5)
    data = prepare(case, case.policy)
    sm = build_stochastic(data, [(apply_scenario(data, case.scenarios[0]), 1.0)])
    result, _ = _solve(sm, "highs", None)
    assert result.objective == pytest.approx(solve(case).summary["objective_musd"])


def test_cvar_of_a_discrete_distribution():
    # α = 0.5 over costs 1, 2, 4 with p = 0.5, 0.25, 0.25: the worst half averages 3.
    var, value = cvar(np.array([1.0, 2.0, 4.0]), np.array([0.5, 0.25, 0.25]), 0.5)
    assert var == 1.0 and value == pytest.approx(3.0)


def test_stress_test_prices_the_deterministic_commitments_in_each_scenario():
    """τ = 0.5, r = 0.5: the deterministic plan contracts 100 of A. Under "cut" A gives 50
    (firm part 0.5·100 = 50 paid on the contract, commodity 1.5·50 = 75) and B the other 50
    at 5 (250): 375 units = 11250E, 5250E more than base; marginal gas comes from B
    (5 USD/MMBtu)."""
    case = two_scenario_case(tau=0.5, p_cut=0.5)
    table, plan = stress_test(case)
    rows = table.set_index("scenario")
    assert rows.loc["base", "cost_musd"] == pytest.approx(6000 * E)
    assert rows.loc["cut", "cost_musd"] == pytest.approx(11250 * E)
    assert rows.loc["cut", "change_from_base_musd"] == pytest.approx(5250 * E)
    assert rows.loc["cut", "unserved_bcf"] == pytest.approx(0.0)
    assert rows.loc["cut", "peak_marginal_usd_mmbtu"] == pytest.approx(5.0)


def test_price_multiplier_on_a_hub_scales_the_hub_term_only():
    # A priced on its own hub H_A at 4; the scenario multiplies the hub by 3 → 12.
    case = tiny_case(sources=[source("A", [4.0])],
                     scenarios=[Scenario("base", 0.5),
                                Scenario("shock", 0.5, (Disruption("hub", "H_A", price_multiplier=3.0),))])
    table, _ = stress_test(case)
    rows = table.set_index("scenario")
    assert rows.loc["shock", "cost_musd"] == pytest.approx(30 * 100 * 12 * E)


def test_mexico_vss_and_evpi_are_not_negative():
    plan = solve_stochastic(default_case(), cvar_weight=0.5)
    s = plan.summary
    tolerance = 1e-6 * s["mean_risk_objective_musd"]
    assert s["vss_musd"] >= -tolerance
    assert s["evpi_musd"] >= -tolerance
    assert s["expected_cost_musd"] <= s["cvar_musd"] + tolerance
    scenarios = plan.extra["scenarios"]
    assert scenarios["probability"].sum() == pytest.approx(1.0)
    assert set(scenarios["scenario"]) >= {"base", "uri", "us_export_limit", "altamira_outage",
                                         "hormuz_2027", "sanctions_lifted"}


def test_cbc_agrees_on_the_hand_case():
    # Also covers a scenario that makes a contract undeliverable (φ = 0): its column is in no
    # row of the wait-and-see model, and CBC must still return a value for it.
    case = tiny_case(
        sources=[source("A", 2.0, contract="contract", take_or_pay=0.5, tariff=0.5),
                 source("B", 5.0)],
        scenarios=[Scenario("base", 0.5),
                   Scenario("cut", 0.5, (Disruption("source", "A", capacity_factor=0.0),))])
    highs = solve_stochastic(case).summary
    cbc = solve_stochastic(case, solver="cbc").summary
    for key in ("mean_risk_objective_musd", "vss_musd", "evpi_musd"):
        assert cbc[key] == pytest.approx(highs[key], abs=1e-6)
    # Hand (r = 0.5): A can only help in base. Below c = 100 base costs 500 − 3c and cut
    # 0.5c + 500 (the booked capacity idle, take-or-pay excused); above, both rise by 0.5c:
    # c = 100, base 200 units = 6000E, cut 550 = 16500E.
    assert highs["expected_cost_musd"] == pytest.approx(0.5 * (6000 + 16500) * E)


# --- every scenario reported from its own re-solve (first stage fixed) -------------------

def shock_case():
    """No first stage: A spot at 2 (max 50), B spot at 5. "shock" multiplies B's price by 10.
    Base: 50·2 + 50·5 = 350 units; shock: 50·2 + 50·50 = 2600 units."""
    return tiny_case(sources=[source("A", 2.0, max=50), source("B", 5.0)],
                     scenarios=[Scenario("base", 0.9),
                                Scenario("shock", 0.1, (Disruption("source", "B", price_multiplier=10.0),))])


@pytest.mark.parametrize("weight", [0.0, 0.5, 1.0])
def test_reported_mean_risk_objective_is_the_two_stage_optimum(weight):
    """Recomputed from the per-scenario re-solves: (1 − W)·(0.9·350 + 0.1·2600) + W·2600
    (α = 0.99: CVaR is the shock) = 575 + 2025·W units, the two-stage optimum."""
    plan = solve_stochastic(shock_case(), cvar_weight=weight, cvar_alpha=0.99)
    s = plan.summary
    expected = 30 * (575 + 2025 * weight) * E
    assert s["mean_risk_objective_musd"] == pytest.approx(expected)
    assert s["mean_risk_objective_musd"] == pytest.approx(s["stochastic"]["two_stage_optimum_musd"],
                                                          rel=1e-7)
    rows = plan.extra["scenarios"].set_index("scenario")
    # At W = 1 the base weighs nothing in the two-stage objective; its re-solve still
    # reports its own best operation: 350 units, nothing unserved, marginal gas B at 5.
    assert rows.loc["base", "cost_musd"] == pytest.approx(30 * 350 * E)
    assert rows.loc["base", "unserved_bcf"] == pytest.approx(0.0)
    assert rows.loc["base", "avg_marginal_usd_mmbtu"] == pytest.approx(5.0)
    assert plan.summary["unserved_bcf"] == pytest.approx(0.0)


def test_mexico_at_cvar_weight_one_serves_the_base():
    """Before the re-solves the base scenario of `--cvar-weight 1` showed 41.3 Bcf unserved:
    outside the CVaR tail it had no weight, so the solver left it anywhere below the tail."""
    plan = solve_stochastic(default_case(), cvar_weight=1.0)
    rows = plan.extra["scenarios"].set_index("scenario")
    assert rows.loc["base", "unserved_bcf"] == pytest.approx(0.0, abs=1e-6)
    assert plan.summary["unserved_bcf"] == pytest.approx(0.0, abs=1e-6)
    s = plan.summary
    assert s["mean_risk_objective_musd"] == pytest.approx(s["stochastic"]["two_stage_optimum_musd"],
                                                          rel=1e-6)


def test_average_marginal_cost_is_nan_when_no_marginal_cost_is_defined():
    """In the two-stage model at W = 1, α = 0.99 the base (cost 350 < θ = 2600) has weight
    ρ = (1 − W)·p + μ = 0: its marginal costs are undefined, so is their average (not 0)."""
    from gasmix.optimizer.stochastic import scenario_table

    case = shock_case()
    data = prepare(case, case.policy)
    sm = build_stochastic(data, [(apply_scenario(data, s), s.probability) for s in case.scenarios],
                          alpha=0.99, weight=1.0)
    result, _ = _solve(sm, "highs", None)
    rows = scenario_table(sm, result).set_index("scenario")
    assert np.isnan(rows.loc["base", "avg_marginal_usd_mmbtu"])
    assert np.isnan(rows.loc["base", "peak_marginal_usd_mmbtu"])
    assert rows.loc["shock", "avg_marginal_usd_mmbtu"] == pytest.approx(50.0)


def test_two_vss_figures_mean_risk_and_expected_cost():
    """The CVaR hand case (τ = 0.9, p(cut) = 0.1, r = 0.5), W = 1, α = 0.99.
    Stochastic plan c = 161.3: base and cut both 298.4 units (E = CVaR = 298.4 = 8951.6E).
    Deterministic commitments c = 100: base 200, cut 375; E = 0.9·200 + 0.1·375 = 217.5
    (6525E), CVaR = 375 (11250E).
    vss_musd (mean-risk, ≥ 0) = 11250E − 8951.6E = 2298.4E;
    vss_expected_cost_musd = 6525E − 8951.6E = −2426.6E: the risk-averse plan pays in
    expectation for its thinner tail."""
    s = solve_stochastic(two_scenario_case(tau=0.9, p_cut=0.1), cvar_weight=1.0,
                         cvar_alpha=0.99).summary
    worst = 30 * 1.85 * 500 / 3.1 * E
    assert s["vss_musd"] == pytest.approx(11250 * E - worst)
    assert s["vss_expected_cost_musd"] == pytest.approx(6525 * E - worst)
    assert s["vss_expected_cost_musd"] < 0
    # Risk-neutral (first hand case) the two agree: 8625E − 7500E.
    s = solve_stochastic(two_scenario_case(tau=0.5, p_cut=0.5)).summary
    assert s["vss_expected_cost_musd"] == pytest.approx(1125 * E) == s["vss_musd"]


GLUT = Disruption("source", "A", price_multiplier=0.1, description="a glut")


def test_a_price_multiplier_scales_the_commodity_part_only_and_the_model_stays_bounded():
    """A delivered at 2 of which r = 1.5 is the firm part (commodity 0.5), τ = 0.5; B spot 5.
    Scenario glut (p = 0.5) multiplies A's price by 0.1. Before: A's price became 0.2, its
    commodity 0.2 − 1.5 = −1.3 < 0, so the untaken gas z was a money pump (unbounded LP,
    misreported as an infeasible policy). Now: glut price = 1.5 + 0.1·0.5 = 1.55.

    Each unit of c above the take costs r = 1.5 in every scenario and buys nothing (demand
    is 100), so c = 100. Base: 1.5·100 + 0.5·100 = 200 units; glut: 150 + 0.05·100 = 155.
    E[cost] = 177.5 units = 177.5·30E.
    """
    case = tiny_case(sources=[source("A", 2.0, contract="contract", take_or_pay=0.5, tariff=1.5),
                              source("B", 5.0)],
                     scenarios=[Scenario("base", 0.5), Scenario("glut", 0.5, (GLUT,))])
    data = prepare(case, case.policy)
    glut = apply_scenario(data, case.scenarios[1])
    assert glut.data.price[0, 0] == pytest.approx(1.55)
    plan = solve_stochastic(case)
    assert contract_of(plan) == pytest.approx(100.0)
    assert plan.summary["expected_cost_musd"] == pytest.approx(177.5 * 30 * E)


def test_negative_commodity_price_cannot_make_the_untaken_gas_unbounded():
    """A delivered at 1.0 with r = 1.5: commodity −0.5 (a negative hub basis), τ = 0.5.
    A deficiency payment is never negative, so untaken gas z earns nothing (before: it
    earned −0.5 per unit, and without the bound z ≤ τ·φ·c the model was unbounded). Cost:
    firm 150 + commodity −0.5·100 = 100 units, the deterministic plan's 1.0·100; a larger c
    costs 1.5 per unit and earns nothing back, so c = 100."""
    case = tiny_case(sources=[source("A", 1.0, contract="contract", take_or_pay=0.5, tariff=1.5),
                              source("B", 5.0)],
                     scenarios=[Scenario("base", 1.0)])
    plan = solve_stochastic(case)
    assert contract_of(plan) == pytest.approx(100.0)
    assert plan.summary["expected_cost_musd"] == pytest.approx(100 * 30 * E)
    assert plan.summary["expected_cost_musd"] == pytest.approx(solve(case).objective)


def test_an_unbounded_model_is_a_solver_failure_not_an_infeasible_policy():
    from gasmix.optimizer.deterministic import SolverFailure, solve_verified
    from gasmix.optimizer.lp.linear_model import INF, LinearModel
    from gasmix.optimizer.lp.solvers import SolveStatus

    m = LinearModel()
    x = m.add_variables("x", ["a", "b"], lower=-INF, upper=INF, cost=np.array([-1.0, 0.0]))
    m.add_rows("r", [("r", "P1")], ">=", np.array([0]), x[1:], np.array([1.0]), 0.0)
    with pytest.raises(SolverFailure) as info:
        solve_verified(m, None)
    assert info.value.status is SolveStatus.UNBOUNDED
    assert "unbounded" in str(info.value)


def test_a_supplier_cut_caps_deliveries_at_the_reference_flow_whatever_is_contracted():
    """A (supplier SA, contract, τ = 0.5, r = 0.5, delivered 2), B spot 5; scenario cut
    (p = 0.5) puts capacity factor 0.5 on supplier SA — a limit on its exports.
    The deterministic plan takes 100 from A, so in the cut A delivers at most
    0.5·100 = 50 whatever c (before: at most 0.5·c, and the plan contracted c = 200 to get
    its full 100 through the cut: booking its way out of the export limit).
    For 100 ≤ c ≤ 200: base 0.5c + 1.5·100; cut 0.5c + 1.5·50 + 5·50 (take 50 ≥ τ·φ·c =
    0.25c): both rise with c. Below 100 base is 500 − 3c and cut 500 − 1.25c: both fall.
    So c = 100: base 200, cut 375, E = 287.5 units = 287.5·30E; VSS = 0."""
    cut = Disruption("supplier", "SA", capacity_factor=0.5)
    case = tiny_case(sources=[source("A", 2.0, supplier="SA", contract="contract",
                                     take_or_pay=0.5, tariff=0.5), source("B", 5.0)],
                     scenarios=[Scenario("base", 0.5), Scenario("cut", 0.5, (cut,))])
    plan = solve_stochastic(case)
    assert contract_of(plan) == pytest.approx(100.0)
    assert plan.summary["expected_cost_musd"] == pytest.approx(287.5 * 30 * E)
    assert plan.summary["vss_musd"] == pytest.approx(0.0, abs=1e-9)
    flows = plan.extra["scenario_flows"]
    a_cut = flows[(flows["scenario"] == "cut") & (flows["source"] == "A")]["flow_mmcfd"]
    assert float(a_cut.item()) == pytest.approx(50.0)


def test_a_gap_between_the_recomputed_objective_and_the_two_stage_optimum_is_warned(monkeypatch):
    """The summary warns when (1 − W)·E + W·CVaR from the re-solves differs from the
    two-stage optimum by more than 1e-6 relative; forced here by shifting the recomputed one."""
    import gasmix.optimizer.stochastic as api

    case = two_scenario_case(tau=0.5, p_cut=0.5)
    assert not [w for w in solve_stochastic(case).summary["warnings"] if "two-stage" in w]
    real = api.mean_risk
    monkeypatch.setattr(api, "mean_risk", lambda *a: {**real(*a), "objective": real(*a)["objective"] + 1.0})
    warnings = solve_stochastic(case).summary["warnings"]
    assert any("differs from the two-stage optimum" in w for w in warnings)


def test_a_negative_price_contract_earns_nothing_from_gas_it_does_not_take():
    # Hand: one 30-day month, demand 100 MMcf/d, contract A at −1 USD/MMBtu delivered (firm
    # part r = 0.5, commodity −1.5), τ = 0.5. The plan takes all 100: cost −1·100·30·E.
    # With its contract fixed, the base re-solve must cost the same. A deficiency payment
    # at the commodity price would pay −1.5 on z = τ·c = 50 more "untaken" gas on top of the
    # full take: 2.33 million USD for nothing (the Mexico case's Waha months went that way).
    case = tiny_case(sources=[source("A", -1.0, contract="contract", take_or_pay=0.5, tariff=0.5,
                                     max=100.0)],
                     scenarios=[Scenario("base", 1.0)])
    plan = solve(case)
    assert plan.objective == pytest.approx(-1.0 * 100 * 30 * E)
    table, _ = stress_test(case)
    assert table.loc[table["scenario"] == "base", "cost_musd"].item() == pytest.approx(-1.0 * 100 * 30 * E)
    stochastic = solve_stochastic(case)
    assert stochastic.summary["expected_cost_musd"] == pytest.approx(-1.0 * 100 * 30 * E)
