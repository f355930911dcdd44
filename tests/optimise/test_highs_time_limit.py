"""HiGHS counts time_limit over every run of one instance; run_within gives each run its own."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from riskengine.optimise.highs import highs_lp, new_highs, run_within


def _loaded(time_limit_s: float):
    n = 400
    rng = np.random.default_rng(0)
    matrix = sp.random(n, n, density=0.05, random_state=1, format="csr") + sp.eye(n)
    h = new_highs(time_limit_s)
    h.passModel(
        highs_lp(
            rng.uniform(1.0, 2.0, n),
            (np.zeros(n), np.full(n, 10.0)),
            matrix,
            (np.ones(n), np.full(n, np.inf)),
        )
    )
    return h


def test_every_run_gets_the_whole_limit_however_long_the_runs_before_took():
    h = _loaded(30.0)
    for _ in range(3):
        run_within(h, 30.0)
        h.clearSolver()
    used = h.getRunTime()
    run_within(h, 30.0)
    limit = h.getOptionValue("time_limit")
    limit = limit[1] if isinstance(limit, tuple) else limit  # highspy 1.16: (status, value)
    assert limit == pytest.approx(used + 30.0, abs=1e-6)
    assert h.modelStatusToString(h.getModelStatus()) == "Optimal"
