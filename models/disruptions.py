"""Disruption scenarios: the rules of `disruptions.csv` and the `Scenario` records built from it.

One table holds both the scenarios and their events, so a scenario file can be passed on its
own (`gasmix solve --scenarios FILE`). A scenario is *declared* once by a row with its
probability and no target; each *event* is a row with a target (and no probability):

    scenario,probability,target_type,target,first_period,last_period,capacity_factor,price_multiplier,description
    base,0.6,,,,,,,undisturbed
    uri,0.1,,,,,,,Winter Storm Uri again
    uri,,supplier,US,2027-02,2027-02,0.75,,pipeline flow -25%

Stating the probability once per scenario (not on every event row) means it cannot disagree
with itself; the undisturbed `base` is declared like any other scenario, so the probabilities
visibly add up to 1.
"""

from __future__ import annotations

from pathlib import Path

import hashlib

from .case import Case, Disruption, Scenario
from .errors import CaseError, Problem
from .validation import overlapping_windows, short_event_rule
from .schema import TABLES
from .tables import Origin, is_workbook, read_table_file

BASE = "base"
TOLERANCE = 1e-6


def check_disruptions(rows: list[dict], numbers: list[int], file: Origin, keys: dict[str, set],
                      period_order: dict[str, int], problems: list[Problem],
                      period_days: dict[str, int] | None = None) -> None:
    """The rules that span cells and rows. `file` is where the table came from (a file, or
    a workbook's sheet); `keys` maps a target type (entry, supplier, source, hub) to its
    known ids; `period_order` a period id to its position; `period_days` its days."""
    declared: dict[str, int] = {}
    windows: list[tuple] = []  # short events: (scenario, period, first day, days, row)
    total = 0.0
    events_of: dict[str, list[int]] = {}
    for row, n in zip(rows, numbers):
        scenario = row["scenario"]
        if not isinstance(scenario, str):
            continue  # already reported (empty or malformed id)
        target_type, target = row["target_type"], row["target"]
        is_event = target_type is not None or target is not None
        if not is_event:
            if scenario in declared:
                problems.append(file.problem(f"scenario declared twice: first in row "
                                        f"{declared[scenario]} (state its probability once)",
                                        row=n, column="scenario", value=scenario))
                continue
            declared[scenario] = n
            p = row["probability"]
            if p is None:
                problems.append(file.problem("a scenario's declaration row (no target) needs its "
                                        "probability", row=n, column="probability"))
            elif isinstance(p, float):
                total += p
            for col in ("first_period", "last_period", "capacity_factor", "price_multiplier"):
                if row[col] is not None:
                    problems.append(file.problem("a declaration row (no target) takes no "
                                            f"{col}: give the event its own row with a target",
                                            row=n, column=col, value=row[col]))
            continue
        events_of.setdefault(scenario, []).append(n)
        if row["probability"] is not None:
            problems.append(file.problem("probability is stated once, on the scenario's "
                                    "declaration row (no target); leave it empty on event rows",
                                    row=n, column="probability", value=row["probability"]))
        if target_type is None:
            problems.append(file.problem("an event needs a target_type (entry, supplier, source "
                                    "or hub)", row=n, column="target_type"))
        elif target is None:
            problems.append(file.problem(f"an event needs a target ({target_type} id)", row=n,
                                    column="target"))
        elif isinstance(target_type, str) and isinstance(target, str) and target_type in keys \
                and target not in keys[target_type]:  # (a table that failed is not a target)
            problems.append(file.problem(f"unknown {target_type}", row=n, column="target",
                                    value=target))
        if target_type == "hub" and row["capacity_factor"] is not None:
            problems.append(file.problem("a hub is a price, not a capacity: it takes a "
                                    "price_multiplier only (put the capacity_factor on the "
                                    "entries, suppliers or sources it should hit)", row=n,
                                    column="capacity_factor", value=row["capacity_factor"]))
        if row["capacity_factor"] is None and row["price_multiplier"] is None:
            problems.append(file.problem("an event needs a capacity_factor, a price_multiplier "
                                    "or both", row=n, column="capacity_factor"))
        a, b = row["first_period"], row["last_period"]
        if isinstance(a, str) and isinstance(b, str) and a in period_order and b in period_order \
                and period_order[a] > period_order[b]:
            problems.append(file.problem(f"first_period {a} is after last_period {b}", row=n,
                                    column="first_period", value=a))
        rule = short_event_rule(row.get("first_day"), row.get("days"), a, b, target_type,
                                period_days or {})
        if rule:
            problems.append(file.problem(rule[1], row=n, column=rule[0], value=row.get(rule[0])))
        elif row.get("first_day") is not None:
            windows.append((scenario, a, row["first_day"], row["days"], n))
    for n, rule in overlapping_windows(windows):
        problems.append(file.problem(rule, row=n, column="first_day"))
    for scenario, rows_ in events_of.items():
        if scenario not in declared:
            problems.append(file.problem("scenario has no declaration row (a row with its "
                                    "probability and no target)", row=rows_[0], column="scenario",
                                    value=scenario))
        elif scenario == BASE:
            problems.append(file.problem("the base scenario is the undisturbed case: it takes "
                                    "no events", row=rows_[0], column="scenario", value=scenario))
    if not rows:
        return
    if BASE not in declared:
        problems.append(file.problem("declare the undisturbed scenario 'base' (a row with its "
                                "probability and no target)", column="scenario"))
    if declared and abs(total - 1.0) > TOLERANCE:
        problems.append(file.problem(f"probabilities add up to {total:.6g}, not 1 (base "
                                "included)", column="probability", value=f"{total:.6g}"))


def build_scenarios(rows: list[dict]) -> tuple[Scenario, ...]:
    """Scenario records from checked rows, in the order they were declared."""
    order: list[str] = []
    probability, description, events = {}, {}, {}
    for row in rows:
        sid = row["scenario"]
        if row["target_type"] is None and row["target"] is None:
            order.append(sid)
            probability[sid] = float(row["probability"])
            description[sid] = row["description"] or ""
        else:
            events.setdefault(sid, []).append(Disruption(
                target_type=row["target_type"], target=row["target"],
                first_period=row["first_period"], last_period=row["last_period"],
                capacity_factor=row["capacity_factor"], price_multiplier=row["price_multiplier"],
                description=row["description"] or "", first_day=row.get("first_day"),
                days=row.get("days")))
    return tuple(Scenario(s, probability[s], tuple(events.get(s, ())), description[s])
                 for s in order)


def target_keys(case: Case) -> dict[str, set]:
    return {"entry": {e.id for e in case.entries}, "supplier": {s.id for s in case.suppliers},
            "source": {s.id for s in case.sources}, "hub": set(case.hub_prices.index.get_level_values(0))}


def load_scenarios(path: str | Path, case: Case) -> tuple[Scenario, ...]:
    """Read a disruptions file (same columns as a case's disruptions.csv) for `case`;
    raise CaseError naming file, row, column, value and rule for every problem."""
    path = Path(path)
    if not path.exists():
        raise CaseError([Problem(str(path), "file not found")], case=case.name)
    problems: list[Problem] = []  # a folder, FIFO or device is refused by the reader
    table = read_table_file(path, TABLES["disruptions"], problems, hashlib.sha256())
    name = path.name
    periods = {p: i for i, p in enumerate(case.period_ids)}
    # Where the case's periods are: a workbook's sheet or a folder's file.
    where = "sheet periods" if is_workbook(case.path) else "periods.csv"
    if table.present:
        for row, n in zip(table.rows, table.row_numbers):
            for col in ("first_period", "last_period"):
                if isinstance(row[col], str) and row[col] not in periods:
                    problems.append(Problem(name, f"unknown period (not in {where})", row=n,
                                            column=col, value=row[col]))
        check_disruptions(table.rows, table.row_numbers, table.origin, target_keys(case), periods,
                          problems, {p.id: p.days for p in case.periods})
    elif not problems:
        problems.append(Problem(name, "no scenarios in the file"))
    if problems:
        raise CaseError(problems, case=case.name)
    return build_scenarios(table.rows)
