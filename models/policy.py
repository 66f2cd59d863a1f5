"""The planner's policy: one home for its rules, wherever it comes from.

A policy is read from case.toml's `[policy]` and `share_limits.csv`, or laid over the case
in code (`solve(case, caps={"US": 0.6})`, `--cap US=0.6`). Both go through the checks here
(one setting's type and range through schema.check_setting), so `gasmix validate` and
`gasmix solve` accept and reject the same policies:

* `policy_problems` — a whole policy against its case: unknown suppliers, sources, kinds
  and periods, shares outside 0…1, share limits on a group with no gas in the share base,
  a storage-days floor the strategic sites cannot hold, cover days with no storage,
  and share limits that contradict each other (which would otherwise be "met" by buying no
  gas at all and leaving all demand unserved).

`share_rules` resolves caps, `max_share` and the share-limit rows into the rules the
formulation builds rows from. Nothing here knows numpy or the solver.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .case import Case, Policy
from .errors import CaseError, Problem
from .schema import GROUP_TYPES, KINDS, check_setting, number_rule

# Shares are compared with this slack: 0.1 + 0.2 + 0.7 caps "add up to 1".
SHARE_TOLERANCE = 1e-12


@dataclass(frozen=True)
class ShareRule:
    """One share limit the policy asks for: group (a supplier, a kind or one source), its
    bound, ≤ (a cap) or ≥ (a minimum), and the one period it holds in (None: every period,
    or over the horizon, as the policy's share_basis says)."""

    name: str
    group_type: str
    group: str
    period: str | None
    bound: float
    sense: str


def make_policy(case: Case, policy: Policy | None = None, *,
                caps: Mapping[str, float] | None = None, max_share: float | None = None,
                risk_weight: float | None = None, exclude=None, share_basis: str | None = None,
                share_of: str | None = None, limits=None, storage_days: float | None = None,
                cover_days: float | None = None, min_n1: float | None = None,
                admit=None) -> Policy:
    """The case's default policy (or `policy`) with the given choices laid over it.

    `caps` are added to (and override) the case's caps; `exclude` (a code or a list),
    `admit` (an offer or a list) and `limits` are added to the case's own. Values are
    checked by `policy_problems`.
    """
    base = policy or case.policy
    changes = {}
    if caps:
        changes["caps"] = {**base.caps, **dict(caps)}
    if max_share is not None:
        changes["max_share"] = max_share
    if risk_weight is not None:
        changes["risk_weight_usd_mmbtu"] = risk_weight
    if exclude:
        codes = [exclude] if isinstance(exclude, str) else list(exclude)
        changes["exclude"] = tuple(dict.fromkeys([*base.exclude, *codes]))
    if share_basis is not None:
        changes["share_basis"] = share_basis
    if share_of is not None:
        changes["share_of"] = share_of
    if admit:
        offers = [admit] if isinstance(admit, str) else list(admit)
        changes["admit"] = tuple(dict.fromkeys([*base.admit, *offers]))
    if limits:
        changes["limits"] = (*base.limits, *limits)
    for name, value in (("storage_days", storage_days), ("cover_days", cover_days),
                        ("min_n1", min_n1)):
        if value is not None:
            changes[name] = value
    return base.replace(**changes) if changes else base


# --- the share base ---------------------------------------------------------------------

def in_share_base(kind: str, share_of: str) -> bool:
    """Whether gas of `kind` counts in the share base: all supply, or imports only."""
    return share_of == "supply" or kind != "domestic"


def _base_groups(case: Case, share_of: str) -> dict[str, set[str]]:
    """Per group type, the groups with at least one source in the share base."""
    out: dict[str, set[str]] = {g: set() for g in GROUP_TYPES}
    for s in case.sources:
        if in_share_base(s.kind, share_of):
            out["supplier"].add(s.supplier)
            out["kind"].add(s.kind)
            out["source"].add(s.id)
    return out


def share_rules(case: Case, policy: Policy, base: dict[str, set[str]] | None = None) -> list[ShareRule]:
    """Every share limit of the policy: supplier caps (`caps`, else `max_share` for every
    supplier with gas in the share base; a cap of 1 is no cap), then the share-limit rows
    (a maximum below 1, a minimum above 0). `base`: _base_groups(case, share_of), if at hand."""
    base = _base_groups(case, policy.share_of) if base is None else base
    capped = {k: float(v) for k, v in policy.caps.items()}
    if policy.max_share is not None:
        for s in case.suppliers:
            if s.id in base["supplier"] and s.id not in capped:
                capped[s.id] = float(policy.max_share)
    rules = [ShareRule(f"cap {code}", "supplier", code, None, share, "<=")
             for code, share in capped.items() if share < 1.0]
    for limit in policy.limits:
        label = f"{limit.group_type} {limit.group}"
        if limit.max_share is not None and limit.max_share < 1.0:
            rules.append(ShareRule(f"max {label}", limit.group_type, limit.group, limit.period,
                                   float(limit.max_share), "<="))
        if limit.min_share is not None and limit.min_share > 0.0:
            rules.append(ShareRule(f"min {label}", limit.group_type, limit.group, limit.period,
                                   float(limit.min_share), ">="))
    return rules


# --- checking a policy against its case -------------------------------------------------

def policy_problems(case: Case, policy: Policy, where: str = "policy",
                    check_contradictions: bool = True) -> list[Problem]:
    """Everything wrong with `policy` for `case`, in one pass. `where` names the place the
    policy came from in messages ("policy" for code and options, a file for a case's own).
    Without `check_contradictions` the bounds are not checked against each other (a sweep's
    shape of placeholder caps: each point's own bounds are checked when it is solved)."""
    return _checked(case, policy, where, check_contradictions)[1]


def checked_share_rules(case: Case, policy: Policy, where: str = "policy") -> list[ShareRule]:
    """The policy's share rules, after every check of policy_problems; raise CaseError
    naming every problem."""
    rules, problems = _checked(case, policy, where, True)
    if problems:
        raise CaseError(problems, case=case.name)
    return rules


def _checked(case: Case, policy: Policy, where: str, check_contradictions: bool):
    problems = _value_problems(case, policy, where)
    if problems:  # the share rules below need sound values
        return [], problems
    base = _base_groups(case, policy.share_of)
    rules = share_rules(case, policy, base)
    problems += _empty_groups(policy, rules, base, where) + _storage_problems(case, policy, where)
    if not problems and check_contradictions:
        problems += contradictions(case, policy, rules, where, base)
    return rules, problems


def _value_problems(case: Case, policy: Policy, where: str) -> list[Problem]:
    """Each choice on its own: the rules case.toml is held to, and the ids it names."""
    supplier_ids = [s.id for s in case.suppliers]
    known = set(supplier_ids)
    problems = []

    def unknown(code, column):
        problems.append(Problem(where, "unknown supplier (known: " + ", ".join(supplier_ids) + ")",
                                column=column, value=code))

    for code, share in policy.caps.items():
        rule = check_setting("caps", {code: share})
        if code not in known:
            unknown(code, "cap")
        elif isinstance(rule, str):
            problems.append(Problem(where, rule, column=f"cap {code}", value=share))
    for code in policy.exclude:
        if code not in known:
            unknown(code, "exclude")
    offers = sorted({s.offer for s in case.sources if s.offer})
    for offer in policy.admit:
        if offer not in offers:
            problems.append(Problem(where, "unknown offer (offers: " + (", ".join(offers) or "none")
                                    + ")", column="admit", value=offer))
    for name, value in (("max_share", policy.max_share),
                        ("risk_weight_usd_mmbtu", policy.risk_weight_usd_mmbtu),
                        ("share_basis", policy.share_basis), ("share_of", policy.share_of),
                        ("storage_days", policy.storage_days), ("cover_days", policy.cover_days),
                        ("min_n1", policy.min_n1)):
        rule = check_setting(name, value) if value is not None else None
        if isinstance(rule, str):
            problems.append(Problem(where, rule, column=name, value=value))
    groups = {"supplier": known, "kind": set(KINDS), "source": {s.id for s in case.sources}}
    periods = set(case.period_ids)
    for limit in policy.limits:
        label = f"{limit.group_type} {limit.group}"
        if limit.group_type not in groups:
            problems.append(Problem("share limit", "group_type must be one of "
                                    + ", ".join(GROUP_TYPES), column=label,
                                    value=limit.group_type))
            continue
        if limit.group not in groups[limit.group_type]:
            problems.append(Problem("share limit", f"unknown {limit.group_type}", column=label,
                                    value=limit.group))
        if limit.period is not None and limit.period not in periods:
            problems.append(Problem("share limit", "unknown period", column=label,
                                    value=limit.period))
        if limit.min_share is None and limit.max_share is None:
            problems.append(Problem("share limit", "give min_share, max_share or both",
                                    column=label))
        for name in ("min_share", "max_share"):
            value = getattr(limit, name)
            if value is not None and number_rule(value, 0, 1):
                problems.append(Problem("share limit", "must be a share between 0 and 1",
                                        column=f"{label} {name}", value=value))
    return problems


def storage_days_problem(days: float, average_demand: float, working_gas: float,
                         where: str = "policy") -> Problem | None:
    """A storage-days floor above the strategic sites' working gas can never be met:
    `days` of `average_demand` (MMcf/d, weighted by the periods' days) is days·demand/1000
    Bcf, held in the strategic sites (storage `n1_deliverability` not `no`) of `working_gas`
    Bcf in all. Also used for a sweep's point whose demand is scaled."""
    target = days * average_demand / 1000.0
    if not days or target <= working_gas + 1e-9:
        return None
    held = working_gas * 1000.0 / average_demand if working_gas else 0.0
    return Problem(where, f"{days:g} days of average demand is {target:,.1f} Bcf "
                          f"but the strategic storage sites (n1_deliverability not 'no') "
                          f"hold {working_gas:,.1f} Bcf of working gas "
                          f"({held:.2f} days): lower storage_days or add storage",
                   column="storage_days", value=days)


def cover_days_problem(days: float, sites: int, where: str = "policy") -> Problem | None:
    """Cover days need a storage site to hold the cover."""
    if not days or sites:
        return None
    return Problem(where, "cover_days needs storage: the case has no storage site",
                   column="cover_days", value=days)


def _storage_problems(case: Case, policy: Policy, where: str) -> list[Problem]:
    """The storage policy against the case's sites and demand (see storage_days_problem,
    cover_days_problem)."""
    days = {p.id: p.days for p in case.periods}
    total_days = sum(days.values())
    demand = sum(float(v) * days.get(period, 0) for (_, period), v in case.demand.items())
    average = demand / total_days if total_days else 0.0
    strategic = sum(k.working_gas_bcf for k in case.storage if k.n1_deliverability != "no")
    found = (storage_days_problem(policy.storage_days, average, strategic, where),
             cover_days_problem(policy.cover_days, len(case.storage), where))
    return [p for p in found if p is not None]


def _empty_groups(policy: Policy, rules: list[ShareRule], base: dict[str, set[str]],
                  where: str) -> list[Problem]:
    """A share limit on a group with no gas in the share base means nothing (a share of
    imports of domestic gas): it is a mistake in the policy."""
    return [Problem(where, f"{r.group_type} {r.group} has no source in the share base "
                           f"({policy.share_of}), so a share limit on it means nothing",
                    column=r.name, value=r.bound)
            for r in rules if r.group not in base[r.group_type]]


def contradictions(case: Case, policy: Policy, rules: list[ShareRule], where: str = "policy",
                   base: dict[str, set[str]] | None = None) -> list[Problem]:
    """Share limits no supply can meet: a group's minimum above its maximum, a minimum for
    an excluded supplier, caps of the base's suppliers adding up to less than 100%, or
    minimums by supplier or by kind adding up to more. Because shares are of supply, such a
    policy would not be infeasible — it would be met by buying no gas at all — so it is
    reported as the mistake it is. Reported for the first period that shows one."""
    excluded = set(policy.exclude)
    base_suppliers = (_base_groups(case, policy.share_of) if base is None else base)["supplier"]
    # Periods covered by the same rules behave alike: check the first of each such set.
    if all(r.period is None for r in rules):
        periods = case.period_ids[:1]
    else:
        seen: dict[tuple, str] = {}
        for p in case.period_ids:
            seen.setdefault(tuple(i for i, r in enumerate(rules) if r.period in (None, p)), p)
        periods = tuple(seen.values())
    for period in periods:
        problems = []
        bounds: dict[tuple[str, str], list[float]] = {}
        for r in rules:
            if r.period not in (None, period):
                continue
            low_high = bounds.setdefault((r.group_type, r.group), [0.0, 1.0])
            if r.sense == ">=":
                low_high[0] = max(low_high[0], r.bound)
                if r.group_type == "supplier" and r.group in excluded:
                    problems.append(Problem(where, f"a minimum share for {r.group}, which is "
                                            "excluded", column=r.name, value=r.bound))
            else:
                low_high[1] = min(low_high[1], r.bound)
        for (group_type, group), (low, high) in bounds.items():
            if low > high + SHARE_TOLERANCE:
                problems.append(Problem(where, f"{group_type} {group} must have at least "
                                        f"{low:.0%} and at most {high:.0%} in {period}",
                                        column="share limits"))
        caps = {g: 0.0 if g in excluded else bounds.get(("supplier", g), [0.0, 1.0])[1]
                for g in base_suppliers}
        if caps and sum(caps.values()) < 1.0 - SHARE_TOLERANCE:
            problems.append(Problem(where, f"the suppliers' caps add up to "
                                    f"{sum(caps.values()):.0%} in {period}: no supply can "
                                    "meet them", column="caps"))
        for group_type in ("supplier", "kind"):
            floor = sum(low for (gt, _), (low, _) in bounds.items() if gt == group_type)
            if floor > 1.0 + SHARE_TOLERANCE:
                problems.append(Problem(where, f"minimum shares by {group_type} add up to "
                                        f"{floor:.0%} in {period}", column="share limits"))
        if problems:  # one period's worth says enough
            return problems
    return []
