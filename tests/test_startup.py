"""Start-up: asking gasmix for help or its version loads none of the heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys

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


def test_the_modules_the_command_line_reads_at_start_up_load_nothing_heavy():
    # The faces of gasmix, gasmix.models and gasmix.optimizer load their names on first
    # use, so the constants the options need come without numpy, pandas or a solver.
    code = ("import json, sys, gasmix; import gasmix.models.schema, gasmix.optimizer.errors, "
            "gasmix.optimizer.grid, gasmix.optimizer.lp; "
            f"print(json.dumps(sorted({{n.split('.')[0] for n in sys.modules}} & set({HEAVY!r}))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
