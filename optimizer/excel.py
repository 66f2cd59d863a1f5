"""A plan as one Excel workbook for planners: a summary sheet, then one sheet per table.

Headers read as "flow (MMcf/d)", numbers carry thousands separators, shares show as
percentages, the header row is frozen and filtered. The workbook is written to a temporary
file and moved into place (optimizer/files.py); an existing file is replaced only if it is
a gasmix plan workbook (its document keywords say so).
"""

from __future__ import annotations

from pathlib import Path

from models.extras import require

from .files import write_file
from .labels import EXCEL_FORMATS, column_label, headline_values, number_format

SUMMARY_SHEET = "summary"
# Written into the workbook's document properties: how gasmix knows a file is its own.
PLAN_KEYWORDS = "gasmix plan"
MAX_WIDTH = 45
WIDTH_SAMPLE = 500  # rows looked at to size a column: enough, and fast on big plans


def is_plan_workbook(path: Path) -> bool:
    openpyxl = require("openpyxl", "excel", "writing an .xlsx plan")
    try:
        book = openpyxl.load_workbook(path, read_only=True)
        try:
            return book.properties.keywords == PLAN_KEYWORDS
        finally:
            book.close()
    except Exception:  # not a workbook at all: not ours either
        return False


def write_plan_workbook(plan, path: Path, progress=None) -> Path:
    """Write `plan` to the workbook `path` atomically. `progress(step)`, if given, is called
    before each sheet (for a progress display)."""
    require("openpyxl", "excel", "writing an .xlsx plan")
    return write_file(Path(path), lambda tmp: _write(plan, tmp, progress),
                      replaceable=is_plan_workbook, what="a gasmix plan workbook")


def summary_rows(summary: dict) -> list[tuple[str, object, str, str | None]]:
    """(label, value, unit, Excel format) rows: headline figures first, then the rest a
    planner needs to read the plan (costs by kind, shares, policy, provenance)."""
    rows = [(h["label"] + (f" ({h['note']})" if h["note"] else ""), h["value"], h["unit"],
             EXCEL_FORMATS[h["kind"]]) for h in headline_values(summary)]
    case = summary["case"]
    policy = summary["policy"]
    rows += [("status", summary["status"], "", None),
             ("case", case["name"], "", None),
             ("title", case["title"], "", None),
             ("periods", f"{case['first_period']} to {case['last_period']} ({case['periods']})", "", None),
             ("risk penalty (not cash)", summary["risk_penalty_musd"], "million USD", EXCEL_FORMATS["musd"])]
    for part, value in summary["cost_breakdown_musd"].items():
        rows.append((f"cost: {part.replace('_', ' ')}", value, "million USD", EXCEL_FORMATS["musd"]))
    rows += [("supply", summary["supply_bcf"], "Bcf", EXCEL_FORMATS["bcf"]),
             ("storage cover (average stock)", summary["storage_cover_days"], "days of demand",
              EXCEL_FORMATS["days"]),
             ("binding constraints", summary["binding_constraints"], "", EXCEL_FORMATS["count"])]
    for code, share in sorted(summary["shares"].items(), key=lambda kv: -(kv[1] or 0.0)):
        rows.append((f"share of supply: {code}", share, "%", EXCEL_FORMATS["percent"]))
    caps = ", ".join(f"{k} ≤ {v:.0%}" for k, v in policy["caps"].items())
    rows += [("policy: caps", caps or "none", "", None),
             ("policy: max share", policy["max_share"], "%", EXCEL_FORMATS["percent"]),
             ("policy: risk weight λ", policy["risk_weight_usd_mmbtu"], "USD/MMBtu", EXCEL_FORMATS["price"]),
             ("policy: excluded", ", ".join(policy["exclude"]) or "none", "", None),
             ("policy: share basis", policy["share_basis"], "", None),
             ("policy: shares of", policy["share_of"], "", None),
             ("VOLL", policy["voll_usd_mmbtu"], "USD/MMBtu", EXCEL_FORMATS["price"]),
             ("solver", summary["solver"], "", None),
             ("solve time", summary["solve_seconds"], "s", EXCEL_FORMATS["seconds"]),
             ("input SHA-256", case["input_sha256"], "", None)]
    rows += [("warning", text, "", None) for text in summary["warnings"]]
    return rows


def _write(plan, path: Path, progress) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    book.properties.keywords = PLAN_KEYWORDS
    book.properties.title = f"gasmix plan: {plan.summary['case']['name']}"
    bold = Font(bold=True)

    def finish(ws, widths: list[int]) -> None:
        for cell in ws[1]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=False)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
        for i, width in enumerate(widths, 1):
            # +2 for the filter button beside the header text.
            ws.column_dimensions[get_column_letter(i)].width = min(max(width + 3, 9), MAX_WIDTH)

    if progress:
        progress(SUMMARY_SHEET)
    ws = book.active
    ws.title = SUMMARY_SHEET
    ws.append(["figure", "value", "unit"])
    for label, value, unit, fmt in summary_rows(plan.summary):
        ws.append([label, value, unit])
        if fmt:
            ws.cell(ws.max_row, 2).number_format = fmt
    rows = summary_rows(plan.summary)
    finish(ws, [max(len(r[0]) for r in rows), 18, max(len(r[2]) for r in rows) + 2])

    for name, table in plan.tables().items():
        if progress:
            progress(name)
        ws = book.create_sheet(name)
        columns = list(table.columns)
        ws.append([column_label(c) for c in columns])
        # Cells as Python values: NaN (no share, no cap) becomes an empty cell.
        frame = table.astype(object).where(table.notna(), None)
        for record in frame.itertuples(index=False, name=None):
            ws.append(record)
        widths = []
        for i, column in enumerate(columns, 1):
            fmt = number_format(column)
            if fmt and len(table):
                for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.number_format = fmt
            sample = table[column].head(WIDTH_SAMPLE)
            if fmt:
                shown = [len(f"{v:,.2f}") for v in sample if isinstance(v, float) and v == v]
            else:
                shown = [len(str(v)) for v in sample]
            widths.append(max([len(column_label(column)), *shown]))
        finish(ws, widths)
    book.save(path)
