"""What EU-Japan joint buying is worth, how each sharing rule splits it, and who should join.

The EU-Japan alliance configuration (``config/examples/alliance-joint.yaml``)
lets both buyers share supplier capacity in one model (``optimiser.mode:
joint``), each holding the CRMA 65% cap on what it buys and buying at least
half from home or partner countries (soft policies). Alone, each buyer takes a
share of every offer pro rata to its demand (the ``separate`` mode).

Every value below is *separate minus joint* (``riskengine.optimise.alliance.VALUE_SIGN``):
positive = buying together is better for that buyer. The purchase money is
kept apart from the model cost (purchase + risk charge + lost supply + policy
violations + holding), which is what the optimiser minimises and what the
alliance saves in total.

Run: python examples/alliance_value.py
"""

from __future__ import annotations

import pandas as pd

import riskengine
from riskengine.optimise.alliance import VALUE_SIGN


def main() -> riskengine.optimise.AllianceAnalysis:
    """Print the split under each sharing rule and the value of each candidate partner."""
    config = riskengine.load_config("config/examples/alliance-joint.yaml")
    data = riskengine.load_dataset(config.data.dir)
    analysis = riskengine.analyse_alliance(data, config)
    print(f"Alliance value = {VALUE_SIGN}.\n")
    split = analysis.by_rule.set_index(["rule", "buyer"])[
        ["model_cost_saving_usd", "purchase_saving_usd", "shortfall_reduction_t"]
    ]
    print("Split of the EU-JP alliance under each rule (USD million a year, tonnes a year):")
    print(
        (split.assign(**{c: split[c] / 1e6 for c in split.columns if c.endswith("_usd")}))
        .rename(
            columns={
                "model_cost_saving_usd": "model cost saving",
                "purchase_saving_usd": "purchase saving",
                "shortfall_reduction_t": "shortfall reduction t",
            }
        )
        .round(1)
        .to_string()
    )
    candidates = analysis.candidate_value.set_index("candidate")["added_savings_usd"] / 1e6
    print("\nWhat each candidate partner adds to the alliance (USD million a year of model cost):")
    print(pd.DataFrame({"added saving": candidates.round(1)}).to_string())
    mine = analysis.by_rule[analysis.by_rule["rule"] == config.optimiser.sharing.value]
    for row in mine[~mine["individually_rational"]].itertuples():
        print(
            f"\n{row.buyer} is worse off than buying alone by USD "
            f"{-row.model_cost_saving_usd / 1e6:,.1f} million of model cost: no plan optimal "
            "for the alliance avoids it, so the partners would have to compensate it."
        )
    total = mine["model_cost_saving_usd"].sum()
    print(
        f"\nBuying together is worth USD {total / 1e6:,.1f} million a year to the alliance "
        f"of model cost, split by the '{config.optimiser.sharing.value}' rule."
    )
    return analysis


if __name__ == "__main__":
    main()
