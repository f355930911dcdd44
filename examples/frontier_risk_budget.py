"""Trace the cost-risk frontier and pick the cheapest plan within a supply-loss budget.

``optimiser.risk_aversion`` (lambda) sets how much the optimiser pays to
avoid supply that may be disrupted. This script solves the plan at nine
values of lambda on the shipped data, then picks the cheapest plan (purchase
cost, money paid) whose supply loss to expect is within a budget. The supply
loss to expect is the disruption loss to expect in a year (q x V x tonnes
bought, q the offer's yearly disruption probability and V the commodity's
lost-supply value) plus any demand left unmet at V, so a plan cannot look
safe by buying less. It saves the frontier figure with the chosen plan
starred (``riskengine-frontier.png`` in the temporary folder).

Run: python examples/frontier_risk_budget.py [BUDGET_USD_MILLION]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd

import riskengine

#: Highest acceptable supply loss to expect, USD million a year.
LOSS_BUDGET_USD_M = 200.0


def main(budget: float = LOSS_BUDGET_USD_M) -> pd.Series:
    """Print the frontier and return the chosen point (a row of ``frontier.points``)."""
    config = riskengine.load_config("config/default.yaml")
    front = riskengine.frontier(riskengine.load_dataset(config.data.dir), config, points=9)
    points = front.to_frame()
    print("Cost-risk frontier (USD million a year, tonnes a year):")
    shown = points.assign(
        purchase=points["purchase_cost_usd"] / 1e6, supply_loss=points["supply_loss_usd"] / 1e6
    )
    columns = ["risk_aversion", "purchase", "supply_loss", "served_t", "china_share", "efficient"]
    print(shown[columns].round(3).to_string(index=False))
    ok = points["status"] == "optimal"
    within = points[ok & ~points["serves_less"] & (points["supply_loss_usd"] <= budget * 1e6)]
    if within.empty:
        least = points.loc[ok, "supply_loss_usd"].min() / 1e6
        print(
            f"\nNo plan has a supply loss within USD {budget:g} million; the least is {least:.1f}."
        )
        sys.exit(1)
    best = within.sort_values(["purchase_cost_usd", "risk_aversion"]).iloc[0]
    print(
        f"\nCheapest plan within a supply-loss budget of USD {budget:g} million: risk_aversion "
        f"{best['risk_aversion']:.3g}, purchase cost USD {best['purchase_cost_usd'] / 1e6:,.1f} "
        f"million a year, supply loss to expect USD {best['supply_loss_usd'] / 1e6:,.1f} "
        f"million, China {best['china_share']:.0%} of purchases."
    )
    figure = Path(tempfile.gettempdir()) / "riskengine-frontier.png"
    front.plot(highlight=best["risk_aversion"]).savefig(figure)
    print(f"Frontier figure: {figure}")
    return best


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else LOSS_BUDGET_USD_M)
