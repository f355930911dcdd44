"""The risk-aversion sweep and the efficient-point flag."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskengine.data.synthetic import generate_dataset
from riskengine.optimise import frontier
from riskengine.optimise.cost_risk import efficient, lambda_grid, serves_less
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
    config = make_config(shortfall_penalty_usd_per_kg=1000.0)
    scores = scores_for(data, config).assign(disruption_probability=0.0)
    scores.loc[scores["country"] == "CN", "disruption_probability"] = 0.5
    # China costs 100 + lambda x 0.5 x 1000 USD/kg, Germany 150: they tie at lambda = 0.1
    f = frontier(data, config, [0.0, 0.05, 0.2, 1.0], scores)
    p = f.points
    assert list(p["risk_aversion"]) == [0.0, 0.05, 0.2, 1.0]
    assert list(p["purchase_cost_usd"]) == pytest.approx([10e6, 10e6, 15e6, 15e6])
    assert list(p["expected_loss_usd"]) == pytest.approx([50e6, 50e6, 0.0, 0.0])
    assert list(p["china_share"]) == pytest.approx([1.0, 1.0, 0.0, 0.0])
    assert p["efficient"].all()  # equal points do not dominate each other
    mixes = f.mixes.set_index(["risk_aversion", "country"])["tonnes"]
    assert mixes[(0.0, "CN")] == pytest.approx(100) and mixes[(1.0, "DE")] == pytest.approx(100)
    assert repr(f) == "Frontier(points=4, efficient=4)"


def test_efficient_flags_dominated_failed_and_less_served_points() -> None:
    points = pd.DataFrame(
        {
            "status": ["optimal", "optimal", "optimal", "time_limit", "optimal"],
            "purchase_cost_usd": [10.0, 12.0, 11.0, 1.0, 5.0],
            "supply_loss_usd": [50.0, 40.0, 50.0, 0.0, 60.0],
            "served_t": [100.0, 100.0, 100.0, 100.0, 90.0],
        }
    )
    # the last point is cheapest only because it buys 10 t less: never efficient
    assert list(serves_less(points)) == [False, False, False, False, True]
    assert list(efficient(points)) == [True, True, False, False, False]


def test_a_point_that_needs_less_through_thrifting_does_not_serve_less() -> None:
    # magnet demand in product tonnes: the second plan switches to a grade that needs 10 t
    # less of the element and leaves nothing unmet; the third leaves 5 t unmet
    points = pd.DataFrame(
        {
            "status": ["optimal"] * 3,
            "purchase_cost_usd": [10.0, 9.0, 8.0],
            "thrifting_usd": [0.0, 0.5, 0.0],
            "supply_loss_usd": [50.0, 40.0, 30.0],
            "served_t": [100.0, 90.0, 95.0],
            "shortfall_t": [0.0, 0.0, 5.0],
        }
    )
    assert list(serves_less(points)) == [False, False, True]
    assert list(efficient(points)) == [False, True, False]  # 9.5 paid and 40 lost beat 10 and 50


def test_generated_frontier_trades_cost_for_risk() -> None:
    data = generate_dataset(140, seed=2)
    config = make_config({"max_country_share": 0.6}, risk_aversion=1.0)
    scores = random_scores(data, config, seed=2)
    f = frontier(data, config, [0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0], scores)
    p = f.points
    assert (p["status"] == "optimal").all()
    low, high = p[p["risk_aversion"] <= 1.0], p[p["risk_aversion"] >= 1.0]
    # below lambda = 1 lambda weighs the expected loss E; above, E + lost supply L
    cost_low = low["purchase_cost_usd"] + low["lost_supply_usd"] + _violations(f, low)
    assert (np.diff(cost_low) >= -1e-6 * cost_low.to_numpy()[:-1]).all()
    assert (np.diff(low["expected_loss_usd"]) <= 1e-6 * low["expected_loss_usd"].max()).all()
    cost_high = high["purchase_cost_usd"] + _violations(f, high)
    assert (np.diff(cost_high) >= -1e-6 * cost_high.to_numpy()[:-1]).all()
    assert (np.diff(high["supply_loss_usd"]) <= 1e-6 * high["supply_loss_usd"].max()).all()
    assert p["efficient"].any()


def _violations(f, points: pd.DataFrame) -> np.ndarray:
    by_lambda = {r.risk_aversion: r.violation_usd for r in f.results}
    return points["risk_aversion"].map(by_lambda).to_numpy()


def test_warm_started_sweep_matches_cold_pulp_solves() -> None:
    data = generate_dataset(140, seed=6)
    config = make_config({"min_partner_share": 0.2, "max_country_share": 0.6})
    scores = random_scores(data, config, seed=6)
    warm = frontier(data, config, 4, scores)
    cold = frontier(data, config, 4, scores, backend="pulp")
    assert warm.points["model_cost_usd"].to_numpy() == pytest.approx(
        cold.points["model_cost_usd"].to_numpy(), rel=1e-8
    )
    assert set(warm.to_dict()) == {"points", "mixes"}
