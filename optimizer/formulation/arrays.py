"""The case and policy as the arrays the formulation reads (index order fixed once).

Shapes: S sources, T periods, N nodes, E entries, A arcs, K storage sites, H hubs, G
suppliers. `prepare` checks the case and the policy (models.validation,
models.policy_problems), then computes everything the constraint families, the results and
the studies need — prices, windows, capacities, the share rules as source indices, the
storage-policy floors — so that none of them reads the Case again: the families are only
about the algebra.
"""

from __future__ import annotations

import dataclasses
import weakref
from dataclasses import dataclass

import numpy as np

from ...models import Case, CaseError, Policy
from ...models.policy import checked_share_rules, in_share_base, storage_days_problem
from ...models.validation import problems_of
from ..lp.linear_model import INF
from .blocks import with_peak_days


@dataclass(frozen=True)
class IndexedShareRule:
    """A share rule of the policy (models.policy.ShareRule) resolved to indices: the group's
    sources in the share base and the periods it covers (None: one row over the horizon,
    days-weighted)."""

    name: str
    group_type: str
    group: str
    members: np.ndarray  # source indices in the group and in the share base
    periods: tuple[int, ...] | None
    bound: float
    sense: str  # "<=" for a cap, ">=" for a minimum


@dataclass(frozen=True)
class CaseInfo:
    """What a plan says about the case it solved."""

    name: str
    title: str
    input_sha256: str


@dataclass
class ModelData:
    info: CaseInfo
    policy: Policy
    period_ids: list[str]
    days: np.ndarray             # T
    energy: float                # E: MMcf/d × days × USD/MMBtu → million USD
    node_ids: list[str]
    demand: np.ndarray           # N × T, MMcf/d
    peak_day_factor: float       # peak-day ÷ average daily demand
    supplier_ids: list[str]
    supplier_risk: np.ndarray    # G, diplomatic-risk score
    hub_ids: list[str]
    hub_price: np.ndarray        # H × T, USD/MMBtu
    source_ids: list[str]
    source_supplier: np.ndarray  # S, supplier index
    source_kind: np.ndarray      # S, str
    source_entry: np.ndarray     # S, entry index
    source_node: np.ndarray      # S, node index
    source_hub: np.ndarray       # S, hub index (−1: a fixed price)
    source_multiplier: np.ndarray  # S, multiplier on the hub price (or netback FOB)
    source_adder: np.ndarray     # S, USD/MMBtu
    source_pricing: np.ndarray   # S, str: "delivered", "fob" or "netback"
    source_origin: np.ndarray    # S, origin index (−1: none)
    source_freight: np.ndarray   # S, USD/MMBtu: freight origin → entry (fob, netback; else 0)
    price: np.ndarray            # S × T, USD/MMBtu (cash: price formula + entry tariff)
    risk: np.ndarray             # S, its supplier's risk score
    source_min: np.ndarray       # S × T, MMcf/d
    source_max: np.ndarray       # S × T, MMcf/d (inf: no limit; 0 outside its window or
                                 # for an offer the policy does not admit)
    offer_max: np.ndarray        # S × T, MMcf/d: an offered source's maximum, admitted or not
    source_offer: np.ndarray     # S, str: the offer a source belongs to ('' none)
    source_contract: np.ndarray  # S, bool: committed ahead (first stage of a stochastic plan)
    take_or_pay: np.ndarray      # S, share of the contracted volume paid for if not taken
    firm_part: np.ndarray        # S, USD/MMBtu: a contract's entry tariff (0 for spot)
    excluded: np.ndarray         # S, bool
    entry_ids: list[str]
    entry_kind: np.ndarray       # E, str
    entry_node: np.ndarray       # E
    entry_tariff: np.ndarray     # E, USD/MMBtu
    entry_capacity: np.ndarray   # E × T (0 outside its service window)
    entry_firm: np.ndarray       # E, MMcf/d reserved ahead
    entry_reservation: np.ndarray  # E, USD/MMBtu per day of reserved capacity
    entry_in_service: np.ndarray  # E × T, bool: inside its service window
    origin_ids: list[str]
    origin_available: np.ndarray  # O × T, MMcf/d (inf: no limit; 0 outside its window)
    origin_market_freight: np.ndarray  # O × H, USD/MMBtu to each market hub (inf: no route)
    export_ids: list[str]
    export_node: np.ndarray      # X
    export_entry: np.ndarray     # X
    export_feed: np.ndarray      # X × T, MMcf/d (0 outside its window)
    export_curtailment: float    # USD/MMBtu: the cost of feed gas left uncarried (VOLL if unset)
    arc_ids: list[str]
    arc_from: np.ndarray
    arc_to: np.ndarray
    arc_capacity: np.ndarray     # A
    arc_tariff: np.ndarray       # A
    arc_firm: np.ndarray         # A, MMcf/d reserved ahead
    arc_reservation: np.ndarray  # A, USD/MMBtu per day of reserved capacity
    storage_ids: list[str]
    storage_node: np.ndarray
    storage_active: np.ndarray   # K × T, bool: in service
    storage_strategic: np.ndarray  # K, bool: counts as deliverability and as a reserve
    working_gas: np.ndarray      # K
    initial: np.ndarray          # K
    end_target: np.ndarray       # K
    floor: np.ndarray            # K × T
    injection_rate: np.ndarray   # K × T (0 before the site starts)
    withdrawal_rate: np.ndarray  # K × T
    injection_cost: np.ndarray   # K
    withdrawal_cost: np.ndarray  # K
    voll: float
    risk_weight: float
    in_share_base: np.ndarray    # S, bool: counts in the share base (supply or imports)
    share_rules: list[IndexedShareRule]
    fixed_cost: np.ndarray       # T, million USD: reservation payments (fixed_payments())
    storage_days_floor: np.ndarray  # T, Bcf: the storage-days policy's total stock (0: none)
    cover_days: np.ndarray       # T, days of each import supplier's flow to hold (0: none)
    node_peak_factor: np.ndarray = dataclasses.field(default_factory=lambda: np.ones(0))  # N
    # Demand tiers (demand_tiers.csv), R rows: each node's curtailable tiers, then its
    # protected demand (value NaN: VOLL, which a sweep may change). None without the table.
    tier_node: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, dtype=int))
    tier_ids: list[str] = dataclasses.field(default_factory=list)
    tier_share: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))
    tier_value: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))
    withdrawal_at_empty: np.ndarray = dataclasses.field(default_factory=lambda: np.ones(0))  # K
    # Days inside periods with their own demand and availability (formulation/blocks.py):
    # the peak days (case setting peak_day = "block") and a scenario's short events.
    peak_day_blocks: bool = False
    blocks: tuple = ()
    # A scenario's view (formulation/scenarios.py): availability φ[s,t] of each source, the
    # capacity factors on suppliers and sources as (sources, periods, φ, label), and the
    # reference flows (S × T) they scale. The deterministic model has none.
    availability: np.ndarray | None = None
    export_limits: tuple = ()
    reference_flow: np.ndarray | None = None

    @property
    def weight(self) -> np.ndarray:
        """w_t = d_t·E: million USD per (MMcf/d × USD/MMBtu) in period t."""
        return self.days * self.energy

    @property
    def tier_values(self) -> np.ndarray:
        """R, USD/MMBtu: what curtailing each demand tier costs (protected demand: VOLL). A
        tier is never dearer than VOLL: one valued above it gives way at VOLL, with the
        protected demand (a sensitivity that lowers VOLL lowers it too)."""
        return np.where(np.isnan(self.tier_value), self.voll, np.minimum(self.tier_value, self.voll))

    @property
    def pass_through(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(feed asked X × T, entry capacity it takes E × T, net inflow by node N × T):
        see pass_through()."""
        return pass_through(self)

    def with_policy(self, policy: Policy, case: Case, **changes) -> "ModelData":
        """The same arrays under another policy of the same case (a sweep point), with
        `changes` to other fields: the policy's own arrays recomputed and checked, the
        rest shared."""
        rules = checked_share_rules(case, policy)
        d = dataclasses.replace(self, policy=policy, risk_weight=float(policy.risk_weight_usd_mmbtu),
                                **changes)
        if policy.exclude != self.policy.exclude:
            d.excluded = _excluded(self, policy)
        if policy.admit != self.policy.admit:
            d.source_max, d.source_min = _offer_bounds(d, policy)
        if policy.share_of != self.policy.share_of:
            d.in_share_base = np.array([in_share_base(k, policy.share_of) for k in self.source_kind],
                                       dtype=bool)
        d.share_rules = index_share_rules(d, rules)
        if policy.cover_days != self.policy.cover_days:
            d.cover_days = cover_days(d)
        return d


def period_window(period_ids: list[str], first: str | None, last: str | None) -> np.ndarray:
    """Boolean mask of the periods from `first` to `last` (either may be open)."""
    order = {p: i for i, p in enumerate(period_ids)}
    lo = order[first] if first else 0
    hi = order[last] if last else len(period_ids) - 1
    mask = np.zeros(len(period_ids), dtype=bool)
    mask[lo:hi + 1] = True
    return mask


def _matrix(series, items: list[str], periods: list[str], fill: np.ndarray) -> np.ndarray:
    """Overlay a (item, period) Series onto a default item × period matrix."""
    out = fill.copy()
    if len(series):
        row = {k: i for i, k in enumerate(items)}
        col = {k: i for i, k in enumerate(periods)}
        for (item, period), value in series.items():
            out[row[item], col[period]] = value
    return out


# The case's own arrays, indexed once per Case object (a Case is immutable: its edits are
# new Cases). A notebook loop of solve() then pays only for the policy and the model.
_CASE_ARRAYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def prepare(case: Case, policy: Policy) -> ModelData:
    """Index the case and resolve the policy into arrays; raise CaseError on a case or a
    policy that breaks the rules of models (unknown ids, values out of range, share limits
    that contradict each other, a storage-days floor above the strategic working gas)."""
    problems = problems_of(case)
    if problems:
        raise CaseError(problems, case=case.name)
    rules = checked_share_rules(case, policy)
    base = _CASE_ARRAYS.get(case)
    if base is None:
        base = _CASE_ARRAYS[case] = _case_arrays(case)
    data = _own_copy(base)
    data.policy = policy
    data.risk_weight = float(policy.risk_weight_usd_mmbtu)
    data.in_share_base = np.array([in_share_base(k, policy.share_of) for k in data.source_kind],
                                  dtype=bool)
    data.excluded = _excluded(data, policy)
    data.source_max, data.source_min = _offer_bounds(data, policy)
    data.share_rules = index_share_rules(data, rules)
    data.storage_days_floor = storage_days_floor(data, case.name)
    data.cover_days = cover_days(data)
    data.blocks = with_peak_days(data)  # (after the policy's bounds: exclusions, offers)
    return data


def _own_copy(data: ModelData) -> ModelData:
    """A copy whose arrays and lists are its own: later steps (sweeps, scenarios) may change
    them in place, and the cached original must not move."""
    fields = {}
    for f in dataclasses.fields(data):
        value = getattr(data, f.name)
        fields[f.name] = value.copy() if isinstance(value, (np.ndarray, list)) else value
    return ModelData(**fields)


def _case_arrays(case: Case) -> ModelData:
    """The arrays of the case alone, under the neutral policy (prepare adds the policy's)."""
    policy = Policy()
    periods = list(case.period_ids)
    T = len(periods)
    days = np.array([p.days for p in case.periods], dtype=float)
    energy = case.settings.heat_content_mmbtu_per_mcf * 1000 / 1e6

    node_ids = [n.id for n in case.nodes]
    node_ix = {n: i for i, n in enumerate(node_ids)}
    demand = case.demand.unstack("period").reindex(index=node_ids, columns=periods).to_numpy(float)

    supplier_ids = [s.id for s in case.suppliers]
    supplier_ix = {s: i for i, s in enumerate(supplier_ids)}
    entries = case.entries
    entry_ids = [e.id for e in entries]
    entry_ix = {e: i for i, e in enumerate(entry_ids)}
    entry_node = np.array([node_ix[e.node] for e in entries], dtype=int)
    entry_capacity = np.array([[e.capacity_mmcfd] * T for e in entries], dtype=float).reshape(-1, T)
    entry_capacity = _matrix(case.entry_capacity, entry_ids, periods, entry_capacity)
    in_service = np.array([period_window(periods, e.first_period, e.last_period) for e in entries],
                          dtype=bool).reshape(-1, T)
    entry_capacity[~in_service] = 0.0
    entry_tariff = np.array([e.tariff_usd_mmbtu for e in entries], dtype=float)

    hub_ids = list(dict.fromkeys(case.hub_prices.index.get_level_values(0)))
    hub_price = case.hub_prices.unstack("period").reindex(index=hub_ids, columns=periods) \
        .to_numpy(float).reshape(len(hub_ids), T)
    hub_ix = {h: i for i, h in enumerate(hub_ids)}

    origin_ids = [o.id for o in case.origins]
    origin_ix = {o: i for i, o in enumerate(origin_ids)}
    origin_available = np.array([[INF if o.available_mmcfd is None else o.available_mmcfd] * T
                                 for o in case.origins], dtype=float).reshape(-1, T)
    origin_available = _matrix(case.origin_capacity, origin_ids, periods, origin_available)
    for i, o in enumerate(case.origins):
        origin_available[i, ~period_window(periods, o.first_period, o.last_period)] = 0.0
    freight = {(r.origin, r.destination): route_freight(r, case.settings) for r in case.routes}
    origin_market_freight = np.array([[freight.get((o, h), INF) for h in hub_ids]
                                      for o in origin_ids], dtype=float).reshape(len(origin_ids), len(hub_ids))

    sources = case.sources
    S = len(sources)
    source_entry = np.array([entry_ix[s.entry] for s in sources], dtype=int)
    source_origin = np.array([origin_ix[s.origin] if s.origin else -1 for s in sources], dtype=int)
    source_pricing = np.array([s.pricing for s in sources], dtype=object)
    source_freight = np.array([freight[(s.origin, s.entry)] if s.pricing != "delivered" else 0.0
                               for s in sources], dtype=float)
    source_min = np.zeros((S, T))
    offer_max = np.full((S, T), INF)
    for i, s in enumerate(sources):
        active = period_window(periods, s.first_period, s.last_period)
        source_min[i] = np.where(active, s.min_mmcfd, 0.0)
        offer_max[i] = np.where(active, INF if s.max_mmcfd is None else s.max_mmcfd, 0.0)
    source_supplier = np.array([supplier_ix[s.supplier] for s in sources], dtype=int)
    source_kind = np.array([s.kind for s in sources], dtype=object)
    source_contract = np.array([s.contract == "contract" for s in sources], dtype=bool)
    supplier_risk = np.array([s.risk for s in case.suppliers], dtype=float)

    storage = case.storage
    K = len(storage)
    floor = np.array([[k.floor_bcf] * T for k in storage], dtype=float).reshape(K, T)
    floor = _matrix(case.storage_floors, [k.id for k in storage], periods, floor)
    active = np.array([period_window(periods, k.first_period, None) for k in storage],
                      dtype=bool).reshape(K, T)
    arcs = case.arcs
    data = ModelData(
        info=CaseInfo(case.name, case.title, case.source_hash), policy=policy,
        period_ids=periods, days=days, energy=energy, node_ids=node_ids, demand=demand,
        peak_day_factor=case.settings.peak_day_factor,
        supplier_ids=supplier_ids, supplier_risk=supplier_risk,
        hub_ids=hub_ids, hub_price=hub_price,
        source_ids=[s.id for s in sources], source_supplier=source_supplier,
        source_kind=source_kind, source_entry=source_entry, source_node=entry_node[source_entry],
        source_hub=np.array([hub_ix[s.hub] if s.hub else -1 for s in sources], dtype=int),
        source_multiplier=np.array([s.price_multiplier for s in sources], dtype=float),
        source_adder=np.array([s.price_adder_usd_mmbtu for s in sources], dtype=float),
        source_pricing=source_pricing, source_origin=source_origin, source_freight=source_freight,
        price=np.zeros((S, T)),
        risk=supplier_risk[source_supplier], source_min=source_min, source_max=offer_max,
        offer_max=offer_max,
        source_offer=np.array([s.offer or "" for s in sources], dtype=object),
        source_contract=source_contract,
        take_or_pay=np.array([s.take_or_pay for s in sources], dtype=float),
        firm_part=np.where(source_contract, entry_tariff[source_entry], 0.0) if S else np.zeros(0),
        excluded=np.zeros(S, dtype=bool),
        entry_ids=entry_ids, entry_kind=np.array([e.kind for e in entries], dtype=object),
        entry_node=entry_node, entry_tariff=entry_tariff, entry_capacity=entry_capacity,
        entry_firm=np.array([e.firm_mmcfd for e in entries], dtype=float),
        entry_reservation=np.array([e.reservation_usd_mmbtu for e in entries], dtype=float),
        entry_in_service=in_service,
        origin_ids=origin_ids, origin_available=origin_available,
        origin_market_freight=origin_market_freight,
        export_ids=[x.id for x in case.exports],
        export_node=np.array([node_ix[x.node] for x in case.exports], dtype=int),
        export_entry=np.array([entry_ix[x.entry] for x in case.exports], dtype=int),
        export_feed=np.array([np.where(period_window(periods, x.first_period, x.last_period),
                                       x.feed_mmcfd, 0.0) for x in case.exports],
                             dtype=float).reshape(-1, T),
        arc_ids=[a.id for a in arcs],
        arc_from=np.array([node_ix[a.from_node] for a in arcs], dtype=int),
        arc_to=np.array([node_ix[a.to_node] for a in arcs], dtype=int),
        arc_capacity=np.array([a.capacity_mmcfd for a in arcs], dtype=float),
        arc_tariff=np.array([a.tariff_usd_mmbtu for a in arcs], dtype=float),
        arc_firm=np.array([a.firm_mmcfd for a in arcs], dtype=float),
        arc_reservation=np.array([a.reservation_usd_mmbtu for a in arcs], dtype=float),
        storage_ids=[k.id for k in storage],
        storage_node=np.array([node_ix[k.node] for k in storage], dtype=int),
        storage_active=active,
        storage_strategic=np.array([k.n1_deliverability != "no" for k in storage], dtype=bool),
        working_gas=np.array([k.working_gas_bcf for k in storage], dtype=float),
        initial=np.array([k.initial_bcf for k in storage], dtype=float),
        end_target=np.array([k.end_target for k in storage], dtype=float),
        floor=np.where(active, floor, 0.0),
        injection_rate=np.where(active, np.array([k.injection_mmcfd for k in storage], float)[:, None], 0.0),
        withdrawal_rate=np.where(active, np.array([k.withdrawal_mmcfd for k in storage], float)[:, None], 0.0),
        injection_cost=np.array([k.injection_cost_usd_mmbtu for k in storage], dtype=float),
        withdrawal_cost=np.array([k.withdrawal_cost_usd_mmbtu for k in storage], dtype=float),
        voll=case.settings.voll_usd_mmbtu,
        export_curtailment=case.settings.voll_usd_mmbtu if case.settings.export_curtailment_usd_mmbtu is None
        else case.settings.export_curtailment_usd_mmbtu,
        risk_weight=float(policy.risk_weight_usd_mmbtu),
        in_share_base=np.array([in_share_base(k, policy.share_of) for k in source_kind], dtype=bool),
        share_rules=[], fixed_cost=np.zeros(T), storage_days_floor=np.zeros(T),
        cover_days=np.zeros(T),
    )
    data.price = source_prices(data, hub_price)
    data.fixed_cost = fixed_payments(data)
    data.node_peak_factor = np.array([case.settings.peak_day_factor if n.peak_day_factor is None
                                      else n.peak_day_factor for n in case.nodes], dtype=float)
    data.withdrawal_at_empty = np.array([k.withdrawal_at_empty_share for k in storage], dtype=float)
    (data.tier_node, data.tier_ids, data.tier_share, data.tier_value) = demand_tiers(case, node_ix)
    data.peak_day_blocks = case.settings.peak_day == "block"
    return data


PROTECTED = "protected"


def demand_tiers(case: Case, node_ix: dict[str, int]):
    """(node R, tier ids R, share R, value R) of the case's demand tiers: per node, in node
    order, its curtailable tiers as listed, then its protected demand, share 1 − Σ shares
    and value NaN (VOLL). Empty without demand_tiers.csv: every node's demand then goes
    unserved at VOLL alone."""
    if not case.demand_tiers:
        return np.zeros(0, dtype=int), [], np.zeros(0), np.zeros(0)
    nodes, ids, shares, values = [], [], [], []
    for node in node_ix:
        own = [t for t in case.demand_tiers if t.node == node]
        for t in own:
            nodes.append(node_ix[node]), ids.append(t.tier)
            shares.append(float(t.share)), values.append(float(t.value_usd_mmbtu))
        nodes.append(node_ix[node]), ids.append(PROTECTED)
        shares.append(max(0.0, 1.0 - sum(float(t.share) for t in own))), values.append(np.nan)
    return (np.array(nodes, dtype=int), ids, np.array(shares, dtype=float),
            np.array(values, dtype=float))


def _excluded(d: ModelData, policy: Policy) -> np.ndarray:
    """S, bool: the sources of the suppliers the policy excludes."""
    codes = np.array(d.supplier_ids, dtype=object)[d.source_supplier]
    return np.isin(codes, list(policy.exclude)) if len(codes) else np.zeros(0, dtype=bool)


def fixed_payments(d: ModelData) -> np.ndarray:
    """T, million USD: the reservation payments on firm capacity, paid whatever flows,

        fixed[t] = w_t·( Σ_e firm_e·reservation_e·[e in service at t] + Σ_a firm_a·reservation_a )

    (firm in MMcf/d, reservation in USD per MMBtu of reserved capacity per day)."""
    entries = (d.entry_firm * d.entry_reservation)[:, None] * d.entry_in_service
    arcs = float((d.arc_firm * d.arc_reservation).sum())
    return d.weight * (entries.sum(axis=0) + arcs)


def _offer_bounds(d: ModelData, policy: Policy) -> tuple[np.ndarray, np.ndarray]:
    """(source_max, source_min): an offered source (sources.csv `offer`) the policy does
    not admit can deliver nothing; every other source keeps its own bounds."""
    closed = (d.source_offer != "") & ~np.isin(d.source_offer, list(policy.admit))
    return (np.where(closed[:, None], 0.0, d.offer_max),
            np.where(closed[:, None], 0.0, d.source_min))


def route_freight(route, settings) -> float:
    """Freight of an LNG route, USD per delivered MMBtu: as given, or from its distance D
    (nautical miles) and the voyage settings ([lng] in case.toml):

        days at sea each way  τ = D / (24·v)
        loaded                L = cargo_m3 · fill_ratio · mmbtu_per_m3          (MMBtu)
        boiled off laden      B = L · bor_laden/100 · τ;   heel burnt back  H = L · bor_ballast/100 · τ
        freight = (charter·(2τ + port_days) + canal + port_costs + value·(B + H)) / (L − B)

    with `canal` the round-trip Panama or Suez fee (0 for none) and `value` the value of
    the gas boiled off (boil_off_value_usd_mmbtu). A round-trip charter: the ship returns
    in ballast to load again."""
    if route.freight_usd_mmbtu is not None:
        return float(route.freight_usd_mmbtu)
    v = settings
    tau = route.distance_nm / (24.0 * v.speed_knots)
    loaded = v.cargo_m3 * v.fill_ratio * v.mmbtu_per_m3
    boiled = loaded * v.boil_off_laden_pct_per_day / 100.0 * tau
    heel = loaded * v.boil_off_ballast_pct_per_day / 100.0 * tau
    canal = {"panama": v.panama_usd_round_trip, "suez": v.suez_usd_round_trip}.get(route.canal, 0.0)
    cost = (v.charter_usd_per_day * (2 * tau + v.port_days) + canal + v.port_costs_usd
            + v.boil_off_value_usd_mmbtu * (boiled + heel))
    return cost / (loaded - boiled)


def netback(d: ModelData, hub_price: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(FOB O × T, best market O × T): each origin's netback FOB, the best delivered market
    price less the freight to it, FOB[o,t] = max_m (hub_price[m,t] − freight[o,m]) over the
    markets m it has a route to, and that market's hub index (−1: no market)."""
    O, T = len(d.origin_ids), hub_price.shape[1]
    if O == 0 or len(d.hub_ids) == 0:
        return np.full((O, T), np.nan), np.full((O, T), -1, dtype=int)
    values = hub_price[None, :, :] - d.origin_market_freight[:, :, None]  # O × H × T
    best = np.argmax(values, axis=1)
    fob = np.take_along_axis(values, best[:, None, :], axis=1)[:, 0, :]
    reachable = np.isfinite(fob)
    return np.where(reachable, fob, np.nan), np.where(reachable, best, -1)


def source_prices(d: ModelData, hub_price: np.ndarray, parts: bool = False):
    """price[s,t] of every source from the hub prices (H × T), USD/MMBtu:

        delivered: multiplier_s · hub[hub(s),t] + adder_s + tariff_e(s)
        fob:       multiplier_s · hub[hub(s),t] + adder_s + freight(o(s) → e(s)) + tariff_e(s)
        netback:   multiplier_s · FOB[o(s),t]   + adder_s + freight(o(s) → e(s)) + tariff_e(s)

    (no hub: the hub term is 0; FOB is netback()). A scenario's or a sweep's hub prices go
    through here, so a netback follows the market moves. With `parts`, also the FOB part
    (S × T: multiplier·(hub or FOB) + adder for fob and netback sources, NaN otherwise)."""
    S, T = len(d.source_ids), hub_price.shape[1]
    reference = np.zeros((S, T))
    priced = d.source_hub >= 0
    reference[priced] = hub_price[d.source_hub[priced]]
    by_netback = d.source_pricing == "netback"
    if by_netback.any():
        fob, _ = netback(d, hub_price)
        reference[by_netback] = fob[d.source_origin[by_netback]]
    commodity = d.source_multiplier[:, None] * reference + d.source_adder[:, None]
    price = commodity + (d.source_freight + d.entry_tariff[d.source_entry])[:, None]
    if not parts:
        return price
    return price, np.where((d.source_pricing != "delivered")[:, None], commodity, np.nan)


def scaled_hubs(d: ModelData, factors: dict[str, np.ndarray | float]) -> np.ndarray:
    """The hub price matrix with hub h scaled by factors[h] (a number or a T vector)."""
    hub_price = d.hub_price.copy()
    for hub, factor in factors.items():
        hub_price[d.hub_ids.index(hub)] *= factor
    return hub_price


def pass_through(d: ModelData):
    """Feed gas of LNG export plants (exports.csv) asked of the system, in full:

        feed[x,t]                                                (exports.csv, in its window)
        reserved[e,t] = Σ_{x: entry(x)=e} feed[x,t]             (taken from the entry's capacity)
        transit[n,t]  = Σ_{x at n} feed[x,t] − Σ_{x: node(entry(x))=n} feed[x,t]

    The exporter's own gas: it enters, crosses the network to the plant and leaves, outside
    the plan's costs and shares. Where the system cannot carry it all (an entry or a path
    too small), the LP curtails it: r[x,t] (constraints.py) at export_curtailment per MMBtu.
    Returns (feed X × T, reserved E × T, transit N × T)."""
    E, T = d.entry_capacity.shape
    feed = d.export_feed if len(d.export_ids) else np.zeros((0, T))
    reserved = np.zeros((E, T))
    np.add.at(reserved, d.export_entry, feed)
    transit = np.zeros((len(d.node_ids), T))
    np.add.at(transit, d.export_node, feed)
    np.add.at(transit, d.entry_node[d.export_entry], -feed)
    return feed, reserved, transit


def index_share_rules(d: ModelData, rules) -> list[IndexedShareRule]:
    """The policy's share rules (models.policy.share_rules) as source indices and periods.

    A rule's members are the group's sources that count in the share base (a share of
    imports counts only the group's imported gas). A rule without a period follows the
    policy's basis: one row per period, or one days-weighted row over the horizon.
    """
    T = len(d.period_ids)
    period_ix = {p: i for i, p in enumerate(d.period_ids)}
    all_periods = tuple(range(T))
    supplier_of_source = np.array(d.supplier_ids, dtype=object)[d.source_supplier]
    source_ids = np.array(d.source_ids, dtype=object)
    of_group = {"supplier": supplier_of_source, "kind": d.source_kind, "source": source_ids}
    out = []
    for r in rules:
        members = np.flatnonzero((of_group[r.group_type] == r.group) & d.in_share_base)
        if r.period is not None:
            periods = (period_ix[r.period],)
        else:
            periods = None if d.policy.share_basis == "horizon" else all_periods
        out.append(IndexedShareRule(r.name, r.group_type, r.group, members, periods, r.bound,
                                    r.sense))
    return out


# --- the storage policy's arrays --------------------------------------------------------

def strategic_reach(d: ModelData) -> np.ndarray:
    """T: the most stock (Bcf) the strategic sites can hold by the end of t: each from its
    initial stock, filling at full rate only in the periods since it opened, never above its
    working gas (0 before it opens)."""
    active = d.storage_active
    fill = d.initial[:, None] + np.cumsum(active * d.days[None, :] * d.injection_rate / 1000.0,
                                          axis=1)
    reach = np.where(active, np.minimum(fill, d.working_gas[:, None]), 0.0)
    return reach[d.storage_strategic].sum(axis=0)


def storage_days_floor(d: ModelData, case_name: str = "") -> np.ndarray:
    """T, Bcf: the total strategic stock the storage-days policy asks for (0: none).

    D days of average demand, D̄ = Σ_t d_t·Σ_n demand[n,t] / Σ_t d_t (MMcf/d), is D·D̄/1000 Bcf, held
    in the strategic sites only (storage.csv `n1_deliverability` not `no`). From the first
    period with a strategic site in service; and never more than those sites can hold by
    then filling as fast as they can since they opened (`strategic_reach`), so a floor the
    sites cannot yet reach is a fill trajectory towards it, not an infeasible plan. A floor
    above the strategic sites' working gas can never be met: that is an input error.
    """
    days = d.policy.storage_days
    T = len(d.period_ids)
    if not days:
        return np.zeros(T)
    average = float((d.demand.sum(axis=0) * d.days).sum() / d.days.sum())
    target = days * average / 1000.0
    # The case's own demand was checked with the policy (models/policy.py); a sweep's
    # point scales demand, so the same rule is asked again here.
    problem = storage_days_problem(days, average, float(d.working_gas[d.storage_strategic].sum()))
    if problem is not None:
        raise CaseError([problem], case=case_name)
    in_service = d.storage_active[d.storage_strategic].any(axis=0)
    return np.where(in_service, np.minimum(target, strategic_reach(d)), 0.0)


def cover_days(d: ModelData) -> np.ndarray:
    """T: D_t, the days of each import supplier's flow the strategic stock must hold
    (policy `cover_days` = D), following the fill trajectory:

        D_t = D · min(1, reach[t] / WG[t])   where a strategic site is in service, else 0

    reach[t] is `strategic_reach`, WG[t] the working gas of the strategic sites in service.
    """
    days = d.policy.cover_days
    T = len(d.period_ids)
    if not days:
        return np.zeros(T)
    strategic = d.storage_strategic
    capacity = (d.storage_active[strategic] * d.working_gas[strategic, None]).sum(axis=0)
    reach = strategic_reach(d)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(capacity > 0, days * np.minimum(1.0, reach / capacity), 0.0)
