"""Reading one table, whatever it was written in: a CSV file or a workbook's sheet.

The generic layer under the case loader (models/loader.py) and the workbook reader
(models/workbook.py): a file's or sheet's rows are checked on their own against their
schema — encoding, CSV syntax, header, cell types and ranges, duplicate ids — and come back
as a `ParsedTable` of typed rows with the row numbers a spreadsheet shows. Problems name
the file (and sheet), row, column, value and rule. Nothing here knows what a case is.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .errors import Problem
from .limits import MAX_LINE_CHARS, InputRefused, check_line, check_row_number, read_input
from .schema import Column, TableSchema, id_rule, text_rule

MISSING = object()


@dataclass(frozen=True)
class Origin:
    """Where a table came from: a CSV file of a folder, or a sheet of a workbook. Problems
    are made here so that each names its place the same way."""

    file: str
    sheet: str | None = None

    @property
    def label(self) -> str:
        """How other messages refer to the table: 'suppliers.csv' or 'sheet suppliers'."""
        return f"sheet {self.sheet}" if self.sheet else self.file

    def problem(self, rule: str, row: int | None = None, column: str | None = None,
                value=None) -> Problem:
        return Problem(self.file, rule, row=row, column=column, value=value, sheet=self.sheet)


@dataclass
class ParsedTable:
    """A table after its own checks: one dict per row, with the row's spreadsheet number."""

    schema: TableSchema
    rows: list[dict]
    row_numbers: list[int]
    origin: Origin
    present: bool = True


class CellRule(ValueError):
    """A cell that cannot be read as text for its column (a workbook's date in an id
    column, a number stored as text): `rule` is what is wrong, `shown` the value."""

    def __init__(self, rule: str, shown: object):
        super().__init__(rule)
        self.rule, self.shown = rule, shown


def is_workbook(path: str | Path) -> bool:
    """A case given as one Excel workbook rather than a folder."""
    return Path(path).suffix.lower() == ".xlsx"


def read_text(path: Path, problems: list[Problem], digest) -> str | None:
    """The text of the input file `path` (UTF-8), read within the reading limits
    (models/limits.py), or None after reporting why it cannot be read."""
    try:
        raw = read_input(path)
    except InputRefused as exc:
        problems.append(Problem(path.name, exc.rule))
        return None
    except OSError as exc:
        problems.append(Problem(path.name, f"cannot read the file ({exc.strerror or exc})"))
        return None
    digest.update(path.name.encode() + b"\0" + raw + b"\0")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(path.name, f"not UTF-8 text (byte {exc.start}, line {line}): "
                                           "save the file as UTF-8", row=line))
        return None


def read_table_file(path: Path, schema: TableSchema, problems: list[Problem], digest) -> ParsedTable:
    """One CSV table from `path` (a case's own file or one given apart, e.g. --scenarios
    FILE), checked on its own; problems name the file as it is called on disk."""
    origin = Origin(path.name)
    empty = ParsedTable(schema, [], [], origin, present=False)
    if not path.exists():
        if schema.required:
            problems.append(origin.problem("missing table: this case needs it"))
        return empty
    text = read_text(path, problems, digest)
    if text is None:
        return empty
    first_line = next((line for line in io.StringIO(text) if line.strip()), "").rstrip("\r\n")
    if ";" in first_line and "," not in first_line and len(first_line) <= MAX_LINE_CHARS:
        problems.append(origin.problem("the header looks separated by ';': gasmix reads "
                                       "comma-separated CSV", row=1, value=first_line))
        return empty
    reader = csv.reader(_bounded_lines(text), strict=True)
    records = []
    started = 1  # the line the record being read starts on
    try:
        for record in reader:
            records.append(record)
            check_row_number(len(records))
            started = reader.line_num + 1
    except csv.Error as exc:  # e.g. a quote left open: it would swallow the rest of the file
        problems.append(origin.problem(f"CSV syntax error in the row starting here: {exc}",
                                       row=started))
        return empty
    except InputRefused as exc:
        problems.append(origin.problem(exc.rule, row=exc.row))
        return empty
    # Row numbers as a spreadsheet shows them; blank lines are skipped but still counted.
    numbered = [(i + 1, r) for i, r in enumerate(records) if not blank_row(r)]
    if not numbered:
        problems.append(origin.problem("the file is empty: it needs a header row and "
                                       "at least one data row"))
        return empty
    return parse_table(schema, origin, numbered, problems, lambda column, cell: cell.strip())


def _bounded_lines(text: str):
    """The lines of a CSV file's text for csv.reader, each within MAX_LINE_CHARS."""
    for number, line in enumerate(io.StringIO(text, newline=""), 1):
        check_line(line, number)
        yield line


def parse_table(schema: TableSchema, origin: Origin, numbered: list[tuple[int, list]],
                problems: list[Problem], cell_text) -> ParsedTable:
    """The checks of one table, whatever it was read from: header, cell types and ranges,
    duplicate ids. `numbered` holds the non-blank rows with their spreadsheet numbers, the
    header first (its cells as text); `cell_text(column, cell)` turns a body cell into the
    text the CSV rules read, or raises CellRule (a workbook's cells are typed)."""
    empty = ParsedTable(schema, [], [], origin, present=False)
    header_row, header = numbered[0]
    header = _trim_empty_tail([h.strip() for h in header])
    ok = _check_header(schema, origin, header, header_row, problems)
    body = numbered[1:]
    if not body:
        problems.append(origin.problem("the table is empty: it has a header but no rows"))
    if not ok or not body:
        # Unusable: reported once here, and not a reference target (one bad header
        # must not turn into a "not found" for every row that names its ids).
        return empty

    rows, numbers = [], []
    for number, cells in body:
        if len(cells) > len(header):  # trailing empty cells (a spreadsheet's extra commas)
            cells = list(cells[:len(header)]) + _trim_empty_tail(list(cells[len(header):]))
        if len(cells) != len(header):
            problems.append(origin.problem(f"has {len(cells)} cells, the header has "
                                           f"{len(header)}", row=number))
            continue
        raw = dict(zip(header, cells))
        row = {}
        for column in schema.columns:
            try:
                text = cell_text(column, raw.get(column.name, ""))
            except CellRule as exc:
                problems.append(origin.problem(exc.rule, row=number, column=column.name,
                                               value=exc.shown))
                row[column.name] = MISSING
                continue
            row[column.name] = _convert(column, text, origin, number, problems)
        rows.append(row)
        numbers.append(number)
    _check_unique(schema, origin, rows, numbers, problems)
    return ParsedTable(schema, rows, numbers, origin)


def blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def blank_row(cells) -> bool:
    return all(blank(c) for c in cells)


def _trim_empty_tail(cells: list) -> list:
    while cells and blank(cells[-1]):
        cells = cells[:-1]
    return cells


def _check_header(schema: TableSchema, origin: Origin, header: list[str], row: int,
                  problems: list[Problem]) -> bool:
    ok = True
    known = set(schema.column_names)
    seen = set()
    for name in header:
        if name in seen:
            problems.append(origin.problem("column appears twice in the header",
                                    row=row, column=name))
            ok = False
        seen.add(name)
        if name not in known:
            problems.append(origin.problem("unknown column (known: "
                                    + ", ".join(schema.column_names) + ")", row=row, column=name))
            ok = False
    for column in schema.columns:
        if column.required and column.name not in seen:
            problems.append(origin.problem("required column is missing from the header",
                                    row=row, column=column.name))
            ok = False
    return ok


def _convert(column: Column, text: str, origin: Origin, row: int, problems: list[Problem]):
    """One cell: empty → default (or a problem if required), else typed and range-checked."""
    def bad(rule: str):
        problems.append(origin.problem(rule, row=row, column=column.name, value=text))
        return MISSING

    if text == "":
        if column.required:
            return bad("required value is empty")
        return column.default
    if column.dtype in ("id", "str"):
        rule = id_rule(text) if column.dtype == "id" else text_rule(text)
        return bad(rule) if rule else text
    if column.dtype == "choice":
        return text if text in column.choices else bad("must be one of " + ", ".join(column.choices))
    if column.dtype == "date":
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError(text)
            return date.fromisoformat(text)
        except ValueError:
            return bad("not a date (expected YYYY-MM-DD)")
    try:
        number = float(text)
    except ValueError:
        return bad("not a number")
    if not math.isfinite(number):
        return bad("must be a finite number")
    if column.dtype == "int":
        if not number.is_integer():
            return bad("must be a whole number")
        number = int(number)
    if column.minimum is not None and number < column.minimum:
        return bad(f"must be ≥ {column.minimum:g}" + (" (negative not allowed)" if column.minimum == 0 else ""))
    if column.maximum is not None and number > column.maximum:
        return bad(f"must be ≤ {column.maximum:g}")
    return number


def _check_unique(schema: TableSchema, origin: Origin, rows: list[dict], numbers: list[int],
                  problems: list[Problem]) -> None:
    cols = (schema.key,) if schema.key else schema.unique
    if not cols:
        return
    first: dict[tuple, int] = {}
    for row, number in zip(rows, numbers):
        key = tuple(row[c] for c in cols)
        if any(k is MISSING for k in key):
            continue
        if key in first:
            what = "duplicate id" if schema.key else "duplicate " + " × ".join(cols)
            problems.append(origin.problem(f"{what}: first given in row {first[key]}",
                                    row=number, column=cols[-1] if len(cols) == 1 else ", ".join(cols),
                                    value=" × ".join(str(k) for k in key)))
        else:
            first[key] = number
