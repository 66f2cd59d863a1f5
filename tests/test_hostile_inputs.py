"""Hostile inputs: files built to exhaust time or memory, control characters in ids, values
that pass the reader but would break the solve, and problems found only after a solve.

Each answer is exit 2 with one line naming the file (row, column, value) and the rule,
soon: the hostile files run the real `gasmix validate` in a subprocess whose timeout is
far above what the answer needs (no test asserts on elapsed time)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from conftest import gasmix_command
from gasmix.models import CaseError, default_case_path, load_case
from gasmix.models.limits import MAX_FILE_BYTES, MAX_TABLE_ROWS
from gasmix.models.workbook import write_case_workbook

TIMEOUT = 60  # seconds: far above what refusing any of these files takes


def validate(path: Path, *extra: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*gasmix_command(), "validate", str(path), *extra], cwd=cwd,
                          capture_output=True, text=True, timeout=TIMEOUT)


def refused(done: subprocess.CompletedProcess, *words: str) -> str:
    """The run exited 2 with a message holding every word, and no traceback."""
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in done.stderr, done.stderr
    return done.stderr


@pytest.fixture
def workbook(tmp_path) -> Path:
    path = tmp_path / "case.xlsx"
    write_case_workbook(default_case_path(), path)
    return path


@pytest.fixture
def folder(tmp_path) -> Path:
    target = tmp_path / "case"
    shutil.copytree(default_case_path(), target,
                    ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    return target


def sheet_member(path: Path, title: str) -> str:
    """The zip member holding sheet `title` (openpyxl writes sheetN.xml in sheet order)."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return f"xl/worksheets/sheet{book.sheetnames.index(title) + 1}.xml"
    finally:
        book.close()


def append_rows_xml(path: Path, title: str, rows: int) -> None:
    """Append `rows` blank rows (an empty text cell each) to a sheet, by writing its XML:
    a small file on disk (it compresses well) that a naive reader spends minutes on."""
    member = sheet_member(path, title)
    source = path.with_suffix(".src.xlsx")
    path.rename(source)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == member:
                text = data.decode()
                last = max(int(n) for n in re.findall(r'<row r="(\d+)"', text))
                blank = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t></t></is></c></row>'
                                for i in range(last + 1, last + 1 + rows))
                data = text.replace("</sheetData>", blank + "</sheetData>").encode()
            zout.writestr(item, data)
    source.unlink()


# --- resource exhaustion ----------------------------------------------------------------

def test_workbook_with_one_cell_at_the_last_excel_cell_is_refused_soon(workbook):
    """One cell at XFD1048576: the sheet declares 16,384 × 1,048,576 cells; reading
    follows the data, and the far row is beyond the row limit."""
    book = openpyxl.load_workbook(workbook)
    book["nodes"]["XFD1048576"] = "x"
    book.save(workbook)
    assert workbook.stat().st_size < 100_000
    refused(validate(workbook), workbook.name, "sheet nodes", f"{MAX_TABLE_ROWS:,}")


def test_workbook_with_a_cell_far_right_is_refused(workbook):
    book = openpyxl.load_workbook(workbook)
    book["nodes"]["XFD2"] = "x"
    book.save(workbook)
    refused(validate(workbook), "sheet nodes", "row 2", "column XFD")


def test_workbook_with_two_million_blank_rows_is_refused_soon(workbook):
    append_rows_xml(workbook, "demand", 2_000_000)
    refused(validate(workbook), "sheet demand", f"{MAX_TABLE_ROWS:,}")


def test_blank_rows_below_a_table_within_the_limit_are_ignored(workbook):
    append_rows_xml(workbook, "nodes", 1_000)
    done = validate(workbook)
    assert done.returncode == 0, done.stderr


def test_csv_table_longer_than_the_row_limit_is_refused(folder):
    with (folder / "nodes.csv").open("a") as handle:
        handle.write("\n" * (MAX_TABLE_ROWS + 10))
    refused(validate(folder), "nodes.csv", f"{MAX_TABLE_ROWS:,}")


def test_csv_line_of_a_million_commas_is_refused(folder):
    with (folder / "nodes.csv").open("a") as handle:
        handle.write("X" + "," * 5_000_000 + "\n")
    refused(validate(folder), "nodes.csv", "characters")


@pytest.mark.parametrize("name", ["suppliers.csv", "case.toml"])
def test_case_file_that_is_a_fifo_is_refused(folder, name):
    (folder / name).unlink()
    os.mkfifo(folder / name)
    refused(validate(folder), name, "not a regular file", "FIFO")


def test_case_file_linked_to_dev_zero_is_refused(folder):
    (folder / "suppliers.csv").unlink()
    (folder / "suppliers.csv").symlink_to("/dev/zero")
    refused(validate(folder), "suppliers.csv", "not a regular file", "device")


def test_workbook_that_is_a_fifo_is_refused(tmp_path):
    os.mkfifo(tmp_path / "case.xlsx")
    refused(validate(tmp_path / "case.xlsx"), "case.xlsx", "not a regular file")


def test_case_file_that_is_a_socket_is_refused(folder):
    (folder / "nodes.csv").unlink()
    path = folder / "nodes.csv"
    if len(str(path)) > 100:
        pytest.skip("socket path too long for AF_UNIX")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        refused(validate(folder), "nodes.csv", "not a regular file", "socket")


def test_scenarios_file_that_is_a_fifo_is_refused(tmp_path, run_gasmix):
    os.mkfifo(tmp_path / "events.csv")
    done = run_gasmix("solve", "--scenarios", str(tmp_path / "events.csv"), "-o", "p")
    refused(done, "events.csv", "not a regular file")


def test_file_above_the_size_cap_is_refused(folder):
    with (folder / "nodes.csv").open("r+b") as handle:  # sparse: no disk space taken
        handle.truncate(MAX_FILE_BYTES + 1)
    refused(validate(folder), "nodes.csv", "256 MB")


def test_workbook_member_unpacking_beyond_the_cap_is_refused(workbook):
    """A zip member whose declared size is above the cap (a zip bomb's shared strings)."""
    with zipfile.ZipFile(workbook, "a") as book:
        info = zipfile.ZipInfo("xl/bomb.bin")
        book.writestr(info, b"0" * 1000)
    # Declared size beyond the cap, as a zip bomb's would be: patched in the central directory.
    data = bytearray(workbook.read_bytes())
    at = data.rfind(b"PK\x01\x02")
    assert data[at + 46: at + 46 + 11] == b"xl/bomb.bin"
    data[at + 24: at + 28] = (2**32 - 1).to_bytes(4, "little")
    workbook.write_bytes(bytes(data))
    refused(validate(workbook), workbook.name, "unpacks")


# --- control characters in ids ----------------------------------------------------------

@pytest.mark.parametrize("char", ["\x1b", "\x07", "\x00", "\u202e", "\x9b"])
def test_control_character_in_an_id_is_refused(folder, char):
    text = (folder / "suppliers.csv").read_text(encoding="utf-8")
    (folder / "suppliers.csv").write_text(text.replace("\nQA,", f"\nQ{char}A,", 1), encoding="utf-8")
    err = refused(validate(folder), "suppliers.csv", "column supplier", "ids must be printable")
    assert char not in err


def test_control_character_in_a_workbook_id_is_refused(workbook):
    book = openpyxl.load_workbook(workbook)
    # XML (and openpyxl) refuse C0 controls such as ESC in a cell; C1 controls (CSI,
    # U+009B) and format characters such as the right-to-left override pass.
    book["nodes"]["A2"] = "N\x9b31mX\u202e"
    book.save(workbook)
    refused(validate(workbook), "sheet nodes", "row 2", "column node", "ids must be printable")


def test_markup_like_ids_stay_allowed(folder):
    """`[red]` or `MX:warning:` are printable: the output prints them literally."""
    for path in folder.glob("*.csv"):
        path.write_text(re.sub(r"\bQA\b", "[red]QA", path.read_text(encoding="utf-8")),
                        encoding="utf-8")
        path.write_text(re.sub(r"\bNES\b", "MX:warning:", path.read_text(encoding="utf-8")),
                        encoding="utf-8")
    case = load_case(folder)
    assert "[red]QA" in {s.id for s in case.suppliers}
    assert "MX:warning:" in {n.id for n in case.nodes}


def test_control_character_in_free_text_is_refused_but_tab_and_newline_kept(folder):
    text = (folder / "suppliers.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    header = lines[0].split(",")
    assert header[:2] == ["supplier", "name"]
    first = lines[1].split(",")
    first[1] = '"Line one\nline\ttwo"'
    lines[1] = ",".join(first)
    (folder / "suppliers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    load_case(folder)
    first[1] = "bell\x07"
    lines[1] = ",".join(first)
    (folder / "suppliers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = refused(validate(folder), "suppliers.csv", "row 2", "column name", "printable")
    assert "\x07" not in err


def test_control_character_in_a_code_built_id_is_refused():
    from gasmix.models import Node
    from gasmix.optimizer import solve

    import dataclasses

    case = load_case(default_case_path())
    bad = dataclasses.replace(case, nodes=(*case.nodes, Node("N\x1bX", "")))
    with pytest.raises(CaseError, match="ids must be printable"):
        solve(bad)


# --- values beyond physical sense ------------------------------------------------------

@pytest.mark.parametrize("file,column,value", [
    ("storage.csv", "working_gas_bcf", "1e308"),
    ("demand.csv", "demand_mmcfd", "1e300"),
    ("entries.csv", "capacity_mmcfd", "1e30"),
    ("entries.csv", "tariff_usd_mmbtu", "1e20"),
    ("sources.csv", "price_multiplier", "1e9"),
])
def test_absurd_numbers_are_refused_at_validation(folder, file, column, value):
    import csv

    with (folder / file).open(newline="") as handle:
        rows = list(csv.reader(handle))
    index = rows[0].index(column)
    rows[1][index] = value
    with (folder / file).open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    refused(validate(folder), file, "row 2", f"column {column}", value, "must be ≤")


def test_every_numeric_column_has_a_maximum():
    from gasmix.models.schema import TABLES

    open_ended = [f"{t.name}.{c.name}" for t in TABLES.values() for c in t.columns
                  if c.dtype in ("float", "int") and c.maximum is None]
    assert open_ended == []


def test_code_built_case_obeys_the_same_maximum():
    from gasmix.optimizer import solve

    case = load_case(default_case_path())
    with pytest.raises(CaseError, match="must be ≤"):
        solve(case.with_demand(scale=1e300))


# --- validate rejects what solve would --------------------------------------------------

def test_storage_days_above_the_strategic_working_gas_fails_validate(folder):
    text = (folder / "case.toml").read_text()
    text = re.sub(r"(?m)^storage_days\s*=.*$", "", text)
    text = text.replace("[policy]", "[policy]\nstorage_days = 365", 1)
    (folder / "case.toml").write_text(text)
    refused(validate(folder), "storage_days", "365")


def test_cover_days_without_storage_fails_validate(folder):
    (folder / "storage.csv").unlink()
    for extra in ("storage_floors.csv",):
        if (folder / extra).exists():
            (folder / extra).unlink()
    text = (folder / "case.toml").read_text()
    text = re.sub(r"(?m)^(storage_days|cover_days)\s*=.*$", "", text)
    text = text.replace("[policy]", "[policy]\ncover_days = 2", 1)
    (folder / "case.toml").write_text(text)
    refused(validate(folder), "cover_days", "storage")


# --- found before the solve, not after -------------------------------------------------

@pytest.fixture
def no_solve(monkeypatch):
    """solve() replaced by a failure: a check that runs after it is too late."""
    import gasmix.optimizer

    def solve(*args, **kwargs):
        raise AssertionError("solved: the check came after the solve")

    monkeypatch.setattr(gasmix.optimizer, "solve", solve)


def invoke(*args: str):
    from click.testing import CliRunner

    from gasmix.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=True)


def test_destination_under_a_file_is_refused_before_the_solve(tmp_path, no_solve):
    (tmp_path / "afile").write_text("x")
    for fmt, name in (("xlsx", "plan.xlsx"), ("json", "plan.json"), ("csv", "plan")):
        result = invoke("solve", "--format", fmt, "-o", str(tmp_path / "afile" / name))
        assert result.exit_code == 2, (fmt, result.output, result.exception)
        assert "is a file, not a folder" in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_destination_is_refused_before_the_solve(tmp_path, no_solve):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        for fmt, name in (("xlsx", "plan.xlsx"), ("json", "plan.json"), ("csv", "plan")):
            result = invoke("solve", "--format", fmt, "-o", str(locked / name))
            assert result.exit_code == 2, (fmt, result.output, result.exception)
            assert "not writable" in result.output
    finally:
        locked.chmod(0o700)


def long_case(folder: Path, periods: int, sources: int) -> Path:
    """A valid case whose plan tables hold about periods × (2·sources + 2) rows."""
    folder.mkdir()
    (folder / "case.toml").write_text('[case]\nname = "long"\n')

    def write(name: str, header: str, rows) -> None:
        (folder / name).write_text(header + "\n" + "".join(r + "\n" for r in rows))

    ids = [f"P{t}" for t in range(periods)]
    from datetime import date, timedelta

    start = date(2026, 1, 1)
    write("periods.csv", "period,start,days",
          (f"{p},{start + timedelta(days=t)},1" for t, p in enumerate(ids)))
    write("nodes.csv", "node", ["N"])
    write("demand.csv", "node,period,demand_mmcfd", (f"N,{p},10" for p in ids))
    write("suppliers.csv", "supplier,risk", ["S,0"])
    write("hub_prices.csv", "hub,period,price_usd_mmbtu", (f"H,{p},3" for p in ids))
    write("entries.csv", "entry,kind,node,capacity_mmcfd",
          (f"E{i},pipeline,N,100" for i in range(sources)))
    write("sources.csv", "source,supplier,kind,entry,price_adder_usd_mmbtu",
          (f"S{i},S,pipeline,E{i},{3 + i / sources}" for i in range(sources)))
    return folder


def test_plan_too_long_for_a_workbook_is_refused_before_the_solve(tmp_path, no_solve):
    from gasmix.optimizer.output.preflight import EXCEL_MAX_ROWS

    case = long_case(tmp_path / "long", periods=1100, sources=500)
    result = invoke("solve", str(case), "--format", "xlsx", "-o", str(tmp_path / "p.xlsx"))
    assert result.exit_code == 2, (result.output, result.exception)
    assert f"{EXCEL_MAX_ROWS:,}" in result.output and "--format csv" in result.output


@pytest.mark.parametrize("command", ["sweep", "frontier"])
def test_study_workbook_under_a_file_is_refused_before_solving(tmp_path, monkeypatch, command):
    import gasmix.optimizer

    def study(*args, **kwargs):
        raise AssertionError("solved: the check came after the solve")

    monkeypatch.setattr(gasmix.optimizer, command, study)
    (tmp_path / "afile").write_text("x")
    args = ["--param", "cap.US=0.6,0.7"] if command == "sweep" else []
    result = invoke(command, *args, "--format", "xlsx", "-o", str(tmp_path / "afile" / "s.xlsx"))
    assert result.exit_code == 2, (result.output, result.exception)
    assert "is a file, not a folder" in result.output


@pytest.mark.parametrize("command", ["validate", "solve"])
def test_empty_case_name_is_a_usage_error(command, tmp_path):
    out = ["-o", str(tmp_path / "plan")] if command == "solve" else []
    result = invoke(command, "", *out)
    assert result.exit_code == 2, (result.output, result.exception)
    assert "CASE" in result.output and "empty" in result.output


@pytest.mark.parametrize("xml", [
    b"<worksheet><sheetData><row r='1'><c r='A1'><v>1</v>",  # cut short
    b"<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><sheetData>"
    b"<row r='1'><c r='A1' t='s'><v>99999</v></c></row></sheetData></worksheet>",  # no such string
    b"<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><sheetData>"
    b"<row r='1'><c r='A1'><v>not a number</v></c></row></sheetData></worksheet>",
])
def test_workbook_with_a_broken_sheet_is_refused(workbook, xml):
    """A workbook is streamed: a broken sheet is found while reading it, and named."""
    member = sheet_member(workbook, "nodes")
    source = workbook.with_suffix(".src.xlsx")
    workbook.rename(source)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(workbook, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item, xml if item.filename == member else zin.read(item.filename))
    refused(validate(workbook), workbook.name)
