"""Optional extension: minimum volumes from existing contracts (``contracted_t`` column)."""

from __future__ import annotations

import pytest

from riskengine.data.dataset import Dataset
from riskengine.exceptions import DataError
from riskengine.optimise import SolveStatus, build_problem, optimise
from tests.optimise.helpers import PATHS, make_config, scores_for, tiny_dataset

DY = "dysprosium"
OFFERS = [("cn1", "CN", DY, 1000, 100), ("cn2", "CN", DY, 1000, 110), ("de1", "DE", DY, 1000, 200)]


def _with_contracts(demand: list[tuple[str, str, float]], **contracts: object) -> Dataset:
    data = tiny_dataset(OFFERS, demand)
    column = data.suppliers["supplier_id"].map(lambda s: str(contracts.get(s, "")))
    return data.with_tables(suppliers=data.suppliers.assign(contracted_t=column))


@pytest.mark.parametrize("path", PATHS, ids=["highs", "pulp-highs", "pulp-cbc"])
def test_contract_forces_a_dearer_offer(path: tuple[str, str]) -> None:
    data = _with_contracts([("EU", DY, 100)], de1=50)
    config = make_config(solver=path[0])
    r = optimise(data, config, scores_for(data, config), backend=path[1])
    assert r.is_optimal
    assert r.objective_usd == pytest.approx(1000 * (100 * 50 + 200 * 50))
    contract = r.binding.set_index("family").loc["contract"]
    assert contract["shadow_price_usd_per_kg"] == pytest.approx(100.0)
    expected = "Releasing the contracted minimum at de1 (DE, dysprosium) would save USD 100/kg"
    if path[1] == "highs":  # the highspy backend returns the basis: the saving is split by term
        expected += " (of which purchase price +100)"
    assert contract["sentence"] == expected + "."


def test_joint_contract_is_shared_and_separate_is_pro_rata() -> None:
    data = _with_contracts([("EU", DY, 60), ("JP", DY, 40)], de1=50)
    config = make_config()
    scores = scores_for(data, config)
    joint = build_problem(data, config, scores, "joint")
    block = next(b for b in joint.blocks if b.family == "contract")
    assert block.rows["rhs_t"].tolist() == [50.0] and block.matrix.nnz == 2
    separate = build_problem(data, config, scores, "separate")
    block = next(b for b in separate.blocks if b.family == "contract")
    assert block.rows[["buyer", "rhs_t"]].values.tolist() == [["EU", 30.0], ["JP", 20.0]]
    assert optimise(data, config, scores, mode="separate").is_optimal


def test_contract_beyond_a_hard_cap_on_demand_is_rejected_before_solving() -> None:
    data = _with_contracts([("EU", DY, 100)], cn1=80)
    config = make_config({"max_country_share": 0.65, "enforce": "hard", "basis": "demand"})
    with pytest.raises(DataError) as err:
        optimise(data, config, scores_for(data, config))
    assert str(err.value) == (
        "1 problem in the data:\n  suppliers.csv, column contracted_t: value '80': at most "
        "65.00 t can be bought from this offer within capacity, max_supplier_share and a "
        "hard country cap on demand; lower the contract or relax those caps"
    )


@pytest.mark.parametrize("path", PATHS, ids=["highs", "pulp-highs", "pulp-cbc"])
def test_contracts_that_together_break_a_cap_are_reported_infeasible(path: tuple[str, str]) -> None:
    data = _with_contracts([("EU", DY, 100)], cn1=40, cn2=40)
    hard = {"max_country_share": 0.65, "enforce": "hard", "basis": "demand"}
    config = make_config(hard, solver=path[0])
    r = optimise(data, config, scores_for(data, config), backend=path[1])
    assert r.status is SolveStatus.INFEASIBLE
    assert r.message.startswith(
        "infeasible: the contracted minimum volumes (suppliers.csv "
        "column contracted_t) together exceed"
    )
    assert not r.duals_available


def test_bad_contract_values_are_named() -> None:
    data = _with_contracts([("EU", DY, 100)], cn1="lots", de1=-5)
    config = make_config()
    with pytest.raises(DataError, match="value 'lots': is not valid; expected tonnes >= 0"):
        optimise(data, config, scores_for(data, config))


def test_a_contract_above_a_soft_cap_is_honoured_at_a_price() -> None:
    data = _with_contracts([("EU", DY, 100)], cn1=80)
    config = make_config({"max_country_share": 0.65, "violation_usd_per_kg": 1000.0})
    r = optimise(data, config, scores_for(data, config))
    assert r.is_optimal
    assert r.violations["excess_t"].sum() == pytest.approx(80 - 0.65 * 100)
    assert r.violation_usd == pytest.approx(1000 * 1000.0 * 15.0)


def test_contract_without_demand_is_rejected() -> None:
    data = _with_contracts([("EU", "terbium", 10)], de1=5)
    config = make_config()
    with pytest.raises(DataError, match="no buyer has demand for this commodity"):
        optimise(data, config, scores_for(data, config))
