"""`plan.plot`: a plan's charts as matplotlib Figures, for a notebook — the same drawings
as the HTML report's (charts.py), each one a method."""

from __future__ import annotations

from . import charts


class PlanPlots:
    """The charts of one plan: plan.plot.supply_mix(), .shares(), .storage(), .prices(),
    .costs(). Each returns a matplotlib Figure (needs gasmix[charts])."""

    def __init__(self, plan):
        self._plan = plan

    @property
    def _periods(self) -> list[str]:
        return list(self._plan.data.period_ids)

    @property
    def _colors(self) -> dict:
        return charts.supplier_colors(self._plan.data.supplier_ids)

    def supply_mix(self):
        """Supply by period stacked by supplier, with demand and any unserved gas."""
        return charts.supply_mix(self._plan.flows, self._plan.prices, self._periods, self._colors)

    def shares(self):
        """Each supplier's share by period against its per-period cap."""
        return charts.shares_vs_caps(self._plan.shares, self._periods, self._colors)

    def storage(self):
        """Storage stock against its floor and working gas."""
        return charts.storage_vs_floor(self._plan.storage, self._periods)

    def prices(self):
        """The marginal cost of gas at each node by period."""
        return charts.marginal_prices(self._plan.prices, self._periods)

    def costs(self):
        """The cost breakdown, million USD."""
        return charts.cost_breakdown(self._plan.summary["cost_breakdown_musd"])

    def __dir__(self):
        return ["supply_mix", "shares", "storage", "prices", "costs"]
