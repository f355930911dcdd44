"""``riskengine optimise``: the sourcing mix, shadow prices, frontier and alliance value."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from riskengine.cli._common import check_output_file, emit_json, emit_table, fail, load_inputs
from riskengine.config import Config
from riskengine.data import Dataset
from riskengine.enums import Mode
from riskengine.optimise import OptimisationResult, analyse_alliance, frontier, optimise
from riskengine.optimise.api import default_scores
from riskengine.optimise.build import build_problem
from riskengine.optimise.buylist import buy_list, buy_list_text
from riskengine.optimise.problem import Problem
from riskengine.optimise.result import country_mix_text
from riskengine.optimise.solving import write_lp


def _extras(
    args: argparse.Namespace, config: Config, dataset: Dataset, scores: Any, problem: Problem
) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    if args.alliance:
        joint = problem if problem.structure.mode is Mode.JOINT else None
        extras["alliance"] = analyse_alliance(dataset, config, scores, args.backend, problem=joint)
    if args.frontier > 0:
        extras["frontier"] = frontier(
            dataset, config, args.frontier, scores, args.mode, args.backend, problem=problem
        )
    return extras


def _print_json(result: OptimisationResult, extras: dict[str, Any]) -> None:

    document = result.to_dict(frames=True)
    if "alliance" in extras:
        document["alliance"] = extras["alliance"].to_dict()
    if "frontier" in extras:
        document["frontier"] = extras["frontier"].to_dict()
    emit_json(document)


def _print_buy_list(result: OptimisationResult, dataset: Dataset) -> None:
    """The purchase order first: the first planning year's buy list, per buyer."""
    shown = result.for_year(result.years[0]) if result.years else result
    when = f" in {result.years[0]}" if result.years else ""
    print(f"To buy{when} (per buyer, offer and commodity; largest orders first):")
    print(buy_list_text(buy_list(shown, dataset)))
    if len(result.years) > 1:
        print(
            f"Later years ({result.years[1]}-{result.years[-1]}): --format csv lists every "
            "year's purchases; riskengine.buy_list(result) in Python."
        )
    print()


def _print_table(
    result: OptimisationResult, extras: dict[str, Any], top: int, dataset: Dataset
) -> None:
    if result.is_optimal:
        _print_buy_list(result, dataset)
    print(result.summary(top))
    if not result.is_optimal:
        return
    first = result.for_year(result.years[0]) if result.years else result
    year = f", {result.years[0]} (result.for_year(YEAR) for any year)" if result.years else ""
    print(f"\nMix by country{year}; shares of what each buyer buys, home never capped:")
    print(country_mix_text(first) or "(nothing bought)")
    short = result.shortfalls[result.shortfalls["shortfall_t"] > 0]
    print("\nShortfalls:")
    emit_table(short, "table") if not short.empty else print("(none)")
    if "alliance" in extras:
        print("\n" + extras["alliance"].summary())
    if "frontier" in extras:
        print("\nCost-risk frontier:")
        print(extras["frontier"].summary())


def run(args: argparse.Namespace) -> int:
    """Optimise and print; exit 1 when the plan is not optimal."""
    check_output_file(args.write_lp, "--write-lp")
    config, dataset = load_inputs(args)
    scores = default_scores(dataset, config)
    problem = build_problem(dataset, config, scores, args.mode)  # built once, shared below
    result = optimise(dataset, config, scores, args.mode, args.backend, problem=problem)
    if args.write_lp:
        try:
            write_lp(problem, args.write_lp)
        except OSError as exc:
            reason = exc.strerror or exc
            raise fail(f"--write-lp {args.write_lp}: cannot be written ({reason})") from None
    extras = _extras(args, config, dataset, scores, problem) if result.is_optimal else {}
    if args.format == "json":
        _print_json(result, extras)
    elif args.format == "csv":
        emit_table(result.allocations, "csv")
    else:
        _print_table(result, extras, args.top, dataset)
    if not result.is_optimal:
        print(
            f"error: the solver did not reach an optimal plan (status {result.status.value}"
            f"{': ' + result.message if result.message else ''}); nothing above is a "
            "recommendation. Raise optimiser.time_limit_s or try optimiser.solver: cbc.",
            file=sys.stderr,
        )
        return 1
    return 0
