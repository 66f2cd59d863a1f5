"""`plan.plot`: a plan's charts as matplotlib Figures, for a notebook — the same drawings
as the HTML report's (plan_charts.py), each one a method."""

from __future__ import annotations

from . import plan_charts
from .charts import WIDE, supplier_colors


class PlanPlots:
    """The charts of one plan: plan.plot.supply_mix(), .utilisation(), .shares(),
    .storage(), .prices(), .costs(), .n1(). Each returns a matplotlib Figure (needs
    gasmix[charts]); `narrow=True` draws the phone-width form."""

    def __init__(self, plan):
        self._plan = plan

    @property
    def _periods(self) -> list[str]:
        return list(self._plan.data.period_ids)

    @property
    def _colors(self) -> dict:
        return supplier_colors(self._plan.data.supplier_ids)

    @staticmethod
    def _form(narrow: bool):
        from .charts import NARROW
        return NARROW if narrow else WIDE

    def supply_mix(self, narrow: bool = False):
        """The monthly balance: supply by supplier stacked with storage withdrawals and any
        unserved gas, against demand plus storage injections."""
        p = self._plan
        return plan_charts.balance(p.flows, p.storage, p.prices, self._periods, self._colors,
                                   self._form(narrow))

    def utilisation(self, narrow: bool = False):
        """Month × entry, pipeline and storage site: % of capacity used."""
        from .report_plan import utilisation_grid
        return plan_charts.utilisation(utilisation_grid(self._plan.tables()), self._periods,
                                       self._form(narrow))

    def shares(self, narrow: bool = False):
        """Each supplier's share by period against its per-period cap."""
        return plan_charts.shares_vs_caps(self._plan.shares, self._periods, self._colors,
                                          self._form(narrow))

    def storage(self, narrow: bool = False):
        """Storage stock against its floor and working gas."""
        return plan_charts.storage_vs_floor(self._plan.storage, self._periods, self._form(narrow))

    def prices(self, narrow: bool = False):
        """The marginal cost of gas at each node by period (months at VOLL shaded, off
        the scale)."""
        return plan_charts.marginal_prices(self._plan.prices, self._periods,
                                           plan_charts.shedding_price(self._plan.summary),
                                           self._form(narrow))

    def costs(self, narrow: bool = False):
        """The cost breakdown, million USD."""
        return plan_charts.cost_breakdown(self._plan.summary["cost_breakdown_musd"],
                                          self._form(narrow))

    def n1(self, narrow: bool = False):
        """N−1 of the worst area by period against the 100% standard."""
        return plan_charts.n1(self._plan.security, self._periods, self._form(narrow))

    def __dir__(self):
        return ["supply_mix", "utilisation", "shares", "storage", "prices", "costs", "n1"]
