"""One self-contained HTML report of a plan, a sweep or a frontier.

Self-contained means the file makes no network request at all: the CSS is inline, the
charts are inline SVG drawn by matplotlib (optimizer/charts.py), there is no script, and a
Content-Security-Policy forbids loading anything, so a report can be mailed, archived or
opened offline and looks the same. It reads well on a laptop (a centred column, SVGs that
scale) and printed (no chart split across pages).

It reads what gasmix writes: a plan folder (`gasmix solve`: summary.json + CSV tables), a
JSON plan (`--format json`), a sweep folder (sweep.json + sweep.csv) or a frontier folder
(frontier.json + frontier.csv).
"""

from __future__ import annotations

import json
from html import escape
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd

from . import charts
from ..errors import ReportError
from .files import write_file
from .labels import column_label, headline_values, show, stochastic_values
from .plan_files import TABLE_NAMES

GENERATOR = "gasmix report"
# What a plan folder must hold, and the columns the report reads from each table.
PLAN_COLUMNS = {
    "flows": ("period", "supplier", "flow_mmcfd"),
    "storage": ("period", "storage", "stock_bcf", "floor_bcf", "working_gas_bcf"),
    "prices": ("period", "node", "demand_mmcfd", "unserved_mmcfd", "marginal_cost_usd_mmbtu"),
    "shares": ("period", "supplier", "share", "cap"),
    "constraints": ("family", "name", "period", "limit", "value", "shadow_price", "unit", "binding"),
}
# Tables that must have rows (a plan always has periods, suppliers, nodes); the others may
# be empty (a case without storage). Columns that may never be empty in a row (a truncated
# file ends in a row with cells missing).
NEED_ROWS = ("flows", "prices", "shares")
NOT_EMPTY = {
    "flows": ("period", "supplier", "flow_mmcfd"),
    "storage": ("period", "storage", "stock_bcf"),
    "prices": ("period", "node", "demand_mmcfd", "unserved_mmcfd"),
    "shares": ("period", "supplier"),
}
NUMERIC = ("flow_mmcfd", "stock_bcf", "floor_bcf", "working_gas_bcf", "demand_mmcfd", "unserved_mmcfd",
           "marginal_cost_usd_mmbtu", "share", "cap", "limit", "value", "shadow_price")
SCENARIO_COLUMNS = ("scenario", "probability", "cost_musd", "cash_cost_musd", "unserved_bcf")
SWEEP_COLUMNS = ("status", "objective_musd", "cash_cost_musd", "total_cost_musd", "risk_penalty_musd",
                 "unserved_bcf", "avg_cost_usd_mmbtu", "hhi", "import_dependence")
FRONTIER_COLUMNS = ("trade_off", "parameter", "value", "status", "x", "x_label", "cost_musd",
                    "objective_musd", "cash_cost_musd", "pareto")
STUDY_NUMERIC = ("objective_musd", "cash_cost_musd", "total_cost_musd", "risk_penalty_musd",
                 "unserved_bcf", "avg_cost_usd_mmbtu", "hhi", "import_dependence", "x", "cost_musd",
                 "largest_share", "risk_exposure")
# What a plan summary must hold for a report: key → type (a number may be null).
SUMMARY_KEYS = {"status": str, "objective_musd": float, "cash_cost_musd": float, "case": dict,
                "policy": dict}
SUMMARY_OPTIONAL = {"shares": dict, "warnings": list, "cost_breakdown_musd": dict,
                    "unserved_bcf": float, "avg_cost_usd_mmbtu": float, "import_dependence": float,
                    "hhi": float, "risk_penalty_musd": float, "stochastic": dict}
CASE_KEYS = {"name": str, "first_period": str, "last_period": str, "periods": int}
LNG_PRICE_COLUMNS = ("period", "source", "origin", "entry", "pricing", "market",
                     "fob_usd_mmbtu", "freight_usd_mmbtu", "delivered_usd_mmbtu")
MAX_TABLE_ROWS = 400  # sweep/frontier point tables: a page, not a data dump


# --- reading ----------------------------------------------------------------------------

def _read_csv(path: Path, needed: tuple[str, ...]) -> pd.DataFrame:
    if not path.exists():
        raise ReportError(f"{path}: missing (written by gasmix: is the folder complete?)")
    try:
        # Ids stay text: "NA" is Namibia and "NO" Norway, not missing values.
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        raise ReportError(f"{path}: empty (no header row): is the folder complete?") from None
    except (ValueError, OSError) as exc:
        raise ReportError(f"{path}: cannot read it as CSV ({exc})") from None
    return _check_columns(frame, needed, str(path))


def _check_columns(frame: pd.DataFrame, needed, where: str) -> pd.DataFrame:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ReportError(f"{where}: missing column(s) {', '.join(missing)}")
    return frame


def _read_json(path: Path) -> dict:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(f"{path}: cannot read it as JSON ({exc})") from None
    if not isinstance(content, dict):
        raise ReportError(f"{path}: expected a JSON object")
    return content


def _flag(series: pd.Series) -> pd.Series:
    """true/false cells (CSV text or booleans) as booleans."""
    return series.map(lambda v: str(v).strip().lower() in ("true", "1", "yes"))


def _kind_of(value) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false",
            type(None): "null"}.get(type(value), "a number")


def _type_ok(value, kind, nullable: bool) -> bool:
    if value is None:
        return nullable
    if kind in (float, int):
        return isinstance(value, (int, float)) and not isinstance(value, bool) and \
            (kind is float or float(value).is_integer())
    return isinstance(value, kind)


def check_summary(summary, where: str) -> dict:
    """The plan summary, or ReportError naming every key that is missing or of the wrong
    type (as `where`: summary.json or plan.json's summary)."""
    if not isinstance(summary, dict):
        raise ReportError(f"{where}: the summary must be a JSON object (is {_kind_of(summary)})")
    names = {float: "a number", int: "a whole number", str: "text", dict: "an object",
             list: "a list"}
    missing, wrong = [], []
    for key, kind in SUMMARY_KEYS.items():
        if key not in summary:
            missing.append(key)
        elif not _type_ok(summary[key], kind, nullable=False):
            wrong.append(f"{key} must be {names[kind]} (is {_kind_of(summary[key])})")
    for key, kind in SUMMARY_OPTIONAL.items():
        if key in summary and not _type_ok(summary[key], kind, nullable=kind is float):
            wrong.append(f"{key} must be {names[kind]} (is {_kind_of(summary[key])})")
    if isinstance(summary.get("case"), dict):
        for key, kind in CASE_KEYS.items():
            if key not in summary["case"]:
                missing.append(f"case.{key}")
            elif not _type_ok(summary["case"][key], kind, nullable=False):
                wrong.append(f"case.{key} must be {names[kind]} (is {_kind_of(summary['case'][key])})")
    if missing or wrong:
        bits = ([f"missing {', '.join(missing)}"] if missing else []) + wrong
        raise ReportError(f"{where}: not a complete gasmix plan summary: " + "; ".join(bits))
    return summary


def _check_table(name: str, frame: pd.DataFrame, where: str, periods: int) -> pd.DataFrame:
    """A plan table with its columns, no truncated rows, numbers where numbers belong, and
    every period holding the same items (`periods` of them, from the summary)."""
    if not len(frame) and name not in NEED_ROWS:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PLAN_COLUMNS.get(name, ())})
    if not len(frame):
        raise ReportError(f"{where}: no rows (a plan has {name} in every period)")
    _check_columns(frame, PLAN_COLUMNS.get(name, ()), where)
    for column in NOT_EMPTY.get(name, ()):
        empty = frame[column].isna()
        if empty.any():
            row = int(empty.to_numpy().argmax())
            raise ReportError(f"{where}: row {row + 2} has no {column} (is the file truncated?)")
    for column in PLAN_COLUMNS.get(name, ()):
        if column in NUMERIC:
            frame[column] = _numbers(frame, column, where)
    if name in NOT_EMPTY:
        counts = frame.groupby(frame["period"].astype(str), sort=False).size()
        if len(counts) != periods:
            raise ReportError(f"{where}: {len(counts)} period(s), but the summary says the plan "
                              f"has {periods} (is the file truncated?)")
        if counts.nunique() > 1:
            short = counts[counts < counts.max()]
            raise ReportError(f"{where}: {len(frame)} rows, not {periods} periods × {counts.max()} "
                              f"items: period {short.index[0]} has {short.iloc[0]} "
                              "(is the file truncated?)")
    return frame


def read_plan(path: Path) -> tuple[dict, dict[str, pd.DataFrame]]:
    """A plan's summary and tables from a plan folder or a JSON plan file, checked: a
    damaged input is a ReportError naming the file and what is wrong, never a crash."""
    if path.is_file():
        content = _read_json(path)
        if "summary" not in content:
            raise ReportError(f"{path}: not a gasmix JSON plan (no summary)")
        summary = check_summary(content["summary"], f"{path}: summary")
        names = [*TABLE_NAMES, *(["scenarios"] if "stochastic" in summary else [])]
        tables = {}
        for name in names:
            where = f"{path}: {name}"
            if name not in content:
                raise ReportError(f"{where}: missing (a gasmix JSON plan has every table)")
            rows = content[name]
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise ReportError(f"{where}: must be a list of rows (objects), is {_kind_of(rows)}")
            tables[name] = pd.DataFrame(rows)
        if isinstance(content.get("lng_prices"), list):
            tables["lng_prices"] = pd.DataFrame(content["lng_prices"])
        where = {name: f"{path}: {name}" for name in tables}
    else:
        summary = check_summary(_read_json(path / "summary.json"), str(path / "summary.json"))
        tables = {name: _read_csv(path / f"{name}.csv", ()) for name in TABLE_NAMES}
        if "stochastic" in summary:
            tables["scenarios"] = _read_csv(path / "scenarios.csv", ())
        if (path / "lng_prices.csv").exists():  # a case with LNG origins
            tables["lng_prices"] = _read_csv(path / "lng_prices.csv", ())
        where = {name: str(path / f"{name}.csv") for name in tables}
    periods = int(summary["case"]["periods"])
    for name in list(tables):
        if name == "scenarios":
            tables[name] = _check_columns(tables[name], SCENARIO_COLUMNS, where[name])
        elif name == "lng_prices":
            tables[name] = _check_columns(tables[name], LNG_PRICE_COLUMNS, where[name])
        else:
            tables[name] = _check_table(name, tables[name], where[name], periods)
    suppliers = summary.get("shares") or {}
    if suppliers and len(tables["shares"]) != periods * len(suppliers):
        raise ReportError(f"{where['shares']}: {len(tables['shares'])} rows, not {periods} periods × "
                          f"{len(suppliers)} suppliers (is the file truncated?)")
    return summary, tables


def report_kind(path: Path) -> str:
    """'plan', 'sweep' or 'frontier': what gasmix wrote at `path`."""
    if not path.exists():
        raise ReportError(f"{path}: not found")
    if path.is_file():
        if path.suffix.lower() == ".json":
            return "plan"
        raise ReportError(f"{path}: give a plan, sweep or frontier folder (or a JSON plan)")
    for kind, marker in (("sweep", "sweep.json"), ("frontier", "frontier.json"), ("plan", "summary.json")):
        if (path / marker).exists():
            return kind
    raise ReportError(f"{path}: not a gasmix plan, sweep or frontier folder (no summary.json, "
                      "sweep.json or frontier.json)")


def render(path: str | Path, progress=None) -> str:
    """The report of what is at `path`, as HTML text. `progress(step)` is called before
    each chart. Damaged input is a ReportError naming the file and what is wrong."""
    path = Path(path)
    kind = report_kind(path)
    if kind == "plan":
        summary, tables = read_plan(path)
        return plan_report(summary, tables, progress)
    meta = _read_json(path / f"{kind}.json")
    if kind == "sweep":
        frame = _study_frame(_read_csv(path / "sweep.csv", SWEEP_COLUMNS), path / "sweep.csv")
        return sweep_report(meta, frame, progress, where=path / "sweep.json")
    frame = _study_frame(_read_csv(path / "frontier.csv", FRONTIER_COLUMNS), path / "frontier.csv")
    return frontier_report(meta, frame, progress)


def _study_frame(frame: pd.DataFrame, where: Path) -> pd.DataFrame:
    """A sweep or frontier table with its figures as numbers (empty where a point failed)."""
    frame = frame.copy()
    if not len(frame):
        raise ReportError(f"{where}: no points")
    frame["status"] = frame["status"].astype(str)
    for column in STUDY_NUMERIC:
        if column in frame.columns:
            frame[column] = _numbers(frame, column, where)
    if "message" in frame.columns:
        frame["message"] = frame["message"].fillna("").astype(str)
    return frame


def write_report(html: str, path: str | Path) -> Path:
    """Write the report atomically; an existing file is replaced only if it is a gasmix
    report."""
    def write(tmp: Path) -> None:
        tmp.write_text(html, encoding="utf-8")
    return write_file(Path(path), write, replaceable=is_report, what="a gasmix report")


def is_report(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as handle:
            return f'<meta name="generator" content="{GENERATOR}">' in handle.read(4096)
    except (OSError, UnicodeDecodeError):
        return False


def _numbers(frame: pd.DataFrame, column: str, where: str) -> pd.Series:
    """A column as numbers; a cell that is not one is a ReportError naming its row (as a
    spreadsheet counts: the header is row 1)."""
    numbers = pd.to_numeric(frame[column], errors="coerce")
    bad = numbers.isna() & frame[column].notna()
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise ReportError(f"{where}: row {row + 2}, column {column}: "
                          f"{frame[column].iloc[row]!r} is not a number")
    return numbers


def chart_count(kind: str) -> int:
    """How many progress steps a report of this kind takes (for a progress bar)."""
    return {"plan": 5, "sweep": 2, "frontier": 2}[kind]


# --- the plan report --------------------------------------------------------------------

def plan_report(summary: dict, tables: dict[str, pd.DataFrame], progress=None) -> str:
    step = progress or (lambda name: None)
    prices, flows, shares = tables["prices"], tables["flows"], tables["shares"]
    storage, constraints = tables["storage"], tables["constraints"]
    periods = list(dict.fromkeys(prices["period"].astype(str)))
    # Colours by position in the case (the summary's shares are in case order): a supplier
    # has the same colour in every chart, whatever the plan buys.
    colors = charts.supplier_colors([*(summary.get("shares") or {}), *shares["supplier"].astype(str)])
    case = summary["case"]
    title = case.get("title") or case.get("name", "plan")
    stochastic = isinstance(summary.get("stochastic"), dict)
    # A stochastic plan's tables are its operation in the undisturbed base scenario.
    of = " (base scenario)" if stochastic else ""

    def chart(fig, name, label):
        return charts.to_svg(fig, name, label)

    parts = [_header(title, _plan_subtitle(summary)), _headlines(summary)]
    parts += [f'<p class="warning">{escape(w)}</p>' for w in summary.get("warnings") or []]
    if stochastic:
        parts.append(_stochastic_section(summary, tables.get("scenarios")))
    step("supply mix")
    parts.append(_chart_section(f"Supply mix by period{of}",
                                chart(charts.supply_mix(flows, prices, periods, colors), "supply_mix",
                                      "Supply by period, stacked by supplier, against demand"),
                                "Average daily supply (MMcf/d) by supplier, stacked; the black line is "
                                "demand, hatched bars are demand left unserved."))
    step("shares")
    parts.append(_chart_section(
        f"Supplier shares against their caps (share of {summary.get('share_of', 'supply')}){of}",
        chart(charts.shares_vs_caps(shares, periods, colors), "shares_vs_caps",
              "Supplier shares by period against their caps"),
        "Each supplier's share by period (solid) and its per-period cap (dashed, same colour). "
        "A cap over the horizon holds on the average, so it is not drawn per period."))
    step("storage")
    if len(storage):
        parts.append(_chart_section(f"Storage stock against its floor{of}",
                                    chart(charts.storage_vs_floor(storage, periods), "storage",
                                          "Storage stock by period against its floor"),
                                    "End-of-period stock (Bcf) per site, its strategic floor (dashed) "
                                    "and working-gas capacity (dotted), from the period the site "
                                    "enters service."))
    else:
        parts.append('<section><h2>Storage</h2><p>The case has no storage sites.</p></section>')
    step("prices")
    parts.append(_chart_section(f"Node marginal prices{of}",
                                chart(charts.marginal_prices(prices, periods), "marginal_prices",
                                      "Marginal cost of gas at each node by period"),
                                "Marginal cost of gas at each node (USD/MMBtu), from the node "
                                "balance duals; with a risk weight it includes the marginal "
                                "source's risk penalty."))
    step("costs")
    breakdown = summary.get("cost_breakdown_musd") or {}
    parts.append(_chart_section(f"Cost breakdown{of}",
                                chart(charts.cost_breakdown(breakdown), "cost_breakdown",
                                      "Cost breakdown in million USD"),
                                "The objective's parts in million USD: supply, transport and "
                                "storage are cash; unserved demand is priced at VOLL; the risk "
                                "penalty is not cash."))
    if "lng_prices" in tables:
        parts.append(_lng_section(tables["lng_prices"], of))
    parts.append(_binding_table(constraints, periods, of))
    parts.append(_footer(f"case {case.get('name', '')} · input SHA-256 {case.get('input_sha256', '')}"
                         f" · {summary.get('solver', '')} · status {summary.get('status', '')}"))
    return _page(f"gasmix report: {title}", parts)


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
    return (f"<section><h2>LNG by origin and terminal{escape(of)}</h2>"
            "<p>Horizon averages, USD/MMBtu: the FOB price at the origin (a netback is the "
            "best market's delivered price less the freight to it), the freight to the "
            "terminal, and the delivered price before the terminal's tariff.</p>"
            f"{_table(frame, list(frame.columns))}</section>")


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


def _figures(values: list[dict]) -> str:
    items = []
    for h in values:
        label = h["label"] + (f" ({h['note']})" if h["note"] else "")
        value = h["value"] if isinstance(h["value"], (int, float)) and not isinstance(h["value"], bool) \
            else None
        unit = "" if h["kind"] == "percent" or value is None else h["unit"]
        data = "" if value is None else repr(float(value))
        items.append(f'<div class="figure" data-key="{h["key"]}" data-value="{data}">'
                     f'<dt>{escape(label)}</dt><dd><span class="value">{show(value, h["kind"])}'
                     f'</span> <span class="unit">{escape(unit)}</span></dd></div>')
    return "<dl>" + "".join(items) + "</dl>"


def _headlines(summary: dict) -> str:
    head = '<section class="headlines"><h2>Headline figures</h2>'
    stochastic = stochastic_values(summary)
    if stochastic:
        head += ('<h3>Over the scenarios</h3>' + _figures(stochastic)
                 + '<h3>The base scenario (undisturbed)</h3>')
    return head + _figures(headline_values(summary)) + "</section>"


def _stochastic_section(summary: dict, scenarios: pd.DataFrame | None) -> str:
    """The scenarios of a stochastic plan: a chart of their costs and the table."""
    st = summary["stochastic"]
    head = "<section class=\"scenarios\"><h2>Scenarios</h2>"
    text = ("<p>The plan's first stage (contracted volumes, storage injections) is chosen once "
            "for all scenarios; each scenario's operation is then re-optimised. "
            f"Probabilities sum to {sum((st.get('scenarios') or {}).values()):.0%}. The charts and "
            "tables below this section show the plan in the undisturbed base scenario.</p>")
    if scenarios is None or not len(scenarios):
        return head + text + "<p>No scenario table was found beside the plan.</p></section>"
    svg = charts.to_svg(charts.scenario_costs(scenarios), "scenario_costs",
                        "Cost of the plan in each scenario")
    figure = (f"<figure class=\"chart\">{svg}<figcaption>Cost of the stochastic plan in each "
              "scenario (million USD; darker bars: the CVaR tail), and the deterministic plan's "
              "cost under the same scenario (◆).</figcaption></figure>")
    shown = [c for c in ("scenario", "probability", "cost_musd", "cash_cost_musd",
                         "deterministic_plan_cost_musd", "unserved_bcf", "avg_marginal_usd_mmbtu",
                         "peak_marginal_usd_mmbtu", "peak_at", "in_cvar_tail", "description")
             if c in scenarios.columns]
    frame = scenarios.copy()
    if "in_cvar_tail" in frame.columns:
        frame["in_cvar_tail"] = _flag(frame["in_cvar_tail"]).map({True: "✓", False: ""})
    return head + text + figure + _table(frame, shown) + "</section>"


def _binding_table(constraints: pd.DataFrame, periods: list[str], of: str = "") -> str:
    """The binding limits, one row per limit: where it binds and what loosening it is worth."""
    head = f"<section class=\"binding\"><h2>Binding constraints and their shadow prices{escape(of)}</h2>"
    if not len(constraints):
        return head + "<p>No limits in this plan.</p></section>"
    binding = constraints[_flag(constraints["binding"])]
    if not len(binding):
        return head + "<p>No limit binds: the plan is the unconstrained least-cost mix.</p></section>"
    order = {p: i for i, p in enumerate(periods)}
    rows = []
    for (family, name, unit), group in binding.groupby(["family", "name", "unit"], sort=False):
        shadow = group["shadow_price"].astype(float)
        rows.append((family.replace("_", " "), name, _period_span(list(group["period"].astype(str)), order),
                     len(group), shadow.mean(), shadow.min(), shadow.max(), unit))
    rows.sort(key=lambda r: (r[7] != "MUSD/pp", -abs(r[4])))
    cells = "".join(
        f"<tr><td>{escape(f)}</td><td>{escape(n)}</td><td>{escape(span)}</td><td class=\"num\">{count}</td>"
        f"<td class=\"num\">{mean:,.3g}</td><td class=\"num\">{lo:,.3g} to {hi:,.3g}</td>"
        f"<td>{escape(unit)}</td></tr>"
        for f, n, span, count, mean, lo, hi, unit in rows)
    return (head + "<p>A shadow price is the change in the objective per unit increase of the "
            "limit: negative on a binding cap or capacity, it is what loosening it by one unit "
            "would save (share limits in million USD per percentage point, capacities in "
            "USD/MMBtu, working gas in million USD per Bcf).</p>"
            "<div class=\"scroll\"><table><thead><tr><th>family</th><th>limit</th><th>binding in</th>"
            "<th>periods</th><th>mean shadow price</th><th>range</th><th>unit</th></tr></thead>"
            f"<tbody>{cells}</tbody></table></div></section>")


def _period_span(picked: list[str], order: dict[str, int]) -> str:
    """'2027-04 to 2027-10' for a run of consecutive periods, else a short list."""
    known = sorted((p for p in picked if p in order), key=order.get)
    other = [p for p in picked if p not in order]  # "horizon"
    runs, start, prev = [], None, None
    for p in known:
        if start is None or order[p] != order[prev] + 1:
            if start is not None:
                runs.append(start if start == prev else f"{start} to {prev}")
            start = p
        prev = p
    if start is not None:
        runs.append(start if start == prev else f"{start} to {prev}")
    shown = runs[:4] + (["…"] if len(runs) > 4 else []) + other
    return ", ".join(shown)


# --- sweep and frontier reports ---------------------------------------------------------

def _points(n: int) -> str:
    return f"{n:,} point" + ("" if n == 1 else "s")


def _no_chart(title: str, why: str) -> str:
    return f'<section><h2>{escape(title)}</h2><p class="note">{escape(why)}</p></section>'


def _statuses(frame: pd.DataFrame) -> str:
    counts = frame.loc[frame["status"] != "optimal", "status"].value_counts()
    return ", ".join(f"{n} {status}" for status, n in counts.items())


def sweep_report(meta: dict, frame: pd.DataFrame, progress=None, where="sweep.json") -> str:
    step = progress or (lambda name: None)
    params = meta.get("params")
    if not isinstance(params, list) or not params or not all(isinstance(p, str) for p in params):
        raise ReportError(f"{where}: params must be a list of the parameter names swept")
    missing = [p for p in params if p not in frame.columns]
    if missing:
        raise ReportError(f"sweep.csv has no column for parameter(s) {', '.join(missing)}")
    first = params[0]
    suppliers = [c[len("share_"):] for c in frame.columns if c.startswith("share_")]
    colors = charts.supplier_colors(suppliers)  # the case's order: the plan report's colours
    failed = int((frame["status"] != "optimal").sum())
    case = meta.get("case", "")
    parts = [_header(f"Sweep of {', '.join(params)}" + (f" — case {case}" if case else ""),
                     f"{_points(len(frame))}, {failed} failed")]
    step("cost")
    if failed == len(frame):
        why = (f"No chart: none of the {_points(len(frame))} has an optimal plan "
               f"({_statuses(frame)}); the table below gives each point's diagnosis.")
        parts.append(_no_chart(f"Cost against {first}", why))
        step("shares")
    else:
        layout = charts.sweep_layout(frame, params)
        caption = ("Cost over the horizon in million USD: solid, what the planner pays (cash + "
                   "unserved gas at VOLL); dashed, cash alone"
                   + ("; dotted, the objective with its non-cash risk penalty"
                      if (frame["risk_penalty_musd"].fillna(0).abs() > 1e-9).any() else "")
                   + ". Failed points (status other than optimal) leave a gap and are marked ✕.")
        if layout["colour"]:
            caption += f" Colour: {layout['colour']} (light to dark)."
        if layout["panel"]:
            caption += (f" One panel per value of {layout['panel']}: "
                        + ", ".join(charts._show(v) for v in layout["panels"]) + ".")
        if layout["notes"]:
            caption += " Not drawn: " + "; ".join(layout["notes"]) + "."
        parts.append(_chart_section(f"Cost against {first}",
                                    charts.to_svg(charts.sweep_cost(frame, params), "sweep_cost",
                                                  f"Cost against {first}"), caption))
        step("shares")
        shown_for = charts.shares_caption(frame, params)
        parts.append(_chart_section(
            f"Supplier shares against {first}",
            charts.to_svg(charts.sweep_shares(frame, params, colors), "sweep_shares",
                          f"Supplier shares against {first}"),
            "Each supplier's share of supply"
            + (f", for the first combination of the other parameters: {shown_for}" if shown_for else "")
            + "; failed points leave a gap and are marked ✕."))
    shown = params + ["status", "total_cost_musd", "cash_cost_musd", "objective_musd", "unserved_bcf",
                      "avg_cost_usd_mmbtu", "hhi", "import_dependence", "largest_supplier",
                      "largest_share", "message"]
    parts.append(_points_section("Points", frame, shown))
    parts.append(_footer(f"sweep of case {case}"))
    return _page(f"gasmix sweep report: {', '.join(params)}", parts)


def frontier_report(meta: dict, frame: pd.DataFrame, progress=None) -> str:
    step = progress or (lambda name: None)
    frame = frame.copy()
    frame["pareto"] = _flag(frame["pareto"])
    case = meta.get("case", "")
    failed = int((frame["status"] != "optimal").sum())
    parts = [_header("Cost frontier" + (f" — case {case}" if case else ""),
                     f"{_points(len(frame))}, {failed} failed")]
    for trade_off, title, what in (
            ("diversification", "Cost against diversification",
             "Each point is a solve with a tighter cap; filled points are Pareto-optimal (no other "
             "point is both cheaper and more diversified)."),
            ("risk", "Cost against risk exposure",
             "Each point is a solve with a higher risk weight λ; filled points are Pareto-optimal "
             "(no other point is both cheaper and less exposed).")):
        step(trade_off)
        rows = frame[frame["trade_off"] == trade_off]
        if not len(rows):
            continue
        if not (rows["status"] == "optimal").any():
            parts.append(_no_chart(title, f"No chart: none of the {_points(len(rows))} has an "
                                          f"optimal plan ({_statuses(rows)}); see the table below."))
            continue
        caption = (f"{what} Cost is what the planner pays: cash + unserved gas at VOLL (solid); "
                   "cash alone dashed"
                   + ("; the objective, which adds the non-cash risk penalty, dotted"
                      if ((rows["objective_musd"] - rows["cost_musd"]).abs() > 1e-6).any() else "")
                   + f". {_failed_note(rows)}")
        parts.append(_chart_section(title, charts.to_svg(charts.frontier(rows), f"frontier_{trade_off}",
                                                         title), caption.strip()))
    table = frame.copy()
    table["measure"] = [_measure(x, label) for x, label in zip(table["x"], table["x_label"])]
    table["pareto"] = table["pareto"].map({True: "✓", False: ""})
    shown = ["trade_off", "parameter", "value", "status", "measure", "cost_musd", "cash_cost_musd",
             "objective_musd", "unserved_bcf", "largest_share", "risk_exposure", "pareto", "message"]
    parts.append(_points_section("Points", table, shown))
    parts.append(_footer(f"frontier of case {case}"))
    return _page("gasmix frontier report", parts)


def _measure(x, label) -> str:
    if not isinstance(x, (int, float)) or x != x:
        return ""
    label = str(label)
    return f"{x:.1%}" if "(%)" in label else f"{x:,.3f}"


def _failed_note(rows: pd.DataFrame) -> str:
    failed = rows[rows["status"] != "optimal"]
    if not len(failed):
        return ""
    listed = ", ".join(f"{p}={charts._show(v)} ({s})" for p, v, s in
                       zip(failed["parameter"], failed["value"], failed["status"]))
    return f"Not drawn, {len(failed)} failed point(s): {listed}."


PERCENT = ("import_dependence", "largest_share", "largest_period_share", "probability", "share")


def cell(column: str, value) -> tuple[str, bool]:
    """A table cell as text, and whether it is a number (right-aligned): costs 1 decimal
    with thousands separators, shares as %, prices 2 decimals."""
    if isinstance(value, bool) or value is None:
        return ("✓" if value else ""), False
    if isinstance(value, (int, float, np.integer, np.floating)):
        v = float(value)
        if v != v:
            return "", True
        if column in PERCENT or column.startswith("share_"):
            return f"{v:.1%}", True
        if column.endswith("_usd_mmbtu"):
            return f"{v:,.2f}", True
        if column.endswith(("_musd", "_bcf", "_mmcfd")):
            return f"{v:,.1f}", True
        if column == "hhi":
            return f"{v:,.0f}", True
        if column == "risk_exposure":
            return f"{v:.3f}", True
        return f"{v:,.6g}", True
    return str(value), False


def _table(frame: pd.DataFrame, columns: list[str]) -> str:
    columns = [c for c in columns if c in frame.columns]
    head = "".join(f"<th>{escape(column_label(c))}</th>" for c in columns)
    body = []
    for row in frame.head(MAX_TABLE_ROWS).itertuples(index=False):
        values = dict(zip(frame.columns, row))
        cells = []
        for c in columns:
            text, number = cell(c, values[c])
            css = "num" if number else ("failed" if c == "status" and text != "optimal" else
                                        "message" if c == "message" else "")
            cells.append(f'<td class="{css}">{escape(text)}</td>' if css else f"<td>{escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = (f"<p>First {MAX_TABLE_ROWS} of {len(frame):,} rows.</p>" if len(frame) > MAX_TABLE_ROWS else "")
    return (f"<div class=\"scroll\"><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>{more}")


def _points_section(title: str, frame: pd.DataFrame, columns: list[str]) -> str:
    return f"<section><h2>{escape(title)}</h2>{_table(frame, columns)}</section>"


# --- the page ---------------------------------------------------------------------------

CSS = """
:root { color-scheme: light; --ink: #1d2731; --muted: #5b6770; --line: #d9dee2; --accent: #2c7fb8; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: var(--ink); background: #fff; }
main { max-width: 64rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
.subtitle { color: var(--muted); margin: 0; }
.headlines dl { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); gap: .75rem;
                margin: 0; }
.figure { border: 1px solid var(--line); border-radius: .4rem; padding: .6rem .8rem; }
.figure dt { color: var(--muted); font-size: .85rem; }
.figure dd { margin: .15rem 0 0; }
.figure .value { font-size: 1.45rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.figure .unit { color: var(--muted); font-size: .85rem; }
.warning { background: #fff4e5; border-left: 4px solid #e67e22; padding: .5rem .75rem; }
figure.chart { margin: 0; break-inside: avoid; page-break-inside: avoid; }
figure.chart svg { display: block; width: 100%; height: auto; max-width: 100%; }
figcaption { color: var(--muted); font-size: .9rem; margin-top: .25rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f4f6f8; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.failed { color: #c0392b; font-weight: 600; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .8rem; overflow-wrap: anywhere; }
td.message { min-width: 16rem; }
.note { color: var(--muted); font-style: italic; }
h3 { font-size: 1rem; margin: 1rem 0 .5rem; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  section { break-inside: auto; }
  figure.chart, .figure, tr { break-inside: avoid; page-break-inside: avoid; }
  .scroll { overflow: visible; }
}
"""
# Nothing may be loaded from anywhere: inline styles and data: images only, no scripts.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _gasmix_version() -> str:
    try:
        return version("gasmix")
    except PackageNotFoundError:
        return "source"


def _header(title: str, subtitle: str) -> str:
    return (f"<header><h1>{escape(title)}</h1><p class=\"subtitle\">{escape(subtitle)}</p></header>")


def _chart_section(title: str, svg: str, caption: str) -> str:
    return (f"<section><h2>{escape(title)}</h2><figure class=\"chart\">{svg}"
            f"<figcaption>{escape(caption)}</figcaption></figure></section>")


def _footer(text: str) -> str:
    return f"<footer>Made by gasmix {escape(_gasmix_version())} · {escape(text)}</footer>"


def _page(title: str, parts: list[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<meta name=\"generator\" content=\"{GENERATOR}\">"
            f"<title>{escape(title)}</title><style>{CSS}</style></head>\n<body><main>\n"
            + "\n".join(parts) + "\n</main></body></html>\n")
