"""``riskengine stress`` on the shipped data."""

from __future__ import annotations

import json

from tests.conftest import DEFAULT_CONFIG


def test_stress_json_on_the_shipped_data(run_cli):
    code, out, err = run_cli(
        "stress",
        "--config",
        str(DEFAULT_CONFIG),
        "--scenario",
        "japan-embargo",
        "--scenario",
        "china-full-ban",
        "--format",
        "json",
    )
    assert code == 0, err
    document = json.loads(out)
    assert [s["scenario"] for s in document["scenarios"]] == ["japan-embargo", "china-full-ban"]
    assert {"exposure", "response", "regret", "baseline", "run"} <= set(document)
    assert document["robust"] is None


def test_stress_table_with_robust_and_monte_carlo(run_cli):
    code, out, err = run_cli(
        "stress",
        "--config",
        str(DEFAULT_CONFIG),
        "--no-library",
        "--monte-carlo",
        "12",
        "--seed",
        "3",
        "--robust",
    )
    assert code == 0, err
    assert out.startswith("Stress test: 12 scenarios (12 monte-carlo)")
    assert "Two-stage plan: E[loss] + 1 x CVaR 0.9 of the loss per buyer and commodity" in out
    assert "over 12 drawn scenarios (seed 3" in out


def test_stress_robust_alone_stresses_the_drawn_scenarios(run_cli):
    code, out, err = run_cli(
        "stress",
        "--config",
        str(DEFAULT_CONFIG),
        "--no-library",
        "--robust",
        "--set",
        "optimiser.stochastic.scenarios=8",
        "--set",
        "optimiser.stochastic.frontier=[]",
    )
    assert code == 0, err
    assert out.startswith("Stress test: 8 scenarios (8 monte-carlo)")
    assert "over 8 drawn scenarios (seed 0" in out


def test_stress_csv_table(run_cli):
    code, out, err = run_cli(
        "stress",
        "--config",
        str(DEFAULT_CONFIG),
        "--scenario",
        "lynas-malaysia-outage",
        "--format",
        "csv",
        "--table",
        "exposure",
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == (
        "scenario,buyer,commodity,demand_t,planned_t,delivered_t,shortfall_t,"
        "purchase_usd,risk_charge_usd,lost_supply_usd,violation_usd,model_cost_usd"
    )
    assert len(lines) == 1 + 14


def test_bad_arguments_exit_2_with_the_reason(run_cli):
    code, out, err = run_cli("stress", "--config", str(DEFAULT_CONFIG), "--scenario", "nope")
    assert code == 2 and out == ""
    assert err.startswith("error: scenario 'nope' is not defined; valid names: china-full-ban,")
    code, _, err = run_cli(
        "stress", "--config", str(DEFAULT_CONFIG), "--scheduler", "tcp://localhost:8786"
    )
    assert (code, err) == (2, "error: --scheduler tcp://localhost:8786 needs --executor dask\n")
    code, _, err = run_cli("stress", "--config", str(DEFAULT_CONFIG), "--cvar-alpha", "1")
    assert (code, err) == (
        2,
        "error: --cvar-alpha 1: expected 0 <= A < 1 (optimiser.stochastic.alpha)\n",
    )
