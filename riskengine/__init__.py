"""riskengine: sourcing risk and diversified EU/Japan sourcing mixes for controlled rare earths.

The public API, in the order of a run::

    config = riskengine.load_config("config/default.yaml")
    data = riskengine.load_dataset(config.data.dir)
    scores = riskengine.score_suppliers(data, config)
    result = riskengine.optimise(data, config)
"""

from riskengine._version import __version__
from riskengine.config import Config, load_config
from riskengine.data import Dataset, load_dataset, write_dataset
from riskengine.data.synthetic import generate_dataset
from riskengine.exceptions import ConfigError, DataError, Problem, RiskEngineError, SolverError
from riskengine.optimise import (
    OptimisationResult,
    alliance_value,
    build_problem,
    frontier,
    optimise,
    solve,
)
from riskengine.report import run_report
from riskengine.scenarios import StressResult, stress
from riskengine.scoring import RiskScorer, score_suppliers, supply_risk
from riskengine.scoring.uncertainty import score_intervals

__all__ = [
    "Config",
    "ConfigError",
    "DataError",
    "Dataset",
    "OptimisationResult",
    "Problem",
    "RiskEngineError",
    "RiskScorer",
    "SolverError",
    "StressResult",
    "__version__",
    "alliance_value",
    "build_problem",
    "frontier",
    "generate_dataset",
    "load_config",
    "load_dataset",
    "optimise",
    "run_report",
    "score_intervals",
    "score_suppliers",
    "solve",
    "stress",
    "supply_risk",
    "write_dataset",
]
