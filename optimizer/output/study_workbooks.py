"""Sweeps and frontiers as Excel workbooks (`gasmix sweep/frontier --format xlsx`): the
points under readable headers (caps as %, costs in million USD, the cash change from the
reference point), a pivot of the first two parameters of a sweep, and an `about` sheet
saying what was run. Laid out like the plan workbook (sheets.py) and written like every
output: finished aside, then moved into place, replacing only a workbook of its kind.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ...models.extras import require
from ...models.safe_text import append_row
from .files import write_file
from .labels import param_label, param_value
from .sheets import finish, write_frame
from .study_reading import cash_change, reference_value, sweep_pivot

KEYWORDS = {"sweep": "gasmix sweep", "frontier": "gasmix frontier"}
COST_FORMAT = "#,##0.0"


def is_study_workbook(path: Path, kind: str) -> bool:
    openpyxl = require("openpyxl", "excel", "--format xlsx")
    try:
        book = openpyxl.load_workbook(path, read_only=True)
        try:
            return book.properties.keywords == KEYWORDS[kind]
        finally:
            book.close()
    except Exception:  # not a workbook at all: not ours either
        return False


def _save(kind: str, path: Path, fill) -> Path:
    openpyxl = require("openpyxl", "excel", "--format xlsx")

    def write(tmp: Path) -> None:
        book = openpyxl.Workbook()
        book.remove(book.active)
        book.properties.keywords = KEYWORDS[kind]
        fill(book)
        book.save(tmp)

    return write_file(Path(path), write, replaceable=lambda p: is_study_workbook(p, kind),
                      what=f"a gasmix {kind} workbook")


def _about(book, rows: list[tuple[str, object]]) -> None:
    ws = book.create_sheet("about")
    append_row(ws, ["what", "value"])
    for key, value in rows:
        append_row(ws, [key, value if isinstance(value, (int, float, str)) or value is None
                   else json.dumps(value, default=str)])
    finish(ws, [max(len(str(r[0])) for r in rows), 60])


def write_sweep_workbook(table: pd.DataFrame, path, keys: list[str], about: dict) -> Path:
    """points, pivot (two or more parameters) and about sheets."""
    names = about.get("names") if isinstance(about.get("names"), dict) else None
    first = keys[0]
    ref = param_value(first, reference_value(first, table[first]))
    points = table.copy()
    points.insert(list(points.columns).index("cash_cost_musd") + 1, "cash_change_musd",
                  cash_change(table, keys))
    headers = {k: param_label(k, names) for k in keys}
    headers["cash_change_musd"] = f"cash change vs {first} = {ref} (million USD)"
    headers["total_cost_musd"] = "cash + unserved at VOLL (million USD)"
    formats = {k: "0%" for k in keys if k.partition(".")[0] in ("cap", "max_share")}

    def fill(book) -> None:
        write_frame(book, "points", points, headers=headers, formats=formats)
        if len(keys) > 1:
            cells, held = sweep_pivot(table, keys)
            pivot = cells["cash_cost_musd"].unstack(keys[1])
            pivot.columns = [f"{keys[1]} = {param_value(keys[1], v)}" for v in pivot.columns]
            pivot = pivot.reset_index()
            pivot[keys[0]] = [param_value(keys[0], v) for v in pivot[keys[0]]]
            write_frame(book, "pivot", pivot, headers={keys[0]: param_label(keys[0], names)},
                        formats={c: COST_FORMAT for c in pivot.columns[1:]})
            held_text = ", ".join(f"{k} = {param_value(k, v)}" for k, v in held.items())
        _about(book, [("kind", "sweep"), ("case", about.get("case", "")),
                      ("parameters", ", ".join(keys)), ("points", len(table)),
                      ("statuses", ", ".join(f"{n} {s}" for s, n in table["status"].value_counts().items())),
                      ("cash change", f"against {first} = {ref}, the other parameters held"),
                      *([("pivot", f"cash cost, million USD: {keys[0]} down, {keys[1]} across"
                                   + (f"; {held_text}" if held_text else ""))] if len(keys) > 1 else []),
                      ("base policy", about.get("base_policy", {})),
                      ("title", about.get("title", ""))])

    return _save("sweep", path, fill)


def write_frontier_workbook(table: pd.DataFrame, path, about: dict) -> Path:
    """points and about sheets (Pareto points marked, repeats named)."""
    points = table.copy()
    headers = {"cost_musd": "cash + unserved at VOLL (million USD)", "x": "measure",
               "pareto": "Pareto-efficient (each plan once)", "same_plan_as": "same plan as"}

    def fill(book) -> None:
        write_frame(book, "points", points, headers=headers,
                    formats={"value": "0.00", "x": "0.000", "same_plan_as": "0.00"})
        _about(book, [("kind", "frontier"), ("case", about.get("case", "")),
                      ("trade-offs", ", ".join(dict.fromkeys(table["trade_off"]))),
                      ("points", len(table)), ("Pareto-efficient plans", int(table["pareto"].sum())),
                      ("base policy", about.get("base_policy", {})),
                      ("title", about.get("title", ""))])

    return _save("frontier", path, fill)
