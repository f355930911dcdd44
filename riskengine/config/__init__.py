"""Configuration: typed schema and layered loading."""

from riskengine.config.loader import load_config, parse_override
from riskengine.config.schema import (
    BuyerConfig,
    Config,
    Multiplier,
    OptimiserConfig,
    RiskConfig,
    RiskWeights,
    ScenarioConfig,
)

__all__ = [
    "BuyerConfig",
    "Config",
    "Multiplier",
    "OptimiserConfig",
    "RiskConfig",
    "RiskWeights",
    "ScenarioConfig",
    "load_config",
    "parse_override",
]
