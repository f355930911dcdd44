"""The value of buying together: ``separate`` minus ``joint``, per buyer and commodity."""

from __future__ import annotations

import pandas as pd

from riskengine.config.arguments import check_solve_options
from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.data.frames import check_inputs
from riskengine.enums import Mode
from riskengine.exceptions import SolverError
from riskengine.optimise.api import default_scores, optimise, with_disruption_probability
from riskengine.optimise.result import OptimisationResult

__all__ = ["alliance_value"]

_KEYS = ["buyer", "commodity"]


def _per_pair(result: OptimisationResult, suffix: str) -> pd.DataFrame:
    if not result.is_optimal:
        raise SolverError(
            f"the {result.mode.value} plan is not optimal (status {result.status.value}: "
            f"{result.message}); raise optimiser.time_limit_s or try the other solver"
        )
    m = result.metrics
    frame = m[[*_KEYS, "demand_t", "purchase_cost_usd", "shortfall_t", "model_cost_usd"]]
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
) -> pd.DataFrame:
    """What EU and Japan gain by sharing supplier capacity instead of splitting it pro rata.

    Parameters
    ----------
    dataset, config
        As for :func:`~riskengine.optimise.optimise`.
    scores : DataFrame, optional
        Risk scores; default :func:`riskengine.scoring.score_suppliers`.
    backend : {"highs", "pulp"}, optional
        As for :func:`~riskengine.optimise.optimise`.

    Returns
    -------
    DataFrame
        Per buyer and commodity: ``demand_t``; ``cost_separate_usd``,
        ``cost_joint_usd`` (paid to suppliers) and ``cost_saving_usd`` (separate
        - joint; negative when the alliance buys more); ``shortfall_separate_t``,
        ``shortfall_joint_t`` and ``shortfall_reduction_t``; and the same for
        the model cost (purchase + risk charge + lost supply + policy
        violations, ``objective_saving_usd``), whose total is never negative because every
        separate plan is also a joint plan. (With a minimum order quantity,
        ``optimiser.min_order_t``, that no longer holds: a buyer's pro-rata
        slice can allow an order below the minimum a joint order must meet.)

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
    joint = optimise(dataset, config, scores, Mode.JOINT, backend)
    separate = optimise(dataset, config, scores, Mode.SEPARATE, backend)
    out = _per_pair(separate, "separate").merge(
        _per_pair(joint, "joint").drop(columns="demand_t"), on=_KEYS, how="outer"
    )
    out["cost_saving_usd"] = out["cost_separate_usd"] - out["cost_joint_usd"]
    out["shortfall_reduction_t"] = out["shortfall_separate_t"] - out["shortfall_joint_t"]
    out["objective_saving_usd"] = out["objective_separate_usd"] - out["objective_joint_usd"]
    order = [
        *_KEYS,
        "demand_t",
        "cost_separate_usd",
        "cost_joint_usd",
        "cost_saving_usd",
        "shortfall_separate_t",
        "shortfall_joint_t",
        "shortfall_reduction_t",
        "objective_separate_usd",
        "objective_joint_usd",
        "objective_saving_usd",
    ]
    return out[order].sort_values(_KEYS, kind="stable").reset_index(drop=True)
