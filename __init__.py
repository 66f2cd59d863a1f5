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

from gasmix.models.extras import lazy_names  # absolute: test runners may import this file on its own

# Public name → the module that defines it (imported on first access).
_PUBLIC = {
    **dict.fromkeys(("load_case", "default_case", "default_case_path", "load_scenarios", "Case",
                     "Policy", "ShareLimit", "Scenario", "Disruption"), "gasmix.models"),
    **dict.fromkeys(("solve", "solve_stochastic", "stress_test", "sweep", "frontier",
                     "solve_point", "make_grid", "pulp_problem", "write_mps", "make_policy",
                     "offer_value", "Plan"), "gasmix.optimizer"),
    **dict.fromkeys(("CaseError", "InfeasiblePolicy", "SolverFailure", "SweepError",
                     "PlanWriteError"), "gasmix.optimizer.errors"),
}
__all__ = sorted(_PUBLIC) + ["__version__"]
_public_attr, __dir__ = lazy_names(globals(), _PUBLIC)


def __getattr__(name: str):
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version
        try:
            return version("gasmix")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    return _public_attr(name)
