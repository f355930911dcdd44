"""Checks of the arguments the public functions and the command line accept.

The command line and the Python API share these checks and their limits, so
``optimise --frontier N`` and ``frontier(data, config, N)`` refuse the same
values with the same words. Each check raises
:class:`~riskengine.exceptions.ArgumentError` (a ``ValueError`` and a
``TypeError``) naming the function or option, the value and what is valid.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from riskengine._limits import (
    MAX_FRONTIER_POINTS,
    MAX_MONTE_CARLO,
    MAX_SEED,
    MAX_UNCERTAINTY_SAMPLES,
    number_text,
)
from riskengine.config.schema import Config, ScenarioConfig
from riskengine.enums import Mode
from riskengine.exceptions import ArgumentError

__all__ = [
    "MAX_FRONTIER_POINTS",
    "MAX_MONTE_CARLO",
    "MAX_SEED",
    "MAX_UNCERTAINTY_SAMPLES",
    "check_config",
    "check_count",
    "check_frontier_points",
    "check_number",
    "check_path",
    "check_solve_options",
    "check_stress_arguments",
    "scenario_names",
]

#: Largest risk aversion (as ``optimiser.risk_aversion``).
_MAX_RISK_AVERSION = 1000.0
_EXECUTORS = ("serial", "local", "dask")
_BACKENDS = ("highs", "pulp")


def _kind(value: Any) -> str:
    return type(value).__name__


def check_config(config: Any, who: str, *, optional: bool = False) -> Config:
    """``config`` if it is a :class:`Config` (or None when ``optional``), else refuse it.

    A mapping is refused with the advice to use :func:`riskengine.load_config`,
    which validates it and names the bad key.
    """
    if isinstance(config, Config):
        return config
    if config is None and optional:
        return Config()
    hint = "; build it with riskengine.load_config(path, overrides) or Config.model_validate(...)"
    raise ArgumentError(f"{who}: config should be a riskengine Config, got {_kind(config)}{hint}")


def check_count(name: str, value: Any, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` (bool and float refused)."""
    whole = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not whole:
        raise ArgumentError(
            f"{name}: expected a whole number from {low} to {high:,}, got {value!r}"
        )
    if not low <= int(value) <= high:
        raise ArgumentError(f"{name} {value}: expected a whole number from {low} to {high:,}")
    return int(value)


def check_number(
    name: str, value: Any, low: float, high: float, *, open_high: bool = False
) -> float:
    """A finite number from ``low`` to ``high`` (below ``high`` when ``open_high``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentError(f"{name}: expected a number, got {value!r}")
    number = float(value)
    above = number >= high if open_high else number > high
    if not math.isfinite(number) or number < low or above:
        bound = f"below {number_text(high)}" if open_high else f"at most {number_text(high)}"
        raise ArgumentError(
            f"{name} {value}: expected a finite number from {number_text(low)}, {bound}"
        )
    return number


def scenario_names(value: Any, who: str) -> list[str | ScenarioConfig] | None:
    """The scenarios argument as a list: one name, one scenario, or a sequence of them.

    A single name is accepted as ``[name]`` (a string is never taken apart
    into its characters).
    """
    if value is None:
        return None
    if isinstance(value, str | ScenarioConfig):
        return [value]
    if isinstance(value, Sequence | set | frozenset | tuple) and not isinstance(value, bytes):
        items = list(value)
        for item in items:
            if not isinstance(item, str | ScenarioConfig):
                raise ArgumentError(
                    f"{who}: scenarios should be names (str) or ScenarioConfig objects, "
                    f"got {_kind(item)} {item!r}"
                )
        return items
    raise ArgumentError(
        f"{who}: scenarios should be a name, a ScenarioConfig or a list of them, got {_kind(value)}"
    )


def check_path(who: str, name: str, value: Any, *, optional: bool = True) -> None:
    """A file or folder path (str or os.PathLike), or None when ``optional``."""
    if value is None and optional:
        return
    if not isinstance(value, str | os.PathLike) or (isinstance(value, str) and not value):
        raise ArgumentError(f"{who}: {name} should be a path (str or Path), got {value!r}")


def _choice(who: str, name: str, value: Any, choices: Sequence[str]) -> None:
    text = getattr(value, "value", value)
    if not isinstance(text, str) or text not in choices:
        raise ArgumentError(f"{who}: {name} {value!r} is not one of {', '.join(choices)}")


def check_solve_options(who: str, mode: Any = None, backend: Any = None) -> None:
    """``mode`` (joint, separate) and ``backend`` (highs, pulp) when given."""
    if mode is not None:
        _choice(who, "mode", mode, [m.value for m in Mode])
    if backend is not None:
        _choice(who, "backend", backend, _BACKENDS)


def check_frontier_points(points: Any, who: str = "frontier") -> int | list[float]:
    """A number of points (1 to :data:`MAX_FRONTIER_POINTS`) or a list of risk aversions."""
    if isinstance(points, numbers.Integral) and not isinstance(points, bool):
        return check_count(f"{who}: points", points, 1, MAX_FRONTIER_POINTS)
    if isinstance(points, str) or not isinstance(points, Sequence | np.ndarray):
        raise ArgumentError(
            f"{who}: points should be a whole number or a list of risk aversions, "
            f"got {_kind(points)}"
        )
    values = list(points)
    if not 1 <= len(values) <= MAX_FRONTIER_POINTS:
        raise ArgumentError(
            f"{who}: points holds {len(values)} risk aversions; give 1 to {MAX_FRONTIER_POINTS}"
        )
    return [check_number(f"{who}: risk aversion", v, 0, _MAX_RISK_AVERSION) for v in values]


def check_stress_arguments(
    who: str,
    scenarios: Any,
    monte_carlo: Any,
    seed: Any,
    executor: Any,
    n_jobs: Any = None,
    robust_settings: Any = None,
    library: Any = True,
) -> list[str | ScenarioConfig] | None:
    """Check a stress test's arguments; return the scenarios as a list (or None = all)."""
    chosen = scenario_names(scenarios, who)
    if not isinstance(library, bool):
        check_path(who, "library (a folder, True for the shipped one, or False)", library)
    check_count(f"{who}: monte_carlo", monte_carlo, 0, MAX_MONTE_CARLO)
    if seed is not None:  # None: the configuration's seed
        check_count(f"{who}: seed", seed, 0, MAX_SEED)
    _choice(who, "executor", executor, _EXECUTORS)
    if n_jobs is not None:
        check_count(f"{who}: n_jobs", n_jobs, 1, 1024)
    for name in ("alpha", "beta", "spot_premium", "contract_fee"):
        value = getattr(robust_settings, name, None)
        if value is not None:
            check_number(f"{who}: robust {name}", value, 0, 1e6)
    return chosen
