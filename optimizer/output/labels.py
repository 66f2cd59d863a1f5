"""How a plan's columns and headline figures read for people: labels, units, formats.

The plan's column names carry their unit (`flow_mmcfd`, `cost_musd`); the workbook and the
report show them as "flow (MMcf/d)", "cost (million USD)". One table of units here, so the
two outputs say the same thing the same way.
"""

from __future__ import annotations

# Suffix of a column name → its unit as shown, and the Excel number format of its values.
# Longest suffixes first: "_usd_mmbtu" before anything shorter that it ends with.
UNITS = (
    ("_usd_mmbtu", "USD/MMBtu", "#,##0.00"),
    ("_mmcfd", "MMcf/d", "#,##0.0"),
    ("_bcf", "Bcf", "#,##0.00"),
    ("_musd", "million USD", "#,##0.0"),
)
# Columns that are fractions, shown as percentages.
PERCENT_COLUMNS = ("share", "cap", "utilisation")
# Columns whose header is not made from their name: N−1's terms (security.csv) in words,
# and the saving of a binding limit (savings.csv).
HEADERS = {
    "ep_mmcfd": "pipeline entry capacity EPm (MMcf/d)",
    "pm_mmcfd": "domestic production capacity Pm (MMcf/d)",
    "sm_mmcfd": "storage withdrawal capacity Sm (MMcf/d)",
    "lngm_mmcfd": "LNG regas capacity LNGm (MMcf/d)",
    "im_mmcfd": "largest single infrastructure Im (MMcf/d)",
    "dmax_mmcfd": "peak-day demand Dmax (MMcf/d)",
    "n1_pct": "N−1 (%)",
    "area": "calculated area (worst)",
    "shannon": "Shannon index",
    "shadow_price": "saving if loosened (see unit)",
    "horizon_saving": "saving over the horizon (see unit)",
    "peak_saving": "saving in the largest month (see unit)",
    "peak_period": "largest month",
    "binding_periods": "binding periods",
}
# Fractions in sweep and frontier tables (and a stochastic plan's scenarios), shown as %.
PERCENT_NAMES = ("import_dependence", "largest_share", "largest_period_share", "largest_base_share",
                 "probability")
# Column name prefixes of shares by supplier (sweep and frontier tables), shown as %.
PERCENT_PREFIXES = ("share_", "base_share_")
PERCENT_FORMAT = "0.0%"
# Constraint rows mix units (the `unit` column says which): enough digits for all.
PLAIN_FORMAT = "#,##0.00##"
# Savings as the terminal and the report show them: one decimal from 10 up, three below.
SAVING_FORMAT = "[>=10]#,##0.0;0.000"


# Words that are acronyms, written as such wherever a name becomes a label.
ACRONYMS = {"voll": "VOLL", "hhi": "HHI", "cvar": "CVaR", "vss": "VSS", "evpi": "EVPI",
            "var": "VaR", "lng": "LNG", "n1": "N−1"}


def flags(series):
    """true/false cells (CSV text or booleans) as booleans."""
    return series.map(lambda v: str(v).strip().lower() in ("true", "1", "yes"))


def words(name: str) -> str:
    """'unserved_at_voll' → 'unserved at VOLL', 'hhi' → 'HHI'."""
    return " ".join(ACRONYMS.get(w.lower(), w) for w in name.split("_"))


def part_label(name: str) -> str:
    """A cost breakdown part as a label: 'unserved_at_voll' → 'unserved at VOLL'."""
    return words(name)


def column_label(name: str) -> str:
    """'flow_mmcfd' → 'flow (MMcf/d)', 'share' → 'share (%)', 'hhi' → 'HHI';
    'ep_mmcfd' → 'pipeline entry capacity EPm (MMcf/d)' (HEADERS)."""
    if name in HEADERS:
        return HEADERS[name]
    for suffix, unit, _ in UNITS:
        if name.endswith(suffix) and len(name) > len(suffix):
            return f"{words(name[:-len(suffix)])} ({unit})"
    if name in PERCENT_COLUMNS or name in PERCENT_NAMES or name.startswith(PERCENT_PREFIXES):
        return f"{words(name)} (%)"
    return words(name)


def number_format(name: str) -> str | None:
    """The Excel number format of a column's values (None: text or a flag)."""
    for suffix, _, fmt in UNITS:
        if name.endswith(suffix):
            return fmt
    if name in PERCENT_COLUMNS or name in PERCENT_NAMES or name.startswith(PERCENT_PREFIXES):
        return PERCENT_FORMAT
    if name in ("shadow_price", "horizon_saving", "peak_saving"):
        return SAVING_FORMAT
    if name in ("limit", "value", "slack"):
        return PLAIN_FORMAT
    if name in ("shannon", "risk_exposure"):
        return "0.000"
    if name == "hhi":
        return "#,##0"
    if name.endswith("_pct"):
        return "0.0"
    return None


# --- limits and study parameters in a planner's words -------------------------------------

# A binding limit's kind, as a word after its name ("ALTAMIRA entry").
LIMIT_WORDS = {"share_cap": "share cap", "share_min": "share floor", "entry_capacity": "entry",
               "origin_capacity": "LNG origin", "arc_capacity": "arc",
               "storage_injection": "injection", "storage_withdrawal": "withdrawal",
               "storage_working_gas": "working gas", "storage_days": "storage days",
               "storage_cover": "supply-loss cover"}
# The unit of a saving, as "what one step of loosening is".
SAVING_STEPS = {"MUSD per pp": "per pp looser", "MUSD per 100 MMcf/d": "per 100 MMcf/d more",
                "MUSD per Bcf": "per Bcf"}


def limit_label(family: str, name: str) -> str:
    """A binding limit as a planner names it: 'cap US', 'ALTAMIRA entry', 'JAF working gas'."""
    if family in ("share_cap", "share_min"):
        return name
    return f"{name} {LIMIT_WORDS.get(family, words(family))}"


def param_label(key: str, names: dict | None = None) -> str:
    """A sweep parameter as an axis label: 'cap.US' → 'United States share cap (%)' (the
    supplier's name when `names` has it), 'max_share' → 'cap on every supplier's share (%)',
    'price.HH' → 'HH price (× base)'."""
    kind, _, target = key.partition(".")
    name = (names or {}).get(target) or target
    return {"cap": f"{name} share cap (%)", "max_share": "cap on every supplier's share (%)",
            "risk_weight": "risk weight λ (USD/MMBtu per unit of risk)",
            "voll": "VOLL (USD/MMBtu)", "price": f"{name} price (× base)",
            "demand": "demand (× base)", "capacity": f"{name} capacity (× base)",
            "exclude": "suppliers excluded"}.get(kind, key)


def is_share_param(key: str) -> bool:
    """A parameter whose values are shares (0–1), shown in %."""
    return key.partition(".")[0] in ("cap", "max_share")


def param_value(key: str, value) -> str:
    """A parameter's value as a planner reads it: caps in %, multipliers as '×1.2'."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if is_share_param(key):
            return f"{value * 100:.4g}%"
        return f"{value:g}"
    return str(value)


# --- headline figures -------------------------------------------------------------------

# (summary key, label, unit, kind); kind says how to show the value:
# "musd", "bcf", "price", "percent", "index".
HEADLINES = (
    ("objective_musd", "objective (incl. unserved at VOLL, risk penalty)", "million USD", "musd"),
    ("cash_cost_musd", "cash cost", "million USD", "musd"),
    ("unserved_bcf", "unserved demand", "Bcf", "bcf"),
    ("avg_cost_usd_mmbtu", "average cost of gas served", "USD/MMBtu", "price"),
    ("import_dependence", "import dependence", "of supply", "percent"),
    ("hhi", "HHI (supplier concentration, 0–10,000)", "", "index"),
    ("largest_share", "largest supplier share", "of supply", "percent"),
)

# A stochastic plan's figures (solve --scenarios): (summary key, label, unit, kind). The
# label's "{alpha}" is the CVaR level in percent.
STOCHASTIC_HEADLINES = (
    ("mean_risk_objective_musd", "mean-risk objective: (1 − W)·expected cost + W·CVaR",
     "million USD", "musd"),
    ("expected_cost_musd", "expected cost over the scenarios", "million USD", "musd"),
    ("cvar_musd", "CVaR {alpha}: mean cost of the worst {tail} of outcomes", "million USD", "musd"),
    ("vss_musd", "value of the stochastic solution (VSS), on the mean-risk objective",
     "million USD", "musd"),
    ("vss_expected_cost_musd", "VSS on expected cost alone (may be negative when W > 0)",
     "million USD", "musd"),
    ("evpi_musd", "expected value of perfect information (EVPI)", "million USD", "musd"),
)

EXCEL_FORMATS = {"musd": "#,##0.0", "bcf": "#,##0.0", "price": "0.00", "percent": "0.0%",
                 "index": "#,##0", "days": "#,##0.0", "seconds": "0.00", "count": "0",
                 "pct": "0.0", "ratio": "0.000"}


def largest_share(summary: dict) -> tuple[str | None, float]:
    """The supplier with the largest share of supply over the horizon, and that share."""
    shares = {k: v for k, v in summary.get("shares", {}).items() if v is not None}
    if not shares:
        return None, 0.0
    code = max(shares, key=shares.get)
    return code, float(shares[code])


def headline_values(summary: dict) -> list[dict]:
    """The headline figures of a plan: key, label, value, unit, kind (and the supplier for
    the largest share)."""
    out = []
    for key, label, unit, kind in HEADLINES:
        note = None
        if key == "largest_share":
            note, value = largest_share(summary)
        else:
            value = summary.get(key)
        out.append({"key": key, "label": label, "value": value, "unit": unit, "kind": kind,
                    "note": note})
    return out


def stochastic_values(summary: dict) -> list[dict]:
    """A stochastic plan's figures, like headline_values ([] for a deterministic plan)."""
    block = summary.get("stochastic")
    if not isinstance(block, dict):
        return []
    alpha = block.get("cvar_alpha")
    alpha_text = f"α = {alpha:.0%}" if isinstance(alpha, (int, float)) else "α"
    tail = f"{1 - alpha:.0%}" if isinstance(alpha, (int, float)) else "1 − α"
    out = []
    for key, label, unit, kind in STOCHASTIC_HEADLINES:
        out.append({"key": key, "label": label.format(alpha=alpha_text, tail=tail),
                    "value": summary.get(key), "unit": unit, "kind": kind, "note": None})
    return out


def show(value, kind: str) -> str:
    """A figure as text: thousands separators, shares as percentages, '–' for none."""
    if value is None:
        return "–"
    if kind == "percent":
        return f"{value:.1%}"
    if kind == "price":
        return f"{value:,.2f}"
    if kind == "index":
        return f"{value:,.0f}"
    return f"{value:,.1f}"
