"""docs/model.md cannot drift from the code: its equations are the registry's docstrings."""

from __future__ import annotations

import re
from pathlib import Path

from gasmix.optimizer.formulation import families

MODEL_DOC = Path(__file__).resolve().parent.parent / "docs" / "model.md"


def _block(name: str) -> str:
    text = MODEL_DOC.read_text(encoding="utf-8")
    found = re.search(rf"<!-- generated: {name} -->\n(.*?)<!-- /generated -->", text, re.S)
    assert found, f"docs/model.md has no generated block {name}"
    return found.group(1).strip()


def test_family_equations_in_the_model_doc_are_the_codes():
    assert _block("model-families") == families.model_markdown().strip()


def test_scenario_rules_in_the_model_doc_are_the_codes():
    assert _block("model-scenarios") == families.scenarios_markdown().strip()


def test_every_family_the_builds_use_is_documented_once():
    used = set(families.DETERMINISTIC) | set(families.SCENARIO) | {"cvar"}
    registered = [f.name for f in families.REGISTRY]
    assert sorted(registered) == sorted(set(registered)), "a family is registered twice"
    assert used == set(registered)
    doc = _block("model-families")
    for name in registered:
        assert doc.count(f"#### `{name}`") == 1
