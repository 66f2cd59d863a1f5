"""Every exception the command line maps to an exit code, and the mapping itself.

    2  bad input or usage: CaseError (file, row, column, value, rule), MissingExtra,
       SweepError, ScaleOutError, PlanWriteError, ReportError
    3  the policy cannot be met: InfeasiblePolicy (with its diagnosis)
    4  the solver gave no verified optimal plan: SolverFailure, VerificationError

This module imports nothing of gasmix's but the input errors of `models`, so every floor of
the house may raise from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models.errors import CaseError, Problem
from ..models.extras import MissingExtra

EXIT_OK = 0
EXIT_INPUT = 2
EXIT_INFEASIBLE = 3
EXIT_SOLVER = 4
# A run stopped by a signal exits 128 + the signal's number, as shells expect (gasmix's
# entry point, __main__.py, applies the rule; its message says what is on disk).
EXIT_INTERRUPTED = 130  # 128 + SIGINT: Ctrl-C
EXIT_TERMINATED = 143   # 128 + SIGTERM: e.g. `kill`, a job scheduler's time limit


@dataclass(frozen=True)
class Violation:
    """One policy rule that must give way: by `amount` in `unit`, in `period`; `volume_bcf`
    is the gas that stands for, which orders a diagnosis. `family` is the row block's name
    (formulation/names.py), `title` the rule in plain words, and `phrasing` how its
    shortfall reads: "share" (a share limit), "untakeable" (a contract minimum) or
    "short" (a floor, a target, a standard)."""

    family: str
    item: str
    period: str
    sense: str
    amount: float
    unit: str
    volume_bcf: float
    title: str = ""
    phrasing: str = "short"

    def __str__(self) -> str:
        what = self.title or self.family
        amount = f"{self.amount:,.1f} {self.unit}"
        if self.phrasing == "share":
            direction = "above its maximum" if self.sense == "<=" else "short of its minimum"
            when = "over the horizon" if self.period == "horizon" else f"in {self.period}"
            return (f"{what} '{self.item}' {when}: {direction} by {amount} (gas to swap with "
                    "other supply)")
        if self.phrasing == "untakeable":
            return f"{what} of {self.item} in {self.period}: {amount} cannot be taken"
        return f"{what} of {self.item} in {self.period}: {amount} short"


class InfeasiblePolicy(Exception):
    """The policy cannot be met; `violations` says which rows must give way and by how much
    (each item prints as one plain-words line)."""

    SHOWN = 12

    def __init__(self, violations: list):
        self.violations = violations
        lines = [str(v) for v in violations[:self.SHOWN]] or ["(no relaxation found)"]
        if len(violations) > self.SHOWN:
            lines.append(f"… and {len(violations) - self.SHOWN} more")
        super().__init__("the policy is infeasible; the least policy that must give way:\n"
                         + "\n".join(f"  - {v}" for v in lines))


class SolverFailure(Exception):
    """The solver stopped without an optimal plan (time limit, numerical trouble), or its
    answer failed the post-solve check. `status` is a SolveStatus."""

    def __init__(self, status, message: str):
        self.status = status
        super().__init__(f"{status}: {message}")


class VerificationError(RuntimeError):
    """The solver's solution breaks the model it was given."""


class SweepError(ValueError):
    """A sweep parameter or value that cannot be used (the message says which and why)."""


class ScaleOutError(RuntimeError):
    """The requested executor cannot be had (Dask missing, scheduler unreachable)."""


class PlanWriteError(OSError):
    """The output could not be written where asked (nothing there was changed)."""


class ReportError(ValueError):
    """A plan, sweep or frontier that cannot be reported (the message says which file and
    what is wrong with it)."""


# Checked in order: the first class an exception is an instance of gives its exit code.
EXIT_CODES: tuple[tuple[type, int], ...] = (
    (CaseError, EXIT_INPUT), (MissingExtra, EXIT_INPUT), (SweepError, EXIT_INPUT),
    (ScaleOutError, EXIT_INPUT), (PlanWriteError, EXIT_INPUT), (ReportError, EXIT_INPUT),
    (InfeasiblePolicy, EXIT_INFEASIBLE),
    (SolverFailure, EXIT_SOLVER), (VerificationError, EXIT_SOLVER),
)


def exit_code(exc: BaseException) -> int | None:
    """The exit code of a gasmix exception (None: not one of gasmix's)."""
    for kind, code in EXIT_CODES:
        if isinstance(exc, kind):
            return code
    return None


__all__ = ["CaseError", "Problem", "MissingExtra", "Violation", "InfeasiblePolicy", "SolverFailure",
           "VerificationError", "SweepError", "ScaleOutError", "PlanWriteError", "ReportError",
           "EXIT_CODES", "exit_code", "EXIT_OK", "EXIT_INPUT", "EXIT_INFEASIBLE", "EXIT_SOLVER",
           "EXIT_INTERRUPTED", "EXIT_TERMINATED"]
