"""Compare the EU's dysprosium and terbium mix under 50%, 65% and 80% country caps.

The EU Critical Raw Materials Act asks that no single third country supply
more than 65% of a strategic raw material. This script re-runs the optimiser
on the shipped data with the EU's cap (``buyers.EU.policy.max_country_share``,
measured on what the EU buys) at 50%, 65% and 80%, held as a hard limit, and
prints for each cap who supplies the EU's dysprosium and terbium (share of
what the EU buys, by country), what the EU pays and what is left unserved: a
hard cap on purchases can leave demand unmet when too little other supply
exists.

Run: python examples/compare_country_caps.py
"""

from __future__ import annotations

import pandas as pd

import riskengine

CAPS = [0.50, 0.65, 0.80]
COMMODITIES = ["dysprosium", "terbium"]


def main() -> pd.DataFrame:
    """Print and return the EU mix (share of demand by country) for each cap."""
    data = riskengine.load_dataset()  # the shipped seeds
    mixes, money = [], []
    for cap in CAPS:
        config = riskengine.load_config(
            overrides=[
                f"buyers.EU.policy.max_country_share={cap}",
                "buyers.EU.policy.enforce=hard",
            ]
        )
        result = riskengine.optimise(data, config)
        assert result.is_optimal, result.message
        mix = result.mix_by_country.query("buyer == 'EU' and commodity in @COMMODITIES")
        mixes.append(mix.assign(cap=f"{cap:.0%}"))
        metrics = result.metrics.query("buyer == 'EU' and commodity in @COMMODITIES")
        money.append(metrics.assign(cap=f"{cap:.0%}"))
    table = (
        pd.concat(mixes)
        .pivot_table(
            index=["commodity", "country"],
            columns="cap",
            values="share_of_purchases",
            fill_value=0.0,
        )
        .reindex(columns=[f"{c:.0%}" for c in CAPS])
    )
    print("EU share of purchases by supplying country, under each hard cap on one country:")
    print(table.map(lambda v: f"{v:.0%}").to_string())
    cost = (
        pd.concat(money)
        .pivot_table(index="commodity", columns="cap", values=["purchase_cost_usd", "shortfall_t"])
        .reindex(columns=[f"{c:.0%}" for c in CAPS], level=1)
    )
    print("\nEU purchase cost (USD million a year) and shortfall (tonnes a year):")
    cost["purchase_cost_usd"] = cost["purchase_cost_usd"] / 1e6
    print(
        cost.rename(columns={"purchase_cost_usd": "cost USD m", "shortfall_t": "short t"})
        .round(1)
        .to_string()
    )
    return table


if __name__ == "__main__":
    main()
