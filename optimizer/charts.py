"""The report's charts: matplotlib figures (Agg, no display) as inline SVG text.

Each function takes the plan's (or sweep's) tables and returns one `<svg>` element ready to
paste into HTML: no width/height (the viewBox scales it to its container), text kept as
text (small, selectable, searchable), and ids salted per chart so that several charts in
one page never share a clip-path id.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

from models.extras import require

FIGSIZE = (8.0, 3.6)
FAILED_COLOR = "#c0392b"


def _pyplot():
    matplotlib = require("matplotlib", "charts", "the HTML report")
    matplotlib.use("Agg")  # files only: never a window, works without a display
    import matplotlib.pyplot as plt
    return plt


def to_svg(fig, name: str, label: str) -> str:
    """A figure as an inline <svg> element that scales with the page."""
    plt = _pyplot()
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": name}):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    head, rest = text.split(">", 1)
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    label = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return f'{head} role="img" aria-label="{label}" class="chart-svg" data-chart="{name}">{rest}'


def _figure(size=FIGSIZE):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=size)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig, ax


def _period_axis(ax, periods: list[str]) -> None:
    step = max(1, int(np.ceil(len(periods) / 12)))
    ax.set_xticks(range(0, len(periods), step))
    ax.set_xticklabels(periods[::step], rotation=45, ha="right", fontsize=8)
    ax.set_xlim(-0.6, len(periods) - 0.4)


def _legend(ax, **kwargs) -> None:
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0), **kwargs)


def supplier_colors(suppliers: list[str]) -> dict[str, str]:
    """One colour per supplier, the same in every chart of a report."""
    plt = _pyplot()
    palette = plt.get_cmap("tab10").colors + plt.get_cmap("Dark2").colors
    from matplotlib.colors import to_hex
    return {s: to_hex(palette[i % len(palette)]) for i, s in enumerate(suppliers)}


# --- a plan -----------------------------------------------------------------------------

def supply_mix(flows: pd.DataFrame, prices: pd.DataFrame, periods: list[str], colors: dict) -> str:
    """Supply by period stacked by supplier, with demand and any unserved gas."""
    by = flows.pivot_table(index="period", columns="supplier", values="flow_mmcfd", aggfunc="sum",
                           sort=False).reindex(periods).fillna(0.0)
    by = by.loc[:, by.sum() > 1e-6]
    by = by[by.sum().sort_values(ascending=False).index]
    demand = prices.groupby("period", sort=False)["demand_mmcfd"].sum().reindex(periods)
    unserved = prices.groupby("period", sort=False)["unserved_mmcfd"].sum().reindex(periods)
    fig, ax = _figure()
    x = np.arange(len(periods))
    bottom = np.zeros(len(periods))
    for supplier in by.columns:
        ax.bar(x, by[supplier], bottom=bottom, color=colors.get(supplier), width=0.8, label=supplier)
        bottom += by[supplier].to_numpy()
    if (unserved > 1e-6).any():
        ax.bar(x, unserved, bottom=bottom, color="white", edgecolor=FAILED_COLOR, hatch="////",
               width=0.8, label="unserved")
    ax.step(x, demand, where="mid", color="black", linewidth=1.2, label="demand")
    ax.set_ylabel("MMcf/d")
    _period_axis(ax, periods)
    _legend(ax)
    return to_svg(fig, "supply_mix", "Supply by period, stacked by supplier, against demand")


def shares_vs_caps(shares: pd.DataFrame, periods: list[str], colors: dict) -> str:
    """Each supplier's share of the base by period, its cap dashed in the same colour."""
    fig, ax = _figure()
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
    return to_svg(fig, "shares_vs_caps", "Supplier shares by period against their caps")


def storage_vs_floor(storage: pd.DataFrame, periods: list[str]) -> str:
    """Stock at the end of each period per site, with its floor and working-gas capacity."""
    plt = _pyplot()
    fig, ax = _figure()
    x = np.arange(len(periods))
    palette = plt.get_cmap("tab10").colors
    for i, (site, rows) in enumerate(storage.groupby("storage", sort=False)):
        rows = rows.set_index("period").reindex(periods)
        color = palette[i % len(palette)]
        ax.plot(x, rows["stock_bcf"], color=color, marker="o", markersize=2.5, label=f"{site} stock")
        ax.step(x, rows["floor_bcf"], where="mid", color=color, linestyle="--", linewidth=1.0,
                label=f"{site} floor")
        ax.step(x, rows["working_gas_bcf"], where="mid", color=color, linestyle=":", linewidth=0.8,
                label=f"{site} working gas")
    ax.set_ylabel("Bcf")
    ax.set_ylim(bottom=0)
    _period_axis(ax, periods)
    _legend(ax)
    return to_svg(fig, "storage", "Storage stock by period against its floor")


def marginal_prices(prices: pd.DataFrame, periods: list[str]) -> str:
    """Each node's marginal cost of gas (the balance dual) by period."""
    plt = _pyplot()
    fig, ax = _figure()
    x = np.arange(len(periods))
    palette = plt.get_cmap("tab10").colors
    for i, (node, rows) in enumerate(prices.groupby("node", sort=False)):
        rows = rows.set_index("period").reindex(periods)
        ax.plot(x, rows["marginal_cost_usd_mmbtu"], color=palette[i % len(palette)],
                marker="o", markersize=2.5, linewidth=1.2, label=node)
    ax.set_ylabel("USD/MMBtu")
    _period_axis(ax, periods)
    _legend(ax)
    return to_svg(fig, "marginal_prices", "Marginal cost of gas at each node by period")


def cost_breakdown(breakdown: dict[str, float]) -> str:
    """The objective's parts: cash (supply, transport, storage), unserved at VOLL, risk."""
    parts = list(breakdown.items())
    fig, ax = _figure((8.0, 0.5 + 0.42 * len(parts)))
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.grid(axis="y", visible=False)
    labels = [k.replace("_", " ") for k, _ in parts]
    values = [v for _, v in parts]
    colors = ["#2c7fb8", "#41b6c4", "#7fcdbb", FAILED_COLOR, "#999999"][:len(parts)]
    bars = ax.barh(labels[::-1], values[::-1], color=colors[::-1])
    for bar, value in zip(bars, values[::-1]):
        ax.annotate(f"{value:,.0f}", (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                    xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_xlabel("million USD")
    ax.set_xlim(0, max(max(values), 1.0) * 1.15)
    return to_svg(fig, "cost_breakdown", "Cost breakdown in million USD")


# --- a sweep and a frontier -------------------------------------------------------------

def _failed_marks(ax, x_failed) -> None:
    """Failed points (status other than optimal) as red crosses on the x axis."""
    if len(x_failed):
        ax.plot(x_failed, np.zeros(len(x_failed)), linestyle="none", marker="x", color=FAILED_COLOR,
                markersize=7, clip_on=False, transform=ax.get_xaxis_transform(), label="failed")


def sweep_cost(points: pd.DataFrame, param: str, groups: list[tuple[str, pd.DataFrame]]) -> str:
    """Objective and cash cost against the first parameter, one line per combination of
    the other parameters; failed points leave gaps and are marked."""
    fig, ax = _figure()
    for label, rows in groups:
        rows = rows.sort_values(param)
        ok = rows["status"] == "optimal"
        suffix = f" ({label})" if label else ""
        line = ax.plot(rows[param], rows["objective_musd"].where(ok), marker="o", markersize=3,
                       label=f"objective{suffix}")[0]
        ax.plot(rows[param], rows["cash_cost_musd"].where(ok), marker="s", markersize=3,
                linestyle="--", color=line.get_color(), label=f"cash cost{suffix}")
    _failed_marks(ax, points.loc[points["status"] != "optimal", param])
    ax.set_xlabel(param)
    ax.set_ylabel("million USD")
    _legend(ax)
    return to_svg(fig, "sweep_cost", f"Cost against {param}")


def sweep_shares(rows: pd.DataFrame, param: str, suppliers: list[str], colors: dict) -> str:
    """Each supplier's share of supply against the first parameter (gaps where a point failed)."""
    fig, ax = _figure()
    rows = rows.sort_values(param)
    ok = rows["status"] == "optimal"
    for supplier in suppliers:
        share = rows[f"share_{supplier}"].astype(float).where(ok)
        if (share.fillna(0) > 5e-4).any():
            ax.plot(rows[param], share * 100, marker="o", markersize=3, color=colors.get(supplier),
                    label=supplier)
    _failed_marks(ax, rows.loc[~ok, param])
    ax.set_xlabel(param)
    ax.set_ylabel("share of supply (%)")
    ax.set_ylim(0, 105)
    _legend(ax)
    return to_svg(fig, "sweep_shares", f"Supplier shares against {param}")


def frontier(rows: pd.DataFrame, x: str, y: str, xlabel: str, ylabel: str, name: str,
             x_percent: bool = False) -> str:
    """A trade-off: every solved point, Pareto points filled and joined, the others hollow."""
    fig, ax = _figure()
    ok = rows[rows["status"] == "optimal"]
    scale = 100 if x_percent else 1
    pareto = ok[ok["pareto"]].sort_values(x)
    other = ok[~ok["pareto"]]
    ax.plot(pareto[x] * scale, pareto[y], marker="o", markersize=5, color="#2c7fb8",
            label="Pareto-optimal")
    if len(other):
        ax.plot(other[x] * scale, other[y], linestyle="none", marker="o", markersize=5,
                markerfacecolor="none", color="#888888", label="dominated")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    _legend(ax)
    return to_svg(fig, name, f"{ylabel} against {xlabel}")
