"""``RiskScorer``: the supplier-offer risk score as a scikit-learn transformer.

The same numbers as :func:`~riskengine.scoring.score_suppliers`, for one
buyer, fitted against reference tables and usable in a scikit-learn
``Pipeline``. Kept apart from :mod:`riskengine.scoring.scorer` so that only
code using the estimator imports scikit-learn.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset, load_dataset
from riskengine.exceptions import ConfigError
from riskengine.scoring.scorer import (
    _check_offers,
    _contributions,
    normalised_weights,
    offer_indicators,
    reference_of,
)

__all__ = ["RiskScorer"]


class RiskScorer(TransformerMixin, BaseEstimator):  # type: ignore[misc]  # sklearn is untyped
    """Score supplier offers for one buyer; a scikit-learn transformer.

    Parameters
    ----------
    buyer : str
        The buyer whose view is scored (home, partners and destination-specific
        export controls depend on it).
    config : Config, optional
        Weights, buyers and lead-time scale; default the built-in defaults.
    reference : Dataset, optional
        Tables the indicators are measured against (countries, production,
        export controls); default the shipped seeds.

    Attributes
    ----------
    weights_ : Series
        Normalised weights of the indicators used.
    reference_ : Reference
        Lookups measured from the reference tables.
    feature_names_out_ : ndarray of str
        Output columns: one contribution per indicator, then ``risk_score``.

    Examples
    --------
    >>> import riskengine
    >>> data = riskengine.load_dataset()
    >>> scorer = riskengine.RiskScorer(buyer="EU").fit(data.suppliers)
    >>> out = scorer.transform(data.suppliers)
    >>> bool(((out["risk_score"] >= 0) & (out["risk_score"] <= 100)).all())
    True
    """

    def __init__(
        self, buyer: str = "EU", config: Config | None = None, reference: Dataset | None = None
    ) -> None:
        self.buyer = buyer
        self.config = config
        self.reference = reference

    def fit(self, X: pd.DataFrame, y: Any = None) -> RiskScorer:
        """Measure the reference tables and fix the weights; returns self."""
        _check_offers(X)
        config = self.config if self.config is not None else Config()
        if self.buyer not in config.buyers:
            raise ConfigError(
                f"buyer {self.buyer!r} is not in the configuration; "
                f"configured buyers: {', '.join(sorted(config.buyers))}"
            )
        self.config_ = config
        self.reference_ = reference_of(
            self.reference if self.reference is not None else load_dataset()
        )
        used = list(self._indicators(X.head(0)).columns)
        self.weights_ = normalised_weights(config.risk.weights, used)
        self.feature_names_out_ = np.array([*used, "risk_score"], dtype=object)
        self.n_features_in_ = X.shape[1]
        return self

    def _indicators(self, X: pd.DataFrame) -> pd.DataFrame:
        return offer_indicators(X, self.reference_, self.config_, self.buyer)

    def indicators(self, X: pd.DataFrame) -> pd.DataFrame:
        """The raw indicators in [0, 1] (before weighting), one column each."""
        check_is_fitted(self, "weights_")
        _check_offers(X)
        return self._indicators(X)

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Contribution columns (points out of 100) and ``risk_score``, indexed like X."""
        return _contributions(self.indicators(X), self.weights_)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns."""
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_
