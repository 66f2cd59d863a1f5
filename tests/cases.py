"""Tiny hand-checkable cases, built in code.

    from cases import tiny_case, source, E

    case = tiny_case(sources=[source("A", 3.0, max=60), source("B", 5.0)], demand=100)

Conventions:
  * periods are "P1", "P2", … starting 2026-01-01 and chained by their days;
  * nodes default to one node "N1";
  * every source has its own entry (id "E_<source>") of practically unlimited capacity
    unless `entry_capacity` is given;
  * a source's price is fixed (`price_adder_usd_mmbtu`, no hub) when `price` is a number;
    when it is a list (one price per period) the source gets its own hub "H_<source>"
    carrying those prices (multiplier 1, adder 0);
  * a source's supplier defaults to the source id; the supplier's risk is taken from the
    source spec (all sources of one supplier must agree).

E is the energy factor of the default heat content: q MMcf/d for d days at p USD/MMBtu
costs q·d·p·E million USD.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from gasmix.models import Arc, Case, Entry, Node, Period, Settings, Source, Storage, Supplier

E = 1.037 * 1000 / 1e6  # million USD per (MMcf/d · day · USD/MMBtu) = 0.001037
BIG = 1e6  # "unlimited" entry capacity, MMcf/d


@dataclass(frozen=True)
class SourceSpec:
    id: str
    price: float | list[float]
    supplier: str
    risk: float = 0.0
    max: float | None = None
    min: float = 0.0
    node: str | None = None
    kind: str = "pipeline"
    entry_capacity: float = BIG
    first_period: str | None = None
    last_period: str | None = None
    contract: str = "spot"
    take_or_pay: float = 0.0
    tariff: float = 0.0


def source(id: str, price, *, supplier: str | None = None, risk: float = 0.0,
           max: float | None = None, min: float = 0.0, node: str | None = None,
           kind: str = "pipeline", entry_capacity: float = BIG,
           first_period: str | None = None, last_period: str | None = None,
           contract: str = "spot", take_or_pay: float = 0.0, tariff: float = 0.0) -> SourceSpec:
    """One source (and its own entry). `price`: USD/MMBtu delivered, a number or one per
    period. `contract="contract"` makes it a first-stage source of a stochastic plan.
    `tariff`: its entry's tariff, part of the delivered price (the price's hub or fixed
    part is `price − tariff`); for a contract source it is the firm (reservation) part."""
    return SourceSpec(id, price, supplier or id, risk, max, min, node, kind, entry_capacity,
                      first_period, last_period, contract, take_or_pay, tariff)


def arc(id: str, from_node: str, to_node: str, capacity: float, tariff: float = 0.0) -> Arc:
    return Arc(id, from_node, to_node, capacity, tariff)


def storage(id: str = "S1", node: str = "N1", *, working_gas: float, initial: float = 0.0,
            injection: float, withdrawal: float, injection_cost: float = 0.0,
            withdrawal_cost: float = 0.0, floor: float = 0.0,
            end_target: float | None = None) -> Storage:
    return Storage(id=id, node=node, working_gas_bcf=working_gas, initial_bcf=initial,
                   injection_mmcfd=injection, withdrawal_mmcfd=withdrawal,
                   injection_cost_usd_mmbtu=injection_cost,
                   withdrawal_cost_usd_mmbtu=withdrawal_cost, floor_bcf=floor,
                   end_target_bcf=end_target)


def _per_period(value, n: int, what: str) -> list[float]:
    if isinstance(value, (int, float)):
        return [float(value)] * n
    values = [float(v) for v in value]
    if len(values) != n:
        raise ValueError(f"{what}: {len(values)} values for {n} periods")
    return values


def tiny_case(*, sources, periods: int = 1, days=30, nodes=("N1",), demand=100.0,
              arcs=(), storage=(), voll: float = 100.0, name: str = "tiny",
              scenarios=()) -> Case:
    """A small Case.

    days: one number for every period or a list; demand: a number (every node, every
    period), a list (one per period, every node) or a dict node → number or list.
    """
    nodes = tuple(nodes)
    day_list = [int(d) for d in _per_period(days, periods, "days")]
    period_list, start = [], date(2026, 1, 1)
    for i, d in enumerate(day_list):
        period_list.append(Period(f"P{i + 1}", start, d))
        start += timedelta(days=d)
    pids = [p.id for p in period_list]

    if not isinstance(demand, dict):
        demand = {n: demand for n in nodes}
    demand_values = {(n, p): v for n in nodes
                     for p, v in zip(pids, _per_period(demand.get(n, 0.0), periods, f"demand {n}"))}
    demand_series = pd.Series(list(demand_values.values()),
                              index=pd.MultiIndex.from_tuples(list(demand_values), names=["node", "period"]),
                              dtype=float)

    suppliers: dict[str, float] = {}
    entries, srcs, hub_rows = [], [], {}
    for s in sources:
        if suppliers.setdefault(s.supplier, s.risk) != s.risk:
            raise ValueError(f"supplier {s.supplier}: sources disagree on its risk")
        node = s.node or nodes[0]
        entries.append(Entry(f"E_{s.id}", s.kind, node, s.entry_capacity,
                             tariff_usd_mmbtu=s.tariff))
        if isinstance(s.price, (int, float)):
            hub, adder = None, float(s.price) - s.tariff
        else:
            hub, adder = f"H_{s.id}", 0.0
            for p, v in zip(pids, _per_period(s.price, periods, f"price {s.id}")):
                hub_rows[(hub, p)] = v - s.tariff
        srcs.append(Source(id=s.id, supplier=s.supplier, kind=s.kind, entry=f"E_{s.id}", hub=hub,
                           price_adder_usd_mmbtu=adder, min_mmcfd=s.min, max_mmcfd=s.max,
                           first_period=s.first_period, last_period=s.last_period,
                           contract=s.contract, take_or_pay=s.take_or_pay))
    hub_series = pd.Series(list(hub_rows.values()),
                           index=pd.MultiIndex.from_tuples(list(hub_rows), names=["hub", "period"]),
                           dtype=float) if hub_rows else \
        pd.Series([], index=pd.MultiIndex.from_arrays([[], []], names=["hub", "period"]), dtype=float)

    return Case(
        name=name,
        periods=tuple(period_list),
        nodes=tuple(Node(n) for n in nodes),
        suppliers=tuple(Supplier(g, r) for g, r in suppliers.items()),
        entries=tuple(entries),
        sources=tuple(srcs),
        demand=demand_series,
        hub_prices=hub_series,
        arcs=tuple(arcs),
        storage=tuple(storage),
        settings=Settings(voll_usd_mmbtu=voll),
        scenarios=tuple(scenarios),
    )


# --- reading a Plan ---------------------------------------------------------------------

def flow(plan, source_id: str, period: str = "P1") -> float:
    f = plan.flows
    return float(f.loc[(f["source"] == source_id) & (f["period"] == period), "flow_mmcfd"].item())


def price(plan, node: str = "N1", period: str = "P1") -> float:
    p = plan.prices
    return float(p.loc[(p["node"] == node) & (p["period"] == period), "marginal_cost_usd_mmbtu"].item())


def share(plan, supplier: str, period: str = "P1") -> float:
    s = plan.shares
    return float(s.loc[(s["supplier"] == supplier) & (s["period"] == period), "share"].item())


def constraint(plan, family: str, name: str, period: str = "P1") -> pd.Series:
    c = plan.constraints
    rows = c[(c["family"] == family) & (c["name"] == name) & (c["period"] == period)]
    assert len(rows) == 1, f"expected one {family} row {name!r} in {period}, got {len(rows)}"
    return rows.iloc[0]
