"""Supplier-offer risk scores: ``score_suppliers`` for scripts, ``RiskScorer`` for scikit-learn.

``RiskScorer`` lives in :mod:`riskengine.scoring.estimator` (it loads
scikit-learn); it is importable from here too, loaded on first use.

score = 100 * sum_i w_i * I_i, with indicators I_i in [0, 1] and weights w_i
normalised to sum 1 over the indicators the data supports. Each indicator's
contribution ``100 * w_i * I_i`` is a column; contributions sum to the score.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskengine.config.schema import Config, RiskWeights
from riskengine.data.dataset import Dataset
from riskengine.data.frames import check_inputs
from riskengine.exceptions import ConfigError, DataError
from riskengine.scoring.criticality import concentration_indicator
from riskengine.scoring.indicators import OfferCodes, Reference, indicator_frame

if TYPE_CHECKING:
    from riskengine.scoring.estimator import RiskScorer

__all__ = [
    "RiskScorer",
    "normalised_weights",
    "offer_indicators",
    "offer_scores",
    "reference_of",
    "score_suppliers",
]

_OFFER_COLUMNS = ("supplier_id", "commodity", "country", "stage", "status", "lead_time_days")
_ID = ["supplier_id", "name", "commodity", "country", "stage", "status"]


def normalised_weights(weights: RiskWeights | dict[str, float], used: list[str]) -> pd.Series:
    """Weights of the ``used`` indicators, normalised to sum 1.

    Raises
    ------
    ConfigError
        When every used indicator has weight 0.
    """
    raw = weights.model_dump() if isinstance(weights, RiskWeights) else dict(weights)
    series = pd.Series({name: float(raw.get(name, 0.0)) for name in used})
    total = series.sum()
    if total <= 0:
        raise ConfigError(
            f"risk.weights: the weights of {', '.join(used)} sum to 0; "
            "give at least one of them a positive weight"
        )
    return series / total


def reference_of(dataset: Dataset) -> Reference:
    """The scoring lookups of a dataset (governance, concentration, controls)."""
    return Reference.from_tables(
        dataset.countries,
        concentration_indicator(dataset.production, dataset.countries),
        dataset.export_controls,
        dataset.commodities["commodity"].astype(str),
    )


def offer_indicators(
    offers: pd.DataFrame,
    reference: Reference,
    config: Config,
    buyer: str,
    codes: OfferCodes | None = None,
) -> pd.DataFrame:
    """The raw indicators in [0, 1] of each offer for one configured ``buyer``, one column each."""
    spec = config.buyers[buyer]
    return indicator_frame(
        offers, reference, spec.home, spec.partners, config.risk.lead_time_scale_days, codes
    )


def _check_offers(X: pd.DataFrame) -> None:
    missing = [c for c in _OFFER_COLUMNS if c not in X.columns]
    if missing:
        raise DataError(
            f"supplier offers lack column(s) {', '.join(missing)}; "
            f"required: {', '.join(_OFFER_COLUMNS)}"
        )


def _contributions(indicators: pd.DataFrame, weights: pd.Series) -> pd.DataFrame:
    values = indicators[weights.index].to_numpy() * (100.0 * weights.to_numpy())
    out = pd.DataFrame(values, columns=weights.index, index=indicators.index)
    out["risk_score"] = np.clip(values.sum(axis=1), 0.0, 100.0)
    return out


def score_suppliers(dataset: Dataset, config: Config | None = None) -> pd.DataFrame:
    """Risk score of every (buyer, offer) pair, with one contribution column per indicator.

    Parameters
    ----------
    dataset : Dataset
        The tables; offers are ``dataset.suppliers``.
    config : Config, optional
        Buyers, weights and lead-time scale; default built-in defaults.

    Returns
    -------
    DataFrame
        One row per buyer and offer: ``buyer, supplier_id, name, commodity,
        country, stage, status``, then the contribution of each indicator
        (points, 0-100 in total) and ``risk_score`` (0-100, higher is riskier).
        Sorted by buyer, commodity, risk_score, supplier_id.

    Examples
    --------
    >>> import riskengine
    >>> scores = riskengine.score_suppliers(riskengine.load_dataset())
    >>> sorted(scores["buyer"].unique())
    ['EU', 'JP']
    """
    dataset, config = check_inputs("score_suppliers", dataset, config, optional_config=True)
    return offer_scores(dataset, config)


def offer_scores(dataset: Dataset, config: Config) -> pd.DataFrame:
    """:func:`score_suppliers` on tables the library built itself (not checked again)."""
    offers = dataset.suppliers.reset_index(drop=True)
    _check_offers(offers)
    reference = reference_of(dataset)
    codes = OfferCodes.of(offers, reference)
    buyers = sorted(config.buyers)
    frames = []
    for buyer in buyers:
        indicators = offer_indicators(offers, reference, config, buyer, codes)
        weights = normalised_weights(config.risk.weights, list(indicators.columns))
        frames.append(_contributions(indicators, weights))
    scored = pd.concat(frames, ignore_index=True)
    n = len(offers)
    buyer_code = np.repeat(np.arange(len(buyers)), n)
    commodity_rank = pd.factorize(offers["commodity"].astype(str), sort=True)[0]
    supplier_rank = pd.factorize(offers["supplier_id"].astype(str), sort=True)[0]
    order = np.lexsort(
        (
            np.tile(supplier_rank, len(buyers)),
            scored["risk_score"].to_numpy(),
            np.tile(commodity_rank, len(buyers)),
            buyer_code,
        )
    )
    ids = offers[_ID].take(np.tile(np.arange(n), len(buyers))[order])
    out = pd.concat([ids.reset_index(drop=True), scored.take(order).reset_index(drop=True)], axis=1)
    out.insert(0, "buyer", np.array(buyers, dtype=object)[buyer_code[order]])
    return out


def __getattr__(name: str) -> Any:
    """``RiskScorer``, imported (with scikit-learn) on first use."""
    if name == "RiskScorer":
        from riskengine.scoring.estimator import RiskScorer

        return RiskScorer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
