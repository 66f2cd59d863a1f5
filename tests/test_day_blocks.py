"""Peak days and short events as blocks of the monthly model (case setting peak_day =
"block"): hand-computed cases where a day binds what the month's average does not."""

from __future__ import annotations

import dataclasses

import pytest

from cases import E, source, storage, tiny_case
from gasmix import solve
from gasmix.models import DemandTier, Node


def peak_case(rho: float = 1.0, *, periods: int = 1, initial: float = 5.0, working_gas: float = 10,
              withdrawal: float = 40, peak_day: str = "block"):
    # Demand 100 a day on average, 150 on the peak day (factor 1.5); gas A 100 a day at 3;
    # stored gas at 5 USD/MMBtu (dearer than A: drawn only when A cannot serve).
    site = dataclasses.replace(storage(working_gas=working_gas, initial=initial, injection=0,
                                       withdrawal=withdrawal, withdrawal_cost=5.0, end_target=0),
                               withdrawal_at_empty_share=rho)
    case = tiny_case(sources=[source("A", 3.0, max=100)], periods=periods, demand=100, storage=[site])
    return case.edited(nodes=(Node("N1", peak_day_factor=1.5),)).with_settings(peak_day=peak_day)


def test_without_blocks_the_month_sees_no_peak():
    assert solve(peak_case(peak_day="check")).objective == pytest.approx(E * 30 * 100 * 3)


@pytest.mark.parametrize("rho, from_storage", [(1.0, 40.0), (0.5, 30.0)])
def test_the_peak_day_binds_storage_deliverability(rho, from_storage):
    # The peak day: A 100, storage 40 (ratchet ρ = 0.5 at 5 of 10 Bcf: 40·0.75 = 30), the
    # rest unserved for that one day. The other 29 days need (30·100 − 150)/29 a day, all A.
    plan = solve(peak_case(rho))
    short = 50.0 - from_storage
    assert plan.objective == pytest.approx(E * (3 * (100 + 29 * (3000 - 150) / 29)
                                               + 5 * from_storage + 100 * short), rel=1e-9)
    assert plan.summary["unserved_bcf"] == pytest.approx(short / 1000)
    # Monthly averages keep their meaning: the storage table shows one day of 40 in 30.
    assert plan.storage["withdrawal_mmcfd"].item() == pytest.approx(from_storage / 30)


def test_stock_drawn_on_one_peak_day_is_gone_for_the_next():
    # 0.06 Bcf in store: January's peak day draws 50 MMcf/d (0.05 Bcf), February's finds 0.01.
    plan = solve(peak_case(periods=2, initial=0.06, working_gas=1, withdrawal=100))
    assert plan.summary["unserved_bcf"] == pytest.approx(40 / 1000)
    assert plan.objective == pytest.approx(E * (3 * 2 * 2950 + 5 * 60 + 100 * 40), rel=1e-9)
    stock = plan.storage.set_index("period")["stock_bcf"]
    assert stock.to_dict() == pytest.approx({"P1": 0.01, "P2": 0.0}, abs=1e-9)


def test_the_plans_own_peak_day_is_the_adequacy_figure():
    # With the peak day in the model, adequacy.csv reads the plan's peak day: 10 of 150 short.
    a = solve(peak_case()).extra["adequacy"]
    assert a.loc[a["check"] == "peak_day", "served_pct"].item() == pytest.approx(100 * 140 / 150)


@pytest.mark.parametrize("grid", [{"demand": [0.8, 1.0, 1.1]}, {"capacity.E_A": [5e-5, 1.0]},
                                  {"voll": [50.0, 200.0]}])
def test_sweeps_with_peak_days_equal_cold_solves(grid):
    # Demand and capacities reach the day blocks' own rows (E_A at 5e-5 of its 10⁶: 50 a
    # day, the peak day short by more): each point equals its own solve.
    from gasmix import sweep
    case = peak_case(0.5)
    table = sweep(case, grid)
    key = next(iter(grid))
    for value, objective in zip(table[key], table["objective_musd"]):
        if key == "demand":
            cold = solve(case.with_demand(scale=value))
        elif key == "voll":
            cold = solve(case.with_settings(voll_usd_mmbtu=value))
        else:
            entries = tuple(dataclasses.replace(e, capacity_mmcfd=e.capacity_mmcfd * value)
                            for e in case.entries)
            cold = solve(case.edited(entries=entries))
        assert objective == pytest.approx(cold.objective, rel=1e-9)


def filling_case(first_day: int):
    # 30 days, demand 100, US gas up to 120 a day at 3; an empty store that can take 20 a
    # day. A cut to 40% of the plan's US flow (100) for days first_day … first_day + 4
    # leaves 60 a day to bridge, 0.3 Bcf: by day 21 the rest days before can have put
    # 20 × 20 = 0.4 Bcf in store (covered); by day 6 only 5 × 20 = 0.1 (0.2 Bcf short).
    from gasmix.models import Disruption, Scenario
    cut = Disruption("supplier", "US", "P1", "P1", capacity_factor=0.4, first_day=first_day, days=5)
    return tiny_case(sources=[source("A", 3.0, supplier="US", max=120)], demand=100,
                     storage=[storage(working_gas=1, initial=0, injection=20, withdrawal=100,
                                      end_target=0)],
                     scenarios=[Scenario("base", 0.5), Scenario("cut", 0.5, (cut,))])


@pytest.mark.parametrize("first_day, short_bcf", [(21, 0.0), (6, 0.2)])
def test_a_cut_finds_the_stock_the_days_before_it_put_in(first_day, short_bcf):
    from gasmix import solve_stochastic
    plan = solve_stochastic(filling_case(first_day))
    scenarios = plan.extra["scenarios"].set_index("scenario")
    assert scenarios.loc["cut", "unserved_bcf"] == pytest.approx(short_bcf, abs=1e-6)


def test_a_capacity_that_binds_on_the_peak_day_only_is_worth_that_day():
    # Entry E_A 120 a day; demand 100 on average, 150 on the peak day: the month's average
    # stays below the entry's capacity, the peak day does not. 100 MMcf/d more entry
    # capacity serves 100 more on that one day: 100·E·(VOLL − 3) = 100·E·97 million USD.
    case = tiny_case(sources=[source("A", 3.0, entry_capacity=120)], demand=100)
    case = case.edited(nodes=(Node("N1", peak_day_factor=1.5),)).with_settings(peak_day="block")
    plan = solve(case)
    row = plan.constraints.set_index(["family", "name", "period"]).loc[("entry_capacity", "E_A", "P1")]
    assert row["value"] < row["limit"] - 1  # the month's average is below the capacity
    assert row["shadow_price"] == pytest.approx(100 * E * 97, rel=1e-9)
    assert bool(row["binding"])


def test_peak_days_that_do_not_bind_leave_every_saving_as_it_was():
    # The Mexico case with the US held to 70%: its peak days are served, so what loosening
    # each limit saves must not change when they are days of the model (their duals are
    # added to the period's limit, not lost in the day rows).
    from gasmix.models import default_case
    plans = [solve(default_case().with_settings(peak_day=mode), caps={"US": 0.7})
             for mode in ("check", "block")]
    check, block = (p.savings.set_index(["family", "name"])["horizon_saving"] for p in plans)
    assert set(check.index) == set(block.index)
    assert block.loc[check.index].to_numpy() == pytest.approx(check.to_numpy(), rel=1e-6, abs=1e-6)


def test_the_marginal_cost_of_demand_counts_its_peak_day():
    # One more MMcf/d of average demand is 1.5 more on the peak day (unserved: 100) and
    # (30 − 1.5)/29 more on each other day (gas A at 3): (1.5·100 + 28.5·3)/30 = 7.85 a day,
    # which a re-solve with a little more demand confirms.
    case = peak_case(1.0)
    plan = solve(case)
    assert plan.prices["marginal_cost_usd_mmbtu"].item() == pytest.approx(7.85, rel=1e-9)
    more = solve(case.with_demand(scale=1.0001))
    assert (more.objective - plan.objective) / (0.01 * E * 30) == pytest.approx(7.85, rel=1e-6)


def _stress_change(case):
    from gasmix import stress_test
    table, _ = stress_test(case)
    row = table.set_index("scenario").loc["ev"]
    return float(row["change_from_base_musd"]), float(row["unserved_bcf"])


def _two_sources(*events, days=(30, 30), kappa=1.2, block=True):
    # Review cases (helper-16, December 2026): A 100 a day at 3, B 50 at 10, demand 100.
    from gasmix.models import Scenario
    case = tiny_case(sources=[source("A", [3.0, 3.0], max=100), source("B", 10.0, max=50)],
                     demand=100, periods=2, days=list(days),
                     scenarios=(Scenario("base", 0.5), Scenario("ev", 0.5, events=tuple(events))))
    return case.with_settings(peak_day="block", peak_day_factor=kappa) if block else case


def _cut(first_day, days, factor=0.5, target=("source", "A"), **price):
    from gasmix.models import Disruption
    return Disruption(target[0], target[1], "P1", "P1", capacity_factor=factor,
                      first_day=first_day, days=days, **price)


def test_short_events_that_overlap_in_part_are_refused():
    # Days 10–12 and 11–14 at ×0.5 each would count days 11–12 twice (at 0.5, not 0.25).
    from gasmix.models import CaseError
    with pytest.raises(CaseError, match="overlap days 10–12"):
        _two_sources(_cut(10, 3), _cut(11, 4), block=False).edited()


def test_events_on_the_same_days_act_together():
    # Two ×0.5 cuts on days 10–12: A gives 25 on those days; B's 50 leaves 25 unserved a
    # day (0.075 Bcf); the days cost 3·(50·10 − 75·3 + 25·100)·E more than the base.
    change, unserved = _stress_change(_two_sources(_cut(10, 3), _cut(10, 3), block=False))
    assert unserved == pytest.approx(3 * 25 / 1000)
    assert change == pytest.approx(3 * (50 * 10 - 75 * 3 + 25 * 100) * E, rel=1e-9)


def test_events_leaving_no_rest_days_still_add_up():
    # A cut on days 2–30 with a peak day (κ 1.2): the peak day takes day 1, the event's
    # days the rest of the volume; it used to leave the rest a negative demand (infeasible).
    change, unserved = _stress_change(_two_sources(_cut(2, 29)))
    assert change > 0 and unserved >= 0


def test_a_peak_factor_above_a_periods_days_has_no_peak_day():
    # A 2-day period cannot hold a peak day at 3 × its average: it has none (was infeasible).
    case = tiny_case(sources=[source("A", 3.0, max=150)], demand=100, periods=2, days=[2, 30])
    case = case.edited(nodes=(Node("N1", peak_day_factor=3.0),)).with_settings(peak_day="block")
    plan = solve(case)
    assert [b.t for b in plan.data.blocks] == [1]


def test_a_no_op_event_over_every_day_changes_nothing():
    # ×1.0 on a hub for days 1–30: the peak day moves into the event's first day (it had
    # vanished, so the "disrupted" scenario was cheaper than the base); and a factor of 1
    # on a source changes nothing either.
    from gasmix.models import Disruption
    noop = Disruption("hub", "H_A", "P1", "P1", price_multiplier=1.0, first_day=1, days=30)
    assert _stress_change(_two_sources(noop)) == pytest.approx((0.0, 0.0), abs=1e-9)
    assert _stress_change(_two_sources(_cut(10, 3, factor=1.0))) == pytest.approx((0.0, 0.0), abs=1e-9)


def test_short_events_on_offers_are_refused():
    from gasmix.models import CaseError
    with pytest.raises(CaseError, match="whole periods"):
        _two_sources(_cut(10, 3, factor=1.0, target=("offer", "OFF")), block=False).edited()


def test_a_tier_above_voll_gives_way_at_voll_not_before_it():
    # Industry 20% at 150 with VOLL 100: it gives way at 100, with protected demand (the
    # review found protected demand shed first while the tier was served). Gas 70 of 100:
    # 30 short at 100 whichever demand it is.
    case = tiny_case(sources=[source("A", 3.0, max=70)], demand=100).edited(
        demand_tiers=(DemandTier("N1", "industry", 0.2, 150.0),))
    plan = solve(case)
    assert plan.objective == pytest.approx(E * 30 * (70 * 3 + 30 * 100), rel=1e-9)


def test_validate_names_the_row_of_an_overlapping_event(case_copy, run_gasmix):
    # The Mexico case's Uri storm is days 14–19 of February 2027; a second US cut on days
    # 16–22 overlaps it in part.
    path = case_copy / "disruptions.csv"
    path.write_text(path.read_text(encoding="utf-8")
                    + "uri,,supplier,US,2027-02,2027-02,16,7,0.5,,a second cut\n", encoding="utf-8")
    done = run_gasmix("validate", str(case_copy))
    assert done.returncode == 2
    assert "disruptions.csv" in done.stderr and "overlap days 14–19" in done.stderr


def test_reports_show_the_peak_days_and_the_short_events(run_gasmix):
    pytest.importorskip("matplotlib")
    assert run_gasmix("stress", "-o", "stress").returncode == 0
    assert run_gasmix("report", "stress", "-o", "stress.html").returncode == 0
    page = (run_gasmix.cwd / "stress.html").read_text(encoding="utf-8")
    assert "Short events, day by day" in page
    assert "power_switch (Bcf unserved)" in page and "2027-02, days 14–19" in page
    assert run_gasmix("solve", "-o", "plan", "--report", "plan.html").returncode == 0
    page = (run_gasmix.cwd / "plan.html").read_text(encoding="utf-8")
    assert "peak day served (%)" in page and "BC: on the network (%)" in page
