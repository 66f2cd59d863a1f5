"""The domain model of gasmix: what a case is, its table schemas, reading and validation.

    from . import load_case, default_case
    case = default_case()          # the embedded Mexico case
"""

from .case import (Arc, Case, Disruption, Entry, Node, Period, Policy, Scenario, Settings,
                   ShareLimit, Source, Storage, Supplier)
from .disruptions import load_scenarios
from .errors import CaseError, Problem
from .loader import check_setting, default_case, default_case_path, load_case
from .schema import SCALAR_SETTINGS, SETTINGS, TABLES

__all__ = [
    "Arc", "Case", "Entry", "Node", "Period", "Policy", "Settings", "ShareLimit", "Source",
    "Storage", "Supplier", "CaseError", "Problem", "load_case", "default_case",
    "default_case_path", "check_setting", "Disruption", "Scenario", "load_scenarios", "TABLES", "SETTINGS", "SCALAR_SETTINGS",
]
