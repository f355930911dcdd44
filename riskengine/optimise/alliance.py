"""The value of buying together, how each sharing rule splits it, and who should join.

Every figure here follows one sign, :data:`~riskengine.optimise.joint.VALUE_SIGN`:
*separate minus joint*, the buyer's figure alone (its pro-rata share of every
offer, the contract's ``separate`` mode) minus its figure in the joint plan,
so a positive value is what buying together gains. Purchase money, each model
cost (risk charge, lost supply, violations) and tonnes short are kept apart
(contract 5.5); ``model_cost`` is their sum, the objective.

:func:`analyse_alliance` returns an :class:`AllianceAnalysis`:

- ``by_rule``: the alliance's split under each rule of ``optimiser.sharing``
  (:data:`RULES`), per buyer, with individual rationality and the transfer
  that would bring each buyer to its Shapley value;
- ``coalitions``, ``players``, ``core``: the coalition game of the alliance's
  buyers and the candidates (``alliance.candidates``) buying in one market:
  its characteristic function, Shapley values, each buyer's marginal value
  and whether the Shapley split is in the core;
- ``candidate_value``: what adding each candidate to the alliance is worth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from riskengine.config.arguments import check_solve_options
from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.data.frames import check_inputs
from riskengine.enums import Mode, SharingRule
from riskengine.exceptions import SolverError
from riskengine.optimise import _alliance_tables as tables
from riskengine.optimise.api import (
    default_scores,
    given_problem,
    optimise,
    with_disruption_probability,
)
from riskengine.optimise.build import build_problem
from riskengine.optimise.candidates import with_candidates
from riskengine.optimise.coalition import CoalitionGame, shapley_values
from riskengine.optimise.joint import VALUE_SIGN, individual_rationality
from riskengine.optimise.problem import Problem
from riskengine.optimise.result import OptimisationResult, records
from riskengine.optimise.sharing import share
from riskengine.optimise.solving import solve

__all__ = [
    "RULES",
    "VALUE_SIGN",
    "AllianceAnalysis",
    "alliance_value",
    "analyse_alliance",
    "rules_agree",
]

#: Whether the sharing rules give the same split (:func:`._alliance_tables.rules_agree`).
rules_agree = tables.rules_agree

#: The rules the analysis compares, in the order shown.
RULES = (SharingRule.PROPORTIONAL, SharingRule.MAXMIN, SharingRule.SHAPLEY, SharingRule.NONE)
_KEYS = ["buyer", "commodity"]
#: A coalition whose excess is above -this (USD, plus 1e-6 of its value) does not block.
CORE_TOL_USD = 1.0


def _per_pair(result: OptimisationResult, suffix: str) -> pd.DataFrame:
    if not result.is_optimal:
        raise SolverError(
            f"the {result.mode.value} plan is not optimal (status {result.status.value}: "
            f"{result.message}); raise optimiser.time_limit_s or try the other solver"
        )
    m = result.metrics
    columns = ["demand_t", "purchase_cost_usd", "shortfall_t", "model_cost_usd"]
    # over a horizon the metrics have a row per year: sum them (a merge on buyer and
    # commodity alone would pair every year of one plan with every year of the other)
    frame = m[[*_KEYS, *columns]].groupby(_KEYS, as_index=False, sort=True)[columns].sum()
    return frame.rename(
        columns={
            "purchase_cost_usd": f"cost_{suffix}_usd",
            "shortfall_t": f"shortfall_{suffix}_t",
            "model_cost_usd": f"objective_{suffix}_usd",
        }
    )


def alliance_value(
    dataset: Dataset,
    config: Config,
    scores: pd.DataFrame | None = None,
    backend: str | None = None,
    *,
    problem: Problem | None = None,
) -> pd.DataFrame:
    """What each buyer gains by sharing supplier capacity instead of splitting it pro rata.

    The joint plan is split by ``optimiser.sharing`` (column ``sharing``);
    every saving is *separate minus joint* (:data:`VALUE_SIGN`).

    Parameters
    ----------
    dataset, config
        As for :func:`~riskengine.optimise.optimise`.
    scores : DataFrame, optional
        Risk scores; default :func:`riskengine.scoring.score_suppliers`.
    backend : {"highs", "pulp"}, optional
        As for :func:`~riskengine.optimise.optimise`.
    problem : Problem, optional
        The ``joint`` model already built from these inputs (saves a build).

    Returns
    -------
    DataFrame
        Per buyer and commodity: ``demand_t``; ``cost_separate_usd``,
        ``cost_joint_usd`` (paid to suppliers) and ``cost_saving_usd`` (separate
        - joint; negative when the alliance buys more); ``shortfall_separate_t``,
        ``shortfall_joint_t`` and ``shortfall_reduction_t``; the same for the
        model cost (purchase + risk charge + lost supply + policy violations,
        ``objective_saving_usd``), whose total is never negative (beyond the
        sharing tolerance) because every separate plan is also a joint plan;
        and ``sharing``. (With a minimum order quantity, ``optimiser.min_order_t``,
        that no longer holds: a buyer's pro-rata slice can allow an order below
        the minimum a joint order must meet.)

    Raises
    ------
    SolverError
        When either plan is not optimal.

    Examples
    --------
    >>> import riskengine
    >>> value = riskengine.alliance_value(riskengine.load_dataset(), riskengine.Config())
    >>> value.columns[:5].tolist()
    ['buyer', 'commodity', 'demand_t', 'cost_separate_usd', 'cost_joint_usd']
    >>> bool(value["objective_saving_usd"].sum() >= 0)  # joint buying never loses overall
    True
    """
    dataset, config = check_inputs("alliance_value", dataset, config, scores)
    check_solve_options("alliance_value", None, backend)
    scores = (
        default_scores(dataset, config)
        if scores is None
        else with_disruption_probability(scores, dataset, config)
    )
    joint = optimise(dataset, config, scores, Mode.JOINT, backend, problem=problem)
    separate = optimise(dataset, config, scores, Mode.SEPARATE, backend)
    return tables.value_table(_per_pair(separate, "separate"), _per_pair(joint, "joint")).assign(
        sharing=joint.model.get("sharing", SharingRule.NONE.value)
    )


@dataclass(frozen=True, repr=False)
class AllianceAnalysis:
    """Joint buying: its value per buyer under each sharing rule, the coalition game, candidates.

    Money in USD and tonnes, a year or summed over the planning years
    (:attr:`period`); every value is *separate minus joint*
    (:attr:`sign`). See :mod:`riskengine.optimise.alliance` for the tables.

    Attributes
    ----------
    sharing : SharingRule
        The configured rule (``optimiser.sharing``): the report's plan uses it.
    members, candidates : tuple of str
        The alliance's buyers, and the candidates valued.
    value : DataFrame
        Per buyer and commodity under the configured rule (:func:`alliance_value`).
    by_rule : DataFrame
        Per rule and buyer: demand and served tonnes, each saving, individual
        rationality, Shapley value and the transfer to reach it, core check.
    rationality : DataFrame
        Per rule, buyer and term: alone, joint, gain, holds.
    coalitions, players, core : DataFrame
        The game of members and candidates buying in one market.
    candidate_value : DataFrame
        Per candidate: what adding it to the alliance is worth, and to whom.
    notes : tuple of str
        What was not computed, and why.
    solves : int
        Coalition plans solved.
    period : str
        What the money and tonnes cover: "a year", or "over 2026-2030" (sums over
        the planning years).
    least_core_excess_usd : float or None
        The least core's e: every coalition gets at least its own savings plus
        e in the split ``players.least_core_usd``; e >= 0 means the core is
        not empty (None when the game was not solved).
    """

    sharing: SharingRule
    members: tuple[str, ...]
    candidates: tuple[str, ...]
    value: pd.DataFrame
    by_rule: pd.DataFrame
    rationality: pd.DataFrame
    coalitions: pd.DataFrame
    players: pd.DataFrame
    core: pd.DataFrame
    candidate_value: pd.DataFrame
    notes: tuple[str, ...] = ()
    sign: str = VALUE_SIGN
    solves: int = 0
    least_core_excess_usd: float | None = None
    period: str = "a year"

    @property
    def in_core(self) -> bool | None:
        """True when the Shapley split of the full game is in its core (None if not computed)."""
        if self.core.empty:
            return None
        tol = CORE_TOL_USD + 1e-6 * self.core["value_usd"].abs()
        return bool((self.core["excess_usd"] >= -tol).all())

    def __repr__(self) -> str:
        return (
            f"AllianceAnalysis(sharing={self.sharing.value}, members={list(self.members)}, "
            f"candidates={list(self.candidates)}, coalitions={len(self.coalitions)}, "
            f"in_core={self.in_core})"
        )

    def summary(self) -> str:
        """The analysis in words and small tables."""
        return tables.summary_text(self)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tables as lists of row dicts)."""
        return {
            "sign": self.sign,
            "sharing": self.sharing.value,
            "members": list(self.members),
            "candidates": list(self.candidates),
            "period": self.period,
            "in_core": self.in_core,
            "least_core_excess_usd": self.least_core_excess_usd,
            "notes": list(self.notes),
            "by_rule": records(self.by_rule),
            "rationality": records(self.rationality),
            "value": records(self.value),
            "coalitions": records(self.coalitions),
            "players": records(self.players),
            "core": records(self.core),
            "candidate_value": records(self.candidate_value),
        }


def _rules(
    config: Config, problem: Any, game: CoalitionGame, backend: str | None, notes: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The members' split and its individual rationality under each rule."""
    opt = config.optimiser
    pooled = solve(problem, opt.solver, backend, opt.time_limit_s)
    if not pooled.is_ok:
        raise SolverError(f"the joint plan is not optimal (status {pooled.status.value})")
    value = game.savings()
    phi = shapley_values(game.buyers, value)
    frames, checks = [], []
    for rule in RULES:
        plan = share(problem, pooled, rule, game, opt.time_limit_s)
        if plan.message:
            notes.append(f"sharing rule {rule.value}: {plan.message}")
        ir = individual_rationality(problem, plan.values_t, game).assign(rule=rule.value)
        frames.append(tables.rule_rows(problem, plan, ir, phi, value, rule))
        checks.append(ir)
    return pd.concat(frames, ignore_index=True), pd.concat(checks, ignore_index=True)


def _candidate_game(
    dataset: Dataset, config: Config, scores: pd.DataFrame, backend: str | None
) -> CoalitionGame:
    data, extended = with_candidates(dataset, config)
    names = sorted(config.alliance.candidates)
    own = scores[~scores["buyer"].astype(str).isin(names)]
    theirs = default_scores(data, extended)
    theirs = theirs[theirs["buyer"].astype(str).isin(names)]
    merged = pd.concat([own, theirs], ignore_index=True)
    problem = build_problem(data, extended, merged, Mode.JOINT)
    opt = config.optimiser
    return CoalitionGame(problem, opt.solver, backend, opt.time_limit_s)


def _period(problem: Any) -> str:
    years = problem.structure.years
    return f"over {years[0]}-{years[-1]}" if len(years) > 1 else "a year"


def analyse_alliance(
    dataset: Dataset,
    config: Config,
    scores: pd.DataFrame | None = None,
    backend: str | None = None,
    *,
    problem: Problem | None = None,
) -> AllianceAnalysis:
    """Value joint buying per buyer under each sharing rule, the coalitions and the candidates.

    Parameters
    ----------
    dataset, config
        As for :func:`~riskengine.optimise.optimise`; ``alliance.candidates``
        names the partners valued and ``alliance.max_coalition_buyers`` bounds
        the 2^n coalitions solved.
    scores : DataFrame, optional
        Risk scores of the alliance's buyers; default
        :func:`riskengine.scoring.score_suppliers` (candidates are always
        scored with the configured weights).
    backend : {"highs", "pulp"}, optional
        For the pooled and coalition solves; the sharing stages always run
        in HiGHS (highspy).
    problem : Problem, optional
        The ``joint`` model already built from these inputs (saves a build).

    Returns
    -------
    AllianceAnalysis

    Raises
    ------
    SolverError
        When a plan is not optimal.
    ConfigError
        For a candidate naming an unknown country, commodity or buyer.

    Examples
    --------
    >>> import riskengine
    >>> a = riskengine.analyse_alliance(riskengine.load_dataset(), riskengine.Config())
    >>> a.members, a.candidates
    (('EU', 'JP'), ('IN', 'KR', 'US'))
    >>> bool(a.players["shapley_value_usd"].sum() > 0)  # the grand coalition saves
    True
    """
    scores = (
        default_scores(dataset, config)
        if scores is None
        else with_disruption_probability(scores, dataset, config)
    )
    notes: list[str] = []
    limit = config.alliance.max_coalition_buyers
    problem = given_problem(problem, config, Mode.JOINT, "analyse_alliance")
    problem = problem or build_problem(dataset, config, scores, Mode.JOINT)
    members_game = CoalitionGame(
        problem, config.optimiser.solver, backend, config.optimiser.time_limit_s
    )
    members = members_game.buyers
    if len(members) > limit:
        raise SolverError(
            f"{len(members)} buyers need {2 ** len(members) - 1} coalitions, more than "
            f"alliance.max_coalition_buyers ({limit}) allows; raise it"
        )
    by_rule, rationality = _rules(config, problem, members_game, backend, notes)
    candidates = config.alliance.candidates
    game = _candidate_game(dataset, config, scores, backend) if candidates else None
    game = game or members_game
    coalitions, players, core, cands, excess = tables.game_tables(game, members, limit, notes)
    return AllianceAnalysis(
        sharing=config.optimiser.sharing,
        members=members,
        candidates=tuple(b for b in game.buyers if b not in members),
        value=alliance_value(dataset, config, scores, backend, problem=problem),
        by_rule=by_rule,
        rationality=rationality,
        coalitions=coalitions,
        players=players,
        core=core,
        candidate_value=tables.describe_candidates(cands, config),
        notes=tuple(notes),
        least_core_excess_usd=excess,
        period=_period(problem),
        solves=members_game.solves + (game.solves if game is not members_game else 0),
    )
