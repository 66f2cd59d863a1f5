"""The charts of studies: sweeps, frontiers, stress tests and plan comparisons, each a
matplotlib Figure in a Form (charts.py), plus the PNGs `gasmix sweep` and `gasmix
frontier` write (`sweep_figure`, `frontier_figure`).

What diversification costs is drawn as the CASH cost change from a reference point (the
loosest cap, λ = 0: study_reading.reference_value) on its own axis, with unserved gas
apart: valued at VOLL it would swamp the scale, so where demand is shed the chart shades
the zone (one parameter) or rings the point, and a panel below shows how much is shed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...models.safe_text import visible  # a case title is the user's: no raw controls drawn
from .charts import (FAILED_COLOR, SHED_COLOR, SMALL, WIDE, Form, colormap, new_figure,
                     percent_ticks, show, style, thousands, tip)
from .labels import is_share_param, param_label, param_value
from .study_reading import OPTIMAL, cash_change, reference_value, shed

MAX_PANELS = 6      # small multiples of a sweep's third parameter
MAX_COLOURS = 12    # values of a sweep's second parameter drawn as separate lines
LINE_COLOR = "#2c7fb8"


def _numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def values(series: pd.Series) -> list:
    """A parameter's distinct values: numbers in order, text as first seen."""
    distinct = list(dict.fromkeys(series.tolist()))
    return sorted(distinct) if _numeric(series) else distinct


def sweep_layout(frame: pd.DataFrame, params: list[str]) -> dict:
    """How a sweep over 1–3 parameters is drawn: the x parameter, the colour parameter and
    its values, the panel parameter and the values shown (at most MAX_PANELS), and a
    plain-words note of what is left out."""
    x = params[0]
    colour = params[1] if len(params) > 1 else None
    panel = params[2] if len(params) > 2 else None
    colours = values(frame[colour]) if colour else [None]
    panels = values(frame[panel]) if panel else [None]
    notes = []
    if colour and len(colours) > MAX_COLOURS:
        notes.append(f"{colour}: {MAX_COLOURS} of its {len(colours)} values are drawn "
                     f"({', '.join(show(v) for v in colours[:MAX_COLOURS])})")
        colours = colours[:MAX_COLOURS]
    if panel and len(panels) > MAX_PANELS:
        notes.append(f"{panel}: panels for the first {MAX_PANELS} of its {len(panels)} values "
                     f"({', '.join(show(v) for v in panels[:MAX_PANELS])})")
        panels = panels[:MAX_PANELS]
    extra = params[3:]
    if extra:
        notes.append("only the first value of " + ", ".join(extra) + " is drawn")
    first = {k: values(frame[k])[0] for k in params[1:]}
    return {"x": x, "colour": colour, "colours": colours, "panel": panel, "panels": panels,
            "first": first, "notes": notes}


def _select(frame: pd.DataFrame, conditions: dict) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for key, value in conditions.items():
        if key is not None:
            mask &= frame[key] == value
    return frame[mask]


def _x_positions(frame: pd.DataFrame, x: str, order: list) -> pd.Series:
    """x values to plot: numbers (shares in %), or a text value's position in `order`."""
    if _numeric(frame[x]):
        return frame[x].astype(float) * (100.0 if is_share_param(x) else 1.0)
    return frame[x].map({v: i for i, v in enumerate(order)}).astype(float)


def _x_axis(ax, frame: pd.DataFrame, x: str, order: list, names: dict | None) -> None:
    ax.set_xlabel(param_label(x, names))
    if not _numeric(frame[x]):
        ax.set_xticks(range(len(order)), [str(v) for v in order], rotation=30, ha="right",
                      fontsize=SMALL)
    elif is_share_param(x):
        percent_ticks(ax)
    else:
        thousands(ax, "x")


def _failed_marks(ax, xs) -> None:
    """Failed points (status other than optimal) as crosses on the x axis."""
    xs = np.asarray(xs, dtype=float)
    if len(xs):
        ax.plot(xs, np.zeros(len(xs)), linestyle="none", marker="x", color=FAILED_COLOR,
                markersize=7, clip_on=False, transform=ax.get_xaxis_transform(),
                label="no optimal plan", zorder=6)


def _shed_zone(ax, xs, shedding, label: str | None) -> bool:
    """Shade the x range of the points that shed demand (half a step either side)."""
    xs = np.asarray(xs, dtype=float)
    marks = xs[np.asarray(shedding, dtype=bool)]
    if not len(marks):
        return False
    steps = np.diff(np.unique(xs))
    half = (steps.min() if len(steps) else 1.0) / 2
    for k, value in enumerate(np.unique(marks)):
        ax.axvspan(value - half, value + half, color=SHED_COLOR, alpha=0.55, linewidth=0,
                   zorder=0, label=label if k == 0 else None)
    return True


def _colour_map(levels: list) -> dict:
    """A sequential colour per value of the colour parameter (light to dark)."""
    cmap = colormap("viridis")
    n = len(levels)
    return {v: cmap(0.85 * (1 - i / (n - 1)) if n > 1 else 0.35) for i, v in enumerate(levels)}


def reference_text(key: str, frame: pd.DataFrame) -> str:
    return f"{key} = {param_value(key, reference_value(key, frame[key]))}"


def sweep_cost(frame: pd.DataFrame, params: list[str], names: dict | None = None,
               form: Form = WIDE, into=None):
    """What the first parameter costs: the cash cost change from its reference point
    (one line per value of a second parameter) and, below, the gas left unserved; points
    that shed demand shaded (one parameter) or ringed in red. A third parameter gives one
    panel per value (cash change only)."""
    layout = sweep_layout(frame, params)
    x, colour, panel = layout["x"], layout["colour"], layout["panel"]
    order = values(frame[x])
    frame = frame.assign(_change=cash_change(frame, params), _shed=shed(frame))
    palette = _colour_map(layout["colours"]) if colour else {None: LINE_COLOR}
    ref = reference_text(x, frame)
    if panel:
        n = len(layout["panels"])
        cols = 1 if form.narrow or n == 1 else 2
        rows = (n + cols - 1) // cols
        fig = into if into is not None else new_figure(form.size(1.2 + 2.2 * rows), "sweep_cost")
        axes = np.atleast_1d(fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)).ravel()
        unserved_axes = [None] * n
    else:
        fig = into if into is not None else new_figure(form.size(4.4 if form.narrow else 4.2),
                                                       "sweep_cost")
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1.3])
        axes, unserved_axes = [top], [bottom]
    for ax, under, panel_value in zip(axes, unserved_axes, layout["panels"]):
        style(ax)
        part = _select(frame, {panel: panel_value}) if panel else frame
        for value in layout["colours"]:
            rows = _select(part, {colour: value}) if colour else part
            if not len(rows):
                continue
            rows = rows.assign(_x=_x_positions(rows, x, order)).sort_values("_x")
            ok = rows["status"] == OPTIMAL
            c = palette[value]
            label = param_value(colour, value) if colour else f"cash cost change vs {ref}"
            ax.plot(rows["_x"], rows["_change"].where(ok), color=c, marker="o", markersize=3.5,
                    linewidth=1.6, label=label, zorder=3)
            for _, point in rows[ok].iterrows():
                if point["_change"] == point["_change"]:
                    dot, = ax.plot([point["_x"]], [point["_change"]], linestyle="none",
                                   marker="o", markersize=7, alpha=0)
                    tip(dot, f"{x} = {param_value(x, point[x])}"
                        + (f", {colour} = {param_value(colour, value)}" if colour else "")
                        + f": cash {point['_change']:+,.0f} MUSD vs {ref}, unserved "
                        f"{float(point['unserved_bcf']):,.1f} Bcf")
            if colour or panel:
                ringed = rows[rows["_shed"]]
                ax.plot(ringed["_x"], ringed["_change"], linestyle="none", marker="o",
                        markersize=9, markerfacecolor="none", markeredgecolor=FAILED_COLOR,
                        label="sheds demand (unserved > 0)", zorder=4)
            else:
                _shed_zone(ax, rows["_x"], rows["_shed"], "demand shed (unserved > 0)")
            _failed_marks(ax, rows.loc[~ok, "_x"])
            if under is not None:
                style(under)
                under.plot(rows["_x"], rows["unserved_bcf"].astype(float).where(ok), color=c,
                           marker="o", markersize=3, linewidth=1.2)
                if not colour:
                    _shed_zone(under, rows["_x"], rows["_shed"], None)
        ax.axhline(0, color="#888888", linewidth=0.8, zorder=1)
        if panel:
            ax.set_title(f"{param_label(panel, names)}: {param_value(panel, panel_value)}",
                         fontsize=SMALL)
        thousands(ax)
    for ax in axes[len(layout["panels"]):]:
        ax.set_visible(False)
    for ax in axes[::(1 if panel is None else (1 if form.narrow or len(layout["panels"]) == 1 else 2))]:
        ax.set_ylabel(f"cash cost change\nvs {param_value(x, reference_value(x, frame[x]))}"
                      " (million USD)")
    last = unserved_axes[0] if not panel else axes[len(layout["panels"]) - 1]
    if not panel:
        last.set_ylabel("unserved\n(Bcf)")
        last.set_ylim(bottom=0)
        thousands(last)
    for ax in ([last] if not panel else axes[:len(layout["panels"])]):
        _x_axis(ax, frame, x, order, names)
    handles, labels = _unique_handles(axes)
    if colour:  # the colour key first, then what the marks mean
        keys = [param_value(colour, v) for v in layout["colours"]]
        order = sorted(range(len(labels)), key=lambda i: (labels[i] not in keys, i))
        handles, labels = [handles[i] for i in order], [labels[i] for i in order]
    form.legend(fig, handles, labels, title=param_label(colour, names) if colour else None)
    return fig


def _unique_handles(axes) -> tuple[list, list]:
    """Legend handles of every axes, each label once."""
    seen: dict = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(label, handle)
    return list(seen.values()), list(seen)


def sweep_shares(frame: pd.DataFrame, params: list[str], colors: dict, names: dict | None = None,
                 form: Form = WIDE, into=None):
    """Each supplier's share of supply against the first parameter, for the first value of
    every other parameter (✕ where a point failed)."""
    layout = sweep_layout(frame, params)
    x = layout["x"]
    order = values(frame[x])
    rows = _select(frame, layout["first"])
    rows = rows.assign(_x=_x_positions(rows, x, order)).sort_values("_x")
    fig = into if into is not None else new_figure(form.size(3.6), "sweep_shares")
    ax = fig.subplots()
    style(ax)
    ok = rows["status"] == OPTIMAL
    for supplier in colors:
        column = f"share_{supplier}"
        if column not in rows.columns:
            continue
        share = rows[column].astype(float).where(ok)
        if (share.fillna(0) > 5e-4).any():
            ax.plot(rows["_x"], share * 100, marker="o", markersize=3, color=colors[supplier],
                    label=(names or {}).get(supplier, supplier) if names else supplier)
    _failed_marks(ax, rows.loc[~ok, "_x"])
    _x_axis(ax, frame, x, order, names)
    ax.set_ylabel("share of supply (%)")
    ax.set_ylim(0, 105)
    if ax.get_legend_handles_labels()[0]:
        form.legend(fig)
    return fig


def shares_caption(frame: pd.DataFrame, params: list[str]) -> str:
    """Which combination of the other parameters the shares chart shows ('' for one)."""
    first = sweep_layout(frame, params)["first"]
    return ", ".join(f"{k} = {param_value(k, v)}" for k, v in first.items())


def sweep_figure(frame: pd.DataFrame, params: list[str], colors: dict, title: str = "",
                 names: dict | None = None):
    """The sweep's PNG: the report's cost chart above its shares chart, and a note of what
    is not drawn."""
    layout = sweep_layout(frame, params)
    panels = len(layout["panels"])
    top_height = 4.2 if panels == 1 else 1.2 + 2.2 * ((panels + 1) // 2)
    fig = new_figure((10.0, top_height + 3.6))
    top, bottom = fig.subfigures(2, 1, height_ratios=[top_height, 3.6])
    sweep_cost(frame, params, names, WIDE, into=top)
    sweep_shares(frame, params, colors, names, WIDE, into=bottom)
    shown = shares_caption(frame, params)
    if shown:
        bottom.suptitle(f"shares for {shown}", fontsize=SMALL)
    fig.suptitle(visible(title) or f"gasmix sweep over {', '.join(params)}")
    if layout["notes"]:
        fig.text(0.01, 0.0, "Not drawn: " + "; ".join(layout["notes"]), fontsize=SMALL, va="top")
    return fig


# --- a frontier -----------------------------------------------------------------------------

def frontier_x(rows: pd.DataFrame) -> tuple[pd.Series, str]:
    """The frontier's x values and their label: the `x` column (a share shown in %)."""
    label = str(rows["x_label"].dropna().iloc[0]) if rows["x_label"].notna().any() else "x"
    scale = 100 if "(%)" in label else 1
    return rows["x"].astype(float) * scale, label


def frontier_reference(rows: pd.DataFrame) -> pd.Series:
    """The point each frontier point's cash is compared with: the loosest cap (the
    largest value) or the smallest risk weight, among optimal points."""
    ok = rows[rows["status"] == OPTIMAL]
    key = str(ok["parameter"].iloc[0])
    return ok[ok["value"] == reference_value(key, ok["value"])].iloc[0]


def _place_labels(fig, ax, points, texts) -> None:
    """Label points where a label fits: above right, below right, above left or below left
    of its point, inside the axes and clear of the labels already placed; else no label."""
    from matplotlib.transforms import Bbox

    fig.canvas.draw()  # lay out first: the labels are placed where they will be drawn
    renderer = fig.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    # The points themselves are taken: a label must not sit on a neighbour's marker.
    placed = [Bbox.from_bounds(x - 6, y - 12, 12, 24)
              for x, y in ax.transData.transform(np.asarray(points, dtype=float).reshape(-1, 2))]
    for (px, py), text in zip(points, texts):
        for dx, dy, ha in ((5, 5, "left"), (5, -12, "left"), (-5, 5, "right"), (-5, -12, "right")):
            note = ax.annotate(text, (px, py), textcoords="offset points", xytext=(dx, dy),
                               ha=ha, fontsize=SMALL, zorder=6)
            note.set_in_layout(False)
            box = note.get_window_extent(renderer).expanded(1.05, 1.15)
            fits = (inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0
                    and box.y1 <= inside.y1)
            own = ax.transData.transform((px, py))
            others = [b for b in placed if not b.contains(*own)]  # its own point may touch
            if fits and not any(box.overlaps(other) for other in others):
                placed.append(box)
                break
            note.remove()


def frontier(rows: pd.DataFrame, name: str = "frontier", form: Form = WIDE, into=None):
    """One trade-off: the cash cost change from the loosest point against its measure;
    distinct Pareto-efficient plans filled and joined (labelled where labels fit),
    dominated points hollow, plans that shed demand ringed in red."""
    fig = into if into is not None else new_figure(form.size(3.8 if not form.narrow else 4.2), name)
    ax = fig.subplots()
    style(ax)
    ok = rows[rows["status"] == OPTIMAL].copy()
    ok["plot_x"], label = frontier_x(ok)
    ref = frontier_reference(rows)
    ok["plot_y"] = ok["cash_cost_musd"].astype(float) - float(ref["cash_cost_musd"])
    ok = ok.sort_values(["plot_x", "value"])
    pareto = ok[ok["pareto"].astype(bool)].drop_duplicates(["plot_x", "cost_musd"])
    other = ok[~ok.index.isin(pareto.index)]
    key = str(ok["parameter"].iloc[0])
    ax.plot(pareto["plot_x"], pareto["plot_y"], marker="o", markersize=5, color=LINE_COLOR,
            linewidth=1.6, label="Pareto-efficient plan", zorder=3)
    if len(other):
        ax.plot(other["plot_x"], other["plot_y"], linestyle="none", marker="o", markersize=5,
                markerfacecolor="none", color="#888888", label="dominated or repeated plan",
                zorder=2)
    shedding = ok[ok["unserved_bcf"].astype(float).fillna(0) > 0.05]
    if len(shedding):
        ax.plot(shedding["plot_x"], shedding["plot_y"], linestyle="none", marker="o", markersize=10,
                markerfacecolor="none", markeredgecolor=FAILED_COLOR,
                label="sheds demand (unserved > 0)", zorder=4)
    for point in ok.itertuples():
        dot, = ax.plot([point.plot_x], [point.plot_y], linestyle="none", marker="o", markersize=8, alpha=0)
        tip(dot, f"{key} = {param_value(key, point.value)}: {label} {point.plot_x:,.3g}, cash "
                 f"{point.plot_y:+,.0f} MUSD, cost incl. VOLL {point.cost_musd:,.0f} MUSD, "
                 f"unserved {point.unserved_bcf:,.1f} Bcf")
    ax.axhline(0, color="#888888", linewidth=0.8, zorder=1)
    ax.set_xlabel(form.wrap(label))
    if "(%)" in label:
        percent_ticks(ax)
    ax.set_ylabel(f"cash cost change vs\n{key} = {param_value(key, ref['value'])} (million USD)")
    thousands(ax)
    handles, labels = ax.get_legend_handles_labels()
    if (rows["status"] != OPTIMAL).any():
        from matplotlib.lines import Line2D
        handles.append(Line2D([], [], color=FAILED_COLOR, linestyle="none", marker="x"))
        labels.append("failed points: see the table")
    form.legend(fig, handles, labels)
    _place_labels(fig, ax, list(zip(pareto["plot_x"], pareto["plot_y"])),
                  [("λ=" if key == "risk_weight" else "") + param_value(key, v) for v in pareto["value"]])
    return fig


def frontier_figure(table: pd.DataFrame, title: str = ""):
    """The frontier's PNG: the report's chart of each trade-off, one above the other."""
    trade_offs = [t for t in ("diversification", "risk") if (table["trade_off"] == t).any()]
    fig = new_figure((10.0, 3.9 * max(len(trade_offs), 1)))
    subs = np.atleast_1d(fig.subfigures(max(len(trade_offs), 1), 1))
    for sub, trade_off in zip(subs, trade_offs):
        rows = table[table["trade_off"] == trade_off]
        if (rows["status"] == OPTIMAL).any():
            frontier(rows, form=WIDE, into=sub)
            sub.suptitle(f"cost against {trade_off}", fontsize=10)
        else:
            sub.text(0.5, 0.5, f"{trade_off}: no point has an optimal plan", ha="center")
    fig.suptitle(visible(title) or "gasmix frontier")
    return fig


# --- a stress test ----------------------------------------------------------------------------

def stress_costs(table: pd.DataFrame, form: Form = WIDE):
    """What each disruption adds to the deterministic plan's cost (cash + unserved at
    VOLL), red where it sheds demand, labelled with the unserved gas."""
    rows = table[table["scenario"].astype(str) != "base"].iloc[::-1]
    fig = new_figure(form.size(1.0 + 0.45 * max(len(rows), 1)), "stress_costs")
    ax = fig.subplots()
    style(ax)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.grid(axis="y", visible=False)
    change = rows["change_from_base_musd"].astype(float).to_numpy()
    unserved = rows["unserved_bcf"].astype(float).fillna(0).to_numpy()
    sheds = unserved > 0.05
    y = np.arange(len(rows))
    names = rows["scenario"].astype(str).tolist()
    for mask, color, label in ((~sheds, LINE_COLOR, "serves all demand"),
                               (sheds, FAILED_COLOR, "sheds demand")):
        if mask.any():
            bars = ax.barh(y[mask], change[mask], height=0.6, color=color, label=label)
            for bar, name, value, gas in zip(bars, np.array(names)[mask], change[mask], unserved[mask]):
                tip(bar, f"{name}: {value:+,.1f} million USD, unserved {gas:,.1f} Bcf")
    for yi, value, gas in zip(y, change, unserved):
        ax.annotate(f"{value:+,.0f}" + (f" ({gas:,.1f} Bcf unserved)" if gas > 0.05 else ""),
                    (max(value, 0), yi), xytext=(4, 0), textcoords="offset points", va="center",
                    fontsize=SMALL)
    ax.set_yticks(y, names, fontsize=SMALL)
    ax.set_xlabel(form.wrap("cost over the base (million USD, cash + unserved at VOLL)"))
    ax.set_xlim(min(0, float(change.min(initial=0))) * 1.1, max(float(change.max(initial=1)), 1) * 1.6)
    thousands(ax, "x")
    form.legend(fig)
    return fig


# --- comparing plans --------------------------------------------------------------------------

def compare_costs(names: list[str], summaries: list[dict], form: Form = WIDE):
    """Each plan's cost: cash, unserved gas at VOLL and the risk penalty, stacked."""
    fig = new_figure(form.size(1.0 + 0.5 * len(names)), "compare_costs")
    ax = fig.subplots()
    style(ax)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.grid(axis="y", visible=False)
    y = np.arange(len(names))[::-1]
    left = np.zeros(len(names))
    parts = (("cash", lambda s: s["cash_cost_musd"], LINE_COLOR, {}),
             ("unserved at VOLL", lambda s: (s.get("cost_breakdown_musd") or {}).get("unserved_at_voll") or 0.0,
              "white", {"edgecolor": FAILED_COLOR, "hatch": "////"}),
             ("risk penalty (not cash)", lambda s: s.get("risk_penalty_musd") or 0.0, "#999999", {}))
    for label, get, color, extra in parts:
        width = np.array([float(get(s)) for s in summaries])
        if not (width > 1e-9).any():
            continue
        bars = ax.barh(y, width, left=left, height=0.6, color=color, label=label, **extra)
        for bar, name, value in zip(bars, names, width):
            tip(bar, f"{name}: {label} {value:,.1f} million USD")
        left += width
    for yi, total in zip(y, left):
        ax.annotate(f"{total:,.0f}", (total, yi), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=SMALL)
    ax.set_yticks(y, names, fontsize=SMALL)
    ax.set_xlabel("cost over the horizon (million USD)")
    ax.set_xlim(0, float(left.max(initial=1)) * 1.18)
    thousands(ax, "x")
    if form.narrow:
        ax.tick_params(axis="x", labelrotation=30)
    form.legend(fig)
    return fig


def compare_shares(names: list[str], summaries: list[dict], colors: dict, form: Form = WIDE):
    """Each plan's supply by supplier over the horizon, as shares of 100%."""
    fig = new_figure(form.size(1.0 + 0.5 * len(names)), "compare_shares")
    ax = fig.subplots()
    style(ax)
    ax.grid(axis="y", visible=False)
    y = np.arange(len(names))[::-1]
    left = np.zeros(len(names))
    for supplier, color in colors.items():
        share = np.array([float((s.get("shares") or {}).get(supplier) or 0.0) for s in summaries])
        if not (share > 5e-4).any():
            continue
        bars = ax.barh(y, share * 100, left=left, height=0.6, color=color, label=supplier)
        for bar, name, value in zip(bars, names, share):
            tip(bar, f"{name}: {supplier} {value:.1%} of supply")
        left += share * 100
    ax.set_yticks(y, names, fontsize=SMALL)
    ax.set_xlim(0, 100)
    ax.set_xlabel(form.wrap("share of supply over the horizon (%)"))
    percent_ticks(ax)
    form.legend(fig)
    return fig
