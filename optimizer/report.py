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

import pandas as pd

from . import charts
from .files import write_file
from .labels import column_label, headline_values, show
from .plan import TABLE_NAMES

GENERATOR = "gasmix report"
# What a plan folder must hold, and the columns the report reads from each table.
PLAN_COLUMNS = {
    "flows": ("period", "supplier", "flow_mmcfd"),
    "storage": ("period", "storage", "stock_bcf", "floor_bcf", "working_gas_bcf"),
    "prices": ("period", "node", "demand_mmcfd", "unserved_mmcfd", "marginal_cost_usd_mmbtu"),
    "shares": ("period", "supplier", "share", "cap"),
    "constraints": ("family", "name", "period", "limit", "value", "shadow_price", "unit", "binding"),
}
SWEEP_COLUMNS = ("status", "objective_musd", "cash_cost_musd", "risk_penalty_musd", "unserved_bcf",
                 "avg_cost_usd_mmbtu", "hhi", "import_dependence")
FRONTIER_COLUMNS = ("trade_off", "parameter", "value", "status", "objective_musd", "cash_cost_musd",
                    "largest_share", "risk_exposure", "pareto")
MAX_TABLE_ROWS = 400  # sweep/frontier point tables: a page, not a data dump


class ReportError(ValueError):
    """The input is not something a report can be made from (the message says why)."""


# --- reading ----------------------------------------------------------------------------

def _read_csv(path: Path, needed: tuple[str, ...]) -> pd.DataFrame:
    if not path.exists():
        raise ReportError(f"{path}: missing (written by gasmix: is the folder complete?)")
    try:
        # Ids stay text: "NA" is Namibia and "NO" Norway, not missing values.
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    except (ValueError, OSError) as exc:
        raise ReportError(f"{path}: cannot read it as CSV ({exc})") from None
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ReportError(f"{path}: missing column(s) {', '.join(missing)}")
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


def read_plan(path: Path) -> tuple[dict, dict[str, pd.DataFrame]]:
    """A plan's summary and tables from a plan folder or a JSON plan file."""
    if path.is_file():
        content = _read_json(path)
        if "summary" not in content:
            raise ReportError(f"{path}: not a gasmix JSON plan (no summary)")
        tables = {name: pd.DataFrame(content.get(name, [])) for name in TABLE_NAMES}
        return content["summary"], tables
    summary = _read_json(path / "summary.json")
    tables = {name: _read_csv(path / f"{name}.csv", PLAN_COLUMNS.get(name, ()))
              for name in TABLE_NAMES}
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
    each chart."""
    path = Path(path)
    kind = report_kind(path)
    if kind == "plan":
        summary, tables = read_plan(path)
        return plan_report(summary, tables, progress)
    meta = _read_json(path / f"{kind}.json")
    if kind == "sweep":
        return sweep_report(meta, _read_csv(path / "sweep.csv", SWEEP_COLUMNS), progress)
    frame = _read_csv(path / "frontier.csv", FRONTIER_COLUMNS)
    return frontier_report(meta, frame, progress)


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


def chart_count(kind: str) -> int:
    """How many progress steps a report of this kind takes (for a progress bar)."""
    return {"plan": 5, "sweep": 2, "frontier": 2}[kind]


# --- the plan report --------------------------------------------------------------------

def plan_report(summary: dict, tables: dict[str, pd.DataFrame], progress=None) -> str:
    step = progress or (lambda name: None)
    prices, flows, shares = tables["prices"], tables["flows"], tables["shares"]
    storage, constraints = tables["storage"], tables["constraints"]
    periods = list(dict.fromkeys(prices["period"].astype(str)))
    # Colours by volume: the largest suppliers get the first, most distinct colours.
    volume = summary.get("shares", {})
    suppliers = sorted(dict.fromkeys([*volume, *shares["supplier"].astype(str)]),
                       key=lambda g: -(volume.get(g) or 0.0))
    colors = charts.supplier_colors(suppliers)
    case = summary["case"]
    title = case.get("title") or case.get("name", "plan")

    parts = [_header(title, _plan_subtitle(summary)), _headlines(summary)]
    parts += [f'<p class="warning">{escape(w)}</p>' for w in summary.get("warnings", [])]
    step("supply mix")
    parts.append(_chart_section("Supply mix by period", charts.supply_mix(flows, prices, periods, colors),
                                "Average daily supply (MMcf/d) by supplier, stacked; the black line is "
                                "demand, hatched bars are demand left unserved."))
    step("shares")
    parts.append(_chart_section(
        f"Supplier shares against their caps (share of {summary.get('share_of', 'supply')})",
        charts.shares_vs_caps(shares, periods, colors),
        "Each supplier's share by period (solid) and its per-period cap (dashed, same colour). "
        "A cap over the horizon holds on the average, so it is not drawn per period."))
    step("storage")
    if len(storage):
        parts.append(_chart_section("Storage stock against its floor",
                                    charts.storage_vs_floor(storage, periods),
                                    "End-of-period stock (Bcf) per site, its strategic floor (dashed) "
                                    "and working-gas capacity (dotted)."))
    else:
        parts.append('<section><h2>Storage</h2><p>The case has no storage sites.</p></section>')
    step("prices")
    parts.append(_chart_section("Node marginal prices", charts.marginal_prices(prices, periods),
                                "Marginal cost of gas at each node (USD/MMBtu), from the node "
                                "balance duals; with a risk weight it includes the marginal "
                                "source's risk penalty."))
    step("costs")
    breakdown = summary.get("cost_breakdown_musd", {})
    parts.append(_chart_section("Cost breakdown", charts.cost_breakdown(breakdown),
                                "The objective's parts in million USD: supply, transport and "
                                "storage are cash; unserved demand is priced at VOLL; the risk "
                                "penalty is not cash."))
    parts.append(_binding_table(constraints, periods))
    parts.append(_footer(f"case {case.get('name', '')} · input SHA-256 {case.get('input_sha256', '')}"
                         f" · {summary.get('solver', '')} · status {summary.get('status', '')}"))
    return _page(f"gasmix report: {title}", parts)


def _plan_subtitle(summary: dict) -> str:
    case, policy = summary["case"], summary["policy"]
    bits = [f"{case['first_period']} to {case['last_period']} ({case['periods']} periods)"]
    caps = ", ".join(f"{k} ≤ {v:.0%}" for k, v in policy.get("caps", {}).items())
    if caps:
        bits.append(f"caps {caps}")
    if policy.get("max_share") is not None:
        bits.append(f"every supplier ≤ {policy['max_share']:.0%}")
    bits.append(f"share basis {policy.get('share_basis')}")
    if policy.get("risk_weight_usd_mmbtu"):
        bits.append(f"risk weight {policy['risk_weight_usd_mmbtu']:g} USD/MMBtu")
    if policy.get("exclude"):
        bits.append("excluded " + ", ".join(policy["exclude"]))
    return " · ".join(bits)


def _headlines(summary: dict) -> str:
    items = []
    for h in headline_values(summary):
        label = h["label"] + (f" ({h['note']})" if h["note"] else "")
        value = "" if h["value"] is None else repr(float(h["value"]))
        unit = "" if h["kind"] == "percent" else h["unit"]
        items.append(f'<div class="figure" data-key="{h["key"]}" data-value="{value}">'
                     f'<dt>{escape(label)}</dt><dd><span class="value">{show(h["value"], h["kind"])}'
                     f'</span> <span class="unit">{escape(unit)}</span></dd></div>')
    return '<section class="headlines"><h2>Headline figures</h2><dl>' + "".join(items) + "</dl></section>"


def _binding_table(constraints: pd.DataFrame, periods: list[str]) -> str:
    """The binding limits, one row per limit: where it binds and what loosening it is worth."""
    head = "<section class=\"binding\"><h2>Binding constraints and their shadow prices</h2>"
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

def _share_columns(frame: pd.DataFrame) -> list[str]:
    return [c[len("share_"):] for c in frame.columns if c.startswith("share_")]


def sweep_report(meta: dict, frame: pd.DataFrame, progress=None) -> str:
    step = progress or (lambda name: None)
    params = [str(p) for p in meta.get("params", [])]
    missing = [p for p in params if p not in frame.columns]
    if not params or missing:
        raise ReportError("sweep.json names no parameters" if not params else
                          f"sweep.csv has no column for parameter(s) {', '.join(missing)}")
    first, others = params[0], params[1:]
    frame = frame.copy()
    frame["status"] = frame["status"].astype(str)
    if others:
        groups = [(", ".join(f"{p}={v}" for p, v in zip(others, key if isinstance(key, tuple) else (key,))),
                   rows) for key, rows in frame.groupby(others, sort=True)]
    else:
        groups = [("", frame)]
    suppliers = _share_columns(frame)
    colors = charts.supplier_colors(suppliers)
    failed = int((frame["status"] != "optimal").sum())
    case = meta.get("case", "")
    parts = [_header(f"Sweep of {', '.join(params)}" + (f" — case {case}" if case else ""),
                     f"{len(frame)} points, {failed} failed")]
    step("cost")
    parts.append(_chart_section(f"Cost against {first}", charts.sweep_cost(frame, first, groups),
                                "Objective (solid) and cash cost (dashed) in million USD. Failed "
                                "points (status other than optimal) leave a gap and are marked ✕ "
                                "on the axis."))
    step("shares")
    label, rows = groups[0]
    parts.append(_chart_section(f"Supplier shares against {first}",
                                charts.sweep_shares(rows, first, suppliers, colors),
                                "Each supplier's share of supply" + (f", for {label}" if label else "")
                                + "; failed points leave a gap and are marked ✕."))
    shown = params + ["status", "objective_musd", "cash_cost_musd", "unserved_bcf",
                      "avg_cost_usd_mmbtu", "hhi", "import_dependence"]
    parts.append(_points_table("Points", frame, shown))
    parts.append(_footer(f"sweep of case {case}"))
    return _page(f"gasmix sweep report: {', '.join(params)}", parts)


def frontier_report(meta: dict, frame: pd.DataFrame, progress=None) -> str:
    step = progress or (lambda name: None)
    frame = frame.copy()
    frame["status"] = frame["status"].astype(str)
    frame["pareto"] = _flag(frame["pareto"])
    case = meta.get("case", "")
    failed = int((frame["status"] != "optimal").sum())
    parts = [_header("Cost frontier" + (f" — case {case}" if case else ""),
                     f"{len(frame)} points, {failed} failed")]
    step("diversification")
    rows = frame[frame["trade_off"] == "diversification"]
    if len(rows):
        parts.append(_chart_section(
            "Cost against diversification",
            charts.frontier(rows, "largest_share", "objective_musd", "largest supplier share (%)",
                            "objective (million USD)", "frontier_diversification", x_percent=True),
            f"Each point is a solve with a tighter cap; filled points are Pareto-optimal (no other "
            f"point is both cheaper and more diversified). {_failed_note(rows)}"))
    step("risk")
    rows = frame[frame["trade_off"] == "risk"]
    if len(rows):
        parts.append(_chart_section(
            "Cash cost against risk exposure",
            charts.frontier(rows, "risk_exposure", "cash_cost_musd", "risk exposure",
                            "cash cost (million USD)", "frontier_risk"),
            f"Each point is a solve with a higher risk weight; filled points are Pareto-optimal. "
            f"{_failed_note(rows)}"))
    shown = ["trade_off", "parameter", "value", "status", "objective_musd", "cash_cost_musd",
             "largest_share", "risk_exposure", "pareto"]
    parts.append(_points_table("Points", frame, shown))
    parts.append(_footer(f"frontier of case {case}"))
    return _page("gasmix frontier report", parts)


def _failed_note(rows: pd.DataFrame) -> str:
    failed = rows[rows["status"] != "optimal"]
    if not len(failed):
        return ""
    listed = ", ".join(f"{p}={v} ({s})" for p, v, s in
                       zip(failed["parameter"], failed["value"], failed["status"]))
    return f"Not drawn, {len(failed)} failed point(s): {listed}."


def _points_table(title: str, frame: pd.DataFrame, columns: list[str]) -> str:
    columns = [c for c in columns if c in frame.columns]
    head = "".join(f"<th>{escape(column_label(c))}</th>" for c in columns)
    body = []
    for _, row in frame.head(MAX_TABLE_ROWS).iterrows():
        cells = []
        for c in columns:
            v = row[c]
            failed = c == "status" and v != "optimal"
            if isinstance(v, float):
                text = "" if v != v else (f"{v:.1%}" if c in ("import_dependence", "largest_share")
                                          else f"{v:,.4g}" if abs(v) < 100 else f"{v:,.1f}")
                cells.append(f'<td class="num">{text}</td>')
            else:
                css = ' class="failed"' if failed else ""
                cells.append(f"<td{css}>{escape(str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = (f"<p>First {MAX_TABLE_ROWS} of {len(frame)} points.</p>" if len(frame) > MAX_TABLE_ROWS else "")
    return (f"<section><h2>{escape(title)}</h2><div class=\"scroll\"><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>{more}</section>")


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
footer { margin-top: 2.5rem; color: var(--muted); font-size: .8rem; word-break: break-all; }
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
