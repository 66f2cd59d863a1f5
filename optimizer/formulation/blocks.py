"""Days inside a period with their own demand and availability: the peak day of each period
and the days of a short disruption (disruptions.csv `first_day`, `days`), as blocks of the
monthly model.

A period's columns stay its averages (q, f, y_in, y_out, u, ℓ, r in MMcf/d over its d_t
days), so every monthly figure, cost and share keeps its meaning. A block b of D_b days
inside period t adds its own columns x_b of the same kinds; the days add up, so the rest of
the period (R_t = d_t − Σ_b D_b days) runs at (d_t·x − Σ_b D_b·x_b)/R_t, which must be a
rate the period allows. Storage is chained through the days: a block starts from the stock
the days before it left, and what it withdraws is gone for the rest of the period.
The family's equations are in `define_day_blocks` (constraints of the registry).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .names import DAY_BALANCE, DAY_CAPACITY, DAY_REST, DAY_STOCK


PEAK_DAY = "peak day"
# What a row of the family limits, the first word of its label's item: "entry NET_MEXICO".
SUPPLY, FLOW, INJECT, WITHDRAW, ENTRY, ORIGIN = "supply", "flow", "inject", "withdraw", "entry", "origin"
REST = "rest"


def _named(kind: str, ids) -> list[str]:
    return [f"{kind} {i}" for i in ids]


@dataclass(frozen=True)
class DayBlock:
    """D_b = `days` days of period `t` from `first_day`, with what they see: demand per node
    (the period's × `demand_factor`), and where they differ from the period's: what each
    source can deliver, entry and origin capacities, delivered prices. `limits` caps the
    sources a supplier or source cut hits together, Σ q_b ≤ φ·Σ q_ref[t] (two-stage model);
    `availability` scales contracted deliveries, q_b ≤ φ·c (two-stage model)."""

    t: int
    first_day: int
    days: int
    label: str
    demand_factor: np.ndarray                  # N
    source_max: np.ndarray | None = None       # S, MMcf/d (None: the period's)
    entry_capacity: np.ndarray | None = None   # E, MMcf/d (None: the period's)
    origin_available: np.ndarray | None = None  # O, MMcf/d (None: the period's)
    price: np.ndarray | None = None            # S, USD/MMBtu (None: the period's)
    limits: tuple = ()                          # ((source indices, φ), …)
    availability: np.ndarray | None = None     # S, φ on contracted deliveries (None: 1)

    @property
    def last_day(self) -> int:
        return self.first_day + self.days - 1

    def name(self, d: "ModelData") -> str:
        """'2026-08 peak day', '2027-02 days 14–19'."""
        return f"{d.period_ids[self.t]} {self.label}"

    def demand(self, d: "ModelData") -> np.ndarray:
        return d.demand[:, self.t] * self.demand_factor

    def supply_max(self, d: "ModelData") -> np.ndarray:
        """S: what each source can deliver on these days (0 for an excluded supplier)."""
        cap = d.source_max[:, self.t] if self.source_max is None else self.source_max
        return np.where(d.excluded, 0.0, cap)

    def capacity(self, d: "ModelData") -> np.ndarray:
        return d.entry_capacity[:, self.t] if self.entry_capacity is None else self.entry_capacity

    def available(self, d: "ModelData") -> np.ndarray:
        return d.origin_available[:, self.t] if self.origin_available is None else self.origin_available


def peak_block(d: "ModelData", t: int, first_day: int = 1) -> DayBlock:
    """The peak day of period t: each node's average demand × its peak-day factor."""
    return DayBlock(t, first_day, 1, PEAK_DAY, d.node_peak_factor.copy())


def with_peak_days(d: "ModelData", others: tuple[DayBlock, ...] = ()) -> tuple[DayBlock, ...]:
    """`others` (short events' blocks) and, where the case asks for peak days
    (case.toml `peak_day = "block"`), a peak day in every period of more than one day whose
    volume can hold it (κ_n ≤ d_t for every node; a one-day period is its own peak day), in
    time order. The peak day is the period's first day no other block takes; where short
    events take every day, it is the first day of the first of them (a peak day with the
    event's supply). Every other day of a period with a peak day then takes
    (d_t − κ_n)/(d_t − 1) of the average demand, so that the days add up to the period."""
    blocks = list(others)
    if not d.peak_day_blocks:
        return tuple(sorted(blocks, key=lambda b: (b.t, b.first_day)))
    kappa = d.node_peak_factor
    for t in range(len(d.period_ids)):
        days = float(d.days[t])
        if days <= 1 or (kappa > days).any():
            continue
        own = sorted((b for b in blocks if b.t == t), key=lambda b: b.first_day)
        taken = {day for b in own for day in range(b.first_day, b.last_day + 1)}
        free = [day for day in range(1, int(days) + 1) if day not in taken]
        share = (days - kappa) / (days - 1)  # N: what every other day takes of the average
        others_t = [replace(b, demand_factor=share * b.demand_factor) for b in own]
        if free:
            peak = peak_block(d, t, free[0])
        else:  # every day is an event's: the first event's first day is also the peak day
            first = others_t.pop(0)
            peak = replace(first, days=1, label=PEAK_DAY, demand_factor=kappa.copy())
            if first.days > 1:
                others_t.insert(0, replace(first, first_day=first.first_day + 1, days=first.days - 1,
                                           label=f"days {first.first_day + 1}–{first.last_day}"))
        blocks = [b for b in blocks if b.t != t] + others_t + [peak]
    return tuple(sorted(blocks, key=lambda b: (b.t, b.first_day)))


def rest_days(d: "ModelData") -> np.ndarray:
    """T: R_t, the days of each period outside its blocks."""
    taken = np.zeros(len(d.period_ids))
    for b in d.blocks:
        taken[b.t] += b.days
    return d.days - taken


class _Rows:
    """Rows of one block of the LP, gathered term by term: a row is a label, its (column,
    coefficient) terms and its right-hand side."""

    def __init__(self):
        self.labels, self.rows, self.cols, self.vals, self.rhs = [], [], [], [], []

    def add(self, label, cols, vals, rhs: float) -> None:
        cols = np.atleast_1d(np.asarray(cols, dtype=int)).ravel()
        vals = np.broadcast_to(np.asarray(vals, dtype=float), cols.shape)
        self.rows.append(np.full(cols.size, len(self.labels)))
        self.cols.append(cols)
        self.vals.append(vals)
        self.labels.append(label)
        self.rhs.append(float(rhs))

    def add_rows(self, labels: list, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray,
                 rhs: np.ndarray) -> None:
        """len(labels) rows from (row within them, column, coefficient) triplets."""
        self.rows.append(len(self.labels) + np.asarray(rows, dtype=int))
        self.cols.append(np.asarray(cols, dtype=int))
        self.vals.append(np.asarray(vals, dtype=float))
        self.labels.extend(labels)
        self.rhs.extend(np.asarray(rhs, dtype=float).tolist())

    def add_limited(self, labels: list, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray,
                    rhs: np.ndarray) -> None:
        """add_rows, leaving out the rows whose right-hand side is infinite (no limit)."""
        finite = np.isfinite(rhs)
        keep = finite[rows]
        self.add_rows([label for label, f in zip(labels, finite) if f],
                      (np.cumsum(finite) - 1)[rows[keep]], cols[keep], vals[keep], rhs[finite])

    def build(self, m, family: str, sense: str) -> None:
        if self.labels:
            m.add_rows(family, self.labels, sense, np.concatenate(self.rows),
                       np.concatenate(self.cols), np.concatenate(self.vals), np.array(self.rhs))


@dataclass
class BlockColumns:
    """The columns of the blocks, item × block (MMcf/d over the block's days)."""

    supply: np.ndarray     # S × B
    flow: np.ndarray       # A × B
    inject: np.ndarray     # K × B
    withdraw: np.ndarray   # K × B
    unserved: np.ndarray   # N × B
    tiers: np.ndarray      # R × B
    curtailed: np.ndarray  # X × B


def define_day_blocks(m, d: "ModelData", c) -> None:
    """day_blocks (case.toml peak_day = "block"; a scenario's short events):

    Each block b, D_b days of period t (the period's other days, R_t = d_t − Σ_b D_b, are
    its rest), has columns x_b ≥ 0 of every kind the period has (q, f, y_in, y_out, u, ℓ, r)
    and
    κ_b[n] = the node's peak-day factor on the peak day; on every other day of a period
    with a peak day (d_t − κ_n)/(d_t − 1), so that the days add up to the period's demand;
    1 without one. The peak day is the period's first day no short event takes (the first
    event day when events take them all); a period of one day, or of fewer days than some
    node's κ, has none. Short events of one scenario lie on the same days or on days apart
    (the input rules), so no day is in two blocks.

        balance_b[n]:   the balance family's row with the block's columns
                        = demand[n,t]·κ_b[n] + transit[n,t]       (κ: the peak-day factor, or 1)
        entry_b[e]:     Σ_{s: e(s)=e} q_b − Σ_{x: entry(x)=e} r_b ≤ capacity_b[e] − reserved[e,t]
        origin_b[o]:    Σ_{s: origin(s)=o} q_b ≤ available_b[o]
        tiers_b[n]:     u_b − Σ_{i at n} ℓ_b = 0
        stock_b[k]:     0 ≤ σ_b ≤ working_gas_k,  0 ≤ σ_b + D_b·(y_in_b − y_out_b)/1000 ≤ working_gas_k
        ratchet_b[k]:   y_out_b ≤ withdrawal[k,t]·(ρ_k + (1 − ρ_k)·σ_b/working_gas_k)
        bounds:         q_b ≤ max_b, f_b ≤ capacity_a, y_in_b, y_out_b ≤ the rates in t,
                        u_b ≤ demand_b, ℓ_b ≤ share·demand_b, r_b ≤ feed[x,t]

    σ_b, the stock on the block's first morning: v[k,t−1] (initial_k in the first period),
    plus what the blocks of t before b put in, plus the rest days before b (δ_b of them)
    at the rest's rate:

        σ_b = v[k,t−1] + Σ_{b' < b} D_b'·(y_in_b' − y_out_b')/1000 + (δ_b/R_t)·Δ_t
        Δ_t = (d_t·(y_in − y_out) − Σ_{b' in t} D_b'·(y_in_b' − y_out_b'))/1000

    The rest of each period with blocks (x its average column, U_x its limit per day):

        rest[x]:          0 ≤ d_t·x − Σ_b D_b·x_b ≤ R_t·U_x
        rest_entry[e]:    Σ_{s: e(s)=e} (d_t·q − Σ_b D_b·q_b) − Σ_{x: entry(x)=e} (d_t·r − Σ_b D_b·r_b)
                              ≤ R_t·(capacity[e,t] − reserved[e,t])
        rest_origin[o]:   Σ_{s: origin(s)=o} (d_t·q − Σ_b D_b·q_b) ≤ R_t·available[o,t]

    U_x is a source's maximum, an arc's capacity, a site's rates, the export feed, and for u
    and ℓ the rest's demand, (d_t·demand − Σ_b D_b·demand_b)/R_t (× the tier's share). The
    period's balance holds its averages, so the rest's balance follows from the blocks'.
    Costs stay on the averages; a block whose prices differ from its period's (a short
    event's price move) adds D_b·E·(price_b − price[t])·q_b. In the two-stage model a cut on
    a supplier or a source caps the block's take, Σ_{s hit} q_b ≤ φ·Σ_{s hit} max(q_ref[s,t], 0),
    and a contracted source delivers q_b ≤ φ_b[s]·c[s,t].
    """
    if not d.blocks:
        return

    B = len(d.blocks)
    names = [b.name(d) for b in d.blocks]
    tag = getattr(c, "tag", "")

    def columns(kind, items):
        cols = m.add_variables(f"{kind}{tag}@blocks", [(i, n) for i in items for n in names])
        return np.asarray(cols).reshape(len(items), B)

    tier_items = [f"{d.node_ids[n]}:{tier}" for n, tier in zip(d.tier_node, d.tier_ids)]
    x = BlockColumns(columns("q", d.source_ids), columns("f", d.arc_ids),
                     columns("y_in", d.storage_ids), columns("y_out", d.storage_ids),
                     columns("u", d.node_ids),
                     columns("u_tier", tier_items) if c.tiers.size else np.zeros((0, B), dtype=int),
                     columns("r", d.export_ids) if c.curtailed.size else np.zeros((0, B), dtype=int))
    c.blocks = x
    feed, reserved, transit = d.pass_through
    demand = np.column_stack([b.demand(d) for b in d.blocks])               # N × B
    period = np.array([b.t for b in d.blocks])
    days = np.array([b.days for b in d.blocks], dtype=float)
    rest = rest_days(d)
    has_tiers, has_exports = x.tiers.size > 0, x.curtailed.size > 0

    # Bounds of the block columns.
    m.set_upper(x.supply.ravel(), np.column_stack([b.supply_max(d) for b in d.blocks]).ravel())
    m.set_upper(x.flow.ravel(), np.repeat(d.arc_capacity, B))
    m.set_upper(x.inject.ravel(), d.injection_rate[:, period].ravel())
    m.set_upper(x.withdraw.ravel(), d.withdrawal_rate[:, period].ravel())
    m.set_upper(x.unserved.ravel(), demand.ravel())
    if has_tiers:
        m.set_upper(x.tiers.ravel(), (d.tier_share[:, None] * demand[d.tier_node]).ravel())
    if has_exports:
        m.set_upper(x.curtailed.ravel(), feed[:, period].ravel())
    # A block's own prices: what its gas costs beyond the period's average price.
    extra = np.zeros((len(d.source_ids), B))
    for j, b in enumerate(d.blocks):
        if b.price is not None:
            extra[:, j] = b.days * d.energy * (b.price - d.price[:, b.t])
    if extra.any() and not m.elastic:  # (the diagnosis prices violations only)
        weight = getattr(c, "objective_weight", 1.0)
        m.col_cost[x.supply.ravel()] += weight * extra.ravel()
        if getattr(c, "unit_cost", None) is not None:  # a scenario's cost_ω counts it
            c.unit_cost["q@blocks"] = (x.supply, extra)

    def grid(item_row: np.ndarray) -> np.ndarray:
        """Row of (item's row, block) in a row block laid out row-major over the blocks."""
        return (np.asarray(item_row, dtype=int)[:, None] * B + np.arange(B)[None, :]).ravel()

    # The blocks' node balances, as the balance family's rows.
    nodes = np.arange(len(d.node_ids))
    rows = [grid(d.source_node), grid(d.arc_to), grid(d.arc_from), grid(d.storage_node),
            grid(d.storage_node), grid(nodes)]
    cols = [x.supply, x.flow, x.flow, x.withdraw, x.inject, x.unserved]
    signs = [1.0, 1.0, -1.0, 1.0, -1.0, 1.0]
    if has_exports:
        rows += [grid(d.export_node), grid(d.entry_node[d.export_entry])]
        cols += [x.curtailed, x.curtailed]
        signs += [1.0, -1.0]
    node_labels = [(node, name) for node in d.node_ids for name in names]
    m.add_rows(DAY_BALANCE, node_labels, "==", np.concatenate(rows),
               np.concatenate([a.ravel() for a in cols]),
               np.concatenate([np.full(a.size, v) for a, v in zip(cols, signs)]),
               (demand + transit[:, period]).ravel())
    if has_tiers:
        m.add_rows(DAY_BALANCE, [(f"{node} tiers", name) for node in d.node_ids for name in names],
                   "==", np.concatenate([grid(nodes), grid(d.tier_node)]),
                   np.concatenate([x.unserved.ravel(), x.tiers.ravel()]),
                   np.concatenate([np.ones(x.unserved.size), -np.ones(x.tiers.size)]), 0.0)
    # The blocks' entry capacities.
    used = np.unique(np.concatenate([d.source_entry, d.export_entry]).astype(int))
    position = np.full(len(d.entry_ids), -1)
    position[used] = np.arange(len(used))
    rows, cols, vals = [grid(position[d.source_entry])], [x.supply.ravel()], [np.ones(x.supply.size)]
    if has_exports:
        rows.append(grid(position[d.export_entry]))
        cols.append(x.curtailed.ravel())
        vals.append(-np.ones(x.curtailed.size))
    capacity_b = np.column_stack([b.capacity(d) for b in d.blocks])           # E × B
    m.add_rows(DAY_CAPACITY, [(item, name) for item in _named(ENTRY, [d.entry_ids[e] for e in used])
                              for name in names], "<=",
               np.concatenate(rows), np.concatenate(cols), np.concatenate(vals),
               (capacity_b - reserved[:, period])[used].ravel())

    capacity, stock, rest_rows, lower_stock = _Rows(), _Rows(), _Rows(), _Rows()
    for j, b in enumerate(d.blocks):
        t, label = b.t, names[j]
        available = b.available(d)
        for o, origin in enumerate(d.origin_ids):
            members = d.source_origin == o
            if members.any() and np.isfinite(available[o]):
                capacity.add((f"{ORIGIN} {origin}", label), x.supply[members, j], 1.0, available[o])
        for sources, phi in b.limits:  # a cut on a supplier or a source (two-stage)
            reference = np.maximum(d.reference_flow[sources, t], 0.0).sum()
            capacity.add((f"cut {','.join(d.source_ids[s] for s in sources[:2])}", label),
                         x.supply[sources, j], 1.0, phi * reference)
        if b.availability is not None and c.contract.size:
            for i, s in enumerate(c.contracted):
                if b.availability[s] < 1.0:
                    capacity.add((f"{d.source_ids[s]} contract", label),
                                 [x.supply[s, j], c.contract[i, t]], [1.0, -b.availability[s]], 0.0)
        _stock_rows(d, c, x, j, b, rest[t], stock, lower_stock)
    _rest_rows(d, c, x, demand, rest, reserved, rest_rows, lower_stock)
    capacity.build(m, DAY_CAPACITY, "<=")
    stock.build(m, DAY_STOCK, "<=")
    lower_stock.build(m, DAY_REST, ">=")
    rest_rows.build(m, DAY_REST, "<=")


def _start_stock(d: "ModelData", c, x: BlockColumns, j: int, k: int, rest: float):
    """σ_b of site k for block j as (columns, coefficients, constant): see define_day_blocks."""
    b = d.blocks[j]
    t = b.t
    cols, vals, constant = [], [], 0.0
    if t == 0:
        constant += d.initial[k]
    else:
        cols.append(c.stock[k, t - 1]), vals.append(1.0)
    same = [i for i, other in enumerate(d.blocks) if other.t == t]
    for i in same:
        if d.blocks[i].first_day < b.first_day:
            D = d.blocks[i].days
            cols += [x.inject[k, i], x.withdraw[k, i]]
            vals += [D / 1000.0, -D / 1000.0]
    before = b.first_day - 1 - sum(d.blocks[i].days for i in same if d.blocks[i].first_day < b.first_day)
    if rest > 0 and before > 0:
        share = before / rest
        cols += [c.inject[k, t], c.withdraw[k, t]]
        vals += [share * d.days[t] / 1000.0, -share * d.days[t] / 1000.0]
        for i in same:
            D = d.blocks[i].days
            cols += [x.inject[k, i], x.withdraw[k, i]]
            vals += [-share * D / 1000.0, share * D / 1000.0]
    return cols, vals, constant


def _stock_rows(d, c, x, j, b, rest, stock: _Rows, lower: _Rows) -> None:
    """stock_b and ratchet_b of every site in service in the block's period."""
    t, label = b.t, b.name(d)
    for k, site in enumerate(d.storage_ids):
        if not d.storage_active[k, t]:
            continue
        cols, vals, constant = _start_stock(d, c, x, j, k, rest)
        if cols:  # the stock on the block's first morning (the end of the rest days before it)
            stock.add((f"{site} start", label), cols, vals, d.working_gas[k] - constant)
            lower.add((f"{site} start", label), cols, vals, -constant)
        end_cols = cols + [x.inject[k, j], x.withdraw[k, j]]
        end_vals = vals + [b.days / 1000.0, -b.days / 1000.0]
        stock.add((site, label), end_cols, end_vals, d.working_gas[k] - constant)
        lower.add((site, label), end_cols, end_vals, -constant)
        rho, wg = d.withdrawal_at_empty[k], d.working_gas[k]
        if rho < 1.0 and wg > 0:
            slope = d.withdrawal_rate[k, t] * (1.0 - rho) / wg
            stock.add((f"{site} ratchet", label), [x.withdraw[k, j]] + cols,
                      [1.0] + [-slope * v for v in vals],
                      d.withdrawal_rate[k, t] * rho + slope * constant)


def _rest_rows(d, c, x, demand, rest, reserved, upper: _Rows, lower: _Rows) -> None:
    """rest[x], rest_entry[e] and rest_origin[o] of every period with blocks (vectorised
    over the periods: row (item, p) for the p-th period with blocks)."""
    periods = sorted({b.t for b in d.blocks})
    P, tP = len(periods), np.array(periods)
    p_of = np.array([periods.index(b.t) for b in d.blocks])
    D = np.array([b.days for b in d.blocks], dtype=float)
    dt, R = d.days[tP], rest[tP]
    labels_p = [f"{d.period_ids[t]} {REST}" for t in periods]
    # What the blocks' days of each period ask: Σ_b D_b·demand_b, per node (N × P).
    asked = np.zeros((len(d.node_ids), P))
    np.add.at(asked.T, p_of, (demand * D[None, :]).T)
    rest_demand = dt[None, :] * d.demand[:, tP] - asked          # = R_t × the rest's demand

    def times_rest(limit: np.ndarray) -> np.ndarray:
        """R_t × a per-day limit (n × P); no limit stays none, even with no rest days."""
        return np.where(np.isinf(limit), np.inf, R[None, :] * np.where(np.isinf(limit), 0.0, limit))

    kinds = [(c.supply, x.supply, _named(SUPPLY, d.source_ids),
              times_rest(np.where(d.excluded[:, None], 0.0, d.source_max[:, tP]))),
             (c.flow, x.flow, _named(FLOW, d.arc_ids),
              times_rest(np.repeat(d.arc_capacity[:, None], P, axis=1))),
             (c.inject, x.inject, _named(INJECT, d.storage_ids), times_rest(d.injection_rate[:, tP])),
             (c.withdraw, x.withdraw, _named(WITHDRAW, d.storage_ids),
              times_rest(d.withdrawal_rate[:, tP])),
             (c.unserved, x.unserved, _named("unserved", d.node_ids), rest_demand)]
    if x.tiers.size:
        kinds.append((c.tiers, x.tiers, _named("tier", [f"{d.node_ids[n]}:{i}" for n, i in
                                                         zip(d.tier_node, d.tier_ids)]),
                      d.tier_share[:, None] * rest_demand[d.tier_node]))
    if x.curtailed.size:
        kinds.append((c.curtailed, x.curtailed, _named("curtailed", d.export_ids),
                      times_rest(d.export_feed[:, tP])))

    def terms(n, average, block, sign=1.0):
        """(rows, cols, vals) of d_t·x − Σ_b D_b·x_b for n items, row i·P + p."""
        item = np.arange(n)[:, None]
        return ([(item * P + np.arange(P)[None, :]).ravel(), (item * P + p_of[None, :]).ravel()],
                [average[:, tP].ravel(), block.ravel()],
                [np.tile(sign * dt, n), np.tile(-sign * D, n)])

    for average, block, items, limit in kinds:
        n = len(items)
        if n == 0:
            continue
        rows, cols, vals = terms(n, average, block)
        names = [(item, label) for item in items for label in labels_p]
        lower.add_rows(names, np.concatenate(rows), np.concatenate(cols), np.concatenate(vals),
                       np.zeros(n * P))
        upper.add_limited(names, np.concatenate(rows), np.concatenate(cols), np.concatenate(vals),
                          limit.ravel())
    # Entries and origins: the rest's sum over their sources.
    used = np.unique(np.concatenate([d.source_entry, d.export_entry]).astype(int))
    position = np.full(len(d.entry_ids), -1)
    position[used] = np.arange(len(used))
    rows, cols, vals = [], [], []
    groups = [(position[d.source_entry], c.supply, x.supply, 1.0)]
    if x.curtailed.size:
        groups.append((position[d.export_entry], c.curtailed, x.curtailed, -1.0))
    for group, average, block, sign in groups:
        r, cc, v = terms(len(group), average, block, sign)
        item_of_row = np.concatenate([np.repeat(group, P), np.repeat(group, len(p_of))])
        p_of_row = np.concatenate([np.tile(np.arange(P), len(group)), np.tile(p_of, len(group))])
        rows.append(item_of_row * P + p_of_row)
        cols += cc
        vals += v
    upper.add_rows([(item, label) for item in _named(ENTRY, [d.entry_ids[e] for e in used])
                    for label in labels_p],
                   np.concatenate(rows), np.concatenate(cols), np.concatenate(vals),
                   times_rest(d.entry_capacity[used][:, tP] - reserved[used][:, tP]).ravel())
    sold = [o for o in range(len(d.origin_ids)) if (d.source_origin == o).any()]
    if sold:
        index = np.full(len(d.origin_ids), -1)
        index[sold] = np.arange(len(sold))
        members = np.flatnonzero(np.isin(d.source_origin, sold))
        group = index[d.source_origin[members]]
        r, cc, v = terms(len(members), c.supply[members], x.supply[members])
        item_of_row = np.concatenate([np.repeat(group, P), np.repeat(group, len(p_of))])
        p_of_row = np.concatenate([np.tile(np.arange(P), len(group)), np.tile(p_of, len(group))])
        upper.add_limited([(item, label) for item in _named(ORIGIN, [d.origin_ids[o] for o in sold])
                           for label in labels_p],
                          item_of_row * P + p_of_row, np.concatenate(cc), np.concatenate(v),
                          times_rest(d.origin_available[sold][:, tP]).ravel())


def capacity_derivatives(d: "ModelData", model, columns, row_dual: np.ndarray,
                         col_dual: np.ndarray) -> dict[str, np.ndarray]:
    """What the day blocks add to ∂objective/∂capacity of each period, per kind ("entry",
    "origin", "flow", "inject", "withdraw" → item × T, items in the case's order): a period's
    capacity C bounds each block's day (row or column bound: its dual, once) and the rest
    (rhs R_t·C: its dual × R_t), besides the period's own row. Empty without blocks."""
    x = columns.blocks
    if x is None or not d.blocks:
        return {}
    T = len(d.period_ids)
    period = np.array([b.t for b in d.blocks])
    rest = rest_days(d)
    ids = {ENTRY: d.entry_ids, ORIGIN: d.origin_ids, FLOW: d.arc_ids, INJECT: d.storage_ids,
           WITHDRAW: d.storage_ids}
    out = {kind: np.zeros((len(items), T)) for kind, items in ids.items()}
    index = {kind: {item: i for i, item in enumerate(items)} for kind, items in ids.items()}
    period_of = {name: b.t for name, b in zip((b.name(d) for b in d.blocks), d.blocks)}
    rest_period = {f"{p} {REST}": t for t, p in enumerate(d.period_ids)}
    for block in model.block(DAY_CAPACITY) + [b for b in model.block(DAY_REST) if b.sense == "<="]:
        for i, (item, label) in zip(range(block.start, block.stop), block.labels):
            kind, _, ident = str(item).partition(" ")
            if kind not in out or ident not in index[kind]:
                continue
            if label in rest_period:
                t = rest_period[label]
                out[kind][index[kind][ident], t] += rest[t] * row_dual[i]
            elif label in period_of:
                out[kind][index[kind][ident], period_of[label]] += row_dual[i]
    # Capacities held as the block columns' bounds: their reduced costs at the bound.
    for kind, cols in ((FLOW, x.flow), (INJECT, x.inject), (WITHDRAW, x.withdraw)):
        if cols.size:
            upper = model.col_upper[cols]
            reduced = np.where(upper > model.col_lower[cols], np.minimum(col_dual[cols], 0.0), 0.0)
            np.add.at(out[kind].T, period, reduced.T)
    return out


def demand_derivatives(d: "ModelData", model, row_dual: np.ndarray,
                       within: tuple[int, int] | None = None) -> np.ndarray:
    """N × T: what the day blocks add to ∂objective/∂demand[n,t] when a period's demand
    moves with its days' (a block's demand is κ_b × the period's): Σ_b κ_b[n]·y_b[n], y_b the
    dual of the block's node balance (rows `within` a range of the model: one scenario's).
    Zeros without blocks."""
    out = np.zeros((len(d.node_ids), len(d.period_ids)))
    if not d.blocks:
        return out
    node = {n: i for i, n in enumerate(d.node_ids)}
    block_of = {b.name(d): b for b in d.blocks}
    first, last = within or (0, model.n_rows)
    for rows in model.block(DAY_BALANCE):
        if not first <= rows.start < last:
            continue
        for i, (item, label) in zip(range(rows.start, rows.stop), rows.labels):
            b = block_of.get(label)
            if b is not None and item in node:  # (not the tiers' rows: "NES tiers")
                out[node[item], b.t] += b.demand_factor[node[item]] * row_dual[i]
    return out
