"""Excel workbooks in and out: a case as a workbook solves as its folder does, a broken
workbook is reported by sheet, row and column, and a plan workbook reads well."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import openpyxl
import pytest

from conftest import ROOT
from gasmix.models import CaseError, default_case_path, load_case
from gasmix.models.workbook import case_sheet_rows, write_case_workbook
from gasmix.optimizer import solve


@pytest.fixture
def workbook(tmp_path):
    """The embedded case written as a workbook (as `gasmix init --xlsx` writes it)."""
    path = tmp_path / "mexico.xlsx"
    write_case_workbook(default_case_path(), path)
    return path


def problems_of(path) -> list:
    with pytest.raises(CaseError) as info:
        load_case(path)
    return info.value.problems


def edit(path, sheet: str, cell: str, value) -> None:
    book = openpyxl.load_workbook(path)
    book[sheet][cell] = value
    book.save(path)


def only(problems, **fields):
    hits = [p for p in problems if all(getattr(p, k) == v for k, v in fields.items())]
    assert len(hits) == 1, "\n".join(map(str, problems))
    return hits[0]


# --- round trip -------------------------------------------------------------------------

def test_folder_to_workbook_to_solve_gives_the_same_objective(run_gasmix):
    """CSV folder → `init --xlsx` → `solve`: the same plan as solving the folder."""
    done = run_gasmix("init", "--xlsx", "case.xlsx")
    assert done.returncode == 0, done.stderr
    for args, out in ((["case.xlsx"], "wb"), ([str(default_case_path())], "csv")):
        done = run_gasmix("solve", *args, "--cap", "US=0.6", "-o", out, "-q")
        assert done.returncode == 0, done.stderr
        assert done.stdout == ""
    wb, csv = (json.loads((run_gasmix.cwd / d / "summary.json").read_text()) for d in ("wb", "csv"))
    assert wb["objective_musd"] == pytest.approx(csv["objective_musd"], rel=1e-9)
    assert wb["case"]["name"] == csv["case"]["name"] == "mexico"
    assert wb["case"]["title"] == csv["case"]["title"]


def test_every_case_toml_setting_round_trips(tmp_path):
    """A case.toml using every setting (caps table, exclude list, max_share …) reads back
    from the workbook's case sheet as the same case."""
    folder = tmp_path / "case"
    folder.mkdir()
    for item in default_case_path().iterdir():
        if item.suffix in (".csv",):
            (folder / item.name).write_bytes(item.read_bytes())
    (folder / "case.toml").write_text(
        '[case]\nname = "roundtrip"\ntitle = "All settings"\n'
        '[settings]\nheat_content_mmbtu_per_mcf = 1.02\nvoll_usd_mmbtu = 250.0\n'
        '[policy]\nrisk_weight_usd_mmbtu = 1.5\nmax_share = 0.8\nshare_basis = "horizon"\n'
        'share_of = "imports"\nexclude = ["RU", "QA"]\ncaps = { US = 0.6, NO = 0.3 }\n')
    path = tmp_path / "roundtrip.xlsx"
    write_case_workbook(folder, path)
    a, b = load_case(folder), load_case(path)
    assert (a.name, a.title, a.settings) == (b.name, b.title, b.settings)
    assert a.policy == b.policy
    assert dict(b.policy.caps) == {"US": 0.6, "NO": 0.3} and b.policy.exclude == ("RU", "QA")
    rows = [r[:3] for r in openpyxl.load_workbook(path)["case"].values]
    assert rows[0] == ("section", "key", "value")
    assert ("policy", "caps.US", 0.6) in rows and ("policy", "exclude", "RU, QA") in rows
    assert case_sheet_rows({"policy": {"exclude": []}}) == [("policy", "exclude", "")]


def test_workbook_cells_are_typed(workbook):
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames[0] == "case"
    periods = book["periods"]
    assert [c.value for c in periods[1]] == ["period", "start", "days"]
    assert periods["A2"].value == "2026-01"          # an id stays text
    assert periods["B2"].value.date() == date(2026, 1, 1)  # a date is a date
    assert isinstance(periods["C2"].value, int)
    assert isinstance(book["demand"]["C2"].value, float)


def test_gasmix_validate_reads_a_workbook(run_gasmix, workbook):
    done = run_gasmix("validate", str(workbook))
    assert done.returncode == 0 and "ok" in done.stdout


def test_init_xlsx_never_overwrites(run_gasmix):
    (run_gasmix.cwd / "notes.xlsx").write_text("mine")
    done = run_gasmix("init", "--xlsx", "notes.xlsx")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert (run_gasmix.cwd / "notes.xlsx").read_text() == "mine"
    assert not [p for p in run_gasmix.cwd.iterdir() if p.name != "notes.xlsx"]  # no temp left
    assert run_gasmix("init", "--xlsx", "case.csv").returncode == 2
    assert run_gasmix("init").returncode == 2  # neither a folder nor --xlsx


# --- validation -------------------------------------------------------------------------

def test_bad_cell_names_workbook_sheet_row_column_value(workbook):
    edit(workbook, "demand", "C5", -3.0)
    p = only(problems_of(workbook), sheet="demand")
    assert (p.file, p.row, p.column, p.value) == ("mexico.xlsx", 5, "demand_mmcfd", "-3")
    assert str(p).startswith("mexico.xlsx, sheet demand, row 5, column demand_mmcfd, value '-3': must be ≥ 0")


def test_number_stored_as_text(workbook):
    edit(workbook, "suppliers", "C3", "0.25")
    p = only(problems_of(workbook), sheet="suppliers")
    assert (p.row, p.column, p.value) == (3, "risk", "0.25")
    assert "number stored as text" in p.rule


def test_empty_required_cell(workbook):
    edit(workbook, "sources", "B4", None)
    p = only(problems_of(workbook), sheet="sources")
    assert (p.row, p.column) == (4, "supplier") and "required value is empty" in p.rule


def test_text_where_a_number_is_expected(workbook):
    edit(workbook, "entries", "E2", "lots")
    p = only(problems_of(workbook), sheet="entries")
    assert (p.row, p.column, p.value, p.rule) == (2, "capacity_mmcfd", "lots", "not a number")


def test_a_date_typed_into_an_id_column(workbook):
    edit(workbook, "demand", "B2", date(2026, 1, 1))  # what Excel makes of "2026-01"
    p = only(problems_of(workbook), sheet="demand", row=2)
    assert p.column == "period" and "format the column as Text" in p.rule


def test_references_name_the_sheet(workbook):
    edit(workbook, "sources", "B4", "ZZ")
    p = only(problems_of(workbook), sheet="sources")
    assert p.rule == "unknown supplier (not in sheet suppliers)" and p.row == 4


def test_rules_across_rows_are_the_loaders(workbook):
    """The period chain is checked by the same code as for CSV, naming the sheet."""
    edit(workbook, "periods", "B3", date(2026, 2, 3))
    p = only(problems_of(workbook), sheet="periods", column="start", row=3)
    assert "gap of 2 day(s)" in p.rule


def test_missing_and_unknown_sheets(workbook):
    book = openpyxl.load_workbook(workbook)
    del book["demand"]
    book.create_sheet("notes")
    book.save(workbook)
    problems = problems_of(workbook)
    assert "missing sheet" in only(problems, sheet="demand").rule
    assert "unknown sheet" in only(problems, sheet="notes").rule


def test_case_sheet_problems_name_their_row(workbook):
    book = openpyxl.load_workbook(workbook)
    ws = book["case"]
    rows = {r[1].value: r[0].row for r in ws.iter_rows(min_row=2)}
    ws.cell(rows["voll_usd_mmbtu"], 3).value = -5
    ws.append(["policy", "caps.ZZ", 0.5])
    ws.append(["policy", "colour", "blue"])
    ws.append(["policy", "max_share", "0.6"])
    book.save(workbook)
    problems = [p for p in problems_of(workbook) if p.sheet == "case"]
    assert {(p.row, p.column) for p in problems} == {
        (rows["voll_usd_mmbtu"], "value"), (ws.max_row - 2, "key"), (ws.max_row - 1, "key"),
        (ws.max_row, "value")}
    texts = "\n".join(map(str, problems))
    assert "must be ≥ 0.01" in texts and "unknown supplier" in texts
    assert "unknown setting in [policy]" in texts and "number stored as text" in texts


def test_case_sheet_keys_and_caps_are_named(workbook):
    book = openpyxl.load_workbook(workbook)
    ws = book["case"]
    ws.append(["policy", "caps.US", 1.5])
    ws.append(["policy", "caps.ZZ", 0.5])
    ws.append(["policy", "colour", "blue"])
    book.save(workbook)
    problems = [p for p in problems_of(workbook) if p.sheet == "case"]
    cap = only(problems, row=ws.max_row - 2)
    assert (cap.column, cap.value) == ("value", "caps.US = 1.5") and "must be ≤ 1" in cap.rule
    supplier = only(problems, row=ws.max_row - 1)
    assert supplier.column == "key" and "unknown supplier" in supplier.rule
    unknown = only(problems, row=ws.max_row)
    assert (unknown.column, unknown.value) == ("key", "colour")
    assert "unknown setting in [policy]" in unknown.rule


def test_formula_with_no_saved_result(workbook):
    """openpyxl writes formulas without their results: say so, not "empty"."""
    edit(workbook, "demand", "C5", "=2*100")
    p = only(problems_of(workbook), sheet="demand")
    assert (p.row, p.column, p.value) == (5, "demand_mmcfd", "=2*100")
    assert p.rule == ("a formula with no saved result: open and save the workbook in Excel, "
                      "or type the value")
    book = openpyxl.load_workbook(workbook)
    ws = book["case"]
    rows = {r[1].value: r[0].row for r in ws.iter_rows(min_row=2)}
    ws.cell(rows["voll_usd_mmbtu"], 3).value = "=50*2"
    book.save(workbook)
    p = only(problems_of(workbook), sheet="case")
    assert p.column == "value" and "formula with no saved result" in p.rule


@pytest.mark.parametrize("number", ["1E+999", "-1E+999"])
def test_numbers_that_are_not_finite(workbook, number):
    """openpyxl cannot write inf (it writes an empty cell): put a number that overflows to
    inf in the sheet's XML, as another tool could write it."""
    import re
    import zipfile

    book = openpyxl.load_workbook(workbook)
    index = book.sheetnames.index("demand") + 1
    edit(workbook, "demand", "C5", 12345.5)
    member = f"xl/worksheets/sheet{index}.xml"
    with zipfile.ZipFile(workbook) as z:
        files = {n: z.read(n) for n in z.namelist()}
    xml = files[member].decode()
    xml, n = re.subn(r'(<c r="C5"[^>]*>)<v>12345.5</v>', rf"\g<1><v>{number}</v>", xml)
    assert n == 1
    files[member] = xml.encode()
    with zipfile.ZipFile(workbook, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    p = only(problems_of(workbook), sheet="demand")
    assert (p.row, p.column, p.rule) == (5, "demand_mmcfd", "not a finite number")


def test_excel_error_value(workbook):
    edit(workbook, "demand", "C5", "#DIV/0!")
    p = only(problems_of(workbook), sheet="demand")
    assert p.row == 5 and "an Excel error value (#DIV/0!)" in p.rule


def test_sheet_name_in_another_case(workbook):
    book = openpyxl.load_workbook(workbook)
    book["demand"].title = "tmp"
    book["tmp"].title = "Demand"
    book.save(workbook)
    problems = problems_of(workbook)
    p = only(problems, sheet="Demand")
    assert "did you mean demand" in p.rule
    assert not [q for q in problems if q.sheet == "demand"]  # one problem, not two


def test_disruptions_file_of_a_workbook_case_names_the_periods_sheet(workbook, tmp_path):
    from gasmix.models import load_scenarios
    case = load_case(workbook)
    path = tmp_path / "d.csv"
    path.write_text((default_case_path() / "disruptions.csv").read_text().replace("2027-02", "2031-02", 1))
    with pytest.raises(CaseError) as info:
        load_scenarios(path, case)
    assert any("unknown period (not in sheet periods)" in str(p) for p in info.value.problems)


def test_missing_case_sheet(workbook):
    book = openpyxl.load_workbook(workbook)
    del book["case"]
    book.save(workbook)
    assert "missing sheet" in only(problems_of(workbook), sheet="case").rule


def test_not_a_workbook(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_text("not a zip")
    assert "not a readable .xlsx workbook" in problems_of(path)[0].rule


def test_cli_reports_workbook_problems_with_exit_2(run_gasmix, workbook):
    edit(workbook, "demand", "C5", "x")
    done = run_gasmix("solve", str(workbook), "-o", "plan")
    assert done.returncode == 2
    assert "mexico.xlsx, sheet demand, row 5, column demand_mmcfd, value 'x': not a number" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (run_gasmix.cwd / "plan").exists()


def test_without_openpyxl_the_error_names_the_extra(run_gasmix, workbook):
    """openpyxl made unimportable in the child (as if not installed)."""
    for args in (["validate", str(workbook)], ["solve", "--format", "xlsx"],
                 ["init", "--xlsx", "x.xlsx"]):
        code = ("import sys; sys.modules['openpyxl'] = None; sys.argv = ['gasmix', *sys.argv[1:]];"
                "from gasmix import cli; cli.main()")
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                              cwd=run_gasmix.cwd,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert done.returncode == 2, done.stderr
        assert 'pip install "gasmix[excel]"' in done.stderr and "Traceback" not in done.stderr


# --- the plan workbook ------------------------------------------------------------------

@pytest.fixture(scope="module")
def plan_workbook(tmp_path_factory):
    plan = solve(load_case(default_case_path()), caps={"US": 0.6})
    path = tmp_path_factory.mktemp("xlsx") / "plan.xlsx"
    plan.write(path, format="xlsx")
    return plan, path


def test_plan_workbook_sheets_in_order(plan_workbook):
    plan, path = plan_workbook
    book = openpyxl.load_workbook(path)
    # The summary, the month × supplier balance, the plan tables, then the plan's further
    # tables (security: N−1, HHI; LNG prices by origin and terminal; firm capacity and its
    # payments; pass-through gas).
    assert book.sheetnames == ["summary", "supply by month", "flows", "storage", "transport",
                               "prices", "shares", "constraints", "savings", "security",
                               "adequacy", "lng_prices", "firm_capacity", "pass_through",
                               "demand_tiers"]
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref == ws.dimensions
        assert all(ws.column_dimensions[c].width >= 8 for c in "ABC")
    assert book["flows"].max_row == len(plan.flows) + 1


def test_plan_workbook_prints_landscape_one_page_wide_with_its_header(plan_workbook):
    _, path = plan_workbook
    for ws in openpyxl.load_workbook(path).worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), ws.title
        assert ws.print_title_rows == "$1:$1", ws.title  # the header on every page


def test_plan_workbook_periods_are_text_and_headers_readable(plan_workbook):
    plan, path = plan_workbook
    book = openpyxl.load_workbook(path)
    for name in ("flows", "prices", "security", "supply by month"):
        ws = book[name]
        assert ws["A1"].value == "period" and ws["A2"].value == "2026-01", name
        assert ws["A2"].number_format == "@", name          # text, never a date
        assert ws.column_dimensions["A"].number_format == "@", name  # rows added later too
    header = [c.value for c in book["security"][1]]
    assert not {"ep (MMcf/d)", "pm (MMcf/d)", "sm (MMcf/d)", "lngm (MMcf/d)"} & set(header)
    assert "pipeline entry capacity EPm (MMcf/d)" in header and "LNG regas capacity LNGm (MMcf/d)" in header
    assert "N−1 (%)" in header and "HHI" in header
    n1 = book["security"].cell(2, header.index("N−1 (%)") + 1)
    assert n1.number_format == "0.0" and n1.value == pytest.approx(plan.security["n1_pct"][0])


def test_plan_workbook_month_by_supplier_matrix_closes(plan_workbook):
    plan, path = plan_workbook
    ws = openpyxl.load_workbook(path)["supply by month"]
    header = [c.value for c in ws[1]]
    # suppliers by volume over the horizon, largest first
    by_volume = plan.flows.groupby("supplier")["flow_mmcfd"].sum().sort_values(ascending=False, kind="stable")
    suppliers = [f"{g} (MMcf/d)" for g in by_volume.index if by_volume[g] > 0]  # none who supply nothing
    assert header[0] == "period" and header[1:3] == ["US (MMcf/d)", "MX (MMcf/d)"]
    assert sorted(header[1:-4]) == sorted(suppliers)
    assert header[-4:] == ["storage withdrawal (MMcf/d)", "unserved (MMcf/d)",
                           "storage injection (MMcf/d)", "demand (MMcf/d)"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == list(plan.data.period_ids)
    flows = plan.flows.pivot_table(index="period", columns="supplier", values="flow_mmcfd",
                                   aggfunc="sum")
    for row in rows:
        values = dict(zip(header, row))
        assert values["US (MMcf/d)"] == pytest.approx(flows.loc[row[0], "US"])
        supply = sum(values[h] for h in header[1:-4])
        assert supply + values["storage withdrawal (MMcf/d)"] + values["unserved (MMcf/d)"] == \
            pytest.approx(values["demand (MMcf/d)"] + values["storage injection (MMcf/d)"])
    assert ws["B2"].number_format == "#,##0"


def test_plan_workbook_savings_read_as_terminal_and_report(plan_workbook):
    plan, path = plan_workbook
    ws = openpyxl.load_workbook(path)["savings"]
    header = [c.value for c in ws[1]]
    assert "saving over the horizon (see unit)" in header
    row = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "cap US")
    cell = row[header.index("saving over the horizon (see unit)")]
    expected = plan.savings.set_index("name").loc["cap US", "horizon_saving"]
    assert cell.value == pytest.approx(expected) and expected > 0  # positive: a saving
    assert cell.number_format == "[>=10]#,##0.0;0.000"  # 4,986.2 as the terminal prints it
    assert row[header.index("unit")].value == "MUSD per pp"


def test_plan_workbook_headers_and_formats(plan_workbook):
    plan, path = plan_workbook
    book = openpyxl.load_workbook(path)
    flows = book["flows"]
    header = [c.value for c in flows[1]]
    assert "flow (MMcf/d)" in header and "cost (million USD)" in header
    assert "price (USD/MMBtu)" in header
    assert flows.cell(2, header.index("flow (MMcf/d)") + 1).number_format == "#,##0.0"
    shares = book["shares"]
    header = [c.value for c in shares[1]]
    assert "share (%)" in header
    assert shares.cell(2, header.index("share (%)") + 1).number_format == "0.0%"
    assert shares.cell(2, header.index("share (%)") + 1).value == pytest.approx(plan.shares["share"][0])


def test_plan_workbook_summary_figures(plan_workbook):
    plan, path = plan_workbook
    ws = openpyxl.load_workbook(path)["summary"]
    rows = {r[0]: (r[1], r[2]) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert [c.value for c in ws[1]] == ["figure", "value", "unit"]
    objective = next(k for k in rows if k.startswith("objective"))
    assert rows[objective] == (pytest.approx(plan.objective, rel=1e-12), "million USD")
    assert rows["cash cost"][0] == pytest.approx(plan.summary["cash_cost_musd"])
    assert rows["largest supplier share (US)"][0] == pytest.approx(plan.summary["shares"]["US"])
    # warnings first, where a planner cannot miss them; then the figures
    assert [ws.cell(r, 1).value for r in range(2, 2 + len(plan.summary["warnings"]))] == \
        ["warning"] * len(plan.summary["warnings"]) != []
    assert ws.cell(2, 2).value == plan.summary["warnings"][0]
    first_figure = 2 + len(plan.summary["warnings"])
    assert ws.cell(first_figure, 1).value.startswith("objective")
    assert ws.cell(first_figure, 2).number_format == "#,##0.0"


def test_solve_format_xlsx_cli(run_gasmix):
    done = run_gasmix("solve", "--format", "xlsx", "-q")
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(run_gasmix.cwd / "plan.xlsx").sheetnames[0] == "summary"
    # A second run replaces its own workbook; a foreign file is left alone.
    assert run_gasmix("solve", "--format", "xlsx", "-q").returncode == 0
    (run_gasmix.cwd / "budget.xlsx").write_text("mine")
    done = run_gasmix("solve", "--format", "xlsx", "-o", "budget.xlsx")
    assert done.returncode == 2 and "not a gasmix plan workbook" in done.stderr
    assert (run_gasmix.cwd / "budget.xlsx").read_text() == "mine"
    assert run_gasmix("solve", "--format", "xlsx", "-o", "plan.csv").returncode == 2


def test_stochastic_plan_workbook(run_gasmix):
    done = run_gasmix("solve", "--scenarios", "--cvar-weight", "0.5", "--format", "xlsx",
                      "-o", "r.xlsx", "-q")
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(run_gasmix.cwd / "r.xlsx")
    assert "scenarios" in book.sheetnames
    done = run_gasmix("solve", "--scenarios", "--cvar-weight", "0.5", "--format", "json",
                      "-o", "r.json", "-q")
    plan = json.loads((run_gasmix.cwd / "r.json").read_text())
    summary = plan["summary"]
    rows = {r[0]: (r[1], r[2]) for r in book["summary"].iter_rows(min_row=2, values_only=True)}
    labels = list(rows)
    for key, start in (("mean_risk_objective_musd", "mean-risk objective"),
                       ("expected_cost_musd", "expected cost"),
                       ("cvar_musd", "CVaR α = 95%"),
                       ("vss_musd", "value of the stochastic solution (VSS)"),
                       ("vss_expected_cost_musd", "VSS on expected cost alone"),
                       ("evpi_musd", "expected value of perfect information (EVPI)")):
        label = next(k for k in labels if k.startswith(start))
        assert rows[label] == (pytest.approx(summary[key], rel=1e-9), "million USD"), key
    # The stochastic figures come first; the plan's own figures are the base scenario's.
    assert labels.index("cash cost (base scenario)") > labels.index(
        next(k for k in labels if k.startswith("mean-risk")))
    assert rows["CVaR level α"][0] == pytest.approx(0.95)
    scenarios = book["scenarios"]
    assert scenarios.max_row == len(plan["scenarios"]) + 1
    header = [c.value for c in scenarios[1]]
    assert "probability (%)" in header and "cost (million USD)" in header
    assert scenarios.cell(2, header.index("probability (%)") + 1).number_format == "0.0%"


def test_plan_workbook_summary_units_and_security(plan_workbook):
    plan, path = plan_workbook
    ws = openpyxl.load_workbook(path)["summary"]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True)]
    for label, value, unit in rows:
        if value is None or value == "":
            assert not unit, label  # no unit beside an empty value
        assert "%" != unit, label
    shares = [r for r in rows if r[0].startswith("share of supply")]
    assert shares and all(r[2] == "of supply" for r in shares)
    labels = [r[0] for r in rows]
    assert any(l.startswith("N−1: lowest over the horizon (worst area") for l in labels)
    assert any(l.startswith("Shannon") for l in labels)
    assert "cost: unserved at VOLL" in labels
    assert not any("voll" in l or "hhi" in l for l in labels)


# --- sweeps and frontiers as workbooks ----------------------------------------------------

def test_sweep_as_a_workbook(run_gasmix):
    done = run_gasmix("sweep", "--param", "cap.US=0.6:1.0:0.2", "--param", "price.HH=1,1.5",
                      "--format", "xlsx", "-o", "sweep.xlsx", "-q")
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(run_gasmix.cwd / "sweep.xlsx")
    assert book.sheetnames == ["points", "pivot", "about"]
    points = book["points"]
    header = [c.value for c in points[1]]
    assert header[:3] == ["United States share cap (%)", "HH price (× base)", "status"]
    assert "cash change vs cap.US = 100% (million USD)" in header
    assert points["A2"].number_format == "0%" and points["A2"].value == pytest.approx(0.6)
    cash = {(r[0], r[1]): r[header.index("cash cost (million USD)")]
            for r in points.iter_rows(min_row=2, values_only=True)}
    pivot = book["pivot"]
    assert [c.value for c in pivot[1]] == ["United States share cap (%)", "price.HH = 1", "price.HH = 1.5"]
    for row in pivot.iter_rows(min_row=2, values_only=True):
        share = float(row[0].rstrip("%")) / 100
        assert row[1] == pytest.approx(cash[(share, 1)]) and row[2] == pytest.approx(cash[(share, 1.5)])
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"
    # replaces its own workbook, never another file; a folder name needs the csv format
    assert run_gasmix("sweep", "--param", "cap.US=0.6,1", "--format", "xlsx", "-o", "sweep.xlsx",
                      "-q").returncode == 0
    (run_gasmix.cwd / "mine.xlsx").write_text("mine")
    done = run_gasmix("sweep", "--param", "cap.US=0.6,1", "--format", "xlsx", "-o", "mine.xlsx")
    assert done.returncode == 2 and "not a gasmix sweep workbook" in done.stderr
    assert (run_gasmix.cwd / "mine.xlsx").read_text() == "mine"
    done = run_gasmix("sweep", "--param", "cap.US=0.6,1", "-o", "s.xlsx")
    assert done.returncode == 2 and "add --format xlsx" in done.stderr


def test_frontier_as_a_workbook(run_gasmix):
    done = run_gasmix("frontier", "--shares", "0.6:1:0.2", "--risk-weights", "0,2,4", "--format",
                      "xlsx", "-q")
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(run_gasmix.cwd / "frontier.xlsx")
    assert book.sheetnames == ["points", "about"]
    header = [c.value for c in book["points"][1]]
    assert "Pareto-efficient (each plan once)" in header and "same plan as" in header
    about = {r[0]: r[1] for r in book["about"].iter_rows(min_row=2, values_only=True)}
    points = list(book["points"].iter_rows(min_row=2, values_only=True))
    assert about["Pareto-efficient plans"] == sum(bool(r[header.index("Pareto-efficient (each plan once)")])
                                                  for r in points)


# --- the case workbook carries what case.toml says ------------------------------------------

def test_case_workbook_carries_units_comments_and_a_caps_example(workbook):
    book = openpyxl.load_workbook(workbook)
    ws = book["case"]
    rows = list(ws.values)
    assert rows[0] == ("section", "key", "value", "unit", "note")
    settings = {r[1]: r for r in rows[1:] if r[0] and not r[0].startswith("#")}
    assert settings["voll_usd_mmbtu"][3] == "USD/MMBtu"
    assert "Value of lost load" in settings["voll_usd_mmbtu"][4]  # case.toml's own comment
    assert settings["risk_weight_usd_mmbtu"][4].startswith("lambda")  # its inline comment
    assert rows[1][0].startswith("# gasmix embedded default case")   # the file's head
    example = next(r for r in rows if r[1] == "caps.US")
    assert example[0] == "# policy" and example[2] == 0.6 and "delete the #" in example[4]
    # comment rows are not settings: the case reads as its folder does …
    assert load_case(workbook).policy.caps == {}
    # … and deleting the # puts the example cap into force
    ws.cell(rows.index(example) + 1, 1).value = "policy"
    book.save(workbook)
    assert dict(load_case(workbook).policy.caps) == {"US": 0.6}


def test_case_workbook_periods_and_ids_are_text_with_header_notes(workbook):
    book = openpyxl.load_workbook(workbook)
    for sheet in ("periods", "demand", "sources"):
        ws = book[sheet]
        assert ws["A2"].number_format == "@" and ws.column_dimensions["A"].number_format == "@"
    periods = book["periods"]
    assert periods["B2"].number_format == "yyyy-mm-dd"  # a date stays a date
    assert "period" in periods["A1"].comment.text
    demand = book["demand"]
    header = [c.value for c in demand[1]]
    note = demand.cell(1, header.index("demand_mmcfd") + 1).comment.text
    assert "MMcf/d" in note
    period = header.index("period") + 1
    assert demand.cell(2, period).number_format == "@"  # a period is text, never a date
    assert demand.column_dimensions[chr(64 + period)].number_format == "@"
