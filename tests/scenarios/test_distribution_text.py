"""Monte Carlo stress results in words: a distribution (p5/p50/p95, CVaR), not every draw."""

from __future__ import annotations

import pandas as pd
import pytest

from riskengine.scenarios._text import cvar, distribution
from tests.conftest import DEFAULT_CONFIG


def test_cvar_is_the_mean_of_the_worst_tail():
    values = pd.Series([float(v) for v in range(1, 101)])
    assert cvar(values) == pytest.approx((96 + 97 + 98 + 99 + 100) / 5)
    assert cvar(pd.Series([3.0, 1.0]), 0.05) == 3.0  # at least one draw


def test_distribution_per_buyer_and_figure():
    table = pd.DataFrame(
        {
            "scenario": [f"mc-{i}" for i in range(40)] * 2,
            "buyer": ["EU"] * 40 + ["JP"] * 40,
            "exposure_shortfall_t": [float(i) for i in range(80)],
            "exposure_purchase_usd": 1e6,
            "exposure_lost_supply_usd": 0.0,
            "regret_usd": 2e6,
        }
    )
    dist = distribution(table)
    eu = dist[(dist["buyer"] == "EU") & (dist["figure"] == "plan short t")].iloc[0]
    assert eu["p50"] == pytest.approx(19.5) and eu["p5"] <= eu["p50"] <= eu["p95"]
    assert eu["cvar95"] == pytest.approx((38 + 39) / 2)  # worst 5% of 40 draws: 2
    assert len(dist) == 2 * 4


def test_monte_carlo_text_shows_the_distribution_not_every_draw(run_cli):
    code, out, _ = run_cli(
        "stress", "--config", str(DEFAULT_CONFIG), "--monte-carlo", "30", "--no-library"
    )
    assert code == 0
    assert "Over the 30 drawn (Monte Carlo) scenarios" in out and "CVaR 95%" in out
    listed = {line.split()[0] for line in out.splitlines() if line.startswith("mc-")}
    assert len(listed) == 5  # the five draws of largest regret, not all 30


def test_monte_carlo_figure_is_the_regret_distribution(run_cli, tmp_path):
    target = tmp_path / "regret.svg"
    code, _, err = run_cli(
        "stress",
        "--config",
        str(DEFAULT_CONFIG),
        "--monte-carlo",
        "30",
        "--no-library",
        "--figure",
        str(target),
    )
    assert code == 0, err
    svg = target.read_text(encoding="utf-8")
    assert "CVaR 95%" in svg and "30 drawn scenarios" in svg
    assert [p.name for p in tmp_path.iterdir()] == ["regret.svg"]  # no temporary file left


def test_a_figure_name_without_a_known_format_is_refused_before_any_work(run_cli, tmp_path):
    code, _, err = run_cli(
        "stress", "--config", str(DEFAULT_CONFIG), "--figure", str(tmp_path / "regret.txt")
    )
    assert code == 2
    assert "unknown figure format; end the name with .svg, .png, .pdf" in err


def test_the_distribution_plot_needs_drawn_scenarios():
    import riskengine
    from riskengine.plotting import plot_stress_distribution

    result = riskengine.stress(
        riskengine.load_dataset(), riskengine.load_config().one_year(), ["china-full-ban"]
    )
    with pytest.raises(riskengine.RiskEngineError, match="no drawn scenarios"):
        plot_stress_distribution(result)
