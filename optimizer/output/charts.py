"""Every chart gasmix draws: matplotlib figures (Agg, no display).

Each chart function returns a matplotlib Figure. The HTML report turns it into inline SVG
(`to_svg`); `gasmix sweep` and `gasmix frontier` save the same drawings as PNG (`save_png`,
via optimizer/studies.py). The sweep and frontier drawings can also be drawn into a
sub-figure (`into=`), which is how one PNG holds the report's cost and shares charts.

Conventions shared by every chart:

* one fixed colour per supplier, from its position in the case (`supplier_colors`), so US
  is the same blue in the supply mix, the shares, a sweep and a frontier;
* cost is what the planner pays: cash + unserved gas at VOLL (solid); cash alone dashed;
  the objective (adding the non-cash risk penalty) dotted, only where there is a penalty;
* axes carry their unit in the label and thousands separators in the ticks ("250,000").

matplotlib is the `charts` extra: a missing matplotlib raises models.extras.MissingExtra,
which names `pip install "gasmix[charts]"`.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

from ...models.extras import require

FIGSIZE = (8.0, 3.6)
FAILED_COLOR = "#c0392b"
OPTIMAL = "optimal"
MAX_PANELS = 6      # small multiples of a sweep's third parameter
MAX_COLOURS = 12    # values of a sweep's second parameter drawn as separate lines
# Distinct colours, in the order suppliers get them (their position in the case): tab10,
# then darker and lighter hues far from those (the 11th, Mexico's domestic gas in the
# embedded case, is indigo: never confused with Russia's green).
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#e6ab02", "#843c39", "#7b4173",
           "#637939", "#e7969c", "#6baed6", "#fdae6b", "#74c476", "#000000")


def _matplotlib():
    """matplotlib, without pyplot: figures are made as Figure objects on the Agg canvas
    (files only: never a window, no display needed, and no pyplot start-up cost or global
    figure registry to close)."""
    return require("matplotlib", "charts", "charts")


def new_figure(size=FIGSIZE, name: str = "", constrained: bool = False):
    """A Figure on the Agg canvas."""
    _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained" if constrained else None)
    FigureCanvasAgg(fig)
    fig.set_label(name)
    return fig


def colormap(name: str):
    _matplotlib()
    from matplotlib import colormaps
    return colormaps[name]


def to_svg(fig, name: str, label: str) -> str:
    """A figure as an inline <svg> element that scales with the page: no width/height
    (the viewBox scales it), text kept as text, ids salted per chart so several charts in
    one page never share a clip-path id."""
    matplotlib = _matplotlib()
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": name}):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    head, rest = text.split(">", 1)
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    label = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return f'{head} role="img" aria-label="{label}" class="chart-svg" data-chart="{name}">{rest}'


def save_png(fig, path) -> None:
    """A figure as a PNG file. The study figures lay themselves out (constrained layout),
    so no "tight" bounding box: that would draw the figure twice."""
    fig.savefig(path, dpi=120, metadata={"Software": None})


def supplier_colors(suppliers) -> dict[str, str]:
    """One colour per supplier from its position in `suppliers` (the case's order): the
    same supplier gets the same colour whichever suppliers a chart happens to show."""
    return {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(dict.fromkeys(suppliers))}


def thousands(ax, axis: str = "y") -> None:
    """Tick labels with thousands separators: 250,000 (and 0.5, not 0.500)."""
    from matplotlib.ticker import FuncFormatter

    def fmt(v, _pos):
        return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.3g}"
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(FuncFormatter(fmt))


def _style(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def _figure(size=FIGSIZE, name: str = ""):
    fig = new_figure(size, name)
    ax = fig.subplots()
    _style(ax)
    return fig, ax


def _canvas(into, size, name: str):
    """The (sub)figure to draw into: `into`, or a new Figure."""
    if into is not None:
        return into
    return new_figure(size, name, constrained=True)


def _period_axis(ax, periods: list[str]) -> None:
    step = max(1, int(np.ceil(len(periods) / 12)))
    ax.set_xticks(range(0, len(periods), step))
    ax.set_xticklabels(periods[::step], rotation=45, ha="right", fontsize=8)
    ax.set_xlim(-0.6, len(periods) - 0.4)


def _legend(ax, **kwargs) -> None:
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0), **kwargs)


# --- a plan -----------------------------------------------------------------------------

def supply_mix(flows: pd.DataFrame, prices: pd.DataFrame, periods: list[str], colors: dict):
    """Supply by period stacked by supplier, with demand and any unserved gas."""
    by = flows.pivot_table(index="period", columns="supplier", values="flow_mmcfd", aggfunc="sum",
                           sort=False).reindex(periods).fillna(0.0)
    by = by.loc[:, by.sum() > 1e-6]
    by = by[by.sum().sort_values(ascending=False).index]
    demand = prices.groupby("period", sort=False)["demand_mmcfd"].sum().reindex(periods)
    unserved = prices.groupby("period", sort=False)["unserved_mmcfd"].sum().reindex(periods)
    fig, ax = _figure(name="supply_mix")
    x = np.arange(len(periods))
    bottom = np.zeros(len(periods))
    for supplier in by.columns:
        ax.bar(x, by[supplier], bottom=bottom, color=colors.get(supplier), width=0.8, label=supplier)
        bottom += by[supplier].to_numpy()
    if (unserved > 1e-6).any():
        ax.bar(x, unserved, bottom=bottom, color="white", edgecolor=FAILED_COLOR, hatch="////",
               width=0.8, label="unserved")
    ax.step(x, demand, where="mid", color="black", linewidth=1.2, label="demand")
    ax.set_ylabel("supply (MMcf/d)")
    thousands(ax)
    _period_axis(ax, periods)
    _legend(ax)
    return fig


def shares_vs_caps(shares: pd.DataFrame, periods: list[str], colors: dict):
    """Each supplier's share of the base by period, its cap dashed in the same colour."""
    fig, ax = _figure(name="shares_vs_caps")
    x = np.arange(len(periods))
    shown = 0
    for supplier, rows in shares.groupby("supplier", sort=False):
        rows = rows.set_index("period").reindex(periods)
        share, cap = rows["share"].astype(float), rows["cap"].astype(float)
        if not (share.fillna(0) > 5e-4).any() and cap.isna().all():
            continue
        color = colors.get(supplier)
        ax.plot(x, share * 100, color=color, marker="o", markersize=2.5, linewidth=1.4, label=supplier)
        if cap.notna().any():
            ax.step(x, cap * 100, where="mid", color=color, linestyle="--", linewidth=1.0,
                    label=f"{supplier} cap")
        shown += 1
    ax.set_ylabel("share (%)")
    ax.set_ylim(0, 105)
    _period_axis(ax, periods)
    if shown:
        _legend(ax)
    return fig


def storage_vs_floor(storage: pd.DataFrame, periods: list[str]):
    """Stock at the end of each period per site, with its floor and working-gas capacity,
    drawn only from the period the site enters service (`in_service`, where the table has it)."""
    fig, ax = _figure(name="storage")
    x = np.arange(len(periods))
    palette = colormap("tab10").colors
    for i, (site, rows) in enumerate(storage.groupby("storage", sort=False)):
        rows = rows.set_index("period").reindex(periods)
        if "in_service" in rows.columns:
            active = rows["in_service"].map(lambda v: str(v).strip().lower() in ("true", "1", "yes"))
        else:
            active = pd.Series(True, index=rows.index)
        color = palette[i % len(palette)]
        ax.plot(x, rows["stock_bcf"].where(active), color=color, marker="o", markersize=2.5,
                label=f"{site} stock")
        ax.step(x, rows["floor_bcf"].where(active), where="mid", color=color, linestyle="--",
                linewidth=1.0, label=f"{site} floor")
        ax.step(x, rows["working_gas_bcf"].where(active), where="mid", color=color, linestyle=":",
                linewidth=0.8, label=f"{site} working gas")
    ax.set_ylabel("stock (Bcf)")
    ax.set_ylim(bottom=0)
    thousands(ax)
    _period_axis(ax, periods)
    _legend(ax)
    return fig


def marginal_prices(prices: pd.DataFrame, periods: list[str]):
    """Each node's marginal cost of gas (the balance dual) by period."""
    fig, ax = _figure(name="marginal_prices")
    x = np.arange(len(periods))
    palette = colormap("tab10").colors
    for i, (node, rows) in enumerate(prices.groupby("node", sort=False)):
        rows = rows.set_index("period").reindex(periods)
        ax.plot(x, rows["marginal_cost_usd_mmbtu"], color=palette[i % len(palette)],
                marker="o", markersize=2.5, linewidth=1.2, label=node)
    ax.set_ylabel("marginal cost (USD/MMBtu)")
    thousands(ax)
    _period_axis(ax, periods)
    _legend(ax)
    return fig


def cost_breakdown(breakdown: dict[str, float]):
    """The objective's parts: cash (supply, transport, storage), unserved at VOLL, risk."""
    from .labels import part_label

    parts = [(k, float(v)) for k, v in breakdown.items() if v is not None]
    fig, ax = _figure((8.0, 0.5 + 0.42 * max(len(parts), 1)), name="cost_breakdown")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.grid(axis="y", visible=False)
    labels = [part_label(k) for k, _ in parts]
    values = [v for _, v in parts]
    special = {"unserved_at_voll": FAILED_COLOR, "risk_penalty": "#999999"}
    cash = ["#2c7fb8", "#41b6c4", "#7fcdbb", "#a1dab4", "#225ea8", "#253494"]
    colors, n = [], 0
    for k, _ in parts:
        if k in special:
            colors.append(special[k])
        else:
            colors.append(cash[n % len(cash)])
            n += 1
    bars = ax.barh(labels[::-1], values[::-1], color=colors[::-1])
    for bar, value in zip(bars, values[::-1]):
        ax.annotate(f"{value:,.1f}", (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                    xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_xlabel("cost over the horizon (million USD)")
    ax.set_xlim(0, max(max(values, default=0.0), 1.0) * 1.15)
    thousands(ax, "x")
    return fig


def scenario_costs(scenarios: pd.DataFrame):
    """A stochastic plan's cost in each scenario (bars, CVaR tail darker), with the
    deterministic plan's cost under the same scenario for comparison."""
    fig, ax = _figure((8.0, 0.6 + 0.45 * max(len(scenarios), 1)), name="scenario_costs")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.grid(axis="y", visible=False)
    names = scenarios["scenario"].astype(str).tolist()[::-1]
    y = np.arange(len(names))
    cost = scenarios["cost_musd"].astype(float).to_numpy()[::-1]
    tail = scenarios.get("in_cvar_tail", pd.Series(False, index=scenarios.index))
    tail = tail.map(lambda v: str(v).strip().lower() in ("true", "1")).to_numpy()[::-1]
    ax.barh(y, cost, height=0.6, color=np.where(tail, "#08519c", "#6baed6"), label="stochastic plan")
    if "deterministic_plan_cost_musd" in scenarios.columns:
        det = scenarios["deterministic_plan_cost_musd"].astype(float).to_numpy()[::-1]
        ax.plot(det, y, linestyle="none", marker="D", markersize=5, color="#e6550d",
                label="deterministic plan")
    ax.set_yticks(y, names, fontsize=8)
    ax.set_xlabel("cost in the scenario (million USD)")
    thousands(ax, "x")
    _legend(ax)
    return fig


# --- a sweep ----------------------------------------------------------------------------

def _numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _values(series: pd.Series) -> list:
    """A parameter's distinct values: numbers in order, text as first seen."""
    values = list(dict.fromkeys(series.tolist()))
    return sorted(values) if _numeric(series) else values


def _show(value) -> str:
    return f"{value:g}" if isinstance(value, (float, np.floating)) else str(value)


def sweep_layout(frame: pd.DataFrame, params: list[str]) -> dict:
    """How a sweep over 1–3 parameters is drawn: the x parameter, the colour parameter and
    its values, the panel parameter and the values shown (at most MAX_PANELS), and a
    plain-words note of what is left out."""
    x = params[0]
    colour = params[1] if len(params) > 1 else None
    panel = params[2] if len(params) > 2 else None
    colours = _values(frame[colour]) if colour else [None]
    panels = _values(frame[panel]) if panel else [None]
    notes = []
    if colour and len(colours) > MAX_COLOURS:
        notes.append(f"{colour}: {MAX_COLOURS} of its {len(colours)} values are drawn "
                     f"({', '.join(_show(v) for v in colours[:MAX_COLOURS])})")
        colours = colours[:MAX_COLOURS]
    if panel and len(panels) > MAX_PANELS:
        notes.append(f"{panel}: panels for the first {MAX_PANELS} of its {len(panels)} values "
                     f"({', '.join(_show(v) for v in panels[:MAX_PANELS])})")
        panels = panels[:MAX_PANELS]
    extra = params[3:]
    if extra:
        notes.append("only the first value of " + ", ".join(extra) + " is drawn")
    first = {k: _values(frame[k])[0] for k in params[1:]}
    return {"x": x, "colour": colour, "colours": colours, "panel": panel, "panels": panels,
            "first": first, "notes": notes}


def _select(frame: pd.DataFrame, conditions: dict) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for key, value in conditions.items():
        if key is not None:
            mask &= frame[key] == value
    return frame[mask]


def _x_positions(frame: pd.DataFrame, x: str, order: list):
    """x values to plot: the numbers, or the position of a text value among `order`."""
    if _numeric(frame[x]):
        return frame[x].astype(float)
    return frame[x].map({v: i for i, v in enumerate(order)}).astype(float)


def _x_axis(ax, frame: pd.DataFrame, x: str, order: list) -> None:
    ax.set_xlabel(x)
    if _numeric(frame[x]):
        thousands(ax, "x")
    else:
        ax.set_xticks(range(len(order)), [str(v) for v in order], rotation=30, ha="right", fontsize=8)


def _failed_marks(ax, xs, label: str | None = "no optimal plan") -> None:
    """Failed points (status other than optimal) as crosses on the x axis."""
    xs = np.asarray(xs, dtype=float)
    if len(xs):
        ax.plot(xs, np.zeros(len(xs)), linestyle="none", marker="x", color=FAILED_COLOR,
                markersize=7, clip_on=False, transform=ax.get_xaxis_transform(), label=label)


def _colour_map(values: list) -> dict:
    """A sequential colour per value of the colour parameter (light to dark)."""
    cmap = colormap("viridis")
    n = len(values)
    return {v: cmap(0.85 * (1 - i / (n - 1)) if n > 1 else 0.35) for i, v in enumerate(values)}


def _has_penalty(rows: pd.DataFrame) -> bool:
    if "risk_penalty_musd" in rows.columns:
        return bool((rows["risk_penalty_musd"].astype(float).fillna(0).abs() > 1e-9).any())
    return False


def sweep_cost(frame: pd.DataFrame, params: list[str], into=None):
    """Cost against the first parameter: cash + unserved at VOLL (solid, what the planner
    pays), cash alone (dashed), the objective (dotted, where a point has a risk penalty).
    A second parameter colours the lines (sequential colormap, legend titled with it); a
    third gives one panel per value. Failed points leave gaps and are marked ✕."""
    from matplotlib.lines import Line2D

    layout = sweep_layout(frame, params)
    x, colour, panel = layout["x"], layout["colour"], layout["panel"]
    order = _values(frame[x])
    fig = _canvas(into, (8.0, 3.8 if not panel else 3.0 + 1.6 * ((len(layout["panels"]) + 1) // 2)),
                  "sweep_cost")
    n = len(layout["panels"])
    cols = 1 if n == 1 else 2
    axes = np.atleast_1d(fig.subplots((n + cols - 1) // cols, cols, sharex=True, sharey=True,
                                      squeeze=False)).ravel()
    palette = _colour_map(layout["colours"]) if colour else {None: "#2c7fb8"}
    penalty_drawn = False
    for ax, panel_value in zip(axes, layout["panels"]):
        _style(ax)
        part = _select(frame, {panel: panel_value}) if panel else frame
        for value in layout["colours"]:
            rows = _select(part, {colour: value}) if colour else part
            if not len(rows):
                continue
            rows = rows.assign(_x=_x_positions(rows, x, order)).sort_values("_x")
            ok = rows["status"] == OPTIMAL
            c = palette[value]
            ax.plot(rows["_x"], rows["total_cost_musd"].astype(float).where(ok), color=c,
                    marker="o", markersize=3, linewidth=1.6)
            ax.plot(rows["_x"], rows["cash_cost_musd"].astype(float).where(ok), color=c,
                    linestyle="--", linewidth=1.0)
            if _has_penalty(rows):
                ax.plot(rows["_x"], rows["objective_musd"].astype(float).where(ok), color=c,
                        linestyle=":", linewidth=1.2)
                penalty_drawn = True
            _failed_marks(ax, rows.loc[~ok, "_x"], None)
        if panel:
            ax.set_title(f"{panel} = {_show(panel_value)}", fontsize=9)
        _x_axis(ax, frame, x, order)
        if ax.get_subplotspec().is_last_row() is False and n - list(axes).index(ax) > cols:
            ax.set_xlabel("")  # the panel below names it
        thousands(ax)
    for ax in axes[n:]:
        ax.set_visible(False)
    for ax in axes[::cols]:
        ax.set_ylabel("cost over the horizon\n(million USD)")
    # One legend: what the line styles mean, then the colours (titled with the key).
    style = [Line2D([], [], color="#444444", linewidth=1.6, marker="o", markersize=3,
                    label="cash + unserved at VOLL"),
             Line2D([], [], color="#444444", linestyle="--", linewidth=1.0, label="cash only")]
    if penalty_drawn:
        style.append(Line2D([], [], color="#444444", linestyle=":", linewidth=1.2,
                            label="objective (with risk penalty)"))
    if (frame["status"] != OPTIMAL).any():
        style.append(Line2D([], [], color=FAILED_COLOR, linestyle="none", marker="x",
                            label="no optimal plan"))
    if colour:  # the colours, under a heading naming the key
        style.append(Line2D([], [], linestyle="none", label=f"\n{colour}:"))
        style += [Line2D([], [], color=palette[v], linewidth=2, label=_show(v))
                  for v in layout["colours"]]
    fig.legend(handles=style, frameon=False, fontsize=8, loc="outside right upper")
    return fig


def sweep_shares(frame: pd.DataFrame, params: list[str], colors: dict, into=None):
    """Each supplier's share of supply against the first parameter, for the first value of
    every other parameter (gaps and ✕ where a point failed)."""
    layout = sweep_layout(frame, params)
    x = layout["x"]
    order = _values(frame[x])
    rows = _select(frame, layout["first"])
    rows = rows.assign(_x=_x_positions(rows, x, order)).sort_values("_x")
    fig = _canvas(into, FIGSIZE, "sweep_shares")
    ax = fig.subplots()
    _style(ax)
    ok = rows["status"] == OPTIMAL
    for supplier in colors:
        column = f"share_{supplier}"
        if column not in rows.columns:
            continue
        share = rows[column].astype(float).where(ok)
        if (share.fillna(0) > 5e-4).any():
            ax.plot(rows["_x"], share * 100, marker="o", markersize=3, color=colors[supplier],
                    label=supplier)
    _failed_marks(ax, rows.loc[~ok, "_x"])
    _x_axis(ax, frame, x, order)
    ax.set_ylabel("share of supply (%)")
    ax.set_ylim(0, 105)
    if ax.get_legend_handles_labels()[0]:
        fig.legend(frameon=False, fontsize=8, loc="outside right upper")
    return fig


def shares_caption(frame: pd.DataFrame, params: list[str]) -> str:
    """Which combination of the other parameters the shares chart shows ('' for one)."""
    first = sweep_layout(frame, params)["first"]
    return ", ".join(f"{k} = {_show(v)}" for k, v in first.items())


def sweep_figure(frame: pd.DataFrame, params: list[str], colors: dict, title: str = ""):
    """The sweep's PNG: the report's cost chart above its shares chart, and a note of
    what is not drawn."""
    layout = sweep_layout(frame, params)
    panels = len(layout["panels"])
    top_height = 3.8 if panels == 1 else 3.0 + 1.6 * ((panels + 1) // 2)
    fig = new_figure((9.5, top_height + 3.6), constrained=True)
    top, bottom = fig.subfigures(2, 1, height_ratios=[top_height, 3.6])
    sweep_cost(frame, params, into=top)
    sweep_shares(frame, params, colors, into=bottom)
    shown = shares_caption(frame, params)
    if shown:
        bottom.suptitle(f"shares for {shown}", fontsize=9)
    fig.suptitle(title or f"gasmix sweep over {', '.join(params)}")
    if layout["notes"]:
        fig.text(0.01, 0.0, "Not drawn: " + "; ".join(layout["notes"]), fontsize=7, va="top")
    return fig


# --- a frontier -------------------------------------------------------------------------

def frontier_x(rows: pd.DataFrame) -> tuple[pd.Series, str]:
    """The frontier's x values and their label: the `x` column (a share shown in %)."""
    label = str(rows["x_label"].dropna().iloc[0]) if rows["x_label"].notna().any() else "x"
    scale = 100 if "(%)" in label else 1
    return rows["x"].astype(float) * scale, label


def frontier(rows: pd.DataFrame, name: str = "frontier", into=None):
    """One trade-off: cost (cash + unserved at VOLL) against its measure, every solved
    point, Pareto points filled and joined, dominated ones hollow; cash cost dashed."""
    from matplotlib.lines import Line2D

    fig = _canvas(into, FIGSIZE, name)
    ax = fig.subplots()
    _style(ax)
    ok = rows[rows["status"] == OPTIMAL].copy()
    ok["_x"], label = frontier_x(ok) if len(ok) else (pd.Series(dtype=float), "x")
    # Equal plans: the first parameter value that reaches each one labels it.
    ok = ok.sort_values(["_x", "value"])
    pareto = ok[ok["pareto"].astype(bool)]
    other = ok[~ok["pareto"].astype(bool)]
    ax.plot(pareto["_x"], pareto["cost_musd"], marker="o", markersize=5, color="#2c7fb8",
            linewidth=1.6, label="Pareto-optimal (cash + unserved at VOLL)")
    if len(other):
        ax.plot(other["_x"], other["cost_musd"], linestyle="none", marker="o", markersize=5,
                markerfacecolor="none", color="#888888", label="dominated")
    ax.plot(ok["_x"], ok["cash_cost_musd"], linestyle="--", linewidth=1.0, color="#41b6c4",
            label="cash only")
    # (No objective line here: with λ rising, the penalty moves the objective while the plan
    # stands still, which reads as a cost the country does not pay. The sweep chart has it.)
    # Label Pareto points that stand apart (neighbours closer than 4% of the axes would overlap).
    span_x = float(np.ptp(ok["_x"])) if len(ok) else 0.0
    span_y = float(np.ptp(ok["cost_musd"])) if len(ok) else 0.0
    last = None
    for _, row in pareto.iterrows():
        if last is not None and abs(row["_x"] - last[0]) < 0.12 * (span_x or 1) \
                and abs(row["cost_musd"] - last[1]) < 0.12 * (span_y or 1):
            continue
        ax.annotate(f"{row['parameter']}={_show(row['value'])}", (row["_x"], row["cost_musd"]),
                    textcoords="offset points", xytext=(4, 4), fontsize=7)
        last = (row["_x"], row["cost_musd"])
    ax.set_xlabel(label)
    ax.set_ylabel("cost over the horizon\n(million USD)")
    thousands(ax)
    handles, labels = ax.get_legend_handles_labels()
    if (rows["status"] != OPTIMAL).any():
        handles.append(Line2D([], [], color=FAILED_COLOR, linestyle="none", marker="x"))
        labels.append("failed points: see the table")
    fig.legend(handles, labels, frameon=False, fontsize=8, loc="outside right upper")
    return fig


def frontier_figure(table: pd.DataFrame, title: str = ""):
    """The frontier's PNG: the report's chart of each trade-off, one above the other."""
    trade_offs = [t for t in ("diversification", "risk") if (table["trade_off"] == t).any()]
    fig = new_figure((9.5, 3.8 * max(len(trade_offs), 1)), constrained=True)
    subs = np.atleast_1d(fig.subfigures(max(len(trade_offs), 1), 1))
    for sub, trade_off in zip(subs, trade_offs):
        rows = table[table["trade_off"] == trade_off]
        if (rows["status"] == OPTIMAL).any():
            frontier(rows, into=sub)
            sub.suptitle(f"cost against {'diversification' if trade_off == 'diversification' else 'risk'}",
                         fontsize=10)
        else:
            sub.text(0.5, 0.5, f"{trade_off}: no point has an optimal plan", ha="center")
    fig.suptitle(title or "gasmix frontier")
    return fig
