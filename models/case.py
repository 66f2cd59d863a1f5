"""The domain model: what a case is, as frozen dataclasses.

Record tables (nodes, suppliers, entries, sources, arcs, storage) become tuples of records;
tables with one row per item × period (demand, hub prices, capacity and floor overrides)
stay as pandas DataFrames with a `(item, period)` MultiIndex. Nothing here knows PuLP.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from html import escape
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd

from .errors import CaseError
from .validation import case_problems, content_sha256, mark_valid


@dataclass(frozen=True)
class Period:
    id: str
    start: date
    days: int


@dataclass(frozen=True)
class Node:
    id: str
    name: str = ""
    peak_day_factor: float | None = None  # None: the case's peak_day_factor


@dataclass(frozen=True)
class Supplier:
    id: str
    risk: float
    name: str = ""


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str
    node: str
    capacity_mmcfd: float
    name: str = ""
    tariff_usd_mmbtu: float = 0.0
    first_period: str | None = None
    last_period: str | None = None
    firm_mmcfd: float = 0.0             # capacity reserved (booked) whatever flows
    reservation_usd_mmbtu: float = 0.0  # paid per MMBtu of reserved capacity per day


@dataclass(frozen=True)
class Source:
    id: str
    supplier: str
    kind: str
    entry: str
    hub: str | None = None
    price_multiplier: float = 1.0
    price_adder_usd_mmbtu: float = 0.0
    min_mmcfd: float = 0.0
    max_mmcfd: float | None = None
    first_period: str | None = None
    last_period: str | None = None
    description: str = ""
    contract: str = "spot"       # "contract": volumes committed ahead (first stage); "spot"
    take_or_pay: float = 0.0     # share of the contracted volume paid for even if not taken
    origin: str | None = None    # liquefaction origin (lng_origins.csv) of an LNG source
    pricing: str = "delivered"   # the price formula gives: "delivered", "fob" (+ freight), or
                                 # "netback" (the origin's netback FOB replaces the hub, + freight)
    offer: str | None = None     # an offer it belongs to: available only when admitted


@dataclass(frozen=True)
class Arc:
    id: str
    from_node: str
    to_node: str
    capacity_mmcfd: float
    tariff_usd_mmbtu: float = 0.0
    firm_mmcfd: float = 0.0             # capacity reserved (booked) whatever flows
    reservation_usd_mmbtu: float = 0.0  # paid per MMBtu of reserved capacity per day


@dataclass(frozen=True)
class Origin:
    """A liquefaction origin (a plant or a country's plants): what it can sell to the
    market. available_mmcfd None: no limit; lng_origin_capacity.csv overrides it by period."""

    id: str
    supplier: str
    name: str = ""
    available_mmcfd: float | None = None
    first_period: str | None = None
    last_period: str | None = None


@dataclass(frozen=True)
class Route:
    """A shipping route from an origin to a market (a hub with delivered prices) or to an
    LNG terminal (an entry): its freight, given or computed from the voyage settings."""

    origin: str
    destination: str
    distance_nm: float | None = None
    canal: str = "none"
    freight_usd_mmbtu: float | None = None


@dataclass(frozen=True)
class Export:
    """Pass-through demand: feed gas of an LNG export plant at `node`, carried in through
    `entry` (its own supply, not the plan's), in its window of periods."""

    id: str
    node: str
    entry: str
    feed_mmcfd: float
    name: str = ""
    first_period: str | None = None
    last_period: str | None = None


@dataclass(frozen=True)
class Storage:
    id: str
    node: str
    working_gas_bcf: float
    initial_bcf: float
    injection_mmcfd: float
    withdrawal_mmcfd: float
    name: str = ""
    injection_cost_usd_mmbtu: float = 0.0
    withdrawal_cost_usd_mmbtu: float = 0.0
    floor_bcf: float = 0.0
    end_target_bcf: float | None = None
    first_period: str | None = None
    n1_deliverability: str = "yes"  # "no": not counted as Sm in the N−1 standard
    withdrawal_at_empty_share: float = 1.0  # ratchet: share of the withdrawal rate left when empty

    @property
    def end_target(self) -> float:
        """Minimum stock at the horizon's end: by default the initial stock, so the
        optimiser cannot sell off gas it was handed for free."""
        return self.initial_bcf if self.end_target_bcf is None else self.end_target_bcf


@dataclass(frozen=True)
class DemandTier:
    """A curtailable tier of a node's demand: `share` of it gives way at `value_usd_mmbtu`
    (fuel switching, industrial curtailment); what the tiers leave is protected demand."""

    node: str
    tier: str
    share: float
    value_usd_mmbtu: float
    description: str = ""


@dataclass(frozen=True)
class ShareLimit:
    """Min and/or max share of supply for a group: a supplier, a kind, or one source.

    `period=None` applies the limit in every period (or over the horizon, on that basis).
    """

    group_type: str
    group: str
    period: str | None = None
    min_share: float | None = None
    max_share: float | None = None


@dataclass(frozen=True)
class Disruption:
    """One event of a scenario: what it hits, when, and how.

    target_type is "entry", "supplier", "source" or "hub"; the window is first_period …
    last_period (None: the horizon's start / end). capacity_factor scales what the target
    can deliver (entry capacity; a source's contracted or maximum supply); price_multiplier
    scales its price (a hub's price, or the delivered price of the sources hit).
    """

    target_type: str
    target: str
    first_period: str | None = None
    last_period: str | None = None
    capacity_factor: float | None = None
    price_multiplier: float | None = None
    description: str = ""
    first_day: int | None = None   # a short event: days first_day … first_day + days − 1
    days: int | None = None        # of its one period (None: the whole window of periods)

    @property
    def is_short(self) -> bool:
        """An event of some days inside one period (not whole periods)."""
        return self.days is not None


@dataclass(frozen=True)
class Scenario:
    """A state of the world with its probability: the base (no events) or a disruption."""

    id: str
    probability: float
    events: tuple[Disruption, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Settings:
    heat_content_mmbtu_per_mcf: float = 1.037
    voll_usd_mmbtu: float = 100.0
    peak_day_factor: float = 1.0   # peak-day ÷ average daily demand, for N−1
    peak_day: str = "check"        # "block": the peak day is a day of the monthly model
    # What curtailing an LNG export plant's feed gas costs (USD/MMBtu); None: VOLL.
    export_curtailment_usd_mmbtu: float | None = None
    # LNG voyages ([lng] in case.toml): what a route's freight is computed from when
    # lng_routes.csv gives its distance rather than its freight.
    charter_usd_per_day: float = 60_000.0
    speed_knots: float = 17.0
    cargo_m3: float = 174_000.0
    fill_ratio: float = 0.985
    mmbtu_per_m3: float = 23.1
    boil_off_laden_pct_per_day: float = 0.12
    boil_off_ballast_pct_per_day: float = 0.09
    port_days: float = 3.0
    port_costs_usd: float = 120_000.0
    panama_usd_round_trip: float = 1_016_000.0
    suez_usd_round_trip: float = 1_000_000.0
    boil_off_value_usd_mmbtu: float = 12.0


@dataclass(frozen=True)
class Policy:
    """The planner's choices for one solve: diversification caps, risk weight, exclusions.

    caps: supplier → maximum share; max_share: a cap on every supplier; limits: extra
    share limits (from share_limits.csv); share_basis "period" or "horizon"; share_of
    "supply" (all sources) or "imports" (non-domestic sources).
    """

    caps: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    max_share: float | None = None
    risk_weight_usd_mmbtu: float = 0.0
    exclude: tuple[str, ...] = ()
    share_basis: str = "period"
    share_of: str = "supply"
    limits: tuple[ShareLimit, ...] = ()
    storage_days: float = 0.0       # total stock ≥ D days of average demand
    cover_days: float = 0.0         # total stock ≥ D days of each import supplier's flow
    min_n1: float | None = None     # required N−1 (%) in every period
    admit: tuple[str, ...] = ()     # offers admitted (sources.csv `offer`); others unavailable

    def __post_init__(self):
        # Freeze the mapping so a Policy can be shared between solves safely.
        object.__setattr__(self, "caps", MappingProxyType(dict(self.caps)))
        object.__setattr__(self, "exclude", tuple(self.exclude))
        object.__setattr__(self, "admit", tuple(self.admit))
        object.__setattr__(self, "limits", tuple(self.limits))

    def replace(self, **changes) -> "Policy":
        return dataclasses.replace(self, **changes)

    def __reduce__(self):
        # A mappingproxy cannot be pickled: rebuild from a plain dict, so a Policy travels
        # to worker processes (sweeps with --workers, Dask).
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        fields["caps"] = dict(self.caps)
        return (_policy_from_fields, (fields,))


def _policy_from_fields(fields: dict) -> Policy:
    return Policy(**fields)


@dataclass(frozen=True, eq=False)  # holds DataFrames: compared by identity
class Case:
    """A whole case: the gas system, its prices and demand, and its default policy.

    demand: Series indexed by (node, period), MMcf/d. hub_prices: Series indexed by
    (hub, period), USD/MMBtu. entry_capacity / storage_floors: overrides by (id, period).
    source_hash: SHA-256 of the input files, so a plan can name exactly what it solved.
    """

    name: str
    periods: tuple[Period, ...]
    nodes: tuple[Node, ...]
    suppliers: tuple[Supplier, ...]
    entries: tuple[Entry, ...]
    sources: tuple[Source, ...]
    demand: pd.Series
    hub_prices: pd.Series
    arcs: tuple[Arc, ...] = ()
    storage: tuple[Storage, ...] = ()
    entry_capacity: pd.Series = field(default_factory=lambda: _empty_series(("entry", "period")))
    storage_floors: pd.Series = field(default_factory=lambda: _empty_series(("storage", "period")))
    origins: tuple[Origin, ...] = ()   # LNG liquefaction origins (lng_origins.csv)
    routes: tuple[Route, ...] = ()     # LNG shipping routes (lng_routes.csv)
    origin_capacity: pd.Series = field(default_factory=lambda: _empty_series(("origin", "period")))
    exports: tuple[Export, ...] = ()   # pass-through feed gas of LNG export plants
    demand_tiers: tuple[DemandTier, ...] = ()  # demand response (demand_tiers.csv)
    settings: Settings = field(default_factory=Settings)
    policy: Policy = field(default_factory=Policy)
    scenarios: tuple[Scenario, ...] = ()   # from disruptions.csv (empty: none given)
    title: str = ""
    source_hash: str = ""
    path: str = ""

    @property
    def period_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.periods)

    def __repr__(self) -> str:
        periods = f"{self.periods[0].id}–{self.periods[-1].id}" if self.periods else "no periods"
        return (f"<Case {self.name}: {len(self.periods)} periods {periods}, {len(self.nodes)} "
                f"nodes, {len(self.sources)} sources from {len(self.suppliers)} suppliers, "
                f"{len(self.entries)} entries, {len(self.arcs)} arcs, {len(self.storage)} "
                f"storage sites, {len(self.scenarios)} scenarios>")

    def _repr_html_(self) -> str:
        rows = [("periods", f"{len(self.periods)}: {self.periods[0].id} to {self.periods[-1].id}"
                 if self.periods else "0"),
                ("nodes", ", ".join(n.id for n in self.nodes)),
                ("suppliers", ", ".join(s.id for s in self.suppliers)),
                ("sources", str(len(self.sources))), ("entries", str(len(self.entries))),
                ("arcs", str(len(self.arcs))), ("storage sites", str(len(self.storage))),
                ("LNG origins", str(len(self.origins))),
                ("scenarios", ", ".join(s.id for s in self.scenarios) or "none"),
                ("average demand", f"{self.demand.sum() / max(len(self.periods), 1):,.0f} MMcf/d")]
        return _html_table(f"Case {self.name}" + (f": {self.title}" if self.title else ""), rows)

    def edited(self, **changes) -> "Case":
        """A copy with fields replaced (records, series, settings, policy, scenarios),
        checked by the rules a case read from files obeys (models/validation.py: CaseError
        naming every problem), its input hash replaced by the hash of its content."""
        case = dataclasses.replace(self, **changes)
        problems = case_problems(case)
        if problems:
            raise CaseError(problems, case=self.name)
        case = dataclasses.replace(case, source_hash=content_sha256(case))
        return mark_valid(case)

    def with_settings(self, **changes) -> "Case":
        """A copy with some scalar settings changed (`--set voll_usd_mmbtu=200`), checked."""
        return self.edited(settings=dataclasses.replace(self.settings, **changes))

    def with_demand(self, values: pd.Series | None = None, *, scale: float | None = None) -> "Case":
        """A copy with its demand changed, checked: `values` (a Series indexed by (node,
        period), MMcf/d) replace those pairs; `scale` multiplies all demand."""
        return self.edited(demand=_overlay(self.demand, values, scale))

    def with_prices(self, values: pd.Series | None = None, *,
                    scale: Mapping[str, float] | None = None) -> "Case":
        """A copy with hub prices changed, checked: `values` (a Series indexed by (hub,
        period), USD/MMBtu) replace those pairs; `scale` multiplies each named hub."""
        prices = _overlay(self.hub_prices, values, None)
        for hub, factor in (scale or {}).items():
            prices = prices.mul(np.where(prices.index.get_level_values(0) == hub, factor, 1.0))
        return self.edited(hub_prices=prices)


def _overlay(series: pd.Series, values: pd.Series | None, scale: float | None) -> pd.Series:
    out = series.copy()
    if values is not None:
        values = pd.Series(values, dtype=float)
        out = values.combine_first(out).reindex(out.index.union(values.index))
        out.index.names = series.index.names
    return out * scale if scale is not None else out


def _html_table(title: str, rows: list[tuple[str, str]]) -> str:
    """A small two-column table for a notebook (values escaped)."""
    body = "".join(f"<tr><th style='text-align:left'>{escape(k)}</th><td style='text-align:left'>"
                   f"{escape(v)}</td></tr>" for k, v in rows)
    return f"<table><caption style='text-align:left'><b>{escape(title)}</b></caption>{body}</table>"


def _empty_series(names: tuple[str, str]) -> pd.Series:
    index = pd.MultiIndex.from_arrays([[], []], names=list(names))
    return pd.Series([], index=index, dtype=float)
