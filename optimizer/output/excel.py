"""A plan as one Excel workbook for planners: a summary sheet (warnings first), the
monthly balance as a month × supplier matrix, then one sheet per table.

Headers read as "flow (MMcf/d)", numbers carry thousands separators, shares show as
percentages, periods and ids are text, the header row is frozen, filtered and repeated
on every printed page (sheets.py: landscape, one page wide). The workbook is written to a temporary
file and moved into place (optimizer/files.py); an existing file is replaced only if it is
a gasmix plan workbook (its document keywords say so).
"""

from __future__ import annotations

from pathlib import Path

from ...models.extras import require
from ...models.safe_text import append_row

from .balance import monthly_balance
from .files import write_file
from .labels import EXCEL_FORMATS, headline_values, part_label, stochastic_values
from .sheets import finish, write_frame

SUMMARY_SHEET = "summary"
# Written into the workbook's document properties: how gasmix knows a file is its own.
PLAN_KEYWORDS = "gasmix plan"


def is_plan_workbook(path: Path) -> bool:
    openpyxl = require("openpyxl", "excel", "writing an .xlsx plan")
    try:
        book = openpyxl.load_workbook(path, read_only=True)
        try:
            return book.properties.keywords == PLAN_KEYWORDS
        finally:
            book.close()
    except Exception:  # not a workbook at all: not ours either
        return False


def write_plan_workbook(plan, path: Path, progress=None) -> Path:
    """Write `plan` to the workbook `path` atomically. `progress(step)`, if given, is called
    before each sheet (for a progress display)."""
    require("openpyxl", "excel", "writing an .xlsx plan")
    return write_file(Path(path), lambda tmp: _write(plan, tmp, progress),
                      replaceable=is_plan_workbook, what="a gasmix plan workbook")


def _row(label: str, value, unit: str, kind: str | None):
    """One summary row; no unit beside an empty value (nothing to read it against)."""
    if value is None or value == "":
        return (label, None, "", None)
    return (label, value, unit, EXCEL_FORMATS[kind] if kind else None)


def summary_rows(summary: dict) -> list[tuple[str, object, str, str | None]]:
    """(label, value, unit, Excel format) rows: the warnings, then the headline figures (a
    stochastic plan's figures over the scenarios before them), then the rest a planner
    needs to read the plan (costs by kind, shares, security, policy, provenance)."""
    # Warnings first: a planner must not miss them at the bottom of a long sheet.
    rows = [("warning", text, "", None) for text in summary["warnings"]]
    stochastic = stochastic_values(summary)
    st = summary.get("stochastic") or {}
    if stochastic:
        rows.append(("plan", "stochastic: figures over the scenarios first, then the undisturbed "
                     "base scenario's (as are the sheets flows to security)", "", None))
        rows += [_row(h["label"], h["value"], h["unit"], h["kind"]) for h in stochastic]
        rows += [_row("CVaR level α", st.get("cvar_alpha"), "", "percent"),
                 _row("CVaR weight W", st.get("cvar_weight"), "", "ratio"),
                 _row("scenarios", len(st.get("scenarios") or {}), "", "count")]
    of = " (base scenario)" if stochastic else ""
    rows += [_row(h["label"] + (f" ({h['note']})" if h["note"] else "") + of, h["value"], h["unit"],
                  h["kind"]) for h in headline_values(summary)]
    case = summary["case"]
    policy = summary["policy"]
    rows += [("status", summary["status"], "", None),
             ("case", case["name"], "", None),
             ("title", case["title"], "", None),
             ("periods", f"{case['first_period']} to {case['last_period']} ({case['periods']})", "", None),
             _row("risk penalty (not cash)" + of, summary["risk_penalty_musd"], "million USD", "musd")]
    for part, value in summary["cost_breakdown_musd"].items():
        rows.append(_row(f"cost{of}: {part_label(part)}", value, "million USD", "musd"))
    rows += [_row("supply" + of, summary["supply_bcf"], "Bcf", "bcf"),
             _row("storage cover (average stock)", summary["storage_cover_days"], "days of demand", "days"),
             _row("binding constraints", summary["binding_constraints"], "", "count")]
    for code, share in sorted(summary["shares"].items(), key=lambda kv: -(kv[1] or 0.0)):
        rows.append(_row(f"share of supply{of}: {code}", share, "of supply", "percent"))
    if "n1_min_pct" in summary:
        area = summary.get("n1_min_area")
        rows.append(_row("N−1: lowest over the horizon" + (f" (worst area {area}, {summary.get('n1_min_period')})"
                                                           if area else ""),
                         summary["n1_min_pct"], "% of peak demand", "pct"))
        for name, block in (summary.get("n1_by_area") or {}).items():
            rows.append(_row(f"N−1: area {name} (lowest, {block.get('period')}, without "
                             f"{block.get('largest_infrastructure')})", block.get("n1_min_pct"),
                             "% of peak demand", "pct"))
    if "shannon" in summary:
        rows.append(_row("Shannon diversity of supply (0 = one supplier)", summary["shannon"], "", "ratio"))
    caps = ", ".join(f"{k} ≤ {v:.0%}" for k, v in policy["caps"].items())
    rows += [("policy: caps", caps or "none", "", None),
             _row("policy: max share (every supplier)", policy["max_share"], "of supply", "percent")
             if policy["max_share"] is not None else ("policy: max share (every supplier)", "none", "", None),
             _row("policy: risk weight λ", policy["risk_weight_usd_mmbtu"], "USD/MMBtu", "price"),
             ("policy: excluded", ", ".join(policy["exclude"]) or "none", "", None),
             ("policy: share basis", policy["share_basis"], "", None),
             ("policy: shares of", policy["share_of"], "", None),
             _row("VOLL (value of lost load)", policy["voll_usd_mmbtu"], "USD/MMBtu", "price"),
             ("solver", summary["solver"], "", None),
             _row("solve time", summary["solve_seconds"], "s", "seconds"),
             ("input SHA-256", case["input_sha256"], "", None)]
    return rows


def _write(plan, path: Path, progress) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.properties.keywords = PLAN_KEYWORDS
    book.properties.title = f"gasmix plan: {plan.summary['case']['name']}"

    if progress:
        progress(SUMMARY_SHEET)
    ws = book.active
    ws.title = SUMMARY_SHEET
    append_row(ws, ["figure", "value", "unit"])
    rows = summary_rows(plan.summary)
    for label, value, unit, fmt in rows:
        append_row(ws, [label, value, unit])
        if fmt:
            ws.cell(ws.max_row, 2).number_format = fmt
    finish(ws, [max(len(r[0]) for r in rows), 18, max(len(r[2]) for r in rows) + 2])

    if progress:
        progress(BALANCE_SHEET)
    write_balance_sheet(book, plan)
    for name, table in plan.tables().items():
        if progress:
            progress(name)
        write_frame(book, name, table)
    book.save(path)


BALANCE_SHEET = "supply by month"


def write_balance_sheet(book, plan) -> None:
    """Month × supplier: each supplier's supply, then storage withdrawal, unserved gas,
    storage injection and demand, MMcf/d (balance.monthly_balance: supply + withdrawal +
    unserved = demand + injection in every row)."""
    periods = list(dict.fromkeys(plan.prices["period"].astype(str)))
    table = monthly_balance(plan.flows, plan.storage, plan.prices, periods).reset_index()
    write_frame(book, BALANCE_SHEET, table,
                headers={c: f"{c} (MMcf/d)" for c in table.columns if c != "period"},
                formats={c: "#,##0" for c in table.columns if c != "period"})
