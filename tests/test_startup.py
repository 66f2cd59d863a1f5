"""Start-up: asking gasmix for help or its version loads none of the heavy libraries, and
the constants the command line reads from source (to stay light) are the library's own."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("numpy", "pandas", "highspy", "pulp", "rich")

# Runs in a fresh interpreter: this test process has long imported everything.
PROBE = """
import json, sys
from click.testing import CliRunner
from gasmix import cli
codes = {" ".join(args): CliRunner().invoke(cli.main, args).exit_code for args in ARGS}
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(HEAVY))
print(json.dumps({"codes": codes, "heavy": heavy}))
"""


def probe(args: list[list[str]]) -> dict:
    code = f"ARGS = {args!r}\nHEAVY = {HEAVY!r}\n{PROBE}"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_help_and_version_import_nothing_heavy():
    from gasmix.cli import main

    args = [["--help"], ["--version"], *([command, "--help"] for command in sorted(main.commands))]
    result = probe(args)
    assert set(result["codes"].values()) == {0}, result["codes"]
    assert result["heavy"] == []


def test_a_usage_error_imports_nothing_heavy():
    # Told before anything is solved or loaded: click's own check of the arguments.
    result = probe([["solve", "--solver", "glpk"], ["sweep"]])
    assert set(result["codes"].values()) == {2}
    assert result["heavy"] == []


@pytest.mark.parametrize("module, names", [
    ("gasmix.optimizer.lp.solvers", ["SOLVERS"]),
    ("gasmix.models.schema", ["SHARE_BASES", "SHARE_OF"]),
    ("gasmix.optimizer.frontier", ["TRADE_OFFS", "DEFAULT_SHARES", "DEFAULT_RISK_WEIGHTS"]),
    ("gasmix.optimizer.sweep", ["DEFAULT_CHUNK_SIZE"]),
    ("gasmix.optimizer.errors", ["EXIT_INPUT", "EXIT_INFEASIBLE", "EXIT_SOLVER", "EXIT_INTERRUPTED"]),
])
def test_constants_read_from_source_are_the_librarys(module, names):
    import importlib

    from gasmix import cli

    library = importlib.import_module(module)
    for name in names:
        assert getattr(cli, name) == getattr(library, name), name
