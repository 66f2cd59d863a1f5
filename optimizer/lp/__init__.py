"""The LP held as arrays (linear_model.py), the solvers that take it (solvers.py: HiGHS
through highspy, CBC through PuLP) and the check of every solution (verify.py). Nothing
here knows about gas.

The solver names are here, not in solvers.py, so that reading them loads no solver.
"""

SOLVERS = ("highs", "cbc")
