"""The gasmix command line: parse, call the library, print, exit.

Exit codes (optimizer/errors.py holds the mapping): 0 a plan was written; 2 bad input or
usage; 3 the policy is infeasible (diagnosis printed); 4 the solver failed or stopped
without a plan; 130 interrupted.

This module imports click and nothing heavy: `gasmix --help`, `gasmix --version` and
`gasmix CMD --help` load neither numpy, pandas, HiGHS, PuLP nor rich. A command imports the
library, and the terminal output layer (optimizer/output/terminal.py), when it runs.
"""

from __future__ import annotations

import contextlib
import functools
import math
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import NoReturn

import click

# The option choices, defaults and exit codes come from modules that load no numpy, pandas
# or solver (tests/test_startup.py holds them to that).
from .models.schema import SHARE_BASES, SHARE_OF
from .optimizer.errors import EXIT_INFEASIBLE, EXIT_INPUT, EXIT_SOLVER
from .optimizer.grid import DEFAULT_CHUNK_SIZE, DEFAULT_RISK_WEIGHTS, DEFAULT_SHARES, TRADE_OFFS
from .optimizer.lp import SOLVERS

# `--scenarios` with no FILE: the case's own disruptions.csv.
CASE_SCENARIOS = "<case>"


# --- failing -----------------------------------------------------------------------------

def _fail(message: str, code: int) -> NoReturn:
    from .optimizer.output.terminal import print_error

    print_error(message)
    sys.exit(code)


def _cannot_write(what: str, exc: OSError) -> NoReturn:
    """An output could not be written (no space, no permission, …): why, and what is on
    disk. Outputs are swapped in whole, so any not named as written is as it was."""
    from .optimizer.output.files import on_disk

    _fail(f"cannot write the {what}: {exc}; {on_disk()}", EXIT_INPUT)


def _fail_on(exc: Exception, prefix: str = "") -> NoReturn:
    """Exit with the code optimizer.errors gives `exc`, saying why: a case error's report
    (file, row, column, value, rule), a solver's failure as such, else `prefix` and the
    exception's own words."""
    from .optimizer.errors import CaseError, exit_code

    code = exit_code(exc)
    if code is None:  # not one of gasmix's: a bug, to be seen with its traceback
        raise exc
    if isinstance(exc, CaseError):
        _fail(exc.report(), code)
    if code == EXIT_SOLVER:
        _fail(f"the solver gave no plan ({exc})", code)
    _fail(prefix + str(exc), code)


# --- parsing -----------------------------------------------------------------------------

@contextlib.contextmanager
def _visible_click_errors():
    """click's own errors quote what was typed ("No such option: --…"): their control
    characters are shown as escapes, as in every message gasmix prints."""
    from .models.safe_text import visible

    try:
        yield
    except click.ClickException as exc:
        exc.message = visible(exc.message, keep="\n")
        raise


class _Commands(click.Group):
    """The gasmix group: parsing and running each command with _visible_click_errors."""

    def make_context(self, *args, **kwargs):
        with _visible_click_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx):
        with _visible_click_errors():
            return super().invoke(ctx)


def _named_output(ctx, param, value):
    """An output path given as '' is a mistake, not the current folder ('' reads as '.')."""
    if value is not None and not value.strip():
        raise click.BadParameter("the output path is empty: name a file or folder")
    return value


def _pairs(values: tuple[str, ...], option: str) -> list[tuple[str, str]]:
    pairs = []
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise click.BadParameter(f"{item!r}: expected KEY=VALUE", param_hint=option)
        pairs.append((key.strip(), value.strip()))
    return pairs


def _share(text: str, option: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a number", param_hint=option) from None
    if not 0.0 <= value <= 1.0:
        raise click.BadParameter(f"{text} is not a share between 0 and 1", param_hint=option)
    return value


def _check_finite(time_limit: float | None) -> None:
    # FloatRange takes "inf"; a time limit must be a number of seconds.
    if time_limit is not None and not math.isfinite(time_limit):
        raise click.BadParameter("must be a finite number of seconds", param_hint="--time-limit")


def _load(case_dir: str | None):
    """CASE: a case folder or workbook; the name of an embedded case (`mexico-2024`) where
    no such path exists; the embedded Mexico case when not given."""
    from .models import default_case_path, embedded_cases, load_case
    from .optimizer.errors import CaseError, MissingExtra

    if case_dir is not None and not case_dir.strip():  # '' is a mistake, not "the default"
        raise click.BadParameter("empty: give a case folder, a workbook or an embedded case's "
                                 "name (leave CASE out for the Mexico case)", param_hint="CASE")
    try:
        if case_dir and not Path(case_dir).exists() and case_dir in embedded_cases():
            return load_case(default_case_path(case_dir))
        return load_case(case_dir if case_dir else default_case_path())
    except (CaseError, MissingExtra) as exc:
        _fail_on(exc)


def _apply_settings(case, sets: tuple[str, ...]):
    """`--set KEY=VALUE`: case settings go into the case, policy settings into the solve's
    choices; each value is checked as case.toml's would be."""
    from .models import SCALAR_SETTINGS, check_setting

    settings, choices = {}, {}
    for key, value in _pairs(sets, "--set"):
        setting = SCALAR_SETTINGS.get(key)
        if setting is None:
            raise click.BadParameter(f"unknown setting {key!r} (known: {', '.join(SCALAR_SETTINGS)})",
                                     param_hint="--set")
        checked = check_setting(key, value)
        if isinstance(checked, str):
            raise click.BadParameter(f"{key}={value}: {checked}", param_hint="--set")
        if setting.section == "settings":
            settings[key] = checked[0]
        else:
            choices[{"risk_weight_usd_mmbtu": "risk_weight"}.get(key, key)] = checked[0]
    if not settings:
        return case, choices
    from .models import CaseError
    try:
        return case.with_settings(**settings), choices
    except CaseError as exc:  # a value the case's other rules refuse with these settings
        raise click.BadParameter(exc.report(), param_hint="--set") from None


# --- the policy options, declared once ---------------------------------------------------

@dataclass(frozen=True)
class PolicyOptions:
    """The policy as given on the command line: solve's policy, or a study's base policy.
    Values are checked when laid over the case (`case_and_choices`)."""

    caps: tuple[str, ...]
    max_share: float | None
    risk_weight: float | None
    exclude: tuple[str, ...]
    admit: tuple[str, ...]
    share_basis: str | None
    share_of: str | None
    storage_days: float | None
    cover_days: float | None
    min_n1: float | None
    sets: tuple[str, ...]

    def case_and_choices(self, case_dir: str | None):
        """The case (with the case settings of --set) and the keyword choices of a solve."""
        caps = {k: _share(v, "--cap") for k, v in _pairs(self.caps, "--cap")}
        case, choices = _apply_settings(_load(case_dir), self.sets)
        # Ranges and finiteness are checked with the policy (one place for the CLI, case.toml
        # and the library); a bad value exits 2 from there.
        given = dict(caps=caps, max_share=self.max_share, risk_weight=self.risk_weight,
                     exclude=list(self.exclude), admit=list(self.admit),
                     share_basis=self.share_basis,
                     share_of=self.share_of, storage_days=self.storage_days,
                     cover_days=self.cover_days, min_n1=self.min_n1)
        choices.update({k: v for k, v in given.items() if v not in (None, {}, [])})
        return case, choices


# Each policy option: its declarations and settings, its help in `solve`, and its help
# where it sets a study's base policy (None: the same words).
_POLICY_OPTIONS = (
    (("--cap", "caps"), dict(multiple=True, metavar="SUPPLIER=SHARE"),
     "Cap one supplier's share of supply, e.g. --cap US=0.6. Repeatable.",
     "Base policy: cap one supplier's share, e.g. --cap US=0.6. Repeatable."),
    (("--max-share",), dict(type=float, default=None, metavar="SHARE"),
     "Cap every supplier's share (a --cap for a supplier overrides it).",
     "Base policy: cap every supplier's share."),
    (("--risk-weight",), dict(type=float, default=None, metavar="USD"),
     "λ in USD/MMBtu per unit of supplier risk score (penalty, not cash).",
     "Base policy: λ in USD/MMBtu per unit of risk score."),
    (("--exclude",), dict(multiple=True, metavar="SUPPLIER"),
     "Exclude a supplier outright (e.g. sanctions). Repeatable.",
     "Base policy: exclude a supplier. Repeatable."),
    (("--admit",), dict(multiple=True, metavar="OFFER"),
     "Admit an offer (sources.csv offer, e.g. a sanctioned supplier's LNG): unavailable "
     "unless admitted. Repeatable.",
     "Base policy: admit an offer. Repeatable."),
    (("--share-basis",), dict(type=click.Choice(SHARE_BASES), default=None),
     "Caps hold in every period, or volume-weighted over the horizon.", None),
    (("--share-of",), dict(type=click.Choice(SHARE_OF), default=None),
     "Shares of all supply, or of imports only.", None),
    (("--storage-days",), dict(type=float, default=None, metavar="DAYS"),
     "Strategic floor: total stock ≥ DAYS of average demand in every period.", None),
    (("--cover-days",), dict(type=float, default=None, metavar="DAYS"),
     "Supply-loss cover: total stock ≥ DAYS of each import supplier's flow.", None),
    (("--min-n1",), dict(type=float, default=None, metavar="PCT"),
     "Require the N−1 standard (%) in every period (exit 3 if the infrastructure cannot "
     "meet it).",
     "Require the N−1 standard (%) in every period."),
    (("--set", "sets"), dict(multiple=True, metavar="KEY=VALUE"),
     "Override a scalar case setting, e.g. --set voll_usd_mmbtu=200. Repeatable.",
     "Override a scalar case setting, e.g. --set voll_usd_mmbtu=200."),
)


def policy_options(base: bool = False):
    """Put the policy options on a command, which receives them as one `policy`
    (PolicyOptions). `base`: worded as a study's base policy rather than solve's."""
    def decorate(command):
        @functools.wraps(command)
        def with_policy(**params):
            policy = PolicyOptions(**{field.name: params.pop(field.name)
                                      for field in fields(PolicyOptions)})
            return command(policy=policy, **params)

        for declarations, settings, solve_help, base_help in reversed(_POLICY_OPTIONS):
            words = (base_help or solve_help) if base else solve_help
            with_policy = click.option(*declarations, help=words, **settings)(with_policy)
        return with_policy
    return decorate


def scale_options(command):
    """Where a study's points run, and how long each may take."""
    for option in reversed([
        click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Local worker processes."),
        click.option("--scheduler", default=None, metavar="ADDRESS",
                     help="A running Dask scheduler, e.g. tcp://10.0.0.5:8786 (needs gasmix[dask])."),
        click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
                     metavar="SECONDS", help="Per point: stop the solver after this many seconds."),
    ]):
        command = option(command)
    return command


# --- checks before long work -------------------------------------------------------------

def _check_output(path, kind: str) -> None:
    """An output folder that cannot be written is found before solving, not after."""
    from .optimizer.errors import PlanWriteError
    from .optimizer.output.files import check_target

    try:
        check_target(Path(path), kind)
    except PlanWriteError as exc:
        _fail_on(exc, f"cannot write the {kind}: ")


def _check_file_output(path, kind: str) -> None:
    """An output file (a JSON plan, a workbook) whose folder cannot be written is found
    before solving, not after."""
    from .optimizer.errors import PlanWriteError
    from .optimizer.output.files import check_file

    try:
        check_file(Path(path))
    except PlanWriteError as exc:
        _fail_on(exc, f"cannot write the {kind}: ")


def _check_report_target(target: str) -> None:
    from .optimizer.output import report

    from .optimizer.errors import PlanWriteError
    from .optimizer.output.files import check_file

    path = Path(target)
    if path.suffix.lower() not in (".html", ".htm"):
        raise click.BadParameter(f"{target!r}: a report's name must end in .html", param_hint="--report")
    try:
        check_file(path)  # a link is refused, a folder named
    except PlanWriteError as exc:
        _fail_on(exc, "cannot write the report: ")
    if path.exists() and (path.is_dir() or not report.is_report(path)):
        _fail(f"cannot write the report: {target} exists and is not a gasmix report; choose a new "
              "file name", EXIT_INPUT)


def _write_report(make, target: str, kind: str, quiet: bool) -> None:
    """Render a report (`make(step)` → HTML) with a progress bar, and write it."""
    from .optimizer.errors import MissingExtra, ReportError
    from .optimizer.output import report
    from .optimizer.output.terminal import steps

    try:
        with steps(quiet, "drawing the report", report.chart_count(kind)) as step:
            html = make(step)
        report.write_report(html, target)
    except (MissingExtra, ReportError) as exc:
        _fail_on(exc)
    except OSError as exc:
        _cannot_write("report", exc)


# --- the commands ------------------------------------------------------------------------

# Ctrl-C, SIGTERM and a closed standard output are handled where the command starts,
# __main__.run (the console script), before this module is even imported.
@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gasmix")
def main():
    """gasmix: the least-cost, diversified natural-gas supply plan for an importing country.

    \b
    Example:
      gasmix solve --cap US=0.6 -o plan-us60
    """


@main.command("solve")
@click.argument("case_dir", metavar="[CASE]", required=False, type=click.Path())
@click.option("-o", "--output", callback=_named_output, default=None,
              help="Plan folder (csv) or file (json, '-' for standard output; xlsx). "
                   "Default: plan/, plan.json or plan.xlsx.")
@policy_options()
@click.option("--solver", type=click.Choice(SOLVERS), default="highs", show_default=True)
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              metavar="SECONDS", help="Stop the solver after this many seconds.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "xlsx"]), default="csv",
              show_default=True,
              help="csv: a folder of tables + summary.json; json: one JSON document; "
                   "xlsx: one Excel workbook (summary sheet + a sheet per table).")
@click.option("--report", "report_file", callback=_named_output, type=click.Path(dir_okay=False), default=None, metavar="FILE.html",
              help="Also write an HTML report of the plan (charts; needs gasmix[charts]).")
@click.option("--scenarios", "scenarios", is_flag=False, flag_value=CASE_SCENARIOS, default=None,
              metavar="[FILE]", help="Two-stage stochastic plan over the disruption scenarios "
              "(FILE, default the case's disruptions.csv).")
@click.option("--cvar-alpha", type=float, default=0.95, show_default=True, metavar="ALPHA",
              help="CVaR level α of the stochastic plan.")
@click.option("--cvar-weight", type=float, default=0.0, show_default=True, metavar="W",
              help="Weight W of CVaR against expected cost (0: risk-neutral, 1: CVaR only).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def solve_command(case_dir, output, policy, solver, time_limit, fmt, report_file, scenarios,
                  cvar_alpha, cvar_weight, quiet):
    """Solve CASE for the cheapest supply mix under the policy and write the plan.

    \b
    Examples:
      gasmix solve                              # embedded Mexico case → plan/
      gasmix solve --cap US=0.6 -o plan-us60    # no more than 60% from the US, every month
      gasmix solve --max-share 0.5 --risk-weight 2 --exclude RU --format json -o plan.json
      gasmix solve my-case/ --set voll_usd_mmbtu=250 --solver cbc
      gasmix solve --cap US=0.5 --format json -o - | jq .summary.cash_cost_musd
      gasmix solve --cap US=0.6 --format xlsx -o us60.xlsx --report us60.html
      gasmix solve --cover-days 1 --storage-days 1 -o plan-cover
      gasmix solve --scenarios --cvar-weight 0.5 -o plan-risk   # risk-averse two-stage plan
    """
    import json

    from .models.extras import require
    from .optimizer import solve, solve_stochastic
    from .optimizer.errors import CaseError, InfeasiblePolicy, MissingExtra, SolverFailure
    from .optimizer.output import report, terminal
    from .optimizer.output.plan_files import TABLE_NAMES

    if output == "-" and fmt != "json":
        raise click.BadParameter("'-' (standard output) needs --format json", param_hint="-o")
    if scenarios is None:
        ctx = click.get_current_context()
        given = [f"--{name.replace('_', '-')}" for name in ("cvar_weight", "cvar_alpha")
                 if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT]
        if given:
            raise click.UsageError(f"{' and '.join(given)} {'shapes' if len(given) == 1 else 'shape'} the stochastic plan: add "
                                   "--scenarios [FILE] (without it the plan is deterministic)")
    if output not in (None, "-"):
        from .optimizer.output.plan_files import plan_format
        try:
            plan_format(output, fmt)  # the name must say the format: one rule, the library's
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="-o") from None
    if report_file:  # a report that cannot be written is found before the solve, not after
        _check_report_target(report_file)
    # Missing extras are found before the solve, not after minutes of it.
    try:
        if fmt == "xlsx":
            require("openpyxl", "excel", "--format xlsx")
        if report_file:
            require("matplotlib", "charts", "--report")
    except MissingExtra as exc:
        _fail_on(exc)
    _check_finite(time_limit)
    case, choices = policy.case_and_choices(case_dir)
    if fmt == "csv" and output != "-":
        _check_output(output or "plan", "plan")
    elif output != "-":
        _check_file_output(output or f"plan.{fmt}", "plan")
    if fmt == "xlsx":  # a table longer than a sheet is found before the solve, not after
        from .optimizer.errors import PlanWriteError
        from .optimizer.output.preflight import check_workbook_rows, plan_table_rows

        try:
            check_workbook_rows(plan_table_rows(case), "plan")
        except PlanWriteError as exc:
            _fail_on(exc, "cannot write the plan as a workbook: ")
    try:
        with terminal.busy(quiet or output == "-", "solving"):
            if scenarios is None:
                plan = solve(case, solver=solver, time_limit=time_limit, **choices)
            else:
                plan = solve_stochastic(case, scenarios=None if scenarios == CASE_SCENARIOS else scenarios,
                                        cvar_alpha=cvar_alpha, cvar_weight=cvar_weight, solver=solver,
                                        time_limit=time_limit, **choices)
    except (CaseError, InfeasiblePolicy, SolverFailure) as exc:
        _fail_on(exc)
    if output == "-":
        click.echo(json.dumps(plan.to_dict(), allow_nan=False))
        if report_file:
            _write_report(lambda step: report.plan_report(plan.summary, plan.tables(), step),
                          report_file, "plan", True)
        return
    target = Path(output) if output else Path({"json": "plan.json", "xlsx": "plan.xlsx"}.get(fmt, "plan"))
    try:
        with terminal.steps(quiet, "writing the plan", len(TABLE_NAMES) + 1) as step:
            written = plan.write(target, format=fmt, progress=step)
    except OSError as exc:  # PlanWriteError among them
        _cannot_write("plan", exc)
    replaced = bool(report_file) and Path(report_file).exists()
    if report_file:
        _write_report(lambda step: report.plan_report(plan.summary, plan.tables(), step),
                      report_file, "plan", quiet)
    if not quiet:
        terminal.print_summary(terminal.out, plan, written)
        if "stochastic" in plan.summary:
            terminal.print_stochastic(terminal.out, plan)
        if report_file:
            terminal.print_report_written(terminal.out, report_file, replaced=replaced)


@main.command("report")
@click.argument("sources", metavar="SOURCE...", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", callback=_named_output, default=None, metavar="FILE.html",
              help="The HTML file to write. Default: report.html inside a folder SOURCE, "
                   "NAME.html beside a JSON plan NAME.json; required to compare plans. Only a "
                   "previous gasmix report is ever replaced, and the command says so.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def report_command(sources, output, quiet):
    """Write one self-contained HTML report (inline charts, no network) of a plan folder,
    a JSON plan, a sweep, frontier or stress folder — or, given two or more plans, a
    comparison of them (the first is the reference).

    \b
    Examples:
      gasmix solve --cap US=0.6 -o us60 && gasmix report us60     # → us60/report.html
      gasmix report sweep-us-cap/ -o sweep.html
      gasmix report base us60 us60h -o compare.html                # what the caps change
    """
    from .optimizer.errors import ReportError
    from .optimizer.output import report, terminal
    from .optimizer.output.files import repair_beside

    for source in sources:
        repair_beside(Path(source))  # a plan a killed run had moved aside is put back first
    try:
        kinds = [report.report_kind(Path(source)) for source in sources]
    except ReportError as exc:
        _fail_on(exc)
    if len(sources) > 1:
        if any(kind != "plan" for kind in kinds):
            _fail(f"only plans can be compared: {', '.join(f'{s} is a {k}' for s, k in zip(sources, kinds) if k != 'plan')}",
                  EXIT_INPUT)
        if output is None:
            raise click.UsageError("comparing plans: name the report with -o FILE.html")
    target = output or str(report.default_report_path(Path(sources[0])))
    _check_report_target(target)
    replaced = Path(target).exists()
    kind = "comparison" if len(sources) > 1 else kinds[0]
    _write_report(lambda step: report.render(list(sources), step), target, kind, quiet)
    for source in map(Path, sources):  # a report written into an output folder joins it
        if source.is_dir() and Path(target).parent.resolve() == source.resolve():
            report.register_report(source, Path(target))
    if not quiet:
        terminal.print_report_written(terminal.out, target, kind, replaced)


@main.command("stress")
@click.argument("case_dir", metavar="[CASE]", required=False, type=click.Path())
@click.option("-o", "--output", callback=_named_output, default="stress", show_default=True,
              help="Folder for stress.csv and summary.json.")
@click.option("--scenarios", "scenarios", default=None, metavar="FILE",
              help="Disruptions file (default: the case's disruptions.csv).")
@click.option("--solver", type=click.Choice(SOLVERS), default="highs", show_default=True)
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              metavar="SECONDS")
@policy_options(base=True)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def stress_command(case_dir, output, scenarios, solver, time_limit, policy, quiet):
    """The deterministic plan's commitments under each disruption scenario.

    Contracted volumes and storage injections are fixed as the deterministic plan chose
    them; each scenario's operations are re-solved. Writes stress.csv (cost, change from
    base, unserved gas, average and peak marginal cost per scenario).

    \b
    Examples:
      gasmix stress -o stress
      gasmix stress --cover-days 1 --scenarios my-disruptions.csv
    """
    from .optimizer import stress_test
    from .optimizer.errors import CaseError, InfeasiblePolicy, SolverFailure
    from .optimizer.output import terminal
    from .optimizer.output.studies import write_stress

    _check_finite(time_limit)
    case, choices = policy.case_and_choices(case_dir)
    _check_output(output, "stress")
    try:
        table, plan = stress_test(case, scenarios=scenarios, solver=solver, time_limit=time_limit,
                                  **choices)
    except (CaseError, InfeasiblePolicy, SolverFailure) as exc:
        _fail_on(exc)
    try:
        written = write_stress(table, plan.summary, output, plan.extra.get("short_events"))
    except OSError as exc:  # PlanWriteError among them
        _cannot_write("stress test", exc)
    if not quiet:
        terminal.print_stress(terminal.out, table, plan, written)


@main.command("offer")
@click.argument("offer")
@click.argument("case_dir", metavar="[CASE]", required=False, type=click.Path())
@click.option("-o", "--output", callback=_named_output, default="offer", show_default=True,
              help="Folder for offer.csv and offer.json.")
@click.option("--cutoff-probability", type=click.FloatRange(0, 1), default=0.2,
              show_default=True, metavar="P",
              help="Probability that the offered supply is cut off (sanctions enforced).")
@click.option("--cutoff-from", default=None, metavar="PERIOD",
              help="First period of the cut-off (default: the horizon's start).")
@click.option("--cvar-alpha", type=click.FloatRange(0, 1, max_open=True), default=0.95,
              show_default=True, metavar="ALPHA", help="CVaR level over the two states.")
@click.option("--solver", type=click.Choice(SOLVERS), default="highs", show_default=True,
              help="The LP solver.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              metavar="SECONDS", help="Stop each solve after this many seconds.")
@policy_options(base=True)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def offer_command(offer, case_dir, output, cutoff_probability, cutoff_from, cvar_alpha, solver,
                  time_limit, policy, quiet):
    """What accepting OFFER is worth: cost with and without it, its share and risk penalty,
    and the plan's cost and unserved gas if the offered supply is then cut off.

    An offer is a set of sources (sources.csv offer, e.g. a sanctioned supplier's LNG),
    unavailable unless admitted (--admit). Writes offer.csv and offer.json.

    \b
    Examples:
      gasmix offer RU_LNG -o offer-ru
      gasmix offer RU_LNG --cutoff-probability 0.5 --cutoff-from 2027-01 --cap US=0.6
    """
    from .optimizer.errors import CaseError, InfeasiblePolicy, SolverFailure
    from .optimizer.offers import offer_value
    from .optimizer.output import terminal
    from .optimizer.output.studies import write_offer

    _check_finite(time_limit)
    case, choices = policy.case_and_choices(case_dir)
    _check_output(output, "offer")
    try:
        study = offer_value(case, offer, cutoff_probability=cutoff_probability,
                            cutoff_from=cutoff_from, cvar_alpha=cvar_alpha, solver=solver,
                            time_limit=time_limit, **choices)
    except (CaseError, InfeasiblePolicy, SolverFailure) as exc:
        _fail_on(exc)
    try:
        written = write_offer(study.table, study.summary, output)
    except OSError as exc:
        _cannot_write("offer study", exc)
    if not quiet:
        terminal.print_offer(terminal.out, study, written)


@main.command("validate")
@click.argument("case_dir", metavar="[CASE]", required=False, type=click.Path())
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def validate_command(case_dir, quiet):
    """Check CASE and report every problem at once (exit 2 if there is any).

    \b
    Example:
      gasmix validate my-case/
    """
    case = _load(case_dir)
    if not quiet:
        from .optimizer.output import terminal

        terminal.print_validated(terminal.out, case)


@main.command("init")
@click.argument("directory", required=False, callback=_named_output, type=click.Path(file_okay=False))
@click.option("--xlsx", "workbook", callback=_named_output, type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Write the case as one Excel workbook FILE (a sheet per table + a case sheet) "
                   "instead of a folder.")
@click.option("--case", "case_name", default="mexico", show_default=True, metavar="NAME",
              help="The embedded case to write: mexico (2026–27) or mexico-2024 (the 2024 "
                   "backcast).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def init_command(directory, workbook, case_name, quiet):
    """Write an embedded case to DIRECTORY (or to a workbook), to edit and solve.

    \b
    Examples:
      gasmix init my-case && gasmix solve my-case --cap US=0.6
      gasmix init --xlsx mexico.xlsx && gasmix solve mexico.xlsx
      gasmix init --case mexico-2024 backcast && gasmix solve backcast
    """
    if (directory is None) == (workbook is None):
        raise click.UsageError("give a DIRECTORY or --xlsx FILE (one of them)")
    from .models import default_case_path
    from .optimizer.errors import CaseError, MissingExtra
    from .optimizer.output import terminal
    from .optimizer.output.cases import write_case_folder, write_case_xlsx

    try:
        source = default_case_path(case_name)
    except CaseError as exc:
        _fail_on(exc)
    if workbook is not None:
        target = Path(workbook)
        if target.suffix.lower() != ".xlsx":
            raise click.BadParameter(f"{workbook!r}: the workbook's name must end in .xlsx",
                                     param_hint="--xlsx")
        try:
            with terminal.busy(quiet, "writing the workbook"):
                write_case_xlsx(source, target)
        except MissingExtra as exc:
            _fail_on(exc)
        except OSError as exc:
            _cannot_write("case", exc)
    else:
        target = Path(directory)
        try:
            write_case_folder(source, target)  # only into a new or empty folder
        except OSError as exc:
            _cannot_write("case", exc)
    if not quiet:
        terminal.print_case_written(terminal.out, target, workbook=workbook is not None,
                                    name=case_name)


# --- sweeps and frontiers ----------------------------------------------------------------

def _run_study(run, total: int, label: str, workers: int, scheduler: str | None, quiet: bool):
    """`run(executor, progress)` with a progress bar on a terminal; failures exit with
    their codes."""
    from .optimizer.errors import CaseError, ScaleOutError, SweepError
    from .optimizer.executors import executor_for
    from .optimizer.output.terminal import study_progress

    try:
        with executor_for(workers, scheduler) as executor, \
                study_progress(label, total, quiet) as progress:
            return run(executor, progress)
    except (CaseError, SweepError, ScaleOutError) as exc:
        _fail_on(exc)


def _no_plan_at_all(table, output: str) -> None:
    """A study whose every point failed is written (the statuses say why) but exits with
    the code `solve` would give, so a script does not take an empty table for an answer:
    2 if every point's limits contradict each other, 3 if every point is infeasible (or
    either), else 4 (time limits, solver failures)."""
    statuses = set(table["status"])
    if "optimal" in statuses:
        return
    if statuses == {"invalid"}:
        code = EXIT_INPUT
    elif statuses <= {"invalid", "infeasible"}:
        code = EXIT_INFEASIBLE
    else:
        code = EXIT_SOLVER
    _fail(f"no point gave an optimal plan (statuses in {output}/); see the message column", code)


def _study_target(output: str | None, fmt: str, kind: str) -> str:
    """Where a sweep or frontier goes: a folder (csv) or a workbook (xlsx), checked before
    any solving — a foreign folder or file is never replaced, openpyxl must be there."""
    if fmt == "csv":
        target = output or kind
        if Path(target).suffix.lower() == ".xlsx":
            raise click.BadParameter(f"{target!r} is a workbook name: add --format xlsx",
                                     param_hint="-o")
        _check_output(target, kind)
        return target
    from .models.extras import require
    from .optimizer.errors import MissingExtra
    from .optimizer.output.study_workbooks import is_study_workbook

    target = output or f"{kind}.xlsx"
    if Path(target).suffix.lower() != ".xlsx":
        raise click.BadParameter(f"{target!r}: a workbook's name must end in .xlsx", param_hint="-o")
    try:
        require("openpyxl", "excel", "--format xlsx")
    except MissingExtra as exc:
        _fail_on(exc)
    path = Path(target)
    if path.exists() and (path.is_dir() or not is_study_workbook(path, kind)):
        _fail(f"cannot write the {kind}: {target} exists and is not a gasmix {kind} workbook; "
              "choose a new file name", EXIT_INPUT)
    _check_file_output(target, kind)
    return target


def _jsonable(choices: dict) -> dict:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in choices.items()}


@main.command("sweep")
@click.argument("case_dir", metavar="[CASE]", required=False, type=click.Path())
@click.option("--param", "params", multiple=True, required=True, metavar="KEY=SPEC",
              help="A parameter and its values: start:stop:step or a comma list. Keys: cap.<SUPPLIER>, "
                   "max_share, risk_weight, voll, price.<HUB>, demand, capacity.<ENTRY> "
                   "(multipliers for price, demand, capacity), exclude (e.g. none,RU,RU+QA). "
                   "Several --param: every combination.")
@click.option("-o", "--output", callback=_named_output, default=None,
              help="Output folder (csv; default sweep/) or workbook (xlsx; default sweep.xlsx).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True,
              help="csv: a folder (sweep.csv, sweep.json, sweep.png); xlsx: one Excel workbook "
                   "(points, a pivot of the first two parameters, about).")
@scale_options
@click.option("--chunk-size", type=click.IntRange(min=1), default=DEFAULT_CHUNK_SIZE, show_default=True,
              help="Points per task: each starts from the same reference basis, so the table does not "
                   "depend on where chunks ran.")
@policy_options(base=True)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def sweep_command(case_dir, params, output, fmt, workers, scheduler, time_limit, chunk_size, policy,
                  quiet):
    """Solve CASE over a grid of parameters; write sweep.csv and sweep.png.

    \b
    Examples:
      gasmix sweep --param cap.US=0.4:1.0:0.05 -o sweep-us-cap
      gasmix sweep --param risk_weight=0:5:0.25 --param price.HH=1,1.5,2 -o sweep-risk
      gasmix sweep --param demand=0.9:1.2:0.05 --workers 2 -o sweep-demand
      gasmix sweep --param exclude=none,RU,RU+QA --scheduler tcp://127.0.0.1:8786 -o sweep-exclude
      gasmix sweep --param cap.US=0.5:1:0.05 --param price.HH=1,1.5 --format xlsx -o sweep.xlsx
    """
    from .optimizer import make_grid, sweep
    from .optimizer.errors import SweepError
    from .optimizer.output import terminal
    from .optimizer.output.studies import write_sweep

    output = _study_target(output, fmt, "sweep")
    case, choices = policy.case_and_choices(case_dir)
    spec = dict(_pairs(params, "--param"))
    if len(spec) != len(params):
        raise click.BadParameter("a parameter is given twice", param_hint="--param")
    try:
        grid = make_grid(case, spec)
    except SweepError as exc:
        _fail_on(exc, "--param: ")
    table = _run_study(lambda executor, progress: sweep(case, grid, executor, time_limit=time_limit,
                                                        chunk_size=chunk_size, progress=progress,
                                                        **choices),
                       len(grid), "sweep", workers, scheduler, quiet)
    about = {"case": case.name, "title": f"{case.title or case.name}: sweep over {', '.join(grid.keys)}",
             "base_policy": _jsonable(choices), "seconds": table.attrs.get("seconds"),
             "names": {s.id: s.name for s in case.suppliers if s.name}}
    try:
        if fmt == "xlsx":
            from .optimizer.output.study_workbooks import write_sweep_workbook
            write_sweep_workbook(table, Path(output), grid.keys, about)
            notes = []
        else:
            notes = write_sweep(table, Path(output), grid.keys, about)
    except OSError as exc:
        _cannot_write("sweep", exc)
    if not quiet:
        terminal.print_sweep(terminal.out, table, grid.keys, Path(output), notes, fmt)
    _no_plan_at_all(table, output)


@main.command("frontier")
@click.argument("case_dir", metavar="[CASE]", required=False, type=click.Path())
@click.option("--trade-off", "trade_offs", type=click.Choice(["both", *TRADE_OFFS]), default="both",
              show_default=True, help="Which trade-off to trace.")
@click.option("--shares", default=DEFAULT_SHARES, show_default=True, metavar="SPEC",
              help="Caps to try (start:stop:step or a list), on every supplier or on --supplier.")
@click.option("--supplier", default=None, metavar="SUPPLIER",
              help="Cap this supplier alone (default: every supplier, max_share).")
@click.option("--risk-weights", default=DEFAULT_RISK_WEIGHTS, show_default=True, metavar="SPEC",
              help="λ values to try, USD/MMBtu per unit of risk score.")
@click.option("-o", "--output", callback=_named_output, default=None,
              help="Output folder (csv; default frontier/) or workbook (xlsx; default frontier.xlsx).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True,
              help="csv: a folder (frontier.csv, frontier.json, frontier.png); xlsx: one Excel "
                   "workbook (points, about).")
@scale_options
@policy_options(base=True)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def frontier_command(case_dir, trade_offs, shares, supplier, risk_weights, output, fmt, workers,
                     scheduler, time_limit, policy, quiet):
    """Trace what diversification and lower risk cost; mark the Pareto-efficient plans.

    \b
    Examples:
      gasmix frontier                                  # both trade-offs, embedded case
      gasmix frontier --supplier US --shares 0.5:1:0.02 --trade-off diversification
      gasmix frontier --trade-off risk --risk-weights 0:10:0.5 -o frontier-risk
      gasmix frontier --format xlsx -o frontier.xlsx
    """
    from .optimizer import frontier, make_grid
    from .optimizer.errors import SweepError
    from .optimizer.output import terminal
    from .optimizer.output.studies import write_frontier

    output = _study_target(output, fmt, "frontier")
    case, choices = policy.case_and_choices(case_dir)
    chosen = TRADE_OFFS if trade_offs == "both" else (trade_offs,)
    if supplier and "diversification" not in chosen:
        raise click.BadParameter("applies to the diversification trade-off only", param_hint="--supplier")
    if supplier and supplier not in {s.id for s in case.suppliers}:
        raise click.BadParameter(f"unknown supplier {supplier!r} (known: "
                                 f"{', '.join(s.id for s in case.suppliers)})", param_hint="--supplier")
    # Parsed early: a bad spec is a usage error before any solving, named by its option;
    # the grids' sizes are the progress bar's total.
    points = 0
    for trade_off, option, key, spec in (("diversification", "--shares", f"cap.{supplier}" if supplier
                                          else "max_share", shares),
                                         ("risk", "--risk-weights", "risk_weight", risk_weights)):
        try:
            grid = make_grid(case, {key: spec})
        except SweepError as exc:
            _fail_on(exc, f"{option} {spec}: ")
        points += len(grid) if trade_off in chosen else 0
    table = _run_study(lambda executor, progress: frontier(
        case, trade_offs=chosen, shares=shares, supplier=supplier, risk_weights=risk_weights,
        executor=executor, time_limit=time_limit, progress=progress, **choices),
        points, "frontier", workers, scheduler, quiet)
    about = {"case": case.name, "title": f"{case.title or case.name}: cost of diversification and risk",
             "base_policy": _jsonable(choices), "supplier": supplier}
    try:
        if fmt == "xlsx":
            from .optimizer.output.study_workbooks import write_frontier_workbook
            write_frontier_workbook(table, Path(output), about)
            notes = []
        else:
            notes = write_frontier(table, Path(output), about)
    except OSError as exc:
        _cannot_write("frontier", exc)
    if not quiet:
        terminal.print_frontier(terminal.out, table, Path(output), notes, fmt)
    _no_plan_at_all(table, output)


if __name__ == "__main__":
    main()
