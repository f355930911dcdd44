"""riskengine: sourcing-risk scores and diversified EU/Japan sourcing mixes for rare earths.

For the seven rare earths under Chinese export licensing (samarium,
gadolinium, terbium, dysprosium, lutetium, scandium, yttrium), riskengine
scores every supplier offer's risk for each buyer (0-100, higher is riskier,
with the points each indicator contributes) and finds the cheapest sourcing
mix after risk within policy caps such as the EU Critical Raw Materials Act's
65% single-country benchmark. Quantities are tonnes of oxide equivalent a
year, prices USD per kg, money USD a year, shares fractions 0-1.

A run, step by step (each step is public on its own)::

    import riskengine

    config = riskengine.load_config("config/default.yaml",   # YAML, then KEY=VALUE overrides
                                    ["optimiser.max_country_share=0.5"])
    data = riskengine.load_dataset(config.data.dir)  # or load_dataset(): the shipped seeds
    scores = riskengine.score_suppliers(data, config)  # DataFrame, one row per buyer and offer
    result = riskengine.optimise(data, config, scores)
    print(result.summary())  # also result.to_frame(), result.plot()
    front = riskengine.frontier(data, config)  # purchase cost against average risk
    shocks = riskengine.stress(data, config, ["china-full-ban"])  # exposure, response, regret
    folder = riskengine.run_report("config/default.yaml")  # a new folder under reports/

Functions
---------
load_config, load_dataset, generate_dataset
    Configuration (YAML + ``KEY=VALUE`` overrides) and the data tables
    (CSV folder, .xlsx workbook, the shipped seeds, or a synthetic set).
score_suppliers, RiskScorer, supply_risk, score_intervals
    Offer risk scores (a DataFrame, or a scikit-learn transformer), JRC
    commodity supply risk, and score ranges under weight uncertainty.
optimise, frontier, alliance_value, build_problem, solve
    The sourcing LP; the cost-risk frontier; what EU-Japan joint buying saves.
stress
    Exposure of the plan to scenarios, the re-optimised response, regret.
run_report
    A report folder (HTML, xlsx, CSV, SVG figures, summary and manifest).

Results
-------
OptimisationResult, Frontier, StressResult
    Frozen result objects with ``summary()``, ``to_frame()``, ``to_dict()``,
    ``plot()`` (a matplotlib Figure; see :mod:`riskengine.plotting`) and a
    compact HTML view in Jupyter.
Config, ScenarioConfig, Multiplier, Dataset
    The validated configuration, a what-if scenario, and the data tables.

Errors
------
RiskEngineError (a ValueError), with ConfigError, DataError, SolverError and ArgumentError
    Bad input; the message is the one the command line prints, naming the
    file, line or key, the value, and what would be valid. ArgumentError (also a
    TypeError) is an argument of the wrong type or out of range.

The command line (``riskengine --help``) is a thin layer over these functions.
"""

from riskengine import _startup  # noqa: F401  (first: a quiet Ctrl-C while the CLI starts)
from riskengine._version import __version__
from riskengine.config import Config, Multiplier, ScenarioConfig, load_config
from riskengine.data import Dataset, load_dataset, write_dataset
from riskengine.data.synthetic import generate_dataset
from riskengine.exceptions import (
    ArgumentError,
    ConfigError,
    DataError,
    Problem,
    RiskEngineError,
    SolverError,
)
from riskengine.optimise import (
    Frontier,
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
    "ArgumentError",
    "Config",
    "ConfigError",
    "DataError",
    "Dataset",
    "Frontier",
    "Multiplier",
    "OptimisationResult",
    "Problem",
    "RiskEngineError",
    "RiskScorer",
    "ScenarioConfig",
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
