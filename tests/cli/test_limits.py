"""Resource caps on the command line match the configuration and the API; counts are checked."""

from __future__ import annotations

import csv
import io
import json
import warnings

import pytest

import riskengine
from riskengine import ArgumentError
from riskengine.cli import validate
from riskengine.config.arguments import MAX_FRONTIER_POINTS, MAX_MONTE_CARLO


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["optimise", "--frontier", "1000000"],
            f"argument --frontier: expected a whole number from 0 to {MAX_FRONTIER_POINTS}, "
            "got '1000000'",
        ),
        (
            ["optimise", "--frontier", "-1"],
            f"argument --frontier: expected a whole number from 0 to {MAX_FRONTIER_POINTS}, got '-1'",
        ),
        (["optimise", "--top", "-1"], "argument --top: expected a whole number from 0"),
        (
            ["stress", "--monte-carlo", "2000000"],
            f"argument --monte-carlo: expected a whole number from 0 to {MAX_MONTE_CARLO:,}, "
            "got '2000000'",
        ),
        (["stress", "--monte-carlo", "-5"], "argument --monte-carlo: expected a whole number"),
        (["stress", "--seed", "-1"], "argument --seed: expected a whole number from 0"),
        (["stress", "--jobs", "0"], "argument --jobs: expected a whole number from 1"),
        (
            ["stress", "--cvar-beta", "inf"],
            "argument --cvar-beta: expected a finite number, at most 1,000,000, got 'inf'",
        ),
        (["stress", "--cvar-alpha", "nan"], "argument --cvar-alpha: expected a finite number"),
        (["stress", "--cvar-alpha", "1"], "--cvar-alpha 1: expected 0 <= A < 1"),
        (["stress", "--contract-fee", "1e300"], "argument --contract-fee: expected a finite"),
        (["stress", "--spot-premium", "nan"], "argument --spot-premium: expected a finite number"),
        (["score", "--top", "0"], "argument --top: expected a whole number from 1"),
    ],
)
def test_out_of_range_counts_exit_2(run_cli, argv, message):
    code, out, err = run_cli(*argv)
    assert code == 2 and out == "" and "Traceback" not in err
    assert message in err


def test_frontier_cap_is_the_configuration_s():
    with pytest.raises(ArgumentError, match=r"expected a whole number from 1 to 100"):
        riskengine.frontier(riskengine.load_dataset(), riskengine.Config(), MAX_FRONTIER_POINTS + 1)
    with pytest.raises(riskengine.ConfigError, match="less than or equal to 100"):
        riskengine.load_config(overrides=[f"report.frontier_points={MAX_FRONTIER_POINTS + 1}"])


def test_monte_carlo_cap_is_the_api_s():
    over = MAX_MONTE_CARLO + 1
    with pytest.raises(ArgumentError, match=rf"monte_carlo {over}: expected a whole number"):
        riskengine.stress(riskengine.load_dataset(), riskengine.Config(), [], monte_carlo=over)
    with pytest.raises(riskengine.ConfigError, match="less than or equal to 100000"):
        riskengine.load_config(overrides=[f"optimiser.stochastic.scenarios={over}"])


def test_score_uncertainty_keeps_one_row_per_buyer_and_offer(run_cli):
    code, plain, _ = run_cli("score", "--format", "csv")
    assert code == 0
    code, banded, _ = run_cli("score", "--uncertainty", "--format", "csv")
    assert code == 0
    plain_rows = list(csv.DictReader(io.StringIO(plain)))
    banded_rows = list(csv.DictReader(io.StringIO(banded)))
    assert len(banded_rows) == len(plain_rows) == 2 * len(riskengine.load_dataset().suppliers)
    keys = [(r["buyer"], r["supplier_id"], r["commodity"]) for r in banded_rows]
    assert len(set(keys)) == len(keys)
    for row, other in zip(banded_rows, plain_rows, strict=True):
        assert (row["buyer"], row["supplier_id"], row["commodity"], row["risk_score"]) == (
            other["buyer"],
            other["supplier_id"],
            other["commodity"],
            other["risk_score"],
        )
        assert int(float(row["offers"])) >= int(float(row["rank"]))


def test_score_uncertainty_ranks_are_within_the_commodity(run_cli):
    code, out, _ = run_cli("score", "--uncertainty", "--format", "json")
    assert code == 0
    rows = json.loads(out)["scores"]
    offers = riskengine.load_dataset().suppliers["commodity"].value_counts()
    for row in rows:
        assert row["offers"] == offers[row["commodity"]]
        assert 1 <= row["rank_p05"] <= row["rank_p95"] <= row["offers"]


def test_warnings_are_one_line_without_source_paths(run_cli, monkeypatch):
    def noisy(args: object) -> int:
        warnings.warn("invalid value encountered in divide", RuntimeWarning, stacklevel=1)
        return 0

    monkeypatch.setattr(validate, "run", noisy)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        code, _, err = run_cli("validate")
    assert code == 0
    assert err == "warning: invalid value encountered in divide\n"
