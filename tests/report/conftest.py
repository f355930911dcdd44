"""Shared report runs: the default report, made once per session, and hostile names."""

from __future__ import annotations

import importlib
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import riskengine
from tests.conftest import DEFAULT_CONFIG


@dataclass(frozen=True)
class DefaultReport:
    """A report folder from the shipped seeds and config/default.yaml, and the models
    its run built: (mode, number of years) -> count."""

    folder: Path
    built: Counter[tuple[str, int]]


@pytest.fixture(scope="session")
def default_report(tmp_path_factory: pytest.TempPathFactory) -> DefaultReport:
    """The default report, made once for the tests that read it (about 12 s a run), with
    every ``build_problem`` call of its run counted (issue 14: one build per run)."""
    build = importlib.import_module("riskengine.optimise.build")
    importlib.import_module("riskengine.report.run")  # every module that holds build_problem
    original = build.build_problem
    built: Counter[tuple[str, int]] = Counter()

    def counting(dataset: Any, config: Any, scores: Any = None, mode: Any = None) -> Any:
        problem = original(dataset, config, scores, mode)
        built[(problem.structure.mode.value, len(problem.structure.years))] += 1
        return problem

    with pytest.MonkeyPatch.context() as patch:
        for module in list(sys.modules.values()):
            if getattr(module, "build_problem", None) is original:
                patch.setattr(module, "build_problem", counting)
        folder = riskengine.run_report(DEFAULT_CONFIG, out_dir=tmp_path_factory.mktemp("runs"))
    for module in list(sys.modules.values()):  # modules first imported during the run
        if getattr(module, "build_problem", None) is counting:
            setattr(module, "build_problem", original)  # noqa: B010
    return DefaultReport(folder, Counter(built))


#: Supplier names a hostile data file could hold: markup, spreadsheet formulas, non-Latin text.
HOSTILE_NAMES = (
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2",
    "@SUM(A1)",
    "日本語",
    "Ελληνικά",
)
#: The hostile names a spreadsheet would read as formulas.
FORMULA_NAMES = tuple(n for n in HOSTILE_NAMES if n[0] in "=+-@")
