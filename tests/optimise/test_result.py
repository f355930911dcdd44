"""Hand-solvable instances with known optima, on every solver path, and the result object."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from riskengine.data.synthetic import generate_dataset
from riskengine.optimise import (
    SolveStatus,
    alliance_value,
    build_problem,
    make_result,
    optimise,
    solve,
)
from tests.optimise.helpers import PATHS, make_config, random_scores, scores_for, tiny_dataset

DY = "dysprosium"


def _run(offers, demand, path, rule=None, policy=None, **opt):
    solver, backend = path
    data = tiny_dataset(offers, demand)
    opt.setdefault("shortfall_penalty_usd_per_kg", 1000.0)
    config = make_config(policy, solver=solver, **opt)
    return optimise(data, config, scores_for(data, config, rule), backend=backend)


@pytest.fixture(params=PATHS, ids=["highs", "pulp-highs", "pulp-cbc"])
def path(request: pytest.FixtureRequest) -> tuple[str, str]:
    return request.param


HARD = {"max_country_share": 0.65, "enforce": "hard"}
CN_DE = [("cn1", "CN", DY, 1000, 100), ("de1", "DE", DY, 1000, 200)]
CN_US = [("cn1", "CN", DY, 1000, 100), ("us1", "US", DY, 20, 150)]


def test_hard_cap_on_purchases_splits_the_mix(path: tuple[str, str]) -> None:
    r = _run(CN_DE, [("EU", DY, 100)], path, policy=HARD)
    assert r.is_optimal
    assert r.objective_usd == pytest.approx(1000 * (100 * 65 + 200 * 35))
    assert r.purchase_cost_usd == pytest.approx(r.objective_usd)
    assert dict(zip(r.allocations["supplier_id"], r.allocations["tonnes"], strict=True)) == (
        pytest.approx({"cn1": 65.0, "de1": 35.0})
    )
    m = r.metrics.iloc[0]
    assert m["china_share"] == pytest.approx(0.65)
    assert m["hhi"] == pytest.approx(0.65**2 + 0.35**2)
    assert m["home_partner_share"] == pytest.approx(0.35)
    assert bool(m["crma_compliant"])
    assert m["marginal_cost_usd_per_kg"] == pytest.approx(0.65 * 100 + 0.35 * 200)
    top = r.binding.iloc[0]
    assert (top["family"], top["country"]) == ("country_cap", "CN")
    assert top["shadow_price_usd_per_kg"] == pytest.approx(-100.0)
    assert top["sentence"].startswith(
        "Raising the 65% cap on CN for EU dysprosium would save USD 100/kg"
    )
    if path[1] == "highs":
        assert top["driver"] == "purchase"


def test_soft_cap_is_exceeded_at_a_price_and_never_leaves_demand_unmet(
    path: tuple[str, str],
) -> None:
    soft = {"max_country_share": 0.65, "violation_usd_per_kg": 60.0}
    r = _run(CN_US, [("EU", DY, 100)], path, policy=soft)
    assert r.is_optimal and r.shortfall_t == pytest.approx(0.0, abs=1e-6)
    assert r.violations["excess_t"].sum() == pytest.approx(80 - 0.65 * 100)
    assert r.violation_usd == pytest.approx(1000 * 60 * 15)
    assert r.purchase_cost_usd == pytest.approx(1000 * (80 * 100 + 20 * 150))
    assert r.objective_usd == pytest.approx(r.purchase_cost_usd + r.violation_usd)
    assert not bool(r.metrics.iloc[0]["crma_compliant"])  # CN 80% of purchases


def test_hard_cap_on_purchases_limits_china_to_a_multiple_of_other_supply(
    path: tuple[str, str],
) -> None:
    r = _run(CN_US, [("EU", DY, 100)], path, policy=HARD)
    china = 0.65 / 0.35 * 20  # CN <= 0.65 (CN + US): what makes hard caps risky
    assert r.allocations.set_index("supplier_id")["tonnes"].to_dict() == pytest.approx(
        {"cn1": china, "us1": 20.0}
    )
    assert r.shortfall_t == pytest.approx(100 - 20 - china)
    assert r.lost_supply_usd == pytest.approx(1000 * 1000 * (100 - 20 - china))


def test_cap_on_demand_is_the_version_one_rule(path: tuple[str, str]) -> None:
    r = _run(CN_US, [("EU", DY, 100)], path, policy=HARD | {"basis": "demand"})
    short = r.shortfalls.iloc[0]
    assert (short["demand_t"], short["served_t"], short["shortfall_t"]) == pytest.approx(
        (100.0, 85.0, 15.0)
    )
    assert r.objective_usd == pytest.approx(1000 * (100 * 65 + 150 * 20 + 1000 * 15))
    prices = r.binding.set_index("family")["shadow_price_usd_per_kg"]
    assert prices["country_cap"] == pytest.approx(-(1000 - 100))
    assert prices["capacity"] == pytest.approx(-(1000 - 150))
    assert r.metrics.iloc[0]["marginal_cost_usd_per_kg"] == pytest.approx(1000)
    # no shadow price exceeds the lost-supply value V = 1000 USD/kg
    assert (r.binding["shadow_price_usd_per_kg"].abs() <= 1000 + 1e-6).all()


def test_partner_floor_binds(path: tuple[str, str]) -> None:
    r = _run(
        [("cn1", "CN", DY, 1000, 100), ("au1", "AU", DY, 1000, 300)],
        [("EU", DY, 100)],
        path,
        policy={"min_partner_share": 0.5, "enforce": "hard"},
    )
    assert r.is_optimal
    assert r.objective_usd == pytest.approx(1000 * (100 * 50 + 300 * 50))
    assert r.metrics.iloc[0]["home_partner_share"] == pytest.approx(0.5)
    assert list(r.binding["family"]) == ["partner_floor"]
    floor = r.binding.iloc[0]
    assert floor["shadow_price_usd_per_kg"] == pytest.approx(200.0)  # >= row: positive
    assert floor["sentence"].startswith(
        "Lowering the 50% home-and-partner floor for EU dysprosium would save USD 200/kg"
    )


def test_supplier_cap_binds_as_a_bound(path: tuple[str, str]) -> None:
    r = _run(
        [("cn1", "CN", DY, 1000, 100), ("cn2", "CN", DY, 1000, 120), ("de1", "DE", DY, 1000, 200)],
        [("EU", DY, 100)],
        path,
        max_supplier_share=0.4,
    )
    assert r.objective_usd == pytest.approx(1000 * (100 * 40 + 120 * 40 + 200 * 20))
    prices = r.binding.set_index("supplier_id")["shadow_price_usd_per_kg"]
    assert prices["cn1"] == pytest.approx(-100.0) and prices["cn2"] == pytest.approx(-80.0)
    assert set(r.binding["family"]) == {"supplier_cap"}


def test_alliance_value_of_sharing_capacity() -> None:
    data = tiny_dataset(
        [("a1", "AU", DY, 100, 100), ("b1", "US", DY, 1000, 150)],
        [("EU", DY, 100), ("JP", DY, 100)],
    )
    config = make_config(risk_aversion=1.0, shortfall_penalty_usd_per_kg=1000.0)
    # a1 is risky for the EU only: 100 + 1 x 0.1 x 1000 = 200 USD/kg > b1's 150
    scores = scores_for(data, config).assign(disruption_probability=0.0)
    scores.loc[
        (scores["buyer"] == "EU") & (scores["supplier_id"] == "a1"), "disruption_probability"
    ] = 0.1
    joint = optimise(data, config, scores, mode="joint")
    separate = optimise(data, config, scores, mode="separate")
    assert joint.objective_usd == pytest.approx(1000 * (100 * 100 + 150 * 100))
    assert separate.objective_usd == pytest.approx(1000 * (100 * 50 + 150 * 150))
    value = alliance_value(data, config, scores).set_index("buyer")
    assert value.loc["JP", "objective_saving_usd"] == pytest.approx(2.5e6)
    assert value.loc["JP", "cost_saving_usd"] == pytest.approx(2.5e6)
    # 0 within the sharing rule's tolerance (2e-9 of the model cost: USD 0.05 here)
    assert value.loc["EU", "objective_saving_usd"] == pytest.approx(0.0, abs=0.1)
    assert (value["shortfall_reduction_t"].abs() < 1e-6).all()


def test_separate_mode_equals_each_buyer_alone() -> None:
    data = generate_dataset(70, seed=3)
    config = make_config(risk_aversion=1.0, max_supplier_share=0.5)
    scores = random_scores(data, config, seed=3)
    together = optimise(data, config, scores, mode="separate").objective_usd
    total_demand = data.demand.groupby("commodity")["demand_t"].sum()
    alone = 0.0
    for buyer in ("EU", "JP"):
        demand = data.demand[data.demand["buyer"] == buyer]
        share = data.suppliers["commodity"].map(
            demand.set_index("commodity")["demand_t"] / total_demand
        )
        suppliers = data.suppliers.assign(capacity_t=data.suppliers["capacity_t"] * share)
        one = data.with_tables(suppliers=suppliers, demand=demand)
        alone += optimise(one, config, scores, mode="joint").objective_usd
    assert together == pytest.approx(alone, rel=1e-9)


def test_joint_never_worse_than_separate() -> None:
    data = generate_dataset(140, seed=5)
    config = make_config({"min_partner_share": 0.2, "max_country_share": 0.6}, risk_aversion=1.0)
    value = alliance_value(data, config, random_scores(data, config, 5))
    assert value["objective_saving_usd"].sum() >= -1e-6 * value["objective_joint_usd"].sum()


def test_objective_self_check_and_tables() -> None:
    data = generate_dataset(70, seed=1)
    config = make_config({"max_country_share": 0.6}, risk_aversion=1.0)
    r = optimise(data, config, random_scores(data, config))
    assert r.objective_check_usd == pytest.approx(r.objective_usd, rel=1e-9)
    parts = r.purchase_cost_usd + r.risk_charge_usd + r.lost_supply_usd + r.violation_usd
    assert parts == pytest.approx(r.objective_usd, rel=1e-9)
    assert r.metrics["model_cost_usd"].sum() == pytest.approx(r.objective_usd, rel=1e-9)
    assert list(r.shortfalls.columns) == [
        "buyer",
        "commodity",
        "demand_t",
        "served_t",
        "shortfall_t",
        "bought_t",
        "lost_value_usd_per_kg",
        "lost_supply_usd",
    ]
    assert (r.shortfalls["served_t"] + r.shortfalls["shortfall_t"]).to_numpy() == (
        pytest.approx(r.shortfalls["demand_t"].to_numpy())
    )
    mix = r.mix_by_country.groupby(["buyer", "commodity"])["share_of_demand"].sum()
    served = r.shortfalls.set_index(["buyer", "commodity"])
    assert mix.to_numpy() == pytest.approx((served["served_t"] / served["demand_t"]).to_numpy())
    assert (r.binding["saving_usd_per_t"].diff().dropna() <= 1e-9).all()  # most valuable first
    alloc = r.allocations
    assert alloc["risk_charge_usd"].to_numpy() == pytest.approx(
        (alloc["expected_loss_usd"] * r.risk_aversion).to_numpy()
    )


def test_metrics_from_the_shared_stage_table_equal_metrics_made_alone() -> None:
    """make_result builds the stage table once and hands it to metrics (issue 18)."""
    from riskengine.optimise import _tables

    data = generate_dataset(70, seed=2)
    config = make_config({"max_country_share": 0.5}, risk_aversion=2.0)
    problem = build_problem(data, config, random_scores(data, config))
    solution = solve(problem)
    result = make_result(problem, solution)
    alone = _tables.metrics(
        problem,
        solution,
        result.allocations,
        result.shortfalls,
        result.mix_by_country,
        result.violations,
    )
    assert result.metrics.equals(alone)
    assert result.stage_mix.equals(_tables.stage_mix(problem, solution))


def test_shadow_prices_split_by_term_add_up() -> None:
    data = generate_dataset(140, seed=6)
    config = make_config({"max_country_share": 0.6, "min_partner_share": 0.2}, risk_aversion=1.5)
    r = optimise(data, config, random_scores(data, config, seed=6))
    parts = r.binding[
        [f"{t}_usd_per_kg" for t in ("purchase", "risk_charge", "lost_supply", "violation")]
    ]
    assert parts.notna().all().all() and len(r.binding)
    assert parts.sum(axis=1).to_numpy() == pytest.approx(
        r.binding["shadow_price_usd_per_kg"].to_numpy(), abs=1e-6
    )
    assert set(r.binding["driver"]) <= {"purchase", "risk_charge", "lost_supply", "violation"}


def test_failed_self_check_is_reported_as_numerical() -> None:
    data = tiny_dataset([("cn1", "CN", DY, 1000, 100)], [("EU", DY, 10)])
    config = make_config()
    problem = build_problem(data, config, scores_for(data, config))
    good = solve(problem)
    bad = make_result(problem, replace(good, objective_usd=good.objective_usd * 1.01))
    assert bad.status is SolveStatus.NUMERICAL
    assert "self-check failed" in bad.message
    assert not bad.duals_available and bad.binding.empty


@pytest.mark.parametrize("path", PATHS, ids=["highs", "pulp-highs", "pulp-cbc"])
def test_time_limit_is_reported_not_used(path: tuple[str, str]) -> None:
    # CBC checks its clock between phases and once solved 700 offers before the first
    # check (CI, 2026-12-02); 3,000 offers keep it busy past it (0.3 s when it stops)
    data = generate_dataset(3000 if path[0] == "cbc" else 700, seed=2)
    config = make_config(solver=path[0], time_limit_s=1e-6)
    r = optimise(data, config, random_scores(data, config), backend=path[1])
    assert r.status is SolveStatus.TIME_LIMIT
    assert not r.is_optimal and not r.duals_available and r.binding.empty
    assert "not available (the plan is not optimal)" in r.summary()


def test_repr_summary_and_json() -> None:
    r = _run(CN_DE, [("EU", DY, 100)], PATHS[0], policy=HARD)
    assert repr(r).startswith(
        "OptimisationResult(status=optimal, purchase_cost_usd=13,500,000, mode=joint"
    )
    text = r.summary()
    assert "Sourcing plan (joint, risk_aversion=0): optimal" in text
    assert "purchase cost USD 13.5 m a year" in text
    assert "Raising the 65% cap on CN for EU dysprosium" in text
    doc = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert doc["status"] == "optimal" and doc["objective_usd"] == pytest.approx(13.5e6)
    money = ("purchase_cost_usd", "risk_charge_usd", "lost_supply_usd", "violation_usd")
    assert sum(doc[k] for k in money) == pytest.approx(doc["objective_usd"])
    assert set(doc["allocations"][0]) >= {
        "buyer",
        "supplier_id",
        "commodity",
        "country",
        "tonnes",
        "price_usd_per_kg",
        "risk_score",
        "disruption_probability",
        "risk_charge_usd",
    }
    assert set(doc["shortfalls"][0]) >= {
        "buyer",
        "commodity",
        "demand_t",
        "served_t",
        "shortfall_t",
    }


def test_no_demand_is_optimal_and_empty() -> None:
    data = tiny_dataset([("cn1", "CN", DY, 1000, 100)], [("EU", DY, 0)])
    r = optimise(data, make_config(), scores_for(data, make_config()))
    assert r.is_optimal and r.objective_usd == 0 and r.allocations.empty


def test_optimise_scores_with_the_scoring_package_by_default() -> None:
    pytest.importorskip("riskengine.scoring")
    scoring = pytest.importorskip("riskengine.scoring")
    if not hasattr(scoring, "score_suppliers"):
        pytest.skip("riskengine.scoring.score_suppliers not available yet")
    data = generate_dataset(70, seed=1)
    r = optimise(data, make_config(risk_aversion=1.0))
    assert r.is_optimal
    assert np.isfinite(r.allocations["risk_score"]).all()
