"""The shipped version-2 data: timing, routes, approval rates, channels, offtakes, stocks, bom."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskengine import load_dataset
from riskengine.data.demand import element_demand
from riskengine.data.routes import route_stages
from riskengine.enums import COMMODITIES
from tests.conftest import SEEDS

DATA = load_dataset(SEEDS)


def _offer(supplier_id: str, commodity: str) -> pd.Series:
    s = DATA.suppliers
    return s[(s["supplier_id"] == supplier_id) & (s["commodity"] == commodity)].iloc[0]


def test_every_offer_has_timing_and_producers_are_available_now():
    s = DATA.suppliers
    assert s["commissioning_probability"].notna().all()
    assert s["ramp_years"].notna().all()
    producing = s[s["status"] == "producing"]
    assert producing["available_from"].isna().all()
    assert (producing["commissioning_probability"] == 1).all()
    not_yet = s[s["status"] == "planned"]
    assert (not_yet["commissioning_probability"] < 1).all()


@pytest.mark.parametrize(
    ("supplier_id", "commodity", "year"),
    [
        ("caremag", "dysprosium", 2027),  # start-up end 2026, Japan offtake from 2027
        ("energy-fuels-wm", "dysprosium", 2027),  # Donald feed from 2027
        ("lynas-my-hrex", "samarium", 2026),  # new plant, April 2026
        ("iluka-eneabba", "terbium", 2027),
        ("rainbow-phalaborwa", "dysprosium", 2028),
    ],
)
def test_plants_not_producing_start_when_the_sources_say(supplier_id, commodity, year):
    assert _offer(supplier_id, commodity)["available_from"] == year


def test_routes_put_china_where_the_material_is_separated():
    stages = route_stages(DATA.suppliers)
    sep = stages[stages["stage"] == "separation"].set_index(["supplier_id", "commodity"])
    assert sep.loc[("serra-verde", "dysprosium"), "country"] == "CN"
    assert sep.loc[("lcm-uk", "dysprosium"), "country"] == "CN"
    assert sep.loc[("lynas-my", "terbium"), "country"] == "MY"
    mining = stages[stages["stage"] == "mining"].set_index(["supplier_id", "commodity"])
    assert mining.loc[("lynas-my", "terbium"), "country"] == "AU"
    assert mining.loc[("neo-silmet", "samarium"), "country"] == "US"
    assert mining.loc[("energy-fuels-wm", "samarium"), "country"] == "AU"


def test_recycled_feed_is_its_own_offer_and_the_caremag_total_is_kept():
    stages = route_stages(DATA.suppliers)
    recycled = set(stages.loc[stages["stage"] == "recycling", "supplier_id"])
    assert {"caremag-recycling", "hypromag-uk", "hypromag-de", "solvay-lr-recycling"} <= recycled
    total = (
        _offer("caremag", "dysprosium")["capacity_t"]
        + _offer("caremag-recycling", "dysprosium")["capacity_t"]
    )
    assert total == 510


def test_approval_rates_by_destination():
    c = DATA.export_controls
    ann18 = c[(c["country"] == "CN") & (c["since"] == pd.Timestamp("2025-04-04"))]
    assert set(ann18.loc[ann18["destination"] == "EU", "commodity"]) == set(COMMODITIES)
    assert ann18["approval_rate"].between(0, 1).all()
    jp = c[(c["destination"] == "JP") & (c["since"] == pd.Timestamp("2026-01-06"))]
    assert len(jp) == len(COMMODITIES) and jp["approval_rate"].notna().all()
    assert jp["approval_basis"].str.startswith("judgement").all()
    eu_dy = ann18[(ann18["destination"] == "EU") & (ann18["commodity"] == "dysprosium")]
    assert float(eu_dy["approval_rate_low"].iloc[0]) == pytest.approx(19 / 141, abs=0.01)


def test_the_october_package_stays_suspended_with_its_end_date():
    c = DATA.export_controls
    suspended = c[~c["in_force"]]
    assert (suspended["until"] == pd.Timestamp("2026-11-10")).all()
    assert suspended["vintage"].str.contains("no stored source").all()


def test_export_channels_cover_eu_and_japan_for_dysprosium_and_terbium():
    f = DATA.export_flows
    for commodity in ("dysprosium", "terbium"):
        for dest in ("EU", "JP", ""):
            rows = f[(f["commodity"] == commodity) & (f["destination"] == dest)]
            assert set(rows["year"]) == {2024, 2025}
            assert set(rows["form"]) == {"oxide", "magnet"}
    # Japan's dysprosium oxide fell 95% (S105)
    jp = f[(f["commodity"] == "dysprosium") & (f["destination"] == "JP") & (f["form"] == "oxide")]
    by_year = jp.set_index("year")["tonnes"]
    assert by_year[2025] / by_year[2024] == pytest.approx(0.05, abs=0.01)
    # an oxide tonne abroad costs the ex-China price, a magnet tonne the domestic one
    oxide25 = f[(f["form"] == "oxide") & (f["year"] == 2025) & (f["commodity"] == "dysprosium")]
    assert (oxide25["price_usd_per_kg"] == 850).all()


def test_real_offtakes_are_bound_to_japan_within_capacity():
    k = DATA.contracts.set_index(["buyer", "supplier_id", "commodity"])
    assert k.loc[("JP", "caremag", "dysprosium"), "tonnes_per_year"] == 250
    assert k.loc[("JP", "caremag", "terbium"), "tonnes_per_year"] == 45
    assert k.loc[("JP", "caremag", "dysprosium"), "from_year"] == 2027
    assert k.loc[("JP", "lynas-my", "dysprosium"), "binding"] == "reserved"


def test_stocks_carry_the_jogmec_target_and_no_eu_stock():
    st = DATA.stocks.set_index(["buyer", "commodity"])
    assert (st.xs("JP")["target_days"] == 60).all()
    assert (st.xs("EU")["opening_t"] == 0).all()
    assert (st["opening_t"] <= st["max_t"]).all()


def test_shipped_demand_is_the_bill_of_materials_at_2025_shares():
    outlook = DATA.demand_outlook
    rows = outlook[outlook["year"] == 2026]
    derived = element_demand(rows, DATA.bom).set_index(["buyer", "commodity"])["demand_t"]
    shipped = DATA.demand.set_index(["buyer", "commodity"])["demand_t"]
    ratio = derived / shipped.reindex(derived.index)
    # 2026 = 2025 x (1.02 to 1.05); demand.csv rounds to whole tonnes
    assert ratio.between(1.0, 1.07).all(), ratio[~ratio.between(1.0, 1.07)]


def test_outlook_grows_every_year():
    o = DATA.demand_outlook
    products = o[o["product"].fillna("") != ""].pivot_table(
        index=["buyer", "product"], columns="year", values="product_t"
    )
    assert (np.diff(products.to_numpy(), axis=1) > 0).all()
