"""Monte Carlo scenarios for stress tests: the calibrated generator's draws as scenario effects.

``stress --monte-carlo N --seed S`` draws N scenarios with
:func:`riskengine.scenarios.generate_scenarios` (China's policy state,
licence approval shares, country and company events from the calibrated
disruption probabilities, drawn ranges of estimated inputs, tied price and
demand responses; ``docs/scenarios.md`` section 5) and turns each into a
:class:`~riskengine.scenarios.ScenarioEffect`, priced at its spot prices.
Each draw has probability 1/N. Draw ``i`` of seed ``S`` is named
``mc-<S>-<i>`` and does not depend on N.
"""

from __future__ import annotations

import pandas as pd

from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.exceptions import RiskEngineError
from riskengine.scenarios.generator import disruption_events, generate_scenarios
from riskengine.scenarios.model import ScenarioEffect

__all__ = ["disruption_events", "monte_carlo"]


def monte_carlo(
    dataset: Dataset,
    config: Config,
    n: int,
    seed: int = 0,
    scores: pd.DataFrame | None = None,
) -> list[ScenarioEffect]:
    """``n`` drawn scenarios as effects (see the module docstring).

    Parameters
    ----------
    dataset, config : the data and the ``optimiser.stochastic`` generator settings.
    n : int
        Number of scenarios (>= 0).
    seed : int
        Seed; the same seed gives the same scenarios.
    scores : DataFrame, optional
        Risk scores with ``disruption_probability``; computed when omitted.

    Returns
    -------
    list of ScenarioEffect
        Named ``mc-<seed>-<i>`` (i with four digits), source ``monte-carlo``,
        probability 1/n, described by China's state and the events that fired.
    """
    if n < 0:
        raise RiskEngineError(f"monte_carlo must be >= 0 scenarios, got {n}")
    if n == 0:
        return []
    return generate_scenarios(dataset, config, n, seed, scores).effects()
