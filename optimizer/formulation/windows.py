"""A day after the plan, as the data of a one-period model: the peak day of a period
(case.toml `peak_day = "check"`) and the peak day without the largest infrastructure (the
flow-based N−1). With `peak_day = "block"` the peak day is a day of the plan itself
(blocks.py).

A window is an adequacy question, not a cost one: can the system carry the gas, and whose
demand gives way when it cannot? Its model is the deterministic one (the same families)
on one period of `days` days with

* demand per node as given (the peak day: the average × the node's peak-day factor);
* every cost zero but the cost of gas left unserved: the demand tiers' values (protected
  demand at VOLL) and the export curtailment cost, so the LP serves all it physically can
  and curtails the cheapest tiers first;
* supply bounded above by `supply_max` (S: the sources' maximums and entry capacities), no
  contract minimums, no share limits and no storage policy — they are monthly rules, not
  physical ones;
* storage starting from `stock` (Bcf), withdrawing at its rate (with the ratchet), not
  injecting, with no floor and no end target: a reserve is there to be used on such days;
* entry capacities and arcs as in the period (`entry_capacity` may replace them, e.g.
  without the largest infrastructure).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .arrays import ModelData


def window_data(d: ModelData, t: int, days: float, *, label: str, demand: np.ndarray,
                supply_max: np.ndarray, stock: np.ndarray,
                entry_capacity: np.ndarray | None = None,
                withdrawal_rate: np.ndarray | None = None) -> ModelData:
    """The one-period data of a window of `days` days inside period t (see the module's
    docstring). demand N, supply_max S (MMcf/d), stock K (Bcf at the window's start);
    entry_capacity E and withdrawal_rate K default to period t's."""
    S, K = len(d.source_ids), len(d.storage_ids)

    def col(a: np.ndarray) -> np.ndarray:
        return a[:, t:t + 1].copy()

    capacity = col(d.entry_capacity) if entry_capacity is None else entry_capacity[:, None].astype(float)
    withdrawal = col(d.withdrawal_rate) if withdrawal_rate is None else withdrawal_rate[:, None].astype(float)
    return dataclasses.replace(
        d, period_ids=[label], days=np.array([float(days)]), demand=demand[:, None].astype(float),
        hub_price=col(d.hub_price), price=np.zeros((S, 1)), risk_weight=0.0,
        source_min=np.zeros((S, 1)), source_max=np.minimum(supply_max, d.source_max[:, t])[:, None],
        offer_max=col(d.offer_max), entry_capacity=capacity, entry_in_service=col(d.entry_in_service),
        origin_available=col(d.origin_available), export_feed=col(d.export_feed)
        if len(d.export_ids) else np.zeros((0, 1)),
        arc_tariff=np.zeros(len(d.arc_ids)), arc_firm=np.zeros(len(d.arc_ids)),
        entry_firm=np.zeros(len(d.entry_ids)),
        storage_active=col(d.storage_active), initial=np.minimum(stock, d.working_gas).astype(float),
        end_target=np.zeros(K), floor=np.zeros((K, 1)), injection_rate=np.zeros((K, 1)),
        withdrawal_rate=withdrawal, injection_cost=np.zeros(K), withdrawal_cost=np.zeros(K),
        share_rules=[], fixed_cost=np.zeros(1), storage_days_floor=np.zeros(1),
        cover_days=np.zeros(1), availability=None, export_limits=(), reference_flow=None,
        blocks=())


def stock_at_start(d: ModelData, stock: np.ndarray, t: int) -> np.ndarray:
    """K, Bcf: a plan's stock on the first morning of period t (the end of t − 1; the
    initial stock for the first period)."""
    return d.initial if t == 0 else stock[:, t - 1]
