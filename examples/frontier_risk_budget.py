"""Trace the cost-risk frontier and pick the cheapest plan within a risk budget.

``optimiser.risk_aversion`` (lambda) sets how much the optimiser pays to
lower risk. This script solves the plan at nine values of lambda on the
shipped data, then picks the cheapest plan whose average risk score (0-100,
weighted by tonnes) is within a budget. "Cheapest" counts the purchase cost
and the shortfall penalty (unmet demand at ``shortfall_penalty_usd_per_kg``),
so a plan cannot look cheap by buying less. It saves the frontier figure with
the chosen plan starred (``riskengine-frontier.png`` in the temporary folder).

Run: python examples/frontier_risk_budget.py [RISK_BUDGET]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd

import riskengine

RISK_BUDGET = 50.0  # highest acceptable tonne-weighted average risk score, 0-100


def main(budget: float = RISK_BUDGET) -> pd.Series:
    """Print the frontier and return the chosen point (a row of ``frontier.points``)."""
    config = riskengine.load_config("config/default.yaml")
    front = riskengine.frontier(riskengine.load_dataset(config.data.dir), config, points=9)
    points = front.to_frame()
    points["cost_usd"] = [
        r.purchase_cost_usd + r.metrics["shortfall_penalty_usd"].sum() for r in front.results
    ]  # purchase + shortfall penalty
    print("Cost-risk frontier (USD million a year, tonnes a year):")
    print(
        points.assign(
            cost_usd=points["cost_usd"] / 1e6, purchase_cost_usd=points["purchase_cost_usd"] / 1e6
        )[
            [
                "risk_aversion",
                "purchase_cost_usd",
                "cost_usd",
                "average_risk",
                "shortfall_t",
                "efficient",
            ]
        ]
        .round(3)
        .to_string(index=False)
    )
    within = points[(points["status"] == "optimal") & (points["average_risk"] <= budget)]
    if within.empty:
        print(
            f"\nNo plan has an average risk within {budget:g}; the least risky is "
            f"{points['average_risk'].min():.2f}."
        )
        sys.exit(1)
    best = within.sort_values(["cost_usd", "risk_aversion"]).iloc[0]
    print(
        f"\nCheapest plan within a risk budget of {budget:g}: risk_aversion "
        f"{best['risk_aversion']:.3g}, average risk {best['average_risk']:.2f}, "
        f"USD {best['cost_usd'] / 1e6:,.1f} million a year "
        f"({best['shortfall_t']:,.1f} t short)."
    )
    figure = Path(tempfile.gettempdir()) / "riskengine-frontier.png"
    front.plot(highlight=best["risk_aversion"]).savefig(figure)
    print(f"Frontier figure: {figure}")
    return best


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else RISK_BUDGET)
