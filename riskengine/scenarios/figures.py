"""The two-stage plan's figure: the mean-CVaR frontier and both plans' loss distributions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from riskengine._drawing import new_figure, plain_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from riskengine.scenarios.stochastic_result import StochasticResult

__all__ = ["stochastic_figure"]

_PLAN, _EV = "#1f77b4", "#c0392b"


def _cdf(losses: np.ndarray, probability: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(losses, kind="stable")
    return losses[order] / 1e6, np.cumsum(probability[order])


def stochastic_figure(result: StochasticResult) -> Figure:
    """Left: expected loss against CVaR for each beta; right: the loss distribution of each plan."""
    alpha = result.settings["alpha"]
    with new_figure(9.0, 3.8) as fig:
        left, right = fig.subplots(1, 2)
        front = result.frontier[result.frontier["status"] == "optimal"].sort_values("beta")
        x, y = front["expected_loss_usd"] / 1e6, front["cvar_usd"] / 1e6
        left.plot(x, y, color="#b3b6b7", linewidth=1, zorder=1)
        left.scatter(x, y, color=_PLAN, zorder=2, label="two-stage plan at each beta")
        for px, py, beta in zip(x, y, front["beta"], strict=True):
            left.annotate(
                f"β={beta:g}", (px, py), textcoords="offset points", xytext=(4, 4), fontsize=7
            )
        ev = result.comparison.set_index("metric")["expected_value"]
        left.scatter(
            [ev["expected_loss_usd"] / 1e6],
            [ev["cvar_usd"] / 1e6],
            marker="*",
            s=140,
            color=_EV,
            zorder=3,
            label="expected-value plan",
        )
        per = result.settings.get("period", "a year")
        left.set_xlabel(f"expected loss, USD million {per} (model)")
        left.set_ylabel(plain_label(f"CVaR {alpha:g} of the loss, USD million (model)"))
        left.set_title("Mean-CVaR frontier", loc="left")
        left.legend(frameon=False, loc="best")
        left.margins(x=0.2, y=0.15)
        table = result.scenarios
        p = table["probability"].to_numpy(float)
        for column, colour, label in (
            ("loss_usd", _PLAN, "two-stage plan"),
            ("ev_loss_usd", _EV, "expected-value plan"),
        ):
            lx, ly = _cdf(table[column].to_numpy(float), p)
            right.step(lx, ly, where="post", color=colour, label=label)
        right.axhline(alpha, color="#7f7f7f", linestyle="--", linewidth=0.8)
        right.set_xlabel(f"loss in a scenario, USD million {per} (model)")
        right.set_ylabel("share of scenarios with a loss at most this")
        right.set_title("Loss across the drawn scenarios", loc="left")
        right.legend(frameon=False, loc="lower right")
        fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.15, wspace=0.28)
    return fig
