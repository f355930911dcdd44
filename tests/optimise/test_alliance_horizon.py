"""Over a horizon, the alliance value sums each buyer's years once (it once paired every year
of the joint plan with every year of the separate one and reported five times the saving)."""

from __future__ import annotations

import pytest

import riskengine


def test_alliance_value_over_a_horizon_adds_each_year_once() -> None:
    config, data = riskengine.load_config(), riskengine.load_dataset()
    assert len(config.horizon.years) > 1
    value = riskengine.alliance_value(data, config)
    assert not value.duplicated(["buyer", "commodity"]).any()
    assert len(value) == len(data.demand[["buyer", "commodity"]].drop_duplicates())
    joint = riskengine.optimise(data, config, mode="joint")
    separate = riskengine.optimise(data, config, mode="separate")
    assert value["cost_joint_usd"].sum() == pytest.approx(joint.purchase_cost_usd, rel=1e-9)
    assert value["cost_separate_usd"].sum() == pytest.approx(separate.purchase_cost_usd, rel=1e-9)
    assert value["shortfall_reduction_t"].sum() == pytest.approx(
        separate.shortfall_t - joint.shortfall_t, abs=1e-6
    )
