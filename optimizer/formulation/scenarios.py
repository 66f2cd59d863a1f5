"""A disruption scenario applied to the model's arrays: prices, entry capacities and what each
source can deliver in that state of the world.

Events (models.Disruption) hit a target in a window of periods:

* capacity_factor φ caps deliveries at φ × a reference the plan cannot choose (a hub takes
  price multipliers only: disruptions.csv rejects a capacity factor on one). A source's
  availability φ[s,t] is the product of the factors that hit it, and:
    - every source hit delivers at most φ[s,t]·min(its maximum, its entry's capacity) (its
      physical availability; with φ = 1 its bounds are those of the case), and an entry's
      capacity is scaled by φ;
    - on a supplier or a source, the sources hit together deliver at most φ × the flow the
      plan would have had: the deterministic (base) plan's flow of those sources in that
      period, computed once before the stochastic solve (`limits`, stochastic.py family
      export_limit). A US cap on exports limits the volume, whatever Mexico contracts, so
      contracting more cannot book the plan out of the cut;
    - a contracted source delivers at most φ[s,t]·(its contracted volume): pro-rata
      curtailment of contracts (force majeure excuses the rest).
* price_multiplier m on a hub scales the hub price inside every source formula priced on it
  (price = multiplier·m·hub + adder + tariff); on an entry, supplier or source it scales the
  commodity part of the delivered price of the sources hit: price − r_s, with r_s the firm
  (reservation) part of a contract source (firm_part(); 0 for a spot source, whose whole
  delivered price is scaled). The firm part is a booked capacity charge: a gas glut does
  not cut it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from ...models import Scenario

from .arrays import ModelData, _window, hub_price_part

INF = float("inf")


@dataclass
class ScenarioArrays:
    """One scenario's view of the model data: `data` carries its prices, entry capacities
    and source bounds; `availability` is φ[s,t]."""

    scenario: Scenario
    data: ModelData
    availability: np.ndarray  # S × T
    # Capacity factors on a supplier or source: (sources hit, periods, φ, label) each; their
    # deliveries together are capped at φ × the reference (deterministic plan) flow.
    limits: tuple = ()


def _hit(d: ModelData, target_type: str, target: str) -> np.ndarray:
    """Boolean S: the sources an event's target covers."""
    sources = d.case.sources
    if target_type == "entry":
        return np.array([s.entry == target for s in sources], dtype=bool)
    if target_type == "supplier":
        return np.array([s.supplier == target for s in sources], dtype=bool)
    if target_type == "hub":
        return np.array([s.hub == target for s in sources], dtype=bool)
    return np.array([s.id == target for s in sources], dtype=bool)


def firm_part(d: ModelData) -> np.ndarray:
    """r_s per source (USD/MMBtu): for a contract source (sources.csv `contract` = contract)
    the tariff of its entry, the firm capacity it books; 0 for a spot source."""
    tariff = np.array([e.tariff_usd_mmbtu for e in d.case.entries], dtype=float)
    contract = np.array([s.contract == "contract" for s in d.case.sources], dtype=bool)
    return np.where(contract, tariff[d.source_entry], 0.0) if len(contract) else np.zeros(0)


def apply_scenario(d: ModelData, scenario: Scenario) -> ScenarioArrays:
    """The model data as scenario `scenario` sees it (the base scenario: unchanged)."""
    S, T = d.price.shape
    price = d.price.copy()
    capacity = d.entry_capacity.copy()
    availability = np.ones((S, T))
    limits = []
    # Hub multipliers act inside the price formula, so they go first; multipliers on
    # entries, suppliers and sources then scale the delivered price.
    events = sorted(scenario.events, key=lambda e: e.target_type != "hub")
    firm = firm_part(d)[:, None] * np.ones((1, T))
    for event in events:
        window = _window(d.period_ids, event.first_period, event.last_period)
        hit = _hit(d, event.target_type, event.target)
        if event.capacity_factor is not None:
            availability[np.ix_(hit, window)] *= event.capacity_factor
            if event.target_type in ("supplier", "source"):
                limits.append((np.flatnonzero(hit), np.flatnonzero(window),
                               float(event.capacity_factor), event.target))
            if event.target_type == "entry":
                e = d.entry_ids.index(event.target)
                capacity[e, window] *= event.capacity_factor
        if event.price_multiplier is not None:
            m = event.price_multiplier
            if event.target_type == "hub":
                price[:, window] += (m - 1.0) * hub_price_part(d, event.target)[:, window]
            else:
                at = np.ix_(hit, window)
                price[at] = firm[at] + m * (price[at] - firm[at])
    reduced = availability < 1.0
    deliverable = np.minimum(d.source_max, d.entry_capacity[d.source_entry])
    source_max = np.where(reduced, deliverable * availability, d.source_max)
    source_min = np.minimum(d.source_min * availability, source_max)
    data = dataclasses.replace(d, price=price, entry_capacity=capacity, source_max=source_max,
                               source_min=source_min)
    return ScenarioArrays(scenario, data, availability, tuple(limits))
