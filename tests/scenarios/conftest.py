"""Shared inputs of the scenario tests: the shipped seeds and a small generated dataset."""

from __future__ import annotations

import pandas as pd
import pytest

import riskengine
from riskengine.config import Config, ScenarioConfig
from riskengine.data import Dataset
from riskengine.optimise.api import default_scores
from tests.conftest import DEFAULT_CONFIG, SEEDS


def scenario(**fields: object) -> ScenarioConfig:
    """A validated scenario from keyword fields (name defaults to 'test')."""
    return ScenarioConfig.model_validate({"name": "test", **fields})


@pytest.fixture(scope="session")
def seeds() -> tuple[Config, Dataset, pd.DataFrame]:
    """Default configuration, shipped seeds and their risk scores with q."""
    config = riskengine.load_config(DEFAULT_CONFIG)
    data = riskengine.load_dataset(SEEDS)
    return config, data, default_scores(data, config)


@pytest.fixture(scope="session")
def small() -> tuple[Config, Dataset, pd.DataFrame]:
    """A generated dataset of 140 offers (random prices: a unique optimum), default config."""
    config = Config()
    data = riskengine.generate_dataset(n_offers=140, seed=3)
    return config, data, default_scores(data, config)


@pytest.fixture(scope="session")
def single() -> tuple[Config, Dataset, pd.DataFrame]:
    """Like ``small`` with one buyer (EU): no tie in how buyers split an offer."""
    config = Config()
    data = riskengine.generate_dataset(n_offers=140, seed=3, buyers=("EU",))
    return config, data, default_scores(data, config)
