"""Every command's arguments, declared without importing the command.

``riskengine --help`` and ``riskengine COMMAND --help`` read only this
module (argparse, pathlib, and the argument types of :mod:`riskengine.cli._types`,
which check counts and numbers against the limits the configuration and the
Python API use), so they answer at once; the command's module,
and with it pandas, the solvers or matplotlib, is imported only when the
command runs (:class:`Command`). The defaults shown by ``stress --help``
restate ``optimiser.stochastic`` (:class:`~riskengine.config.schema.StochasticConfig`)
and :data:`~riskengine.scenarios.EXECUTORS`; a test holds them equal.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any

from riskengine._limits import MAX_FRONTIER_POINTS, MAX_MONTE_CARLO, MAX_SEED
from riskengine.cli._types import count, finite

__all__ = ["PARSERS", "Command", "add_common", "add_format"]

#: ``stress --executor`` choices (:data:`riskengine.scenarios.EXECUTORS`).
EXECUTORS: tuple[str, ...] = ("serial", "local", "dask")
#: ``optimiser.stochastic`` defaults that ``stress --robust``'s flags override (shown in --help).
ROBUST_DEFAULTS: dict[str, float] = {
    "alpha": 0.9,
    "beta": 1.0,
    "spot_premium": 0.25,
    "contract_fee": 0.0,
}
_TABLES = ("regret", "exposure", "response", "scenarios")
#: ``data import`` description (the module docstring of :mod:`riskengine.cli.data`).
DATA_IMPORT_DESCRIPTION = (
    "Read a source's own published file (no network) and write the updated tables to a new "
    "folder (default ./imported/<kind>-<time>, or --out), or with --in-place replace the files "
    "of the --data folder atomically, keeping backups. --dry-run writes nothing. Prints what "
    "changed, by how much, and which supply-risk results move."
)
#: ``data import`` kinds (:data:`riskengine.data.importers.KINDS`).
IMPORT_KINDS: tuple[str, ...] = ("wgi", "usgs", "comtrade", "jrc")


class Command:
    """``args.run`` of a command: imports ``riskengine.cli.<name>`` and calls its ``run(args)``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, args: argparse.Namespace) -> int:
        """Run the command; return its exit code."""
        return int(import_module(f"riskengine.cli.{self.name}").run(args))

    def __repr__(self) -> str:
        return f"Command({self.name!r})"


def _command(
    sub: argparse._SubParsersAction[Any], name: str, help: str, description: str
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help, description=description)
    parser.set_defaults(run=Command(name))
    return parser


class _OneConfig(argparse.Action):
    """``--config FILE``: one file; several (a shell glob) are refused with what to do instead."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        paths = list(values) if isinstance(values, list) else [values]
        if len(paths) > 1:
            names = " ".join(str(p) for p in paths)
            parser.error(
                f"--config {names}: this command reads one configuration, got {len(paths)}; "
                f"give one file, or compare them all with: riskengine report --config {names}"
            )
        setattr(namespace, self.dest, paths[0])


def add_common(parser: argparse.ArgumentParser) -> None:
    """--config, --data, --set and --debug."""
    parser.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        nargs="+",
        action=_OneConfig,
        help="YAML configuration (default: ./config.yaml, else config/default.yaml, if present)",
    )
    _add_data(parser)
    _add_set(parser)
    _add_debug(parser)


def _add_data(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        metavar="DIR",
        type=Path,
        help="folder of CSV tables or an .xlsx workbook (overrides data.dir)",
    )


def _add_set(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        dest="overrides",
        help="override a configuration key (repeatable)",
    )


def _add_debug(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")


def add_format(parser: argparse.ArgumentParser) -> None:
    """--format table|json|csv."""
    parser.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="output format on stdout (default: table)",
    )


def validate(sub: argparse._SubParsersAction[Any]) -> None:
    """``riskengine validate``."""
    parser = _command(
        sub,
        "validate",
        help="check configuration and data; print a summary",
        description="Check the configuration and the data tables; print a "
        "summary, or every problem found (exit 2).",
    )
    add_common(parser)
    add_format(parser)


def score(sub: argparse._SubParsersAction[Any]) -> None:
    """``riskengine score``."""
    parser = _command(
        sub,
        "score",
        help="risk score of every supplier offer (or --commodities)",
        description="Score every (buyer, supplier offer) pair from 0 (safest) to 100, with the "
        "contribution of each indicator; or print the JRC commodity criticality table.",
    )
    add_common(parser)
    add_format(parser)
    parser.add_argument("--buyer", action="append", help="only this buyer (repeatable)")
    parser.add_argument("--commodity", action="append", help="only this commodity (repeatable)")
    parser.add_argument(
        "--top",
        type=count(1, 1_000_000),
        metavar="N",
        help="only the N riskiest offers per buyer and commodity",
    )
    parser.add_argument(
        "--commodities",
        action="store_true",
        help="print commodity criticality (HHI, WGI-weighted HHI, JRC SR)",
    )
    parser.add_argument(
        "--uncertainty",
        action="store_true",
        help="add 5th-95th percentile of score and rank under weight uncertainty",
    )
    parser.add_argument(
        "--plan",
        action="store_true",
        help="also optimise and add to_buy_t: what the plan buys from each offer in its first year",
    )


def optimise(sub: argparse._SubParsersAction[Any]) -> None:
    """``riskengine optimise``."""
    parser = _command(
        sub,
        "optimise",
        help="recommend a diversified sourcing mix (LP)",
        description="Solve the sourcing model: the mix that minimises purchase cost plus "
        "risk aversion x the expected disruption loss, with unmet demand at its lost-supply "
        "value and each buyer's policy (the EU's CRMA cap by default); report the buy list, "
        "money, shortfalls and shadow prices. Exit 1 if the solver does not reach optimality.",
    )
    add_common(parser)
    add_format(parser)
    parser.add_argument("--mode", choices=("joint", "separate"), help="override optimiser.mode")
    parser.add_argument(
        "--backend",
        choices=("highs", "pulp"),
        help="highs = highspy direct (default for HiGHS); pulp = PuLP model (always used for CBC)",
    )
    parser.add_argument(
        "--frontier",
        type=count(0, MAX_FRONTIER_POINTS),
        default=0,
        metavar="N",
        help=f"also sweep risk_aversion over N points, 0 to {MAX_FRONTIER_POINTS} "
        "(cost-risk frontier)",
    )
    parser.add_argument(
        "--alliance",
        action="store_true",
        help="also value joint buying (separate minus joint): the split under each sharing rule, the coalition game and the candidate partners",
    )
    parser.add_argument(
        "--write-lp",
        metavar="FILE",
        dest="write_lp",
        help="write the LP (or .mps) for review; kilotonnes and thousands of USD",
    )
    parser.add_argument(
        "--top",
        type=count(0, 1_000_000),
        default=10,
        metavar="N",
        help="shadow prices to list in the table format (default 10)",
    )


def stress(sub: argparse._SubParsersAction[Any]) -> None:
    """``riskengine stress``."""
    parser = _command(
        sub,
        "stress",
        help="stress the optimal plan under disruption scenarios",
        description="Keep the optimal plan fixed and measure what each scenario leaves short "
        "and what it costs (exposure), re-optimise under the scenario (response), and report "
        "the regret; with --robust also solve the two-stage mean-CVaR plan over calibrated, "
        "correlated disruption scenarios.",
    )
    add_common(parser)
    add_format(parser)
    _add_scenarios(parser)
    _add_robust(parser)
    _add_executor(parser)
    parser.add_argument(
        "--figure",
        metavar="FILE",
        help="write a figure (.svg, .png or .pdf): with --monte-carlo, the regret "
        "distribution per buyer (mean, p5, p50, p95, CVaR 95%%); else each scenario's "
        "exposure against the response",
    )
    parser.add_argument(
        "--table",
        choices=_TABLES,
        default="regret",
        help="table printed by --format csv (default: regret)",
    )


def _add_scenarios(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scenario",
        action="append",
        metavar="NAME",
        dest="scenarios",
        help="run only this scenario (repeatable; default: every scenario of "
        "the configuration and the library)",
    )
    parser.add_argument(
        "--library",
        metavar="DIR",
        type=Path,
        help="folder of scenario YAML files (default: the shipped config/scenarios)",
    )
    parser.add_argument(
        "--no-library",
        action="store_true",
        help="use only the configuration's scenarios and Monte Carlo draws",
    )
    parser.add_argument(
        "--monte-carlo",
        type=count(0, MAX_MONTE_CARLO),
        default=0,
        metavar="N",
        help=f"add N random scenarios drawn from the risk indicators (0 to {MAX_MONTE_CARLO:,})",
    )
    parser.add_argument(
        "--seed",
        type=count(0, MAX_SEED),
        default=None,
        metavar="S",
        help="seed of the drawn scenarios (default: optimiser.stochastic.seed, 0)",
    )


def _add_robust(parser: argparse.ArgumentParser) -> None:
    defaults = ROBUST_DEFAULTS
    parser.add_argument(
        "--robust",
        action="store_true",
        help="also solve the two-stage mean-CVaR plan over the drawn scenarios (--monte-carlo N, "
        "else optimiser.stochastic.scenarios) and compare it with the expected-value plan",
    )
    flags = (
        ("--cvar-alpha", "alpha", "A", "CVaR tail level, 0 <= A < 1"),
        ("--cvar-beta", "beta", "B", "weight of CVaR next to the expected loss, >= 0"),
        ("--spot-premium", "spot_premium", "M", "spot price = (1 + M) x the scenario price"),
        ("--contract-fee", "contract_fee", "F", "fee per contracted tonne, share of its price"),
    )
    for flag, key, metavar, text in flags:
        parser.add_argument(
            flag,
            type=finite(high=1e6),  # finite; the configuration's checks give the range
            default=None,
            metavar=metavar,
            help=f"{text} (default: optimiser.stochastic.{key}, {defaults[key]:g})",
        )


def _add_executor(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="serial",
        help="where the re-optimisations run (results are identical)",
    )
    parser.add_argument(
        "--jobs",
        type=count(1, 1024),
        metavar="N",
        help="processes for --executor local (default: CPU count)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="dask scheduler, e.g. tcp://10.0.0.5:8786 (--executor dask; default: a local cluster)",
    )


def report(sub: argparse._SubParsersAction[Any]) -> None:
    """``riskengine report``."""
    parser = _command(
        sub,
        "report",
        help="write a report folder (HTML, CSV, xlsx, figures, summary, manifest)",
        description="Score, optimise and write a new report folder under report.out_dir for "
        "each configuration: report.html, summary.json, manifest.json, tables.xlsx, tables/*.csv "
        "and figures/*.svg. With several configurations (or a folder of them), also write an "
        "index.html comparing the runs; the exit code is 2 if any configuration failed.",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        nargs="+",
        action="extend",
        default=[],
        dest="configs",
        help="YAML configurations (several after one flag, or a shell glob such as "
        "configs/*.yaml) or folders of them (repeatable; default: ./config.yaml, else "
        "config/default.yaml, if present)",
    )
    _add_data(parser)
    _add_set(parser)
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        help="folder that receives the report folders (overrides report.out_dir)",
    )
    _add_debug(parser)


def init(sub: argparse._SubParsersAction[Any]) -> None:
    """``riskengine init``."""
    parser = _command(
        sub,
        "init",
        help="create a working folder with a config and a copy of the shipped tables",
        description="Create DIR holding config.yaml (every key commented, named after DIR), "
        "data/ (a copy of the shipped tables to edit) and reports/. Inside DIR, the "
        "commands find ./config.yaml without --config.",
    )
    parser.add_argument(
        "dir", type=Path, metavar="DIR", help="folder to create (must be new or empty)"
    )
    parser.add_argument(
        "--excel",
        action="store_true",
        help="write the tables as one Excel workbook, data.xlsx (drop-down lists, a README "
        "sheet), instead of data/*.csv",
    )
    parser.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)


def data(sub: argparse._SubParsersAction[Any]) -> None:
    """``riskengine data import``."""
    parser = sub.add_parser("data", help="refresh the data tables from the sources' own files")
    inner = parser.add_subparsers(
        dest="data_command", metavar="SUBCOMMAND", parser_class=type(parser)
    )
    inner.required = True
    imp = inner.add_parser(
        "import",
        help="read a WGI, USGS MCS, Comtrade or JRC file and update the tables",
        description=DATA_IMPORT_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("kind", choices=IMPORT_KINDS, help="which source the file comes from")
    imp.add_argument("file", type=Path, help="the file as downloaded from the source")
    add_common(imp)
    where = imp.add_mutually_exclusive_group()
    where.add_argument(
        "--out", type=Path, metavar="DIR", help="new folder for the updated copy of the data"
    )
    where.add_argument(
        "--in-place", action="store_true", help="update the --data folder (backups kept)"
    )
    where.add_argument("--dry-run", action="store_true", help="print the changes, write nothing")
    imp.add_argument("--year", type=int, help="data year to take (default: latest in the file)")
    imp.add_argument("--buyer", default="EU", help="comtrade/jrc eu: buyer whose sourcing is set")
    imp.add_argument("--commodity", help="comtrade: commodity the imports are of")
    imp.add_argument(
        "--stage", default="refining", choices=("mining", "refining"), help="comtrade: stage"
    )
    imp.add_argument(
        "--hs", default="280530,2846", help="comtrade: HS codes (prefixes), comma-separated"
    )
    imp.add_argument(
        "--table",
        default="global",
        choices=("global", "eu"),
        help="jrc: world shares or EU sourcing",
    )
    imp.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    imp.set_defaults(run=Command("data"))


#: Command name -> the function that declares its arguments, in the order ``--help`` lists them.
PARSERS: dict[str, Callable[[argparse._SubParsersAction[Any]], None]] = {
    "validate": validate,
    "score": score,
    "optimise": optimise,
    "stress": stress,
    "report": report,
    "init": init,
    "data": data,
}
