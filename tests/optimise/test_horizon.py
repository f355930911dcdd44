"""The planning horizon: capacity and demand by year, licences, offtakes, strategic stocks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.optimise import optimise
from riskengine.optimise.variables import capacity_share
from tests.optimise.helpers import make_config, scores_for, tiny_dataset

DY = "dysprosium"
YEARS = {"horizon": {"start": 2026, "end": 2029}}
OFFERS = [
    ("cn1", "CN", DY, 1000, 200),
    ("fr1", "FR", DY, 90, 900),  # Caremag-like: from 2027, two ramp years
]


def _config(policy: dict | None = None, **opt: object) -> Config:
    base = make_config(policy, shortfall_penalty_usd_per_kg=2000.0, **opt)
    return base.model_copy(update={"horizon": Config.model_validate(YEARS).horizon})


def _data(demand: list | None = None, **columns: list) -> Dataset:
    data = tiny_dataset(OFFERS, demand or [("EU", DY, 100), ("JP", DY, 100)])
    return data.with_tables(suppliers=data.suppliers.assign(**columns))


def _run(data: Dataset, config: Config):
    scores = scores_for(data, config).assign(disruption_probability=0.0)
    result = optimise(data, config, scores)
    assert result.is_optimal, result.message
    return result


def test_capacity_by_year_follows_start_ramp_and_commissioning() -> None:
    data = _data(
        available_from=[np.nan, 2027], ramp_years=[0, 2], commissioning_probability=[1.0, 0.9]
    )
    share = capacity_share(data, _config(), (2026, 2027, 2028, 2029))
    assert share[0].tolist() == [1, 1, 1, 1]
    assert share[1] == pytest.approx([0.0, 0.3, 0.6, 0.9])  # 1/3, 2/3, 1 of 90%


def test_nothing_is_bought_before_a_plant_starts_nor_above_its_ramp() -> None:
    data = _data(available_from=[np.nan, 2027], ramp_years=[0, 2])
    result = _run(data, _config({"max_country_share": 0.65, "violation_usd_per_kg": 1500.0}))
    fr = result.allocations.query("supplier_id == 'fr1'").groupby("year")["tonnes"].sum()
    assert 2026 not in fr.index
    for year, tonnes in fr.items():
        assert tonnes <= 90 * min(1.0, (year - 2027 + 1) / 3) + 1e-6
    assert set(result.allocations["year"]) == {2026, 2027, 2028, 2029}
    assert result.metrics[["buyer", "commodity", "year"]].duplicated().sum() == 0


def test_demand_by_year_overrides_the_yearless_row() -> None:
    data = _data(demand=[("EU", DY, 100), ("JP", DY, 50)])
    dated = data.demand.assign(year=np.nan)
    extra = pd.DataFrame({"buyer": ["EU"], "commodity": [DY], "demand_t": [300.0], "year": [2028]})
    data = data.with_tables(demand=pd.concat([dated, extra], ignore_index=True))
    result = _run(data, _config())
    eu = result.shortfalls.query("buyer == 'EU'").set_index("year")["demand_t"]
    assert eu.to_dict() == {2026: 100, 2027: 100, 2028: 300, 2029: 100}


def test_licence_approval_share_limits_what_a_buyer_receives() -> None:
    data = _data()
    controls = pd.DataFrame(
        {
            "country": ["CN"],
            "commodity": [DY],
            "severity": [0.5],
            "since": ["2025-04-04"],
            "destination": ["JP"],
            "approval_rate": [0.05],
        }
    )
    data = data.with_tables(export_controls=controls)
    result = _run(data, _config())
    jp_cn = result.allocations.query("buyer == 'JP' and supplier_id == 'cn1'")
    assert (jp_cn["tonnes"] <= 0.05 * 1000 + 1e-6).all()
    eu_cn = result.allocations.query("buyer == 'EU' and supplier_id == 'cn1'")
    assert eu_cn["tonnes"].sum() == pytest.approx(4 * 100)  # the EU is not named: no limit


def test_an_offtake_binds_its_buyer_in_joint_mode() -> None:
    data = _data(available_from=[np.nan, 2026])
    contracts = pd.DataFrame(
        {
            "buyer": ["JP"],
            "supplier_id": ["fr1"],
            "commodity": [DY],
            "tonnes_per_year": [60.0],
            "from_year": [2027],
            "to_year": [2029],
        }
    )
    data = data.with_tables(suppliers=data.suppliers)
    object.__setattr__(data, "contracts", contracts)
    result = _run(data, _config())  # without the contract nobody buys fr1 (dearer)
    jp = result.allocations.query("buyer == 'JP' and supplier_id == 'fr1'")
    assert jp.set_index("year")["tonnes"].to_dict() == pytest.approx(
        {2027: 60.0, 2028: 60.0, 2029: 60.0}
    )
    assert result.allocations.query("buyer == 'EU' and supplier_id == 'fr1'").empty


def test_stocks_carry_between_years_and_meet_their_target() -> None:
    data = _data(demand=[("JP", DY, 365)])
    stocks = pd.DataFrame(
        {
            "buyer": ["JP"],
            "commodity": [DY],
            "opening_t": [10.0],
            "max_t": [500.0],
            "holding_usd_per_kg_year": [5.0],
        }
    )
    object.__setattr__(data, "stocks", stocks)
    config = _config()
    target = config.model_copy(
        update={
            "buyers": {
                **config.buyers,
                "JP": config.buyers["JP"].model_copy(update={"stock_target_days": 60}),
            }
        }
    )
    result = _run(data, target)
    bought = result.allocations.groupby("year")["tonnes"].sum()
    # year one buys demand plus the stock build-up to 60 days (60 t) less the opening 10 t
    assert bought[2026] == pytest.approx(365 + 60 - 10)
    assert [bought[y] for y in (2027, 2028, 2029)] == pytest.approx([365.0] * 3)
    assert result.holding_usd == pytest.approx(1000 * 5.0 * 60 * 4)
    assert result.purchase_cost_usd + result.holding_usd + result.violation_usd + (
        result.risk_charge_usd + result.lost_supply_usd
    ) == pytest.approx(result.objective_usd)
