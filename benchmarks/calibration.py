"""The 2024 backcast against what was observed: does the model's least-cost plan move the
gas that moved?

    python benchmarks/calibration.py            # a table of the errors
    python benchmarks/calibration.py --json     # exactly one JSON object on stdout

It solves the embedded backcast case (`mexico-2024`: observed 2024 prices, demand,
domestic output and capacities) under its own policy, and compares the plan's monthly US
pipeline exports to Mexico — the plan's flows on the US border systems plus the
pass-through feed gas they carried — and its LNG imports with the observed series in
`benchmarks/observed_2024.csv` (EIA; see observed_2024.md for what is estimated). Errors per
series: MAPE = mean_t |model − observed| / observed, bias = mean_t (model − observed) /
observed, and the annual totals. Figures are printed, never asserted: a test checks that
the script runs, not what it finds.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
OBSERVED = HERE / "observed_2024.csv"
# The US border systems of each export corridor (entries of the backcast case), as EIA
# groups the points of exit: South Texas, West Texas, Arizona, California.
CORRIDORS = {
    "south_texas": ("VALLEY_CROSSING", "NET_MEXICO", "STX_OTHER"),
    "west_texas": ("COMANCHE_TRAIL", "TRANS_PECOS", "ROADRUNNER"),
    "arizona": ("SIERRITA",),
    "california": ("NORTH_BAJA",),
}
TOTAL = "us_pipeline_exports"
LNG = "lng_imports"


def modelled_series(plan) -> pd.DataFrame:
    """period × series (MMcf/d): the plan's US pipeline exports by corridor and in total, and
    its LNG imports."""
    flows = plan.flows
    us_pipe = flows[(flows["supplier"] == "US") & (flows["kind"] == "pipeline")]
    by_entry = us_pipe.groupby(["period", "entry"], sort=False)["flow_mmcfd"].sum().unstack(fill_value=0.0)
    passing = plan.extra.get("pass_through")
    if passing is not None and len(passing):  # the exporters' gas crossed the border too
        carried = passing.groupby(["period", "entry"], sort=False)["carried_mmcfd"].sum().unstack(fill_value=0.0)
        by_entry = by_entry.add(carried, fill_value=0.0)
    periods = list(dict.fromkeys(flows["period"]))
    by_entry = by_entry.reindex(index=periods, fill_value=0.0)
    out = pd.DataFrame(index=periods)
    for corridor, entries in CORRIDORS.items():
        out[corridor] = by_entry.reindex(columns=list(entries), fill_value=0.0).sum(axis=1)
    out[TOTAL] = out[list(CORRIDORS)].sum(axis=1)
    lng = flows[flows["kind"] == "lng"].groupby("period", sort=False)["flow_mmcfd"].sum()
    out[LNG] = lng.reindex(periods, fill_value=0.0)
    return out


def read_observed(path: Path) -> pd.DataFrame:
    """The observed series, period × series (MMcf/d), with the names modelled_series uses."""
    table = pd.read_csv(path, comment="#", dtype={"period": str}).set_index("period")
    rename = {f"{TOTAL}_mmcfd": TOTAL, f"{LNG}_mmcfd": LNG,
              **{f"{c}_mmcfd": c for c in CORRIDORS}}
    table = table.rename(columns=rename)
    missing = [c for c in (TOTAL, LNG, *CORRIDORS) if c not in table.columns]
    if missing:
        raise SystemExit(f"{path}: missing columns {', '.join(m + '_mmcfd' for m in missing)}")
    return table[[TOTAL, *CORRIDORS, LNG]].astype(float)


def errors(model: pd.DataFrame, observed: pd.DataFrame, days: pd.Series) -> pd.DataFrame:
    """One row per series: MAPE and bias over the months (where observed > 0), the annual
    volumes (Bcf) and their relative error."""
    rows = []
    for series in observed.columns:
        m = model[series].reindex(observed.index)
        o = observed[series]
        positive = o > 0
        rel = ((m - o) / o)[positive]
        m_bcf = float((m * days).sum() / 1000.0)
        o_bcf = float((o * days).sum() / 1000.0)
        rows.append({"series": series,
                     "mape": float(rel.abs().mean()) if positive.any() else np.nan,
                     "bias": float(rel.mean()) if positive.any() else np.nan,
                     "model_bcf": m_bcf, "observed_bcf": o_bcf,
                     "annual_error": (m_bcf - o_bcf) / o_bcf if o_bcf > 0 else np.nan})
    return pd.DataFrame(rows)


def calibrate(case_name: str = "mexico-2024", observed_path: Path = OBSERVED) -> dict:
    """Solve the backcast and compare it with the observed series."""
    from gasmix.models import default_case
    from gasmix.optimizer import solve

    case = default_case(case_name)
    plan = solve(case)
    observed = read_observed(observed_path)
    model = modelled_series(plan)
    days = pd.Series({p.id: p.days for p in case.periods}).reindex(observed.index)
    table = errors(model, observed, days)
    return {"case": case_name, "observed": str(observed_path.name),
            "objective_musd": plan.summary["objective_musd"],
            "unserved_bcf": plan.summary["unserved_bcf"],
            "errors": table.to_dict(orient="records"),
            "monthly": {"model": model.reindex(observed.index).round(1).to_dict(orient="index"),
                        "observed": observed.round(1).to_dict(orient="index")}}


def print_table(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    console.print(f"[bold]backcast {result['case']}[/] against {result['observed']}: "
                  f"objective {result['objective_musd']:,.1f} MUSD, unserved "
                  f"{result['unserved_bcf']:,.1f} Bcf")
    table = Table(box=None, header_style="bold")
    for col in ("series", "MAPE", "bias", "model Bcf", "observed Bcf", "annual error"):
        table.add_column(col, justify="left" if col == "series" else "right")

    def pct(x):
        return "–" if x != x else f"{x:+.1%}" if x < 0 else f"{x:.1%}"

    for row in result["errors"]:
        table.add_row(row["series"], pct(row["mape"]), pct(row["bias"]), f"{row['model_bcf']:,.1f}",
                      f"{row['observed_bcf']:,.1f}", pct(row["annual_error"]))
    console.print(table)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", default="mexico-2024", help="embedded backcast case")
    parser.add_argument("--observed", type=Path, default=OBSERVED, help="observed series (CSV)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    result = calibrate(args.case, args.observed)
    if args.json:
        json.dump(result, sys.stdout, indent=1)
        print()
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
