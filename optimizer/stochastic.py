"""`solve_stochastic` and `stress_test`: disruption scenarios → two-stage models → verified
results, with the value of the stochastic solution and of perfect information.

    plan = solve_stochastic(case, cvar_alpha=0.95, cvar_weight=0.5)
    plan.summary["vss_musd"], plan.extra["scenarios"]
    table, deterministic = stress_test(case)

Measures, all on the same mean-risk objective  (1 − W)·E[cost] + W·CVaR_α(cost):
  RP   the stochastic plan's first stage fixed, each scenario's operation re-optimised
       on its own (equal to the two-stage optimum);
  EEV  the deterministic plan's commitments (its contracted volumes and injections) fixed,
       each scenario's operations re-optimised;  VSS = EEV − RP ≥ 0 (`vss_musd`: the
       deterministic commitments are feasible in the two-stage model, so they cannot beat
       its optimum on the objective it minimises);
  WS   each scenario with its own first stage (perfect foresight);  EVPI = RP − WS ≥ 0.
Beside it, on expected cost alone: `vss_expected_cost_musd` = E[cost | deterministic
commitments] − E[cost | stochastic plan], the textbook VSS; with W > 0 it may be negative
(the risk-averse plan pays in expectation for a thinner tail).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..models import Case, CaseError, Policy, Problem, Scenario, ShareLimit, load_scenarios
from .deterministic import checked_data, solve_data, solve_verified
from .formulation.arrays import ModelData
from .formulation.blocks import demand_derivatives
from .formulation.build import build_stochastic
from .formulation.names import BALANCE
from .formulation.scenarios import apply_scenario
from .formulation.two_stage import StochasticModel, contracted_sources, cvar, scenario_costs
from .lp.solvers import check_solver
from .results.adequacy import blocks_served, short_events_table
from .results.metrics import unserved_value_musd
from .results.plan import Plan, denoise, make_plan, marginal_cost

BASE = "base"


def scenarios_of(case: Case, scenarios=None) -> tuple[Scenario, ...]:
    """The scenarios to use: given ones, a disruptions file to read, or the case's own."""
    if scenarios is None:
        if not case.scenarios:
            raise CaseError([Problem("disruptions.csv", "the case has no disruption scenarios: "
                                     "add disruptions.csv or give a scenarios file")], case=case.name)
        return case.scenarios
    if isinstance(scenarios, (str, Path)):
        return load_scenarios(scenarios, case)
    return tuple(scenarios)


def _solve(sm: StochasticModel, solver: str, time_limit: float | None):
    """Solve and verify: every row and bound recomputed from the primal values."""
    return solve_verified(sm.model, sm.data, solver, time_limit)


def commitments_of(plan: Plan) -> dict:
    """A deterministic plan's first-stage decisions, as arrays in model order: the
    contracted sources' flows (as their contracts) and the storage injections."""
    return {"contract": plan.solution.supply[contracted_sources(plan.data)],
            "inject": plan.solution.inject}


def scenario_data(data: ModelData, chosen, reference: np.ndarray) -> list:
    """((scenario, its data), probability) for each scenario: the arrays as it sees them,
    its capacity factors on suppliers and sources scaling `reference` (S × T, the
    deterministic plan's flows: "the flow the plan would have had")."""
    return [(apply_scenario(data, s, reference), s.probability) for s in chosen]


def _weights(sm: StochasticModel, result) -> np.ndarray:
    """ρ_ω = ∂objective/∂cost_ω = (1 − W)·p_ω + μ_ω (μ_ω: the dual of ω's CVaR row)."""
    rho = np.array([(1.0 - sm.weight) * sc.probability for sc in sm.scenarios])
    for i, sc in enumerate(sm.scenarios):
        if sc.cvar_row is not None:
            rho[i] += result.row_dual[sc.cvar_row]
    return rho


def scenario_table(sm: StochasticModel, result) -> pd.DataFrame:
    """One row per scenario: probability, cost (objective terms), cash cost, unserved gas and
    the node marginal costs (balance duals ÷ (w_t·ρ_ω)), demand-weighted average and peak."""
    x = result.x
    costs = scenario_costs(sm, x)
    rho = _weights(sm, result)
    rows = []
    for sc, cost, weight in zip(sm.scenarios, costs, rho):
        d = sc.data
        cols = sc.cols
        wt = d.weight
        u = x[cols.unserved]
        penalty = float((wt * d.risk_weight * d.risk[:, None] * x[cols.supply]).sum())
        unserved_cost = unserved_value_musd(d, u, x[cols.tiers])
        if cols.curtailed.size:  # export feed not carried: valued like unserved gas, not cash
            unserved_cost += float((wt * d.export_curtailment * x[cols.curtailed]).sum())
        balance = [b for b in sm.model.rows[sc.rows[0]:sc.rows[1]] if b.family == BALANCE][0]
        dual = result.row_dual[balance.start:balance.stop] + \
            demand_derivatives(d, sm.model, result.row_dual, sc.rows).ravel()
        marginal = marginal_cost(d, dual, weight) if weight > 1e-12 else \
            np.full((len(d.node_ids), len(d.period_ids)), np.nan)
        served = d.demand * d.days[None, :]
        defined = np.isfinite(marginal).any() and served.sum() > 0
        # np.nansum of nothing but NaN is 0: an average of undefined costs is undefined.
        average = float(np.nansum(marginal * served) / served.sum()) if defined else np.nan
        peak = None
        if np.isfinite(marginal).any():
            # Ties are common (every short node at VOLL): name the one with most unserved gas.
            order = np.lexsort((u.ravel(), np.round(np.nan_to_num(marginal, nan=-np.inf), 6).ravel()))
            peak = np.unravel_index(int(order[-1]), marginal.shape)
        rows.append({
            "scenario": sc.scenario.id, "probability": sc.probability,
            "cost_musd": float(cost), "cash_cost_musd": float(cost) - penalty - unserved_cost,
            "unserved_bcf": float((u * d.days / 1000).sum()),
            "unserved_cost_musd": unserved_cost,
            "avg_marginal_usd_mmbtu": average,
            "peak_marginal_usd_mmbtu": float(marginal[peak]) if peak else np.nan,
            "peak_at": f"{d.node_ids[peak[0]]} {d.period_ids[peak[1]]}" if peak else "",
            "description": sc.scenario.description,
        })
    return pd.DataFrame(rows)


def scenario_flows(sm: StochasticModel, x: np.ndarray) -> pd.DataFrame:
    """scenario × period × source: the flow, its contract (first stage) and gas paid for
    untaken, MMcf/d."""
    d = sm.data
    S, T = len(d.source_ids), len(d.period_ids)
    frames = []
    for sc in sm.scenarios:
        contract = np.full((S, T), np.nan)
        contract[sm.contracted] = x[sc.first.contract]
        unpaid = np.zeros((S, T))
        unpaid[sm.contracted[sm.tau_sources]] = x[sc.cols.unpaid]
        flow = x[sc.cols.supply]
        frames.append(pd.DataFrame({
            "scenario": sc.scenario.id,
            "period": np.repeat(np.array(d.period_ids, dtype=object), S),
            "source": np.tile(np.array(d.source_ids, dtype=object), T),
            "supplier": np.tile(np.array(d.supplier_ids, dtype=object)[d.source_supplier], T),
            "flow_mmcfd": flow.T.ravel(), "contract_mmcfd": contract.T.ravel(),
            "unused_paid_mmcfd": unpaid.T.ravel(),
            "price_usd_mmbtu": sc.data.price.T.ravel()}))
    out = pd.concat(frames, ignore_index=True)
    for col in ("flow_mmcfd", "contract_mmcfd", "unused_paid_mmcfd"):
        out[col] = denoise(out[col].to_numpy())
    return out


def _prepare(case: Case, policy: Policy | None, scenarios, solver: str, choices: dict):
    """The checked data, the scenarios, and the deterministic plan (whose commitments and
    flows every stochastic measure compares with or scales)."""
    check_solver(solver)
    chosen = scenarios_of(case, scenarios)
    return checked_data(case, policy, **choices), chosen


def fixed_runs(data: ModelData, arrays, fixed: dict, solver: str, time_limit: float | None,
                seconds: dict | None = None, label: str = "fixed") -> list:
    """Each scenario's second stage re-solved on its own with the first stage `fixed`
    (contracted volumes and injections): [(model, result, check)] in scenario order.
    With the first stage fixed the scenarios do not interact, so each one's own optimum is
    its cost under any mean-risk weighting — the stress test and the stochastic plan's
    report both read their scenarios from here."""
    t0 = time.perf_counter()
    runs = []
    for view, _ in arrays:
        sm = build_stochastic(data, [(view, 1.0)], fixed=fixed)
        result, check = _solve(sm, solver, time_limit)
        runs.append((sm, result, check))
    if seconds is not None:
        seconds[label] = time.perf_counter() - t0
    return runs


def runs_table(runs, arrays) -> pd.DataFrame:
    """scenario_table of every re-solve, with the scenarios' own probabilities."""
    tables = []
    for (sm, result, _), (_, p) in zip(runs, arrays):
        row = scenario_table(sm, result)
        row["probability"] = p
        tables.append(row)
    return pd.concat(tables, ignore_index=True)


def stress_test(case: Case, policy: Policy | None = None, *, scenarios=None,
    caps: Mapping[str, float] | None = None, max_share: float | None = None,
    risk_weight: float | None = None, exclude: str | Sequence[str] | None = None,
    admit: str | Sequence[str] | None = None, share_basis: str | None = None,
    share_of: str | None = None, limits: Sequence[ShareLimit] | None = None,
    storage_days: float | None = None, cover_days: float | None = None,
    min_n1: float | None = None,
    solver: str = "highs", time_limit: float | None = None) -> tuple[pd.DataFrame, Plan]:
    """The deterministic plan's commitments (contracted volumes, storage injections) fixed;
    each scenario's operations re-solved on its own. Returns the per-scenario table (cost,
    its change from base, unserved gas, marginal costs) and the deterministic plan.
    `scenarios`: Scenario records or a disruptions file (default: the case's own); the
    policy choices as in `solve`."""
    choices = dict(caps=caps, max_share=max_share, risk_weight=risk_weight, exclude=exclude,
                   admit=admit, share_basis=share_basis, share_of=share_of, limits=limits,
                   storage_days=storage_days, cover_days=cover_days, min_n1=min_n1)
    data, chosen = _prepare(case, policy, scenarios, solver, choices)
    plan = solve_data(data, solver, time_limit)
    arrays = scenario_data(data, chosen, plan.solution.supply)
    runs = fixed_runs(data, arrays, commitments_of(plan), solver, time_limit)
    table = runs_table(runs, arrays)
    base = table.loc[table["scenario"] == BASE, "cost_musd"]
    table.insert(3, "change_from_base_musd", table["cost_musd"] - (float(base.iloc[0]) if len(base) else np.nan))
    if any(e.is_short for s in chosen for e in s.events):
        # The days of short events (day blocks of their scenarios): what each tier gave up.
        plan.extra["short_events"] = short_events_table(
            [(sm.scenarios[0].scenario.id, sm.scenarios[0].data,
              blocks_served(sm.scenarios[0].data, sm.scenarios[0].cols.blocks, result.x))
             for sm, result, _ in runs])
    return table, plan


def mean_risk(costs: np.ndarray, probabilities: np.ndarray, alpha: float, weight: float) -> dict:
    """(1 − W)·E[cost] + W·CVaR_α(cost) of a discrete cost distribution, with its parts."""
    expected = float(probabilities @ costs)
    var, value = cvar(costs, probabilities, alpha)
    return {"objective": (1.0 - weight) * expected + weight * value, "expected": expected,
            "var": var, "cvar": value}


def solve_stochastic(case: Case, policy: Policy | None = None, *, scenarios=None,
                     cvar_alpha: float = 0.95, cvar_weight: float = 0.0,
    caps: Mapping[str, float] | None = None, max_share: float | None = None,
    risk_weight: float | None = None, exclude: str | Sequence[str] | None = None,
    admit: str | Sequence[str] | None = None, share_basis: str | None = None,
    share_of: str | None = None, limits: Sequence[ShareLimit] | None = None,
    storage_days: float | None = None, cover_days: float | None = None,
    min_n1: float | None = None,
    solver: str = "highs", time_limit: float | None = None) -> Plan:
    """The risk-averse two-stage plan over the disruption scenarios.

    The two-stage model decides the first stage (contracts, injections). That first stage is
    then fixed and every scenario's second stage re-solved on its own (as the stress test
    does for the deterministic plan's commitments): with W = 1 the joint optimum leaves the
    operation of scenarios outside the CVaR tail arbitrary (they weigh nothing), the
    re-solves give each scenario its own best operation. Every reported figure — scenario
    costs, E[cost], CVaR, the scenario tables and the plan's own tables (its operation in
    the undisturbed `base` scenario) — comes from these re-solves, and the mean-risk
    objective is recomputed from them (it equals the two-stage optimum, which the summary
    also gives, up to solver tolerance).

    `extra` tables: scenarios (probability, cost, unserved gas, marginal costs, in the CVaR
    tail, the deterministic plan's cost), scenario_flows and commitments (the stochastic
    against the deterministic plan's contracts and injections). The summary adds
    expected_cost_musd, cvar_musd, vss_musd, vss_expected_cost_musd, evpi_musd and a
    `stochastic` block. The policy choices as in `solve`.
    """
    choices = dict(caps=caps, max_share=max_share, risk_weight=risk_weight, exclude=exclude,
                   admit=admit, share_basis=share_basis, share_of=share_of, limits=limits,
                   storage_days=storage_days, cover_days=cover_days, min_n1=min_n1)
    if not 0.0 <= cvar_weight <= 1.0:
        raise CaseError([Problem("policy", "must be between 0 and 1", column="cvar_weight",
                                 value=cvar_weight)], case=case.name)
    if not 0.0 <= cvar_alpha < 1.0:
        raise CaseError([Problem("policy", "must be at least 0 and below 1", column="cvar_alpha",
                                 value=cvar_alpha)], case=case.name)
    started = time.perf_counter()
    data, chosen = _prepare(case, policy, scenarios, solver, choices)
    if BASE not in [s.id for s in chosen]:
        raise CaseError([Problem("disruptions.csv", "declare the undisturbed scenario 'base'",
                                 column="scenario")], case=case.name)
    seconds = {}
    deterministic = solve_data(data, solver, time_limit)
    fixed_det = commitments_of(deterministic)
    # The base of the capacity factors on suppliers and sources: the deterministic flows.
    arrays = scenario_data(data, chosen, deterministic.solution.supply)
    probabilities = np.array([p for _, p in arrays])

    def run(label, **options):
        t0 = time.perf_counter()
        sm = build_stochastic(data, arrays, alpha=cvar_alpha, weight=cvar_weight, **options)
        result, check = _solve(sm, solver, time_limit)
        seconds[label] = time.perf_counter() - t0
        return sm, result, check

    rp, rp_result, _ = run("stochastic")
    ws, ws_result, _ = run("wait_and_see", anticipative=True)
    first = rp.scenarios[0].first
    commitments = {"contract": rp_result.x[first.contract], "inject": rp_result.x[first.inject]}

    # Both first stages fixed, each scenario re-solved on its own.
    own = fixed_runs(data, arrays, commitments, solver, time_limit, seconds, "scenario_resolves")
    det = fixed_runs(data, arrays, fixed_det, solver, time_limit, seconds,
                      "deterministic_commitments")
    table = runs_table(own, arrays)
    det_table = runs_table(det, arrays)
    costs = table["cost_musd"].to_numpy()
    det_costs = det_table["cost_musd"].to_numpy()
    mine = mean_risk(costs, probabilities, cvar_alpha, cvar_weight)
    theirs = mean_risk(det_costs, probabilities, cvar_alpha, cvar_weight)
    table["in_cvar_tail"] = costs >= mine["var"] - 1e-9 * max(1.0, abs(mine["var"]))
    table["deterministic_plan_cost_musd"] = det_costs
    vss = theirs["objective"] - mine["objective"]
    evpi = mine["objective"] - ws_result.objective

    at = [view.scenario.id for view, _ in arrays].index(BASE)
    base, base_result, base_check = own[at]
    sc = base.scenarios[0]
    unpaid_cols, unpaid_cost = sc.unit_cost["z"]
    # Cash the flows do not show: contracted gas paid for untaken (take-or-pay) and firm
    # capacity booked above the take (its reservation r·(c − q)).
    hidden_cash = {"take_or_pay_unused": float((unpaid_cost * base_result.x[unpaid_cols]).sum()),
                   "capacity_reserved_unused": _reserved_unused(base, base_result.x)}
    warnings = []
    gap = abs(mine["objective"] - float(rp_result.objective))
    if gap > 1e-6 * max(1.0, abs(float(rp_result.objective))):
        warnings.append(
            f"the mean-risk objective recomputed from the scenario re-solves "
            f"({mine['objective']:,.6f} MUSD) differs from the two-stage optimum "
            f"({float(rp_result.objective):,.6f} MUSD) by {gap:.3g} MUSD: solver tolerance "
            "or a scenario whose re-solve found a cheaper operation")
    over_scenarios = {
        "plan": "stochastic (tables: the undisturbed base scenario)",
        "mean_risk_objective_musd": mine["objective"],
        "expected_cost_musd": mine["expected"],
        "cvar_musd": mine["cvar"],
        "vss_musd": float(vss),
        "vss_expected_cost_musd": theirs["expected"] - mine["expected"],
        "evpi_musd": float(evpi),
        "stochastic": {
            "cvar_alpha": cvar_alpha, "cvar_weight": cvar_weight, "var_musd": mine["var"],
            "two_stage_optimum_musd": float(rp_result.objective),
            "scenarios": {r.scenario: r.probability for r in table.itertuples()},
            "deterministic_plan": {"mean_risk_objective_musd": theirs["objective"],
                                   "expected_cost_musd": theirs["expected"],
                                   "cvar_musd": theirs["cvar"],
                                   "objective_musd": float(deterministic.summary["objective_musd"])},
            "wait_and_see_musd": float(ws_result.objective),
            "model": {"rows": rp.model.n_rows, "columns": rp.model.n_cols,
                      "nonzeros": int(len(rp.model.csr()[1]))},
            "seconds": seconds, "total_seconds": time.perf_counter() - started,
        },
    }
    tables = {"scenarios": table,
              "scenario_flows": pd.concat([scenario_flows(sm, result.x) for sm, result, _ in own],
                                          ignore_index=True),
              "commitments": _commitments_table(data, rp, commitments, fixed_det)}
    # All the solves' time, not only the base's.
    return make_plan(sc.data, sc.cols, base.model, base_result, base_check,
                     {"build": 0.0, "solve": float(sum(seconds.values()))},
                     hidden_cash=hidden_cash, figures_over_scenarios=over_scenarios,
                     warnings=warnings, tables=tables)


def _reserved_unused(sm: StochasticModel, x: np.ndarray) -> float:
    """Σ_t w_t·r_s·(c[s,t] − q[s,t]) of a one-scenario model: firm capacity paid for and not
    used (million USD)."""
    sc = sm.scenarios[0]
    d = sc.data
    r = d.firm_part[sm.contracted]
    idle = x[sc.first.contract] - x[sc.cols.supply[sm.contracted]]
    return float((d.weight[None, :] * r[:, None] * np.maximum(idle, 0.0)).sum())


def _commitments_table(d: ModelData, sm: StochasticModel, stochastic: dict, deterministic: dict) -> pd.DataFrame:
    """period × (contract or storage site): the stochastic and the deterministic plan's
    first-stage decisions, MMcf/d."""
    items = [("contract", d.source_ids[s]) for s in sm.contracted] + \
        [("injection", k) for k in d.storage_ids]
    stoch = np.vstack([stochastic["contract"], stochastic["inject"]])
    det = np.vstack([deterministic["contract"], deterministic["inject"]])
    T = len(d.period_ids)
    out = pd.DataFrame({
        "period": np.repeat(np.array(d.period_ids, dtype=object), len(items)),
        "kind": np.tile(np.array([k for k, _ in items], dtype=object), T),
        "item": np.tile(np.array([i for _, i in items], dtype=object), T),
        "stochastic_mmcfd": stoch.T.ravel(), "deterministic_mmcfd": det.T.ravel()})
    out["difference_mmcfd"] = out["stochastic_mmcfd"] - out["deterministic_mmcfd"]
    for col in ("stochastic_mmcfd", "deterministic_mmcfd", "difference_mmcfd"):
        out[col] = denoise(out[col].to_numpy())
    return out
