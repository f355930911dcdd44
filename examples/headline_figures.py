"""The "Headline figures" table of seeds/SOURCES.md, computed from the shipped tables.

For each commodity: world refining (separation) tonnes and year, China's share
of refining and of mining, the top two mining countries, ex-China capacity
producing or ramping (and the part without Chinese technology), ex-China
planned capacity, EU + JP demand and the ratio of live ex-China capacity to
demand. Prints a markdown table.

Run: python examples/headline_figures.py [--data DIR]
"""

from __future__ import annotations

import argparse

import pandas as pd

import riskengine

REFINING = ("refining", "separation")


def _share(production: pd.DataFrame, stages: tuple[str, ...]) -> pd.DataFrame:
    """Per commodity: total tonnes, latest year, China's share and the top two countries."""
    rows = production[production["stage"].isin(stages)]
    by = rows.groupby(["commodity", "country"])["tonnes"].sum()
    out = {}
    for commodity, group in by.groupby(level="commodity"):
        shares = (group / group.sum()).droplevel("commodity").sort_values(ascending=False)
        top = ", ".join(f"{k} {v:.0%}" for k, v in shares.head(2).items())
        years = rows.loc[rows["commodity"] == commodity, "year"]
        out[commodity] = {
            "tonnes": group.sum(),
            "year": int(years.max()),
            "china": shares.get("CN", 0.0),
            "top2": top,
        }
    return pd.DataFrame(out).T


def headline(data: riskengine.Dataset) -> pd.DataFrame:
    """One row per commodity, in the order of ``commodities.csv``."""
    refining = _share(data.production, REFINING)
    mining = _share(data.production, ("mining",))
    sup = data.suppliers[data.suppliers["country"] != "CN"]
    live = sup[sup["status"].isin(["producing", "ramping"])]
    tech = live.get("chinese_technology", pd.Series(False, index=live.index))
    free = live[~tech.astype(str).str.lower().eq("true")]
    planned = sup[sup["status"] == "planned"]
    demand = data.demand.groupby("commodity")["demand_t"].sum()
    rows = []
    for commodity in data.commodities["commodity"]:
        live_t = live.loc[live["commodity"] == commodity, "capacity_t"].sum()
        rows.append(
            {
                "commodity": commodity,
                "world refining t": f"{refining.at[commodity, 'tonnes']:,.0f} "
                f"({refining.at[commodity, 'year']})",
                "China share of refining": f"**{refining.at[commodity, 'china']:.1%}**",
                "China share of mining": f"{mining.at[commodity, 'china']:.0%}",
                "top-2 mining": mining.at[commodity, "top2"],
                "ex-China live t": f"{live_t:,.1f}".removesuffix(".0"),
                "of which China-free t": f"{free.loc[free['commodity'] == commodity, 'capacity_t'].sum():,.1f}".removesuffix(
                    ".0"
                ),
                "ex-China planned t": f"{planned.loc[planned['commodity'] == commodity, 'capacity_t'].sum():,.0f}",
                "EU+JP demand t": f"{demand.get(commodity, 0.0):,.0f}",
                "ex-China live / demand": f"**{live_t / demand.get(commodity, float('nan')):.0%}**",
            }
        )
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    """Print the table as markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="a data folder (default: the shipped seeds)")
    args = parser.parse_args(argv)
    config = riskengine.load_config(None)
    data = riskengine.load_dataset(args.data or config.data.dir)
    table = headline(data)
    print("| " + " | ".join(table.columns) + " |")
    print("| " + " | ".join("---" for _ in table.columns) + " |")
    for row in table.itertuples(index=False):
        print("| " + " | ".join(str(v) for v in row) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
