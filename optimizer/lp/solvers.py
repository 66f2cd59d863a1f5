"""Running HiGHS (through highspy, the default) or CBC (through PuLP) on a `LinearModel`.

Both return a `SolverResult` with the project's own status, primal values and duals as
arrays in the model's column and row order. Duals follow one convention for both solvers:
the change in the objective per unit increase of a row's right-hand side (row duals) or of
a column's active bound (reduced costs).
"""

from __future__ import annotations

import enum
import tempfile
import time
import warnings
from dataclasses import dataclass

import highspy
import numpy as np
import pulp

from . import SOLVERS, pulp_api
from .linear_model import LinearModel, quiet_stdout


class SolveStatus(str, enum.Enum):
    """What came of a solve, in gasmix's own words (not a solver's codes)."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Changes:
    """Indices of what changed in a model since HiGHS last got it: costs, column bounds,
    row bounds, and matrix entries (positions in the CSR arrays)."""

    costs: np.ndarray
    columns: np.ndarray
    rows: np.ndarray
    entries: np.ndarray


@dataclass
class SolverResult:
    status: SolveStatus
    solver: str
    seconds: float
    objective: float = float("nan")
    x: np.ndarray | None = None
    row_dual: np.ndarray | None = None
    col_dual: np.ndarray | None = None
    message: str = ""


def check_solver(solver: str) -> None:
    """Raise ValueError unless `solver` is one of SOLVERS."""
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r} (choose from {', '.join(SOLVERS)})")


def run_solver(model: LinearModel, solver: str = "highs", time_limit: float | None = None) -> SolverResult:
    """Solve `model` with `solver` ("highs" or "cbc")."""
    check_solver(solver)
    if solver == "highs":
        return solve_highs(model, time_limit)
    return solve_cbc(model, time_limit)


def highs_lp(model: LinearModel) -> highspy.HighsLp:
    """The model as one HighsLp, ready for a single passModel call."""
    lp = highspy.HighsLp()
    lp.num_col_ = model.n_cols
    lp.num_row_ = model.n_rows
    lp.col_cost_ = model.col_cost
    lp.offset_ = float(model.offset)
    lp.col_lower_ = model.col_lower
    lp.col_upper_ = model.col_upper
    lower, upper = model.row_bounds()
    lp.row_lower_ = lower
    lp.row_upper_ = upper
    starts, cols, vals = model.csr()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = model.n_cols
    lp.a_matrix_.num_row_ = model.n_rows
    lp.a_matrix_.start_ = starts.astype(np.int32)
    lp.a_matrix_.index_ = cols.astype(np.int32)
    lp.a_matrix_.value_ = vals
    return lp


_HIGHS_STATUS = {
    highspy.HighsModelStatus.kOptimal: SolveStatus.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: SolveStatus.INFEASIBLE,
    # Every gasmix model is bounded (unserved gas at VOLL, capacities on every flow), so
    # "unbounded or infeasible" can only mean infeasible.
    highspy.HighsModelStatus.kUnboundedOrInfeasible: SolveStatus.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: SolveStatus.UNBOUNDED,
    highspy.HighsModelStatus.kTimeLimit: SolveStatus.TIME_LIMIT,
    highspy.HighsModelStatus.kIterationLimit: SolveStatus.TIME_LIMIT,
}


def new_highs(time_limit: float | None = None) -> highspy.Highs:
    with quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    return h


class HighsSession:
    """One HiGHS instance holding a `LinearModel`, for solving it again and again.

    The model is loaded once, in one `passModel`. After the model's arrays change (costs,
    column bounds, row bounds, matrix coefficients — what a sweep point touches), `run()`
    pushes only the entries that differ from what HiGHS holds, in bulk calls, and HiGHS
    re-solves from the previous optimal basis instead of from scratch.
    """

    def __init__(self, model: LinearModel, time_limit: float | None = None,
                 track_changes: bool = False):
        self.model = model
        self.time_limit = time_limit
        self.highs = new_highs(time_limit)
        self.loaded = self.highs.passModel(highs_lp(model)) != highspy.HighsStatus.kError
        self._tracking = track_changes
        if track_changes:  # a copy of what HiGHS holds, to push only what a point changes
            self._cost = model.col_cost.copy()
            self._lower = model.col_lower.copy()
            self._upper = model.col_upper.copy()
            self._row_lower, self._row_upper = (b.copy() for b in model.row_bounds())
            self._values = model.csr()[2].copy()

    def pending(self) -> "Changes":
        """What differs between the model's arrays and what HiGHS holds (a session made
        with `track_changes`; a one-shot solve has nothing to push)."""
        if not self._tracking:
            raise RuntimeError("this HiGHS session does not track model changes")
        m = self.model
        row_lower, row_upper = m.row_bounds()
        return Changes(
            costs=np.flatnonzero(m.col_cost != self._cost),
            columns=np.flatnonzero((m.col_lower != self._lower) | (m.col_upper != self._upper)),
            rows=np.flatnonzero((row_lower != self._row_lower) | (row_upper != self._row_upper)),
            entries=np.flatnonzero(m.csr()[2] != self._values))

    def sync(self, changes: "Changes | None" = None) -> int:
        """Push the model's changed entries into HiGHS in bulk calls; returns how many."""
        m, h = self.model, self.highs
        c = changes if changes is not None else self.pending()
        if c.costs.size:
            h.changeColsCost(c.costs.size, c.costs.astype(np.int32), m.col_cost[c.costs])
            self._cost[c.costs] = m.col_cost[c.costs]
        if c.columns.size:
            lower, upper = m.col_lower[c.columns], m.col_upper[c.columns]
            h.changeColsBounds(c.columns.size, c.columns.astype(np.int32), lower, upper)
            self._lower[c.columns], self._upper[c.columns] = lower, upper
        if c.rows.size:
            row_lower, row_upper = (b[c.rows] for b in m.row_bounds())
            h.changeRowsBounds(c.rows.size, c.rows.astype(np.int32), row_lower, row_upper)
            self._row_lower[c.rows], self._row_upper[c.rows] = row_lower, row_upper
        if c.entries.size:
            # HiGHS has no bulk call for coefficients; a sweep changes few (one per share row).
            starts, cols, values = m.csr()
            rows = np.searchsorted(starts, c.entries, side="right") - 1
            for r, col, v in zip(rows.tolist(), cols[c.entries].tolist(), values[c.entries].tolist()):
                h.changeCoeff(r, col, v)
            self._values[c.entries] = values[c.entries]
        return c.costs.size + c.columns.size + c.rows.size + c.entries.size

    def still_optimal(self, x: np.ndarray, activity: np.ndarray, changes: "Changes",
                      margin: float = 1e-7) -> bool:
        """Whether `x`, optimal for the LP HiGHS holds, stays optimal after the model's
        pending `changes`, so that no solve is needed.

        True when no cost changed and every changed bound or row (right-hand side or
        coefficients) was slack at x — strictly inside its old bounds — and still holds at
        x. Why that suffices: a constraint slack at an optimum of a convex problem can be
        dropped without x ceasing to be optimal; the new LP is the LP without the changed
        constraints plus their new forms, all of which x satisfies. (A sweep meets this
        whenever a cap loosens past the share the plan already has.)
        """
        m = self.model
        if changes.costs.size:
            return False

        def inside(value, lower, upper, scale):
            return bool(np.all((value >= lower - scale) & (value <= upper + scale)))

        def slack(value, lower, upper, scale):
            return bool(np.all((value > lower + scale) & (value < upper - scale)))

        cols = changes.columns
        if cols.size:
            scale = margin * (1.0 + np.abs(x[cols]))
            if not (slack(x[cols], self._lower[cols], self._upper[cols], scale)
                    and inside(x[cols], m.col_lower[cols], m.col_upper[cols], scale)):
                return False
        rows = changes.rows
        if changes.entries.size:
            starts = m.csr()[0]
            rows = np.union1d(rows, np.searchsorted(starts, changes.entries, side="right") - 1)
        if rows.size:
            row_lower, row_upper = m.row_bounds()
            new_activity = m.row_activity(x)[rows]
            scale = margin * (1.0 + np.abs(activity[rows]))
            if not (slack(activity[rows], self._row_lower[rows], self._row_upper[rows], scale)
                    and inside(new_activity, row_lower[rows], row_upper[rows], scale)):
                return False
        return True

    def set_basis(self, basis: highspy.HighsBasis) -> None:
        """Start the next run from `basis` (e.g. one saved from another session)."""
        self.highs.setBasis(basis)

    def basis(self) -> highspy.HighsBasis:
        return self.highs.getBasis()

    def run(self, duals: bool = True, changes: Changes | None = None) -> SolverResult:
        """Push changes, solve, read the solution back (duals only if asked: a sweep needs
        primal values alone)."""
        started = time.perf_counter()
        if not self.loaded:
            return SolverResult(SolveStatus.ERROR, "highs", 0.0, message="HiGHS rejected the model")
        if self._tracking:
            self.sync(changes)
        h = self.highs
        if self.time_limit is not None:
            # HiGHS's run clock keeps counting across runs of one instance: the limit is
            # per run, so it is set from where the clock stands now.
            h.setOptionValue("time_limit", h.getRunTime() + self.time_limit)
        h.run()
        model_status = h.getModelStatus()
        ours = _HIGHS_STATUS.get(model_status, SolveStatus.ERROR)
        seconds = time.perf_counter() - started
        if ours is not SolveStatus.OPTIMAL:
            return SolverResult(ours, "highs", seconds, message=h.modelStatusToString(model_status))
        solution = h.getSolution()
        return SolverResult(
            SolveStatus.OPTIMAL, "highs", seconds,
            objective=float(h.getInfo().objective_function_value),
            x=np.asarray(solution.col_value, dtype=float),
            row_dual=np.asarray(solution.row_dual, dtype=float) if duals else None,
            col_dual=np.asarray(solution.col_dual, dtype=float) if duals else None,
            message=h.modelStatusToString(model_status),
        )


def solve_highs(model: LinearModel, time_limit: float | None = None) -> SolverResult:
    """Solve the model once with HiGHS (loaded in one call)."""
    started = time.perf_counter()
    result = HighsSession(model, time_limit).run()
    result.seconds = time.perf_counter() - started
    return result


def solve_cbc(model: LinearModel, time_limit: float | None = None) -> SolverResult:
    """Solve the PuLP form of the model with CBC (PuLP 3.3's bundled binary, or PuLP 4's
    through cbcbox: pulp_api.py)."""
    started = time.perf_counter()
    problem, variables, constraints = model.to_pulp()
    with tempfile.TemporaryDirectory(prefix="gasmix-cbc-") as tmp:
        try:
            with warnings.catch_warnings():
                # PuLP 3.x deprecates its bundled CBC in favour of PuLP 4's packaging;
                # pulp_api takes PuLP 4's CBC where PuLP 4 is installed.
                warnings.simplefilter("ignore", DeprecationWarning)
                cmd = pulp_api.cbc(time_limit)
        except pulp_api.CbcMissing as exc:
            return SolverResult(SolveStatus.ERROR, "cbc", time.perf_counter() - started,
                                message=str(exc))
        cmd.tmpDir = tmp
        try:
            returned = problem.solve(cmd)
        except pulp.PulpSolverError as exc:
            return SolverResult(SolveStatus.ERROR, "cbc", time.perf_counter() - started,
                                message=str(exc))
    seconds = time.perf_counter() - started
    ended, word = pulp_api.outcome(problem, returned)
    if ended == "infeasible":
        return SolverResult(SolveStatus.INFEASIBLE, "cbc", seconds, message="infeasible")
    if ended == "unbounded":
        return SolverResult(SolveStatus.UNBOUNDED, "cbc", seconds, message="unbounded")
    if ended != "optimal":
        kind = SolveStatus.TIME_LIMIT if time_limit is not None else SolveStatus.ERROR
        return SolverResult(kind, "cbc", seconds, message=word)
    x = np.array([v.varValue if v.varValue is not None else np.nan for v in variables], dtype=float)
    # A column in no row and without cost (e.g. a contract a scenario makes undeliverable,
    # φ = 0) never reaches CBC's file, so PuLP has no value for it: any value within its
    # bounds is optimal; take the one nearest zero.
    absent = np.isnan(x) & ~model.csr_columns_used()
    x[absent] = np.clip(0.0, model.col_lower[absent], model.col_upper[absent])
    row_dual = np.array([c.pi if c is not None and c.pi is not None else 0.0 for c in constraints],
                        dtype=float)
    col_dual = np.array([v.dj if v.dj is not None else 0.0 for v in variables], dtype=float)
    objective = model.objective_of(x)
    return SolverResult(SolveStatus.OPTIMAL, "cbc", seconds, objective=objective, x=x,
                        row_dual=row_dual, col_dual=col_dual, message="optimal")
