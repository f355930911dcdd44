"""The risk-aversion sweep and the efficient-point flag."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskengine.data.synthetic import generate_dataset
from riskengine.optimise import frontier
from riskengine.optimise.frontier import efficient, lambda_grid
from tests.optimise.helpers import make_config, random_scores, scores_for, tiny_dataset

DY = "dysprosium"


def test_default_grid() -> None:
    assert lambda_grid(7) == pytest.approx([0.0, 0.1, 0.251189, 0.630957, 1.584893, 3.981072, 10.0])
    assert lambda_grid(1) == [0.0]
    with pytest.raises(ValueError, match="points must be >= 1, got 0"):
        lambda_grid(0)


def test_hand_frontier_switches_to_the_safe_offer() -> None:
    data = tiny_dataset(
        [("cn1", "CN", DY, 1000, 100), ("de1", "DE", DY, 1000, 150)], [("EU", DY, 100)]
    )
    config = make_config(max_country_share=1.0)
    scores = scores_for(data, config, lambda b, o: 100.0 if o["country"] == "CN" else 0.0)
    f = frontier(data, config, [0.0, 0.25, 1.0, 2.0], scores)
    p = f.points
    assert list(p["risk_aversion"]) == [0.0, 0.25, 1.0, 2.0]
    assert list(p["purchase_cost_usd"]) == pytest.approx([10e6, 10e6, 15e6, 15e6])
    assert list(p["average_risk"]) == pytest.approx([100.0, 100.0, 0.0, 0.0])
    assert p["efficient"].all()  # equal points do not dominate each other
    mixes = f.mixes.set_index(["risk_aversion", "country"])["tonnes"]
    assert mixes[(0.0, "CN")] == pytest.approx(100) and mixes[(2.0, "DE")] == pytest.approx(100)
    assert repr(f) == "Frontier(points=4, efficient=4)"


def test_efficient_flags_dominated_and_failed_points() -> None:
    points = pd.DataFrame(
        {
            "status": ["optimal", "optimal", "optimal", "time_limit"],
            "purchase_cost_usd": [10.0, 12.0, 11.0, 1.0],
            "average_risk": [50.0, 40.0, 50.0, 0.0],
            "shortfall_t": [0.0, 0.0, 1.0, 0.0],
        }
    )
    assert list(efficient(points)) == [True, True, False, False]


def test_generated_frontier_trades_cost_for_risk() -> None:
    data = generate_dataset(140, seed=2)
    config = make_config(risk_aversion=1.0)
    scores = random_scores(data, config, seed=2)
    f = frontier(data, config, 5, scores)
    assert (f.points["status"] == "optimal").all()
    hard = np.array(
        [
            r.metrics["purchase_cost_usd"].sum() + r.metrics["shortfall_penalty_usd"].sum()
            for r in f.results
        ]
    )
    charge = np.array(
        [r.metrics["risk_charge_usd"].sum() / max(r.risk_aversion, 1e-12) for r in f.results[1:]]
    )
    assert (np.diff(hard) >= -1e-6 * hard[:-1]).all()  # cost rises with lambda
    assert (np.diff(charge) <= 1e-6 * charge[:-1]).all()  # risk (price-weighted) falls
    assert f.points["efficient"].any()


def test_warm_started_sweep_matches_cold_pulp_solves() -> None:
    data = generate_dataset(140, seed=6)
    config = make_config(min_partner_share=0.2)
    scores = random_scores(data, config, seed=6)
    warm = frontier(data, config, 4, scores)
    cold = frontier(data, config, 4, scores, backend="pulp")
    assert warm.points["objective_usd"].to_numpy() == pytest.approx(
        cold.points["objective_usd"].to_numpy(), rel=1e-8
    )
    assert set(warm.to_dict()) == {"points", "mixes"}
