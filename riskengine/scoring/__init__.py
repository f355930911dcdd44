"""Risk scoring: offer indicators, supplier scores, JRC commodity criticality, uncertainty.

``RiskScorer`` (a scikit-learn transformer) is imported, with scikit-learn, on
first use; everything else here needs only numpy and pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from riskengine.scoring.criticality import (
    concentration_table,
    hhi_wgi,
    jrc_supply_risk,
    supply_risk,
)
from riskengine.scoring.indicators import indicator_frame
from riskengine.scoring.scorer import normalised_weights, score_suppliers

if TYPE_CHECKING:
    from riskengine.scoring.estimator import RiskScorer

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


def __getattr__(name: str) -> Any:
    """``RiskScorer``, imported (with scikit-learn) on first use (PEP 562)."""
    if name == "RiskScorer":
        from riskengine.scoring.estimator import RiskScorer

        return RiskScorer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
