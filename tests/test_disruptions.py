"""disruptions.csv: one test per validation rule (file, row, column, value and rule named),
the embedded Mexico scenarios, a scenarios file given apart, and the CLI end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from gasmix.models import CaseError, default_case, load_case, load_scenarios

MEXICO = Path(__file__).resolve().parent.parent / "inputs" / "mexico"
HEADER = ("scenario,probability,target_type,target,first_period,last_period,capacity_factor,"
          "price_multiplier,description\n")
GOOD = ("base,0.9,,,,,,,undisturbed\n"
        "cut,0.1,,,,,,,a cut\n"
        "cut,,entry,ALTAMIRA,2026-09,2026-10,0,,outage\n")


@pytest.fixture
def case(tmp_path: Path) -> Path:
    folder = tmp_path / "mexico"
    shutil.copytree(MEXICO, folder, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    return folder


def problems_with(case: Path, body: str):
    (case / "disruptions.csv").write_text(HEADER + body, encoding="utf-8")
    with pytest.raises(CaseError) as raised:
        load_case(case)
    return [p for p in raised.value.problems if p.file == "disruptions.csv"]


def only(problems, rule: str):
    found = [p for p in problems if rule in p.rule]
    assert found, "\n".join(map(str, problems))
    return found[0]


def test_a_good_file_loads(case):
    (case / "disruptions.csv").write_text(HEADER + GOOD, encoding="utf-8")
    loaded = load_case(case)
    assert [(s.id, s.probability, len(s.events)) for s in loaded.scenarios] == [("base", 0.9, 0), ("cut", 0.1, 1)]
    assert loaded.scenarios[1].events[0].capacity_factor == 0.0


def test_declaration_needs_probability(case):
    p = only(problems_with(case, "base,,,,,,,,\ncut,1,,,,,,,\n"), "needs its probability")
    assert (p.row, p.column) == (2, "probability")


def test_declaration_takes_no_factor(case):
    p = only(problems_with(case, "base,1,,,,,0.5,,\n"), "takes no capacity_factor")
    assert (p.row, p.column, p.value) == (2, "capacity_factor", 0.5)


def test_scenario_declared_twice(case):
    p = only(problems_with(case, GOOD + "cut,0.1,,,,,,,again\n"), "declared twice")
    assert (p.row, p.column, p.value) == (5, "scenario", "cut") and "row 3" in p.rule


def test_event_takes_no_probability(case):
    p = only(problems_with(case, GOOD + "cut,0.1,supplier,RU,,,0,,\n"), "stated once")
    assert (p.row, p.column, str(p.value)) == (5, "probability", "0.1")


def test_event_needs_target_type(case):
    p = only(problems_with(case, GOOD + "cut,,,RU,,,0,,\n"), "needs a target_type")
    assert (p.row, p.column) == (5, "target_type")


def test_event_needs_target(case):
    p = only(problems_with(case, GOOD + "cut,,supplier,,,,0,,\n"), "needs a target")
    assert (p.row, p.column) == (5, "target")


def test_unknown_target(case):
    p = only(problems_with(case, GOOD + "cut,,entry,NOWHERE,,,0,,\n"), "unknown entry")
    assert (p.row, p.column, p.value) == (5, "target", "NOWHERE")


def test_event_needs_a_factor_or_multiplier(case):
    p = only(problems_with(case, GOOD + "cut,,supplier,RU,,,,,\n"), "capacity_factor, a price_multiplier")
    assert p.row == 5


def test_window_in_order(case):
    p = only(problems_with(case, GOOD + "cut,,supplier,RU,2027-02,2026-02,0,,\n"), "is after last_period")
    assert (p.row, p.column, p.value) == (5, "first_period", "2027-02")


def test_unknown_period(case):
    p = only(problems_with(case, GOOD + "cut,,supplier,RU,2030-01,,0,,\n"), "unknown period")
    assert (p.row, p.column, p.value) == (5, "first_period", "2030-01")


def test_events_of_an_undeclared_scenario(case):
    p = only(problems_with(case, GOOD + "storm,,supplier,US,,,0.5,,\n"), "no declaration row")
    assert (p.row, p.value) == (5, "storm")


def test_base_takes_no_events(case):
    p = only(problems_with(case, GOOD + "base,,supplier,US,,,0.5,,\n"), "takes no events")
    assert p.row == 5


def test_base_must_be_declared(case):
    only(problems_with(case, "cut,1,,,,,,,\ncut,,supplier,US,,,0.5,,\n"), "declare the undisturbed scenario 'base'")


def test_probabilities_add_up_to_one(case):
    p = only(problems_with(case, "base,0.8,,,,,,,\ncut,0.1,,,,,,,\ncut,,supplier,US,,,0.5,,\n"),
             "add up to 0.9")
    assert p.column == "probability"


def test_capacity_factor_in_range(case):
    p = only(problems_with(case, GOOD + "cut,,supplier,US,,,1.5,,\n"), "must be ≤ 1")
    assert (p.row, p.column, p.value) == (5, "capacity_factor", "1.5")


def test_unknown_target_type(case):
    p = only(problems_with(case, GOOD + "cut,,country,US,,,0.5,,\n"), "must be one of")
    assert (p.row, p.column, p.value) == (5, "target_type", "country")


def test_a_scenarios_file_given_apart_names_itself(tmp_path):
    path = tmp_path / "my-storms.csv"
    path.write_text(HEADER + "base,0.5,,,,,,,\nstorm,0.4,,,,,,,\nstorm,,hub,HH,,,,-1,\n", encoding="utf-8")
    with pytest.raises(CaseError) as raised:
        load_scenarios(path, default_case())
    files = {p.file for p in raised.value.problems}
    assert files == {"my-storms.csv"}
    rules = " / ".join(p.rule for p in raised.value.problems)
    assert "must be ≥ 0" in rules and "add up to 0.9" in rules


def test_mexico_scenarios_are_declared_and_sum_to_one():
    scenarios = default_case().scenarios
    assert sum(s.probability for s in scenarios) == pytest.approx(1.0)
    by_id = {s.id: s for s in scenarios}
    assert {"base", "uri", "us_export_limit", "altamira_outage", "hormuz_2027",
            "sanctions_lifted"} <= set(by_id)
    uri = by_id["uri"]
    # Uri as observed (SOURCES.md §17): US gas to Mexico −14% for the month, one limit on
    # the supplier (an upstream freeze, not the pipes), and on the storm's six days (14–19
    # February 2027) a deeper cut, × 0.756 on top: 0.65 of the plan's US flow; one exposure
    # blend (≈40% bought day by day) on Henry Hub (×1.90) and Waha (×20.6) on those days.
    assert {(e.target, e.price_multiplier, e.first_day, e.days) for e in uri.events
            if e.target_type == "hub"} == {("HH", 1.90, 14, 6), ("WAHA", 20.6, 14, 6)}
    cuts = {(e.first_day, e.days): e.capacity_factor for e in uri.events
            if e.capacity_factor is not None and e.target == "US"}
    assert cuts.keys() == {(None, None), (14, 6)}
    assert cuts[(None, None)] * cuts[(14, 6)] == pytest.approx(0.65, abs=0.001)
    # the other 22 days may then run at up to (0.86·28 − 0.65·6)/22 ≈ 0.92
    assert (0.86 * 28 - 0.65 * 6) / 22 == pytest.approx(0.917, abs=0.001)


# --- the command line -------------------------------------------------------------------

def test_cli_stress_reports_each_scenario(run_gasmix):
    done = run_gasmix("stress", "-o", "stress")
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(run_gasmix.cwd / "stress" / "stress.csv")
    assert list(table["scenario"]) == [s.id for s in default_case().scenarios]
    assert {"cost_musd", "change_from_base_musd", "unserved_bcf", "avg_marginal_usd_mmbtu",
            "peak_marginal_usd_mmbtu"} <= set(table.columns)
    assert table.loc[table["scenario"] == "base", "change_from_base_musd"].item() == pytest.approx(0.0)
    # Uri hits the deterministic commitments: it costs more than the base.
    assert table.loc[table["scenario"] == "uri", "change_from_base_musd"].item() > 0
    assert "uri" in done.stdout


def test_cli_stochastic_plan_writes_scenario_tables_and_the_four_figures(run_gasmix):
    done = run_gasmix("solve", "--scenarios", "--cvar-weight", "0.5", "-o", "risk")
    assert done.returncode == 0, done.stderr
    folder = run_gasmix.cwd / "risk"
    for name in ("scenarios", "scenario_flows", "commitments", "security", "flows", "constraints"):
        assert (folder / f"{name}.csv").exists(), name
    summary = json.loads((folder / "summary.json").read_text())
    for key in ("expected_cost_musd", "cvar_musd", "vss_musd", "evpi_musd"):
        assert isinstance(summary[key], float), key
    scenarios = pd.read_csv(folder / "scenarios.csv")
    assert {"probability", "cost_musd", "unserved_bcf", "in_cvar_tail"} <= set(scenarios.columns)
    assert scenarios["in_cvar_tail"].any()
    assert "VSS" in done.stdout and "EVPI" in done.stdout


def test_cli_bad_scenarios_file_exits_2(run_gasmix):
    (run_gasmix.cwd / "bad.csv").write_text(HEADER + "base,0.5,,,,,,,\n", encoding="utf-8")
    done = run_gasmix("solve", "--scenarios", "bad.csv", "-o", "p")
    assert done.returncode == 2
    assert "bad.csv" in done.stderr and "add up to 0.5" in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_min_n1_beyond_the_infrastructure_exits_3(run_gasmix):
    done = run_gasmix("solve", "--min-n1", "110", "-o", "p")
    assert done.returncode == 3
    assert "N−1" in done.stderr and "VALLEY_CROSSING" in done.stderr


def test_stress_help_has_an_example():
    from click.testing import CliRunner

    from gasmix import cli

    result = CliRunner().invoke(cli.main, ["stress", "--help"])
    assert result.exit_code == 0 and "Example" in result.output


def test_capacity_factor_on_a_hub_is_rejected(case):
    # A hub is a price index, not a pipe: it takes price multipliers only.
    p = only(problems_with(case, GOOD + "cut,,hub,HH,,,0.5,,\n"), "price_multiplier only")
    assert (p.row, p.column, p.value) == (5, "capacity_factor", 0.5)


def test_cli_capacity_factor_on_a_hub_exits_2(run_gasmix):
    (run_gasmix.cwd / "hub.csv").write_text(HEADER + "base,0.5,,,,,,,\ncut,0.5,,,,,,,\n"
                                            "cut,,hub,HH,,,0.5,,\n", encoding="utf-8")
    done = run_gasmix("solve", "--scenarios", "hub.csv", "-o", "p")
    assert done.returncode == 2
    assert "hub.csv" in done.stderr and "price_multiplier only" in done.stderr


def test_cli_missing_scenarios_file_exits_2(run_gasmix):
    done = run_gasmix("solve", "--scenarios", "nofile.csv", "-o", "p")
    assert done.returncode == 2
    assert "nofile.csv" in done.stderr and "file not found" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("option", [("--cvar-weight", "0.5"), ("--cvar-alpha", "0.9")])
def test_cli_cvar_options_need_scenarios(run_gasmix, option):
    done = run_gasmix("solve", *option, "-o", "p")
    assert done.returncode == 2
    assert option[0] in done.stderr and "--scenarios" in done.stderr
    assert not (run_gasmix.cwd / "p").exists()
