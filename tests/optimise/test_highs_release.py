"""A model solved once frees each block after reading it, with the answer of a kept model."""

from __future__ import annotations

import numpy as np
import pytest

from riskengine import generate_dataset, load_config
from riskengine.optimise.api import default_scores
from riskengine.optimise.build import build_problem
from riskengine.optimise.highs import HighsModel


@pytest.mark.parametrize("overrides", [[], ["optimiser.min_order_t=50"]])
def test_freed_blocks_give_the_kept_models_answer(overrides: list[str]) -> None:
    config = load_config(overrides=overrides).one_year()
    data = generate_dataset(n_offers=400, seed=5)
    problem = build_problem(data, config, default_scores(data, config))
    assert problem.is_mip == bool(overrides)
    kept, freed = HighsModel(problem), HighsModel(problem, keep=False)
    (a, _), (b, _) = kept.run(), freed.run()
    assert a.status == b.status and a.objective == b.objective
    np.testing.assert_array_equal(a.values, b.values)
    for mine, theirs in [(a.row_dual, b.row_dual), (a.col_dual, b.col_dual)]:
        assert (mine is None) == (theirs is None) == problem.is_mip
        if mine is not None:
            np.testing.assert_array_equal(mine, theirs)
    if not problem.is_mip:
        for mine, theirs in zip(kept.basis(), freed.basis(), strict=True):
            np.testing.assert_array_equal(mine, theirs)
    assert all(not hasattr(part, "highs") for part in freed.parts)
