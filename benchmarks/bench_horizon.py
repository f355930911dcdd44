"""Benchmark: the five-year model (issue 15) against a raw highspy model of the same LP.

Generated data (``riskengine.generate_dataset``, two buyers, seed 1) made into
a five-year case: about 30% of the offers outside China get a start year
(``available_from`` 2027-2029, ``ramp_years`` 0-2, ``commissioning_probability``
0.6-1, status ``planned``), and each buyer holds a strategic stock of every
commodity (``stocks.csv``: opening 30 days of demand, at most 180 days,
holding 2% of the mean price a year, Japan with a 60-day target), so stock is
carried between years and the years form one LP per commodity, not five.
The default configuration (horizon 2026-2030, joint mode) is used as is.

* **ours**: ``riskengine.optimise.solve`` on the problem from
  ``build_problem`` (it splits the LP into its independent blocks, one
  ``Highs`` each, IPM with crossover on large ones); ``build_problem`` and
  ``make_result`` are timed apart.
* **raw**: the same LP built from riskengine's own arrays (``problem.arrays``
  costs and bounds, the stacked Blocks' matrix) passed whole to highspy with
  one ``passModel`` and solved with HiGHS's defaults plus riskengine's
  presolve option. It measures the solver strategy, not the model building:
  this is the "same LP from arrays" baseline of issue 15.

Objectives are checked equal (relative 1e-6). Target: ours within 2x of raw.

Run: python benchmarks/bench_horizon.py [--offers 10000] [--repeat 3]
Writes ``benchmarks/results/horizon.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # measure this checkout, not another installed copy
RESULTS = REPO / "benchmarks" / "results"
TARGET = 2.0


def five_year_dataset(n_offers: int, seed: int = 1):
    """Generated data with plant start years, ramp-up and strategic stocks."""
    import riskengine

    data = riskengine.generate_dataset(n_offers=n_offers, seed=seed)
    rng = np.random.default_rng(seed)
    sup = data.suppliers.copy()
    dated = (sup["country"] != "CN").to_numpy() & (rng.random(len(sup)) < 0.3)
    start = np.where(dated, rng.integers(2027, 2030, len(sup)), np.nan)
    sup["available_from"] = pd.array(np.where(dated, start, np.nan), dtype="Float64")
    sup["ramp_years"] = pd.array(np.where(dated, rng.integers(0, 3, len(sup)), np.nan), "Float64")
    prob = np.round(rng.uniform(0.6, 1.0, len(sup)), 2)
    sup["commissioning_probability"] = pd.array(np.where(dated, prob, np.nan), "Float64")
    sup.loc[dated, "status"] = "planned"
    price = sup.groupby("commodity")["price_usd_per_kg"].mean()
    dem = data.demand
    stocks = pd.DataFrame(
        {
            "buyer": dem["buyer"],
            "commodity": dem["commodity"],
            "opening_t": (dem["demand_t"] * 30 / 365).round(2),
            "max_t": (dem["demand_t"] * 180 / 365).round(2),
            "holding_usd_per_kg_year": (0.02 * dem["commodity"].map(price)).round(3),
            "target_days": np.where(dem["buyer"] == "JP", 60.0, np.nan),
            "basis": "benchmark: generated",
            "source": "",
        }
    )
    return data.with_tables(suppliers=sup, stocks=stocks)


def raw_solve(problem) -> tuple[float, float, str]:
    """(objective USD, seconds, status) of the whole LP passed to highspy at once."""
    from riskengine.optimise.families import USD_PER_UNIT
    from riskengine.optimise.highs import highs_lp, new_highs

    start = time.perf_counter()
    arrays = problem.arrays
    lp = highs_lp(
        arrays.cost,
        (arrays.lower, arrays.upper),
        problem.structure.matrix,
        (arrays.row_lower, arrays.row_upper),
    )
    h = new_highs(3600.0)
    h.passModel(lp)
    h.run()
    seconds = time.perf_counter() - start
    objective = h.getInfo().objective_function_value * USD_PER_UNIT
    return objective, seconds, h.modelStatusToString(h.getModelStatus())


def measure(n_offers: int, repeat: int) -> dict:
    """Medians of ``repeat`` runs of ours and raw, interleaved, in this process."""
    import riskengine
    from riskengine.optimise import build_problem, make_result, solve
    from riskengine.optimise.api import default_scores

    config = riskengine.load_config()
    data = five_year_dataset(n_offers)
    scores = default_scores(data, config)
    runs: dict[str, list[float]] = {}
    for _ in range(repeat):
        start = time.perf_counter()
        problem = build_problem(data, config, scores)
        built = time.perf_counter()
        solution = solve(problem, time_limit_s=3600.0)
        solved = time.perf_counter()
        result = make_result(problem, solution)
        done = time.perf_counter()
        fresh = build_problem(data, config, scores)  # raw gets its own copy of the arrays
        raw_objective, raw_s, raw_status = raw_solve(fresh)
        for key, value in {
            "build": built - start,
            "solve": solved - built,
            "extract": done - solved,
            "raw_solve": raw_s,
        }.items():
            runs.setdefault(key, []).append(value)
    med = {k: statistics.median(v) for k, v in runs.items()}
    diff = abs(result.objective_usd - raw_objective) / abs(raw_objective)
    lay = problem.layout
    return {
        "offers": n_offers,
        "years": len(problem.structure.years),
        "columns": problem.n_cols,
        "rows": problem.n_rows,
        "stock_columns": lay.n_stock,
        "median_s": med,
        "ratio": med["solve"] / med["raw_solve"],
        "status": result.status.value,
        "raw_status": raw_status,
        "objective_usd": [result.objective_usd, raw_objective],
        "objective_rel_diff": diff,
        "ok": result.status.value == "optimal" and raw_status == "Optimal" and diff < 1e-6,
    }


def markdown(r: dict) -> str:
    """The result as a Markdown table."""
    m = r["median_s"]
    mark = "ok" if r["ratio"] <= TARGET else "MISS"
    return "\n".join(
        [
            "| case | columns x rows | ours solve s | raw highspy (one model) s | ratio "
            "(target 2x) | ours build / extract s | objective diff |",
            "|---|---|---|---|---|---|---|",
            f"| {r['offers']:,} offers x {r['years']} years, {r['stock_columns']} stock "
            f"columns | {r['columns']:,} x {r['rows']:,} | {m['solve']:.2f} | "
            f"{m['raw_solve']:.2f} | {r['ratio']:.2f}x {mark} | {m['build']:.2f} / "
            f"{m['extract']:.2f} | {r['objective_rel_diff']:.1e} |",
            f"\nDefault configuration (horizon 2026-2030, joint); medians of {r['repeat']} "
            f"interleaved runs in one process; {os.cpu_count()} CPUs. Raw = riskengine's own "
            "arrays (problem.arrays, the stacked Blocks) passed whole to highspy.",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Measure, print and write the table; exit 1 if the objectives differ."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    result = measure(args.offers, args.repeat) | {"repeat": args.repeat}
    table = markdown(result)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "horizon.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    (RESULTS / "horizon.md").write_text(table + "\n", encoding="utf-8")
    if not result["ok"]:
        print(f"not optimal or objectives differ: {result['objective_usd']}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
