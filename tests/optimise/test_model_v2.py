"""The decision model of contract 5.2 on the shipped data: risk moves the mix, money is honest."""

from __future__ import annotations

import itertools
import re

import pandas as pd
import pytest

import riskengine
from riskengine.optimise import frontier, optimise
from riskengine.optimise.cost_risk import lambda_grid
from tests.conftest import DEFAULT_CONFIG, SEEDS
from tests.optimise.helpers import make_config, scores_for, tiny_dataset

DY = "dysprosium"


@pytest.fixture(scope="module")
def shipped():
    # the model core on the capacity usable now (the horizon has tests of its own)
    config = riskengine.load_config(DEFAULT_CONFIG).one_year()
    return config, riskengine.load_dataset(SEEDS)


@pytest.fixture(scope="module")
def sweep(shipped):
    config, data = shipped
    return frontier(data, config, config.report.frontier_points)


def china_share(result) -> pd.Series:
    """China's share of purchases per commodity, both buyers together."""
    alloc = result.allocations
    china = alloc.loc[alloc["country"] == "CN"].groupby("commodity")["tonnes"].sum()
    return (china / alloc.groupby("commodity")["tonnes"].sum()).fillna(0.0)


def test_china_share_falls_with_risk_aversion_where_ex_china_supply_allows(shipped, sweep):
    config, data = shipped
    assert sweep.points["risk_aversion"].tolist() == lambda_grid(config.report.frontier_points)
    low, high = china_share(sweep.results[0]), china_share(sweep.results[-1])
    demand = data.demand.groupby("commodity")["demand_t"].sum()
    usable = {str(k): v for k, v in config.optimiser.status_availability.items()}
    offers = data.suppliers.assign(
        usable_t=data.suppliers["capacity_t"] * data.suppliers["status"].map(usable)
    )
    # ex-China: no stage of the route in China (a concentrate separated in China carries its risk)
    through_china = offers["route"].fillna("").str.contains(":CN", regex=False)
    ex_china = offers[(offers["country"] != "CN") & ~through_china]
    ex_china = ex_china.groupby("commodity")["usable_t"].sum()
    for commodity in demand.index:
        floor = max(0.0, 1.0 - ex_china.get(commodity, 0.0) / demand[commodity])
        possible = low[commodity] - floor  # the most China's share can fall
        required = min(0.10, possible) - 1e-6
        assert low[commodity] - high[commodity] >= required, (commodity, low, high, floor)
    big = [c for c in demand.index if low[c] - max(0.0, 1 - ex_china.get(c, 0) / demand[c]) > 0.1]
    assert len(big) >= 3  # dysprosium, terbium, scandium at least


def test_the_mix_changes_at_several_grid_points(sweep):
    mixes = [
        tuple(r.allocations[["buyer", "supplier_id", "commodity", "tonnes"]].round(3).itertuples())
        for r in sweep.results
    ]
    changes = sum(a != b for a, b in itertools.pairwise(mixes))
    assert changes >= 3
    assert (sweep.points["shortfall_t"] < 1e-6).all()  # risk aversion never leaves demand unmet


def test_shadow_prices_name_their_driver_and_stay_below_the_lost_supply_value(shipped):
    config, data = shipped
    result = optimise(data, config)
    assert result.is_optimal and len(result.binding) >= 5
    top = result.binding.head(5)
    value = data.commodities.set_index("commodity")["lost_supply_value_usd_per_kg"]
    assert (top["driver"] != "").all()
    assert (top["shadow_price_usd_per_kg"].abs() < top["commodity"].map(value)).all()
    assert all(re.search(r"USD [\d,]+/kg \(of which ", s) for s in top["sentence"])


def test_default_plan_serves_all_demand_and_keeps_money_apart(shipped):
    config, data = shipped
    result = optimise(data, config)
    assert result.shortfall_t == pytest.approx(0.0, abs=1e-6)  # supply exists for every need
    terms = (
        result.purchase_cost_usd
        + result.holding_usd
        + result.risk_charge_usd
        + result.lost_supply_usd
        + result.violation_usd
    )
    assert terms == pytest.approx(result.objective_usd, rel=1e-9)
    assert result.risk_charge_usd == pytest.approx(result.expected_loss_usd)  # lambda = 1
    eu = result.metrics.query("buyer == 'EU'")
    assert eu["crma_compliant"].notna().all()


def test_a_commodity_with_nothing_bought_is_not_called_compliant() -> None:
    data = tiny_dataset([("cn1", "CN", DY, 10, 100)], [("EU", DY, 50), ("EU", "terbium", 5)])
    config = make_config({"max_country_share": 0.65})
    result = optimise(data, config, scores_for(data, config))
    terbium = result.metrics.set_index("commodity").loc["terbium"]
    assert terbium["served_t"] == 0 and pd.isna(terbium["crma_compliant"])
    assert "n/a" in result.summary()


def test_lexicographic_serves_first_where_value_would_not_buy() -> None:
    # the only offer costs more than the lost-supply value: by value the plan buys nothing
    data = tiny_dataset([("de1", "DE", DY, 100, 500)], [("EU", DY, 80)])
    by_value = make_config(shortfall_penalty_usd_per_kg=400.0)
    scores = scores_for(data, by_value)
    value_plan = optimise(data, by_value, scores)
    assert value_plan.shortfall_t == pytest.approx(80.0)
    first = make_config(shortfall_penalty_usd_per_kg=400.0, shortfall="lexicographic")
    served = optimise(data, first, scores)
    assert served.is_optimal and served.shortfall_t == pytest.approx(0.0, abs=1e-6)
    assert served.purchase_cost_usd == pytest.approx(1000 * 500 * 80)


def test_lexicographic_then_minimises_cost_among_plans_that_serve_the_most() -> None:
    offers = [("cn1", "CN", DY, 60, 100), ("de1", "DE", DY, 30, 900), ("fr1", "FR", DY, 30, 300)]
    data = tiny_dataset(offers, [("EU", DY, 100)])
    config = make_config(shortfall_penalty_usd_per_kg=250.0, shortfall="lexicographic")
    result = optimise(data, config, scores_for(data, config))
    bought = result.allocations.set_index("supplier_id")["tonnes"].to_dict()
    assert bought == pytest.approx({"cn1": 60.0, "fr1": 30.0, "de1": 10.0})  # cheapest first
    for backend in ("highs", "pulp"):
        again = optimise(data, config, scores_for(data, config), backend=backend)
        assert again.objective_usd == pytest.approx(result.objective_usd, rel=1e-9)


def test_a_version_one_configuration_still_runs_as_version_one(tmp_path) -> None:
    path = tmp_path / "v1.yaml"
    path.write_text(
        f"data:\n  dir: {SEEDS}\noptimiser:\n  max_country_share: 0.65\n  risk_aversion: 1\n",
        encoding="utf-8",
    )
    config = riskengine.load_config(path)
    result = optimise(riskengine.load_dataset(config.data.dir), config)
    assert result.is_optimal and result.model["version"] == 1
    assert result.notes and result.notes[0].startswith("deprecated: this configuration sets")
    assert "price x risk" in result.model["risk_charge"]
    # hard caps on demand: no non-home country above 65% of any buyer's demand
    mix = result.mix_by_country
    assert (mix.loc[mix["relation"] != "home", "share_of_demand"] <= 0.65 + 1e-9).all()
