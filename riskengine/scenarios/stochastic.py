"""The two-stage mean-CVaR sourcing plan of contract section 5.3 (``optimiser.model: stochastic``).

A buyer contracts before it knows which disruption comes. First stage:
contracted tonnes ``x[b,o]`` (a strategic stock level joins them when stocks
exist). Each drawn scenario s (:mod:`riskengine.scenarios.generator`) then
delivers ``A[b,o,s] x[b,o]``; the buyer fills what is missing from spot pools
(spare capacity of a country, at the scenario's price plus a premium) and
the rest is short at the lost-supply value V. The loss of a CVaR group g
(a buyer and commodity, or a buyer) in scenario s is

    L[g,s] = contract deliveries x their price + contract fees + spot purchases   (paid)
             + V x tonnes short + soft-policy violations                          (model)

and the plan minimises ``sum_g E[L_g] + beta x CVaR_alpha(L_g)``
(Rockafellar-Uryasev: ``eta_g + 1/(1 - alpha) E[(L_g - eta_g)+]``).

Results (:class:`~riskengine.scenarios.stochastic_result.StochasticResult`)
compare it with the expected-value plan (``optimiser.model: expected``, the
deterministic model) under the same scenarios: the value of the stochastic
solution ``VSS = F(expected-value plan) - F(this plan) >= 0``, with F the
objective above (at beta = 0, the textbook expected-loss VSS), and the expected
value of perfect information ``EVPI = F(this plan) - F(wait and see)``, where
each scenario is met by the plan that is best for it alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from time import perf_counter
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskengine.config.schema import Config, StochasticConfig
from riskengine.data.dataset import Dataset
from riskengine.exceptions import ConfigError, RiskEngineError
from riskengine.optimise.build import build_problem
from riskengine.optimise.families import TONNES_PER_UNIT, USD_PER_UNIT
from riskengine.optimise.parameters import base_mix_t
from riskengine.optimise.problem import Problem
from riskengine.optimise.result import make_result
from riskengine.optimise.solving import solve
from riskengine.scenarios._equivalent import (
    Dynamics,
    Template,
    Terms,
    build_template,
    build_wait_and_see,
    dynamics,
    first_stage,
)
from riskengine.scenarios._index import ModelIndex, index_problem
from riskengine.scenarios._parts import Job, gather, solve_parts, split
from riskengine.scenarios._recourse import Recourse, recourse
from riskengine.scenarios.generator import ScenarioSet, generate_scenarios

if TYPE_CHECKING:
    from riskengine.scenarios.stochastic_result import StochasticResult

__all__ = [
    "Losses",
    "TwoStage",
    "build_two_stage",
    "cvar",
    "expected_value_plan",
    "stochastic_plan",
    "with_settings",
]


def cvar(losses: np.ndarray, probability: np.ndarray, alpha: float) -> np.ndarray:
    """CVaR_alpha of each column of ``losses`` ``(S, groups)`` under scenario probabilities.

    The expected loss of the worst ``1 - alpha`` of probability (the
    Rockafellar-Uryasev minimum over eta, attained at the value-at-risk).
    """
    losses = np.atleast_2d(np.asarray(losses, float).T).T
    out = np.zeros(losses.shape[1])
    for g in range(losses.shape[1]):
        order = np.argsort(losses[:, g], kind="stable")
        value, weight = losses[order, g], probability[order]
        above = np.cumsum(weight[::-1])[::-1]  # probability of this loss or worse
        at = np.flatnonzero(above >= 1.0 - alpha - 1e-12)[-1]
        var = value[at]
        out[g] = var + (weight * np.maximum(value - var, 0.0)).sum() / (1.0 - alpha)
    return out


@dataclass(frozen=True, repr=False)
class Losses:
    """One plan under every scenario, per need (USD; tonnes). Rows: scenarios; columns: needs.

    ``purchase_usd`` (contract deliveries and fees), ``spot_usd`` and
    ``thrifting_usd`` (the product-mix premium above the data-year mix, shared
    among the needs by element content) are money paid; ``lost_supply_usd``,
    ``violation_usd`` and ``stock_usd`` (holding stock and the stock-target
    gaps) are model figures.
    """

    purchase_usd: np.ndarray
    spot_usd: np.ndarray
    lost_supply_usd: np.ndarray
    violation_usd: np.ndarray
    delivered_t: np.ndarray
    spot_t: np.ndarray
    shortfall_t: np.ndarray
    stock_usd: np.ndarray | None = None
    thrifting_usd: np.ndarray | None = None

    @property
    def loss_usd(self) -> np.ndarray:
        """The loss L (model figure): paid + lost supply + violations + stock."""
        total = self.purchase_usd + self.spot_usd + self.lost_supply_usd + self.violation_usd
        for extra in (self.stock_usd, self.thrifting_usd):
            if extra is not None:
                total = total + extra
        return np.asarray(total)

    def by_group(self, group: np.ndarray) -> np.ndarray:
        """Loss summed per CVaR group ``(S, groups)``."""
        n = int(group.max()) + 1 if len(group) else 0
        return np.stack([np.bincount(group, row, n) for row in self.loss_usd])


def _per_need(values: np.ndarray, need: np.ndarray, n: int) -> np.ndarray:
    values = np.atleast_2d(values)
    return np.stack([np.bincount(need, row, n) for row in values])


def losses(
    rec: Recourse,
    x: np.ndarray,
    spot: np.ndarray,
    short: np.ndarray,
    violation: np.ndarray,
    fee_usd_t: np.ndarray,
    violation_usd_t: np.ndarray,
    violation_need: np.ndarray,
) -> Losses:
    """The money and tonnes of a plan (``x`` kt per x, or ``(S, n_x)``) and its recourse."""
    n_need = rec.demand_kt.shape[1]
    delivered = rec.availability * np.atleast_2d(x)
    paid = rec.contract_usd_t * delivered + fee_usd_t * np.atleast_2d(x)
    got = rec.spot_share * spot
    viol = violation_usd_t * np.atleast_2d(violation)
    S = rec.availability.shape[0]
    return Losses(
        purchase_usd=_per_need(paid, rec.x_need, n_need) * USD_PER_UNIT,
        spot_usd=_per_need(rec.spot_usd_t * got, rec.spot_need, n_need) * USD_PER_UNIT,
        lost_supply_usd=rec.value_usd_t * short * USD_PER_UNIT,
        violation_usd=np.broadcast_to(_per_need(viol, violation_need, n_need), (S, n_need))
        * USD_PER_UNIT,
        delivered_t=_per_need(delivered, rec.x_need, n_need) * TONNES_PER_UNIT,
        spot_t=_per_need(got, rec.spot_need, n_need) * TONNES_PER_UNIT,
        shortfall_t=short * TONNES_PER_UNIT,
    )


def _z_shares(problem: Problem) -> np.ndarray:
    """``(z, needs)``: each product variant's share of every need's element use (rows sum to 1)."""
    lay = problem.structure.layout
    out = np.zeros((lay.n_z, lay.n_need))
    for block in problem.structure.blocks:
        if block.family == "demand":
            coo = block.matrix.tocoo()
            hit = (coo.col >= lay.z.start) & (coo.col < lay.z.stop)
            np.add.at(out, (coo.col[hit] - lay.z.start, coo.row[hit]), np.abs(coo.data[hit]))
    variants = problem.structure.variants
    if lay.n_z:  # a variant without the elements (HRE-free): its family's element use
        family = pd.factorize(
            variants[["buyer", "family", "year"]].astype(str).agg("|".join, axis=1)
        )[0]
        by_family = np.zeros((int(family.max()) + 1, lay.n_need))
        np.add.at(by_family, family, out)
        out = np.where(out.sum(axis=1, keepdims=True) > 0, out, by_family[family])
    total = out.sum(axis=1, keepdims=True)
    return np.asarray(np.divide(out, total, out=np.zeros_like(out), where=total > 0))


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True, repr=False)
class TwoStage:
    """Everything built once: the deterministic problem, its index, the scenarios, the LP."""

    problem: Problem
    index: ModelIndex
    drawn: ScenarioSet
    rec: Recourse
    terms: Terms
    template: Template
    settings: StochasticConfig
    violation: tuple[np.ndarray, np.ndarray] = field(default=(np.zeros(0), np.zeros(0, int)))

    @cached_property
    def dynamics(self) -> Dynamics:
        """Stocks and stock targets of the problem."""
        return dynamics(self.problem)

    @cached_property
    def z_shares(self) -> np.ndarray:
        """``(z, needs)``: how each variant's premium is shared among the needs."""
        return _z_shares(self.problem)

    @property
    def z_cost(self) -> np.ndarray:
        """Premium per kt of each product variant (kUSD)."""
        lay = self.problem.layout
        return np.asarray(self.problem.arrays.parts["thrifting"][lay.z])

    @cached_property
    def z_base(self) -> np.ndarray:
        """Each variant at its data-year share (kt): premiums above it are reported."""
        return base_mix_t(self.problem.structure, self.problem.params) / TONNES_PER_UNIT

    @property
    def n_years(self) -> int:
        """Plan years the scenarios cover."""
        return self.drawn.n_years

    @property
    def n_parts(self) -> int:
        """Independent parts of the LP (one per commodity with the CVaR per buyer and commodity)."""
        return len(split(self.template))

    def plan_losses(self, first: np.ndarray, local: np.ndarray) -> Losses:
        """Losses of a solved two-stage LP (global and local column values)."""
        t = self.template
        base = losses(
            self.rec,
            first[t.kinds1["x"]],
            local[:, t.kinds["spot"]],
            local[:, t.kinds["short"]],
            first[t.kinds1["violation"]],
            self.terms.fee_usd_t,
            *self.violation,
        )
        return self.with_stock(
            base, first[t.kinds1["z"]], local[:, t.kinds["stock"]], local[:, t.kinds["gap"]]
        )

    def with_stock(self, base: Losses, z: np.ndarray, stock: np.ndarray, gap: np.ndarray) -> Losses:
        """``base`` with the stock's holding and gap costs and the product-mix premium."""
        dyn, n = self.dynamics, self.rec.demand_kt.shape[1]
        held = _per_need(dyn.holding * stock, dyn.stock_need, n)
        short_of_target = _per_need(dyn.gap_cost * gap, dyn.gap_need, n)
        premium = self.z_cost * (np.atleast_2d(z) - self.z_base)
        thrift = np.broadcast_to(premium @ self.z_shares, held.shape)
        return replace(
            base,
            stock_usd=(held + short_of_target) * USD_PER_UNIT,
            thrifting_usd=thrift * USD_PER_UNIT,
        )

    def objective(self, result: Losses, beta: float) -> tuple[float, float, float]:
        """(expected loss, sum of the groups' CVaR, E + beta x CVaR), USD."""
        by_group = result.by_group(self.rec.group)
        p = self.rec.probability
        expected = float(p @ by_group.sum(axis=1))
        tail = float(cvar(by_group, p, self.settings.alpha).sum())
        return expected, tail, expected + beta * tail


def build_two_stage(
    dataset: Dataset,
    config: Config,
    scores: pd.DataFrame,
    drawn: ScenarioSet | None = None,
    settings: StochasticConfig | None = None,
    problem: Problem | None = None,
) -> TwoStage:
    """The deterministic problem (built unless given), the scenarios and the two-stage LP."""
    settings = settings or config.optimiser.stochastic
    problem = problem if problem is not None else build_problem(dataset, config, scores)
    index = index_problem(problem, dataset)
    if drawn is None:
        drawn = generate_scenarios(dataset, config, settings.scenarios, settings.seed, scores)
    if len(drawn) == 0:
        raise RiskEngineError("the two-stage plan needs at least one scenario; raise scenarios")
    rec = recourse(index, drawn, settings.spot_premium, settings.cvar_scope)
    with_cvar = settings.beta > 0 or any(b > 0 for b in settings.frontier)
    fee = settings.contract_fee * 1000.0 * problem.params.price_usd_per_kg
    terms = Terms(settings.alpha, with_cvar, fee)
    first = first_stage(problem, rec.probability @ rec.availability)
    template = build_template(problem, first, rec, terms)
    return TwoStage(
        problem,
        index,
        drawn,
        rec,
        terms,
        template,
        settings,
        (first.violation_cost, first.violation_need),
    )


def _wait_and_see(model: TwoStage, time_limit_s: float | None, run: dict[str, Any]) -> Losses:
    """Each scenario met by its own best plan (perfect information)."""
    first = first_stage(model.problem, np.ones(model.problem.n_x))
    t = build_wait_and_see(model.problem, first, model.rec, model.terms)
    solved = solve_parts(t, [Job(0.0)], time_limit_s, **run)
    _, local, status, message = gather(t, solved, 0)
    if not status.is_ok:
        raise RiskEngineError(f"a wait-and-see scenario was not solved ({status.value}: {message})")
    k = t.kinds
    base = losses(
        model.rec,
        local[:, k["x"]],
        local[:, k["spot"]],
        local[:, k["short"]],
        local[:, k["violation"]],
        model.terms.fee_usd_t,
        *model.violation,
    )
    return model.with_stock(base, local[:, k["z"]], local[:, k["stock"]], local[:, k["gap"]])


def expected_value_plan(model: TwoStage, values_t: np.ndarray | None) -> np.ndarray:
    """The deterministic plan's contracts and product mix (``template.plan1`` order, kt)."""
    lay = model.problem.layout
    if values_t is None:
        raise RiskEngineError("the expected-value plan has no solution to compare with")
    values = np.asarray(values_t, float) / TONNES_PER_UNIT
    return np.concatenate([values[lay.x], values[lay.z]])


def stochastic_plan(
    dataset: Dataset,
    config: Config,
    scores: pd.DataFrame | None = None,
    *,
    scenarios: ScenarioSet | None = None,
    settings: StochasticConfig | None = None,
    executor: str = "serial",
    n_jobs: int | None = None,
    scheduler: str | None = None,
    wait_and_see: bool = True,
    problem: Problem | None = None,
) -> StochasticResult:
    """The two-stage mean-CVaR plan over drawn disruption scenarios, beside the expected-value plan.

    Parameters
    ----------
    dataset, config : Dataset, Config
        The data; the buyers and the ``optimiser`` section (its ``stochastic``
        part: scenarios, seed, alpha, beta, cvar_scope, spot_premium,
        contract_fee, frontier and the generator's settings).
    scores : DataFrame, optional
        Risk scores with ``disruption_probability``; default
        :func:`riskengine.optimise.api.default_scores`.
    scenarios : ScenarioSet, optional
        Scenarios to use instead of drawing ``optimiser.stochastic.scenarios``.
    settings : StochasticConfig, optional
        Replaces ``config.optimiser.stochastic``.
    executor : {"serial", "local", "dask"}
        Where the independent parts of the LP are solved (results are identical).
    n_jobs : int, optional
        Processes for ``local`` or workers of a local dask cluster.
    scheduler : str, optional
        Dask scheduler address.
    wait_and_see : bool
        Also solve every scenario alone, for the EVPI.
    problem : Problem, optional
        The deterministic model already built from the same data, configuration
        and scores (:func:`riskengine.build_problem`, joint or separate as
        ``optimiser.mode``); built here when absent.

    Returns
    -------
    StochasticResult
        Contracted tonnes per buyer and offer; per buyer and commodity the
        distribution of shortfall and loss (p50, p95, CVaR); the comparison
        with the expected-value plan, VSS, EVPI and the mean-CVaR frontier.

    Raises
    ------
    RiskEngineError
        For a MILP configuration, no scenarios, or a solve that fails.

    Examples
    --------
    >>> import riskengine
    >>> config = riskengine.load_config(overrides=["optimiser.stochastic.scenarios=40"])
    >>> result = riskengine.stochastic_plan(riskengine.load_dataset(), config)
    >>> result.status
    'optimal'
    >>> bool(result.vss_usd >= -1e-6 * abs(result.objective_usd))
    True
    """
    from riskengine.scenarios.stochastic_result import make_stochastic_result

    start = perf_counter()
    if scores is None:
        from riskengine.optimise.api import default_scores

        scores = default_scores(dataset, config)
    from riskengine.optimise.api import given_problem

    # validated again: a settings object made with model_copy(update=...) is not
    settings = StochasticConfig.model_validate(dict(settings or config.optimiser.stochastic))
    problem = given_problem(problem, config, None, "stochastic_plan")
    model = build_two_stage(dataset, config, scores, scenarios, settings, problem)
    built = perf_counter()
    opt = config.optimiser
    ev_solution = solve(model.problem, opt.solver, None, opt.time_limit_s)
    expected_value = make_result(model.problem, ev_solution)
    if not expected_value.is_optimal:
        raise RiskEngineError(
            f"the expected-value plan is not optimal ({expected_value.status.value}: "
            f"{expected_value.message}); the two-stage plan is compared with it"
        )
    x_ev = expected_value_plan(model, ev_solution.values_t)
    betas = [b for b in dict.fromkeys(settings.frontier) if b != settings.beta]
    jobs = [Job(settings.beta), *[Job(b) for b in betas], Job(settings.beta, fixed=x_ev)]
    run: dict[str, Any] = {"executor": executor, "n_jobs": n_jobs, "scheduler": scheduler}
    solved = solve_parts(model.template, jobs, opt.time_limit_s, **run)
    answers = [gather(model.template, solved, j) for j in range(len(jobs))]
    worst = next((a for a in answers if not a[2].is_ok), None)
    if worst is not None:
        raise RiskEngineError(
            f"the two-stage LP was not solved to optimality ({worst[2].value}: {worst[3]}); "
            f"raise optimiser.time_limit_s (now {opt.time_limit_s} s) or draw fewer scenarios"
        )
    plans = {"stochastic": answers[0], "expected_value": answers[-1]}
    frontier = {settings.beta: answers[0]} | dict(zip(betas, answers[1:-1], strict=True))
    solved_at = perf_counter()
    ws = _wait_and_see(model, opt.time_limit_s, run) if wait_and_see else None
    seconds = {
        "build": built - start,
        "solve": solved_at - built,
        "wait_and_see": perf_counter() - solved_at,
    }
    return make_stochastic_result(model, expected_value, plans, frontier, ws, seconds | run)


def with_settings(config: Config, **changes: object) -> Config:
    """``config`` with some ``optimiser.stochastic`` settings changed (validated).

    Raises
    ------
    ConfigError
        Naming the key, the value and what would be valid.
    """
    from pydantic import ValidationError

    merged = config.optimiser.stochastic.model_dump() | changes
    try:
        stochastic = StochasticConfig.model_validate(merged)
    except ValidationError as exc:
        messages = []
        for error in exc.errors():
            key = ".".join(str(p) for p in error["loc"])
            text = str(error["msg"]).removeprefix("Value error, ").replace("Input should", "should")
            shown = f" = {error['input']!r}" if key else ""
            messages.append(
                f"optimiser.stochastic.{key}{shown}: {text}".replace("stochastic.:", "stochastic:")
            )
        raise ConfigError("\n".join(messages)) from None
    return config.model_copy(
        update={"optimiser": config.optimiser.model_copy(update={"stochastic": stochastic})}
    )
