"""The two-stage mean-CVaR plan: a hand-solved case, the issue's limits, VSS, EVPI, frontier."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import riskengine
from riskengine.config import Config, ScenarioConfig
from riskengine.exceptions import RiskEngineError
from riskengine.optimise.milp import LP_ONLY
from riskengine.scenarios import ScenarioSet, cvar, generate_scenarios, stochastic_plan
from riskengine.scenarios._parts import Job, gather, solve_parts
from riskengine.scenarios.model import apply_scenario
from riskengine.scenarios.stochastic import build_two_stage
from riskengine.scenarios.stochastic import cvar as cvar_by_group
from riskengine.scenarios.stochastic_result import quantile

# the two-stage plan is the one-year model (Config.one_year); compare it with that model
FAST = ["optimiser.stochastic.frontier=[]", "horizon.start=null", "horizon.end=null"]


def one_scenario(data, buyers, capacity=None, probability=None, n=1) -> ScenarioSet:
    """``n`` scenarios where nothing changes but the capacity factors ``(n, suppliers)``."""
    n_sup, n_dem = len(data.suppliers), len(data.demand)
    capacity = np.ones((n, n_sup)) if capacity is None else np.atleast_2d(capacity)
    p = np.full(n, 1.0 / n) if probability is None else np.asarray(probability, float)
    return ScenarioSet(
        tuple(f"s{i}" for i in range(n)),
        p,
        tuple(buyers),
        capacity,
        np.ones((n, len(buyers), n_sup)),
        np.ones((n, n_sup)),
        np.ones((n, n_sup)),
        np.ones((n, n_dem)),
        np.array(["licensing"] * n, dtype=object),
        tuple(f"s{i}" for i in range(n)),
        pd.DataFrame(),
        2027,
        0,
    )


def _plan(result) -> pd.Series:
    return result.contracts.set_index(["buyer", "supplier_id", "commodity"])["contracted_t"]


def _bought(result) -> pd.Series:
    return result.allocations.set_index(["buyer", "supplier_id", "commodity"])["tonnes"]


def _same_plan(a: pd.Series, b: pd.Series, atol: float = 1e-6) -> None:
    both = pd.concat([a.rename("a"), b.rename("b")], axis=1).fillna(0.0)
    np.testing.assert_allclose(both["a"], both["b"], atol=atol)


# --------------------------------------------------------------------------- by hand


@pytest.fixture(scope="module")
def two_offers(small):
    """One buyer, dysprosium from A (CN, USD 1/kg) or B (AU, USD 2/kg), 100 t each; 10 t demand.

    Scenario 1 (p 0.5): both deliver; scenario 2 (p 0.5): A delivers nothing.
    V = USD 10/kg, spot at 1.25 x the price of the dearest offer left in a country.
    """
    _, base, _ = small
    suppliers = pd.DataFrame(
        {
            "supplier_id": ["a", "b"],
            "name": ["A", "B"],
            "country": ["CN", "AU"],
            "commodity": ["dysprosium", "dysprosium"],
            "stage": ["refining", "refining"],
            "status": ["producing", "producing"],
            "capacity_t": [100.0, 100.0],
            "price_usd_per_kg": [1.0, 2.0],
            "lead_time_days": [30.0, 30.0],
        }
    )
    demand = pd.DataFrame({"buyer": ["EU"], "commodity": ["dysprosium"], "demand_t": [10.0]})
    data = base.with_tables(suppliers=suppliers, demand=demand)
    config = riskengine.load_config(
        overrides=[
            "buyers={EU: {home: [EU], partners: [], policy: null}}",
            "optimiser.shortfall_penalty_usd_per_kg=10",
            "optimiser.stochastic.alpha=0.5",
            "optimiser.stochastic.spot_premium=0.25",
            *FAST,
        ]
    )
    drawn = one_scenario(data, ["EU"], np.array([[1.0, 1.0], [0.0, 1.0]]), n=2)
    return data, config, drawn


@pytest.mark.parametrize(
    ("beta", "a_t", "b_t", "objective"),
    [
        (0.0, 10.0, 0.0, 0.5 * 10_000 + 0.5 * 25_000),  # contract A, buy B spot when A fails
        (0.4, 10.0, 0.0, 17_500 + 0.4 * 25_000),  # CVaR_0.5 = the bad scenario's loss
        (1.0, 0.0, 10.0, 20_000 + 1.0 * 20_000),  # from beta = 0.5 on: contract B
    ],
)
def test_a_hand_solved_two_scenario_case(two_offers, beta, a_t, b_t, objective):
    data, config, drawn = two_offers
    settings = config.optimiser.stochastic.model_copy(update={"beta": beta})
    result = stochastic_plan(data, config, scenarios=drawn, settings=settings)
    plan = _plan(result).droplevel(["buyer", "commodity"])
    assert plan.get("a", 0.0) == pytest.approx(a_t, abs=1e-6)
    assert plan.get("b", 0.0) == pytest.approx(b_t, abs=1e-6)
    assert result.objective_usd == pytest.approx(objective, rel=1e-9)


# --------------------------------------------------------------------------- limits


def test_beta_0_and_one_scenario_of_availability_1_is_the_expected_value_plan(single):
    config, data, scores = single
    config = riskengine.load_config(
        overrides=["optimiser.risk_aversion=0", "optimiser.stochastic.beta=0", *FAST]
    )
    drawn = one_scenario(data, ["EU"])
    result = stochastic_plan(data, config, scores, scenarios=drawn)
    expected = riskengine.optimise(data, config, scores)
    _same_plan(_plan(result), _bought(expected))
    assert result.objective_usd == pytest.approx(expected.objective_usd, rel=1e-9)
    assert result.vss_usd == pytest.approx(0.0, abs=1e-6 * expected.objective_usd)
    assert result.evpi_usd == pytest.approx(0.0, abs=1e-6 * expected.objective_usd)


@pytest.mark.parametrize("which", ["single", "seeds"])
def test_one_country_delivering_nothing_is_the_plan_without_its_capacity(request, which):
    _, data, scores = request.getfixturevalue(which)
    config = riskengine.load_config(overrides=["optimiser.risk_aversion=0", *FAST])
    country = "CN" if which == "seeds" else data.suppliers["country"].value_counts().index[1]
    capacity = np.where(data.suppliers["country"].to_numpy() == country, 0.0, 1.0)
    buyers = sorted(set(data.demand["buyer"]))
    result = stochastic_plan(
        data, config, scores, scenarios=one_scenario(data, buyers, capacity), wait_and_see=False
    )
    cut = ScenarioConfig.model_validate(
        {"name": "cut", "capacity": [{"factor": 0, "country": [country]}]}
    )
    expected = riskengine.optimise(apply_scenario(data, cut), config)
    # one scenario of probability 1: its loss is the expected loss (and the CVaR)
    assert result.expected_loss_usd == pytest.approx(expected.objective_usd, rel=1e-9)
    if which == "single":  # one buyer, random prices: the optimum is unique
        _same_plan(_plan(result), _bought(expected))
    else:  # two buyers may split scarce supply either way at the same cost
        per_need = result.needs.set_index(["buyer", "commodity"])["contracted_t"]
        served = expected.shortfalls.set_index(["buyer", "commodity"])["served_t"]
        assert per_need.sum() == pytest.approx(served.sum(), abs=1e-6)
    assert result.contracts.loc[result.contracts["country"] == country, "contracted_t"].sum() == 0


# --------------------------------------------------------------------------- shipped data


@pytest.fixture(scope="module")
def shipped(seeds):
    """The default configuration on the shipped data, with 60 scenarios (fast)."""
    config, data, scores = seeds
    drawn = generate_scenarios(data, config, 60, seed=0, scores=scores)
    return stochastic_plan(data, config, scores, scenarios=drawn)


def test_on_the_shipped_data_the_two_stage_plan_differs_and_vss_is_not_negative(shipped):
    result = shipped
    assert result.status == "optimal"
    change = result.contracts["contracted_t"] - result.contracts["expected_value_t"]
    assert change.abs().max() > 1.0  # tonnes
    assert result.vss_usd >= -1e-6 * result.objective_usd
    assert result.metric("objective_usd", "expected_value") >= result.objective_usd * (1 - 1e-9)
    assert not np.isnan(result.evpi_usd) and result.evpi_usd >= -1e-6 * result.objective_usd
    assert "Value of the stochastic solution (VSS)" in result.summary()


def test_money_terms_add_up_to_the_loss(shipped):
    comparison = shipped.comparison.set_index("metric")
    for plan in ("stochastic", "expected_value"):
        parts = comparison.loc[
            [
                "expected_purchase_usd",
                "expected_spot_usd",
                "expected_lost_supply_usd",
                "violation_usd",
            ],
            plan,
        ].sum()
        assert parts == pytest.approx(comparison.loc["expected_loss_usd", plan], rel=1e-9)
    table = shipped.scenarios
    p = table["probability"].to_numpy()
    assert p @ table["loss_usd"] == pytest.approx(shipped.expected_loss_usd, rel=1e-9)


def test_each_frontier_point_is_optimal_for_its_own_beta(shipped):
    front = shipped.frontier
    assert list(front["beta"]) == sorted(front["beta"])
    for own in front.itertuples():
        mine = own.expected_loss_usd + own.beta * own.cvar_usd
        for other in front.itertuples():
            theirs = other.expected_loss_usd + own.beta * other.cvar_usd
            assert mine <= theirs * (1 + 1e-7) + 1.0, (own.beta, other.beta)
    assert front["expected_loss_usd"].is_monotonic_increasing
    assert (np.diff(front["cvar_usd"]) <= 1e-6 * front["cvar_usd"].max()).all()
    assert set(shipped.frontier_mix["beta"]) == set(front["beta"])


def test_loss_and_shortfall_quantiles_per_need(shipped):
    needs = shipped.needs
    assert (needs["loss_p50_usd"] <= needs["loss_p95_usd"] + 1e-6).all()
    # p95 may exceed CVaR at alpha 0.9 (the mean of the worst 10%); the alpha-quantile may not
    assert (needs["expected_loss_usd"] <= needs["loss_cvar_usd"] * (1 + 1e-9) + 1e-6).all()
    most = shipped.scenario_set.demand.max()  # drawn demand may exceed the base year's
    assert (needs["shortfall_p95_t"] <= needs["demand_t"] * most + 1e-6).all()


def test_expected_deliveries_per_need_add_up_from_the_contracts(shipped):
    needs = shipped.needs.set_index(["buyer", "commodity"])
    by_need = shipped.contracts.groupby(["buyer", "commodity"])["expected_delivered_t"].sum()
    delivered = needs["expected_delivered_t"]
    assert delivered.reindex(by_need.index).to_numpy() == pytest.approx(by_need.to_numpy())
    assert (delivered <= needs["contracted_t"] + 1e-6).all()
    # contracts with a licence share deliver less than contracted: some need shows it
    assert (delivered < needs["contracted_t"] - 1.0).any()


def test_the_alpha_quantile_never_exceeds_the_cvar_at_alpha():
    rng = np.random.default_rng(3)
    for _ in range(50):
        loss = rng.lognormal(0.0, 2.0, size=(40, 3))
        p = rng.dirichlet(np.ones(40))
        for alpha in (0.5, 0.9, 0.95):
            var = quantile(loss, p, alpha)
            assert (var <= cvar_by_group(loss, p, alpha) * (1 + 1e-12)).all()


def test_result_views(shipped):
    document = shipped.to_dict()
    assert {"vss_usd", "evpi_usd", "contracts", "needs", "frontier"} <= set(document)
    assert "StochasticResult" in shipped._repr_html_()
    assert shipped.to_frame("needs").shape[0] == 14
    with pytest.raises(RiskEngineError):
        shipped.to_frame("nope")
    figure = shipped.plot()
    assert len(figure.axes) == 2


def test_the_same_seed_gives_the_same_scenarios_and_the_same_plan(seeds):
    config, data, scores = seeds
    runs = [
        stochastic_plan(
            data,
            config,
            scores,
            scenarios=generate_scenarios(data, config, 20, seed=4, scores=scores),
            wait_and_see=False,
        )
        for _ in range(2)
    ]
    pd.testing.assert_frame_equal(runs[0].contracts, runs[1].contracts)
    pd.testing.assert_frame_equal(runs[0].scenarios, runs[1].scenarios)


def test_cvar_per_buyer_links_the_commodities_into_one_part(seeds):
    config, data, scores = seeds
    drawn = generate_scenarios(data, config, 10, seed=1, scores=scores)
    settings = config.optimiser.stochastic.model_copy(
        update={"cvar_scope": "buyer", "frontier": ()}
    )
    per_buyer = stochastic_plan(data, config, scores, scenarios=drawn, settings=settings)
    assert per_buyer.run["parts"] == 1
    assert per_buyer.status == "optimal"
    assert per_buyer.vss_usd >= -1e-6 * per_buyer.objective_usd


def test_a_milp_configuration_is_refused(seeds):
    _, data, scores = seeds
    config = Config().model_copy(
        update={"optimiser": Config().optimiser.model_copy(update={"min_order_t": 5.0})}
    )
    with pytest.raises(RiskEngineError) as caught:
        stochastic_plan(data, config, scores, scenarios=one_scenario(data, ["EU", "JP"]))
    assert str(caught.value) == LP_ONLY


def test_cvar_of_a_discrete_distribution():
    costs, weights = np.array([4.0, 1.0, 3.0, 2.0]), np.full(4, 0.25)
    assert cvar(costs, weights, 0.0) == pytest.approx(2.5)
    assert cvar(costs, weights, 0.5) == pytest.approx(3.5)
    assert cvar(costs, weights, 0.75) == pytest.approx(4.0)
    assert cvar(costs, weights, 0.9) == pytest.approx(4.0)
    assert cvar(np.array([1.0, 2.0]), np.array([0.8, 0.2]), 0.5) == pytest.approx(1.4)


def test_serial_and_local_executors_give_the_same_plan(seeds):
    config, data, scores = seeds
    drawn = generate_scenarios(data, config, 12, seed=2, scores=scores)
    settings = config.optimiser.stochastic.model_copy(update={"frontier": (0.0,)})
    runs = [
        stochastic_plan(
            data, config, scores, scenarios=drawn, settings=settings, executor=e, n_jobs=2
        )
        for e in ("serial", "local")
    ]
    pd.testing.assert_frame_equal(runs[0].contracts, runs[1].contracts)
    pd.testing.assert_frame_equal(runs[0].frontier, runs[1].frontier)
    assert runs[0].vss_usd == runs[1].vss_usd and runs[0].evpi_usd == runs[1].evpi_usd


def test_a_hard_cap_holds_on_expected_deliveries_and_spot_purchases(seeds):
    _, data, scores = seeds
    config = riskengine.load_config(
        overrides=[
            "buyers.EU.policy.max_country_share=0.5",
            "buyers.EU.policy.enforce=hard",
            *FAST,
        ]
    )
    drawn = generate_scenarios(data, config, 15, seed=0, scores=scores)
    model = build_two_stage(data, config, scores, drawn)
    first, local, status, _ = gather(model.template, solve_parts(model.template, [Job(1.0)]), 0)
    assert status.is_ok
    rec, x_table = model.rec, model.problem.structure.x
    t = model.template
    delivered = (rec.probability @ rec.availability) * first[t.kinds1["x"]]
    spot = rec.probability @ (rec.spot_share * local[:, t.kinds["spot"]])
    frame = pd.concat(
        [
            x_table[["buyer", "commodity", "country"]].assign(kt=delivered),
            x_table.iloc[rec.spot_rep][["buyer", "commodity", "country"]].assign(kt=spot),
        ]
    )
    eu = frame[frame["buyer"] == "EU"].groupby(["commodity", "country"])["kt"].sum()
    share = eu / eu.groupby(level="commodity").transform("sum")
    assert share.xs("CN", level="country").max() <= 0.5 + 1e-6
    assert share.xs("CN", level="country").max() >= 0.5 - 1e-6  # the cap binds somewhere
