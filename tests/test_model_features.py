"""Model features the small-case tests leave out, each against a case solved by hand.

Storage start dates, floors (constant and per period) and end targets; entry service
windows and per-period entry capacity overrides; source windows with a contract minimum;
per-period share limits (a glide path); minimum shares of a source and of a kind; the
volume-weighted horizon basis with unequal days and demand; max_share on every supplier.

Every expected number is derived in the comment above its assertion. Units: flows MMcf/d,
stocks Bcf, prices USD/MMBtu, objective million USD; E = 1.037·1000/1e6 = 0.001037, so
q MMcf/d for d days at p USD/MMBtu costs q·d·p·E MUSD, and r MMcf/d for d days is
r·d/1000 Bcf.
"""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest

from cases import E, constraint, flow, price, share, source, storage, tiny_case
from gasmix.models import ShareLimit
from gasmix.optimizer import solve

REL = 1e-9


def approx(x, abs=1e-7):
    return pytest.approx(x, rel=REL, abs=abs)


def site(plan, period: str, column: str, storage_id: str = "S1") -> float:
    s = plan.storage
    return float(s.loc[(s["storage"] == storage_id) & (s["period"] == period), column].item())


def rows(plan, family: str) -> pd.DataFrame:
    c = plan.constraints
    return c[c["family"] == family]


def series(entries: dict, names: tuple[str, str]) -> pd.Series:
    """An (item, period) override Series, as the loader builds them."""
    return pd.Series(list(entries.values()), dtype=float,
                     index=pd.MultiIndex.from_tuples(list(entries), names=list(names)))


def with_entry(case, entry_id: str, **changes):
    """The case with one entry's fields replaced (e.g. its service window)."""
    entries = tuple(dataclasses.replace(e, **changes) if e.id == entry_id else e for e in case.entries)
    return dataclasses.replace(case, entries=entries)


# --- 1. a storage site that starts in P2 ---------------------------------------------------------

def late_site_case(first_period):
    # Three periods of 30 days, demand 100; one source A on its own hub at 2.0, 4.0, 6.0.
    # Storage S1: 10 Bcf, empty (end target = initial = 0), injection ≤ 50, withdrawal ≤ 80,
    # costs 0.1 in / 0.2 out.
    s1 = dataclasses.replace(
        storage("S1", working_gas=10, initial=0, injection=50, withdrawal=80,
                injection_cost=0.1, withdrawal_cost=0.2), first_period=first_period)
    return tiny_case(periods=3, demand=100, sources=[source("A", [2.0, 4.0, 6.0])], storage=[s1])


def test_storage_site_cannot_inject_before_it_starts():
    plan = solve(late_site_case("P2"))
    # P1: the site does not exist yet — no injection although gas is cheapest (2.0).
    # P2 → P3 gains 6 − 4 − 0.1 − 0.2 = 1.7 > 0: inject at the full 50 in P2 (1.5 Bcf),
    # withdraw all of it in P3: 1.5·1000/30 = 50 (≤ 80), ending empty.
    assert site(plan, "P1", "injection_mmcfd") == approx(0)
    assert site(plan, "P1", "withdrawal_mmcfd") == approx(0)
    assert site(plan, "P1", "stock_bcf") == approx(0)
    assert site(plan, "P2", "injection_mmcfd") == approx(50)
    assert site(plan, "P2", "stock_bcf") == approx(1.5)
    assert site(plan, "P3", "withdrawal_mmcfd") == approx(50)
    assert site(plan, "P3", "stock_bcf") == approx(0)
    # A: P1 100, P2 100 + 50 = 150, P3 100 − 50 = 50
    assert [flow(plan, "A", p) for p in ("P1", "P2", "P3")] == [approx(100), approx(150), approx(50)]
    # objective = 30·E·(2·100 + 4·150 + 6·50 + 0.1·50 + 0.2·50) = 30·E·1115 = 33450·E
    assert plan.objective == approx(33450 * E)
    assert plan.summary["cost_breakdown_musd"]["storage"] == approx(30 * E * 15)
    # the injection rate binds in P2, so P2's marginal gas is A's own price; P1 has no storage
    assert [price(plan, "N1", p) for p in ("P1", "P2", "P3")] == [approx(2), approx(4), approx(6)]

    # The same site from P1: P3 can take back at most 80·30/1000 = 2.4 Bcf, so 2.4 Bcf is
    # stored: 1.5 in P1 (x = 50, at 2.1) and the other 0.9 in P2 (x = 30, at 4.1).
    # A: P1 150, P2 130, P3 20. objective = 30·E·(2·150 + 4·130 + 6·20 + 0.1·80 + 0.2·80)
    # = 30·E·964 = 28920·E, cheaper by 30·E·151: the P1 gas the late site could not store.
    early = solve(late_site_case(None))
    assert [flow(early, "A", p) for p in ("P1", "P2", "P3")] == [approx(150), approx(130), approx(20)]
    assert site(early, "P1", "stock_bcf") == approx(1.5)
    assert early.objective == approx(28920 * E)


def test_floor_of_a_late_site_is_zero_before_it_starts():
    # A 1.5 Bcf floor on a site starting in P2 (two periods of 30 days, A at 3.0 flat):
    # in P1 the floor is 0 (the site could not meet it); in P2 it must be met by injecting
    # 1.5·1000/30 = 50 (≤ 60).
    s1 = dataclasses.replace(storage("S1", working_gas=10, initial=0, injection=60, withdrawal=80,
                                     injection_cost=0.1, floor=1.5), first_period="P2")
    plan = solve(tiny_case(periods=2, demand=100, sources=[source("A", 3.0)], storage=[s1]))
    assert site(plan, "P1", "floor_bcf") == approx(0)
    assert site(plan, "P2", "floor_bcf") == approx(1.5)
    assert site(plan, "P1", "injection_mmcfd") == approx(0)
    assert site(plan, "P2", "injection_mmcfd") == approx(50)
    assert site(plan, "P2", "stock_bcf") == approx(1.5)
    assert flow(plan, "A", "P2") == approx(150)
    # objective = 30·E·(3·100 + 3·150 + 0.1·50) = 30·E·755 = 22650·E
    assert plan.objective == approx(22650 * E)


# --- 2. storage floors --------------------------------------------------------------------------

def floor_case(floor=0.0, floors=None):
    # Two periods of 30 days, demand 100; A at 3.2 in P1 and 3.0 in P2 (own hub).
    # Storage S1: 10 Bcf, empty, injection ≤ 60, withdrawal ≤ 80, costs 0.1 in / 0.2 out.
    # Without a floor nothing is stored (P1 → P2 would lose 3.2 + 0.3 − 3.0).
    case = tiny_case(periods=2, demand=100, sources=[source("A", [3.2, 3.0])],
                     storage=[storage("S1", working_gas=10, initial=0, injection=60, withdrawal=80,
                                      injection_cost=0.1, withdrawal_cost=0.2, floor=floor)])
    if floors:
        case = dataclasses.replace(case, storage_floors=series(floors, ("storage", "period")))
    return case


def test_constant_floor_forces_injection_from_the_start():
    plan = solve(floor_case(floor=1.5))
    # v1 ≥ 1.5 from v0 = 0: inject 1.5·1000/30 = 50 MMcf/d in P1 (< 60), dear as P1 is.
    # P2: v2 ≥ 1.5 too, and nothing pays for moving gas: x = w = 0.
    assert site(plan, "P1", "injection_mmcfd") == approx(50)
    assert site(plan, "P1", "stock_bcf") == approx(1.5)
    assert site(plan, "P1", "floor_bcf") == approx(1.5)
    assert site(plan, "P2", "injection_mmcfd") == approx(0)
    assert site(plan, "P2", "withdrawal_mmcfd") == approx(0)
    assert site(plan, "P2", "stock_bcf") == approx(1.5)
    assert flow(plan, "A", "P1") == approx(150)
    assert flow(plan, "A", "P2") == approx(100)
    # objective = 30·E·(3.2·150 + 3.0·100 + 0.1·50) = 30·E·785 = 23550·E
    assert plan.objective == approx(23550 * E)
    assert plan.summary["cost_breakdown_musd"]["storage"] == approx(30 * E * 5)
    # one more MMcf/d of demand is bought at that period's price
    assert price(plan, "N1", "P1") == approx(3.2)
    assert price(plan, "N1", "P2") == approx(3.0)
    # and without any floor the site stays empty: 30·E·(320 + 300) = 18600·E
    assert solve(floor_case()).objective == approx(18600 * E)


def test_floor_only_in_p2_is_filled_as_late_and_cheap_as_it_can():
    # Case.storage_floors: 1.5 Bcf in P2 only (floor_bcf stays 0 otherwise).
    plan = solve(floor_case(floors={("S1", "P2"): 1.5}))
    assert site(plan, "P1", "floor_bcf") == approx(0)
    assert site(plan, "P2", "floor_bcf") == approx(1.5)
    # v2 ≥ 1.5: inject in P2 at 3.0 + 0.1 rather than in P1 at 3.2 + 0.1 → x2 = 50, x1 = 0.
    assert site(plan, "P1", "injection_mmcfd") == approx(0)
    assert site(plan, "P1", "stock_bcf") == approx(0)
    assert site(plan, "P2", "injection_mmcfd") == approx(50)
    assert site(plan, "P2", "stock_bcf") == approx(1.5)
    assert flow(plan, "A", "P1") == approx(100)
    assert flow(plan, "A", "P2") == approx(150)
    # objective = 30·E·(3.2·100 + 3.0·150 + 0.1·50) = 30·E·775 = 23250·E
    # (30·E·10 below the constant floor: the 1.5 Bcf bought at 3.0 instead of 3.2)
    assert plan.objective == approx(23250 * E)
    # an override of 0 in P1 on a constant 1.5 floor is the same case
    same = solve(floor_case(floor=1.5, floors={("S1", "P1"): 0.0}))
    assert site(same, "P1", "floor_bcf") == approx(0)
    assert same.objective == approx(23250 * E)


# --- 3. storage end target above the initial stock ------------------------------------------------

def test_end_target_forces_a_fill_by_the_end():
    # Two periods of 30 days, demand 100; A at 3.0 in P1, 3.2 in P2. Storage S1: 10 Bcf,
    # initial 0.5, end target 3.5, injection ≤ 60, withdrawal ≤ 80, costs 0.1 in / 0.2 out.
    case = tiny_case(periods=2, demand=100, sources=[source("A", [3.0, 3.2])],
                     storage=[storage("S1", working_gas=10, initial=0.5, injection=60, withdrawal=80,
                                      injection_cost=0.1, withdrawal_cost=0.2, end_target=3.5)])
    plan = solve(case)
    # 3.0 Bcf must be added. A period can add at most 60·30/1000 = 1.8 Bcf, so P1 (cheaper,
    # 3.1 all-in) fills at the full 60 → v1 = 2.3, and P2 adds the other 1.2 Bcf:
    # x2 = 1.2·1000/30 = 40 → v2 = 3.5.
    assert site(plan, "P1", "injection_mmcfd") == approx(60)
    assert site(plan, "P1", "stock_bcf") == approx(2.3)
    assert site(plan, "P2", "injection_mmcfd") == approx(40)
    assert site(plan, "P2", "withdrawal_mmcfd") == approx(0)
    assert site(plan, "P2", "stock_bcf") == approx(3.5)
    # A: P1 160, P2 140
    assert flow(plan, "A", "P1") == approx(160)
    assert flow(plan, "A", "P2") == approx(140)
    # objective = 30·E·(3.0·160 + 3.2·140 + 0.1·100) = 30·E·938 = 28140·E
    assert plan.objective == approx(28140 * E)
    assert plan.summary["cost_breakdown_musd"]["storage"] == approx(30 * E * 10)
    assert price(plan, "N1", "P1") == approx(3.0)
    assert price(plan, "N1", "P2") == approx(3.2)


# --- 4. entry service windows --------------------------------------------------------------------

def test_entry_closed_after_its_last_period_carries_nothing():
    # A (LNG at 3.0) enters through E_A, which serves only up to P1 (Costa Azul converted to
    # export); B at 5.0 always. Two periods of 31 and 28 days, demand 100.
    case = tiny_case(periods=2, days=[31, 28], demand=100,
                     sources=[source("A", 3.0, kind="lng"), source("B", 5.0)])
    case = with_entry(case, "E_A", last_period="P1")
    plan = solve(case)
    # P1: A 100; P2: E_A's capacity is 0, so B carries all 100.
    assert flow(plan, "A", "P1") == approx(100)
    assert flow(plan, "B", "P1") == approx(0)
    assert flow(plan, "A", "P2") == approx(0)
    assert flow(plan, "B", "P2") == approx(100)
    # objective = E·(31·3·100 + 28·5·100) = E·(9300 + 14000) = 23300·E
    assert plan.objective == approx(23300 * E)
    assert price(plan, "N1", "P2") == approx(5.0)
    closed = constraint(plan, "entry_capacity", "E_A", "P2")
    assert closed["limit"] == approx(0)
    assert closed["value"] == approx(0)
    assert closed["binding"]
    # capacity in P2 would replace B (5.0) by A (3.0): 2.0 USD/MMBtu saved on each of
    # 100 MMcf/d × 28 days
    assert closed["shadow_price"] == approx(2.0 * 100 * 28 * E)
    # P1 keeps tiny_case's practically unlimited capacity (1e6), far from binding
    open_ = constraint(plan, "entry_capacity", "E_A", "P1")
    assert open_["limit"] == approx(1e6)
    assert not open_["binding"]


def test_entry_opening_in_p2_carries_nothing_before():
    # The mirror image: E_A opens in P2 (first_period).
    case = tiny_case(periods=2, demand=100, sources=[source("A", 3.0, kind="lng"), source("B", 5.0)])
    plan = solve(with_entry(case, "E_A", first_period="P2"))
    assert [flow(plan, "A", p) for p in ("P1", "P2")] == [approx(0), approx(100)]
    assert constraint(plan, "entry_capacity", "E_A", "P1")["limit"] == approx(0)
    assert plan.objective == approx(24000 * E)


# --- 5. per-period entry capacity overrides -------------------------------------------------------

def test_entry_capacity_override_binds_in_its_period_only():
    # A at 3.0 through E_A (capacity 100), B at 5.0; periods of 31, 28 and 31 days, demand 80.
    # Case.entry_capacity cuts E_A to 40 in P2 (maintenance).
    case = tiny_case(periods=3, days=[31, 28, 31], demand=80,
                     sources=[source("A", 3.0, entry_capacity=100), source("B", 5.0)])
    case = dataclasses.replace(case, entry_capacity=series({("E_A", "P2"): 40.0}, ("entry", "period")))
    plan = solve(case)
    # P1, P3: A 80 (< 100); P2: A 40, B 40.
    assert [flow(plan, "A", p) for p in ("P1", "P2", "P3")] == [approx(80), approx(40), approx(80)]
    assert [flow(plan, "B", p) for p in ("P1", "P2", "P3")] == [approx(0), approx(40), approx(0)]
    # objective = E·(31·240 + 28·(120 + 200) + 31·240) = E·(7440 + 8960 + 7440) = 23840·E
    assert plan.objective == approx(23840 * E)
    p2 = constraint(plan, "entry_capacity", "E_A", "P2")
    assert p2["limit"] == approx(40)
    assert p2["value"] == approx(40)
    assert p2["slack"] == approx(0)
    assert p2["binding"] and p2["unit"] == "MUSD per 100 MMcf/d"
    # one MMcf/d more through E_A in P2 replaces B by A, saving (5.0 − 3.0)·28·E MUSD;
    # the shadow price is that per 100 MMcf/d
    assert p2["shadow_price"] == approx(2.0 * 28 * E * 100)
    # the override is data like any other: lifting it to 41 saves 2·28·E
    looser = solve(dataclasses.replace(
        case, entry_capacity=series({("E_A", "P2"): 41.0}, ("entry", "period"))))
    assert plan.objective - looser.objective == approx(2 * 28 * E)
    for p in ("P1", "P3"):
        row = constraint(plan, "entry_capacity", "E_A", p)
        assert row["limit"] == approx(100)
        assert row["slack"] == approx(20)
        assert row["shadow_price"] == approx(0.0)
        assert not row["binding"]
    # P2's marginal gas is B's
    assert [price(plan, "N1", p) for p in ("P1", "P2", "P3")] == [approx(3), approx(5), approx(3)]


# --- 6. source windows and a contract minimum inside its window -----------------------------------

def test_contract_minimum_applies_only_inside_the_source_window():
    # Three periods of 30 days, demand 100.
    #   A at 3.0, always;
    #   B at 5.0 with a take-or-pay of 30, contracted for P2 only;
    #   C at 2.0 up to 60, until P1 (last_period).
    case = tiny_case(periods=3, demand=100, sources=[
        source("A", 3.0),
        source("B", 5.0, min=30, first_period="P2", last_period="P2"),
        source("C", 2.0, max=60, last_period="P1")])
    plan = solve(case)
    # P1: C 60, A 40, B 0 (its minimum does not apply outside the window — if it did, B ≥ 30
    # against B ≤ 0 would be infeasible); P2: B 30, A 70, C 0; P3: A 100.
    assert [flow(plan, "A", p) for p in ("P1", "P2", "P3")] == [approx(40), approx(70), approx(100)]
    assert [flow(plan, "B", p) for p in ("P1", "P2", "P3")] == [approx(0), approx(30), approx(0)]
    assert [flow(plan, "C", p) for p in ("P1", "P2", "P3")] == [approx(60), approx(0), approx(0)]
    # objective = 30·E·((2·60 + 3·40) + (5·30 + 3·70) + 3·100) = 30·E·900 = 27000·E
    assert plan.objective == approx(27000 * E)
    # A is marginal everywhere
    assert [price(plan, "N1", p) for p in ("P1", "P2", "P3")] == [approx(3), approx(3), approx(3)]
    # the entries carry what their sources do: E_B 30 in P2 only, E_C 60 in P1 only
    assert constraint(plan, "entry_capacity", "E_B", "P2")["value"] == approx(30)
    assert constraint(plan, "entry_capacity", "E_B", "P1")["value"] == approx(0)
    assert constraint(plan, "entry_capacity", "E_C", "P1")["value"] == approx(60)
    # B's 30 in P2 is 0.3 of supply; C's 60 in P1 is 0.6
    assert share(plan, "B", "P2") == approx(0.3)
    assert share(plan, "C", "P1") == approx(0.6)


# --- 7. a glide path: per-period share limits ------------------------------------------------------

def test_per_period_share_limits_glide_path():
    # A at 3.0, B at 5.0, both unlimited; days 31, 28, 31; demand 100.
    # A ≤ 80% in P1, ≤ 60% in P2, no limit in P3.
    case = tiny_case(periods=3, days=[31, 28, 31], demand=100,
                     sources=[source("A", 3.0), source("B", 5.0)])
    plan = solve(case, limits=[ShareLimit("supplier", "A", period="P1", max_share=0.8),
                               ShareLimit("supplier", "A", period="P2", max_share=0.6)])
    # P1: A 80, B 20; P2: A 60, B 40; P3: A 100.
    assert [flow(plan, "A", p) for p in ("P1", "P2", "P3")] == [approx(80), approx(60), approx(100)]
    assert [flow(plan, "B", p) for p in ("P1", "P2", "P3")] == [approx(20), approx(40), approx(0)]
    # objective = E·(31·(240 + 100) + 28·(180 + 200) + 31·300) = E·(10540 + 10640 + 9300)
    #           = 30480·E
    assert plan.objective == approx(30480 * E)
    caps = rows(plan, "share_cap")
    assert sorted(caps["period"]) == ["P1", "P2"]  # one row per limited period, none in P3
    p1 = constraint(plan, "share_cap", "max supplier A", "P1")
    p2 = constraint(plan, "share_cap", "max supplier A", "P2")
    assert p1["limit"] == approx(0.8) and p1["value"] == approx(0.8) and p1["binding"]
    assert p2["limit"] == approx(0.6) and p2["value"] == approx(0.6) and p2["binding"]
    # 1 pp of a period's 100 MMcf/d moved from B to A saves 2·d_t·E:
    # P1 2·31·E = 62·E, P2 2·28·E = 56·E (MUSD per pp)
    assert p1["shadow_price"] == approx(62 * E)
    assert p2["shadow_price"] == approx(56 * E)
    assert [share(plan, "A", p) for p in ("P1", "P2", "P3")] == [approx(0.8), approx(0.6), approx(1.0)]
    # the shares table shows each period's own cap (none in P3)
    s = plan.shares[plan.shares["supplier"] == "A"].set_index("period")["cap"]
    assert s["P1"] == approx(0.8) and s["P2"] == approx(0.6) and math.isnan(s["P3"])
    # marginal gas: 0.8·3 + 0.2·5 = 3.4 in P1, 0.6·3 + 0.4·5 = 3.8 in P2, 3.0 in P3
    assert [price(plan, "N1", p) for p in ("P1", "P2", "P3")] == [approx(3.4), approx(3.8), approx(3.0)]
    # A limit that names its period stays a per-period row under the horizon basis too
    horizon = solve(case, share_basis="horizon",
                    limits=[ShareLimit("supplier", "A", period="P1", max_share=0.8),
                            ShareLimit("supplier", "A", period="P2", max_share=0.6)])
    assert horizon.objective == approx(30480 * E)
    assert sorted(rows(horizon, "share_cap")["period"]) == ["P1", "P2"]


# --- 8. minimum shares of one source and of a kind, in one period ---------------------------------

def test_minimum_share_of_a_source_and_of_a_kind_in_one_period():
    # Supplier G sells A (3.0) and A2 (4.0); L is LNG at 6.0 (its own supplier). Two
    # periods of 30 days, demand 100. In P1 only: A2 ≥ 20% of supply and LNG ≥ 10%.
    case = tiny_case(periods=2, demand=100, sources=[
        source("A", 3.0, supplier="G"), source("A2", 4.0, supplier="G"),
        source("L", 6.0, kind="lng")])
    plan = solve(case, limits=[ShareLimit("source", "A2", period="P1", min_share=0.2),
                               ShareLimit("kind", "lng", period="P1", min_share=0.1)])
    # P1: A2 20, L 10, A 70 — the minimum on A2 is on that source, not on supplier G
    # (G already holds 90%). P2: no minimums, A 100.
    assert [flow(plan, s, "P1") for s in ("A", "A2", "L")] == [approx(70), approx(20), approx(10)]
    assert [flow(plan, s, "P2") for s in ("A", "A2", "L")] == [approx(100), approx(0), approx(0)]
    # objective = 30·E·((3·70 + 4·20 + 6·10) + 3·100) = 30·E·650 = 19500·E
    assert plan.objective == approx(19500 * E)
    mins = rows(plan, "share_min")
    assert set(zip(mins["name"], mins["period"])) == {("min source A2", "P1"), ("min kind lng", "P1")}
    a2 = constraint(plan, "share_min", "min source A2", "P1")
    lng = constraint(plan, "share_min", "min kind lng", "P1")
    assert a2["limit"] == approx(0.2) and a2["value"] == approx(0.2) and a2["binding"]
    assert lng["limit"] == approx(0.1) and lng["value"] == approx(0.1) and lng["binding"]
    # −1 pp moves 1 MMcf/d from the group back to A, saving A2 (4 − 3)·30·E, LNG (6 − 3)·30·E
    assert a2["shadow_price"] == approx(30 * E)
    assert lng["shadow_price"] == approx(90 * E)
    assert share(plan, "G", "P1") == approx(0.9)
    # marginal gas in P1: 0.2·4 + 0.1·6 + 0.7·3 = 3.5; in P2: 3.0
    assert price(plan, "N1", "P1") == approx(3.5)
    assert price(plan, "N1", "P2") == approx(3.0)


# --- 9. horizon basis: volume-weighted by days (and demand) ---------------------------------------

def test_horizon_basis_weighs_each_period_by_its_days():
    # Days 31 and 28; demand 100 in P1, 50 in P2; A at 3.0; B at 5.0 in P1, 4.0 in P2.
    # A ≤ 50% over the horizon: Σ_t d_t·A_t ≤ 0.5·Σ_t d_t·(A_t + B_t) = 0.5·(3100 + 1400) = 2250.
    case = tiny_case(periods=2, days=[31, 28], demand=[100, 50],
                     sources=[source("A", 3.0), source("B", [5.0, 4.0])])
    plan = solve(case, caps={"A": 0.5}, share_basis="horizon")
    # A saves 2 per day-unit in P1 and 1 in P2: all 2250 in P1, A1 = 2250/31 = 72.58…, A2 = 0.
    # (An unweighted Σ_t A_t ≤ 0.5·150 would have given A1 = 75 instead.)
    a1 = 2250 / 31
    assert flow(plan, "A", "P1") == approx(a1)
    assert flow(plan, "B", "P1") == approx(100 - a1)
    assert flow(plan, "A", "P2") == approx(0)
    assert flow(plan, "B", "P2") == approx(50)
    # objective = E·(31·(3·A1 + 5·(100 − A1)) + 28·4·50) = E·(15500 − 2·2250 + 5600) = 16600·E
    assert plan.objective == approx(16600 * E)
    row = constraint(plan, "share_cap", "cap A", "horizon")
    assert row["binding"]
    assert row["limit"] == approx(0.5)
    assert row["value"] == approx(0.5)
    # +1 pp admits 0.01·4500 = 45 day-weighted MMcf/d more of A, in P1, each saving 2·E
    assert row["shadow_price"] == approx(90 * E)
    assert plan.summary["shares"]["A"] == approx(0.5)  # 2250 / 4500 of the volume
    # marginal gas: in P1 half of it may be A → 0.5·3 + 0.5·5 = 4.0. In P2 it is bought
    # from B (4.0) but frees 0.5·28 = 14 day-units of A allowance for P1, each saving 2:
    # (28·4 − 14·2)/28 = 3.0.
    assert price(plan, "N1", "P1") == approx(4.0)
    assert price(plan, "N1", "P2") == approx(3.0)
    # the same limit as a case share limit without a period follows the horizon basis
    limited = solve(case, limits=[ShareLimit("supplier", "A", max_share=0.5)], share_basis="horizon")
    assert limited.objective == approx(16600 * E)
    assert constraint(limited, "share_cap", "max supplier A", "horizon")["value"] == approx(0.5)


# --- 10. max_share on every supplier ---------------------------------------------------------------

def test_max_share_applies_to_every_supplier():
    # Supplier G has two sources, G1 at 3.0 and G2 at 3.5; H at 4.0; K at 6.0. One period of
    # 30 days, demand 100; no supplier above 40%.
    case = tiny_case(demand=100, sources=[source("G1", 3.0, supplier="G"),
                                          source("G2", 3.5, supplier="G"),
                                          source("H", 4.0), source("K", 6.0)])
    plan = solve(case, max_share=0.4)
    # The cap is on the supplier's total: G 40 (all G1, the cheaper), H 40, K 20.
    # (Were it per source, G1 40 + G2 40 + H 20 would be allowed.)
    assert [flow(plan, s) for s in ("G1", "G2", "H", "K")] == \
        [approx(40), approx(0), approx(40), approx(20)]
    # objective = 30·E·(3·40 + 4·40 + 6·20) = 30·E·400 = 12000·E
    assert plan.objective == approx(12000 * E)
    caps = rows(plan, "share_cap").set_index("name")
    assert set(caps.index) == {"cap G", "cap H", "cap K"}
    assert (caps["limit"] == 0.4).all()
    # +1 pp for G moves 1 MMcf/d from K to G1, saving (6 − 3)·30·E; for H (6 − 4)·30·E
    assert caps.loc["cap G", "shadow_price"] == approx(90 * E)
    assert caps.loc["cap H", "shadow_price"] == approx(60 * E)
    assert caps.loc["cap K", "value"] == approx(0.2)
    assert caps.loc["cap K", "slack"] == approx(0.2)
    assert not caps.loc["cap K", "binding"]
    assert [share(plan, g) for g in ("G", "H", "K")] == [approx(0.4), approx(0.4), approx(0.2)]
    # one more MMcf/d of demand also grows the base, so 0.4 of it may come from G1, 0.4 from
    # H and the rest from K: 0.4·3 + 0.4·4 + 0.2·6 = 4.0 (not K's 6.0)
    assert price(plan) == approx(4.0)

    # A supplier's own cap overrides max_share: H ≤ 50% → G 40, H 50, K 10;
    # objective = 30·E·(120 + 200 + 60) = 30·E·380 = 11400·E
    mixed = solve(case, max_share=0.4, caps={"H": 0.5})
    assert [flow(mixed, s) for s in ("G1", "G2", "H", "K")] == \
        [approx(40), approx(0), approx(50), approx(10)]
    assert mixed.objective == approx(11400 * E)
    assert constraint(mixed, "share_cap", "cap H")["limit"] == approx(0.5)
    assert constraint(mixed, "share_cap", "cap G")["limit"] == approx(0.4)
