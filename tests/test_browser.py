"""The report in a real browser: headless Chromium (Debian's `chromium` + `chromium-driver`,
driven by selenium) renders it with no console errors and every chart visible.

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

VISIBLE = """
return Array.from(document.querySelectorAll('svg.chart-svg')).map(svg => {
  const r = svg.getBoundingClientRect();
  const s = getComputedStyle(svg);
  return {chart: svg.dataset.chart, width: r.width, height: r.height, left: r.left,
          right: r.right, shown: svg.getClientRects().length > 0 && s.display !== 'none'
          && s.visibility !== 'hidden', page: document.documentElement.clientWidth};
});
"""


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver_path = shutil.which("chromedriver")
    assert driver_path, "chromedriver is missing: apt-get install chromium-driver"
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def report_file(tmp_path_factory):
    from gasmix.models import default_case
    from gasmix.optimizer import solve
    from gasmix.optimizer.output import report

    folder = tmp_path_factory.mktemp("browser")
    plan = solve(default_case(), caps={"US": 0.6})
    html = report.plan_report(plan.summary, plan.tables())
    return report.write_report(html, folder / "report.html")


def open_report(browser, path: Path, width: int, height: int = 900) -> list[dict]:
    browser.set_window_size(width, height)
    browser.get(path.resolve().as_uri())
    return browser.execute_script(VISIBLE)


def test_report_renders_with_every_chart_visible(browser, report_file, tmp_path):
    charts = open_report(browser, report_file, 1366)
    assert [c["chart"] for c in charts] == ["supply_mix", "shares_vs_caps", "storage",
                                            "marginal_prices", "cost_breakdown"]
    for chart in charts:
        assert chart["shown"], chart
        assert chart["width"] > 300 and chart["height"] > 80, chart
        assert chart["left"] >= 0 and chart["right"] <= chart["page"] + 1, chart  # in the layout
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    # A full-page screenshot, to look at.
    page_height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1366, page_height)
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


def test_report_fits_a_narrow_screen(browser, report_file):
    """On a phone-width window the charts shrink with the page instead of overflowing."""
    charts = open_report(browser, report_file, 420)
    for chart in charts:
        assert chart["shown"] and chart["width"] > 100, chart
        assert chart["right"] <= chart["page"] + 1, chart
    wide = browser.execute_script("return document.documentElement.scrollWidth > "
                                  "document.documentElement.clientWidth + 1")
    assert not wide, "the page scrolls sideways"


def test_report_prints(browser, report_file):
    """Chromium prints it to PDF (the @media print layout) without trouble."""
    open_report(browser, report_file, 1366)
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": True})
    assert len(pdf["data"]) > 10_000
