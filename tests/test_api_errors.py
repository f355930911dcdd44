"""The Python API refuses bad arguments and bad in-memory tables with riskengine exceptions.

Every call below must raise a :class:`riskengine.RiskEngineError` (a ValueError;
wrong types also a TypeError), never an AttributeError, a pandas error or a
solver error, and never return a result computed from bad input.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

import riskengine
from riskengine import ArgumentError, DataError, RiskEngineError
from riskengine.scenarios import RobustSettings
from tests.conftest import DEFAULT_CONFIG

DATA = riskengine.load_dataset()
CONFIG = riskengine.load_config(DEFAULT_CONFIG, ["report.stress_library=false"])
OFFERS = DATA.suppliers


def _with(**tables: pd.DataFrame) -> riskengine.Dataset:
    return DATA.with_tables(**tables)


BAD_CALLS: dict[str, Callable[[], object]] = {
    "optimise: no dataset": lambda: riskengine.optimise(None, CONFIG),
    "optimise: config as dict": lambda: riskengine.optimise(DATA, {"optimiser": {}}),
    "optimise: config as path": lambda: riskengine.optimise(DATA, "config/default.yaml"),
    "optimise: negative capacity": lambda: riskengine.optimise(
        _with(suppliers=OFFERS.assign(capacity_t=-1.0)), CONFIG
    ),
    "optimise: infinite capacity": lambda: riskengine.optimise(
        _with(suppliers=OFFERS.assign(capacity_t=np.inf)), CONFIG
    ),
    "optimise: missing price": lambda: riskengine.optimise(
        _with(suppliers=OFFERS.assign(price_usd_per_kg=np.nan)), CONFIG
    ),
    "optimise: text capacity": lambda: riskengine.optimise(
        _with(suppliers=OFFERS.assign(capacity_t="lots")), CONFIG
    ),
    "optimise: dropped column": lambda: riskengine.optimise(
        _with(suppliers=OFFERS.drop(columns="capacity_t")), CONFIG
    ),
    "optimise: table as list": lambda: riskengine.optimise(_with(suppliers=[1, 2]), CONFIG),
    "optimise: duplicated offer": lambda: riskengine.optimise(
        _with(suppliers=pd.concat([OFFERS, OFFERS.iloc[:1]])), CONFIG
    ),
    "optimise: unknown country": lambda: riskengine.optimise(
        _with(suppliers=OFFERS.assign(country="XX")), CONFIG
    ),
    "optimise: unconfigured buyer": lambda: riskengine.optimise(
        _with(demand=DATA.demand.assign(buyer="KR")), CONFIG
    ),
    "optimise: governance 9": lambda: riskengine.optimise(
        _with(countries=DATA.countries.assign(governance=9.0)), CONFIG
    ),
    "optimise: text dates": lambda: riskengine.optimise(
        _with(export_controls=DATA.export_controls.assign(since="yesterday")), CONFIG
    ),
    "optimise: bad mode": lambda: riskengine.optimise(DATA, CONFIG, mode="both"),
    "optimise: bad backend": lambda: riskengine.optimise(DATA, CONFIG, backend="gurobi"),
    "optimise: scores as text": lambda: riskengine.optimise(DATA, CONFIG, scores="x"),
    "optimise: scores missing columns": lambda: riskengine.optimise(
        DATA, CONFIG, scores=pd.DataFrame({"a": [1]})
    ),
    "optimise: scores NaN": lambda: riskengine.optimise(
        DATA, CONFIG, scores=riskengine.score_suppliers(DATA, CONFIG).assign(risk_score=np.nan)
    ),
    "frontier: -1 points": lambda: riskengine.frontier(DATA, CONFIG, -1),
    "frontier: a million points": lambda: riskengine.frontier(DATA, CONFIG, 1_000_000),
    "frontier: 2.5 points": lambda: riskengine.frontier(DATA, CONFIG, 2.5),
    "frontier: points as text": lambda: riskengine.frontier(DATA, CONFIG, "5"),
    "frontier: infinite lambda": lambda: riskengine.frontier(DATA, CONFIG, [np.inf]),
    "frontier: negative lambda": lambda: riskengine.frontier(DATA, CONFIG, [-1.0]),
    "frontier: no lambdas": lambda: riskengine.frontier(DATA, CONFIG, []),
    "alliance_value: no dataset": lambda: riskengine.alliance_value(None, CONFIG),
    "alliance_value: bad backend": lambda: riskengine.alliance_value(DATA, CONFIG, backend=3),
    "stress: unknown name": lambda: riskengine.stress(DATA, CONFIG, "no-such-scenario"),
    "stress: name as int": lambda: riskengine.stress(DATA, CONFIG, 5),
    "stress: list of ints": lambda: riskengine.stress(DATA, CONFIG, [5]),
    "stress: bytes": lambda: riskengine.stress(DATA, CONFIG, b"x"),
    "stress: -1 draws": lambda: riskengine.stress(DATA, CONFIG, [], monte_carlo=-1),
    "stress: a million draws": lambda: riskengine.stress(DATA, CONFIG, [], monte_carlo=10**6),
    "stress: 2.5 draws": lambda: riskengine.stress(DATA, CONFIG, [], monte_carlo=2.5),
    "stress: seed -1": lambda: riskengine.stress(DATA, CONFIG, [], monte_carlo=1, seed=-1),
    "stress: executor": lambda: riskengine.stress(DATA, CONFIG, [], executor="gpu"),
    "stress: 0 jobs": lambda: riskengine.stress(DATA, CONFIG, [], n_jobs=0),
    "stress: library 5": lambda: riskengine.stress(DATA, CONFIG, ["x"], library=5),
    "stress: infinite beta": lambda: riskengine.stress(
        DATA, CONFIG, ["japan-embargo"], robust=True, robust_settings=RobustSettings(beta=np.inf)
    ),
    "score_suppliers: no dataset": lambda: riskengine.score_suppliers(None),
    "score_suppliers: config as text": lambda: riskengine.score_suppliers(DATA, "x"),
    "score_suppliers: negative lead time": lambda: riskengine.score_suppliers(
        _with(suppliers=OFFERS.assign(lead_time_days=-1.0))
    ),
    "score_intervals: no dataset": lambda: riskengine.score_intervals(None),
    "load_config: path 5": lambda: riskengine.load_config(5),
    "load_config: one override string": lambda: riskengine.load_config(
        None, "optimiser.mode=joint"
    ),
    "load_config: override 5": lambda: riskengine.load_config(None, [5]),
    "load_dataset: path 5": lambda: riskengine.load_dataset(5),
    "generate_dataset: -1 offers": lambda: riskengine.generate_dataset(n_offers=-1),
    "generate_dataset: seed -1": lambda: riskengine.generate_dataset(seed=-1),
    "generate_dataset: offers as text": lambda: riskengine.generate_dataset(n_offers="5"),
    "run_report: no config": lambda: riskengine.run_report(None),
    "run_report: out_dir 5": lambda: riskengine.run_report(CONFIG, out_dir=5),
    "run_report: out_dir /dev/null": lambda: riskengine.run_report(CONFIG, out_dir="/dev/null"),
    "run_report: dataset 5": lambda: riskengine.run_report(CONFIG, dataset=5),
    "write_dataset: no dataset": lambda: riskengine.write_dataset(None, "x"),
    "Dataset.table: unknown": lambda: DATA.table("nope"),
}


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_bad_call_raises_a_riskengine_error(name):
    with pytest.raises(RiskEngineError) as info:
        BAD_CALLS[name]()
    assert isinstance(info.value, ValueError)
    assert str(info.value)


def test_wrong_types_are_also_type_errors():
    with pytest.raises(TypeError):
        riskengine.optimise(None, CONFIG)
    with pytest.raises(ArgumentError):
        riskengine.stress(DATA, CONFIG, 5)


def test_stress_takes_one_scenario_name_as_a_list_of_one():
    one = riskengine.stress(DATA, CONFIG, "japan-embargo")
    listed = riskengine.stress(DATA, CONFIG, ["japan-embargo"])
    assert (
        list(one.scenarios["scenario"]) == list(listed.scenarios["scenario"]) == ["japan-embargo"]
    )


def test_in_memory_table_gets_the_message_of_the_file(data_dir, run_cli):
    frame = pd.read_csv(data_dir / "suppliers.csv", dtype=str, keep_default_na=False)
    frame.loc[3, "capacity_t"] = "-5"
    frame.to_csv(data_dir / "suppliers.csv", index=False, lineterminator="\n")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2
    memory = _with(
        suppliers=OFFERS.assign(capacity_t=OFFERS["capacity_t"].where(OFFERS.index != 3, -5.0))
    )
    with pytest.raises(DataError) as info:
        riskengine.optimise(memory, CONFIG)
    (problem,) = info.value.problems
    assert str(problem) == (
        "suppliers table, row 3, column capacity_t: value '-5.0': is out of range; "
        "expected a number from 0 to 10,000,000 t/yr"
    )
    assert err.split(": ", 1)[1].split(", line 5, ", 1)[1] == (
        "column capacity_t: value '-5': is out of range; expected a number from 0 to "
        "10,000,000 t/yr\n"
    )


def test_loaded_tables_keep_file_and_line_in_api_messages():
    demand = DATA.demand.copy()
    demand["buyer"] = demand["buyer"].astype(object)
    demand.loc[0, "buyer"] = "KR"
    with pytest.raises(DataError) as info:
        riskengine.optimise(DATA.with_tables(demand=demand), CONFIG)
    assert "demand table, row 0, column buyer: value 'KR': buyer not in the configuration" in str(
        info.value
    )


def test_valid_in_memory_edits_are_accepted():
    cheaper = OFFERS.assign(price_usd_per_kg=OFFERS["price_usd_per_kg"] * 0.9)
    result = riskengine.optimise(_with(suppliers=cheaper.astype({"capacity_t": object})), CONFIG)
    assert result.is_optimal
