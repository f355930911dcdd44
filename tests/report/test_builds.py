"""A default report builds the plan's model once and shares it (issue 14: one build per run)."""

from __future__ import annotations

import pytest

import riskengine
from riskengine.enums import Mode
from riskengine.optimise.api import default_scores
from tests.conftest import REPO
from tests.report.conftest import DefaultReport


def test_a_default_report_builds_the_plans_model_once(default_report: DefaultReport) -> None:
    built = default_report.built
    years = len(riskengine.load_config(REPO / "config" / "default.yaml").horizon.years)
    # the plan, the frontier, the alliance value, the sharing rules and the two-stage plan
    # share one joint model of the horizon; buying apart, the candidate partners' game and
    # the one-year stress tests are other models
    assert built[(Mode.JOINT.value, years)] == 2  # the plan's model and the candidates' game
    assert built[(Mode.SEPARATE.value, years)] == 1
    assert built[(Mode.JOINT.value, 0)] == 1  # the stress tests' one-year model
    assert sum(built.values()) == 4, built


def test_a_prebuilt_problem_of_another_mode_is_refused() -> None:
    data, config = riskengine.load_dataset(), riskengine.load_config().one_year()
    scores = default_scores(data, config)
    separate = riskengine.build_problem(data, config, scores, mode="separate")
    with pytest.raises(riskengine.ArgumentError, match="built for mode 'separate'"):
        riskengine.optimise(data, config, problem=separate)
    joint = riskengine.build_problem(data, config, scores, mode="joint")
    assert riskengine.optimise(data, config, problem=joint).objective_usd == pytest.approx(
        riskengine.optimise(data, config).objective_usd, rel=1e-9
    )
