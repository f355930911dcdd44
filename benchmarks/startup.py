"""Benchmark: start-up and the short commands, against importing numpy + pandas, in one run.

``import riskengine``, ``riskengine --help``, ``validate``, ``score``,
``optimise`` and ``report`` each run ``--repeat`` times, each in a fresh
process, from the checkout's root (its ``config/default.yaml`` and
``seeds/``) with the checkout first on ``PYTHONPATH``; the table shows
wall-time medians and ratios against floors measured in the same run:

* ``python -c "import numpy, pandas"``, the floor of any command on tables;
* for ``riskengine report``, its own import time: a process that imports every
  module a report run loads (listed by a probe run) and runs nothing.

Targets (issue 18): ``riskengine --help`` under 0.3 s, ``import riskengine``
under 0.5 s, the report under 2x its import time. One untimed run of each
command comes first (bytecode compiled); timed runs are interleaved across
commands and checkouts, so a busy machine slows them alike.

Run: python benchmarks/startup.py [--repeat 5] [--no-report] [--checkout DIR ...]
(``--checkout`` compares other trees, e.g. ``git worktree add /tmp/old main``.)
Writes ``benchmarks/results/startup.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
#: Command -> target wall time in seconds (None: no target of its own).
TARGETS: dict[str, float | None] = {
    "import numpy, pandas": None,
    "import riskengine": 0.5,
    "riskengine --help": 0.3,
    "riskengine validate": None,
    "riskengine score": None,
    "riskengine optimise": None,
    "import what report loads": None,
    "riskengine report": None,
}
_PROBE = (
    "import contextlib, io, sys; before = set(sys.modules); from riskengine.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()):\n"
    "    code = main(['report', '--out', sys.argv[1]])\n"
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


def _cli() -> list[str]:
    """The ``riskengine`` console script of this interpreter, else ``python -m riskengine``."""
    script = Path(sys.executable).with_name("riskengine")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "riskengine"]


def _env(checkout: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(checkout)}


def report_modules(checkout: Path, scratch: Path) -> Path:
    """A file listing every module one ``riskengine report`` run loads (probe run)."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(scratch / "probe")],
        cwd=checkout,
        env=_env(checkout),
        capture_output=True,
        text=True,
        check=True,
    )
    names = done.stdout.split()
    listing = scratch / f"modules-{abs(hash(checkout))}.txt"
    listing.write_text("\n".join(names), encoding="utf-8")
    return listing


def commands(checkout: Path, scratch: Path, report: bool) -> dict[str, list[str]]:
    """Label -> argv of every measured command for one checkout."""
    python, cli = [sys.executable, "-c"], _cli()
    out = {
        "import numpy, pandas": [*python, "import numpy, pandas"],
        "import riskengine": [*python, "import riskengine"],
        "riskengine --help": [*cli, "--help"],
        "riskengine validate": [*cli, "validate"],
        "riskengine score": [*cli, "score"],
        "riskengine optimise": [*cli, "optimise"],
    }
    if report:
        out["import what report loads"] = [
            *python,
            _IMPORT_ALL,
            str(report_modules(checkout, scratch)),
        ]
        out["riskengine report"] = [*cli, "report", "--out", str(scratch / "reports")]
    return out


def _time(argv: list[str], checkout: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=checkout, env=_env(checkout), capture_output=True, check=True)
    return time.perf_counter() - start


def measure(checkouts: list[Path], repeat: int, report: bool) -> dict[str, dict[str, float]]:
    """Checkout -> label -> median seconds, runs interleaved across commands and checkouts."""
    with tempfile.TemporaryDirectory() as tmp:
        argvs = {c: commands(c, Path(tmp), report) for c in checkouts}
        runs: dict[Path, dict[str, list[float]]] = {c: {k: [] for k in argvs[c]} for c in checkouts}
        for c in checkouts:  # one untimed run each compiles bytecode (the probe ran a report)
            for label, argv in argvs[c].items():
                if label != "riskengine report":
                    _time(argv, c)
        for _ in range(repeat):
            for label in argvs[checkouts[0]]:
                for c in checkouts:
                    runs[c][label].append(_time(argvs[c][label], c))
    return {str(c): {k: statistics.median(v) for k, v in runs[c].items()} for c in checkouts}


def _ratio_of(label: str, times: dict[str, float]) -> str:
    if label == "riskengine report":
        return f"{times[label] / times['import what report loads']:.2f}x its imports"
    if label == "import numpy, pandas":
        return "floor"
    return f"{times[label] / times['import numpy, pandas']:.2f}x"


def markdown(results: dict[str, dict[str, float]], repeat: int) -> str:
    """One row per command: median seconds and ratio per checkout, and the target."""
    names = list(results)
    head = "| command | " + " | ".join(f"{Path(n).name} s | ratio" for n in names) + " | target |"
    lines = [head, "|---|" + "---|---|" * len(names) + "---|"]
    for label in results[names[0]]:
        cells = [f"{results[n][label]:.3f} | {_ratio_of(label, results[n])}" for n in names]
        target = TARGETS.get(label)
        goal = "< 2x its imports" if label == "riskengine report" else ""
        goal = f"< {target} s" if target else goal
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {goal} |")
    lines.append(
        f"\nMedians of {repeat} fresh processes each, wall time, {os.cpu_count()} CPUs; "
        "ratios against `import numpy, pandas` (or, for the report, against importing "
        "every module a report run loads)."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure, print and write the table; exit 1 if a command failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes per command")
    parser.add_argument("--no-report", action="store_true", help="skip riskengine report")
    parser.add_argument(
        "--checkout",
        type=Path,
        action="append",
        default=[],
        help="also measure this source tree (repeatable); this checkout is always first",
    )
    args = parser.parse_args(argv)
    checkouts = [REPO, *(p.resolve() for p in args.checkout)]
    try:
        results = measure(checkouts, args.repeat, not args.no_report)
    except subprocess.CalledProcessError as exc:
        print(f"error: {' '.join(map(str, exc.cmd))} exited {exc.returncode}", file=sys.stderr)
        return 1
    table = markdown(results, args.repeat)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "startup.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    (RESULTS / "startup.md").write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
