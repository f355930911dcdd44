"""Stress evaluation: response = re-optimisation, exposure of the fixed plan, regret."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from riskengine.optimise import build_problem, optimise
from riskengine.scenarios import apply_scenario, compile_scenario, load_library, stress, sweep
from riskengine.scenarios._index import index_problem
from riskengine.scenarios.sweeps import baseline_solve
from tests.scenarios.conftest import scenario

RTOL = 1e-9


def _pooled(data, config, scores, mode=None):
    """The plan the sweep re-optimises to: the pooled LP's own (optimiser.sharing: none).

    A sharing rule picks among the pooled optima within 2e-9 of the model cost, more than
    RTOL; the stress responses are pooled optima.
    """
    opt = config.optimiser.model_copy(update={"sharing": "none"})
    return optimise(data, config.model_copy(update={"optimiser": opt}), scores, mode=mode)


def _without(data, country):
    kept = data.suppliers[data.suppliers["country"] != country].reset_index(drop=True)
    return data.with_tables(suppliers=kept)


def _response_mix(data, config, scores, effect, mode=None):
    problem = build_problem(data, config, scores, mode)
    index, *_ = baseline_solve(index_problem(problem, data))
    swept = sweep(index, [effect])
    mix = problem.structure.x[["buyer", "supplier_id", "commodity"]].copy()
    mix["tonnes"] = swept.x_t[0]
    return swept, mix[mix["tonnes"] > 1e-6].reset_index(drop=True)


def _per_offer(frame, column, suppliers):
    # Offers of one commodity from one country at one price are interchangeable in the
    # one-year model (e.g. Caremag's concentrate and recycling lines): any split is optimal.
    keys = ["supplier_id", "commodity"]
    offers = suppliers[[*keys, "country", "price_usd_per_kg"]]
    frame = frame[[*keys, column]].merge(offers, on=keys)
    totals = frame.groupby(["commodity", "country", "price_usd_per_kg"])[column].sum()
    return totals[totals > 1e-6].sort_index()


@pytest.mark.parametrize(("case", "mode"), [("single", "joint"), ("small", "separate")])
def test_zeroing_a_country_is_re_optimising_without_it(request, case, mode):
    config, data, scores = request.getfixturevalue(case)
    ban = scenario(capacity=[{"factor": 0, "country": ["CN"]}])
    swept, mix = _response_mix(data, config, scores, compile_scenario(data, ban), mode)
    reference = _pooled(_without(data, "CN"), config, scores, mode=mode)
    assert swept.status == ("optimal",)
    assert swept.objective_usd[0] == pytest.approx(reference.objective_usd, rel=RTOL)
    expected = reference.allocations[["buyer", "supplier_id", "commodity", "tonnes"]]
    assert mix[["buyer", "supplier_id", "commodity"]].equals(
        expected[["buyer", "supplier_id", "commodity"]]
    )
    np.testing.assert_allclose(mix["tonnes"], expected["tonnes"], rtol=1e-7, atol=1e-6)


@pytest.mark.parametrize("case", ["small", "seeds"])
def test_zeroing_china_with_two_buyers_sharing_offers(request, case):
    # When EU and JP pay the same risk-adjusted price for an offer, how they split it is a
    # tie (any split is optimal), so the mix is compared per offer, summed over buyers.
    config, data, scores = request.getfixturevalue(case)
    ban = scenario(capacity=[{"factor": 0, "country": ["CN"]}])
    swept, mix = _response_mix(data, config, scores, compile_scenario(data, ban))
    reference = _pooled(_without(data, "CN"), config, scores)
    assert swept.objective_usd[0] == pytest.approx(reference.objective_usd, rel=RTOL)
    got = _per_offer(mix, "tonnes", data.suppliers)
    expected = _per_offer(reference.allocations, "tonnes", data.suppliers)
    assert got.index.equals(expected.index)
    np.testing.assert_allclose(got, expected, rtol=1e-7, atol=1e-6)


def test_china_full_ban_on_the_seeds_through_the_library(seeds):
    config, data, scores = seeds
    result = stress(data, config, ["china-full-ban"], scores=scores)
    reference = _pooled(_without(data, "CN"), config, scores)
    response = result.response
    assert response["model_cost_usd"].sum() == pytest.approx(reference.objective_usd, rel=RTOL)
    assert response["shortfall_t"].sum() == pytest.approx(reference.shortfall_t, abs=1e-6)


def test_the_exposure_of_the_plan_under_a_no_op_scenario_is_the_plan(seeds):
    config, data, scores = seeds
    noop = scenario(name="noop", capacity=[{"factor": 1}], price=[{"factor": 1}])
    result = stress(data, config, [noop], library=False, scores=scores)
    base = result.baseline
    exposure = result.exposure.set_index(["buyer", "commodity"])
    served = base.shortfalls.set_index(["buyer", "commodity"])["served_t"]
    assert np.array_equal(exposure["delivered_t"], exposure["planned_t"])
    np.testing.assert_allclose(exposure.loc[served.index, "delivered_t"], served, atol=1e-6)
    assert exposure["shortfall_t"].sum() == pytest.approx(base.shortfall_t, abs=1e-6)
    assert exposure["purchase_usd"].sum() == pytest.approx(base.purchase_cost_usd, rel=RTOL)
    assert exposure["model_cost_usd"].sum() == pytest.approx(base.objective_usd, rel=RTOL)
    assert result.response["model_cost_usd"].sum() == pytest.approx(base.objective_usd, rel=RTOL)
    assert result.regret["regret_usd"].abs().max() < 1e-3


@pytest.fixture(scope="module")
def library_run(seeds):
    config, data, scores = seeds
    return stress(data, config, scores=scores)


def test_each_shared_scenario_response_equals_optimising_its_tables(seeds, library_run):
    config, data, scores = seeds
    for item in load_library():
        rules = [*item.scenario.capacity, *item.scenario.price]
        if any(rule.buyer for rule in rules):
            continue  # destination-specific: not expressible as one shared table
        reference = _pooled(apply_scenario(data, item.scenario), config, scores)
        got = library_run.response.query("scenario == @item.name")["model_cost_usd"].sum()
        assert got == pytest.approx(reference.objective_usd, rel=RTOL), item.name


def test_regret_is_exposure_minus_response_and_never_negative_in_total(library_run):
    regret, exposure, response = library_run.regret, library_run.exposure, library_run.response
    assert np.array_equal(
        regret["regret_usd"], exposure["model_cost_usd"] - response["model_cost_usd"]
    )
    total = regret.groupby("scenario")["regret_usd"].sum()
    assert (total >= -1e-6 * exposure["model_cost_usd"].abs().max()).all()
    assert set(library_run.scenarios["status"]) == {"optimal"}


def test_a_japan_embargo_cuts_japan_only(seeds, library_run):
    config, data, scores = seeds
    exposure = library_run.exposure.query("scenario == 'japan-embargo'")
    eu, jp = exposure[exposure["buyer"] == "EU"], exposure[exposure["buyer"] == "JP"]
    assert (eu["delivered_t"] == eu["planned_t"]).all()
    china = library_run.baseline.allocations.query("buyer == 'JP' and country == 'CN'")
    already = library_run.baseline.shortfalls.query("buyer == 'JP'")["shortfall_t"].sum()
    assert jp["shortfall_t"].sum() - already == pytest.approx(china["tonnes"].sum())
    effect = compile_scenario(
        data, next(s.scenario for s in load_library() if s.name == "japan-embargo")
    )
    _, mix = _response_mix(data, config, scores, effect)
    country = data.suppliers.set_index(["supplier_id", "commodity"])["country"]
    mix["country"] = [country[k] for k in zip(mix["supplier_id"], mix["commodity"], strict=True)]
    assert mix.query("buyer == 'JP' and country == 'CN'").empty
    assert not mix.query("buyer == 'EU' and country == 'CN'").empty


def test_summary_and_json(library_run):
    text = library_run.summary()
    assert text.startswith("Stress test: 8 scenarios (8 library)")
    assert "japan-embargo" in text and "regret" in text
    document = json.loads(json.dumps(library_run.to_dict(), allow_nan=False))
    assert len(document["regret"]) == 8 * 14
    assert isinstance(library_run.totals(), pd.DataFrame)


def test_a_multi_year_configuration_is_stressed_on_the_one_year_model(seeds):
    config, data, scores = seeds
    five = config.model_copy(
        update={"horizon": config.horizon.model_copy(update={"start": 2026, "end": 2030})}
    )
    assert five.one_year() == config
    runs = [
        stress(data, c, ["china-full-ban"], library=True, scores=scores, progress=False)
        for c in (five, config)
    ]
    pd.testing.assert_frame_equal(runs[0].regret, runs[1].regret)
