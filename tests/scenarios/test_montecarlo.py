"""Monte Carlo scenarios: reproducible, and probabilities as documented."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskengine.exceptions import RiskEngineError
from riskengine.scenarios import DisruptionModel, disruption_events, monte_carlo, stress


def _same(a, b):
    for key in ("capacity", "price", "availability"):
        x, y = getattr(a, key), getattr(b, key)
        assert (x is None and y is None) or np.array_equal(x, y), key
    assert (a.name, a.description) == (b.name, b.description)


def test_the_same_seed_gives_the_same_scenarios_and_draw_i_does_not_depend_on_n(seeds):
    config, data, _ = seeds
    first, again, longer = (monte_carlo(data, config, n, seed=7) for n in (10, 10, 25))
    for a, b, c in zip(first, again, longer[:10], strict=True):
        _same(a, b)
        _same(a, c)
    other = monte_carlo(data, config, 10, seed=8)
    assert any(a.description != b.description for a, b in zip(first, other, strict=True))


def test_the_same_seed_gives_the_same_stress_tables(seeds):
    config, data, scores = seeds
    runs = [
        stress(data, config, [], monte_carlo=30, seed=5, library=False, scores=scores)
        for _ in range(2)
    ]
    for table in ("scenarios", "exposure", "response", "regret"):
        pd.testing.assert_frame_equal(getattr(runs[0], table), getattr(runs[1], table))
    assert runs[0].scenarios["source"].eq("monte-carlo").all()


def test_event_probabilities_follow_the_indicators(seeds):
    config, data, _ = seeds
    events = disruption_events(data, config).set_index("key")
    assert events.loc["CN export controls", "probability"] == pytest.approx(0.2 * 0.5)
    assert events.loc["CN export controls to JP", "buyers"] == "JP"
    assert events.loc["CN export controls to JP", "probability"] == pytest.approx(0.2 * 0.75)
    assert events.loc["MY", "probability"] == pytest.approx(0.05 * (2.5 - 0.43) * 2 / 10)
    status = data.suppliers.set_index(["supplier_id", "commodity"])["status"]
    expected = {"producing": 0.02, "ramping": 0.16, "planned": 0.30}
    for key, p in events[events["kind"] == "supplier"]["probability"].items():
        supplier, commodity = key[:-1].split(" (")
        assert p == pytest.approx(expected[status[(supplier, commodity)]]), key


def test_a_japan_only_control_event_cuts_only_japan(seeds):
    config, data, _ = seeds
    model = DisruptionModel(
        control_base=1.0, governance_base=0.0, supplier_min=0.0, supplier_max=0.0
    )
    effects = monte_carlo(data, config, 20, seed=0, model=model)
    # draws in which the Japan event fired and the EU one (export_controls rows for EU) did not
    japan_only = [
        e
        for e in effects
        if e.availability is not None and "to EU" not in e.description and "to JP" in e.description
    ]
    assert japan_only, "no Japan-only control event fired in 20 draws at p = 0.75"
    origin = data.suppliers["country"].isin(["CN", "IN"]).to_numpy()
    for effect in japan_only:
        assert effect.availability[0].min() == 1.0  # EU untouched
        assert effect.availability[1][~origin].min() == 1.0
        assert effect.availability[1][origin].min() < 1.0


def test_model_parameters_are_checked():
    with pytest.raises(RiskEngineError) as caught:
        DisruptionModel(depth=(0.8, 0.5))
    assert str(caught.value) == (
        "DisruptionModel.depth = (0.8, 0.5): expected (low, high) with 0 <= low <= high <= 1"
    )
