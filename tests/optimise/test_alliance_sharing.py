"""Sharing rules (optimiser.sharing): the split of a pooled optimum, and individual rationality."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskengine import generate_dataset, optimise
from riskengine.enums import SharingRule
from riskengine.optimise.build import build_problem
from riskengine.optimise.coalition import CoalitionGame, need_money
from riskengine.optimise.joint import individual_rationality, ir_notes
from riskengine.optimise.sharing import POOLED_RTOL, share
from riskengine.optimise.solving import solve
from tests.optimise.helpers import make_config, random_scores, scores_for, tiny_dataset

RULES = ["proportional", "maxmin", "shapley"]
#: 100 t of supply for 200 t of demand: 60 t at USD 100/kg, 40 t at USD 300/kg.
SCARCE = tiny_dataset(
    [("c1", "CN", "terbium", 60, 100), ("a1", "AU", "terbium", 40, 300)],
    [("EU", "terbium", 100), ("JP", "terbium", 100)],
)


def _plan(rule: str, data=SCARCE, rule_of_risk=None):
    config = make_config(shortfall_penalty_usd_per_kg=1000.0, sharing=rule)
    return optimise(data, config, scores_for(data, config, rule_of_risk))


def _per_buyer(result) -> pd.DataFrame:
    return result.metrics.groupby("buyer")[
        ["served_t", "purchase_cost_usd", "model_cost_usd"]
    ].sum()


@pytest.mark.parametrize("rule", ["proportional", "shapley", "maxmin"])
def test_identical_buyers_get_equal_shares_and_costs(rule: str) -> None:
    # EU and JP differ only in name: the same offers, no risk, no policy, equal demand
    result = _plan(rule)
    per_buyer = _per_buyer(result)
    assert per_buyer.loc["EU", "served_t"] == pytest.approx(50.0, rel=1e-6)
    assert per_buyer.loc["JP", "served_t"] == pytest.approx(50.0, rel=1e-6)
    # each buys 30 t at 100 and 20 t at 300: USD 9 m, and 50 t short at 1,000: USD 50 m
    assert per_buyer["purchase_cost_usd"].tolist() == pytest.approx([9e6, 9e6], rel=1e-6)
    assert per_buyer["model_cost_usd"].tolist() == pytest.approx([59e6, 59e6], rel=1e-6)
    assert result.model["sharing"] == rule


def test_the_solver_alone_splits_arbitrarily_and_the_rule_keeps_its_optimum() -> None:
    pooled = _plan("none")
    assert "sharing" not in pooled.model
    assert sorted(_per_buyer(pooled)["served_t"]) != pytest.approx([50.0, 50.0])
    for rule in RULES:
        shared = _plan(rule)
        assert shared.objective_usd == pytest.approx(pooled.objective_usd, rel=3 * POOLED_RTOL)
        assert shared.objective_usd >= pooled.objective_usd * (1 - 1e-12)
        assert shared.objective_check_usd == pytest.approx(shared.objective_usd, rel=1e-9)


def _risky_for_eu(buyer: str, offer: pd.Series) -> float:
    return 10.0 if buyer == "EU" else 0.0  # q = 0.1: EU's risk charge USD 100/kg


def test_a_buyer_the_pooled_optimum_cannot_spare_is_named_with_the_amount() -> None:
    # one offer of 100 t at USD 100/kg for 100 t of demand each, lost supply USD 1,000/kg;
    # the offer costs the EU 200/kg with its risk charge, so the pooled optimum gives it
    # all to JP: the EU is 100 t short against 50 t alone
    data = tiny_dataset(
        [("c1", "CN", "terbium", 100, 100)], [("EU", "terbium", 100), ("JP", "terbium", 100)]
    )
    config = make_config(shortfall_penalty_usd_per_kg=1000.0, risk_aversion=1.0)
    scores = scores_for(data, config, _risky_for_eu)
    problem = build_problem(data, config, scores, "joint")
    game = CoalitionGame(problem)
    pooled = solve(problem)
    for rule in RULES:
        plan = share(problem, pooled, rule, game)
        table = individual_rationality(problem, plan.values_t, game).set_index(["buyer", "term"])
        # EU alone: 50 t at 200 + 50 t short at 1,000 = USD 60 m; joint: 100 t short = 100 m
        assert table.loc[("EU", "model_cost_usd"), "alone"] == pytest.approx(60e6)
        assert table.loc[("EU", "model_cost_usd"), "gain"] == pytest.approx(-40e6, rel=1e-6)
        assert table.loc[("EU", "shortfall_t"), "gain"] == pytest.approx(-50.0, rel=1e-6)
        # JP alone: 50 t at 100 + 50 t short = 55 m; joint: 100 t at 100 = 10 m
        assert table.loc[("JP", "model_cost_usd"), "gain"] == pytest.approx(45e6, rel=1e-6)
        assert not table.loc[("EU", "model_cost_usd"), "holds"]
        assert table.loc[("JP", "model_cost_usd"), "holds"]
        eu, jp = ir_notes(table.reset_index(), rule)
        assert eu.startswith(f"Individual rationality: under sharing '{rule}' EU is worse off")
        assert "model cost +USD 40.0 m" in eu and "shortfall +50.0 t" in eu
        assert "would be needed" in eu
        # JP pays more (USD 10 m against 5 m) for 50 t more: listed, but its model cost gains
        assert "JP" in jp and "purchase +USD 5.0 m" in jp and "no worse than alone" in jp
    result = optimise(
        data, make_config(shortfall_penalty_usd_per_kg=1000.0, risk_aversion=1.0), scores
    )
    assert any("EU is worse off than buying alone" in n for n in result.notes)


def test_rules_spare_a_buyer_when_an_equally_good_plan_exists() -> None:
    # a dear offer only the EU may use keeps the pooled optimum from being unique:
    # IR comes first, so no rule leaves a buyer below its plan alone
    data = tiny_dataset(
        [("c1", "CN", "terbium", 60, 100), ("a1", "AU", "terbium", 40, 100)],
        [("EU", "terbium", 50), ("JP", "terbium", 50)],
    )
    config = make_config(shortfall_penalty_usd_per_kg=1000.0)
    problem = build_problem(data, config, scores_for(data, config), "joint")
    game = CoalitionGame(problem)
    pooled = solve(problem)
    for rule in RULES:
        plan = share(problem, pooled, rule, game)
        assert individual_rationality(problem, plan.values_t, game)["holds"].all()
        assert plan.stages.set_index("stage").loc["individual_rationality", "objective"] == 0


def test_sharing_keeps_a_horizon_of_years_and_the_money_terms_add_up() -> None:
    data = tiny_dataset(
        [
            ("c1", "CN", "terbium", 60, 100),
            ("a1", "AU", "terbium", 40, 300),
            ("b1", "US", "yttrium", 10, 50),
        ],
        [
            ("EU", "terbium", 100),
            ("JP", "terbium", 100),
            ("EU", "yttrium", 10),
            ("JP", "yttrium", 5),
        ],
    )
    config = make_config(shortfall_penalty_usd_per_kg=1000.0)
    problem = build_problem(data, config, scores_for(data, config), "joint")
    plan = share(problem, solve(problem), "proportional", CoalitionGame(problem))
    money = need_money(problem, plan.values_t)
    terms = ["purchase_usd", "holding_usd", "risk_charge_usd", "lost_supply_usd", "violation_usd"]
    assert money[terms].sum(axis=1).to_numpy() == pytest.approx(money["model_cost_usd"].to_numpy())
    assert money["model_cost_usd"].sum() == pytest.approx(plan.objective_usd, rel=1e-9)
    share_y = money[money["commodity"] == "yttrium"].set_index("buyer")["served_t"]
    assert share_y["EU"] / 10 == pytest.approx(share_y["JP"] / 5, rel=1e-6)  # y: 10 t for 15 t


def test_a_milp_keeps_the_solvers_split_with_a_note() -> None:
    config = make_config(shortfall_penalty_usd_per_kg=1000.0, min_order_t=5, sharing="shapley")
    result = optimise(SCARCE, config, scores_for(SCARCE, config))
    assert result.is_optimal and "sharing" not in result.model
    assert any("needs the LP" in n for n in result.notes)


def test_separate_mode_and_none_solve_once() -> None:
    config = make_config(shortfall_penalty_usd_per_kg=1000.0, mode="separate")
    result = optimise(SCARCE, config, scores_for(SCARCE, config))
    assert "sharing" not in result.model and not result.notes
    assert SharingRule("none").value == "none"


def test_proportional_splits_each_offer_too() -> None:
    result = _plan("proportional")
    tonnes = result.allocations.set_index(["buyer", "supplier_id"])["tonnes"].sort_index()
    # (EU, a1), (EU, c1), (JP, a1), (JP, c1): equal cost per tonne means the same mix
    assert np.allclose(tonnes.to_numpy(), [20, 30, 20, 30], rtol=1e-6)


@pytest.mark.parametrize(
    ("seed", "n", "alpha", "k"), [(1, 42, 0.5, 2.0), (31, 31, 0.0, 0.25), (38, 38, 0.0, 0.5)]
)
def test_a_scaled_problem_gets_the_scaled_plan(seed: int, n: int, alpha: float, k: float) -> None:
    # demand and capacity times k: the same split times k, to 0.1% of each need's demand
    # (the stages keep each optimum to 1e-9; near-flat directions move tonnes more)
    data = generate_dataset(n, seed=seed, n_countries=8)
    scaled = data.with_tables(
        suppliers=data.suppliers.assign(capacity_t=data.suppliers["capacity_t"] * k),
        demand=data.demand.assign(demand_t=data.demand["demand_t"] * k),
    )
    config = make_config({"min_partner_share": alpha}, risk_aversion=1.0)
    base, other = (optimise(d, config, random_scores(d, config, seed=1)) for d in (data, scaled))
    keys = ["buyer", "commodity", "supplier_id"]
    merged = base.allocations[[*keys, "tonnes"]].merge(
        other.allocations[[*keys, "tonnes"]], on=keys, how="outer"
    )
    merged = merged.fillna(0.0).merge(
        other.shortfalls[["buyer", "commodity", "demand_t"]], on=["buyer", "commodity"]
    )
    gap = (merged["tonnes_y"] - k * merged["tonnes_x"]).abs()
    assert (gap <= 1e-3 * merged["demand_t"] + 1e-5).all()
    money = ["purchase_cost_usd", "model_cost_usd"]
    by_buyer = [r.metrics.groupby("buyer")[money].sum() for r in (base, other)]
    assert by_buyer[1].to_numpy() == pytest.approx(k * by_buyer[0].to_numpy(), rel=1e-6)


def test_a_buyer_alone_that_does_not_solve_keeps_the_pooled_plan(monkeypatch) -> None:
    from dataclasses import replace

    from riskengine.optimise.solution import SolveStatus

    original = CoalitionGame.solve

    def stopped(self, members):
        return replace(original(self, members), status=SolveStatus.TIME_LIMIT, values_t=None)

    monkeypatch.setattr(CoalitionGame, "solve", stopped)
    result = _plan("proportional")
    assert result.is_optimal and "sharing" not in result.model
    assert any("optimiser.sharing 'proportional' not applied" in n for n in result.notes)
