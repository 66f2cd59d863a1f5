"""One self-contained HTML report of a plan, a sweep, a frontier, a stress test, or a
comparison of plans: reading what gasmix wrote, checking it, and writing the page.

Self-contained means the file makes no network request at all: the CSS is inline, the
charts are inline SVG drawn by matplotlib (charts.py), there is no script (hover values
are SVG titles), and a Content-Security-Policy forbids loading anything, so a report can
be mailed, archived or opened offline and looks the same. It reads well on a laptop and a
phone (each chart drawn for both, html.py) and printed (no chart split across pages).

It reads what gasmix writes: a plan folder (`gasmix solve`: summary.json + CSV tables), a
JSON plan (`--format json`), a sweep folder (sweep.json + sweep.csv), a frontier folder
(frontier.json + frontier.csv), a stress folder (stress.csv + summary.json), or several
plans to compare. The pages are built in report_plan.py and report_studies.py.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd

from ...models.limits import InputRefused, not_regular, read_input
from ...models.safe_text import from_csv_frame
from ..errors import ReportError
from .files import add_to_manifest, write_file
from .html import GENERATOR
from .plan_files import TABLE_NAMES

# What a plan folder must hold, and the columns the report reads from each table.
PLAN_COLUMNS = {
    "flows": ("period", "supplier", "flow_mmcfd"),
    "storage": ("period", "storage", "stock_bcf", "floor_bcf", "working_gas_bcf"),
    "prices": ("period", "node", "demand_mmcfd", "unserved_mmcfd", "marginal_cost_usd_mmbtu"),
    "shares": ("period", "supplier", "share", "cap"),
    "constraints": ("family", "name", "period", "limit", "value", "shadow_price", "unit", "binding"),
    "savings": ("family", "name", "unit", "binding_periods", "binding_in", "horizon_saving",
                "peak_saving", "peak_period"),
}
# Tables that must have rows (a plan always has periods, suppliers, nodes); the others may
# be empty (a case without storage). Columns that may never be empty in a row (a truncated
# file ends in a row with cells missing).
NEED_ROWS = ("flows", "prices", "shares")
NOT_EMPTY = {
    "flows": ("period", "supplier", "flow_mmcfd"),
    "storage": ("period", "storage", "stock_bcf"),
    "prices": ("period", "node", "demand_mmcfd", "unserved_mmcfd"),
    "shares": ("period", "supplier"),
}
NUMERIC = ("flow_mmcfd", "stock_bcf", "floor_bcf", "working_gas_bcf", "demand_mmcfd", "unserved_mmcfd",
           "marginal_cost_usd_mmbtu", "share", "cap", "limit", "value", "shadow_price",
           "horizon_saving", "peak_saving", "binding_periods", "n1_pct", "hhi", "shannon",
           "stochastic_mmcfd", "deterministic_mmcfd")
SCENARIO_COLUMNS = ("scenario", "probability", "cost_musd", "cash_cost_musd", "unserved_bcf")
SWEEP_COLUMNS = ("status", "objective_musd", "cash_cost_musd", "total_cost_musd", "risk_penalty_musd",
                 "unserved_bcf", "avg_cost_usd_mmbtu", "hhi", "import_dependence")
FRONTIER_COLUMNS = ("trade_off", "parameter", "value", "status", "x", "x_label", "cost_musd",
                    "objective_musd", "cash_cost_musd", "pareto")
STUDY_NUMERIC = ("objective_musd", "cash_cost_musd", "total_cost_musd", "risk_penalty_musd",
                 "unserved_bcf", "avg_cost_usd_mmbtu", "hhi", "import_dependence", "x", "cost_musd",
                 "largest_share", "risk_exposure")
# What a plan summary must hold for a report: key → type (a number may be null).
SUMMARY_KEYS = {"status": str, "objective_musd": float, "cash_cost_musd": float, "case": dict,
                "policy": dict}
SUMMARY_OPTIONAL = {"shares": dict, "warnings": list, "cost_breakdown_musd": dict,
                    "unserved_bcf": float, "avg_cost_usd_mmbtu": float, "import_dependence": float,
                    "hhi": float, "risk_penalty_musd": float, "stochastic": dict}
CASE_KEYS = {"name": str, "first_period": str, "last_period": str, "periods": int}
LNG_PRICE_COLUMNS = ("period", "source", "origin", "entry", "pricing", "market",
                     "fob_usd_mmbtu", "freight_usd_mmbtu", "delivered_usd_mmbtu")
# Tables some plans have, and the columns the report reads from each.
OPTIONAL_TABLES = {
    "security": ("period", "area", "n1_pct", "largest_infrastructure", "hhi", "shannon"),
    "commitments": ("period", "kind", "item", "stochastic_mmcfd", "deterministic_mmcfd"),
    "lng_prices": LNG_PRICE_COLUMNS,
}
SHORT_EVENT_COLUMNS = ("scenario", "period", "first_day", "days", "served_pct",
                       "protected_served_pct", "tier", "unserved_bcf")
STRESS_COLUMNS = ("scenario", "probability", "cost_musd", "change_from_base_musd",
                  "cash_cost_musd", "unserved_bcf")


# --- reading ----------------------------------------------------------------------------

def _read_csv(path: Path, needed: tuple[str, ...]) -> pd.DataFrame:
    if not path.exists():
        raise ReportError(f"{path}: missing (written by gasmix: is the folder complete?)")
    try:
        # Ids stay text: "NA" is Namibia and "NO" Norway, not missing values. Read within
        # the input limits (a regular file of bounded size: models/limits.py).
        frame = pd.read_csv(io.BytesIO(read_input(path)), keep_default_na=False, na_values=[""])
    except InputRefused as exc:
        raise ReportError(f"{path}: {exc.rule}") from None
    except pd.errors.EmptyDataError:
        raise ReportError(f"{path}: empty (no header row): is the folder complete?") from None
    except (ValueError, OSError) as exc:
        raise ReportError(f"{path}: cannot read it as CSV ({exc})") from None
    # Text that looked like a formula was written behind a quote (plan_files.write_csv).
    return _check_columns(from_csv_frame(frame), needed, str(path))


def _check_columns(frame: pd.DataFrame, needed, where: str) -> pd.DataFrame:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ReportError(f"{where}: missing column(s) {', '.join(missing)}")
    return frame


def _read_json(path: Path) -> dict:
    try:
        content = json.loads(read_input(path).decode("utf-8"))
    except InputRefused as exc:
        raise ReportError(f"{path}: {exc.rule}") from None
    except (OSError, ValueError) as exc:
        raise ReportError(f"{path}: cannot read it as JSON ({exc})") from None
    except RecursionError:  # Python's parser recurses once per level of nesting
        raise ReportError(f"{path}: not a gasmix file: its JSON is nested too deeply (gasmix "
                          "writes objects a few levels deep)") from None
    if not isinstance(content, dict):
        raise ReportError(f"{path}: expected a JSON object")
    return content


def _kind_of(value) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false",
            type(None): "null"}.get(type(value), "a number")


def _type_ok(value, kind, nullable: bool) -> bool:
    if value is None:
        return nullable
    if kind in (float, int):
        return isinstance(value, (int, float)) and not isinstance(value, bool) and \
            (kind is float or float(value).is_integer())
    return isinstance(value, kind)


def check_summary(summary, where: str) -> dict:
    """The plan summary, or ReportError naming every key that is missing or of the wrong
    type (as `where`: summary.json or plan.json's summary)."""
    if not isinstance(summary, dict):
        raise ReportError(f"{where}: the summary must be a JSON object (is {_kind_of(summary)})")
    names = {float: "a number", int: "a whole number", str: "text", dict: "an object",
             list: "a list"}
    missing, wrong = [], []
    for key, kind in SUMMARY_KEYS.items():
        if key not in summary:
            missing.append(key)
        elif not _type_ok(summary[key], kind, nullable=False):
            wrong.append(f"{key} must be {names[kind]} (is {_kind_of(summary[key])})")
    for key, kind in SUMMARY_OPTIONAL.items():
        if key in summary and not _type_ok(summary[key], kind, nullable=kind is float):
            wrong.append(f"{key} must be {names[kind]} (is {_kind_of(summary[key])})")
    if isinstance(summary.get("case"), dict):
        for key, kind in CASE_KEYS.items():
            if key not in summary["case"]:
                missing.append(f"case.{key}")
            elif not _type_ok(summary["case"][key], kind, nullable=False):
                wrong.append(f"case.{key} must be {names[kind]} (is {_kind_of(summary['case'][key])})")
    if missing or wrong:
        bits = ([f"missing {', '.join(missing)}"] if missing else []) + wrong
        raise ReportError(f"{where}: not a complete gasmix plan summary: " + "; ".join(bits))
    return summary


def _check_table(name: str, frame: pd.DataFrame, where: str, periods: int) -> pd.DataFrame:
    """A plan table with its columns, no truncated rows, numbers where numbers belong, and
    every period holding the same items (`periods` of them, from the summary)."""
    if not len(frame) and name not in NEED_ROWS:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PLAN_COLUMNS.get(name, ())})
    if not len(frame):
        raise ReportError(f"{where}: no rows (a plan has {name} in every period)")
    _check_columns(frame, PLAN_COLUMNS.get(name, ()), where)
    for column in NOT_EMPTY.get(name, ()):
        empty = frame[column].isna()
        if empty.any():
            row = int(empty.to_numpy().argmax())
            raise ReportError(f"{where}: row {row + 2} has no {column} (is the file truncated?)")
    for column in PLAN_COLUMNS.get(name, ()):
        if column in NUMERIC:
            frame[column] = _numbers(frame, column, where)
    if name in NOT_EMPTY:
        counts = frame.groupby(frame["period"].astype(str), sort=False).size()
        if len(counts) != periods:
            raise ReportError(f"{where}: {len(counts)} period(s), but the summary says the plan "
                              f"has {periods} (is the file truncated?)")
        if counts.nunique() > 1:
            short = counts[counts < counts.max()]
            raise ReportError(f"{where}: {len(frame)} rows, not {periods} periods × {counts.max()} "
                              f"items: period {short.index[0]} has {short.iloc[0]} "
                              "(is the file truncated?)")
    return frame


def read_plan(path: Path) -> tuple[dict, dict[str, pd.DataFrame]]:
    """A plan's summary and tables from a plan folder or a JSON plan file, checked: a
    damaged input is a ReportError naming the file and what is wrong, never a crash."""
    if path.is_file():
        content = _read_json(path)
        if "summary" not in content:
            raise ReportError(f"{path}: not a gasmix JSON plan (no summary)")
        summary = check_summary(content["summary"], f"{path}: summary")
        names = [*TABLE_NAMES, *(["scenarios"] if "stochastic" in summary else [])]
        tables = {}
        for name in names:
            where = f"{path}: {name}"
            if name not in content:
                raise ReportError(f"{where}: missing (a gasmix JSON plan has every table)")
            rows = content[name]
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise ReportError(f"{where}: must be a list of rows (objects), is {_kind_of(rows)}")
            tables[name] = pd.DataFrame(rows)
        for name in OPTIONAL_TABLES:  # what some plans have (LNG origins, two stages)
            if isinstance(content.get(name), list):
                tables[name] = pd.DataFrame(content[name])
        where = {name: f"{path}: {name}" for name in tables}
    else:
        summary = check_summary(_read_json(path / "summary.json"), str(path / "summary.json"))
        tables = {name: _read_csv(path / f"{name}.csv", ()) for name in TABLE_NAMES}
        if "stochastic" in summary:
            tables["scenarios"] = _read_csv(path / "scenarios.csv", ())
        for name in OPTIONAL_TABLES:  # what some plans have (LNG origins, two stages)
            if (path / f"{name}.csv").exists():
                tables[name] = _read_csv(path / f"{name}.csv", ())
        where = {name: str(path / f"{name}.csv") for name in tables}
    periods = int(summary["case"]["periods"])
    for name in list(tables):
        if name == "scenarios":
            tables[name] = _check_columns(tables[name], SCENARIO_COLUMNS, where[name])
        elif name in OPTIONAL_TABLES:
            tables[name] = _check_optional(name, tables[name], where[name])
        else:
            tables[name] = _check_table(name, tables[name], where[name], periods)
    suppliers = summary.get("shares") or {}
    if suppliers and len(tables["shares"]) != periods * len(suppliers):
        raise ReportError(f"{where['shares']}: {len(tables['shares'])} rows, not {periods} periods × "
                          f"{len(suppliers)} suppliers (is the file truncated?)")
    return summary, tables


def _check_optional(name: str, frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """An optional table with its columns, numbers where numbers belong."""
    _check_columns(frame, OPTIONAL_TABLES[name], where)
    for column in OPTIONAL_TABLES[name]:
        if column in NUMERIC and len(frame):
            frame[column] = _numbers(frame, column, where)
    return frame


def report_kind(path: Path) -> str:
    """'plan', 'sweep', 'frontier' or 'stress': what gasmix wrote at `path`."""
    if not path.exists():
        raise ReportError(f"{path}: not found")
    if path.is_file():
        if path.suffix.lower() == ".json":
            return "plan"
        raise ReportError(f"{path}: give a plan, sweep, frontier or stress folder (or a JSON plan)")
    for kind, marker in (("sweep", "sweep.json"), ("frontier", "frontier.json"),
                         ("stress", "stress.csv"), ("plan", "summary.json")):
        if (path / marker).exists():
            return kind
    raise ReportError(f"{path}: not a gasmix plan, sweep, frontier or stress folder (no "
                      "summary.json, sweep.json, frontier.json or stress.csv)")


def render(path, progress=None) -> str:
    """The report of what is at `path` (several paths: a comparison of plans), as HTML
    text. `progress(step)` is called before each chart. Damaged input is a ReportError
    naming the file and what is wrong."""
    if isinstance(path, (list, tuple)):
        if len(path) == 1:
            return render(path[0], progress)
        return compare_report(read_plans(path), progress)
    path = Path(path)
    kind = report_kind(path)
    if kind == "plan":
        summary, tables = read_plan(path)
        return plan_report(summary, tables, progress)
    if kind == "stress":
        return stress_report(*read_stress(path), progress=progress)
    meta = _read_json(path / f"{kind}.json")
    if kind == "sweep":
        frame = _study_frame(_read_csv(path / "sweep.csv", SWEEP_COLUMNS), path / "sweep.csv")
        return sweep_report(meta, frame, progress, where=path / "sweep.json")
    frame = _study_frame(_read_csv(path / "frontier.csv", FRONTIER_COLUMNS), path / "frontier.csv")
    return frontier_report(meta, frame, progress)


def read_plans(paths) -> list[tuple[str, dict, dict[str, pd.DataFrame]]]:
    """(name, summary, tables) of each plan to compare, named by its folder or file (made
    unique: two folders called `plan` become `plan` and `plan (2)`)."""
    out, seen = [], {}
    for path in map(Path, paths):
        if report_kind(path) != "plan":
            raise ReportError(f"{path}: only plans can be compared (this is a "
                              f"{report_kind(path)} folder)")
        name = path.stem if path.is_file() else path.name
        seen[name] = seen.get(name, 0) + 1
        out.append((name if seen[name] == 1 else f"{name} ({seen[name]})", *read_plan(path)))
    return out


def read_stress(path: Path) -> tuple[dict, pd.DataFrame, pd.DataFrame | None]:
    """The deterministic plan's summary, the scenario table of a stress folder and its short
    events' days (short_events.csv; None without short events)."""
    content = _read_json(path / "summary.json")
    summary = check_summary(content.get("deterministic_plan"), f"{path / 'summary.json'}: "
                                                               "deterministic_plan")
    table = _read_csv(path / "stress.csv", STRESS_COLUMNS)
    if not len(table):
        raise ReportError(f"{path / 'stress.csv'}: no scenarios")
    for column in STRESS_COLUMNS[1:]:
        table[column] = _numbers(table, column, path / "stress.csv")
    short = None
    if (path / "short_events.csv").exists():
        short = _read_csv(path / "short_events.csv", SHORT_EVENT_COLUMNS)
        for column in SHORT_EVENT_COLUMNS[2:]:
            if column != "tier":
                short[column] = _numbers(short, column, path / "short_events.csv")
    return summary, table, short


def _study_frame(frame: pd.DataFrame, where: Path) -> pd.DataFrame:
    """A sweep or frontier table with its figures as numbers (empty where a point failed)."""
    frame = frame.copy()
    if not len(frame):
        raise ReportError(f"{where}: no points")
    frame["status"] = frame["status"].astype(str)
    for column in STUDY_NUMERIC:
        if column in frame.columns:
            frame[column] = _numbers(frame, column, where)
    if "message" in frame.columns:
        frame["message"] = frame["message"].astype(object).where(frame["message"].notna(), "").astype(str)
    return frame


def write_report(html: str, path: str | Path) -> Path:
    """Write the report atomically; an existing file is replaced only if it is a gasmix
    report."""
    def write(tmp: Path) -> None:
        tmp.write_text(html, encoding="utf-8")
    return write_file(Path(path), write, replaceable=is_report, what="a gasmix report")


REPORT_NAME = "report.html"  # a report written into the folder it reports on


def default_report_path(source: Path) -> Path:
    """Where `gasmix report SOURCE` writes without -o: inside a folder (report.html), or
    beside a JSON plan (plan.json → plan.html) — never over ./report.html."""
    return source / REPORT_NAME if source.is_dir() else source.with_suffix(".html")


def register_report(folder: Path, report: Path) -> None:
    """Name a report written into an output folder in its manifest, so the folder stays
    gasmix's own (replaceable by the next run of its kind)."""
    add_to_manifest(folder, report.name)


def is_report(path: Path) -> bool:
    try:
        if not_regular(path):  # a FIFO would block the open
            return False
        with path.open(encoding="utf-8") as handle:
            return f'<meta name="generator" content="{GENERATOR}">' in handle.read(4096)
    except (OSError, UnicodeDecodeError):
        return False


def _numbers(frame: pd.DataFrame, column: str, where: str) -> pd.Series:
    """A column as numbers; a cell that is not one is a ReportError naming its row (as a
    spreadsheet counts: the header is row 1)."""
    numbers = pd.to_numeric(frame[column], errors="coerce")
    bad = numbers.isna() & frame[column].notna()
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise ReportError(f"{where}: row {row + 2}, column {column}: "
                          f"{frame[column].iloc[row]!r} is not a number")
    return numbers


def chart_count(kind: str) -> int:
    """How many progress steps a report of this kind takes (for a progress bar)."""
    return {"plan": 8, "sweep": 2, "frontier": 2, "stress": 1, "comparison": 2}[kind]


# --- the reports -------------------------------------------------------------------------
# Built in report_plan.py (a plan) and report_studies.py (sweeps, frontiers, stress tests,
# comparisons) from html.py's pieces; named here, where a report is read and written.

from .report_plan import plan_report  # noqa: E402
from .report_studies import compare_report, frontier_report, stress_report  # noqa: E402
from .report_studies import sweep_report as _sweep_report  # noqa: E402


def sweep_report(meta: dict, frame: pd.DataFrame, progress=None, where="sweep.json") -> str:
    """A sweep's report; sweep.json must name the parameters swept (a ReportError if not)."""
    params = meta.get("params")
    if not isinstance(params, list) or not params or not all(isinstance(p, str) for p in params):
        raise ReportError(f"{where}: params must be a list of the parameter names swept")
    missing = [p for p in params if p not in frame.columns]
    if missing:
        raise ReportError(f"sweep.csv has no column for parameter(s) {', '.join(missing)}")
    return _sweep_report(meta, frame, progress)
