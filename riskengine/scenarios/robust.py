"""``stress --robust``: the name the two-stage plan had before it was calibrated.

The robust (CVaR) plan is now the two-stage mean-CVaR plan of contract 5.3,
:func:`riskengine.scenarios.stochastic_plan`, over drawn and calibrated
scenarios; ``stress(..., robust=True)`` and ``riskengine stress --robust`` run
it. :class:`RobustSettings` carries the command line's ``--cvar-alpha``,
``--cvar-beta``, ``--spot-premium`` and ``--contract-fee`` onto
``optimiser.stochastic``; unset fields keep the configuration's values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from riskengine.config.schema import Config
from riskengine.scenarios.stochastic import cvar as _cvar
from riskengine.scenarios.stochastic import with_settings
from riskengine.scenarios.stochastic_result import StochasticResult

__all__ = ["RobustResult", "RobustSettings", "cvar"]

#: The result of ``stress --robust`` (the two-stage plan).
RobustResult = StochasticResult


@dataclass(frozen=True)
class RobustSettings:
    """Command-line overrides of ``optimiser.stochastic`` (None = the configuration's value).

    Attributes
    ----------
    alpha : float, optional
        CVaR tail level, 0 <= alpha < 1.
    beta : float, optional
        Weight of CVaR next to the expected loss, >= 0.
    spot_premium : float, optional
        Spot price = (1 + spot_premium) x the scenario's price.
    contract_fee : float, optional
        Fee per contracted tonne as a share of its price.
    """

    alpha: float | None = None
    beta: float | None = None
    spot_premium: float | None = None
    contract_fee: float | None = None

    def apply(self, config: Config) -> Config:
        """``config`` with the given fields written into ``optimiser.stochastic`` (validated).

        Raises
        ------
        ConfigError
            Naming the setting and the valid range, e.g. for alpha = 1.
        """
        changes = {k: v for k, v in asdict(self).items() if v is not None}
        return with_settings(config, **changes) if changes else config


def cvar(costs: np.ndarray, weights: np.ndarray, alpha: float) -> float:
    """CVaR_alpha of one discrete loss distribution (the worst ``1 - alpha`` of probability)."""
    return float(_cvar(np.asarray(costs, float)[:, None], np.asarray(weights, float), alpha)[0])
