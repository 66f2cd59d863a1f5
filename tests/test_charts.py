"""The charts draw what their captions say, on real plans of the Mexico case: a monthly
balance whose bars meet the line, unserved gas only where there is some, node prices not
flattened by VOLL, caps above shares, utilisation as flow over capacity, sweeps and
frontiers in cash change with the shed-demand zone, frontier labels that do not overlap."""

from __future__ import annotations

import re

import numpy as np
import pytest

from gasmix.models import default_case
from gasmix.optimizer import frontier, solve, sweep
from gasmix.optimizer.output import charts, plan_charts, study_charts
from gasmix.optimizer.output.report_plan import utilisation_grid


@pytest.fixture(scope="module")
def us60():
    return solve(default_case(), caps={"US": 0.6})


def periods_of(plan) -> list[str]:
    return list(plan.data.period_ids)


def bar_tops(ax) -> dict[float, float]:
    """The top of each stack of bars, by its x (the sum of the bars drawn there)."""
    tops: dict[float, float] = {}
    for container in ax.containers:
        for bar in container:
            x = round(bar.get_x() + bar.get_width() / 2, 6)
            tops[x] = tops.get(x, 0.0) + bar.get_height()
    return tops


def test_the_monthly_balance_closes(us60):
    periods = periods_of(us60)
    fig = plan_charts.balance(us60.flows, us60.storage, us60.prices, periods,
                              charts.supplier_colors(us60.data.supplier_ids))
    ax = fig.axes[0]
    line = next(l for l in ax.lines if l.get_label() == "demand + storage injection")
    # the bars meet the line in every month: supply + withdrawal + unserved = demand + injection
    tops = bar_tops(ax)
    need = (us60.prices.groupby("period", sort=False)["demand_mmcfd"].sum()
            + us60.storage.groupby("period", sort=False)["injection_mmcfd"].sum()).reindex(periods)
    assert [tops[float(t)] for t in range(len(periods))] == pytest.approx(need.to_numpy(), rel=1e-9)
    assert np.asarray(line.get_ydata(), dtype=float) == pytest.approx(need.to_numpy(), rel=1e-9)
    # the uncapped plan in its month of largest storage withdrawal: supply alone falls short
    # of demand; the storage withdrawals drawn on top close the gap
    base = solve(default_case())
    fig = plan_charts.balance(base.flows, base.storage, base.prices, periods,
                              charts.supplier_colors(base.data.supplier_ids))
    supply = base.flows.groupby("period")["flow_mmcfd"].sum()
    demand = base.prices.groupby("period")["demand_mmcfd"].sum()
    withdrawal = base.storage.groupby("period")["withdrawal_mmcfd"].sum()
    injection = base.storage.groupby("period")["injection_mmcfd"].sum()
    month = withdrawal.idxmax()
    assert withdrawal[month] > 100 and injection[month] == 0
    assert demand[month] - supply[month] == pytest.approx(withdrawal[month])
    drawn = next(c for c in fig.axes[0].containers if c.get_label() == "storage withdrawal")
    bars = [bar for bar in drawn if round(bar.get_x() + bar.get_width() / 2) == periods.index(month)]
    assert bars[0].get_height() == pytest.approx(withdrawal[month])
    assert bar_tops(fig.axes[0])[float(periods.index(month))] == pytest.approx(demand[month])


def test_unserved_gas_is_drawn_only_where_it_occurs(us60):
    periods = periods_of(us60)
    fig = plan_charts.balance(us60.flows, us60.storage, us60.prices, periods,
                              charts.supplier_colors(us60.data.supplier_ids))
    unserved = next(c for c in fig.axes[0].containers if c.get_label() == "unserved")
    by_period = us60.prices.groupby("period", sort=False)["unserved_mmcfd"].sum()
    short = int((by_period > 1e-6).sum())
    assert 0 < short < len(periods)  # some months short, not all: no slivers for the others
    assert len(unserved) == short
    assert min(bar.get_height() for bar in unserved) > 1
    # and a plan that serves all demand has no unserved series at all
    base = solve(default_case())
    fig = plan_charts.balance(base.flows, base.storage, base.prices, periods_of(base),
                              charts.supplier_colors(base.data.supplier_ids))
    assert "unserved" not in charts.series(fig)


def test_node_prices_at_voll_are_off_the_scale(us60):
    periods = periods_of(us60)
    shedding = plan_charts.shedding_price(us60.summary)  # the cheapest demand tier's value
    assert shedding == min(us60.data.tier_values)
    fig = plan_charts.marginal_prices(us60.prices, periods, voll=shedding)
    ax = fig.axes[0]
    prices = us60.prices["marginal_cost_usd_mmbtu"]
    normal = prices[(prices < 0.9 * shedding) & (us60.prices["unserved_mmcfd"] <= 1e-6)]
    top = ax.get_ylim()[1]
    # the axis shows the spread of the gas prices, and stops below where demand gives way
    assert normal.max() < top < shedding
    assert any(label.startswith("a node shedding demand") for label in charts.series(fig))
    # one shaded month per month with a node shedding demand (at VOLL or a tier's value)
    at_voll = us60.prices.loc[(prices >= 0.9 * shedding) | (us60.prices["unserved_mmcfd"] > 1e-6),
                              "period"].nunique()
    shaded = [p for p in ax.patches if p.get_zorder() == 0]
    assert len(shaded) == at_voll >= 7


def test_caps_are_drawn_above_the_shares(us60):
    fig = plan_charts.shares_vs_caps(us60.shares, periods_of(us60),
                                     charts.supplier_colors(us60.data.supplier_ids))
    lines = {l.get_label(): l for l in fig.axes[0].lines}
    share, cap = lines["US"], lines["US cap"]
    assert cap.get_zorder() > share.get_zorder()
    assert np.asarray(cap.get_ydata(), dtype=float) == pytest.approx(60.0)
    assert cap.get_color() != share.get_color()  # a darker shade: visible over the share


def test_utilisation_is_flow_over_capacity(us60):
    periods = periods_of(us60)
    grid = utilisation_grid(us60.tables())
    altamira = grid[(grid["asset"] == "ALTAMIRA · LNG") & (grid["period"] == "2027-05")].iloc[0]
    capacity = {e.id: e.capacity_mmcfd for e in default_case().entries}["ALTAMIRA"]
    flows = us60.flows
    through = flows[(flows["entry"] == "ALTAMIRA") & (flows["period"] == "2027-05")]["flow_mmcfd"].sum()
    assert altamira["used"] == pytest.approx(through) and altamira["capacity"] == pytest.approx(capacity)
    # LNG terminals first, storage last; Costa Azul out of service in 2027 (capacity 0)
    assert grid["asset"].iloc[0].endswith("· LNG") and grid["asset"].iloc[-1].endswith("· storage")
    closed = grid[(grid["asset"] == "COSTA_AZUL · LNG") & (grid["period"] == "2027-05")].iloc[0]
    assert closed["capacity"] == 0
    svg = charts.to_svg(plan_charts.utilisation(grid, periods), "utilisation", "u")
    assert (f"<title>ALTAMIRA · LNG · 2027-05: {through:,.1f} of {capacity:,.1f} MMcf/d "
            f"({through / capacity:.0%})</title>") in svg
    assert "<title>COSTA_AZUL · LNG · 2027-05: out of service</title>" in svg
    assert "data:image" not in svg  # vector throughout, colour bar included


@pytest.fixture(scope="module")
def us_sweep():
    return sweep(default_case(), {"cap.US": "0.5:1.0:0.1"})


def test_sweep_chart_plots_the_cash_change_and_shades_shed_demand(us_sweep):
    fig = study_charts.sweep_cost(us_sweep, ["cap.US"], names={"US": "United States"})
    top, bottom = fig.axes[:2]
    line = next(l for l in top.lines if l.get_label().startswith("cash cost change"))
    ordered = us_sweep.sort_values("cap.US")
    cash = ordered["cash_cost_musd"].to_numpy()
    assert np.asarray(line.get_xdata(), dtype=float) == pytest.approx(ordered["cap.US"] * 100)
    assert np.asarray(line.get_ydata(), dtype=float) == pytest.approx(cash - cash[-1])
    assert top.get_xlabel() == "" and bottom.get_xlabel() == "United States share cap (%)"
    # unserved gas at VOLL does not set the scale: the axis spans the cash change only
    assert top.get_ylim()[1] < 10_000 < ordered["total_cost_musd"].max() - ordered["total_cost_musd"].min()
    # one shaded band per point that sheds demand, on both axes
    shedding = int((ordered["unserved_bcf"] > 0.05).sum())
    assert shedding >= 2
    assert len([p for p in top.patches if p.get_zorder() == 0]) == shedding
    assert len([p for p in bottom.patches if p.get_zorder() == 0]) == shedding
    # the legend's key is the line's own colour
    legend = fig.legends[0]
    key = next(h for h, t in zip(legend.legend_handles, legend.get_texts())
               if t.get_text() == line.get_label())
    assert key.get_color() == line.get_color()


def test_frontier_labels_do_not_overlap_and_count_each_plan_once():
    table = frontier(default_case(), shares="0.5:1.0:0.05", risk_weights="0:6:0.5")
    for trade_off in ("diversification", "risk"):
        rows = table[table["trade_off"] == trade_off]
        fig = study_charts.frontier(rows)
        ax = fig.axes[0]
        pareto = next(l for l in ax.lines if l.get_label() == "Pareto-efficient plan")
        distinct = rows[rows["pareto"]].drop_duplicates(["x", "cost_musd"])
        assert len(pareto.get_xdata()) == int(rows["pareto"].sum()) == len(distinct)
        renderer = fig.canvas.get_renderer()
        boxes = [t.get_window_extent(renderer) for t in ax.texts]
        assert boxes, trade_off
        assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
        inside = ax.get_window_extent(renderer)
        assert all(inside.x0 <= b.x0 and b.x1 <= inside.x1 for b in boxes)
    risk = table[table["trade_off"] == "risk"]
    assert risk["pareto"].sum() < len(risk)  # higher λ that changes nothing: not counted again


def test_every_chart_keeps_its_text_at_least_8_points():
    """The narrow form is for a 420 px screen: 8 pt in a 4.4 in chart stays above 9 px."""
    plan = solve(default_case(), caps={"US": 0.6})
    periods = periods_of(plan)
    colors = charts.supplier_colors(plan.data.supplier_ids)
    for form in charts.FORMS:
        for fig in (plan_charts.balance(plan.flows, plan.storage, plan.prices, periods, colors, form),
                    plan_charts.utilisation(utilisation_grid(plan.tables()), periods, form),
                    plan_charts.marginal_prices(plan.prices, periods, 100.0, form),
                    plan_charts.n1(plan.security, periods, form)):
            svg = charts.to_svg(fig, "c", "c", form.name)
            sizes = [float(v) for v in re.findall(r"font-size: ([0-9.]+)px", svg)]
            assert sizes and min(sizes) >= 8.5 * 0.999, (fig.get_label(), form.name, min(sizes))
