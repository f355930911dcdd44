"""Supply routes (caps and controls at every stage) and product demand with thrifting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import riskengine
from riskengine.config.schema import Config
from riskengine.optimise import optimise
from tests.conftest import DEFAULT_CONFIG, SEEDS
from tests.optimise.helpers import make_config, scores_for, tiny_dataset

DY, TB = "dysprosium", "terbium"


def _routed(routes: dict[str, str], offers: list, demand: list):
    data = tiny_dataset(offers, demand)
    route = data.suppliers["supplier_id"].map(lambda s: routes.get(s, ""))
    return data.with_tables(suppliers=data.suppliers.assign(route=route))


def test_a_concentrate_separated_in_china_counts_as_china_at_separation() -> None:
    offers = [("cn1", "CN", DY, 100, 200), ("us1", "US", DY, 100, 300), ("fr1", "FR", DY, 100, 900)]
    data = _routed({"us1": "mining:US;separation:CN"}, offers, [("EU", DY, 100)])
    data.suppliers.loc[data.suppliers["supplier_id"] == "us1", "stage"] = "mining"
    config = make_config({"max_country_share": 0.65, "enforce": "hard"})
    result = optimise(data, config, scores_for(data, config))
    bought = result.allocations.set_index("supplier_id")["tonnes"]
    # without the route 65 t CN + 35 t US would do; with it CN and US share China's 65%
    assert bought.get("cn1", 0) + bought.get("us1", 0) == pytest.approx(65.0)
    assert bought["fr1"] == pytest.approx(35.0)
    stages = result.stage_mix.set_index(["stage", "country"])["share_of_purchases"]
    assert stages[("separation", "CN")] == pytest.approx(0.65)
    row = result.metrics.iloc[0]
    assert (row["top_foreign_country"], row["top_foreign_stage"]) == ("CN", "separation")


def test_a_route_through_china_carries_chinas_export_control() -> None:
    offers = [("us1", "US", DY, 100, 300), ("au1", "AU", DY, 100, 300)]
    data = _routed({"us1": "mining:US;separation:CN"}, offers, [("EU", DY, 100)])
    controls = pd.DataFrame(
        {"country": ["CN"], "commodity": [DY], "severity": [0.5], "since": ["2025-04-04"]}
    )
    data = data.with_tables(export_controls=controls)
    config = make_config()
    scores = riskengine.score_suppliers(data, config).set_index(["buyer", "supplier_id"])
    assert scores.loc[("EU", "us1"), "export_control"] > 0
    assert scores.loc[("EU", "au1"), "export_control"] == 0


def test_shipped_japan_plan_counts_serra_verde_as_chinese_separation() -> None:
    config = riskengine.load_config(DEFAULT_CONFIG).one_year()
    result = optimise(riskengine.load_dataset(SEEDS), config)
    alloc = result.allocations.query("buyer == 'JP' and supplier_id == 'serra-verde'")
    assert len(alloc), "the shipped plan buys Serra Verde's concentrate for Japan"
    mix = result.stage_mix.query("buyer == 'JP' and commodity == @alloc.commodity.iloc[0]")
    separation = mix.query("stage == 'separation'").set_index("country")["tonnes"]
    mining = mix.query("stage == 'mining'").set_index("country")["tonnes"]
    assert mining["BR"] == pytest.approx(alloc["tonnes"].iloc[0])
    assert "BR" not in separation.index and separation["CN"] >= alloc["tonnes"].iloc[0]


def _magnets(dy_capacity: float, switch: float):
    offers = [("cn1", "CN", DY, dy_capacity, 300), ("cn2", "CN", TB, 100, 1000)]
    data = tiny_dataset(offers, [("EU", DY, 0.0)])
    bom = pd.DataFrame(
        {
            "product": ["m-bulk", "m-bulk", "m-gbd", "m-gbd"],
            "commodity": [DY, TB, DY, TB],
            "kg_per_t": [40.0, 0.0, 20.0, 0.0],
            "variant_of": ["", "", "m-bulk", "m-bulk"],
            "base_share": [0.8, 0.8, 0.2, 0.2],
            "premium_usd_per_t": [np.nan, np.nan, 3000.0, 3000.0],
            "max_switch_share_per_year": [np.nan, np.nan, switch, switch],
        }
    )
    outlook = pd.DataFrame(
        {
            "buyer": ["EU"],
            "commodity": [""],
            "demand_t": [np.nan],
            "year": [2026],
            "product": ["m-bulk"],
            "product_t": [1000.0],
        }
    )
    object.__setattr__(data, "bom", bom)
    object.__setattr__(data, "demand_outlook", outlook)
    config = make_config(shortfall_penalty_usd_per_kg=5000.0)
    config = config.model_copy(
        update={"horizon": Config.model_validate({"horizon": {"start": 2026, "end": 2026}}).horizon}
    )
    return data, config


def test_element_demand_is_product_tonnes_times_contents() -> None:
    data, config = _magnets(dy_capacity=1000, switch=0.0)  # no switching: the data-year mix
    result = optimise(data, config, scores_for(data, config))
    dy = result.shortfalls.set_index("commodity").loc[DY]
    assert dy["served_t"] == pytest.approx(1000 * (0.8 * 40 + 0.2 * 20) / 1000)  # 36 t
    # the data-year mix already pays its premiums: thrifting is what the plan adds to them
    assert result.thrifting_usd == pytest.approx(0.0, abs=1e-3)
    assert result.objective_usd == pytest.approx(result.objective_check_usd)


def test_thrifting_premium_is_the_premium_above_the_data_year_mix() -> None:
    data, config = _magnets(dy_capacity=30, switch=0.5)
    result = optimise(data, config, scores_for(data, config))
    gbd = result.products.set_index("variant").loc["m-gbd"]
    extra_t = gbd["tonnes"] - 0.2 * 1000  # product made by diffusion above its 20% base share
    assert extra_t > 0
    assert result.thrifting_usd == pytest.approx(3000 * extra_t, rel=1e-9)
    assert result.products["premium_usd"].sum() == pytest.approx(result.thrifting_usd)
    terms = [
        result.purchase_cost_usd,
        result.risk_charge_usd,
        result.lost_supply_usd,
        result.violation_usd,
        result.holding_usd,
        result.thrifting_usd,
    ]
    assert sum(terms) == pytest.approx(result.objective_usd, rel=1e-9)


def test_with_dy_scarce_the_plan_switches_variants_before_leaving_demand_unmet() -> None:
    data, config = _magnets(dy_capacity=30, switch=0.5)
    result = optimise(data, config, scores_for(data, config))
    mix = result.products.set_index("variant")["share"]
    # 30 t of Dy covers 1000 t of magnets only with >= 50% made by diffusion (40 - 20 s <= 30)
    assert mix["m-gbd"] >= 0.5 - 1e-9
    assert result.shortfall_t == pytest.approx(0.0, abs=1e-6)
    tight, tight_config = _magnets(dy_capacity=30, switch=0.1)
    capped = optimise(tight, tight_config, scores_for(tight, tight_config))
    assert capped.shortfall_t > 0  # switching limited to +10% a year: some demand is unmet
