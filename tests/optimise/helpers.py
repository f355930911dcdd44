"""Tiny hand-made datasets and score frames for the optimiser tests (no scoring package)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset

#: (code, name, bloc, governance)
COUNTRIES = [
    ("CN", "China", "", -0.3),
    ("DE", "Germany", "EU", 1.4),
    ("FR", "France", "EU", 1.0),
    ("JP", "Japan", "", 1.4),
    ("AU", "Australia", "", 1.5),
    ("US", "United States", "", 1.0),
    ("VN", "Vietnam", "", -0.3),
    ("MM", "Myanmar", "", -1.6),
]
#: The three solver paths every backend test runs: (solver, backend).
PATHS = [("highs", "highs"), ("highs", "pulp"), ("cbc", "pulp")]

Offer = tuple[str, str, str, float, float]  # supplier_id, country, commodity, capacity_t, USD/kg


def tiny_dataset(offers: Sequence[Offer], demand: Sequence[tuple[str, str, float]]) -> Dataset:
    """A dataset from offer and demand tuples; other tables minimal."""
    suppliers = pd.DataFrame(
        offers, columns=["supplier_id", "country", "commodity", "capacity_t", "price_usd_per_kg"]
    )
    suppliers = suppliers.assign(
        name=suppliers["supplier_id"], stage="refining", status="producing", lead_time_days=30.0
    )
    commodities = sorted(set(suppliers["commodity"]) | {c for _, c, _ in demand})
    return Dataset(
        commodities=pd.DataFrame(
            {
                "commodity": commodities,
                "symbol": commodities,
                "name": commodities,
                "price_usd_per_kg": 100.0,
                "substitution_index": 1.0,
                "eol_recycling_rate": 0.0,
            }
        ),
        countries=pd.DataFrame(COUNTRIES, columns=["country", "name", "bloc", "governance"]),
        production=pd.DataFrame(columns=["country", "commodity", "stage", "tonnes", "year"]),
        export_controls=pd.DataFrame(columns=["country", "commodity", "severity", "since"]),
        suppliers=suppliers,
        demand=pd.DataFrame(demand, columns=["buyer", "commodity", "demand_t"]),
    )


def make_config(policy: dict[str, Any] | None = None, **optimiser: Any) -> Config:
    """Buyers EU (home EU) and JP (home JP), partners incl. AU and US, lambda 0 unless given.

    ``policy`` (e.g. ``{"max_country_share": 0.65}``) applies to both buyers;
    without it neither has a policy. Version-1 keys in ``optimiser`` make a
    version-1 configuration.
    """
    buyers = {
        "EU": {"home": ["EU"], "partners": ["JP", "US", "CA", "AU", "GB", "NO", "KR"]},
        "JP": {"home": ["JP"], "partners": ["EU", "US", "CA", "AU", "GB", "KR"]},
    }
    if policy is not None:
        buyers = {b: spec | {"policy": policy} for b, spec in buyers.items()}
    return Config(buyers=buyers, optimiser={"risk_aversion": 0.0, **optimiser})


def scores_for(
    dataset: Dataset, config: Config, rule: Callable[[str, pd.Series], float] | None = None
) -> pd.DataFrame:
    """A score row for every buyer and offer; risk from ``rule(buyer, offer)`` (default 0)."""
    rows = [
        (
            b,
            o["supplier_id"],
            o["commodity"],
            o["country"],
            0.0 if rule is None else float(rule(b, o)),
        )
        for b in sorted(config.buyers)
        for _, o in dataset.suppliers.iterrows()
    ]
    frame = pd.DataFrame(
        rows, columns=["buyer", "supplier_id", "commodity", "country", "risk_score"]
    )
    # q by the version-1 rule (risk/100): optimiser tests do not depend on the calibration
    return frame.assign(disruption_probability=frame["risk_score"] / 100.0)


def random_scores(dataset: Dataset, config: Config, seed: int = 0) -> pd.DataFrame:
    """Uniform random risk 0-100 and q 0-0.5 for every buyer and offer (unique optima)."""
    rng = np.random.default_rng(seed)
    n = len(dataset.suppliers)
    frames = [
        dataset.suppliers[["supplier_id", "commodity", "country"]].assign(
            buyer=b,
            risk_score=rng.uniform(0, 100, n).round(3),
            disruption_probability=rng.uniform(0, 0.5, n).round(4),
        )
        for b in sorted(config.buyers)
    ]
    return pd.concat(frames, ignore_index=True)
