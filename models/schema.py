"""The table schemas of a case: every column, its type, unit, allowed range and default.

This is the one place that says what a case file may contain. The loader reads and checks
tables against it, `gasmix init` writes tables in its column order, and the README's input
reference is written from it.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

KINDS = ("pipeline", "lng", "domestic")
GROUP_TYPES = ("supplier", "kind", "source")
SHARE_BASES = ("period", "horizon")
SHARE_OF = ("supply", "imports")
CONTRACT_TERMS = ("spot", "contract")
TARGET_TYPES = ("entry", "supplier", "source", "hub", "origin", "offer")
PRICINGS = ("delivered", "fob", "netback")
CANALS = ("none", "panama", "suez")


# The largest value a number of each unit may take where its column sets no maximum of its
# own: physically generous (far above any country's gas system) but finite, so that a typo
# such as 1e308 is an input error naming its cell, not an overflow in the solve or a model
# HiGHS rejects without saying where. A case built in code obeys the same ceilings
# (models/validation.py reads them from the columns).
UNIT_CEILINGS = {
    # 10 million MMcf/d: about 25 times the world's gas consumption (~400,000 MMcf/d).
    # Tests and users write "unlimited" capacity as 1e6.
    "MMcf/d": 1e7,
    # 1 million Bcf: about 60 times the world's working gas in storage (~15,000 Bcf).
    "Bcf": 1e6,
    # A tariff, charge or cost per MMBtu: the highest value of lost load the settings allow
    # (voll_usd_mmbtu ≤ 10,000): gas dearer than that to carry is never worth carrying.
    "USD/MMBtu": 10_000.0,
    # A multiplier on a price: as a disruption's price_multiplier.
    "–": 100.0,
    # One-way sea distance: more than twice the Earth's circumference (21,600 nm).
    "nautical miles": 50_000.0,
}


@dataclass(frozen=True)
class Column:
    """One column of a table.

    `dtype` is one of "id", "str", "float", "int", "date", "choice". A column with
    `required=False` may be missing from the file or left empty in a row; it then takes
    `default` (None means "not set": an open bound, an unset period).
    `references` names another table whose key the value must be ("nodes", "periods", …).
    A number column given no `maximum` takes its unit's ceiling (UNIT_CEILINGS).
    """

    name: str
    dtype: str
    unit: str = ""
    description: str = ""
    required: bool = True
    default: object = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    references: str | None = None

    def __post_init__(self):
        if self.dtype in ("float", "int") and self.maximum is None:
            # A number with no explicit maximum takes its unit's ceiling (UNIT_CEILINGS).
            object.__setattr__(self, "maximum", UNIT_CEILINGS[self.unit])

    def range_text(self) -> str:
        if self.choices:
            return " | ".join(self.choices)
        if self.minimum is None and self.maximum is None:
            return ""
        low = "−∞" if self.minimum is None else _fmt(self.minimum)
        high = "∞" if self.maximum is None else _fmt(self.maximum)
        return f"[{low}, {high}]"


def _fmt(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else str(x)


@dataclass(frozen=True)
class TableSchema:
    """A table: its file, its columns and, for record tables, the key column.

    `key` is the column whose values must be unique (an id); long tables (one row per
    item × period) name the column pair that must be unique in `unique`.
    """

    name: str
    description: str
    columns: tuple[Column, ...]
    key: str | None = None
    unique: tuple[str, ...] = ()
    required: bool = True

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _id(name: str, description: str, references: str | None = None) -> Column:
    return Column(name, "id", description=description, references=references)


def _opt_period(name: str, description: str) -> Column:
    return Column(name, "id", description=description, required=False, references="periods")


def _firm_columns() -> tuple[Column, Column]:
    """Firm (reserved) capacity and its reservation charge, paid whatever flows."""
    return (
        Column("firm_mmcfd", "float", "MMcf/d", "capacity reserved (booked) ahead; its "
               "reservation is paid whatever flows, even above the capacity that exists (a "
               "contracted line not yet built)", required=False, default=0.0, minimum=0),
        Column("reservation_usd_mmbtu", "float", "USD/MMBtu",
               "reservation charge per MMBtu of reserved capacity per day (a fixed payment)",
               required=False, default=0.0, minimum=0),
    )


TABLES: dict[str, TableSchema] = {
    t.name: t
    for t in (
        TableSchema(
            "periods",
            "Planning periods in order: consecutive, without gaps or overlaps.",
            (
                _id("period", "period id, e.g. 2026-01 ('horizon' is reserved)"),
                Column("start", "date", description="first day (YYYY-MM-DD)"),
                Column("days", "int", "days", "length of the period", minimum=1, maximum=366),
            ),
            key="period",
        ),
        TableSchema(
            "nodes",
            "Demand regions of the gas system.",
            (
                _id("node", "node id"),
                Column("name", "str", description="display name", required=False, default=""),
                Column("peak_day_factor", "float", "–",
                       "the node's peak-day demand ÷ its average daily demand (empty: the "
                       "case's peak_day_factor)", required=False, default=None,
                       minimum=1.0, maximum=5.0),
            ),
            key="node",
        ),
        TableSchema(
            "demand",
            "Average daily demand of each node in each period (every node × period).",
            (
                _id("node", "node id", "nodes"),
                _id("period", "period id", "periods"),
                Column("demand_mmcfd", "float", "MMcf/d", "average daily demand", minimum=0),
            ),
            unique=("node", "period"),
        ),
        TableSchema(
            "suppliers",
            "Supplier countries (ISO 3166 alpha-2) with their diplomatic-risk score.",
            (
                _id("supplier", "ISO 3166 alpha-2 code"),
                Column("name", "str", description="display name", required=False, default=""),
                Column("risk", "float", "0–1", "diplomatic-risk score, e.g. 1 − WGI", minimum=0, maximum=1),
            ),
            key="supplier",
        ),
        TableSchema(
            "hub_prices",
            "Price of each market hub in each period (every hub used × period).",
            (
                _id("hub", "hub id, e.g. HH"),
                _id("period", "period id", "periods"),
                Column("price_usd_mmbtu", "float", "USD/MMBtu", "hub price (may be negative)",
                       minimum=-100, maximum=1000),
            ),
            unique=("hub", "period"),
        ),
        TableSchema(
            "entries",
            "Entry points: border pipeline systems, LNG terminals, domestic supply zones.",
            (
                _id("entry", "entry id"),
                Column("name", "str", description="display name", required=False, default=""),
                Column("kind", "choice", description="kind of gas it takes", choices=KINDS),
                _id("node", "node it feeds", "nodes"),
                Column("capacity_mmcfd", "float", "MMcf/d", "capacity into the node", minimum=0),
                Column("tariff_usd_mmbtu", "float", "USD/MMBtu", "entry / regas tariff",
                       required=False, default=0.0, minimum=0),
                _opt_period("first_period", "first period in service (empty: from the start)"),
                _opt_period("last_period", "last period in service (empty: to the end)"),
                *_firm_columns(),
            ),
            key="entry",
        ),
        TableSchema(
            "sources",
            "Supply sources: one supplier's gas of one kind through one entry, "
            "priced as multiplier × hub price + adder (+ the entry's tariff).",
            (
                _id("source", "source id"),
                _id("supplier", "supplier code", "suppliers"),
                Column("kind", "choice", description="pipeline, lng or domestic (must match the entry)",
                       choices=KINDS),
                _id("entry", "entry point", "entries"),
                Column("hub", "id", description="price hub (empty: fixed price = adder)",
                       required=False, references="hub_prices"),
                Column("price_multiplier", "float", "–", "multiplier on the hub price",
                       required=False, default=1.0, minimum=0),
                Column("price_adder_usd_mmbtu", "float", "USD/MMBtu",
                       "adder: basis, liquefaction, shipping or fixed cost",
                       required=False, default=0.0, minimum=-100, maximum=1000),
                Column("min_mmcfd", "float", "MMcf/d", "contract minimum (take-or-pay) per period",
                       required=False, default=0.0, minimum=0),
                Column("max_mmcfd", "float", "MMcf/d", "maximum per period (empty: no limit)",
                       required=False, default=None, minimum=0),
                _opt_period("first_period", "first period available (empty: from the start)"),
                _opt_period("last_period", "last period available (empty: to the end)"),
                Column("description", "str", description="route, contract or note",
                       required=False, default=""),
                Column("contract", "choice",
                       description="contract: volumes committed before the scenario is known "
                                   "(first stage of a stochastic plan); spot: bought as needed",
                       required=False, default="spot", choices=CONTRACT_TERMS),
                Column("take_or_pay", "float", "0–1",
                       "share of the contracted volume paid for even if not taken "
                       "(contract sources; below 1 the source's entry needs a positive tariff, the "
                       "firm part paid on all contracted gas)", required=False, default=0.0,
                       minimum=0, maximum=1),
                Column("origin", "id", description="liquefaction origin of LNG (its volume "
                       "counts against the origin's availability; needed for fob and netback "
                       "pricing, with a route from it to the source's entry; the source's "
                       "supplier must be the origin's)", required=False, references="lng_origins"),
                Column("pricing", "choice",
                       description="what the formula multiplier × hub + adder gives: delivered "
                                   "(the price at the entry); fob (the price at the origin: "
                                   "freight origin → entry is added); netback (the origin's "
                                   "netback FOB stands in for the hub, freight added; no hub; "
                                   "the origin needs a route to some market)",
                       required=False, default="delivered", choices=PRICINGS),
                Column("offer", "id", description="an offer the source belongs to (e.g. a "
                       "sanctioned supplier's): unavailable unless the policy admits it",
                       required=False),
            ),
            key="source",
        ),
        TableSchema(
            "arcs",
            "Pipelines between nodes, one row per direction.",
            (
                _id("arc", "arc id"),
                _id("from_node", "node gas leaves", "nodes"),
                _id("to_node", "node gas reaches", "nodes"),
                Column("capacity_mmcfd", "float", "MMcf/d", "capacity", minimum=0),
                Column("tariff_usd_mmbtu", "float", "USD/MMBtu",
                       "transport tariff on the flow (the variable, usage part)",
                       required=False, default=0.0, minimum=0),
                *_firm_columns(),
            ),
            key="arc",
            required=False,
        ),
        TableSchema(
            "lng_origins",
            "LNG liquefaction origins: what each can sell to the market, by the period.",
            (
                _id("origin", "origin id (a plant, or a country's plants)"),
                Column("name", "str", description="display name", required=False, default=""),
                _id("supplier", "supplier code of the origin", "suppliers"),
                Column("available_mmcfd", "float", "MMcf/d",
                       "liquefaction capacity available to the market (uncommitted), per period; "
                       "empty: no limit", required=False, default=None, minimum=0),
                _opt_period("first_period", "first period it can sell (empty: from the start)"),
                _opt_period("last_period", "last period it can sell (empty: to the end)"),
            ),
            key="origin",
            required=False,
        ),
        TableSchema(
            "lng_origin_capacity",
            "Time-varying origin availability: overrides available_mmcfd for the periods listed.",
            (
                _id("origin", "origin id", "lng_origins"),
                _id("period", "period id", "periods"),
                Column("available_mmcfd", "float", "MMcf/d", "available in that period",
                       minimum=0),
            ),
            unique=("origin", "period"),
            required=False,
        ),
        TableSchema(
            "lng_routes",
            "LNG shipping routes from an origin to a market (a hub of hub_prices.csv, whose "
            "price is delivered there) or to an LNG terminal (an entry of kind lng). Freight "
            "is given, or computed from the distance and the [lng] voyage settings of case.toml.",
            (
                _id("origin", "origin id", "lng_origins"),
                _id("destination", "a market hub or an LNG entry"),
                Column("distance_nm", "float", "nautical miles", "one-way sea distance",
                       required=False, default=None, minimum=0),
                Column("canal", "choice", description="canal passed each way",
                       required=False, default="none", choices=CANALS),
                Column("freight_usd_mmbtu", "float", "USD/MMBtu",
                       "freight per delivered MMBtu (empty: computed from distance_nm)",
                       required=False, default=None, minimum=0, maximum=100),
            ),
            unique=("origin", "destination"),
            required=False,
        ),
        TableSchema(
            "exports",
            "Pass-through demand: feed gas of LNG export plants, carried in through an entry "
            "(the exporter's own supply) to the plant's node; reported apart from domestic "
            "demand, outside the plan's costs and shares.",
            (
                _id("export", "export plant id"),
                Column("name", "str", description="display name", required=False, default=""),
                _id("node", "node of the plant", "nodes"),
                _id("entry", "entry its feed gas comes through", "entries"),
                Column("feed_mmcfd", "float", "MMcf/d", "feed gas", minimum=0),
                _opt_period("first_period", "first period it takes feed gas (empty: from the start)"),
                _opt_period("last_period", "last period it takes feed gas (empty: to the end)"),
            ),
            key="export",
            required=False,
        ),
        TableSchema(
            "demand_tiers",
            "Demand response: curtailable tiers of a node's demand, each a share of it with "
            "the value at which it gives way (power plants switching to fuel oil or diesel at "
            "the substitute's price, industry at the value of its lost output). What the "
            "tiers leave is protected demand, unserved only at VOLL.",
            (
                _id("node", "node id", "nodes"),
                _id("tier", "tier id (e.g. power_switch, industrial)"),
                Column("share", "float", "0–1", "share of the node's demand in the tier",
                       minimum=0, maximum=1),
                Column("value_usd_mmbtu", "float", "USD/MMBtu",
                       "what curtailing the tier costs per MMBtu not delivered (above VOLL: "
                       "it gives way at VOLL, with protected demand)",
                       minimum=0, maximum=10_000),
                Column("description", "str", description="who the tier is, and its source",
                       required=False, default=""),
            ),
            unique=("node", "tier"),
            required=False,
        ),
        TableSchema(
            "storage",
            "Storage sites (depleted fields, caverns, LNG tanks).",
            (
                _id("storage", "storage id"),
                Column("name", "str", description="display name", required=False, default=""),
                _id("node", "node it serves", "nodes"),
                Column("working_gas_bcf", "float", "Bcf", "working gas capacity", minimum=0),
                Column("initial_bcf", "float", "Bcf", "stock before the first period", minimum=0),
                Column("injection_mmcfd", "float", "MMcf/d", "maximum injection rate", minimum=0),
                Column("withdrawal_mmcfd", "float", "MMcf/d", "maximum withdrawal rate", minimum=0),
                Column("injection_cost_usd_mmbtu", "float", "USD/MMBtu", "injection cost",
                       required=False, default=0.0, minimum=0),
                Column("withdrawal_cost_usd_mmbtu", "float", "USD/MMBtu", "withdrawal cost",
                       required=False, default=0.0, minimum=0),
                Column("floor_bcf", "float", "Bcf", "strategic minimum stock in every period",
                       required=False, default=0.0, minimum=0),
                Column("end_target_bcf", "float", "Bcf",
                       "minimum stock at the end (empty: the initial stock)",
                       required=False, default=None, minimum=0),
                _opt_period("first_period", "first period in service (empty: from the start)"),
                Column("n1_deliverability", "choice",
                       description="strategic / deliverable storage: counts as storage "
                                   "deliverability Sm in the N−1 standard and towards the "
                                   "storage-days floor and the supply-loss cover (no: "
                                   "operational stock, e.g. linepack, or LNG tanks behind a "
                                   "regas terminal already counted in LNGm)",
                       required=False, default="yes", choices=("yes", "no")),
                Column("withdrawal_at_empty_share", "float", "0–1",
                       "withdrawal ratchet: the share of withdrawal_mmcfd the site can still "
                       "deliver when empty; the rate rises linearly with the stock to the full "
                       "rate at working gas (1: no ratchet)", required=False, default=1.0,
                       minimum=0, maximum=1),
            ),
            key="storage",
            required=False,
        ),
        TableSchema(
            "entry_capacity",
            "Time-varying entry capacity: overrides capacity_mmcfd for the periods listed.",
            (
                _id("entry", "entry id", "entries"),
                _id("period", "period id", "periods"),
                Column("capacity_mmcfd", "float", "MMcf/d", "capacity in that period", minimum=0),
            ),
            unique=("entry", "period"),
            required=False,
        ),
        TableSchema(
            "storage_floors",
            "Time-varying strategic floor: overrides floor_bcf for the periods listed.",
            (
                _id("storage", "storage id", "storage"),
                _id("period", "period id", "periods"),
                Column("floor_bcf", "float", "Bcf", "minimum end-of-period stock", minimum=0),
            ),
            unique=("storage", "period"),
            required=False,
        ),
        TableSchema(
            "share_limits",
            "Share limits (min and/or max) for a supplier, a kind or a single source, in every "
            "period or in one; a glide path is one row per period.",
            (
                Column("group_type", "choice", description="what the limit groups by",
                       choices=GROUP_TYPES),
                Column("group", "id", description="supplier code, kind or source id"),
                _opt_period("period", "period it applies to (empty: every period)"),
                Column("min_share", "float", "0–1", "minimum share", required=False,
                       default=None, minimum=0, maximum=1),
                Column("max_share", "float", "0–1", "maximum share", required=False,
                       default=None, minimum=0, maximum=1),
            ),
            unique=("group_type", "group", "period"),
            required=False,
        ),
        TableSchema(
            "disruptions",
            "Disruption scenarios for stress tests and stochastic plans. Each scenario is "
            "declared once by a row with its probability and no target (the undisturbed "
            "`base` too); its events follow as rows with a target and no probability. "
            "Probabilities add up to 1.",
            (
                _id("scenario", "scenario id"),
                Column("probability", "float", "0–1",
                       "probability (only on the scenario's declaration row)",
                       required=False, default=None, minimum=0, maximum=1),
                Column("target_type", "choice", description="what the event hits (event rows)",
                       required=False, default=None, choices=TARGET_TYPES),
                Column("target", "id", description="entry, supplier, source, hub, LNG origin "
                       "or offer id", required=False, default=None),
                _opt_period("first_period", "first period hit (empty: from the start)"),
                _opt_period("last_period", "last period hit (empty: to the end)"),
                Column("first_day", "int", "day", "a short event: the day of the month it "
                       "starts (with days; one period: first_period = last_period)",
                       required=False, default=None, minimum=1, maximum=31),
                Column("days", "int", "days", "a short event: how many days it lasts from "
                       "first_day, inside its period", required=False, default=None,
                       minimum=1, maximum=31),
                Column("capacity_factor", "float", "0–1",
                       "share of capacity / contracted supply still available (not on a hub: "
                       "hubs take price multipliers only); on an offer, the share of it "
                       "available in the scenario, admitted or not",
                       required=False, default=None, minimum=0, maximum=1),
                Column("price_multiplier", "float", "–", "multiplier on the price",
                       required=False, default=None, minimum=0, maximum=100),
                Column("description", "str", description="what happens, and its source",
                       required=False, default=""),
            ),
            required=False,
        ),
    )
}


@dataclass(frozen=True)
class Setting:
    """A scalar of case.toml: its section, type, unit, range and default."""

    section: str
    name: str
    dtype: str  # "float", "str", "choice", "list", "table"
    unit: str = ""
    description: str = ""
    default: object = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting("case", "name", "str", description="short case name", default="case"),
        Setting("case", "title", "str", description="display title", default=""),
        Setting("settings", "heat_content_mmbtu_per_mcf", "float", "MMBtu/Mcf",
                "heat content of the gas", 1.037, minimum=0.8, maximum=1.3),
        Setting("settings", "voll_usd_mmbtu", "float", "USD/MMBtu",
                "value of lost load: the cost of gas demand left unserved", 100.0,
                minimum=0.01, maximum=10_000),
        Setting("settings", "export_curtailment_usd_mmbtu", "float", "USD/MMBtu",
                "the cost of feed gas of an LNG export plant (exports.csv) left uncarried "
                "when the system cannot take it (empty: VOLL)", None, minimum=0.0, maximum=10_000),
        Setting("settings", "peak_day_factor", "float", "–",
                "peak-day demand ÷ the period's average daily demand (for N−1)", 1.0,
                minimum=1.0, maximum=5.0),
        Setting("settings", "peak_day", "choice",
                description="the peak day of each period: `block`, a day of the monthly model "
                            "(the plan must serve it, storage chained through it); `check`, "
                            "solved after the plan on its stock", default="check",
                choices=("check", "block")),
        Setting("policy", "risk_weight_usd_mmbtu", "float", "USD/MMBtu",
                "λ: penalty per unit of supplier risk score", 0.0, minimum=0, maximum=1000),
        Setting("policy", "max_share", "float", "0–1",
                "cap on every supplier's share (empty: none)", None, minimum=0, maximum=1),
        Setting("policy", "share_basis", "choice", description="caps hold per period or over the horizon",
                default="period", choices=SHARE_BASES),
        Setting("policy", "share_of", "choice", description="shares of all supply or of imports",
                default="supply", choices=SHARE_OF),
        Setting("policy", "exclude", "list", "supplier codes",
                description="suppliers excluded outright", default=()),
        Setting("policy", "caps", "table", "0–1", "supplier → maximum share", default={}),
        Setting("policy", "storage_days", "float", "days",
                "total stock ≥ this many days of average demand in every period with storage",
                0.0, minimum=0, maximum=365),
        Setting("policy", "cover_days", "float", "days",
                "total stock ≥ this many days of each import supplier's flow", 0.0,
                minimum=0, maximum=365),
        Setting("policy", "min_n1", "float", "%",
                "required N−1 in every period (empty: none)", None, minimum=0, maximum=1000),
        Setting("policy", "admit", "list", "offer ids",
                description="offers admitted (sources.csv offer); the others are unavailable",
                default=()),
        Setting("lng", "charter_usd_per_day", "float", "USD/day",
                "LNG carrier charter rate (freight computed from distance)", 60_000.0,
                minimum=0, maximum=1_000_000),
        Setting("lng", "speed_knots", "float", "knots", "service speed", 17.0,
                minimum=5, maximum=25),
        Setting("lng", "cargo_m3", "float", "m³", "cargo capacity of the carrier", 174_000.0,
                minimum=1_000, maximum=300_000),
        Setting("lng", "fill_ratio", "float", "–", "share of the tanks loaded", 0.985,
                minimum=0.5, maximum=1),
        Setting("lng", "mmbtu_per_m3", "float", "MMBtu/m³", "energy of a cubic metre of LNG",
                23.1, minimum=15, maximum=30),
        Setting("lng", "boil_off_laden_pct_per_day", "float", "%/day",
                "boil-off on the laden leg (gas lost to the cargo)", 0.12, minimum=0, maximum=1),
        Setting("lng", "boil_off_ballast_pct_per_day", "float", "%/day",
                "heel burnt on the ballast leg", 0.09, minimum=0, maximum=1),
        Setting("lng", "port_days", "float", "days", "loading and discharge days per voyage",
                3.0, minimum=0, maximum=30),
        Setting("lng", "port_costs_usd", "float", "USD", "port costs per voyage", 120_000.0,
                minimum=0, maximum=10_000_000),
        Setting("lng", "panama_usd_round_trip", "float", "USD",
                "Panama Canal tolls, laden and ballast", 1_016_000.0, minimum=0,
                maximum=10_000_000),
        Setting("lng", "suez_usd_round_trip", "float", "USD", "Suez Canal dues, both ways",
                1_000_000.0, minimum=0, maximum=10_000_000),
        Setting("lng", "boil_off_value_usd_mmbtu", "float", "USD/MMBtu",
                "value of the gas boiled off", 12.0, minimum=0, maximum=1000),
    )
}

def check_setting(name: str, value) -> tuple | str:
    """Check one setting of SETTINGS; return (converted value,) or the rule it breaks."""
    s = SETTINGS[name]
    if value is None and s.default is None:  # an optional setting left unset
        return (None,)
    if s.dtype == "str":
        rule = text_rule(str(value))
        return rule if rule else (str(value),)
    if s.dtype == "choice":
        return (value,) if value in s.choices else "must be one of " + ", ".join(s.choices)
    if s.dtype == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"must be a list of {s.unit or 'ids'}"
        rule = next(filter(None, map(id_rule, value)), None)
        return rule if rule else (tuple(value),)
    if s.dtype == "table":
        if not isinstance(value, dict):
            return "must be a table of supplier = share"
        for k, v in value.items():
            rule = id_rule(k) or number_rule(v, 0, 1)
            if rule:
                return f"cap for {k}: {rule}"
        return ({k: float(v) for k, v in value.items()},)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return "not a number"
    rule = number_rule(value, s.minimum, s.maximum)
    return rule if rule else (float(value),)


# The rule every id obeys (a node, supplier, source, entry, hub, storage site, scenario,
# period … in a table, a setting or a case built in code). Ids are printed in terminals,
# reports and workbooks and used as keys: a control character (ESC, BEL, NUL) would act on
# the terminal or vanish from view, so it is refused; markup-like text such as `[red]` or
# `MX:warning:` is printable and allowed (outputs show it literally).
PRINTABLE_ID_RULE = "ids must be printable (no control or format characters such as ESC, BEL, NUL)"
# Free text (names, titles, descriptions) may also hold tabs, line breaks (a workbook cell's
# Alt+Enter, a quoted CSV cell over two lines) and spaces such as the no-break space; the
# terminal output escapes what it must. Other control characters are refused as in ids.
PRINTABLE_TEXT_RULE = ("text must be printable (tabs and line breaks allowed; no other control "
                       "characters such as ESC, BEL, NUL)")


def id_rule(value) -> str | None:
    """The rule an id breaks (not text, empty, not printable, holds spaces), or None."""
    if not isinstance(value, str):
        return "an id must be text"
    if not value:
        return "an id may not be empty"
    if any(not ch.isprintable() and not ch.isspace() for ch in value):
        return PRINTABLE_ID_RULE
    if any(ch.isspace() for ch in value):
        return "an id may not contain spaces"
    return None


def text_rule(value) -> str | None:
    """The rule free text breaks (not text, not printable: see PRINTABLE_TEXT_RULE), or None."""
    if not isinstance(value, str):
        return "not text"
    if not all(ch.isprintable() or ch in "\t\n\r" or unicodedata.category(ch) == "Zs"
               for ch in value):
        return PRINTABLE_TEXT_RULE
    return None


def number_rule(value, low, high) -> str | None:
    """The rule a number breaks (not a number, not finite, out of [low, high]), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "not a number"
    if not math.isfinite(value):
        return "must be a finite number"
    if low is not None and value < low:
        return f"must be ≥ {low:g}"
    if high is not None and value > high:
        return f"must be ≤ {high:g}"
    return None


# Scalars `--set KEY=VALUE` may override (lists and tables have their own options).
SCALAR_SETTINGS = {k: s for k, s in SETTINGS.items()
                   if s.section != "case" and s.dtype in ("float", "str", "choice")}


__all__ = [
    "Column", "TableSchema", "TABLES", "Setting", "SETTINGS", "SCALAR_SETTINGS",
    "KINDS", "GROUP_TYPES", "SHARE_BASES", "SHARE_OF", "CONTRACT_TERMS", "TARGET_TYPES",
    "PRICINGS", "CANALS", "UNIT_CEILINGS", "check_setting", "number_rule", "id_rule", "text_rule",
]


def reference_markdown() -> str:
    """The input reference for the README, written from the schemas above."""
    out = []
    for table in TABLES.values():
        need = "required" if table.required else "optional"
        out.append(f"#### `{table.file}` ({need})\n\n{table.description}\n")
        out.append("| column | type | unit | range | required | default | meaning |")
        out.append("|---|---|---|---|---|---|---|")
        for c in table.columns:
            default = "" if c.required else ("empty" if c.default in (None, "") else f"{c.default:g}"
                                             if isinstance(c.default, float) else str(c.default))
            kind = f"id → {c.references}" if c.references else c.dtype
            out.append(f"| `{c.name}` | {kind} | {c.unit} | {c.range_text()} | "
                       f"{'yes' if c.required else 'no'} | {default} | {c.description} |")
        out.append("")
    out.append("#### `case.toml`\n")
    out.append("| section | key | unit | default | meaning |")
    out.append("|---|---|---|---|---|")
    for s in SETTINGS.values():
        default = "" if s.default in (None, (), {}) else str(s.default)
        out.append(f"| `[{s.section}]` | `{s.name}` | {s.unit} | {default} | {s.description} |")
    out.append("")
    out.append("#### The same case as one workbook (`.xlsx`)\n")
    out.append("A case can also be one Excel workbook (`gasmix init --xlsx FILE` writes one): a "
               "sheet per table, named as the table, with the same columns as its CSV file "
               "(header in row 1, one row per record), and a `case` sheet for case.toml. Numbers "
               "must be stored as numbers and dates as dates (or YYYY-MM-DD text); ids are text "
               "(the sheets `gasmix init --xlsx` writes format id and period columns as text, "
               "so a period typed there stays text, and each header cell notes the column's "
               "meaning and unit). Messages name the workbook, the sheet, the row as Excel "
               "numbers it and the column.\n")
    out.append("| sheet | required | holds |")
    out.append("|---|---|---|")
    out.append("| `case` | yes | case.toml's settings, one per row, columns `section`, `key`, "
               "`value`, then `unit` and `note` if you like (for the reader, never read); a row "
               "whose section starts with `#` is a comment |")
    for table in TABLES.values():
        out.append(f"| `{table.name}` | {'yes' if table.required else 'no'} | the rows of `{table.file}` |")
    out.append("")
    out.append("The `case` sheet's rows for the settings above:\n")
    out.append("| section | key | value |")
    out.append("|---|---|---|")
    examples = {"list": ("a comma-separated list, e.g. `RU, QA` (empty: none)", ""),
                "table": ("the share, one row per supplier", ".SUPPLIER")}
    for s in SETTINGS.values():
        what, suffix = examples.get(s.dtype, (f"a {'number' if s.dtype == 'float' else 'text'}"
                                               + (f" in {s.unit}" if s.unit else ""), ""))
        if s.dtype == "choice":
            what = " or ".join(f"`{c}`" for c in s.choices)
        out.append(f"| `{s.section}` | `{s.name}{suffix}` | {what} |")
    out.append("")
    out.append(_rules_markdown())
    return "\n".join(out) + "\n"


def _rules_markdown() -> str:
    """The rules every table obeys beyond its columns: ids and text, number ceilings, and
    the reading limits of models/limits.py."""
    from . import limits

    ceilings = "; ".join(f"{unit}: {_fmt(top)}" for unit, top in UNIT_CEILINGS.items())
    return "\n".join([
        "#### Ids, text and numbers\n",
        f"* **Ids** (every `id` column, and supplier codes and offers in case.toml) are "
        f"non-empty and hold no spaces; {PRINTABLE_ID_RULE} — checked in tables, settings and "
        "cases built in code alike. Markup-like ids such as `[red]` or `MX:warning:` are "
        "allowed: outputs print them literally.",
        "* **Free text** (names, titles, descriptions) may hold any printable character, "
        "tabs and line breaks (a quoted CSV cell over two lines, a workbook cell's Alt+Enter) "
        "and spaces such as the no-break space; other control characters are refused. "
        "The terminal output escapes what it must.",
        "* **Numbers** are finite and within the range of their column above. A column with "
        "no maximum of its own takes its unit's ceiling, physically generous but finite so "
        f"that a typo such as 1e308 is named at its cell: {ceilings}.",
        "",
        "#### Reading limits\n",
        "Every case file is read within these limits (`gasmix.models.limits`), so a small "
        "hostile file is refused at once with exit 2 and a message naming it:\n",
        "| limit | value |",
        "|---|---|",
        "| kind of file | a regular file (after following links): a FIFO, device, socket "
        "or folder is refused before it is opened |",
        f"| size of a file (CSV, case.toml, workbook, disruptions file) | "
        f"{limits.MAX_FILE_BYTES // 2**20} MB |",
        f"| unpacked size of each part of a workbook | {limits.MAX_UNPACKED_BYTES // 2**20} MB |",
        f"| rows of a table or sheet (header and blank rows included) | "
        f"{limits.MAX_TABLE_ROWS:,} |",
        f"| columns of a sheet | the table's columns + {limits.COLUMN_MARGIN} |",
        f"| characters of a CSV line | {limits.MAX_LINE_CHARS:,} |",
        "",
        "A workbook is read row by row as far as its data goes; the dimension a sheet "
        "declares is ignored, and blank rows below a table are skipped (within the row "
        "limit).",
    ])
