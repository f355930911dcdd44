"""Everything a report shows, computed once: :class:`ReportData` and :func:`compute`.

The report layer only reads these results; it never changes a number.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pandas as pd

from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.enums import Mode
from riskengine.exceptions import SolverError
from riskengine.optimise import (
    AllianceAnalysis,
    Frontier,
    OptimisationResult,
    analyse_alliance,
    build_problem,
    frontier,
    optimise,
)
from riskengine.optimise.api import with_disruption_probability
from riskengine.optimise.milp import LP_ONLY, is_milp
from riskengine.optimise.problem import Problem
from riskengine.report.sources import SourceNotes, read_source_notes
from riskengine.report.stochastic import compute_stochastic
from riskengine.scoring import score_suppliers

if TYPE_CHECKING:
    from riskengine.scenarios.stochastic_result import StochasticResult

__all__ = ["ReportData", "StressResults", "compute"]

#: Hook for the scenario engine: named tables (e.g. ``exposure``, ``regret``) to show.
StressResults = Mapping[str, pd.DataFrame]


@dataclass(frozen=True, repr=False)
class ReportData:
    """The inputs and results of one report run.

    Attributes
    ----------
    config : Config
        The configuration as resolved.
    dataset : Dataset
        The validated tables.
    scores : DataFrame
        :func:`riskengine.score_suppliers` output (one row per buyer and offer).
    result : OptimisationResult
        The recommended plan at the configured ``risk_aversion``; with a
        planning horizon, its first year (the purchases to make now).
    frontier : Frontier or None
        The cost-risk frontier (None when ``report.frontier_points`` is 0).
    alliance : DataFrame or None
        :func:`riskengine.optimise.alliance_value`, or None with ``alliance_note`` saying why.
    alliance_analysis : AllianceAnalysis or None
        :func:`riskengine.optimise.analyse_alliance`: the split under each
        sharing rule, the coalition game and the candidate partners.
    stress : mapping of str to DataFrame, or None
        Stress-test tables from the scenario engine; None renders no stress
        section, or only ``stress_note`` saying why they were not computed.
    notes : SourceNotes
        Data vintage and source key read from ``SOURCES.md``.
    config_path : Path or None
        The configuration file, when there was one.
    seconds : dict
        Wall time of each step, seconds.
    stochastic : StochasticResult or None
        The two-stage plan (contract 5.3), or None with ``stochastic_note`` saying why.
    horizon : OptimisationResult or None
        The whole multi-year plan (None without ``horizon.start``/``horizon.end``).
    skipped : tuple of str
        One line per shipped library scenario left out of the stress tests
        because it names suppliers, countries or commodities the data does not have.
    """

    config: Config
    dataset: Dataset
    scores: pd.DataFrame
    result: OptimisationResult
    frontier: Frontier | None
    alliance: pd.DataFrame | None
    stress: StressResults | None
    notes: SourceNotes
    config_path: Path | None = None
    alliance_note: str = ""
    stress_note: str = ""
    alliance_analysis: AllianceAnalysis | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    stochastic: StochasticResult | None = None
    stochastic_note: str = ""
    horizon: OptimisationResult | None = None
    skipped: tuple[str, ...] = ()

    @property
    def run_notes(self) -> tuple[str, ...]:
        """Notes on how this run read its inputs: tables taken from the shipped
        reference tables (``Dataset.notes``), then the skipped library scenarios."""
        return (*self.dataset.notes, *self.skipped)

    def __repr__(self) -> str:
        return (
            f"ReportData(config={self.config.name!r}, status={self.result.status.value}, "
            f"frontier_points={0 if self.frontier is None else len(self.frontier.points)})"
        )


_T = TypeVar("_T")


def _timed(fn: Callable[..., _T], *args: object) -> tuple[_T, float]:
    """``fn(*args)`` and the seconds it took."""
    start = time.perf_counter()
    return fn(*args), time.perf_counter() - start


def _alliance(
    dataset: Dataset, config: Config, scores: pd.DataFrame, problem: Problem
) -> tuple[AllianceAnalysis | None, str]:
    if len(config.buyers) < 2:
        return None, "only one buyer is configured, so there is no alliance to value"
    joint = problem if problem.structure.mode is Mode.JOINT else None
    try:
        return analyse_alliance(dataset, config, scores, problem=joint), ""
    except SolverError as exc:
        return None, str(exc)


def _stress(
    dataset: Dataset, config: Config, scores: pd.DataFrame
) -> tuple[StressResults | None, str, tuple[str, ...]]:
    """Stress tables for the configured scenarios and, if enabled, the shipped library,
    or None with the reason (a MILP cannot be stress-tested); and the skip notes of
    shipped library scenarios that do not fit the data."""
    if not config.scenarios and not config.report.stress_library:
        return None, "", ()
    if is_milp(config.optimiser):
        return None, LP_ONLY, ()
    from riskengine.scenarios import stress
    from riskengine.scenarios.fit import NoScenariosError

    try:
        result = stress(
            dataset, config, library=config.report.stress_library, scores=scores, progress=False
        )
    except NoScenariosError as exc:
        if not exc.notes:
            raise
        return None, "no shipped library scenario fits the data (see the notes)", exc.notes
    scenarios = result.scenarios[
        [
            "scenario",
            "source",
            "description",
            "status",
            "exposure_shortfall_t",
            "exposure_purchase_usd",
            "exposure_lost_supply_usd",
            "response_shortfall_t",
            "response_purchase_usd",
            "response_lost_supply_usd",
            "regret_usd",
        ]
    ]
    # a file name, not this machine's path: outputs must not depend on where the repo lives
    scenarios = scenarios.assign(
        source=scenarios["source"].map(
            lambda s: Path(s).name if s.endswith((".yaml", ".yml")) else s
        )
    )
    return (
        {
            "scenarios": scenarios,
            "by_buyer": result.totals(("scenario", "buyer")),
            "detail": result.regret,
        },
        "",
        result.skipped,
    )


def compute(
    config: Config,
    dataset: Dataset,
    config_path: Path | None = None,
    stress: StressResults | None = None,
) -> ReportData:
    """Score, optimise, trace the frontier and value the alliance.

    Parameters
    ----------
    config : Config
        Resolved configuration (``report.frontier_points`` sets the frontier size).
    dataset : Dataset
        Validated tables, already checked against ``config``.
    config_path : Path, optional
        The configuration file (hashed into the manifest).
    stress : mapping of str to DataFrame, optional
        Stress-test tables; by default computed with :func:`riskengine.stress` for
        the configured scenarios and (``report.stress_library``) the shipped library.

    Returns
    -------
    ReportData
    """
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    scores = score_suppliers(dataset, config)
    seconds["score"] = time.perf_counter() - start
    # the model is built once and shared by the plan, the frontier and the alliance
    calibrated = with_disruption_probability(scores, dataset, config)
    problem = build_problem(dataset, config, calibrated)
    # The two-stage plan is the longest part and mostly HiGHS, which releases the GIL:
    # it runs on its own thread while the plan, frontier, alliance and stress tests run here
    # (given q, so that the calibration is not fitted on both threads at once).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="two-stage") as pool:
        two_stage = pool.submit(_timed, compute_stochastic, dataset, config, calibrated, problem)
        plan = optimise(dataset, config, scores, problem=problem)
        result = plan.for_year(plan.years[0]) if plan.years else plan
        seconds["optimise"] = time.perf_counter() - start - sum(seconds.values())
        points = config.report.frontier_points
        front = frontier(dataset, config, points, scores, problem=problem) if points > 0 else None
        seconds["frontier"] = time.perf_counter() - start - sum(seconds.values())
        alliance, note = _alliance(dataset, config, scores, problem)
        seconds["alliance"] = time.perf_counter() - start - sum(seconds.values())
        stress_note, skipped = "", tuple[str, ...]()
        if stress is None:
            stress, stress_note, skipped = _stress(dataset, config, scores)
            seconds["stress"] = time.perf_counter() - start - sum(seconds.values())
        (stochastic, stochastic_note), seconds["stochastic"] = two_stage.result()
    return ReportData(
        config=config,
        dataset=dataset,
        scores=scores,
        result=result,
        frontier=front,
        alliance=None if alliance is None else alliance.value,
        stress=stress,
        notes=read_source_notes(dataset),
        config_path=config_path,
        alliance_note=note,
        stress_note=stress_note,
        seconds=seconds,
        alliance_analysis=alliance,
        stochastic=stochastic,
        stochastic_note=stochastic_note,
        horizon=plan if plan.years else None,
        skipped=skipped,
    )
