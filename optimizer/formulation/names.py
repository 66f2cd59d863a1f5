"""The names of the LP's row blocks: one constant each, used wherever a block is built or
looked up (formulation, verification, diagnosis, the Plan's tables), never a bare string.

A constraint family (families.py) builds one or more of these blocks; its elastic lower
bounds (contract minimums, storage floors, end targets) become rows of their own only in
the elastic model that diagnoses an infeasible policy.
"""

BALANCE = "balance"
DEMAND_TIERS = "demand_tiers"
ENTRY_CAPACITY = "entry_capacity"
ORIGIN_CAPACITY = "origin_capacity"
SOURCE_MINIMUM = "source_minimum"
STORAGE_BALANCE = "storage_balance"
STORAGE_FLOOR = "storage_floor"
STORAGE_END = "storage_end"
STORAGE_RATCHET = "storage_ratchet"
SHARE_BASE = "share_base"
SHARE_LIMIT = "share_limit"
STORAGE_DAYS = "storage_days"
STORAGE_COVER = "storage_cover"
CONTRACT_TAKE = "contract_take"
TAKE_OR_PAY = "take_or_pay"
UNPAID_CAP = "unpaid_cap"
EXPORT_LIMIT = "export_limit"
CVAR = "cvar"
DAY_BALANCE = "day_balance"
DAY_CAPACITY = "day_capacity"
DAY_STOCK = "day_stock"
DAY_REST = "day_rest"
