"""One way in: riskengine.load_inputs is what the API, the command line and the report use."""

from __future__ import annotations

import subprocess
import sys

import pytest

import riskengine
from riskengine.exceptions import ArgumentError, DataError
from tests.conftest import REPO

BAD_PARTNER = "buyers.EU.partners=[ZZ]"
MESSAGE = "key buyers.EU.partners: value 'ZZ': unknown country or bloc"


def test_load_inputs_gives_the_checked_config_and_data() -> None:
    inputs = riskengine.load_inputs(REPO / "config" / "default.yaml")
    assert inputs.config_path == REPO / "config" / "default.yaml"
    assert set(inputs.dataset.demand["buyer"]) <= set(inputs.config.buyers)
    assert inputs.notes == ()


def test_load_inputs_checks_the_config_against_the_data() -> None:
    # load_config and load_dataset each accept this; only the cross-check refuses it
    config = riskengine.load_config(REPO / "config" / "default.yaml", [BAD_PARTNER])
    riskengine.load_dataset(config.data.dir)
    with pytest.raises(DataError, match=MESSAGE):
        riskengine.load_inputs(config, config_path=REPO / "config" / "default.yaml")


def test_a_dataset_object_is_checked_like_files() -> None:
    data = riskengine.load_dataset()
    broken = data.suppliers.copy()
    broken.loc[0, "capacity_t"] = -1.0
    object.__setattr__(data, "suppliers", broken)
    with pytest.raises(DataError, match="capacity_t"):
        riskengine.load_inputs(None, data)


def test_wrong_argument_types_are_argument_errors() -> None:
    with pytest.raises(ArgumentError, match="config should be"):
        riskengine.load_inputs(42)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="overrides apply to a YAML file"):
        riskengine.load_inputs(riskengine.load_config(), overrides=["optimiser.risk_aversion=2"])


@pytest.mark.parametrize("verb", ["validate", "report"])
def test_the_command_line_and_the_report_give_the_same_cross_check(verb: str, tmp_path) -> None:
    extra = ["--set", f"report.out_dir={tmp_path}"] if verb == "report" else []
    done = subprocess.run(
        [sys.executable, "-m", "riskengine", verb, "--set", BAD_PARTNER, *extra],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert MESSAGE in done.stderr
    assert not any(tmp_path.iterdir())  # nothing written
