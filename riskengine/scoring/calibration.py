"""Yearly disruption probability q from a risk score, calibrated on the history of disruptions.

The optimiser's expected disruption loss for an offer is ``q x V[c]`` per kg
(contract section 5.2). ``q`` comes from the offer's risk score through a
curve fitted, with scikit-learn, to a panel of supply units and years
labelled from ``disruptions.csv`` (:mod:`riskengine.scoring.panel`):

- ``logistic`` (default): ``q = 1 / (1 + exp(-(a + b * score/100)))`` with
  ``b >= 0`` (a negative fitted slope falls back to the base rate);
- ``isotonic``: a non-decreasing step function (pool-adjacent-violators);
- ``linear``: ``q = score/100``, the version-1 special case, with no fit.

``q`` is non-decreasing in the score for every method. The method, the
window and the events that count are ``risk.calibration`` settings;
``docs/methodology.md`` ("Disruption probability") shows the fit, its base
rates, a reliability figure and the limits.
"""

from __future__ import annotations

import json
import warnings
import weakref
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.enums import CalibrationMethod, DisruptionKind
from riskengine.exceptions import ConfigError
from riskengine.scoring.panel import disruption_panel

__all__ = ["DisruptionCalibration", "disruption_probability", "fit_calibration"]

_METHODS = tuple(m.value for m in CalibrationMethod)
_KINDS = tuple(k.value for k in DisruptionKind)
#: Scores at which :meth:`DisruptionCalibration.table` reads the curve.
CURVE_SCORES: tuple[float, ...] = (0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100)


def _scores(X: Any) -> np.ndarray:
    """Risk scores (0-100) as a float vector from a vector, a column, or a frame."""
    if isinstance(X, pd.DataFrame):
        if "risk_score" not in X.columns:
            raise ValueError("X has no risk_score column; pass risk scores (0-100)")
        X = X["risk_score"]
    values = np.asarray(X, dtype=float).reshape(-1)
    if not np.isfinite(values).all():
        raise ValueError("risk scores must be finite numbers from 0 to 100")
    return values


def _as_binary(
    x: np.ndarray, y: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted 0/1 rows equivalent to fractional targets, one pair per distinct score.

    A target t with weight w is a 1-row of weight w*t and a 0-row of weight
    w*(1-t); rows with the same score are summed (the likelihood is unchanged).
    """
    values, inverse = np.unique(x, return_inverse=True)
    ones = np.bincount(inverse, weights=weight * y, minlength=len(values))
    zeros = np.bincount(inverse, weights=weight * (1.0 - y), minlength=len(values))
    x2 = np.concatenate([values, values])
    y2 = np.concatenate([np.ones(len(values)), np.zeros(len(values))])
    w2 = np.concatenate([ones, zeros])
    keep = w2 > 0
    return x2[keep], y2[keep], w2[keep]


class DisruptionCalibration(BaseEstimator):  # type: ignore[misc]  # sklearn is untyped
    """Map risk scores (0-100) to a yearly disruption probability q in [0, 1].

    A scikit-learn estimator: parameters in ``__init__``, :meth:`fit` returns
    self, fitted attributes end in ``_``. ``q`` never decreases as the score
    rises.

    Parameters
    ----------
    method : {"logistic", "isotonic", "linear"}
        The curve. ``linear`` is ``q = score/100`` and ignores the targets.
    C : float
        Inverse L2 penalty of the logistic slope on score/100 (large = almost
        no shrinkage; ``np.inf`` = maximum likelihood).
    source : str
        Where the history came from, repeated in :meth:`summary`.

    Attributes
    ----------
    base_rate_ : float
        Weighted mean target of the fit (share of unit-years disrupted).
    n_samples_ : int
        Rows fitted (unit-years).
    coef_, intercept_ : float
        Logistic slope (on score/100) and intercept; NaN for other methods.
    isotonic_ : IsotonicRegression or None
        The step fit for ``isotonic``.
    fallback_ : bool
        True when the logistic slope came out negative and q was set to the base rate.
    base_rates_ : DataFrame
        Per kind of disruption (and ``any``): unit-years hit and their share of
        the panel; empty unless ``fit`` was given a panel with ``hit_<kind>`` columns.

    Examples
    --------
    Ten unit-years at score 20 with one disruption, ten at 80 with six: the
    unpenalised logistic fit reproduces both observed rates.

    >>> import numpy as np
    >>> y = [0] * 9 + [1] + [1] * 6 + [0] * 4
    >>> model = DisruptionCalibration(C=np.inf).fit([20] * 10 + [80] * 10, y)
    >>> np.round(model.probability([20, 80]), 3).tolist()
    [0.1, 0.6]
    """

    def __init__(self, method: str = "logistic", C: float = 100.0, source: str = "") -> None:
        self.method = method
        self.C = C
        self.source = source

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> DisruptionCalibration:
        """Fit the curve to risk scores ``X`` and targets ``y`` in [0, 1]; returns self.

        ``X`` may be a panel from :func:`~riskengine.scoring.panel.disruption_panel`;
        its ``target`` column is then the default ``y``, rows whose ``at_risk``
        is false are left out (unless ``sample_weight`` is given, which must then
        match every row), and its ``hit_<kind>`` columns give
        :attr:`base_rates_`.
        """
        if self.method not in _METHODS:
            raise ValueError(
                f"method {self.method!r} is not valid; expected one of {', '.join(_METHODS)}"
            )
        if y is None and isinstance(X, pd.DataFrame) and "target" in X.columns:
            if "at_risk" in X.columns and sample_weight is None:
                X = X[X["at_risk"].to_numpy(bool)]
            y = X["target"]
        x = _scores(X)
        target = np.asarray(y, dtype=float).reshape(-1) if y is not None else np.zeros_like(x)
        if len(target) != len(x) or ((target < 0) | (target > 1)).any():
            raise ValueError("y must hold one target in [0, 1] per risk score")
        weight = np.ones_like(x) if sample_weight is None else np.asarray(sample_weight, float)
        self.n_samples_ = len(x)
        self.base_rate_ = float(np.average(target, weights=weight)) if weight.sum() > 0 else 0.0
        self.coef_, self.intercept_, self.isotonic_, self.fallback_ = np.nan, np.nan, None, False
        if self.method == CalibrationMethod.LOGISTIC:
            self._fit_logistic(x, target, weight)
        elif self.method == CalibrationMethod.ISOTONIC:
            self.isotonic_ = IsotonicRegression(
                y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip"
            ).fit(x, target, sample_weight=weight)
        self.base_rates_ = _base_rates(X) if isinstance(X, pd.DataFrame) else pd.DataFrame()
        return self

    def _fit_logistic(self, x: np.ndarray, target: np.ndarray, weight: np.ndarray) -> None:
        if not 0.0 < self.base_rate_ < 1.0:
            self.coef_, self.fallback_ = 0.0, True
            return
        xb, yb, wb = _as_binary(x / 100.0, target, weight)
        model = LogisticRegression(C=self.C, solver="newton-cholesky", max_iter=200)
        with warnings.catch_warnings():
            # on flat histories (e.g. every rate 0.5) Newton's line search stalls and
            # scikit-learn finishes the fit with lbfgs, warning about it; the curve is fine
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(xb.reshape(-1, 1), yb, sample_weight=wb)
        self.coef_, self.intercept_ = float(model.coef_[0, 0]), float(model.intercept_[0])
        if self.coef_ < 0:
            self.coef_, self.fallback_ = 0.0, True
            self.intercept_ = float(np.log(self.base_rate_ / (1.0 - self.base_rate_)))

    def probability(self, X: Any) -> np.ndarray:
        """q for each risk score in ``X`` (0-100): floats in [0, 1], non-decreasing in the score."""
        check_is_fitted(self, "base_rate_")
        x = np.clip(_scores(X), 0.0, 100.0)
        if self.method == CalibrationMethod.LINEAR:
            return np.asarray(x / 100.0)
        if self.method == CalibrationMethod.ISOTONIC:
            assert self.isotonic_ is not None  # fitted with the isotonic method
            return np.asarray(np.clip(self.isotonic_.predict(x), 0.0, 1.0))
        if np.isnan(self.intercept_):
            return np.full_like(x, self.base_rate_)
        z = np.clip(self.intercept_ + self.coef_ * x / 100.0, -500.0, 500.0)  # no overflow
        return np.asarray(1.0 / (1.0 + np.exp(-z)))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Columns ``[1 - q, q]`` for each risk score, like a scikit-learn classifier."""
        q = self.probability(X)
        return np.column_stack([1.0 - q, q])

    def table(self, scores: tuple[float, ...] = CURVE_SCORES) -> pd.DataFrame:
        """The fitted curve: ``risk_score`` and ``q`` at the given scores."""
        return pd.DataFrame({"risk_score": scores, "q": self.probability(list(scores))})

    def summary(self) -> str:
        """A readable account: method, history, base rates by kind, and the curve."""
        check_is_fitted(self, "base_rate_")
        lines = [f"Disruption probability: {self.method}", f"  history: {self.source or 'n/a'}"]
        lines.append(
            f"  panel: {self.n_samples_} unit-years, base rate {self.base_rate_:.3f} a year"
        )
        if self.method == CalibrationMethod.LOGISTIC and not np.isnan(self.intercept_):
            lines.append(
                f"  q = 1 / (1 + exp(-({self.intercept_:.3f} + {self.coef_:.3f} x score/100)))"
            )
        if self.fallback_:
            lines.append("  the slope was not positive: q is the base rate for every score")
        for row in self.base_rates_.itertuples(index=False):
            lines.append(f"  {row.kind:<20} {row.unit_years:>6} unit-years  rate {row.rate:.3f}")
        curve = "  ".join(f"{s:g}:{q:.3f}" for s, q in self.table().itertuples(index=False))
        lines.append(f"  q by score  {curve}")
        return "\n".join(lines)


def _base_rates(panel: pd.DataFrame) -> pd.DataFrame:
    """Unit-years hit by each kind of disruption, and their share of the panel."""
    rows = []
    for kind in _KINDS:
        column = f"hit_{kind}"
        if column in panel.columns:
            rows.append((kind, int(panel[column].sum()), float(panel[column].mean())))
    if "disrupted" in panel.columns:
        rows.append(("any", int(panel["disrupted"].sum()), float(panel["disrupted"].mean())))
    return pd.DataFrame(rows, columns=["kind", "unit_years", "rate"])


#: Fitted curves per (dataset, settings); entries die with their dataset.
_CACHE: dict[tuple[int, str], tuple[weakref.ref[Dataset], DisruptionCalibration]] = {}


def _settings_key(config: Config) -> str:
    risk = config.risk
    parts = {
        "calibration": risk.calibration.model_dump(mode="json"),
        "weights": risk.weights.model_dump(mode="json"),
        "lead_time_scale_days": risk.lead_time_scale_days,
        "buyers": {k: v.model_dump(mode="json") for k, v in sorted(config.buyers.items())},
    }
    return json.dumps(parts, sort_keys=True)


def fit_calibration(dataset: Dataset, config: Config | None = None) -> DisruptionCalibration:
    """The calibration for a dataset and configuration, fitted once and cached.

    Builds the panel (:func:`~riskengine.scoring.panel.disruption_panel`) and
    fits :class:`DisruptionCalibration` with ``risk.calibration.method``.
    Without a ``disruptions`` table in the data the shipped one is used, and
    the summary says so.

    Examples
    --------
    >>> import riskengine
    >>> model = fit_calibration(riskengine.load_dataset())
    >>> bool(model.probability([80])[0] >= model.probability([20])[0])
    True
    """
    config = config if config is not None else Config()
    key = (id(dataset), _settings_key(config))
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is dataset:
        return hit[1]
    panel, source = disruption_panel(dataset, config)
    model = DisruptionCalibration(method=config.risk.calibration.method.value, source=source)
    model.fit(panel)
    _CACHE[key] = (weakref.ref(dataset, lambda _: _CACHE.pop(key, None)), model)
    return model


def disruption_probability(
    scores: pd.DataFrame, dataset: Dataset, config: Config | None = None
) -> np.ndarray:
    """Yearly disruption probability q for each row of ``scores``.

    Parameters
    ----------
    scores : DataFrame
        Rows with a ``risk_score`` column (0-100), e.g. from
        :func:`~riskengine.scoring.score_suppliers` (``buyer, supplier_id,
        commodity, risk_score``).
    dataset : Dataset
        The data; its ``disruptions`` table (or the shipped one) calibrates q.
    config : Config, optional
        ``risk.calibration`` chooses the method; the default configuration if omitted.

    Returns
    -------
    ndarray of float
        q in [0, 1] per row, in the order of ``scores``; non-decreasing in the
        score; deterministic. The fit is cached per dataset and settings.

    Raises
    ------
    ConfigError
        When ``scores`` has no ``risk_score`` column.
    """
    config = config if config is not None else Config()
    if "risk_score" not in scores.columns:
        raise ConfigError(
            "disruption_probability needs a risk_score column (0-100), e.g. from score_suppliers"
        )
    if config.risk.calibration.method == CalibrationMethod.LINEAR:
        return np.asarray(np.clip(scores["risk_score"].to_numpy(float), 0.0, 100.0) / 100.0)
    return fit_calibration(dataset, config).probability(scores["risk_score"])
