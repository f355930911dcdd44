"""Disruption probability: monotone, in [0, 1], deterministic, linear = risk/100, and a
fit that reproduces hand-computed rates on a tiny synthetic history."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from riskengine import ConfigError, generate_dataset, load_config, load_dataset, score_suppliers
from riskengine.config.schema import Config
from riskengine.scoring.calibration import (
    DisruptionCalibration,
    disruption_probability,
    fit_calibration,
)
from riskengine.scoring.panel import disruption_panel, unit_offers
from tests.conftest import SEEDS

SHIPPED = load_dataset(SEEDS)
CONFIG = load_config()
METHODS = ("logistic", "isotonic", "linear")
GRID = np.linspace(0, 100, 201)


def _config(**calibration) -> Config:
    return Config.model_validate({"risk": {"calibration": calibration}})


def _events(*rows: dict) -> pd.DataFrame:
    """A disruptions table from partial rows (other columns empty)."""
    base = {
        "event_id": "",
        "country": "",
        "supplier_id": "",
        "commodity": "all",
        "material": "",
        "stage": "",
        "destination": "",
        "start_year": pd.NA,
        "end_year": pd.NA,
        "kind": "export_restriction",
        "share_affected": 1.0,
        "basis": "confirmed",
        "description": "",
        "source": "",
    }
    frame = pd.DataFrame([{**base, "event_id": f"E{i}", **row} for i, row in enumerate(rows)])
    for name in ("start_year", "end_year"):
        frame[name] = frame[name].astype("Int64")
    return frame


TINY = generate_dataset(n_offers=40, seed=5)
#: A producing country other than China, and one commodity it produces, in TINY.
OTHER, OTHER_COMMODITY = (
    TINY.production.query("country != 'CN'")
    .sort_values(["country", "commodity"])
    .iloc[0][["country", "commodity"]]
)


def _tiny(*rows: dict):
    """Generated data (20 countries, 14 producing) with a hand-made history."""
    return TINY.with_tables(disruptions=_events(*rows))


@pytest.mark.parametrize("method", METHODS)
def test_q_is_monotone_and_in_unit_interval(method):
    q = fit_calibration(SHIPPED, _config(method=method)).probability(GRID)
    assert ((q >= 0) & (q <= 1)).all()
    assert (np.diff(q) >= -1e-15).all()


def test_shipped_offers_get_q_in_unit_interval_in_row_order():
    scores = score_suppliers(SHIPPED, CONFIG)
    q = disruption_probability(scores, SHIPPED, CONFIG)
    assert q.shape == (len(scores),) and q.dtype == float
    assert ((q >= 0) & (q <= 1)).all()
    order = np.argsort(scores["risk_score"].to_numpy(), kind="stable")
    assert (np.diff(q[order]) >= -1e-15).all()


def test_deterministic_across_fresh_datasets():
    scores = score_suppliers(SHIPPED, CONFIG)
    first = disruption_probability(scores, SHIPPED, CONFIG)
    again = disruption_probability(scores, load_dataset(SEEDS), CONFIG)
    np.testing.assert_array_equal(first, again)


def test_linear_method_is_risk_over_100():
    scores = score_suppliers(SHIPPED, CONFIG)
    q = disruption_probability(scores, SHIPPED, _config(method="linear"))
    np.testing.assert_allclose(q, scores["risk_score"].to_numpy() / 100.0, rtol=0, atol=1e-15)
    model = fit_calibration(SHIPPED, _config(method="linear"))
    np.testing.assert_allclose(model.probability([0, 37.5, 100]), [0, 0.375, 1])


def test_scores_outside_0_100_are_clipped():
    model = fit_calibration(SHIPPED, CONFIG)
    low, high = model.probability([-20, 150])
    assert low == model.probability([0])[0] and high == model.probability([100])[0]


def test_logistic_fit_reproduces_hand_computed_rates():
    """Two score groups: 1 of 10 disrupted at 20, 6 of 10 at 80 (maximum likelihood)."""
    y = [0] * 9 + [1] + [1] * 6 + [0] * 4
    model = DisruptionCalibration(C=np.inf).fit([20] * 10 + [80] * 10, y)
    np.testing.assert_allclose(model.probability([20, 80]), [0.1, 0.6], atol=1e-6)
    assert model.base_rate_ == pytest.approx(7 / 20)
    iso = DisruptionCalibration(method="isotonic").fit([20] * 10 + [80] * 10, y)
    np.testing.assert_allclose(iso.probability([20, 80]), [0.1, 0.6])


def test_tiny_history_base_rate_by_hand():
    """One country's units disrupted in one year of four: rate = its units / all units / 4."""
    data = _tiny({"country": "CN", "start_year": 2021, "end_year": 2021})
    config = _config(start_year=2020, end_year=2023)
    model = fit_calibration(data, config)
    units = unit_offers(data)
    expected = (units["country"] == "CN").sum() / (len(units) * 4)
    assert model.base_rate_ == pytest.approx(expected)
    rates = model.base_rates_.set_index("kind")["rate"]
    assert rates["export_restriction"] == pytest.approx(expected)
    assert rates["conflict"] == 0 and rates["any"] == pytest.approx(expected)
    assert model.n_samples_ == len(units) * 2 * 4


def test_onset_drops_later_years_ongoing_counts_them():
    data = _tiny({"country": "CN", "start_year": 2020, "end_year": 2022})
    onset, _ = disruption_panel(data, _config(start_year=2020, end_year=2023))
    cn = onset[onset["country"] == "CN"].groupby("year")
    assert cn["disrupted"].all().tolist() == [True, False, False, False]
    assert cn["at_risk"].all().tolist() == [True, False, False, True]
    ongoing, _ = disruption_panel(data, _config(start_year=2020, end_year=2023, count="ongoing"))
    cn = ongoing[ongoing["country"] == "CN"].groupby("year")
    assert cn["disrupted"].all().tolist() == [True, True, True, False]
    assert ongoing["at_risk"].all()


def test_destination_stage_commodity_and_min_share_select_units():
    data = _tiny(
        {"country": "CN", "destination": "JP", "stage": "refining", "start_year": 2020},
        {
            "country": OTHER,
            "commodity": OTHER_COMMODITY,
            "start_year": 2020,
            "share_affected": 0.05,
        },
    )
    panel, _ = disruption_panel(data, _config(start_year=2020, end_year=2020))
    hit = panel[panel["disrupted"]]
    assert set(hit["buyer"]) == {"JP"} and set(hit["country"]) == {"CN"}
    assert set(hit["stage"]) == {"refining"}
    lowered, _ = disruption_panel(data, _config(start_year=2020, end_year=2020, min_share=0.05))
    extra = lowered[lowered["disrupted"] & (lowered["country"] == OTHER)]
    assert set(extra["commodity"]) == {OTHER_COMMODITY} and set(extra["buyer"]) == {"EU", "JP"}


def test_analogues_and_confirmed_only_filter_events():
    data = _tiny(
        {"country": "CN", "commodity": "other", "material": "gallium", "start_year": 2020},
        {"country": OTHER, "start_year": 2020, "basis": "estimate"},
    )

    def countries(**settings) -> set[str]:
        panel, _ = disruption_panel(data, _config(start_year=2020, end_year=2020, **settings))
        return set(panel.loc[panel["disrupted"], "country"])

    assert countries() == {OTHER}
    assert countries(include_analogues=True) == {OTHER, "CN"}
    assert countries(confirmed_only=True) == set()


def test_negative_slope_falls_back_to_base_rate():
    model = DisruptionCalibration().fit([10] * 10 + [90] * 10, [1] * 5 + [0] * 5 + [0] * 10)
    assert model.fallback_ and model.coef_ == 0
    np.testing.assert_allclose(model.probability([0, 50, 100]), [0.25, 0.25, 0.25])


def test_without_history_in_the_data_the_shipped_table_is_used():
    assert TINY.disruptions is None
    model = fit_calibration(TINY, CONFIG)
    assert "shipped seeds/disruptions.csv" in model.summary()
    assert "disruptions.csv of" in fit_calibration(SHIPPED, CONFIG).summary()


def test_estimator_contract():
    model = DisruptionCalibration(method="isotonic", C=5.0)
    assert clone(model).get_params() == {"method": "isotonic", "C": 5.0, "source": ""}
    fitted = model.fit([10, 90], [0, 1])
    assert fitted is model
    proba = model.predict_proba([10, 90])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="method 'cubic' is not valid; expected one of"):
        DisruptionCalibration(method="cubic").fit([10], [0])
    with pytest.raises(ValueError, match=r"y must hold one target in \[0, 1\]"):
        DisruptionCalibration().fit([10, 20], [0, 2])


def test_summary_reports_curve_and_base_rates_by_kind():
    text = fit_calibration(SHIPPED, CONFIG).summary()
    for kind in ("export_restriction", "border_closure", "conflict", "plant_outage", "any"):
        assert kind in text
    assert "q by score" in text and "unit-years" in text


def test_share_label_gives_lower_q_than_event_label():
    event = fit_calibration(SHIPPED, CONFIG).probability(GRID)
    share = fit_calibration(SHIPPED, _config(label="share")).probability(GRID)
    assert (share <= event + 1e-12).all()


def test_scores_without_risk_score_column_are_refused():
    with pytest.raises(ConfigError, match="needs a risk_score column"):
        disruption_probability(pd.DataFrame({"buyer": ["EU"]}), SHIPPED, CONFIG)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 100), st.floats(0, 1)), min_size=2, max_size=40),
    st.sampled_from(["logistic", "isotonic"]),
)
def test_any_history_gives_a_monotone_curve_in_unit_interval(rows, method):
    scores, targets = zip(*rows, strict=True)
    q = DisruptionCalibration(method=method).fit(list(scores), list(targets)).probability(GRID)
    assert ((q >= 0) & (q <= 1)).all()
    assert (np.diff(q) >= -1e-12).all()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            "risk.calibration.method=cubic",
            "--set risk.calibration.method=cubic: key 'risk.calibration.method' = 'cubic': "
            "should be 'logistic', 'isotonic' or 'linear'",
        ),
        (
            "risk.calibration.end_year=2009",
            "--set risk.calibration.end_year=2009: key 'risk.calibration' = {'end_year': 2009}: "
            "end_year 2009 is before start_year 2010; give a window such as 2010 to 2025",
        ),
    ],
)
def test_bad_calibration_settings_are_config_errors(override, message):
    with pytest.raises(ConfigError) as caught:
        load_config(overrides=[override])
    assert str(caught.value) == message


def test_fit_on_a_panel_leaves_out_years_not_at_risk():
    panel, _ = disruption_panel(SHIPPED, CONFIG)
    assert (~panel["at_risk"]).sum() > 0
    whole = DisruptionCalibration().fit(panel)
    at_risk = panel[panel["at_risk"]]
    explicit = DisruptionCalibration().fit(at_risk["risk_score"], at_risk["target"])
    np.testing.assert_allclose(whole.probability(GRID), explicit.probability(GRID))
    assert whole.n_samples_ == len(at_risk)


def test_reliability_table_and_figure():
    from riskengine.plotting import plot_calibration
    from riskengine.scoring.diagnostics import bootstrap_curve, reliability_table

    panel, _ = disruption_panel(SHIPPED, CONFIG)
    panel = panel[panel["at_risk"]]
    table = reliability_table(panel, fit_calibration(SHIPPED, CONFIG))
    assert table["unit_years"].sum() == len(panel)
    assert table["disrupted"].sum() == panel["disrupted"].sum()
    assert ((table["low"] <= table["observed"]) & (table["observed"] <= table["high"])).all()
    band = bootstrap_curve(panel, scores=(10, 90), samples=5)
    assert (band["low"] <= band["median"]).all() and (band["median"] <= band["high"]).all()
    fig = plot_calibration(SHIPPED, CONFIG, samples=5)
    assert [ax.get_title(loc="left") for ax in fig.axes] == [
        "Reliability, bins of predicted q",
        "Fitted curves",
    ]


def test_flat_history_fits_without_a_convergence_warning():
    # found by the property test above: Newton's line search stalls on equal rates
    q = DisruptionCalibration(method="logistic").fit([0.0, 0.0, 1.0], [0.5, 0.5, 0.5])
    assert np.allclose(q.probability(GRID), 0.5, atol=1e-3)
