"""The case and policy as arrays (arrays.py), the registry of constraint families
(families.py, names.py) and their equations (constraints.py, storage_policy.py,
two_stage.py), a scenario's data (scenarios.py), the model builds (build.py) and the
diagnosis of an infeasible policy (diagnose.py)."""
