"""Limits shared by the configuration, the Python API and the command line (standard library only).

One place for each bound, so ``optimise --frontier N``, ``frontier(data, config,
N)`` and ``report.frontier_points`` refuse the same values; the command line
reads these without importing pandas or pydantic.
"""

from __future__ import annotations

__all__ = [
    "MAX_FRONTIER_POINTS",
    "MAX_MONTE_CARLO",
    "MAX_SEED",
    "MAX_UNCERTAINTY_SAMPLES",
    "number_text",
]

#: Most points on a cost-risk frontier (``report.frontier_points``, ``--frontier``).
MAX_FRONTIER_POINTS = 100
#: Most scenarios one stress test or two-stage plan draws (``--monte-carlo``,
#: ``optimiser.stochastic.scenarios``).
MAX_MONTE_CARLO = 100_000
#: Most weight draws of the score uncertainty (``risk.uncertainty.samples``).
MAX_UNCERTAINTY_SAMPLES = 100_000
#: Largest random seed (``risk.uncertainty.seed``, ``--seed``).
MAX_SEED = 2**32 - 1


def number_text(value: float) -> str:
    """A bound as messages write it: 0, 0.5, 1,000,000."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:g}"
