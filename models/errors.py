"""Input problems: each names the file, row, column, value and the rule it broke."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a case's input.

    `row` counts as a spreadsheet does: the header is row 1, the first data row is row 2,
    so the number is also the line number of a CSV file (unless a quoted cell spans lines)
    and the row number Excel shows. `sheet` names the worksheet when `file` is a workbook.
    """

    file: str
    rule: str
    row: int | None = None
    column: str | None = None
    value: object = None
    sheet: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet is not None:
            where.append(f"sheet {self.sheet}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        if self.value is not None:
            where.append(f"value {str(self.value)!r}")
        return f"{', '.join(where)}: {self.rule}"


class CaseError(Exception):
    """A case that cannot be used, with every problem found in one pass."""

    def __init__(self, problems: list[Problem], case: str = ""):
        self.problems = list(problems)
        self.case = case
        super().__init__(self.report())

    def report(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in case {self.case}" if self.case else \
            f"{n} problem{'s' if n != 1 else ''}"
        return head + ":\n" + "\n".join(f"  - {p}" for p in self.problems)
