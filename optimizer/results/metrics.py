"""Headline figures of a solution, computed from the primal values alone.

One place for the numbers a planner compares across plans — cash cost and its parts, the
risk penalty, unserved gas, average cost, supplier shares, HHI, import dependence, risk
exposure — so that a `Plan`'s summary and a sweep's table can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..formulation.arrays import ModelData


@dataclass(frozen=True)
class Headline:
    supply_musd: float
    transport_musd: float
    storage_musd: float
    fixed_musd: float              # reservation payments on firm capacity, paid whatever flows
    stranded_musd: float           # the part of them for reserved capacity left unused
    cash_cost_musd: float          # supply + transport + storage + fixed
    risk_penalty_musd: float       # λ·risk·volume: a weight in the objective, not cash
    unserved_cost_musd: float      # gas not delivered: demand at VOLL, export feed at its curtailment cost
    curtailment_musd: float        # the export-feed part of it
    unserved_bcf: float
    supply_bcf: float
    avg_cost_usd_mmbtu: float | None  # cash cost per MMBtu served
    shares: np.ndarray             # G: each supplier's share of all supply over the horizon
    hhi: float                     # Σ share² × 10,000
    import_dependence: float       # non-domestic share of supply
    risk_exposure: float           # supply-weighted mean risk score (0 … 1)

    @property
    def total_cost_musd(self) -> float:
        """Cash cost plus gas not delivered (demand at VOLL, export feed at its curtailment
        cost): what the plan costs the country."""
        return self.cash_cost_musd + self.unserved_cost_musd


def unserved_value_musd(d: ModelData, u: np.ndarray, tiers: np.ndarray | None = None) -> float:
    """What the demand left unserved costs, million USD: Σ_t w_t·VOLL·Σ_n u[n,t], or with
    demand tiers Σ_t w_t·Σ_i value_i·ℓ[i,t] (ℓ: tiers (R×T), protected demand at VOLL)."""
    if len(d.tier_ids):
        return float((d.weight * d.tier_values[:, None] * tiers).sum())
    return float((d.weight * d.voll * u).sum())


def headline(d: ModelData, q: np.ndarray, f: np.ndarray, inj: np.ndarray, wd: np.ndarray,
             u: np.ndarray, r: np.ndarray | None = None,
             tiers: np.ndarray | None = None) -> Headline:
    """The headline figures of supply q (S×T), arc flows f (A×T), injections and
    withdrawals (K×T), unserved gas u (N×T), curtailed export feed r (X×T; none if None)
    and the unserved demand of each tier ℓ (R×T, with demand tiers), all in MMcf/d."""
    wt = d.weight
    curtailment = float((wt * d.export_curtailment * r).sum()) if r is not None and r.size else 0.0
    volume = q * d.days / 1000  # Bcf
    total = float(volume.sum())
    G = len(d.supplier_ids)
    by_supplier = np.bincount(d.source_supplier, weights=volume.sum(axis=1), minlength=G)
    shares = by_supplier / total if total > 0 else np.zeros(G)
    supply = float((wt * d.price * q).sum())
    transport = float((wt * d.arc_tariff[:, None] * f).sum())
    storage = float((wt * (d.injection_cost[:, None] * inj + d.withdrawal_cost[:, None] * wd)).sum())
    fixed = float(d.fixed_cost.sum())
    cash = supply + transport + storage + fixed
    served_energy = float((wt * (d.demand - u).sum(axis=0)).sum())  # million MMBtu
    risk_by_supplier = np.zeros(G)
    risk_by_supplier[d.source_supplier] = d.risk
    return Headline(
        supply_musd=supply, transport_musd=transport, storage_musd=storage, fixed_musd=fixed,
        stranded_musd=float(stranded_capacity(d, q, f)[1].sum()), cash_cost_musd=cash,
        risk_penalty_musd=float((wt * d.risk_weight * d.risk[:, None] * q).sum()),
        unserved_cost_musd=unserved_value_musd(d, u, tiers) + curtailment,
        curtailment_musd=curtailment,
        unserved_bcf=float((u * d.days / 1000).sum()),
        supply_bcf=total,
        avg_cost_usd_mmbtu=cash / served_energy if served_energy > 0 else None,
        shares=shares,
        hhi=float(diversity(by_supplier)[0]),
        import_dependence=float(volume[d.source_kind != "domestic"].sum()) / total if total > 0 else 0.0,
        risk_exposure=float(shares @ risk_by_supplier),
    )


def stranded_capacity(d: ModelData, q: np.ndarray, f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(unused firm capacity, MMcf/d; its reservation paid, million USD), each (E + A) × T,
    entries first, then arcs:

        unused[e,t]   = max(firm_e − Σ_{s: e(s)=e} q[s,t], 0)  while e is in service
        stranded[e,t] = w_t·reservation_e·unused[e,t]

    (arcs alike, with their flow f). Capacity the plan has booked and pays for whether or
    not gas moves: moving supply away from a route strands it."""
    T = len(d.period_ids)
    entry_flow = np.zeros((len(d.entry_ids), T))
    np.add.at(entry_flow, d.source_entry, q)
    unused_entry = np.where(d.entry_in_service, np.maximum(d.entry_firm[:, None] - entry_flow, 0.0), 0.0)
    unused_arc = np.maximum(d.arc_firm[:, None] - f, 0.0)
    unused = np.vstack([unused_entry, unused_arc])
    rate = np.concatenate([d.entry_reservation, d.arc_reservation])
    return unused, d.weight[None, :] * rate[:, None] * unused


def base_shares(d: ModelData, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each supplier's share of the share base per period — the quantity caps limit.

    Returns (volume in the base, MMcf/d, G×T; share, G×T; in_base, G). The base is all
    supply, or imports when the policy says share_of="imports"; a supplier with no source
    in the base, or a period with no supply, has no share (NaN).
    """
    G = len(d.supplier_ids)
    base_sources = d.in_share_base
    # The numerator counts only gas in the base, as the cap rows do: a supplier's own
    # domestic gas is no part of its share of imports.
    membership = np.zeros((G, len(d.source_ids)))
    membership[d.source_supplier[base_sources], np.flatnonzero(base_sources)] = 1.0
    in_base_volume = membership @ q
    in_base = np.zeros(G, dtype=bool)
    in_base[d.source_supplier[base_sources]] = True
    base = q[base_sources].sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(base > 0, in_base_volume / base, np.nan)
    share[~in_base] = np.nan
    return in_base_volume, share, in_base


def diversity(volume_by_supplier: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """HHI (10,000 × Σ s², 0–10,000) and Shannon–Wiener H (−Σ s ln s; 0 for one supplier,
    ln G for G equal ones) of the supplier shares s of volumes G × T (or G); 0 where there
    is no supply."""
    total = volume_by_supplier.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, volume_by_supplier / total, 0.0)
        terms = np.where(share > 0, share * np.log(np.where(share > 0, share, 1.0)), 0.0)
    return 10_000 * (share ** 2).sum(axis=0), -terms.sum(axis=0)
