"""The generated blocks of README.md and docs/*.md: every figure they quote, computed by gasmix.

A generated block is Markdown between two HTML comments (GitHub does not show them):

    <!-- generated: worked-example -->
    …written by the function registered here as "worked-example"…
    <!-- /generated -->

Each block has one function (`@block(NAME)`) that runs gasmix — through `Runs`, which
solves each plan once and shares it between blocks — and returns the block's Markdown:
tables, and the sentences that quote or interpret a figure, built from the results.

    python docs/generate.py           rewrite every block in place
    python docs/generate.py --check   change nothing; exit 1 naming each stale block

tests/test_docs.py holds every block to what its function gives now, so a figure that a
code or data change moves fails the tests until this script is re-run. Text outside the
blocks must not quote a figure, or assert an ordering, that a re-run could falsify.
"""

from __future__ import annotations

import argparse
import difflib
import inspect
import re
import sys
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent

MARKER = re.compile(r"<!-- generated: (?P<name>[a-z0-9-]+) -->\n(?P<body>.*?)<!-- /generated -->",
                    re.S)

# The worked example: one supplier held to one share (a share the non-US gas that can reach
# Mexico allows over the horizon but not in every month; the sweep shows lower ones).
CAPPED, CAP = "US", 0.7
RISK_WEIGHT = 2.0   # λ of the risk variant, USD/MMBtu per unit of risk score
CVAR_WEIGHT = 0.5   # W of the risk-averse two-stage plan
SWEEP_SPEC = "0.5:1.0:0.05"


def pages() -> list[Path]:
    """The files that may hold generated blocks: the README and every page of docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


# --- the registry -------------------------------------------------------------------------

BLOCKS: dict[str, Callable[["Runs"], str]] = {}


def block(name: str):
    """Register the function that writes block `name`."""
    def register(function):
        if name in BLOCKS:
            raise ValueError(f"block {name!r} is registered twice")
        BLOCKS[name] = function
        return function
    return register


# --- the runs the blocks share --------------------------------------------------------------

class Runs:
    """Every gasmix run a block quotes, each done once, on first use."""

    def __init__(self, case=None):
        from gasmix.models import default_case

        self.case = case if case is not None else default_case()

    def solve(self, **choices):
        from gasmix.optimizer import solve

        return solve(self.case, **choices)

    @cached_property
    def base(self):
        return self.solve()

    @cached_property
    def capped(self):
        """The cap in every period."""
        return self.solve(caps={CAPPED: CAP})

    @cached_property
    def capped_horizon(self):
        """The cap over the horizon."""
        return self.solve(caps={CAPPED: CAP}, share_basis="horizon")

    @cached_property
    def capped_risk(self):
        return self.solve(caps={CAPPED: CAP}, share_basis="horizon", risk_weight=RISK_WEIGHT)

    @cached_property
    def excluded_supplier(self) -> str:
        """The LNG supplier the horizon-capped plan buys most from: the one to exclude."""
        flows = self.capped_horizon.flows
        lng = flows[(flows["kind"] == "lng") & (flows["supplier"] != CAPPED)]
        volume = lng.groupby("supplier")["volume_bcf"].sum()
        if not len(volume) or volume.max() <= 0:
            raise RuntimeError("the horizon-capped plan buys no LNG: rethink the studies page")
        return str(volume.idxmax())

    @cached_property
    def capped_exclusion(self):
        return self.solve(caps={CAPPED: CAP}, share_basis="horizon",
                          exclude=[self.excluded_supplier])

    @cached_property
    def stress(self):
        from gasmix.optimizer import stress_test

        table, plan = stress_test(self.case)
        return table.set_index("scenario", drop=False), plan

    @cached_property
    def risk_averse(self):
        from gasmix.optimizer import solve_stochastic

        return solve_stochastic(self.case, cvar_weight=CVAR_WEIGHT)

    @cached_property
    def risk_neutral(self):
        from gasmix.optimizer import solve_stochastic

        return solve_stochastic(self.case)

    @cached_property
    def storage_days(self):
        return self.solve(storage_days=1)

    @cached_property
    def cover_1(self):
        return self.solve(cover_days=1)

    @cached_property
    def cover_5(self):
        return self.solve(cover_days=5)

    @cached_property
    def sweep(self):
        from gasmix.optimizer import sweep

        return sweep(self.case, {f"cap.{CAPPED}": SWEEP_SPEC})

    @cached_property
    def frontier(self):
        from gasmix.optimizer import frontier

        return frontier(self.case)

    def min_n1(self, percent: float) -> list:
        """The violations `solve(min_n1=percent)` reports (empty: the standard is met)."""
        from gasmix.optimizer import InfeasiblePolicy

        try:
            self.solve(min_n1=percent)
        except InfeasiblePolicy as exc:
            return list(exc.violations)
        return []


# --- words and numbers --------------------------------------------------------------------

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def num(x: float, digits: int = 0) -> str:
    """1234.5 → '1,235' (digits 0); no '-0'."""
    value = round(float(x), digits)
    return f"{(value if value != 0 else 0.0):,.{digits}f}"


def signed(x: float, digits: int = 0) -> str:
    """'+1,234', '−56' or '0'."""
    text = num(abs(x), digits)
    if round(float(x), digits) == 0:
        return text
    return ("+" if x > 0 else "−") + text


def price(x: float) -> str:
    """A price or shadow price with the digits its size needs: '233', '4.26', '0.67'."""
    return num(x, 0 if abs(x) >= 100 else 2)


def pct(x: float, digits: int = 1) -> str:
    return num(100 * float(x), digits) + "%"


def _month(period: str, short: bool = False) -> tuple[str, str] | None:
    match = re.fullmatch(r"(\d{4})-(\d{2})", period)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    name = MONTHS[int(match.group(2)) - 1]
    return (name[:3] if short else name), match.group(1)


def month(period: str, short: bool = False) -> str:
    """'2027-04' → 'April 2027' ('Apr 2027' short); other ids as they are."""
    parsed = _month(period, short)
    return f"{parsed[0]} {parsed[1]}" if parsed else period


def span(periods, case, short: bool = False) -> str:
    """Periods as runs a reader takes in: 'April–October 2027', 'July 2026 – December 2027',
    'June and August 2026'."""
    order = [p.id for p in case.periods]
    others = list(dict.fromkeys(p for p in periods if p not in order))  # e.g. "horizon"
    index = sorted({order.index(p) for p in periods if p in order})
    runs: list[list[int]] = []
    for i in index:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    parts = []
    for run in runs:
        first, last = order[run[0]], order[run[-1]]
        if first == last:
            parts.append(month(first, short))
            continue
        a, b = _month(first, short), _month(last, short)
        if a and b and a[1] == b[1]:
            parts.append(f"{a[0]}–{b[0]} {a[1]}")
        else:
            parts.append(f"{month(first, short)} – {month(last, short)}")
    parts += [("over the horizon" if p == "horizon" else p) for p in others]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def listing(items: list[str]) -> str:
    items = list(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def horizon(case) -> str:
    first, last = case.periods[0].start.year, case.periods[-1].start.year
    return str(first) if first == last else f"{first}–{last}"


def short_name(name: str, fallback: str) -> str:
    """An entry's or site's display name cut to what a sentence needs."""
    for cut in (" (", " / "):
        name = name.split(cut)[0]
    if len(name) > 40:
        name = name.split(", ")[0]
    return name.strip() or fallback


def entry_name(case, entry: str) -> str:
    found = {e.id: e for e in case.entries}.get(entry)
    return short_name(found.name, entry) if found else entry


def site_name(case, site: str) -> str:
    found = {k.id: k for k in case.storage}.get(site)
    return short_name(found.name, site) if found else site


def supplier_name(case, code: str, article: bool = False) -> str:
    """A supplier's display name; with `article`, as it reads inside a sentence ('the
    United States')."""
    name = {s.id: s.name for s in case.suppliers}.get(code) or code
    if article and name.startswith(("United ", "Netherlands", "Philippines")):
        return "the " + name
    return name


def more_cash(x: float, digits: int = 0) -> str:
    """'561 million USD more cash', '426 million USD less cash', 'no more cash'."""
    if round(float(x), digits) == 0:
        return "no more cash"
    return f"{num(abs(x), digits)} million USD {'more' if x > 0 else 'less'} cash"


def gas_name(case, supplier: str, kind: str) -> str:
    """'Russian LNG' style names without adjectives: 'LNG from Russia'."""
    if kind == "domestic":
        return "domestic production"
    what = "LNG" if kind == "lng" else "pipeline gas"
    return f"{what} from {supplier_name(case, supplier, article=True)}"


def table(header: list[str], rows: list[list[str]], align: str | None = None) -> str:
    """A Markdown table; `align` is one letter per column, l or r (default: first l)."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---" if a == "l" else "---:" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def unserved_periods(plan) -> list[str]:
    by_period = plan.prices.groupby("period", sort=False)["unserved_mmcfd"].sum()
    return [p for p, v in by_period.items() if v > 1e-6]


def unserved_cell(plan, case) -> str:
    bcf = plan.summary["unserved_bcf"]
    if bcf < 0.05:
        return "0"
    return f"**{num(bcf, 1)}** ({span(unserved_periods(plan), case, short=True)})"


def volume_by(plan, *keys) -> pd.Series:
    return plan.flows.groupby(list(keys))["volume_bcf"].sum()


def suppliers_shown(plans, floor: float = 5e-4) -> list[str]:
    """Suppliers with a share above `floor` in any of the plans, largest first."""
    largest: dict[str, float] = {}
    for plan in plans:
        for code, share in plan.summary["shares"].items():
            largest[code] = max(largest.get(code, 0.0), share or 0.0)
    return [c for c, s in sorted(largest.items(), key=lambda kv: -kv[1]) if s > floor]


def changes(case, before, after, floor: float = 0.05) -> tuple[list[str], list[str]]:
    """What gas rose and what fell from one plan to another, as phrases, largest first."""
    a = volume_by(before, "supplier", "kind")
    b = volume_by(after, "supplier", "kind")
    delta = b.sub(a, fill_value=0.0).sort_values()
    up = [f"{gas_name(case, g, k)} (+{num(v, 1)} Bcf)" for (g, k), v in delta[::-1].items() if v > floor]
    down = [f"{gas_name(case, g, k)} (−{num(-v, 1)} Bcf)" for (g, k), v in delta.items() if v < -floor]
    return up, down


# --- README -----------------------------------------------------------------------------------

def _capped_label(basis: str) -> str:
    return f"{CAPPED} ≤ {pct(CAP, 0)}, " + ("every month" if basis == "period" else "over the horizon")


@block("worked-example")
def worked_example(r: Runs) -> str:
    case = r.case
    plans = [r.base, r.capped, r.capped_horizon]
    cap = f"{CAPPED}={CAP:g}"
    folder = f"{CAPPED.lower()}{round(100 * CAP)}"
    commands = "\n".join([
        "```bash",
        f"gasmix solve -o base{'':<46}# no cap",
        f"gasmix solve --cap {cap} -o {folder}{'':<{37 - len(folder)}}# {_capped_label('period')}",
        f"gasmix solve --cap {cap} --share-basis horizon -o {folder}h{'':<{14 - len(folder)}}# {_capped_label('horizon')}",
        "```"])
    voll = case.settings.voll_usd_mmbtu
    rows = [
        [f"cash cost, {horizon(case)} (million USD)"] + [num(p.summary["cash_cost_musd"]) for p in plans],
        ["average cost of gas served (USD/MMBtu)"] + [num(p.summary["avg_cost_usd_mmbtu"], 2) for p in plans],
        ["unserved demand (Bcf)"] + [unserved_cell(p, case) for p in plans],
        [f"objective: cash + unserved gas at its value (VOLL {voll:g}, or a demand tier's) (million USD)"
         if case.demand_tiers else f"objective: cash + unserved gas at VOLL {voll:g} USD/MMBtu (million USD)"]
        + [num(p.summary["objective_musd"]) for p in plans],
    ]
    shown = suppliers_shown(plans)
    large = [c for c in shown if max(p.summary["shares"][c] for p in plans) >= 0.02]
    for code in large:
        rows.append([f"share of supply: {supplier_name(case, code)}"]
                    + [pct(p.summary["shares"][code]) for p in plans])
    small = [c for c in shown if c not in large]
    if small:  # the many small LNG origins in one row; the reading names them
        rows.append([f"share of supply: {', '.join(small)}"]
                    + [pct(sum(p.summary["shares"][c] for c in small)) for p in plans])
    rows += [["HHI (0–10,000)"] + [num(p.summary["hhi"]) for p in plans],
             ["import dependence"] + [pct(p.summary["import_dependence"]) for p in plans]]
    header = ["", "no cap", _capped_label("period"), _capped_label("horizon")]
    return commands + "\n\n" + table(header, rows)


def _kind_shares(plan) -> pd.Series:
    volume = volume_by(plan, "kind")
    return volume / volume.sum()


CAPACITY_FAMILIES = ("entry_capacity", "arc_capacity", "origin_capacity")


def bottleneck(plan, case) -> dict | None:
    """The capacities worth most in a plan (entries, arcs and LNG origins; their saving in
    MUSD per 100 MMcf/d in a month): those of the family with the largest saving within
    half of it, with where and when it peaks."""
    c = plan.constraints
    capacity = c[c["binding"] & c["family"].isin(CAPACITY_FAMILIES)]
    if not len(capacity):
        return None
    worth = capacity.assign(worth=capacity["shadow_price"])
    peak = worth.loc[worth["worth"].idxmax()]
    same = worth[(worth["family"] == peak["family"]) & (worth["worth"] > 0)]
    by_name = same.groupby("name", sort=False)["worth"].max()
    names = [n for n, v in by_name.sort_values(ascending=False).items() if v >= 0.5 * peak["worth"]]
    return {"names": names, "family": peak["family"], "peak": float(peak["worth"]),
            "period": str(peak["period"]), "at": str(peak["name"])}


def _in_service(case, entry: str) -> str:
    e = {x.id: x for x in case.entries}[entry]
    if e.last_period and e.first_period:
        return f" (in service {span([e.first_period, e.last_period], case)})"
    if e.last_period:
        return f" (in service until {month(e.last_period)})"
    if e.first_period:
        return f" (in service from {month(e.first_period)})"
    return ""


@block("worked-example-reading")
def worked_example_reading(r: Runs) -> str:
    case = r.case
    base, monthly, overall = r.base, r.capped, r.capped_horizon
    kinds = _kind_shares(base)
    mix, none = [], []
    for kind, words in (("pipeline", "by pipeline"), ("lng", "as LNG"),
                        ("domestic", "from domestic production")):
        share = float(kinds.get(kind, 0.0))
        (mix.append(f"{pct(share)} {words}") if share > 5e-4 else none.append(words))
    largest = max(base.summary["shares"], key=base.summary["shares"].get)
    bullets = [f"**Uncapped**, the plan takes its gas {listing(mix)}"
               + (f" (none {' or '.join(none)})" if none else "") + "; the largest supplier, "
               f"{supplier_name(case, largest, article=True)}, holds "
               f"{pct(base.summary['shares'][largest])}. Compare it with the observed mix in "
               "[`inputs/mexico/SOURCES.md`](inputs/mexico/SOURCES.md)."]

    extra = overall.summary["cash_cost_musd"] - base.summary["cash_cost_musd"]
    up, _ = changes(case, base, overall)
    who = supplier_name(case, CAPPED, article=True)
    shed = overall.summary["unserved_bcf"]
    if shed < 0.05:
        cost = (f"costs {num(extra)} million USD more cash over {horizon(case)} "
                f"({signed(100 * extra / base.summary['cash_cost_musd'], 1)}%) and serves all demand")
    else:  # cash can fall: gas left unserved is not bought
        cost = (f"cannot be met with the gas that can reach Mexico: it leaves {num(shed, 1)} Bcf "
                f"unserved (cash changes by {signed(extra)} million USD because that gas is not "
                "bought; the objective prices it at VOLL)")
    bullets.append(
        f"**Holding {who} to {pct(CAP, 0)} over the horizon** {cost}. The replacement gas: "
        f"{listing(up)}. With no risk weight the plan buys the cheapest gas that fits; "
        "[docs/studies.md](docs/studies.md) adds a risk weight and an exclusion.")

    short = monthly.summary["unserved_bcf"]
    if short >= 0.05:
        text = (f"**Held in every month**, the cap is met only by leaving demand unserved in "
                f"{span(unserved_periods(monthly), case)}: {num(short, 1)} Bcf, and the "
                f"objective, with that gas at VOLL, is {num(monthly.summary['objective_musd'] - overall.summary['objective_musd'])} "
                "million USD above the horizon plan's.")
    else:
        text = (f"**Held in every month**, the cap is met too, for "
                f"{num(monthly.summary['cash_cost_musd'] - overall.summary['cash_cost_musd'])} million USD "
                "more cash than over the horizon.")
    neck = bottleneck(monthly, case)
    if neck:
        text += " " + _bottleneck_words(neck, monthly, case)
    bullets.append(text)
    return "\n".join(f"* {b}" for b in bullets)


def _bottleneck_words(neck: dict, plan, case) -> str:
    """One sentence: which capacity is worth most in `plan`, up to how much (MUSD per 100
    MMcf/d in a month), and why it can exceed what unserved gas costs under a share cap."""
    worth = f"100 MMcf/d more is worth up to {num(neck['peak'])} million USD in a month"
    if neck["family"] == "origin_capacity":
        origins = {o.id: o for o in case.origins}
        names = {n: supplier_name(case, origins[n].supplier) if n in origins else n for n in neck["names"]}
        where = listing(list(dict.fromkeys(names.values())))
        text = (f"What binds is the LNG the origins can sell: from {where}, {worth} "
                f"({names[neck['at']]} in {month(neck['period'])})")
    else:
        entries = {e.id: e for e in case.entries}
        if neck["family"] == "entry_capacity" and all(entries[n].kind == "lng" for n in neck["names"]):
            what = "regas capacity at the LNG terminals of"
            names = {n: entry_name(case, n).removesuffix(" LNG terminal") for n in neck["names"]}
        elif neck["family"] == "entry_capacity":
            what = "entry capacity at"
            names = {n: entry_name(case, n) for n in neck["names"]}
        else:
            what = "pipeline capacity on"
            names = {n: n for n in neck["names"]}
        where = listing([names[n] + (_in_service(case, n) if n in entries else "") for n in neck["names"]])
        closed = False
        if neck["at"] in entries:
            at = entries[neck["at"]]
            closed = bool((at.last_period and neck["period"] > at.last_period)
                          or (at.first_period and neck["period"] < at.first_period))
        text = (f"The capacity worth most is {what} {where}: {worth} ({names[neck['at']]} in "
                f"{month(neck['period'])}{', when it is out of service' if closed else ''})")
    voll = case.settings.voll_usd_mmbtu
    days = {p.id: p.days for p in case.periods}[neck["period"]]
    at_voll = 100 * days * case.settings.heat_content_mmbtu_per_mcf / 1000 * voll
    c = plan.constraints
    cap_binds = ((c["family"] == "share_cap") & c["binding"] & (c["period"] == neck["period"])).any()
    if neck["peak"] > at_voll and cap_binds:
        text += (f", more than the {num(at_voll)} million USD that 100 MMcf/d of unserved gas "
                 f"costs at VOLL that month, because under the cap each extra MMcf/d of "
                 f"non-{CAPPED} gas also lets {num(CAP / (1 - CAP), 1)} MMcf/d more "
                 f"{CAPPED} gas in")
    return text + "."


def lowest_cap(case, basis: str, supplier: str = CAPPED, step: float = 0.0001, **choices) -> float:
    """The lowest cap on `supplier` (to `step`) under which no demand goes unserved, found by
    bisection between 0 and its uncapped share (more non-US gas never hurts: unserved gas
    only grows as the cap tightens)."""
    from gasmix.optimizer import solve

    def serves(cap: float) -> bool:
        plan = solve(case, caps={supplier: cap}, share_basis=basis, **choices)
        return plan.summary["unserved_bcf"] < 1e-4

    low, high = 0.0, 1.0
    while high - low > step:
        middle = (low + high) / 2
        low, high = (low, middle) if serves(middle) else (middle, high)
    return high


@block("mexico-reach")
def mexico_reach(r: Runs) -> str:
    """How low the US share can go with the gas that can reach Mexico, and what binds."""
    import dataclasses

    case = r.case
    every_month, horizon_cap = lowest_cap(case, "period"), lowest_cap(case, "horizon")
    at_60 = r.solve(caps={CAPPED: 0.6})
    ru_offers = sorted({s.offer for s in case.sources if s.offer and s.supplier == "RU"})
    with_russia = r.solve(caps={CAPPED: 0.6}, admit=ru_offers)
    unlimited = dataclasses.replace(
        case, origins=[dataclasses.replace(o, available_mmcfd=None) for o in case.origins],
        origin_capacity=case.origin_capacity.iloc[0:0])
    from gasmix.optimizer import solve
    terminals_only = solve(unlimited, caps={CAPPED: 0.6})
    every_plan = r.solve(caps={CAPPED: every_month})
    horizon_plan = r.solve(caps={CAPPED: horizon_cap}, share_basis="horizon")

    def figures(plan) -> list[str]:
        s = plan.summary
        return [num(s["cash_cost_musd"]), num(s["unserved_bcf"], 1), num(s["objective_musd"])]

    rows = [
        ["uncapped plan", pct(r.base.summary["shares"][CAPPED])] + figures(r.base),
        ["lowest cap that serves all demand, every month", pct(every_month, 2)] + figures(every_plan),
        ["lowest cap that serves all demand, over the horizon", pct(horizon_cap, 2)] + figures(horizon_plan),
        [f"{pct(0.6, 0)} every month", pct(0.6, 0)] + figures(at_60),
        [f"… with Russian LNG admitted ({', '.join(ru_offers)})", pct(0.6, 0)] + figures(with_russia),
        ["… with LNG origins unlimited (only the terminals bind)", pct(0.6, 0)] + figures(terminals_only),
    ]
    text = table(["plan", f"{CAPPED} share", "cash (million USD)", "unserved (Bcf)",
                  "with unserved gas at its value (million USD)"], rows, "lrrrr")
    text += ("\n\nThe floor is the non-US gas that can reach Mexico: must-take domestic output "
             "and what non-US LNG origins can sell (an estimate, `lng_origins.csv`). With "
             f"unlimited LNG the regas terminals bind and {pct(0.6, 0)} still sheds "
             f"{num(terminals_only.summary['unserved_bcf'], 1)} Bcf: a lower US share needs new "
             "regas capacity as well as LNG contracts.")
    return text


@block("backcast")
def backcast(r: Runs) -> str:
    """The 2024 backcast against the observed series (benchmarks/calibration.py)."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from calibration import calibrate
    finally:
        sys.path.pop(0)
    result = calibrate()
    names = {"us_pipeline_exports": "US pipeline exports to Mexico (observed)",
             "south_texas": "South Texas corridor [estimated split]",
             "west_texas": "West Texas corridor [estimated split]",
             "arizona": "Arizona corridor [estimated split]",
             "california": "California corridor [estimated split]",
             "lng_imports": "LNG imports [estimated]"}
    rows = [[names.get(e["series"], e["series"]), num(e["model_bcf"], 1), num(e["observed_bcf"], 1),
             signed(100 * e["annual_error"], 1) + "%", pct(e["mape"])]
            for e in result["errors"]]
    return ("```bash\npython benchmarks/calibration.py\n```\n\n"
            + table(["series, 2024", "model (Bcf)", "observed (Bcf)", "annual error", "monthly MAPE"],
                    rows, "lrrrr"))


# --- docs/studies.md ------------------------------------------------------------------------

@block("binding-constraints")
def binding_constraints(r: Runs) -> str:
    """The capped-every-month plan's binding limits (its savings table), share limits
    first, then by what loosening each saves over the horizon."""
    case = r.case
    from gasmix.optimizer.output.labels import limit_label

    c = r.capped.constraints
    rows = []
    for _, g in r.capped.savings.iterrows():
        periods = list(c.loc[(c["family"] == g["family"]) & (c["name"] == g["name"]) & c["binding"],
                             "period"])
        rows.append([f"`{limit_label(g['family'], g['name'])}`", span(periods, case, short=True),
                     num(g["horizon_saving"], 1 if g["horizon_saving"] >= 10 else 2),
                     f"{num(g['peak_saving'], 1 if g['peak_saving'] >= 10 else 2)} "
                     f"({month(g['peak_period'], short=True)})", g["unit"]])
    return table(["limit", "binding in", "saving over the horizon", "largest month", "unit"],
                 rows, "llrrl")


@block("risk-and-exclusion")
def risk_and_exclusion(r: Runs) -> str:
    case = r.case
    plans = [r.capped_horizon, r.capped_risk, r.capped_exclusion]
    out = r.excluded_supplier
    cap = f"--cap {CAPPED}={CAP:g} --share-basis horizon"
    folder = f"{CAPPED.lower()}{round(100 * CAP)}"
    commands = "\n".join([
        "```bash",
        f"gasmix solve {cap} -o {folder}h",
        f"gasmix solve {cap} --risk-weight {RISK_WEIGHT:g} -o {folder}h-risk",
        f"gasmix solve {cap} --exclude {out} -o {folder}h-no-{out.lower()}",
        "```"])
    header = ["", _capped_label("horizon"), f"… and risk weight {RISK_WEIGHT:g}",
              f"… and {out} excluded"]
    rows = [
        ["cash cost (million USD)"] + [num(p.summary["cash_cost_musd"]) for p in plans],
        ["risk penalty, not cash (million USD)"] + [num(p.summary["risk_penalty_musd"]) for p in plans],
        ["unserved demand (Bcf)"] + [num(p.summary["unserved_bcf"], 1) for p in plans],
        ["risk exposure (supply-weighted risk score)"] + [num(p.summary["risk_exposure"], 3) for p in plans],
    ]
    lng = pd.concat([volume_by(p, "supplier", "kind") for p in plans], axis=1,
                    keys=range(len(plans))).fillna(0.0)
    lng = lng[lng.index.get_level_values("kind") == "lng"]
    lng = lng[(lng > 0.05).any(axis=1)].sort_values(0, ascending=False)
    for (code, _), volumes in lng.iterrows():
        rows.append([f"LNG from {supplier_name(case, code)} (Bcf)"] + [num(v, 1) for v in volumes])
    text = commands + "\n\n" + table(header, rows)

    sentences = []
    for plan, what in ((r.capped_risk, f"A risk weight of {RISK_WEIGHT:g} USD/MMBtu per unit of risk score"),
                       (r.capped_exclusion, f"Excluding {supplier_name(case, out, article=True)}")):
        up, down = changes(case, r.capped_horizon, plan)
        extra = plan.summary["cash_cost_musd"] - r.capped_horizon.summary["cash_cost_musd"]
        moved = (f"replaces {listing(down)} with {listing(up)}" if up and down
                 else "changes no supply")
        shed = plan.summary["unserved_bcf"] - r.capped_horizon.summary["unserved_bcf"]
        if shed > 0.05:  # less cash here is gas not bought, not a saving
            sentences.append(f"{what} {moved} and leaves {num(shed, 1)} Bcf more demand unserved "
                             f"({more_cash(extra)}, because that gas is not bought).")
        else:
            sentences.append(f"{what} {moved}, for {more_cash(extra)}.")
    return text + "\n\n" + " ".join(sentences)


@block("sweep-example")
def sweep_example(r: Runs) -> str:
    case = r.case
    key = f"cap.{CAPPED}"
    t = r.sweep
    rows = []
    for _, row in t.iterrows():
        ok = row["status"] == "optimal"
        rows.append([f"{row[key]:g}", row["status"]] + ([
            num(row["total_cost_musd"]), num(row["cash_cost_musd"]), num(row["unserved_bcf"], 1),
            pct(row[f"share_{CAPPED}"]), pct(row["largest_period_share"]), num(row["hhi"])]
            if ok else [""] * 6))
    text = table([key, "status", "total cost (million USD)", "cash cost", "unserved (Bcf)",
                  f"{CAPPED} share", "largest monthly share", "HHI"], rows, "llrrrrrr")
    ok = t[t["status"] == "optimal"]
    served = ok[ok["unserved_bcf"] < 0.05]
    loose = ok[(ok["total_cost_musd"] - ok["total_cost_musd"].min()).abs() < 1e-6 * ok["total_cost_musd"].min()]
    notes = []
    if len(served):
        tight = served.loc[served[key].idxmin()]
        notes.append(f"The tightest cap on this grid that serves all demand is {tight[key]:g}, at "
                     f"{num(tight['total_cost_musd'])} million USD.")
    if len(ok) > len(served):
        worst = ok.loc[ok[key].idxmin()]
        notes.append(f"At {worst[key]:g} the plan leaves {num(worst['unserved_bcf'], 1)} Bcf unserved: "
                     "a monthly cap can be met by buying less gas, and the total cost counts "
                     "that gas at VOLL.")
    if len(loose):
        notes.append(f"From {loose[key].min():g} up the cap no longer binds: the uncapped plan's largest "
                     f"monthly {CAPPED} share is {pct(r.base.summary['max_period_shares'][CAPPED])}.")
    return (f"```bash\ngasmix sweep --param {key}={SWEEP_SPEC} -o sweep-{CAPPED.lower()}-cap\n```\n\n"
            + text + "\n\n" + " ".join(notes))


@block("frontier-example")
def frontier_example(r: Runs) -> str:
    t = r.frontier
    parts = []
    for trade_off, part in t.groupby("trade_off", sort=False):
        efficient = part[part["pareto"]].sort_values(["x", "value"])  # each plan once
        repeats = int(part["same_plan_as"].notna().sum())
        percent = trade_off == "diversification"
        rows = [[f"{row['parameter']} = {row['value']:g}",
                 pct(row["x"]) if percent else num(row["x"], 3),
                 num(row["cost_musd"]), num(row["unserved_bcf"], 1)] for _, row in efficient.iterrows()]
        failed = int((part["status"] != "optimal").sum())
        parts.append(
            f"**{trade_off}** — {len(part)} points, {len(efficient)} Pareto-efficient plans"
            + (f" ({repeats} points repeat a plan of a smaller {part['parameter'].iloc[0]} and "
               "count once)" if repeats else "")
            + (f", {failed} without a plan (their status and diagnosis are in `frontier.csv`)"
               if failed else "") + ":\n\n"
            + table(["point", part["x_label"].iloc[0], "cost (million USD)", "unserved (Bcf)"], rows))
    return "```bash\ngasmix frontier -o frontier\n```\n\n" + "\n\n".join(parts)


# --- docs/security.md -----------------------------------------------------------------------

def _event(case, e) -> str:
    what = []
    if e.capacity_factor is not None:
        what.append(f"capacity × {e.capacity_factor:g}")
    if e.price_multiplier is not None:
        what.append(f"price × {e.price_multiplier:g}")
    if e.first_period or e.last_period:
        ids = [p.id for p in case.periods]
        first = e.first_period or ids[0]
        last = e.last_period or ids[-1]
        window = span(ids[ids.index(first):ids.index(last) + 1], case, short=True)
    else:
        window = "whole horizon"
    return f"{e.target_type} `{e.target}`: {', '.join(what)}, {window}"


@block("scenarios")
def scenarios(r: Runs) -> str:
    case = r.case
    rows = []
    for s in case.scenarios:
        events = "<br>".join(_event(case, e) for e in s.events) or "none"
        rows.append([f"`{s.id}`", f"{s.probability:g}", events, s.description])
    return table(["scenario", "p", "events", "description (disruptions.csv)"], rows, "lrll")


@block("contracts")
def contracts(r: Runs) -> str:
    case = r.case
    tariff = {e.id: e.tariff_usd_mmbtu for e in case.entries}
    groups: dict[tuple, list] = {}
    for s in case.sources:
        groups.setdefault((s.supplier, s.kind, s.contract, s.take_or_pay), []).append(s)
    rows = []
    for (supplier, kind, contract, tau), sources in groups.items():
        firm = sorted({tariff[s.entry] for s in sources})
        r_text = "–" if contract != "contract" else (
            f"{firm[0]:g}" if len(firm) == 1 else f"{firm[0]:g}–{firm[-1]:g}")
        rows.append([f"`{supplier}`", supplier_name(case, supplier), kind, str(len(sources)),
                     contract, f"{tau:g}" if contract == "contract" else "–", r_text])
    return table(["supplier", "name", "kind", "sources", "contract", "take-or-pay τ",
                  "firm part r (USD/MMBtu)"], rows, "lllrlrr")


def _at(peak_at: str) -> str:
    """'BC 2027-12' (node, period) → 'BC, Dec 2027'."""
    node, _, period = peak_at.partition(" ")
    return f"{node}, {month(period, short=True)}" if period else peak_at


@block("mexico-days")
def mexico_days(r: Runs) -> str:
    """The peak day, the flow-based N−1 beside the formula, Uri's six days and what the
    demand tiers save against one VOLL (results/adequacy.py)."""
    case = r.case
    a = r.base.extra["adequacy"]
    peak = a[a["check"] == "peak_day"]
    worst_peak = peak.loc[peak["served_pct"].idxmin()]
    peak_text = ("is served in full in every month" if worst_peak["served_pct"] >= 100 - 1e-6 else
                 f"is {pct(worst_peak['served_pct'] / 100)} served at worst ({month(worst_peak['period'])})")
    n1 = a[(a["check"] == "n1") & (a["area"] != "system")].dropna(subset=["served_pct"])
    areas = []
    for area, rows in n1.groupby("area", sort=False):
        w = rows.loc[rows["served_pct"].idxmin()]
        areas.append(f"{area.replace('+', ' ')} {pct(w['served_pct'] / 100)} ({month(w['period'])}, "
                     f"formula {pct(w['n1_formula_pct'] / 100, 0)})")
    _, plan = r.stress
    short = plan.extra["short_events"]
    uri = short[(short["scenario"] == "uri") & (short["days"] == short["days"].min())]
    first = uri.iloc[0]
    tiers = ", ".join(f"{tier.replace('_', ' ')} {num(v, 1)}" for tier, v in
                      uri.set_index("tier")["unserved_bcf"].items())
    where = ("In the plan, whose days include each month's peak day," if case.settings.peak_day == "block"
             else "With the plan's stock,")
    return (f"{where} the peak day {peak_text}. N−1 solved on the network, "
            f"lowest month: {listing(areas)}. Uri as "
            f"six days ({month(first['period'])} {first['first_day']}–{first['first_day'] + first['days'] - 1}): "
            f"{pct(first['served_pct'] / 100)} of demand served, protected demand "
            f"{pct(first['protected_served_pct'] / 100)}; Bcf lost: {tiers}. At the tiers' "
            f"values this costs {num(uri['cost_musd'].sum())} million USD, at one VOLL "
            f"{num(uri['cost_at_voll_musd'].sum())}.")


@block("stress")
def stress(r: Runs) -> str:
    t, _ = r.stress
    rows = []
    for row in t.itertuples():
        peak = "–" if not np.isfinite(row.peak_marginal_usd_mmbtu) else \
            f"{num(row.peak_marginal_usd_mmbtu, 2)} ({_at(row.peak_at)})"
        rows.append([f"`{row.scenario}`", num(row.cost_musd), signed(row.change_from_base_musd),
                     num(row.unserved_bcf, 1), num(row.avg_marginal_usd_mmbtu, 2), peak])
    return table(["scenario", "cost (million USD)", "vs base", "unserved (Bcf)",
                  "average marginal cost (USD/MMBtu)", "peak marginal cost (node, period)"], rows)


@block("stress-reading")
def stress_reading(r: Runs) -> str:
    case = r.case
    t, plan = r.stress
    kinds = _kind_shares(plan)
    free = [f"`{s}`" for s, row in t.iterrows() if s != "base" and abs(row["change_from_base_musd"]) < 0.05]
    dear = t[t["scenario"] != "base"].sort_values("change_from_base_musd", ascending=False)
    dear = dear[dear["change_from_base_musd"] >= 0.05]
    out = []
    lng = float(kinds.get("lng", 0.0))
    bought = "buys no LNG" if lng < 5e-4 else f"takes {pct(lng)} of its gas as LNG"
    out.append(f"The deterministic plan {bought}"
               + (f"; {listing(free)} cost it nothing more than the base." if free else "."))
    if len(dear):
        worst = [f"`{s}` ({signed(row['change_from_base_musd'])} million USD"
                 + (f", {num(row['unserved_bcf'], 1)} Bcf unserved)" if row["unserved_bcf"] >= 0.05 else ")")
                 for s, row in dear.head(2).iterrows()]
        out.append(f"The costliest are {listing(worst)}.")
    base = t.loc["base"]
    average = plan.summary["avg_cost_usd_mmbtu"]
    relation = "above" if base["avg_marginal_usd_mmbtu"] > average else "below"
    out.append(f"In the base scenario the demand-weighted average marginal cost, "
               f"{num(base['avg_marginal_usd_mmbtu'], 2)} USD/MMBtu, is {relation} the plan's average "
               f"cost of gas served ({num(average, 2)}): a marginal cost prices one more MMcf/d at a "
               "node once the commitments are fixed, the average prices the gas actually bought.")
    voll = case.settings.voll_usd_mmbtu
    if abs(base["peak_marginal_usd_mmbtu"] - voll) < 1e-6:
        node, _, period = base["peak_at"].partition(" ")
        out.append(f"Even in the base the peak marginal cost is VOLL ({voll:g}), at {node} in "
                   f"{month(period)}: no gas is left to meet one more MMcf/d there.")
    return " ".join(out)


@block("stochastic")
def stochastic(r: Runs) -> str:
    a, n = r.risk_averse.summary, r.risk_neutral.summary
    det = a["stochastic"]["deterministic_plan"]
    det_n = n["stochastic"]["deterministic_plan"]
    alpha = a["stochastic"]["cvar_alpha"]
    rows = [
        ["mean-risk objective", num(a["mean_risk_objective_musd"], 1), num(n["mean_risk_objective_musd"], 1),
         f"{num(det['mean_risk_objective_musd'], 1)} (W = {CVAR_WEIGHT:g}) / "
         f"{num(det_n['mean_risk_objective_musd'], 1)} (W = 0)"],
        ["expected cost `expected_cost_musd`", num(a["expected_cost_musd"], 1),
         num(n["expected_cost_musd"], 1), num(det["expected_cost_musd"], 1)],
        [f"CVaR {pct(alpha, 0)} `cvar_musd`", num(a["cvar_musd"], 1), num(n["cvar_musd"], 1),
         num(det["cvar_musd"], 1)],
        ["cost in the base scenario", num(a["objective_musd"], 1), num(n["objective_musd"], 1),
         num(det["objective_musd"], 1)],
        ["VSS `vss_musd`", f"**{num(a['vss_musd'], 1)}**", num(n["vss_musd"], 1), "—"],
        ["VSS on expected cost `vss_expected_cost_musd`", f"**{num(a['vss_expected_cost_musd'], 1)}**",
         num(n["vss_expected_cost_musd"], 1), "—"],
        ["EVPI `evpi_musd`", f"**{num(a['evpi_musd'], 1)}**", num(n["evpi_musd"], 1), "—"],
    ]
    return table(["million USD", f"risk-averse (W = {CVAR_WEIGHT:g})", "risk-neutral (W = 0)",
                  "deterministic plan's commitments"], rows)


def _tail(scenarios: pd.DataFrame, cost_column: str, cvar: float) -> str | None:
    """The scenario whose cost alone is the CVaR, if one is."""
    hit = scenarios[(scenarios[cost_column] - cvar).abs() <= 1e-6 * max(1.0, abs(cvar))]
    return f"`{hit['scenario'].iloc[0]}`" if len(hit) == 1 else None


@block("stochastic-reading")
def stochastic_reading(r: Runs) -> str:
    a, n = r.risk_averse.summary, r.risk_neutral.summary
    st = a["stochastic"]
    alpha = st["cvar_alpha"]
    out = []
    v = a["vss_expected_cost_musd"]
    out.append(f"At W = {CVAR_WEIGHT:g} the textbook VSS is "
               + (f"positive ({num(v, 1)}): the hedge that thins the tail also pays on average."
                  if v >= 0.05 else
                  f"{num(v, 1)}: the risk-averse plan pays {num(-v, 1)} million USD in expectation "
                  "for a thinner tail." if v <= -0.05 else "zero to the first decimal."))
    scenarios = r.risk_averse.extra["scenarios"]
    mine = _tail(scenarios, "cost_musd", a["cvar_musd"])
    theirs = _tail(scenarios, "deterministic_plan_cost_musd", st["deterministic_plan"]["cvar_musd"])
    tail = f"CVaR {pct(alpha, 0)} is the expected cost of the worst {pct(1 - alpha, 0)} of outcomes"
    if mine and theirs and mine == theirs:
        tail += f"; for both plans here that is scenario {mine} alone"
    out.append(tail + ".")
    out.append(f"The risk-neutral plan hedges less: VSS {num(n['vss_musd'], 1)}, CVaR "
               f"{num(n['cvar_musd'], 1)}." if n["cvar_musd"] >= a["cvar_musd"] else
               f"The risk-neutral plan: VSS {num(n['vss_musd'], 1)}, CVaR {num(n['cvar_musd'], 1)}.")
    model = st["model"]
    out.append(f"The two-stage model of this case has {len(st['scenarios'])} scenarios, "
               f"{num(model['rows'])} rows, {num(model['columns'])} columns and "
               f"{num(model['nonzeros'])} non-zeros.")
    return " ".join(out)


@block("commitments")
def commitments(r: Runs) -> str:
    case = r.case
    c = r.risk_averse.extra["commitments"]
    moved = c[c["difference_mmcfd"].abs() >= 0.5]
    rows = [[month(row.period, short=True), row.kind, f"`{row.item}`", num(row.stochastic_mmcfd, 1),
             num(row.deterministic_mmcfd, 1), signed(row.difference_mmcfd, 1)]
            for row in moved.itertuples()]
    text = table(["period", "kind", "contract or site", f"risk-averse (W = {CVAR_WEIGHT:g})",
                  "deterministic", "difference"], rows, "lllrrr")
    return text + f"\n\n{len(rows)} of {len(c)} commitments (MMcf/d) differ by 0.5 MMcf/d or more; " \
        "`commitments.csv` has them all."


@block("hedge")
def hedge(r: Runs) -> str:
    case = r.case
    s = r.risk_averse.summary
    stress_table, _ = r.stress
    sc = r.risk_averse.extra["scenarios"]
    rows = []
    for row in sc.itertuples():
        det_unserved = stress_table.loc[row.scenario, "unserved_bcf"]
        rows.append([f"`{row.scenario}`", f"{row.probability:g}", num(row.deterministic_plan_cost_musd),
                     num(row.cost_musd), signed(row.cost_musd - row.deterministic_plan_cost_musd),
                     num(det_unserved, 1), num(row.unserved_bcf, 1), "yes" if row.in_cvar_tail else ""])
    text = table(["scenario", "p", "deterministic commitments (million USD)",
                  f"risk-averse plan (W = {CVAR_WEIGHT:g})", "change", "unserved, deterministic (Bcf)",
                  "unserved, risk-averse (Bcf)", "cost ≥ VaR"], rows, "lrrrrrrl")
    parts = s["cost_breakdown_musd"]
    base_det = s["stochastic"]["deterministic_plan"]["objective_musd"]
    idle = [f"{num(parts['capacity_reserved_unused'], 1)} million USD of firm capacity booked and "
            "not used"]
    if parts.get("take_or_pay_unused", 0.0) >= 0.05:
        idle.append(f"{num(parts['take_or_pay_unused'], 1)} million USD of take-or-pay gas not taken")
    return (text + f"\n\nThe insurance is paid in every scenario: in the base the risk-averse plan "
            f"pays {listing(idle)}, and its base cost is {num(abs(s['objective_musd'] - base_det), 1)} "
            f"million USD {'above' if s['objective_musd'] >= base_det else 'below'} the deterministic "
            "plan's.")


def strategic_sites(case) -> list:
    return [k for k in case.storage if k.n1_deliverability != "no"]


@block("storage-policy")
def storage_policy(r: Runs) -> str:
    case = r.case
    plans = [r.base, r.storage_days, r.cover_1, r.cover_5]
    header = ["", "no storage policy", "`--storage-days 1`", "`--cover-days 1`", "`--cover-days 5`"]
    rows = [
        ["objective (million USD)"] + [num(p.summary["objective_musd"], 1) for p in plans],
        ["cash cost (million USD)"] + [num(p.summary["cash_cost_musd"], 1) for p in plans],
        ["unserved (Bcf)"] + [unserved_cell(p, case) for p in plans],
    ]
    for code in suppliers_shown(plans):
        rows.append([f"share of supply: {code}"] + [pct(p.summary["shares"][code]) for p in plans])
    rows.append(["HHI / Shannon"] + [f"{num(p.summary['hhi'])} / {num(p.summary['shannon'], 3)}"
                                     for p in plans])
    return table(header, rows)


@block("storage-policy-reading")
def storage_policy_reading(r: Runs) -> str:
    case = r.case
    base, days, cover1, cover5 = r.base, r.storage_days, r.cover_1, r.cover_5
    sites = strategic_sites(case)
    others = [k for k in case.storage if k.n1_deliverability == "no"]
    out = []
    counted = listing([f"{site_name(case, k.id)} (`{k.id}`, {num(k.working_gas_bcf)} Bcf"
                       + (f", from {month(k.first_period)})" if k.first_period else ")") for k in sites])
    text = f"Strategic storage in this case: {counted}"
    if others:
        text += (f"; {listing([f'`{k.id}` ({num(k.working_gas_bcf)} Bcf)' for k in others])} "
                 "is operational stock (`n1_deliverability = no`) and does not count")
    out.append(text + ".")
    working = sum(k.working_gas_bcf for k in sites)
    flows = base.flows[base.flows["kind"] != "domestic"]
    by_supplier = flows.groupby(["supplier", "period"])["flow_mmcfd"].sum().groupby("supplier").mean()
    importer = by_supplier.idxmax()
    out.append(f"Held full, the strategic sites cover five days of at most {num(working * 1000 / 5)} MMcf/d of one "
               f"supplier's imports; the least-cost plan imports {num(by_supplier.max())} MMcf/d "
               f"on average from {supplier_name(case, importer, article=True)}.")
    for plan, what in ((cover1, "One day of cover"), (days, "One day of average demand as a strategic floor")):
        extra = plan.summary["objective_musd"] - base.summary["objective_musd"]
        shed = plan.summary["unserved_bcf"]
        out.append(f"{what} costs {num(extra, 1)} million USD"
                   + (" and leaves no demand unserved." if shed < 0.05 else
                      f" and leaves {num(shed, 1)} Bcf unserved ({span(unserved_periods(plan), case)})."))
    shed = cover5.summary["unserved_bcf"]
    if shed >= 0.05:
        cash = cover5.summary["cash_cost_musd"] - base.summary["cash_cost_musd"]
        at_voll = cover5.summary["unserved_cost_musd"]
        mostly = "mostly gas at VOLL" if at_voll > 0.5 * cover5.summary["objective_musd"] else \
            f"{num(at_voll, 1)} million USD of it gas at VOLL"
        warned = any("cover" in w for w in cover5.summary["warnings"])
        out.append(
            f"Five days of cover cannot be held by this storage: the plan meets the cover by leaving "
            f"{num(shed, 1)} Bcf of demand unserved ({span(unserved_periods(cover5), case)}), so its "
            f"objective, {num(cover5.summary['objective_musd'], 1)} million USD, is {mostly}, "
            f"not the price of a cover policy"
            + (f"; its cash cost is {num(-cash, 1)} million USD below the base's, because less gas "
               "is bought" if cash < 0 else "")
            + (". The plan's warnings name the cover as the cause." if warned else "."))
    return " ".join(out)


@block("n1")
def n1(r: Runs) -> str:
    """N−1 per calculated area: the Regulation's formula beside the flow-based figure (the
    peak day solved on the network without the area's largest infrastructure)."""
    case = r.case
    s = r.base.summary
    security = r.base.extra["security"]
    adequacy = r.base.extra["adequacy"]
    flow = adequacy[adequacy["check"] == "n1"]

    def name(item: str) -> str:
        return entry_name(case, item) if item in {e.id for e in case.entries} else site_name(case, item)

    rows = []
    for area, v in s["n1_by_area"].items():
        own = flow[flow["area"] == area]
        worst = own.loc[own["served_pct"].idxmin()]
        rows.append([f"`{area}`", f"{num(v['n1_min_pct'], 1)}%", month(v["period"]),
                     f"{num(worst['served_pct'], 1)}%", month(worst["period"]), name(worst["without"])])
    text = table(["calculated area (its nodes)", "formula, lowest", "in", "flow-based, lowest", "in",
                  "without (largest infrastructure)"], rows, "lrlrll")
    out = []
    for area, v in s["n1_by_area"].items():
        at = security[(security["area"] == area) & (security["n1_pct"] <= 1e-9)]
        if len(at):
            only = at["largest_infrastructure"].iloc[0]
            out.append(f"`{area}` has an N−1 of 0% in {span(list(at['period']), case)}: all its "
                       f"capacity then is one infrastructure, {name(only)} "
                       f"({num(at['im_mmcfd'].iloc[0])} MMcf/d).")
    both = flow.merge(security[["period", "area", "n1_pct"]], on=["period", "area"])
    gap = both[both["n1_pct"] > 1e-9].assign(gap=lambda f: f["n1_pct"] - f["served_pct"])
    if len(gap):
        g = gap.loc[gap["gap"].idxmax()]
        out.append(f"The formula counts capacity as if gas reached every node of its area; on the "
                   f"network, `{g['area']}` without {name(g['without'])} serves "
                   f"{num(g['served_pct'], 1)}% of its peak-day demand in {month(g['period'])}, "
                   f"where the formula gives {num(g['n1_pct'], 1)}%: the pipelines inside the area "
                   "are the bottleneck.")
    required = 90
    violations = r.min_n1(required)
    if violations:
        out.append(f"`gasmix solve --min-n1 {required}` (the flow-based figure) exits 3 before "
                   f"solving, with {len(violations)} area-period{'s' if len(violations) > 1 else ''} "
                   f"short; the first reads: “{violations[0]}”.")
    return text + "\n\n" + " ".join(out)


# --- docs/cli.md and docs/outputs.md --------------------------------------------------------

COMMAND_ORDER = ("solve", "stress", "sweep", "frontier", "validate", "init", "report")


def _commands():
    import click

    from gasmix.cli import main

    group_ctx = click.Context(main, info_name="gasmix")
    names = [n for n in COMMAND_ORDER if n in main.commands]
    names += [n for n in main.list_commands(group_ctx) if n not in names]
    return click, main, group_ctx, names


@block("cli-commands")
def cli_commands(r: Runs) -> str:
    click, main, group_ctx, names = _commands()
    sections = []
    for name in names:
        cmd = main.commands[name]
        ctx = click.Context(cmd, info_name=f"gasmix {name}", parent=None)
        usage = f"gasmix {name} " + " ".join(cmd.collect_usage_pieces(ctx))
        text = inspect.cleandoc(cmd.help or "")
        paragraphs = text.split("\n\n")
        about = [p.replace("\n", " ") for p in paragraphs if not p.startswith("\b")]
        examples = [p for p in paragraphs if p.startswith("\b")]
        rows = []
        for param in cmd.params:
            if not isinstance(param, click.Option):
                continue
            record = param.get_help_record(ctx)
            if record:
                rows.append([f"`{record[0]}`", record[1]])
        parts = [f"### `gasmix {name}`", "", f"```\n{usage}\n```", "", "\n\n".join(about)]
        if rows:
            parts += ["", table(["option", "meaning"], rows, "ll")]
        for ex in examples:
            lines = [line for line in ex.splitlines()[1:] if line.strip()]
            if lines and lines[0].strip().rstrip(":") in ("Example", "Examples"):
                lines = lines[1:]
            parts += ["", "```bash", *[line.strip() for line in lines], "```"]
        sections.append("\n".join(parts))
    return "\n\n".join(sections)


EXIT_MEANINGS = {
    "EXIT_OK": "the output was written",
    "EXIT_INPUT": "bad input or usage: the message names the file, row, column, value and rule; "
                  "no traceback",
    "EXIT_INFEASIBLE": "the policy cannot be met: a diagnosis says which limits must give way, "
                       "where and by how much",
    "EXIT_SOLVER": "the solver failed, stopped without a plan, or its answer failed verification",
    "EXIT_INTERRUPTED": "interrupted (Ctrl-C): the message says what is on disk — nothing was "
                        "written, or the outputs named were written in full before the stop; "
                        "everything else is as it was",
    "EXIT_TERMINATED": "terminated (SIGTERM, e.g. `kill` or a job scheduler): as for 130",
}


@block("exit-codes")
def exit_codes(r: Runs) -> str:
    from gasmix.optimizer import errors

    raised: dict[int, list[str]] = {}
    for kind, code in errors.EXIT_CODES:
        raised.setdefault(code, []).append(f"`{kind.__name__}`")
    rows = []
    for constant, meaning in EXIT_MEANINGS.items():
        code = getattr(errors, constant)
        rows.append([f"**{code}**", meaning, ", ".join(raised.pop(code, [])) or "–"])
    if raised:
        raise RuntimeError(f"exit codes without a meaning in docs/generate.py: {sorted(raised)}")
    return table(["exit code", "meaning", "library exceptions mapped to it"], rows, "rll")


@block("set-keys")
def set_keys(r: Runs) -> str:
    from gasmix.models import SCALAR_SETTINGS

    rows = []
    for key, s in SCALAR_SETTINGS.items():
        if s.choices:
            values = " or ".join(f"`{c}`" for c in s.choices)
        else:
            low = "" if s.minimum is None else f"{s.minimum:g}"
            high = "" if s.maximum is None else f"{s.maximum:g}"
            unit = "" if s.unit in ("", "–", "0–1") else s.unit
            values = f"{low} … {high} {unit}".strip()
        rows.append([f"`{key}`", f"`[{s.section}]`", values, "" if s.default is None else f"{s.default}",
                     s.description])
    return table(["KEY", "case.toml section", "values", "default", "meaning"], rows, "lllrl")


TABLE_ROWS = {
    "flows": "period × source", "storage": "period × storage site", "transport": "period × arc",
    "prices": "period × node", "shares": "period × supplier", "constraints": "limit × period",
    "savings": "binding limit",
    "security": "period (its worst calculated area)",
    "scenarios": "scenario", "scenario_flows": "scenario × period × source",
    "commitments": "period × contract or storage site",
    "lng_prices": "period × LNG source (origin → terminal)",
    "firm_capacity": "period × entry or arc with firm capacity",
    "pass_through": "period × export plant",
    "adequacy": "period × check: its peak day, then the flow-based N−1 of each area and of the system",
    "demand_tiers": "period × node × demand tier (protected demand last)",
}


def _files(plan, names) -> str:
    rows = []
    for name in names:
        frame = plan.tables()[name]
        if name not in TABLE_ROWS:
            raise RuntimeError(f"table {name!r} has no 'one row per' in docs/generate.py")
        rows.append([f"`{name}.csv`", TABLE_ROWS[name], ", ".join(f"`{c}`" for c in frame.columns)])
    return table(["file", "one row per", "columns"], rows, "lll")


@block("plan-files")
def plan_files(r: Runs) -> str:
    plan = r.capped
    text = _files(plan, list(plan.tables()))
    keys = ", ".join(f"`{k}`" for k in plan.summary)
    return text + f"\n\n`summary.json` holds one object with the keys {keys}."


@block("stochastic-files")
def stochastic_files(r: Runs) -> str:
    plan = r.risk_averse
    extra = [n for n in plan.tables() if n not in r.base.tables()]
    added = [k for k in plan.summary if k not in r.base.summary]
    return (_files(plan, extra) + "\n\n`summary.json` adds "
            + ", ".join(f"`{k}`" for k in added) + f"; the `stochastic` object holds "
            + ", ".join(f"`{k}`" for k in plan.summary["stochastic"]) + ".")


@block("workbook-sheets")
def workbook_sheets(r: Runs) -> str:
    """The sheets of plan workbooks and their header rows, read back from workbooks written
    now (a deterministic and a stochastic plan)."""
    import tempfile

    import openpyxl

    def sheets(plan) -> dict[str, tuple]:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "plan.xlsx"
            plan.write(path, format="xlsx")
            book = openpyxl.load_workbook(path, read_only=True)
            try:
                return {ws.title: next(ws.iter_rows(min_row=1, max_row=1, values_only=True))
                        for ws in book.worksheets}
            finally:
                book.close()

    plain, stochastic = sheets(r.capped), sheets(r.risk_averse)
    rows = [[f"`{name}`", "every plan" if name in plain else "stochastic plans",
             ", ".join(f"{c}" for c in header if c is not None)]
            for name, header in stochastic.items()]
    missing = set(plain) - set(stochastic)
    if missing:
        raise RuntimeError(f"sheets only in deterministic workbooks: {sorted(missing)}")
    return table(["sheet", "written for", "header row"], rows, "lll")


@block("study-files")
def study_files(r: Runs) -> str:
    stress_table, _ = r.stress
    sweep_columns = [c for c in r.sweep.columns if not c.startswith(("share_", "base_share_"))
                     and c != f"cap.{CAPPED}"]
    frontier_columns = [c for c in r.frontier.columns if not c.startswith("share_")]
    rows = [
        ["`stress.csv`", "scenario", ", ".join(f"`{c}`" for c in stress_table.columns)],
        ["`sweep.csv`", "point", "one column per parameter, then " + ", ".join(f"`{c}`" for c in sweep_columns)
         .replace("`message`", "`share_<SUPPLIER>` (of supply), `base_share_<SUPPLIER>` (of imports, "
                  "with `--share-of imports`), `message`")],
        ["`frontier.csv`", "point", ", ".join(f"`{c}`" for c in frontier_columns)
         .replace("`same_plan_as`", "`same_plan_as`, `share_<SUPPLIER>`")],
    ]
    short = r.stress[1].extra.get("short_events")
    if short is not None:
        rows.insert(1, ["`short_events.csv` (stress, with short events)", "window × demand tier",
                        ", ".join(f"`{c}`" for c in short.columns)])
    return table(["file", "one row per", "columns"], rows, "lll")


@block("shadow-prices")
def shadow_prices(r: Runs) -> str:
    from gasmix.optimizer.results.savings import STEPS

    frames = [p.constraints for p in (r.base, r.capped, r.storage_days, r.cover_1)]
    c = pd.concat(frames, ignore_index=True)
    units = c.groupby("family", sort=False)["unit"].first()
    step_words = {"MUSD per pp": "one percentage point", "MUSD per 100 MMcf/d": "100 MMcf/d",
                  "MUSD per Bcf": "1 Bcf"}
    floors = ("share_min", "storage_days", "storage_cover")
    rows = [[f"`{family}`", ("lowered" if family in floors else "raised") + " by "
             + step_words[unit], unit] for family, unit in units.items()]
    if set(units.index) - set(STEPS):
        raise RuntimeError("a family without a planner step")
    binding = c[c["binding"]]["shadow_price"]
    if not len(binding) or not (binding > 0).all():
        raise RuntimeError("binding limits must show a positive saving")
    return ("`shadow_price` is what loosening the limit by one step in the row's period "
            "saves, in million USD — positive on every binding limit:\n\n"
            + table(["family", "loosened", "unit of `shadow_price`"], rows, "lll"))


# --- docs/model.md (written from the constraint-family registry) -----------------------------

@block("model-families")
def model_families(r: Runs) -> str:
    from gasmix.optimizer.formulation import families

    return families.model_markdown().strip()


@block("model-scenarios")
def model_scenarios(r: Runs) -> str:
    from gasmix.optimizer.formulation import families

    return families.scenarios_markdown().strip()


# --- docs/inputs.md and docs/library.md -------------------------------------------------------

def escape_choice_pipes(markdown: str) -> str:
    """Escape the `|` between a choice column's values ("pipeline | lng | domestic" in the
    range column), which would otherwise split the table row into too many cells. Rows of
    the right width are left as they are, so this does nothing once the schema escapes
    them itself."""
    out, width, at = [], None, None
    for line in markdown.split("\n"):
        if not line.startswith("|"):
            width = None
            out.append(line)
            continue
        cells = line.strip().strip("|").split("|")
        if width is None:  # the header row
            width = len(cells)
            names = [c.strip() for c in cells]
            at = names.index("range") if "range" in names else None
        elif len(cells) > width and not set(line) <= set("|-: "):
            if at is None:
                raise RuntimeError(f"a row wider than its table: {line}")
            extra = len(cells) - width
            merged = " \\| ".join(c.strip() for c in cells[at:at + extra + 1])
            cells = cells[:at] + [f" {merged} "] + cells[at + extra + 1:]
            line = "|" + "|".join(cells) + "|"
        out.append(line)
    return "\n".join(out)


@block("input-reference")
def input_reference(r: Runs) -> str:
    from gasmix.models.schema import reference_markdown

    # The schema writes level-4 headings (to sit inside a longer page); here they are the
    # page's sections.
    text = re.sub(r"^#### ", "## ", reference_markdown().strip(), flags=re.M)
    return escape_choice_pipes(text)


class _Written:
    """An annotation as its source writes it (no quotes around postponed annotations)."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _signature(function, name: str) -> str:
    signature = inspect.signature(function)

    def plain(annotation):
        return _Written(annotation) if isinstance(annotation, str) else annotation

    signature = signature.replace(
        parameters=[p.replace(annotation=plain(p.annotation)) for p in signature.parameters.values()],
        return_annotation=plain(signature.return_annotation))
    return f"{name}{signature}".replace("'", '"')


@block("library-signatures")
def library_signatures(r: Runs) -> str:
    import gasmix
    from gasmix.optimizer import frontier, pulp_problem, solve, solve_point, solve_stochastic, \
        stress_test, sweep, write_mps

    functions = [("gasmix.load_case", gasmix.load_case), ("gasmix.default_case", gasmix.default_case),
                 ("solve", solve), ("solve_stochastic", solve_stochastic), ("stress_test", stress_test),
                 ("sweep", sweep), ("solve_point", solve_point), ("frontier", frontier),
                 ("pulp_problem", pulp_problem), ("write_mps", write_mps),
                 ("Plan.write", gasmix.Plan.write)]
    return "```python\n" + "\n".join(_signature(f, n) for n, f in functions) + "\n```"


# --- rendering and checking -----------------------------------------------------------------

def produce(runs: Runs | None = None, names=None) -> dict[str, str]:
    """Each block's Markdown as its function writes it now."""
    runs = runs or Runs()
    return {name: BLOCKS[name](runs).rstrip("\n") for name in (names or BLOCKS)}


def blocks_in(text: str) -> list[tuple[str, str]]:
    """(name, body) of every generated block of a page, in order."""
    return [(m.group("name"), m.group("body").rstrip("\n")) for m in MARKER.finditer(text)]


def render(text: str, produced: dict[str, str]) -> str:
    """The page with every block's body replaced by what its function writes."""
    def replace(match: re.Match) -> str:
        name = match.group("name")
        if name not in produced:
            raise KeyError(f"unknown generated block {name!r} (registered: {', '.join(sorted(BLOCKS))})")
        return f"<!-- generated: {name} -->\n{produced[name]}\n<!-- /generated -->"
    return MARKER.sub(replace, text)


def placement(files=None) -> dict[str, list[Path]]:
    """Block name → the pages holding it (each name should be on exactly one)."""
    found: dict[str, list[Path]] = {}
    for path in files or pages():
        for name, _ in blocks_in(path.read_text(encoding="utf-8")):
            found.setdefault(name, []).append(path)
    return found


def problems(files=None) -> list[str]:
    """Blocks on no page, on two, or not registered."""
    found = placement(files)
    out = [f"block {name!r} is on no page" for name in BLOCKS if name not in found]
    out += [f"block {name!r} is on {len(where)} pages/places: {', '.join(str(p.relative_to(ROOT)) for p in where)}"
            for name, where in found.items() if len(where) > 1]
    out += [f"block {name!r} on {where[0].relative_to(ROOT)} has no function in docs/generate.py"
            for name, where in found.items() if name not in BLOCKS]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a block is stale, missing or unknown")
    args = parser.parse_args(argv)
    trouble = problems()
    if trouble:
        print("\n".join(trouble), file=sys.stderr)
        return 1
    produced = produce()
    stale = []
    for path in pages():
        text = path.read_text(encoding="utf-8")
        new = render(text, produced)
        if new == text:
            continue
        where = path.relative_to(ROOT)
        if args.check:
            for (name, old), (_, now) in zip(blocks_in(text), blocks_in(new)):
                if old != now:
                    stale.append(name)
                    diff = difflib.unified_diff(old.splitlines(), now.splitlines(),
                                                f"{where} (as written)", f"{where} ({name}, now)",
                                                lineterm="", n=0)
                    print("\n".join(diff), file=sys.stderr)
        else:
            path.write_text(new, encoding="utf-8")
            print(f"rewrote {where}")
    if stale:
        print(f"stale blocks: {', '.join(stale)} — run python docs/generate.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
