"""What a case is: frozen records, the table schemas, reading and validation.

    from gasmix.models import load_case, default_case
    case = default_case()          # the embedded Mexico case

Floors, from the bottom: `schema` (every column and setting), `errors`, `case` (the
records), `tables` (one table read and checked on its own, CSV or sheet), `workbook` (a
case as one .xlsx), `disruptions` (scenario rules), `policy` (the planner's policy and its
rules), `loader` (a folder or workbook → a validated Case). No solver here.
"""

from .case import (Arc, Case, Disruption, Entry, Node, Period, Policy, Scenario, Settings,
                   ShareLimit, Source, Storage, Supplier)
from .disruptions import load_scenarios
from .errors import CaseError, Problem
from .loader import case_problems, default_case, default_case_path, load_case
from .policy import check_setting, make_policy, policy_problems
from .schema import SCALAR_SETTINGS, SETTINGS, TABLES

__all__ = [
    "Arc", "Case", "Entry", "Node", "Period", "Policy", "Settings", "ShareLimit", "Source",
    "Storage", "Supplier", "Disruption", "Scenario", "CaseError", "Problem", "load_case",
    "default_case", "default_case_path", "load_scenarios", "case_problems", "check_setting",
    "make_policy", "policy_problems", "TABLES", "SETTINGS", "SCALAR_SETTINGS",
]
