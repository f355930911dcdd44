"""The public recipe: scores -> :func:`build_problem` -> :func:`solve` -> :func:`make_result`."""

from __future__ import annotations

import pandas as pd

from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
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
    """Find the sourcing mix of contract section 5: cheapest after risk, within every cap.

    Parameters
    ----------
    dataset : Dataset
        Offers (t/yr, USD/kg), demand (t/yr), countries.
    config : Config
        Buyers and the ``optimiser`` section (lambda, theta, sigma, alpha,
        shortfall penalty in USD/kg, solver, time limit in seconds).
    scores : DataFrame, optional
        ``buyer, supplier_id, commodity, risk_score`` (0-100); default
        :func:`riskengine.scoring.score_suppliers`.
    mode : {"joint", "separate"}, optional
        Default ``config.optimiser.mode``.
    backend : {"highs", "pulp"}, optional
        ``highs`` (highspy direct, default for HiGHS) or ``pulp`` (PuLP model;
        always used for CBC).

    Returns
    -------
    OptimisationResult
        Check ``result.status``: only ``optimal`` plans should be used.

    Raises
    ------
    SolverError
        When the configured solver is not installed.

    Examples
    --------
    >>> import pandas as pd, riskengine
    >>> from riskengine.optimise import optimise
    >>> data = riskengine.generate_dataset(n_offers=70, seed=1)
    >>> config = riskengine.Config()
    >>> scores = pd.DataFrame([(b, o.supplier_id, o.commodity, 50.0) for b in config.buyers
    ...     for o in data.suppliers.itertuples()],
    ...     columns=["buyer", "supplier_id", "commodity", "risk_score"])
    >>> optimise(data, config, scores=scores).status.value
    'optimal'
    """
    if scores is None:
        scores = default_scores(dataset, config)
    problem = build_problem(dataset, config, scores, mode)
    opt = config.optimiser
    solution = solve(problem, opt.solver, backend, opt.time_limit_s)
    return make_result(problem, solution)
