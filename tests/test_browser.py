"""The reports in a real browser: headless Chromium (Debian's `chromium` + `chromium-driver`,
driven by selenium) renders every kind of report — a capped plan, a stochastic plan, a
sweep, a frontier, a stress test, a comparison — at 1400 and 420 px with no console
errors, every chart visible in the form that fits, no table cell narrower than its
content, no text below 9 px on the phone, and every caption naming only series its chart
draws.

Skips only where Chromium is not installed (.ci/run installs it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed "
                                "(apt-get install chromium chromium-driver)")

# A root user on a machine with no network: no sandbox, no GPU, nothing fetched in the
# background, a fresh profile.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars")
WIDTHS = (1400, 420)
SMALLEST_PX = 9.0

# Every chart on the page: which form it is, whether it is shown, where.
CHARTS = """
return Array.from(document.querySelectorAll('svg.chart-svg')).map(svg => {
  const r = svg.getBoundingClientRect();
  const s = getComputedStyle(svg);
  return {chart: svg.dataset.chart, form: svg.dataset.form, width: r.width, height: r.height,
          left: r.left, right: r.right, page: document.documentElement.clientWidth,
          shown: svg.getClientRects().length > 0 && s.display !== 'none' && s.visibility !== 'hidden'};
});
"""
# Every table cell shown: its text and whether its content overflows it.
CELLS = """
return Array.from(document.querySelectorAll('td, th')).filter(c => c.getClientRects().length)
  .map(c => ({text: c.textContent.trim().slice(0, 60), scroll: c.scrollWidth, client: c.clientWidth}));
"""
# Every piece of text shown and its size on screen in px: an SVG's text is scaled with the
# SVG (its font size in user units × the screen transform's scale).
TEXT_SIZES = """
const out = [];
const skip = new Set(['title', 'style', 'metadata', 'desc', 'script']);
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  const text = node.textContent.trim();
  if (!text) continue;
  const el = node.parentElement;
  if (!el || skip.has(el.tagName.toLowerCase()) || el.closest('title, metadata')) continue;
  if (!el.getClientRects().length) continue;   // not displayed (the other chart form)
  let size = parseFloat(getComputedStyle(el).fontSize);
  if (el instanceof SVGElement) {
    const m = el.getScreenCTM();
    size *= Math.hypot(m.a, m.b);
  }
  out.push({text: text.slice(0, 40), px: size});
}
return out;
"""
# Each figure: the series its shown chart drew (data-series) and the keys its caption names.
CAPTIONS = """
return Array.from(document.querySelectorAll('figure.chart')).map(f => {
  const svg = Array.from(f.querySelectorAll('svg.chart-svg')).find(s => s.getClientRects().length);
  return {chart: svg ? svg.dataset.chart : null,
          series: svg ? svg.dataset.series.split('|') : [],
          keys: Array.from(f.querySelectorAll('figcaption .key')).map(k => k.textContent)};
});
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver_path = shutil.which("chromedriver")
    assert driver_path, "chromedriver is missing: apt-get install chromium-driver"
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    """One report of every kind, written as gasmix writes them."""
    from gasmix.models import default_case
    from gasmix.optimizer import frontier, solve, solve_stochastic, stress_test, sweep
    from gasmix.optimizer.output import report
    from gasmix.optimizer.output.studies import write_frontier, write_stress, write_sweep

    folder = tmp_path_factory.mktemp("reports")
    case = default_case()
    out = {}
    us60 = solve(case, caps={"US": 0.6})
    out["plan"] = us60.report(folder / "plan.html")
    out["stochastic"] = solve_stochastic(case, cvar_weight=0.5).report(folder / "stochastic.html")
    table = sweep(case, {"cap.US": "0.4:1.0:0.05"})
    write_sweep(table, folder / "sweep", ["cap.US"], {"case": case.name,
                                                      "names": {"US": "United States"}}, chart=False)
    frontier_table = frontier(case)
    write_frontier(frontier_table, folder / "frontier", {"case": case.name}, chart=False)
    stress, plan = stress_test(case)
    write_stress(stress, plan.summary, folder / "stress")
    us60.write(folder / "us60")
    solve(case).write(folder / "base")
    for name, source in (("sweep", folder / "sweep"), ("frontier", folder / "frontier"),
                         ("stress", folder / "stress"),
                         ("comparison", [folder / "base", folder / "us60"])):
        out[name] = report.write_report(report.render(source), folder / f"{name}.html")
    return out


def open_page(browser, path: Path, width: int, height: int = 900):
    browser.set_window_size(width, height)
    browser.get(path.resolve().as_uri())
    browser.get_log("browser")  # only this page's messages from here on


KINDS = ("plan", "stochastic", "sweep", "frontier", "stress", "comparison")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("width", WIDTHS)
def test_every_chart_is_shown_once_in_the_form_that_fits(browser, reports, kind, width):
    open_page(browser, reports[kind], width)
    charts = browser.execute_script(CHARTS)
    shown = [c for c in charts if c["shown"]]
    assert shown, kind
    # each chart exactly once, in the form for this width
    assert sorted(c["chart"] for c in shown) == sorted({c["chart"] for c in charts})
    assert {c["form"] for c in shown} == {"wide" if width >= 900 else "narrow"}
    for chart in shown:
        assert chart["width"] > (300 if width >= 900 else 250) and chart["height"] > 80, chart
        assert chart["left"] >= 0 and chart["right"] <= chart["page"] + 1, chart
    wide = browser.execute_script("return document.documentElement.scrollWidth > "
                                  "document.documentElement.clientWidth + 1")
    assert not wide, "the page scrolls sideways"
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("width", WIDTHS)
def test_no_table_cell_is_narrower_than_its_content(browser, reports, kind, width):
    open_page(browser, reports[kind], width)
    cells = browser.execute_script(CELLS)
    assert cells, kind
    squeezed = [c for c in cells if c["scroll"] > c["client"] + 1]
    assert squeezed == [], squeezed[:5]


@pytest.mark.parametrize("kind", KINDS)
def test_no_text_below_9_px_on_a_phone(browser, reports, kind):
    open_page(browser, reports[kind], 420)
    sizes = browser.execute_script(TEXT_SIZES)
    assert len(sizes) > 50, kind  # the charts' text is counted, not only the page's
    small = sorted((s for s in sizes if s["px"] < SMALLEST_PX), key=lambda s: s["px"])
    assert small == [], small[:8]


@pytest.mark.parametrize("kind", KINDS)
def test_captions_name_only_series_the_chart_draws(browser, reports, kind):
    open_page(browser, reports[kind], 1400)
    figures = browser.execute_script(CAPTIONS)
    assert figures
    named = 0
    for figure in figures:
        assert figure["chart"], figure
        for key in figure["keys"]:
            assert key in figure["series"], (figure["chart"], key, figure["series"])
            named += 1
    assert named >= (1 if kind in ("comparison", "stress", "sweep") else 2), kind


def test_plan_report_screenshots_and_prints(browser, reports, tmp_path):
    """Full-page screenshots at both widths, to look at; Chromium prints it to PDF (the
    @media print layout) without trouble."""
    for width in WIDTHS:
        open_page(browser, reports["plan"], width)
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(width, height)
        shot = tmp_path / f"report-{width}.png"
        assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
        print(f"screenshot: {shot}")
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": True})
    assert len(pdf["data"]) > 10_000
