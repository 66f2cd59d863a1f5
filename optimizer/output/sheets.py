"""How every gasmix workbook sheet is laid out for Excel users: a bold, frozen, filtered
header row, fitted column widths, number formats from labels.py, ids and periods as text
(format '@', so a period typed later stays "2026-01" and never becomes a date), and a
print setup — landscape, one page wide, the header repeated on every page.

Used by the plan workbook (excel.py) and the sweep and frontier workbooks
(study_workbooks.py); openpyxl is imported by the caller.
"""

from __future__ import annotations

import pandas as pd

from ...models.safe_text import append_row
from .labels import column_label, number_format

MAX_WIDTH = 45
WIDTH_SAMPLE = 500  # rows looked at to size a column: enough, and fast on big plans
TEXT_FORMAT = "@"


def print_setup(ws, header_rows: int = 1) -> None:
    """Landscape, fitted to one page wide (as many pages tall as it takes), the header
    row(s) repeated on every printed page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{header_rows}"


def finish(ws, widths: list[int]) -> None:
    """Bold frozen, filtered header row, column widths, print setup."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=False)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for i, width in enumerate(widths, 1):
        # +3 for the filter button beside the header text.
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 3, 9), MAX_WIDTH)
    print_setup(ws)


def write_frame(book, title: str, frame: pd.DataFrame, headers: dict[str, str] | None = None,
                formats: dict[str, str] | None = None):
    """A sheet of `frame`: readable headers (labels.column_label, or `headers`), typed
    cells (NaN empty), number formats (labels.number_format, or `formats`), text columns
    formatted as text, text written as text, never a formula (safe_text.append_row);
    finished (finish)."""
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(title)
    columns = list(frame.columns)
    headers = headers or {}
    append_row(ws, [headers.get(c, column_label(str(c))) for c in columns])
    cells = frame.astype(object).where(frame.notna(), None)
    for record in cells.itertuples(index=False, name=None):
        append_row(ws, record)
    widths = []
    for i, column in enumerate(columns, 1):
        fmt = (formats or {}).get(column) or number_format(str(column))
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and \
            not pd.api.types.is_bool_dtype(frame[column])
        if fmt is None and not numeric and not pd.api.types.is_bool_dtype(frame[column]):
            fmt = TEXT_FORMAT
        if fmt and len(frame):
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = fmt
        if fmt == TEXT_FORMAT:  # rows a user adds are text too
            ws.column_dimensions[get_column_letter(i)].number_format = TEXT_FORMAT
        sample = frame[column].head(WIDTH_SAMPLE)
        shown = [len(f"{v:,.2f}") if isinstance(v, float) and v == v else len(str(v))
                 for v in sample if v is not None]
        widths.append(max([len(headers.get(column, column_label(str(column)))), *shown]))
    finish(ws, widths)
    return ws
