"""The public recipe: scores -> :func:`build_problem` -> :func:`solve` -> :func:`make_result`."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from riskengine.config.arguments import check_solve_options
from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.data.frames import check_inputs
from riskengine.enums import Mode
from riskengine.exceptions import ArgumentError
from riskengine.optimise.build import build_problem
from riskengine.optimise.joint import solve_joint
from riskengine.optimise.problem import Problem
from riskengine.optimise.result import OptimisationResult, make_result

__all__ = ["default_scores", "optimise", "with_disruption_probability"]


def default_scores(dataset: Dataset, config: Config) -> pd.DataFrame:
    """Risk scores and disruption probabilities for every buyer and offer.

    :func:`riskengine.scoring.score_suppliers` gives ``risk_score`` (0-100);
    :func:`with_disruption_probability` adds q.
    """
    from riskengine.scoring import score_suppliers

    return with_disruption_probability(score_suppliers(dataset, config), dataset, config)


def with_disruption_probability(
    scores: pd.DataFrame, dataset: Dataset, config: Config
) -> pd.DataFrame:
    """``scores`` with a ``disruption_probability`` column (q, a year, 0-1) when it lacks one.

    q comes from the calibration configured in ``risk.calibration``
    (:mod:`riskengine.scoring.calibration`).
    """
    if "disruption_probability" in scores.columns:
        return scores
    try:
        from riskengine.scoring.calibration import disruption_probability
    except ImportError:  # calibration not available: the version-1 rule q = risk/100
        return scores.assign(disruption_probability=scores["risk_score"].astype(float) / 100.0)
    return scores.assign(disruption_probability=disruption_probability(scores, dataset, config))


def given_problem(
    problem: Problem | None, config: Config, mode: Mode | str | None, who: str
) -> Problem | None:
    """``problem`` checked to be a built model of the requested mode (None passes through).

    The caller vouches that it was built from the same dataset, configuration
    and scores: a run builds its model once and hands it to the plan, the
    frontier and the alliance analysis.
    """
    if problem is None:
        return None
    if not isinstance(problem, Problem):
        raise ArgumentError(
            f"{who}: problem should be a riskengine Problem (riskengine.build_problem(...)), "
            f"got {type(problem).__name__}"
        )
    wanted = Mode(mode if mode is not None else config.optimiser.mode)
    if problem.structure.mode is not wanted:
        raise ArgumentError(
            f"{who}: problem was built for mode {problem.structure.mode.value!r}, "
            f"not {wanted.value!r}"
        )
    return problem


def optimise(
    dataset: Dataset,
    config: Config,
    scores: pd.DataFrame | None = None,
    mode: Mode | str | None = None,
    backend: str | None = None,
    *,
    problem: Problem | None = None,
) -> OptimisationResult:
    """Find the sourcing mix that minimises purchase cost plus the expected cost of disruption.

    For each buyer and commodity, choose the tonnes a year to buy from each
    supplier offer so as to minimise, over all buyers (contract section 5.2),

        purchase cost                              (what would be paid)
        + risk_aversion x q x V x tonnes bought    (expected disruption loss)
        + V x tonnes short                         (lost supply)
        + w x tonnes over a soft policy cap        (policy violations)

    where q is the offer's yearly disruption probability (calibrated on the
    history of supply disruptions from its risk score) and V the commodity's
    lost-supply value (USD/kg, ``commodities.csv``). Subject to:

    - each buyer's policy (``buyers.<B>.policy``): no non-home country above
      ``max_country_share`` of what the buyer buys (the EU's default is the
      CRMA 65% benchmark; Japan has none by default) and at least
      ``min_partner_share`` from home or partners, ``soft`` (exceeded at a
      price) or ``hard``; measured on purchases, so a cap never by itself
      leaves demand unmet;
    - one offer supplies at most ``max_supplier_share`` of a buyer's demand;
    - buyers share each offer's capacity (``joint``), or each takes a share
      pro rata to its demand (``separate``); in ``joint`` mode
      ``optimiser.sharing`` picks, among the plans optimal for the pooled
      objective, the split between buyers (``proportional`` by default), no
      buyer worse off than alone wherever pooling allows (a note names any
      buyer it cannot spare; see :mod:`riskengine.optimise.sharing`);
    - optionally a minimum order quantity and a supplier limit (a MILP,
      without shadow prices).

    Unmet demand is allowed at its lost-supply value, so a plan always
    exists; ``optimiser.shortfall: lexicographic`` first serves all the market
    allows. Version-1 configurations run the version-1 model with a note.

    Parameters
    ----------
    dataset : Dataset
        The tables: supplier offers (capacity in t/yr, price in USD/kg,
        status), demand (t/yr per buyer and commodity), countries,
        commodities (lost-supply values). From :func:`riskengine.load_dataset`
        or :func:`riskengine.generate_dataset`.
    config : Config
        Buyers (home, partners, policy) and the ``optimiser`` section. From
        :func:`riskengine.load_config`.
    scores : DataFrame, optional
        ``buyer, supplier_id, commodity, risk_score`` (0-100) and optionally
        ``disruption_probability``; default :func:`default_scores`.
    mode : {"joint", "separate"}, optional
        Default ``config.optimiser.mode``.
    backend : {"highs", "pulp"}, optional
        ``highs`` (highspy direct, the default for HiGHS) or ``pulp`` (a PuLP
        model; always used for CBC). Both give the same plan.
    problem : Problem, optional
        The model already built from these inputs (:func:`build_problem`), to
        save building it again; it must be of the same ``mode``.

    Returns
    -------
    OptimisationResult
        ``status`` (use only ``optimal`` plans), ``purchase_cost_usd`` (money)
        and the model costs beside it, with DataFrames ``allocations`` (the
        buy list), ``shortfalls``, ``violations``, ``mix_by_country``,
        ``metrics`` and ``binding`` (shadow prices in USD/kg with their
        driving term). ``summary()`` describes it in words.

    Raises
    ------
    SolverError
        When the configured solver is not installed.
    RiskEngineError
        When scores are missing for an offer, or the data and the
        configuration disagree (e.g. a buyer without a configuration entry).

    See Also
    --------
    frontier : the plan at several values of ``risk_aversion``.
    alliance_value : what the EU and Japan save by buying together.
    stress : the plan's exposure to disruption scenarios.

    Examples
    --------
    The shipped data with a hard 50% cap on any one non-home country for the EU:

    >>> import riskengine
    >>> config = riskengine.load_config(overrides=[
    ...     "buyers.EU.policy.max_country_share=0.5", "buyers.EU.policy.enforce=hard"])
    >>> result = riskengine.optimise(riskengine.load_dataset(), config)
    >>> result.status.value
    'optimal'
    >>> eu = result.metrics[result.metrics["buyer"] == "EU"]
    >>> bool((eu["top_foreign_share"].fillna(0) <= 0.5 + 1e-6).all())  # 1e-6: solver tolerance
    True
    """
    dataset, config = check_inputs("optimise", dataset, config, scores)
    check_solve_options("optimise", mode, backend)
    problem = given_problem(problem, config, mode, "optimise")
    if problem is None:
        if scores is None:
            scores = default_scores(dataset, config)
        else:
            scores = with_disruption_probability(scores, dataset, config)
        problem = build_problem(dataset, config, scores, mode)
    joint = solve_joint(problem, config.optimiser, backend, config.alliance.max_coalition_buyers)
    result = make_result(problem, joint.solution)
    if not result.is_optimal or (joint.plan is None and not joint.notes):
        return result
    model = result.model | ({"sharing": joint.plan.rule.value} if joint.plan else {})
    return replace(result, model=model, notes=result.notes + joint.notes)
