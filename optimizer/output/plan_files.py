"""A plan on disk: a folder of CSV tables with summary.json, one JSON document, or one
Excel workbook — each finished aside and swapped in (files.py), so an interrupted write
never leaves a half-written plan."""

from __future__ import annotations

import json
from pathlib import Path

from .files import GENERATOR, PLAN_MARKER, replace_file, replace_folder

FORMATS = ("csv", "json", "xlsx")
# The tables of every plan, in the order they are written (a plan may add more: security,
# a stochastic plan's scenarios, …). The output layer takes a plan as it comes — anything
# with `summary` and `tables()` — and imports nothing of results/.
TABLE_NAMES = ("flows", "storage", "transport", "prices", "shares", "constraints")


def plan_document(plan) -> dict:
    """The whole plan as one JSON-ready document."""
    out = {"generator": GENERATOR, "kind": "plan", "summary": plan.summary}
    for name, table in plan.tables().items():
        out[name] = json.loads(table.to_json(orient="records", double_precision=10))
    return out


def write_plan(plan, path: str | Path, format: str = "csv", progress=None) -> Path:
    """Write `plan` (a Plan): a folder of CSV tables + summary.json (format
    "csv"), one JSON file ("json"), or one Excel workbook ("xlsx": a summary sheet and a
    sheet per table; needs openpyxl). `progress(step)` is called before each sheet of a
    workbook."""
    path = Path(path)
    if format == "json":
        return replace_file(path, json.dumps(plan_document(plan), indent=1, allow_nan=False))
    if format == "xlsx":
        from .excel import write_plan_workbook  # openpyxl only when asked for
        return write_plan_workbook(plan, path, progress=progress)
    if format != "csv":
        raise ValueError(f"unknown format {format!r} ({', '.join(FORMATS)})")
    return replace_folder(path, lambda folder: write_tables(plan, folder), kind="plan")


def write_tables(plan, folder: Path) -> None:
    """The plan's tables as CSV files and its summary as summary.json, into `folder`."""
    for name, table in plan.tables().items():
        table.to_csv(folder / f"{name}.csv", index=False, float_format="%.6f")
    (folder / PLAN_MARKER).write_text(json.dumps(plan.summary, indent=1, allow_nan=False) + "\n")
