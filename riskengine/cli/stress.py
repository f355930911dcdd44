"""``riskengine stress``: exposure, re-optimised response and regret of the plan per scenario."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from riskengine.cli._common import check_output_file, emit_json, emit_table, fail, load_inputs
from riskengine.scenarios import RobustSettings, StressResult, stress


def _check(args: argparse.Namespace) -> None:
    if args.scheduler and args.executor != "dask":
        raise fail(f"--scheduler {args.scheduler} needs --executor dask")
    if args.no_library and args.library is not None:
        raise fail("--library and --no-library exclude each other; give one")
    checks: tuple[tuple[str, float | None, Callable[[float], bool], str, str], ...] = (
        ("--cvar-alpha", args.cvar_alpha, lambda v: 0 <= v < 1, "0 <= A < 1", "alpha"),
        ("--cvar-beta", args.cvar_beta, lambda v: v >= 0, ">= 0", "beta"),
        ("--spot-premium", args.spot_premium, lambda v: v >= 0, ">= 0", "spot_premium"),
        ("--contract-fee", args.contract_fee, lambda v: v >= 0, ">= 0", "contract_fee"),
    )
    for flag, value, ok, valid, key in checks:
        if value is not None and not ok(value):
            raise fail(f"{flag} {value:g}: expected {valid} (optimiser.stochastic.{key})")


FIGURE_FORMATS = (".svg", ".png", ".pdf")


def _check_figure(path: str | None) -> None:
    check_output_file(path, "--figure")
    if path is not None and Path(path).suffix.lower() not in FIGURE_FORMATS:
        raise fail(
            f"--figure {path}: unknown figure format; end the name with "
            + ", ".join(FIGURE_FORMATS)
        )


def _write_figure(result: StressResult, path: str) -> None:
    """The regret distribution over drawn scenarios (else exposure against response per
    scenario), written whole: to a temporary file first, then renamed."""
    import matplotlib as mpl

    from riskengine.plotting import RC, plot_stress, plot_stress_distribution

    drawn = bool((result.scenarios["source"] == "monte-carlo").any())
    fig = plot_stress_distribution(result) if drawn else plot_stress(result)
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fmt = target.suffix.lower().lstrip(".")
    metadata = {"Date": None} if fmt in ("svg", "pdf") else {"Software": None}
    try:
        with mpl.rc_context(RC):  # type: ignore[arg-type]
            fig.savefig(tmp, format=fmt, dpi=150, metadata=metadata)
        os.replace(tmp, target)
    except OSError as exc:
        raise fail(f"--figure {path}: cannot be written ({exc.strerror or exc})") from None
    finally:
        tmp.unlink(missing_ok=True)
    print(f"figure: {target}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Run the stress test and print it."""
    _check(args)
    _check_figure(args.figure)
    settings = RobustSettings(args.cvar_alpha, args.cvar_beta, args.spot_premium, args.contract_fee)
    config, dataset = load_inputs(args)
    config = settings.apply(config)
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
    )
    for note in result.skipped:
        print(f"note: {note}", file=sys.stderr)
    if args.format == "json":
        emit_json(result.to_dict())
    elif args.format == "csv":
        emit_table(getattr(result, args.table), "csv")
    else:
        print(result.summary())
    if args.figure:
        _write_figure(result, args.figure)
    return 0
