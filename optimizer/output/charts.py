"""The canvas every gasmix chart is drawn on: matplotlib Figures (Agg, no display), in two
forms, with hover values and a record of the series drawn.

The charts themselves are in plan_charts.py (one plan) and study_charts.py (sweeps,
frontiers, stress tests, comparisons). Each returns a Figure; the HTML report turns it
into inline SVG (`to_svg`), `gasmix sweep` and `gasmix frontier` save PNGs (`save_png`).

Conventions shared by every chart:

* two forms (`WIDE`, `NARROW`): the report draws each chart twice and shows the wide one
  on a laptop, the narrow one on a phone (CSS), so no text is scaled below ~9 px — an SVG
  shrinks its text with it;
* one fixed colour per supplier, from its position in the case (`supplier_colors`), so US
  is the same blue in every chart;
* axes carry their unit in the label and thousands separators in the ticks ("250,000");
* `tip(artist, text)` gives an artist a hover value (an SVG <title>: native tooltips, no
  script); `series(fig)` lists the labels of its legends, which the report writes on the
  SVG (`data-series`) so that a caption can be checked against what is drawn.

matplotlib is the `charts` extra: a missing matplotlib raises models.extras.MissingExtra,
which names `pip install "gasmix[charts]"`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from html import escape

import numpy as np

from ...models.extras import require

FAILED_COLOR = "#c0392b"
SHED_COLOR = "#f5b7b1"      # the zone where demand is shed
OPTIMAL = "optimal"
# Text sizes in points: nothing smaller than SMALL, so the narrow form keeps ≥ 9 px on a
# 420 px screen.
SMALL, TEXT = 8.5, 9.5
NARROW_LEGEND_CHARS = 56   # characters of legend text across a narrow chart
NARROW_LABEL_CHARS = 44    # characters of an axis label across a narrow chart
# Distinct colours, in the order suppliers get them (their position in the case): tab10,
# then darker and lighter hues far from those (the 11th, Mexico's domestic gas in the
# embedded case, is indigo: never confused with Russia's green).
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#e6ab02", "#843c39", "#7b4173",
           "#637939", "#e7969c", "#6baed6", "#fdae6b", "#74c476", "#000000")


@dataclass(frozen=True)
class Form:
    """How wide a chart is drawn, and where its legend goes: right of the axes (wide) or
    below them (narrow)."""

    name: str
    width: float        # inches
    narrow: bool

    def size(self, height: float) -> tuple[float, float]:
        return (self.width, height)

    def ticks(self, n: int) -> int:
        """Show every k-th of n period labels: about 12 wide, 6 narrow."""
        return max(1, int(np.ceil(n / (6 if self.narrow else 12))))

    def legend(self, fig, handles=None, labels=None, title: str | None = None) -> None:
        """The figure's one legend, outside the axes."""
        kwargs = dict(frameon=False, fontsize=SMALL, title=title, title_fontsize=SMALL)
        if handles is not None:
            kwargs.update(handles=handles)
            if labels is not None:
                kwargs.update(labels=labels)
        if self.narrow:
            if labels is None:
                labels = [h.get_label() for h in handles] if handles is not None else \
                    fig.axes[0].get_legend_handles_labels()[1]
            # as many columns as fit the narrow width (a legend wider than the chart would
            # widen the SVG, and shrink all its text)
            longest = max((len(str(label)) for label in labels), default=1)
            columns = max(1, min(len(labels), NARROW_LEGEND_CHARS // (longest + 4)))
            fig.legend(loc="outside lower center", ncol=columns, **kwargs)
        else:
            fig.legend(loc="outside right upper", **kwargs)

    def wrap(self, text: str) -> str:
        """An axis label, broken into lines that fit the narrow form."""
        if not self.narrow:
            return text
        import textwrap
        return "\n".join(textwrap.wrap(text, NARROW_LABEL_CHARS)) or text


WIDE = Form("wide", 8.0, False)
NARROW = Form("narrow", 4.4, True)
FORMS = (WIDE, NARROW)


def _matplotlib():
    """matplotlib, without pyplot: figures are made as Figure objects on the Agg canvas
    (files only: never a window, no display needed, and no pyplot start-up cost or global
    figure registry to close)."""
    return require("matplotlib", "charts", "charts")


def new_figure(size, name: str = ""):
    """A Figure on the Agg canvas, laid out by matplotlib (constrained layout: legends
    outside the axes get room)."""
    _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    fig.set_label(name)
    return fig


def figure(form: Form, height: float, name: str, into=None):
    """(figure, axes) for a one-axes chart: into `into` (a sub-figure) or a new Figure."""
    fig = into if into is not None else new_figure(form.size(height), name)
    ax = fig.subplots()
    style(ax)
    return fig, ax


def colormap(name: str):
    _matplotlib()
    from matplotlib import colormaps
    return colormaps[name]


def tip(artist, text: str) -> None:
    """Give `artist` a hover value (its figure writes it as an SVG <title>)."""
    fig = artist.figure  # the root figure: a sub-figure's own `figure` is its parent's
    while fig is not None and getattr(fig, "figure", None) not in (None, fig):
        fig = fig.figure
    if fig is None:
        raise ValueError("tip() needs an artist already on a figure")
    fig.__dict__.setdefault("_gasmix_tips", []).append((artist, text))


def series(fig) -> list[str]:
    """The labels of the figure's legends (what a caption may name), in order."""
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.get_axes()]
    labels = []
    for legend in legends:
        if legend is not None:
            labels += [t.get_text().strip() for t in legend.get_texts()]
    return [label for label in dict.fromkeys(labels) if label and not label.endswith(":")]


def literal_text(fig) -> None:
    """Draw every text of `fig` as written: a `$` in a user's id or title is not maths
    (mathtext would typeset it, and an unbalanced one would stop the drawing)."""
    from matplotlib.text import Text
    for text in fig.findobj(Text):
        text.set_parse_math(False)


def to_svg(fig, name: str, label: str, form: str | None = None) -> str:
    """A figure as an inline <svg> element that scales with the page: no width/height
    (the viewBox scales it), text kept as text, every id prefixed with the chart's name
    and form so several charts in one page never share one, a <title> on every artist
    with a hover value, and the
    legend's labels in `data-series`; `form` (wide, narrow) is written as `data-form`."""
    matplotlib = _matplotlib()
    ident = f"{name}-{form}" if form else name  # ids unique in a page that holds both forms
    tips = fig.__dict__.get("_gasmix_tips", [])
    for i, (artist, _) in enumerate(tips):
        artist.set_gid(f"{ident}-tip-{i}")
    buffer = io.StringIO()
    literal_text(fig)
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": ident}):
        # laid out already (constrained layout, legends outside the axes included): no
        # "tight" box, which would draw the figure twice
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    if tips:  # one pass over the text (a replace per tip is quadratic in a chart of days)
        titles = {str(i): f"<title>{escape(tip_text)}</title>" for i, (_, tip_text) in enumerate(tips)}
        text = re.sub(f'<g id="{re.escape(ident)}-tip-(\\d+)">',
                      lambda m: m.group(0) + titles.pop(m.group(1), ""), text)
    # Every id unique in a page of many charts: prefixed, and so are the references to it.
    text = text.replace(' id="', f' id="{ident}-').replace("url(#", f"url(#{ident}-")
    text = text.replace('href="#', f'href="#{ident}-')
    head, rest = text.split(">", 1)
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    drawn = escape("|".join(series(fig)))
    which = f' data-form="{form}"' if form else ""
    return (f'{head} role="img" aria-label="{escape(label)}" class="chart-svg" '
            f'data-chart="{name}"{which} data-series="{drawn}">{rest}')


def save_png(fig, path) -> None:
    """A figure as a PNG file (laid out already: no "tight" box, which draws it twice)."""
    literal_text(fig)
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


def percent_ticks(ax, axis: str = "x") -> None:
    """Tick labels of values already in percent: '60%'."""
    from matplotlib.ticker import FuncFormatter
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}%"))


def style(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=SMALL)
    ax.xaxis.label.set_size(TEXT)
    ax.yaxis.label.set_size(TEXT)


def period_axis(ax, periods: list[str], form: Form) -> None:
    step = form.ticks(len(periods))
    ax.set_xticks(range(0, len(periods), step))
    ax.set_xticklabels(periods[::step], rotation=45, ha="right", fontsize=SMALL)
    ax.set_xlim(-0.6, len(periods) - 0.4)


def show(value) -> str:
    return f"{value:g}" if isinstance(value, (float, np.floating)) else str(value)
