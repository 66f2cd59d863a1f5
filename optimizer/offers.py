"""What accepting an offer is worth: a supply on offer (sources.csv `offer`, e.g. a
sanctioned supplier's LNG) is unavailable unless the policy admits it. The study solves the
case without the offer and with it, then re-solves the plan with the offer under a cut-off
— the offered supply withdrawn (sanctions enforced), its commitments (contracts, storage
injections) kept as planned — and weighs the two states by the planner's probability of a
cut-off:

    E[cost with]   = (1 − p)·cost(with) + p·cost(with, cut off)
    CVaR_α[with]   over the two states;  the plan without the offer costs the same in both
    value          = cost(without) − E[cost with]

Costs are cash plus unserved gas at VOLL (what the plan costs the country); the offer's
risk penalty λ·risk·volume is reported apart, as everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..models import (Case, CaseError, Disruption, Policy, Problem, Scenario, ShareLimit,
                      make_policy)
from .deterministic import checked_data, solve_data
from .formulation.two_stage import cvar
from .lp.solvers import check_solver
from .results.plan import Plan
from .stochastic import commitments_of, fixed_runs, runs_table, scenario_data

DEFAULT_CUTOFF_PROBABILITY = 0.2


@dataclass
class OfferStudy:
    """The offer study: one row per state (without, with, with cut off) and the summary."""

    table: pd.DataFrame
    summary: dict
    without: Plan
    with_offer: Plan


def offer_value(case: Case, offer: str, policy: Policy | None = None, *,
                cutoff_probability: float = DEFAULT_CUTOFF_PROBABILITY,
                cutoff_from: str | None = None, cvar_alpha: float = 0.95,
    caps: Mapping[str, float] | None = None, max_share: float | None = None,
    risk_weight: float | None = None, exclude: str | Sequence[str] | None = None,
    admit: str | Sequence[str] | None = None, share_basis: str | None = None,
    share_of: str | None = None, limits: Sequence[ShareLimit] | None = None,
    storage_days: float | None = None, cover_days: float | None = None,
    min_n1: float | None = None,
    solver: str = "highs", time_limit: float | None = None) -> OfferStudy:
    """What admitting `offer` is worth to `case` under its policy (with `choices` laid over
    it): cost, unserved gas, the offer's volume, share and risk penalty with and without it,
    and the cost and unserved gas of the plan with it if the offered supply is cut off from
    `cutoff_from` (default: the start) with probability `cutoff_probability`. The policy
    choices as in `solve`."""
    check_solver(solver)
    offers = sorted({s.offer for s in case.sources if s.offer})
    if offer not in offers:
        raise CaseError([Problem("offer", "unknown offer (offers: " + (", ".join(offers) or "none")
                                 + ")", value=offer)], case=case.name)
    if not 0.0 <= cutoff_probability <= 1.0:
        raise CaseError([Problem("offer", "must be between 0 and 1", column="cutoff_probability",
                                 value=cutoff_probability)], case=case.name)
    if cutoff_from is not None and cutoff_from not in case.period_ids:
        raise CaseError([Problem("offer", "unknown period", column="cutoff_from",
                                 value=cutoff_from)], case=case.name)
    base = make_policy(case, policy, **dict(caps=caps, max_share=max_share, risk_weight=risk_weight, exclude=exclude,
                   admit=admit, share_basis=share_basis, share_of=share_of, limits=limits,
                   storage_days=storage_days, cover_days=cover_days, min_n1=min_n1))
    closed = base.replace(admit=tuple(a for a in base.admit if a != offer))
    without = solve_data(checked_data(case, closed), solver, time_limit)
    data = checked_data(case, closed.replace(admit=(*closed.admit, offer)))
    with_offer = solve_data(data, solver, time_limit)
    cut = Scenario("cut_off", cutoff_probability,
                   (Disruption("offer", offer, first_period=cutoff_from, capacity_factor=0.0),),
                   f"{offer} withdrawn" + (f" from {cutoff_from}" if cutoff_from else ""))
    views = scenario_data(data, [cut], with_offer.solution.supply)
    cut_row = runs_table(fixed_runs(data, views, commitments_of(with_offer), solver, time_limit),
                         views).iloc[0]

    in_offer = data.source_offer == offer
    volume = with_offer.solution.supply[in_offer] * data.days[None, :] / 1000.0
    penalty = float((data.weight[None, :] * data.risk_weight * data.risk[in_offer, None]
                     * with_offer.solution.supply[in_offer]).sum())

    def state(name, plan, probability):
        s = plan.summary
        return {"state": name, "probability": probability,
                "cost_musd": s["cash_cost_musd"] + s["unserved_cost_musd"],
                "cash_cost_musd": s["cash_cost_musd"], "unserved_bcf": s["unserved_bcf"],
                "risk_penalty_musd": s["risk_penalty_musd"]}

    cut_cost = float(cut_row["cash_cost_musd"]) + float(cut_row["unserved_cost_musd"])
    rows = [state("without", without, 1.0),
            state("with", with_offer, 1.0 - cutoff_probability),
            {"state": "with_cut_off", "probability": cutoff_probability, "cost_musd": cut_cost,
             "cash_cost_musd": float(cut_row["cash_cost_musd"]),
             "unserved_bcf": float(cut_row["unserved_bcf"]), "risk_penalty_musd": np.nan}]
    table = pd.DataFrame(rows)
    costs = table["cost_musd"].to_numpy()[1:]
    probabilities = np.array([1.0 - cutoff_probability, cutoff_probability])
    expected = float(probabilities @ costs)
    _, tail = cvar(costs, probabilities, cvar_alpha)
    total_supply = float((with_offer.solution.supply * data.days[None, :] / 1000.0).sum())
    summary = {
        "offer": offer, "case": case.name, "cutoff_probability": cutoff_probability,
        "cutoff_from": cutoff_from, "cvar_alpha": cvar_alpha,
        "sources": [data.source_ids[i] for i in np.flatnonzero(in_offer)],
        "offer_volume_bcf": float(volume.sum()),
        "offer_share": float(volume.sum()) / total_supply if total_supply > 0 else 0.0,
        "offer_risk_penalty_musd": penalty,
        "cost_without_musd": float(table.loc[0, "cost_musd"]),
        "cost_with_musd": float(table.loc[1, "cost_musd"]),
        "cost_with_cut_off_musd": cut_cost,
        "expected_cost_with_musd": expected,
        "cvar_with_musd": tail,
        "saving_if_never_cut_musd": float(table.loc[0, "cost_musd"] - table.loc[1, "cost_musd"]),
        "value_musd": float(table.loc[0, "cost_musd"]) - expected,
        "value_on_cvar_musd": float(table.loc[0, "cost_musd"]) - tail,
    }
    return OfferStudy(table, summary, without, with_offer)
