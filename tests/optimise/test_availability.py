"""Planned plants are scored but, by default, not bought from (status_availability)."""

from __future__ import annotations

import pytest

from riskengine import ConfigError, generate_dataset, load_config
from riskengine.optimise import optimise


def _planned_tonnes(result, data) -> float:
    planned = set(data.suppliers.loc[data.suppliers["status"] == "planned", "supplier_id"])
    return float(
        result.allocations.loc[result.allocations["supplier_id"].isin(planned), "tonnes"].sum()
    )


def test_planned_capacity_is_not_used_by_default_and_can_be_enabled():
    data = generate_dataset(n_offers=140, seed=4)
    assert (data.suppliers["status"] == "planned").any()
    default = optimise(data, load_config())
    assert _planned_tonnes(default, data) == 0.0
    ahead = optimise(
        data,
        load_config(
            overrides=["optimiser.status_availability={producing: 1, ramping: 1, planned: 1}"]
        ),
    )
    assert ahead.objective_usd <= default.objective_usd + 1e-6


def test_unknown_status_in_availability_is_a_config_error():
    with pytest.raises(ConfigError, match=r"optimiser\.status_availability\.built"):
        load_config(overrides=["optimiser.status_availability={built: 1}"])
