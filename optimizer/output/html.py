"""The pieces every HTML report is made of: the page (inline CSS, a Content-Security-
Policy that forbids loading anything), headers, warnings, figure cards, tables and chart
sections — one look for plan, study, stress and comparison reports.

Charts are drawn twice (charts.WIDE and charts.NARROW) and CSS shows the one that fits:
an SVG scales its text with its width, so one drawing cannot be readable both at 1400
and at 420 px. Long text (a scenario's description, a failed point's diagnosis) goes on a
row of its own under its table row, across the whole table, never into a squeezed
column. A chart's caption names its series as `key`s, each checked against the labels
the chart drew (charts.series), so a caption cannot describe a line that is not there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from importlib.metadata import PackageNotFoundError, version

import numpy as np
import pandas as pd

from . import charts
from .labels import column_label, show

GENERATOR = "gasmix report"
MAX_TABLE_ROWS = 400  # a page, not a data dump
SHORT_TEXT = 20       # text cells up to this long are never broken across lines
# Nothing may be loaded from anywhere: inline styles and data: images only, no scripts.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
# Below this viewport width the narrow drawing of each chart is shown.
NARROW_BELOW_PX = 900


def plural(n: int, word: str) -> str:
    """'1 point', '2 points', '1,200 points'."""
    return f"{n:,} {word}" + ("" if n == 1 else "s")


# --- cells --------------------------------------------------------------------------------

SAVINGS = ("shadow_price", "horizon_saving", "peak_saving")
PERCENT = ("import_dependence", "largest_share", "largest_period_share", "probability", "share",
           "utilisation")


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
        if column in ("risk_exposure", "shannon"):
            return f"{v:.3f}", True
        if column.endswith("_pct"):
            return f"{v:,.1f}", True
        if column in SAVINGS:  # from 0.16 to 5,193.6: enough digits to tell small from zero
            return (f"{v:,.1f}" if abs(v) >= 10 else f"{v:.3g}"), True
        return f"{v:,.6g}", True
    return str(value), False


def table(frame: pd.DataFrame, columns: list[str], detail: str | None = None,
          headers: dict[str, str] | None = None, css: dict[str, Callable] | None = None) -> str:
    """An HTML table of `columns` of `frame` (the first MAX_TABLE_ROWS rows), headers from
    labels.column_label (or `headers`). A `detail` column (long text) is shown on a
    full-width row under its row. `css[column](text)` may give a cell a class."""
    columns = [c for c in columns if c in frame.columns and c != detail]
    headers = headers or {}
    head = "".join(f"<th>{escape(headers.get(c, column_label(c)))}</th>" for c in columns)
    body = []
    for _, row in frame.head(MAX_TABLE_ROWS).iterrows():
        cells = []
        for c in columns:
            text, number = cell(c, row[c])
            kind = "num" if number else (css or {}).get(c, lambda t: "")(text)
            if not kind and len(text) <= SHORT_TEXT:
                kind = "short"  # an id, a period: kept on one line
            cells.append(f'<td class="{kind}">{escape(text)}</td>' if kind else f"<td>{escape(text)}</td>")
        note = "" if detail is None else str(row.get(detail) if row.get(detail) is not None else "")
        note = "" if note in ("nan", "None") else note.strip()
        body.append(("<tr class=\"has-detail\">" if note else "<tr>") + "".join(cells) + "</tr>")
        if note:
            body.append(f'<tr class="detail"><td colspan="{len(columns)}"><div>{escape(note)}</div>'
                        "</td></tr>")
    more = (f"<p>First {MAX_TABLE_ROWS} of {len(frame):,} rows.</p>" if len(frame) > MAX_TABLE_ROWS else "")
    return (f"<div class=\"scroll\"><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>{more}")


# --- figure cards ---------------------------------------------------------------------------

def figures(values: list[dict]) -> str:
    """Headline figure cards: label, value and unit (data-key/data-value for a reader)."""
    items = []
    for h in values:
        label = h["label"] + (f" ({h['note']})" if h["note"] else "")
        value = h["value"] if isinstance(h["value"], (int, float)) and not isinstance(h["value"], bool) \
            else None
        unit = "" if h["kind"] == "percent" or value is None else h["unit"]
        data = "" if value is None else repr(float(value))
        items.append(f'<div class="figure" data-key="{escape(h["key"])}" data-value="{data}">'
                     f'<dt>{escape(label)}</dt><dd><span class="value">{show(value, h["kind"])}'
                     f'</span> <span class="unit">{escape(unit)}</span></dd></div>')
    return "<dl>" + "".join(items) + "</dl>"


# --- charts and their captions --------------------------------------------------------------

@dataclass(frozen=True)
class Key:
    """A series named in a caption: must be a label the chart drew."""

    label: str


def caption_html(parts: list, drawn: list[str], chart: str) -> str:
    """A caption from text and Keys; a Key the chart did not draw is a bug (ValueError)."""
    out = []
    for part in parts:
        if isinstance(part, Key):
            if part.label not in drawn:
                raise ValueError(f"the caption of {chart} names {part.label!r}, which it does "
                                 f"not draw ({drawn})")
            out.append(f'<span class="key">{escape(part.label)}</span>')
        else:
            out.append(escape(str(part)))
    return "".join(out)


def chart_figure(make: Callable, name: str, label: str,
                 caption: Callable[[list[str]], list]) -> str:
    """A chart drawn in both forms (`make(form)` → Figure) with its caption
    (`caption(drawn series)` → text and Keys), as a <figure>."""
    svgs, drawn = [], None
    for form in charts.FORMS:
        fig = make(form)
        drawn = charts.series(fig) if drawn is None else drawn
        svg = charts.to_svg(fig, name, label, form.name)
        svgs.append(f'<div class="form-{form.name}">{svg}</div>')
    text = caption_html(caption(drawn), drawn, name)
    return f'<figure class="chart">{"".join(svgs)}<figcaption>{text}</figcaption></figure>'


def chart(title: str, make: Callable, name: str, label: str, caption: Callable[[list[str]], list],
          anchor: str | None = None) -> str:
    """A section holding one chart (chart_figure)."""
    return section(title, chart_figure(make, name, label, caption), anchor)


def section(title: str, body: str, anchor: str | None = None, css: str = "") -> str:
    ident = f' id="{escape(anchor)}"' if anchor else ""
    kind = f' class="{escape(css)}"' if css else ""
    return f"<section{ident}{kind}><h2>{escape(title)}</h2>{body}</section>"


def note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'


def warnings(texts: list[str]) -> str:
    return "".join(f'<p class="warning">{escape(w)}</p>' for w in texts)


def contents(entries: list[tuple[str, str]]) -> str:
    """Links to the report's sections (anchor, title)."""
    links = "".join(f'<li><a href="#{escape(a)}">{escape(t)}</a></li>' for a, t in entries)
    return f'<nav class="contents" aria-label="sections"><ul>{links}</ul></nav>'


# --- the page ---------------------------------------------------------------------------------

CSS = """
:root { color-scheme: light; --ink: #1d2731; --muted: #5b6770; --line: #d9dee2; --accent: #2c7fb8; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: var(--ink); background: #fff; }
main { max-width: 64rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; line-height: 1.25; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1rem; margin: 1rem 0 .5rem; }
.subtitle { color: var(--muted); margin: 0; }
.contents ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; padding: 0; margin: .75rem 0 0; }
.contents a { color: var(--accent); text-decoration: none; font-size: .9rem; }
.headlines dl { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); gap: .75rem; margin: 0; }
.figure { border: 1px solid var(--line); border-radius: .4rem; padding: .6rem .8rem; }
.figure dt { color: var(--muted); font-size: .85rem; }
.figure dd { margin: .15rem 0 0; }
.figure .value { font-size: 1.45rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.figure .unit { color: var(--muted); font-size: .85rem; }
.warning { background: #fff4e5; border-left: 4px solid #e67e22; padding: .5rem .75rem; margin: .75rem 0; }
.reading li { margin: .2rem 0; }
figure.chart { margin: 0; break-inside: avoid; page-break-inside: avoid; }
figure.chart svg { display: block; width: 100%; height: auto; max-width: 100%; }
.form-narrow { display: none; }
.form-narrow svg { max-width: 40rem; margin: 0 auto; }
figcaption { color: var(--muted); font-size: .9rem; margin-top: .25rem; }
figcaption .key { color: var(--ink); font-weight: 600; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f4f6f8; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.short { white-space: nowrap; }
td.failed { color: #c0392b; font-weight: 600; }
tr.has-detail td { border-bottom: none; }
tr.detail td { color: var(--muted); font-size: .85rem; padding-top: 0; }
/* long text stays within the screen while a wide table scrolls under it */
tr.detail div { position: sticky; left: .5rem; max-width: calc(100vw - 3rem); }
.note { color: var(--muted); font-style: italic; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .8rem; overflow-wrap: anywhere; }
@media (max-width: %NARROW%px) {
  .form-wide { display: none; }
  .form-narrow { display: block; }
  main { padding: 1rem .75rem 2rem; }
  h1 { font-size: 1.35rem; }
}
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  section { break-inside: auto; }
  .form-narrow, .contents { display: none; }
  .form-wide { display: block; }
  figure.chart, .figure, tr { break-inside: avoid; page-break-inside: avoid; }
  .scroll { overflow: visible; }
}
""".replace("%NARROW%", str(NARROW_BELOW_PX - 1))


def gasmix_version() -> str:
    try:
        return version("gasmix")
    except PackageNotFoundError:
        return "source"


def header(title: str, subtitle: str) -> str:
    return f"<header><h1>{escape(title)}</h1><p class=\"subtitle\">{escape(subtitle)}</p></header>"


def footer(text: str) -> str:
    return f"<footer>Made by gasmix {escape(gasmix_version())} · {escape(text)}</footer>"


def page(title: str, parts: list[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<meta name=\"generator\" content=\"{GENERATOR}\">"
            f"<title>{escape(title)}</title><style>{CSS}</style></head>\n<body><main>\n"
            + "\n".join(parts) + "\n</main></body></html>\n")
