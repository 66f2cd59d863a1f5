"""The README and docs/ tell the truth.

* Every generated block (`<!-- generated: NAME -->` … `<!-- /generated -->`) equals what its
  function in docs/generate.py writes now: a figure that a change to the code or the data
  moves fails here until `python docs/generate.py` is re-run.
* Every block is on exactly one page and every block on a page has a function.
* Every ```python example on a page runs as written, in an empty folder, the page's blocks
  in order in one namespace.
* The input reference is the one the schema writes, and links between the pages resolve.

docs/generate.py is not part of the installed package; it is loaded from the checkout.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from conftest import ROOT


def _load_generator():
    spec = importlib.util.spec_from_file_location("gasmix_docs_generate", ROOT / "docs" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate = _load_generator()
PAGES = generate.pages()


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.fixture(scope="module")
def produced() -> dict[str, str]:
    """Every block as its function writes it now (the solves shared between blocks)."""
    return generate.produce()


@pytest.fixture(scope="module")
def written() -> dict[str, str]:
    """Every block as the pages hold it."""
    out = {}
    for path in PAGES:
        for name, body in generate.blocks_in(path.read_text(encoding="utf-8")):
            out[name] = body
    return out


def test_every_block_is_on_exactly_one_page_and_has_a_function():
    assert generate.problems() == []


@pytest.mark.parametrize("name", sorted(generate.BLOCKS))
def test_block_is_current(name, produced, written):
    assert name in written, f"block {name!r} is on no page"
    if written[name] != produced[name]:
        import difflib

        diff = "\n".join(difflib.unified_diff(written[name].splitlines(), produced[name].splitlines(),
                                              "as written", "now", lineterm="", n=0))
        pytest.fail(f"block {name!r} is stale: run python docs/generate.py\n{diff}")


def test_render_replaces_blocks_and_keeps_the_rest():
    text = ("before\n<!-- generated: a -->\nold\n<!-- /generated -->\nmiddle\n"
            "<!-- generated: b -->\n<!-- /generated -->\nafter\n")
    new = generate.render(text, {"a": "A1\nA2", "b": "B"})
    assert new == ("before\n<!-- generated: a -->\nA1\nA2\n<!-- /generated -->\nmiddle\n"
                   "<!-- generated: b -->\nB\n<!-- /generated -->\nafter\n")
    assert generate.blocks_in(new) == [("a", "A1\nA2"), ("b", "B")]
    assert generate.render(new, {"a": "A1\nA2", "b": "B"}) == new
    with pytest.raises(KeyError, match="unknown generated block 'c'"):
        generate.render("<!-- generated: c -->\n<!-- /generated -->\n", {"a": ""})


def test_input_reference_is_the_schemas(written):
    """docs/inputs.md holds models.schema.reference_markdown(), its headings made the page's
    sections and the `|` between a column's choices escaped; every table row is as wide as
    its header."""
    from gasmix.models.schema import reference_markdown

    body = written["input-reference"]
    plain = re.sub(r"^## ", "#### ", body, flags=re.M).replace(" \\| ", " | ")
    assert plain == reference_markdown().strip()
    width = None
    for line in body.splitlines():
        if not line.startswith("|"):
            width = None
            continue
        cells = len(re.split(r"(?<!\\)\|", line.strip())) - 2
        width = width or cells
        assert cells == width, line


def _examples(path: Path) -> list[str]:
    """A page's ```python blocks outside generated blocks (the generated signature listing
    is a reference, not an example)."""
    text = generate.MARKER.sub("", path.read_text(encoding="utf-8"))
    return re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)


@pytest.mark.parametrize("page", [p for p in PAGES if _examples(p)], ids=_rel)
def test_python_examples_run_as_written(page, tmp_path, monkeypatch):
    """A page's ```python examples run in order, in one namespace, in an empty folder."""
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    for i, code in enumerate(_examples(page), 1):
        exec(compile(code, f"{_rel(page)} (python block {i})", "exec"), namespace)


def test_readme_example_writes_the_plan(tmp_path, monkeypatch):
    """The README's snippet does what its comments say."""
    code = _examples(ROOT / "README.md")[0]
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    plan = namespace["plan"]
    assert plan.summary["status"] == "optimal"
    assert plan.summary["policy"]["caps"] == {"US": 0.7}
    assert plan.summary["policy"]["share_basis"] == "horizon"
    assert (tmp_path / "us70h" / "summary.json").exists()


def _links(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)  # not inside code
    return re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)


@pytest.mark.parametrize("page", PAGES, ids=_rel)
def test_links_resolve(page):
    broken = []
    for link in _links(page):
        if re.match(r"[a-z]+:", link):  # http:, mailto: — not checked offline
            continue
        target = (page.parent / link).resolve()
        if not target.exists():
            broken.append(link)
    assert not broken, f"{_rel(page)} links to missing files: {broken}"


def test_readme_is_a_front_page():
    size = len((ROOT / "README.md").read_bytes())
    assert size < 10_000, f"README.md is {size:,} bytes: move detail to docs/"
