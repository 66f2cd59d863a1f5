"""The rules a Case obeys as records: for a case built or edited in code, which no file
check has seen (a case read from files passes the same rules table by table in
models/tables.py and models/loader.py). Read from the one schema (models/schema.py): every
number finite and within its column's range, every reference a known id, every node ×
period with a demand and every hub used × period with a price, every setting in range.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import weakref

import numpy as np

from .errors import Problem
from .schema import SETTINGS, TABLES, check_setting, id_rule, text_rule

# Record tables of a Case: attribute → table schema name.
RECORDS = {"periods": "periods", "nodes": "nodes", "suppliers": "suppliers",
           "entries": "entries", "sources": "sources", "arcs": "arcs", "storage": "storage",
           "origins": "lng_origins", "routes": "lng_routes", "exports": "exports",
           "demand_tiers": "demand_tiers"}
# Series of a Case: attribute → (table schema name, the value column).
SERIES = {"demand": ("demand", "demand_mmcfd"), "hub_prices": ("hub_prices", "price_usd_mmbtu"),
          "entry_capacity": ("entry_capacity", "capacity_mmcfd"),
          "storage_floors": ("storage_floors", "floor_bcf"),
          "origin_capacity": ("lng_origin_capacity", "available_mmcfd")}


# Cases known to obey the rules: read by the loader, or checked once here. A Case is frozen
# (edits make new objects), so a solve loop checks it once, not at every solve.
_VALID: weakref.WeakSet = weakref.WeakSet()


def mark_valid(case):
    """Record that `case` obeys the rules (the loader has checked it); returns it."""
    _VALID.add(case)
    return case


def problems_of(case) -> list[Problem]:
    """case_problems, once per Case object."""
    if case in _VALID:
        return []
    problems = case_problems(case)
    if not problems:
        _VALID.add(case)
    return problems


def case_problems(case) -> list[Problem]:
    """Everything wrong with `case` as records, in one pass (see the module's docstring)."""
    problems: list[Problem] = []
    known = _known_ids(case)
    for attribute, table in RECORDS.items():
        schema = TABLES[table]
        for record in getattr(case, attribute):
            ident = _shown(getattr(record, "id", None) or "→".join(
                str(getattr(record, c)) for c in schema.unique))
            for column in schema.columns:
                field = "id" if column.name == schema.key else column.name
                if not hasattr(record, field):
                    continue
                value = getattr(record, field)
                where = f"{ident}.{column.name}"
                problems += _value_problems(table, where, column, value)
                target = column.references
                if target and value is not None and value not in known.get(target, ()):
                    problems.append(Problem(table, f"unknown {TABLES[target].key or target}",
                                            column=where, value=value))
    for attribute, (table, value_column) in SERIES.items():
        series = getattr(case, attribute)
        column = TABLES[table].column(value_column)
        values = series.to_numpy(dtype=float)
        for key, value in zip(series.index, values):
            problems += _value_problems(table, " × ".join(map(str, key)), column, float(value))
    shares: dict[str, float] = {}
    for tier in case.demand_tiers:
        if tier.tier == "protected":
            problems.append(Problem("demand_tiers", "'protected' is reserved: it names what a "
                                    "node's tiers leave", column=tier.node, value=tier.tier))
        shares[tier.node] = shares.get(tier.node, 0.0) + float(tier.share)

    problems += [Problem("demand_tiers", f"the tiers of node {node} add up to {total:.4g} of "
                         "its demand, above 1", column=node, value=total)
                 for node, total in shares.items() if total > 1.0 + 1e-9]
    problems += _short_event_problems(case)
    problems += _incomplete(case, "demand", [n.id for n in case.nodes])
    problems += _incomplete(case, "hub_prices",
                            sorted({s.hub for s in case.sources if s.hub} & known["hub_prices"]))
    for f in dataclasses.fields(case.settings):
        rule = check_setting(f.name, getattr(case.settings, f.name))
        if isinstance(rule, str):
            problems.append(Problem("settings", rule, column=f.name,
                                    value=getattr(case.settings, f.name)))
    return problems


def short_event_rule(first_day, days, first_period, last_period, target_type,
                     period_days: dict[str, int]) -> tuple[str, str] | None:
    """(column, rule) a short event (first_day, days) breaks, or None: both given, inside
    one period (first_period = last_period), within its days, and not on an offer (an
    offer's availability holds for whole periods)."""
    if first_day is None and days is None:
        return None
    if first_day is None or days is None:
        missing = "first_day" if first_day is None else "days"
        return missing, f"a short event needs both first_day and days ({missing} is empty)"
    if first_period is None or first_period != last_period:
        return "last_period", ("a short event (first_day, days) lies inside one period: give "
                               "first_period and last_period, the same period")
    if target_type == "offer":
        return "target_type", ("an offer is admitted for whole periods: give it no first_day "
                               "and days")
    length = period_days.get(first_period)
    if isinstance(first_day, int) and isinstance(days, int) and length is not None \
            and first_day + days - 1 > length:
        return "days", (f"days {first_day}–{first_day + days - 1} run past the end of period "
                        f"{first_period} ({length} days)")
    return None


def overlapping_windows(windows: list[tuple]) -> list[tuple[object, str]]:
    """(where, rule) for each short event whose days overlap another's of the same scenario
    and period without being the same days: `windows` lists (scenario, period, first_day,
    days, where). Events on the same days act together (their factors multiply); days that
    overlap in part would be counted twice."""
    out, seen = [], {}
    for scenario, period, first, days, where in windows:
        last = first + days - 1
        for (a, b), other in seen.get((scenario, period), {}).items():
            if (a, b) != (first, last) and first <= b and a <= last:
                out.append((where, f"days {first}–{last} overlap days {a}–{b} of another short "
                                   f"event of scenario {scenario} in {period} ({other}): give "
                                   "events the same days (their factors multiply) or days apart"))
                break
        seen.setdefault((scenario, period), {}).setdefault((first, last), where)
    return out


def _short_event_problems(case) -> list[Problem]:
    """A case's short events obey short_event_rule and do not overlap in part."""
    days = {p.id: p.days for p in case.periods}
    out, windows = [], []
    for scenario in case.scenarios:
        for event in scenario.events:
            where = f"{scenario.id}.{event.target}"
            rule = short_event_rule(event.first_day, event.days, event.first_period,
                                    event.last_period, event.target_type, days)
            if rule:
                out.append(Problem("disruptions", rule[1], column=where))
            elif event.is_short:
                windows.append((scenario.id, event.first_period, event.first_day, event.days, where))
    out += [Problem("disruptions", rule, column=where) for where, rule in overlapping_windows(windows)]
    return out


def _shown(ident: str) -> str:
    """An id as a message may print it: escaped if it holds what id_rule refuses."""
    return ident if ident.isprintable() else ident.encode("unicode_escape").decode("ascii")


def _known_ids(case) -> dict[str, set]:
    return {"periods": set(case.period_ids), "nodes": {n.id for n in case.nodes},
            "suppliers": {s.id for s in case.suppliers}, "entries": {e.id for e in case.entries},
            "sources": {s.id for s in case.sources}, "storage": {k.id for k in case.storage},
            "lng_origins": {o.id for o in case.origins},
            "hub_prices": set(case.hub_prices.index.get_level_values(0))}


def _value_problems(table: str, where: str, column, value) -> list[Problem]:
    """A value against its column's rule: an id's or free text's (schema.id_rule,
    text_rule), a number's type and range."""
    if value is None:
        return []
    if column.dtype in ("id", "str"):
        rule = id_rule(value) if column.dtype == "id" else text_rule(value)
        return [Problem(table, rule, column=where, value=value)] if rule else []
    if column.dtype not in ("float", "int"):
        return []
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return [Problem(table, "not a number", column=where, value=value)]
    if not math.isfinite(value):
        return [Problem(table, "must be a finite number", column=where, value=value)]
    if column.minimum is not None and value < column.minimum:
        return [Problem(table, f"must be ≥ {column.minimum:g}", column=where, value=value)]
    if column.maximum is not None and value > column.maximum:
        return [Problem(table, f"must be ≤ {column.maximum:g}", column=where, value=value)]
    return []


def _incomplete(case, attribute: str, items: list[str]) -> list[Problem]:
    """Every item × period is given (a node's demand, a used hub's price)."""
    given = set(getattr(case, attribute).index)
    out = []
    for item in items:
        missing = [p for p in case.period_ids if (item, p) not in given]
        if missing:
            out.append(Problem(attribute, f"no value for period(s) {', '.join(missing[:4])}"
                               + (f" and {len(missing) - 4} more" if len(missing) > 4 else ""),
                               column=item))
    return out


def content_sha256(case) -> str:
    """SHA-256 of a case's content (records, series, settings, policy, scenarios): what an
    edited case's plan names in place of the input files' hash."""
    digest = hashlib.sha256()
    for attribute in (*RECORDS, "settings", "policy", "scenarios"):
        digest.update(repr(getattr(case, attribute)).encode())
    for attribute in SERIES:
        series = getattr(case, attribute)
        digest.update(repr(list(series.index)).encode())
        digest.update(np.ascontiguousarray(series.to_numpy(dtype=float)).tobytes())
    return digest.hexdigest()
