"""Does risk move the mix? China's share of purchases per commodity as risk aversion rises.

Runs the report's frontier grid on the shipped data with ``config/default.yaml``
three times: with the version-2 model (risk charge lambda x q x V, soft EU CRMA cap
on purchases, lost supply at V per commodity) and with the version-1 model
(risk charge lambda x price x risk/100, hard 65% caps on demand for both
buyers, a flat USD 10,000/kg penalty), and prints China's share of purchases
per commodity at each lambda, the purchase cost and tonnes short. The version-1
run is the baseline measured in the same run; the version-2 model runs one year
(like for like with version 1, which has no horizon) and then over the default
2026-2030 horizon (purchases summed over five years).

Run: python benchmarks/model_v2.py
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # measure this checkout, not another installed copy


def china_table(front: object) -> pd.DataFrame:
    """China's share of purchases (%), one row per lambda and one column per commodity."""
    rows = {}
    for result in front.results:  # type: ignore[attr-defined]
        alloc = result.allocations
        china = alloc.loc[alloc["country"] == "CN"].groupby("commodity")["tonnes"].sum()
        share = (china / alloc.groupby("commodity")["tonnes"].sum()).fillna(0.0)
        share["purchase USD m"] = result.purchase_cost_usd / 1e6
        share["short t"] = result.shortfall_t
        rows[f"{result.risk_aversion:g}"] = share
    table = pd.DataFrame(rows).T
    commodities = [c for c in table.columns if c not in ("purchase USD m", "short t")]
    table[commodities] = (100 * table[commodities]).round(1)
    return table.round(1)


def main(argv: list[str] | None = None) -> int:
    """Print both tables; exit 1 if the version-2 model fails the 10-point test."""
    import riskengine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=None, help="grid points (default: config)")
    args = parser.parse_args(argv)
    config = riskengine.load_config(REPO / "config" / "default.yaml")
    data = riskengine.load_dataset(config.data.dir)
    points = args.points or config.report.frontier_points
    v1 = riskengine.Config(
        data=config.data,
        optimiser={"max_country_share": 0.65, "risk_aversion": 1.0},
    )
    tables = {}
    runs = (
        ("version 1 (baseline)", v1),
        ("version 2", config.one_year()),
        ("version 2, 2026-2030 horizon (purchase: 5-year total)", config),
    )
    for name, cfg in runs:
        start = time.perf_counter()
        front = riskengine.frontier(data, cfg, points)
        tables[name] = china_table(front)
        print(
            f"\n{name}: China's share of purchases, % (rows: risk aversion lambda); "
            f"{time.perf_counter() - start:.2f} s"
        )
        print(tables[name].to_string())
    commodities = [c for c in tables["version 2"].columns if c not in ("purchase USD m", "short t")]
    for name, table in tables.items():
        fall = (table[commodities].iloc[0] - table[commodities].iloc[-1]).round(1)
        print(f"\n{name}: fall of China's share from the lowest to the highest lambda, points:")
        print(fall.to_string())
    v2 = tables["version 2"][commodities]
    falls = v2.iloc[0] - v2.iloc[-1]
    return 0 if (falls >= 10).sum() >= 3 else 1


if __name__ == "__main__":
    sys.exit(main())
