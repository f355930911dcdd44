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

    inputs = riskengine.load_inputs("config/default.yaml",  # YAML, then KEY=VALUE overrides
                                    overrides=["buyers.EU.policy.enforce=hard"])
    config, data = inputs.config, inputs.dataset  # checked against each other
    scores = riskengine.score_suppliers(data, config)  # DataFrame, one row per buyer and offer
    result = riskengine.optimise(data, config, scores)
    print(result.summary())  # also result.to_frame(), result.plot()
    orders = riskengine.buy_list(result, data)  # what to buy from whom: t, USD/kg, USD, risk
    front = riskengine.frontier(data, config)  # purchase cost against average risk
    shocks = riskengine.stress(data, config, ["china-full-ban"])  # exposure, response, regret
    plan = riskengine.stochastic_plan(data, config)  # two-stage mean-CVaR plan, VSS, EVPI
    folder = riskengine.run_report("config/default.yaml")  # a new folder under reports/

Functions
---------
load_inputs, load_config, load_dataset, generate_dataset
    Configuration (YAML + ``KEY=VALUE`` overrides) and the data tables
    (CSV folder, .xlsx workbook, the shipped seeds, or a synthetic set);
    ``load_inputs`` loads both and checks them against each other.
score_suppliers, RiskScorer, supply_risk, score_intervals
    Offer risk scores (a DataFrame, or a scikit-learn transformer), JRC
    commodity supply risk, and score ranges under weight uncertainty.
optimise, buy_list, frontier, alliance_value, analyse_alliance, build_problem, solve
    The sourcing LP; the plan as a purchase order; the cost-risk frontier; what EU-Japan joint buying saves,
    how each sharing rule splits it, and what each candidate partner would add.
stress
    Exposure of the plan to scenarios, the re-optimised response, regret.
stochastic_plan
    The two-stage mean-CVaR plan over calibrated, correlated disruption
    scenarios, beside the expected-value plan (VSS, EVPI, mean-CVaR frontier).
run_report
    A report folder (HTML, xlsx, CSV, SVG figures, summary and manifest).

Results
-------
OptimisationResult, Frontier, StressResult, StochasticResult
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

from __future__ import annotations

import sys
import warnings
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

from riskengine._version import __version__

if TYPE_CHECKING:  # the names below, as type checkers and IDEs should see them
    from riskengine.config import Config, Multiplier, ScenarioConfig, load_config
    from riskengine.data import Dataset, load_dataset, write_dataset
    from riskengine.data.synthetic import generate_dataset
    from riskengine.exceptions import (
        ArgumentError,
        ConfigError,
        DataError,
        InputIssue,
        RiskEngineError,
        SolverError,
    )
    from riskengine.optimise import (
        Frontier,
        OptimisationResult,
        alliance_value,
        analyse_alliance,
        build_problem,
        buy_list,
        optimise,
    )

    # from their own modules: mypy reads these names as the submodules of the same name
    from riskengine.optimise.cost_risk import frontier
    from riskengine.optimise.solving import solve
    from riskengine.pipeline import Inputs, load_inputs
    from riskengine.report import run_report
    from riskengine.scenarios import StochasticResult, StressResult
    from riskengine.scenarios.stochastic import stochastic_plan
    from riskengine.scenarios.stress_test import stress
    from riskengine.scoring import RiskScorer, score_suppliers, supply_risk
    from riskengine.scoring.uncertainty import score_intervals

#: Public name -> the module that defines it. Each module is imported on first use
#: (PEP 562), so ``import riskengine`` and ``riskengine --help`` stay fast and
#: scikit-learn, matplotlib, openpyxl and the solvers load only when a step needs them.
_LAZY: dict[str, str] = {
    "Config": "riskengine.config",
    "Multiplier": "riskengine.config",
    "ScenarioConfig": "riskengine.config",
    "load_config": "riskengine.config",
    "Dataset": "riskengine.data",
    "load_dataset": "riskengine.data",
    "write_dataset": "riskengine.data",
    "generate_dataset": "riskengine.data.synthetic",
    "ArgumentError": "riskengine.exceptions",
    "ConfigError": "riskengine.exceptions",
    "DataError": "riskengine.exceptions",
    "InputIssue": "riskengine.exceptions",
    "RiskEngineError": "riskengine.exceptions",
    "SolverError": "riskengine.exceptions",
    "Frontier": "riskengine.optimise",
    "OptimisationResult": "riskengine.optimise",
    "alliance_value": "riskengine.optimise",
    "analyse_alliance": "riskengine.optimise",
    "build_problem": "riskengine.optimise",
    "buy_list": "riskengine.optimise",
    "frontier": "riskengine.optimise",
    "optimise": "riskengine.optimise",
    "solve": "riskengine.optimise",
    "run_report": "riskengine.report",
    "StochasticResult": "riskengine.scenarios",
    "StressResult": "riskengine.scenarios",
    "stochastic_plan": "riskengine.scenarios",
    "stress": "riskengine.scenarios",
    "RiskScorer": "riskengine.scoring",
    "score_suppliers": "riskengine.scoring",
    "supply_risk": "riskengine.scoring",
    "score_intervals": "riskengine.scoring.uncertainty",
    "Inputs": "riskengine.pipeline",
    "load_inputs": "riskengine.pipeline",
}

__all__ = [
    "ArgumentError",
    "Config",
    "ConfigError",
    "DataError",
    "Dataset",
    "Frontier",
    "InputIssue",
    "Inputs",
    "Multiplier",
    "OptimisationResult",
    "RiskEngineError",
    "RiskScorer",
    "ScenarioConfig",
    "SolverError",
    "StochasticResult",
    "StressResult",
    "__version__",
    "alliance_value",
    "analyse_alliance",
    "build_problem",
    "buy_list",
    "frontier",
    "generate_dataset",
    "load_config",
    "load_dataset",
    "load_inputs",
    "optimise",
    "run_report",
    "score_intervals",
    "score_suppliers",
    "solve",
    "stochastic_plan",
    "stress",
    "supply_risk",
    "write_dataset",
]


#: Old public names -> their new names; each still works with a DeprecationWarning.
_RENAMED: dict[str, str] = {"Problem": "InputIssue"}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use and keep the name (PEP 562)."""
    if name in _RENAMED:
        new = _RENAMED[name]
        warnings.warn(
            f"riskengine.{name} is deprecated; use riskengine.{new}",
            DeprecationWarning,
            stacklevel=2,
        )
        return __getattr__(new)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'riskengine' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names (loaded or not) and the module's own attributes."""
    return sorted(set(globals()) | set(__all__))


class _Package(ModuleType):
    """The ``riskengine`` module: ``riskengine.optimise`` stays the function.

    Importing the subpackage ``riskengine.optimise`` makes Python bind it as
    the attribute ``optimise`` of this package, which would hide the public
    function of the same name; that one binding is ignored.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name == "optimise" and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
