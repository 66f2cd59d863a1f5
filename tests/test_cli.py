"""End-to-end runs of the gasmix command line: exit codes, files, messages, safe writes."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest
from click.testing import CliRunner

from gasmix import cli
from gasmix.models import default_case
from gasmix.optimizer import SolveStatus
from gasmix.optimizer import deterministic as api_module
from gasmix.optimizer.output import plan_files
from gasmix.optimizer.lp.solvers import SolverResult


def read_plan(folder):
    summary = json.loads((folder / "summary.json").read_text())
    tables = {name: pd.read_csv(folder / f"{name}.csv")
              for name in ("flows", "storage", "transport", "prices", "shares", "constraints")}
    if (folder / "firm_capacity.csv").exists():
        tables["firm_capacity"] = pd.read_csv(folder / "firm_capacity.csv")
    return summary, tables


def test_solve_default_case_from_an_empty_folder(run_gasmix):
    done = run_gasmix("solve", "-o", "plan")
    assert done.returncode == 0, done.stderr
    summary, t = read_plan(run_gasmix.cwd / "plan")
    assert summary["status"] == "optimal"
    assert summary["case"]["name"] == "mexico" and len(summary["case"]["input_sha256"]) == 64
    # The plan's numbers are the case's: demand per node and period, supply = flows.
    case = default_case()
    demand = t["prices"].set_index(["node", "period"])["demand_mmcfd"]
    expected = case.demand.reorder_levels(["node", "period"])
    assert demand.sort_index().to_numpy() == pytest.approx(expected.sort_index().to_numpy())
    assert t["flows"]["volume_bcf"].sum() == pytest.approx(summary["supply_bcf"], rel=1e-9)
    # Cash = gas + transport + storage + the reservation on firm capacity (paid whatever flows).
    assert t["flows"]["cost_musd"].sum() + t["transport"]["cost_musd"].sum() + \
        t["storage"]["cost_musd"].sum() + t["firm_capacity"]["fixed_musd"].sum() \
        == pytest.approx(summary["cash_cost_musd"], rel=1e-6)
    assert t["firm_capacity"]["fixed_musd"].sum() == pytest.approx(summary["fixed_capacity_musd"])
    assert sum(summary["shares"].values()) == pytest.approx(1.0)
    assert 0.70 <= summary["shares"]["US"] <= 0.80
    assert "cost" in done.stdout and "plan written to plan" in done.stdout


def test_us_cap_holds_every_period_and_costs_more(run_gasmix):
    assert run_gasmix("solve", "-o", "base", "-q").returncode == 0
    done = run_gasmix("solve", "--cap", "US=0.6", "-o", "capped")
    assert done.returncode == 0, done.stderr
    base, _ = read_plan(run_gasmix.cwd / "base")
    capped, t = read_plan(run_gasmix.cwd / "capped")
    us = t["shares"][t["shares"]["supplier"] == "US"]
    assert len(us) == 24 and (us["share"] <= 0.6 + 1e-7).all()
    assert (us["cap"] == 0.6).all()
    assert capped["objective_musd"] > base["objective_musd"]
    assert capped["policy"]["caps"] == {"US": 0.6}


def test_cbc_gives_the_same_objective(run_gasmix):
    highs = run_gasmix("solve", "--format", "json", "-o", "highs.json", "-q")
    cbc = run_gasmix("solve", "--solver", "cbc", "--format", "json", "-o", "cbc.json", "-q")
    assert highs.returncode == 0 and cbc.returncode == 0, cbc.stderr
    a = json.loads((run_gasmix.cwd / "highs.json").read_text())
    b = json.loads((run_gasmix.cwd / "cbc.json").read_text())
    assert b["summary"]["solver"] == "cbc"
    assert b["summary"]["objective_musd"] == pytest.approx(a["summary"]["objective_musd"], rel=1e-6)
    assert set(a) == {"generator", "kind", "summary", "flows", "storage", "transport", "prices",
                      "shares", "constraints", "savings", "security", "lng_prices",
                      "firm_capacity", "pass_through", "adequacy", "demand_tiers"}
    assert (a["generator"], a["kind"]) == ("gasmix", "plan")  # what makes it replaceable
    assert len(a["flows"]) == 24 * len(default_case().sources)


def test_quiet_prints_nothing(run_gasmix):
    done = run_gasmix("solve", "-q", "-o", "plan")
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""


def test_validate_and_init_round_trip(run_gasmix):
    assert run_gasmix("validate").returncode == 0
    done = run_gasmix("init", "mycase")
    assert done.returncode == 0, done.stderr
    assert (run_gasmix.cwd / "mycase" / "case.toml").exists()
    assert (run_gasmix.cwd / "mycase" / "SOURCES.md").exists()
    assert run_gasmix("validate", "mycase").returncode == 0
    again = run_gasmix("init", "mycase")
    assert again.returncode == 2 and "not empty" in again.stderr


def test_broken_input_exits_2_naming_file_row_column(run_gasmix, case_copy):
    table = case_copy / "entries.csv"
    frame = pd.read_csv(table, dtype=str, keep_default_na=False)
    frame.loc[2, "capacity_mmcfd"] = "-5"
    frame.to_csv(table, index=False)
    for command in ("validate", "solve"):
        done = run_gasmix(command, str(case_copy))
        assert done.returncode == 2
        assert "entries.csv, row 4, column capacity_mmcfd, value '-5'" in done.stderr
        assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.parametrize("args, message", [
    (["--cap", "US=1.5"], "not a share between 0 and 1"),
    (["--cap", "US"], "expected KEY=VALUE"),
    (["--cap", "XX=0.5"], "unknown supplier"),
    (["--exclude", "ZZ"], "unknown supplier"),
    (["--set", "nope=1"], "unknown setting"),
    (["--set", "voll_usd_mmbtu=abc"], "not a number"),
    (["--set", "voll_usd_mmbtu=-4"], "must be ≥ 0"),
    (["--share-basis", "year"], "Invalid value for '--share-basis'"),
    (["no-such-case"], "case folder not found"),
])
def test_bad_usage_exits_2_with_a_message(run_gasmix, args, message):
    done = run_gasmix("solve", *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_set_overrides_a_case_setting(run_gasmix):
    # With VOLL below the dearest delivered price, leaving some demand unserved is cheaper.
    done = run_gasmix("solve", "--set", "voll_usd_mmbtu=3.5", "-o", "plan", "-q")
    assert done.returncode == 0, done.stderr
    summary, t = read_plan(run_gasmix.cwd / "plan")
    assert summary["policy"]["voll_usd_mmbtu"] == 3.5
    assert summary["unserved_bcf"] > 0
    assert t["prices"]["marginal_cost_usd_mmbtu"].max() <= 3.5 + 1e-6


def test_infeasible_policy_exits_3_with_a_diagnosis(run_gasmix):
    # Domestic production is must-take (2,200 MMcf/d of ~8,800): a 10% cap on MX cannot hold.
    done = run_gasmix("solve", "--cap", "MX=0.1")
    assert done.returncode == 3
    assert "infeasible" in done.stderr and "cap MX" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (run_gasmix.cwd / "plan").exists()


def test_solver_without_a_plan_exits_4(monkeypatch, tmp_path):
    def stopped(model, solver, time_limit):
        return SolverResult(SolveStatus.TIME_LIMIT, solver, 0.0, message="time limit reached")

    monkeypatch.setattr(api_module, "run_solver", stopped)
    result = CliRunner().invoke(cli.main, ["solve", "-o", str(tmp_path / "plan")])
    assert result.exit_code == 4
    assert "time_limit" in result.output and not (tmp_path / "plan").exists()


def test_output_folder_that_is_not_a_plan_is_left_alone(run_gasmix):
    precious = run_gasmix.cwd / "documents"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    done = run_gasmix("solve", "-o", "documents")
    assert done.returncode == 2 and "not a gasmix plan" in done.stderr
    assert (precious / "thesis.txt").read_text() == "years of work"
    assert sorted(p.name for p in precious.iterdir()) == ["thesis.txt"]


def test_interrupted_write_leaves_the_old_plan_intact(monkeypatch, tmp_path):
    runner = CliRunner()
    target = tmp_path / "plan"
    assert runner.invoke(cli.main, ["solve", "-o", str(target), "-q"]).exit_code == 0
    before = {p.name: p.read_bytes() for p in target.iterdir()}

    def interrupted(plan, folder):
        (folder / "flows.csv").write_text("half")
        raise KeyboardInterrupt

    monkeypatch.setattr(plan_files, "write_tables", interrupted)
    result = runner.invoke(cli.main, ["solve", "--cap", "US=0.6", "-o", str(target), "-q"])
    assert result.exit_code != 0
    after = {p.name: p.read_bytes() for p in target.iterdir()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]  # no temporary leftovers


def test_rewriting_a_plan_replaces_it(tmp_path):
    runner = CliRunner()
    target = tmp_path / "plan"
    assert runner.invoke(cli.main, ["solve", "-o", str(target), "-q"]).exit_code == 0
    assert runner.invoke(cli.main, ["solve", "--cap", "US=0.6", "-o", str(target), "-q"]).exit_code == 0
    summary = json.loads((target / "summary.json").read_text())
    assert summary["policy"]["caps"] == {"US": 0.6}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


def test_every_command_help_has_an_example():
    runner = CliRunner()
    for command in ("solve", "validate", "init"):
        result = runner.invoke(cli.main, [command, "--help"])
        assert result.exit_code == 0 and "Example" in result.output


def test_json_to_standard_output_for_shell_pipelines(run_gasmix):
    done = run_gasmix("solve", "--cap", "US=0.7", "--format", "json", "-o", "-")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)  # nothing but the JSON document on stdout
    assert document["summary"]["policy"]["caps"] == {"US": 0.7}
    assert list(run_gasmix.cwd.iterdir()) == []
    assert run_gasmix("solve", "-o", "-").returncode == 2


@pytest.mark.parametrize("breakage, where", [
    (("case.toml", b"[settings\nvoll_usd_mmbtu = 1\n"), "case.toml, row 1"),
    (("nodes.csv", "node,name\nNES,Nuevo Le\xf3n\n".encode("latin-1")), "nodes.csv"),
    (("hub_prices.csv", None), "hub_prices.csv"),
    (("periods.csv", b"period,start,days\n2026-01,2026-01-01,31\n2026-02,2026-02-03,28\n"),
     "periods.csv, row 3, column start"),
])
def test_broken_files_exit_2_without_traceback(case_copy, breakage, where):
    name, content = breakage
    if content is None:
        (case_copy / name).unlink()
    else:
        (case_copy / name).write_bytes(content)
    result = CliRunner().invoke(cli.main, ["solve", str(case_copy), "-o", str(case_copy.parent / "p")])
    assert result.exit_code == 2
    assert where in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert not (case_copy.parent / "p").exists()


@pytest.mark.parametrize("args", [["--risk-weight", "nan"], ["--risk-weight", "inf"],
                                  ["--risk-weight", "5000"], ["--time-limit", "nan"],
                                  ["--max-share", "nan"]])
def test_non_finite_or_out_of_range_numbers_exit_2(args, tmp_path):
    # A NaN risk weight once reached HiGHS and never came back.
    result = CliRunner().invoke(cli.main, ["solve", *args, "-o", str(tmp_path / "p")])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)


def test_user_text_is_not_read_as_terminal_markup():
    result = CliRunner().invoke(cli.main, ["solve", "--exclude", "[bold]XX"])
    assert result.exit_code == 2
    assert "'[bold]XX'" in result.output


def test_summary_of_a_plan_that_serves_no_gas(case_copy, tmp_path):
    demand = pd.read_csv(case_copy / "demand.csv")
    demand["demand_mmcfd"] = 0.0
    demand.to_csv(case_copy / "demand.csv", index=False)
    sources = pd.read_csv(case_copy / "sources.csv", dtype=str, keep_default_na=False)
    sources["min_mmcfd"] = "0"
    sources.to_csv(case_copy / "sources.csv", index=False)
    result = CliRunner().invoke(cli.main, ["solve", str(case_copy), "-o", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert "average cost of gas served –" in result.output


def test_json_output_never_replaces_a_file_that_is_not_a_plan(run_gasmix):
    notes = run_gasmix.cwd / "notes.json"
    notes.write_text('{"summary": "my own notes"}')  # JSON with a "summary", but not gasmix's
    done = run_gasmix("solve", "--format", "json", "-o", "notes.json")
    assert done.returncode == 2 and "not a gasmix JSON plan" in done.stderr
    assert notes.read_text() == '{"summary": "my own notes"}'
    # and a JSON plan's name says it is JSON
    done = run_gasmix("solve", "--format", "json", "-o", "notes.txt")
    assert done.returncode == 2 and "must end in .json" in done.stderr
    assert run_gasmix("solve", "--format", "json", "-o", "plan.json", "-q").returncode == 0
    assert run_gasmix("solve", "--format", "json", "-o", "plan.json", "-q").returncode == 0


def test_plans_are_readable_by_others(run_gasmix):
    assert run_gasmix("solve", "-o", "plan", "-q").returncode == 0
    umask = os.umask(0)
    os.umask(umask)
    # As any folder the user makes (mkdtemp alone would give 0700).
    assert (run_gasmix.cwd / "plan").stat().st_mode & 0o777 == 0o777 & ~umask


def test_init_into_an_impossible_place_exits_2(run_gasmix):
    (run_gasmix.cwd / "afile").write_text("x")
    done = run_gasmix("init", "afile/sub")
    assert done.returncode == 2 and "cannot write the case" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("basis", ["period", "horizon"])
def test_diagnosis_names_the_same_culprit_on_either_basis(case_copy, basis):
    # LNG ≥ 45% of supply cannot hold: the LNG terminals (Altamira 716 + Manzanillo 600
    # MMcf/d, Costa Azul's regas only to March 2026) against ≈ 1,900–2,100 MMcf/d of
    # must-take domestic gas allow at most ≈ 40% in a month, even with all other demand shed.
    # Giving way on the LNG minimum moves the least gas — less than cutting the domestic
    # must-take contracts, which the diagnosis must not name.
    (case_copy / "share_limits.csv").write_text("group_type,group,period,min_share,max_share\n"
                                                 "kind,lng,,0.45,\n")
    result = CliRunner().invoke(cli.main, ["solve", str(case_copy), "--share-basis", basis])
    assert result.exit_code == 3, result.output
    assert "min kind lng" in result.output and "short of its minimum" in result.output
    assert "MX_SSE_20" not in result.output and "MX_NES_20" not in result.output


@pytest.mark.parametrize("args, rule", [
    (["--exclude", "RU"], "a minimum share for RU, which is excluded"),
    (["--cap", "RU=0.02"], "must have at least 5% and at most 2%"),
])
def test_contradictory_share_limits_exit_2(case_copy, args, rule):
    # Shares are of supply, so these would otherwise be "met" by buying no gas at all.
    (case_copy / "share_limits.csv").write_text("group_type,group,period,min_share,max_share\n"
                                                 "supplier,RU,,0.05,\n")
    result = CliRunner().invoke(cli.main, ["solve", str(case_copy), *args])
    assert result.exit_code == 2, result.output
    assert rule in result.output


def test_caps_that_leave_no_room_for_supply_exit_2():
    result = CliRunner().invoke(cli.main, ["solve", "--max-share", "0.05"])
    assert result.exit_code == 2
    assert "caps add up to" in result.output


def test_output_folder_with_a_summary_json_of_its_own_is_left_alone(run_gasmix):
    # A folder that merely holds a file called summary.json is not a plan: the user's other
    # files in it must survive `-o` (the manifest, not a file name, marks gasmix output).
    mine = run_gasmix.cwd / "myproject"
    mine.mkdir()
    (mine / "summary.json").write_text('{"a": 1}')
    (mine / "thesis.docx").write_text("years of work")
    done = run_gasmix("solve", "-o", "myproject", "-q")
    assert done.returncode == 2 and "is not a gasmix plan" in done.stderr
    assert sorted(p.name for p in mine.iterdir()) == ["summary.json", "thesis.docx"]


def test_a_plan_folder_with_a_file_added_is_not_replaced(run_gasmix):
    assert run_gasmix("solve", "-o", "plan", "-q").returncode == 0
    (run_gasmix.cwd / "plan" / "my-notes.txt").write_text("keep me")
    done = run_gasmix("solve", "--cap", "US=0.7", "-o", "plan", "-q")
    assert done.returncode == 2 and "files gasmix did not write (my-notes.txt)" in done.stderr
    assert (run_gasmix.cwd / "plan" / "my-notes.txt").read_text() == "keep me"


def test_one_kind_of_output_does_not_replace_another(run_gasmix):
    assert run_gasmix("solve", "-o", "out", "-q").returncode == 0
    done = run_gasmix("stress", "-o", "out", "-q")
    assert done.returncode == 2 and "is not a gasmix stress: it holds a gasmix plan" in done.stderr
    assert (run_gasmix.cwd / "out" / "flows.csv").exists()


def test_a_parent_that_is_a_file_is_named(run_gasmix):
    (run_gasmix.cwd / "afile").write_text("x")
    done = run_gasmix("solve", "-o", "afile/plan", "-q")
    assert done.returncode == 2 and "afile is a file, not a folder" in done.stderr


def test_an_output_folder_that_cannot_be_written_is_refused_before_solving(run_gasmix):
    # The refusal comes before the work: no solve, no progress, only the message.
    mine = run_gasmix.cwd / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    for command in (["solve"], ["stress"], ["sweep", "--param", "cap.US=0.6,1"], ["frontier"]):
        done = run_gasmix(*command, "-o", "mine")
        assert done.returncode == 2, (command, done.stderr)
        assert "mine exists and is not a gasmix" in done.stderr
        assert "objective" not in done.stdout
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
