"""Stress evaluation: exposure of the baseline plan, re-optimised response, regret.

For every scenario and every buyer and commodity:

- **exposure**: the baseline plan (the optimal mix without disruption) is kept
  fixed; each (buyer, offer) receives ``min(planned, available)``, cut pro
  rata when several buyers share an offer whose capacity shrank; what is not
  delivered is short. Money: the delivered tonnes at the scenario's prices
  (``purchase_usd``) and the supply lost at its lost-supply value V
  (``lost_supply_usd``).
- **response**: the model re-optimised under the scenario (same policies,
  disruption probabilities and lost-supply values; the scenario's
  capacities, prices and demand), by a warm-started sweep
  (:mod:`riskengine.scenarios.sweeps`).
- **regret** = exposure minus response, in model cost (purchase + risk
  charge + lost supply + policy violations): what knowing the scenario in
  advance would save.

Money is reported apart (contract 5.5): ``purchase_usd`` is money paid;
``lost_supply_usd`` and ``model_cost_usd`` are model figures. Risk scores and
q are the baseline's: a scenario changes quantities and prices, not the
indicators.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskengine import _notebook as nb
from riskengine.config.arguments import check_stress_arguments
from riskengine.config.schema import Config, ScenarioConfig
from riskengine.data.dataset import Dataset
from riskengine.data.frames import check_inputs
from riskengine.exceptions import RiskEngineError
from riskengine.optimise import OptimisationResult, build_problem, make_result, solve
from riskengine.optimise.milp import LP_ONLY, is_milp
from riskengine.optimise.problem import Problem
from riskengine.optimise.result import records
from riskengine.optimise.solution import Solution
from riskengine.scenarios._index import ModelIndex, ScenarioArrays, index_problem
from riskengine.scenarios.fit import NoScenariosError, compile_chosen
from riskengine.scenarios.generator import ScenarioSet, generate_scenarios
from riskengine.scenarios.library import resolve_scenarios
from riskengine.scenarios.model import ScenarioEffect
from riskengine.scenarios.robust import RobustSettings
from riskengine.scenarios.stochastic_result import StochasticResult
from riskengine.scenarios.sweeps import SweepResult, baseline_solve, sweep

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["StressResult", "evaluate", "stress"]

_TOL_T = 1e-6
_MONEY = ["purchase_usd", "risk_charge_usd", "lost_supply_usd", "violation_usd", "model_cost_usd"]


@dataclass(frozen=True, repr=False)
class StressResult:
    """Exposure, response and regret per scenario x buyer x commodity (t/yr, USD).

    Attributes
    ----------
    scenarios : DataFrame
        One row per scenario: ``scenario, source, probability, description,
        status`` (of the re-optimisation), ``iterations`` and the totals
        the totals of :data:`TOTALS` (exposure and response shortfall,
        purchase, lost supply and model cost, and the regret).
    exposure : DataFrame
        ``scenario, buyer, commodity, demand_t, planned_t, delivered_t,
        shortfall_t, purchase_usd, risk_charge_usd, lost_supply_usd,
        violation_usd, model_cost_usd``: the baseline plan, fixed, under the
        scenario.
    response : DataFrame
        ``scenario, buyer, commodity, demand_t, served_t, shortfall_t`` and the
        same money columns: the re-optimised plan.
    regret : DataFrame
        ``scenario, buyer, commodity, exposure_shortfall_t,
        response_shortfall_t`` and, for each side, ``purchase_usd,
        lost_supply_usd, model_cost_usd``, and ``regret_usd`` (exposure minus
        response model cost).
    baseline : OptimisationResult
        The plan under test.
    robust : StochasticResult or None
        The two-stage mean-CVaR plan (contract 5.3) beside the expected-value
        plan, when asked (``robust=True``, ``--robust``).
    run : dict
        Executor, workers, seconds and throughput of the sweep.
    skipped : tuple of str
        One note per shipped library scenario left out because it names
        suppliers, countries or commodities the data does not have.

    Examples
    --------
    >>> import riskengine
    >>> result = riskengine.stress(riskengine.load_dataset(), riskengine.Config(),
    ...                            ["china-full-ban"])
    >>> result.to_frame("scenarios")[["scenario", "status"]].to_dict("records")
    [{'scenario': 'china-full-ban', 'status': 'optimal'}]
    >>> fig = result.plot()  # matplotlib Figure: exposure against response per scenario
    """

    scenarios: pd.DataFrame
    exposure: pd.DataFrame
    response: pd.DataFrame
    regret: pd.DataFrame
    baseline: OptimisationResult
    robust: StochasticResult | None = None
    run: dict[str, Any] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()

    def totals(self, by: Sequence[str] = ("scenario", "buyer")) -> pd.DataFrame:
        """Regret table summed over commodities (or any other grouping), in scenario order."""
        order = {name: i for i, name in enumerate(self.scenarios["scenario"])}
        frame = self.regret.groupby(list(by), sort=False).sum(numeric_only=True).reset_index()
        if "scenario" in by:
            frame = frame.sort_values("scenario", key=lambda s: s.map(order), kind="stable")
        return frame.reset_index(drop=True)

    def __repr__(self) -> str:
        worst = self.scenarios.sort_values("regret_usd").tail(1)
        top = (
            ""
            if worst.empty
            else (
                f", largest regret {worst['scenario'].iat[0]} USD {worst['regret_usd'].iat[0]:,.0f}"
            )
        )
        return (
            f"StressResult({len(self.scenarios)} scenarios, "
            f"executor={self.run.get('executor')}{top}, robust={self.robust is not None})"
        )

    def summary(self) -> str:
        """Readable summary: baseline, per scenario and buyer totals, robust comparison."""
        from riskengine.scenarios._text import stress_text

        return stress_text(self)

    def to_frame(self, table: str = "regret") -> pd.DataFrame:
        """A copy of one table: ``regret`` (default), ``scenarios``, ``exposure``, ``response``."""
        return nb.pick_table(self, table, ("regret", "scenarios", "exposure", "response"))

    def plot(self, top: int = 20) -> Figure:
        """Exposure against response per scenario; see :func:`~riskengine.plotting.plot_stress`."""
        from riskengine.plotting import plot_stress

        return plot_stress(self, top)

    def _repr_html_(self) -> str:
        """Notebook view: the baseline plan, then one row per scenario (USD m, t/yr)."""
        ok = bool((self.scenarios["status"] == "optimal").all())
        base = self.baseline
        facts = [
            f"{len(self.scenarios)} scenarios",
            f"baseline plan {base.status.value}: purchase USD "
            f"{nb.number(base.purchase_cost_usd)}, shortfall {nb.fmt_t(base.shortfall_t)} t",
            f"executor {self.run.get('executor')}",
        ]
        status = "all responses optimal" if ok else "some responses not optimal"
        return nb.html_view(
            "StressResult",
            status,
            ok,
            facts,
            self.scenarios,
            _HTML_COLUMNS,
            more="result.to_frame('scenarios')",
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (tables as lists of row dicts)."""
        return {
            "baseline": {
                "status": self.baseline.status.value,
                "model_cost_usd": self.baseline.objective_usd,
                "purchase_cost_usd": self.baseline.purchase_cost_usd,
                "shortfall_t": self.baseline.shortfall_t,
            },
            "run": dict(self.run),
            "scenarios": records(self.scenarios),
            "exposure": records(self.exposure),
            "response": records(self.response),
            "regret": records(self.regret),
            "robust": None if self.robust is None else self.robust.to_dict(),
            "skipped": list(self.skipped),
        }


_HTML_COLUMNS: list[nb.Column] = [
    ("scenario", "scenario", str),
    ("status", "response", str),
    ("exposure_shortfall_t", "plan short t", nb.fmt_t),
    ("exposure_lost_supply_usd", "plan lost supply USD m", nb.fmt_usd_m),
    ("response_shortfall_t", "response short t", nb.fmt_t),
    ("response_purchase_usd", "response purchase USD m", nb.fmt_usd_m),
    ("regret_usd", "regret (model cost) USD m", nb.fmt_usd_m),
]


def stress(
    dataset: Dataset,
    config: Config,
    scenarios: Sequence[str | ScenarioConfig] | None = None,
    monte_carlo: int = 0,
    seed: int | None = None,
    robust: bool = False,
    executor: str = "serial",
    *,
    library: str | os.PathLike[str] | bool | None = True,
    scheduler: str | None = None,
    n_jobs: int | None = None,
    scores: pd.DataFrame | None = None,
    robust_settings: RobustSettings | None = None,
    progress: bool | None = None,
) -> StressResult:
    """Stress the optimal sourcing plan under named and random scenarios.

    The plan stressed is the one-year model's (capacity usable now; no
    offtakes, stocks or product variants), whatever the horizon:
    :meth:`Config.one_year <riskengine.Config.one_year>`.

    Parameters
    ----------
    dataset, config : Dataset, Config
        The data and configuration of the plan (its ``scenarios`` are included).
    scenarios : sequence of str or ScenarioConfig, optional
        Names from the configuration or the library, or scenario objects;
        default: every configuration scenario and every library scenario.
    monte_carlo : int
        Number of drawn scenarios to add (:func:`~riskengine.scenarios.generate_scenarios`).
    seed : int, optional
        Seed of the drawn scenarios; default ``optimiser.stochastic.seed``.
    robust : bool
        Also solve the two-stage mean-CVaR plan (:func:`~riskengine.scenarios.stochastic_plan`)
        over the drawn scenarios (``monte_carlo`` of them, else
        ``optimiser.stochastic.scenarios``) and compare it with the
        expected-value plan. Named scenarios carry no probabilities and are
        left out of it; when no scenario is named and ``monte_carlo`` is 0,
        the drawn scenarios are stressed as well.
    executor : {"serial", "local", "dask"}
        Where the re-optimisations run; results are identical on each.
    library : path, bool or None
        Scenario library folder; True = the shipped one; False = none.
    scheduler : str, optional
        Dask scheduler address (``executor="dask"``); default a local cluster.
    n_jobs : int, optional
        Processes for ``local`` / workers of a local dask cluster.
    scores : DataFrame, optional
        Risk scores; default :func:`riskengine.score_suppliers`.
    robust_settings : RobustSettings, optional
        Overrides of ``optimiser.stochastic`` (alpha, beta, spot premium, contract fee).
    progress : bool, optional
        Progress line on stderr (default: on a terminal, for 50+ scenarios).

    Returns
    -------
    StressResult

    Raises
    ------
    RiskEngineError
        For unknown scenario names, selectors that match nothing, a baseline
        that cannot be solved, or a MILP (``optimiser.min_order_t > 0`` or
        ``max_suppliers_per_commodity`` set): stress tests need the LP.

    Examples
    --------
    >>> import riskengine
    >>> from riskengine.scenarios import stress
    >>> config = riskengine.load_config("config/default.yaml")
    >>> result = stress(riskengine.load_dataset(), config, ["japan-embargo"])
    >>> eu = result.exposure.query("buyer == 'EU'")
    >>> bool((eu["delivered_t"] == eu["planned_t"]).all())  # the cut is Japan's only
    True
    """
    dataset, config = check_inputs("stress", dataset, config, scores)
    scenarios = check_stress_arguments(
        "stress", scenarios, monte_carlo, seed, executor, n_jobs, robust_settings, library
    )
    _require_lp(config)
    config = config.one_year()  # stress tests: the one-year model
    config = robust_settings.apply(config) if robust_settings is not None else config
    chosen = resolve_scenarios(config, scenarios, library)
    # shipped library scenarios that do not fit the data are skipped unless named
    effects, skipped = compile_chosen(dataset, chosen, tolerant=scenarios is None)
    if scores is None:
        from riskengine.optimise.api import default_scores

        scores = default_scores(dataset, config)
    drawn = None
    if monte_carlo > 0 or robust:
        count = monte_carlo if monte_carlo > 0 else config.optimiser.stochastic.scenarios
        drawn = generate_scenarios(dataset, config, count, seed, scores)
    # the drawn scenarios are stressed too when asked for, or when nothing else is named
    stressed = drawn is not None and (monte_carlo > 0 or not effects)
    random = drawn.effects() if stressed and drawn is not None else []
    clash = sorted({e.name for e in effects} & {e.name for e in random})
    if clash:
        raise RiskEngineError(
            f"scenario name {clash[0]!r} is also a Monte Carlo draw's name; "
            "rename the scenario (mc-<seed>-<i> is reserved)"
        )
    effects += random
    if not effects:
        raise NoScenariosError(
            "no scenarios to run: the configuration has none, "
            + (
                f"the {len(skipped)} shipped library scenarios do not fit the data"
                if skipped
                else "the library is off"
            )
            + " and --monte-carlo is 0",
            skipped,
        )
    result = evaluate(
        dataset,
        config,
        scores,
        effects,
        executor=executor,
        scheduler=scheduler,
        n_jobs=n_jobs,
        robust=robust,
        drawn=drawn,
        progress=progress,
    )
    return replace(result, skipped=tuple(skipped)) if skipped else result


def evaluate(
    dataset: Dataset,
    config: Config,
    scores: pd.DataFrame,
    effects: Sequence[ScenarioEffect],
    *,
    executor: str = "serial",
    scheduler: str | None = None,
    n_jobs: int | None = None,
    robust: bool = False,
    drawn: ScenarioSet | None = None,
    progress: bool | None = None,
) -> StressResult:
    """:func:`stress` for compiled scenarios (:func:`~riskengine.scenarios.compile_scenario`).

    With ``robust`` the two-stage plan is solved over ``drawn`` (default:
    ``optimiser.stochastic.scenarios`` drawn with its seed).
    """
    _require_lp(config)
    opt = config.optimiser
    problem = build_problem(dataset, config, scores)
    solution, basis = _solve_with_basis(problem, config)
    baseline = make_result(problem, solution)
    if not baseline.is_optimal:
        raise RiskEngineError(
            f"the baseline plan is not optimal ({baseline.status.value}: "
            f"{baseline.message}); stress tests need an optimal plan"
        )
    plan = _clean(np.asarray(solution.values_t, float)[: problem.n_x])
    index = index_problem(problem, dataset)
    index = index.with_basis(*basis) if basis is not None else index
    index, *_ = baseline_solve(index, opt.time_limit_s)
    swept = sweep(
        index,
        effects,
        executor,
        n_jobs=n_jobs,
        scheduler=scheduler,
        progress=progress,
        time_limit_s=opt.time_limit_s,
    )
    pairs = problem.structure.needs[["buyer", "commodity"]].reset_index(drop=True)
    exposure, response = _exposure_and_response(index, effects, plan, swept, pairs)
    regret = _regret(exposure, response)
    robust_result = None
    if robust:
        from riskengine.scenarios.stochastic import stochastic_plan

        robust_result = stochastic_plan(
            dataset,
            config,
            scores,
            scenarios=drawn,
            executor=executor,
            n_jobs=n_jobs,
            scheduler=scheduler,
        )
    run = {
        "executor": swept.executor,
        "workers": swept.workers,
        "seconds": swept.seconds,
        "scenarios_per_s": swept.scenarios_per_s,
        "scenarios": len(effects),
        "mean_iterations": float(swept.iterations.mean()) if len(effects) else 0.0,
        "note": swept.note,
    }
    return StressResult(
        _scenario_table(effects, swept, regret),
        exposure,
        response,
        regret,
        baseline,
        robust_result,
        run,
    )


def _require_lp(config: Config) -> None:
    """Refuse a MILP: the sweep warm-starts LPs and reads the LP's structure."""
    if is_milp(config.optimiser):
        raise RiskEngineError(LP_ONLY)


def _solve_with_basis(
    problem: Problem, config: Config
) -> tuple[Solution, tuple[np.ndarray, np.ndarray] | None]:
    """The optimal plan and, with HiGHS, its basis, so the sweep's baseline is the same vertex.

    When buyers tie for scarce capacity the LP has several optimal plans; starting
    the scenario model from this basis makes "no change" re-optimise to this plan.
    """
    opt = config.optimiser
    solution = solve(problem, opt.solver, None, opt.time_limit_s)
    return solution, solution.basis


def _clean(values: np.ndarray) -> np.ndarray:
    return np.where(np.abs(values) < _TOL_T, 0.0, values)


def _frame(
    effects: Sequence[ScenarioEffect], pairs: pd.DataFrame, columns: dict[str, np.ndarray]
) -> pd.DataFrame:
    """Long table: one row per scenario x pair from (scenarios, pairs) arrays."""
    n_s, n_p = len(effects), len(pairs)
    frame = pd.DataFrame(
        {
            "scenario": np.repeat([e.name for e in effects], n_p),
            "buyer": np.tile(pairs["buyer"].to_numpy(dtype=str), n_s),
            "commodity": np.tile(pairs["commodity"].to_numpy(dtype=str), n_s),
        }
    )
    for name, array in columns.items():
        frame[name] = np.asarray(array, float).reshape(n_s * n_p)
    return frame


def _money(
    index: ModelIndex, arrays: ScenarioArrays, tonnes: np.ndarray, short_t: np.ndarray
) -> dict[str, np.ndarray]:
    parts = index.money(arrays, tonnes, short_t)
    return parts | {"model_cost_usd": np.asarray(sum(parts.values()))}


def _stack(rows: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {key: np.vstack([r[key] for r in rows]) for key in rows[0]} if rows else {}


def _exposure_and_response(
    index: ModelIndex,
    effects: Sequence[ScenarioEffect],
    plan: np.ndarray,
    swept: SweepResult,
    pairs: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per scenario and need: what the fixed plan receives and costs (exposure), and
    what the re-optimised plan buys and costs (response); each scenario's arrays built once."""
    planned = index.pair_sums(plan)[0]
    exposure, response = [], []
    for s, effect in enumerate(effects):
        arrays = index.scenario(effect)
        got = index.deliveries(arrays, plan)
        served = index.pair_sums(got)[0]
        short = _clean(np.maximum(arrays.demand_t - served, 0.0))
        exposure.append(
            {
                "demand_t": arrays.demand_t,
                "planned_t": planned,
                "delivered_t": served,
                "shortfall_t": short,
                **_money(index, arrays, got, short),
            }
        )
        bought = _clean(swept.x_t[s])
        short = _clean(swept.shortfall_t[s])
        response.append(
            {
                "demand_t": arrays.demand_t,
                "served_t": index.pair_sums(bought)[0],
                "shortfall_t": short,
                **_money(index, arrays, bought, short),
            }
        )
    return _frame(effects, pairs, _stack(exposure)), _frame(effects, pairs, _stack(response))


def _regret(exposure: pd.DataFrame, response: pd.DataFrame) -> pd.DataFrame:
    frame = exposure[["scenario", "buyer", "commodity"]].copy()
    for side, table in (("exposure", exposure), ("response", response)):
        frame[f"{side}_shortfall_t"] = table["shortfall_t"]
        frame[f"{side}_purchase_usd"] = table["purchase_usd"]
        frame[f"{side}_lost_supply_usd"] = table["lost_supply_usd"]
        frame[f"{side}_model_cost_usd"] = table["model_cost_usd"]
    frame["regret_usd"] = exposure["model_cost_usd"] - response["model_cost_usd"]
    return frame


#: The regret columns summed per scenario in :attr:`StressResult.scenarios`.
TOTALS = [
    f"{side}_{what}"
    for side in ("exposure", "response")
    for what in ("shortfall_t", "purchase_usd", "lost_supply_usd", "model_cost_usd")
] + ["regret_usd"]


def _scenario_table(
    effects: Sequence[ScenarioEffect], swept: SweepResult, regret: pd.DataFrame
) -> pd.DataFrame:
    sums = regret.groupby("scenario", sort=False)[TOTALS].sum()
    frame = pd.DataFrame(
        {
            "scenario": [e.name for e in effects],
            "source": [e.source for e in effects],
            "probability": [e.probability for e in effects],
            "description": [e.description for e in effects],
            "status": list(swept.status),
            "iterations": swept.iterations,
        }
    )
    return frame.join(sums, on="scenario")
