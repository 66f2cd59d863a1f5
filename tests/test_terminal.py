"""The terminal: colours only on a terminal (and never with NO_COLOR), `--quiet` and an
example in the help of every command."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess

import pandas as pd
import pytest

from gasmix.cli import main
from conftest import ROOT, gasmix_command

COMMANDS = sorted(main.commands)
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def colour_codes(text: str) -> list[str]:
    """The SGR escape sequences in `text` that set a colour (not bold, not reset)."""
    found = []
    for params in SGR.findall(text):
        numbers = [int(p) for p in params.split(";") if p]
        if any(30 <= n <= 38 or 40 <= n <= 48 or 90 <= n <= 97 or 100 <= n <= 107 for n in numbers):
            found.append(params)
    return found


def run_in_terminal(args: list[str], cwd, **env) -> str:
    """Run gasmix with a pseudo-terminal as its standard output and error; all it printed."""
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment.update({"TERM": "xterm-256color", "COLUMNS": "100", **env})
    environment["PYTHONPATH"] = str(ROOT) + os.pathsep + environment.get("PYTHONPATH", "")
    process = subprocess.Popen([*gasmix_command(), *args], cwd=cwd, env=environment,
                               stdin=subprocess.DEVNULL, stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    while True:  # read as it goes: a full pty buffer would block the child
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            process.kill()
            raise TimeoutError(args)
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_has_an_example_and_quiet(run_gasmix, command):
    done = run_gasmix(command, "--help")
    assert done.returncode == 0
    assert re.search(r"^\s*Examples?:", done.stdout, re.M), done.stdout
    assert re.search(rf"^\s+gasmix {command}\b", done.stdout, re.M)  # the example itself
    assert "--quiet" in done.stdout


def test_no_escape_codes_when_not_a_terminal(run_gasmix):
    done = run_gasmix("solve", "--cap", "US=0.6", "-o", "plan", "--report", "r.html")
    assert done.returncode == 0
    assert "\x1b" not in done.stdout + done.stderr
    done = run_gasmix("solve", "--cap", "XX=0.6")
    assert done.returncode == 2 and "\x1b" not in done.stderr


def test_colours_on_a_terminal_and_none_with_no_color(tmp_path):
    coloured = run_in_terminal(["solve", "-o", "p1"], tmp_path)
    assert "plan written to p1" in coloured
    assert colour_codes(coloured), "expected colours on a terminal"
    plain = run_in_terminal(["solve", "-o", "p2"], tmp_path, NO_COLOR="1")
    assert "plan written to p2" in plain
    assert colour_codes(plain) == []


def test_quiet_prints_nothing(run_gasmix, tmp_path):
    for args in (["validate"], ["init", "case"], ["init", "--xlsx", "case.xlsx"],
                 ["solve", "-o", "plan", "--report", "plan.html"], ["solve", "--format", "xlsx"],
                 ["report", "plan", "-o", "again.html"]):
        done = run_gasmix(*args, "--quiet")
        assert done.returncode == 0, (args, done.stderr)
        assert done.stdout == "" and done.stderr == "", args


def test_quiet_on_a_terminal_draws_no_progress(tmp_path):
    printed = run_in_terminal(["solve", "--format", "xlsx", "-q", "--report", "r.html"], tmp_path)
    assert printed.strip() == ""


def test_ctrl_c_exits_130_and_writes_nothing(tmp_path):
    # A long sweep interrupted as a user would (SIGINT): one line, exit 130, no folder.
    import signal
    import sys
    import time

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "gasmix", "sweep", "--param", "cap.US=0.01:1:0.0001",
                             "-o", "big", "-q"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "big").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".big.")]


# --- what the terminal shows ---------------------------------------------------------------

def run_narrow(run_gasmix, *args: str, columns: int = 60):
    """gasmix with its output piped, as wide as COLUMNS says (rich reads it)."""
    import subprocess

    env = {**os.environ, "COLUMNS": str(columns)}
    env.pop("NO_COLOR", None)
    return subprocess.run([*gasmix_command(), *args], cwd=run_gasmix.cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_binding_limits_fit_60_columns_one_line_each(run_gasmix):
    done = run_narrow(run_gasmix, "solve", "--cap", "US=0.6", "-o", "us60")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("binding: MUSD saved per pp looser"))
    binding = lines[start:]
    assert max(len(line) for line in binding) <= 60
    from gasmix.optimizer.output.labels import limit_label

    savings = pd.read_csv(run_gasmix.cwd / "us60" / "savings.csv")
    listed = savings.groupby("unit", sort=False).head(8)  # eight per unit; the rest: savings.csv
    for row in listed.itertuples():
        total = f"{row.horizon_saving:,.1f}" if abs(row.horizon_saving) >= 10 else f"{row.horizon_saving:.3g}"
        # one line holds the limit, its months, its horizon saving and its largest month
        hits = [line for line in binding if line.startswith(limit_label(row.family, row.name))
                and total in line and f"({row.peak_period})" in line
                and f" {row.binding_periods} " in line]
        assert len(hits) == 1, (row.name, binding)
    assert len(listed) >= 10
    assert "binding: MUSD saved per 100 MMcf/d more" in done.stdout
    assert "binding: MUSD saved per Bcf" in done.stdout


def test_stochastic_headline_leads_with_the_figures_over_the_scenarios(run_gasmix):
    done = run_narrow(run_gasmix, "solve", "--scenarios", "--cvar-weight", "0.5", "-o", "risk",
                      columns=100)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    summary = json.loads((run_gasmix.cwd / "risk" / "summary.json").read_text())
    assert out.index("mean-risk objective") < out.index("base scenario (undisturbed): cost")
    assert f"mean-risk objective {summary['mean_risk_objective_musd']:,.1f} MUSD" in out
    assert f"expected cost {summary['expected_cost_musd']:,.1f}" in out
    assert out.index("CVaR") < out.index("base scenario (undisturbed)")


def test_two_parameter_sweep_prints_a_pivot(run_gasmix):
    done = run_narrow(run_gasmix, "sweep", "--param", "cap.US=0.6:1.0:0.2", "--param",
                      "price.HH=1,1.5,2", columns=80)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    title = next(i for i, line in enumerate(lines) if line.startswith("cash cost, MUSD: cap.US down, price.HH across"))
    header = lines[title + 1].split()
    assert header == ["cap.US", "1", "1.5", "2"]
    table = pd.read_csv(run_gasmix.cwd / "sweep" / "sweep.csv")
    rows = lines[title + 2:title + 5]
    assert [r.split()[0] for r in rows] == ["60%", "80%", "100%"]
    for line, cap in zip(rows, (0.6, 0.8, 1.0)):
        for cell, price in zip(line.split()[1:], (1, 1.5, 2)):
            point = table[(table["cap.US"].round(6) == cap) & (table["price.HH"] == price)].iloc[0]
            shed = "*" if point["unserved_bcf"] > 0.05 else ""
            assert cell == f"{point['cash_cost_musd']:,.1f}{shed}"
    assert "(* leaves demand unserved)" in lines[title]  # 60% sheds demand
