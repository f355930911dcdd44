"""How well the disruption-probability curve fits its history: reliability and uncertainty.

:func:`reliability_table` bins the panel's unit-years by predicted q and
compares the mean prediction with the observed rate (with a Wilson 90%
interval); :func:`bootstrap_curve` refits the curve on panels resampled by
country (all units and years of a country move together, as China's units
do in history) and gives percentile bands of q by score. Both feed the
reliability figure in ``docs/`` (:func:`riskengine.plotting.plot_calibration`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskengine.scoring.calibration import CURVE_SCORES, DisruptionCalibration

__all__ = ["bootstrap_curve", "reliability_table", "wilson_interval"]

_Z90 = 1.6448536269514722


def wilson_interval(hits: np.ndarray, n: np.ndarray, z: float = _Z90) -> tuple[np.ndarray, ...]:
    """Wilson score interval of a binomial rate (90% by default): ``(low, high)``."""
    n = np.asarray(n, float)
    p = np.divide(hits, n, out=np.zeros_like(n), where=n > 0)
    denom = 1.0 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    low = np.minimum(np.clip(centre - half, 0, 1), p)  # rounding can put it above p at 0
    return low, np.maximum(np.clip(centre + half, 0, 1), p)


def reliability_table(
    panel: pd.DataFrame, model: DisruptionCalibration, bins: int = 6
) -> pd.DataFrame:
    """Observed against predicted disruption rates in bins of predicted q.

    Parameters
    ----------
    panel : DataFrame
        Unit-years with ``risk_score`` and ``disrupted`` (the at-risk rows of
        :func:`~riskengine.scoring.panel.disruption_panel`).
    model : DisruptionCalibration
        The fitted curve.
    bins : int
        Number of bins, cut at quantiles of the predicted q (ties kept together).

    Returns
    -------
    DataFrame
        One row per bin: ``unit_years``, ``disrupted``, ``mean_score``,
        ``predicted`` (mean q), ``observed`` (rate) and its 90% ``low``, ``high``.
    """
    q = model.probability(panel["risk_score"])
    edges = np.unique(np.quantile(q, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, q, side="right") - 1, 0, max(len(edges) - 2, 0))
    frame = pd.DataFrame(
        {
            "bin": which,
            "q": q,
            "score": panel["risk_score"].to_numpy(float),
            "hit": panel["disrupted"].to_numpy(bool),
        }
    )
    grouped = frame.groupby("bin")
    table = pd.DataFrame(
        {
            "unit_years": grouped.size(),
            "disrupted": grouped["hit"].sum().astype(int),
            "mean_score": grouped["score"].mean(),
            "predicted": grouped["q"].mean(),
        }
    ).reset_index(drop=True)
    table["observed"] = table["disrupted"] / table["unit_years"]
    table["low"], table["high"] = wilson_interval(table["disrupted"], table["unit_years"])
    return table


def bootstrap_curve(
    panel: pd.DataFrame,
    method: str = "logistic",
    scores: tuple[float, ...] = CURVE_SCORES,
    samples: int = 200,
    seed: int = 0,
    levels: tuple[float, float] = (5.0, 95.0),
) -> pd.DataFrame:
    """Percentile band of q by score from refits on panels resampled by country.

    Countries are drawn with replacement (``samples`` times, seeded), each
    bringing all its unit-years; the curve is refitted on each draw.

    Returns
    -------
    DataFrame
        ``risk_score``, ``low``, ``median``, ``high`` (q at the two ``levels``
        percentiles and the median).
    """
    rng = np.random.default_rng(seed)
    countries = np.array(sorted(panel["country"].unique()))
    groups = {c: part for c, part in panel.groupby("country")}
    curves = np.empty((samples, len(scores)))
    for i in range(samples):
        drawn = rng.choice(countries, size=len(countries), replace=True)
        sample = pd.concat([groups[c] for c in drawn], ignore_index=True)
        model = DisruptionCalibration(method=method).fit(sample["risk_score"], sample["target"])
        curves[i] = model.probability(list(scores))
    low, mid, high = np.percentile(curves, [levels[0], 50.0, levels[1]], axis=0)
    return pd.DataFrame({"risk_score": scores, "low": low, "median": mid, "high": high})
