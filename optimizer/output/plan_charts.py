"""The charts of one plan, each a matplotlib Figure in a Form (charts.py): the monthly
balance, the utilisation of entries, pipelines and storage, shares against caps, storage
against its floor, node prices, the cost breakdown, N−1, and a stochastic plan's
scenarios and commitments.

Each takes the plan's tables as they are written (plan folder, JSON or a Plan) and draws
only what is there: a series with nothing to show gets no line and no legend entry, so a
caption built from the legend (charts.series) is true to the drawing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .balance import monthly_balance, suppliers_of
from .charts import (FAILED_COLOR, SHED_COLOR, SMALL, TEXT, WIDE, Form, colormap, figure,
                     period_axis, thousands, tip)
from .labels import flags

EPSILON = 1e-6            # MMcf/d: less is nothing to draw
WITHDRAWAL_COLOR = "#9e9e9e"
DEMAND_COLOR = "#111111"
TIGHT = 0.995             # utilisation at or above this counts as at capacity
# A node price at or above this share of VOLL is VOLL less the tariffs of the way there:
# demand at the margin would go unserved.
AT_VOLL = 0.9


def darker(color, by: float = 0.45):
    """`color` mixed with black: a limit drawn over its own series stays visible."""
    from matplotlib.colors import to_rgb
    return tuple(c * (1 - by) for c in to_rgb(color))


def _hover_points(ax, x, y, texts) -> None:
    """Invisible markers at (x, y), each with its hover value."""
    for xi, yi, text in zip(x, y, texts):
        if yi == yi:  # NaN: nothing there
            point, = ax.plot([xi], [yi], linestyle="none", marker="o", markersize=7, alpha=0.0)
            tip(point, text)


# --- the monthly balance ---------------------------------------------------------------

def balance_parts(flows: pd.DataFrame, storage: pd.DataFrame, prices: pd.DataFrame,
                  periods: list[str]) -> dict:
    """The system balance by period (balance.monthly_balance), as arrays: supply by
    supplier (frame), storage withdrawal and injection, unserved gas, demand, MMcf/d."""
    table = monthly_balance(flows, storage, prices, periods)
    return {"supply": table[suppliers_of(table)],
            "withdrawal": table["storage withdrawal"].to_numpy(),
            "injection": table["storage injection"].to_numpy(),
            "unserved": table["unserved"].to_numpy(), "demand": table["demand"].to_numpy()}


def balance(flows: pd.DataFrame, storage: pd.DataFrame, prices: pd.DataFrame,
            periods: list[str], colors: dict, form: Form = WIDE):
    """Supply by supplier stacked with storage withdrawals and (only where there is any)
    unserved gas, against demand plus storage injections: the bars meet the line."""
    parts = balance_parts(flows, storage, prices, periods)
    fig, ax = figure(form, 3.8 if not form.narrow else 4.4, "balance")
    x = np.arange(len(periods))
    bottom = np.zeros(len(periods))

    def stack(values, label, **style):
        nonlocal bottom
        keep = values > EPSILON
        bars = ax.bar(x[keep], values[keep], bottom=bottom[keep], width=0.8, label=label, **style)
        for bar, t, v in zip(bars, x[keep], values[keep]):
            tip(bar, f"{label} · {periods[t]}: {v:,.0f} MMcf/d")
        bottom = bottom + np.where(keep, values, 0.0)

    for supplier in parts["supply"].columns:
        stack(parts["supply"][supplier].to_numpy(), supplier, color=colors.get(supplier))
    if (parts["withdrawal"] > EPSILON).any():
        stack(parts["withdrawal"], "storage withdrawal", color=WITHDRAWAL_COLOR)
    if (parts["unserved"] > EPSILON).any():
        stack(parts["unserved"], "unserved", color="white", edgecolor=FAILED_COLOR, hatch="////",
              linewidth=0.6)
    need = parts["demand"] + parts["injection"]
    injected = (parts["injection"] > EPSILON).any()
    ax.step(x, need, where="mid", color=DEMAND_COLOR, linewidth=1.4,
            label="demand + storage injection" if injected else "demand", zorder=4)
    if injected:
        ax.step(x, parts["demand"], where="mid", color="#555555", linewidth=1.0,
                linestyle=(0, (3, 2)), label="demand", zorder=4)
    _hover_points(ax, x, need, [
        f"{p}: demand {d:,.0f} + injection {i:,.0f} = supply {s:,.0f} + withdrawal {w:,.0f}"
        f" + unserved {u:,.0f} MMcf/d"
        for p, d, i, s, w, u in zip(periods, parts["demand"], parts["injection"],
                                    parts["supply"].sum(axis=1), parts["withdrawal"],
                                    parts["unserved"])])
    ax.set_ylabel("MMcf/d (daily average)")
    thousands(ax)
    period_axis(ax, periods, form)
    form.legend(fig)
    return fig


# --- which month is tight ------------------------------------------------------------------

def utilisation(grid: pd.DataFrame, periods: list[str], form: Form = WIDE):
    """Month × asset: how full each entry, LNG terminal, pipeline and storage site is (%
    of its capacity), assets in the order of `grid` (columns asset, period, used,
    capacity, unit). Out of service: grey; at capacity: outlined."""
    assets = list(dict.fromkeys(grid["asset"]))
    rows = max(len(assets), 1)
    fig, ax = figure(form, 1.2 + 0.26 * rows, "utilisation")
    ax.grid(False)
    cmap = colormap("YlOrRd")
    x = np.arange(len(periods))
    for i, (asset, part) in enumerate(grid.groupby("asset", sort=False)):
        part = part.set_index(part["period"].astype(str)).reindex(periods)
        capacity = part["capacity"].astype(float).to_numpy()
        used = part["used"].astype(float).fillna(0.0).to_numpy()
        unit = str(part["unit"].dropna().iloc[0]) if part["unit"].notna().any() else "MMcf/d"
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(capacity > EPSILON, used / capacity, np.nan)
        colours = [cmap(min(max(s, 0.0), 1.0)) if s == s else "#e6e6e6" for s in share]
        bars = ax.bar(x, 1.0, bottom=i - 0.5, width=1.0, color=colours,
                      edgecolor=["#7a0177" if s == s and s >= TIGHT else "white" for s in share],
                      linewidth=[1.2 if s == s and s >= TIGHT else 0.4 for s in share])
        for bar, p, s, u, c in zip(bars, periods, share, used, capacity):
            tip(bar, f"{asset} · {p}: " + (f"{u:,.1f} of {c:,.1f} {unit} ({s:.0%})" if s == s
                                           else "out of service"))
    labels = [_short(a, 22 if form.narrow else 40) for a in assets]
    ax.set_yticks(range(len(assets)), labels, fontsize=SMALL)
    ax.set_ylim(len(assets) - 0.5, -0.5)
    period_axis(ax, periods, form)
    ax.spines[["left", "bottom"]].set_visible(False)
    ax.tick_params(length=0)
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    bar = fig.colorbar(ScalarMappable(Normalize(0, 100), cmap), ax=ax,
                       orientation="horizontal" if form.narrow else "vertical",
                       fraction=0.05 if not form.narrow else 0.04, pad=0.02, aspect=30)
    bar.solids.set_rasterized(False)  # vector, like the rest: no embedded image …
    bar.solids.set_edgecolor("face")  # … and no seams between its steps
    bar.set_label("% of capacity", fontsize=SMALL)
    bar.ax.tick_params(labelsize=SMALL)
    return fig


def _short(asset: str, most: int) -> str:
    """'SISTRANGAS_NES_CEN · arc' cut in its name, never in its kind: 'SISTRANGAS_N… · arc'."""
    name, sep, kind = asset.rpartition(" · ")
    if not sep or len(asset) <= most:
        return asset
    keep = max(most - len(kind) - 4, 4)
    return f"{name[:keep]}… · {kind}"


# --- shares, storage, prices ------------------------------------------------------------------

def shares_vs_caps(shares: pd.DataFrame, periods: list[str], colors: dict, form: Form = WIDE):
    """Each supplier's share of the base by period, its per-period cap dashed in the same
    colour, drawn above the shares."""
    fig, ax = figure(form, 3.6, "shares_vs_caps")
    x = np.arange(len(periods))
    shown = 0
    for supplier, rows in shares.groupby("supplier", sort=False):
        rows = rows.set_index(rows["period"].astype(str)).reindex(periods)
        share, cap = rows["share"].astype(float), rows["cap"].astype(float)
        if not (share.fillna(0) > 5e-4).any() and cap.isna().all():
            continue
        color = colors.get(supplier)
        ax.plot(x, share * 100, color=color, marker="o", markersize=2.5, linewidth=1.4,
                label=supplier, zorder=2)
        _hover_points(ax, x, share * 100, [f"{supplier} · {p}: {v:.1%}" for p, v in zip(periods, share)])
        if cap.notna().any():
            ax.step(x, cap * 100, where="mid", color=darker(color), linestyle=(0, (5, 2)),
                    linewidth=1.8, label=f"{supplier} cap", zorder=5)
        shown += 1
    ax.set_ylabel("share (%)")
    ax.set_ylim(0, 105)
    period_axis(ax, periods, form)
    if shown:
        form.legend(fig)
    return fig


def storage_vs_floor(storage: pd.DataFrame, periods: list[str], form: Form = WIDE):
    """Stock at the end of each period per site, with its floor and working-gas capacity
    (drawn above the stock), from the period the site enters service (`in_service`)."""
    fig, ax = figure(form, 3.6, "storage")
    x = np.arange(len(periods))
    palette = colormap("tab10").colors
    for i, (site, rows) in enumerate(storage.groupby("storage", sort=False)):
        rows = rows.set_index(rows["period"].astype(str)).reindex(periods)
        active = flags(rows["in_service"]) if "in_service" in rows.columns else \
            pd.Series(True, index=rows.index)
        color = palette[i % len(palette)]
        stock = rows["stock_bcf"].astype(float).where(active)
        ax.plot(x, stock, color=color, marker="o", markersize=2.5, label=f"{site} stock", zorder=2)
        _hover_points(ax, x, stock, [f"{site} · {p}: {v:,.2f} Bcf" for p, v in zip(periods, stock)])
        floor = rows["floor_bcf"].astype(float).where(active)
        if (floor.fillna(0) > 0).any():
            ax.step(x, floor, where="mid", color=darker(color), linestyle=(0, (5, 2)),
                    linewidth=1.6, label=f"{site} floor", zorder=5)
        ax.step(x, rows["working_gas_bcf"].astype(float).where(active), where="mid", color=color,
                linestyle=":", linewidth=1.0, label=f"{site} working gas", zorder=4)
    ax.set_ylabel("stock (Bcf)")
    ax.set_ylim(bottom=0)
    thousands(ax)
    period_axis(ax, periods, form)
    form.legend(fig)
    return fig


def shedding_price(summary: dict) -> float | None:
    """The lowest value at which the plan's demand gives way, USD/MMBtu: VOLL, or the
    cheapest demand tier's value (summary.json `policy`)."""
    policy = summary.get("policy") or {}
    return policy.get("shedding_from_usd_mmbtu", policy.get("voll_usd_mmbtu"))


def price_scale(prices: pd.DataFrame, voll: float | None) -> tuple[float | None, np.ndarray]:
    """(the top of the price axis, or None to let it fit; a mask of rows at VOLL). A price
    within AT_VOLL of VOLL is set by demand that would go unserved at the margin (VOLL,
    less the tariffs of the way there), and a node shedding demand (at VOLL or a demand
    tier's value) prices it there: left off the scale so the spread below shows."""
    values = prices["marginal_cost_usd_mmbtu"].astype(float).to_numpy()
    if voll is None:
        return None, np.zeros(len(values), dtype=bool)
    at_voll = values >= AT_VOLL * voll
    if "unserved_mmcfd" in prices:  # demand giving way at a demand tier's value, below VOLL
        at_voll |= prices["unserved_mmcfd"].astype(float).to_numpy() > 1e-6
    below = values[~at_voll & np.isfinite(values)]
    if not at_voll.any() or not len(below):
        return None, at_voll
    top = float(below.max())
    return top + max(0.15 * (top - min(float(below.min()), 0.0)), 0.5), at_voll


def marginal_prices(prices: pd.DataFrame, periods: list[str], voll: float | None = None,
                    form: Form = WIDE):
    """Each node's marginal cost of gas by period. Where it reaches VOLL, the month is
    shaded and the price left off the scale (it would flatten the spread below)."""
    fig, ax = figure(form, 3.6, "marginal_prices")
    x = np.arange(len(periods))
    palette = colormap("tab10").colors
    top, at_voll = price_scale(prices, voll)
    frame = prices.assign(_voll=at_voll)
    if top is not None:
        months = sorted({periods.index(p) for p in frame.loc[frame["_voll"], "period"].astype(str)
                         if p in periods})
        for k, t in enumerate(months):
            ax.axvspan(t - 0.5, t + 0.5, color=SHED_COLOR, alpha=0.6, linewidth=0, zorder=0,
                       label=f"a node shedding demand (from {voll:g} USD/MMBtu: VOLL or a demand "
                             "tier's value), off the scale" if k == 0 else None)
    for i, (node, rows) in enumerate(frame.groupby("node", sort=False)):
        rows = rows.set_index(rows["period"].astype(str)).reindex(periods)
        values = rows["marginal_cost_usd_mmbtu"].astype(float)
        shown = values.where(~rows["_voll"].astype(bool)) if top is not None else values
        ax.plot(x, shown, color=palette[i % len(palette)], marker="o", markersize=2.5,
                linewidth=1.2, label=node, zorder=3)
        _hover_points(ax, x, shown.fillna(top if top is not None else np.nan),
                      [f"{node} · {p}: {v:,.2f} USD/MMBtu" for p, v in zip(periods, values)])
    if top is not None:
        ax.set_ylim(0, top)
    ax.set_ylabel("marginal cost (USD/MMBtu)")
    thousands(ax)
    period_axis(ax, periods, form)
    form.legend(fig)
    return fig


def cost_breakdown(breakdown: dict[str, float], form: Form = WIDE):
    """The objective's parts: cash (supply, transport, storage, fixed), unserved at VOLL,
    risk penalty; each bar labelled with its value."""
    from .labels import part_label

    parts = [(k, float(v)) for k, v in breakdown.items() if v is not None]
    fig, ax = figure(form, 0.8 + (0.42 if form.narrow else 0.3) * max(len(parts), 1),
                     "cost_breakdown")
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
    for bar, label, value in zip(bars, labels[::-1], values[::-1]):
        ax.annotate(f"{value:,.1f}", (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                    xytext=(4, 0), textcoords="offset points", va="center", fontsize=SMALL)
        tip(bar, f"{label}: {value:,.1f} million USD")
    ax.set_xlabel(form.wrap("cost over the horizon (million USD)"))
    ax.set_xlim(0, max(max(values, default=0.0), 1.0) * (1.3 if form.narrow else 1.15))
    thousands(ax, "x")
    if form.narrow:
        ax.tick_params(axis="x", labelrotation=30)
    return fig


# --- security ------------------------------------------------------------------------------

def n1(security: pd.DataFrame, periods: list[str], form: Form = WIDE):
    """N−1 of each period's worst calculated area (%), against the 100% standard."""
    fig, ax = figure(form, 3.2, "n1")
    rows = security.set_index(security["period"].astype(str)).reindex(periods)
    x = np.arange(len(periods))
    values = rows["n1_pct"].astype(float)
    ax.plot(x, values, color="#2c7fb8", marker="o", markersize=3, linewidth=1.4,
            label="N−1 of the worst area", zorder=2)
    _hover_points(ax, x, values, [f"{p}: N−1 {v:.1f}% in {a} (without {w})" for p, v, a, w in
                                  zip(periods, values, rows["area"], rows["largest_infrastructure"])])
    ax.axhline(100, color=FAILED_COLOR, linestyle=(0, (5, 2)), linewidth=1.4,
               label="N−1 standard (100%)", zorder=5)
    ax.set_ylabel("N−1 (%)")
    ax.set_ylim(bottom=0, top=max(110.0, float(np.nanmax(values)) * 1.08 if values.notna().any() else 110))
    period_axis(ax, periods, form)
    form.legend(fig)
    return fig


# --- a stochastic plan ------------------------------------------------------------------------

def scenario_costs(scenarios: pd.DataFrame, form: Form = WIDE):
    """A stochastic plan's cost in each scenario (bars, CVaR tail darker), with the
    deterministic plan's cost under the same scenario for comparison."""
    fig, ax = figure(form, 0.9 + 0.45 * max(len(scenarios), 1), "scenario_costs")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.grid(axis="y", visible=False)
    names = scenarios["scenario"].astype(str).tolist()[::-1]
    y = np.arange(len(names))
    cost = scenarios["cost_musd"].astype(float).to_numpy()[::-1]
    tail = scenarios.get("in_cvar_tail", pd.Series(False, index=scenarios.index))
    tail = flags(tail).to_numpy()[::-1]
    bars = ax.barh(y, cost, height=0.6, color=np.where(tail, "#08519c", "#6baed6"),
                   label="stochastic plan")
    for bar, name, value in zip(bars, names, cost):
        tip(bar, f"{name}: stochastic plan {value:,.1f} million USD")
    if "deterministic_plan_cost_musd" in scenarios.columns:
        det = scenarios["deterministic_plan_cost_musd"].astype(float).to_numpy()[::-1]
        ax.plot(det, y, linestyle="none", marker="D", markersize=5, color="#e6550d",
                label="deterministic plan", zorder=4)
    ax.set_yticks(y, names, fontsize=SMALL)
    ax.set_xlabel("cost in the scenario (million USD)")
    thousands(ax, "x")
    if form.narrow:
        ax.tick_params(axis="x", labelrotation=30)
    form.legend(fig)
    return fig


def commitment_averages(table: pd.DataFrame) -> pd.DataFrame:
    """Per committed item (contract or storage injection): its kind and the horizon
    average of the stochastic and the deterministic plan's commitment, MMcf/d; items that
    neither plan commits to left out, the largest difference first."""
    numbers = table.assign(**{c: pd.to_numeric(table[c], errors="coerce")
                              for c in ("stochastic_mmcfd", "deterministic_mmcfd")})
    mean = numbers.groupby(["item", "kind"], sort=False)[["stochastic_mmcfd",
                                                          "deterministic_mmcfd"]].mean()
    mean = mean[(mean.abs() > EPSILON).any(axis=1)].reset_index()
    mean["difference_mmcfd"] = mean["stochastic_mmcfd"] - mean["deterministic_mmcfd"]
    order = mean["difference_mmcfd"].abs().sort_values(ascending=False, kind="stable").index
    return mean.loc[order].reset_index(drop=True)


def commitments(table: pd.DataFrame, form: Form = WIDE, most: int = 12):
    """What the stochastic plan commits to beyond (or short of) the deterministic plan,
    per contract or storage site: the difference of their horizon-average commitments,
    MMcf/d (items the two plans commit to alike are left out)."""
    mean = commitment_averages(table)
    mean = mean[mean["difference_mmcfd"].abs() > 0.05].head(most).iloc[::-1]
    fig, ax = figure(form, 1.0 + 0.36 * max(len(mean), 1), "commitments")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.grid(axis="y", visible=False)
    y = np.arange(len(mean))
    difference = mean["difference_mmcfd"].to_numpy()
    for sign, color, label in ((1, "#08519c", "more than the deterministic plan"),
                               (-1, "#e6550d", "less than the deterministic plan")):
        pick = np.sign(difference) == sign
        if not pick.any():
            continue
        bars = ax.barh(y[pick], difference[pick], height=0.6, color=color, label=label)
        for bar, (_, row) in zip(bars, mean[pick].iterrows()):
            tip(bar, f"{row['item']}: stochastic {row['stochastic_mmcfd']:,.1f}, deterministic "
                     f"{row['deterministic_mmcfd']:,.1f} MMcf/d (horizon averages)")
    ax.axvline(0, color="#444444", linewidth=0.8)
    names = [f"{i} ({k})" if k != "contract" else str(i) for i, k in zip(mean["item"], mean["kind"])]
    ax.set_yticks(y, [n if not form.narrow or len(n) <= 20 else n[:19] + "…" for n in names],
                  fontsize=SMALL)
    ax.set_xlabel(form.wrap("stochastic − deterministic commitment, MMcf/d (horizon average)"),
                  fontsize=TEXT)
    thousands(ax, "x")
    form.legend(fig)
    return fig
