"""Checks made before a long solve on what writing its output will need, so that a run is
refused in a second rather than failing after the solve (see also files.check_target and
files.check_file: a destination that cannot be written)."""

from __future__ import annotations

from ..errors import PlanWriteError

# Rows of one Excel worksheet (header included): a longer table cannot be written to xlsx.
EXCEL_MAX_ROWS = 1_048_576


def plan_table_rows(case) -> int:
    """An upper bound on the rows (header included) of the longest table of a plan of
    `case`: each table holds one row per item and period (flows per source, transport
    per arc, storage per site, prices per node, shares per supplier, firm capacity per
    entry and arc, pass-through per export plant, LNG prices per origin; the binding
    constraints are limits on these items), so no table exceeds all items × periods. A
    stochastic plan's tables are its base scenario's operations, plus one row per scenario."""
    items = (len(case.sources) + len(case.entries) + len(case.arcs) + len(case.storage)
             + len(case.nodes) + len(case.suppliers) + len(case.origins) + len(case.exports))
    return len(case.periods) * items + len(case.scenarios) + 1


def check_workbook_rows(rows: int, what: str) -> None:
    """Raise PlanWriteError if a sheet of `rows` rows may not fit in a workbook."""
    if rows > EXCEL_MAX_ROWS:
        raise PlanWriteError(f"the {what}'s tables may reach {rows:,} rows, above Excel's "
                             f"{EXCEL_MAX_ROWS:,} rows per sheet: write it with --format csv")
