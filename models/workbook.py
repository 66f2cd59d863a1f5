"""A case as one Excel workbook: one sheet per table, and a `case` sheet for case.toml.

A table's sheet is named after the table (`demand`, `sources`, …) and holds the same
columns as its CSV file, header in row 1 (each header cell carries the column's unit and
meaning as an Excel comment; ids and periods are formatted as text, so a period typed as
2026-03 stays text). The `case` sheet has the columns `section`, `key`, `value`, then
`unit` and `note` (for the reader; never read), one row per case.toml setting: `caps.US`
for a key of the caps table (as a dotted TOML key), and `exclude` as a comma-separated list
(empty: nobody excluded). A row whose section starts with `#` is a comment, as in
case.toml: case.toml's comments and commented-out examples become such rows (a caps
example is always there: delete the `#` to use it).

Reading only turns cells into the text and the settings dict the CSV reader produces; every
rule is then checked by models/tables.py and models/loader.py, the same code that checks a case folder. What is
checked here is what only a workbook can get wrong: typed cells (a number stored as text, a
date in an id column), and its sheets (missing, unknown).
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import tomllib
import zipfile
from datetime import date, datetime
from pathlib import Path

from .errors import CaseError, Problem
from .extras import require
from .limits import (InputRefused, check_row_number, check_unpacked_sizes, column_limit,
                     read_input)
from .safe_text import append_row
from .tables import CellRule, Origin, ParsedTable, blank, blank_row, parse_table
from .schema import SETTINGS, TABLES, Column, TableSchema

CASE_SHEET = "case"
CASE_COLUMNS = ("section", "key", "value")
# Columns after the value, for the person editing: read past, never as settings.
NOTE_COLUMNS = ("unit", "note")
COMMENT = "#"  # a case-sheet row whose section starts with it is a comment, as in case.toml
NUMERIC = ("float", "int")
# What Excel stores in a cell whose formula failed.
EXCEL_ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!")


def _openpyxl(purpose: str):
    return require("openpyxl", "excel", purpose)


# --- reading ----------------------------------------------------------------------------

def read_workbook(path: Path, problems: list[Problem]):
    """The workbook's config dict, parsed tables, SHA-256 and the places of its settings
    (for models.loader.validate_case). The workbook is read within the reading limits
    (models/limits.py): streamed sheet by sheet, row by row, as far as its data goes."""
    openpyxl = _openpyxl("reading an .xlsx case")
    name = path.name
    try:
        raw = read_input(path)
    except FileNotFoundError:
        raise CaseError([Problem(str(path), "workbook not found")]) from None
    except InputRefused as exc:
        raise CaseError([Problem(name, exc.rule)]) from None
    except OSError as exc:
        raise CaseError([Problem(name, f"cannot read the workbook ({exc.strerror or exc})")]) from None
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            check_unpacked_sizes(archive)
    except InputRefused as exc:
        raise CaseError([Problem(name, exc.rule)]) from None
    except (zipfile.BadZipFile, OSError, ValueError):
        pass  # not a zip: openpyxl's own words below
    digest = hashlib.sha256(name.encode() + b"\0" + raw).hexdigest()
    try:
        # read_only: rows are streamed from the sheet's XML (its declared dimension is
        # ignored, see _sheet_rows); data_only: a formula cell gives the value Excel last
        # computed, as a user sees it.
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, XML errors …: all unreadable
        raise CaseError([Problem(name, f"not a readable .xlsx workbook ({type(exc).__name__}: "
                                       f"{exc}); save it from Excel as .xlsx")]) from None
    try:  # the formulas themselves: a formula cell with no saved result reads as empty above
        formulas = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except Exception:
        formulas = None
    try:
        config, tables, places = _read_book(name, book, formulas, problems)
        return config, tables, digest, places
    finally:
        book.close()
        if formulas is not None:
            formulas.close()


def _read_book(name: str, book, formulas, problems: list[Problem]):
    sheets = {ws.title: ws for ws in book.worksheets}
    known = [CASE_SHEET, *TABLES]
    lower = {k.lower(): k for k in known}
    for title in sheets:
        if title not in known:
            hint = lower.get(title.strip().lower())
            rule = (f"unknown sheet: did you mean {hint}? (sheet names are case-sensitive: "
                    f"rename it {hint})" if hint and hint not in sheets else
                    "unknown sheet (known: " + ", ".join(known) + ")")
            problems.append(Problem(name, rule, sheet=title))
    misnamed = {lower[t.strip().lower()]: t for t in sheets
                if t not in known and t.strip().lower() in lower}
    tables = {}
    for table, schema in TABLES.items():
        origin = Origin(name, table)
        ws = sheets.get(table)
        if ws is None:
            if schema.required and table not in misnamed:  # a misnamed sheet is reported once
                problems.append(origin.problem("missing sheet: this case needs it"))
            tables[table] = ParsedTable(schema, [], [], origin, present=False)
            continue
        tables[table] = _read_sheet(ws, schema, origin, problems, _formula_ws(formulas, table))
    if CASE_SHEET in sheets:
        config, rows = _read_case_sheet(sheets[CASE_SHEET], Origin(name, CASE_SHEET), problems,
                                        _formula_ws(formulas, CASE_SHEET))
    else:
        if CASE_SHEET not in misnamed:
            problems.append(Problem(name, "missing sheet: every case workbook needs the case "
                                          "settings (columns section, key, value)", sheet=CASE_SHEET))
        config, rows = {}, {}

    def places(section: str, key: str | None, what: str) -> dict:
        row = rows.get((section, key))
        place = {"file": name, "sheet": CASE_SHEET, "row": row, "column": "value"}
        # The problem is in the key column: an unknown setting (named by its key), or an
        # unknown supplier in a caps.XX key (exclude's suppliers are in its value).
        if what == "unknown" or (what == "supplier" and key and "." in key):
            place.update(column="key", value=key)
        return place

    return config, tables, places


class Formula:
    """A formula cell with no saved result (openpyxl and other tools write formulas without
    computing them; Excel saves the result when it saves the workbook)."""

    FORMULA_RULE = ("a formula with no saved result: open and save the workbook in Excel, "
                    "or type the value")

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text


def _formula_ws(book, title: str):
    """Sheet `title` of the formulas' reading, or None if no cell of it holds a formula
    (then its values are read in one pass, not two)."""
    if book is None or title not in book.sheetnames:
        return None
    ws = book[title]
    member = getattr(ws, "_worksheet_path", None)  # openpyxl's name for the sheet's XML
    if member is None:
        return ws
    return ws if _holds_formulas(book._archive, member) else None


# A formula element of a sheet's XML: <f>, <f t="shared" …/>, or with a namespace prefix.
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _holds_formulas(archive, member: str, chunk: int = 1 << 20) -> bool:
    """Whether the sheet XML `member` has a formula element: read at C speed, in chunks
    (a chunk keeps the end of the one before, where a tag may have been cut)."""
    tail = b""
    try:
        with archive.open(member) as stream:
            while block := stream.read(chunk):
                if _FORMULA_TAG.search(tail + block):
                    return True
                tail = block[-16:]
    except Exception:  # a broken part: the reading of the sheet says what is wrong
        return True
    return False


def _is_formula(cell) -> bool:
    return (isinstance(cell, str) and cell.startswith("=")) or \
        type(cell).__name__ in ("ArrayFormula", "DataTableFormula")


def _sheet_rows(ws, columns: int, formulas=None) -> list[tuple[int, list]]:
    """The non-blank rows with the numbers Excel shows (blank rows skipped but counted),
    streamed within the reading limits: the sheet's declared dimension is ignored (a
    workbook may declare A1:XFD1048576 for one far cell), a row beyond MAX_TABLE_ROWS or a
    cell right of `columns` + a margin ends the read (InputRefused). An empty cell that
    holds a formula (no saved result) becomes a Formula."""
    widest = column_limit(columns)
    values = _streamed(ws)
    texts = _streamed(formulas) if formulas is not None else None
    out = []
    for number, cells in enumerate(values, 1):
        check_row_number(number)
        text = next(texts, ()) if texts is not None else ()
        if len(cells) > widest:
            cells = _within(cells, widest, number)
        if text and any(v is None and _is_formula(t) for v, t in zip(cells, text)):
            cells = tuple(Formula(str(getattr(t, "text", t))) if v is None and _is_formula(t)
                          else v for v, t in zip(cells, text))
        if not blank_row(cells):
            out.append((number, list(cells)))
    return out


def _streamed(ws):
    """A read-only sheet's rows as value tuples, as long as the data in each row (not the
    dimension the sheet declares). A sheet whose XML is broken is found only here, as it
    is streamed: InputRefused, for a problem naming the sheet."""
    ws.reset_dimensions()
    rows = ws.iter_rows(values_only=True)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # XML, zip and openpyxl's own errors: all unreadable
            raise InputRefused(f"not a readable sheet ({type(exc).__name__}: {exc}); save the "
                               "workbook from Excel as .xlsx") from None
        yield row


def _within(cells: tuple, widest: int, number: int) -> tuple:
    """`cells` cut to `widest`, or InputRefused naming the first non-blank cell beyond."""
    beyond = cells[widest:]
    if beyond.count(None) != len(beyond):  # C speed: a styled row may run to column XFD
        for index, cell in enumerate(beyond, widest + 1):
            if not blank(cell):
                from openpyxl.utils import get_column_letter

                raise InputRefused(f"a cell beyond the table's columns: a sheet may use at most "
                                   f"{widest} columns", row=number, column=get_column_letter(index))
    return cells[:widest]


def _read_sheet(ws, schema: TableSchema, origin: Origin, problems: list[Problem],
                formulas=None) -> ParsedTable:
    try:
        numbered = _sheet_rows(ws, len(schema.columns), formulas)
    except InputRefused as exc:
        problems.append(origin.problem(exc.rule, row=exc.row, column=exc.column))
        return ParsedTable(schema, [], [], origin, present=False)
    if not numbered:
        problems.append(origin.problem("the sheet is empty: it needs a header row and at "
                                       "least one data row"))
        return ParsedTable(schema, [], [], origin, present=False)
    header_row, header = numbered[0]
    numbered[0] = (header_row, ["" if h is None else str(h) for h in header])
    # A streamed row ends at its last stored cell: empty cells after it are not missing.
    width = len(header)
    numbered[1:] = [(n, cells + [None] * (width - len(cells))) for n, cells in numbered[1:]]
    return parse_table(schema, origin, numbered, problems, cell_text)


def cell_text(column: Column, cell) -> str:
    """A typed cell as the text a CSV file would hold, for the loader's rules."""
    if cell is None:
        return ""
    if isinstance(cell, Formula):
        raise CellRule(Formula.FORMULA_RULE, cell.text)
    if isinstance(cell, float) and not math.isfinite(cell):
        raise CellRule("not a finite number", repr(cell))
    if isinstance(cell, bool):  # before int: bool is an int in Python
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, (datetime, date)):
        day = cell.date() if isinstance(cell, datetime) else cell
        if isinstance(cell, datetime) and cell.time() != datetime.min.time():
            raise CellRule("a date and time, not a date", cell.isoformat(sep=" "))
        if column.dtype == "date":
            return day.isoformat()
        # Excel turns "2026-01" typed into a cell into a date: say so, not "unknown period".
        raise CellRule("a date where text is expected: Excel converted what was typed; "
                       "format the column as Text and type it again", day.isoformat())
    if isinstance(cell, (int, float)):
        if isinstance(cell, float) and math.isfinite(cell) and cell.is_integer() \
                and column.dtype not in NUMERIC:
            return str(int(cell))  # an id such as 7 typed as a number
        return repr(cell) if isinstance(cell, float) else str(cell)
    text = str(cell).strip()
    if text in EXCEL_ERRORS:
        raise CellRule(f"an Excel error value ({text}): fix the formula or type the value", text)
    if column.dtype in NUMERIC and text:
        try:
            float(text)
        except ValueError:
            return text  # not a number at all: the loader's rule says so
        raise CellRule("a number stored as text: store it as a number (in Excel: "
                       "Convert to Number)", text)
    return text


def _read_case_sheet(ws, origin: Origin, problems: list[Problem], formulas=None) -> tuple[dict, dict]:
    """case.toml's content from the `case` sheet, and the row of each (section, key)."""
    config: dict = {}
    rows: dict = {}
    try:
        numbered = _sheet_rows(ws, len(CASE_COLUMNS) + len(NOTE_COLUMNS), formulas)
    except InputRefused as exc:
        problems.append(origin.problem(exc.rule, row=exc.row, column=exc.column))
        return config, rows
    if not numbered:
        problems.append(origin.problem("the sheet is empty: it needs the header section, "
                                       "key, value"))
        return config, rows
    header_row, header = numbered[0]
    header = [("" if h is None else str(h)).strip() for h in header]
    while header and not header[-1]:
        header.pop()
    if header[:3] != list(CASE_COLUMNS) or any(h not in NOTE_COLUMNS for h in header[3:]):
        problems.append(origin.problem("the header must be: " + ", ".join(CASE_COLUMNS)
                                       + " (then unit and note, if you like)", row=header_row,
                                       value=", ".join(header)))
        return config, rows
    width = len(header)  # unit and note are for the reader: never read as settings
    for number, cells in numbered[1:]:
        cells = list(cells) + [None] * width
        if _is_comment(cells[0]):  # "# policy": a comment row, as in case.toml
            continue
        if any(not blank(c) for c in cells[width:]):
            problems.append(origin.problem("a cell right of the "
                                           + ("value" if width == 3 else header[-1]) + " column",
                                           row=number))
            continue
        section, key, value = cells[:3]
        formula = [c for c, v in zip(CASE_COLUMNS, (section, key, value)) if isinstance(v, Formula)]
        if formula:
            problems.append(origin.problem(Formula.FORMULA_RULE, row=number, column=formula[0],
                                           value=str(cells[CASE_COLUMNS.index(formula[0])])))
            continue
        missing = [c for c, v in zip(CASE_COLUMNS[:2], (section, key)) if blank(v)]
        if missing:
            problems.append(origin.problem("required value is empty", row=number, column=missing[0]))
            continue
        section, key = str(section).strip(), str(key).strip()
        name, _, item = key.partition(".")
        if (section, key) in rows:
            problems.append(origin.problem(f"setting given twice: first in row {rows[(section, key)]}",
                                           row=number, column="key", value=key))
            continue
        rows[(section, key)] = number
        rows.setdefault((section, name), number)
        setting = SETTINGS.get(name)
        value = _setting_value(setting, bool(item), value, origin, number, problems)
        if value is _SKIP:
            continue
        content = config.setdefault(section, {})
        if item:  # caps.US = 0.6: a key of a table setting
            if setting is not None and setting.dtype == "table":
                content.setdefault(name, {})[item] = value
            else:  # the loader reports it as an unknown setting, by its full key
                content[key] = value
                rows[(section, key)] = number
        else:
            content[name] = value
    return config, rows


_SKIP = object()


def _is_comment(cell) -> bool:
    return isinstance(cell, str) and cell.strip().startswith(COMMENT)


def _setting_value(setting, is_item: bool, cell, origin: Origin, number: int,
                   problems: list[Problem]):
    """A `value` cell as case.toml would give it, or _SKIP after reporting a problem."""
    def bad(rule, shown=cell):
        problems.append(origin.problem(rule, row=number, column="value", value=shown))
        return _SKIP

    if setting is None:  # unknown: let the loader name it, with its value
        return cell
    if isinstance(cell, (datetime, date)):
        return bad("a date, not a setting value", cell.isoformat())
    if setting.dtype == "list" and not is_item:
        # exclude: a comma-separated list; empty means nobody.
        return [] if blank(cell) else [v.strip() for v in str(cell).split(",") if v.strip()]
    if blank(cell):
        return bad("required value is empty (delete the row to use the default)", None)
    if setting.dtype == "float" or (setting.dtype == "table" and is_item):
        if isinstance(cell, float) and not math.isfinite(cell):
            return bad("not a finite number", repr(cell))
        if isinstance(cell, str):
            try:
                float(cell)
            except ValueError:
                return bad("not a number")
            return bad("a number stored as text: store it as a number (in Excel: Convert "
                       "to Number)")
        return cell
    if setting.dtype == "table":
        return bad(f"give one row per supplier with the key {setting.name}.SUPPLIER")
    return str(cell).strip()


# --- writing ----------------------------------------------------------------------------

def case_sheet_rows(config: dict) -> list[tuple[str, str, object]]:
    """case.toml's content as (section, key, value) rows of the `case` sheet."""
    rows = []
    for section, content in config.items():
        for key, value in content.items():
            if isinstance(value, dict):
                rows.extend((section, f"{key}.{item}", v) for item, v in value.items())
            elif isinstance(value, list):
                rows.append((section, key, ", ".join(map(str, value))))
            else:
                rows.append((section, key, value))
    return rows


def _split_comment(line: str) -> tuple[str, str]:
    """(what is left of a TOML line, its comment) — a '#' inside quotes is no comment."""
    quote = None
    for i, char in enumerate(line):
        if char in "\"'" and quote in (None, char):
            quote = None if quote else char
        elif char == "#" and quote is None:
            return line[:i].rstrip(), line[i + 1:].strip()
    return line.rstrip(), ""


def _assignment(text: str) -> dict | None:
    """`key = value` as TOML reads it, or None for prose."""
    try:
        value = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    return value if len(value) == 1 else None


def _toml_notes(text: str) -> tuple[list[str], dict, list[tuple[str, str, object, str]]]:
    """What case.toml says beside its settings: the comment lines before its first
    section, each setting's comment ((section, key) → text: the comment on its line, else
    the comment lines just above it), and its commented-out settings (examples) as
    (section, key, value, comment)."""
    head, notes, examples = [], {}, []
    section, pending = None, []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            pending = []
        elif line.startswith("["):
            section, pending = line.strip("[] "), []
        elif line.startswith("#"):
            body = line.lstrip("#").strip()
            setting, comment = _split_comment(body)
            value = _assignment(setting) if section else None
            if value:
                (key, item), = value.items()
                examples.append((section, key, item, comment or " ".join(pending)))
            elif section is None:
                head.append(body)
            else:
                pending.append(body)
        else:
            setting, comment = _split_comment(line)
            key = setting.partition("=")[0].strip()
            notes[(section, key)] = comment or " ".join(pending)
            pending = []
    return head, notes, examples


def annotated_case_rows(text: str, supplier: str | None = None) -> list[tuple]:
    """The `case` sheet of case.toml's `text`: (section, key, value, unit, note) rows — its
    head comments first, then every setting with its unit and comment (else the setting's
    description), then its commented-out examples as comment rows ('# policy'); when it
    gives no caps, a caps example on `supplier` (delete the # to use it)."""
    config = tomllib.loads(text)
    head, notes, examples = _toml_notes(text)

    def row(section, key, value, note):
        setting = SETTINGS.get(key.partition(".")[0])
        unit = setting.unit if setting else ""
        return (section, key, value, unit, note or (setting.description if setting else ""))

    rows = [(f"{COMMENT} {line}", None, None, None, None) for line in head]
    rows += [row(section, key, value, notes.get((section, key.partition(".")[0])))
             for section, key, value in case_sheet_rows(config)]
    for section, key, value, note in examples:
        for s, k, v in case_sheet_rows({section: {key: value}}):
            rows.append(row(f"{COMMENT} {s}", k, v, "example (delete the # to use it): " + note))
    has_caps = any(str(r[1]).startswith("caps.") for r in rows if r[1])
    if not has_caps and supplier:
        rows.append(row(f"{COMMENT} policy", f"caps.{supplier}", 0.6,
                        f"example (delete the # to use it): {supplier} at most 60% of supply; "
                        "one row per supplier capped"))
    return rows


def _typed(column: Column, text: str):
    """A CSV cell as the typed cell a planner would type into Excel."""
    text = text.strip()
    if text == "":
        return None
    try:
        if column.dtype == "float":
            return float(text)
        if column.dtype == "int":
            number = float(text)
            return int(number) if number.is_integer() else number
        if column.dtype == "date":
            return date.fromisoformat(text)
    except ValueError:
        pass  # kept as written: the workbook then fails validation as the folder would
    return text


def write_case_workbook(folder: Path, path: Path) -> None:
    """Write the case folder `folder` (case.toml + CSV tables) as a workbook at `path`
    (not atomic: the caller writes to a temporary file and moves it into place).

    The cells are typed from the schemas (numbers as numbers, dates as dates, ids and
    periods as text), so the workbook reads back to exactly the case the folder holds; the
    header cells carry each column's unit and meaning as comments, and the case sheet
    case.toml's comments, units and examples."""
    import csv

    openpyxl = _openpyxl("writing an .xlsx case")
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    book.remove(book.active)

    def add_sheet(title: str, header: list[str], rows: list[list], widest: int = 60):
        ws = book.create_sheet(title)
        append_row(ws, header)
        for row in rows:
            append_row(ws, row)  # text stays text, never a formula
        ws.freeze_panes = "A2"
        for i, name in enumerate(header, 1):
            cells = [name] + [r[i - 1] for r in rows]
            width = max(len(str(c)) if c is not None else 0 for c in cells)
            ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), widest)
        for cell in ws[1]:
            cell.font = openpyxl.styles.Font(bold=True)
        return ws

    def as_text(ws, index: int) -> None:
        """Column `index` formatted as text: what is typed there later stays text too."""
        letter = get_column_letter(index)
        ws.column_dimensions[letter].number_format = TEXT
        for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.number_format = TEXT

    text = (folder / "case.toml").read_text(encoding="utf-8-sig")
    first_supplier = _first_value(folder / TABLES["suppliers"].file)
    rows = [list(r) for r in annotated_case_rows(text, first_supplier)]
    ws = add_sheet(CASE_SHEET, [*CASE_COLUMNS, *NOTE_COLUMNS], rows, widest=50)
    for index in (1, 2, 4, 5):
        as_text(ws, index)
    for name, schema in TABLES.items():
        file = folder / schema.file
        if not file.exists():
            continue
        with file.open(encoding="utf-8-sig", newline="") as handle:
            records = [r for r in csv.reader(handle) if any(c.strip() for c in r)]
        header = [h.strip() for h in records[0]]
        columns = [schema.column(h) if h in schema.column_names else None for h in header]
        rows = [[_typed(c, v) if c else v for c, v in zip(columns, r)] for r in records[1:]]
        ws = add_sheet(name, header, rows)
        for i, column in enumerate(columns, 1):
            if column is None:
                continue
            if column.dtype == "date":
                for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.number_format = "yyyy-mm-dd"
            elif column.dtype not in NUMERIC:  # ids, periods, names, choices
                as_text(ws, i)
            about = "; ".join(t for t in (column.description, column.unit and f"unit: {column.unit}",
                                          column.range_text() and f"values: {column.range_text()}")
                              if t)
            if about:
                ws.cell(1, i).comment = Comment(about, "gasmix", width=260, height=90)
    book.save(path)


TEXT = "@"  # Excel's text format


def _first_value(file: Path) -> str | None:
    """The first data cell of a CSV file (the first supplier's id), or None."""
    import csv

    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            rows = [r for r in csv.reader(handle) if any(c.strip() for c in r)]
    except OSError:
        return None
    return rows[1][0].strip() if len(rows) > 1 and rows[1] else None
