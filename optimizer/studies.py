"""Writing sweep and frontier results: a folder with the table (CSV), a JSON description
(`sweep.json` / `frontier.json`, which also marks the folder as gasmix output) and a PNG
chart. Written like plans: finished aside, then swapped in, never over foreign files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .figures import ChartsUnavailable, frontier_figure, save_png, sweep_figure
from .files import replace_folder

SWEEP_MARKER = "sweep.json"
FRONTIER_MARKER = "frontier.json"


def write_sweep(table: pd.DataFrame, path, keys: list[str], about: dict, chart: bool = True) -> list[str]:
    """sweep.csv, sweep.json and (matplotlib permitting) sweep.png in folder `path`.
    Returns notes for the user (e.g. a chart that could not be drawn)."""
    notes: list[str] = []
    meta = {"kind": "sweep", "params": list(keys), "points": len(table),
            "statuses": table["status"].value_counts().to_dict(), **about}

    def fill(folder: Path) -> None:
        table.to_csv(folder / "sweep.csv", index=False, float_format="%.6f")
        (folder / SWEEP_MARKER).write_text(json.dumps(meta, indent=1, default=str) + "\n")
        if chart:
            _chart(lambda: sweep_figure(table, keys, title=about.get("title", "")), folder / "sweep.png", notes)

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
        table.to_csv(folder / "frontier.csv", index=False, float_format="%.6f")
        (folder / FRONTIER_MARKER).write_text(json.dumps(meta, indent=1, default=str) + "\n")
        if chart:
            _chart(lambda: frontier_figure(table, title=about.get("title", "")), folder / "frontier.png", notes)

    replace_folder(Path(path), fill, kind="frontier")
    return notes


def _chart(make, target: Path, notes: list[str]) -> None:
    try:
        save_png(make(), target)
    except ChartsUnavailable as exc:
        notes.append(f"no chart: {exc}")
