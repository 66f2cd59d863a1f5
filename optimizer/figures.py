"""Charts of sweeps and frontiers, as matplotlib figures (saved as PNG by the writers,
embeddable as SVG by a report).

matplotlib is the `charts` extra: `require_matplotlib()` says how to install it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

OPTIMAL = "optimal"
INSTALL_HINT = 'charts need matplotlib: pip install "gasmix[charts]"'


class ChartsUnavailable(ImportError):
    """matplotlib is not installed."""


def require_matplotlib():
    """matplotlib.pyplot on the non-interactive Agg backend (no display needed)."""
    try:
        import matplotlib
    except ImportError as exc:
        raise ChartsUnavailable(INSTALL_HINT) from exc
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    return plt


def _share_columns(table: pd.DataFrame) -> list[str]:
    """Supplier share columns with any share at all, largest first."""
    cols = [c for c in table.columns if c.startswith("share_")]
    totals = table[cols].fillna(0).max()
    return [c for c in totals.sort_values(ascending=False).index if totals[c] > 1e-6]


def sweep_figure(table: pd.DataFrame, keys: list[str], title: str = ""):
    """Cost (objective, cash, cash + unserved) and supplier shares against the first
    parameter. With more parameters, one line per combination of the others (shares for
    the first combination only, to stay readable). Points that did not solve are gaps,
    marked on the x axis."""
    plt = require_matplotlib()
    x_key = keys[0]
    others = keys[1:]
    fig, (cost_ax, share_ax) = plt.subplots(2, 1, figsize=(8, 7.5), sharex=True,
                                            constrained_layout=True)
    groups = list(table.groupby(others, sort=False)) if others else [((), table)]
    numeric_x = pd.api.types.is_numeric_dtype(table[x_key])
    for n, (combo, part) in enumerate(groups[:8]):
        combo = combo if isinstance(combo, tuple) else (combo,)
        label = ", ".join(f"{k}={v}" for k, v in zip(others, combo))
        ok = part["status"] == OPTIMAL
        x = part[x_key] if numeric_x else np.arange(len(part))
        cost = part["total_cost_musd"].where(ok) / 1000
        cost_ax.plot(x, cost, marker="o", ms=3, label=("cash + unserved" + (f" ({label})" if label else "")))
        if n == 0:
            cost_ax.plot(x, part["cash_cost_musd"].where(ok) / 1000, ls="--", lw=1, label="cash only")
            if part["risk_penalty_musd"].fillna(0).abs().max() > 0:
                cost_ax.plot(x, part["objective_musd"].where(ok) / 1000, ls=":", lw=1,
                             label="objective (with risk penalty)")
            for column in _share_columns(part)[:8]:
                share_ax.plot(x, 100 * part[column].where(ok), marker=".", ms=3,
                              label=column.removeprefix("share_"))
            failed = part.loc[~ok]
            if len(failed):
                fx = failed[x_key] if numeric_x else np.flatnonzero(~ok.to_numpy())
                for ax in (cost_ax, share_ax):
                    ax.plot(fx, np.zeros(len(failed)), "x", color="crimson", ms=7,
                            transform=ax.get_xaxis_transform(), clip_on=False,
                            label="no optimal plan" if ax is cost_ax else None)
    cost_ax.set_ylabel("cost over the horizon (billion USD)")
    cost_ax.grid(alpha=0.3)
    for ax, columns in ((cost_ax, 1), (share_ax, 2)):
        if ax.get_legend_handles_labels()[0]:  # no legend where nothing was drawn
            ax.legend(fontsize=8, ncol=columns)
    share_ax.set_ylabel("share of supply (%)")
    share_ax.set_xlabel(x_key)
    share_ax.grid(alpha=0.3)
    if not numeric_x:
        share_ax.set_xticks(np.arange(len(groups[0][1])), groups[0][1][x_key].astype(str), rotation=30)
    fig.suptitle(title or f"gasmix sweep over {x_key}")
    return fig


def frontier_figure(table: pd.DataFrame, title: str = ""):
    """One panel per trade-off: cost against the diversification measure, and cost
    against risk exposure; Pareto-efficient points filled and joined."""
    plt = require_matplotlib()
    trade_offs = [t for t in ("diversification", "risk") if (table["trade_off"] == t).any()]
    fig, axes = plt.subplots(1, len(trade_offs), figsize=(6.5 * len(trade_offs), 4.8),
                             constrained_layout=True, squeeze=False)
    for ax, trade_off in zip(axes[0], trade_offs):
        part = table[(table["trade_off"] == trade_off) & (table["status"] == OPTIMAL)]
        x_column = "x"
        xs, ys = part[x_column] * (100 if trade_off == "diversification" else 1), part["cost_musd"] / 1000
        ax.scatter(xs, ys, s=18, facecolors="none", edgecolors="grey", label="solved point")
        front = part[part["pareto"]].sort_values(x_column)
        fx = front[x_column] * (100 if trade_off == "diversification" else 1)
        ax.plot(fx, front["cost_musd"] / 1000, "-o", ms=4, color="tab:blue", label="Pareto-efficient")
        distinct = front.drop_duplicates(["x", "cost_musd"])  # equal plans: label the first
        for _, row in distinct.iloc[:: max(1, len(distinct) // 6)].iterrows():
            ax.annotate(f"{row['parameter']}={row['value']:g}",
                        (row[x_column] * (100 if trade_off == "diversification" else 1), row["cost_musd"] / 1000),
                        textcoords="offset points", xytext=(4, 4), fontsize=7)
        ax.set_ylabel("cost: cash + unserved at VOLL (billion USD)")
        ax.set_xlabel(part["x_label"].iloc[0] if len(part) else trade_off)
        ax.set_title("cost vs diversification" if trade_off == "diversification" else "cost vs risk")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title or "gasmix frontier")
    return fig


def save_png(fig, path) -> None:
    plt = require_matplotlib()
    fig.savefig(path, dpi=120)
    plt.close(fig)
