"""The HTML report: self-contained, its figures are the plan's, every chart drawn in both
forms with its legend on the SVG, and sweep, frontier, stress and comparison reports."""

from __future__ import annotations

from html import escape

import json
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from gasmix.optimizer.output import report

# The charts of a plan report, in page order; each is drawn twice (wide and narrow).
PLAN_CHARTS = ["cost_breakdown", "balance", "utilisation", "shares_vs_caps", "storage",
               "marginal_prices", "n1"]


class Page(HTMLParser):
    """What a test needs from a report: SVGs, resource references, headline figures."""

    def __init__(self, html: str):
        super().__init__()
        self.svgs, self.refs, self.figures, self.tables = [], [], {}, 0
        self.feed(html)

    @property
    def charts(self) -> list[str]:
        """The charts, once each (their wide form), in page order."""
        return [s["data-chart"] for s in self.svgs if s.get("data-form") == "wide"]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg":
            self.svgs.append(attrs)
        if tag == "table":
            self.tables += 1
        for name in ("src", "href", "xlink:href", "action", "data"):
            if attrs.get(name):
                self.refs.append(attrs[name])
        if "data-key" in attrs:
            self.figures[attrs["data-key"]] = attrs["data-value"]


def assert_self_contained(html: str, page: Page) -> None:
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", html, re.I)
    assert not [r for r in page.refs if not r.startswith("#")], page.refs
    assert "@import" not in html and "url(" not in html.replace("url(#", "")
    assert "<script" not in html.lower()
    assert "default-src 'none'" in html  # the CSP: nothing may be fetched at all


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory):
    from gasmix.models import default_case
    from gasmix.optimizer import solve

    folder = tmp_path_factory.mktemp("report") / "us60"
    solve(default_case(), caps={"US": 0.6}).write(folder)
    return folder


@pytest.fixture(scope="module")
def plan_html(plan_dir):
    return report.render(plan_dir)


def test_plan_report_is_self_contained_with_its_charts(plan_dir, plan_html):
    html = plan_html
    page = Page(html)
    assert page.charts == PLAN_CHARTS
    # each chart in both forms, the narrow one shown on a phone by CSS
    assert [s["data-form"] for s in page.svgs] == ["wide", "narrow"] * len(PLAN_CHARTS)
    assert "@media (max-width: 899px)" in html and ".form-narrow { display: block; }" in html
    for svg in page.svgs:
        assert "viewBox" in svg or "viewbox" in svg  # scales with the page
        assert "width" not in svg and "height" not in svg
        assert svg["role"] == "img" and svg["aria-label"]
        assert "data-series" in svg
    assert_self_contained(html, page)
    assert "@media print" in html and "break-inside: avoid" in html
    assert "max-width" in html
    # ids are unique across the page (two forms of each chart, hover titles)
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert "<title>" in html.split("<body>")[1]  # hover values as SVG titles, no script


def test_plan_report_figures_match_summary(plan_dir, plan_html):
    summary = json.loads((plan_dir / "summary.json").read_text())
    html = plan_html
    figures = Page(html).figures
    for key in ("objective_musd", "cash_cost_musd", "unserved_bcf", "avg_cost_usd_mmbtu",
                "import_dependence", "hhi"):
        assert float(figures[key]) == pytest.approx(summary[key], rel=1e-12), key
    assert float(figures["largest_share"]) == pytest.approx(max(summary["shares"].values()))
    # And as a reader sees them.
    assert f"{summary['objective_musd']:,.1f}" in html
    assert f"{summary['cash_cost_musd']:,.1f}" in html
    assert f"{summary['unserved_bcf']:,.1f}" in html
    assert f"{summary['import_dependence']:.1%}" in html
    assert f"{summary['hhi']:,.0f}" in html
    assert "largest supplier share (US)" in html and "60.0%" in html
    # The binding cap with what loosening it saves, as savings.csv has it.
    savings = pd.read_csv(plan_dir / "savings.csv").set_index("name")
    binds = html[html.index('id="binds"'):]
    assert "MUSD saved per pp looser" in binds and "<td class=\"short\">cap US</td>" in binds
    assert f"{savings.loc['cap US', 'horizon_saving']:,.1f}" in binds


def test_report_from_a_json_plan(tmp_path):
    from gasmix.models import default_case
    from gasmix.optimizer import solve

    plan = solve(default_case())
    plan.write(tmp_path / "plan.json", format="json")
    html = report.render(tmp_path / "plan.json")
    assert Page(html).charts == PLAN_CHARTS
    assert float(Page(html).figures["objective_musd"]) == pytest.approx(plan.objective, rel=1e-12)


# --- sweep and frontier fixtures (the contract of `gasmix sweep` / `gasmix frontier`) ----

SUPPLIERS = ("US", "MX", "RU", "NA")  # NA (Namibia) must not read as a missing value


def write_sweep(folder, params=("cap.US",)):
    folder.mkdir()
    (folder / "sweep.json").write_text(json.dumps({"kind": "sweep", "case": "mexico",
                                                   "params": list(params)}))
    header = [*params, "status", "objective_musd", "cash_cost_musd", "risk_penalty_musd",
              "unserved_cost_musd", "total_cost_musd", "unserved_bcf", "avg_cost_usd_mmbtu", "hhi",
              "import_dependence", *(f"share_{s}" for s in SUPPLIERS), "message"]
    lines = [",".join(header)]
    others = [[""]] if len(params) == 1 else [["0.3"], ["0.5"]]
    for other in others:
        for i, cap in enumerate((1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4)):
            us = min(0.75, cap)
            failed = cap == 0.4
            status = "infeasible" if failed else "optimal"
            values = [""] * 9 if failed else \
                [f"{28500 + 1500 * i}", f"{28500 + 1200 * i}", "0", f"{300 * i}",
                 f"{28500 + 1500 * i}", f"{0.1 * i:.1f}", f"{4.26 + 0.1 * i:.2f}",
                 f"{10000 * (us ** 2 + (1 - us) ** 2):.0f}", f"{us:.2f}"]
            shares = ["", "", "", ""] if failed else [f"{us:.2f}", f"{(1 - us) * 0.8:.3f}", "0",
                                                      f"{(1 - us) * 0.2:.3f}"]
            message = '"cap on US below what the network can do without it"' if failed else ""
            lines.append(",".join([str(cap), *[o for o in other if o], status, *values, *shares,
                                   message]))
    (folder / "sweep.csv").write_text("\n".join(lines) + "\n")
    return folder


def write_frontier(folder):
    folder.mkdir()
    (folder / "frontier.json").write_text(json.dumps({"kind": "frontier", "case": "mexico"}))
    header = ["trade_off", "parameter", "value", "status", "x", "x_label", "cost_musd",
              "objective_musd", "cash_cost_musd", "unserved_bcf", "largest_share", "risk_exposure",
              "pareto", *(f"share_{s}" for s in SUPPLIERS), "message"]
    lines = [",".join(header)]
    share = "largest supplier's share of supply (%)"
    for i, cap in enumerate((0.75, 0.7, 0.6, 0.5)):
        lines.append(f"diversification,max_share,{cap},optimal,{cap},{share},{28500 + 2000 * i},"
                     f"{28500 + 2000 * i},{28500 + 1900 * i},0,{cap},{0.3 - 0.02 * i:.2f},true,"
                     f"{cap},{1 - cap:.2f},0,0,")
    lines.append(f"diversification,max_share,0.4,infeasible,,{share},,,,,,,false,,,,,"
                 "no supply mix meets max_share 0.4")
    for i, weight in enumerate((0, 1, 2, 4)):
        pareto = "false" if weight == 2 else "true"
        lines.append(f"risk,risk_weight,{weight},optimal,{0.3 - 0.05 * i:.2f},risk exposure,"
                     f"{29000 + 300 * i},{30000 + 500 * i},{29000 + 300 * i},0,0.6,"
                     f"{0.3 - 0.05 * i:.2f},{pareto},0.6,0.3,{0.1 - 0.02 * i:.2f},0,")
    (folder / "frontier.csv").write_text("\n".join(lines) + "\n")
    return folder


def test_sweep_report(tmp_path):
    html = report.render(write_sweep(tmp_path / "sweep"))
    page = Page(html)
    assert page.charts == ["sweep_cost", "sweep_shares"]
    assert_self_contained(html, page)
    assert "What cap.US costs" in html and "1 failed" in html
    assert "infeasible" in html  # the failed point, in the table
    assert ">NA<" in html  # Namibia's share line, not a missing value
    # planner labels: the share cap in %, never a bare `cap.US` fraction on an axis
    cost = html[html.index('data-chart="sweep_cost"'):]
    assert "US share cap (%)" in cost and "cash cost change" in cost and "100%" in cost
    # the sweep's reading, not a trivial "cheapest" point
    assert "cheapest" not in html
    assert "The tightest cap.US that serves all demand is 100%" in html  # the others shed


def test_sweep_report_with_two_parameters(tmp_path):
    html = report.render(write_sweep(tmp_path / "sweep", params=("cap.US", "cap.MX")))
    page = Page(html)
    assert page.charts == ["sweep_cost", "sweep_shares"]
    cost = [s for s in page.svgs if s["data-chart"] == "sweep_cost"][0]
    # one line per value of cap.MX, the legend titled with its planner label
    assert cost["data-series"].split("|")[:2] == ["30%", "50%"]
    assert "MX share cap (%)" in html and "One line per value of MX share cap (%)" in html
    # The shares chart shows one combination, and says which.
    assert "first combination of the other parameters: cap.MX = 30%" in html


def test_frontier_report(tmp_path):
    html = report.render(write_frontier(tmp_path / "frontier"))
    page = Page(html)
    assert page.charts == ["frontier_diversification", "frontier_risk"]
    assert_self_contained(html, page)
    assert "Pareto-efficient plan" in html and "dominated or repeated plan" in html
    assert "max_share=40% (infeasible)" in html


def test_broken_sweep_folder_is_a_clear_error(tmp_path):
    folder = write_sweep(tmp_path / "sweep")
    (folder / "sweep.json").write_text(json.dumps({"kind": "sweep", "params": ["cap.QA"]}))
    with pytest.raises(report.ReportError, match="no column for parameter"):
        report.render(folder)


# --- the command line -------------------------------------------------------------------

def test_gasmix_report_command(run_gasmix, plan_dir, tmp_path):
    done = run_gasmix("report", str(plan_dir), "-o", "us60.html")
    assert done.returncode == 0, done.stderr
    html = (run_gasmix.cwd / "us60.html").read_text()
    assert Page(html).charts == PLAN_CHARTS
    assert run_gasmix("report", str(plan_dir), "-o", "us60.html", "-q").stdout == ""  # replaces its own
    done = run_gasmix("report", str(plan_dir), "-o", "us60.html")
    assert "it replaced the previous gasmix report there" in done.stdout  # and says so
    for folder in (write_sweep(tmp_path / "s"), write_frontier(tmp_path / "f")):
        done = run_gasmix("report", str(folder), "-o", f"{folder.name}.html")
        assert done.returncode == 0, done.stderr
        assert len(Page((run_gasmix.cwd / f"{folder.name}.html").read_text()).charts) == 2


def test_gasmix_report_writes_into_the_folder_never_over_report_html(run_gasmix, tmp_path):
    (run_gasmix.cwd / "report.html").write_text("<p>someone's report</p>")
    assert run_gasmix("solve", "-q", "-o", "plan").returncode == 0
    done = run_gasmix("report", "plan")
    assert done.returncode == 0, done.stderr
    assert "report written to plan/report.html" in done.stdout
    assert (run_gasmix.cwd / "report.html").read_text() == "<p>someone's report</p>"
    # the folder stays gasmix's own: the next solve replaces it, report and all
    assert "report.html" in json.loads((run_gasmix.cwd / "plan" / ".gasmix.json").read_text())["files"]
    done = run_gasmix("solve", "-q", "-o", "plan")
    assert done.returncode == 0, done.stderr
    assert not (run_gasmix.cwd / "plan" / "report.html").exists()
    # a JSON plan gets its report beside it
    assert run_gasmix("solve", "-q", "--format", "json", "-o", "p.json").returncode == 0
    assert run_gasmix("report", "p.json", "-q").returncode == 0
    assert Page((run_gasmix.cwd / "p.html").read_text()).charts == PLAN_CHARTS
    # a comparison names its file
    done = run_gasmix("report", "plan", "p.json")
    assert done.returncode == 2 and "name the report with -o" in done.stderr


def test_gasmix_report_bad_input(run_gasmix, tmp_path):
    (run_gasmix.cwd / "notes.html").write_text("<p>mine</p>")
    for args, text in ((["nowhere"], "not found"),
                       ([str(tmp_path)], "not a gasmix plan, sweep, frontier or stress folder")):
        done = run_gasmix("report", *args)
        assert done.returncode == 2 and text in done.stderr and "Traceback" not in done.stderr
    plan = tmp_path / "plan"
    plan.mkdir()
    (plan / "summary.json").write_text('{"summary": 1}')
    done = run_gasmix("report", str(plan), "-o", "r.html")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "summary.json: not a complete gasmix plan summary: missing status" in done.stderr
    done = run_gasmix("solve", "-q", "--report", "notes.html", "-o", "p")
    assert done.returncode == 2 and "not a gasmix report" in done.stderr
    assert (run_gasmix.cwd / "notes.html").read_text() == "<p>mine</p>"


def test_solve_report_option(run_gasmix):
    done = run_gasmix("solve", "--cap", "US=0.6", "-o", "p", "--report", "p.html")
    assert done.returncode == 0, done.stderr
    assert "report written to p.html" in done.stdout
    html = (run_gasmix.cwd / "p.html").read_text()
    summary = json.loads((run_gasmix.cwd / "p" / "summary.json").read_text())
    assert float(Page(html).figures["cash_cost_musd"]) == pytest.approx(summary["cash_cost_musd"], rel=1e-12)


def test_without_matplotlib_the_error_names_the_extra(run_gasmix, plan_dir):
    import os
    import subprocess
    import sys

    from conftest import ROOT

    code = ("import sys; sys.modules['matplotlib'] = None; sys.argv = ['gasmix', *sys.argv[1:]];"
            "from gasmix import cli; cli.main()")
    for args in (["report", str(plan_dir), "-o", "r.html"], ["solve", "--report", "r.html"]):
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                              cwd=run_gasmix.cwd, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert done.returncode == 2, done.stderr
        assert 'pip install "gasmix[charts]"' in done.stderr and "Traceback" not in done.stderr
    assert not (run_gasmix.cwd / "plan").exists()  # found before solving


# --- damaged input: exit 2 and a message naming the file, never a traceback ----------------

@pytest.fixture(scope="module")
def plan_json(tmp_path_factory):
    from gasmix.models import default_case
    from gasmix.optimizer import solve

    path = tmp_path_factory.mktemp("json") / "plan.json"
    solve(default_case()).write(path, format="json")
    return json.loads(path.read_text())


def _copy_plan(plan_dir, target):
    import shutil
    shutil.copytree(plan_dir, target)
    return target


@pytest.mark.parametrize("damage, message", [
    (lambda d: d.pop("flows"), "plan.json: flows: missing"),
    (lambda d: d["summary"].update(shares=None), "shares must be an object (is null)"),
    (lambda d: d.update(prices=[]), "plan.json: prices: no rows"),
    (lambda d: d.update(summary=1), "the summary must be a JSON object (is a number)"),
    (lambda d: d["summary"]["case"].pop("periods"), "missing case.periods"),
    (lambda d: d.update(storage={"a": 1}), "plan.json: storage: must be a list of rows"),
    (lambda d: d.update(flows=d["flows"][:-3]), "plan.json: flows: "),
    (lambda d: [r.pop("flow_mmcfd") for r in d["flows"]], "missing column(s) flow_mmcfd"),
])
def test_damaged_json_plan_is_a_clear_error(plan_json, tmp_path, damage, message):
    content = json.loads(json.dumps(plan_json))
    damage(content)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(content))
    with pytest.raises(report.ReportError) as info:
        report.render(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_damaged_plan_folder_is_a_clear_error(plan_dir, tmp_path, run_gasmix):
    # summary.json without a key the report needs
    folder = _copy_plan(plan_dir, tmp_path / "nocase")
    summary = json.loads((folder / "summary.json").read_text())
    del summary["case"]
    (folder / "summary.json").write_text(json.dumps(summary))
    with pytest.raises(report.ReportError, match="summary.json: .*missing case"):
        report.render(folder)
    # flows.csv cut at a row boundary: the last period is short
    folder = _copy_plan(plan_dir, tmp_path / "cut")
    lines = (folder / "flows.csv").read_text().splitlines()
    (folder / "flows.csv").write_text("\n".join(lines[:-4]) + "\n")
    with pytest.raises(report.ReportError, match=r"flows.csv: .*period 2027-12 has .*truncated"):
        report.render(folder)
    # cut in the middle of a row
    folder = _copy_plan(plan_dir, tmp_path / "mid")
    text = (folder / "prices.csv").read_text()
    (folder / "prices.csv").write_text(text[:len(text) - 30])
    done = run_gasmix("report", str(folder), "-o", "r.html")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "prices.csv" in done.stderr and "truncated" in done.stderr
    # whole periods missing
    folder = _copy_plan(plan_dir, tmp_path / "short")
    lines = (folder / "shares.csv").read_text().splitlines()
    (folder / "shares.csv").write_text("\n".join(lines[:12]) + "\n")
    with pytest.raises(report.ReportError, match="shares.csv: 1 period.*says the plan has 24"):
        report.render(folder)


def test_sweep_with_no_optimal_point_has_a_note_not_an_empty_chart(tmp_path):
    folder = write_sweep(tmp_path / "sweep")
    frame = (folder / "sweep.csv").read_text().splitlines()
    (folder / "sweep.csv").write_text("\n".join([frame[0], frame[-1]]) + "\n")
    html = report.render(folder)
    assert Page(html).svgs == []
    assert "No chart: none of the 1 point has an optimal plan (1 infeasible)" in html
    assert "1 point, 1 failed" in html  # not "1 points"
    assert "cap on US below what the network can do without it" in html  # the diagnosis


def test_points_tables_format_and_message(tmp_path):
    html = report.render(write_sweep(tmp_path / "sweep"))
    # a failed point's diagnosis on a full-width row under its row, not in a squeezed column
    assert '<tr class="detail"><td colspan="' in html and "cap on US below" in html
    assert ">31,500.0<" in html  # costs: 1 decimal, thousands separators
    assert ">75.0%<" in html     # shares as percentages
    assert ">4.36<" in html      # prices: 2 decimals
    assert "<th>HHI</th>" in html
    assert '<td class="num">40%</td>' not in html and ">40%<" in html  # the cap as a planner reads it
    html = report.render(write_frontier(tmp_path / "frontier"))
    table = html[html.index("<table>"):]
    assert "True" not in table and "False" not in table and "✓" in table
    assert "no supply mix meets max_share 0.4" in table
    assert "largest supplier's share of supply (%)</text>" in html  # the x axis is x_label


def test_frontier_charts_plot_the_cash_change_from_the_loosest_point(tmp_path):
    html = report.render(write_frontier(tmp_path / "frontier"))
    risk = html[html.index('data-chart="frontier_risk"'):]
    risk = risk[:risk.index("</svg>")]
    # The cash change from λ = 0; not the objective, whose risk penalty moves with λ
    # while the plan stands still.
    assert "cash cost change vs" in risk and "risk_weight = 0" in risk
    assert "objective" not in risk
    diversification = html[html.index('data-chart="frontier_diversification"'):]
    diversification = diversification[:diversification.index("</svg>")]
    assert "max_share = 75%" in diversification  # the loosest cap on this frontier
    assert "2,000" in diversification or "4,000" in diversification  # thousands separators


def test_supplier_colours_are_fixed_by_case_position():
    from matplotlib.colors import to_rgb

    from gasmix.models import default_case
    from gasmix.optimizer.output import charts

    suppliers = [s.id for s in default_case().suppliers]
    colors = charts.supplier_colors(suppliers)
    # Whatever a chart shows, a supplier keeps its colour: the mapping is by case position.
    assert charts.supplier_colors(suppliers)["MX"] == colors["MX"]
    rgb = {s: np.array(to_rgb(c)) for s, c in colors.items()}
    assert np.linalg.norm(rgb["RU"] - rgb["MX"]) > 0.5
    distances = [np.linalg.norm(rgb[a] - rgb[b]) for i, a in enumerate(suppliers) for b in suppliers[i + 1:]]
    assert min(distances) > 0.2, min(distances)


def test_report_footer_wraps_without_breaking_words(plan_dir, plan_html):
    html = plan_html
    assert "overflow-wrap: anywhere" in html and "word-break: break-all" not in html
    assert "unserved at VOLL" in html and "unserved at voll" not in html


# --- a stochastic plan ------------------------------------------------------------------

def test_stochastic_plan_report_shows_the_risk_figures_and_scenarios(run_gasmix):
    done = run_gasmix("solve", "--scenarios", "--cvar-weight", "0.5", "-o", "risk", "-q")
    assert done.returncode == 0, done.stderr
    done = run_gasmix("report", "risk", "-o", "risk.html")
    assert done.returncode == 0, done.stderr
    html = (run_gasmix.cwd / "risk.html").read_text()
    summary = json.loads((run_gasmix.cwd / "risk" / "summary.json").read_text())
    page = Page(html)
    for key in ("mean_risk_objective_musd", "expected_cost_musd", "cvar_musd", "vss_musd",
                "vss_expected_cost_musd", "evpi_musd", "objective_musd"):
        assert float(page.figures[key]) == pytest.approx(summary[key], rel=1e-12), key
        assert f"{summary[key]:,.1f}" in html
    assert "CVaR α = 95%" in html and "expected value of perfect information (EVPI)" in html
    assert "value of the stochastic solution (VSS)" in html and "million USD" in html
    # The scenarios section: a chart and one row per scenario, with the plan's tables
    # labelled as the base scenario's.
    # its commitments (the headline result) and scenarios come first, then the base scenario
    assert page.charts[:2] == ["commitments", "scenario_costs"]
    assert page.charts[2:] == PLAN_CHARTS
    commitments = pd.read_csv(run_gasmix.cwd / "risk" / "commitments.csv")
    assert html.index('id="commitments"') < html.index('id="scenarios"') < html.index('id="costs"')
    for item in commitments.loc[commitments["difference_mmcfd"].abs() > 1, "item"].unique():
        assert f">{item}<" in html[html.index('id="commitments"'):html.index('id="scenarios"')]
    for scenario in summary["stochastic"]["scenarios"]:
        assert f'<td class="short">{scenario}</td>' in html
    # a scenario's description is a full-width row, not a column
    scenarios = pd.read_csv(run_gasmix.cwd / "risk" / "scenarios.csv")
    assert f'<tr class="detail"><td colspan="10"><div>{scenarios["description"][0]}</div></td></tr>' in html
    assert "Supply mix and monthly balance (base scenario)" in html
    assert "What binds, and what loosening it saves (base scenario)" in html
    # The same from a JSON plan.
    done = run_gasmix("solve", "--scenarios", "--cvar-weight", "0.5", "--format", "json",
                      "-o", "risk.json", "-q")
    assert done.returncode == 0, done.stderr
    html = report.render(run_gasmix.cwd / "risk.json")
    assert "CVaR α = 95%" in html and Page(html).charts == ["commitments", "scenario_costs", *PLAN_CHARTS]
    # A stochastic plan folder without its scenarios table says so.
    (run_gasmix.cwd / "risk" / "scenarios.csv").unlink()
    done = run_gasmix("report", "risk", "-o", "risk.html")
    assert done.returncode == 2 and "scenarios.csv: missing" in done.stderr


def _study(params_values: dict, failed=lambda point: False):
    import itertools

    import pandas as pd
    rows = []
    for i, combo in enumerate(itertools.product(*params_values.values())):
        point = dict(zip(params_values, combo))
        bad = failed(point)
        cost = None if bad else 28000.0 + 1000 * i
        rows.append({**point, "status": "infeasible" if bad else "optimal", "objective_musd": cost,
                     "cash_cost_musd": cost, "risk_penalty_musd": None if bad else 0.0,
                     "unserved_cost_musd": None if bad else 0.0, "total_cost_musd": cost,
                     "unserved_bcf": None if bad else 0.0, "avg_cost_usd_mmbtu": None if bad else 4.3,
                     "hhi": None if bad else 6000.0, "import_dependence": None if bad else 0.7,
                     "share_US": None if bad else 0.7, "share_MX": None if bad else 0.3,
                     "message": "no plan" if bad else ""})
    return pd.DataFrame(rows)


def test_sweep_over_three_parameters_draws_small_multiples(tmp_path):
    frame = _study({"cap.US": [0.5, 0.7, 1.0], "risk_weight": [0, 2], "max_share": [0.4 + 0.05 * i for i in range(8)]})
    html = report.sweep_report({"params": ["cap.US", "risk_weight", "max_share"]}, frame)
    cost = html[html.index('data-chart="sweep_cost" data-form="wide"'):]
    cost = cost[:cost.index("</svg>")]
    # One panel per value of the third parameter, at most six, and the caption says which.
    assert cost.count("cap on every supplier's share (%): ") == 6
    assert "panels for the first 6 of its 8 values" in html
    assert "risk weight λ" in cost  # the colour legend's title
    assert "first combination of the other parameters: risk_weight = 0, max_share = 40%" in html


def test_sweep_png_without_matplotlib_is_a_note(tmp_path, monkeypatch):
    import sys

    from gasmix.optimizer.output.studies import write_sweep as write
    frame = _study({"cap.US": [0.5, 1.0]})
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    notes = write(frame, tmp_path / "s", ["cap.US"], {"case": "x"})
    assert notes == ['no chart: install matplotlib with pip install "gasmix[charts]"']
    assert not (tmp_path / "s" / "sweep.png").exists() and (tmp_path / "s" / "sweep.csv").exists()


def test_storage_chart_starts_each_site_when_it_enters_service():
    from gasmix.models import default_case
    from gasmix.optimizer import solve
    from gasmix.optimizer.output import plan_charts

    plan = solve(default_case())
    periods = list(dict.fromkeys(plan.prices["period"]))
    fig = plan_charts.storage_vs_floor(plan.storage, periods)
    lines = {line.get_label(): np.asarray(line.get_ydata(), dtype=float) for line in fig.axes[0].lines}
    jaf = lines["JAF working gas"]  # Jaf enters service in 2026-07
    assert np.isnan(jaf[:periods.index("2026-07")]).all()
    assert (jaf[periods.index("2026-07"):] == 10).all()
    assert not np.isnan(lines["OPS_LINEPACK working gas"]).any()


# --- comparing plans, and a stress test --------------------------------------------------------

def test_comparison_report_sets_plans_side_by_side(run_gasmix):
    for args in (["-o", "base"], ["--cap", "US=0.6", "-o", "us60"],
                 ["--cap", "US=0.6", "--share-basis", "horizon", "--format", "json", "-o", "us60h.json"]):
        assert run_gasmix("solve", "-q", *args).returncode == 0
    done = run_gasmix("report", "base", "us60", "us60h.json", "-o", "compare.html")
    assert done.returncode == 0, done.stderr
    assert "comparison report written to compare.html" in done.stdout
    html = (run_gasmix.cwd / "compare.html").read_text()
    page = Page(html)
    assert page.charts == ["compare_costs", "compare_shares"]
    assert_self_contained(html, page)
    base = json.loads((run_gasmix.cwd / "base" / "summary.json").read_text())
    us60 = json.loads((run_gasmix.cwd / "us60" / "summary.json").read_text())
    assert "Comparison of 3 plans: base, us60, us60h" in html
    figures = html[html.index('id="figures"'):html.index('id="costs"')]
    assert f"{us60['cash_cost_musd']:,.1f}" in figures
    assert f"{us60['cash_cost_musd'] - base['cash_cost_musd']:+,.1f}" in figures  # us60 vs base
    assert "US ≤ 60%, basis period" in figures and "US ≤ 60%, basis horizon" in figures
    assert f"us60: {us60['warnings'][0]}" in html  # each plan's warnings, named
    # what changed: the LNG the cap brings in most (by volume), and the cap that binds only under it
    changed = html[html.index('id="changed"'):html.index('id="binds"')]

    def lng_by_supplier(folder):
        flows = pd.read_csv(run_gasmix.cwd / folder / "flows.csv")
        return flows[flows["kind"] == "lng"].groupby("supplier")["volume_bcf"].sum()

    before, after = lng_by_supplier("base"), lng_by_supplier("us60")
    most = (after - before.reindex(after.index, fill_value=0.0)).idxmax()
    assert after[most] > before.get(most, 0.0) + 10
    assert (f"<td>{most}</td><td>lng</td><td class=\"num\">{before.get(most, 0.0):,.1f}</td>"
            f"<td class=\"num\">{after[most]:,.1f}</td>") in changed
    binds = html[html.index('id="binds"'):]
    savings = pd.read_csv(run_gasmix.cwd / "us60" / "savings.csv").set_index("name")
    assert (f"<tr><td>cap US</td><td class=\"num\">–</td><td class=\"num\">"
            f"{savings.loc['cap US', 'horizon_saving']:,.1f}</td>") in binds
    # only plans are compared
    (run_gasmix.cwd / "s").mkdir()
    done = run_gasmix("report", "base", str(write_sweep(run_gasmix.cwd / "s" / "sweep")), "-o", "x.html")
    assert done.returncode == 2 and "only plans can be compared" in done.stderr


def test_stress_report(run_gasmix):
    assert run_gasmix("stress", "-o", "stress", "-q").returncode == 0
    done = run_gasmix("report", "stress")
    assert done.returncode == 0, done.stderr
    assert "stress report written to stress/report.html" in done.stdout
    html = (run_gasmix.cwd / "stress" / "report.html").read_text()
    page = Page(html)
    assert page.charts == ["stress_costs"]
    summary = json.loads((run_gasmix.cwd / "stress" / "summary.json").read_text())
    plan = summary["deterministic_plan"]
    assert float(page.figures["objective_musd"]) == pytest.approx(plan["objective_musd"], rel=1e-12)
    table = pd.read_csv(run_gasmix.cwd / "stress" / "stress.csv")
    worst = table.loc[table["change_from_base_musd"].idxmax()]
    assert (f"The costliest disruption is {worst['scenario']}: "
            f"{worst['change_from_base_musd']:+,.0f} million USD") in html
    for row in table.itertuples():  # every scenario, its description on a row of its own
        assert f'<td class="short">{row.scenario}</td>' in html
        assert f"<div>{escape(row.description)}</div>" in html
