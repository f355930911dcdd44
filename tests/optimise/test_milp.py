"""Optional MILP extensions: minimum order quantity and a supplier limit per commodity."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pulp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskengine.cli import main
from riskengine.config import load_config
from riskengine.data import load_dataset
from riskengine.data.dataset import Dataset
from riskengine.data.synthetic import generate_dataset
from riskengine.exceptions import RiskEngineError
from riskengine.optimise import (
    Solution,
    SolveStatus,
    alliance_value,
    build_problem,
    frontier,
    make_result,
    optimise,
    solve,
    write_lp,
)
from riskengine.optimise._pulp import _status, build_pulp
from riskengine.optimise._tables import ALLOCATION_COLUMNS
from riskengine.optimise.milp import LP_ONLY, MILP_MESSAGE, MILP_NOT_SOLVED
from riskengine.optimise.problem import Problem
from riskengine.report.model import compute
from riskengine.report.run import render_html
from riskengine.report.tables import build_tables
from riskengine.scenarios import stress
from riskengine.scenarios._index import index_problem
from tests.conftest import DEFAULT_CONFIG, SEEDS
from tests.optimise.helpers import PATHS, make_config, random_scores, scores_for, tiny_dataset

IDS = ["highs", "pulp-highs", "pulp-cbc"]
DY = "dysprosium"
LP_FAMILIES = {"demand", "bought", "capacity", "country_cap", "partner_floor", "contract"}
MILP_FAMILIES = {"order_link", "min_order", "max_suppliers"}

#: Hard caps on demand (the version-1 rule the hand-solved optima below were written for).
HARD = {"max_country_share": 0.65, "enforce": "hard", "basis": "demand"}
#: EU needs 100 t; China and Australia are capped at 65% of it, Germany is home.
#: LP: 65 t CN + 35 t AU = 11.75 M USD.
CAPPED = [("cn1", "CN", DY, 1000, 100), ("au1", "AU", DY, 1000, 150), ("de1", "DE", DY, 1000, 200)]
#: Four home offers: three cheap small ones, one dear large one. LP: 40@100 + 40@110 + 20@120.
SMALL = [
    ("d1", "DE", DY, 40, 100),
    ("d2", "DE", DY, 40, 110),
    ("d3", "FR", DY, 40, 120),
    ("d4", "FR", DY, 1000, 300),
]


def _run(offers: list, demand: list, path: tuple[str, str] = ("highs", "highs"), **opt: object):
    data = tiny_dataset(offers, demand)
    opt.setdefault(
        "shortfall_penalty_usd_per_kg", 10_000.0
    )  # unmet demand far dearer than any offer
    config = make_config(HARD, solver=path[0], **opt)
    return optimise(data, config, scores_for(data, config), backend=path[1])


def _tonnes(result) -> dict[str, float]:
    alloc = result.allocations
    return dict(zip(alloc["supplier_id"], alloc["tonnes"].round(6), strict=True))


# --------------------------------------------------------------------------- the LP stays the LP


def _build(data: Dataset, mode: str = "joint", **opt: object) -> Problem:
    policy = HARD | {"min_partner_share": opt.pop("min_partner_share", 0.0)}
    config = make_config(policy, **opt)
    return build_problem(data, config, random_scores(data, config, seed=2), mode)


def test_defaults_leave_the_lp_exactly_as_it_was() -> None:
    data = generate_dataset(40, seed=3, n_countries=8)
    lp = _build(data, max_supplier_share=0.5, min_partner_share=0.2)
    off = _build(
        data,
        max_supplier_share=0.5,
        min_partner_share=0.2,
        min_order_t=0,
        max_suppliers_per_commodity=None,
    )
    assert not lp.is_mip and lp.integrality is None
    assert set(lp.columns["kind"]) == {"x", "shortfall", "bought"}
    assert lp.n_cols == lp.n_x + 2 * lp.n_pairs
    assert {b.family for b in lp.blocks} <= LP_FAMILIES
    assert f"columns={lp.n_cols} (x={lp.n_x}, short={lp.n_pairs}" in repr(lp)
    assert off.columns.equals(lp.columns)
    assert (off.matrix != lp.matrix).nnz == 0
    np.testing.assert_array_equal(off.cost, lp.cost)
    np.testing.assert_array_equal(off.upper, lp.upper)
    np.testing.assert_array_equal(off.row_upper, lp.row_upper)
    result = make_result(lp, solve(lp))
    assert result.duals_available and not result.milp and result.message == ""


@pytest.mark.parametrize("mode", ["joint", "separate"])
def test_the_milp_is_the_lp_plus_y_columns_and_three_families(mode: str) -> None:
    data = generate_dataset(40, seed=4, n_countries=8)
    lp = _build(data, mode)
    milp = _build(data, mode, min_order_t=20, max_suppliers_per_commodity=2)
    n = lp.n_cols
    assert milp.is_mip and milp.n_cols == n + lp.n_x
    assert milp.columns.iloc[:n].equals(lp.columns)
    assert (milp.columns["kind"].iloc[n:] == "y").all()
    assert milp.integrality.tolist() == [False] * n + [True] * lp.n_x
    np.testing.assert_array_equal(milp.cost[:n], lp.cost)
    assert (milp.cost[n:] == 0).all() and set(milp.upper[n:]) <= {0.0, 1.0}
    lp_part = [b for b in milp.blocks if b.family in LP_FAMILIES]
    assert [b.family for b in lp_part] == [b.family for b in lp.blocks]
    for mine, theirs in zip(lp_part, lp.blocks, strict=True):
        assert (mine.matrix[:, :n] != theirs.matrix).nnz == 0 and mine.matrix[:, n:].nnz == 0
        assert mine.rows.equals(theirs.rows)
    assert {b.family for b in milp.blocks} - LP_FAMILIES == MILP_FAMILIES
    assert f", y={lp.n_x})" in repr(milp)


def test_options_that_cannot_bind_give_the_lp_optimum() -> None:
    data = generate_dataset(40, seed=5, n_countries=8)
    lp = solve(_build(data))
    milp = solve(_build(data, max_suppliers_per_commodity=1000))
    assert milp.is_ok and not milp.duals_available
    assert milp.objective_usd == pytest.approx(lp.objective_usd, rel=1e-6)


# --------------------------------------------------------------------------- hand-solved optima


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_minimum_order_makes_a_small_cheap_purchase_impossible(path: tuple[str, str]) -> None:
    demand = [("EU", DY, 100)]
    lp = _run(CAPPED, demand, path)
    assert lp.objective_usd == pytest.approx(1000 * (65 * 100 + 35 * 150))
    # 35 t from Australia is below the 40 t minimum: buy 60 t CN + 40 t AU instead
    r = _run(CAPPED, demand, path, min_order_t=40)
    assert r.is_optimal and r.milp
    assert r.objective_usd == pytest.approx(1000 * (60 * 100 + 40 * 150), rel=1e-6)
    assert _tonnes(r) == pytest.approx({"cn1": 60.0, "au1": 40.0})
    assert r.allocations.columns.tolist() == ALLOCATION_COLUMNS
    assert r.objective_check_usd == pytest.approx(r.objective_usd, rel=1e-6)


@pytest.mark.parametrize("path", PATHS, ids=IDS)
@pytest.mark.parametrize(
    ("limit", "expected", "plan"),
    [
        (1, 100 * 300, {"d4": 100.0}),
        (2, 40 * 100 + 60 * 300, {"d1": 40.0, "d4": 60.0}),
        (3, 40 * 100 + 40 * 110 + 20 * 120, {"d1": 40.0, "d2": 40.0, "d3": 20.0}),
    ],
)
def test_supplier_limit_concentrates_the_mix(
    path: tuple[str, str], limit: int, expected: float, plan: dict[str, float]
) -> None:
    r = _run(SMALL, [("EU", DY, 100)], path, max_suppliers_per_commodity=limit)
    assert r.is_optimal and r.shortfall_t == pytest.approx(0.0, abs=1e-6)
    assert r.objective_usd == pytest.approx(1000 * expected, rel=1e-6)
    assert _tonnes(r) == pytest.approx(plan)


def test_supplier_limit_rows_only_where_a_buyer_has_more_offers() -> None:
    data = tiny_dataset(SMALL, [("EU", DY, 100)])
    config = make_config(HARD, max_suppliers_per_commodity=2)
    p = build_problem(data, config, scores_for(data, config))
    block = next(b for b in p.blocks if b.family == "max_suppliers")
    assert block.rows[["buyer", "commodity"]].values.tolist() == [["EU", DY]]
    assert p.row_upper[-1:].tolist() == [2.0] and block.matrix.nnz == 4
    config = make_config(HARD, max_suppliers_per_commodity=4)
    p = build_problem(data, config, scores_for(data, config))
    assert "max_suppliers" not in {b.family for b in p.blocks}


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_minimum_order_above_every_capacity_is_capped_not_infeasible(path: tuple[str, str]) -> None:
    offers = [("d1", "DE", DY, 30, 100), ("d2", "FR", DY, 20, 110)]
    r = _run(offers, [("EU", DY, 100)], path, min_order_t=500)
    assert r.status is SolveStatus.OPTIMAL
    assert _tonnes(r) == pytest.approx({"d1": 30.0, "d2": 20.0})
    assert r.shortfall_t == pytest.approx(50.0)


def test_shared_offer_goes_to_one_buyer_when_both_minimums_do_not_fit() -> None:
    # EU (home) must order >= 40 t, JP >= 39 t (its 65% cap on DE): 79 t > 50 t of capacity
    r = _run([("de1", "DE", DY, 50, 100)], [("EU", DY, 60), ("JP", DY, 60)], min_order_t=40)
    de1 = r.allocations[r.allocations["supplier_id"] == "de1"]
    assert len(de1) == 1 and de1["tonnes"].iloc[0] == pytest.approx(50.0)
    assert r.is_optimal


# --------------------------------------------------------------------------- result and backends


def test_a_milp_result_says_that_duals_are_not_available() -> None:
    r = _run(CAPPED, [("EU", DY, 100)], min_order_t=40)
    assert not r.duals_available and r.binding.empty and r.message == MILP_MESSAGE
    assert r.metrics["marginal_cost_usd_per_kg"].isna().all()
    text = r.summary()
    assert f"note: {MILP_MESSAGE}" in text
    assert (
        "Shadow prices: not available (the model is a MILP: minimum order quantity / "
        "supplier limit)."
    ) in text
    doc = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert doc["milp"] is True and doc["duals_available"] is False and doc["binding"] == []


@pytest.mark.parametrize("mode", ["joint", "separate"])
def test_backends_agree_on_a_generated_milp(mode: str) -> None:
    data = generate_dataset(60, seed=6, n_countries=8)
    config = make_config(HARD, risk_aversion=1.0, min_order_t=15, max_suppliers_per_commodity=3)
    problem = build_problem(data, config, random_scores(data, config, seed=1), mode)
    answers = [solve(problem, solver, backend) for solver, backend in PATHS]
    assert all(a.is_ok and not a.duals_available for a in answers)
    for other in answers[1:]:
        assert other.objective_usd == pytest.approx(answers[0].objective_usd, rel=1e-5)


def test_pulp_model_has_binary_y_and_the_lp_file_lists_them(tmp_path: Path) -> None:
    data = tiny_dataset(SMALL, [("EU", DY, 100)])
    config = make_config(HARD, max_suppliers_per_commodity=2)
    p = build_problem(data, config, scores_for(data, config))
    model = build_pulp(p)
    y = model.by_key[("y", "EU", "d1", DY)]
    assert y.cat == pulp.LpInteger and (y.lowBound, y.upBound) == (0, 1)
    assert model.by_key[("x", "EU", "d1", DY)].cat == pulp.LpContinuous
    text = write_lp(p, tmp_path / "model.lp").read_text()
    assert "Binaries" in text and "y" + str(p.n_x + p.n_pairs) in text


def test_pulp_integer_feasible_but_unproven_is_a_time_limit() -> None:
    assert _status(pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible) is (SolveStatus.TIME_LIMIT)


def test_a_milp_stopped_by_the_time_limit_is_reported_not_used() -> None:
    data = generate_dataset(1000, seed=0)
    config = make_config(HARD, risk_aversion=1.0, min_order_t=20, max_suppliers_per_commodity=5)
    problem = build_problem(data, config, random_scores(data, config, seed=1))
    r = make_result(problem, solve(problem, time_limit_s=0.01))
    assert r.status is SolveStatus.TIME_LIMIT and not r.is_optimal
    assert not r.duals_available and r.binding.empty and r.message != MILP_MESSAGE


def test_a_milp_reported_infeasible_without_contracts_is_not_solved() -> None:
    data = tiny_dataset(CAPPED, [("EU", DY, 100)])
    config = make_config(HARD, min_order_t=40)
    problem = build_problem(data, config, scores_for(data, config))
    cbc_gave_up = Solution(
        SolveStatus.INFEASIBLE,
        float("nan"),
        None,
        None,
        None,
        "cbc",
        "",
        "pulp",
        message="PuLP status 'Infeasible'",
    )
    r = make_result(problem, cbc_gave_up)
    assert r.status is SolveStatus.NOT_SOLVED and r.message == MILP_NOT_SOLVED


def test_contracts_the_supplier_limit_cannot_honour_are_explained() -> None:
    data = tiny_dataset(CAPPED, [("EU", DY, 100)])
    column = data.suppliers["supplier_id"].map({"cn1": "10", "au1": "10"}).fillna("")
    data = data.with_tables(suppliers=data.suppliers.assign(contracted_t=column))
    config = make_config(HARD, max_suppliers_per_commodity=1)
    r = optimise(data, config, scores_for(data, config))
    assert r.status is SolveStatus.INFEASIBLE
    assert "raise max_suppliers_per_commodity" in r.message


# --------------------------------------------------------------------------- frontier, alliance


def test_frontier_and_alliance_work_on_the_milp() -> None:
    data = generate_dataset(40, seed=7, n_countries=8)
    config = make_config(HARD, min_order_t=20, max_suppliers_per_commodity=2)
    scores = random_scores(data, config, seed=1)
    front = frontier(data, config, [0.0, 1.0, 5.0], scores)
    assert (front.points["status"] == "optimal").all()
    assert all(r.milp and r.binding.empty for r in front.results)
    at_one = optimise(
        data,
        make_config(HARD, risk_aversion=1.0, min_order_t=20, max_suppliers_per_commodity=2),
        scores,
    )
    assert front.points["model_cost_usd"].iloc[1] == pytest.approx(at_one.objective_usd, rel=1e-6)
    value = alliance_value(data, config, scores)
    assert len(value) and value["objective_joint_usd"].notna().all()


# --------------------------------------------------------------------------- stress refuses


def test_stress_and_the_sweep_index_refuse_a_milp() -> None:
    data = generate_dataset(30, seed=8, n_countries=8)
    config = make_config(HARD, min_order_t=20)
    scores = random_scores(data, config, seed=1)
    with pytest.raises(RiskEngineError) as err:
        stress(data, config, scores=scores)
    assert str(err.value).startswith(
        "stress tests need the LP: set optimiser.min_order_t: 0 "
        "and max_suppliers_per_commodity: null"
    )
    with pytest.raises(RiskEngineError) as err:
        index_problem(build_problem(data, config, scores), data)
    assert str(err.value) == LP_ONLY


def test_report_of_a_milp_says_why_there_is_no_stress_test_and_no_shadow_price() -> None:
    # no coalition game: 31 MILPs over five buyers (12 s), not what this test is about
    overrides = [
        "report.frontier_points=0",
        "optimiser.min_order_t=20",
        "alliance.max_coalition_buyers=2",
    ]
    data = compute(load_config(DEFAULT_CONFIG, overrides), load_dataset(SEEDS))
    assert data.stress is None and data.stress_note == LP_ONLY
    page = render_html(data, build_tables(data), {})
    assert 'id="stress"' in page and f"Not computed: {LP_ONLY}." in page
    assert "makes the model a MILP, which has no shadow prices" in page


# --------------------------------------------------------------------------- command line


def test_cli_optimise_with_set_says_duals_are_not_available(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    monkeypatch.setattr(
        "riskengine.cli.optimise.default_scores",
        lambda data, config: random_scores(data, config, seed=0),
    )

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(
            [
                "optimise",
                "--config",
                str(DEFAULT_CONFIG),
                "--data",
                str(data_dir),
                "--set",
                "optimiser.min_order_t=20",
                "--set",
                "optimiser.max_suppliers_per_commodity=3",
                *argv,
            ]
        )
        out, err = capfd.readouterr()
        return code, out, err

    code, out, err = run()
    assert (code, err) == (0, "")
    assert "Shadow prices: not available (the model is a MILP" in out
    code, out, err = run("--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["milp"] is True and doc["message"] == MILP_MESSAGE


def test_cli_stress_refuses_a_milp_with_exit_2(
    run_cli: Callable[..., tuple[int, str, str]], data_dir: Path
) -> None:
    code, _, err = run_cli(
        "stress",
        "--config",
        str(DEFAULT_CONFIG),
        "--data",
        str(data_dir),
        "--set",
        "optimiser.max_suppliers_per_commodity=2",
    )
    assert code == 2 and "stress tests need the LP" in err


# --------------------------------------------------------------------------- properties

FAST = settings(max_examples=15, deadline=None)


def _objective(data: Dataset, mode: str, **opt: object) -> float:
    config = make_config(HARD, risk_aversion=1.0, **opt)
    solution = solve(build_problem(data, config, random_scores(data, config, seed=1), mode))
    assert solution.is_ok
    return solution.objective_usd


@FAST
@given(
    st.integers(0, 10_000),
    st.integers(7, 30),
    st.sampled_from(["joint", "separate"]),
    st.integers(1, 3),
    st.integers(1, 3),
    st.sampled_from([0.0, 5.0, 30.0]),
)
def test_raising_the_supplier_limit_never_raises_the_objective(
    seed: int, n: int, mode: str, limit: int, more: int, moq: float
) -> None:
    data = generate_dataset(n, seed=seed, n_countries=8)
    base = _objective(data, mode, max_suppliers_per_commodity=limit, min_order_t=moq)
    raised = _objective(data, mode, max_suppliers_per_commodity=limit + more, min_order_t=moq)
    assert raised <= base * (1 + 2e-6) + 1e-6


@FAST
@given(
    st.integers(0, 10_000),
    st.integers(7, 30),
    st.sampled_from(["joint", "separate"]),
    st.floats(0.0, 200.0),
    st.floats(0.0, 200.0),
    st.sampled_from([None, 1, 3]),
)
def test_raising_the_minimum_order_never_lowers_the_objective(
    seed: int, n: int, mode: str, moq: float, more: float, limit: int | None
) -> None:
    data = generate_dataset(n, seed=seed, n_countries=8)
    base = _objective(data, mode, min_order_t=moq, max_suppliers_per_commodity=limit)
    raised = _objective(data, mode, min_order_t=moq + more, max_suppliers_per_commodity=limit)
    assert raised >= base * (1 - 2e-6) - 1e-6


@settings(max_examples=25, deadline=None)
@given(
    st.integers(0, 10_000),
    st.integers(7, 40),
    st.sampled_from(["joint", "separate"]),
    st.floats(0.0, 500.0),
    st.sampled_from([None, 1, 2, 5]),
    st.floats(0.2, 1.0),
)
def test_buying_nothing_satisfies_every_row(
    seed: int, n: int, mode: str, moq: float, limit: int | None, sigma: float
) -> None:
    data = generate_dataset(n, seed=seed, n_countries=8)
    p = _build(
        data,
        mode,
        min_order_t=moq,
        max_suppliers_per_commodity=limit,
        max_supplier_share=sigma,
        min_partner_share=0.3,
    )
    nothing = np.zeros(p.n_cols)  # x = 0, y = 0, shortfall = demand
    nothing[p.layout.shortfall] = p.params.demand_t / 1000
    activity = p.matrix @ nothing
    assert (activity >= p.row_lower - 1e-12).all() and (activity <= p.row_upper + 1e-12).all()
    assert (p.lower <= nothing).all() and (nothing <= p.upper).all()
