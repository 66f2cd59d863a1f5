"""Hostile text on the way out (issue 11, the output side): an id or a description that
looks like a formula is never a live formula in a workbook nor a bare one in a CSV file,
control characters and rich markup in a user's value never reach the terminal as such, and
what gasmix reads back of its own output is the original text.

The case is a copy of the embedded Mexico case with hostile ids, names, descriptions and
titles (`hostile`); everything runs through the real `gasmix` command."""

from __future__ import annotations

import csv
import os
import json
from pathlib import Path

import openpyxl
import pytest

from gasmix.models import load_case
from gasmix.models.workbook import write_case_workbook

LINK = '=HYPERLINK("http://x","y")'      # a supplier id
CALC = "=cmd|' /C calc'!A0"              # a scenario's description
TITLE = "@SUM(1+1)"                      # the case title
PLUS = "+cmd|' /C calc'!A0"              # another scenario's description
MINUS = "-2+3"                           # a supplier's name
MARKUP = "[red]PE[/]:warning:"           # a supplier id read as markup and an emoji code
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
RAW_CONTROLS = (b"\x1b", b"\x07", b"\x00")


def _rewrite(path: Path, edit) -> None:
    """Rewrite the CSV file `path`, `edit(row)` changing each row (a dict) in place."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0])
    for row in rows:
        edit(row)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)


def _rename_supplier(case: Path, old: str, new: str) -> None:
    def rename(row):
        for column in ("supplier",):
            if row.get(column) == old:
                row[column] = new
        if row.get("target_type") == "supplier" and row.get("target") == old:
            row["target"] = new
    for name in ("suppliers.csv", "sources.csv", "lng_origins.csv", "disruptions.csv"):
        _rewrite(case / name, rename)


def make_hostile(case: Path, title: str = TITLE) -> Path:
    """`case` (a copy of the Mexico case) with hostile ids, names, descriptions, title."""
    _rename_supplier(case, "MX", LINK)
    _rename_supplier(case, "PE", MARKUP)

    def describe(row):
        if row["scenario"] == "uri" and row["probability"]:
            row["description"] = CALC
        if row["scenario"] == "altamira_outage" and row["probability"]:
            row["description"] = PLUS
    _rewrite(case / "disruptions.csv", describe)
    _rewrite(case / "suppliers.csv", lambda row: row.update(name=MINUS) if row["supplier"] == "NO" else None)
    toml = (case / "case.toml").read_text(encoding="utf-8")
    start = toml.index("title = ")
    end = toml.index("\n", start)
    toml = toml[:start] + "title = " + json.dumps(title) + "  # =1+1 as a comment" + toml[end:]
    (case / "case.toml").write_text(toml, encoding="utf-8")
    return case


@pytest.fixture
def hostile(case_copy) -> Path:
    return make_hostile(case_copy)


def _text_cells(path: Path) -> dict[str, list]:
    """Every cell holding text, by sheet."""
    book = openpyxl.load_workbook(path)
    return {ws.title: [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
            for ws in book.worksheets}


def assert_no_formula(path: Path, expected: dict[str, tuple[str, ...]]) -> None:
    """No cell of the workbook `path` is a formula (every text cell is a string cell) and
    each sheet of `expected` holds each of its texts as it was given."""
    cells = _text_cells(path)
    book = openpyxl.load_workbook(path)
    formulas = [f"{ws.title}!{c.coordinate}: {c.value!r}" for ws in book.worksheets
                for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert not formulas, formulas
    for sheet, texts in cells.items():
        for cell in texts:
            assert cell.data_type == "s", (sheet, cell.coordinate, cell.value)
    for sheet, texts in expected.items():
        values = {c.value for c in cells[sheet]}
        for text in texts:
            assert any(text in v for v in values), (sheet, text)


# --- 1. workbooks ------------------------------------------------------------------------

def test_plan_workbook_writes_text_never_a_formula(run_gasmix, hostile):
    done = run_gasmix("solve", str(hostile), "--scenarios", "--format", "xlsx", "-o", "p.xlsx", "-q")
    assert done.returncode == 0, done.stderr
    assert_no_formula(run_gasmix.cwd / "p.xlsx", {
        "summary": (TITLE, LINK), "flows": (LINK, MARKUP), "shares": (LINK,),
        "scenarios": (CALC, PLUS), "supply by month": (), "scenario_flows": (LINK,)})
    header = [c.value for c in openpyxl.load_workbook(run_gasmix.cwd / "p.xlsx")["supply by month"][1]]
    assert f"{LINK} (MMcf/d)" in header


def test_study_workbooks_write_text_never_a_formula(run_gasmix, hostile):
    done = run_gasmix("sweep", str(hostile), "--param", "max_share=0.8,1", "--param",
                      "exclude=none,NO", "--format", "xlsx", "-o", "s.xlsx", "-q")
    assert done.returncode == 0, done.stderr
    assert_no_formula(run_gasmix.cwd / "s.xlsx", {"about": (TITLE,), "points": ()})
    done = run_gasmix("frontier", str(hostile), "--trade-off", "risk", "--risk-weights", "0,1",
                      "--format", "xlsx", "-o", "f.xlsx", "-q")
    assert done.returncode == 0, done.stderr
    assert_no_formula(run_gasmix.cwd / "f.xlsx", {"about": (TITLE,)})


def test_case_workbook_writes_text_and_reads_back_the_original(hostile, tmp_path):
    path = tmp_path / "case.xlsx"
    write_case_workbook(hostile, path)
    assert_no_formula(path, {"case": (TITLE, "=1+1 as a comment"), "suppliers": (LINK, MINUS),
                             "disruptions": (CALC, PLUS)})
    folder, book = load_case(hostile), load_case(path)
    assert book.title == folder.title == TITLE
    assert {s.id: s.name for s in book.suppliers} == {s.id: s.name for s in folder.suppliers}
    assert LINK in {s.id for s in book.suppliers}
    assert [s.description for s in book.scenarios] == [s.description for s in folder.scenarios]
    assert CALC in {s.description for s in book.scenarios}


# --- 2. CSV files ------------------------------------------------------------------------

def _fields(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [field for row in csv.reader(handle) for field in row]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_no_bare_formula(folder: Path) -> list[str]:
    """No field of a CSV file in `folder` starts like a formula unless it is a number; the
    fields guarded with a quote are returned."""
    guarded = []
    for path in sorted(folder.glob("*.csv")):
        for field in _fields(path):
            assert not field.startswith(FORMULA_STARTS) or _is_number(field), (path.name, field)
            if field.startswith("'"):
                guarded.append(field)
    return guarded


def test_plan_csv_fields_are_guarded_and_read_back(run_gasmix, hostile):
    from gasmix.optimizer.output.report import read_plan

    done = run_gasmix("solve", str(hostile), "--scenarios", "-o", "p", "-q")
    assert done.returncode == 0, done.stderr
    folder = run_gasmix.cwd / "p"
    guarded = assert_no_bare_formula(folder)
    assert "'" + LINK in guarded and "'" + CALC in guarded and "'" + PLUS in guarded
    # Numbers are never touched: negative figures stay numbers.
    negative = [f for f in _fields(folder / "constraints.csv") + _fields(folder / "scenario_flows.csv")
                if f.startswith("-")]
    assert all(_is_number(f) for f in negative)
    summary, tables = read_plan(folder)
    assert LINK in set(tables["flows"]["supplier"]) and LINK in set(tables["shares"]["supplier"])
    assert set(tables["scenarios"]["description"]) >= {CALC, PLUS}
    assert tables["flows"]["flow_mmcfd"].dtype.kind == "f"
    done = run_gasmix("report", "p")
    assert done.returncode == 0, done.stderr
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "&#x27;=HYPERLINK" not in page and "'=HYPERLINK" not in page


def test_study_csv_fields_are_guarded(run_gasmix, hostile):
    from gasmix.optimizer.output.report import read_stress

    done = run_gasmix("stress", str(hostile), "-o", "st", "-q")
    assert done.returncode == 0, done.stderr
    assert "'" + CALC in assert_no_bare_formula(run_gasmix.cwd / "st")
    _, table, _ = read_stress(run_gasmix.cwd / "st")
    assert CALC in set(table["description"])
    done = run_gasmix("sweep", str(hostile), "--param", "exclude=none,NO", "-o", "sw", "-q")
    assert done.returncode == 0, done.stderr
    assert_no_bare_formula(run_gasmix.cwd / "sw")


def test_csv_guard_round_trips_every_text():
    from gasmix.models.safe_text import csv_field, from_csv_field

    for text in (LINK, CALC, PLUS, MINUS, TITLE, "\tx", "\rx", "'=x", "''@y", "'plain", "plain",
                 "-3.5", "+1", "", "'", "-", "=", "-inf"):
        assert from_csv_field(csv_field(text)) == text, text
        written = csv_field(text)
        assert not written.startswith(FORMULA_STARTS) or _is_number(written), text
    assert csv_field("-3.5") == "-3.5"  # a number is no formula: left as it is


# --- 3. the terminal ---------------------------------------------------------------------

def _assert_clean(done) -> None:
    for stream in (done.stdout, done.stderr):
        for control in RAW_CONTROLS:
            assert control not in stream, (control, stream[:2000])


def test_terminal_shows_markup_literally_and_no_control_characters(hostile, run_gasmix_bytes):
    toml = (hostile / "case.toml").read_text(encoding="utf-8")
    # A title with ESC, BEL and NUL is refused as input (ids and text must be printable);
    # the refusal shows them escaped.
    title = "t\x1b[31mred\x07bell\x00nul [red]R[/] :warning:"
    (hostile / "case.toml").write_text(toml.replace(json.dumps(TITLE), json.dumps(title)),
                                       encoding="utf-8")
    done = run_gasmix_bytes("solve", str(hostile), "-o", "p", "--max-share", "0.8")
    assert done.returncode == 2, done.stderr
    _assert_clean(done)
    assert r"t\x1b[31mred\x07bell\x00nul" in done.stderr.decode()
    # Markup and emoji codes in a title and an id print literally.
    (hostile / "case.toml").write_text(toml.replace(json.dumps(TITLE), json.dumps("t [red]R[/] :warning:")),
                                       encoding="utf-8")
    done = run_gasmix_bytes("solve", str(hostile), "-o", "p", "--max-share", "0.8")
    assert done.returncode == 0, done.stderr
    _assert_clean(done)
    out = done.stdout.decode()
    assert MARKUP in out and "[red]R[/] :warning:" in out and "⚠" not in out
    done = run_gasmix_bytes("stress", str(hostile), "-o", "st")
    assert done.returncode == 0, done.stderr
    _assert_clean(done)
    done = run_gasmix_bytes("sweep", str(hostile), "--param", f"cap.{MARKUP}=0.5,1", "-o", "sw")
    assert done.returncode == 0, done.stderr
    _assert_clean(done)
    assert f"cap.{MARKUP}" in done.stdout.decode()


def test_errors_show_control_characters_escaped(run_gasmix_bytes, case_copy):
    done = run_gasmix_bytes("report", "no\x1b[31mwhere\x07")
    assert done.returncode == 2
    _assert_clean(done)
    assert r"no\x1b[31mwhere\x07" in done.stderr.decode()
    done = run_gasmix_bytes("solve", str(case_copy), "--set", "voll_usd_mmbtu=\x1b[2J", "-o", "p")
    assert done.returncode == 2
    _assert_clean(done)
    done = run_gasmix_bytes("solve", "--\x1b[2J")
    assert done.returncode == 2
    _assert_clean(done)
    _rewrite(case_copy / "suppliers.csv", lambda row: row.update(risk="x\x1b[2J[red]") if row["supplier"] == "NO" else None)
    done = run_gasmix_bytes("validate", str(case_copy))
    assert done.returncode == 2
    _assert_clean(done)
    assert "[red]" in done.stderr.decode()


@pytest.fixture
def run_gasmix_bytes(run_gasmix):
    """run_gasmix, with standard output and error as the raw bytes written."""
    import subprocess

    from conftest import gasmix_command

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*gasmix_command(), *args], cwd=run_gasmix.cwd, capture_output=True,
                              timeout=300)
    run.cwd = run_gasmix.cwd
    return run


# --- 4. what is left of tracebacks and unbounded reads -----------------------------------

def test_report_of_a_deeply_nested_summary_is_an_input_error(run_gasmix):
    done = run_gasmix("solve", "-o", "p", "-q")
    assert done.returncode == 0, done.stderr
    (run_gasmix.cwd / "p" / "summary.json").write_text("[" * 100_000 + "]" * 100_000)
    done = run_gasmix("report", "p")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "summary.json" in done.stderr and "nested" in done.stderr


@pytest.mark.parametrize("args", [
    ("solve", "-o", ""), ("solve", "--format", "json", "-o", ""), ("stress", "-o", ""),
    ("sweep", "--param", "max_share=1", "-o", ""), ("frontier", "-o", ""),
    ("offer", "RU_LNG", "-o", ""), ("report", "p", "-o", ""), ("solve", "--report", ""),
    ("init", "--xlsx", ""), ("init", ""),
])
def test_an_empty_output_path_is_a_usage_error(run_gasmix, args):
    done = run_gasmix(*args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "empty" in done.stderr and "Traceback" not in done.stderr
    assert list(run_gasmix.cwd.iterdir()) == []


def test_oversized_manifest_and_json_plan_are_not_gasmix_output(tmp_path):
    from gasmix.optimizer.errors import PlanWriteError
    from gasmix.optimizer.output import files

    folder = tmp_path / "plan"
    folder.mkdir()
    (folder / "summary.json").write_text("{}")
    manifest = {"generator": "gasmix", "kind": "plan", "files": ["summary.json"],
                "padding": "x" * (files.MANIFEST_LIMIT + 1)}
    (folder / files.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(PlanWriteError, match="not a gasmix plan"):
        files.check_target(folder, "plan")
    manifest["padding"] = ""
    (folder / files.MANIFEST).write_text(json.dumps(manifest))
    files.check_target(folder, "plan")  # the same manifest, small: gasmix's own

    plan = tmp_path / "plan.json"
    plan.write_text('{"generator": "gasmix", "kind": "plan", "summary": {}, "x": "'
                    + "x" * (files.MANIFEST_LIMIT + 1) + '"}')
    assert files._is_gasmix_json(plan)  # read by its head: a large plan is still gasmix's
    plan.write_text('{"kind": "plan", "x": "' + "x" * (files.MANIFEST_LIMIT + 1)
                    + '", "generator": "gasmix"}')
    assert not files._is_gasmix_json(plan)


def test_charts_draw_a_dollar_in_an_id_as_written(case_copy, tmp_path):
    # A supplier id holding `$x^$`: mathtext would typeset it, and this one cannot be
    # typeset (ValueError: the drawing stops); the report's charts draw it as written.
    pytest.importorskip("matplotlib")
    from gasmix import solve
    _rename_supplier(case_copy, "PE", "PE$x^$")
    plan = solve(load_case(case_copy), caps={"US": 0.7})
    page = plan.report(tmp_path / "plan.html").read_text(encoding="utf-8")
    assert "PE$x^$" in page


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_as_the_json_target_is_refused_before_solving(run_gasmix):
    # Checking whether the target is gasmix's own JSON plan opened it, and an open FIFO
    # waits for a writer: the run hung after its solve.
    os.mkfifo(run_gasmix.cwd / "plan.json")
    done = run_gasmix("solve", "--format", "json", "-o", "plan.json")
    assert done.returncode == 2, done.stderr
    assert "not a regular file" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_report_reads_its_sources_within_the_input_limits(run_gasmix):
    # A plan folder whose summary.json is a FIFO: `gasmix report` waited for a writer.
    assert run_gasmix("solve", "-o", "plan").returncode == 0
    summary = run_gasmix.cwd / "plan" / "summary.json"
    summary.unlink()
    os.mkfifo(summary)
    done = run_gasmix("report", "plan", "-o", "plan.html")
    assert done.returncode == 2, done.stderr
    assert "not a regular file" in done.stderr and "Traceback" not in done.stderr
