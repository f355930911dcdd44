"""Sweeps: in-place modification equals rebuilding, and every executor gives the same answers."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest

from riskengine.exceptions import RiskEngineError
from riskengine.optimise import build_problem, solve
from riskengine.scenarios import apply_scenario, monte_carlo, sweep, sweeps
from riskengine.scenarios._index import index_problem
from riskengine.scenarios.sweeps import Progress, baseline_solve


@pytest.fixture(scope="module")
def swept(small):
    config, data, scores = small
    index, *_ = baseline_solve(index_problem(build_problem(data, config, scores), data))
    # without the buyer-specific licence shares, which the shared tables cannot hold
    # (apply_scenario writes them as columns the optimiser does not read)
    effects = [replace(e, availability=None) for e in monte_carlo(data, config, 40, seed=2)]
    return index, effects, sweep(index, effects, "serial", block_size=8)


def _assert_identical(a, b):
    assert a.names == b.names and a.status == b.status
    assert np.array_equal(a.objective_usd, b.objective_usd)
    assert np.array_equal(a.x_t, b.x_t) and np.array_equal(a.shortfall_t, b.shortfall_t)


def test_a_sweep_equals_rebuilding_the_model_per_scenario(small, swept):
    config, data, scores = small
    _, effects, result = swept
    assert set(result.status) == {"optimal"}
    for s in (0, 9, 23, 39):
        rebuilt = solve(build_problem(apply_scenario(data, effects[s]), config, scores))
        assert result.objective_usd[s] == pytest.approx(rebuilt.objective_usd, rel=1e-9)


def test_serial_and_local_executors_agree_exactly(swept, monkeypatch):
    index, effects, serial = swept
    monkeypatch.setattr(sweeps, "use_processes", lambda *args: True)  # the pool, however short
    result = sweep(index, effects, "local", n_jobs=2, block_size=8)
    _assert_identical(serial, result)
    assert (result.executor, result.workers, result.note) == ("local", 2, "")
    again = sweep(index, effects[8:], "serial", block_size=8)  # whole blocks: same starts
    assert np.array_equal(again.x_t, serial.x_t[8:])


def test_local_runs_a_short_sweep_in_this_process_and_says_why(swept):
    index, effects, serial = swept
    result = sweep(index, effects, "local", n_jobs=2, block_size=8)
    _assert_identical(serial, result)
    assert (result.executor, result.workers) == ("serial", 1)
    assert result.note.startswith("executor local ran the sweep in this process: 40 scenarios")


def test_processes_pay_only_for_enough_work():
    assert not sweeps.use_processes(1000.0, 10, 100, 1)  # one worker never pays
    assert not sweeps.use_processes(0.85, 2000, 228, 2)  # shipped data: 2,000 scenarios
    assert sweeps.use_processes(11.0, 2000, 2133, 2)  # 1,000 offers: 5.5 ms a scenario
    # more work for the same answers pays at least as well; more answers for it no better
    grid = [0.1, 1.0, 3.0, 10.0, 100.0]
    paid = [sweeps.use_processes(s, 500, 1000, 2) for s in grid]
    assert paid == sorted(paid) and paid[0] is False and paid[-1] is True
    assert not sweeps.use_processes(3.0, 5000, 1000, 2) or sweeps.use_processes(3.0, 500, 1000, 2)


def test_serial_and_dask_executors_agree_exactly(swept):
    distributed = pytest.importorskip("distributed")
    index, effects, serial = swept
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        result = sweep(index, effects, "dask", scheduler=cluster.scheduler_address, block_size=8)
    _assert_identical(serial, result)
    assert result.executor == "dask" and result.workers == 2


def test_an_unknown_executor_is_an_error(swept):
    index, effects, _ = swept
    with pytest.raises(RiskEngineError) as caught:
        sweep(index, effects, "ray")
    assert str(caught.value) == "executor 'ray' is not one of serial, local, dask"


def test_the_progress_line():
    stream = io.StringIO()
    bar = Progress(4, True, "sweep", stream)
    bar.update(4)
    bar.close()
    assert stream.getvalue().endswith("\rsweep: 4/4 scenarios (100%), 0.0 s\n")
    quiet = io.StringIO()
    Progress(400, None, stream=quiet).update(400)  # not a terminal: stays silent
    assert quiet.getvalue() == ""
