"""The library as a notebook user meets it: short reprs, validated Case edits, plans
written as their names say, reports and charts from the plan, explicit keywords."""

from __future__ import annotations

import inspect
import json

import pandas as pd
import pytest

import gasmix
from gasmix.optimizer import CaseError


@pytest.fixture(scope="module")
def case():
    return gasmix.default_case()


@pytest.fixture(scope="module")
def plan(case):
    return gasmix.solve(case, caps={"US": 0.6})


def test_reprs_are_short_and_say_what_it_is(case, plan):
    assert len(repr(case)) < 300 and "mexico" in repr(case) and "periods" in repr(case)
    assert len(repr(plan)) < 300 and "objective" in repr(plan)
    assert "<table" in case._repr_html_() and "<table" in plan._repr_html_()
    assert "unserved" in plan._repr_html_()


def test_solve_shows_its_keywords(case):
    parameters = inspect.signature(gasmix.solve).parameters
    for name in ("caps", "max_share", "risk_weight", "exclude", "admit", "share_basis",
                 "share_of", "limits", "storage_days", "cover_days", "min_n1", "solver",
                 "time_limit"):
        assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY, name
    for verb in (gasmix.sweep, gasmix.frontier, gasmix.solve_stochastic, gasmix.stress_test):
        assert "caps" in inspect.signature(verb).parameters
    with pytest.raises(TypeError):
        gasmix.solve(case, capz={"US": 0.6})  # a typo is an error, not silently ignored


def test_an_edited_case_is_checked_and_gets_its_own_hash(case):
    more = case.with_demand(scale=1.1)
    assert float(more.demand.sum()) == pytest.approx(1.1 * float(case.demand.sum()))
    assert more.source_hash != case.source_hash
    assert gasmix.solve(more).summary["case"]["input_sha256"] == more.source_hash
    with pytest.raises(CaseError, match="must be ≥ 0"):
        case.with_demand(pd.Series({("NES", case.period_ids[0]): -5.0}))
    with pytest.raises(CaseError, match="unknown node"):
        case.edited(nodes=case.nodes[1:])
    with pytest.raises(CaseError, match="voll_usd_mmbtu|must be"):
        case.with_settings(voll_usd_mmbtu=-1.0)
    dearer = case.with_prices(scale={"HH": 2.0})
    assert dearer.hub_prices.xs("HH").iloc[0] == pytest.approx(2 * case.hub_prices.xs("HH").iloc[0])


def test_a_plan_is_written_as_its_name_says(plan, tmp_path):
    workbook = plan.write(tmp_path / "out.xlsx")
    assert workbook.is_file() and workbook.read_bytes()[:2] == b"PK"  # a zip: an .xlsx
    document = json.loads(plan.write(tmp_path / "out.json").read_text())
    assert document["summary"]["objective_musd"] == pytest.approx(plan.objective)
    assert (plan.write(tmp_path / "folder") / "flows.csv").is_file()
    with pytest.raises(ValueError, match="must end in .xlsx"):
        plan.write(tmp_path / "out.json", format="xlsx")


def test_a_plan_reports_and_plots_itself(plan, tmp_path):
    page = plan.report(tmp_path / "plan.html").read_text(encoding="utf-8")
    assert "<svg" in page and "Supply mix" in page
    for chart in ("supply_mix", "shares", "storage", "prices", "costs"):
        figure = getattr(plan.plot, chart)()
        assert type(figure).__name__ == "Figure" and figure.axes, chart


def test_the_security_table_is_an_attribute_and_tables_come_on_first_read(case):
    plan = gasmix.solve(case)
    assert "flows" not in plan.__dict__  # not built by the solve …
    assert plan.security is plan.extra["security"]
    assert {"n1_pct", "hhi", "shannon"} <= set(plan.security.columns)
    flows = plan.flows
    assert plan.flows is flows           # … and kept once built


def test_the_case_arrays_kept_between_solves_do_not_move():
    # solve() indexes a case once and reuses its arrays; a sweep or scenario that changes
    # its copy in place, or another policy, must leave the next solve's data untouched.
    from gasmix.optimizer import solve, solve_stochastic, sweep

    case = gasmix.default_case()
    first = solve(case).summary["objective_musd"]
    sweep(case, {"demand": "0.5,1.5", "price.HH": "2"})
    solve_stochastic(case)
    solve(case, caps={"US": 0.7}, exclude=["QA"], risk_weight=2.0)
    assert solve(case).summary["objective_musd"] == first
    doubled = case.with_demand(case.demand * 2)
    assert solve(doubled).summary["objective_musd"] > first
    assert solve(case).summary["objective_musd"] == first
