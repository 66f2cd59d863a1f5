"""Synthetic gasmix cases of any size, written as ordinary case folders.

    python benchmarks/generate.py -o /tmp/big --periods 365 --days-per-period 1 \\
        --nodes 30 --sources 700 --storage 10 --seed 1

The folder holds `case.toml` and the CSV tables of the input reference, so
`models.load_case(folder)` reads it and `gasmix validate FOLDER` accepts it. The structure
is meant to give HiGHS a non-trivial LP, not to describe a real country:

* suppliers with real ISO codes and risk scores (the riskier LNG origins priced lower, so a
  risk weight or a share cap changes the mix), plus one domestic producer (`ZZ`);
* entries of the three kinds: pipeline border crossings on the "border" third of the nodes,
  LNG terminals on coastal nodes (one opening late, one closing early), domestic fields
  anywhere; cheap pipeline capacity covers well under peak demand, so entry capacities bind;
  a few maintenance outages in `entry_capacity.csv`;
* a connected network: a ring of nodes in both directions plus chords, with capacities
  that bind when gas must travel from the border to the far nodes;
* hub prices (HH, WAHA, TTF, JKM) with a winter peak, a common AR(1) shock and noise;
* demand per node with a winter peak, a weekly cycle (for daily periods), growth and noise;
* storage sites that fill in summer and empty in winter, some starting late.

Same arguments and seed, same files (byte for byte). Importable as
`generate_case(folder, periods=…, days_per_period=…, nodes=…, sources=…, storage=…, seed=…)`.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

# Written into every generated folder; its presence is what allows overwriting the folder.
MARKER = "GENERATED.json"
START = date(2026, 1, 1)

# code, name, diplomatic-risk score (roughly 1 − WGI), kinds it sells, LNG price basis.
SUPPLIERS = (
    ("US", "United States", 0.30, ("pipeline", "lng"), "HH"),
    ("CA", "Canada", 0.21, ("pipeline", "lng"), "HH"),
    ("QA", "Qatar", 0.38, ("lng",), "JKM"),
    ("AU", "Australia", 0.20, ("lng",), "JKM"),
    ("NO", "Norway", 0.17, ("lng",), "TTF"),
    ("TT", "Trinidad and Tobago", 0.49, ("lng",), "HH"),
    ("PE", "Peru", 0.57, ("lng",), "HH"),
    ("DZ", "Algeria", 0.66, ("lng",), "TTF"),
    ("NG", "Nigeria", 0.72, ("lng",), "TTF"),
    ("RU", "Russia", 0.71, ("lng",), "TTF"),
    ("ZZ", "Home country (domestic)", 0.0, ("domestic",), None),
)
# Risky LNG sellers discount to win cargoes (USD/MMBtu off their formula).
RISK_DISCOUNT = {"RU": 0.9, "NG": 0.5, "DZ": 0.4, "PE": 0.3}
# hub: (mean USD/MMBtu, winter amplitude, shock weight, own noise)
HUBS = {"HH": (3.6, 0.7, 1.0, 0.10), "WAHA": (2.7, 0.9, 1.0, 0.35),
        "TTF": (10.5, 2.2, 2.0, 0.40), "JKM": (11.8, 2.8, 2.2, 0.45)}
# Entry mix by kind, and total entry capacity by kind as a share of mean total demand.
KIND_SHARE = {"pipeline": 0.40, "lng": 0.40, "domestic": 0.20}
KIND_CAPACITY = {"pipeline": 0.72, "lng": 0.45, "domestic": 0.26}


class GenerateError(ValueError):
    """Arguments that cannot make a case, or an output folder that must not be touched."""


# --- the pieces of a case ---------------------------------------------------------------

def make_periods(periods: int, days_per_period: int) -> pd.DataFrame:
    """Consecutive periods of `days_per_period` days from 2026-01-01; the id is the start date."""
    if periods < 2:
        raise GenerateError("--periods must be at least 2")
    if not 1 <= days_per_period <= 366:
        raise GenerateError("--days-per-period must be between 1 and 366")
    starts = [START + timedelta(days=i * days_per_period) for i in range(periods)]
    ids = [s.isoformat() for s in starts]
    return pd.DataFrame({"period": ids, "start": ids, "days": days_per_period})


def _season(periods: pd.DataFrame) -> np.ndarray:
    """Winter-peaking cycle in [−1, 1] at the middle of each period (1 in mid-January)."""
    mid = pd.to_datetime(periods["start"]) + pd.to_timedelta(periods["days"] / 2, unit="D")
    return np.cos(2 * np.pi * (mid.dt.day_of_year.to_numpy() - 15) / 365.25)


def make_hub_prices(rng: np.random.Generator, periods: pd.DataFrame) -> pd.DataFrame:
    """Hub prices: mean + winter peak + a shared AR(1) shock + each hub's own noise."""
    T = len(periods)
    days = int(periods["days"].iloc[0])
    season = _season(periods)
    phi = 0.97 ** days  # a shock fades over about a month, whatever the period length
    shock = np.zeros(T)
    innovations = rng.normal(0.0, 0.25 * np.sqrt(1 - phi ** 2), T)
    for t in range(1, T):
        shock[t] = phi * shock[t - 1] + innovations[t]
    rows = []
    for hub, (mean, amplitude, weight, noise) in HUBS.items():
        price = mean + amplitude * season + weight * shock + rng.normal(0.0, noise, T)
        rows.append(pd.DataFrame({"hub": hub, "period": periods["period"],
                                  "price_usd_mmbtu": np.round(np.maximum(price, 0.5), 3)}))
    return pd.concat(rows, ignore_index=True)


def make_nodes(n: int) -> pd.DataFrame:
    """Nodes N01 … with display names; the first third are the border nodes."""
    if n < 2:
        raise GenerateError("--nodes must be at least 2")
    width = len(str(n))
    ids = [f"N{i + 1:0{width}d}" for i in range(n)]
    border = max(1, n // 3)
    names = [f"{'Border' if i < border else 'Inland'} region {i + 1}" for i in range(n)]
    return pd.DataFrame({"node": ids, "name": names})


def make_demand(rng: np.random.Generator, nodes: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Demand per node and period: a lognormal base, winter peak, weekly cycle, growth, noise."""
    N, T = len(nodes), len(periods)
    base = rng.lognormal(np.log(250.0), 0.6, N)
    winter = rng.uniform(0.10, 0.30, N)  # heating-heavy nodes swing more
    season = _season(periods)
    starts = pd.to_datetime(periods["start"])
    years = (starts - starts.iloc[0]).dt.days.to_numpy() / 365.25
    weekly = np.ones(T)
    if int(periods["days"].iloc[0]) == 1:
        weekly = np.where(starts.dt.day_of_week.to_numpy() >= 5, 0.93, 1.0)
    demand = (base[:, None] * (1 + winter[:, None] * season[None, :]) * weekly[None, :]
              * (1.02 ** years)[None, :] * rng.lognormal(0.0, 0.03, (N, T)))
    return pd.DataFrame({"node": np.repeat(nodes["node"].to_numpy(), T),
                         "period": np.tile(periods["period"].to_numpy(), N),
                         "demand_mmcfd": np.round(demand.ravel(), 1)})


def make_suppliers() -> pd.DataFrame:
    return pd.DataFrame([(c, n, r) for c, n, r, _, _ in SUPPLIERS], columns=["supplier", "name", "risk"])


def make_entries(rng: np.random.Generator, nodes: pd.DataFrame, periods: pd.DataFrame,
                 n_entries: int, mean_demand: float) -> pd.DataFrame:
    """Entries of each kind on their kind of node, capacity shared out by a Dirichlet draw;
    one LNG terminal opens a quarter in, another closes three quarters in."""
    N, T = len(nodes), len(periods)
    node_ids = nodes["node"].to_numpy()
    border = node_ids[:max(1, N // 3)]
    coastal = node_ids[1::2] if N > 2 else node_ids
    counts = {k: max(1, int(round(n_entries * s))) for k, s in KIND_SHARE.items()}
    rows = []
    for kind, count in counts.items():
        where = {"pipeline": border, "lng": coastal, "domestic": node_ids}[kind]
        capacity = KIND_CAPACITY[kind] * mean_demand * rng.dirichlet(np.full(count, 2.0))
        prefix = {"pipeline": "PL", "lng": "LNG", "domestic": "DOM"}[kind]
        tariff = {"pipeline": (0.15, 0.45), "lng": (0.25, 0.6), "domestic": (0.0, 0.1)}[kind]
        for i in range(count):
            rows.append({"entry": f"{prefix}{i + 1:03d}", "name": f"{kind} entry {i + 1}", "kind": kind,
                         "node": rng.choice(where), "capacity_mmcfd": round(float(capacity[i]) + 5.0, 1),
                         "tariff_usd_mmbtu": round(float(rng.uniform(*tariff)), 3),
                         "first_period": None, "last_period": None})
    entries = pd.DataFrame(rows)
    lng = entries.index[entries["kind"] == "lng"]
    if len(lng) >= 3 and T >= 8:
        entries.loc[lng[-1], "first_period"] = periods["period"].iloc[T // 4]
        entries.loc[lng[-2], "last_period"] = periods["period"].iloc[3 * T // 4]
    return entries


def make_entry_outages(rng: np.random.Generator, entries: pd.DataFrame,
                       periods: pd.DataFrame) -> pd.DataFrame:
    """Maintenance: a few always-open pipeline entries at half capacity for a stretch of
    periods in the shoulder seasons (entry_capacity.csv)."""
    T = len(periods)
    candidates = entries.index[(entries["kind"] == "pipeline") & entries["first_period"].isna()
                               & entries["last_period"].isna()]
    count = min(len(candidates), max(1, len(candidates) // 5))
    chosen = rng.choice(candidates, size=count, replace=False) if count else []
    rows = []
    length = max(1, T // 24)
    for i in chosen:
        start = int(rng.integers(0, max(1, T - length)))
        for t in range(start, start + length):
            rows.append({"entry": entries.at[i, "entry"], "period": periods["period"].iloc[t],
                         "capacity_mmcfd": round(entries.at[i, "capacity_mmcfd"] * 0.5, 1)})
    return pd.DataFrame(rows, columns=["entry", "period", "capacity_mmcfd"])


def make_sources(rng: np.random.Generator, entries: pd.DataFrame, periods: pd.DataFrame,
                 n_sources: int) -> pd.DataFrame:
    """Sources: every entry gets at least one, the rest spread at random. Pipeline gas is
    US (mostly) or Canadian at a hub plus basis; LNG sells at its origin's hub formula
    (risky origins at a discount) or, for some contracts, at a fixed oil-linked price;
    domestic gas at a fixed price with a field maximum. Some contracts have take-or-pay
    minimums (on entries always in service) or a limited window."""
    T = len(periods)
    period_ids = periods["period"].to_numpy()
    E = len(entries)
    if n_sources < E:
        raise GenerateError(f"--sources must be at least the number of entries ({E})")
    entry_of = np.concatenate([np.arange(E), rng.integers(0, E, n_sources - E)])
    lng_sellers = [s for s in SUPPLIERS if "lng" in s[3]]
    # Capacity of each entry split over its sources, for contract maxima and minimums.
    per_entry = np.bincount(entry_of, minlength=E)
    rows = []
    for i, e in enumerate(entry_of):
        entry = entries.iloc[e]
        kind = entry["kind"]
        share = entry["capacity_mmcfd"] / per_entry[e]
        hub, multiplier, adder, maximum, minimum = None, 1.0, 0.0, None, 0.0
        if kind == "pipeline":
            code = "US" if rng.random() < 0.85 else "CA"
            hub = "WAHA" if rng.random() < 0.4 else "HH"
            adder = rng.uniform(0.05, 0.6)
            if rng.random() < 0.5:
                maximum = share * rng.uniform(0.8, 2.0)
        elif kind == "lng":
            code, _, _, _, basis = lng_sellers[rng.integers(len(lng_sellers))]
            if basis == "HH":  # US-style: 115% HH + liquefaction and shipping
                hub, multiplier, adder = "HH", rng.uniform(1.1, 1.2), rng.uniform(2.3, 3.8)
            elif rng.random() < 0.25:  # oil-linked contract: a fixed price here
                adder = rng.uniform(8.5, 11.5)
            else:
                hub, multiplier, adder = basis, rng.uniform(0.85, 1.0), rng.uniform(-0.3, 0.8)
            adder -= RISK_DISCOUNT.get(code, 0.0)
            maximum = share * rng.uniform(0.6, 1.6)
        else:
            code, adder = "ZZ", rng.uniform(2.2, 4.8)
            maximum = share * rng.uniform(0.7, 1.0)
        always_open = pd.isna(entry["first_period"]) and pd.isna(entry["last_period"])
        if always_open and kind != "lng" and rng.random() < 0.12:
            # Take-or-pay well inside the entry's half capacity during an outage.
            minimum = 0.25 * share if maximum is None else min(0.25 * share, 0.5 * maximum)
        first = last = None
        if minimum == 0 and T >= 8 and rng.random() < 0.1:
            a, b = sorted(rng.integers(0, T, 2))
            first, last = period_ids[a], period_ids[max(a, b)]
        rows.append({"source": f"{code}_{kind.upper()}_{i + 1:04d}", "supplier": code, "kind": kind,
                     "entry": entry["entry"], "hub": hub,
                     "price_multiplier": round(float(multiplier), 3),
                     "price_adder_usd_mmbtu": round(float(adder), 3),
                     "min_mmcfd": round(float(minimum), 1),
                     "max_mmcfd": None if maximum is None else round(float(maximum), 1),
                     "first_period": first, "last_period": last,
                     "description": f"synthetic {kind} contract"})
    return pd.DataFrame(rows)


def make_arcs(rng: np.random.Generator, nodes: pd.DataFrame, mean_demand: float) -> pd.DataFrame:
    """A ring through all nodes plus chords (about one per three nodes), both directions.
    Capacities are a fraction of the mean total demand, so moving gas inland binds."""
    node_ids = nodes["node"].to_numpy()
    N = len(node_ids)
    pairs = [(i, (i + 1) % N) for i in range(N if N > 2 else 1)]
    seen = {frozenset(p) for p in pairs}
    for _ in range(N // 3):
        a, b = (int(x) for x in rng.choice(N, 2, replace=False))
        if frozenset((a, b)) not in seen:
            seen.add(frozenset((a, b)))
            pairs.append((a, b))
    rows = []
    for a, b in pairs:
        capacity = mean_demand * rng.uniform(0.06, 0.20)
        tariff = rng.uniform(0.05, 0.35)
        for u, v in ((a, b), (b, a)):
            rows.append({"arc": f"A_{node_ids[u]}_{node_ids[v]}", "from_node": node_ids[u],
                         "to_node": node_ids[v], "capacity_mmcfd": round(float(capacity), 1),
                         "tariff_usd_mmbtu": round(float(tariff), 3)})
    return pd.DataFrame(rows)


def make_storage(rng: np.random.Generator, nodes: pd.DataFrame, periods: pd.DataFrame,
                 count: int, mean_demand: float) -> pd.DataFrame:
    """Storage sites: working gas of a few days of total demand each, filled in about
    150 days and emptied in about 60; a strategic floor; some start a quarter in."""
    T = len(periods)
    rows = []
    for k in range(count):
        working = mean_demand * rng.uniform(2.0, 8.0) / 1000.0  # Bcf
        rows.append({"storage": f"S{k + 1:03d}", "name": f"storage site {k + 1}",
                     "node": rng.choice(nodes["node"].to_numpy()),
                     "working_gas_bcf": round(float(working), 2),
                     "initial_bcf": round(float(working * rng.uniform(0.3, 0.6)), 2),
                     "injection_mmcfd": round(float(working * 1000 / rng.uniform(120, 180)), 1),
                     "withdrawal_mmcfd": round(float(working * 1000 / rng.uniform(45, 75)), 1),
                     "injection_cost_usd_mmbtu": round(float(rng.uniform(0.03, 0.12)), 3),
                     "withdrawal_cost_usd_mmbtu": round(float(rng.uniform(0.02, 0.08)), 3),
                     "floor_bcf": round(float(working * rng.uniform(0.0, 0.15)), 2),
                     "end_target_bcf": None,
                     "first_period": periods["period"].iloc[T // 4] if (T >= 8 and rng.random() < 0.2) else None})
    storage = pd.DataFrame(rows)
    late = storage["first_period"].notna()
    # A site that opens late starts empty with no floor (nothing can be in it yet).
    storage.loc[late, ["initial_bcf", "floor_bcf"]] = 0.0
    return storage


def case_toml(name: str, title: str) -> str:
    return (f"# Synthetic gasmix case written by benchmarks/generate.py (see {MARKER}).\n\n"
            f"[case]\nname = \"{name}\"\ntitle = \"{title}\"\n\n"
            "[settings]\nheat_content_mmbtu_per_mcf = 1.037\nvoll_usd_mmbtu = 100.0\n\n"
            "[policy]\nrisk_weight_usd_mmbtu = 0.0\nshare_basis = \"period\"\n"
            "share_of = \"supply\"\nexclude = []\n")


# --- the folder -------------------------------------------------------------------------

def _prepare_folder(folder: Path) -> None:
    """Create `folder`, or empty it if it holds an earlier generated case; refuse any other
    non-empty folder."""
    if folder.exists() and not folder.is_dir():
        raise GenerateError(f"{folder} exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        marker = folder / MARKER
        if not marker.is_file():
            raise GenerateError(f"{folder} is not empty and is not a generated case "
                                f"(no {MARKER}): refusing to overwrite it")
        written = json.loads(marker.read_text()).get("files", [])
        for name in written:
            (folder / Path(name).name).unlink(missing_ok=True)
        marker.unlink()
    folder.mkdir(parents=True, exist_ok=True)


def generate_case(folder, periods: int = 365, days_per_period: int = 1, nodes: int = 30,
                  sources: int = 700, storage: int = 10, seed: int = 0) -> Path:
    """Write a synthetic case into `folder` and return its path.

    `periods` of `days_per_period` days each (1: daily, 30: about monthly), `nodes` demand
    regions, `sources` supply sources (at least the number of entries, about sources/8),
    `storage` sites. Deterministic given the arguments and `seed`. Raises GenerateError for
    impossible arguments or a non-empty folder that is not a generated case.
    """
    if storage < 0:
        raise GenerateError("--storage must be ≥ 0")
    if sources < 3:
        raise GenerateError("--sources must be at least 3")
    folder = Path(folder)
    rng = np.random.default_rng(seed)
    period_table = make_periods(periods, days_per_period)
    node_table = make_nodes(nodes)
    demand = make_demand(rng, node_table, period_table)
    mean_demand = float(demand.groupby("period")["demand_mmcfd"].sum().mean())
    hub_prices = make_hub_prices(rng, period_table)
    entries = make_entries(rng, node_table, period_table, max(3, sources // 8), mean_demand)
    tables = {
        "periods": period_table, "nodes": node_table, "demand": demand,
        "suppliers": make_suppliers(), "hub_prices": hub_prices, "entries": entries,
        "entry_capacity": make_entry_outages(rng, entries, period_table),
        "sources": make_sources(rng, entries, period_table, sources),
        "arcs": make_arcs(rng, node_table, mean_demand),
    }
    if storage:
        tables["storage"] = make_storage(rng, node_table, period_table, storage, mean_demand)
    if tables["entry_capacity"].empty:
        del tables["entry_capacity"]

    _prepare_folder(folder)
    name = f"synthetic_{periods}x{days_per_period}d_{nodes}n_{sources}s_{storage}k_seed{seed}"
    title = (f"Synthetic case: {periods} periods of {days_per_period} day(s), {nodes} nodes, "
             f"{sources} sources, {storage} storage sites (seed {seed})")
    (folder / "case.toml").write_text(case_toml(name, title), encoding="utf-8")
    for table_name, table in tables.items():
        table.to_csv(folder / f"{table_name}.csv", index=False, lineterminator="\n")
    files = ["case.toml", *(f"{t}.csv" for t in tables)]
    settings = {"periods": periods, "days_per_period": days_per_period, "nodes": nodes,
                "sources": sources, "storage": storage, "seed": seed}
    (folder / MARKER).write_text(json.dumps({"generator": "benchmarks/generate.py", **settings,
                                             "files": files}, indent=1) + "\n", encoding="utf-8")
    return folder


def expected_variables(periods: int, nodes: int, sources: int, storage: int,
                       share_limits: bool = True) -> int:
    """Columns of the LP of a generated case: per period one per source, arc (ring and
    chords, both ways: about 2·(N + N/3)), 3 per storage site, one unserved per node, and
    the share-base column when share limits apply. The arc count is an estimate (a chord
    drawn twice is dropped)."""
    arcs = 2 * (nodes + nodes // 3) if nodes > 2 else 2
    return periods * (sources + arcs + 3 * storage + nodes + (1 if share_limits else 0))


def main(argv=None) -> int:
    """Command line: parse, generate, print the folder written."""
    parser = argparse.ArgumentParser(description="Write a synthetic gasmix case folder.")
    parser.add_argument("-o", "--output", required=True, help="case folder to write")
    parser.add_argument("--periods", type=int, default=365, help="number of periods (default 365)")
    parser.add_argument("--days-per-period", type=int, default=1,
                        help="days in each period: 1 daily, 30 about monthly (default 1)")
    parser.add_argument("--nodes", type=int, default=30, help="demand nodes (default 30)")
    parser.add_argument("--sources", type=int, default=700, help="supply sources (default 700)")
    parser.add_argument("--storage", type=int, default=10, help="storage sites (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    try:
        folder = generate_case(args.output, periods=args.periods, days_per_period=args.days_per_period,
                               nodes=args.nodes, sources=args.sources, storage=args.storage,
                               seed=args.seed)
    except GenerateError as exc:
        print(f"generate.py: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {folder} (about {expected_variables(args.periods, args.nodes, args.sources, args.storage):,} "
          "LP columns with a share cap)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
