"""Shadow prices as savings (results/savings.py), checked by hand and by finite differences:
the plan's saving for loosening a limit equals what re-solving with that limit loosened by
a small step saves, scaled to the planner's step (1 pp, 100 MMcf/d, 1 Bcf).

Units as in test_model_small: q MMcf/d for d days at p USD/MMBtu costs q·d·p·E MUSD.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from cases import E, constraint, source, storage, tiny_case
from gasmix.optimizer import solve
from gasmix.optimizer.results.savings import period_span, saving, savings_table

DAYS = [31, 28]


def approx(x):
    return pytest.approx(x, rel=1e-7, abs=1e-9)


def capped():
    """A at 3.0, B at 5.0; demand 100 then 80 over 31 and 28 days; A ≤ 60% every month."""
    case = tiny_case(periods=2, days=DAYS, demand=[100, 80],
                     sources=[source("A", 3.0), source("B", 5.0)])
    return case, {"caps": {"A": 0.6}}


def test_share_cap_saving_by_hand_and_by_finite_difference():
    case, kw = capped()
    plan = solve(case, **kw)
    # One pp more of month t's supply (demand_t MMcf/d) moves demand_t/100 MMcf/d from B to
    # A for d_t days, saving (5 − 3)·d_t·E·demand_t/100 MUSD.
    p1 = 2 * 31 * E * 100 / 100
    p2 = 2 * 28 * E * 80 / 100
    assert constraint(plan, "share_cap", "cap A", "P1")["shadow_price"] == approx(p1)
    assert constraint(plan, "share_cap", "cap A", "P2")["shadow_price"] == approx(p2)
    row = plan.savings.set_index("name").loc["cap A"]
    assert row["unit"] == "MUSD per pp" and row["binding_periods"] == 2
    assert row["horizon_saving"] == approx(p1 + p2)  # the cap 1 pp looser in both months
    assert row["peak_saving"] == approx(p1) and row["peak_period"] == "P1"
    # Finite difference: the cap 0.1 pp looser in every month saves 0.1 × the horizon saving.
    step = 0.001
    looser = solve(case, caps={"A": 0.6 + step})
    assert (plan.objective - looser.objective) / (step * 100) == approx(row["horizon_saving"])


def test_capacity_saving_by_hand_and_by_finite_difference():
    # A at 3.0 through an entry of 60 MMcf/d, B at 5.0, demand 100 in both months.
    case = tiny_case(periods=2, days=DAYS, demand=100,
                     sources=[source("A", 3.0, entry_capacity=60), source("B", 5.0)])
    plan = solve(case)
    # 100 MMcf/d more entry capacity in month t (at the margin) replaces B by A on
    # 100 MMcf/d for d_t days: (5 − 3)·100·d_t·E MUSD.
    for period, days in zip(("P1", "P2"), DAYS):
        row = constraint(plan, "entry_capacity", "E_A", period)
        assert row["unit"] == "MUSD per 100 MMcf/d"
        assert row["shadow_price"] == approx(2 * 100 * days * E)
    # Finite difference in one month: 1 MMcf/d more in P2 only saves a hundredth of it.
    override = pd.Series([61.0], index=pd.MultiIndex.from_tuples([("E_A", "P2")],
                                                                names=["entry", "period"]))
    looser = solve(dataclasses.replace(case, entry_capacity=override))
    assert (plan.objective - looser.objective) * 100 == approx(2 * 100 * 28 * E)
    # Over the horizon: 1 MMcf/d more in every month (the entry's capacity) gives the
    # horizon saving per 100 MMcf/d.
    wider = tiny_case(periods=2, days=DAYS, demand=100,
                      sources=[source("A", 3.0, entry_capacity=61), source("B", 5.0)])
    total = plan.savings.set_index("name").loc["E_A", "horizon_saving"]
    assert total == approx(2 * 100 * (31 + 28) * E)
    assert (plan.objective - solve(wider).objective) * 100 == approx(total)


def test_floor_savings_are_positive_too():
    # A storage-days floor: 1 Bcf less required stock saves what holding it costs.
    case = tiny_case(periods=2, days=DAYS, demand=100,
                     sources=[source("A", [3.0, 5.0])],
                     storage=[storage(working_gas=10.0, injection=50, withdrawal=50)])
    plan = solve(case, storage_days=10)
    rows = plan.constraints[plan.constraints["family"] == "storage_days"]
    binding = rows[rows["binding"]]
    assert len(binding) and (binding["shadow_price"] > 0).all()
    assert set(binding["unit"]) == {"MUSD per Bcf"}
    # Finite difference: 0.1 day less (0.1 × 100 MMcf/d = 0.01 Bcf less stock required).
    looser = solve(case, storage_days=9.9)
    assert (plan.objective - looser.objective) / 0.01 == approx(binding["shadow_price"].sum())


def test_saving_direction_and_units():
    # Caps and capacities loosen upwards (∂objective/∂limit ≤ 0 → saving ≥ 0); floors
    # loosen downwards (∂objective/∂limit ≥ 0 → saving ≥ 0).
    value, unit = saving("share_cap", [-2.0])
    assert value.tolist() == [0.02] and unit == "MUSD per pp"
    value, unit = saving("share_min", [3.0])
    assert value.tolist() == [0.03] and unit == "MUSD per pp"
    value, unit = saving("arc_capacity", [-0.5])
    assert value.tolist() == [50.0] and unit == "MUSD per 100 MMcf/d"
    value, unit = saving("storage_cover", [4.0])
    assert value.tolist() == [4.0] and unit == "MUSD per Bcf"


def test_savings_table_orders_share_limits_first_and_names_spans():
    constraints = pd.DataFrame({
        "family": ["entry_capacity"] * 3 + ["share_cap"] * 3,
        "name": ["X"] * 3 + ["cap A"] * 3, "period": ["P1", "P2", "P3"] * 2,
        "shadow_price": [500.0, 0.0, 700.0, 1.0, 2.0, 0.0],
        "unit": ["MUSD per 100 MMcf/d"] * 3 + ["MUSD per pp"] * 3,
        "binding": [True, False, True, True, True, False]})
    table = savings_table(constraints, ["P1", "P2", "P3"])
    assert table["name"].tolist() == ["cap A", "X"]
    x = table.set_index("name").loc["X"]
    assert x["binding_in"] == "P1, P3" and x["horizon_saving"] == 1200 and x["peak_period"] == "P3"
    assert table.set_index("name").loc["cap A", "binding_in"] == "P1 to P2"
    assert period_span(["horizon"], ["P1"]) == "horizon"
    assert period_span([f"P{i}" for i in range(1, 12, 2)], [f"P{i}" for i in range(1, 12)],
                       most=4) == "P1, P3, P5, P7, …"


def test_terminal_report_and_workbook_show_the_same_savings(run_gasmix):
    """One convention everywhere: the US cap's saving over the horizon and in its largest
    month read the same in the terminal, the HTML report and the workbook."""
    import openpyxl

    done = run_gasmix("solve", "--cap", "US=0.6", "--format", "xlsx", "-o", "us60.xlsx",
                      "--report", "us60.html")
    assert done.returncode == 0, done.stderr
    ws = openpyxl.load_workbook(run_gasmix.cwd / "us60.xlsx")["savings"]
    header = [c.value for c in ws[1]]
    row = {h: c for h, c in zip(header, next(r for r in ws.iter_rows(min_row=2) if r[1].value == "cap US"))}
    horizon, peak = row["saving over the horizon (see unit)"], row["saving in the largest month (see unit)"]
    assert horizon.value > peak.value > 0 and row["unit"].value == "MUSD per pp"
    shown = f"{horizon.value:,.1f}", f"{peak.value:,.1f}"  # what the cells' format shows (≥ 10)
    assert horizon.number_format.startswith("[>=10]#,##0.0")
    month = row["largest month"].value
    line = next(line for line in done.stdout.splitlines() if line.startswith("cap US"))
    assert shown[0] in line and f"{shown[1]} ({month})" in line
    html = (run_gasmix.cwd / "us60.html").read_text()
    binds = html[html.index('id="binds"'):]
    assert (f'<td class="short">cap US</td><td class="num">{shown[0]}</td>'
            f'<td class="num">{shown[1]} ({month})</td>') in binds
