"""Own data with the shipped scenario library: library scenarios that do not fit are skipped."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import riskengine
from riskengine.config import Config
from riskengine.exceptions import RiskEngineError
from riskengine.scenarios import shipped_library_dir, stress
from riskengine.scenarios.fit import compile_chosen
from riskengine.scenarios.library import load_library, resolve_scenarios
from riskengine.scenarios.model import ScenarioMismatch
from tests.conftest import DEFAULT_CONFIG


@pytest.fixture(scope="module")
def own() -> riskengine.Dataset:
    return riskengine.generate_dataset(n_offers=70, seed=1)


def test_the_shipped_library_is_marked_shipped(tmp_path):
    assert all(item.shipped for item in load_library())
    copy = tmp_path / "mine"
    shutil.copytree(shipped_library_dir(), copy)
    assert not any(item.shipped for item in load_library(copy))


def test_shipped_scenarios_that_name_absent_ids_are_skipped_with_a_note(own):
    chosen = resolve_scenarios(Config(), None, True)
    effects, notes = compile_chosen(own, chosen)
    skipped = [n for n in notes if "'lynas-malaysia-outage'" in n]
    assert skipped == [
        "skipped shipped scenario 'lynas-malaysia-outage' (lynas-malaysia-outage.yaml): "
        "supplier 'lynas-my' is not in suppliers.csv (it was written for the shipped tables)"
    ]
    assert len(effects) + len(notes) == len(chosen)
    assert "china-full-ban" in [e.name for e in effects]  # CN is in the generated data
    assert all("\n" not in n for n in notes)


def test_the_same_scenario_from_the_analysts_own_folder_is_an_error(own, tmp_path):
    copy = tmp_path / "mine"
    copy.mkdir()
    shutil.copy(shipped_library_dir() / "lynas-malaysia-outage.yaml", copy)
    chosen = resolve_scenarios(Config(), None, copy)
    with pytest.raises(ScenarioMismatch, match=r"'lynas-my' matches no row of suppliers\.csv"):
        compile_chosen(own, chosen)


def test_a_shipped_scenario_named_explicitly_is_still_checked(own):
    with pytest.raises(RiskEngineError, match="lynas-my"):
        stress(own, Config(), ["lynas-malaysia-outage"], progress=False)


def test_stress_on_own_data_reports_the_skipped_scenarios(own):
    result = stress(own, Config(), progress=False)
    assert any("lynas-malaysia-outage" in n for n in result.skipped)
    assert "lynas-malaysia-outage" not in set(result.scenarios["scenario"])
    assert result.to_dict()["skipped"] == list(result.skipped)


def test_report_on_own_data_with_the_default_config_exits_0(data_dir, tmp_path, run_cli):
    code, out, err = run_cli(
        "report",
        "--config",
        str(DEFAULT_CONFIG),
        "--data",
        str(data_dir),
        "--out",
        str(tmp_path / "out"),
        "--set",
        "report.frontier_points=0",
    )
    assert code == 0, err
    note = "skipped shipped scenario 'lynas-malaysia-outage'"
    assert f"note: {note}" in err
    html = (Path(out.strip()) / "report.html").read_text(encoding="utf-8")
    assert note.replace("'", "&#x27;") in html


def test_a_bad_supplier_in_the_analysts_own_scenario_exits_2(data_dir, tmp_path, run_cli):
    config = tmp_path / "mine.yaml"
    config.write_text(
        "name: mine\n"
        "scenarios:\n"
        "  - name: my-outage\n"
        "    capacity:\n"
        "      - factor: 0\n"
        "        supplier: [no-such-supplier]\n",
        encoding="utf-8",
    )
    code, _, err = run_cli(
        "stress", "--config", str(config), "--data", str(data_dir), "--no-library"
    )
    assert code == 2
    assert "scenario 'my-outage': capacity[0].supplier = 'no-such-supplier' matches no row" in err
    assert "valid values: " in err
