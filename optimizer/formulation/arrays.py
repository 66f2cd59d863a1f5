"""The case and policy as the arrays the formulation reads (index order fixed once).

Shapes: S sources, T periods, N nodes, E entries, A arcs, K storage sites. Everything the
constraint families need is precomputed here, so the families themselves are only about
the algebra.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from ...models import Case, CaseError, Policy, Problem, check_setting
from ...models.schema import KINDS

INF = float("inf")


@dataclass(frozen=True)
class ShareRule:
    """One share limit resolved to indices: group members, the periods it covers, its bound.

    `periods` is None for a horizon-basis rule (one row over all periods, volume-weighted).
    """

    name: str
    group_type: str
    group: str
    members: np.ndarray  # source indices in the group
    periods: tuple[int, ...] | None
    bound: float
    sense: str  # "<=" for a cap, ">=" for a minimum


@dataclass
class ModelData:
    case: Case
    policy: Policy
    period_ids: list[str]
    days: np.ndarray            # T
    energy: float               # E: MMcf/d × days × USD/MMBtu → million USD
    node_ids: list[str]
    demand: np.ndarray          # N × T, MMcf/d
    source_ids: list[str]
    source_supplier: np.ndarray  # S, supplier index
    source_kind: np.ndarray      # S, str
    source_entry: np.ndarray     # S, entry index
    source_node: np.ndarray      # S, node index
    price: np.ndarray            # S × T, USD/MMBtu (cash: hub formula + entry tariff)
    risk: np.ndarray             # S, supplier risk score
    source_min: np.ndarray       # S × T, MMcf/d
    source_max: np.ndarray       # S × T, MMcf/d (inf: no limit; 0 outside its window)
    excluded: np.ndarray         # S, bool
    supplier_ids: list[str]
    entry_ids: list[str]
    entry_node: np.ndarray
    entry_capacity: np.ndarray   # E × T
    arc_ids: list[str]
    arc_from: np.ndarray
    arc_to: np.ndarray
    arc_capacity: np.ndarray     # A
    arc_tariff: np.ndarray       # A
    storage_ids: list[str]
    storage_node: np.ndarray
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
    in_denominator: np.ndarray   # S, bool: counts in the share base (supply or imports)
    share_rules: list[ShareRule]

    @property
    def weight(self) -> np.ndarray:
        """d_t·E: million USD per (MMcf/d × USD/MMBtu) in each period."""
        return self.days * self.energy


def _window(period_ids: list[str], first: str | None, last: str | None) -> np.ndarray:
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


def prepare(case: Case, policy: Policy) -> ModelData:
    """Index the case and resolve the policy into arrays; raise CaseError on a policy that
    names unknown suppliers, sources or periods."""
    problems = _check_numbers(case) + _check_policy(case, policy, [s.id for s in case.suppliers])
    if problems:
        raise CaseError(problems, case=case.name)
    periods = list(case.period_ids)
    T = len(periods)
    days = np.array([p.days for p in case.periods], dtype=float)
    energy = case.settings.heat_content_mmbtu_per_mcf * 1000 / 1e6

    node_ids = [n.id for n in case.nodes]
    node_ix = {n: i for i, n in enumerate(node_ids)}
    demand = case.demand.unstack("period").reindex(index=node_ids, columns=periods).to_numpy(float)

    supplier_ids = [s.id for s in case.suppliers]
    supplier_ix = {s: i for i, s in enumerate(supplier_ids)}
    entry_ids = [e.id for e in case.entries]
    entry_ix = {e: i for i, e in enumerate(entry_ids)}
    entry_node = np.array([node_ix[e.node] for e in case.entries], dtype=int)
    entry_capacity = np.array([[e.capacity_mmcfd] * T for e in case.entries], dtype=float).reshape(-1, T)
    entry_capacity = _matrix(case.entry_capacity, entry_ids, periods, entry_capacity)
    for i, e in enumerate(case.entries):
        entry_capacity[i, ~_window(periods, e.first_period, e.last_period)] = 0.0
    tariff = np.array([e.tariff_usd_mmbtu for e in case.entries], dtype=float)

    hub = case.hub_prices.unstack("period").reindex(columns=periods)
    sources = case.sources
    S = len(sources)
    price = np.zeros((S, T))
    source_min = np.zeros((S, T))
    source_max = np.full((S, T), INF)
    for i, s in enumerate(sources):
        base = hub.loc[s.hub].to_numpy(float) if s.hub else np.zeros(T)
        price[i] = s.price_multiplier * base + s.price_adder_usd_mmbtu + tariff[entry_ix[s.entry]]
        active = _window(periods, s.first_period, s.last_period)
        source_min[i] = np.where(active, s.min_mmcfd, 0.0)
        source_max[i] = np.where(active, INF if s.max_mmcfd is None else s.max_mmcfd, 0.0)
    source_supplier = np.array([supplier_ix[s.supplier] for s in sources], dtype=int)
    source_kind = np.array([s.kind for s in sources], dtype=object)
    source_entry = np.array([entry_ix[s.entry] for s in sources], dtype=int)
    risk_by_supplier = np.array([s.risk for s in case.suppliers], dtype=float)

    excluded = np.isin(np.array(supplier_ids, dtype=object)[source_supplier], list(policy.exclude)) \
        if S else np.zeros(0, dtype=bool)
    in_denominator = np.ones(S, dtype=bool) if policy.share_of == "supply" else source_kind != "domestic"

    storage = case.storage
    K = len(storage)
    floor = np.array([[k.floor_bcf] * T for k in storage], dtype=float).reshape(K, T)
    floor = _matrix(case.storage_floors, [k.id for k in storage], periods, floor)
    active = np.array([_window(periods, k.first_period, None) for k in storage], dtype=bool).reshape(K, T)
    arcs = case.arcs
    data = ModelData(
        case=case, policy=policy, period_ids=periods, days=days, energy=energy,
        node_ids=node_ids, demand=demand,
        source_ids=[s.id for s in sources], source_supplier=source_supplier,
        source_kind=source_kind, source_entry=source_entry, source_node=entry_node[source_entry],
        price=price, risk=risk_by_supplier[source_supplier], source_min=source_min,
        source_max=source_max, excluded=excluded, supplier_ids=supplier_ids,
        entry_ids=entry_ids, entry_node=entry_node, entry_capacity=entry_capacity,
        arc_ids=[a.id for a in arcs],
        arc_from=np.array([node_ix[a.from_node] for a in arcs], dtype=int),
        arc_to=np.array([node_ix[a.to_node] for a in arcs], dtype=int),
        arc_capacity=np.array([a.capacity_mmcfd for a in arcs], dtype=float),
        arc_tariff=np.array([a.tariff_usd_mmbtu for a in arcs], dtype=float),
        storage_ids=[k.id for k in storage],
        storage_node=np.array([node_ix[k.node] for k in storage], dtype=int),
        working_gas=np.array([k.working_gas_bcf for k in storage], dtype=float),
        initial=np.array([k.initial_bcf for k in storage], dtype=float),
        end_target=np.array([k.end_target for k in storage], dtype=float),
        floor=np.where(active, floor, 0.0),
        injection_rate=np.where(active, np.array([k.injection_mmcfd for k in storage], float)[:, None], 0.0),
        withdrawal_rate=np.where(active, np.array([k.withdrawal_mmcfd for k in storage], float)[:, None], 0.0),
        injection_cost=np.array([k.injection_cost_usd_mmbtu for k in storage], dtype=float),
        withdrawal_cost=np.array([k.withdrawal_cost_usd_mmbtu for k in storage], dtype=float),
        voll=case.settings.voll_usd_mmbtu, risk_weight=policy.risk_weight_usd_mmbtu,
        in_denominator=in_denominator, share_rules=[],
    )
    data.share_rules = share_rules(data)
    return data


def hub_price_part(d: ModelData, hub: str) -> np.ndarray:
    """The part of each source's price (S × T) that moves with `hub`: multiplier_s ×
    hub_price[hub, t] for the sources priced on it, 0 for the others. Scaling the hub by k
    adds (k − 1) × this to the prices (a sweep's price.<HUB>, a scenario's hub shock)."""
    hub_row = d.case.hub_prices.xs(hub, level=0).reindex(d.period_ids).to_numpy(float)
    part = np.zeros_like(d.price)
    for i, s in enumerate(d.case.sources):
        if s.hub == hub:
            part[i] = s.price_multiplier * hub_row
    return part


def _check_policy(case: Case, policy: Policy, supplier_ids: list[str]) -> list[Problem]:
    """The policy's choices against the same rules case.toml is held to (one place:
    models.check_setting), and the suppliers they name against the case."""
    known = set(supplier_ids)
    problems = []

    def unknown(code, where):
        problems.append(Problem("policy", "unknown supplier (known: " + ", ".join(supplier_ids) + ")",
                                column=where, value=code))

    for code, share in policy.caps.items():
        rule = check_setting("caps", {code: share})
        if code not in known:
            unknown(code, "cap")
        elif isinstance(rule, str):
            problems.append(Problem("policy", rule, column=f"cap {code}", value=share))
    for code in policy.exclude:
        if code not in known:
            unknown(code, "exclude")
    problems += _check_limits(case, policy)
    for f in dataclasses.fields(case.settings):
        rule = check_setting(f.name, getattr(case.settings, f.name))
        if isinstance(rule, str):
            problems.append(Problem("settings", rule, column=f.name, value=getattr(case.settings, f.name)))
    for name, value in (("max_share", policy.max_share),
                        ("risk_weight_usd_mmbtu", policy.risk_weight_usd_mmbtu),
                        ("share_basis", policy.share_basis), ("share_of", policy.share_of),
                        ("storage_days", policy.storage_days), ("cover_days", policy.cover_days),
                        ("min_n1", policy.min_n1)):
        rule = check_setting(name, value) if value is not None else None
        if isinstance(rule, str):
            problems.append(Problem("policy", rule, column=name, value=value))
    return problems


def _check_limits(case: Case, policy: Policy) -> list[Problem]:
    """Share limits given in code get the checks share_limits.csv rows get."""
    groups = {"supplier": {s.id for s in case.suppliers}, "kind": set(KINDS),
              "source": {s.id for s in case.sources}}
    periods = set(case.period_ids)
    problems = []
    for limit in policy.limits:
        where = f"{limit.group_type} {limit.group}"
        if limit.group_type not in groups:
            problems.append(Problem("share limit", "group_type must be one of " + ", ".join(groups),
                                    column=where, value=limit.group_type))
            continue
        if limit.group not in groups[limit.group_type]:
            problems.append(Problem("share limit", f"unknown {limit.group_type}", column=where,
                                    value=limit.group))
        if limit.period is not None and limit.period not in periods:
            problems.append(Problem("share limit", "unknown period", column=where, value=limit.period))
        if limit.min_share is None and limit.max_share is None:
            problems.append(Problem("share limit", "give min_share, max_share or both", column=where))
        for name in ("min_share", "max_share"):
            value = getattr(limit, name)
            if value is not None and (not isinstance(value, (int, float)) or not 0 <= value <= 1):
                problems.append(Problem("share limit", "must be a share between 0 and 1",
                                        column=f"{where} {name}", value=value))
    return problems


def _check_numbers(case: Case) -> list[Problem]:
    """Finite numbers everywhere: load_case checks files, but a Case built in code is not
    read from files, and one NaN would stall the solver."""
    problems = []
    for name, series in (("demand", case.demand), ("hub_prices", case.hub_prices),
                         ("entry_capacity", case.entry_capacity),
                         ("storage_floors", case.storage_floors)):
        bad = series[~np.isfinite(series.to_numpy(dtype=float))]
        for key, value in bad.items():
            problems.append(Problem(name, "must be a finite number", column=" × ".join(map(str, key)),
                                    value=value))
    for table in ("suppliers", "entries", "sources", "arcs", "storage"):
        for record in getattr(case, table):
            for f in dataclasses.fields(record):
                value = getattr(record, f.name)
                if isinstance(value, float) and not math.isfinite(value):
                    problems.append(Problem(table, "must be a finite number",
                                            column=f"{record.id}.{f.name}", value=value))
    return problems


def share_rules(data: ModelData, check: bool = True) -> list[ShareRule]:
    """Every share limit of the policy, resolved to source indices and periods; with
    `check`, limits that contradict each other raise CaseError.

    Supplier caps: `caps` per supplier, else `max_share` for every supplier with sources in
    the share base; then the case's share_limits rows (supplier, kind or source groups).
    A rule without a period follows the policy's basis: one rule per period, or one
    volume-weighted rule over the horizon.
    """
    policy = data.policy
    T = len(data.period_ids)
    period_ix = {p: i for i, p in enumerate(data.period_ids)}
    all_periods = tuple(range(T))
    rules: list[ShareRule] = []

    supplier_of_source = np.array(data.supplier_ids, dtype=object)[data.source_supplier]
    source_ids = np.array(data.source_ids, dtype=object)

    def members(group_type: str, group: str) -> np.ndarray:
        """The group's sources that count in the share base."""
        if group_type == "supplier":
            in_group = supplier_of_source == group
        elif group_type == "kind":
            in_group = data.source_kind == group
        else:
            in_group = source_ids == group
        return np.flatnonzero(in_group & data.in_denominator)

    problems = []

    def add(name, group_type, group, period, bound, sense):
        # A share of imports counts only the group's imported gas: members outside the
        # base would make the "share" exceed 1.
        m = members(group_type, group)
        if len(m) == 0:
            problems.append(Problem("policy", f"{group_type} {group} has no source in the share "
                                    f"base ({policy.share_of}), so a share limit on it means "
                                    "nothing", column=name, value=bound))
            return
        if period is not None:
            rules.append(ShareRule(name, group_type, group, m, (period_ix[period],), bound, sense))
        elif policy.share_basis == "horizon":
            rules.append(ShareRule(name, group_type, group, m, None, bound, sense))
        else:
            rules.append(ShareRule(name, group_type, group, m, all_periods, bound, sense))

    capped = dict(policy.caps)
    if policy.max_share is not None:
        for g, code in enumerate(data.supplier_ids):
            in_base = data.in_denominator[data.source_supplier == g]
            if in_base.any() and code not in capped:
                capped[code] = policy.max_share
    for code, share in capped.items():
        if share < 1.0:
            add(f"cap {code}", "supplier", code, None, share, "<=")
    for limit in policy.limits:
        label = f"{limit.group_type} {limit.group}"
        if limit.max_share is not None and limit.max_share < 1.0:
            add(f"max {label}", limit.group_type, limit.group, limit.period, limit.max_share, "<=")
        if limit.min_share is not None and limit.min_share > 0.0:
            add(f"min {label}", limit.group_type, limit.group, limit.period, limit.min_share, ">=")
    if check:
        problems += _contradictions(data, rules)
    if problems:
        raise CaseError(problems, case=data.case.name)
    return rules


def _contradictions(data: ModelData, rules: list[ShareRule]) -> list[Problem]:
    """Share limits no supply can meet. Because shares are of supply, such a policy would
    not be infeasible: it would be met by buying no gas at all and leaving all demand
    unserved. It is a mistake in the policy, so it is reported as one.
    """
    problems = []
    T = len(data.period_ids)
    excluded_suppliers = set(data.policy.exclude)
    base_suppliers = set(np.array(data.supplier_ids, dtype=object)[data.source_supplier[data.in_denominator]])
    # Periods covered by the same rules behave alike: check the first of each such set.
    coverage = {}
    if all(r.periods is None or len(r.periods) == T for r in rules):
        coverage[()] = 0  # every rule covers every period (the usual case): one check
    for t in range(T) if not coverage else ():
        key = tuple(i for i, r in enumerate(rules) if r.periods is None or t in r.periods)
        coverage.setdefault(key, t)
    for t in coverage.values():
        covering = [r for r in rules if r.periods is None or t in r.periods]
        where = data.period_ids[t]
        bounds: dict[tuple, list] = {}
        for r in covering:
            bounds.setdefault((r.group_type, r.group), [0.0, 1.0])
            low_high = bounds[(r.group_type, r.group)]
            if r.sense == ">=":
                low_high[0] = max(low_high[0], r.bound)
                if r.group_type == "supplier" and r.group in excluded_suppliers:
                    problems.append(Problem("policy", f"a minimum share for {r.group}, which is "
                                            "excluded", column=r.name, value=r.bound))
            else:
                low_high[1] = min(low_high[1], r.bound)
        for (group_type, group), (low, high) in bounds.items():
            if low > high + 1e-12:
                problems.append(Problem("policy", f"{group_type} {group} must have at least {low:.0%} "
                                        f"and at most {high:.0%} in {where}", column="share limits"))
        caps = {g: (0.0 if g in excluded_suppliers else bounds.get(("supplier", g), [0, 1.0])[1])
                for g in base_suppliers}
        if caps and sum(caps.values()) < 1.0 - 1e-12:
            problems.append(Problem("policy", f"the suppliers' caps add up to {sum(caps.values()):.0%} "
                                    f"in {where}: no supply can meet them", column="caps"))
        for group_type in ("supplier", "kind"):
            floor = sum(low for (gt, _), (low, _) in bounds.items() if gt == group_type)
            if floor > 1.0 + 1e-12:
                problems.append(Problem("policy", f"minimum shares by {group_type} add up to "
                                        f"{floor:.0%} in {where}", column="share limits"))
        if problems:  # one period's worth says enough
            break
    return problems
