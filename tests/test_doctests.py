"""The examples in the docstrings run and show what they claim (doctest, per module).

Run from the repository root (examples read ``config/default.yaml``), with
ELLIPSIS and NORMALIZE_WHITESPACE; pytest's own options are left alone.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import riskengine
from tests.conftest import REPO

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
#: Public functions and classes whose docstring must hold a runnable example.
WITH_EXAMPLES = [
    "load_config",
    "load_dataset",
    "generate_dataset",
    "score_suppliers",
    "RiskScorer",
    "optimise",
    "frontier",
    "alliance_value",
    "stress",
    "run_report",
    "OptimisationResult",
    "Frontier",
    "StressResult",
]


def _has_examples(name: str) -> bool:
    tests = doctest.DocTestFinder().find(importlib.import_module(name))
    return any(t.examples for t in tests)


def _modules() -> list[str]:
    """Every riskengine module with at least one docstring example."""
    names = sorted(
        m.name
        for m in pkgutil.walk_packages(riskengine.__path__, "riskengine.")
        if not m.name.endswith("__main__")
    )
    return [name for name in names if _has_examples(name)]


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_run(name, monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=FLAGS, report=True)
    out = capsys.readouterr().out
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} doctest failure(s) in {name}:\n{out}"


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_public_api_has_a_runnable_example(name):
    tests = doctest.DocTestFinder(recurse=False).find(getattr(riskengine, name), name)
    assert any(t.examples for t in tests), f"riskengine.{name} has no docstring example"


def test_plotting_and_the_result_views_are_covered():
    assert "riskengine.plotting" in _modules()
