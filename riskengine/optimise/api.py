"""The public recipe: scores -> :func:`build_problem` -> :func:`solve` -> :func:`make_result`."""

from __future__ import annotations

import pandas as pd

from riskengine.config.arguments import check_solve_options
from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.data.frames import check_inputs
from riskengine.enums import Mode
from riskengine.optimise.problem import build_problem
from riskengine.optimise.result import OptimisationResult, make_result
from riskengine.optimise.solve import solve

__all__ = ["default_scores", "optimise"]


def default_scores(dataset: Dataset, config: Config) -> pd.DataFrame:
    """Risk scores from :func:`riskengine.scoring.score_suppliers` (imported lazily)."""
    from riskengine.scoring import score_suppliers

    return score_suppliers(dataset, config)


def optimise(
    dataset: Dataset,
    config: Config,
    scores: pd.DataFrame | None = None,
    mode: Mode | str | None = None,
    backend: str | None = None,
) -> OptimisationResult:
    """Find the cheapest sourcing mix after risk that respects every policy cap.

    For each buyer and commodity, choose the tonnes a year to buy from each
    supplier offer so as to minimise, over all buyers,

        purchase cost x (1 + risk_aversion x risk_score / 100) + shortfall penalty

    where purchase cost = 1000 x price (USD/kg) x tonnes, subject to:

    - one country outside the buyer's home supplies at most
      ``max_country_share`` of its demand (default 0.65, the EU Critical Raw
      Materials Act benchmark);
    - one offer supplies at most ``max_supplier_share`` of its demand;
    - at least ``min_partner_share`` of the volume served comes from home or
      partner countries;
    - buyers share each offer's capacity (``joint``), or each takes a share
      pro rata to its demand (``separate``);
    - optionally (off by default; either makes the model a MILP, whose result
      has no shadow prices): an order from an offer is 0 or at least
      ``min_order_t`` tonnes, capped by what the offer can give, and a buyer
      orders from at most ``max_suppliers_per_commodity`` offers per commodity.

    Unmet demand is allowed at ``shortfall_penalty_usd_per_kg``, so a plan
    always exists; shortfall says where supply is missing.

    Parameters
    ----------
    dataset : Dataset
        The tables: supplier offers (capacity in t/yr, price in USD/kg,
        status), demand (t/yr per buyer and commodity), countries. From
        :func:`riskengine.load_dataset` or :func:`riskengine.generate_dataset`.
    config : Config
        Buyers (home and partner countries) and the ``optimiser`` section:
        ``risk_aversion`` (lambda >= 0), ``max_country_share``,
        ``max_supplier_share`` and ``min_partner_share`` (shares 0-1),
        ``shortfall_penalty_usd_per_kg``, ``status_availability``, ``solver``
        and ``time_limit_s`` (seconds). From :func:`riskengine.load_config`.
    scores : DataFrame, optional
        ``buyer, supplier_id, commodity, risk_score`` (0-100); default
        :func:`riskengine.score_suppliers` with ``config``.
    mode : {"joint", "separate"}, optional
        Default ``config.optimiser.mode``.
    backend : {"highs", "pulp"}, optional
        ``highs`` (highspy direct, the default for HiGHS) or ``pulp`` (a PuLP
        model; always used for CBC). Both give the same plan.

    Returns
    -------
    OptimisationResult
        ``status`` (use only ``optimal`` plans) and ``objective_usd``, with
        DataFrames ``allocations`` (tonnes a year per buyer and offer, USD),
        ``shortfalls`` (t/yr), ``mix_by_country`` (t/yr and shares 0-1),
        ``metrics`` (per buyer and commodity) and ``binding`` (binding caps
        with shadow prices in USD/kg). ``summary()`` describes it in words,
        ``to_frame()`` returns a table and ``plot()`` draws the mix.

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
    The shipped data with a stricter 50% cap on any one non-home country:

    >>> import riskengine
    >>> config = riskengine.load_config(overrides=["optimiser.max_country_share=0.5"])
    >>> result = riskengine.optimise(riskengine.load_dataset(), config)
    >>> result.status.value
    'optimal'
    >>> bool((result.metrics["top_foreign_share_of_demand"] <= 0.5 + 1e-9).all())
    True
    >>> result.to_frame()[["buyer", "commodity", "supplier_id", "country", "tonnes"]].head(2)
      buyer   commodity supplier_id country  tonnes
    0    EU  dysprosium     caremag      FR   230.0
    1    EU  dysprosium     shenghe      CN   230.0
    """
    dataset, config = check_inputs("optimise", dataset, config, scores)
    check_solve_options("optimise", mode, backend)
    if scores is None:
        scores = default_scores(dataset, config)
    problem = build_problem(dataset, config, scores, mode)
    opt = config.optimiser
    solution = solve(problem, opt.solver, backend, opt.time_limit_s)
    return make_result(problem, solution)
