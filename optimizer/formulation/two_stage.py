"""The two-stage stochastic plan with a CVaR term, built in bulk on the LinearModel.

Notation as in constraints.py, plus scenarios ω with probability p_ω, contractable sources
s ∈ C (sources.csv `contract = contract`) with take-or-pay share τ_s and firm (reservation)
part r_s, and the availability φ[s,t,ω] and scenario prices price_ω of scenarios.py.

The firm part r_s of a contract source is its entry's tariff (entries.csv
`tariff_usd_mmbtu`): the capacity booked on the border pipeline or regas terminal, paid on
the contracted volume whether it is taken or not. It is taken out of the per-unit price of
the gas: a contract source's commodity price is price_ω[s,t] − r_s (r_s = 0 for spot).

First stage (decided before the scenario is known):
    c[s,t] ≥ 0      contracted volume of s ∈ C (MMcf/d): min[s,t] ≤ c[s,t] ≤ max[s,t]
    y_in[k,t] ≥ 0   injection schedule: gas committed to storage, ≤ injection[k,t]

Second stage, per scenario ω:
    q[s,t,ω]  purchase (spot sources) or take (contracted sources)
    z[s,t,ω]  contracted gas paid for but not taken (take-or-pay deficiency), s ∈ C, τ_s > 0
    f, y_out, v, u, b, r as in the deterministic model

Cost of scenario ω (million USD):

    cost_ω = Σ_t w_t·( Σ_{s∈C} r_s·c[s,t] + Σ_k cost_in_k·y_in[k,t]               (first stage)
                       + Σ_s (price_ω[s,t] − r_s + λ·risk[g(s)])·q[s,t,ω]
                       + Σ_{s∈C, τ_s>0} max(price_ω[s,t] − r_s, 0)·z[s,t,ω]
                       + Σ_a tariff_a·f[a,t,ω] + Σ_k cost_out_k·y_out[k,t,ω]
                       + VOLL·Σ_n u[n,t,ω] + c_X·Σ_x r[x,t,ω] )  +  F

F = Σ_t fixed[t], the reservation payments on firm capacity: paid in every scenario.

With one undisturbed scenario the cheapest contract for a take q is c = q (a larger c pays
r·(c − q) for nothing), so the model is the deterministic one and the deterministic plan's
commitments c := q_det are its unique cost-minimal contract when r > 0. Contracting more
than the base needs, as insurance against a cut, costs r per unit in every scenario.

Objective (Rockafellar–Uryasev):

    min (1 − W)·Σ_ω p_ω·cost_ω + W·( θ + Σ_ω p_ω·a_ω / (1 − α) )

Every deterministic family but the source bounds holds in every scenario with that
scenario's data (families.SCENARIO lists them); the scenario families below replace the
source bounds.

The same builder gives the evaluation models: `fixed` pins the first stage (a deterministic
plan's commitments, for the VSS and the stress test; the stochastic plan's own, to report
each scenario), and `anticipative` gives each scenario its own first stage (the
wait-and-see value, for the EVPI).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...models import Scenario
from ..lp.linear_model import INF, LinearModel
from .arrays import ModelData
from .constraints import Columns, curtailment_cost, labels, tier_columns, unserved_cost
from .names import CONTRACT_TAKE, CVAR, EXPORT_LIMIT, TAKE_OR_PAY, UNPAID_CAP


@dataclass
class FirstStage:
    """Columns of the first-stage decisions: contracts c (|C| × T), injections y_in (K × T)."""

    contract: np.ndarray
    inject: np.ndarray


@dataclass
class ScenarioColumns:
    """One scenario's data, columns, share of the objective and rows' span."""

    scenario: Scenario
    data: ModelData
    probability: float
    first: FirstStage
    cols: Columns
    unit_cost: dict = field(default_factory=dict)  # variable → (columns, cost per unit in cost_ω)
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
    fixed: float = 0.0        # reservation payments (million USD), part of every cost_ω


def contracted_sources(d: ModelData) -> np.ndarray:
    """Indices of the contractable sources, C (sources.csv `contract` = contract)."""
    return np.flatnonzero(d.source_contract)


def unpaid_sources(d: ModelData) -> np.ndarray:
    """Indices of the contractable sources with a take-or-pay share τ_s > 0."""
    return np.flatnonzero(d.source_contract & (d.take_or_pay > 0))


def define_first_stage(m: LinearModel, d: ModelData, tag: str = "",
                       fixed: dict | None = None) -> FirstStage:
    """First stage:  min[s,t] ≤ c[s,t] ≤ max[s,t]  (s ∈ C; 0 for an excluded supplier) and
    0 ≤ y_in[k,t] ≤ injection[k,t].  With `fixed` ({"contract": |C| × T, "inject": K × T}),
    both are pinned to given values (clipped to their bounds, so solver noise in the values
    cannot make the model infeasible)."""
    T = len(d.period_ids)
    contracted = contracted_sources(d)
    lower = np.where(d.excluded[contracted, None], 0.0, d.source_min[contracted])
    upper = np.where(d.excluded[contracted, None], 0.0, d.source_max[contracted])
    inject_upper = d.injection_rate
    if fixed is not None:
        lower = upper = np.clip(fixed["contract"], lower, upper)
        inject_lower = inject_upper = np.clip(fixed["inject"], 0.0, d.injection_rate)
    else:
        inject_lower = np.zeros_like(inject_upper)
    contract = m.add_variables(f"c{tag}", labels([d.source_ids[s] for s in contracted], d.period_ids),
                               lower=lower.ravel(), upper=upper.ravel())
    inject = m.add_variables(f"y_in{tag}", labels(d.storage_ids, d.period_ids),
                             lower=inject_lower.ravel(), upper=inject_upper.ravel())
    return FirstStage(contract.reshape(len(contracted), T), inject.reshape(len(d.storage_ids), T))


def define_scenario_variables(m: LinearModel, d: ModelData, sid: str, first: FirstStage,
                              objective_weight: float) -> tuple[Columns, dict]:
    """Second-stage columns of scenario ω and the unit costs of every column in cost_ω:

        q: w_t·(price_ω[s,t] − r_s + λ·risk[g(s)])   z: w_t·max(price_ω[s,t] − r_s, 0)
        f: w_t·tariff_a   y_out: w_t·cost_out_k   u: w_t·VOLL   r: w_t·c_X   v, b: 0
        (with demand tiers: u: 0   ℓ: w_t·value_i)
        (first stage, in every scenario: c: w_t·r_s   y_in: w_t·cost_in_k)

    Each second-stage column's objective coefficient is its unit cost × (1 − W)·p_ω
    (`objective_weight`); the first-stage ones are weighed in by build_stochastic.
    """
    T = len(d.period_ids)
    wt = d.weight[None, :]
    K, A, N = len(d.storage_ids), len(d.arc_ids), len(d.node_ids)
    unit: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    firm = d.firm_part[:, None]

    def block(name, items, cost):
        cost = np.broadcast_to(cost, (len(items), T)).astype(float)
        cols = m.add_variables(f"{name}[{sid}]", labels(items, d.period_ids),
                               cost=(objective_weight * cost).ravel())
        cols = cols.reshape(len(items), T)
        unit[name] = (cols, cost)
        return cols

    supply = block("q", d.source_ids, wt * (d.price - firm + d.risk_weight * d.risk[:, None]))
    owed = unpaid_sources(d)
    # A deficiency payment is never negative: at a commodity price below zero (Waha in a
    # glut), gas "paid for untaken" would earn money, and z = τ·c would ride on top of a
    # full take for nothing but that refund.
    unpaid = block("z", [d.source_ids[s] for s in owed],
                   wt * np.maximum(d.price[owed] - firm[owed], 0.0))
    flow = block("f", d.arc_ids, wt * d.arc_tariff[:, None] * np.ones((A, T)))
    withdraw = block("y_out", d.storage_ids, wt * d.withdrawal_cost[:, None] * np.ones((K, T)))
    stock = block("v", d.storage_ids, np.zeros((K, T)))
    unserved = block("u", d.node_ids, unserved_cost(d))
    tiers = tier_columns(m, d, block)
    contracted = contracted_sources(d)
    unit["c"] = (first.contract, wt * firm[contracted] * np.ones((len(contracted), T)))
    unit["y_in"] = (first.inject, wt * d.injection_cost[:, None] * np.ones((K, T)))
    # The share base b[t] of the share-limit family (no cost), per scenario like q.
    share_base = m.add_variables(f"b[{sid}]", list(d.period_ids)) if d.share_rules else \
        np.zeros(0, dtype=int)
    curtailed = block("r", d.export_ids, curtailment_cost(d)) if len(d.export_ids) else \
        np.zeros(0, dtype=int)
    if len(d.export_ids):
        m.set_upper(curtailed.ravel(), d.export_feed.ravel())
    cols = Columns(supply=supply, flow=flow, inject=first.inject, withdraw=withdraw,
                   stock=stock, unserved=unserved, share_base=share_base,
                   contract=first.contract, contracted=contracted, unpaid=unpaid,
                   curtailed=curtailed, tiers=tiers,
                   tag=f"[{sid}]", objective_weight=objective_weight, unit_cost=unit)
    return cols, unit


def define_scenario_supply_bounds(m: LinearModel, d: ModelData, c: Columns) -> None:
    """scenario supply bounds, as column bounds (in place of the source bounds):

        q[s,t,ω] ≤ max_ω[s,t]                          every source
        q[s,t,ω] ≥ φ[s,t,ω]·min[s,t]                   spot sources (0 if excluded; a
                                                       contracted source's minimum binds
                                                       its contract c instead)

    max_ω = φ·min(max, entry capacity) where φ < 1, else max (scenarios.py)."""
    m.set_upper(c.supply.ravel(), d.source_max.ravel())
    spot = np.flatnonzero(~d.source_contract)
    minimum = np.where(d.excluded[spot, None], 0.0, d.source_min[spot])
    m.col_lower[c.supply[spot].ravel()] = minimum.ravel()


def define_contract_take(m: LinearModel, d: ModelData, c: Columns) -> None:
    """contract_take[s,t,ω] (s ∈ C):   q[s,t,ω] − φ[s,t,ω]·c[s,t] ≤ 0

    The take is at most what was contracted, scaled by the scenario's availability
    (pro-rata curtailment of contracted deliveries). Contracting c costs w_t·r_s·c[s,t] in
    every scenario (the firm part), so c above the take is never free."""
    contracted = contracted_sources(d)
    if len(contracted) == 0:
        return
    n = len(contracted) * len(d.period_ids)
    phi = d.availability[contracted]
    m.add_rows(CONTRACT_TAKE, labels([d.source_ids[s] for s in contracted], d.period_ids), "<=",
               np.concatenate([np.arange(n), np.arange(n)]),
               np.concatenate([c.supply[contracted].ravel(), c.contract.ravel()]),
               np.concatenate([np.ones(n), -phi.ravel()]), 0.0)


def _owed(d: ModelData, c: Columns) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For s ∈ C with τ_s > 0: the sources, their contract columns, τ_s·φ[s,t,ω]."""
    contracted = contracted_sources(d)
    owed = unpaid_sources(d)
    position = np.searchsorted(contracted, owed)
    coefficient = d.take_or_pay[owed, None] * d.availability[owed]
    return owed, c.contract[position], coefficient


def define_take_or_pay(m: LinearModel, d: ModelData, c: Columns) -> None:
    """take_or_pay[s,t,ω] (s ∈ C, τ_s > 0):   q[s,t,ω] + z[s,t,ω] − τ_s·φ[s,t,ω]·c[s,t] ≥ 0

    At least the take-or-pay share of the available contracted gas is paid for: taken (q)
    or paid for untaken (z ≥ 0, at its commodity price price_ω − r_s: the firm part r_s is
    paid on all of c already). Gas a disruption makes unavailable (φ < 1) is excused, as
    force majeure excuses it in a contract."""
    owed, contract, coefficient = _owed(d, c)
    if len(owed) == 0:
        return
    n = len(owed) * len(d.period_ids)
    r = np.arange(n)
    m.add_rows(TAKE_OR_PAY, labels([d.source_ids[s] for s in owed], d.period_ids), ">=",
               np.concatenate([r, r, r]),
               np.concatenate([c.supply[owed].ravel(), c.unpaid.ravel(), contract.ravel()]),
               np.concatenate([np.ones(n), np.ones(n), -coefficient.ravel()]), 0.0)


def define_unpaid_cap(m: LinearModel, d: ModelData, c: Columns) -> None:
    """unpaid_cap[s,t,ω] (s ∈ C, τ_s > 0):   z[s,t,ω] − τ_s·φ[s,t,ω]·c[s,t] ≤ 0

    The gas paid for untaken is at most the take-or-pay share of the available contracted
    gas. Without this bound a negative commodity price (a hub below the adder's magnitude,
    or a glut scenario) would make z a money pump and the model unbounded."""
    owed, contract, coefficient = _owed(d, c)
    if len(owed) == 0:
        return
    n = len(owed) * len(d.period_ids)
    r = np.arange(n)
    m.add_rows(UNPAID_CAP, labels([d.source_ids[s] for s in owed], d.period_ids), "<=",
               np.concatenate([r, r]), np.concatenate([c.unpaid.ravel(), contract.ravel()]),
               np.concatenate([np.ones(n), -coefficient.ravel()]), 0.0)


def define_export_limit(m: LinearModel, d: ModelData, c: Columns) -> None:
    """export_limit[e,t,ω] (each capacity factor φ_e on a supplier or source, t in its
    window):

        Σ_{s hit by e} q[s,t,ω] ≤ φ_e · Σ_{s hit by e} max(q_ref[s,t], 0)

    q_ref is the flow the plan would have had: the deterministic (base) plan's flows,
    computed once before the stochastic solve. A supplier's cut (a US limit on exports)
    caps the volume it delivers whatever the plan contracts: contracting more cannot book
    the plan out of it. (The pro-rata curtailment q ≤ φ·c of contract_take holds too.)"""
    if not d.export_limits:
        return
    if d.reference_flow is None:
        raise ValueError("a capacity factor on a supplier or source needs the reference "
                         "(deterministic plan) flows")
    row_labels, rows, columns, rhs = [], [], [], []
    for hit, window, phi, target in d.export_limits:
        for t in window:
            rows.append(np.full(len(hit), len(row_labels)))
            columns.append(c.supply[hit, t])
            row_labels.append((target, d.period_ids[t]))
            rhs.append(phi * float(np.maximum(d.reference_flow[hit, t], 0.0).sum()))
    rows = np.concatenate(rows)
    m.add_rows(EXPORT_LIMIT, row_labels, "<=", rows, np.concatenate(columns),
               np.ones(len(rows)), np.array(rhs))


def define_cvar(m: LinearModel, sm: StochasticModel) -> None:
    """cvar[ω] (Rockafellar–Uryasev):   a_ω + θ − cost_ω ≥ 0,  a_ω ≥ 0,  θ free

    with objective terms W·θ and W·p_ω·a_ω/(1 − α); at the optimum
    θ + Σ_ω p_ω·a_ω/(1 − α) = CVaR_α(cost). cost_ω includes the fixed reservation
    payments F (the same in every scenario: the row's right-hand side). Built once for
    the whole model, not per scenario; without CVaR weight (W = 0) there are no such rows."""
    W, alpha = sm.weight, sm.alpha
    sm.theta = int(m.add_variables("theta", ["theta"], lower=-INF, upper=INF, cost=W)[0])
    for sc in sm.scenarios:
        a = int(m.add_variables(f"a[{sc.scenario.id}]", [sc.scenario.id],
                                cost=W * sc.probability / (1.0 - alpha))[0])
        cols = np.concatenate([c.ravel() for c, _ in sc.unit_cost.values()])
        costs = np.concatenate([k.ravel() for _, k in sc.unit_cost.values()])
        keep = costs != 0
        n = int(keep.sum()) + 2
        block = m.add_rows(CVAR, [(sc.scenario.id, "horizon")], ">=", np.zeros(n, int),
                           np.concatenate([[a, sm.theta], cols[keep]]),
                           np.concatenate([[1.0, 1.0], -costs[keep]]), sm.fixed)
        sc.cvar_row = block.start


def scenario_costs(sm: StochasticModel, x: np.ndarray) -> np.ndarray:
    """cost_ω of each scenario (million USD) from a solution x, the fixed payments included."""
    return np.array([sum(float((k * x[c]).sum()) for c, k in sc.unit_cost.values()) + sm.fixed
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
