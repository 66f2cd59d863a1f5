"""What a sweep runs over: its parameters, their values, the grid of points.

    cap.<SUPPLIER>   a share cap on that supplier (0 … 1; 1 means no cap)
    max_share        a cap on every supplier
    risk_weight      λ, USD/MMBtu per unit of risk score
    voll             value of lost load, USD/MMBtu
    price.<HUB>      a multiplier on that hub's prices
    demand           a multiplier on all demand
    capacity.<ENTRY> a multiplier on that entry's capacity
    exclude          suppliers left out (a tuple of codes; empty: none)

A SPEC is 'start:stop:step' (stop included where it falls on the grid; downwards when
stop < start) or a comma list. Pure Python (no numpy, no solver): the command line reads
its defaults without loading the optimiser.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import SweepError

if TYPE_CHECKING:  # only a type here: importing it would load pandas
    from ..models.case import Case

# Parameter kinds: name → what the part after the dot names (None: no dot).
KINDS = {"cap": "supplier", "max_share": None, "risk_weight": None, "voll": None,
         "price": "hub", "demand": None, "capacity": "entry", "exclude": None}
SHARE_KINDS = ("cap", "max_share")
MULTIPLIER_KINDS = ("price", "demand", "capacity")
# Points per task of a sweep: each chunk starts from the same reference basis.
DEFAULT_CHUNK_SIZE = 25
# The frontier's two trade-offs and the grids they trace by default.
TRADE_OFFS = ("diversification", "risk")
DEFAULT_SHARES = "0.30:1.00:0.05"
DEFAULT_RISK_WEIGHTS = "0:10:0.5"


@dataclass(frozen=True)
class Parameter:
    key: str                 # as written, e.g. "cap.US"
    kind: str                # one of KINDS
    target: str | None = None  # the supplier, hub or entry it names


def parse_parameter(key: str, case: Case) -> Parameter:
    """'cap.US' → Parameter("cap.US", "cap", "US"), checked against the case."""
    key = key.strip()
    kind, _, target = key.partition(".")
    if kind not in KINDS:
        raise SweepError(f"unknown parameter {key!r} (known: cap.<SUPPLIER>, max_share, risk_weight, "
                         "voll, price.<HUB>, demand, capacity.<ENTRY>, exclude)")
    needs = KINDS[kind]
    if needs is None:
        if target:
            raise SweepError(f"parameter {key!r}: {kind} takes no '.{target}'")
        return Parameter(key, kind)
    if not target:
        raise SweepError(f"parameter {key!r}: say which {needs}, e.g. {kind}.{_known(case, needs)[0]}")
    if target not in _known(case, needs):
        raise SweepError(f"parameter {key!r}: unknown {needs} {target!r} "
                         f"(known: {', '.join(_known(case, needs))})")
    return Parameter(key, kind, target)


def _known(case: Case, what: str) -> list[str]:
    if what == "supplier":
        return [s.id for s in case.suppliers]
    if what == "entry":
        return [e.id for e in case.entries]
    return list(dict.fromkeys(case.hub_prices.index.get_level_values(0)))


def parse_values(parameter: Parameter, spec, case: Case) -> list:
    """A SPEC into the parameter's values: 'start:stop:step' (stop included where it falls
    on the grid; downwards when stop < start), a comma list, or (from Python) any iterable. Values of `exclude` are
    tuples of supplier codes: 'RU,QA+NG,none' → (RU,), (QA, NG), ()."""
    if parameter.kind == "exclude":
        items = spec.split(",") if isinstance(spec, str) else list(spec)
        values = [_exclusion(item, parameter, case) for item in items]
    else:
        if isinstance(spec, str):
            values = _numbers(spec, parameter)
        else:
            values = [_number(v, parameter) for v in (spec if isinstance(spec, Iterable) else [spec])]
        for v in values:
            _check_value(parameter, v)
    if not values:
        raise SweepError(f"parameter {parameter.key!r}: no values")
    return values


def _numbers(spec: str, parameter: Parameter) -> list[float]:
    text = spec.strip()
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise SweepError(f"{parameter.key}={spec}: a range is start:stop:step")
        start, stop, step = (_number(p, parameter) for p in parts)
        if step <= 0:
            raise SweepError(f"{parameter.key}={spec}: the step must be positive "
                             "(a range runs down when stop is below start, e.g. 1:0.4:0.05)")
        if stop < start:  # from 100% down to 40%: the same grid, walked downwards
            step = -step
        n = math.floor((stop - start) / step + 1e-9)
        if n > 100_000:
            raise SweepError(f"{parameter.key}={spec}: {n + 1:,} points is too many")
        # Values as start + i·step, rounded to the step's decimals, so 0.4:1.0:0.05 gives
        # 0.45, not 0.45000000000000007 (the table and a separate solve then agree).
        decimals = max(_decimals(p) for p in parts)
        return [round(start + i * step, decimals + 2) for i in range(n + 1)]
    return [_number(p, parameter) for p in text.split(",")]


def _decimals(text: str) -> int:
    text = text.strip().lower()
    if "e" in text:
        return 12
    return len(text.split(".")[1]) if "." in text else 0


def _number(value, parameter: Parameter) -> float:
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise SweepError(f"parameter {parameter.key!r}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise SweepError(f"parameter {parameter.key!r}: {value!r} is not a finite number")
    return number


def _check_value(parameter: Parameter, value: float) -> None:
    kind = parameter.kind
    if kind in SHARE_KINDS and not 0.0 <= value <= 1.0:
        raise SweepError(f"parameter {parameter.key!r}: {value:g} is not a share between 0 and 1")
    if kind in MULTIPLIER_KINDS + ("risk_weight",) and value < 0:
        raise SweepError(f"parameter {parameter.key!r}: {value:g} must be ≥ 0")
    if kind == "voll" and value <= 0:
        raise SweepError(f"parameter {parameter.key!r}: {value:g} must be > 0")


def _exclusion(item, parameter: Parameter, case: Case) -> tuple[str, ...]:
    if isinstance(item, str):
        text = item.strip()
        codes = [] if text.lower() in ("", "none") else [c.strip() for c in text.split("+")]
    else:
        codes = list(item)
    known = _known(case, "supplier")
    for code in codes:
        if code not in known:
            raise SweepError(f"parameter {parameter.key!r}: unknown supplier {code!r} "
                             f"(known: {', '.join(known)})")
    return tuple(dict.fromkeys(codes))


@dataclass(frozen=True)
class Grid:
    """The parameters, in order, and the points: every combination of their values (the
    first parameter varies fastest), or an explicit list."""

    parameters: tuple[Parameter, ...]
    points: tuple[tuple, ...]

    @property
    def keys(self) -> list[str]:
        return [p.key for p in self.parameters]

    def __len__(self) -> int:
        return len(self.points)


def make_grid(case: Case, grid) -> Grid:
    """A `Grid` from {key: spec or values} (the cartesian product), a list of {key: value}
    points, or a Grid."""
    if isinstance(grid, Grid):
        return grid
    if isinstance(grid, Mapping):
        if not grid:
            raise SweepError("the sweep has no parameters")
        parameters = tuple(parse_parameter(k, case) for k in grid)
        _no_repeats(parameters)
        values = [parse_values(p, spec, case) for p, spec in zip(parameters, grid.values())]
        # The first parameter varies fastest: neighbouring points differ in one value, so
        # each re-solve starts close to its answer, and each run of the first parameter is
        # one line on the chart.
        points = (tuple(reversed(p)) for p in itertools.product(*reversed(values)))
        return Grid(parameters, tuple(points))
    points = list(grid)
    if not points:
        raise SweepError("the sweep has no points")
    keys = list(points[0])
    parameters = tuple(parse_parameter(k, case) for k in keys)
    _no_repeats(parameters)
    rows = []
    for point in points:
        if set(point) != set(keys):
            raise SweepError(f"every point must set the same parameters ({', '.join(keys)})")
        rows.append(tuple(parse_values(p, [point[p.key]], case)[0] for p in parameters))
    return Grid(parameters, tuple(rows))


def _no_repeats(parameters: tuple[Parameter, ...]) -> None:
    seen = set()
    for p in parameters:
        if p.key in seen:
            raise SweepError(f"parameter {p.key!r} is given twice")
        seen.add(p.key)
