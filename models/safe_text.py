"""Text from a case or a user on its way out: the one rule for each place gasmix writes it
where another program reads it — a workbook cell, a CSV field, a terminal — so that it is
shown as written and never run as a formula, nor obeyed as a terminal's control sequence.

* **Workbooks** (`append_row`): every text cell is a string cell, never a formula, whatever
  it starts with; the characters XML cannot hold (C0 controls but tab, LF, CR) are shown
  as escapes (`\\x1b`), since no .xlsx file can carry them.
* **CSV files** (`csv_field`, `csv_frame`; read back with `from_csv_field`,
  `from_csv_frame`): OWASP's CSV-injection rule — a text field that a spreadsheet would
  read as a formula (it starts with =, +, -, @, tab or CR and is not a number) is written
  after a single quote. Numbers are never touched. A text that already starts with quotes
  before such a character gets one more, so reading back (one quote off) is exact.
* **Terminals** (`visible`): control and other non-printable characters are shown as
  Python escapes (`\\x1b`, `\\u202e`); the terminal layer adds rich's markup escaping.

It lives in `models` because both the case workbook (models/workbook.py) and every output
(optimizer/output/) write through it; it imports nothing (pandas only when given a frame).
"""

from __future__ import annotations

import math
import re
import unicodedata

# What makes a spreadsheet read a field as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_GUARD = "'"
_FIRST_OF_GUARDED = frozenset("".join(FORMULA_STARTS) + CSV_GUARD)
# Characters XML 1.0 (and so an .xlsx file) cannot hold: openpyxl refuses them.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def visible(text: str, keep: str = "") -> str:
    """`text` with every character a terminal would not print as itself (controls such
    as ESC, BEL and NUL, format characters such as a right-to-left override, line and
    paragraph separators, surrogates, unassigned code points) shown as its Python escape;
    the characters in `keep` (say "\\n" for a message of several lines) pass."""
    text = str(text)
    if text.isprintable() and not keep:
        return text
    return "".join(c if c in keep or c.isprintable() or c == " " or
                   unicodedata.category(c) == "Zs" else _escape(c) for c in text)


def _escape(char: str) -> str:
    return char.encode("unicode_escape", "backslashreplace").decode("ascii")


# --- workbooks ---------------------------------------------------------------------------

def append_row(ws, values) -> None:
    """Append `values` as a row of the openpyxl worksheet `ws`, text as text: a string
    that starts with '=' would otherwise be stored as a live formula (openpyxl's rule)."""
    values = [_NOT_IN_XML.sub(lambda m: _escape(m.group()), v) if isinstance(v, str) else v
              for v in values]
    ws.append(values)
    row = ws.max_row
    for column, value in enumerate(values, 1):
        if isinstance(value, str) and value.startswith("="):
            ws.cell(row, column).data_type = "s"


# --- CSV files ---------------------------------------------------------------------------

def _is_number(text: str) -> bool:
    """Would a spreadsheet read `text` as a number (say -3.5), not as a formula?"""
    if "_" in text:  # Python reads 1_000 as a number; a spreadsheet does not
        return False
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _formula_like(text: str) -> bool:
    """Does `text`, quotes before it aside, start like a formula (so it needs a guard)?"""
    if text[:1] not in _FIRST_OF_GUARDED:  # most text: decided by its first character
        return False
    return text.lstrip(CSV_GUARD).startswith(FORMULA_STARTS) and not _is_number(text)


def csv_field(text: str) -> str:
    """A text field as written to a CSV file: behind a quote if it starts like a formula."""
    return CSV_GUARD + text if _formula_like(text) else text


def from_csv_field(text: str) -> str:
    """What csv_field wrote, as it was."""
    if text.startswith(CSV_GUARD) and _formula_like(text[1:]):
        return text[1:]
    return text


def _map_text(frame, field):
    """`frame` (a pandas DataFrame) with `field` applied to the strings of its text
    columns; number and true/false columns, and non-strings, as they are."""
    import pandas as pd

    out = frame
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series) or \
                pd.api.types.is_datetime64_any_dtype(series):
            continue
        mapped = series.map(lambda v: field(v) if isinstance(v, str) else v)
        if not mapped.equals(series):
            if out is frame:
                out = frame.copy()
            out[column] = mapped
    return out


def csv_frame(frame):
    """`frame` as written to a CSV file: its text guarded (csv_field)."""
    return _map_text(frame, csv_field)


def from_csv_frame(frame):
    """A frame read from a CSV file gasmix wrote, its text as it was (from_csv_field)."""
    return _map_text(frame, from_csv_field)
