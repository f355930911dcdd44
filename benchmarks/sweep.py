"""Benchmark: scenario-sweep throughput against a PuLP rebuild and a raw warm HiGHS loop.

On a generated dataset (default 1,000 offers, two buyers), scenario ``i`` of
``S`` multiplies China's capacity by ``1 - i / (S - 1)`` and one other random
country's by U(0.3, 1.0). Measured in the same run, medians of ``--repeat``:

* **riskengine**: :func:`riskengine.scenarios.sweep` (one HiGHS model changed
  in place, warm starts in blocks, results identical on every executor), on
  the ``serial`` executor, on ``local`` as it chooses (processes only when
  they pay, ``sweeps.use_processes``) and on the ``local`` pool forced
  (already started);
* **PuLP rebuild**: the LP written the idiomatic PuLP way (a dict of
  ``LpVariable``, ``lpSum`` constraints) and rebuilt and solved with PuLP's
  default CBC for every scenario;
* **raw HiGHS warm loop**: the LP passed once to highspy from numpy arrays,
  then per scenario ``changeColsBounds`` + ``changeRowsBounds`` + ``run()``
  from the previous basis, reading the solution; the least a sweep can do.

Objectives are checked equal across the three. Prints scenarios/s and the
ratios (issue 8 targets: riskengine >= 20x PuLP rebuild and >= 0.5x raw) and
writes ``benchmarks/results/sweep.json`` and ``sweep.md``.

Run: python benchmarks/sweep.py [--offers 1000] [--scenarios 200] [--repeat 3]
(about two minutes at the defaults, nearly all of it in the PuLP rebuilds;
``--pulp-scenarios N`` times PuLP on the first N scenarios only).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import highspy
import numpy as np
import pulp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import riskengine  # noqa: E402
from riskengine.optimise import build_problem  # noqa: E402
from riskengine.optimise.api import default_scores  # noqa: E402
from riskengine.optimise.highs import highs_version, silence_banner  # noqa: E402
from riskengine.optimise.problem import Problem  # noqa: E402
from riskengine.scenarios import ScenarioEffect, sweep, sweeps  # noqa: E402
from riskengine.scenarios._index import index_problem  # noqa: E402
from riskengine.scenarios.sweeps import baseline_solve  # noqa: E402

OUT = ROOT / "benchmarks" / "results"


# --------------------------------------------------------------------------- scenarios


def capacity_factors(countries: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``(n, offers)`` capacity multipliers: China from 1 down to 0, one other country random."""
    rng = np.random.default_rng(seed)
    others = sorted(set(countries) - {"CN"})
    factors = np.ones((n, len(countries)))
    for i in range(n):
        factors[i, countries == "CN"] = 1.0 - i / max(n - 1, 1)
        factors[i, countries == rng.choice(others)] *= rng.uniform(0.3, 1.0)
    return factors


# --------------------------------------------------------------------------- PuLP


def pulp_rebuild(problem: Problem, upper: np.ndarray, row_upper: np.ndarray) -> float:
    """The same LP written with PuLP row by row from the problem's arrays, solved by CBC; USD.

    ``upper`` and ``row_upper`` are the scenario's column and row upper bounds
    (model units); PuLP rebuilds the whole model for every scenario.
    """
    prob = pulp.LpProblem("sourcing", pulp.LpMinimize)
    v = [
        pulp.LpVariable(f"v{j}", lowBound=lo, upBound=None if np.isinf(up) else up)
        for j, (lo, up) in enumerate(zip(problem.lower, upper, strict=True))
    ]
    cost = problem.cost
    prob += pulp.lpSum(cost[j] * v[j] for j in np.flatnonzero(cost))
    csr = problem.matrix.tocsr()
    for i in range(csr.shape[0]):
        cols = csr.indices[csr.indptr[i] : csr.indptr[i + 1]]
        vals = csr.data[csr.indptr[i] : csr.indptr[i + 1]]
        expr = pulp.lpSum(a * v[j] for j, a in zip(cols, vals, strict=True))
        lo, up = problem.row_lower[i], row_upper[i]
        if lo == up:
            prob += expr == lo, f"r{i}"
        else:
            if not np.isinf(up):
                prob += expr <= up, f"u{i}"
            if not np.isinf(lo):
                prob += expr >= lo, f"l{i}"
    prob.solve(pulp.PULP_CBC_CMD(msg=False))
    if pulp.LpStatus[prob.status] != "Optimal":
        raise RuntimeError(f"PuLP: {pulp.LpStatus[prob.status]}")
    return float(pulp.value(prob.objective)) * 1000.0


# --------------------------------------------------------------------------- raw HiGHS


class RawLoop:
    """The LP passed once to highspy; per scenario new bounds and a warm ``run()``."""

    def __init__(
        self,
        problem: Problem,
        x_offer: np.ndarray,
        capacity: np.ndarray,
        offer_index: dict[tuple[str, str], int],
    ) -> None:
        csc = problem.matrix.tocsc()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = problem.n_cols, problem.n_rows
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = problem.cost, problem.lower, problem.upper
        lp.row_lower_, lp.row_upper_ = problem.row_lower, problem.row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_ = csc.indptr, csc.indices
        lp.a_matrix_.value_ = csc.data
        silence_banner()
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("presolve_rule_off", 8192)
        self.h.passModel(lp)
        self.h.run()
        self.problem, self.x_offer, self.capacity = problem, x_offer, capacity
        rows = problem.rows
        self.cap_rows = np.flatnonzero(rows["family"].to_numpy() == "capacity").astype(np.int32)
        keys = list(
            zip(
                rows["supplier_id"].iloc[self.cap_rows],
                rows["commodity"].iloc[self.cap_rows],
                strict=True,
            )
        )
        self.row_offer = np.array([offer_index[k] for k in keys]) if keys else np.zeros(0, int)

    def bounds(self, f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Column and row upper bounds under capacity factors ``f`` (model units)."""
        p = self.problem
        cap = self.capacity * f / 1000.0
        upper = p.upper.copy()
        upper[: p.n_x] = np.minimum(upper[: p.n_x], cap[self.x_offer])
        row_upper = p.row_upper.copy()
        row_upper[self.cap_rows] = cap[self.row_offer]
        return upper, row_upper

    def run(self, factors: np.ndarray) -> np.ndarray:
        """Objective (USD) of every scenario, solved in order from the previous basis."""
        p, h = self.problem, self.h
        cols = np.arange(p.n_cols, dtype=np.int32)
        objectives = []
        for f in factors:
            upper, row_upper = self.bounds(f)
            row_cap = row_upper[self.cap_rows]
            h.changeColsBounds(len(cols), cols, p.lower, upper)
            lo = np.full(len(self.cap_rows), -np.inf)
            h.changeRowsBounds(len(self.cap_rows), self.cap_rows, lo, row_cap)
            h.run()
            h.getSolution()
            objectives.append(h.getInfo().objective_function_value * 1000.0)
        return np.array(objectives)


# --------------------------------------------------------------------------- timing


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, list[float], object]:
    """Median seconds of ``repeat`` calls, every time, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table, write JSON and Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=1000)
    parser.add_argument("--scenarios", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--pulp-scenarios",
        type=int,
        default=None,
        help="time PuLP on the first N scenarios only (default: all)",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    data = riskengine.generate_dataset(n_offers=args.offers, seed=args.seed)
    config = riskengine.Config().one_year()  # scenario sweeps run the one-year model
    problem = build_problem(data, config, default_scores(data, config))
    start = time.perf_counter()
    index, *_ = baseline_solve(index_problem(problem, data))
    setup_s = time.perf_counter() - start
    offers = data.suppliers.reset_index(drop=True)
    table = problem.structure.offers  # problem order: (supplier_id, commodity) -> offer
    offer_index = {
        (s, c): i
        for i, (s, c) in enumerate(zip(table["supplier_id"], table["commodity"], strict=True))
    }
    factors = capacity_factors(offers["country"].to_numpy(), args.scenarios, args.seed)
    by_offer = factors[:, index.offer_row]  # the factors in problem order
    effects = [ScenarioEffect(f"s{i}", capacity=f) for i, f in enumerate(factors)]
    n, n_pulp = len(effects), min(args.pulp_scenarios or len(effects), len(effects))

    serial_s, serial_all, serial = timed(lambda: sweep(index, effects, "serial"), args.repeat)
    # ``local`` as a user gets it: processes only when they pay (sweeps.use_processes)
    auto_s, auto_all, auto = timed(
        lambda: sweep(index, effects, "local", n_jobs=args.jobs), args.repeat
    )
    # and the pool itself, forced and already started, for its own throughput
    decide = sweeps.use_processes
    sweeps.use_processes = lambda *_: True
    try:
        sweep(index, effects, "local", n_jobs=args.jobs)  # start every process of the pool
        local_s, local_all, local = timed(
            lambda: sweep(index, effects, "local", n_jobs=args.jobs), args.repeat
        )
    finally:
        sweeps.use_processes = decide
    raw_all, raw_build_all = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        loop = RawLoop(problem, index.x_offer, problem.params.capacity_t, offer_index)
        raw_build_all.append(time.perf_counter() - start)
        raw_obj = loop.run(by_offer)
        raw_all.append(time.perf_counter() - start - raw_build_all[-1])
    raw_s, raw_build_s = statistics.median(raw_all), statistics.median(raw_build_all)
    pulp_s, pulp_all, pulp_obj = timed(
        lambda: [pulp_rebuild(problem, *loop.bounds(by_offer[i])) for i in range(n_pulp)],
        args.repeat,
    )

    check = {
        "max_rel_diff_riskengine_vs_raw": float(
            np.max(np.abs(serial.objective_usd - raw_obj) / np.abs(raw_obj))
        ),
        "max_rel_diff_riskengine_vs_pulp": float(
            np.max(
                np.abs(serial.objective_usd[:n_pulp] - np.array(pulp_obj))
                / np.abs(np.array(pulp_obj))
            )
        ),
        "serial_equals_local": bool(np.array_equal(serial.x_t, local.x_t)),
        "serial_equals_local_auto": bool(np.array_equal(serial.x_t, auto.x_t)),
        "local_auto_ran_on": f"{auto.executor} ({auto.workers} worker(s))",
    }
    rate = {
        "riskengine_serial": n / serial_s,
        "riskengine_local_auto": n / auto_s,
        "riskengine_local": n / local_s,
        "pulp_rebuild": n_pulp / pulp_s,
        "raw_highs_warm": n / raw_s,
        "raw_highs_warm_with_build": n / (raw_s + raw_build_s),
    }
    ratios = {
        "riskengine_serial_over_pulp": rate["riskengine_serial"] / rate["pulp_rebuild"],
        "riskengine_local_over_pulp": rate["riskengine_local"] / rate["pulp_rebuild"],
        "riskengine_serial_over_raw": rate["riskengine_serial"] / rate["raw_highs_warm"],
        "riskengine_local_over_raw": rate["riskengine_local"] / rate["raw_highs_warm"],
    }
    report = {
        "offers": args.offers,
        "scenarios": n,
        "pulp_scenarios": n_pulp,
        "repeat": args.repeat,
        "jobs": args.jobs,
        "columns": problem.n_cols,
        "rows": problem.n_rows,
        "setup_s": setup_s,
        "mean_iterations": float(serial.iterations.mean()),
        "seconds": {
            "riskengine_serial": serial_all,
            "riskengine_local_auto": auto_all,
            "riskengine_local": local_all,
            "pulp_rebuild": pulp_all,
            "raw_highs_warm": raw_all,
            "raw_highs_build": raw_build_all,
        },
        "scenarios_per_s": rate,
        "ratios": ratios,
        "checks": check,
        "targets": {
            "over_pulp_at_least_20x": ratios["riskengine_serial_over_pulp"] >= 20,
            "within_2x_of_raw": ratios["riskengine_serial_over_raw"] >= 0.5,
        },
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "highs": highs_version(),
            "pulp": pulp.__version__,
            "load_average": os.getloadavg(),
        },
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "sweep.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (OUT / "sweep.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))
    return 0


def markdown(r: dict) -> str:
    """The report as a Markdown table."""
    rate, ratio = r["scenarios_per_s"], r["ratios"]
    rows = [
        ("riskengine sweep, serial", rate["riskengine_serial"]),
        (
            f"riskengine sweep, local as chosen (ran on {r['checks']['local_auto_ran_on']})",
            rate["riskengine_local_auto"],
        ),
        (
            f"riskengine sweep, local pool forced ({r['jobs']} processes, pool up)",
            rate["riskengine_local"],
        ),
        (
            f"PuLP rebuild + CBC per scenario ({r['pulp_scenarios']} scenarios)",
            rate["pulp_rebuild"],
        ),
        ("raw highspy warm loop (loop only)", rate["raw_highs_warm"]),
        (
            "raw highspy warm loop (+ model build and cold first solve)",
            rate["raw_highs_warm_with_build"],
        ),
    ]
    lines = [
        f"# Sweep throughput: {r['offers']:,} offers ({r['columns']:,} columns, "
        f"{r['rows']:,} rows), {r['scenarios']} scenarios, median of {r['repeat']}",
        "",
        "| method | scenarios/s |",
        "| --- | ---: |",
    ]
    lines += [f"| {name} | {value:,.1f} |" for name, value in rows]
    table = [
        ("riskengine serial / PuLP rebuild", "riskengine_serial_over_pulp", ">= 20x"),
        ("riskengine local / PuLP rebuild", "riskengine_local_over_pulp", ""),
        ("riskengine serial / raw warm HiGHS", "riskengine_serial_over_raw", ">= 0.5x"),
        ("riskengine local / raw warm HiGHS", "riskengine_local_over_raw", ""),
    ]
    lines += ["", "| ratio | value | target |", "| --- | ---: | --- |"]
    lines += [f"| {name} | {ratio[key]:,.2f}x | {target} |" for name, key, target in table]
    lines += [
        "",
        f"Checks: {json.dumps(r['checks'])}; mean simplex iterations per scenario "
        f"{r['mean_iterations']:.1f}; load average {r['machine']['load_average']}.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
