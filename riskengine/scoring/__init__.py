"""Risk scoring: offer indicators, supplier scores, JRC commodity criticality, uncertainty."""

from riskengine.scoring.criticality import (
    concentration_table,
    hhi_wgi,
    jrc_supply_risk,
    supply_risk,
)
from riskengine.scoring.indicators import indicator_frame
from riskengine.scoring.scorer import RiskScorer, normalised_weights, score_suppliers

__all__ = [
    "RiskScorer",
    "concentration_table",
    "hhi_wgi",
    "indicator_frame",
    "jrc_supply_risk",
    "normalised_weights",
    "score_suppliers",
    "supply_risk",
]
