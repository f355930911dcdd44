"""The LP as data: columns, bounds and rows of each constraint family."""

from __future__ import annotations

import numpy as np
import pytest

from riskengine.exceptions import ConfigError, RiskEngineError
from riskengine.optimise import build_problem
from tests.optimise.helpers import make_config, scores_for, tiny_dataset

OFFERS = [
    ("cn1", "CN", "dysprosium", 500.0, 100.0),
    ("cn2", "CN", "dysprosium", 500.0, 110.0),
    ("de1", "DE", "dysprosium", 500.0, 200.0),
    ("au1", "AU", "dysprosium", 30.0, 150.0),
    ("jp1", "JP", "terbium", 10.0, 900.0),
]
DEMAND = [("EU", "dysprosium", 100.0), ("JP", "dysprosium", 50.0), ("EU", "terbium", 0.0)]


def _problem(mode: str = "joint", **opt: object):
    data = tiny_dataset(OFFERS, DEMAND)
    config = make_config(**opt)
    return build_problem(data, config, scores_for(data, config), mode)


def test_columns_are_pairs_with_demand_times_offers_then_shortfalls() -> None:
    p = _problem()
    x = p.columns.iloc[: p.n_x]
    assert p.n_x == 8 and p.n_cols == 10  # terbium has no demand: no columns
    assert list(x["buyer"]) == ["EU"] * 4 + ["JP"] * 4
    assert list(x["supplier_id"][:4]) == ["au1", "cn1", "cn2", "de1"]
    assert list(p.columns["kind"][8:]) == ["shortfall", "shortfall"]


def test_costs_are_usd_per_tonne_and_bounds_kilotonnes() -> None:
    data = tiny_dataset(OFFERS, DEMAND)
    config = make_config(risk_aversion=2.0)
    scores = scores_for(data, config, lambda b, o: 50.0)
    p = build_problem(data, config, scores)
    assert p.cost[1] == pytest.approx(1000 * 100.0 * (1 + 2.0 * 50 / 100))
    assert p.cost[8] == pytest.approx(1000 * 10_000.0)  # shortfall penalty, USD/t
    assert p.upper[0] == pytest.approx(100.0 / 1000)  # au1 shared: a capacity row, sigma*D bound
    assert p.upper[4] == pytest.approx(50.0 / 1000)  # JP au1: sigma*D = 50 t


def test_joint_capacity_rows_only_for_offers_several_buyers_can_buy() -> None:
    p = _problem()
    cap = next(b for b in p.blocks if b.family == "capacity")
    assert list(cap.rows["supplier_id"]) == ["au1", "cn1", "cn2", "de1"]
    assert (cap.matrix.getnnz(axis=1) == 2).all()
    assert cap.upper * 1000 == pytest.approx([30, 500, 500, 500])


def test_separate_mode_splits_capacity_pro_rata_as_bounds() -> None:
    p = _problem("separate")
    assert "capacity" not in [b.family for b in p.blocks]
    x = p.columns.iloc[: p.n_x].set_index(["buyer", "supplier_id"])
    assert x.loc[("EU", "au1"), "ub_t"] == pytest.approx(30 * 100 / 150)
    assert x.loc[("JP", "au1"), "ub_t"] == pytest.approx(30 * 50 / 150)
    assert x.loc[("EU", "au1"), "ub_source"] == "capacity"
    assert x.loc[("EU", "cn1"), "ub_source"] == "supplier_cap"


def test_country_caps_skip_home_and_use_overrides() -> None:
    p = _problem(country_share_overrides={"CN": 0.5})
    block = next(b for b in p.blocks if b.family == "country_cap")
    rows = block.rows.set_index(["buyer", "country"])
    assert ("EU", "DE") not in rows.index  # DE is in the EU bloc: home for EU
    assert ("JP", "DE") in rows.index
    assert rows.loc[("EU", "CN"), "share"] == 0.5
    assert rows.loc[("EU", "CN"), "rhs_t"] == pytest.approx(50.0)
    assert rows.loc[("JP", "AU"), "rhs_t"] == pytest.approx(0.65 * 50)
    assert block.matrix[rows.index.get_loc(("EU", "CN"))].nnz == 2  # cn1 and cn2


def test_supplier_cap_is_a_bound() -> None:
    p = _problem(max_supplier_share=0.4)
    x = p.columns.iloc[: p.n_x].set_index(["buyer", "supplier_id"])
    assert x.loc[("EU", "cn1"), "ub_t"] == pytest.approx(40.0)
    assert x.loc[("JP", "au1"), "ub_t"] == pytest.approx(20.0)


def test_partner_floor_coefficients_and_absence_at_zero() -> None:
    assert "partner_floor" not in [b.family for b in _problem().blocks]
    p = _problem(min_partner_share=0.3)
    block = next(b for b in p.blocks if b.family == "partner_floor")
    row = block.matrix[0].toarray().ravel()[:4]  # EU: au1 (partner), cn1, cn2, de1 (home)
    assert row == pytest.approx([0.7, -0.3, -0.3, 0.7])
    assert block.lower == pytest.approx([0, 0]) and np.isinf(block.upper).all()


def test_demand_rows_are_equalities_with_one_shortfall_each() -> None:
    p = _problem()
    block = p.blocks[0]
    assert block.family == "demand"
    assert block.lower * 1000 == pytest.approx([100.0, 50.0])
    assert (block.lower == block.upper).all()
    assert block.matrix[:, 8:].toarray() == pytest.approx(np.eye(2))


def test_input_order_does_not_change_the_problem() -> None:
    data = tiny_dataset(OFFERS, DEMAND)
    shuffled = tiny_dataset(OFFERS[::-1], DEMAND[::-1])
    config = make_config(min_partner_share=0.2)
    a = build_problem(data, config, scores_for(data, config))
    b = build_problem(shuffled, config, scores_for(shuffled, config))
    assert (a.matrix != b.matrix).nnz == 0
    assert a.cost == pytest.approx(b.cost)
    assert a.rows.equals(b.rows)


def test_repr_names_mode_and_sizes() -> None:
    text = repr(_problem())
    assert text.startswith("Problem(mode=joint, risk_aversion=0, columns=10 (x=8)")
    assert "capacity=4" in text


def test_unknown_buyer_in_demand_is_a_config_error() -> None:
    data = tiny_dataset(OFFERS, [("KR", "dysprosium", 10.0)])
    config = make_config()
    with pytest.raises(ConfigError, match="buyer\\(s\\) 'KR' that the configuration lacks"):
        build_problem(data, config, scores_for(data, config))


def test_missing_score_is_named() -> None:
    data = tiny_dataset(OFFERS, DEMAND)
    config = make_config()
    scores = scores_for(data, config)
    scores = scores[~((scores["buyer"] == "JP") & (scores["supplier_id"] == "cn2"))]
    with pytest.raises(RiskEngineError, match="buyer 'JP', supplier_id 'cn2'"):
        build_problem(data, config, scores)
