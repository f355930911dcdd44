"""Define a custom scenario in Python and compare how exposed two sourcing plans are.

The scenario: Lynas Malaysia (the largest separation plant outside China,
and its planned heavy-rare-earth expansion) stops, and at the same time China
bans all exports of the seven controlled rare earths. The two plans: the
default plan (cheapest after risk within the 65% country cap) and a
"friend-shoring" plan that must buy at least half of what it serves from home
or partner countries (``optimiser.min_partner_share=0.5``). Each plan is kept
fixed under the scenario; what it leaves short and what it costs is its
exposure. The re-optimised response is the best that could be done had the
scenario been known.

Run: python examples/custom_scenario.py
"""

from __future__ import annotations

import pandas as pd

import riskengine
from riskengine.config import Multiplier, ScenarioConfig

SCENARIO = ScenarioConfig(
    name="lynas-outage-and-china-ban",
    description="Lynas Malaysia stops for a year while China bans all exports",
    capacity=(
        Multiplier(factor=0, supplier=("lynas-my", "lynas-my-hrex")),  # Lynas outage
        Multiplier(factor=0, country=("CN",)),  # Chinese export ban
    ),
)
PLANS = {
    "default": [],
    "partner floor 50%": ["buyers.EU.policy.min_partner_share=0.5"],
}


def main() -> pd.DataFrame:
    """Print and return, per plan and buyer, the plan's exposure to the scenario."""
    data = riskengine.load_dataset()  # the shipped seeds
    rows = []
    for plan, overrides in PLANS.items():
        config = riskengine.load_config(overrides=overrides)
        result = riskengine.stress(data, config, [SCENARIO], library=False)
        by_buyer = result.regret.groupby("buyer")[
            ["exposure_shortfall_t", "exposure_purchase_usd", "exposure_lost_supply_usd"]
        ].sum()
        planned = result.baseline.shortfalls.groupby("buyer")[["served_t", "shortfall_t"]].sum()
        rows.append(planned.join(by_buyer).assign(plan=plan).reset_index())
    table = pd.concat(rows, ignore_index=True)
    print(f"Scenario {SCENARIO.name!r}: {SCENARIO.description}\n")
    print(
        "Each plan in normal times and kept fixed under the scenario (tonnes a year; money\n"
        "paid and the supply lost at its lost-supply value, USD million a year):"
    )
    shown = table.assign(
        exposure_purchase_usd=table["exposure_purchase_usd"] / 1e6,
        exposure_lost_supply_usd=table["exposure_lost_supply_usd"] / 1e6,
    )
    shown = shown.rename(
        columns={
            "served_t": "served t",
            "shortfall_t": "short t",
            "exposure_shortfall_t": "scenario short t",
            "exposure_purchase_usd": "scenario purchase",
            "exposure_lost_supply_usd": "scenario lost supply",
        }
    )
    print(shown.set_index(["plan", "buyer"]).round(1).to_string())
    totals = table.groupby("plan", sort=False)[["shortfall_t", "exposure_shortfall_t"]].sum()
    safer = totals["exposure_shortfall_t"].idxmin()
    print(
        f"\nLess exposed: the {safer!r} plan, {totals.at[safer, 'exposure_shortfall_t']:,.0f} t "
        f"short under the scenario against {totals['exposure_shortfall_t'].max():,.0f} t; "
        f"in normal times it leaves {totals.at[safer, 'shortfall_t']:,.0f} t short."
    )
    return table


if __name__ == "__main__":
    main()
