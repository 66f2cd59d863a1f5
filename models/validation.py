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


def _short_event_problems(case) -> list[Problem]:
    """A short event (first_day, days) lies inside one period of the case."""
    days = {p.id: p.days for p in case.periods}
    out = []
    for scenario in case.scenarios:
        for event in scenario.events:
            if event.first_day is None and event.days is None:
                continue
            where = f"{scenario.id}.{event.target}"
            if event.first_day is None or event.days is None or event.first_period is None \
                    or event.first_period != event.last_period:
                out.append(Problem("disruptions", "a short event needs first_day, days and one "
                                   "period (first_period = last_period)", column=where))
            elif event.first_day + event.days - 1 > days.get(event.first_period, 0):
                out.append(Problem("disruptions", f"days {event.first_day}–"
                                   f"{event.first_day + event.days - 1} run past the end of "
                                   f"period {event.first_period}", column=where, value=event.days))
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
