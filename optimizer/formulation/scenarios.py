"""A disruption scenario applied to the model's arrays: prices, entry capacities and what each
source can deliver in that state of the world.

Events (models.Disruption) hit a target in a window of periods, or for some days inside one
period (a short event: first_day, days), which acts on a day block of those days only
(`short_blocks`; the period's other days keep the whole-period events):

* capacity_factor φ caps deliveries at φ × a reference the plan cannot choose (a hub takes
  price multipliers only: disruptions.csv rejects a capacity factor on one). A source's
  availability φ[s,t] is the product of the factors that hit it, and:
    - every source hit delivers at most φ[s,t]·min(its maximum, its entry's capacity) (its
      physical availability; with φ = 1 its bounds are those of the case), and an entry's
      capacity is scaled by φ;
    - on a supplier or a source, the sources hit together deliver at most φ × the flow the
      plan would have had: the deterministic (base) plan's flow of those sources in that
      period, computed once before the stochastic solve (ModelData.export_limits, the
      two-stage family export_limit). A US cap on exports limits the volume, whatever Mexico contracts, so
      contracting more cannot book the plan out of the cut;
    - a contracted source delivers at most φ[s,t]·(its contracted volume): pro-rata
      curtailment of contracts (force majeure excuses the rest).
* on an LNG origin, capacity_factor φ scales what the origin can sell (its availability);
  on an offer (sources.csv `offer`), it sets the share of the offered volume available in
  the scenario, whether or not the policy admits the offer (1: a sanctioned supply that
  becomes available; 0: an admitted supply cut off);
* price_multiplier m on a hub scales the hub price inside every source formula priced on it
  (price = multiplier·m·hub + adder + tariff), netbacks included (a market's move reaches
  every origin's netback FOB); on an entry, supplier, source, origin or offer it scales the
  commodity part of the delivered price of the sources hit: price − r_s, with r_s the firm
  (reservation) part of a contract source (ModelData.firm_part; 0 for a spot source, whose whole
  delivered price is scaled). The firm part is a booked capacity charge: a gas glut does
  not cut it.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from ...models import Disruption, Scenario
from .arrays import ModelData, period_window, source_prices
from .blocks import DayBlock, with_peak_days


class ScenarioView(NamedTuple):
    """A scenario and the model data as it sees it."""

    scenario: Scenario
    data: ModelData


def sources_hit(d: ModelData, target_type: str, target: str) -> np.ndarray:
    """Boolean S: the sources an event's target covers."""
    if target_type == "entry":
        return d.source_entry == d.entry_ids.index(target)
    if target_type == "supplier":
        return d.source_supplier == d.supplier_ids.index(target)
    if target_type == "hub":
        return d.source_hub == d.hub_ids.index(target) if target in d.hub_ids else \
            np.zeros(len(d.source_ids), dtype=bool)
    if target_type == "origin":
        return d.source_origin == d.origin_ids.index(target)
    if target_type == "offer":
        return d.source_offer == target
    return np.array(d.source_ids, dtype=object) == target


def apply_scenario(d: ModelData, scenario: Scenario,
                   reference_flow: np.ndarray | None = None) -> ScenarioView:
    """The model data as scenario `scenario` sees it: its prices, entry and origin
    capacities, source bounds, availability φ[s,t] and export limits (the base scenario:
    the case's own, φ = 1). `reference_flow` (S × T, the deterministic plan's flows) is
    what the capacity factors on suppliers and sources scale."""
    S, T = d.price.shape
    events = [e for e in scenario.events if not e.is_short]  # short ones: day blocks, below
    hub_factor = np.ones_like(d.hub_price)
    for event in events:  # hubs act inside the price formulas: first
        if event.target_type == "hub" and event.price_multiplier is not None:
            window = period_window(d.period_ids, event.first_period, event.last_period)
            hub_factor[d.hub_ids.index(event.target), window] *= event.price_multiplier
    price = source_prices(d, d.hub_price * hub_factor) if (hub_factor != 1).any() else d.price.copy()
    capacity = d.entry_capacity.copy()
    origin_available = d.origin_available.copy()
    availability = np.ones((S, T))
    offered = np.full((S, T), np.nan)  # an offer's availability, where an event sets it
    limits = []
    firm = d.firm_part[:, None] * np.ones((1, T))
    for event in events:
        if event.target_type == "hub":
            continue
        window = period_window(d.period_ids, event.first_period, event.last_period)
        hit = sources_hit(d, event.target_type, event.target)
        if event.capacity_factor is not None:
            if event.target_type == "offer":
                offered[np.ix_(hit, window)] = event.capacity_factor
            else:
                availability[np.ix_(hit, window)] *= event.capacity_factor
            if event.target_type in ("supplier", "source"):
                limits.append((np.flatnonzero(hit), np.flatnonzero(window),
                               float(event.capacity_factor), event.target))
            if event.target_type == "entry":
                capacity[d.entry_ids.index(event.target), window] *= event.capacity_factor
            if event.target_type == "origin":
                origin_available[d.origin_ids.index(event.target), window] *= event.capacity_factor
        if event.price_multiplier is not None:
            m = event.price_multiplier
            at = np.ix_(hit, window)
            price[at] = firm[at] + m * (price[at] - firm[at])
    set_by_offer = ~np.isnan(offered)
    availability = np.where(set_by_offer, availability * np.nan_to_num(offered), availability)
    base_max = np.where(set_by_offer, d.offer_max, d.source_max)
    reduced = (availability < 1.0) | set_by_offer
    deliverable = np.minimum(base_max, d.entry_capacity[d.source_entry])
    source_max = np.where(reduced, deliverable * availability, base_max)
    source_min = np.minimum(d.source_min * availability, source_max)
    seen = dataclasses.replace(
        d, price=price, entry_capacity=capacity, source_max=source_max, source_min=source_min,
        origin_available=origin_available, availability=availability,
        export_limits=tuple(limits), reference_flow=reference_flow)
    seen.blocks = with_peak_days(seen, short_blocks(seen, scenario, d.hub_price * hub_factor, d))
    return ScenarioView(scenario, seen)


def short_blocks(d: ModelData, scenario: Scenario, hub_price: np.ndarray,
                 base: ModelData) -> tuple[DayBlock, ...]:
    """The day blocks of a scenario's short events (first_day, days): one per window (the
    events of one window act together: their factors multiply), on top of what holds for
    the whole period in `d` (the scenario's data; `hub_price` its hub prices; `base` the
    case's own, before the scenario). A capacity factor φ on a supplier or a source: those
    sources deliver at most (the period's factor on them) × φ × min(maximum, entry
    capacity) on those days, and, φ < 1, together at most that share of their reference
    flow; on an entry or an origin it scales its capacity on those days; on an offer it is
    the share of the offered volume available on those days, admitted or not. A price
    multiplier on a hub moves every price formula on it (netbacks included) by what it adds
    on those days; on a supplier, source, entry or origin it scales the commodity part, as
    for a whole period."""
    windows: dict[tuple[int, int, int], list[Disruption]] = {}
    for event in scenario.events:
        if event.is_short:
            key = (d.period_ids.index(event.first_period), int(event.first_day), int(event.days))
            windows.setdefault(key, []).append(event)
    blocks = []
    for (t, first, days), window in windows.items():
        hubs = hub_price.copy()
        for event in window:
            if event.target_type == "hub" and event.price_multiplier is not None:
                hubs[d.hub_ids.index(event.target), t] *= event.price_multiplier
        price = d.price[:, t] + (source_prices(d, hubs) - source_prices(d, hub_price))[:, t]
        capacity, available = d.entry_capacity[:, t].copy(), d.origin_available[:, t].copy()
        period = d.availability[:, t] if d.availability is not None else np.ones(len(d.source_ids))
        availability, cut = period.copy(), []
        offered = np.full(len(d.source_ids), np.nan)  # an offer's share on those days
        for event in window:
            if event.target_type == "hub":
                continue
            hit = sources_hit(d, event.target_type, event.target)
            if event.capacity_factor is not None:
                if event.target_type == "offer":
                    offered[hit] = event.capacity_factor
                else:
                    availability[hit] *= event.capacity_factor
                if event.target_type in ("supplier", "source") and event.capacity_factor < 1:
                    cut.append(np.flatnonzero(hit))
                if event.target_type == "entry":
                    capacity[d.entry_ids.index(event.target)] *= event.capacity_factor
                if event.target_type == "origin":
                    available[d.origin_ids.index(event.target)] *= event.capacity_factor
            if event.price_multiplier is not None:
                firm = d.firm_part[hit]
                price[hit] = firm + event.price_multiplier * (price[hit] - firm)
        by_offer = ~np.isnan(offered)
        availability = np.where(by_offer, np.nan_to_num(offered), availability)
        case_max = np.where(by_offer, base.offer_max[:, t], base.source_max[:, t])
        deliverable = np.minimum(case_max, base.entry_capacity[base.source_entry, t])
        reduced = (availability < period) | by_offer
        source_max = np.where(reduced, deliverable * availability, d.source_max[:, t])
        limits = tuple((hit, float(availability[hit].max())) for hit in cut)
        blocks.append(DayBlock(t, first, days, f"days {first}–{first + days - 1}",
                               np.ones(len(d.node_ids)), source_max, capacity, available,
                               price, limits, availability))
    return tuple(blocks)
