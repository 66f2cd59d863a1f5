"""A linear program held as arrays, materialised as a PuLP problem and loaded into solvers.

The constraint families (`constraints.py`) describe their columns and rows as numpy arrays:
bounds and costs per column, and (row, column, coefficient) triplets per block of rows. This
module keeps those arrays as the single source of truth and turns them

* into a PuLP `LpProblem` — each row an `LpAffineExpression` built from (variable,
  coefficient) pairs in one call, each constraint named after its family — which CBC solves
  and which can be written as MPS / LP, and
* into one `HighsLp` passed to HiGHS in a single `passModel` call (no row-by-row adding),

so both solvers see exactly the same model and results come back as arrays.

Elastic mode: rows and lower bounds that express *policy* (share limits, contract minimums,
storage floors and end targets) may be marked `elastic`. In an elastic model each such row
gets a slack column priced at 1 and every other cost is zero: its optimum is the smallest
total violation, which `diagnose.py` turns into words.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pulp

from . import pulp_api

INF = float("inf")


class LabelGrid(Sequence):
    """The labels (item, period) of every item × period, item-major, made on demand.

    A block of a large model has one label per column or row: a list of a million tuples
    is ~100 MB held through the solver run for nothing. This keeps the two axes and builds
    a tuple only when one is read (results, diagnosis and names read them after the solve).
    """

    __slots__ = ("items", "periods")

    def __init__(self, items, periods):
        self.items = tuple(items)
        self.periods = tuple(periods)

    def __len__(self) -> int:
        return len(self.items) * len(self.periods)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError(index)
        item, period = divmod(index, len(self.periods))
        return (self.items[item], self.periods[period])

    def __iter__(self):
        return ((i, p) for i in self.items for p in self.periods)

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    def __repr__(self) -> str:
        return f"LabelGrid({len(self.items)} items × {len(self.periods)} periods)"


def _label_sequence(labels) -> Sequence:
    """Labels as a sequence the model may keep: a LabelGrid as it is, anything else copied."""
    return labels if isinstance(labels, LabelGrid) else list(labels)


@dataclass
class VariableBlock:
    """Columns `start:stop` of the model, one per label (e.g. (source, period))."""

    family: str
    labels: Sequence
    start: int
    stop: int

    @property
    def columns(self) -> np.ndarray:
        return np.arange(self.start, self.stop)


@dataclass
class RowBlock:
    """Rows `start:stop`: one constraint family (or part of one) with its labels.

    `rhs` is the right-hand side per row; `sense` one of "==", "<=", ">=". In an elastic
    model, an elastic block has one slack column per row (`slack`), which relaxes it in the
    direction of its inequality.
    """

    family: str
    labels: Sequence
    sense: str
    start: int
    stop: int
    rhs: np.ndarray
    elastic: bool = False
    origin: list | None = None  # per row, what the family built it from (e.g. a rule index)
    slack: np.ndarray | None = None


@dataclass
class LinearModel:
    """Columns, rows and coefficients of an LP, kept as growing numpy arrays."""

    elastic: bool = False
    lower: list = field(default_factory=list)
    upper: list = field(default_factory=list)
    cost: list = field(default_factory=list)
    variables: dict[str, VariableBlock] = field(default_factory=dict)
    rows: list[RowBlock] = field(default_factory=list)
    # (rows, cols, values) arrays per block; emptied once the matrix is assembled (the CSR
    # holds the same entries in a third less memory) and rebuilt from it if the model grows.
    triplets: list = field(default_factory=list)
    n_cols: int = 0
    n_rows: int = 0
    # A constant in the objective (costs paid whatever the solution: fixed payments).
    offset: float = 0.0
    _csr: tuple | None = field(default=None, repr=False)
    _row_bounds: tuple | None = field(default=None, repr=False)
    _csr_keys: np.ndarray | None = field(default=None, repr=False)
    # Set by in-place edits of row bounds or coefficients, which live only in the cached
    # arrays: growing the model after them would rebuild the caches and lose the edits.
    _edited_in_place: bool = field(default=False, repr=False)
    _csr_rows: np.ndarray | None = field(default=None, repr=False)
    _triplets_folded: bool = field(default=False, repr=False)

    # --- columns ------------------------------------------------------------------------
    def add_variables(self, family: str, labels: list, lower=0.0, upper=INF, cost=0.0) -> np.ndarray:
        """Add one column per label; return their column indices (shaped like `lower`)."""
        self._refuse_growth_after_edits()
        n = len(labels)
        block = VariableBlock(family, _label_sequence(labels), self.n_cols, self.n_cols + n)
        self.variables[family] = block
        self.lower.append(_vector(lower, n))
        self.upper.append(_vector(upper, n))
        self.cost.append(_vector(cost, n) if not self.elastic else np.zeros(n))
        self.n_cols += n
        self._unfold_triplets()
        self._csr = self._csr_keys = None  # keys and duplicate-summing depend on n_cols
        return block.columns

    def _refuse_growth_after_edits(self) -> None:
        if self._edited_in_place:
            raise RuntimeError("the model was edited in place (row bounds or coefficients): "
                               "add every row and column before editing")

    def _column_array(self, which: str) -> np.ndarray:
        parts = getattr(self, which)
        if len(parts) != 1:
            merged = np.concatenate(parts) if parts else np.zeros(0)
            parts[:] = [merged]
        return parts[0]

    @property
    def col_lower(self) -> np.ndarray:
        return self._column_array("lower")

    @property
    def col_upper(self) -> np.ndarray:
        return self._column_array("upper")

    @property
    def col_cost(self) -> np.ndarray:
        return self._column_array("cost")

    def set_upper(self, cols, values) -> None:
        self.col_upper[np.asarray(cols)] = values

    def set_cost(self, cols, values) -> None:
        self.col_cost[np.asarray(cols)] = values

    def set_bounds(self, cols, lower, upper) -> None:
        cols = np.asarray(cols)
        self.col_lower[cols] = lower
        self.col_upper[cols] = upper

    def set_lower(self, family: str, cols, values, labels: list, elastic: bool = False,
                  slack_cost=1.0) -> None:
        """Raise the lower bound of `cols` to `values`.

        In an elastic model, an elastic lower bound becomes a row `x + slack ≥ value` with the
        column's bound left at zero, so the diagnosis can say how far it had to give.
        """
        cols = np.asarray(cols).ravel()
        values = np.broadcast_to(np.asarray(values, dtype=float).ravel(), cols.shape)
        if self.elastic and elastic:
            keep = values > 0
            if keep.any():
                n = int(keep.sum())
                cost = np.broadcast_to(np.asarray(slack_cost, dtype=float).ravel(), cols.shape)
                self.add_rows(family, [lab for lab, k in zip(labels, keep) if k], ">=",
                              np.arange(n), cols[keep], np.ones(n), values[keep], elastic=True,
                              slack_cost=cost[keep])
            return
        self.col_lower[cols] = np.maximum(self.col_lower[cols], values)

    # --- rows ---------------------------------------------------------------------------
    def add_rows(self, family: str, labels: list, sense: str, rows, cols, values, rhs,
                 elastic: bool = False, origin: list | None = None, slack_cost=1.0) -> RowBlock:
        """Add a block of len(labels) rows: coefficient values[i] at (rows[i], cols[i]).

        `rows` counts within the block (0 … len(labels)−1). Duplicate (row, col) pairs are
        summed, so a family may list a column twice (e.g. in a group and in the total).
        `slack_cost` prices each row's slack in an elastic model: families give it the volume
        (Bcf) one unit of violation stands for, so the diagnosis relaxes the least gas.
        """
        self._refuse_growth_after_edits()
        n = len(labels)
        block = RowBlock(family, _label_sequence(labels), sense, self.n_rows, self.n_rows + n,
                         _vector(rhs, n),
                         elastic=elastic and self.elastic, origin=origin)
        rows = np.asarray(rows, dtype=np.int64) + self.n_rows
        cols = np.asarray(cols, dtype=np.int64)
        values = np.asarray(values, dtype=float)
        self._unfold_triplets()
        self.triplets.append((rows, cols, values))
        self.rows.append(block)
        self.n_rows += n
        self._csr = self._row_bounds = self._csr_keys = self._csr_rows = None
        if block.elastic:
            # Policy rows are inequalities: x + s ≥ b, or x − s ≤ b.
            sign = {">=": 1.0, "<=": -1.0}[sense]
            block.slack = self.add_variables(f"slack_{family}_{len(self.variables)}", list(labels))
            self.col_cost[block.slack] = slack_cost
            self.triplets.append((np.arange(block.start, block.stop), block.slack, np.full(n, sign)))
        return block

    def block(self, family: str) -> list[RowBlock]:
        return [b for b in self.rows if b.family == family]

    # --- the assembled matrix -----------------------------------------------------------
    def csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The constraint matrix in compressed row form (starts, column indices, values),
        assembled once and kept until rows are added."""
        if self._csr is None:
            self._csr = self._assemble_csr()
            # The solver needs only the CSR: keeping the triplets too held every entry
            # twice through the solver run (at 1M columns, ~10% of the peak memory).
            self.triplets = []
            self._triplets_folded = True
        return self._csr

    def _unfold_triplets(self) -> None:
        """Before the model grows, turn an assembled matrix back into triplets (the
        assembly is rebuilt from them with the new rows or columns)."""
        if self._triplets_folded and self._csr is not None:
            starts, cols, vals = self._csr
            self.triplets = [(self._entry_rows(), cols, vals)]
        self._triplets_folded = False

    def _assemble_csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self.triplets:
            rows = np.concatenate([t[0] for t in self.triplets])
            cols = np.concatenate([t[1] for t in self.triplets])
            vals = np.concatenate([t[2] for t in self.triplets])
        else:
            rows = cols = np.zeros(0, dtype=np.int64)
            vals = np.zeros(0)
        # Sum duplicates and drop zeros: solvers reject repeated (row, col) entries.
        key = rows * max(self.n_cols, 1) + cols
        unique, inverse = np.unique(key, return_inverse=True)
        summed = np.bincount(inverse, weights=vals, minlength=len(unique))
        nonzero = summed != 0
        unique, summed = unique[nonzero], summed[nonzero]
        r = unique // max(self.n_cols, 1)
        c = unique % max(self.n_cols, 1)
        starts = np.zeros(self.n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(r, minlength=self.n_rows), out=starts[1:])
        return starts, c, summed

    def csr_columns_used(self) -> np.ndarray:
        """Boolean per column: it has a non-zero coefficient in some row or in the objective."""
        used = np.zeros(self.n_cols, dtype=bool)
        used[self.csr()[1]] = True
        return used | (self.col_cost != 0)

    def row_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """(lower, upper) of every row, from each block's sense and right-hand side; kept
        (like the matrix) so that `set_rhs` / `set_row_bounds` can change them in place."""
        if self._row_bounds is None:
            lower = np.full(self.n_rows, -INF)
            upper = np.full(self.n_rows, INF)
            for b in self.rows:
                if b.sense in ("==", ">="):
                    lower[b.start:b.stop] = b.rhs
                if b.sense in ("==", "<="):
                    upper[b.start:b.stop] = b.rhs
            self._row_bounds = (lower, upper)
        return self._row_bounds

    def set_rhs(self, block: RowBlock, rhs) -> None:
        """New right-hand sides for a block's rows (e.g. demand scaled by a sweep)."""
        block.rhs = _vector(rhs, block.stop - block.start)
        lower, upper = self.row_bounds()
        if block.sense in ("==", ">="):
            lower[block.start:block.stop] = block.rhs
        if block.sense in ("==", "<="):
            upper[block.start:block.stop] = block.rhs

    def set_row_bounds(self, rows, lower, upper) -> None:
        """Set rows' bounds directly; (−inf, inf) switches a row off without removing it,
        which keeps the model's shape (and a warm solver's basis) for the next change."""
        low, up = self.row_bounds()
        rows = np.asarray(rows)
        low[rows] = lower
        up[rows] = upper
        self._edited_in_place = True

    def set_coefficients(self, rows, cols, values) -> np.ndarray:
        """Change existing matrix entries (row, col) to `values`; returns their positions
        in the CSR arrays. Only entries the model was built with can change: a sweep builds
        its model so that every coefficient it will touch is present."""
        starts, c, vals = self.csr()
        if self._csr_keys is None:
            self._csr_keys = self._entry_rows() * max(self.n_cols, 1) + c  # sorted: rows, then columns
        keys = np.asarray(rows, dtype=np.int64) * max(self.n_cols, 1) + np.asarray(cols, dtype=np.int64)
        at = np.searchsorted(self._csr_keys, keys)
        if np.any(at >= len(self._csr_keys)) or np.any(self._csr_keys[np.minimum(at, len(self._csr_keys) - 1)] != keys):
            raise KeyError("set_coefficients: an entry is not in the model's matrix")
        vals[at] = values
        self._edited_in_place = True
        return at

    def objective_of(self, x: np.ndarray) -> float:
        """c·x + offset: the objective at solution x."""
        return float(self.col_cost @ np.nan_to_num(x)) + self.offset

    def row_activity(self, x: np.ndarray, with_size: bool = False):
        """A·x per row; with `with_size`, also Σ|a_ij·x_j| per row (the size of the row's
        terms, which scales a tolerance), from the same products."""
        starts, cols, vals = self.csr()
        products = vals * x[cols]
        rows = self._entry_rows()
        activity = np.bincount(rows, weights=products, minlength=self.n_rows)
        if not with_size:
            return activity
        return activity, np.bincount(rows, weights=np.abs(products), minlength=self.n_rows)

    def _entry_rows(self) -> np.ndarray:
        """The row of every CSR entry (kept with the matrix)."""
        if self._csr_rows is None:
            starts = self.csr()[0]
            self._csr_rows = np.repeat(np.arange(self.n_rows), np.diff(starts))
        return self._csr_rows

    def column_names(self) -> list[str]:
        return _names(self.variables.values())

    def row_names(self) -> list[str]:
        return _names(self.rows)

    # --- PuLP ---------------------------------------------------------------------------
    def to_pulp(self, name: str = "gasmix") -> tuple[pulp.LpProblem, list, list]:
        """The same LP as a PuLP problem; returns (problem, variables, constraints) in
        column and row order (PuLP 3.3 or 4: pulp_api.py)."""
        problem = pulp.LpProblem(_safe(name), pulp.LpMinimize)
        lower, upper = self.col_lower, self.col_upper
        variables = [
            problem.add_variable(n, lowBound=None if lo == -INF else float(lo),
                                 upBound=None if up == INF else float(up))
            for n, lo, up in zip(self.column_names(), lower, upper)
        ]
        cost = self.col_cost
        nz = np.flatnonzero(cost)
        problem.setObjective(pulp_api.expression([(variables[j], float(cost[j])) for j in nz],
                                                 constant=float(self.offset)))
        starts, cols, vals = self.csr()
        row_lower, row_upper = self.row_bounds()
        constraints = []
        names = self.row_names()
        for i in range(self.n_rows):
            # Senses follow the current bounds, which a sweep may have changed in place;
            # a switched-off row (both bounds infinite) is left out (None in the list).
            lo, up = row_lower[i], row_upper[i]
            if lo == up:
                sense, rhs = "==", lo
            elif up < INF and lo == -INF:
                sense, rhs = "<=", up
            elif lo > -INF and up == INF:
                sense, rhs = ">=", lo
            elif lo == -INF and up == INF:
                constraints.append(None)
                continue
            else:
                raise ValueError(f"row {names[i]} has two different finite bounds")
            a, b = starts[i], starts[i + 1]
            pairs = [(variables[c], float(v)) for c, v in zip(cols[a:b], vals[a:b])]
            constraints.append(pulp_api.add_row(problem, pairs, sense, float(rhs), names[i]))
        return problem, variables, constraints


def _vector(value, n: int) -> np.ndarray:
    """A scalar or array as a fresh float vector of length n."""
    return np.broadcast_to(np.asarray(value, dtype=float).ravel(), (n,)).copy() if n else np.zeros(0)


def _names(blocks) -> list[str]:
    """`<family>_<label>` for every column or row of the blocks (in index order), made
    legal for LP/MPS files and unique."""
    names: list[str] = []
    used: set[str] = set()
    for block in blocks:
        for index, label in zip(range(block.start, block.stop), block.labels):
            names.append(_unique_name(f"{block.family}_{_label_text(label)}", index, used))
    return names


def _label_text(label) -> str:
    if isinstance(label, tuple):
        return "_".join(str(x) for x in label)
    return str(label)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def _unique_name(text: str, index: int, used: set[str]) -> str:
    name = _safe(text)
    if name in used:
        name = f"{name}__{index}"
    used.add(name)
    return name


@contextlib.contextmanager
def quiet_stdout():
    """Silence the C library's own stdout (HiGHS prints a banner when it starts)."""
    sys.stdout.flush()
    try:
        fd = os.dup(1)
    except OSError:  # no stdout at all
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(fd, 1)
        os.close(fd)
