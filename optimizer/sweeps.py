"""Sweeps: one case solved over a grid of policies and parameters, at solver speed.

A sweep point is a set of parameter values laid over the case and its policy (grid.py
says which parameters there are and how their values are written).

How it is fast: the LP is built once per worker with every share row any point will need,
loaded into HiGHS in one call, and each point changes only the costs, bounds, right-hand
sides and coefficients its parameters touch (`SweepModel.apply`) before HiGHS re-solves
from the previous basis. Results are read back as arrays and reduced to one table row
(`metrics.headline`), with no per-point tables.

Why the table does not depend on what ran it: points are cut into fixed chunks in grid
order (`chunk_size`), each chunk starts from a freshly loaded HiGHS and runs its points in
order, whichever process or Dask worker gets it. The same chunks give the same basis
sequence, hence the same answer, even where the optimum is not unique.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd

from ..models import Case, CaseError, Policy, ShareLimit, make_policy, policy_problems
from ..models.policy import share_rules as policy_share_rules
from .deterministic import require_n1, solve
from .errors import InfeasiblePolicy, SweepError, VerificationError
from .grid import DEFAULT_CHUNK_SIZE, SHARE_KINDS, Grid, Parameter, make_grid
from .formulation.arrays import (ModelData, index_share_rules, prepare, scaled_hubs, source_prices,
                                 storage_days_floor)
from .formulation.build import build
from .formulation.constraints import (curtailment_cost, supply_bounds, supply_cost, tier_bounds,
                                      tier_cost, unserved_cost)
from .formulation.diagnose import diagnose
from .formulation.names import BALANCE, ENTRY_CAPACITY, SHARE_LIMIT, STORAGE_DAYS
from .lp.solvers import HighsSession, SolverResult, SolveStatus
from .lp.verify import check_solution
from .results.metrics import base_shares, headline

# Status of a point whose policy contradicts itself (no solve was attempted).
INVALID = "invalid"
OPTIMAL_STATUS = str(SolveStatus.OPTIMAL)
# A placeholder share bound for building the sweep's rows: below 1 (so the row exists),
# never a contradiction, and never zero (so σ's coefficient is in the matrix).
_PLACEHOLDER_SHARE = 1.0 - 1e-6


# --- a point as a case and policy (the cold path) -------------------------------------

def point_case(case: Case, parameters, values) -> Case:
    """The case with a point's case-level parameters applied (prices, demand, capacity,
    VOLL). Solving it with `point_choices` is a point's independent, cold solve."""
    demand, hub_prices = case.demand, case.hub_prices
    entries, entry_capacity, settings = case.entries, case.entry_capacity, case.settings
    for p, v in zip(parameters, values):
        if p.kind == "demand":
            demand = demand * v
        elif p.kind == "price":
            hub_prices = hub_prices.mul(np.where(hub_prices.index.get_level_values(0) == p.target, v, 1.0))
        elif p.kind == "capacity":
            entries = tuple(dataclasses.replace(e, capacity_mmcfd=e.capacity_mmcfd * v)
                            if e.id == p.target else e for e in entries)
            if len(entry_capacity):
                entry_capacity = entry_capacity.mul(
                    np.where(entry_capacity.index.get_level_values(0) == p.target, v, 1.0))
        elif p.kind == "voll":
            settings = dataclasses.replace(settings, voll_usd_mmbtu=v)
    return dataclasses.replace(case, demand=demand, hub_prices=hub_prices, entries=entries,
                               entry_capacity=entry_capacity, settings=settings)


def point_choices(parameters, values) -> dict:
    """A point's policy-level parameters as `solve()` keywords."""
    caps, choices = {}, {}
    for p, v in zip(parameters, values):
        if p.kind == "cap":
            caps[p.target] = v
        elif p.kind == "max_share":
            choices["max_share"] = v
        elif p.kind == "risk_weight":
            choices["risk_weight"] = v
        elif p.kind == "exclude":
            choices["exclude"] = list(v)
    if caps:
        choices["caps"] = caps
    return choices


def solve_point(case: Case, grid, index: int, policy: Policy | None = None, **choices):
    """Point `index` of the grid (a Grid, or anything `sweep` takes) solved on its own,
    from scratch (a full `Plan`)."""
    grid = make_grid(case, grid)
    values = grid.points[index]
    merged = _merge_choices(choices, point_choices(grid.parameters, values))
    return solve(point_case(case, grid.parameters, values), policy, **merged)


def _merge_choices(base: dict, point: dict) -> dict:
    merged = dict(base)
    if "caps" in point:
        merged["caps"] = {**(base.get("caps") or {}), **point["caps"]}
    if "exclude" in point:
        own = base.get("exclude") or []
        own = [own] if isinstance(own, str) else list(own)
        merged["exclude"] = [*own, *point["exclude"]]
    for k in ("max_share", "risk_weight"):
        if k in point:
            merged[k] = point[k]
    return merged


# --- the warm path ---------------------------------------------------------------------

class SweepModel:
    """The case's LP, built once with every row the grid's points need, and the per-point
    changes to it."""

    def __init__(self, case: Case, policy: Policy, parameters: tuple[Parameter, ...],
                 time_limit: float | None = None):
        self.case, self.policy, self.parameters = case, policy, parameters
        self.time_limit = time_limit
        self.base = prepare(case, policy)
        # Every share row any point may need: a placeholder cap on each swept supplier, and
        # on every supplier when max_share is swept. A point without a rule switches its
        # rows off; the placeholder keeps σ's coefficient in the matrix.
        placeholders = {}
        for p in parameters:
            if p.kind == "cap":
                placeholders.setdefault("caps", {})[p.target] = _PLACEHOLDER_SHARE
            elif p.kind == "max_share":
                placeholders["max_share"] = _PLACEHOLDER_SHARE
        shape = make_policy(case, policy, **placeholders)
        problems = policy_problems(case, shape, check_contradictions=False)
        if problems:
            raise CaseError(problems, case=case.name)
        structure = dataclasses.replace(self.base, policy=shape)
        # The placeholders are a shape to build, not a policy to solve: each point's own
        # rules are checked for contradictions when it is solved.
        structure.share_rules = index_share_rules(structure, policy_share_rules(case, shape))
        self.rules = structure.share_rules
        self._build(structure)
        # What the swept parameters touch: only these parts are reset at each point.
        kinds = {p.kind for p in parameters}
        self._touches = {
            "supply_cost": bool(kinds & {"risk_weight", "price"}),
            "unserved_cost": "voll" in kinds,
            "supply_bounds": "exclude" in kinds,
            "demand": "demand" in kinds,
            "entry_capacity": "capacity" in kinds,
            "share": bool(kinds & set(SHARE_KINDS)),
        }
        # Day blocks (formulation/blocks.py) read demand, capacities and supply bounds in
        # rows of their own: a grid that moves these rebuilds the LP at each point.
        self._rebuild = bool(self.base.blocks) and any(
            self._touches[k] for k in ("demand", "entry_capacity", "supply_bounds"))
        self.session: HighsSession | None = None
        self.reference_basis = None
        # N−1 depends on demand and capacity alone: unless the grid moves them, once.
        self._n1_moves = self._touches["demand"] or self._touches["entry_capacity"]
        self._n1_problem = None if self._n1_moves else _n1_problem(self.base)
        self._last: _Optimum | None = None

    def _build(self, structure: ModelData) -> None:
        """Build the LP of `structure` (a point's data with the grid's share-rule shape) and
        index the rows a point changes."""
        self.formulation = build(structure)
        self._index_share_rows()
        entry_block = self.formulation.model.block(ENTRY_CAPACITY)
        T = len(self.base.period_ids)
        self._entry_block = entry_block[0] if entry_block else None
        entry_ix = {e: i for i, e in enumerate(self.base.entry_ids)}
        self._entry_rows = (np.array([entry_ix[e] for e, _ in self._entry_block.labels[::T]], dtype=int)
                            if self._entry_block else np.zeros(0, dtype=int))
        days_blocks = self.formulation.model.block(STORAGE_DAYS)
        self._storage_days_block = days_blocks[0] if days_blocks else None

    def _index_share_rows(self) -> None:
        """For every share row: its rule, and the (row, b column, weight) entries of σ."""
        model, cols = self.formulation.model, self.formulation.columns
        d = self.base
        T = len(d.period_ids)
        rows, rule_of_row, senses = [], [], []
        entry_rows, entry_cols, entry_weight, entry_rule = [], [], [], []
        for block in model.block(SHARE_LIMIT):
            for i, index in zip(range(block.start, block.stop), block.origin):
                rule = self.rules[index]
                rows.append(i)
                rule_of_row.append(index)
                senses.append(block.sense)
                periods = range(T) if rule.periods is None else [block.labels[i - block.start][1]]
                for t in periods:
                    t = t if rule.periods is None else d.period_ids.index(t)
                    entry_rows.append(i)
                    entry_cols.append(cols.share_base[t])
                    entry_weight.append(d.days[t] if rule.periods is None else 1.0)
                    entry_rule.append(index)
        self._share_rows = np.array(rows, dtype=int)
        self._share_row_rule = np.array(rule_of_row, dtype=int)
        self._share_row_upper = np.array([s == "<=" for s in senses], dtype=bool)
        self._sigma = (np.array(entry_rows, dtype=int), np.array(entry_cols, dtype=int),
                       np.array(entry_weight), np.array(entry_rule, dtype=int))

    def point_data(self, values) -> ModelData:
        """The base data with a point's parameters applied; raises CaseError for a point
        whose share limits contradict each other (as `solve` would)."""
        b = self.base
        choices = point_choices(self.parameters, values)
        policy = make_policy(self.case, self.policy, **choices)
        changes = {}
        price, demand, capacity = b.price, b.demand, b.entry_capacity
        hubs = {p.target: v for p, v in zip(self.parameters, values) if p.kind == "price"}
        if hubs:  # through the price formulas, netbacks included
            price = source_prices(b, scaled_hubs(b, hubs))
        for p, v in zip(self.parameters, values):
            if p.kind == "demand":
                demand = demand * v
            elif p.kind == "capacity":
                capacity = capacity.copy()
                capacity[b.entry_ids.index(p.target)] *= v
            elif p.kind == "voll":
                changes["voll"] = v
        changes.update(price=price, demand=demand, entry_capacity=capacity)
        d = b.with_policy(policy, self.case, **changes)
        if demand is not b.demand:  # days of average demand: the floor moves with demand
            d.storage_days_floor = storage_days_floor(d, self.case.name)
        return d

    def apply(self, d: ModelData) -> None:
        """Set the model's point-dependent entries from `d`: supply and unserved costs,
        supply bounds, demand (and the storage-days floor that follows it), entry
        capacities, and each share row's σ and bounds."""
        m, c = self.formulation.model, self.formulation.columns
        touches = self._touches
        if touches["supply_cost"]:
            m.set_cost(c.supply.ravel(), supply_cost(d).ravel())
        if touches["unserved_cost"]:
            m.set_cost(c.unserved.ravel(), unserved_cost(d).ravel())
            if c.tiers.size:  # protected demand is valued at VOLL
                m.set_cost(c.tiers.ravel(), tier_cost(d).ravel())
            if c.curtailed.size:  # its cost is VOLL's unless the case sets its own
                m.set_cost(c.curtailed.ravel(), curtailment_cost(d).ravel())
        if touches["supply_bounds"]:
            lower, upper = supply_bounds(d)
            m.set_bounds(c.supply.ravel(), lower.ravel(), upper.ravel())
        if touches["demand"] or touches["entry_capacity"]:
            # Demand and the pass-through it carries (which an entry's capacity can cut);
            # unserved gas is bounded by demand (the balance family).
            _, reserved, transit = d.pass_through
            m.set_rhs(m.block(BALANCE)[0], (d.demand + transit).ravel())
            m.set_upper(c.unserved.ravel(), d.demand.ravel())
            if c.tiers.size:  # each tier is a share of its node's demand
                m.set_upper(c.tiers.ravel(), tier_bounds(d).ravel())
            if self._entry_block is not None:
                m.set_rhs(self._entry_block,
                          (d.entry_capacity - reserved)[self._entry_rows].ravel())
        if touches["demand"] and self._storage_days_block is not None:
            # The storage-days floor is days of average demand: it moves with demand.
            floor = d.storage_days_floor
            index = {p: t for t, p in enumerate(d.period_ids)}
            m.set_rhs(self._storage_days_block,
                      floor[[index[period] for _, period in self._storage_days_block.labels]])
        if touches["share"] and len(self._share_rows):
            # Match this point's rules to the built ones; rows of rules it lacks go free.
            wanted = {(r.name, r.periods, r.sense): r.bound for r in d.share_rules}
            built = {(r.name, r.periods, r.sense) for r in self.rules}
            if not wanted.keys() <= built:  # a point must never solve without one of its limits
                raise RuntimeError(f"share rules not built for this sweep: {sorted(wanted.keys() - built)}")
            bound = np.array([wanted.get((r.name, r.periods, r.sense), np.nan) for r in self.rules])
            active = ~np.isnan(bound)
            rows, cols, weight, rule = self._sigma
            m.set_coefficients(rows, cols, -np.where(active[rule], bound[rule], _PLACEHOLDER_SHARE) * weight)
            on = active[self._share_row_rule]
            upper_row = self._share_row_upper
            m.set_row_bounds(self._share_rows,
                             np.where(on & ~upper_row, 0.0, -np.inf),
                             np.where(on & upper_row, 0.0, np.inf))

    def start_reference(self, values) -> None:
        """Solve the reference point from scratch and keep its optimal basis: every chunk
        starts from it, so a chunk's answers do not depend on which worker ran it or what
        it ran before (and no chunk pays for a cold solve)."""
        self.solve(values, fresh=True)
        if self.session is not None and self.session.highs.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            self.reference_basis = self.session.basis()

    def solve(self, values, fresh: bool = False) -> dict:
        """One point: apply, re-solve (from the previous basis, or with `fresh` from a new
        HiGHS started at the reference basis), verify, and reduce to a table row."""
        if fresh:  # before anything can return: a chunk never continues another's state
            self.session, self._last = None, None
        row = dict(zip((p.key for p in self.parameters), _cells(self.parameters, values)))
        try:
            d = self.point_data(values)
            if self._rebuild:  # the day blocks' rows follow this point's data
                self._build(dataclasses.replace(d, share_rules=self.rules))
                self.session, self._last = None, None
            self.apply(d)
        except CaseError as exc:
            return {**row, "status": INVALID, "message": _one_line(exc.report())}
        # N−1 is fixed by the infrastructure: checked before solving, as `solve` does.
        n1 = _n1_problem(d) if self._n1_moves else self._n1_problem
        if n1:
            return {**row, "status": str(SolveStatus.INFEASIBLE), "message": n1}
        if self.session is None:
            self.session = HighsSession(self.formulation.model, self.time_limit, track_changes=True)
            if self.reference_basis is not None:
                self.session.set_basis(self.reference_basis)
        last, self._last = self._last, None
        changes = self.session.pending() if last is not None else None
        if last is not None and self.session.still_optimal(last.x, last.activity, changes):
            # Only slack constraints loosened: the last optimum is this point's optimum.
            self.session.sync(changes)  # the next re-solve starts from this point's LP
            result = SolverResult(SolveStatus.OPTIMAL, "highs", 0.0,
                                  objective=self.formulation.model.objective_of(last.x), x=last.x)
        else:
            result = self.session.run(duals=False, changes=changes)
        if result.status is SolveStatus.INFEASIBLE:
            # Name the policy that must give way, as `gasmix solve` would.
            found = diagnose(d)
            reason = "; ".join(str(v) for v in found[:3]) + (f"; … {len(found) - 3} more" if len(found) > 3 else "")
            return {**row, "status": str(result.status), "message": reason or result.message}
        if result.status is not SolveStatus.OPTIMAL:
            return {**row, "status": str(result.status), "message": result.message}
        try:
            check = check_solution(self.formulation.model, result.x, residual_of=BALANCE)
        except VerificationError as exc:
            return {**row, "status": str(SolveStatus.ERROR), "message": str(exc)}
        if last is not None and last.x is result.x and _same_figures_data(last.data, d):
            figures = last.figures  # same solution, same prices and demand: same figures
        else:
            figures = _figures(d, self.formulation.columns, result)
        self._last = _Optimum(result.x, check.activity, d, figures)
        return {**row, "status": str(result.status), **figures, "message": ""}



def _n1_problem(d: ModelData) -> str:
    """The first violations of the policy's N−1 standard, in one line ('' if it holds)."""
    try:
        require_n1(d)
    except InfeasiblePolicy as exc:
        return "; ".join(str(v) for v in exc.violations[:3])
    return ""


@dataclass(frozen=True)
class _Optimum:
    """The last verified optimum of a session: what the next point may reuse."""

    x: np.ndarray
    activity: np.ndarray
    data: ModelData
    figures: dict


def _same_figures_data(a: ModelData, b: ModelData) -> bool:
    """Whether two points' data give the same figures for the same solution: the arrays the
    figures read are the same objects (a point that changes none of them shares them)."""
    return (a.price is b.price and a.demand is b.demand and a.voll == b.voll
            and a.export_curtailment == b.export_curtailment
            and a.risk_weight == b.risk_weight and a.in_share_base is b.in_share_base)


def _figures(d: ModelData, c, result) -> dict:
    x = result.x
    q, f, inj, wd, u, r, tiers = (x[k] for k in (c.supply, c.flow, c.inject, c.withdraw,
                                                 c.unserved, c.curtailed, c.tiers))
    h = headline(d, q, f, inj, wd, u, r, tiers)
    in_base_volume, period_share, in_base = base_shares(d, q)
    # Over the horizon, each supplier's share of the caps' base (all supply, or imports).
    base_volume = (in_base_volume * d.days).sum(axis=1)
    base_share = np.where(in_base, base_volume / base_volume.sum(), np.nan) if base_volume.sum() > 0 \
        else np.full(len(d.supplier_ids), np.nan)
    supplied = h.supply_bcf > 0 and len(h.shares) > 0
    largest = int(np.argmax(h.shares)) if supplied else 0
    with np.errstate(invalid="ignore"):
        largest_period = float(np.nanmax(period_share)) if np.isfinite(period_share).any() else float("nan")
    return {
        "objective_musd": float(result.objective),
        "cash_cost_musd": h.cash_cost_musd,
        "risk_penalty_musd": h.risk_penalty_musd,
        "unserved_cost_musd": h.unserved_cost_musd,
        "total_cost_musd": h.total_cost_musd,
        "unserved_bcf": h.unserved_bcf,
        "avg_cost_usd_mmbtu": h.avg_cost_usd_mmbtu,
        "hhi": h.hhi,
        "import_dependence": h.import_dependence,
        "risk_exposure": h.risk_exposure,
        "largest_supplier": d.supplier_ids[largest] if supplied else "",  # no gas: no one
        "largest_share": float(h.shares[largest]) if supplied else 0.0,
        "largest_period_share": largest_period,
        "largest_base_share": float(np.nanmax(base_share)) if np.isfinite(base_share).any() else float("nan"),
        **{f"share_{g}": float(s) for g, s in zip(d.supplier_ids, h.shares)},
        **{f"base_share_{g}": float(s) for g, s in zip(d.supplier_ids, base_share)},
    }


def _cells(parameters, values) -> list:
    """Values as table cells; an exclusion is its suppliers joined by '+', or 'none' (the
    spec's own spelling, so the cell reads back as the value it was)."""
    return [("+".join(v) or "none") if p.kind == "exclude" else v for p, v in zip(parameters, values)]


def _one_line(text: str) -> str:
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


# --- running the chunks --------------------------------------------------------------

# One built model per worker thread and sweep (a worker may run several chunks). Per
# thread, not per process: a Dask worker or a thread pool runs chunks side by side, and a
# HiGHS instance must never be shared between them.
_LOCAL = threading.local()


def _models() -> dict[str, SweepModel]:
    if not hasattr(_LOCAL, "models"):
        _LOCAL.models = {}
    return _LOCAL.models


def _worker_model(token: str, case: Case, policy: Policy, parameters, time_limit,
                  reference) -> SweepModel:
    """This thread's model for sweep `token`, built (and its reference solved) once."""
    models = _models()
    model = models.get(token)
    if model is None:
        models.clear()  # one sweep at a time per thread: keep memory flat
        model = models[token] = SweepModel(case, policy, parameters, time_limit)
        model.start_reference(reference)
    return model


def _run_chunk(token: str, case: Case, policy: Policy, parameters, time_limit, reference,
               points) -> list[dict]:
    model = _worker_model(token, case, policy, parameters, time_limit, reference)
    return [model.solve(values, fresh=(i == 0)) for i, values in enumerate(points)]


def sweep(case: Case, grid, executor: Executor | None = None, policy: Policy | None = None, *,
    caps: Mapping[str, float] | None = None, max_share: float | None = None,
    risk_weight: float | None = None, exclude: str | Sequence[str] | None = None,
    admit: str | Sequence[str] | None = None, share_basis: str | None = None,
    share_of: str | None = None, limits: Sequence[ShareLimit] | None = None,
    storage_days: float | None = None, cover_days: float | None = None,
    min_n1: float | None = None,
    time_limit: float | None = None, chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Solve `case` at every point of `grid` and return one row per point.

    `grid`: {key: spec or values} for the cartesian product (e.g. {"cap.US": "0.4:1:0.05",
    "risk_weight": [0, 2]}), or a list of {key: value} points. `policy` and the policy
    choices (as in `solve`) set the base policy the points are laid over. `executor`: any concurrent.futures.Executor (a
    ProcessPoolExecutor, a Dask `Client.get_executor()`); None runs here. `progress` is
    called with the number of points finished so far.

    Columns: the parameters, status, objective and cost figures (MUSD), unserved_bcf,
    avg_cost_usd_mmbtu, hhi, import_dependence, risk_exposure, largest supplier and its share
    of supply, the largest share of the caps' base in any period and over the horizon,
    share_<SUPPLIER> (of supply), base_share_<SUPPLIER> (of imports, when caps are of
    imports), and message. A point that fails
    (infeasible, time limit, a contradictory policy) is a row with its status.
    """
    grid = make_grid(case, grid)
    choices = dict(caps=caps, max_share=max_share, risk_weight=risk_weight, exclude=exclude,
                   admit=admit, share_basis=share_basis, share_of=share_of, limits=limits,
                   storage_days=storage_days, cover_days=cover_days, min_n1=min_n1)
    base_policy = make_policy(case, policy, **choices)
    if chunk_size < 1:
        raise SweepError("chunk_size must be at least 1")
    chunks = [grid.points[i:i + chunk_size] for i in range(0, len(grid), chunk_size)]
    token = uuid.uuid4().hex
    started = time.perf_counter()
    rows: list[dict] = []
    job = (token, case, base_policy, grid.parameters, time_limit, grid.points[0])
    if executor is None:
        try:
            for chunk in chunks:
                rows += _run_chunk(*job, chunk)
                if progress:
                    progress(len(rows))
        finally:
            _models().pop(token, None)
    else:
        futures = [executor.submit(_run_chunk, *job, list(chunk)) for chunk in chunks]
        for future in futures:  # in grid order; each chunk's rows are its own
            rows += future.result()
            if progress:
                progress(len(rows))
    table = _table(rows, grid, case, base_policy.share_of)
    table.attrs["seconds"] = time.perf_counter() - started
    return table


def _table(rows: list[dict], grid: Grid, case: Case, share_of: str) -> pd.DataFrame:
    figures = ["objective_musd", "cash_cost_musd", "risk_penalty_musd", "unserved_cost_musd",
               "total_cost_musd", "unserved_bcf", "avg_cost_usd_mmbtu", "hhi", "import_dependence",
               "risk_exposure", "largest_supplier", "largest_share", "largest_period_share",
               "largest_base_share"]
    shares = [f"share_{s.id}" for s in case.suppliers]
    # Shares of the caps' base differ from shares of supply only when caps are of imports.
    base = [f"base_share_{s.id}" for s in case.suppliers] if share_of == "imports" else []
    columns = [*grid.keys, "status", *figures, *shares, *base, "message"]
    return pd.DataFrame(rows).reindex(columns=columns)
