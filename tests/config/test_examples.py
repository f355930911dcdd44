"""Every shipped configuration validates against the shipped data."""

from __future__ import annotations

import pytest

from riskengine import load_config, load_dataset
from riskengine.data.checks import check_against_config
from tests.conftest import REPO

CONFIGS = sorted((REPO / "config").rglob("*.yaml"))


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_shipped_config_is_valid(path):
    config = load_config(path)
    check_against_config(load_dataset(config.data.dir), config, str(path))
