"""`gasmix sweep` and `gasmix frontier` end to end: the real command in a subprocess (as a
user runs it), its files, its numbers against separate `gasmix solve` runs, and its
refusals (bad specs, foreign folders, an unreachable scheduler) — exit 2, a clear message,
no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from click.testing import CliRunner

from gasmix import cli
from conftest import ROOT, gasmix_command
from gasmix.models import default_case
from gasmix.optimizer import sweep

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FIGURES = ["objective_musd", "cash_cost_musd", "risk_penalty_musd", "unserved_cost_musd",
           "total_cost_musd", "unserved_bcf", "avg_cost_usd_mmbtu", "hhi", "import_dependence",
           "risk_exposure", "largest_supplier", "largest_share", "largest_period_share",
           "largest_base_share"]


def _env() -> dict:
    env = dict(os.environ)
    if gasmix_command()[0] == sys.executable:
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _run(args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([*gasmix_command(), *args], cwd=cwd, env=_env(), capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module", autouse=True)
def unreachable_scheduler(tmp_path_factory):
    """`gasmix sweep --scheduler tcp://127.0.0.1:1` started now, in the background (Dask
    retries the refused connection until its connect timeout), checked by the last test."""
    work = tmp_path_factory.mktemp("unreachable")
    process = subprocess.Popen([*gasmix_command(), "sweep", "--param", "cap.US=0.5,1",
                                "--scheduler", "tcp://127.0.0.1:1", "-o", "out"],
                               cwd=work, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    yield process, work
    if process.poll() is None:
        process.kill()
        process.communicate()


@pytest.fixture(scope="module")
def issue_sweep(tmp_path_factory):
    """The issue's example, run once: `gasmix sweep --param cap.US=0.4:1.0:0.05`."""
    work = tmp_path_factory.mktemp("issue")
    done = _run(["sweep", "--param", "cap.US=0.4:1.0:0.05"], work)
    return done, work / "sweep"


# --- 6. the issue's example end to end ---------------------------------------------------------

def test_sweep_cli_writes_csv_json_and_png(issue_sweep):
    done, folder = issue_sweep
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    # (.gasmix.json: the manifest of what gasmix wrote, which lets a later sweep replace it)
    assert sorted(p.name for p in folder.iterdir()) == [".gasmix.json", "sweep.csv", "sweep.json", "sweep.png"]
    table = pd.read_csv(folder / "sweep.csv")
    case = default_case()
    shares = [f"share_{s.id}" for s in case.suppliers]
    # exactly the columns sweep()'s docstring lists, in order, one share per supplier
    assert list(table.columns) == ["cap.US", "status", *FIGURES, *shares, "message"]
    assert len(table) == 13 and (table["status"] == "optimal").all()
    assert table["cap.US"].tolist() == pytest.approx([0.4 + 0.05 * i for i in range(13)], abs=1e-12)
    meta = json.loads((folder / "sweep.json").read_text())
    assert meta["kind"] == "sweep" and meta["params"] == ["cap.US"]
    assert meta["points"] == 13 and meta["statuses"] == {"optimal": 13}
    assert meta["case"] == "mexico"
    png = (folder / "sweep.png").read_bytes()
    assert png[:8] == PNG_MAGIC and len(png) > 10_000
    # the terminal summary
    assert "sweep of 13 points over cap.US: 13 optimal" in done.stdout
    # what the sweep says: cash against the uncapped point, where demand is shed, the
    # tightest cap that serves all demand (not a trivial "cheapest" point)
    assert "cheapest" not in done.stdout and "wrote sweep/" in done.stdout
    assert "cash cost against cap.US = 100%, where all demand is served: +0 to" in done.stdout
    assert "demand left unserved at cap.US = 40%" in done.stdout
    table = pd.read_csv(folder / "sweep.csv")
    served = table[table["unserved_bcf"] < 1e-6]["cap.US"].min()
    assert f"tightest cap.US that serves all demand: {served:.0%}" in done.stdout


def test_sweep_cli_table_equals_the_library_sweep(issue_sweep):
    done, folder = issue_sweep
    table = pd.read_csv(folder / "sweep.csv")
    library = sweep(default_case(), {"cap.US": "0.4:1.0:0.05"})
    numeric = [c for c in library.columns if c not in ("status", "largest_supplier", "message")]
    # sweep.csv holds 6 decimals
    for column in numeric:
        assert table[column].to_numpy() == pytest.approx(library[column].to_numpy(), rel=1e-9, abs=2e-6), column
    assert table["largest_supplier"].tolist() == library["largest_supplier"].tolist()


def test_sweep_cli_rows_equal_separate_gasmix_solve_runs(issue_sweep, run_gasmix):
    done, folder = issue_sweep
    table = pd.read_csv(folder / "sweep.csv").set_index("cap.US")
    values = ["0.4", "0.45", "0.6", "0.75", "1.0"]

    def solve(v):
        return run_gasmix("solve", "--cap", f"US={v}", "--format", "json", "-o", "-")

    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(solve, values))
    for v, run in zip(values, runs):
        assert run.returncode == 0, run.stderr
        summary = json.loads(run.stdout)["summary"]
        row = table.loc[float(v)]
        assert row["objective_musd"] == pytest.approx(summary["objective_musd"], rel=1e-6)
        assert row["cash_cost_musd"] == pytest.approx(summary["cash_cost_musd"], rel=1e-6)
        assert row["unserved_bcf"] == pytest.approx(summary["unserved_bcf"], rel=1e-6, abs=1e-5)
        assert row["share_US"] == pytest.approx(summary["shares"]["US"], abs=1e-6)
        assert summary["max_period_shares"]["US"] <= float(v) + 1e-7  # the cap held every month


def test_frontier_cli_writes_csv_json_and_png_and_is_quiet_with_q(run_gasmix):
    done = run_gasmix("frontier", "-q")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # -q: nothing on stdout
    folder = run_gasmix.cwd / "frontier"
    assert sorted(p.name for p in folder.iterdir()) == [".gasmix.json", "frontier.csv", "frontier.json",
                                                       "frontier.png"]
    table = pd.read_csv(folder / "frontier.csv")
    assert len(table) == 15 + 21
    assert set(table["trade_off"]) == {"diversification", "risk"}
    meta = json.loads((folder / "frontier.json").read_text())
    assert meta["kind"] == "frontier" and meta["points"] == 36
    assert meta["trade_offs"] == ["diversification", "risk"]
    assert meta["pareto_points"] == int(table["pareto"].sum())
    assert not table.loc[table["status"] != "optimal", "pareto"].any()
    png = (folder / "frontier.png").read_bytes()
    assert png[:8] == PNG_MAGIC and len(png) > 10_000


def test_sweep_cli_quiet_and_replacing_its_own_output(run_gasmix):
    first = run_gasmix("sweep", "--param", "exclude=none,RU,RU+QA", "-o", "ex", "-q")
    assert first.returncode == 0, first.stderr
    assert first.stdout == ""
    table = pd.read_csv(run_gasmix.cwd / "ex" / "sweep.csv", keep_default_na=False)
    assert table["exclude"].tolist() == ["none", "RU", "RU+QA"]  # as the spec spells it
    # a second sweep into the same folder replaces it (the folder is gasmix's own)
    second = run_gasmix("sweep", "--param", "max_share=0.05,0.3,0.6", "-o", "ex", "-q")
    assert second.returncode == 0, second.stderr
    assert second.stdout == ""
    table = pd.read_csv(run_gasmix.cwd / "ex" / "sweep.csv")
    # failing points are rows with their status, and the sweep went on
    assert table["status"].tolist() == ["invalid", "infeasible", "optimal"]
    assert json.loads((run_gasmix.cwd / "ex" / "sweep.json").read_text())["statuses"] == {
        "invalid": 1, "infeasible": 1, "optimal": 1}


def test_existing_foreign_folder_is_never_overwritten(run_gasmix):
    mine = run_gasmix.cwd / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    done = run_gasmix("sweep", "--param", "cap.US=0.5,1", "-o", "mine")
    assert done.returncode == 2
    assert "is not a gasmix" in done.stderr and "Traceback" not in done.stderr
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    assert (mine / "notes.txt").read_text() == "keep me"
    # no temporary folder left beside it
    assert sorted(p.name for p in run_gasmix.cwd.iterdir()) == ["mine"]


def test_frontier_does_not_overwrite_a_sweep_or_a_plan_folder(tmp_path):
    runner = CliRunner()
    sweep_dir, plan_dir = tmp_path / "s", tmp_path / "p"
    sweep_dir.mkdir()
    (sweep_dir / "sweep.json").write_text("{}")
    plan_dir.mkdir()
    (plan_dir / "summary.json").write_text("{}")
    for folder, command in ((sweep_dir, ["frontier", "--trade-off", "risk", "--risk-weights", "0,1"]),
                            (plan_dir, ["sweep", "--param", "cap.US=1"])):
        result = runner.invoke(cli.main, [*command, "-o", str(folder)])
        assert result.exit_code == 2, result.output
        assert isinstance(result.exception, SystemExit)
        assert "is not a gasmix" in result.output
        assert len(list(folder.iterdir())) == 1


# --- 3. bad specs: exit 2, a clear message, no traceback -----------------------------------------

def test_bad_specs_through_the_real_command(run_gasmix):
    cases = [
        (["--param", "nope=1"], "unknown parameter 'nope'"),
        (["--param", "cap.US"], "expected KEY=VALUE"),                      # no '='
        (["--param", "cap.US=0.5", "--param", "cap.US=0.6"], "given twice"),  # duplicate key
    ]
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda c: run_gasmix("sweep", *c[0], "-o", "out"), cases))
    for (args, message), done in zip(cases, runs):
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr and done.stdout == ""
    assert not (run_gasmix.cwd / "out").exists()


CLI_BAD_SPECS = [
    (["--param", "foo=1"], "unknown parameter 'foo'"),
    (["--param", "cap.XX=0.5"], "unknown supplier 'XX'"),
    (["--param", "price.NOPE=1"], "unknown hub 'NOPE'"),
    (["--param", "capacity.NOPE=1"], "unknown entry 'NOPE'"),
    (["--param", "exclude=none,XX"], "unknown supplier 'XX'"),
    (["--param", "cap.US=1.2"], "not a share between 0 and 1"),
    (["--param", "max_share=-0.1"], "not a share between 0 and 1"),
    (["--param", "demand=-1"], "must be ≥ 0"),
    (["--param", "price.HH=0.5:1:0.1", "--param", "capacity.DOM_SSE=-2"], "must be ≥ 0"),
    (["--param", "demand=1:2:0"], "step must be positive"),
    (["--param", "demand=1:2:-1"], "step must be positive"),
    (["--param", "demand=abc"], "'abc' is not a number"),
    (["--param", "voll=0"], "must be > 0"),
    (["--param", "cap.US"], "expected KEY=VALUE"),
    (["--param", "=0.5"], "expected KEY=VALUE"),
    (["--param", "cap.US="], "expected KEY=VALUE"),
    (["--param", "cap.US=0.5", "--param", "cap.US=0.6"], "given twice"),
    (["--param", "cap.US=0.5", "--param", " cap.US=0.6"], "given twice"),
    ([], "Missing option '--param'"),
    (["--param", "cap.US=0.5", "--workers", "0"], "--workers"),
    (["--param", "cap.US=0.5", "--chunk-size", "0"], "--chunk-size"),
    (["--param", "cap.US=0.5", "--cap", "US=2"], "not a share between 0 and 1"),
]


@pytest.mark.parametrize("args,message", CLI_BAD_SPECS, ids=[" ".join(a) or "none" for a, _ in CLI_BAD_SPECS])
def test_sweep_bad_specs_exit_2_with_a_clear_message(tmp_path, args, message):
    result = CliRunner().invoke(cli.main, ["sweep", *args, "-o", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an exception
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


FRONTIER_BAD_SPECS = [
    (["--shares", "0.5:0.3:-0.1"], "the step must be positive"),
    (["--shares", "0.5,1.5"], "not a share between 0 and 1"),
    (["--supplier", "XX"], "unknown supplier 'XX'"),
    (["--risk-weights", "-1,2"], "must be ≥ 0"),
    (["--risk-weights", "0:1:0"], "step must be positive"),
    (["--trade-off", "cost"], "'cost' is not one of"),
]


@pytest.mark.parametrize("args,message", FRONTIER_BAD_SPECS, ids=[" ".join(a) for a, _ in FRONTIER_BAD_SPECS])
def test_frontier_bad_specs_exit_2_with_a_clear_message(tmp_path, args, message):
    result = CliRunner().invoke(cli.main, ["frontier", *args, "-o", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert message in result.output
    assert not (tmp_path / "out").exists()


def test_time_limited_points_are_rows_in_the_cli(tmp_path):
    # 1 ns per point: every point stops on the time limit; the sweep still writes its table,
    # and exits 4 (no point gave a plan) so that a script does not take it for an answer
    result = CliRunner().invoke(cli.main, ["sweep", "--param", "cap.US=0.5,1", "--time-limit", "1e-9",
                                           "-o", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 4, result.output
    assert "no point gave an optimal plan" in result.output
    table = pd.read_csv(tmp_path / "out" / "sweep.csv")
    assert table["status"].tolist() == ["time_limit", "time_limit"]
    assert table["message"].str.contains("Time limit").all()


def test_cli_base_policy_options_apply_to_every_point(tmp_path):
    # --max-share 0.7 under a cap.US sweep: cap.US=1 lifts the US cap (a cap overrides
    # max_share), so the US may exceed 70% there; other suppliers stay ≤ 70%.
    result = CliRunner().invoke(cli.main, ["sweep", "--param", "cap.US=0.6,1", "--max-share", "0.7",
                                           "--set", "voll_usd_mmbtu=150", "-o", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "o" / "sweep.csv")
    library = sweep(default_case().with_settings(voll_usd_mmbtu=150.0), {"cap.US": "0.6,1"}, max_share=0.7)
    assert table["objective_musd"].to_numpy() == pytest.approx(library["objective_musd"].to_numpy(), rel=1e-9)
    assert table["share_US"][1] > 0.7
    meta = json.loads((tmp_path / "o" / "sweep.json").read_text())
    assert meta["base_policy"] == {"max_share": 0.7}


def test_sweep_summary_of_points_that_serve_no_gas(case_copy, tmp_path):
    # Regression (fixed): with no contract minimums, demand=0 is an optimal plan that buys nothing; its
    # average cost per MMBtu served is undefined (None). When every optimal row has None the
    # column stays `object`, the NaN check in terminal.print_sweep (`x == x`) passes for None, and
    # f"{None:.2f}" raises "TypeError: unsupported format string passed to NoneType.__format__"
    # — exit 1 with a traceback, after sweep.csv was written.
    sources = pd.read_csv(case_copy / "sources.csv")
    sources["min_mmcfd"] = 0.0
    sources.to_csv(case_copy / "sources.csv", index=False)
    result = CliRunner().invoke(cli.main, ["sweep", str(case_copy), "--param", "demand=0",
                                           "-o", str(tmp_path / "out")])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "out" / "sweep.csv")
    # Nothing is bought; what remains is the reservation on firm capacity, paid whatever
    # flows: Σ firm × reservation × heat content × days over the entries in service and arcs.
    periods = pd.read_csv(case_copy / "periods.csv")
    entries = pd.read_csv(case_copy / "entries.csv", dtype={"first_period": str, "last_period": str})
    arcs = pd.read_csv(case_copy / "arcs.csv")
    heat = 1.037
    fixed = 0.0
    for _, period in periods.iterrows():
        open_ = ((entries["first_period"].isna() | (entries["first_period"] <= period["period"]))
                 & (entries["last_period"].isna() | (entries["last_period"] >= period["period"])))
        per_day = (entries["firm_mmcfd"].fillna(0) * entries["reservation_usd_mmbtu"].fillna(0))[open_].sum() \
            + (arcs["firm_mmcfd"].fillna(0) * arcs["reservation_usd_mmbtu"].fillna(0)).sum()
        fixed += per_day * heat * period["days"] * 1e3 / 1e6  # MMcf → MMBtu ×1,037; → million USD
    assert fixed > 0
    assert table["status"].tolist() == ["optimal"]
    assert table["objective_musd"][0] == pytest.approx(fixed, rel=1e-9)
    assert table["unserved_bcf"][0] == 0.0


# --- last: the unreachable scheduler started at the top of the module ----------------------------

def test_unreachable_scheduler_exits_2_with_a_clear_message(unreachable_scheduler):
    process, work = unreachable_scheduler
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 2, stderr
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in stderr
    assert "Traceback" not in stderr and stdout == ""
    assert not (work / "out").exists()


def test_a_scheduler_that_is_not_an_address_exits_2_naming_it(tmp_path):
    done = _run(["sweep", "--param", "cap.US=0.5,1", "--scheduler", "notanaddress", "-o", "out"],
                tmp_path)
    assert done.returncode == 2, done.stderr
    assert "'notanaddress' is not a Dask scheduler address" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()
