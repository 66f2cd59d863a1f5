"""The one registry of constraint families: name, function, equation, row blocks, what the
dual means, and which models use it.

Every build reads this registry — the deterministic model (`DETERMINISTIC`, in order) and
each scenario of the two-stage model (`SCENARIO`, in order) — and so do the diagnosis of
an infeasible policy (row titles), verification (the balance rows) and docs/model.md, which
`model_markdown()` writes from the functions' docstrings, so the documented equations are
the code's own.

A family is one function `define(m, d, cols)`: it adds its rows and bounds for the data `d`
(arrays.ModelData; a scenario's data in the two-stage model) on the columns `cols`
(constraints.Columns). Order matters where families set the same bounds: exclusions come
after the source bounds, so they override a contract minimum.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import names, scenarios
from .arrays import fixed_payments, netback, pass_through, route_freight, source_prices
from .constraints import (define_arc_capacity, define_balance, define_demand_tiers,
                          define_entry_capacity, define_storage_ratchet,
                          define_exclusions, define_origin_capacity, define_share_limits,
                          define_source_bounds, define_storage, define_variables)
from .blocks import define_day_blocks
from .storage_policy import define_storage_cover, define_storage_days
from .two_stage import (define_contract_take, define_cvar, define_export_limit,
                        define_first_stage, define_scenario_supply_bounds,
                        define_scenario_variables, define_take_or_pay, define_unpaid_cap)


@dataclass(frozen=True)
class Family:
    """A constraint family: its name, the function that builds it (whose docstring is its
    equation), the row blocks it adds (names.py; column bounds add none), a plain-words
    title for each row block, and what the dual of its rows (or the reduced cost of its
    bounds) means."""

    name: str
    define: Callable
    rows: tuple[str, ...]
    titles: tuple[str, ...]
    dual: str

    @property
    def equation(self) -> str:
        return _doc(self.define)


REGISTRY: tuple[Family, ...] = (
    Family("balance", define_balance, (names.BALANCE,), ("node balance",),
           "y[n,t] = ∂objective/∂(demand + transit)[n,t] with u's bound held. The marginal "
           "cost of demand at n in t (prices.csv, USD/MMBtu) is min(y[n,t], w_t·VOLL)/w_t: "
           "one more MMcf/d of demand also raises the bound of u, so it can go unserved at "
           "VOLL; risk penalty included where λ > 0."),
    Family("demand_tiers", define_demand_tiers, (names.DEMAND_TIERS,), ("demand tiers",),
           "the node's marginal cost of unserved gas (million USD per MMcf/d in t): the "
           "value of the dearest tier left unserved there, × w_t."),
    Family("entry_capacity", define_entry_capacity, (names.ENTRY_CAPACITY,), ("entry capacity",),
           "∂objective/∂capacity[e,t] ≤ 0; −dual/w_t is what one more MMcf/d of entry capacity "
           "in t saves per MMBtu (USD/MMBtu)."),
    Family("origin_capacity", define_origin_capacity, (names.ORIGIN_CAPACITY,),
           ("origin availability",),
           "∂objective/∂available[o,t] ≤ 0; −dual/w_t is what one more MMcf/d the origin "
           "could sell in t saves per MMBtu (USD/MMBtu)."),
    Family("source_bounds", define_source_bounds, (names.SOURCE_MINIMUM,), ("contract minimum",),
           "column bounds: the reduced cost of q[s,t] at its bound, per w_t (USD/MMBtu)."),
    Family("arc_capacity", define_arc_capacity, (), (),
           "column bounds: the reduced cost of f[a,t] at its capacity; −reduced cost/w_t is "
           "what one more MMcf/d of arc capacity in t saves per MMBtu (USD/MMBtu)."),
    Family("storage", define_storage,
           (names.STORAGE_BALANCE, names.STORAGE_FLOOR, names.STORAGE_END),
           ("storage balance", "storage floor", "storage end target"),
           "storage_balance: the value of one Bcf more in store at the end of t (million "
           "USD/Bcf); the reduced costs of v at working gas (million USD per Bcf of working "
           "gas in t) and of y_in, y_out at their rates (per w_t: USD/MMBtu)."),
    Family("storage_ratchet", define_storage_ratchet, (names.STORAGE_RATCHET,),
           ("withdrawal ratchet",),
           "∂objective/∂(withdrawal limit)[k,t] ≤ 0: what one more MMcf/d of deliverability "
           "in t saves (million USD per MMcf/d); × −slope it is the value of stock for "
           "deliverability."),
    Family("day_blocks", define_day_blocks,
           (names.DAY_BALANCE, names.DAY_CAPACITY, names.DAY_STOCK, names.DAY_REST),
           ("day-block balance", "day-block capacity", "day-block stock",
            "rest of the period"),
           "day_balance: the value of one more MMcf/d of demand on the block's days (million "
           "USD per MMcf/d); day_capacity, day_stock, day_rest: what one more MMcf/d (or Bcf) "
           "of the limit on those days saves."),
    Family("share_limits", define_share_limits, (names.SHARE_BASE, names.SHARE_LIMIT),
           ("share base", "share limit"),
           "share_limit: ∂objective/∂σ = dual × b[t] (million USD per unit share; × 0.01 "
           "per percentage point); ≤ 0 on a binding cap."),
    Family("exclusions", define_exclusions, (), (), "column bounds fixed at 0: no dual."),
    Family("storage_days", define_storage_days, (names.STORAGE_DAYS,), ("storage-days floor",),
           "∂objective/∂floor[t]: million USD per Bcf of required strategic stock."),
    Family("storage_cover", define_storage_cover, (names.STORAGE_COVER,), ("supply-loss cover",),
           "million USD per Bcf of stock the cover requires."),
    Family("scenario_supply_bounds", define_scenario_supply_bounds, (), (),
           "column bounds: reduced costs, as for the source bounds."),
    Family("contract_take", define_contract_take, (names.CONTRACT_TAKE,), ("contracted take",),
           "the value (million USD per MMcf/d) of one more unit of contracted gas "
           "available in scenario ω."),
    Family("take_or_pay", define_take_or_pay, (names.TAKE_OR_PAY,), ("take-or-pay",),
           "the cost (million USD per MMcf/d) of one more unit owed under take-or-pay."),
    Family("unpaid_cap", define_unpaid_cap, (names.UNPAID_CAP,), ("untaken-gas cap",),
           "zero unless the commodity price is negative."),
    Family("export_limit", define_export_limit, (names.EXPORT_LIMIT,), ("export limit",),
           "∂objective/∂(φ_e·Σ q_ref): what one more MMcf/d allowed across the limit saves "
           "(million USD per MMcf/d in t)."),
    Family("cvar", define_cvar, (names.CVAR,), ("CVaR",),
           "μ_ω: the weight cost_ω carries beyond (1 − W)·p_ω; (1 − W)·p_ω + μ_ω is "
           "∂objective/∂cost_ω."),
)

# What each model builds, in order (families(...) turns names into the Family records).
DETERMINISTIC = ("balance", "demand_tiers", "entry_capacity", "origin_capacity", "source_bounds",
                 "arc_capacity", "storage", "storage_ratchet", "day_blocks", "share_limits",
                 "exclusions", "storage_days", "storage_cover")
# Per scenario of the two-stage model: the scenario's supply families in place of the
# source bounds, then every other deterministic family with the scenario's data. The CVaR
# family spans the scenarios and is built once (build.build_stochastic).
SCENARIO = ("scenario_supply_bounds", "contract_take", "take_or_pay", "unpaid_cap",
            "export_limit", "balance", "demand_tiers", "entry_capacity", "origin_capacity",
            "arc_capacity", "storage", "storage_ratchet", "day_blocks", "share_limits",
            "exclusions", "storage_days", "storage_cover")

_BY_NAME = {f.name: f for f in REGISTRY}
# Plain words for each row block.
TITLES = {row: title for f in REGISTRY for row, title in zip(f.rows, f.titles)}
# The variables, first stage and objective: documented beside the families.
VARIABLES = (define_variables, define_first_stage, define_scenario_variables)
# What the families read that is computed from the case: prices (netback LNG, freight),
# pass-through feed gas, reservation payments. Documented with the model too.
DATA = (source_prices, netback, route_freight, pass_through, fixed_payments)


def families(order: tuple[str, ...]) -> tuple[Family, ...]:
    """The Family records of `order` (DETERMINISTIC or SCENARIO), in that order."""
    return tuple(_BY_NAME[name] for name in order)


def title(row_block: str) -> str:
    """A row block's name in plain words (its own name if the registry has none)."""
    return TITLES.get(row_block, row_block)


def model_markdown() -> str:
    """The variables, objective and every family's equation and dual, as Markdown, from
    the functions' docstrings: the part of docs/model.md that cannot drift from the code."""
    out = ["### Variables and objective", ""]
    for function in VARIABLES:
        out += [f"`{function.__name__}`", "", _block(_doc(function)), ""]
    out += ["### Prices, freight, pass-through and fixed payments", ""]
    for function in DATA:
        out += [f"`{function.__name__}`", "", _block(_doc(function)), ""]
    out += ["### Constraint families", "",
            "| family | deterministic | each scenario | row blocks | dual |", "|---|:-:|:-:|---|---|"]
    for f in REGISTRY:
        det = "✓" if f.name in DETERMINISTIC else ""
        sc = "✓" if f.name in SCENARIO else ("once" if f.name == "cvar" else "")
        rows = ", ".join(f"`{r}`" for r in f.rows) or "(column bounds)"
        out.append(f"| `{f.name}` | {det} | {sc} | {rows} | {f.dual} |")
    out.append("")
    for f in REGISTRY:
        out += [f"#### `{f.name}`", "", _block(f.equation), ""]
    return "\n".join(out)


def scenarios_markdown() -> str:
    """How a disruption scenario changes the model's data, from formulation/scenarios.py."""
    return (scenarios.__doc__ or "").strip()  # prose and nested lists: Markdown as it is


def _doc(function) -> str:
    """A module-level function's docstring with the body's indentation (4) removed, so the
    equations keep their own 4-space indent whatever the prose around them."""
    lines = (function.__doc__ or "").splitlines()
    return "\n".join([lines[0].strip()] + [line[4:] for line in lines[1:]]).strip() if lines else ""


def _block(text: str) -> str:
    """A docstring as Markdown: its indented equations as a code block, the prose as is."""
    lines, out, code = text.splitlines(), [], []
    for line in lines + [""]:
        if line.startswith("    "):
            code.append(line[4:])
            continue
        if code:
            while code and not code[-1].strip():
                code.pop()
            out += ["```text", *code, "```"]
            code = []
        out.append(line)
    return "\n".join(out).strip()
