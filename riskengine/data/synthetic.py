"""Synthetic datasets of any size in the shipped table format (tests, benchmarks, experiments).

The numbers are random but shaped like the real market: China holds about 30%
of offers with twice their capacity, governance and prices vary by country,
and total capacity exceeds total demand so that caps, not scarcity, shape
the mix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskengine.config.arguments import MAX_SEED, check_count
from riskengine.data.dataset import Dataset
from riskengine.enums import COMMODITIES, OfferStatus, Stage

__all__ = ["generate_dataset"]

# (code, name, bloc, WGI mean estimate) - real codes, rough real governance.
_COUNTRIES: tuple[tuple[str, str, str, float], ...] = (
    ("CN", "China", "", -0.33),
    ("JP", "Japan", "", 1.37),
    ("DE", "Germany", "EU", 1.36),
    ("FR", "France", "EU", 1.04),
    ("EE", "Estonia", "EU", 1.30),
    ("AU", "Australia", "", 1.49),
    ("US", "United States", "", 0.99),
    ("CA", "Canada", "", 1.45),
    ("MY", "Malaysia", "", 0.43),
    ("VN", "Vietnam", "", -0.34),
    ("BR", "Brazil", "", -0.29),
    ("IN", "India", "", -0.07),
    ("ZA", "South Africa", "", -0.10),
    ("KZ", "Kazakhstan", "", -0.33),
    ("GB", "United Kingdom", "", 1.26),
    ("MM", "Myanmar", "", -1.60),
    ("KR", "Korea", "", 0.97),
    ("SE", "Sweden", "EU", 1.57),
    ("ES", "Spain", "EU", 0.85),
    ("NO", "Norway", "", 1.65),
)
_SYMBOLS = {
    "samarium": "Sm",
    "gadolinium": "Gd",
    "terbium": "Tb",
    "dysprosium": "Dy",
    "lutetium": "Lu",
    "scandium": "Sc",
    "yttrium": "Y",
}
_PRICES = {
    "samarium": 5.0,
    "gadolinium": 25.0,
    "terbium": 1500.0,
    "dysprosium": 450.0,
    "lutetium": 800.0,
    "scandium": 1200.0,
    "yttrium": 60.0,
}


def _countries(n: int) -> pd.DataFrame:
    rows = _COUNTRIES[: max(3, min(n, len(_COUNTRIES)))]
    return pd.DataFrame(rows, columns=["country", "name", "bloc", "governance"])


def _commodities(rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "commodity": list(COMMODITIES),
            "symbol": [_SYMBOLS[c] for c in COMMODITIES],
            "name": [c.capitalize() for c in COMMODITIES],
            "price_usd_per_kg": [_PRICES[c] for c in COMMODITIES],
            "substitution_index": rng.uniform(0.7, 1.0, len(COMMODITIES)).round(2),
            "eol_recycling_rate": rng.uniform(0.0, 0.3, len(COMMODITIES)).round(2),
            # above every generated offer price (at most 1.6 x the base price)
            "lost_supply_value_usd_per_kg": [2.5 * _PRICES[c] for c in COMMODITIES],
        }
    )


def _suppliers(rng: np.random.Generator, n: int, codes: np.ndarray) -> pd.DataFrame:
    weights = np.where(codes == "CN", 0.30, 0.70 / (len(codes) - 1))
    country = rng.choice(codes, size=n, p=weights / weights.sum())
    commodity = np.array(COMMODITIES)[np.arange(n) % len(COMMODITIES)]
    base = np.array([_PRICES[c] for c in commodity])
    china = country == "CN"
    capacity = rng.uniform(5.0, 100.0, n) * np.where(china, 2.0, 1.0)
    price = base * rng.uniform(0.8, 1.6, n) * np.where(china, 0.7, 1.0)
    status = rng.choice([s.value for s in OfferStatus], size=n, p=[0.6, 0.25, 0.15])
    stage = rng.choice([s.value for s in Stage], size=n, p=[0.2, 0.8])
    ids = [f"sup-{i:06d}" for i in range(n)]
    return pd.DataFrame(
        {
            "supplier_id": ids,
            "name": [f"Supplier {i}" for i in range(n)],
            "country": country,
            "commodity": commodity,
            "stage": stage,
            "status": status,
            "capacity_t": capacity.round(2),
            "price_usd_per_kg": price.round(2),
            "lead_time_days": rng.integers(20, 200, n).astype(float),
        }
    )


def _production(suppliers: pd.DataFrame) -> pd.DataFrame:
    frame = suppliers.groupby(["country", "commodity"], as_index=False)["capacity_t"].sum()
    rows = [frame.assign(stage=stage.value) for stage in Stage]
    out = pd.concat(rows, ignore_index=True).rename(columns={"capacity_t": "tonnes"})
    out["year"] = pd.array([2024] * len(out), dtype="Int64")  # as the loader types it
    return out[["country", "commodity", "stage", "tonnes", "year"]]


def _export_controls() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "country": "CN",
            "commodity": list(COMMODITIES),
            "severity": 0.5,
            "since": pd.Timestamp("2025-04-04"),
            "stage": "",
            "destination": "",
            "in_force": True,
        }
    )


def generate_dataset(
    n_offers: int = 1000,
    seed: int = 0,
    n_countries: int = 20,
    buyers: tuple[str, ...] = ("EU", "JP"),
    demand_ratio: float = 0.5,
) -> Dataset:
    """A random, valid dataset with ``n_offers`` supplier offers.

    Parameters
    ----------
    n_offers : int
        Number of rows of ``suppliers`` (offers are spread evenly over the seven commodities).
    seed : int
        Seed of the random generator; the same seed gives the same tables.
    n_countries : int
        Number of countries (3 to 20, China and Japan always included; with fewer
        than 20, some default partner countries are missing and the default
        configuration reports them).
    buyers : tuple of str
        Buyers that get a demand row per commodity.
    demand_ratio : float
        Total demand of all buyers as a share of total capacity, per commodity.

    Examples
    --------
    >>> from riskengine import generate_dataset
    >>> data = generate_dataset(n_offers=70, seed=1)
    >>> len(data.suppliers), sorted(data.demand["buyer"].unique())
    (70, ['EU', 'JP'])
    """
    check_count("generate_dataset: n_offers", n_offers, len(COMMODITIES), 10_000_000)
    check_count("generate_dataset: seed", seed, 0, MAX_SEED)
    rng = np.random.default_rng(seed)
    countries = _countries(n_countries)
    suppliers = _suppliers(rng, n_offers, countries["country"].to_numpy())
    total = suppliers.groupby("commodity")["capacity_t"].sum()
    split = rng.dirichlet(np.ones(len(buyers)) * 4, size=len(COMMODITIES))
    demand = pd.DataFrame(
        [
            {
                "buyer": b,
                "commodity": c,
                "demand_t": round(float(total[c] * demand_ratio * split[i, j]), 2),
            }
            for i, c in enumerate(COMMODITIES)
            for j, b in enumerate(buyers)
        ]
    )
    return Dataset(
        commodities=_commodities(rng),
        countries=countries,
        production=_production(suppliers),
        export_controls=_export_controls(),
        suppliers=suppliers,
        demand=demand,
        source=f"generated(n_offers={n_offers}, seed={seed})",
    )
