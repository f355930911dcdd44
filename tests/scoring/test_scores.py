"""Supplier-offer scores: contributions, absoluteness, monotonicity, the estimator contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from riskengine import RiskScorer, generate_dataset, load_config, score_suppliers
from riskengine.scoring.uncertainty import score_intervals

DATA = generate_dataset(n_offers=140, seed=7)
CONFIG = load_config()
INDICATORS = ["governance", "export_control", "concentration", "maturity", "partner", "lead_time"]


def _score_of(dataset, supplier_id: str, buyer: str = "EU") -> float:
    scores = score_suppliers(dataset, CONFIG)
    row = scores[(scores["buyer"] == buyer) & (scores["supplier_id"] == supplier_id)]
    return float(row["risk_score"].iloc[0])


def _with_supplier(dataset, index: int, **changes):
    suppliers = dataset.suppliers.copy()
    for column, value in changes.items():
        suppliers.loc[index, column] = value
    return dataset.with_tables(suppliers=suppliers)


def test_contributions_sum_to_score_and_score_in_range():
    scores = score_suppliers(DATA, CONFIG)
    np.testing.assert_allclose(scores[INDICATORS].sum(axis=1), scores["risk_score"])
    assert scores["risk_score"].between(0, 100).all()
    assert len(scores) == 2 * len(DATA.suppliers)


def test_score_is_absolute_adding_an_offer_changes_no_other_score():
    before = score_suppliers(DATA, CONFIG)
    extra = DATA.suppliers.iloc[[0]].assign(supplier_id="newcomer", capacity_t=999.0)
    after = score_suppliers(
        DATA.with_tables(suppliers=pd.concat([DATA.suppliers, extra], ignore_index=True)), CONFIG
    )
    after = after[after["supplier_id"] != "newcomer"]
    keys = ["buyer", "supplier_id", "commodity"]
    pd.testing.assert_frame_equal(
        before.sort_values(keys).reset_index(drop=True),
        after.sort_values(keys).reset_index(drop=True),
    )


def test_weights_are_normalised():
    doubled = load_config(
        overrides=[
            f"risk.weights.{name}={2 * value}"
            for name, value in CONFIG.risk.weights.model_dump().items()
        ]
    )
    np.testing.assert_allclose(
        score_suppliers(DATA, doubled)["risk_score"], score_suppliers(DATA, CONFIG)["risk_score"]
    )


def test_destination_specific_control_applies_only_to_its_buyer():
    controls = pd.concat(
        [DATA.export_controls, DATA.export_controls.assign(severity=1.0, destination="JP")],
        ignore_index=True,
    )
    changed = score_suppliers(DATA.with_tables(export_controls=controls), CONFIG)
    base = score_suppliers(DATA, CONFIG)
    merged = base.merge(changed, on=["buyer", "supplier_id", "commodity"], suffixes=("", "_new"))
    china = merged["country"] == "CN"
    assert (
        merged.loc[china & (merged["buyer"] == "JP"), "export_control_new"]
        > merged.loc[china & (merged["buyer"] == "JP"), "export_control"]
    ).all()
    eu = merged["buyer"] == "EU"
    np.testing.assert_allclose(merged.loc[eu, "risk_score_new"], merged.loc[eu, "risk_score"])


_settings = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_row = st.integers(min_value=0, max_value=len(DATA.suppliers) - 1)


@_settings
@given(row=_row, delta=st.floats(min_value=0.01, max_value=2.0))
def test_worse_governance_never_lowers_a_score(row, delta):
    country = DATA.suppliers.loc[row, "country"]
    countries = DATA.countries.copy()
    mask = countries["country"] == country
    countries.loc[mask, "governance"] = (countries.loc[mask, "governance"] - delta).clip(-2.5)
    worse = DATA.with_tables(countries=countries)
    supplier = DATA.suppliers.loc[row, "supplier_id"]
    assert _score_of(worse, supplier) >= _score_of(DATA, supplier) - 1e-9


@_settings
@given(row=_row, severity=st.floats(min_value=0.0, max_value=1.0))
def test_harsher_export_control_never_lowers_a_score(row, severity):
    offer = DATA.suppliers.loc[row]
    control = pd.DataFrame(
        [
            {
                "country": offer["country"],
                "commodity": offer["commodity"],
                "severity": severity,
                "since": pd.Timestamp("2026-01-01"),
                "stage": "",
                "destination": "",
                "in_force": True,
            }
        ]
    )
    harsher = DATA.with_tables(
        export_controls=pd.concat([DATA.export_controls, control], ignore_index=True)
    )
    assert _score_of(harsher, offer["supplier_id"]) >= _score_of(DATA, offer["supplier_id"]) - 1e-9


@_settings
@given(row=_row, status=st.sampled_from(["producing", "ramping", "planned"]))
def test_less_mature_status_never_lowers_a_score(row, status):
    order = {"producing": 0, "ramping": 1, "planned": 2}
    current = DATA.suppliers.loc[row, "status"]
    if order[status] < order[current]:
        return
    supplier = DATA.suppliers.loc[row, "supplier_id"]
    changed = _with_supplier(DATA, row, status=status)
    assert _score_of(changed, supplier) >= _score_of(DATA, supplier) - 1e-9


@_settings
@given(row=_row, buyer=st.sampled_from(["EU", "JP"]))
def test_moving_outside_home_and_partners_never_lowers_a_score(row, buyer):
    supplier = DATA.suppliers.loc[row, "supplier_id"]
    outsider = _with_supplier(DATA, row, country="MM")  # Myanmar: neither home nor partner
    assert (
        score_suppliers(outsider, CONFIG)
        .set_index(["buyer", "supplier_id"])
        .loc[(buyer, supplier), "partner"]
        >= score_suppliers(DATA, CONFIG)
        .set_index(["buyer", "supplier_id"])
        .loc[(buyer, supplier), "partner"]
    )


def test_estimator_contract_clone_and_params():
    scorer = RiskScorer(buyer="JP", config=CONFIG, reference=DATA)
    params = scorer.get_params()
    assert set(params) == {"buyer", "config", "reference"}
    cloned = clone(scorer)
    assert cloned.get_params()["buyer"] == "JP"
    assert not hasattr(cloned, "weights_")
    scorer.set_params(buyer="EU")
    assert scorer.get_params()["buyer"] == "EU"
    fitted = scorer.fit(DATA.suppliers)
    assert fitted is scorer
    assert list(fitted.get_feature_names_out())[-1] == "risk_score"


def test_scorer_in_a_pipeline():
    pipe = Pipeline(
        [
            ("score", RiskScorer(buyer="EU", config=CONFIG, reference=DATA)),
            ("scale", FunctionTransformer(lambda frame: frame / 100.0)),
        ]
    )
    out = pipe.fit_transform(DATA.suppliers)
    assert out["risk_score"].between(0, 1).all()


def test_unknown_buyer_is_a_clear_error():
    with pytest.raises(
        ValueError, match="buyer 'KR' is not in the configuration; configured buyers: EU, JP"
    ):
        RiskScorer(buyer="KR", config=CONFIG, reference=DATA).fit(DATA.suppliers)


def test_uncertainty_is_seeded_and_brackets_the_score():
    first = score_intervals(DATA, CONFIG)
    second = score_intervals(DATA, CONFIG)
    pd.testing.assert_frame_equal(first, second)
    assert (first["score_p05"] <= first["risk_score"] + 1e-9).all()
    assert (first["score_p95"] >= first["risk_score"] - 1e-9).all()
    assert (first["rank_p05"] <= first["rank_p95"]).all()
