"""Risk scoring: offer indicators, supplier scores, JRC commodity criticality, uncertainty,
and the calibration of scores into yearly disruption probabilities.

``RiskScorer`` (a scikit-learn transformer) and the calibration
(``DisruptionCalibration``, ``disruption_probability``, ``fit_calibration``)
are imported, with scikit-learn, on first use; everything else here needs only
numpy and pandas.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from riskengine.scoring.criticality import (
    concentration_table,
    hhi_wgi,
    jrc_supply_risk,
    supply_risk,
)
from riskengine.scoring.indicators import indicator_frame
from riskengine.scoring.panel import disruption_panel
from riskengine.scoring.scorer import normalised_weights, score_suppliers

if TYPE_CHECKING:
    from riskengine.scoring.calibration import (
        DisruptionCalibration,
        disruption_probability,
        fit_calibration,
    )
    from riskengine.scoring.estimator import RiskScorer

__all__ = [
    "DisruptionCalibration",
    "RiskScorer",
    "concentration_table",
    "disruption_panel",
    "disruption_probability",
    "fit_calibration",
    "hhi_wgi",
    "indicator_frame",
    "jrc_supply_risk",
    "normalised_weights",
    "score_suppliers",
    "supply_risk",
]

#: Names imported (with scikit-learn) on first use, and their modules.
_LAZY = {
    "RiskScorer": "riskengine.scoring.estimator",
    "DisruptionCalibration": "riskengine.scoring.calibration",
    "disruption_probability": "riskengine.scoring.calibration",
    "fit_calibration": "riskengine.scoring.calibration",
}


def __getattr__(name: str) -> Any:
    """The scikit-learn-backed names, imported on first use (PEP 562)."""
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
