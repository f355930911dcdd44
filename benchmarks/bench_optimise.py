"""Benchmark: riskengine's optimiser against the same LP written directly with highspy (issue 18).

For generated datasets (two buyers, the default configuration made one-year
with ``Config.one_year()``, i.e. ``--set horizon.start=null --set
horizon.end=null``: the like-for-like comparison, since the default five-year
horizon has five times the columns), each size in fresh processes so peak
memory is per process, it measures:

* **ours, in process**: load + validate the CSV tables, score (with the
  calibrated disruption probability q), then build (``build_problem`` and
  loading the blocks into HiGHS), solve and extract (``make_result``: tables,
  metrics, shadow prices, self-check);
* **raw, per commodity (the fair baseline)**: ``benchmarks/_raw_lp.py`` reads
  the same CSV tables with pandas (plus q from a scores table written by
  riskengine outside the timing), builds the same LP with numpy (purchase +
  risk charge + lost supply + violations, soft caps) and passes one model
  per commodity to highspy with riskengine's options (presolve rule 13 off,
  IPM above 1,500 columns): the strategy riskengine itself uses; timed twice,
  the models solved one after the other and on a thread per CPU (as riskengine
  solves its blocks since issue 18), and every ratio is against the faster;
* **raw, one model** with HiGHS's defaults (the monolithic baseline);
* **the ``optimise`` command** (``riskengine optimise --data DIR --format
  json``) in a fresh process, minus its import time (a fresh process that
  imports every module one such run loads, found by a probe run), against the
  raw per-commodity read + build + solve; the command also splits the pooled
  plan between buyers (``optimiser.sharing: proportional``, staged LPs the raw
  baseline does not do), so it is also timed with ``optimiser.sharing=none``;
* **peak memory** (``ru_maxrss``) of the process running ours against the
  process running the raw per-commodity baseline.

The objectives are checked equal (relative 1e-6; the one raw model stops after
``MONOLITHIC_LIMIT_S`` and is then shown as ">=" and not compared). Targets (issue 18):
command minus import within 2x, in-process build + solve + extract within
1.3x, peak memory within 2x at 100,000 offers.

Run: python benchmarks/bench_optimise.py [--sizes 1000 10000 100000] [--repeat 3]
Writes ``benchmarks/results/optimise.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from queue import Empty

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # measure this checkout, not another installed copy
sys.path.insert(0, str(REPO / "benchmarks"))
RESULTS = REPO / "benchmarks" / "results"
ONE_YEAR = ["--set", "horizon.start=null", "--set", "horizon.end=null"]
TIME_LIMIT_S = 600.0
#: The one raw model grows much faster than per-commodity blocks: stop it here and report ">=".
MONOLITHIC_LIMIT_S = 120.0
TARGETS = {"command": 2.0, "in_process": 1.3, "memory": 2.0}
_PROBE = (
    "import contextlib, io, sys; before = set(sys.modules); from riskengine.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()):\n"
    "    code = main(sys.argv[1:])\n"
    "print('\\n'.join(sorted(set(sys.modules) - before))); sys.exit(code)"
)
_IMPORT_ALL = (
    "import importlib, sys\n"
    "for name in open(sys.argv[1]).read().split():\n"
    "    try:\n"
    "        importlib.import_module(name)\n"
    "    except Exception:\n"
    "        pass\n"
)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(n_offers: int, folder: Path) -> None:
    """Write the generated tables and the scores (with q) the raw baseline reads."""
    import riskengine
    from riskengine.optimise.api import default_scores

    config = riskengine.load_config().one_year()
    data = riskengine.generate_dataset(n_offers=n_offers, seed=1)
    riskengine.write_dataset(data, folder)
    data = riskengine.load_dataset(folder)
    scores = default_scores(data, config)
    scores[["buyer", "supplier_id", "commodity", "disruption_probability"]].to_csv(
        folder / "scores.csv", index=False
    )


def ours(folder: str, repeat: int, queue: mp.Queue) -> None:
    """Child process: riskengine in process, medians of ``repeat`` runs and peak memory."""
    from functools import partial

    import riskengine
    from riskengine.optimise import build_problem, make_result
    from riskengine.optimise.api import default_scores
    from riskengine.optimise.highs import HighsModel, highs_version
    from riskengine.optimise.solution import to_solution

    config = riskengine.load_config().one_year()
    times: dict[str, list[float]] = {}
    for _ in range(repeat):
        data, t_load = _timed(partial(riskengine.load_dataset, Path(folder)))
        scores, t_score = _timed(partial(default_scores, data, config))
        problem, t_problem = _timed(partial(build_problem, data, config, scores))
        # as riskengine.optimise.solve does: each block's Highs freed once its answer is read
        model, t_model = _timed(partial(HighsModel, problem, TIME_LIMIT_S, keep=False))
        (answer, _), t_solve = _timed(model.run)
        solution = to_solution(answer, "highs", highs_version(), "highs", (t_model, t_solve))
        result, t_extract = _timed(partial(make_result, problem, solution))
        for key, value in {
            "load": t_load,
            "score": t_score,
            "build": t_problem + t_model,
            "solve": t_solve,
            "extract": t_extract,
        }.items():
            times.setdefault(key, []).append(value)
        del model, problem, solution
    queue.put(
        {
            "median_s": {k: statistics.median(v) for k, v in times.items()},
            "objective_usd": result.objective_usd,
            "status": result.status.value,
            "columns": result.size["columns"],
            "rows": result.size["rows"],
            "peak_mb": _peak_mb(),
        }
    )


def raw(
    folder: str, settings: dict, repeat: int, monolithic: bool, threads: bool, queue: mp.Queue
) -> None:
    """Child process: the raw baseline (no riskengine import), medians and peak memory;
    ``threads``: its per-commodity models solved on a thread per CPU."""
    import _raw_lp

    _raw_lp.quiet_banner()
    times: dict[str, list[float]] = {}
    for _ in range(repeat):
        tables, t_read = _timed(lambda: _raw_lp.read_tables(Path(folder)))
        lp, t_build = _timed(lambda: _raw_lp.build(tables, settings))  # noqa: B023
        limit = MONOLITHIC_LIMIT_S if monolithic else TIME_LIMIT_S
        objective, t_solve, optimal = _raw_lp.solve(lp, not monolithic, limit, threads)
        for key, value in {"read": t_read, "build": t_build, "solve": t_solve}.items():
            times.setdefault(key, []).append(value)
        del lp
    queue.put(
        {
            "median_s": {k: statistics.median(v) for k, v in times.items()},
            "objective_usd": objective,
            "optimal": optimal,
            "peak_mb": _peak_mb(),
        }
    )


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def _child(target, *args) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    while True:
        try:
            out = queue.get(timeout=5)
            break
        except Empty:
            if not proc.is_alive():
                raise RuntimeError(f"benchmark child {target.__name__} failed") from None
    proc.join()
    return out


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("riskengine")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "riskengine"]


def command(folder: Path, repeat: int) -> dict[str, float]:
    """Median wall time of ``riskengine optimise`` and of importing what it loads."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = ["optimise", "--data", str(folder), "--format", "json", *ONE_YEAR]
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    listing = folder / "modules.txt"
    listing.write_text(probe.stdout, encoding="utf-8")
    argvs = {
        "command": [*_cli(), *args],
        "no_sharing": [*_cli(), *args, "--set", "optimiser.sharing=none"],
        "imports": [sys.executable, "-c", _IMPORT_ALL, str(listing)],
    }
    runs: dict[str, list[float]] = {k: [] for k in argvs}
    for _ in range(repeat):
        for key, argv in argvs.items():
            start = time.perf_counter()
            subprocess.run(argv, cwd=REPO, env=env, capture_output=True, check=True)
            runs[key].append(time.perf_counter() - start)
    return {k: statistics.median(v) for k, v in runs.items()}


def measure(n_offers: int, repeat: int) -> dict:
    """Every measurement at one size."""
    import _raw_lp

    import riskengine

    settings = _raw_lp.settings_of(riskengine.load_config().one_year())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        prepare(n_offers, folder)
        mine = _child(ours, str(folder), repeat)
        fair = _child(raw, str(folder), settings, repeat, False, False)
        fair_threads = _child(raw, str(folder), settings, repeat, False, True)
        whole = _child(raw, str(folder), settings, repeat, True, False)
        cli = command(folder, repeat)
    m, f = mine["median_s"], fair["median_s"]
    in_process = m["build"] + m["solve"] + m["extract"]
    fair_s = f["build"] + f["solve"]
    threads_s = fair_threads["median_s"]["build"] + fair_threads["median_s"]["solve"]
    # the verdicts use the faster raw: one after the other, or on a thread per CPU as ours
    best_s = min(fair_s, threads_s)
    read_s = f["read"] if fair_s <= threads_s else fair_threads["median_s"]["read"]
    whole_s = whole["median_s"]["build"] + whole["median_s"]["solve"]
    objectives = [mine["objective_usd"], fair["objective_usd"], fair_threads["objective_usd"]]
    if whole["optimal"]:  # a monolithic model stopped at its time limit is not compared
        objectives.append(whole["objective_usd"])
    diff = max(abs(o - objectives[0]) for o in objectives) / abs(objectives[0])
    command_s = cli["command"] - cli["imports"]
    return {
        "offers": n_offers,
        "repeat": repeat,
        "columns": mine["columns"],
        "rows": mine["rows"],
        "ours_s": m,
        "raw_s": f,
        "raw_whole_s": whole["median_s"],
        "in_process_s": in_process,
        "raw_fair_s": fair_s,
        "raw_whole_total_s": whole_s,
        "raw_threads_s": threads_s,
        "raw_best_s": best_s,
        "in_process_ratio": in_process / best_s,
        "in_process_ratio_sequential": in_process / fair_s,
        "vs_whole_ratio": in_process / whole_s,
        "command_s": cli["command"],
        "command_imports_s": cli["imports"],
        "command_minus_import_s": command_s,
        "no_sharing_minus_import_s": cli["no_sharing"] - cli["imports"],
        "raw_read_build_solve_s": read_s + best_s,
        "command_ratio": command_s / (read_s + best_s),
        "no_sharing_ratio": (cli["no_sharing"] - cli["imports"]) / (read_s + best_s),
        "ours_peak_mb": mine["peak_mb"],
        "raw_peak_mb": fair["peak_mb"],
        "memory_ratio": mine["peak_mb"] / fair["peak_mb"],
        "objective_usd": objectives,
        "objective_rel_diff": diff,
        "raw_whole_optimal": whole["optimal"],
        "ok": mine["status"] == "optimal" and fair["optimal"] and diff < 1e-6,
    }


def _mark(ratio: float, target: str) -> str:
    return f"{ratio:.2f}x {'ok' if ratio <= TARGETS[target] else 'MISS'}"


def _whole(r: dict) -> str:
    if r["raw_whole_optimal"]:
        return f"{r['raw_whole_total_s']:.3f} | {r['vs_whole_ratio']:.2f}x"
    return f">= {MONOLITHIC_LIMIT_S:.0f} (time limit) | <= {r['vs_whole_ratio']:.2f}x"


def markdown(rows: list[dict]) -> str:
    """The results as Markdown tables."""
    lines = [
        "| offers | columns | ours build / solve / extract s | ours in-process s | "
        "raw per-commodity build + solve s, one after the other / on threads | "
        "ratio to the faster (target 1.3x) | raw one model s | ours / one model | "
        "objective diff |",
        "|" + "---|" * 9,
    ]
    for r in rows:
        m = r["ours_s"]
        lines.append(
            f"| {r['offers']:,} | {r['columns']:,} | {m['build']:.3f} / {m['solve']:.3f} / "
            f"{m['extract']:.3f} | {r['in_process_s']:.3f} | {r['raw_fair_s']:.3f} / "
            f"{r['raw_threads_s']:.3f} | "
            f"{_mark(r['in_process_ratio'], 'in_process')} | {_whole(r)} | "
            f"{r['objective_rel_diff']:.1e} |"
        )
    lines += [
        "",
        "| offers | `optimise` command s | its imports s | command - imports s | "
        "raw read + build + solve s | ratio (target 2x) | same, `sharing=none` | "
        "ours peak MB | raw peak MB | memory ratio (target 2x at 100k) |",
        "|" + "---|" * 10,
    ]
    for r in rows:
        memory = f"{r['memory_ratio']:.2f}x"
        if r["offers"] >= 100_000:
            memory = _mark(r["memory_ratio"], "memory")
        lines.append(
            f"| {r['offers']:,} | {r['command_s']:.3f} | {r['command_imports_s']:.3f} | "
            f"{r['command_minus_import_s']:.3f} | {r['raw_read_build_solve_s']:.3f} | "
            f"{_mark(r['command_ratio'], 'command')} | "
            f"{r['no_sharing_minus_import_s']:.3f} s = {r['no_sharing_ratio']:.2f}x | "
            f"{r['ours_peak_mb']:,.0f} | "
            f"{r['raw_peak_mb']:,.0f} | {memory} |"
        )
    lines.append(
        f"\nOne-year model (`Config.one_year()`), joint mode, 2 buyers, generated data "
        f"(seed 1); medians; {os.cpu_count()} CPUs, load average at the end "
        f"{os.getloadavg()[0]:.1f}. Ours load+validate / score s: "
        + ", ".join(
            f"{r['offers']:,}: {r['ours_s']['load']:.2f} / {r['ours_s']['score']:.2f}" for r in rows
        )
        + "."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure every size; print and write the tables; exit 1 if an objective differs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rows = []
    for size in args.sizes:
        rows.append(measure(size, args.repeat if size <= 10_000 else 1))
        print(f"  {size:>7,} offers done", file=sys.stderr)
    table = markdown(rows)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "optimise.json").write_text(json.dumps(rows, indent=2, default=str), "utf-8")
    (RESULTS / "optimise.md").write_text(table + "\n", encoding="utf-8")
    bad = [r for r in rows if not r["ok"]]
    for r in bad:
        print(f"objectives differ or not optimal at {r['offers']:,}: {r['objective_usd']}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
