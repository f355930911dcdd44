"""Blocks solved on threads give exactly the plan solved one block after the other."""

from __future__ import annotations

import os

import numpy as np
import pytest

from riskengine import load_config, load_dataset
from riskengine.optimise import highs
from riskengine.optimise.api import default_scores
from riskengine.optimise.build import build_problem
from riskengine.optimise.joint import solve_joint


def _plan(monkeypatch: pytest.MonkeyPatch, threads: bool) -> tuple[np.ndarray, float]:
    monkeypatch.setattr(highs, "THREAD_COLUMNS", 0 if threads else 10**12)
    data, config = load_dataset(), load_config()  # blocks of unequal sizes
    problem = build_problem(data, config, default_scores(data, config))
    joint = solve_joint(problem, config.optimiser)  # pooled solve, buyers alone, sharing
    assert joint.solution.is_ok and joint.plan is not None
    return np.asarray(joint.solution.values_t), float(joint.solution.objective_usd)


def test_threads_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one CPU: the blocks always run one after the other")
    one_by_one, cost_one = _plan(monkeypatch, threads=False)
    threaded, cost_threaded = _plan(monkeypatch, threads=True)
    assert np.array_equal(one_by_one, threaded)
    assert cost_one == cost_threaded
