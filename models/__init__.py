"""What a case is: frozen records, the table schemas, reading and validation.

    from gasmix.models import load_case, default_case
    case = default_case()          # the embedded Mexico case

Floors, from the bottom: `schema` (every column and setting), `errors`, `case` (the
records), `tables` (one table read and checked on its own, CSV or sheet), `workbook` (a
case as one .xlsx), `disruptions` (scenario rules), `policy` (the planner's policy and its
rules), `loader` (a folder or workbook → a validated Case). No solver here. The names
below load on first use, so reading `gasmix.models.schema` loads no pandas.
"""

from .extras import lazy_names

_NAMES = {
    **dict.fromkeys(("Arc", "Case", "DemandTier", "Disruption", "Entry", "Export", "Node", "Origin", "Period",
                     "Policy", "Route", "Scenario", "Settings", "ShareLimit", "Source", "Storage",
                     "Supplier"), ".case"),
    "load_scenarios": ".disruptions",
    "CaseError": ".errors", "Problem": ".errors",
    **dict.fromkeys(("default_case", "default_case_path", "embedded_cases", "load_case"),
                    ".loader"),
    "case_problems": ".validation",
    **dict.fromkeys(("make_policy", "policy_problems"), ".policy"),
    **dict.fromkeys(("SCALAR_SETTINGS", "SETTINGS", "TABLES", "check_setting"), ".schema"),
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_names(globals(), _NAMES)
