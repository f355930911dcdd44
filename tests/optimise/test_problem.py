"""The model as data: columns, bounds, rows of each family, and its parameters."""

from __future__ import annotations

import numpy as np
import pytest

from riskengine.exceptions import ConfigError, RiskEngineError
from riskengine.optimise import build_problem
from riskengine.optimise.parameters import model_arrays
from tests.optimise.helpers import make_config, scores_for, tiny_dataset

OFFERS = [
    ("cn1", "CN", "dysprosium", 500.0, 100.0),
    ("cn2", "CN", "dysprosium", 500.0, 110.0),
    ("de1", "DE", "dysprosium", 500.0, 200.0),
    ("au1", "AU", "dysprosium", 30.0, 150.0),
    ("jp1", "JP", "terbium", 10.0, 900.0),
]
DEMAND = [("EU", "dysprosium", 100.0), ("JP", "dysprosium", 50.0), ("EU", "terbium", 0.0)]
CAP = {"max_country_share": 0.65}


def _problem(mode: str = "joint", policy: dict | None = None, **opt: object):
    data = tiny_dataset(OFFERS, DEMAND)
    config = make_config(policy, shortfall_penalty_usd_per_kg=1000.0, **opt)
    return build_problem(data, config, scores_for(data, config), mode)


def _block(problem, family: str):
    return next(b for b in problem.blocks if b.family == family)


def test_columns_are_x_then_shortfalls_then_bought_and_violations() -> None:
    p = _problem(policy=CAP)
    kinds = list(p.columns["kind"])
    assert p.n_x == 8  # terbium has no demand: no columns
    assert list(p.columns["buyer"][:8]) == ["EU"] * 4 + ["JP"] * 4
    assert list(p.columns["supplier_id"][:4]) == ["au1", "cn1", "cn2", "de1"]
    # EU caps AU and CN (DE is home); JP caps AU, CN and DE: five soft rows
    assert kinds[8:] == ["shortfall"] * 2 + ["bought"] * 2 + ["violation"] * 5


def test_costs_follow_the_expected_loss_rule() -> None:
    data = tiny_dataset(OFFERS, DEMAND)
    config = make_config(risk_aversion=2.0, shortfall_penalty_usd_per_kg=1000.0)
    scores = scores_for(data, config).assign(disruption_probability=0.1)
    p = build_problem(data, config, scores)
    assert p.cost[1] == pytest.approx(1000 * (100.0 + 2.0 * 0.1 * 1000.0))  # USD/t
    # unmet demand at V, and above lambda = 1 weighted like the risk charge
    assert p.cost[8] == pytest.approx(1000 * 1000.0 * 2.0)
    assert p.upper[0] == pytest.approx(100.0 / 1000)  # au1 shared: a capacity row, sigma*D bound
    assert p.upper[4] == pytest.approx(50.0 / 1000)  # JP au1: sigma*D = 50 t


def test_risk_charge_does_not_grow_with_price() -> None:
    data = tiny_dataset(OFFERS, DEMAND)
    config = make_config(risk_aversion=1.0, shortfall_penalty_usd_per_kg=1000.0)
    scores = scores_for(data, config).assign(disruption_probability=0.2)
    p = build_problem(data, config, scores)
    dearer = p.with_parameters(price_usd_per_kg=p.params.price_usd_per_kg * 3)
    risk, risk_dear = p.arrays.parts["risk_charge"], dearer.arrays.parts["risk_charge"]
    assert risk == pytest.approx(risk_dear)
    assert (dearer.arrays.parts["purchase"] >= p.arrays.parts["purchase"]).all()


def test_version_one_charge_is_price_times_risk() -> None:
    data = tiny_dataset(OFFERS, DEMAND)
    config = make_config(risk_aversion=2.0, max_country_share=0.65)  # a version-1 key
    scores = scores_for(data, config, lambda b, o: 50.0)
    p = build_problem(data, config, scores)
    assert p.structure.settings.version == 1
    assert p.cost[1] == pytest.approx(1000 * 100.0 * (1 + 2.0 * 50 / 100))
    assert p.cost[8] == pytest.approx(1000 * 10_000.0)  # version 1's flat penalty
    assert "deprecated" in p.structure.notes[0]


def test_joint_capacity_rows_only_for_offers_several_buyers_can_buy() -> None:
    p = _problem()
    cap = _block(p, "capacity")
    assert list(cap.rows["supplier_id"]) == ["au1", "cn1", "cn2", "de1"]
    assert (cap.matrix.getnnz(axis=1) == 2).all()
    _lower, upper = cap.bounds(p.params.capacity_t[cap.rhs_ref])
    assert upper == pytest.approx([30, 500, 500, 500])


def test_separate_mode_splits_capacity_pro_rata_as_bounds() -> None:
    p = _problem("separate")
    assert "capacity" not in [b.family for b in p.blocks]
    x = p.structure.x.assign(ub_t=p.arrays.x_upper_t).set_index(["buyer", "supplier_id"])
    assert x.loc[("EU", "au1"), "ub_t"] == pytest.approx(30 * 100 / 150)
    assert x.loc[("JP", "au1"), "ub_t"] == pytest.approx(30 * 50 / 150)
    assert x.loc[("EU", "cn1"), "ub_t"] == pytest.approx(100.0)  # the supplier cap sigma * D


def test_country_caps_are_on_what_the_buyer_buys() -> None:
    p = _problem(policy={"max_country_share": 0.65, "country_share_overrides": {"CN": 0.5}})
    block = _block(p, "country_cap")
    rows = block.rows.set_index(["buyer", "country"])
    assert ("EU", "DE") not in rows.index  # DE is in the EU bloc: home for EU
    assert ("JP", "DE") in rows.index
    assert rows.loc[("EU", "CN"), "share"] == 0.5
    row = block.matrix[rows.index.get_loc(("EU", "CN"))].toarray().ravel()
    assert row[1] == row[2] == 1.0  # cn1 and cn2
    assert row[p.layout.bought.start] == -0.5  # - theta x bought[EU, dysprosium]
    assert row[p.layout.violation].sum() == -1.0  # one soft violation column
    _lower, upper = block.bounds(np.zeros(len(block)))
    assert (upper == 0).all()


def test_hard_caps_have_no_violation_column() -> None:
    p = _problem(policy=CAP | {"enforce": "hard"})
    assert p.layout.n_violation == 0
    assert "violation" not in set(p.columns["kind"])


def test_demand_basis_cap_reads_demand() -> None:
    p = _problem(policy=CAP | {"basis": "demand", "enforce": "hard"})
    block = _block(p, "country_cap")
    rows = block.rows.set_index(["buyer", "country"])
    i = rows.index.get_loc(("EU", "CN"))
    assert block.rhs_source == "demand"
    assert block.rhs_coef[i] == pytest.approx(0.65)
    assert p.row_upper[sum(len(b) for b in p.blocks[: p.blocks.index(block)]) + i] * 1000 == (
        pytest.approx(65.0)
    )


def test_supplier_cap_is_a_bound() -> None:
    p = _problem(max_supplier_share=0.4)
    x = p.structure.x.assign(ub_t=p.arrays.x_upper_t).set_index(["buyer", "supplier_id"])
    assert x.loc[("EU", "cn1"), "ub_t"] == pytest.approx(40.0)
    assert x.loc[("JP", "au1"), "ub_t"] == pytest.approx(20.0)


def test_partner_floor_coefficients_and_absence_at_zero() -> None:
    assert "partner_floor" not in [b.family for b in _problem().blocks]
    p = _problem(policy={"min_partner_share": 0.3})
    block = _block(p, "partner_floor")
    row = block.matrix[0].toarray().ravel()
    assert row[:4] == pytest.approx([1, 0, 0, 1])  # EU: au1 (partner), cn1, cn2, de1 (home)
    assert row[p.layout.bought.start] == pytest.approx(-0.3)
    assert block.sense == "ge"


def test_demand_rows_are_equalities_with_one_shortfall_each() -> None:
    p = _problem()
    block = p.blocks[0]
    assert block.family == "demand"
    assert p.row_lower[:2] * 1000 == pytest.approx([100.0, 50.0])
    assert (p.row_lower[:2] == p.row_upper[:2]).all()
    assert block.matrix[:, 8:10].toarray() == pytest.approx(np.eye(2))


def test_parameters_change_bounds_through_one_function() -> None:
    p = _problem(policy=CAP)
    cut = p.with_parameters(capacity_t=p.params.capacity_t * 0.5, demand_t=p.params.demand_t * 2)
    again = model_arrays(cut.structure, cut.params)
    assert cut.row_lower[:2] * 1000 == pytest.approx([200.0, 100.0])
    assert again.upper == pytest.approx(cut.upper)
    assert cut.matrix is p.matrix  # same structure


def test_input_order_does_not_change_the_problem() -> None:
    data = tiny_dataset(OFFERS, DEMAND)
    shuffled = tiny_dataset(OFFERS[::-1], DEMAND[::-1])
    config = make_config({"min_partner_share": 0.2, "max_country_share": 0.6})
    a = build_problem(data, config, scores_for(data, config))
    b = build_problem(shuffled, config, scores_for(shuffled, config))
    assert (a.matrix != b.matrix).nnz == 0
    assert a.cost == pytest.approx(b.cost)
    assert a.rows.equals(b.rows)


def test_repr_names_mode_version_and_sizes() -> None:
    text = repr(_problem())
    assert text.startswith("Problem(mode=joint, version=2, risk_aversion=0, columns=10 (x=8")
    assert "capacity=4" in text


def test_unknown_buyer_in_demand_is_a_config_error() -> None:
    data = tiny_dataset(OFFERS, [("KR", "dysprosium", 10.0)])
    config = make_config()
    with pytest.raises(ConfigError, match="buyer\\(s\\) 'KR' that the configuration lacks"):
        build_problem(data, config, scores_for(data, config))


def test_version_one_keys_beside_a_policy_are_refused() -> None:
    data = tiny_dataset(OFFERS, DEMAND)
    config = make_config(CAP, max_country_share=0.5)
    with pytest.raises(ConfigError, match=r"optimiser\.max_country_share is a version-1 key"):
        build_problem(data, config, scores_for(data, config))


def test_missing_score_is_named() -> None:
    data = tiny_dataset(OFFERS, DEMAND)
    config = make_config()
    scores = scores_for(data, config)
    scores = scores[~((scores["buyer"] == "JP") & (scores["supplier_id"] == "cn2"))]
    with pytest.raises(RiskEngineError, match="buyer 'JP', supplier_id 'cn2'"):
        build_problem(data, config, scores)
