"""Benchmark: load, score and optimise against a raw highspy baseline, in the same run.

For generated datasets of 1,000, 10,000 and 100,000 offers (two buyers), each
size in its own subprocess (so peak memory is per size), it measures:

* riskengine: load + validate (CSV), score, and optimise split into build
  (``build_problem`` + loading the model into HiGHS), solve, and extract
  (``make_result``: tables, metrics, shadow prices, self-check);
* the baseline: the same LP built directly from the tables with numpy and
  highspy (``passModel``) as one model and solved with HiGHS's defaults
  (presolve rule 13 off, as riskengine), with both objectives checked equal.
  The baseline gets a time limit of ``BASELINE_LIMIT_S``; a baseline that hits
  it is reported as ">= limit" and its objective is not compared.

Prints a table of medians and ratios (riskengine / baseline) and writes
``benchmarks/results/optimise.json`` and ``.md``.

Run: python benchmarks/bench_optimise.py [--sizes 1000 10000 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # measure this checkout, not another installed copy
RESULTS = REPO / "benchmarks" / "results"


BASELINE_LIMIT_S = 120.0


def baseline_lp(data, config, scores) -> tuple[float, float, float]:
    """The contract's LP (joint mode) built from the tables: (objective USD, build s, solve s).

    Written independently of riskengine.optimise: numpy index arithmetic and one
    CSC matrix, in tonnes and USD per tonne, solved by highspy with the same
    presolve rule off.
    """
    start = time.perf_counter()
    opt = config.optimiser
    offers = data.suppliers.reset_index(drop=True)
    avail = {str(k): v for k, v in opt.status_availability.items()}
    capacity = offers["capacity_t"].to_numpy(float) * offers["status"].map(avail).to_numpy(float)
    demand = data.demand[data.demand["demand_t"] > 0].reset_index(drop=True)
    pairs = demand.assign(p=np.arange(len(demand)))
    x = pairs.merge(
        offers.reset_index(names="o")[
            ["o", "commodity", "country", "supplier_id", "price_usd_per_kg"]
        ],
        on="commodity",
    )
    risk = scores.set_index(["buyer", "supplier_id", "commodity"])["risk_score"]
    r = risk.reindex(pd.MultiIndex.from_frame(x[["buyer", "supplier_id", "commodity"]]))
    n_x, n_p = len(x), len(pairs)
    cost = np.concatenate(
        [
            1000 * x["price_usd_per_kg"].to_numpy() * (1 + opt.risk_aversion * r.to_numpy() / 100),
            1000 * np.array([config.penalty_usd_per_kg(c) for c in pairs["commodity"]]),
        ]
    )
    upper = np.concatenate(
        [opt.max_supplier_share * x["demand_t"].to_numpy(), np.full(n_p, np.inf)]
    )
    cols = np.arange(n_x)
    # demand rows: served + shortfall = D
    rows = [np.concatenate([x["p"].to_numpy(), np.arange(n_p)])]
    col_of = [np.concatenate([cols, n_x + np.arange(n_p)])]
    lower_b = [pairs["demand_t"].to_numpy()]
    upper_b = [pairs["demand_t"].to_numpy()]
    # capacity rows, one per offer, over buyers
    rows.append(n_p + x["o"].to_numpy())
    col_of.append(cols)
    lower_b.append(np.full(len(offers), -np.inf))
    upper_b.append(capacity)
    # country caps for countries outside each buyer's home
    bloc = data.countries.set_index("country")["bloc"].astype(str)
    home = np.array(
        [
            (k in config.buyers[b].home) or (bloc.get(k, "") in config.buyers[b].home)
            for b, k in zip(x["buyer"], x["country"], strict=True)
        ]
    )
    foreign = x[~home]
    groups = foreign.groupby(["p", "country"], sort=True).ngroup().to_numpy()
    first = foreign.drop_duplicates(["p", "country"]).sort_values(["p", "country"])
    caps = opt.country_share_overrides
    theta = first["country"].map(lambda k: caps.get(k, opt.max_country_share))
    base = n_p + len(offers)
    rows.append(base + groups)
    col_of.append(foreign.index.to_numpy())
    lower_b.append(np.full(len(first), -np.inf))
    upper_b.append(theta.to_numpy(float) * first["demand_t"].to_numpy())
    n_rows = base + len(first)
    matrix = sp.csc_matrix(
        (np.ones(sum(len(r) for r in rows)), (np.concatenate(rows), np.concatenate(col_of))),
        shape=(n_rows, n_x + n_p),
    )
    scale = 1000.0  # kilotonnes and thousands of USD, as riskengine does
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_x + n_p, n_rows
    lp.col_cost_ = cost
    lp.col_lower_, lp.col_upper_ = np.zeros(n_x + n_p), upper / scale
    lp.row_lower_ = np.concatenate(lower_b) / scale
    lp.row_upper_ = np.concatenate(upper_b) / scale
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("presolve_rule_off", 8192)
    h.setOptionValue("time_limit", BASELINE_LIMIT_S)
    h.passModel(lp)
    built = time.perf_counter()
    h.run()
    solved = time.perf_counter()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return float("nan"), built - start, solved - built  # hit the time limit
    objective = h.getInfo().objective_function_value * scale
    return objective, built - start, solved - built


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def measure(n_offers: int, repeat: int, queue: mp.Queue) -> None:
    """One size, in a child process: medians of ``repeat`` runs and peak memory."""
    import riskengine
    from riskengine.optimise import build_problem, make_result
    from riskengine.optimise.highs import HighsModel, highs_version
    from riskengine.optimise.solution import to_solution

    config = riskengine.load_config()
    folder = Path(tempfile.mkdtemp())
    riskengine.write_dataset(riskengine.generate_dataset(n_offers=n_offers, seed=1), folder)
    times: dict[str, list[float]] = {}
    objectives = {}
    for _ in range(repeat):
        data, t_load = _timed(lambda: riskengine.load_dataset(folder))
        scores, t_score = _timed(partial(riskengine.score_suppliers, data, config))
        problem, t_problem = _timed(partial(build_problem, data, config, scores))
        model, t_load_model = _timed(partial(HighsModel, problem, 600))
        (answer, _), t_solve = _timed(model.run)
        solution = to_solution(answer, "highs", highs_version(), "highs", (0.0, t_solve))
        result, t_extract = _timed(partial(make_result, problem, solution))
        base_obj, b_build, b_solve = baseline_lp(data, config, scores)
        objectives = {"riskengine": result.objective_usd, "baseline": base_obj}
        for key, value in {
            "load_validate": t_load,
            "score": t_score,
            "build": t_problem + t_load_model,
            "solve": t_solve,
            "extract": t_extract,
            "baseline_build": b_build,
            "baseline_solve": b_solve,
        }.items():
            times.setdefault(key, []).append(value)
    med = {k: statistics.median(v) for k, v in times.items()}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(
        {
            "offers": n_offers,
            "repeat": repeat,
            "median_s": med,
            "objective_usd": objectives,
            "status": result.status.value,
            "peak_rss_mb": peak_mb,
            "columns": result.size["columns"],
            "rows": result.size["rows"],
        }
    )


def _row(r: dict) -> dict:
    m = r["median_s"]
    ours = m["build"] + m["solve"] + m["extract"]
    base = m["baseline_build"] + m["baseline_solve"]
    obj = r["objective_usd"]
    return {
        "offers": r["offers"],
        "columns": r["columns"],
        "load_s": m["load_validate"],
        "score_s": m["score"],
        "build_s": m["build"],
        "solve_s": m["solve"],
        "extract_s": m["extract"],
        "optimise_s": ours,
        "baseline_s": base,
        "optimise_vs_baseline": ours / base,
        "score_vs_optimise": m["score"] / ours,
        "objective_rel_diff": abs(obj["riskengine"] - obj["baseline"]) / abs(obj["baseline"]),
        "baseline_timed_out": bool(np.isnan(obj["baseline"])),
        "peak_rss_mb": r["peak_rss_mb"],
        "status": r["status"],
    }


def _base(r: dict) -> str:
    return f">= {BASELINE_LIMIT_S:.0f}" if r["baseline_timed_out"] else f"{r['baseline_s']:.3f}"


def _ratio(r: dict) -> str:
    prefix = "<= " if r["baseline_timed_out"] else ""
    return f"{prefix}{r['optimise_vs_baseline']:.2f}x"


def _diff(r: dict) -> str:
    return "n/a" if r["baseline_timed_out"] else f"{r['objective_rel_diff']:.1e}"


def markdown(rows: list[dict]) -> str:
    """The results as a Markdown table."""
    head = (
        "| offers | columns | load+validate s | score s | build s | solve s | extract s | "
        "optimise s | raw HiGHS s | optimise / raw | score / optimise | objective diff | "
        "peak RSS MB |"
    )
    lines = [head, "|" + "---|" * 13]
    for r in rows:
        lines.append(
            f"| {r['offers']:,} | {r['columns']:,} | {r['load_s']:.3f} | {r['score_s']:.3f} | "
            f"{r['build_s']:.3f} | {r['solve_s']:.3f} | {r['extract_s']:.3f} | "
            f"{r['optimise_s']:.3f} | {_base(r)} | {_ratio(r)} | "
            f"{r['score_vs_optimise']:.0%} | {_diff(r)} | "
            f"{r['peak_rss_mb']:,.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run every size in its own process; print and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    ctx = mp.get_context("spawn")
    rows = []
    for size in args.sizes:
        queue = ctx.Queue()
        repeat = args.repeat if size <= 10_000 else 1
        proc = ctx.Process(target=measure, args=(size, repeat, queue))
        proc.start()
        result = queue.get()
        proc.join()
        rows.append(_row(result))
        print(f"  {size:>7,} offers done", file=sys.stderr)
    table = markdown(rows)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "optimise.json").write_text(
        json.dumps(rows, indent=2, default=str), encoding="utf-8"
    )
    (RESULTS / "optimise.md").write_text(table + "\n", encoding="utf-8")
    bad = [
        r
        for r in rows
        if r["status"] != "optimal"
        or (not r["baseline_timed_out"] and r["objective_rel_diff"] > 1e-6)
    ]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
