"""The coalition game: characteristic function, Shapley values, core, candidates."""

from __future__ import annotations

import pandas as pd
import pytest

import riskengine
from riskengine import ConfigError, load_config
from riskengine.config.schema import Config
from riskengine.optimise.api import default_scores
from riskengine.optimise.build import build_problem
from riskengine.optimise.candidates import candidate_demand
from riskengine.optimise.coalition import (
    CoalitionGame,
    core_excess,
    least_core,
    need_money,
    shapley_values,
)
from riskengine.optimise.solving import solve
from tests.conftest import DEFAULT_CONFIG
from tests.optimise.helpers import scores_for, tiny_dataset

# Three buyers of 40 t each and two offers of 60 t at USD 100/kg; lost supply USD 1,000/kg.
# o2 is risky for A (q = 0.1: a risk charge of USD 100/kg), o1 for B; C minds neither.
# Alone, each takes 20 t of each offer. By hand (USD m):
#   C(A) = C(B) = 20 t x 100 + 20 t x 200 = 6, C(C) = 40 t x 100 = 4
#   C(AB) = 8 (A takes o1, B o2), C(AC) = C(BC) = 8, C(ABC) = 12
#   v(AB) = 4, v(AC) = v(BC) = 2, v(ABC) = 4
#   Shapley: A = B = 4/6 + 2/6 + (4 - 2)/3 = 5/3, C = 2/6 + 2/6 + 0 = 2/3
#   core: x_A + x_B >= 4 and x_C >= 0 with the total 4, so the core is (2, 2, 0) alone
THREE = tiny_dataset(
    [("o1", "AU", "x", 60, 100), ("o2", "US", "x", 60, 100)],
    [("A", "x", 40), ("B", "x", 40), ("C", "x", 40)],
)
THREE_CONFIG = Config(
    buyers={"A": {"home": ["DE"]}, "B": {"home": ["FR"]}, "C": {"home": ["JP"]}},
    optimiser={"risk_aversion": 1.0, "shortfall_penalty_usd_per_kg": 1000.0},
    alliance={"candidates": {}},
    horizon={"start": None, "end": None},  # one period: the hand computation's
)


def _risk(buyer: str, offer: pd.Series) -> float:
    risky = {"A": "o2", "B": "o1"}
    return 10.0 if risky.get(buyer) == offer["supplier_id"] else 0.0


@pytest.fixture(scope="module")
def three() -> CoalitionGame:
    problem = build_problem(THREE, THREE_CONFIG, scores_for(THREE, THREE_CONFIG, _risk), "joint")
    return CoalitionGame(problem)


def test_three_buyers_match_the_hand_computation(three: CoalitionGame) -> None:
    table = three.characteristic().set_index("coalition")
    cost = {"A": 6, "B": 6, "C": 4, "A+B": 8, "A+C": 8, "B+C": 8, "A+B+C": 12}
    saving = {"A": 0, "B": 0, "C": 0, "A+B": 4, "A+C": 2, "B+C": 2, "A+B+C": 4}
    assert table["model_cost_usd"].to_dict() == pytest.approx({k: v * 1e6 for k, v in cost.items()})
    assert table["savings_usd"].to_dict() == pytest.approx(
        {k: v * 1e6 for k, v in saving.items()}, abs=1.0
    )
    phi = shapley_values(three.buyers, three.savings())
    assert phi.to_dict() == pytest.approx({"A": 5e6 / 3, "B": 5e6 / 3, "C": 2e6 / 3}, rel=1e-6)


def test_shapley_values_add_up_to_the_grand_coalitions_savings(three: CoalitionGame) -> None:
    value = three.savings()
    phi = shapley_values(three.buyers, value)
    assert phi.sum() == pytest.approx(value[frozenset(three.buyers)], rel=1e-9)


def test_the_core_check_finds_the_blocking_coalition(three: CoalitionGame) -> None:
    value = three.savings()
    shapley = core_excess(shapley_values(three.buyers, value), value)
    assert shapley.iloc[0]["coalition"] == "A+B"
    assert shapley.iloc[0]["excess_usd"] == pytest.approx(-2e6 / 3, rel=1e-6)
    in_core = core_excess(pd.Series({"A": 2e6, "B": 2e6, "C": 0.0}), value)
    assert (in_core["excess_usd"] >= -1.0).all()
    split, excess = least_core(three.buyers, value)  # the core is that one point
    assert split.to_dict() == pytest.approx({"A": 2e6, "B": 2e6, "C": 0.0}, abs=1.0)
    assert excess == pytest.approx(0.0, abs=1.0)


def test_warm_re_solves_equal_fresh_solves(three: CoalitionGame) -> None:
    for members in three.subsets():
        fresh = solve(three.coalition_problem(members))
        assert three.solve(members).objective_usd == pytest.approx(fresh.objective_usd, rel=1e-9)


@pytest.fixture(scope="module")
def shipped() -> riskengine.optimise.AllianceAnalysis:
    return riskengine.analyse_alliance(riskengine.load_dataset(), load_config(DEFAULT_CONFIG))


def test_warm_re_solves_equal_fresh_solves_on_the_shipped_data() -> None:
    # offtakes, stocks and licence approvals of the shipped tables change with the coalition
    data, config = riskengine.load_dataset(), load_config(DEFAULT_CONFIG)
    game = CoalitionGame(build_problem(data, config, default_scores(data, config), "joint"))
    for members in game.subsets():
        fresh = solve(game.coalition_problem(members)).objective_usd
        assert game.solve(members).objective_usd == pytest.approx(fresh, rel=1e-9)


def test_each_buyer_alone_is_the_separate_mode() -> None:
    data, config = riskengine.load_dataset(), load_config(DEFAULT_CONFIG)
    scores = default_scores(data, config)
    game = CoalitionGame(build_problem(data, config, scores, "joint"))
    separate = riskengine.optimise(data, config, scores, mode="separate")
    by_buyer = separate.metrics.groupby("buyer")["model_cost_usd"].sum()
    # the thrifting premium belongs to a product family, not to a commodity's row
    by_buyer = by_buyer.add(separate.products.groupby("buyer")["premium_usd"].sum(), fill_value=0)
    for buyer in ("EU", "JP"):
        alone = game.totals([buyer])["model_cost_usd"]
        assert alone == pytest.approx(by_buyer[buyer], rel=1e-9)


def test_shipped_game_of_five_buyers(shipped) -> None:
    assert shipped.members == ("EU", "JP")
    assert shipped.candidates == ("IN", "KR", "US")
    assert len(shipped.coalitions) == 31
    value = dict(
        zip(shipped.coalitions["coalition"], shipped.coalitions["savings_usd"], strict=True)
    )
    grand = value["EU+IN+JP+KR+US"]
    assert shipped.players["shapley_value_usd"].sum() == pytest.approx(grand, rel=1e-6)
    # a linear production game: savings are never negative
    assert (shipped.coalitions["savings_usd"] >= -1.0).all()
    assert shipped.players["least_core_usd"].sum() == pytest.approx(grand, rel=1e-6)
    if shipped.least_core_excess_usd >= 0:  # a split in the core: no coalition blocks it
        split = shipped.players.set_index("buyer")["least_core_usd"]
        assert (core_excess(split, _values(shipped))["excess_usd"] >= -1.0).all()
    marginal = shipped.players.set_index("buyer")["marginal_value_usd"]
    assert marginal["EU"] == pytest.approx(grand - value["IN+JP+KR+US"], abs=1.0)


def _values(analysis) -> dict[frozenset[str], float]:
    table = analysis.coalitions
    keys = [frozenset(c.split("+")) for c in table["coalition"]]
    return dict(zip(keys, table["savings_usd"], strict=True))


def test_candidate_value_is_the_larger_alliances_extra_savings(shipped) -> None:
    value = shipped.coalitions.set_index("coalition")["savings_usd"]
    cands = shipped.candidate_value.set_index("candidate")
    for k, bigger in (("IN", "EU+IN+JP"), ("KR", "EU+JP+KR"), ("US", "EU+JP+US")):
        assert cands.loc[k, "added_savings_usd"] == pytest.approx(
            value[bigger] - value["EU+JP"], abs=1.0
        )
        split = cands.loc[k, "candidate_shapley_usd"] + cands.loc[k, "members_shapley_gain_usd"]
        assert split == pytest.approx(cands.loc[k, "added_savings_usd"], abs=1.0)
        assert cands.loc[k, "basis"]


def test_every_rule_on_the_shipped_data_is_rational_or_says_why(shipped) -> None:
    rules = shipped.by_rule
    assert set(rules["rule"]) == {"proportional", "maxmin", "shapley", "none"}
    for row in rules.itertuples():
        checks = shipped.rationality
        mine = checks[(checks["rule"] == row.rule) & (checks["buyer"] == row.buyer)]
        enforced = mine[mine["term"].isin(["model_cost_usd", "shortfall_t"])]
        assert row.individually_rational == bool(enforced["holds"].all())
    config = load_config(DEFAULT_CONFIG)
    result = riskengine.optimise(riskengine.load_dataset(), config)
    configured = rules[rules["rule"] == config.optimiser.sharing.value]
    failing = configured.loc[~configured["individually_rational"], "buyer"]
    for buyer in failing:
        assert any(f"{buyer} is worse off" in note for note in result.notes)
    # the transfers that bring each buyer to its Shapley value cancel out
    for _, part in rules.groupby("rule"):
        assert part["transfer_to_shapley_usd"].sum() == pytest.approx(0.0, abs=10.0)


def test_candidate_demand_from_a_map_or_a_scale() -> None:
    data = riskengine.load_dataset()
    config = load_config(DEFAULT_CONFIG)
    us = candidate_demand(data, config, "US").set_index("commodity")["demand_t"]
    assert us["samarium"] == 50.0 and us["yttrium"] == 600.0
    kr = candidate_demand(data, config, "KR").set_index("commodity")["demand_t"]
    jp = data.demand[data.demand["buyer"] == "JP"].groupby("commodity")["demand_t"].sum()
    assert kr.groupby(level=0).sum().to_dict() == pytest.approx((0.25 * jp).to_dict())


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            "alliance.candidates={TW: {home: [TW], demand_t: {terbium: 5}}}",
            "alliance.candidates.TW.home: 'TW' is not a country or bloc of countries.csv",
        ),
        (
            "alliance.candidates={CA: {home: [CA], demand_t: {terbbium: 5}}}",
            "alliance.candidates.CA.demand_t: 'terbbium' is not a commodity of commodities.csv",
        ),
        (
            "alliance.candidates={CA: {home: [CA], demand_scale: {buyer: CN, factor: 1}}}",
            "alliance.candidates.CA.demand_scale.buyer: 'CN' is not a buyer with demand rows",
        ),
    ],
)
def test_bad_candidates_name_the_key(override: str, message: str) -> None:
    config = load_config(DEFAULT_CONFIG, [override])
    with pytest.raises(ConfigError, match="^" + message.replace(".", r"\.")):
        riskengine.analyse_alliance(riskengine.load_dataset(), config)


def test_a_candidate_needs_exactly_one_demand() -> None:
    with pytest.raises(ConfigError, match="exactly one of the two"):
        load_config(overrides=["alliance.candidates={CA: {home: [CA]}}"])
    with pytest.raises(ConfigError, match="already in buyers"):
        load_config(overrides=["alliance.candidates={JP: {home: [JP], demand_t: {terbium: 1}}}"])


def test_a_planning_horizon_keeps_the_candidates_and_alone_is_the_separate_plan() -> None:
    # demand_outlook.csv replaces demand.csv in its years: candidates join it too
    data = riskengine.load_dataset()
    config = load_config(DEFAULT_CONFIG, ["horizon.start=2026", "horizon.end=2027"])
    scores = default_scores(data, config)
    analysis = riskengine.analyse_alliance(data, config, scores)
    assert analysis.candidates == ("IN", "KR", "US") and analysis.period == "over 2026-2027"
    game = CoalitionGame(build_problem(data, config, scores, "joint"))
    separate = build_problem(data, config, scores, "separate")
    alone = need_money(separate, solve(separate).values_t).groupby("buyer")["model_cost_usd"]
    for buyer, cost in alone.sum().items():
        assert game.totals([buyer])["model_cost_usd"] == pytest.approx(cost, rel=1e-9)
