"""gasmix: the least-cost, diversified natural-gas supply plan for an importing country.

    import gasmix
    case = gasmix.default_case()                    # the embedded Mexico case
    plan = gasmix.solve(case, caps={"US": 0.6})     # a verified optimal Plan
    plan.summary["objective_musd"], plan.flows      # figures and tidy tables

The package is one house: `gasmix.models` (what a case is), `gasmix.optimizer` (case →
arrays → constraint families → LP → solver → verified Plan → outputs) and `gasmix.cli`.
Names are imported on first use, so `import gasmix` (and `gasmix --help`) stays cheap.
"""

from __future__ import annotations

import importlib

# Public name → the module that defines it (imported on first access).
_PUBLIC = {
    "load_case": "gasmix.models", "default_case": "gasmix.models",
    "default_case_path": "gasmix.models", "load_scenarios": "gasmix.models",
    "Case": "gasmix.models", "Policy": "gasmix.models", "ShareLimit": "gasmix.models",
    "Scenario": "gasmix.models", "Disruption": "gasmix.models",
    "solve": "gasmix.optimizer", "solve_stochastic": "gasmix.optimizer",
    "stress_test": "gasmix.optimizer", "sweep": "gasmix.optimizer",
    "frontier": "gasmix.optimizer", "solve_point": "gasmix.optimizer",
    "make_grid": "gasmix.optimizer", "pulp_problem": "gasmix.optimizer",
    "write_mps": "gasmix.optimizer", "make_policy": "gasmix.optimizer",
    "Plan": "gasmix.optimizer",
    "CaseError": "gasmix.optimizer.errors", "InfeasiblePolicy": "gasmix.optimizer.errors",
    "SolverFailure": "gasmix.optimizer.errors", "SweepError": "gasmix.optimizer.errors",
    "PlanWriteError": "gasmix.optimizer.errors",
}

__all__ = sorted(_PUBLIC) + ["__version__"]


def __getattr__(name: str):
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version
        try:
            return version("gasmix")
        except PackageNotFoundError:  # running from a source tree that was never installed
            return "0+unknown"
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'gasmix' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
