"""Compiling the chosen scenarios, skipping shipped library scenarios that do not fit the data.

The shipped library (``config/scenarios/``) is written for the shipped tables: it
names supplier ids such as ``lynas-my``. Run on an analyst's own data, such a
scenario would stop the whole stress test with "matches no row". It is skipped
instead, with a one-line note naming it and the reason. Scenarios the analyst
wrote (the configuration's, or a ``--library`` folder of their own) are still
checked strictly: a typo there is an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from riskengine.data.dataset import Dataset
from riskengine.exceptions import RiskEngineError
from riskengine.scenarios.library import LibraryScenario
from riskengine.scenarios.model import ScenarioEffect, ScenarioMismatch, compile_scenario

__all__ = ["NoScenariosError", "compile_chosen", "skip_note"]


class NoScenariosError(RiskEngineError):
    """Nothing left to stress; ``notes`` holds the skip notes, if scenarios were skipped."""

    def __init__(self, message: str, notes: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.notes = tuple(notes)


def skip_note(item: LibraryScenario, error: ScenarioMismatch) -> str:
    """One line: which shipped scenario was skipped, from which file, and why."""
    return (
        f"skipped shipped scenario {item.name!r} ({Path(item.source).name}): "
        f"{error.brief} (it was written for the shipped tables)"
    )


def compile_chosen(
    dataset: Dataset, chosen: Sequence[LibraryScenario], *, tolerant: bool = True
) -> tuple[list[ScenarioEffect], list[str]]:
    """Compile each scenario; skip (with a note) shipped ones that do not fit the data.

    Parameters
    ----------
    dataset : Dataset
        The tables the selectors are matched against.
    chosen : sequence of LibraryScenario
        The scenarios, in order.
    tolerant : bool
        Skip shipped library scenarios that do not fit; False (scenarios named
        by the analyst) makes every mismatch an error.

    Returns
    -------
    effects : list of ScenarioEffect
        The compiled scenarios, in order.
    notes : list of str
        One line per skipped scenario.

    Raises
    ------
    ScenarioMismatch
        For a scenario not from the shipped library (or any, when not ``tolerant``)
        whose selectors match nothing.
    """
    effects: list[ScenarioEffect] = []
    notes: list[str] = []
    for item in chosen:
        try:
            effects.append(compile_scenario(dataset, item.scenario, item.source))
        except ScenarioMismatch as exc:
            if not (tolerant and item.shipped):
                raise
            notes.append(skip_note(item, exc))
    return effects, notes
