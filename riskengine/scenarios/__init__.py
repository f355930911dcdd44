"""Scenarios and stress tests: what-if cases, plan exposure, best response, robust plan.

The recipe, each step public on its own::

    library = load_library()                              # config/scenarios/*.yaml
    effect = compile_scenario(data, library[0].scenario)  # factors on the data's rows
    shocked = apply_scenario(data, library[0].scenario)   # the tables under the scenario
    result = stress(data, config, monte_carlo=200, robust=True, executor="local")
    print(result.summary())

Definitions (exposure, response, regret, the CVaR model and the Monte Carlo
mapping) are written out in ``docs/scenarios.md``.
"""

from riskengine.scenarios.library import (
    LibraryScenario,
    load_library,
    resolve_scenarios,
    shipped_library_dir,
)
from riskengine.scenarios.model import ScenarioEffect, apply_scenario, compile_scenario
from riskengine.scenarios.montecarlo import DisruptionModel, disruption_events, monte_carlo
from riskengine.scenarios.robust import RobustResult, RobustSettings, compare_plans, cvar
from riskengine.scenarios.stress import StressResult, evaluate, stress
from riskengine.scenarios.sweep import EXECUTORS, SweepResult, sweep

__all__ = [
    "EXECUTORS",
    "DisruptionModel",
    "LibraryScenario",
    "RobustResult",
    "RobustSettings",
    "ScenarioEffect",
    "StressResult",
    "SweepResult",
    "apply_scenario",
    "compare_plans",
    "compile_scenario",
    "cvar",
    "disruption_events",
    "evaluate",
    "load_library",
    "monte_carlo",
    "resolve_scenarios",
    "shipped_library_dir",
    "stress",
    "sweep",
]
