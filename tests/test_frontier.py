"""Frontiers (optimizer/frontiers.py): Pareto marking checked against brute force, and the
trade-off curves of the Mexico case checked for what economics says they must do."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gasmix.models import default_case
from gasmix.optimizer import SweepError, solve
from gasmix.optimizer.frontiers import COST_TOLERANCE, frontier, pareto_mask

X_TOL = 1e-9  # pareto_mask's tolerance on the measure (absolute)


@pytest.fixture(scope="module")
def mexico():
    return default_case()


@pytest.fixture(scope="module")
def mexico_frontier(mexico):
    return frontier(mexico)


def brute_force_pareto(x, y, valid=None, x_tol=0.0, y_rel=0.0):
    """Point i is efficient iff it is valid and finite and no valid finite j has
    x[j] ≤ x[i], y[j] ≤ y[i] with one of them strictly smaller (both minimised). With
    tolerances, differences within them count as ties."""
    n = len(x)
    valid = [True] * n if valid is None else list(valid)
    ok = [bool(valid[i]) and math.isfinite(x[i]) and math.isfinite(y[i]) for i in range(n)]
    out = []
    for i in range(n):
        if not ok[i]:
            out.append(False)
            continue
        dominated = False
        for j in range(n):
            if j == i or not ok[j]:
                continue
            ty = y_rel * max(1.0, abs(y[i]))
            no_worse = x[j] <= x[i] + x_tol and y[j] <= y[i] + ty
            better = x[j] < x[i] - x_tol or y[j] < y[i] - ty
            if no_worse and better:
                dominated = True
                break
        out.append(not dominated)
    return out


# --- pareto_mask by hand ------------------------------------------------------------------------

@pytest.mark.parametrize("x,y,expected", [
    # a strict trade-off: every point efficient
    ([1, 2, 3], [3, 2, 1], [True, True, True]),
    # (2, 2) is beaten on both by (1, 1)
    ([1, 2], [1, 2], [True, False]),
    # equal cost, larger measure: dominated (one strictly smaller is enough)
    ([1, 2], [1, 1], [True, False]),
    # equal measure, larger cost: dominated
    ([1, 1], [1, 2], [True, False]),
    # duplicates do not dominate each other: both efficient
    ([1, 1, 2], [1, 1, 0.5], [True, True, True]),
    ([1, 1, 1], [2, 2, 2], [True, True, True]),
    # duplicates of a dominated point are all dominated
    ([0, 1, 1], [0, 1, 1], [True, False, False]),
    # NaN points are never efficient and never dominate
    ([1, math.nan, 2], [5, 0, 1], [True, False, True]),
    ([math.nan, 1], [math.nan, 1], [False, True]),
    # infinite cost: not a point
    ([0, 1], [math.inf, 1], [False, True]),
    # one point, and none
    ([0.5], [10.0], [True]),
    ([], [], []),
])
def test_pareto_mask_by_hand(x, y, expected):
    assert pareto_mask(x, y).tolist() == expected
    assert brute_force_pareto([float(v) for v in x], [float(v) for v in y]) == expected


def test_pareto_mask_invalid_points_neither_count_nor_dominate():
    # (0, 0) would dominate both others, but it is not valid (e.g. not an optimal plan)
    x, y = [0.0, 1.0, 2.0], [0.0, 1.0, 2.0]
    assert pareto_mask(x, y, [False, True, True]).tolist() == [False, True, False]
    assert pareto_mask(x, y, np.array([True, False, True])).tolist() == [True, False, False]
    assert pareto_mask(x, y, pd.Series([False, False, True], index=[7, 8, 9])).tolist() == [False, False, True]
    # a valid flag on a NaN point does not make it efficient
    assert pareto_mask([math.nan, 1.0], [0.0, 1.0], [True, True]).tolist() == [False, True]


def test_pareto_mask_costs_within_tolerance_are_ties():
    # Costs that differ by less than COST_TOLERANCE (relative) are the same cost: two plans
    # at the same measure and a cost 1e-12 apart are both efficient, not one dominating.
    y = 28539.084356613697
    assert pareto_mask([0.75, 0.75], [y, y * (1 + 1e-12)]).tolist() == [True, True]
    # a real difference (1e-6 relative) is not a tie
    assert pareto_mask([0.75, 0.75], [y, y * (1 + 1e-6)]).tolist() == [True, False]
    assert COST_TOLERANCE < 1e-6


grid_value = st.one_of(st.integers(0, 6).map(float), st.just(math.nan))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(grid_value, grid_value, st.booleans()), max_size=30))
def test_pareto_mask_matches_brute_force_on_a_grid(points):
    # Values on a coarse grid (ties and duplicates are frequent); no tolerance matters here.
    x = [p[0] / 10 for p in points]        # shares 0 … 0.6
    y = [p[1] * 1000.0 for p in points]    # costs 0 … 6000 MUSD
    valid = [p[2] for p in points]
    assert pareto_mask(x, y).tolist() == brute_force_pareto(x, y)
    if points:  # (an empty `valid` list: see the test below)
        assert pareto_mask(x, y, valid).tolist() == brute_force_pareto(x, y, valid)
    # without tolerances in play, some point is efficient whenever one is valid
    if any(v and not math.isnan(a) and not math.isnan(b) for a, b, v in zip(x, y, valid)):
        assert pareto_mask(x, y, valid).any()


def test_pareto_mask_with_no_points_and_an_empty_valid_list():
    # Regression (fixed): `valid=[]` made np.asarray(valid) a float array, and `float & bool`
    # raises "TypeError: ufunc 'bitwise_and' not supported for the input types" instead of
    # returning an empty mask (the same happens for a valid list of 0.0/1.0 floats).
    assert pareto_mask([], [], []).tolist() == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1e6)), max_size=30))
def test_pareto_mask_matches_brute_force_on_floats(points):
    x = [p[0] for p in points]
    y = [p[1] for p in points]
    mask = pareto_mask(x, y)
    # differences within the tolerances count as ties (as the docstring says)
    assert mask.tolist() == brute_force_pareto(x, y, x_tol=X_TOL, y_rel=COST_TOLERANCE)


# --- the Mexico frontier ------------------------------------------------------------------------

def test_frontier_columns_and_shape(mexico, mexico_frontier):
    f = mexico_frontier
    for column in ["trade_off", "parameter", "value", "status", "x", "x_label", "cost_musd",
                   "objective_musd", "cash_cost_musd", "unserved_bcf", "largest_share",
                   "risk_exposure", "pareto", "same_plan_as",
                   *[f"share_{s.id}" for s in mexico.suppliers]]:
        assert column in f.columns, column
    # default shares 0.30:1.00:0.05 (15 points) and risk weights 0:10:0.5 (21 points)
    div, risk = f[f["trade_off"] == "diversification"], f[f["trade_off"] == "risk"]
    assert len(div) == 15 and len(risk) == 21
    assert (div["parameter"] == "max_share").all() and (risk["parameter"] == "risk_weight").all()
    assert div["value"].tolist()[:2] == [0.3, 0.35] and div["value"].tolist()[-1] == 1.0
    # the diversification measure is the largest supplier's share; risk's is the exposure
    ok = div["status"] == "optimal"
    # shares of supply here: the largest share of the caps' base is the largest share
    assert div.loc[ok, "x"].to_numpy() == pytest.approx(div.loc[ok, "largest_share"].to_numpy(), rel=1e-12)
    assert (risk["x"] == risk["risk_exposure"]).all()
    # cost is cash plus unserved gas at VOLL (no risk penalty)
    assert (risk["objective_musd"] >= risk["cost_musd"] - 1e-6).all()
    assert f.loc[f["unserved_bcf"] == 0, "cost_musd"].tolist() == pytest.approx(
        f.loc[f["unserved_bcf"] == 0, "cash_cost_musd"].tolist(), rel=1e-12)


def test_frontier_points_equal_cold_solves(mexico, mexico_frontier):
    f = mexico_frontier
    div = f[f["trade_off"] == "diversification"].set_index("value")
    for share in (0.5, 0.6, 0.75, 1.0):
        plan = solve(mexico, max_share=share)
        s = plan.summary
        assert div.loc[share, "objective_musd"] == pytest.approx(plan.objective, rel=1e-6)
        assert div.loc[share, "cost_musd"] == pytest.approx(s["cash_cost_musd"] + s["unserved_cost_musd"], rel=1e-6)
    risk = f[f["trade_off"] == "risk"].set_index("value")
    for lam in (0.0, 3.0, 10.0):
        plan = solve(mexico, risk_weight=lam)
        assert risk.loc[lam, "objective_musd"] == pytest.approx(plan.objective, rel=1e-6)
        assert risk.loc[lam, "cash_cost_musd"] == pytest.approx(plan.summary["cash_cost_musd"], rel=1e-6)


def test_frontier_failed_points_are_rows_and_never_efficient(mexico_frontier):
    div = mexico_frontier[mexico_frontier["trade_off"] == "diversification"]
    # caps of 30–40% cannot be met (domestic minimum production): infeasible rows
    failed = div[div["status"] != "optimal"]
    assert failed["value"].tolist() == [0.3, 0.35, 0.4]
    assert (failed["status"] == "infeasible").all()
    assert not failed["pareto"].any()
    assert failed["cost_musd"].isna().all()
    assert all("cap MX" in m for m in failed["message"])


@pytest.mark.parametrize("trade_off", ["diversification", "risk"])
def test_frontier_pareto_points_are_really_non_dominated(mexico_frontier, trade_off):
    part = mexico_frontier[mexico_frontier["trade_off"] == trade_off].reset_index(drop=True)
    optimal = part["status"] == "optimal"
    x, y = part["x"].to_numpy(), part["cost_musd"].to_numpy()
    assert part["pareto"].sum() >= 2
    for i in range(len(part)):
        if not optimal[i]:
            assert not part["pareto"][i]
            continue
        tol = COST_TOLERANCE * max(1.0, abs(y[i]))
        dominators = [j for j in range(len(part)) if optimal[j] and j != i
                      and x[j] <= x[i] + X_TOL and y[j] <= y[i] + tol
                      and (x[j] < x[i] - X_TOL or y[j] < y[i] - tol)]
        repeat = part["same_plan_as"][i] == part["same_plan_as"][i]
        if part["pareto"][i]:
            assert not dominators, (i, part.loc[dominators, ["value", "x", "cost_musd"]])
        else:
            # a non-efficient optimal point is dominated by someone, or repeats a plan
            assert dominators or repeat, i
    efficient = brute_force_pareto(list(x), list(y), list(optimal), x_tol=X_TOL, y_rel=COST_TOLERANCE)
    assert part["pareto"].tolist() == [e and part["same_plan_as"][i] != part["same_plan_as"][i]
                                       for i, e in enumerate(efficient)]


def test_each_distinct_plan_is_one_pareto_point(mexico_frontier):
    """λ from 0 to 2.5 changes nothing in the plan: one Pareto point (λ = 0), the others
    name it; a repeat has the same measure and cost as the point it names."""
    risk = mexico_frontier[mexico_frontier["trade_off"] == "risk"].set_index("value")
    distinct = risk.drop_duplicates(["x", "cost_musd"])
    assert risk["pareto"].sum() <= len(distinct) < len(risk)
    repeats = risk[risk["same_plan_as"].notna()]
    assert len(repeats) == len(risk) - len(distinct)
    for value, row in repeats.iterrows():
        first = risk.loc[row["same_plan_as"]]
        assert first["same_plan_as"] != first["same_plan_as"] and row["same_plan_as"] < value
        assert (row["x"], row["cost_musd"]) == pytest.approx((first["x"], first["cost_musd"]))
        assert not row["pareto"]


def test_tightening_the_cap_never_lowers_cost(mexico_frontier):
    div = mexico_frontier[(mexico_frontier["trade_off"] == "diversification")
                          & (mexico_frontier["status"] == "optimal")].sort_values("value")
    cost = div["cost_musd"].to_numpy()
    objective = div["objective_musd"].to_numpy()
    # A tighter cap only removes plans: cost can only rise as the cap falls.
    assert np.all(np.diff(cost) <= 1e-9 * cost[1:])
    assert np.all(np.diff(objective) <= 1e-9 * objective[1:])
    # the measure never exceeds the cap it was solved under
    assert (div["x"] <= div["value"] + 1e-7).all()
    # and the loosest cap that binds costs strictly more than no cap at all
    assert cost[0] > cost[-1]


def test_raising_the_risk_weight_lowers_risk_and_raises_cash(mexico_frontier):
    risk = mexico_frontier[mexico_frontier["trade_off"] == "risk"].sort_values("value")
    assert (risk["status"] == "optimal").all()
    lam = risk["value"].to_numpy()
    cash = risk["cash_cost_musd"].to_numpy()
    exposure = risk["risk_exposure"].to_numpy()
    objective = risk["objective_musd"].to_numpy()
    # Parametric LP: min cash + λ·risk. As λ rises, the risk term never rises and the cash
    # term never falls; the optimal objective never falls.
    assert np.all(np.diff(cash) >= -1e-9 * cash[1:])
    assert np.all(np.diff(exposure) <= 1e-12)
    assert np.all(np.diff(objective) >= -1e-9 * objective[1:])
    # with λ = 10 the plan is less risky (and dearer in cash) than with λ = 0
    assert exposure[-1] < exposure[0] and cash[-1] > cash[0]
    assert lam[0] == 0.0 and lam[-1] == 10.0


def test_frontier_on_one_supplier(mexico):
    f = frontier(mexico, trade_offs=("diversification",), supplier="US", shares="0.4:1.0:0.1")
    assert set(f["trade_off"]) == {"diversification"}
    assert (f["parameter"] == "cap.US").all() and len(f) == 7
    assert (f["x"] == f["share_US"]).all()
    assert (f["x"] <= f["value"] + 1e-7).all()
    assert "US's share" in f["x_label"][0]
    # cost falls as the US cap loosens (the US is the cheapest supplier)
    assert np.all(np.diff(f["cost_musd"].to_numpy()) <= 1e-9 * f["cost_musd"].to_numpy()[1:])
    # every optimal point here is on the frontier: each looser cap is cheaper, or the same
    # plan as a tighter one (the uncapped plan from 0.8 up: counted once, at 0.8)
    assert (f["pareto"] | f["same_plan_as"].notna()).all()
    assert f.loc[f["same_plan_as"].notna(), "value"].tolist() == pytest.approx([0.9, 1.0])
    assert (f.loc[f["same_plan_as"].notna(), "same_plan_as"] == 0.8).all()


def test_frontier_rejects_unknown_trade_offs(mexico):
    with pytest.raises(SweepError, match="trade-offs are diversification, risk"):
        frontier(mexico, trade_offs=("cost",))
    with pytest.raises(SweepError):
        frontier(mexico, trade_offs=())
    # a range runs downwards when stop is below start: 50%, 40%, 30%
    down = frontier(mexico, trade_offs=("diversification",), shares="0.5:0.3:0.1")
    assert down["value"].tolist() == [0.5, 0.4, 0.3]


def test_with_caps_on_imports_the_frontier_measures_shares_of_imports(mexico):
    # max_share caps each supplier's share of imports: US gas is nearly all of Mexico's
    # imports, so the largest share of imports sits at the cap, and tighter caps cost more
    # (measured on supply instead, the curve would double back and lose Pareto points).
    table = frontier(mexico, trade_offs=("diversification",), shares="0.4:0.8:0.1", share_of="imports")
    assert table["x_label"].iloc[0] == "largest supplier's share of imports (%)"
    assert table["x"].to_numpy() == pytest.approx(table["value"].to_numpy(), abs=1e-6)
    assert table["pareto"].all()
    assert table["cost_musd"].is_monotonic_decreasing


def test_progress_counts_the_points_of_every_trade_off(mexico):
    # One bar for the whole frontier (the CLI's): the risk sweep's count follows on from
    # the diversification sweep's instead of starting again at zero.
    seen = []
    table = frontier(mexico, shares="0.6,0.8,1", risk_weights="0,1", progress=seen.append)
    assert len(table) == 5
    assert 3 in seen and seen == sorted(seen) and seen[-1] == 5
