"""Scenarios and stress tests: what-if cases, plan exposure, best response, the two-stage plan.

The recipe, each step public on its own::

    library = load_library()                              # config/scenarios/*.yaml
    effect = compile_scenario(data, library[0].scenario)  # factors on the data's rows
    shocked = apply_scenario(data, library[0].scenario)   # the tables under the scenario
    drawn = generate_scenarios(data, config, n=500)       # calibrated, correlated draws
    plan = stochastic_plan(data, config, scenarios=drawn) # two-stage mean-CVaR plan, VSS, EVPI
    result = stress(data, config, monte_carlo=200, robust=True, executor="local")
    print(result.summary())

Definitions (exposure, response, regret, the scenario generator and its
probabilities, the two-stage model) are written out in ``docs/scenarios.md``.
"""

from riskengine.scenarios.generator import ScenarioSet, disruption_events, generate_scenarios
from riskengine.scenarios.library import (
    LibraryScenario,
    load_library,
    resolve_scenarios,
    shipped_library_dir,
)
from riskengine.scenarios.model import ScenarioEffect, apply_scenario, compile_scenario
from riskengine.scenarios.montecarlo import monte_carlo
from riskengine.scenarios.robust import RobustResult, RobustSettings, cvar
from riskengine.scenarios.stochastic import stochastic_plan
from riskengine.scenarios.stochastic_result import StochasticResult
from riskengine.scenarios.stress_test import StressResult, evaluate, stress
from riskengine.scenarios.sweeps import EXECUTORS, SweepResult, sweep

__all__ = [
    "EXECUTORS",
    "LibraryScenario",
    "RobustResult",
    "RobustSettings",
    "ScenarioEffect",
    "ScenarioSet",
    "StochasticResult",
    "StressResult",
    "SweepResult",
    "apply_scenario",
    "compile_scenario",
    "cvar",
    "disruption_events",
    "evaluate",
    "generate_scenarios",
    "load_library",
    "monte_carlo",
    "resolve_scenarios",
    "shipped_library_dir",
    "stochastic_plan",
    "stress",
    "sweep",
]
