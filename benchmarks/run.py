"""All benchmarks in one command: start-up, optimise vs raw highspy, sweeps, the q calibration,
the two-stage plan.

Run: python benchmarks/run.py [--quick]

``--quick`` uses 1,000 and 10,000 offers, 200 scenarios and 3 runs per
start-up command (a few minutes); the default adds 100,000 offers and a
1,000-scenario sweep, and ``--old DIR`` times main's ``stress --robust``
against ours (about 4 minutes more). Results are printed and written to
``benchmarks/results/`` (startup.*, optimise.*, sweep.*, stochastic.*).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_calibration  # noqa: E402
import bench_optimise  # noqa: E402
import bench_stochastic  # noqa: E402
import startup  # noqa: E402
import sweep  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark; exit 1 if a command failed or an objective check failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, a few minutes")
    parser.add_argument("--old", help="a copy of main, to time today's stress --robust")
    args = parser.parse_args(argv)
    sizes = ["1000", "10000"] if args.quick else ["1000", "10000", "100000"]
    scenarios = "200" if args.quick else "1000"
    print("== start-up: fresh processes against importing numpy + pandas ==")
    code = startup.main(["--repeat", "3" if args.quick else "5"])
    print("\n== optimise: riskengine vs the same LP built directly with highspy ==")
    code |= bench_optimise.main(["--sizes", *sizes])
    print("\n== scenario sweep at 1,000 offers ==")
    # PuLP rebuilds run at ~10 scenarios/s: time its rate on the first 200 scenarios
    code |= sweep.main(["--scenarios", scenarios, "--pulp-scenarios", "200"])
    print("\n== disruption-probability calibration ==")
    code |= bench_calibration.main([])
    print("\n== two-stage mean-CVaR plan ==")
    old = ["--old", args.old] if args.old else []
    code |= bench_stochastic.main(["--repeat", "1" if args.quick else "3", *old])
    return code


if __name__ == "__main__":
    raise SystemExit(main())
