"""Assembling the formulation: variables, objective and the constraint families, in order
(the seven of constraints.py, then the storage policy families of storage_policy.py)."""

from __future__ import annotations

from dataclasses import dataclass

from .constraints import FAMILIES, Columns, define_variables
from .arrays import ModelData
from ..lp.linear_model import LinearModel
from .storage_policy import POLICY_FAMILIES


@dataclass
class Formulation:
    """The LP of one case and policy, with the columns of each variable."""

    data: ModelData
    model: LinearModel
    columns: Columns


def build(data: ModelData, elastic: bool = False) -> Formulation:
    """Build the LP. With `elastic=True` the policy rows get penalised slack and the
    objective becomes the total violation (used to diagnose an infeasible policy)."""
    model = LinearModel(elastic=elastic)
    columns = define_variables(model, data)
    for family in FAMILIES + POLICY_FAMILIES:  # order matters: exclusions override the source bounds
        family(model, data, columns)
    return Formulation(data, model, columns)
