"""Risk scoring: offer indicators, supplier scores, JRC commodity criticality, uncertainty,
and the calibration of scores into yearly disruption probabilities."""

from riskengine.scoring.calibration import (
    DisruptionCalibration,
    disruption_probability,
    fit_calibration,
)
from riskengine.scoring.criticality import (
    concentration_table,
    hhi_wgi,
    jrc_supply_risk,
    supply_risk,
)
from riskengine.scoring.indicators import indicator_frame
from riskengine.scoring.panel import disruption_panel
from riskengine.scoring.scorer import RiskScorer, normalised_weights, score_suppliers

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
