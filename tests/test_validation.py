"""The case loader's validation rules, one test per rule.

Each test copies the embedded Mexico case to a temporary folder, breaks exactly one thing,
and checks that `load_case` raises a `CaseError` whose Problem names the file, the row
(spreadsheet numbering: header = row 1, first data row = row 2), the column, the value and
the rule, both as attributes and in the printed message.
"""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

from gasmix.models import CaseError, Problem, load_case

MEXICO = Path(__file__).resolve().parent.parent / "inputs" / "mexico"


# --- helpers ----------------------------------------------------------------------------

@pytest.fixture
def case(tmp_path: Path) -> Path:
    """A private, editable copy of the embedded Mexico case."""
    folder = tmp_path / "mexico"
    shutil.copytree(MEXICO, folder, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    return folder


def read_rows(folder: Path, file: str) -> list[list[str]]:
    with open(folder / file, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def write_rows(folder: Path, file: str, rows: list[list[str]]) -> None:
    with open(folder / file, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def set_cell(folder: Path, file: str, row: int, column: str, value: str) -> str:
    """Set one cell; `row` is the spreadsheet row (2 = first data row). Returns the old value."""
    rows = read_rows(folder, file)
    col = rows[0].index(column)
    old = rows[row - 1][col]
    rows[row - 1][col] = value
    write_rows(folder, file, rows)
    return old


def get_cell(folder: Path, file: str, row: int, column: str) -> str:
    rows = read_rows(folder, file)
    return rows[row - 1][rows[0].index(column)]


def drop_row(folder: Path, file: str, row: int) -> list[str]:
    rows = read_rows(folder, file)
    removed = rows.pop(row - 1)
    write_rows(folder, file, rows)
    return removed


def drop_column(folder: Path, file: str, column: str) -> None:
    rows = read_rows(folder, file)
    col = rows[0].index(column)
    write_rows(folder, file, [r[:col] + r[col + 1:] for r in rows])


def replace_text(folder: Path, file: str, old: str, new: str) -> None:
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(folder: Path) -> list[Problem]:
    """Load the case, which must fail, and return every problem reported."""
    with pytest.raises(CaseError) as info:
        load_case(folder)
    return info.value.problems


def find(problems: list[Problem], file: str, *, column: str | None = None,
         row: int | None = None, rule: str | None = None) -> Problem:
    """The single problem for this file (and column / row / rule fragment, if given)."""
    hits = [p for p in problems
            if p.file == file
            and (column is None or p.column == column)
            and (row is None or p.row == row)
            and (rule is None or rule in p.rule)]
    assert len(hits) == 1, (f"expected one problem for {file} column={column} row={row} "
                            f"rule~{rule!r}; got:\n" + "\n".join(map(str, problems)))
    return hits[0]


def check(p: Problem, *, file: str, row: int | None, column: str | None, value, rule: str) -> None:
    """The problem's fields are as expected and its message names all of them."""
    assert p.file == file
    assert p.row == row
    assert p.column == column
    if value is None:
        assert p.value is None
    else:
        assert str(p.value) == str(value)
    assert rule in p.rule, p.rule
    text = str(p)
    assert text.startswith(file)
    assert text.endswith(": " + p.rule)
    if row is not None:
        assert f"row {row}" in text
    if column is not None:
        assert f"column {column}" in text
    if value is not None:
        assert f"value {str(value)!r}" in text
    assert rule in text


# --- the unmodified case ----------------------------------------------------------------

def test_unmodified_copy_loads(case):
    loaded = load_case(case)
    assert loaded.name == "mexico"
    assert len(loaded.periods) == 24
    assert len(loaded.nodes) == 7


def test_case_folder_not_found(tmp_path):
    missing = tmp_path / "no_such_case"
    with pytest.raises(CaseError) as info:
        load_case(missing)
    [p] = info.value.problems
    check(p, file=str(missing), row=None, column=None, value=None, rule="case folder not found")
    assert str(missing) in str(info.value)


def test_case_folder_is_a_file(tmp_path):
    path = tmp_path / "case.toml"
    path.write_text("[case]\n")
    [p] = problems_of(path)
    check(p, file=str(path), row=None, column=None, value=None, rule="case folder not found")


def test_every_problem_reported_in_one_pass(case):
    set_cell(case, "entries.csv", 3, "capacity_mmcfd", "-5")
    set_cell(case, "suppliers.csv", 4, "risk", "1.5")
    set_cell(case, "periods.csv", 5, "days", "30.5")
    set_cell(case, "arcs.csv", 2, "capacity_mmcfd", "abc")
    replace_text(case, "case.toml", "voll_usd_mmbtu = 100.0", "voll_usd_mmbtu = -1")
    (case / "prices.csv").write_text("hub,period,price\n")
    with pytest.raises(CaseError) as info:
        load_case(case)
    err = info.value
    problems = err.problems
    find(problems, "entries.csv", row=3, column="capacity_mmcfd")
    find(problems, "suppliers.csv", row=4, column="risk")
    find(problems, "periods.csv", row=5, column="days")
    find(problems, "arcs.csv", row=2, column="capacity_mmcfd")
    find(problems, "case.toml", column="settings.voll_usd_mmbtu")
    find(problems, "prices.csv")
    assert len(problems) == 6, "\n".join(map(str, problems))
    report = str(err)
    assert report.startswith("6 problems in case mexico:")
    assert all(f"  - {p}" in report for p in problems)


# --- headers ----------------------------------------------------------------------------

def test_missing_required_column(case):
    drop_column(case, "demand.csv", "demand_mmcfd")
    problems = problems_of(case)
    p = find(problems, "demand.csv", column="demand_mmcfd")
    check(p, file="demand.csv", row=1, column="demand_mmcfd", value=None,
          rule="required column is missing from the header")


def test_optional_column_may_be_left_out(case):
    drop_column(case, "arcs.csv", "tariff_usd_mmbtu")
    loaded = load_case(case)
    assert all(a.tariff_usd_mmbtu == 0.0 for a in loaded.arcs)


def test_unknown_column(case):
    rows = read_rows(case, "arcs.csv")
    write_rows(case, "arcs.csv", [r + (["colour"] if i == 0 else ["red"]) for i, r in enumerate(rows)])
    p = find(problems_of(case), "arcs.csv", column="colour")
    check(p, file="arcs.csv", row=1, column="colour", value=None, rule="unknown column")
    assert "known: arc, from_node, to_node, capacity_mmcfd, tariff_usd_mmbtu" in p.rule


def test_duplicate_column_in_header(case):
    rows = read_rows(case, "arcs.csv")
    write_rows(case, "arcs.csv", [r + [r[3]] for r in rows])  # capacity_mmcfd twice
    p = find(problems_of(case), "arcs.csv", column="capacity_mmcfd")
    check(p, file="arcs.csv", row=1, column="capacity_mmcfd", value=None,
          rule="column appears twice in the header")


def test_header_found_after_leading_blank_lines(case):
    """Blank lines are skipped but counted, so the header on line 3 is reported as row 3."""
    text = (case / "demand.csv").read_text()
    (case / "demand.csv").write_text("\n\n" + text.replace("demand_mmcfd", "demand", 1))
    p = find(problems_of(case), "demand.csv", column="demand_mmcfd")
    check(p, file="demand.csv", row=3, column="demand_mmcfd", value=None,
          rule="required column is missing from the header")


def test_bad_header_does_not_cascade_into_unknown_references(case):
    replace_text(case, "entries.csv", "capacity_mmcfd", "capacity")
    problems = problems_of(case)
    assert {p.file for p in problems} == {"entries.csv"}, "\n".join(map(str, problems))


# --- cells: types and ranges ------------------------------------------------------------

def test_non_numeric_number(case):
    set_cell(case, "demand.csv", 4, "demand_mmcfd", "abc")
    p = find(problems_of(case), "demand.csv", column="demand_mmcfd")
    check(p, file="demand.csv", row=4, column="demand_mmcfd", value="abc", rule="not a number")


@pytest.mark.parametrize("text", ["inf", "-inf", "nan", "NaN", "Infinity"])
def test_non_finite_number(case, text):
    set_cell(case, "hub_prices.csv", 5, "price_usd_mmbtu", text)
    p = find(problems_of(case), "hub_prices.csv", column="price_usd_mmbtu")
    check(p, file="hub_prices.csv", row=5, column="price_usd_mmbtu", value=text,
          rule="must be a finite number")


def test_negative_capacity(case):
    set_cell(case, "entries.csv", 3, "capacity_mmcfd", "-5")
    p = find(problems_of(case), "entries.csv", column="capacity_mmcfd")
    check(p, file="entries.csv", row=3, column="capacity_mmcfd", value="-5",
          rule="must be ≥ 0 (negative not allowed)")


def test_negative_tariff(case):
    set_cell(case, "entries.csv", 2, "tariff_usd_mmbtu", "-1")
    p = find(problems_of(case), "entries.csv", column="tariff_usd_mmbtu")
    check(p, file="entries.csv", row=2, column="tariff_usd_mmbtu", value="-1",
          rule="must be ≥ 0 (negative not allowed)")


def test_negative_hub_price_is_allowed(case):
    set_cell(case, "hub_prices.csv", 2, "price_usd_mmbtu", "-2.5")
    loaded = load_case(case)
    assert loaded.hub_prices[("HH", "2026-01")] == -2.5


def test_hub_price_below_its_minimum(case):
    set_cell(case, "hub_prices.csv", 2, "price_usd_mmbtu", "-150")
    p = find(problems_of(case), "hub_prices.csv", column="price_usd_mmbtu")
    check(p, file="hub_prices.csv", row=2, column="price_usd_mmbtu", value="-150",
          rule="must be ≥ -100")
    assert "negative not allowed" not in p.rule


def test_risk_share_above_one(case):
    set_cell(case, "suppliers.csv", 4, "risk", "1.5")
    p = find(problems_of(case), "suppliers.csv", column="risk")
    check(p, file="suppliers.csv", row=4, column="risk", value="1.5", rule="must be ≤ 1")


def test_non_integer_days(case):
    set_cell(case, "periods.csv", 2, "days", "30.5")
    p = find(problems_of(case), "periods.csv", column="days")
    check(p, file="periods.csv", row=2, column="days", value="30.5", rule="must be a whole number")


def test_days_out_of_range(case):
    set_cell(case, "periods.csv", 25, "days", "0")
    p = find(problems_of(case), "periods.csv", column="days")
    check(p, file="periods.csv", row=25, column="days", value="0", rule="must be ≥ 1")


def test_bad_date(case):
    set_cell(case, "periods.csv", 2, "start", "2026-13-01")
    p = find(problems_of(case), "periods.csv", column="start")
    check(p, file="periods.csv", row=2, column="start", value="2026-13-01",
          rule="not a date (expected YYYY-MM-DD)")


@pytest.mark.parametrize("text", ["20260101", "2026-W01-4"])
def test_date_must_be_yyyy_mm_dd(case, text):
    set_cell(case, "periods.csv", 2, "start", text)
    p = find(problems_of(case), "periods.csv", column="start")
    check(p, file="periods.csv", row=2, column="start", value=text,
          rule="not a date (expected YYYY-MM-DD)")


def test_id_with_a_space(case):
    set_cell(case, "arcs.csv", 2, "arc", "LOS RAMONES")
    p = find(problems_of(case), "arcs.csv", column="arc")
    check(p, file="arcs.csv", row=2, column="arc", value="LOS RAMONES",
          rule="an id may not contain spaces")


def test_choice_not_in_list(case):
    set_cell(case, "entries.csv", 4, "kind", "ship")
    p = find(problems_of(case), "entries.csv", column="kind")
    check(p, file="entries.csv", row=4, column="kind", value="ship",
          rule="must be one of pipeline, lng, domestic")


def test_required_value_empty(case):
    set_cell(case, "nodes.csv", 3, "node", "")
    problems = problems_of(case)
    p = find(problems, "nodes.csv", column="node")
    # The empty value is shown as '' so the message says which value was wrong.
    check(p, file="nodes.csv", row=3, column="node", value="", rule="required value is empty")
    assert "value ''" in str(p)


def test_wrong_number_of_cells(case):
    rows = read_rows(case, "arcs.csv")
    rows[3] = rows[3][:-1]  # row 4 loses its last cell
    write_rows(case, "arcs.csv", rows)
    width = len(rows[0])
    p = find(problems_of(case), "arcs.csv", row=4)
    check(p, file="arcs.csv", row=4, column=None, value=None,
          rule=f"has {width - 1} cells, the header has {width}")


def test_blank_lines_still_count_in_row_numbers(case):
    rows = read_rows(case, "arcs.csv")
    rows.insert(2, [])  # a blank line 3: the old row 3 is now line 4
    write_rows(case, "arcs.csv", rows)
    set_cell(case, "arcs.csv", 4, "capacity_mmcfd", "-1")
    p = find(problems_of(case), "arcs.csv", column="capacity_mmcfd")
    check(p, file="arcs.csv", row=4, column="capacity_mmcfd", value="-1",
          rule="negative not allowed")


# --- duplicates -------------------------------------------------------------------------

def test_duplicate_source_id(case):
    first = get_cell(case, "sources.csv", 2, "source")
    set_cell(case, "sources.csv", 5, "source", first)
    p = find(problems_of(case), "sources.csv", column="source")
    check(p, file="sources.csv", row=5, column="source", value=first,
          rule="duplicate id: first given in row 2")


def test_duplicate_node_period_in_demand(case):
    assert get_cell(case, "demand.csv", 2, "period") == "2026-01"
    set_cell(case, "demand.csv", 3, "period", "2026-01")  # NES 2026-01 twice, 2026-02 gone
    problems = problems_of(case)
    p = find(problems, "demand.csv", rule="duplicate")
    check(p, file="demand.csv", row=3, column="node, period", value="NES × 2026-01",
          rule="duplicate node × period: first given in row 2")
    find(problems, "demand.csv", rule="node NES has no demand_mmcfd for period(s) 2026-02")
    assert len(problems) == 2


# --- references between tables ----------------------------------------------------------

@pytest.mark.parametrize("file,row,column,value,rule", [
    ("entries.csv", 2, "node", "XX", "unknown node (not in nodes.csv)"),
    ("sources.csv", 3, "entry", "NOPE", "unknown entry (not in entries.csv)"),
    ("sources.csv", 4, "supplier", "ZZ", "unknown supplier (not in suppliers.csv)"),
    ("sources.csv", 5, "hub", "NBP", "unknown hub (no prices in hub_prices.csv)"),
    ("sources.csv", 6, "first_period", "2025-12", "unknown period (not in periods.csv)"),
    ("demand.csv", 2, "node", "YUC", "unknown node (not in nodes.csv)"),
    ("arcs.csv", 3, "to_node", "GT", "unknown node (not in nodes.csv)"),
    ("storage.csv", 3, "node", "OAX", "unknown node (not in nodes.csv)"),
])
def test_reference_to_unknown_key(case, file, row, column, value, rule):
    set_cell(case, file, row, column, value)
    p = find(problems_of(case), file, column=column)
    check(p, file=file, row=row, column=column, value=value, rule=rule)


# --- rules across rows ------------------------------------------------------------------

def test_source_min_above_max(case):
    set_cell(case, "sources.csv", 3, "min_mmcfd", "500")
    set_cell(case, "sources.csv", 3, "max_mmcfd", "300")
    p = find(problems_of(case), "sources.csv", column="min_mmcfd")
    check(p, file="sources.csv", row=3, column="min_mmcfd", value="500",
          rule="min_mmcfd 500 is above max_mmcfd 300")


def test_share_limits_min_above_max_and_share_above_one(case):
    write_rows(case, "share_limits.csv", [
        ["group_type", "group", "period", "min_share", "max_share"],
        ["supplier", "US", "", "0.7", "0.5"],
        ["kind", "lng", "2026-03", "", "1.2"],
    ])
    problems = problems_of(case)
    assert len(problems) == 2, "\n".join(map(str, problems))
    check(find(problems, "share_limits.csv", row=2), file="share_limits.csv", row=2,
          column="min_share", value="0.7", rule="min_share 0.7 is above max_share 0.5")
    check(find(problems, "share_limits.csv", row=3), file="share_limits.csv", row=3,
          column="max_share", value="1.2", rule="must be ≤ 1")


def test_share_limits_valid_file_loads(case):
    write_rows(case, "share_limits.csv", [
        ["group_type", "group", "period", "min_share", "max_share"],
        ["supplier", "US", "", "0.2", "0.6"],
        ["kind", "lng", "2026-03", "", "0.4"],
    ])
    loaded = load_case(case)
    assert len(loaded.policy.limits) == 2


def test_share_limit_needs_min_or_max(case):
    write_rows(case, "share_limits.csv", [
        ["group_type", "group", "period", "min_share", "max_share"],
        ["supplier", "US", "", "", ""],
    ])
    p = find(problems_of(case), "share_limits.csv")
    check(p, file="share_limits.csv", row=2, column="max_share", value=None,
          rule="give min_share, max_share or both")


def test_share_limit_unknown_group(case):
    write_rows(case, "share_limits.csv", [
        ["group_type", "group", "period", "min_share", "max_share"],
        ["supplier", "US", "", "", "0.5"],
        ["source", "NO_SUCH_SOURCE", "", "", "0.5"],
    ])
    p = find(problems_of(case), "share_limits.csv")
    check(p, file="share_limits.csv", row=3, column="group", value="NO_SUCH_SOURCE",
          rule="unknown source")


def test_period_gap(case):
    set_cell(case, "periods.csv", 2, "days", "29")  # 2026-01 ends on the 29th
    p = find(problems_of(case), "periods.csv")
    check(p, file="periods.csv", row=3, column="start", value="2026-02-01",
          rule="gap of 2 day(s) after the previous period (expected start 2026-01-30)")


def test_period_overlap(case):
    set_cell(case, "periods.csv", 2, "days", "33")
    p = find(problems_of(case), "periods.csv")
    check(p, file="periods.csv", row=3, column="start", value="2026-02-01",
          rule="overlaps the previous period by 2 day(s) (expected start 2026-02-03)")


def test_hub_price_missing_for_a_period(case):
    removed = drop_row(case, "hub_prices.csv", 4)
    assert removed[:2] == ["HH", "2026-03"]
    p = find(problems_of(case), "hub_prices.csv")
    # A missing row has no row number; the message names the hub and the period instead.
    check(p, file="hub_prices.csv", row=None, column="price_usd_mmbtu", value=None,
          rule="hub HH has no price_usd_mmbtu for period(s) 2026-03")


def test_demand_missing_for_node_and_period(case):
    removed = drop_row(case, "demand.csv", 30)
    node, period = removed[:2]
    p = find(problems_of(case), "demand.csv")
    check(p, file="demand.csv", row=None, column="demand_mmcfd", value=None,
          rule=f"node {node} has no demand_mmcfd for period(s) {period}")


def test_many_missing_periods_are_summarised(case):
    rows = read_rows(case, "demand.csv")
    write_rows(case, "demand.csv", [r for r in rows if r[0] != "BC"])
    p = find(problems_of(case), "demand.csv")
    check(p, file="demand.csv", row=None, column="demand_mmcfd", value=None,
          rule="node BC has no demand_mmcfd for period(s) 2026-01, 2026-02, 2026-03, 2026-04 "
               "and 20 more")


def test_source_kind_does_not_match_entry(case):
    assert get_cell(case, "sources.csv", 2, "entry") == "VALLEY_CROSSING"
    set_cell(case, "sources.csv", 2, "kind", "lng")
    p = find(problems_of(case), "sources.csv", column="kind")
    check(p, file="sources.csv", row=2, column="kind", value="lng",
          rule="kind lng does not match the kind of entry VALLEY_CROSSING (pipeline)")


def test_arc_from_node_equals_to_node(case):
    set_cell(case, "arcs.csv", 3, "to_node", get_cell(case, "arcs.csv", 3, "from_node"))
    p = find(problems_of(case), "arcs.csv")
    check(p, file="arcs.csv", row=3, column="to_node", value="NTE",
          rule="an arc must join two different nodes")


def test_storage_initial_above_working_gas(case):
    assert get_cell(case, "storage.csv", 2, "working_gas_bcf") == "5"
    set_cell(case, "storage.csv", 2, "initial_bcf", "7")
    p = find(problems_of(case), "storage.csv")
    check(p, file="storage.csv", row=2, column="initial_bcf", value="7",
          rule="initial_bcf 7 is above working_gas_bcf 5")


def test_storage_floor_above_working_gas(case):
    set_cell(case, "storage.csv", 3, "floor_bcf", "12")
    p = find(problems_of(case), "storage.csv")
    check(p, file="storage.csv", row=3, column="floor_bcf", value="12",
          rule="floor_bcf 12 is above working_gas_bcf 10")


def test_storage_floors_table_above_working_gas(case):
    write_rows(case, "storage_floors.csv", [
        ["storage", "period", "floor_bcf"],
        ["JAF", "2026-11", "4"],
        ["JAF", "2026-12", "11"],
    ])
    p = find(problems_of(case), "storage_floors.csv")
    check(p, file="storage_floors.csv", row=3, column="floor_bcf", value="11",
          rule="floor_bcf 11 is above working_gas_bcf 10")


def test_first_period_after_last_period(case):
    set_cell(case, "entries.csv", 2, "first_period", "2027-01")
    set_cell(case, "entries.csv", 2, "last_period", "2026-12")
    p = find(problems_of(case), "entries.csv")
    check(p, file="entries.csv", row=2, column="first_period", value="2027-01",
          rule="first_period 2027-01 is after last_period 2026-12")


# --- files ------------------------------------------------------------------------------

def test_empty_table_header_only(case):
    (case / "arcs.csv").write_text("arc,from_node,to_node,capacity_mmcfd,tariff_usd_mmbtu\n")
    p = find(problems_of(case), "arcs.csv")
    check(p, file="arcs.csv", row=None, column=None, value=None,
          rule="the table is empty: it has a header but no rows")


def test_empty_file_zero_bytes(case):
    (case / "arcs.csv").write_bytes(b"")
    [p] = problems_of(case)
    check(p, file="arcs.csv", row=None, column=None, value=None, rule="the file is empty")


def test_optional_table_may_be_missing(case):
    (case / "arcs.csv").unlink()
    (case / "storage.csv").unlink()
    loaded = load_case(case)
    assert loaded.arcs == () and loaded.storage == ()


def test_required_table_missing(case):
    (case / "sources.csv").unlink()
    [p] = problems_of(case)
    check(p, file="sources.csv", row=None, column=None, value=None,
          rule="missing table: this case needs it")


def test_case_toml_missing(case):
    (case / "case.toml").unlink()
    [p] = problems_of(case)
    check(p, file="case.toml", row=None, column=None, value=None,
          rule="missing: every case folder needs case.toml")


def test_unreadable_file_directory(case):
    (case / "demand.csv").unlink()
    (case / "demand.csv").mkdir()
    p = find(problems_of(case), "demand.csv")
    check(p, file="demand.csv", row=None, column=None, value=None, rule="cannot read the file")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads files whatever their mode")
def test_unreadable_file_permissions(case):
    path = case / "demand.csv"
    path.chmod(0)
    try:
        p = find(problems_of(case), "demand.csv")
    finally:
        path.chmod(0o644)
    check(p, file="demand.csv", row=None, column=None, value=None,
          rule="cannot read the file (Permission denied)")


def test_non_utf8_file(case):
    text = (case / "nodes.csv").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    lines[3] = "CEN,Centro M\xe9xico\n"  # line 4
    (case / "nodes.csv").write_bytes("".join(lines).encode("latin-1"))
    [p] = problems_of(case)
    check(p, file="nodes.csv", row=4, column=None, value=None, rule="not UTF-8 text")
    assert "line 4" in p.rule and "save the file as UTF-8" in p.rule


def test_utf8_with_bom_is_accepted(case):
    path = case / "nodes.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(load_case(case).nodes) == 7


def test_csv_syntax_error(case):
    set_cell(case, "sources.csv", 2, "description", "x" * 200_000)
    p = find(problems_of(case), "sources.csv")
    check(p, file="sources.csv", row=2, column=None, value=None, rule="CSV syntax error")


def test_unclosed_quote_is_an_error_not_a_swallowed_file(case):
    # Without strict parsing the open quote would swallow the rest of nodes.csv and every
    # later node would be "unknown" elsewhere.
    replace_text(case, "nodes.csv", "SSE,", 'SSE,"')
    [p] = problems_of(case)
    assert p.file == "nodes.csv" and "CSV syntax error" in p.rule and p.row is not None


def test_trailing_empty_cells_are_ignored(case):
    path = case / "suppliers.csv"
    path.write_text("\n".join(line + ",," for line in path.read_text().splitlines()) + "\n")
    assert load_case(case).suppliers[0].id == "US"


def test_semicolon_separated_file_gets_a_hint(case):
    replace_text(case, "nodes.csv", "node,name,peak_day_factor", "node;name;peak_day_factor")
    [p] = problems_of(case)
    check(p, file="nodes.csv", row=1, column=None, value="node;name;peak_day_factor",
          rule="looks separated by ';'")


def test_unknown_extra_csv_file(case):
    (case / "prices.csv").write_text("hub,period,price\nHH,2026-01,4\n")
    [p] = problems_of(case)
    check(p, file="prices.csv", row=None, column=None, value=None, rule="unknown table")
    assert "sources.csv" in p.rule and "share_limits.csv" in p.rule


# --- case.toml --------------------------------------------------------------------------

def _toml_line(folder: Path, fragment: str) -> int:
    lines = (folder / "case.toml").read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if fragment in line)


def test_toml_syntax_error_names_the_line(case):
    line = _toml_line(case, "voll_usd_mmbtu = 100.0")
    replace_text(case, "case.toml", "voll_usd_mmbtu = 100.0", "voll_usd_mmbtu = = 100.0")
    [p] = problems_of(case)
    assert p.file == "case.toml"
    assert "TOML syntax error" in p.rule
    assert f"line {line}" in str(p)


def test_toml_syntax_error_row_is_the_line(case):
    line = _toml_line(case, "voll_usd_mmbtu = 100.0")
    replace_text(case, "case.toml", "voll_usd_mmbtu = 100.0", "voll_usd_mmbtu = = 100.0")
    [p] = problems_of(case)
    assert p.row == line
    assert str(p).startswith(f"case.toml, row {line}: TOML syntax error")


def test_non_utf8_case_toml(case):
    line = _toml_line(case, 'title = "Mexico')
    path = case / "case.toml"
    path.write_bytes(path.read_bytes().replace(b'title = "Mexico', b'title = "M\xe9xico'))
    [p] = problems_of(case)
    check(p, file="case.toml", row=line, column=None, value=None, rule="not UTF-8 text")
    assert f"line {line}" in p.rule


def test_unknown_setting(case):
    replace_text(case, "case.toml", "voll_usd_mmbtu = 100.0", "voll_usd_mmbtu = 100.0\nvoll = 3")
    [p] = problems_of(case)
    check(p, file="case.toml", row=None, column="voll", value="3",
          rule="unknown setting in [settings] (known: heat_content_mmbtu_per_mcf, voll_usd_mmbtu, "
               "export_curtailment_usd_mmbtu, peak_day_factor, peak_day)")


def test_unknown_section(case):
    (case / "case.toml").write_text((case / "case.toml").read_text() + "\n[solver]\nthreads = 4\n")
    [p] = problems_of(case)
    check(p, file="case.toml", row=None, column="threads", value="4",
          rule="unknown setting in [solver] (unknown section)")


def test_top_level_value_outside_a_section(case):
    path = case / "case.toml"
    path.write_text("foo = 1\n" + path.read_text())
    [p] = problems_of(case)
    check(p, file="case.toml", row=None, column="foo", value=None, rule="expected a [section] here")


def test_case_key_that_is_not_a_table(case):
    path = case / "case.toml"
    text = path.read_text().replace('[case]\nname = "mexico"\n', "")
    text = text.replace('title = "Mexico', '# title = "Mexico', 1)
    path.write_text("case = 5\n" + text)
    p = find(problems_of(case), "case.toml")
    check(p, file="case.toml", row=None, column="case", value=None, rule="expected a [section] here")


def test_setting_out_of_range(case):
    replace_text(case, "case.toml", "voll_usd_mmbtu = 100.0", "voll_usd_mmbtu = -1")
    [p] = problems_of(case)
    check(p, file="case.toml", row=None, column="settings.voll_usd_mmbtu", value="-1",
          rule="must be ≥ 0")


def test_setting_not_a_number(case):
    replace_text(case, "case.toml", "heat_content_mmbtu_per_mcf = 1.037",
                 'heat_content_mmbtu_per_mcf = "lots"')
    [p] = problems_of(case)
    check(p, file="case.toml", row=None, column="settings.heat_content_mmbtu_per_mcf",
          value="lots", rule="not a number")


def test_setting_choice_not_in_list(case):
    replace_text(case, "case.toml", 'share_basis = "period"', 'share_basis = "yearly"')
    [p] = problems_of(case)
    check(p, file="case.toml", row=None, column="policy.share_basis", value="yearly",
          rule="must be one of period, horizon")


def test_policy_cap_for_unknown_supplier(case):
    replace_text(case, "case.toml", "exclude = []", "exclude = []\ncaps = { XX = 0.5 }")
    [p] = problems_of(case)
    check(p, file="case.toml", row=None, column="policy", value="XX",
          rule="unknown supplier (not in suppliers.csv)")


def test_policy_cap_out_of_range(case):
    replace_text(case, "case.toml", "exclude = []", "exclude = []\ncaps = { US = 1.5 }")
    [p] = problems_of(case)
    check(p, file="case.toml", row=None, column="policy.caps.US", value="caps.US = 1.5",
          rule="cap for US: must be ≤ 1")


def test_policy_exclude_not_a_list(case):
    replace_text(case, "case.toml", "exclude = []", 'exclude = "RU"')
    [p] = problems_of(case)
    check(p, file="case.toml", row=None, column="policy.exclude", value="RU",
          rule="must be a list of supplier codes")


# --- crashes instead of problems --------------------------------------------------------

def test_bad_period_id_is_reported_not_a_crash(case):
    set_cell(case, "periods.csv", 4, "period", "2026 03")
    problems = problems_of(case)
    p = find(problems, "periods.csv", column="period")
    check(p, file="periods.csv", row=4, column="period", value="2026 03",
          rule="an id may not contain spaces")


def test_open_quote_is_reported_where_its_row_starts(case):
    replace_text(case, "nodes.csv", "SSE,", 'SSE,"')
    [p] = problems_of(case)
    lines = (case / "nodes.csv").read_text().splitlines()
    assert p.row == next(n for n, line in enumerate(lines, 1) if line.startswith("SSE"))


def test_quoted_semicolon_file_gets_the_hint(case):
    (case / "nodes.csv").write_text('"node";"name"\n"NES";"Noreste"\n')
    [p] = problems_of(case)
    assert p.file == "nodes.csv" and "separated by ';'" in p.rule


def test_horizon_is_a_reserved_period_id(case):
    for name in ("periods.csv", "demand.csv", "hub_prices.csv"):
        replace_text(case, name, "2026-01", "horizon")
    p = find(problems_of(case), "periods.csv", column="period")
    check(p, file="periods.csv", row=2, column="period", value="horizon", rule="reserved")


def test_contract_below_full_take_or_pay_needs_a_firm_part(case):
    """MX_SSE_2026Q1 (line 31, entry DOM_SSE, tariff 0) as a contract with τ = 0.5: the firm
    part r (the entry tariff) is 0, so contracting more than is taken would cost nothing."""
    assert get_cell(case, "sources.csv", 31, "source") == "MX_SSE_2026Q1"
    set_cell(case, "sources.csv", 31, "take_or_pay", "0.5")
    p = find(problems_of(case), "sources.csv", column="take_or_pay")
    assert p.row == 31 and p.column == "take_or_pay" and p.value == "0.5"
    assert "needs a firm part" in p.rule and "DOM_SSE has tariff 0" in p.rule


def test_contract_with_full_take_or_pay_and_no_tariff_is_accepted(case):
    assert get_cell(case, "sources.csv", 31, "take_or_pay") == "1"  # MX_SSE_2026Q1, DOM_SSE
    assert get_cell(case, "sources.csv", 32, "take_or_pay") == "1"  # MX_SSE_2026Q2, DOM_SSE
    load_case(case)
