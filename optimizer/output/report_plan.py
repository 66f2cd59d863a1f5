"""The HTML report of one plan, organised by the questions a planner asks: what does it
cost, does the monthly balance close, which month is tight, what binds and what would
loosening it save, how secure is supply — and, for a two-stage plan, what it commits to
before the scenarios are known.

It takes the plan's summary and tables as gasmix writes them (report.read_plan checks a
folder or JSON plan; Plan.report passes its own) and builds the page from html.py's
pieces and plan_charts.py's charts.
"""

from __future__ import annotations

import pandas as pd

from . import html, plan_charts
from .charts import supplier_colors
from .html import Key
from .plan_charts import AT_VOLL
from .labels import SAVING_STEPS, flags, headline_values, limit_label, stochastic_values

# The kind of an entry as a utilisation row shows it.
ENTRY_KINDS = {"lng": "LNG", "pipeline": "entry", "domestic": "domestic"}
STEPS = len(("supply", "balance", "utilisation", "shares", "storage", "prices", "security"))


def plan_report(summary: dict, tables: dict[str, pd.DataFrame], progress=None) -> str:
    step = progress or (lambda name: None)
    prices, flows, shares = tables["prices"], tables["flows"], tables["shares"]
    storage = tables["storage"]
    periods = list(dict.fromkeys(prices["period"].astype(str)))
    # Colours by position in the case (the summary's shares are in case order): a supplier
    # has the same colour in every chart, whatever the plan buys.
    colors = supplier_colors([*(summary.get("shares") or {}), *shares["supplier"].astype(str)])
    case = summary["case"]
    title = case.get("title") or case.get("name", "plan")
    stochastic = isinstance(summary.get("stochastic"), dict)
    of = " (base scenario)" if stochastic else ""  # a stochastic plan's tables: its base scenario
    voll = plan_charts.shedding_price(summary)

    sections: list[tuple[str, str, str]] = []  # (anchor, title in the contents, html)

    def add(anchor, name, body):
        sections.append((anchor, name, body))

    if stochastic:
        step("scenarios")
        if "commitments" in tables:
            add("commitments", "Commitments", _commitments(tables["commitments"]))
        add("scenarios", "Scenarios", _scenarios(summary, tables.get("scenarios")))
    step("costs")
    add("costs", "Cost", html.chart(
        f"What it costs{of}", lambda form: plan_charts.cost_breakdown(
            summary.get("cost_breakdown_musd") or {}, form), "cost_breakdown",
        "Cost breakdown in million USD",
        lambda drawn: ["The objective's parts over the horizon, million USD: supply, transport, "
                       "storage and firm capacity are cash; unserved demand is valued at VOLL "
                       "(a penalty, not a payment); the risk penalty is not cash either."],
        anchor="costs"))
    step("balance")
    add("balance", "Balance", html.chart(
        f"Supply mix and monthly balance{of}", lambda form: plan_charts.balance(flows, storage, prices, periods,
                                                                colors, form),
        "balance", "Supply by period, stacked by supplier, with storage, against demand",
        _balance_caption, anchor="balance"))
    step("utilisation")
    grid = utilisation_grid(tables)
    if len(grid):
        add("tight", "Tight months", html.chart(
            f"Which month is tight{of}", lambda form: plan_charts.utilisation(grid, periods, form),
            "utilisation", "Utilisation of entries, pipelines and storage by month",
            lambda drawn: ["How full each LNG terminal (LNG), pipeline entry (entry), domestic "
                           "production entry, pipeline between regions (arc) and storage site is "
                           "in each month, % of its capacity (stock against working gas for "
                           "storage): dark red is full, a purple outline marks a month at "
                           "capacity, grey is out of service. Hover a cell for its flow and "
                           "capacity."], anchor="tight"))
    add("binds", "What binds", _savings(tables.get("savings"), of))
    step("shares")
    add("shares", "Shares", html.chart(
        f"Supplier shares against their caps (share of {summary.get('share_of', 'supply')}){of}",
        lambda form: plan_charts.shares_vs_caps(shares, periods, colors, form), "shares_vs_caps",
        "Supplier shares by period against their caps", _shares_caption(summary), anchor="shares"))
    step("storage")
    if len(storage):
        add("storage", "Storage", html.chart(
            f"Storage stock against its floor{of}",
            lambda form: plan_charts.storage_vs_floor(storage, periods, form), "storage",
            "Storage stock by period against its floor", _storage_caption, anchor="storage"))
    else:
        add("storage", "Storage", html.section("Storage", "<p>The case has no storage sites.</p>",
                                               "storage"))
    step("prices")
    add("prices", "Prices", html.chart(
        f"Node marginal prices{of}",
        lambda form: plan_charts.marginal_prices(prices, periods, voll, form), "marginal_prices",
        "Marginal cost of gas at each node by period", _prices_caption(prices, voll),
        anchor="prices"))
    step("security")
    if "security" in tables and len(tables["security"]):
        add("security", "Security", _security(summary, tables["security"], periods,
                                                tables.get("adequacy")))
    if "lng_prices" in tables:
        add("lng", "LNG", _lng_section(tables["lng_prices"], of))

    parts = [html.header(title, _plan_subtitle(summary)),
             html.contents([(a, t) for a, t, _ in sections]),
             html.warnings(summary.get("warnings") or []), _headlines(summary)]
    parts += [body for _, _, body in sections]
    parts.append(html.footer(f"case {case.get('name', '')} · input SHA-256 "
                             f"{case.get('input_sha256', '')} · {summary.get('solver', '')} · "
                             f"status {summary.get('status', '')}"))
    return html.page(f"gasmix report: {title}", parts)


# --- captions that follow the drawing -----------------------------------------------------

def _balance_caption(drawn: list[str]) -> list:
    parts = ["Average daily supply by supplier (MMcf/d), stacked"]
    if "storage withdrawal" in drawn:
        parts += [", with ", Key("storage withdrawal")]
    if "unserved" in drawn:
        parts += [" and demand left ", Key("unserved"), " (hatched, only in the months it occurs)"]
    if "demand + storage injection" in drawn:
        parts += [". The bars meet the line ", Key("demand + storage injection"),
                  ": what is injected into storage is supplied on top of ", Key("demand"),
                  " (dashed)."]
    else:
        parts += [". The bars meet the ", Key("demand"), " line."]
    return parts + [" Hover a bar for its value, the line for the month's whole balance."]


def _keys(labels: list[str], separator: str = ", ") -> list:
    """Keys for `labels`, separated: the series a caption names."""
    out: list = []
    for label in labels:
        out += ([separator] if out else []) + [Key(label)]
    return out


def _shares_caption(summary: dict):
    horizon = any(lim.get("basis") == "horizon" for lim in
                  (summary.get("policy") or {}).get("share_limits") or [])

    def caption(drawn: list[str]) -> list:
        caps = [d for d in drawn if d.endswith(" cap")]
        parts = ["Each supplier's share by period (solid)"]
        if caps:
            parts += ["; its per-period cap dashed in a darker shade, drawn on top (",
                      *_keys(caps), ")"]
        parts.append(".")
        if horizon:
            parts.append(" A cap over the horizon holds on the average, so it is not drawn per period.")
        return parts
    return caption


def _storage_caption(drawn: list[str]) -> list:
    floors = [d for d in drawn if d.endswith(" floor")]
    parts = ["End-of-period stock (Bcf) per site, its working-gas capacity (dotted)"]
    if floors:
        parts += [" and its strategic floor (dashed, on top: ", *_keys(floors), ")"]
    return parts + [", from the period the site enters service."]


def _prices_caption(prices: pd.DataFrame, voll):
    top, at_voll = plan_charts.price_scale(prices, voll)

    def caption(drawn: list[str]) -> list:
        parts = ["Marginal cost of gas at each node (USD/MMBtu), from the node balance duals; "
                 "with a risk weight it includes the marginal source's risk penalty."]
        shaded = [d for d in drawn if d.startswith("a node shedding demand")]
        if top is not None and shaded:
            parts += [" Shaded months have ", Key(shaded[0]), ": one more MMcf/d of demand "
                      "there would go unserved (VOLL or a demand tier's value, less the tariffs "
                      "of the way, at the nodes it reaches). Those prices, a node's where demand "
                      f"gives way or {AT_VOLL:.0%} of VOLL and more, are left off "
                      f"the scale (which ends at {top:,.1f}) so that the spread of the other "
                      "prices shows. Hover a point for its value."]
        return parts
    return caption


# --- sections -----------------------------------------------------------------------------------

def _plan_subtitle(summary: dict) -> str:
    case, policy = summary["case"], summary["policy"]
    bits = [f"{case['first_period']} to {case['last_period']} ({case['periods']} periods)"]
    caps = ", ".join(f"{k} ≤ {v:.0%}" for k, v in (policy.get("caps") or {}).items()
                     if isinstance(v, (int, float)))
    if caps:
        bits.append(f"caps {caps}")
    if isinstance(policy.get("max_share"), (int, float)):
        bits.append(f"every supplier ≤ {policy['max_share']:.0%}")
    if policy.get("share_basis"):
        bits.append(f"share basis {policy.get('share_basis')}")
    if isinstance(policy.get("risk_weight_usd_mmbtu"), (int, float)) and policy["risk_weight_usd_mmbtu"]:
        bits.append(f"risk weight {policy['risk_weight_usd_mmbtu']:g} USD/MMBtu")
    if policy.get("exclude"):
        bits.append("excluded " + ", ".join(map(str, policy["exclude"])))
    st = summary.get("stochastic")
    if isinstance(st, dict):
        bits.append(f"stochastic plan over {len(st.get('scenarios') or {})} scenarios, "
                    f"CVaR α {st.get('cvar_alpha', 0):.0%}, weight W {st.get('cvar_weight', 0):g}")
    return " · ".join(bits)


def _headlines(summary: dict) -> str:
    head = '<section class="headlines"><h2>Headline figures</h2>'
    stochastic = stochastic_values(summary)
    if stochastic:
        head += ('<h3>Over the scenarios</h3>' + html.figures(stochastic)
                 + '<h3>The base scenario (undisturbed)</h3>')
    return head + html.figures(headline_values(summary)) + "</section>"


def utilisation_grid(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """asset, period, used, capacity, unit: every entry (by kind) and arc with a capacity
    row in the plan's constraints, and every storage site's stock against its working gas;
    LNG terminals first, then pipeline entries, domestic production, arcs, storage, each
    fullest first."""
    constraints = tables["constraints"]
    kinds = dict(zip(tables["flows"]["entry"].astype(str), tables["flows"]["kind"].astype(str))) \
        if {"entry", "kind"} <= set(tables["flows"].columns) else {}
    parts = []
    for family, word in (("entry_capacity", None), ("arc_capacity", "arc"),
                         ("origin_capacity", "LNG origin")):
        rows = constraints[constraints["family"] == family]
        if not len(rows):
            continue
        kind = rows["name"].astype(str).map(lambda n: ENTRY_KINDS.get(kinds.get(n, ""), "entry")) \
            if word is None else word
        parts.append(pd.DataFrame({"asset": rows["name"].astype(str) + " · " + kind,
                                   "group": kind, "period": rows["period"].astype(str),
                                   "used": pd.to_numeric(rows["value"], errors="coerce"),
                                   "capacity": pd.to_numeric(rows["limit"], errors="coerce"),
                                   "unit": "MMcf/d"}))
    storage = tables["storage"]
    if len(storage):
        active = flags(storage["in_service"]) if "in_service" in storage.columns else True
        parts.append(pd.DataFrame({"asset": storage["storage"].astype(str) + " · storage",
                                   "group": "storage", "period": storage["period"].astype(str),
                                   "used": storage["stock_bcf"].astype(float),
                                   "capacity": storage["working_gas_bcf"].astype(float).where(active, 0.0),
                                   "unit": "Bcf"}))
    if not parts:
        return pd.DataFrame(columns=["asset", "group", "period", "used", "capacity", "unit"])
    grid = pd.concat(parts, ignore_index=True)
    fullness = (grid["used"] / grid["capacity"].where(grid["capacity"] > 0)).groupby(grid["asset"]).max()
    groups = ["LNG", "entry", "domestic", "arc", "LNG origin", "storage"]
    order = sorted(fullness.index, key=lambda a: (groups.index(grid.loc[grid["asset"] == a, "group"].iloc[0]),
                                                   -(fullness[a] if fullness[a] == fullness[a] else -1)))
    grid["asset"] = pd.Categorical(grid["asset"], categories=order, ordered=True)
    return grid.sort_values(["asset"], kind="stable").assign(asset=lambda f: f["asset"].astype(str))


def _savings(savings: pd.DataFrame | None, of: str) -> str:
    """The binding limits with what loosening each saves, one table per unit."""
    title = f"What binds, and what loosening it saves{of}"
    if savings is None or not len(savings):
        return html.section(title, "<p>No limit binds: the plan is the unconstrained least-cost "
                                   "mix.</p>", "binds", "binding")
    text = ("<p>A saving is what loosening a limit by one step saves, in million USD: a share "
            "cap by one percentage point (a share floor lowered by one), a capacity by 100 "
            "MMcf/d, working gas by 1 Bcf, a storage requirement by 1 Bcf less. "
            "<b>Over the horizon</b> loosens it by that step in every period it binds; the "
            "<b>largest month</b> is the most one period's step is worth. These are the "
            "solver's marginal values, the same in the terminal, the workbook and "
            "savings.csv: a whole step saves at most this much.</p>")
    body = []
    frame = savings.assign(
        limit=[limit_label(f, n) for f, n in zip(savings["family"], savings["name"])],
        largest=[f"{html.cell('peak_saving', v)[0]} ({p})"
                 for v, p in zip(savings["peak_saving"], savings["peak_period"])],
        when=[f"binding in {html.plural(int(n), 'period')}: {b}"
              for n, b in zip(savings["binding_periods"], savings["binding_in"])])
    for unit, group in frame.groupby("unit", sort=False):
        body.append(f"<h3>MUSD saved {SAVING_STEPS.get(unit, unit)}</h3>")
        # when it binds is long text: a row of its own, so the figures fit a phone
        body.append(html.table(group, ["limit", "horizon_saving", "largest"], detail="when",
                               css={"largest": lambda text: "num"},
                               headers={"horizon_saving": "over the horizon",
                                        "largest": "largest month"}))
    return html.section(title, text + "".join(body), "binds", "binding")


def _adequacy(adequacy: pd.DataFrame) -> str:
    """The peak day of every period and the flow-based N−1 of each area beside the formula
    (adequacy.csv), one row per period."""
    frame = adequacy.copy()
    for c in ("served_pct", "protected_served_pct", "n1_formula_pct"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce")
    peak = frame[frame["check"] == "peak_day"].set_index("period")
    rows = pd.DataFrame({"period": list(dict.fromkeys(frame["period"].astype(str)))})
    rows["peak day served (%)"] = rows["period"].map(peak["served_pct"])
    rows["protected served (%)"] = rows["period"].map(peak["protected_served_pct"])
    n1 = frame[frame["check"] == "n1"]
    for area, block in n1.groupby("area", sort=False):
        block = block.set_index("period")
        rows[f"{area}: on the network (%)"] = rows["period"].map(block["served_pct"])
        if block["n1_formula_pct"].notna().any():
            rows[f"{area}: formula (%)"] = rows["period"].map(block["n1_formula_pct"])
    lead = ("<p>The peak day of each period (each node's average demand × its peak-day "
            "factor) and N−1 solved on the network: the peak day without the area's largest "
            "infrastructure, storage full, arcs at their capacity, beside the Regulation's "
            "formula, which counts capacity as if gas reached every node of its area.</p>")
    return lead + html.table(rows, list(rows.columns), headers={c: c for c in rows.columns})


def _security(summary: dict, security: pd.DataFrame, periods: list[str],
              adequacy: pd.DataFrame | None = None) -> str:
    """N−1 by period (its worst area) against the standard, the table of its terms, and
    (adequacy.csv) the peak day and the flow-based N−1."""
    low = summary.get("n1_min_pct")
    lead = ""
    if isinstance(low, (int, float)):
        lead = (f"<p>Lowest N−1: <b>{low:.1f}%</b> in {html.escape(str(summary.get('n1_min_period')))}"
                f" (area {html.escape(str(summary.get('n1_min_area')))}, without "
                f"{html.escape(str(summary.get('n1_largest_infrastructure')))}). N−1 is the share of "
                "peak-day demand the area can still meet without its largest single infrastructure "
                "(EU 2017/1938); 100% is the standard. It depends on the infrastructure, not on the "
                "plan; HHI and Shannon measure the plan's supplier diversity.</p>")
    frame = security.copy()
    for c in ("n1_pct", "ep_mmcfd", "pm_mmcfd", "sm_mmcfd", "lngm_mmcfd", "im_mmcfd",
              "dmax_mmcfd", "hhi", "shannon"):
        if c in frame.columns:
            frame[c] = pd.to_numeric(frame[c], errors="coerce")
    chart = ""
    if frame["n1_pct"].notna().any():
        chart = html.chart_figure(lambda form: plan_charts.n1(frame, periods, form), "n1",
                                  "N−1 of the worst area by period",
                                  lambda drawn: [Key("N−1 of the worst area"), " by period, against "
                                                 "the ", Key("N−1 standard (100%)"), " (drawn on top)."])
    table = html.table(frame, ["period", "area", "n1_pct", "largest_infrastructure", "ep_mmcfd",
                               "pm_mmcfd", "sm_mmcfd", "lngm_mmcfd", "im_mmcfd", "dmax_mmcfd",
                               "hhi", "shannon"],
                       headers={"largest_infrastructure": "without (largest)"})
    days = _adequacy(adequacy) if adequacy is not None and len(adequacy) else ""
    return html.section("Security of supply: N−1 and diversity", lead + chart + table + days,
                        "security")


def _commitments(table: pd.DataFrame) -> str:
    """What the two-stage plan commits to before the scenarios are known."""
    mean = plan_charts.commitment_averages(table)
    text = ("<p>The stochastic plan's result is what it commits to before knowing which "
            "scenario comes: contracted volumes and storage injections, shown here as horizon "
            "averages against what the deterministic plan (undisturbed case only) would "
            "commit. Each scenario's operation is then re-optimised around them.</p>")
    if not len(mean):
        return html.section("Commitments", text + "<p>Neither plan commits to anything.</p>",
                            "commitments")
    differ = mean[mean["difference_mmcfd"].abs() > 0.05]
    body = "<p>The two plans commit to the same volumes.</p>" if not len(differ) else \
        html.chart_figure(lambda form: plan_charts.commitments(table, form), "commitments",
                          "Where the stochastic plan commits more or less than the deterministic",
                          lambda drawn: ["What the stochastic plan commits to beyond the "
                                         "deterministic plan, horizon average, MMcf/d: "]
                          + _keys([label for label in ("more than the deterministic plan",
                                                       "less than the deterministic plan")
                                   if label in drawn], " and ")
                          + [" (largest differences first, at most 12; the table has every "
                             "commitment of both plans)."])
    return html.section("Commitments", text + body + html.table(
        mean, ["item", "kind", "stochastic_mmcfd", "deterministic_mmcfd", "difference_mmcfd"],
        headers={"stochastic_mmcfd": "stochastic plan (MMcf/d)",
                 "deterministic_mmcfd": "deterministic plan (MMcf/d)",
                 "difference_mmcfd": "difference (MMcf/d)"}), "commitments")


def _scenarios(summary: dict, scenarios: pd.DataFrame | None) -> str:
    """The scenarios of a stochastic plan: a chart of their costs and the table."""
    st = summary["stochastic"]
    text = ("<p>The plan's first stage (contracted volumes, storage injections) is chosen once "
            "for all scenarios; each scenario's operation is then re-optimised. "
            f"Probabilities sum to {sum((st.get('scenarios') or {}).values()):.0%}. The sections "
            "after this one show the plan in the undisturbed base scenario.</p>")
    if scenarios is None or not len(scenarios):
        return html.section("Scenarios", text + "<p>No scenario table was found beside the plan.</p>",
                            "scenarios")
    body = html.chart_figure(lambda form: plan_charts.scenario_costs(scenarios, form),
                       "scenario_costs", "Cost of the plan in each scenario",
                       lambda drawn: ["Cost of the ", Key("stochastic plan"), " in each scenario "
                                      "(million USD; darker bars: the CVaR tail)"]
                       + ([", and the ", Key("deterministic plan"), "'s cost under the same "
                           "scenario (◆)."] if "deterministic plan" in drawn else ["."]))
    shown = ["scenario", "probability", "cost_musd", "cash_cost_musd", "deterministic_plan_cost_musd",
             "unserved_bcf", "avg_marginal_usd_mmbtu", "peak_marginal_usd_mmbtu", "peak_at",
             "in_cvar_tail"]
    frame = scenarios.copy()
    if "in_cvar_tail" in frame.columns:
        frame["in_cvar_tail"] = flags(frame["in_cvar_tail"]).map({True: "✓", False: ""})
    return html.section("Scenarios", text + body + html.table(frame, shown, detail="description"),
                        "scenarios", "scenarios")


def _lng_section(table: pd.DataFrame, of: str = "") -> str:
    """LNG by origin and terminal over the horizon: FOB, freight and delivered price."""
    rows = []
    for source, part in table.groupby("source", sort=False):
        first = part.iloc[0]
        markets = part["market"].dropna()
        markets = markets[markets.astype(str) != ""]
        rows.append({"source": source, "origin": first["origin"], "entry": first["entry"],
                     "pricing": first["pricing"],
                     "market": markets.mode().iloc[0] if len(markets) else "",
                     **{c: pd.to_numeric(part[c], errors="coerce").mean()
                        for c in ("fob_usd_mmbtu", "freight_usd_mmbtu", "delivered_usd_mmbtu")}})
    frame = pd.DataFrame(rows)
    return html.section(f"LNG by origin and terminal{of}",
                        "<p>Horizon averages, USD/MMBtu: the FOB price at the origin (a netback is "
                        "the best market's delivered price less the freight to it), the freight to "
                        "the terminal, and the delivered price before the terminal's tariff.</p>"
                        + html.table(frame, list(frame.columns)), "lng")
