"""Scenario model: selectors, factors, applying to tables, and exact error texts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskengine.exceptions import RiskEngineError
from riskengine.scenarios import apply_scenario, compile_scenario
from tests.scenarios.conftest import scenario


def test_capacity_multiplier_hits_only_the_selected_rows(seeds):
    _, data, _ = seeds
    shocked = apply_scenario(
        data,
        scenario(
            capacity=[{"factor": 0.5, "country": ["CN"], "commodity": ["dysprosium", "terbium"]}]
        ),
    )
    before, after = data.suppliers, shocked.suppliers
    hit = (before["country"] == "CN") & before["commodity"].isin(["dysprosium", "terbium"])
    assert np.array_equal(after["capacity_t"][hit], before["capacity_t"][hit] * 0.5)
    assert np.array_equal(after["capacity_t"][~hit], before["capacity_t"][~hit])
    assert after["price_usd_per_kg"].equals(before["price_usd_per_kg"])
    assert shocked.demand["demand_t"].equals(data.demand["demand_t"])


def test_an_empty_selector_matches_every_row_and_multipliers_compound(seeds):
    _, data, _ = seeds
    effect = compile_scenario(
        data, scenario(price=[{"factor": 2.0}, {"factor": 3.0, "commodity": ["yttrium"]}])
    )
    yttrium = (data.suppliers["commodity"] == "yttrium").to_numpy()
    assert np.array_equal(effect.price, np.where(yttrium, 6.0, 2.0))
    assert effect.capacity is None and effect.demand is None


def test_country_selectors_accept_blocs_and_exclusions(seeds):
    _, data, _ = seeds
    eu = compile_scenario(data, scenario(capacity=[{"factor": 0, "country": ["EU"]}]))
    members = data.countries.loc[data.countries["bloc"] == "EU", "country"]
    in_eu = data.suppliers["country"].isin(members).to_numpy()
    assert np.array_equal(eu.capacity == 0, in_eu)
    ex_china = compile_scenario(data, scenario(price=[{"factor": 3, "not_country": ["CN"]}]))
    assert np.array_equal(ex_china.price == 3, (data.suppliers["country"] != "CN").to_numpy())


def test_chinese_technology_selector_and_buyer_specific_cuts(seeds):
    _, data, _ = seeds
    effect = compile_scenario(
        data,
        scenario(
            capacity=[
                {"factor": 0.15, "chinese_technology": True, "not_country": ["CN"]},
                {"factor": 0, "country": ["CN"], "buyer": ["JP"]},
            ]
        ),
    )
    hit = sorted(set(data.suppliers["supplier_id"][effect.capacity == 0.15]))
    assert hit == ["lcm-uk", "serra-verde"]
    cn = (data.suppliers["country"] == "CN").to_numpy()
    assert effect.buyers == ("EU", "JP")
    assert np.array_equal(effect.availability[1] == 0, cn)
    assert np.all(effect.availability[0] == 1)
    shocked = apply_scenario(data, effect)
    assert np.array_equal(shocked.suppliers["capacity_factor_JP"] == 0, cn)
    assert np.array_equal(
        shocked.suppliers["capacity_t"], data.suppliers["capacity_t"] * effect.capacity
    )


def test_demand_multiplier_by_buyer_and_commodity(seeds):
    _, data, _ = seeds
    shocked = apply_scenario(
        data, scenario(demand=[{"factor": 1.5, "buyer": ["EU"], "commodity": ["dysprosium"]}])
    )
    changed = shocked.demand["demand_t"] != data.demand["demand_t"]
    assert shocked.demand[changed][["buyer", "commodity", "demand_t"]].values.tolist() == [
        ["EU", "dysprosium", 328.5]
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"capacity": [{"factor": 0, "country": ["XX"]}]},
            "scenario 'test': capacity[0].country = 'XX' matches no row of suppliers.csv; valid "
            "values: AU, BR, CA, CN, DE, EE, EU, FR, GB, IN, JP, MY, US, VN, ZA",
        ),
        (
            {"price": [{"factor": 2, "supplier": ["lynas"]}]},
            "scenario 'test': price[0].supplier = 'lynas' matches no row of suppliers.csv; valid "
            "values: arafura-nolans, caremag, caremag-recycling, cn-northern, creg, energy-fuels-wm, "
            "hypromag-de, hypromag-uk, iluka-eneabba, irel, lcm-uk, lynas-my, lynas-my-hrex, "
            "mp-mountain-pass, neo-silmet, rainbow-phalaborwa, reelement-us, rio-tinto-rtft, "
            "serra-verde, shenghe, shin-etsu-vn, smm-harima, solvay-lr, solvay-lr-recycling",
        ),
        (
            {"capacity": [{"factor": 0, "buyer": ["US"]}]},
            "scenario 'test': capacity[0].buyer = 'US' is not a buyer with demand; valid values: EU, JP",
        ),
        (
            {"demand": [{"factor": 2, "country": ["CN"]}]},
            "scenario 'test': demand[0].country does not apply to demand; demand rows are selected by "
            "buyer and commodity",
        ),
        (
            {"demand": [{"factor": 2, "commodity": ["neodymium"]}]},
            "scenario 'test': demand[0].commodity = 'neodymium' matches no row of demand.csv; valid "
            "values: dysprosium, gadolinium, lutetium, samarium, scandium, terbium, yttrium",
        ),
        (
            {
                "capacity": [
                    {"factor": 1},
                    {"factor": 0, "country": ["CN"], "supplier": ["lynas-my"]},
                ]
            },
            "scenario 'test': capacity[1]: country [CN] and supplier [lynas-my] select no offer "
            "together; loosen one of the selectors",
        ),
    ],
)
def test_a_selector_that_matches_nothing_is_an_error(seeds, fields, message):
    _, data, _ = seeds
    with pytest.raises(RiskEngineError) as caught:
        compile_scenario(data, scenario(**fields))
    assert str(caught.value) == message


def test_a_selector_on_a_missing_column_is_an_error(small):
    _, data, _ = small
    with pytest.raises(RiskEngineError) as caught:
        compile_scenario(data, scenario(capacity=[{"factor": 0, "chinese_technology": True}]))
    assert str(caught.value) == (
        "scenario 'test': capacity[0].chinese_technology: suppliers.csv has no "
        "chinese_technology column; add it (true/false per offer) or drop the selector"
    )


_COUNTRIES = ["CN", "AU", "US", "FR", "MY", "EU", "GB"]
_COMMODITIES = ["dysprosium", "terbium", "yttrium", "samarium"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    country=st.lists(st.sampled_from(_COUNTRIES), max_size=2, unique=True),
    commodity=st.lists(st.sampled_from(_COMMODITIES), max_size=2, unique=True),
    key=st.sampled_from(["capacity", "price"]),
)
def test_a_factor_of_one_changes_nothing(seeds, country, commodity, key):
    _, data, _ = seeds
    rule = {"factor": 1.0, "country": country, "commodity": commodity}
    try:
        effect = compile_scenario(data, scenario(**{key: [rule]}))
    except RiskEngineError as exc:  # some combinations select no offer, which must say so
        assert "select no offer together" in str(exc)
        return
    assert effect.is_noop
    assert (
        apply_scenario(data, effect)
        .suppliers[["capacity_t", "price_usd_per_kg"]]
        .equals(data.suppliers[["capacity_t", "price_usd_per_kg"]].reset_index(drop=True))
    )
