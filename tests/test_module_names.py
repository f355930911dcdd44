"""No module shares its name with a function its package exports (issue 14, names).

``riskengine.optimise`` is the one exception: the package and the function every
recipe calls; its modules import as ``from riskengine.optimise.problem import ...``.
"""

from __future__ import annotations

import importlib
import pkgutil

import riskengine

PACKAGES = ("optimise", "scenarios", "report", "scoring", "data", "config", "cli")


def test_no_submodule_is_hidden_by_a_name_its_package_exports() -> None:
    hidden = []
    for name in PACKAGES:
        package = importlib.import_module(f"riskengine.{name}")
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"riskengine.{name}.{info.name}")
            value = package.__dict__.get(info.name, module)
            if value is not module:
                hidden.append(f"riskengine.{name}.{info.name} is a {type(value).__name__}")
    assert hidden == []


def test_the_functions_keep_their_names() -> None:
    for name in ("optimise", "frontier", "solve", "stress", "stochastic_plan", "load_inputs"):
        assert callable(getattr(riskengine, name)), name
    scenarios = importlib.import_module("riskengine.scenarios")
    assert callable(scenarios.sweep) and callable(scenarios.stress)
