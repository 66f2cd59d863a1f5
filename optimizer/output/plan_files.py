"""A plan on disk: a folder of CSV tables with summary.json, one JSON document, or one
Excel workbook — each finished aside and swapped in (files.py), so an interrupted write
never leaves a half-written plan."""

from __future__ import annotations

import json
from pathlib import Path

from ...models.safe_text import csv_frame
from .files import GENERATOR, PLAN_MARKER, replace_file, replace_folder

FORMATS = ("csv", "json", "xlsx")
# The tables of every plan, in the order they are written (a plan may add more: security,
# a stochastic plan's scenarios, …). The output layer takes a plan as it comes — anything
# with `summary` and `tables()` — and imports nothing of results/.
TABLE_NAMES = ("flows", "storage", "transport", "prices", "shares", "constraints", "savings")


def plan_document(plan) -> dict:
    """The whole plan as one JSON-ready document."""
    out = {"generator": GENERATOR, "kind": "plan", "summary": plan.summary}
    for name, table in plan.tables().items():
        out[name] = json.loads(table.to_json(orient="records", double_precision=10))
    return out


def plan_format(path: str | Path, format: str | None = None) -> str:
    """The format to write `path` in: `format` if given, else from the name: .json a JSON
    document, .xlsx a workbook, anything else a folder of CSV tables. A name that says a
    file of another format is a mistake (ValueError), not a folder of that name."""
    suffix = Path(path).suffix.lower()
    by_name = {".json": "json", ".xlsx": "xlsx"}.get(suffix, "csv")
    if format is None:
        return by_name
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r} ({', '.join(FORMATS)})")
    name = str(path)
    if format == "csv" and suffix in (".json", ".xlsx", ".csv"):
        raise ValueError(f"{name!r} is a file name: a csv plan is a folder (for a file, the "
                         "json or xlsx format)")
    if format == "xlsx" and by_name != "xlsx":
        raise ValueError(f"{name!r}: a workbook's name must end in .xlsx")
    if format == "json" and by_name != "json":
        raise ValueError(f"{name!r}: a JSON plan's name must end in .json")
    return format


def write_plan(plan, path: str | Path, format: str | None = None, progress=None) -> Path:
    """Write `plan` (a Plan): a folder of CSV tables + summary.json ("csv"), one JSON
    file ("json"), or one Excel workbook ("xlsx": a summary sheet and a sheet per table;
    needs openpyxl) — by default as the name says (plan_format). `progress(step)` is called
    before each sheet of a workbook."""
    path = Path(path)
    format = plan_format(path, format)
    if format == "json":
        return replace_file(path, json.dumps(plan_document(plan), indent=1, allow_nan=False))
    if format == "xlsx":
        from .excel import write_plan_workbook  # openpyxl only when asked for
        return write_plan_workbook(plan, path, progress=progress)
    return replace_folder(path, lambda folder: write_tables(plan, folder), kind="plan")


def write_csv(table, path: Path) -> None:
    """One table as a CSV file, as every CSV output of gasmix is written: numbers to six
    decimals, text that a spreadsheet would read as a formula behind a quote
    (models/safe_text.py; report.py reads it back as it was)."""
    csv_frame(table).to_csv(path, index=False, float_format="%.6f")


def write_tables(plan, folder: Path) -> None:
    """The plan's tables as CSV files and its summary as summary.json, into `folder`."""
    for name, table in plan.tables().items():
        write_csv(table, folder / f"{name}.csv")
    (folder / PLAN_MARKER).write_text(json.dumps(plan.summary, indent=1, allow_nan=False) + "\n")
