"""The HTML reports of studies: a sweep, a frontier, a stress test, and a comparison of
two or more plans — what a target costs in cash, where demand starts being shed, which
plans are efficient, what a disruption adds, and what changed between plans.

Each takes what gasmix wrote (report.py reads and checks it) and builds the page from
html.py's pieces and study_charts.py's charts.
"""

from __future__ import annotations

import pandas as pd

from . import html, study_charts
from .charts import supplier_colors
from .html import Key, plural
from .labels import (SAVING_STEPS, flags, headline_values, limit_label, param_label,
                     param_value)
from .study_reading import OPTIMAL, cash_change, reference_value, shed, tightest_served


def _no_chart(title: str, why: str) -> str:
    return html.section(title, html.note(why))


def _statuses(frame: pd.DataFrame) -> str:
    counts = frame.loc[frame["status"] != OPTIMAL, "status"].value_counts()
    return ", ".join(f"{n} {status}" for status, n in counts.items())


def _failed_css(text: str) -> str:
    return "failed" if text != OPTIMAL else ""


# --- a sweep --------------------------------------------------------------------------------

def sweep_reading(frame: pd.DataFrame, params: list[str]) -> list[str]:
    """What the sweep says, in sentences: the cash cost against the reference point where
    all demand is served, where demand is shed, the tightest cap that serves all demand."""
    key = params[0]
    ok = frame["status"] == OPTIMAL
    if not ok.any():
        return []
    ref = param_value(key, reference_value(key, frame[key]))
    change = cash_change(frame, params)
    served = change[~shed(frame)].dropna()
    out = []
    if len(served):
        out.append(f"Where all demand is served, the cash cost moves from {served.min():+,.0f} to "
                   f"{served.max():+,.0f} million USD against {key} = {ref}.")
    shedding = frame[shed(frame)]
    if len(shedding):
        shown = ", ".join(param_value(key, v) for v in list(dict.fromkeys(shedding[key]))[:8])
        out.append(f"Demand is shed (left unserved) at {key} = {shown}: there the cash cost is "
                   "no guide, since unserved gas is not paid for; the total with unserved gas at "
                   "VOLL is in the table.")
    if len(params) == 1:
        tight = tightest_served(frame, key)
        if tight is not None:
            at = frame.index[frame[key] == tight][0]
            out.append(f"The tightest {key} that serves all demand is {param_value(key, tight)}, "
                       f"at {change[at]:+,.0f} million USD of cash against {key} = {ref}.")
    return out


def sweep_report(meta: dict, frame: pd.DataFrame, progress=None, where="sweep.json",
                 check=None) -> str:
    step = progress or (lambda name: None)
    params = meta["params"]
    names = meta.get("names") if isinstance(meta.get("names"), dict) else None
    first = params[0]
    suppliers = [c[len("share_"):] for c in frame.columns if c.startswith("share_")]
    colors = supplier_colors(suppliers)  # the case's order: the plan report's colours
    failed = int((frame["status"] != OPTIMAL).sum())
    case = meta.get("case", "")
    label = param_label(first, names)
    parts = [html.header(f"Sweep of {', '.join(params)}" + (f" — case {case}" if case else ""),
                         f"{plural(len(frame), 'point')}, {failed} failed")]
    step("cost")
    if failed == len(frame):
        why = (f"No chart: none of the {plural(len(frame), 'point')} has an optimal plan "
               f"({_statuses(frame)}); the table below gives each point's diagnosis.")
        parts.append(_no_chart(f"What {first} costs", why))
        step("shares")
    else:
        reading = sweep_reading(frame, params)
        if reading:
            parts.append(html.section("What the sweep says", "<ul class=\"reading\">" + "".join(
                f"<li>{html.escape(line)}</li>" for line in reading) + "</ul>", "reading"))
        layout = study_charts.sweep_layout(frame, params)
        ref = study_charts.reference_text(first, frame)

        def caption(drawn):
            parts = ["The cash cost change over the horizon (million USD) against ", ref,
                     " on the upper axis"]
            if not layout["panel"]:
                parts.append("; below, the gas left unserved (Bcf)")
            parts.append(". Unserved gas is not on the cost axis: valued at VOLL it would swamp "
                         "the range a planner compares.")
            if "demand shed (unserved > 0)" in drawn:
                parts += [" Shaded: ", Key("demand shed (unserved > 0)"), "."]
            if "sheds demand (unserved > 0)" in drawn:
                parts += [" Ringed red: a point that ", Key("sheds demand (unserved > 0)"), "."]
            if layout["colour"]:
                parts.append(f" One line per value of {param_label(layout['colour'], names)} "
                             "(light to dark).")
            if layout["panel"]:
                parts.append(f" One panel per value of {param_label(layout['panel'], names)}: "
                             + ", ".join(param_value(layout['panel'], v) for v in layout["panels"]) + ".")
            if "no optimal plan" in drawn:
                parts += [" ", Key("no optimal plan"), ": a failed point, marked ✕ on the axis."]
            if layout["notes"]:
                parts.append(" Not drawn: " + "; ".join(layout["notes"]) + ".")
            return parts

        parts.append(html.chart(f"What {first} costs", lambda form: study_charts.sweep_cost(
            frame, params, names, form), "sweep_cost", f"Cash cost change against {label}",
            caption, anchor="cost"))
        step("shares")
        shown_for = study_charts.shares_caption(frame, params)
        parts.append(html.chart(
            f"Supplier shares against {first}", lambda form: study_charts.sweep_shares(
                frame, params, colors, names, form), "sweep_shares", f"Supplier shares against {label}",
            lambda drawn: ["Each supplier's share of supply"
                           + (f", for the first combination of the other parameters: {shown_for}"
                              if shown_for else "")
                           + ("; failed points are marked ✕ on the axis." if "no optimal plan" in drawn
                              else ".")], anchor="shares"))
    table = frame.assign(cash_change_musd=cash_change(frame, params))
    for p in params:  # as a planner reads them: caps in %
        table[p] = [param_value(p, v) for v in frame[p]]
    penalty = (frame["risk_penalty_musd"].astype(float).fillna(0).abs() > 1e-9).any() \
        if "risk_penalty_musd" in frame.columns else False
    shown = params + ["status", "cash_cost_musd", "cash_change_musd", "unserved_bcf",
                      "total_cost_musd", *(["objective_musd"] if penalty else []),
                      "avg_cost_usd_mmbtu", "hhi", "import_dependence", "largest_supplier",
                      "largest_share"]
    ref = param_value(first, reference_value(first, frame[first]))
    parts.append(html.section("Points", html.table(
        table, shown, detail="message", css={"status": _failed_css},
        headers={"cash_cost_musd": "cash (MUSD)", "cash_change_musd": f"cash vs {ref} (MUSD)",
                 "unserved_bcf": "unserved (Bcf)",
                 "total_cost_musd": "cash + unserved at VOLL (MUSD)",
                 "objective_musd": "objective with risk penalty (MUSD)",
                 "avg_cost_usd_mmbtu": "average cost (USD/MMBtu)"}), "points"))
    parts.append(html.footer(f"sweep of case {case}"))
    return html.page(f"gasmix sweep report: {', '.join(params)}", parts)


# --- a frontier ------------------------------------------------------------------------------

def frontier_report(meta: dict, frame: pd.DataFrame, progress=None) -> str:
    step = progress or (lambda name: None)
    frame = frame.copy()
    frame["pareto"] = flags(frame["pareto"])
    case = meta.get("case", "")
    failed = int((frame["status"] != OPTIMAL).sum())
    parts = [html.header("Cost frontier" + (f" — case {case}" if case else ""),
                         f"{plural(len(frame), 'point')}, {failed} failed")]
    for trade_off, title, what in (
            ("diversification", "What diversification costs",
             "Each point is a solve with a tighter cap on the largest share."),
            ("risk", "What lower risk costs",
             "Each point is a solve with a higher risk weight λ.")):
        step(trade_off)
        rows = frame[frame["trade_off"] == trade_off]
        if not len(rows):
            continue
        if not (rows["status"] == OPTIMAL).any():
            parts.append(_no_chart(title, f"No chart: none of the {plural(len(rows), 'point')} has an "
                                          f"optimal plan ({_statuses(rows)}); see the table below."))
            continue
        efficient = rows[rows["pareto"]]
        distinct = efficient.drop_duplicates(["x", "cost_musd"])
        ref = study_charts.frontier_reference(rows)
        key = str(ref["parameter"])

        def caption(drawn, what=what, efficient=distinct, rows=rows, key=key, ref=ref):
            parts = [f"{what} The cash cost change (million USD) against {key} = "
                     f"{param_value(key, ref['value'])}. Filled and joined: each ",
                     Key("Pareto-efficient plan"), f" ({len(efficient)}, each counted once: no "
                     "other plan is both cheaper, counting unserved gas at VOLL, and better on "
                     "the measure), labelled with its setting where the label fits"]
            if "dominated or repeated plan" in drawn:
                parts += ["; hollow: ", Key("dominated or repeated plan"),
                          " (another λ or cap gives the same plan, or a better one exists)"]
            if "sheds demand (unserved > 0)" in drawn:
                parts += ["; ringed red: ", Key("sheds demand (unserved > 0)"),
                          ", where cash is low only because unserved gas is not paid for"]
            parts.append(". " + _failed_note(rows))
            return parts

        parts.append(html.chart(title, lambda form, rows=rows, trade_off=trade_off: study_charts.frontier(
            rows, f"frontier_{trade_off}", form), f"frontier_{trade_off}", title, caption,
            anchor=trade_off))
    table = frame.copy()
    table["setting"] = [param_value(str(p), v) for p, v in zip(table["parameter"], table["value"])]
    table["measure"] = [_measure(x, label) for x, label in zip(table["x"], table["x_label"])]
    table["pareto"] = table["pareto"].map({True: "✓", False: ""})
    if "same_plan_as" in table.columns:
        table["same_plan_as"] = [
            "" if v != v else f"same plan as {param_value(str(p), v)}"
            for p, v in zip(table["parameter"], pd.to_numeric(table["same_plan_as"], errors="coerce"))]
    shown = ["trade_off", "parameter", "setting", "status", "measure", "cash_cost_musd", "cost_musd",
             "unserved_bcf", "largest_share", "risk_exposure", "pareto", "same_plan_as"]
    parts.append(html.section("Points", html.table(
        table, shown, detail="message", css={"status": _failed_css},
        headers={"cash_cost_musd": "cash (MUSD)", "cost_musd": "cash + unserved at VOLL (MUSD)",
                 "unserved_bcf": "unserved (Bcf)", "trade_off": "trade-off",
                 "pareto": "Pareto-efficient", "same_plan_as": "repeats"}), "points"))
    parts.append(html.footer(f"frontier of case {case}"))
    return html.page("gasmix frontier report", parts)


def _measure(x, label) -> str:
    if not isinstance(x, (int, float)) or x != x:
        return ""
    return f"{x:.1%}" if "(%)" in str(label) else f"{x:,.3f}"


def _failed_note(rows: pd.DataFrame) -> str:
    failed = rows[rows["status"] != OPTIMAL]
    if not len(failed):
        return ""
    listed = ", ".join(f"{p}={param_value(str(p), v)} ({s})" for p, v, s in
                       zip(failed["parameter"], failed["value"], failed["status"]))
    return f"Not drawn, {len(failed)} failed point(s): {listed}."


# --- a stress test ---------------------------------------------------------------------------

def _short_events(short: pd.DataFrame) -> str:
    """The days of short events: per window, the shares served and the Bcf each demand
    tier gave up."""
    keys = ["scenario", "period", "first_day", "days"]
    rows = []
    for (scenario, period, first, days), block in short.groupby(keys, sort=False):
        row = {"scenario": scenario, "days": f"{period}, days {int(first)}–{int(first) + int(days) - 1}",
               "served (%)": float(block["served_pct"].iloc[0]),
               "protected served (%)": float(block["protected_served_pct"].iloc[0])}
        for tier, value in zip(block["tier"], block["unserved_bcf"]):
            row[f"{tier} (Bcf unserved)"] = float(value)
        rows.append(row)
    frame = pd.DataFrame(rows)
    text = ("<p>Short events (some days of one month) are days of their scenario's model: "
            "what storage, other suppliers and demand response could bridge on those days, "
            "and what each demand tier gave up.</p>")
    return html.section("Short events, day by day", text + html.table(
        frame, list(frame.columns), headers={c: c for c in frame.columns}), "short-events")


def stress_report(plan_summary: dict, table: pd.DataFrame, short: pd.DataFrame | None = None,
                  progress=None) -> str:
    """The deterministic plan's commitments under each disruption: what each adds to its
    cost, where it sheds demand, and (`short`: short_events.csv) what each demand tier gave
    up on the days of short events."""
    step = progress or (lambda name: None)
    case = plan_summary.get("case") or {}
    title = f"Stress test — {case.get('title') or case.get('name', 'plan')}"
    parts = [html.header(title, f"{plural(len(table), 'scenario')}: the deterministic plan's "
                                "contracted volumes and storage injections held, each scenario's "
                                "operation re-solved")]
    parts.append(html.section("The deterministic plan", html.figures(headline_values(plan_summary)),
                              "plan", "headlines"))
    step("stress")
    worst = table.loc[table["change_from_base_musd"].astype(float).idxmax()]
    shedding = table[table["unserved_bcf"].astype(float).fillna(0) > 0.05]
    reading = [f"The costliest disruption is {worst['scenario']}: {float(worst['change_from_base_musd']):+,.0f} "
               "million USD over the base (cash + unserved gas at VOLL)."]
    if len(shedding):
        reading.append("Demand is shed in " + ", ".join(
            f"{s} ({float(u):,.1f} Bcf)" for s, u in zip(shedding["scenario"], shedding["unserved_bcf"]))
            + ".")
    else:
        reading.append("No scenario sheds demand.")
    parts.append(html.section("What the stress test says", "<ul class=\"reading\">" + "".join(
        f"<li>{html.escape(r)}</li>" for r in reading) + "</ul>", "reading"))
    if (table["scenario"].astype(str) != "base").any():
        parts.append(html.chart(
            "What each disruption adds", lambda form: study_charts.stress_costs(table, form),
            "stress_costs", "Cost of each disruption over the base",
            lambda drawn: ["Each scenario's cost over the base scenario, million USD (cash + "
                           "unserved gas at VOLL)"]
            + ([", in ", Key("sheds demand"), " where demand goes unserved (labelled with how much)"]
               if "sheds demand" in drawn else [])
            + ([", ", Key("serves all demand"), " elsewhere"] if "serves all demand" in drawn else [])
            + ["."], anchor="stress"))
    parts.append(html.section("Scenarios", html.table(
        table, ["scenario", "probability", "cost_musd", "change_from_base_musd", "cash_cost_musd",
                "unserved_bcf", "avg_marginal_usd_mmbtu", "peak_marginal_usd_mmbtu", "peak_at"],
        detail="description"), "scenarios"))
    if short is not None and len(short):
        parts.append(_short_events(short))
    parts.append(html.footer(f"stress test of case {case.get('name', '')}"))
    return html.page("gasmix stress report", parts)


# --- comparing plans ---------------------------------------------------------------------------

# (summary key, label, kind) of the comparison table.
COMPARED = (("cash_cost_musd", "cash cost (million USD)", "musd"),
            ("objective_musd", "objective (million USD)", "musd"),
            ("unserved_bcf", "unserved demand (Bcf)", "bcf"),
            ("avg_cost_usd_mmbtu", "average cost of gas served (USD/MMBtu)", "price"),
            ("import_dependence", "import dependence", "percent"),
            ("hhi", "HHI (0–10,000)", "index"),
            ("risk_exposure", "risk exposure (0–1)", "ratio"),
            ("n1_min_pct", "lowest N−1 (%)", "pct"))


def _show(value, kind: str) -> str:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value:
        return "–"
    return {"musd": f"{value:,.1f}", "bcf": f"{value:,.1f}", "price": f"{value:,.2f}",
            "percent": f"{value:.1%}", "index": f"{value:,.0f}", "ratio": f"{value:.3f}",
            "pct": f"{value:,.1f}"}[kind]


def _change(value, base, kind: str) -> str:
    if not all(isinstance(v, (int, float)) and v == v for v in (value, base)):
        return "–"
    delta = value - base
    if kind == "percent":
        return f"{delta * 100:+.1f} pp"
    return {"musd": f"{delta:+,.1f}", "bcf": f"{delta:+,.1f}", "price": f"{delta:+,.2f}",
            "index": f"{delta:+,.0f}", "ratio": f"{delta:+.3f}", "pct": f"{delta:+,.1f}"}[kind]


def _policy_text(summary: dict) -> str:
    policy = summary.get("policy") or {}
    bits = [f"{k} ≤ {v:.0%}" for k, v in (policy.get("caps") or {}).items()]
    if isinstance(policy.get("max_share"), (int, float)):
        bits.append(f"every supplier ≤ {policy['max_share']:.0%}")
    if bits:
        bits.append(f"basis {policy.get('share_basis')}")
    if policy.get("risk_weight_usd_mmbtu"):
        bits.append(f"λ {policy['risk_weight_usd_mmbtu']:g}")
    if policy.get("exclude"):
        bits.append("excluded " + ", ".join(policy["exclude"]))
    for key, word in (("storage_days", "storage days"), ("cover_days", "cover days"),
                      ("min_n1", "N−1 ≥")):
        value = (summary.get("storage_policy") or {}).get(key)
        if value:
            bits.append(f"{word} {value:g}")
    if isinstance(summary.get("stochastic"), dict):
        bits.append("stochastic (base scenario shown)")
    return ", ".join(bits) or "least cost, no limits"


def _rows_table(header: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(
        f'<td class="num">{html.escape(c)}</td>' if i >= numeric_from else f"<td>{html.escape(c)}</td>"
        for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def compare_report(plans: list[tuple[str, dict, dict[str, pd.DataFrame]]], progress=None) -> str:
    """Two or more plans side by side (the first is the reference): their policies, the
    headline figures with each change from the first, costs and shares charted, and what
    changed: supply by supplier and kind, and the limits that bind."""
    step = progress or (lambda name: None)
    names = [name for name, _, _ in plans]
    summaries = [summary for _, summary, _ in plans]
    first = names[0]
    suppliers = list(dict.fromkeys(s for summary in summaries for s in (summary.get("shares") or {})))
    colors = supplier_colors(suppliers)
    parts = [html.header(f"Comparison of {len(plans)} plans: {', '.join(names)}",
                         f"each against {first}"),
             html.contents([("figures", "Figures"), ("costs", "Cost"), ("mix", "Mix"),
                            ("changed", "What changed"), ("binds", "What binds")])]
    cases = {(s["case"].get("name"), s["case"].get("first_period"), s["case"].get("last_period"))
             for s in summaries}
    if len(cases) > 1:
        parts.append(html.warnings(["The plans are of different cases or horizons: their figures "
                                    "are not like for like."]))
    for name, summary in zip(names, summaries):
        parts.append(html.warnings([f"{name}: {w}" for w in summary.get("warnings") or []]))
    header = ["", *names] + [f"{n} vs {first}" for n in names[1:]]
    rows = [["policy", *[_policy_text(s) for s in summaries]] + [""] * (len(names) - 1)]
    for key, label, kind in COMPARED:
        values = [s.get(key) for s in summaries]
        rows.append([label, *[_show(v, kind) for v in values]]
                    + [_change(v, values[0], kind) for v in values[1:]])
    parts.append(html.section("Headline figures", _rows_table(header, rows), "figures"))
    step("costs")
    parts.append(html.chart("Cost", lambda form: study_charts.compare_costs(names, summaries, form),
                            "compare_costs", "Cost of each plan",
                            lambda drawn: ["Each plan's cost over the horizon, million USD: ",
                                           Key("cash")]
                            + ([", ", Key("unserved at VOLL")] if "unserved at VOLL" in drawn else [])
                            + ([", ", Key("risk penalty (not cash)")]
                               if "risk penalty (not cash)" in drawn else [])
                            + [", stacked; the label is the total."], anchor="costs"))
    step("shares")
    parts.append(html.chart("Supply mix", lambda form: study_charts.compare_shares(
        names, summaries, colors, form), "compare_shares", "Shares of supply of each plan",
        lambda drawn: ["Each plan's supply over the horizon by supplier, % of all supply (one "
                       "colour per supplier, as in the plan reports)."], anchor="mix"))
    parts.append(html.section("What changed: supply by supplier and kind (Bcf)",
                              _supply_changes(names, [t for _, _, t in plans]), "changed"))
    parts.append(html.section("What binds: saving over the horizon",
                              _binding_changes(names, [t for _, _, t in plans]), "binds"))
    parts.append(html.footer("comparison of " + ", ".join(names)))
    return html.page(f"gasmix comparison: {', '.join(names)}", parts)


def _supply_changes(names: list[str], tables: list[dict]) -> str:
    volume = []
    for table in tables:
        flows = table["flows"]
        bcf = pd.to_numeric(flows["volume_bcf"], errors="coerce") if "volume_bcf" in flows.columns \
            else pd.Series(0.0, index=flows.index)
        volume.append(bcf.groupby([flows["supplier"].astype(str), flows["kind"].astype(str)]).sum())
    frame = pd.concat(volume, axis=1, keys=names).fillna(0.0)
    frame = frame[(frame.abs() > 0.05).any(axis=1)]
    frame = frame.reindex(frame.sub(frame[names[0]], axis=0).abs().max(axis=1)
                          .sort_values(ascending=False, kind="stable").index)
    header = ["supplier", "kind", *names] + [f"{n} vs {names[0]}" for n in names[1:]]
    rows = [[s, k, *[f"{frame.loc[(s, k), n]:,.1f}" for n in names]]
            + [f"{frame.loc[(s, k), n] - frame.loc[(s, k), names[0]]:+,.1f}" for n in names[1:]]
            for s, k in frame.index]
    return ("<p>Supply over the horizon by supplier and kind of gas, largest changes first.</p>"
            + _rows_table(header, rows, numeric_from=2))


def _binding_changes(names: list[str], tables: list[dict]) -> str:
    savings = []
    for table in tables:
        s = table.get("savings")
        if s is None or not len(s):
            savings.append(pd.Series(dtype=float))
            continue
        index = [(limit_label(f, n), u) for f, n, u in zip(s["family"], s["name"], s["unit"])]
        savings.append(pd.Series(pd.to_numeric(s["horizon_saving"], errors="coerce").to_numpy(),
                                 index=pd.MultiIndex.from_tuples(index)))
    frame = pd.concat(savings, axis=1, keys=names)
    if not len(frame):
        return "<p>No limit binds in any of the plans.</p>"
    out = ["<p>What loosening each binding limit by one step in every period saves (the "
           "savings of the plan reports; – where the limit does not bind). A limit that binds "
           "in one plan and not another is what the policy change moved.</p>"]
    for unit in dict.fromkeys(frame.index.get_level_values(1)):
        part = frame.xs(unit, level=1)
        out.append(f"<h3>MUSD saved {html.escape(SAVING_STEPS.get(unit, unit))}</h3>")
        out.append(_rows_table(["limit", *names], [
            [limit, *[("–" if v != v else html.cell("horizon_saving", v)[0]) for v in part.loc[limit]]]
            for limit in part.index]))
    return "".join(out)
