"""``riskengine stress``: exposure, re-optimised response and regret of the plan per scenario."""

from __future__ import annotations

import argparse
from pathlib import Path

from riskengine.cli._common import (
    add_common,
    add_format,
    count,
    emit_json,
    emit_table,
    fail,
    finite,
    load_inputs,
)
from riskengine.config.arguments import MAX_MONTE_CARLO, MAX_SEED
from riskengine.scenarios import EXECUTORS, RobustSettings, stress

_TABLES = ("regret", "exposure", "response", "scenarios")


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the command."""
    parser = sub.add_parser(
        "stress",
        help="stress the optimal plan under disruption scenarios",
        description="Keep the optimal plan fixed and measure what each scenario leaves short "
        "and what it costs (exposure), re-optimise under the scenario (response), and report "
        "the regret; optionally solve a robust (CVaR) plan across all the scenarios.",
    )
    add_common(parser)
    add_format(parser)
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
        default=0,
        metavar="S",
        help="seed of the Monte Carlo scenarios (default 0)",
    )
    _add_robust(parser)
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
    parser.add_argument(
        "--table",
        choices=_TABLES,
        default="regret",
        help="table printed by --format csv (default: regret)",
    )
    parser.set_defaults(run=run)


def _add_robust(parser: argparse.ArgumentParser) -> None:
    defaults = RobustSettings()
    parser.add_argument(
        "--robust",
        action="store_true",
        help="also solve the robust CVaR plan and compare it with the optimal one",
    )
    parser.add_argument(
        "--cvar-alpha",
        type=finite(),
        default=defaults.alpha,
        metavar="A",
        help=f"CVaR level, 0 <= A < 1 (default {defaults.alpha:g})",
    )
    parser.add_argument(
        "--cvar-beta",
        type=finite(high=1e6),
        default=defaults.beta,
        metavar="B",
        help=f"weight of CVaR against expected cost (default {defaults.beta:g})",
    )
    parser.add_argument(
        "--spot-premium",
        type=finite(high=1e6),
        default=defaults.spot_premium,
        metavar="M",
        help=f"spot price / scenario price, >= 1 (default {defaults.spot_premium:g})",
    )
    parser.add_argument(
        "--contract-fee",
        type=finite(high=1e6),
        default=defaults.contract_fee,
        metavar="F",
        help=f"fee per contracted tonne, share of its cost (default {defaults.contract_fee:g})",
    )


def _check(args: argparse.Namespace) -> None:
    if args.scheduler and args.executor != "dask":
        raise fail(f"--scheduler {args.scheduler} needs --executor dask")
    if args.no_library and args.library is not None:
        raise fail("--library and --no-library exclude each other; give one")


def run(args: argparse.Namespace) -> int:
    """Run the stress test and print it."""
    _check(args)
    settings = RobustSettings(args.cvar_alpha, args.cvar_beta, args.spot_premium, args.contract_fee)
    config, dataset = load_inputs(args)
    library = False if args.no_library else (args.library if args.library else True)
    result = stress(
        dataset,
        config,
        args.scenarios,
        args.monte_carlo,
        args.seed,
        args.robust,
        args.executor,
        library=library,
        scheduler=args.scheduler,
        n_jobs=args.jobs,
        robust_settings=settings,
    )
    if args.format == "json":
        emit_json(result.to_dict())
    elif args.format == "csv":
        emit_table(getattr(result, args.table), "csv")
    else:
        print(result.summary())
    return 0
