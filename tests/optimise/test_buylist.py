"""The buy list: the plan as a purchase order (issue 19, point 1)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import riskengine
from riskengine import buy_list
from riskengine.optimise.buylist import BUY_LIST_COLUMNS, buy_list_text
from tests.conftest import DEFAULT_CONFIG, SEEDS


@pytest.fixture(scope="module")
def data() -> riskengine.Dataset:
    return riskengine.load_dataset(SEEDS)


@pytest.fixture(scope="module")
def plan(data: riskengine.Dataset) -> riskengine.OptimisationResult:
    return riskengine.optimise(data, riskengine.load_config(DEFAULT_CONFIG))


@pytest.fixture(scope="module")
def orders(plan, data) -> pd.DataFrame:
    return buy_list(plan, data)


def test_columns_and_one_row_per_purchase(orders, plan):
    assert orders.columns.tolist() == BUY_LIST_COLUMNS
    assert len(orders) == len(plan.allocations)
    keys = ["buyer", "supplier_id", "commodity", "year"]
    assert not orders.duplicated(keys).any()
    assert (orders["tonnes"] > 0).all()


def test_tonnes_add_up_to_what_the_plan_buys(orders, plan):
    keys = ["buyer", "commodity", "year"]
    listed = orders.groupby(keys)["tonnes"].sum()
    bought = plan.shortfalls.set_index(keys)["bought_t"]
    both = pd.concat([listed, bought], axis=1).fillna(0.0)
    assert np.allclose(both["tonnes"], both["bought_t"], atol=1e-6)
    assert orders["purchase_usd"].sum() == pytest.approx(plan.purchase_cost_usd, rel=1e-9)


def test_money_is_tonnes_times_price(orders):
    expected = orders["tonnes"] * 1000.0 * orders["price_usd_per_kg"]
    assert np.allclose(orders["purchase_usd"], expected, rtol=1e-9)


def test_sorted_by_buyer_commodity_year_then_largest_order(orders):
    keys = ["buyer", "commodity", "year"]
    assert orders[keys].equals(orders.sort_values(keys, kind="stable")[keys])
    for _, part in orders.groupby(keys):
        assert part["purchase_usd"].is_monotonic_decreasing


def test_names_routes_and_terms_come_from_the_data(orders, data):
    sup = data.suppliers.set_index(["supplier_id", "commodity"])
    row = orders[orders["supplier_id"] == "serra-verde"].iloc[0]
    assert row["name"] == sup.loc[("serra-verde", row["commodity"]), "name"]
    assert row["route"] == "mining:BR;separation:CN"  # suppliers.csv route, stage by stage
    assert set(orders["terms"]) <= {"spot", "offtake", "offtake + spot"}
    # JP's minimum offtake with Caremag (contracts.csv, from 2027) is bought as an offtake
    caremag = orders[(orders["buyer"] == "JP") & (orders["supplier_id"] == "caremag")]
    assert len(caremag) and (caremag["year"] >= 2027).all()
    assert caremag["terms"].str.startswith("offtake").all()
    assert (orders.loc[orders["buyer"] == "EU", "terms"] == "spot").all()


def test_one_year_and_no_dataset(plan):
    first = buy_list(plan.for_year(plan.years[0]))
    assert "name" not in first.columns
    assert set(first["year"]) == {plan.years[0]}


def test_without_routes_the_route_is_the_sellers_country():
    data = riskengine.generate_dataset(n_offers=30, seed=1)
    result = riskengine.optimise(data, riskengine.Config())
    orders = buy_list(result, data)
    assert len(orders) and "route" not in data.suppliers.columns
    assert (orders["route"] == orders["country"]).all()
    assert (orders["terms"] == "spot").all()  # the one-period model reads no offtakes


def test_text_has_a_total_per_buyer(plan, data):
    first = buy_list(plan.for_year(plan.years[0]), data)
    text = buy_list_text(first, limit=3)
    eu = first[first["buyer"] == "EU"]
    assert f"EU: {len(eu)} orders, {eu['tonnes'].sum():,.1f} t to buy" in text
    assert f"({len(eu) - 3} smaller orders not shown)" in text
    assert buy_list_text(first.iloc[0:0]) == "(nothing to buy)"
