"""Fuzzing the case tables: a small valid case, one cell (or row, or column) made hostile
— huge numbers, NaN, inf, negatives, empty cells, control characters, formula-like text,
unicode, very long strings, wrong types, duplicate ids, missing columns — then the real
command line `gasmix validate` and `gasmix solve`. Whatever the input, the answer is an exit
code of 0, 2 or 3 with a message, never a traceback.

Most examples run in-process (click's CliRunner, which catches any exception the command
lets out); a few run the installed `gasmix` in a subprocess. Hypothesis's `deadline` bounds
each example generously; the number of examples keeps the whole file to well under a minute.
"""

from __future__ import annotations

import csv
import subprocess
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl.utils.exceptions import IllegalCharacterError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import gasmix_command
from gasmix.cli import main
from gasmix.models.workbook import write_case_workbook

ALLOWED = (0, 2, 3)
PERIODS = [f"2026-0{m}" for m in range(1, 4)]


def small_case(folder: Path) -> Path:
    """A valid case touching most tables: 3 periods, 2 nodes and an arc, 3 suppliers, a
    hub, storage, a share limit and disruption scenarios."""
    folder.mkdir(parents=True)
    (folder / "case.toml").write_text('[case]\nname = "fuzz"\n[policy]\nmax_share = 0.8\n')
    start = date(2026, 1, 1)
    tables = {
        "periods": [["period", "start", "days"]]
        + [[p, str(start + timedelta(days=31 * i)), "31"] for i, p in enumerate(PERIODS)],
        "nodes": [["node", "name"], ["N1", "North"], ["N2", "South"]],
        "demand": [["node", "period", "demand_mmcfd"]]
        + [[n, p, "100"] for n in ("N1", "N2") for p in PERIODS],
        "suppliers": [["supplier", "name", "risk"], ["US", "United States", "0.3"],
                      ["QA", "Qatar", "0.4"], ["MX", "Mexico", "0.2"]],
        "hub_prices": [["hub", "period", "price_usd_mmbtu"]] + [["HH", p, "3"] for p in PERIODS],
        "entries": [["entry", "kind", "node", "capacity_mmcfd", "tariff_usd_mmbtu"],
                    ["E_US", "pipeline", "N1", "300", "0.2"], ["E_QA", "lng", "N2", "150", "0.4"],
                    ["E_MX", "domestic", "N2", "80", "0"]],
        "sources": [["source", "supplier", "kind", "entry", "hub", "price_multiplier",
                     "price_adder_usd_mmbtu", "max_mmcfd", "description"],
                    ["US_PIPE", "US", "pipeline", "E_US", "HH", "1", "0.5", "", "pipeline"],
                    ["QA_LNG", "QA", "lng", "E_QA", "HH", "1.1", "4", "150", "cargoes"],
                    ["MX_DOM", "MX", "domestic", "E_MX", "", "1", "3.5", "80", "fields"]],
        "arcs": [["arc", "from_node", "to_node", "capacity_mmcfd"], ["A12", "N1", "N2", "120"],
                 ["A21", "N2", "N1", "120"]],
        "storage": [["storage", "node", "working_gas_bcf", "initial_bcf", "injection_mmcfd",
                     "withdrawal_mmcfd"], ["S1", "N2", "10", "5", "50", "50"]],
        "share_limits": [["group_type", "group", "period", "min_share", "max_share"],
                         ["kind", "lng", "", "0.05", ""]],
        "disruptions": [["scenario", "probability", "target_type", "target", "first_period",
                         "last_period", "capacity_factor", "price_multiplier", "description"],
                        ["base", "0.9", "", "", "", "", "", "", "undisturbed"],
                        ["cut", "0.1", "", "", "", "", "", "", "a cut"],
                        ["cut", "", "entry", "E_US", PERIODS[1], PERIODS[1], "0.5", "", "half"]],
    }
    for name, rows in tables.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
    return folder


HOSTILE = st.one_of(
    st.sampled_from([
        "1e308", "-1e308", "1e-300", "nan", "NaN", "inf", "-inf", "-1", "0", "", " ",
        "=1+1", "=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3",
        "\x1b[31mred", "bell\x07", "nul\x00", "tab\there", "line\nbreak", "\u202eevil",
        "[red]x[/red]", "MX:warning:", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "Ünïcödé", "2026-13-45", "TRUE",
        "x" * 10_000, "9" * 400, '"', "a,b", "US", "N1", "HH", "2026-01", "horizon",
    ]),
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
)
FILES = ["periods", "nodes", "demand", "suppliers", "hub_prices", "entries", "sources", "arcs",
         "storage", "share_limits", "disruptions"]


@st.composite
def mutations(draw):
    """(table, operation, row, column, value): what to do to one table."""
    table = draw(st.sampled_from(FILES))
    operation = draw(st.sampled_from(["cell", "cell", "cell", "duplicate", "drop_column",
                                      "append"]))
    return table, operation, draw(st.integers(0, 10)), draw(st.integers(0, 10)), draw(HOSTILE)


def mutate(folder: Path, mutation) -> None:
    table, operation, row, column, value = mutation
    path = folder / f"{table}.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    width = len(rows[0])
    if operation == "cell":
        rows[row % len(rows)][column % width] = value
    elif operation == "duplicate":
        rows.append(list(rows[1 + row % (len(rows) - 1)]))
    elif operation == "drop_column" and width > 1:  # keep a header: the workbook writer needs one
        rows = [r[:column % width] + r[column % width + 1:] for r in rows]
    elif operation == "append":
        rows.append([value] * width)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def answered(result) -> None:
    """Exit 0, 2 or 3, ended by the command itself (no exception let out)."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in ALLOWED, result.output
    assert "Traceback" not in result.output


@settings(max_examples=50, deadline=30_000, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(mutation=st.lists(mutations(), min_size=1, max_size=2),
       workbook=st.booleans())
def test_hostile_cells_never_make_a_traceback(mutation, workbook):
    with tempfile.TemporaryDirectory() as work:
        folder = small_case(Path(work) / "case")
        for m in mutation:
            mutate(folder, m)
        case = folder
        if workbook:
            case = Path(work) / "case.xlsx"
            try:
                write_case_workbook(folder, case)
            except IllegalCharacterError:  # a workbook cannot hold it: the CSV case can
                assume(False)
        runner = CliRunner()
        answered(runner.invoke(main, ["validate", str(case)]))
        answered(runner.invoke(main, ["solve", str(case), "-q", "-o", str(Path(work) / "plan")]))


def test_the_small_case_solves():
    """The base of the fuzzing is valid: mutations start from a case that solves."""
    with tempfile.TemporaryDirectory() as work:
        folder = small_case(Path(work) / "case")
        result = CliRunner().invoke(main, ["solve", str(folder), "-q", "-o", str(Path(work) / "plan")])
        assert result.exit_code == 0, result.output


@settings(max_examples=4, deadline=60_000, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(mutation=mutations())
def test_hostile_cells_through_the_installed_command(mutation):
    with tempfile.TemporaryDirectory() as work:
        folder = small_case(Path(work) / "case")
        mutate(folder, mutation)
        for args in (["validate", str(folder)], ["solve", str(folder), "-q", "-o", str(Path(work) / "p")]):
            done = subprocess.run([*gasmix_command(), *args], capture_output=True, text=True,
                                  timeout=120)
            assert done.returncode in ALLOWED, done.stderr
            assert "Traceback" not in done.stderr
