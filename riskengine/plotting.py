"""Figures of riskengine results: mix by country, cost-risk frontier, score contributions, stress.

Every function returns a :class:`matplotlib.figure.Figure` built without
pyplot: no GUI backend is needed (it works under Agg, on servers and in CI),
no global state is touched and there is nothing to close or ``show()``. In a
notebook the returned figure displays as the cell's output; in a script,
save it with ``fig.savefig("mix.png")``. Sizes depend only on the input
(rows drawn), and every drawing runs inside :data:`RC`, so the same tables
give the same picture. Labels that come from data are cleaned by
:func:`plain_label` (characters the font lacks become ``?``; ``$`` cannot
start mathtext).

The result objects call these for you: ``result.plot()`` on an
:class:`~riskengine.OptimisationResult`, a :class:`~riskengine.Frontier` or a
:class:`~riskengine.StressResult`. The report (:mod:`riskengine.report`)
draws its figures with the same functions.

Examples
--------
>>> import riskengine
>>> from riskengine.plotting import plot_contributions
>>> scores = riskengine.score_suppliers(riskengine.load_dataset())
>>> fig = plot_contributions(scores, "EU", top=5)
>>> fig.get_size_inches().tolist()
[8.0, 2.25]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskengine._drawing import (
    CRMA_LINE,
    INDICATOR_COLOURS,
    RC,
    contributions_figure,
    country_colours,
    distribution_figure,
    frontier_figure,
    indicator_columns,
    mix_figure,
    plain_label,
    stress_figure,
)
from riskengine.exceptions import RiskEngineError

if TYPE_CHECKING:  # matplotlib is imported by riskengine._drawing when a figure is drawn
    from matplotlib.figure import Figure

    from riskengine.config.schema import Config
    from riskengine.data.dataset import Dataset
    from riskengine.optimise.cost_risk import Frontier
    from riskengine.optimise.result import OptimisationResult
    from riskengine.scenarios.stress_test import StressResult

__all__ = [
    "CRMA_LINE",
    "INDICATOR_COLOURS",
    "RC",
    "contributions_figure",
    "country_colours",
    "frontier_figure",
    "indicator_columns",
    "mix_figure",
    "plain_label",
    "plot_calibration",
    "plot_contributions",
    "plot_frontier",
    "plot_mix",
    "plot_stress",
    "plot_stress_distribution",
    "stress_figure",
]


def _check_buyer(buyer: str, known: pd.Series, what: str) -> None:
    valid = sorted(set(known.astype(str)))
    if buyer not in valid:
        raise RiskEngineError(
            f"buyer {buyer!r} is not in the {what}; valid buyers: {', '.join(valid) or 'none'}"
        )


def plot_mix(result: OptimisationResult, buyer: str | None = None) -> Figure:
    """Each commodity's sourcing mix by country as a share of the buyer's demand.

    Parameters
    ----------
    result : OptimisationResult
        A plan from :func:`riskengine.optimise`.
    buyer : str, optional
        One buyer (``"EU"``); default every buyer, one panel each.

    Returns
    -------
    Figure
        Horizontal stacked bars, one per commodity: the share of demand (0-100%)
        bought from each country (China red), unmet demand hatched grey, and a
        dashed line at the CRMA 65% benchmark. 8 inches wide.

    Examples
    --------
    >>> import riskengine
    >>> result = riskengine.optimise(riskengine.load_dataset(), riskengine.Config())
    >>> fig = plot_mix(result, "EU")
    >>> [ax.get_title(loc="left") for ax in fig.axes]
    ['EU: share of demand by supplying country']
    """
    mix, short = result.mix_by_country, result.shortfalls
    if buyer is not None:
        _check_buyer(buyer, short["buyer"], "plan")
        mix, short = mix[mix["buyer"] == buyer], short[short["buyer"] == buyer]
    return mix_figure(mix, short)


def plot_frontier(frontier: Frontier, highlight: float | None = None) -> Figure:
    """Purchase cost (USD million a year) against average risk (0-100) along the frontier.

    Parameters
    ----------
    frontier : Frontier
        From :func:`riskengine.frontier`.
    highlight : float, optional
        A ``risk_aversion`` (lambda) of the frontier whose plan is drawn as a star.

    Returns
    -------
    Figure
        Efficient plans filled, dominated plans hollow, each labelled with its
        lambda (and its shortfall in tonnes, if any). 7.5 x 4 inches.

    Examples
    --------
    >>> import riskengine
    >>> front = riskengine.frontier(riskengine.load_dataset(), riskengine.Config(), points=3)
    >>> fig = plot_frontier(front, highlight=0.0)
    >>> fig.axes[0].get_xlabel()
    'supply loss to expect, USD million a year (disruptions q x V x t + unmet demand x V)'
    """
    chosen = None
    if highlight is not None:
        row = frontier.points[np.isclose(frontier.points["risk_aversion"], highlight)]
        if row.empty:
            valid = ", ".join(f"{v:g}" for v in frontier.points["risk_aversion"])
            raise RiskEngineError(
                f"highlight={highlight!r} is not a risk_aversion of the "
                f"frontier; valid values: {valid}"
            )
        chosen = (
            float(highlight),
            float(row["supply_loss_usd"].iat[0]),
            float(row["purchase_cost_usd"].iat[0]),
        )
    return frontier_figure(frontier.points, chosen, "highlighted plan")


def plot_contributions(scores: pd.DataFrame, buyer: str | None = None, top: int = 15) -> Figure:
    """Why offers score high: the riskiest offers as bars stacked by indicator contribution.

    Parameters
    ----------
    scores : DataFrame
        From :func:`riskengine.score_suppliers` (one row per buyer and offer)
        or :meth:`RiskScorer.transform <riskengine.RiskScorer.transform>`
        (one buyer; no ``buyer`` column).
    buyer : str, optional
        The buyer to draw; default every buyer in ``scores``, one panel each.
    top : int
        Number of riskiest offers per buyer (default 15).

    Returns
    -------
    Figure
        One bar per offer, its length the risk score (0-100 points) split into
        the points each indicator contributes. 8 inches wide.

    Examples
    --------
    >>> import riskengine
    >>> scores = riskengine.score_suppliers(riskengine.load_dataset())
    >>> fig = plot_contributions(scores, "JP", top=3)
    >>> fig.axes[0].get_title(loc="left")
    'JP: the 3 riskiest offers'
    """
    if top < 1:
        raise RiskEngineError(f"top={top!r}: expected at least 1 offer per buyer")
    table = scores if "buyer" in scores.columns else scores.assign(buyer=buyer or "")
    if buyer is not None:
        _check_buyer(buyer, table["buyer"], "score table")
        table = table[table["buyer"] == buyer]
    table = table.sort_values(["buyer", "risk_score"], ascending=[True, False], kind="stable")
    return contributions_figure(table, indicator_columns(scores), top)


def plot_stress(stress_result: StressResult, top: int = 20) -> Figure:
    """Per scenario: what the fixed plan leaves short and costs, against the best response.

    Parameters
    ----------
    stress_result : StressResult
        From :func:`riskengine.stress`.
    top : int
        At most this many scenarios, those with the largest regret (default 20).

    Returns
    -------
    Figure
        Two panels of paired bars per scenario: shortfall in tonnes a year
        (left) and purchase plus lost supply (model) in USD million a year
        (right), for the baseline plan kept fixed (exposure) and for the plan
        re-optimised under the scenario (response). 9 inches wide.

    Examples
    --------
    >>> import riskengine
    >>> result = riskengine.stress(riskengine.load_dataset(), riskengine.Config(),
    ...                            ["china-full-ban", "lynas-malaysia-outage"])
    >>> fig = plot_stress(result)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['china-full-ban', 'lynas-malaysia-outage']
    """
    table = stress_result.scenarios
    note = ""
    if len(table) > top:
        table = table.loc[sorted(table["regret_usd"].nlargest(top).index)]
        note = f" ({top} of {len(stress_result.scenarios)}, largest regret)"
    return stress_figure(table, note)


def plot_stress_distribution(stress_result: StressResult) -> Figure:
    """Per buyer, the distribution of regret over the drawn (Monte Carlo) scenarios.

    Parameters
    ----------
    stress_result : StressResult
        From :func:`riskengine.stress` with ``monte_carlo`` draws.

    Returns
    -------
    Figure
        One histogram per buyer of the regret (USD million a year, model cost:
        what the plan kept costs above the best response), with the mean, p5,
        p50, p95 and CVaR 95% marked. 9 inches wide.

    Raises
    ------
    RiskEngineError
        When the result has no drawn scenarios.
    """
    drawn = stress_result.scenarios.loc[
        stress_result.scenarios["source"] == "monte-carlo", "scenario"
    ]
    if drawn.empty:
        raise RiskEngineError(
            "the stress result has no drawn scenarios; run riskengine.stress(..., "
            "monte_carlo=N) or `riskengine stress --monte-carlo N`"
        )
    totals = stress_result.totals(("scenario", "buyer"))
    totals = totals[totals["scenario"].isin(drawn)]
    values = {
        str(buyer): part["regret_usd"].to_numpy(dtype=float) / 1e6
        for buyer, part in totals.groupby("buyer", sort=True)
    }
    return distribution_figure(
        values,
        "regret, USD million a year (model cost of the plan kept above the best response)",
        "Stress test over drawn scenarios: regret per buyer",
    )


def plot_calibration(
    dataset: Dataset, config: Config | None = None, samples: int = 200, seed: int = 0
) -> Figure:
    """Reliability of the disruption-probability calibration, and its fitted curves.

    Parameters
    ----------
    dataset : Dataset
        The data; its ``disruptions`` table (or the shipped one) is the history.
    config : Config, optional
        ``risk.calibration`` (window, kinds, ...); the default configuration if omitted.
        The curves drawn are the logistic and isotonic fits whatever the method set.
    samples, seed : int
        Country-bootstrap refits for the band around the logistic curve.

    Returns
    -------
    Figure
        Left: observed against predicted rates in six bins of predicted q (90%
        Wilson intervals). Right: q by score (logistic with its 90% band,
        isotonic, and q = score/100), observed rates by score bin, and ticks
        for the dataset's offers (China and elsewhere). 9 inches wide.
    """
    from riskengine._calibration_drawing import calibration_figure
    from riskengine.config.schema import Config
    from riskengine.scoring import score_suppliers
    from riskengine.scoring.calibration import DisruptionCalibration
    from riskengine.scoring.diagnostics import bootstrap_curve, reliability_table
    from riskengine.scoring.panel import calibration_events, disruption_panel

    config = config if config is not None else Config()
    panel, _ = disruption_panel(dataset, config)
    panel = panel[panel["at_risk"]]
    events, _ = calibration_events(dataset, config.risk.calibration)
    curves = {}
    for method in ("logistic", "isotonic"):
        model = DisruptionCalibration(method=method).fit(panel)
        curves[method] = model.table(tuple(np.linspace(0, 100, 201)))
    logistic = DisruptionCalibration().fit(panel)
    reliability = reliability_table(panel, logistic)
    curves["band"] = bootstrap_curve(
        panel, scores=tuple(range(0, 101, 2)), samples=samples, seed=seed
    )
    calibration = config.risk.calibration
    note = (
        f"Panel: {len(panel)} unit-years at risk, {calibration.start_year}-{calibration.end_year}, "
        f"{int(panel['disrupted'].sum())} disrupted; {len(events)} events of "
        f"{'disruptions.csv' if dataset.disruptions is not None else 'the shipped history'} count."
    )
    offers = score_suppliers(dataset, config)
    return calibration_figure(reliability, curves, reliability, offers, plain_label(note))
