"""The scenario index's policy excess: each soft row's tonnes over its cap or under its floor."""

from __future__ import annotations

import numpy as np
import pytest

import riskengine
from riskengine.optimise import build_problem
from riskengine.optimise.api import default_scores
from riskengine.scenarios._index import index_problem


def _by_definition(index, x_t: np.ndarray) -> np.ndarray:
    """Row by row from the tables: the cap's country at its stage, or the floor's trusted x."""
    structure = index.problem.structure
    x, at = structure.x, structure.stages
    bought = np.bincount(structure.x_need, x_t, minlength=index.n_pairs)
    out = []
    for row in structure.violations.itertuples():
        limit = row.share * bought[row.need]
        if row.family == "country_cap":
            hit = (at["need"] == row.need) & (at["country"] == row.country)
            hit &= at["stage"].fillna("") == (row.stage if isinstance(row.stage, str) else "")
            out.append(max(x_t[at.loc[hit, "x"].to_numpy(dtype=int)].sum() - limit, 0.0))
        else:
            mine = (x["need"] == row.need) & (x["relation"] != "other")
            out.append(max(limit - x_t[mine.to_numpy()].sum(), 0.0))
    return np.array(out)


@pytest.mark.parametrize(
    "overrides",
    [
        [],  # five years, country caps at every stage of the routes
        ["horizon.start=null", "horizon.end=null", "buyers.EU.policy.min_partner_share=0.3"],
    ],
)
def test_excess_matches_its_definition_on_the_shipped_data(overrides):
    data = riskengine.load_dataset()
    config = riskengine.load_config(overrides=overrides)
    index = index_problem(build_problem(data, config, default_scores(data, config)), data)
    families = set(index.problem.structure.violations["family"])
    assert "country_cap" in families
    assert ("partner_floor" in families) == bool(overrides)
    rng = np.random.default_rng(7)
    for _ in range(5):
        x_t = rng.uniform(0.0, 80.0, index.n_x) * (rng.random(index.n_x) < 0.4)
        expected = _by_definition(index, x_t)
        assert expected.max() > 0  # some row is over its cap: the test can fail
        np.testing.assert_allclose(index.excess_t(x_t), expected, rtol=1e-12, atol=1e-9)
