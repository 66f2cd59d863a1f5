"""Reading a case folder (`case.toml` + CSV tables) into a validated `Case`.

A case workbook (models/workbook.py) is read into the same parsed tables and settings
dict and then goes through the same checks here, so both forms obey one set of rules.

Every problem is collected in one pass and raised together as a `CaseError`, so a planner
fixes a broken case in one round, not one error at a time. Reading is in three steps:
each file on its own (encoding, CSV syntax, header, cell types and ranges, duplicate ids),
then the references between tables, then the rules that span rows (period chain, min ≤ max,
completeness of the node × period and hub × period tables).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
import tomllib
from dataclasses import fields
from datetime import timedelta
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .case import (Arc, Case, DemandTier, Entry, Export, Node, Origin, Period, Policy, Route,
                   Settings, ShareLimit, Source, Storage, Supplier)
from .disruptions import build_scenarios, check_disruptions
from .errors import CaseError, Problem
from .policy import policy_problems
from .schema import KINDS, SETTINGS, TABLES, TableSchema, check_setting
from .validation import mark_valid
from .tables import MISSING, ParsedTable, is_workbook, read_table_file, read_text
from .workbook import read_workbook

RECORD_TYPES = {
    "periods": Period, "nodes": Node, "suppliers": Supplier, "entries": Entry,
    "sources": Source, "arcs": Arc, "storage": Storage, "share_limits": ShareLimit,
    "lng_origins": Origin, "lng_routes": Route, "exports": Export, "demand_tiers": DemandTier,
}
SERIES_VALUE = {
    "demand": "demand_mmcfd", "hub_prices": "price_usd_mmbtu",
    "entry_capacity": "capacity_mmcfd", "storage_floors": "floor_bcf",
    "lng_origin_capacity": "available_mmcfd",
}
DEFAULT_CASE = "mexico"


def embedded_cases() -> list[str]:
    """The names of the cases shipped inside the package (folders of gasmix/inputs)."""
    root = resources.files("gasmix.inputs")
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "case.toml").is_file())


def default_case_path(name: str = DEFAULT_CASE) -> Path:
    """The folder of an embedded case (default: the Mexico case, 2026–27)."""
    if name not in embedded_cases():
        raise CaseError([Problem(name, "no embedded case of that name (embedded: "
                                 + ", ".join(embedded_cases()) + ")")])
    return Path(str(resources.files("gasmix.inputs") / name))


def default_case(name: str = DEFAULT_CASE) -> Case:
    """An embedded case: the Mexico case (January 2026 – December 2027) by default, or
    another by name (`default_case("mexico-2024")`, the 2024 backcast)."""
    return load_case(default_case_path(name))


def load_case(path: str | Path) -> Case:
    """Read and validate the case in folder `path` (case.toml + CSV tables), or in the
    Excel workbook `path` (*.xlsx, one sheet per table and a `case` sheet); raise CaseError
    listing every problem."""
    path = Path(path)
    problems: list[Problem] = []
    if is_workbook(path):
        config, tables, digest, places = read_workbook(path, problems)
    else:
        if not path.is_dir():
            raise CaseError([Problem(str(path), "case folder not found (expected a folder "
                                                "holding case.toml and the CSV tables, or an "
                                                ".xlsx workbook)")])
        config, tables, digest = _read_folder(path, problems)
        places = _toml_place
    return validate_case(path, config, tables, digest, places, problems)


def _read_folder(folder: Path, problems: list[Problem]):
    digest = hashlib.sha256()
    config = _read_config(folder / "case.toml", problems, digest)
    tables = {name: _read_table(folder, schema, problems, digest)
              for name, schema in TABLES.items()}
    for extra in sorted(p.name for p in folder.glob("*.csv")):
        if extra[:-4] not in TABLES:
            problems.append(Problem(extra, "unknown table (known: "
                                    + ", ".join(t.file for t in TABLES.values()) + ")"))
    return config, tables, digest.hexdigest()


def validate_case(path: Path, config: dict, tables: dict[str, "ParsedTable"], digest: str,
                  places, problems: list[Problem]) -> Case:
    """Steps 2 and 3 and the settings, the same for a folder and a workbook: `tables` have
    passed their own checks, `config` is case.toml's content as a dict, and
    `places(section, key, what)` says where a setting's problem is (see `_toml_place`)."""
    keys = {name: [r[t.schema.key] for r in t.rows if r[t.schema.key] is not MISSING]
            for name, t in tables.items() if t.schema.key}
    keys["hub_prices"] = [r["hub"] for r in tables["hub_prices"].rows if r["hub"] is not MISSING]
    _check_references(tables, keys, problems)
    _check_rules(tables, keys, problems)
    settings, policy = _build_settings(config, tables, keys, problems, places)

    head = config.get("case") if isinstance(config.get("case"), dict) else {}
    name = str(head.get("name", path.stem if is_workbook(path) else path.name))
    if problems:
        raise CaseError(problems, case=name)
    case = _build_case(path, config, tables, settings, policy, digest)
    # The case's own policy obeys the rules a policy given in code obeys (models/policy.py),
    # so `validate` rejects what `solve` would.
    where = ("policy (sheets case, share_limits)" if is_workbook(path)
             else "policy (case.toml [policy], share_limits.csv)")
    problems = policy_problems(case, case.policy, where)
    if problems:
        raise CaseError(problems, case=name)
    return mark_valid(case)


def _toml_place(section: str, key: str, what: str) -> dict:
    """Where a setting's problem is in case.toml: the file and the key (TOML parsers give
    no line numbers for values). `what` is "section", "unknown", "value" or "supplier"."""
    column = {"section": section, "unknown": key, "supplier": "policy"}.get(what, f"{section}.{key}")
    return {"file": "case.toml", "column": column}


# --- step 1: each file on its own -------------------------------------------------------

def _read_config(path: Path, problems: list[Problem], digest) -> dict:
    if not path.exists():
        problems.append(Problem("case.toml", "missing: every case folder needs case.toml"))
        return {}
    text = read_text(path, problems, digest)
    if text is None:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.14 gives exc.lineno; before that the line is only in the message.
        line = getattr(exc, "lineno", None)
        if line is None:
            found = re.search(r"line (\d+)", str(exc))
            line = int(found.group(1)) if found else None
        problems.append(Problem("case.toml", f"TOML syntax error: {exc}", row=line))
        return {}


def _read_table(folder: Path, schema: TableSchema, problems: list[Problem], digest) -> ParsedTable:
    return read_table_file(folder / schema.file, schema, problems, digest)


# --- step 2: references between tables --------------------------------------------------

def _check_references(tables: dict[str, ParsedTable], keys: dict[str, list],
                      problems: list[Problem]) -> None:
    known = {name: set(v) for name, v in keys.items()}
    for table in tables.values():
        for column in table.schema.columns:
            target = column.references
            if target is None or not tables[target].present:
                continue
            for row, number in zip(table.rows, table.row_numbers):
                value = row[column.name]
                if value is None or value is MISSING or value in known[target]:
                    continue
                where = tables[target].origin.label
                noun = f"hub (no prices in {where})" if target == "hub_prices" else \
                    f"{TABLES[target].key or target} (not in {where})"
                problems.append(table.origin.problem(f"unknown {noun}", row=number,
                                                     column=column.name, value=value))


# --- step 3: rules that span rows -------------------------------------------------------

def _valid(*values) -> bool:
    return all(v is not MISSING and v is not None for v in values)


def _check_rules(tables: dict[str, ParsedTable], keys: dict[str, list],
                 problems: list[Problem]) -> None:
    at = {name: table.origin.problem for name, table in tables.items()}
    periods = tables["periods"]
    order = {p: i for i, p in enumerate(keys.get("periods", []))}
    _check_period_chain(periods, problems)
    for row, number in zip(periods.rows, periods.row_numbers):
        if row["period"] == "horizon":  # plans label horizon-wide rows with it
            problems.append(at["periods"]("'horizon' is reserved; choose another id",
                                    row=number, column="period", value="horizon"))

    def rows(name):
        return zip(tables[name].rows, tables[name].row_numbers)

    def period_order(table, row, number, first_col, last_col):
        a, b = row.get(first_col), row.get(last_col)
        if _valid(a, b) and a in order and b in order and order[a] > order[b]:
            problems.append(at[table](f"{first_col} {a} is after {last_col} {b}",
                                    row=number, column=first_col, value=a))

    entry_kind = {r["entry"]: r["kind"] for r in tables["entries"].rows}
    entry_tariff = {r["entry"]: r.get("tariff_usd_mmbtu") for r in tables["entries"].rows}
    for row, n in rows("entries"):
        period_order("entries", row, n, "first_period", "last_period")
    for row, n in rows("sources"):
        lo, hi = row["min_mmcfd"], row["max_mmcfd"]
        if _valid(lo, hi) and lo > hi:
            problems.append(at["sources"](f"min_mmcfd {lo:g} is above max_mmcfd {hi:g}",
                                    row=n, column="min_mmcfd", value=f"{lo:g}"))
        period_order("sources", row, n, "first_period", "last_period")
        tau, tariff = row.get("take_or_pay"), entry_tariff.get(row["entry"])
        if (row.get("contract") == "contract" and _valid(tau, tariff) and tau < 1
                and not tariff > 0):
            # The firm part r of a contract is its entry's tariff, paid on all contracted
            # gas: with r = 0 and τ < 1 contracting more than is taken costs nothing, so a
            # stochastic plan would over-contract for free.
            problems.append(at["sources"](
                f"a contract with take_or_pay {tau:g} < 1 needs a firm part: entry "
                f"{row['entry']} has tariff 0, so contracting more than is taken would cost "
                "nothing; set take_or_pay to 1 (all contracted gas is paid for) or contract "
                "to spot", row=n, column="take_or_pay", value=f"{tau:g}"))
        kind = entry_kind.get(row["entry"])
        if _valid(row["kind"], kind) and row["kind"] != kind:
            problems.append(at["sources"](f"kind {row['kind']} does not match the kind "
                                    f"of entry {row['entry']} ({kind})", row=n, column="kind",
                                    value=row["kind"]))
    for row, n in rows("arcs"):
        if _valid(row["from_node"]) and row["from_node"] == row["to_node"]:
            problems.append(at["arcs"]("an arc must join two different nodes", row=n,
                                    column="to_node", value=row["to_node"]))
    _check_lng(tables, keys, problems)
    for row, n in rows("exports"):
        period_order("exports", row, n, "first_period", "last_period")
    _check_tier_shares(tables["demand_tiers"], problems)
    for row, n in rows("storage"):
        cap = row["working_gas_bcf"]
        for col in ("initial_bcf", "floor_bcf", "end_target_bcf"):
            if _valid(cap, row[col]) and row[col] > cap:
                problems.append(at["storage"](f"{col} {row[col]:g} is above "
                                        f"working_gas_bcf {cap:g}", row=n, column=col, value=f"{row[col]:g}"))
    caps = {r["storage"]: r["working_gas_bcf"] for r in tables["storage"].rows}
    for row, n in rows("storage_floors"):
        cap = caps.get(row["storage"])
        if _valid(cap, row["floor_bcf"]) and row["floor_bcf"] > cap:
            problems.append(at["storage_floors"](f"floor_bcf {row['floor_bcf']:g} is above "
                                    f"working_gas_bcf {cap:g}", row=n, column="floor_bcf",
                                    value=f"{row['floor_bcf']:g}"))
    groups = {"supplier": set(keys.get("suppliers", [])), "kind": set(KINDS),
              "source": set(keys.get("sources", []))}
    for row, n in rows("share_limits"):
        lo, hi = row["min_share"], row["max_share"]
        if lo is None and hi is None:
            problems.append(at["share_limits"]("give min_share, max_share or both",
                                    row=n, column="max_share"))
        if _valid(lo, hi) and lo > hi:
            problems.append(at["share_limits"](f"min_share {lo:g} is above max_share {hi:g}",
                                    row=n, column="min_share", value=f"{lo:g}"))
        gt = row["group_type"]
        if _valid(gt, row["group"]) and row["group"] not in groups[gt]:
            problems.append(at["share_limits"](f"unknown {gt}", row=n, column="group",
                                    value=row["group"]))
    if tables["disruptions"].present:
        tables_of = {"entry": "entries", "supplier": "suppliers", "source": "sources",
                     "hub": "hub_prices", "origin": "lng_origins"}
        targets = {kind: set(keys.get(name, [])) for kind, name in tables_of.items()
                   if tables[name].present}
        if tables["sources"].present:
            targets["offer"] = {r["offer"] for r in tables["sources"].rows if _valid(r.get("offer"))}
        period_days = {r["period"]: r["days"] for r in periods.rows
                       if _valid(r.get("period"), r.get("days"))}
        check_disruptions(tables["disruptions"].rows, tables["disruptions"].row_numbers,
                          tables["disruptions"].origin, targets, order, problems, period_days)
    _check_complete(tables["demand"], "node", keys.get("nodes", []), keys.get("periods", []), problems)
    _check_complete(tables["hub_prices"], "hub", sorted(set(keys["hub_prices"])),
                    keys.get("periods", []), problems)


def _check_tier_shares(table: ParsedTable, problems: list[Problem]) -> None:
    """A node's demand tiers share at most all of its demand (the rest is protected)."""
    total: dict[str, float] = {}
    for row, n in zip(table.rows, table.row_numbers):
        node, share = row.get("node"), row.get("share")
        if row.get("tier") == "protected":
            problems.append(table.origin.problem("'protected' is reserved: it names what a "
                                                 "node's tiers leave, unserved only at VOLL",
                                                 row=n, column="tier", value="protected"))
        if not _valid(node, share) or not isinstance(share, float):
            continue
        total[node] = total.get(node, 0.0) + share
        if total[node] > 1.0 + 1e-9:
            problems.append(table.origin.problem(
                f"the tiers of node {node} add up to {total[node]:.4g} of its demand, above 1",
                row=n, column="share", value=f"{share:g}"))


def _check_lng(tables: dict[str, ParsedTable], keys: dict[str, list],
               problems: list[Problem]) -> None:
    """LNG origins, routes and the pricing of LNG sources: a route goes to a market (a hub
    with prices) or an LNG terminal, with its freight or its distance; a source priced fob
    or netback names its origin and has a route from it to its entry; netback needs a route
    from the origin to some market and takes no hub; a source's supplier is its origin's."""
    at = {name: table.origin.problem for name, table in tables.items()}
    hubs = set(keys.get("hub_prices", []))
    lng_entries = {r["entry"] for r in tables["entries"].rows if r["kind"] == "lng"}
    # A destination is judged only when both tables it may come from were read: an
    # unreadable entries.csv is one problem, not one more per route.
    destinations_known = tables["entries"].present and tables["hub_prices"].present
    routes = set()
    markets_of: dict[str, set] = {}
    for row, n in zip(tables["lng_routes"].rows, tables["lng_routes"].row_numbers):
        origin, destination = row["origin"], row["destination"]
        if not _valid(origin, destination):
            continue
        routes.add((origin, destination))
        if destination in hubs:
            markets_of.setdefault(origin, set()).add(destination)
        elif destination not in lng_entries and destinations_known:
            problems.append(at["lng_routes"]("unknown destination: give a market (a hub of "
                                             f"{tables['hub_prices'].origin.label}) or an LNG "
                                             f"terminal (an entry of kind lng)", row=n,
                                             column="destination", value=destination))
        if row["distance_nm"] is None and row["freight_usd_mmbtu"] is None:
            problems.append(at["lng_routes"]("give freight_usd_mmbtu or distance_nm (freight "
                                             "is then computed from the [lng] voyage settings)",
                                             row=n, column="freight_usd_mmbtu"))
    origin_supplier = {r["origin"]: r["supplier"] for r in tables["lng_origins"].rows}
    order = {p: i for i, p in enumerate(keys.get("periods", []))}
    for row, n in zip(tables["lng_origins"].rows, tables["lng_origins"].row_numbers):
        a, b = row.get("first_period"), row.get("last_period")
        if _valid(a, b) and a in order and b in order and order[a] > order[b]:
            problems.append(at["lng_origins"](f"first_period {a} is after last_period {b}",
                                              row=n, column="first_period", value=a))
    for row, n in zip(tables["sources"].rows, tables["sources"].row_numbers):
        origin, pricing = row.get("origin"), row.get("pricing")
        if not _valid(pricing):
            continue
        if origin is None:
            if pricing != "delivered":
                problems.append(at["sources"](f"pricing {pricing} needs the source's origin "
                                              "(its freight runs from there)", row=n,
                                              column="origin"))
            continue
        if not _valid(origin) or origin not in origin_supplier:
            continue  # an unknown origin is reported with the references
        if row["kind"] != "lng":
            problems.append(at["sources"]("only LNG has a liquefaction origin", row=n,
                                          column="origin", value=origin))
        if _valid(row["supplier"]) and origin_supplier[origin] != row["supplier"]:
            problems.append(at["sources"](f"supplier {row['supplier']} is not origin "
                                          f"{origin}'s ({origin_supplier[origin]})", row=n,
                                          column="supplier", value=row["supplier"]))
        if pricing in ("fob", "netback") and _valid(row["entry"]) \
                and (origin, row["entry"]) not in routes:
            problems.append(at["sources"](f"pricing {pricing} adds the freight from {origin} "
                                          f"to {row['entry']}: {tables['lng_routes'].origin.label}"
                                          " has no such route", row=n, column="entry",
                                          value=row["entry"]))
        if pricing == "netback":
            if row["hub"] is not None:
                problems.append(at["sources"]("a netback price takes no hub: the origin's "
                                              "netback FOB stands in for it", row=n,
                                              column="hub", value=row["hub"]))
            if not markets_of.get(origin):
                problems.append(at["sources"](f"origin {origin} has no route to a market (a hub "
                                              "with prices): its netback is undefined", row=n,
                                              column="origin", value=origin))


def _check_period_chain(periods: ParsedTable, problems: list[Problem]) -> None:
    """Each period starts the day after the previous one ends: no gaps, no overlaps."""
    at = {"periods": periods.origin.problem}
    previous = None
    for row, number in zip(periods.rows, periods.row_numbers):
        if not _valid(row["start"], row["days"]):
            previous = None
            continue
        if previous is not None:
            expected = previous["start"] + timedelta(days=previous["days"])
            if row["start"] > expected:
                gap = (row["start"] - expected).days
                problems.append(at["periods"](f"gap of {gap} day(s) after the previous "
                                        f"period (expected start {expected})", row=number,
                                        column="start", value=row["start"]))
            elif row["start"] < expected:
                overlap = (expected - row["start"]).days
                problems.append(at["periods"](f"overlaps the previous period by {overlap} "
                                        f"day(s) (expected start {expected})", row=number,
                                        column="start", value=row["start"]))
        previous = row


def _check_complete(table: ParsedTable, item: str, items: list, periods: list,
                    problems: list[Problem]) -> None:
    """Every item × period pair is given (a hub price or a node's demand for each period)."""
    if not table.present or not table.rows or not periods:
        return
    given = {(r[item], r["period"]) for r in table.rows}
    value_col = SERIES_VALUE[table.schema.name]
    for it in items:
        missing = [p for p in periods if (it, p) not in given]
        if missing:
            shown = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
            problems.append(table.origin.problem(f"{item} {it} has no {value_col} for period(s) "
                                    f"{shown}", column=value_col))


# --- settings and policy from case.toml -------------------------------------------------

def _build_settings(config: dict, tables, keys, problems: list[Problem],
                    places=_toml_place) -> tuple[Settings, Policy]:
    """Settings and policy from case.toml's content (or a workbook's `case` sheet, read
    into the same dict); `places(section, key, what)` gives each problem its file, sheet,
    row and column."""
    def problem(rule, section, key, what, value=None):
        # A place may say which value to show (a workbook names the key it points at).
        problems.append(Problem(rule=rule, **{"value": value, **places(section, key, what)}))

    values: dict[str, object] = {}
    for section, content in config.items():
        if not isinstance(content, dict):
            problem("expected a [section] here", section, None, "section")
            continue
        for name, value in content.items():
            setting = SETTINGS.get(name)
            if setting is None or setting.section != section:
                known = ", ".join(s.name for s in SETTINGS.values() if s.section == section)
                problem(f"unknown setting in [{section}]"
                        + (f" (known: {known})" if known else " (unknown section)"),
                        section, name, "unknown", value)
                continue
            if setting.dtype == "table" and isinstance(value, dict):
                # caps: each supplier's cap on its own, named by its key (caps.US = 1.5).
                bad = [(k, v, check_setting(name, {k: v})) for k, v in value.items()]
                bad = [(k, v, rule) for k, v, rule in bad if isinstance(rule, str)]
                for k, v, rule in bad:
                    problem(rule, section, f"{name}.{k}", "value", f"{name}.{k} = {v}")
                if bad:  # the others are still checked (their suppliers below)
                    failed = {k for k, _, _ in bad}
                    values[name] = {k: float(v) for k, v in value.items() if k not in failed}
                    continue
            checked = check_setting(name, value)
            if isinstance(checked, str):
                problem(checked, section, name, "value", value)
            else:
                values[name] = checked[0]
    suppliers = set(keys.get("suppliers", []))
    where = tables["suppliers"].origin.label
    for name in ("caps", "exclude"):
        for code in values.get(name, ()):
            if suppliers and code not in suppliers:
                problem(f"unknown supplier (not in {where})", "policy",
                        f"{name}.{code}" if name == "caps" else name, "supplier", code)
    settings = Settings(**{f.name: values[f.name] for f in fields(Settings) if f.name in values})
    limits = tuple(ShareLimit(**r) for r in tables["share_limits"].rows)
    policy = Policy(
        caps=values.get("caps", {}), max_share=values.get("max_share"),
        risk_weight_usd_mmbtu=values.get("risk_weight_usd_mmbtu", 0.0),
        exclude=tuple(values.get("exclude", ())), share_basis=values.get("share_basis", "period"),
        share_of=values.get("share_of", "supply"), limits=limits,
        storage_days=values.get("storage_days", 0.0), cover_days=values.get("cover_days", 0.0),
        min_n1=values.get("min_n1"), admit=tuple(values.get("admit", ())))
    return settings, policy


# --- building the Case ------------------------------------------------------------------

def _records(table: ParsedTable) -> tuple:
    cls = RECORD_TYPES[table.schema.name]
    key = table.schema.key
    out = []
    for row in table.rows:
        kwargs = {("id" if c == key else c): v for c, v in row.items()}
        out.append(cls(**kwargs))
    return tuple(out)


def _series(table: ParsedTable) -> pd.Series:
    item, period = table.schema.unique[0], "period"
    value = SERIES_VALUE[table.schema.name]
    index = pd.MultiIndex.from_arrays([[r[item] for r in table.rows],
                                       [r[period] for r in table.rows]], names=[item, period])
    return pd.Series([float(r[value]) for r in table.rows], index=index, dtype=float, name=value)


def _build_case(path: Path, config: dict, tables: dict[str, ParsedTable], settings: Settings,
                policy: Policy, digest: str) -> Case:
    head = config.get("case", {})  # a table: _build_settings reported anything else
    kwargs = dict(
        name=str(head.get("name", path.stem if is_workbook(path) else path.name)), title=str(head.get("title", "")),
        periods=_records(tables["periods"]), nodes=_records(tables["nodes"]),
        suppliers=_records(tables["suppliers"]), entries=_records(tables["entries"]),
        sources=_records(tables["sources"]), arcs=_records(tables["arcs"]),
        storage=_records(tables["storage"]), demand=_series(tables["demand"]),
        hub_prices=_series(tables["hub_prices"]), settings=settings, policy=policy,
        origins=_records(tables["lng_origins"]), routes=_records(tables["lng_routes"]),
        exports=_records(tables["exports"]), demand_tiers=_records(tables["demand_tiers"]),
        source_hash=digest, path=str(path),
    )
    if tables["disruptions"].present:
        kwargs["scenarios"] = build_scenarios(tables["disruptions"].rows)
    for name in ("entry_capacity", "storage_floors", "lng_origin_capacity"):
        if tables[name].present:
            kwargs[{"lng_origin_capacity": "origin_capacity"}.get(name, name)] = _series(tables[name])
    return Case(**kwargs)
