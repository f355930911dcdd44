"""Golden ``summary.json`` from the shipped seeds and config/default.yaml.

Regenerate after an intended change of numbers or keys with::

    RISKENGINE_REGEN_GOLDEN=1 python -m pytest tests/report

and review the diff of ``tests/report/golden/summary.json`` before committing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.report.conftest import DefaultReport

GOLDEN = Path(__file__).parent / "golden" / "summary.json"
REGENERATE = os.environ.get("RISKENGINE_REGEN_GOLDEN") == "1"


def _same(actual: Any, expected: Any, where: str = "summary") -> None:
    """Equal structure, keys and text; numbers equal to a relative 1e-6 (solver builds differ)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        assert list(actual) == list(expected), f"{where}: keys differ"
        for key in expected:
            _same(actual[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _same(a, e, f"{where}[{i}]")
    elif isinstance(expected, float) and not isinstance(expected, bool):
        assert actual == pytest.approx(expected, rel=1e-6, abs=1e-6), where
    else:
        assert actual == expected, where


def test_summary_matches_golden(default_report: DefaultReport) -> None:
    written = default_report.folder / "summary.json"
    actual = json.loads(written.read_text(encoding="utf-8"))
    if REGENERATE:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_bytes(written.read_bytes())
        pytest.skip(f"regenerated {GOLDEN}")
    assert GOLDEN.is_file(), f"{GOLDEN} is missing: run RISKENGINE_REGEN_GOLDEN=1 pytest"
    _same(actual, json.loads(GOLDEN.read_text(encoding="utf-8")))


def test_summary_keys_are_stable():
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert list(golden) == [
        "format",
        "config_name",
        "data_vintage",
        "plan",
        "buyers",
        "commodities",
        "criticality",
        "top_constraints",
        "frontier",
        "alliance",
        "horizon",
    ]
    assert golden["format"] == "riskengine-summary/3"
    assert golden["horizon"]["years"] == [2026, 2027, 2028, 2029, 2030]
    assert set(golden["buyers"]) == {"EU", "JP"}
