"""Element demand from the bill of materials, demand by year, and routes by stage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskengine.data.demand import demand_by_year, element_demand, product_shares
from riskengine.data.routes import RouteError, own_stage, parse_route, route_stages

BOM = pd.DataFrame(
    {
        "product": ["ht", "ht", "gbd", "gbd", "std"],
        "commodity": ["dysprosium", "terbium", "dysprosium", "terbium", "dysprosium"],
        "kg_per_t": [46.0, 3.5, 20.0, 7.0, 1.7],
        "variant_of": ["", "", "ht", "ht", ""],
        "base_share": [0.4, 0.4, 0.6, 0.6, np.nan],
    }
)


def test_element_demand_equals_the_hand_computation():
    demand = pd.DataFrame(
        {
            "buyer": ["EU", "EU", "EU"],
            "commodity": ["", "", "dysprosium"],
            "demand_t": [np.nan, np.nan, 5.0],
            "product": ["ht", "std", ""],
            "product_t": [1000.0, 2000.0, np.nan],
        }
    )
    out = element_demand(demand, BOM).set_index("commodity")["demand_t"]
    # Dy: 1000 x (0.4 x 46 + 0.6 x 20) / 1000 + 2000 x 1.7 / 1000 + 5 = 30.4 + 3.4 + 5
    assert out["dysprosium"] == pytest.approx(38.8)
    # Tb: 1000 x (0.4 x 3.5 + 0.6 x 7) / 1000 = 5.6
    assert out["terbium"] == pytest.approx(5.6)


def test_product_shares_default_to_one_for_a_lone_base_product():
    shares = product_shares(BOM).set_index("product")
    assert shares.loc["std", "share"] == 1.0
    assert shares.loc["gbd", "family"] == "ht"
    assert shares.loc[["ht", "gbd"], "share"].sum() == pytest.approx(1.0)


def test_dated_rows_replace_undated_ones_and_the_outlook_replaces_demand():
    demand = pd.DataFrame(
        {
            "buyer": ["EU", "EU", "JP"],
            "commodity": ["dysprosium", "dysprosium", "dysprosium"],
            "demand_t": [100.0, 120.0, 50.0],
            "year": [np.nan, 2027, np.nan],
        }
    )
    years = demand_by_year(demand, [2026, 2027])
    eu = years[years["buyer"] == "EU"].set_index("year")["demand_t"]
    assert eu.to_dict() == {2026: 100.0, 2027: 120.0}
    assert (years[years["buyer"] == "JP"]["demand_t"] == 50.0).all()
    outlook = pd.DataFrame(
        {"buyer": ["EU"], "commodity": ["dysprosium"], "demand_t": [130.0], "year": [2027]}
    )
    years = demand_by_year(demand, [2026, 2027], outlook)
    assert years[years["year"] == 2027]["demand_t"].tolist() == [130.0]
    assert sorted(years[years["year"] == 2026]["demand_t"]) == [50.0, 100.0]


def test_parse_route_reads_aliases_and_rejects_bad_parts():
    assert parse_route(" mining:BR ; refining:CN ") == (("mining", "BR"), ("separation", "CN"))
    assert parse_route("") == ()
    with pytest.raises(RouteError, match="out of order"):
        parse_route("metal:GB;mining:CN")
    with pytest.raises(RouteError, match=r"not in countries\.csv"):
        parse_route("mining:ZZ", {"CN"})


def test_route_stages_add_the_offers_own_stage():
    suppliers = pd.DataFrame(
        {
            "supplier_id": ["sv", "lcm", "fr"],
            "commodity": ["dysprosium"] * 3,
            "country": ["BR", "GB", "FR"],
            "stage": ["mining", "refining", "refining"],
            "product": ["concentrate", "metal", "oxide"],
            "route": ["separation:CN", "mining:CN;separation:CN", ""],
        }
    )
    stages = route_stages(suppliers)
    got = {(r.supplier_id, r.stage): r.country for r in stages.itertuples()}
    assert got == {
        ("sv", "mining"): "BR",
        ("sv", "separation"): "CN",
        ("lcm", "mining"): "CN",
        ("lcm", "separation"): "CN",
        ("lcm", "metal"): "GB",
        ("fr", "separation"): "FR",
    }
    assert own_stage("refining", "recycled NdFeB magnet or alloy") == "magnet"
