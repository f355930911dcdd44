"""Generated reference pages are up to date (regenerate: python -m riskengine.docs docs)."""

from __future__ import annotations

from riskengine.docs import configuration_reference, data_dictionary
from tests.conftest import REPO


def test_configuration_reference_is_current():
    page = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert page == configuration_reference(), "stale: run python -m riskengine.docs docs"


def test_data_dictionary_is_current():
    page = (REPO / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert page == data_dictionary(), "stale: run python -m riskengine.docs docs"


def test_every_configuration_key_is_in_default_yaml():
    text = (REPO / "config" / "default.yaml").read_text(encoding="utf-8")
    for line in configuration_reference().splitlines():
        if line.startswith("| `"):
            leaf = line.split("`")[1].split(".")[-1]
            assert f"{leaf}:" in text, f"config/default.yaml does not document {leaf}"
