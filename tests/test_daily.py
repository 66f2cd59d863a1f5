"""Cases with daily periods: a small generated daily case through `gasmix solve` (terminal,
tables, report), and the Mexico case spread onto its days by benchmarks/daily.py (volumes
kept month by month, windows on whole months, a held third year). No timings asserted."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from gasmix import models, optimizer

BENCHMARKS = ROOT / "benchmarks"


def _module(name: str, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))  # daily.py imports bench.py beside it
    spec = importlib.util.spec_from_file_location(f"gasmix_bench_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_daily_case_solves_from_the_command_line(run_gasmix, tmp_path, monkeypatch):
    generate = _module("generate", monkeypatch)
    case = generate.generate_case(tmp_path / "case", periods=35, days_per_period=1, nodes=4,
                                  sources=24, storage=2, seed=0)
    done = run_gasmix("solve", str(case), "-o", "plan", "--report", "plan.html")
    assert done.returncode == 0, done.stderr
    assert "2026-01-01 to 2026-02-04 (35 periods)" in done.stdout
    assert "largest day" in done.stdout and "largest month" not in done.stdout
    plan = run_gasmix.cwd / "plan"
    summary = json.loads((plan / "summary.json").read_text())
    assert summary["status"] == "optimal"  # verified row by row, or it would be an error
    prices = pd.read_csv(plan / "prices.csv", dtype={"period": str})
    storage = pd.read_csv(plan / "storage.csv", dtype={"period": str})
    assert prices["period"].nunique() == 35
    # Every day is one day: demand in Bcf is the sum of the daily rates / 1000, and the
    # balance closes over the horizon with storage's net withdrawal.
    demand_bcf = pd.read_csv(case / "demand.csv")["demand_mmcfd"].sum() / 1000
    assert prices["demand_mmcfd"].sum() / 1000 == pytest.approx(demand_bcf, rel=1e-9)
    net_withdrawal = (storage["withdrawal_mmcfd"] - storage["injection_mmcfd"]).sum() / 1000
    served = summary["supply_bcf"] + summary["unserved_bcf"] + net_withdrawal
    assert served == pytest.approx(demand_bcf, rel=1e-6)
    # A stock moves by one day's net injection a day.
    initial = pd.read_csv(case / "storage.csv").set_index("storage")["initial_bcf"]
    for site, rows in storage.groupby("storage"):
        change = np.diff(np.concatenate([[initial[site]], rows["stock_bcf"].to_numpy()]))
        net = (rows["injection_mmcfd"] - rows["withdrawal_mmcfd"]).to_numpy() / 1000
        assert change == pytest.approx(net, abs=1e-6)
    report = (run_gasmix.cwd / "plan.html").read_text()
    assert report.count("<title>") > 35  # the hover values of the daily charts


@pytest.fixture(scope="module")
def mexico_daily(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    try:
        daily = _module("daily", mp)
        folder = daily.build_case_folder(tmp_path_factory.mktemp("daily") / "case", years=3)
        return daily, models.load_case(folder)
    finally:
        mp.undo()


def test_the_mexico_case_by_day_keeps_every_months_volume(mexico_daily):
    daily, case = mexico_daily
    assert len(case.periods) == 1096 and {p.days for p in case.periods} == {1}
    assert case.periods[0].id == "2026-01-01" and case.periods[-1].id == "2028-12-31"
    monthly = models.default_case().demand
    by_day = case.demand.reset_index()
    by_day.columns = ["node", "period", "demand"]
    by_day["month"] = by_day["period"].str[:7]
    means = by_day.groupby(["node", "month"])["demand"].mean()
    assert not (by_day.groupby(["node", "month"])["demand"].std() == 0).all()  # shaped, not flat
    for (node, month), value in means.items():
        held = month if month < "2028" else "2027" + month[4:]  # 2028 holds 2027's figures
        assert value == pytest.approx(monthly[(node, held)], abs=1e-3), (node, month)


def test_the_mexico_case_by_day_keeps_windows_on_whole_months(mexico_daily):
    _, case = mexico_daily
    sources = {s.id: s for s in case.sources}
    assert (sources["MX_SSE_2027Q4"].first_period, sources["MX_SSE_2027Q4"].last_period) == \
        ("2027-10-01", "2027-12-31")
    # The held third year repeats the last year's quarterly output under its own id.
    assert (sources["MX_SSE_2028Q1"].first_period, sources["MX_SSE_2028Q1"].last_period) == \
        ("2028-01-01", "2028-03-31")
    assert sources["MX_SSE_2028Q1"].min_mmcfd == sources["MX_SSE_2027Q1"].min_mmcfd
    entries = {e.id: e for e in case.entries}
    assert entries["COSTA_AZUL"].last_period == "2026-03-31"


def test_the_mexico_case_by_day_solves_like_by_month(tmp_path, monkeypatch):
    daily = _module("daily", monkeypatch)
    by_day = optimizer.solve(models.load_case(daily.build_case_folder(tmp_path / "daily", years=1)))
    by_month = optimizer.solve(models.load_case(daily.build_case_folder(tmp_path / "monthly", years=1,
                                                                        daily=False)))
    assert by_day.summary["case"]["periods"] == 365 and by_month.summary["case"]["periods"] == 12
    # The same gas over the year (days resolve peaks; the costs are reported, not compared).
    assert by_day.summary["supply_bcf"] == pytest.approx(by_month.summary["supply_bcf"], rel=1e-6)
    assert by_day.summary["unserved_bcf"] == pytest.approx(0.0, abs=1e-6)


def test_the_mexico_case_by_day_runs_short_events_on_their_days(mexico_daily):
    # Uri's six days (first_day 14, days 6 of February 2027) become the six daily periods.
    _, case = mexico_daily
    uri = {s.id: s for s in case.scenarios}["uri"]
    storm = {(e.target_type, e.target, e.first_period, e.last_period, e.first_day)
             for e in uri.events if e.target_type == "hub"}
    assert storm == {("hub", "HH", "2027-02-14", "2027-02-19", None),
                     ("hub", "WAHA", "2027-02-14", "2027-02-19", None)}
