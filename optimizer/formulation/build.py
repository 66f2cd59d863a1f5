"""Assembling models from the family registry: the deterministic LP of one case and policy,
and the two-stage stochastic LP over scenarios."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..lp.linear_model import LinearModel
from .arrays import ModelData
from .constraints import Columns, define_variables
from .families import DETERMINISTIC, SCENARIO, families
from .scenarios import ScenarioView
from .two_stage import (ScenarioColumns, StochasticModel, contracted_sources, define_cvar,
                        define_first_stage, define_scenario_variables)


@dataclass
class Formulation:
    """The LP of one case and policy, with the columns of each variable."""

    data: ModelData
    model: LinearModel
    columns: Columns


def build(data: ModelData, elastic: bool = False) -> Formulation:
    """Build the deterministic LP: variables and objective, then the DETERMINISTIC
    families in order. With `elastic=True` the policy rows get penalised slack and the
    objective becomes the total violation (used to diagnose an infeasible policy)."""
    model = LinearModel(elastic=elastic)
    columns = define_variables(model, data)
    for family in families(DETERMINISTIC):
        family.define(model, data, columns)
    return Formulation(data, model, columns)


def build_stochastic(d: ModelData, scenarios: list[tuple[ScenarioView, float]], *,
                     alpha: float = 0.95, weight: float = 0.0, fixed: dict | None = None,
                     anticipative: bool = False) -> StochasticModel:
    """The two-stage model over `scenarios`: (scenarios.apply_scenario's view, probability)
    pairs.

    fixed: {"contract": |C| × T, "inject": K × T} pins the first stage; anticipative: one
    first stage per scenario (wait-and-see). With weight W = 0 no CVaR rows are built.
    """
    m = LinearModel()
    contracted = contracted_sources(d)
    tau_sources = np.flatnonzero(d.take_or_pay[contracted] > 0)
    shared = None if anticipative else define_first_stage(m, d, fixed=fixed)
    out = StochasticModel(m, d, contracted, tau_sources, [], None, alpha, weight,
                          fixed=float(d.fixed_cost.sum()))
    m.offset = (1.0 - weight) * out.fixed  # W·F enters through θ (the CVaR rows)
    for (scenario, data), p in scenarios:
        first = shared or define_first_stage(m, d, tag=f"[{scenario.id}]", fixed=fixed)
        cols, unit = define_scenario_variables(m, data, scenario.id, first, (1.0 - weight) * p)
        # The first-stage costs (firm part r·c, injection cost_in·y_in) are paid in every
        # scenario: weigh them in once per scenario through the expectation (their
        # coefficients sum to (1 − W)·w_t·r and (1 − W)·w_t·cost_in).
        for name in ("c", "y_in"):
            fc, fk = unit[name]
            m.col_cost[fc.ravel()] += ((1.0 - weight) * p * fk).ravel()
        start = len(m.rows)
        for family in families(SCENARIO):
            family.define(m, data, cols)
        out.scenarios.append(ScenarioColumns(scenario, data, p, first, cols, unit,
                                             (start, len(m.rows))))
    if fixed is not None:  # the storage family bounds y_in by its rate: pin it again
        for sc in out.scenarios:
            m.col_upper[sc.first.inject.ravel()] = m.col_lower[sc.first.inject.ravel()]
    if weight > 0:
        define_cvar(m, out)
    return out
