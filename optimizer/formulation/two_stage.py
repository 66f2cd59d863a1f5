"""The two-stage stochastic plan with a CVaR term, built in bulk on the LinearModel.

Notation as in constraints.py, plus scenarios ω with probability p_ω, contractable sources
s ∈ C (sources.csv `contract = contract`) with take-or-pay share τ_s and firm (reservation)
part r_s, and the availability φ[s,t,ω] and scenario prices price_ω of scenarios.py.

The firm part r_s of a contract source is its entry's tariff (entries.csv
`tariff_usd_mmbtu`): the capacity booked on the border pipeline or regas terminal, paid on
the contracted volume whether it is taken or not. It is taken out of the per-unit price of
the gas: a contract source's commodity price is price_ω[s,t] − r_s.

First stage (decided before the scenario is known):
    c[s,t] ≥ 0   contracted volume of s ∈ C (MMcf/d): min[s,t] ≤ c[s,t] ≤ max[s,t]
    x[k,t] ≥ 0   injection schedule: gas committed to storage

Second stage, per scenario ω:
    q[s,t,ω]  purchase (spot sources) or take (contracted sources)
    z[s,t,ω]  contracted gas paid for but not taken (take-or-pay deficiency), s ∈ C, τ_s > 0,
              at most τ_s·φ[s,t,ω]·c[s,t] (unpaid_cap: with a negative commodity price an
              unbounded z would be a money pump)
    f, w, v, u as in the deterministic model (w: withdrawals; v: stock; u: unserved)

Cost of scenario ω (million USD), with r_s = 0 for a spot source:

    cost_ω = Σ_t w_t·( Σ_{s∈C} r_s·c[s,t] + Σ_k c_in·x[k,t]                      (first stage)
                       + Σ_s (price_ω[s,t] − r_s + λ·risk_s)·q[s,t,ω]
                       + Σ_{s∈C} (price_ω[s,t] − r_s)·z[s,t,ω]
                       + Σ_a tariff_a·f + Σ_k c_out·w[k,t,ω] + VOLL·Σ_n u )

With one undisturbed scenario the cheapest contract for a take q is c = q (a larger c pays
r·(c − q) for nothing), so the model is the deterministic one and the deterministic plan's
commitments c := q_det are its unique cost-minimal contract when r > 0. Contracting more
than the base needs, as insurance against a cut, costs r per unit in every scenario.

Objective (Rockafellar–Uryasev):

    min (1 − W)·Σ_ω p_ω·cost_ω + W·( θ + Σ_ω p_ω·a_ω / (1 − α) )
    a_ω ≥ cost_ω − θ,  a_ω ≥ 0,  θ free

Every deterministic family (balance, entry capacity, arcs, storage, share limits,
exclusions, storage-days floor, supply-loss cover) holds in every scenario with that
scenario's data; the supply families below replace the deterministic source bounds.

The same builder gives the evaluation models: `fixed` pins the first stage (a deterministic
plan's commitments, for the VSS and the stress test; the stochastic plan's own, to report
each scenario), and `anticipative` gives each scenario its own first stage (the
wait-and-see value, for the EVPI).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .constraints import (Columns, define_arc_capacity, define_balance, define_entry_capacity,
                          define_exclusions, define_share_limits, define_storage)
from .arrays import ModelData
from ..lp.linear_model import INF, LinearModel
from .scenarios import ScenarioArrays, firm_part
from .storage_policy import POLICY_FAMILIES


@dataclass
class FirstStage:
    """Columns of the first-stage decisions: c (|C| × T) and x (K × T)."""

    c: np.ndarray
    x: np.ndarray


@dataclass
class ScenarioColumns:
    """One scenario's columns, its share of the objective and its rows' span."""

    arrays: ScenarioArrays
    probability: float
    first: FirstStage
    cols: Columns
    z: np.ndarray           # |C_τ| × T deficiency columns (C_τ: contracted with τ > 0)
    unit_cost: dict = field(default_factory=dict)  # column indices → cost per unit in cost_ω
    rows: tuple[int, int] = (0, 0)      # the row blocks of this scenario: m.rows[a:b]
    cvar_row: int | None = None         # the row a_ω + θ − cost_ω ≥ 0


@dataclass
class StochasticModel:
    model: LinearModel
    data: ModelData
    contracted: np.ndarray    # source indices of C
    tau_sources: np.ndarray   # positions in C with τ > 0
    scenarios: list[ScenarioColumns]
    theta: int | None
    alpha: float
    weight: float


def contracted_sources(d: ModelData) -> np.ndarray:
    """Indices of the contractable sources (sources.csv `contract` = contract)."""
    return np.array([i for i, s in enumerate(d.case.sources) if s.contract == "contract"], dtype=int)


def reservation(d: ModelData, contracted: np.ndarray) -> np.ndarray:
    """r_s for s ∈ C (USD/MMBtu): the tariff of the source's entry, its firm part."""
    return firm_part(d)[contracted] if len(contracted) else np.zeros(0)


def define_first_stage(m: LinearModel, d: ModelData, contracted: np.ndarray, tag: str = "",
                       fixed: dict | None = None) -> FirstStage:
    """First stage:  min[s,t] ≤ c[s,t] ≤ max[s,t]  (s ∈ C; 0 for an excluded supplier) and
    0 ≤ x[k,t] ≤ injection[k,t].  With `fixed`, both are pinned to given values (clipped to
    their bounds, so solver noise in the values cannot make the model infeasible)."""
    T = len(d.period_ids)
    labels = [(d.source_ids[s], p) for s in contracted for p in d.period_ids]
    lower = np.where(d.excluded[contracted, None], 0.0, d.source_min[contracted])
    upper = np.where(d.excluded[contracted, None], 0.0, d.source_max[contracted])
    x_upper = d.injection_rate
    if fixed is not None:
        lower = upper = np.clip(fixed["c"], lower, upper)
        x_lower = x_upper = np.clip(fixed["x"], 0.0, d.injection_rate)
    else:
        x_lower = np.zeros_like(x_upper)
    c = m.add_variables(f"c{tag}", labels, lower=lower.ravel(), upper=upper.ravel())
    x = m.add_variables(f"x{tag}", [(k, p) for k in d.storage_ids for p in d.period_ids],
                        lower=x_lower.ravel(), upper=x_upper.ravel())
    return FirstStage(c.reshape(len(contracted), T), x.reshape(len(d.storage_ids), T))


def define_scenario_variables(m: LinearModel, sa: ScenarioArrays, first: FirstStage,
                              contracted: np.ndarray, tau_sources: np.ndarray,
                              objective_weight: float) -> tuple[Columns, np.ndarray, dict]:
    """Second-stage columns of scenario ω and the unit costs of every column in cost_ω:

        q: w_t·(price_ω[s,t] − r_s + λ·risk_s)   z: w_t·(price_ω[s,t] − r_s)
        f: w_t·tariff_a   w: w_t·c_out_k   u: w_t·VOLL   v: 0
        (first stage, in every scenario: c: w_t·r_s   x: w_t·c_in_k)

    r_s is the firm part of a contract source (reservation(); 0 for a spot source). Each
    second-stage column's objective coefficient is its unit cost × (1 − W)·p_ω
    (`objective_weight`); the first-stage ones are weighed in by build_stochastic.
    """
    d = sa.data
    sid = sa.scenario.id
    T = len(d.period_ids)
    wt = d.weight[None, :]
    K, A, N = len(d.storage_ids), len(d.arc_ids), len(d.node_ids)
    unit: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    firm = np.zeros(len(d.source_ids))
    firm[contracted] = reservation(d, contracted)

    def block(name, items, cost):
        cost = np.broadcast_to(cost, (len(items), T)).astype(float)
        cols = m.add_variables(f"{name}[{sid}]", [(i, p) for i in items for p in d.period_ids],
                               cost=(objective_weight * cost).ravel())
        cols = cols.reshape(len(items), T)
        unit[name] = (cols, cost)
        return cols

    q = block("q", d.source_ids, wt * (d.price - firm[:, None] + d.risk_weight * d.risk[:, None]))
    taus = contracted[tau_sources]
    z = block("z", [d.source_ids[s] for s in taus], wt * (d.price[taus] - firm[taus, None]))
    f = block("f", d.arc_ids, wt * d.arc_tariff[:, None] * np.ones((A, T)))
    w = block("w", d.storage_ids, wt * d.withdrawal_cost[:, None] * np.ones((K, T)))
    v = block("v", d.storage_ids, np.zeros((K, T)))
    u = block("u", d.node_ids, wt * d.voll * np.ones((N, T)))
    unit["c"] = (first.c, wt * firm[contracted, None] * np.ones((len(contracted), T)))
    unit["x"] = (first.x, wt * d.injection_cost[:, None] * np.ones((K, T)))
    # The share base b[t] of the share-limit family (no cost), per scenario like q.
    b = m.add_variables(f"b[{sid}]", list(d.period_ids)) if d.share_rules else np.zeros(0, dtype=int)
    return Columns(q=q, f=f, x=first.x, w=w, v=v, u=u, b=b), z, unit


def define_contract_take(m: LinearModel, sa: ScenarioArrays, first: FirstStage, cols: Columns,
                         contracted: np.ndarray) -> None:
    """10. contract_take[s,t,ω] (s ∈ C):   q[s,t,ω] − φ[s,t,ω]·c[s,t] ≤ 0

    The take is at most what was contracted, scaled by the scenario's availability
    (pro-rata curtailment of contracted deliveries). Contracting c costs w_t·r_s·c[s,t] in
    every scenario (the firm part), so c above the take is never free."""
    d = sa.data
    if len(contracted) == 0:
        return
    T = len(d.period_ids)
    n = len(contracted) * T
    phi = sa.availability[contracted]
    m.add_rows("contract_take", [(d.source_ids[s], p) for s in contracted for p in d.period_ids],
               "<=", np.concatenate([np.arange(n), np.arange(n)]),
               np.concatenate([cols.q[contracted].ravel(), first.c.ravel()]),
               np.concatenate([np.ones(n), -phi.ravel()]), 0.0)


def define_take_or_pay(m: LinearModel, sa: ScenarioArrays, first: FirstStage, cols: Columns,
                       z: np.ndarray, contracted: np.ndarray, tau_sources: np.ndarray) -> None:
    """11. take_or_pay[s,t,ω] (s ∈ C, τ_s > 0):   q[s,t,ω] + z[s,t,ω] − τ_s·φ[s,t,ω]·c[s,t] ≥ 0

    At least the take-or-pay share of the available contracted gas is paid for: taken (q)
    or paid for untaken (z ≥ 0, at its commodity price price_ω − r_s: the firm part r_s is
    paid on all of c already). Gas a disruption makes unavailable (φ < 1) is excused, as
    force majeure excuses it in a contract."""
    d = sa.data
    if len(tau_sources) == 0:
        return
    T = len(d.period_ids)
    sources = contracted[tau_sources]
    n = len(sources) * T
    tau = np.array([d.case.sources[s].take_or_pay for s in sources])
    coefficient = tau[:, None] * sa.availability[sources]
    r = np.arange(n)
    m.add_rows("take_or_pay", [(d.source_ids[s], p) for s in sources for p in d.period_ids], ">=",
               np.concatenate([r, r, r]),
               np.concatenate([cols.q[sources].ravel(), z.ravel(), first.c[tau_sources].ravel()]),
               np.concatenate([np.ones(n), np.ones(n), -coefficient.ravel()]), 0.0)


def define_unpaid_cap(m: LinearModel, sa: ScenarioArrays, first: FirstStage, z: np.ndarray,
                      contracted: np.ndarray, tau_sources: np.ndarray) -> None:
    """11b. unpaid_cap[s,t,ω] (s ∈ C, τ_s > 0):   z[s,t,ω] − τ_s·φ[s,t,ω]·c[s,t] ≤ 0

    The gas paid for untaken is at most the take-or-pay share of the available contracted
    gas. Without this bound a negative commodity price (a hub below the adder's magnitude,
    or a glut scenario) would make z a money pump and the model unbounded."""
    d = sa.data
    if len(tau_sources) == 0:
        return
    sources = contracted[tau_sources]
    n = len(sources) * len(d.period_ids)
    tau = np.array([d.case.sources[s].take_or_pay for s in sources])
    coefficient = tau[:, None] * sa.availability[sources]
    r = np.arange(n)
    m.add_rows("unpaid_cap", [(d.source_ids[s], p) for s in sources for p in d.period_ids], "<=",
               np.concatenate([r, r]), np.concatenate([z.ravel(), first.c[tau_sources].ravel()]),
               np.concatenate([np.ones(n), -coefficient.ravel()]), 0.0)


def define_scenario_supply_bounds(m: LinearModel, sa: ScenarioArrays, cols: Columns,
                                  contracted: np.ndarray) -> None:
    """12. scenario supply bounds, as column bounds:

        q[s,t,ω] ≤ max_ω[s,t]                          every source
        q[s,t,ω] ≥ φ[s,t,ω]·min[s,t]                   spot sources (a contracted source's
                                                       minimum binds its contract c instead)
    with max_ω = φ·min(max, entry capacity) where φ < 1 (scenarios.py)."""
    d = sa.data
    m.set_upper(cols.q.ravel(), d.source_max.ravel())
    spot = np.setdiff1d(np.arange(len(d.source_ids)), contracted)
    minimum = np.where(d.excluded[spot, None], 0.0, d.source_min[spot])
    m.col_lower[cols.q[spot].ravel()] = minimum.ravel()


def define_export_limit(m: LinearModel, sa: ScenarioArrays, cols: Columns,
                        reference: np.ndarray | None) -> None:
    """12b. export_limit[e,t,ω] (each capacity factor φ_e on a supplier or source, t in its
    window):

        Σ_{s hit by e} q[s,t,ω] ≤ φ_e · Σ_{s hit by e} q_ref[s,t]

    q_ref is the flow the plan would have had: the deterministic (base) plan's flows,
    computed once before the stochastic solve. A supplier's cut (a US limit on exports)
    caps the volume it delivers whatever Mexico contracts: contracting more cannot book
    the plan out of it. (The pro-rata curtailment q ≤ φ·c of contract_take holds too.)"""
    if not sa.limits:
        return
    if reference is None:
        raise ValueError("a capacity factor on a supplier or source needs the reference "
                         "(deterministic plan) flows")
    d = sa.data
    labels, rows, columns, rhs = [], [], [], []
    for hit, window, phi, target in sa.limits:
        for t in window:
            rows.append(np.full(len(hit), len(labels)))
            columns.append(cols.q[hit, t])
            labels.append((target, d.period_ids[t]))
            rhs.append(phi * float(np.maximum(reference[hit, t], 0.0).sum()))
    rows = np.concatenate(rows)
    m.add_rows("export_limit", labels, "<=", rows, np.concatenate(columns),
               np.ones(len(rows)), np.array(rhs))


def define_cvar(m: LinearModel, sm: StochasticModel) -> None:
    """13. cvar[ω] (Rockafellar–Uryasev):   a_ω + θ − cost_ω ≥ 0,  a_ω ≥ 0,  θ free

    with objective terms W·θ and W·p_ω·a_ω/(1 − α); at the optimum
    θ + Σ p_ω a_ω/(1 − α) = CVaR_α(cost)."""
    W, alpha = sm.weight, sm.alpha
    sm.theta = int(m.add_variables("theta", ["theta"], lower=-INF, upper=INF, cost=W)[0])
    for sc in sm.scenarios:
        a = int(m.add_variables(f"a[{sc.arrays.scenario.id}]", [sc.arrays.scenario.id],
                                cost=W * sc.probability / (1.0 - alpha))[0])
        cols = np.concatenate([c.ravel() for c, _ in sc.unit_cost.values()])
        costs = np.concatenate([k.ravel() for _, k in sc.unit_cost.values()])
        keep = costs != 0
        n = int(keep.sum()) + 2
        block = m.add_rows("cvar", [(sc.arrays.scenario.id, "horizon")], ">=", np.zeros(n, int),
                           np.concatenate([[a, sm.theta], cols[keep]]),
                           np.concatenate([[1.0, 1.0], -costs[keep]]), 0.0)
        sc.cvar_row = block.start


SCENARIO_FAMILIES = (define_balance, define_entry_capacity, define_arc_capacity, define_storage,
                     define_share_limits, define_exclusions, *POLICY_FAMILIES)


def build_stochastic(d: ModelData, scenarios: list[tuple[ScenarioArrays, float]], *,
                     alpha: float = 0.95, weight: float = 0.0, fixed: dict | None = None,
                     anticipative: bool = False,
                     reference: np.ndarray | None = None) -> StochasticModel:
    """The two-stage model over `scenarios` ((arrays, probability) pairs).

    fixed: {"c": |C| × T, "x": K × T} pins the first stage; anticipative: one first stage
    per scenario (wait-and-see); reference: S × T flows of the deterministic plan, the base
    of the capacity factors on suppliers and sources (export_limit). With weight W = 0 no
    CVaR rows are built.
    """
    m = LinearModel()
    contracted = contracted_sources(d)
    tau = np.array([d.case.sources[s].take_or_pay for s in contracted], dtype=float)
    tau_sources = np.flatnonzero(tau > 0)
    shared = None if anticipative else define_first_stage(m, d, contracted, fixed=fixed)
    out = StochasticModel(m, d, contracted, tau_sources, [], None, alpha, weight)
    for sa, p in scenarios:
        first = shared or define_first_stage(m, d, contracted, tag=f"[{sa.scenario.id}]", fixed=fixed)
        cols, z, unit = define_scenario_variables(m, sa, first, contracted, tau_sources,
                                                  (1.0 - weight) * p)
        # The first-stage costs (firm part r·c, injection c_in·x) are paid in every
        # scenario: weigh them in once per scenario through the expectation (their
        # coefficients sum to (1 − W)·w_t·r and (1 − W)·w_t·c_in).
        for name in ("c", "x"):
            fc, fk = unit[name]
            m.col_cost[fc.ravel()] += ((1.0 - weight) * p * fk).ravel()
        start = len(m.rows)
        define_scenario_supply_bounds(m, sa, cols, contracted)
        define_contract_take(m, sa, first, cols, contracted)
        define_take_or_pay(m, sa, first, cols, z, contracted, tau_sources)
        define_unpaid_cap(m, sa, first, z, contracted, tau_sources)
        define_export_limit(m, sa, cols, reference)
        for family in SCENARIO_FAMILIES:
            family(m, sa.data, cols)
        out.scenarios.append(ScenarioColumns(sa, p, first, cols, z, unit, (start, len(m.rows))))
    if fixed is not None:  # define_storage bounds x by its rate: pin it again
        for sc in out.scenarios:
            m.col_upper[sc.first.x.ravel()] = m.col_lower[sc.first.x.ravel()]
    if weight > 0:
        define_cvar(m, out)
    return out


def scenario_costs(sm: StochasticModel, x: np.ndarray) -> np.ndarray:
    """cost_ω of each scenario (million USD) from a solution."""
    return np.array([sum(float((k * x[c]).sum()) for c, k in sc.unit_cost.values())
                     for sc in sm.scenarios])


def cvar(costs: np.ndarray, probabilities: np.ndarray, alpha: float) -> tuple[float, float]:
    """(VaR_α, CVaR_α) of a discrete cost distribution: CVaR = min_θ θ + E[(cost − θ)+]/(1 − α),
    whose minimum is reached at one of the costs (the VaR)."""
    best = None
    for theta in costs:
        value = theta + float((probabilities * np.maximum(costs - theta, 0.0)).sum()) / (1.0 - alpha)
        if best is None or value < best[1] - 1e-12:
            best = (float(theta), float(value))
    return best
