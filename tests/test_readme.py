"""The README tells the truth: its library example runs as written, and its input reference
is the one the schemas produce."""

from __future__ import annotations

import re

from conftest import ROOT
from gasmix.models.schema import reference_markdown

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_library_example_runs_as_written(tmp_path, monkeypatch):
    section = README.split("## Using it as a library", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    plan = namespace["plan"]
    assert plan.summary["status"] == "optimal"
    assert plan.summary["policy"]["caps"] == {"US": 0.6}
    assert (tmp_path / "plan" / "summary.json").exists()


def test_input_reference_matches_the_schemas():
    assert reference_markdown() in README, \
        "README's input reference is stale: paste models.schema.reference_markdown() into it"


def test_worked_example_figures_are_the_models():
    """The README's 60% table is what the embedded case gives today."""
    from gasmix.models import default_case
    from gasmix.optimizer import solve

    case = default_case()
    runs = [solve(case), solve(case, caps={"US": 0.6}),
            solve(case, caps={"US": 0.6}, share_basis="horizon")]
    row = README.split("| cash cost, 2026–27 (million USD) |", 1)[1].split("\n", 1)[0]
    assert row.split("|")[:3] == [f" {p.summary['cash_cost_musd']:,.0f} " for p in runs]
    row = README.split("| average cost of gas served (USD/MMBtu) |", 1)[1].split("\n", 1)[0]
    assert row.split("|")[:3] == [f" {p.summary['avg_cost_usd_mmbtu']:.2f} " for p in runs]
    assert f"**{runs[1].summary['unserved_bcf']:.1f}**" in README
    assert f"{runs[0].summary['shares']['US']:.1%}" in README
