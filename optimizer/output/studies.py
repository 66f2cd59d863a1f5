"""Writing study results: sweeps, frontiers, stress tests and offer studies, each a folder.

A sweep or frontier folder holds the table (CSV), a JSON description (`sweep.json` /
`frontier.json`, which also marks the folder as gasmix output) and a PNG chart — the same
drawings as the HTML report's (optimizer/charts.py). A stress folder holds stress.csv and
summary.json (the deterministic plan's summary and every scenario's row); an offer folder
offer.csv and offer.json. All are written
like plans: finished aside, then swapped in, never over foreign files. Without matplotlib
(the `charts` extra) a folder has no PNG and the notes say how to get one."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ...models.extras import MissingExtra

from . import charts, study_charts
from .files import replace_folder
from .plan_files import write_csv

SWEEP_MARKER = "sweep.json"
FRONTIER_MARKER = "frontier.json"


def write_sweep(table: pd.DataFrame, path, keys: list[str], about: dict, chart: bool = True) -> list[str]:
    """sweep.csv, sweep.json and (matplotlib permitting) sweep.png in folder `path`.
    Returns notes for the user (e.g. a chart that could not be drawn)."""
    notes: list[str] = []
    meta = {"kind": "sweep", "params": list(keys), "points": len(table),
            "statuses": table["status"].value_counts().to_dict(), **about}

    def fill(folder: Path) -> None:
        write_csv(table, folder / "sweep.csv")
        (folder / SWEEP_MARKER).write_text(json.dumps(meta, indent=1, default=str) + "\n")
        if chart:
            _chart(lambda: study_charts.sweep_figure(table, list(keys), _supplier_colors(table),
                                                     title=about.get("title", ""),
                                                     names=about.get("names")),
                   folder / "sweep.png", notes)

    replace_folder(Path(path), fill, kind="sweep")
    return notes


def write_frontier(table: pd.DataFrame, path, about: dict, chart: bool = True) -> list[str]:
    """frontier.csv, frontier.json and frontier.png in folder `path`."""
    notes: list[str] = []
    efficient = table[table["pareto"]]
    meta = {"kind": "frontier", "points": len(table),
            "trade_offs": sorted(set(table["trade_off"])),
            "pareto_points": int(len(efficient)), **about}

    def fill(folder: Path) -> None:
        write_csv(table, folder / "frontier.csv")
        (folder / FRONTIER_MARKER).write_text(json.dumps(meta, indent=1, default=str) + "\n")
        if chart:
            _chart(lambda: study_charts.frontier_figure(table, title=about.get("title", "")),
                   folder / "frontier.png", notes)

    replace_folder(Path(path), fill, kind="frontier")
    return notes


def write_stress(table: pd.DataFrame, plan_summary: dict, path,
                 short_events: pd.DataFrame | None = None) -> Path:
    """stress.csv and summary.json in folder `path` (and short_events.csv: the days of
    short events, by demand tier); returns the folder written."""
    def fill(folder: Path) -> None:
        write_csv(table, folder / "stress.csv")
        summary = {"deterministic_plan": plan_summary,
                   "scenarios": json.loads(table.to_json(orient="records", double_precision=10))}
        if short_events is not None:
            write_csv(short_events, folder / "short_events.csv")
            summary["short_events"] = json.loads(short_events.to_json(orient="records",
                                                                      double_precision=10))
        (folder / "summary.json").write_text(json.dumps(summary, indent=1, allow_nan=False) + "\n")

    return replace_folder(Path(path), fill, kind="stress")


def write_offer(table: pd.DataFrame, summary: dict, path) -> Path:
    """offer.csv (one row per state: without, with, with cut off) and offer.json (the
    study's figures) in folder `path`; returns the folder written."""
    def fill(folder: Path) -> None:
        write_csv(table, folder / "offer.csv")
        (folder / "offer.json").write_text(json.dumps({"kind": "offer", **summary}, indent=1,
                                                      allow_nan=False, default=str) + "\n")

    return replace_folder(Path(path), fill, kind="offer")


def _supplier_colors(table: pd.DataFrame) -> dict:
    """Suppliers in the case's order (the share columns are), so colours match the report."""
    return charts.supplier_colors([c[len("share_"):] for c in table.columns if c.startswith("share_")])


def _chart(make, target: Path, notes: list[str]) -> None:
    try:
        charts.save_png(make(), target)
    except MissingExtra:
        notes.append('no chart: install matplotlib with pip install "gasmix[charts]"')
