"""Enumerations whose values are the spellings used in tables and configuration."""

from __future__ import annotations

import warnings
from enum import StrEnum
from typing import Any

__all__ = [
    "COMMODITIES",
    "CalibrationLabel",
    "CalibrationMethod",
    "ChinaPolicy",
    "CvarScope",
    "DisruptionKind",
    "Enforce",
    "Indicator",
    "Mode",
    "OfferStatus",
    "OptimiserModel",
    "PolicyBasis",
    "RiskCharge",
    "RouteStage",
    "SharingRule",
    "ShortfallRule",
    "SolverName",
    "Stage",
]

#: The seven rare earths under China's export licensing (MOFCOM/GAC Announcement 18, 2025-04-04).
COMMODITIES: tuple[str, ...] = (
    "samarium",
    "gadolinium",
    "terbium",
    "dysprosium",
    "lutetium",
    "scandium",
    "yttrium",
)


class Stage(StrEnum):
    """Supply-chain stage of a production figure or an offer."""

    MINING = "mining"
    REFINING = "refining"


class RouteStage(StrEnum):
    """A processing stage in an offer's ``route`` (``suppliers.csv``), in supply-chain order.

    ``recycling`` replaces ``mining`` for recycled feed (magnet scrap to oxide or alloy);
    ``refining`` is accepted in a route as another spelling of ``separation``.
    """

    MINING = "mining"
    RECYCLING = "recycling"
    SEPARATION = "separation"
    METAL = "metal"
    MAGNET = "magnet"


class OfferStatus(StrEnum):
    """Maturity of a supplier's offer, from most to least mature (``suppliers.csv`` ``status``).

    Called ``Status`` up to 0.1.0; that name still works but warns (it is not a solve status).
    """

    PRODUCING = "producing"
    RAMPING = "ramping"
    PLANNED = "planned"


class Mode(StrEnum):
    """How buyers share supplier capacity in the optimiser."""

    JOINT = "joint"
    SEPARATE = "separate"


class SolverName(StrEnum):
    """LP solvers the optimiser can call."""

    HIGHS = "highs"
    CBC = "cbc"


class Indicator(StrEnum):
    """Risk indicators of a (buyer, offer) pair; each is scaled to [0, 1]."""

    GOVERNANCE = "governance"
    EXPORT_CONTROL = "export_control"
    CONCENTRATION = "concentration"
    MATURITY = "maturity"
    PARTNER = "partner"
    LEAD_TIME = "lead_time"
    CHINESE_TECHNOLOGY = "chinese_technology"
    PARENT_COUNTRY = "parent_country"


class Enforce(StrEnum):
    """How a buyer's policy cap or floor binds in the optimiser."""

    SOFT = "soft"  # may be exceeded at violation_usd_per_kg per kg over the limit
    HARD = "hard"  # may never be exceeded


class PolicyBasis(StrEnum):
    """What a policy share is measured on."""

    CONSUMPTION = "consumption"  # what the buyer buys (version 2; CRMA Art. 1(2))
    DEMAND = "demand"  # the buyer's demand (version 1; can create shortfall)


class RiskCharge(StrEnum):
    """How the objective charges for sourcing risk."""

    EXPECTED_LOSS = "expected_loss"  # lambda x q x V per kg (version 2)
    PRICE_MULTIPLE = "price_multiple"  # lambda x price x risk/100 per kg (version 1)


class ShortfallRule(StrEnum):
    """How unmet demand enters the objective."""

    VALUE = "value"  # priced at the lost-supply value V[c]
    LEXICOGRAPHIC = "lexicographic"  # first serve the most the market allows, then optimise


class SharingRule(StrEnum):
    """How joint buying splits scarce supply and costs between buyers (contract 5.4)."""

    PROPORTIONAL = "proportional"  # equal served share of demand, then equal cost per tonne
    MAXMIN = "maxmin"  # the smallest served share as large as possible, then the dearest
    SHAPLEY = "shapley"  # each buyer's model cost as close as possible to its Shapley value
    NONE = "none"  # the solver's split: one optimal plan, arbitrary between buyers


class DisruptionKind(StrEnum):
    """What caused a historical supply disruption (``disruptions.csv``)."""

    EXPORT_RESTRICTION = "export_restriction"
    BORDER_CLOSURE = "border_closure"
    CONFLICT = "conflict"
    PLANT_OUTAGE = "plant_outage"
    INSOLVENCY = "insolvency"


class CalibrationMethod(StrEnum):
    """How a risk score becomes a yearly disruption probability."""

    LOGISTIC = "logistic"
    ISOTONIC = "isotonic"
    LINEAR = "linear"


class CalibrationLabel(StrEnum):
    """What the calibration predicts for a unit-year."""

    EVENT = "event"
    SHARE = "share"


class OptimiserModel(StrEnum):
    """Which plan the optimiser recommends (contract sections 5.2 and 5.3)."""

    EXPECTED = "expected"  # the deterministic model: expected disruption loss as a charge
    STOCHASTIC = "stochastic"  # the two-stage mean-CVaR model over drawn scenarios


class CvarScope(StrEnum):
    """Whose loss the CVaR term of the two-stage model measures."""

    BUYER = "buyer"  # each buyer's total over its commodities
    BUYER_COMMODITY = "buyer_commodity"  # each buyer and commodity apart (commodities separate)


class ChinaPolicy(StrEnum):
    """States of China's export-control policy in a drawn scenario (docs/scenarios.md)."""

    LICENSING = "licensing"  # Announcement 18 licensing as today, approval share drawn
    TIGHTENING = "tightening"  # approvals cut to a trickle (the May 2025 pattern)
    OCTOBER_PACKAGE = "october_package"  # the suspended October 2025 package back in force
    EASING = "easing"  # general licences and fast approvals


#: Old public names -> their new names; each still works with a DeprecationWarning.
_RENAMED = {"Status": "OfferStatus"}


def __getattr__(name: str) -> Any:
    """Resolve a renamed public name, warning that it is deprecated (PEP 562)."""
    new = _RENAMED.get(name)
    if new is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(
        f"riskengine.enums.{name} is deprecated; use {new}", DeprecationWarning, stacklevel=2
    )
    return globals()[new]
