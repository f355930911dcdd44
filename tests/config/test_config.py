"""Configuration layering and its errors (exit code 2, key, file, line, value, fix)."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskengine import ConfigError, load_config
from riskengine.enums import Mode
from tests.conftest import DEFAULT_CONFIG


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "analyst.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_file_and_overrides_layer_in_order(tmp_path):
    path = _write(tmp_path, "optimiser:\n  max_country_share: 0.5\n  mode: separate\n")
    config = load_config(path, ["optimiser.max_country_share=0.4"])
    assert config.optimiser.max_country_share == 0.4
    assert config.optimiser.mode is Mode.SEPARATE
    assert config.optimiser.risk_aversion == 1.0
    assert config.name == "analyst"


def test_default_yaml_matches_built_in_defaults():
    from_file = load_config(DEFAULT_CONFIG).model_dump(exclude={"data", "report", "name"})
    assert from_file == load_config().model_dump(exclude={"data", "report", "name"})


def test_relative_paths_are_relative_to_the_config_file(tmp_path):
    path = _write(tmp_path, "data:\n  dir: tables\nreport:\n  out_dir: out\n")
    config = load_config(path)
    assert config.data.dir == tmp_path / "tables"
    assert config.report.out_dir == tmp_path / "out"


def test_lost_supply_value_override_as_number_or_map():
    from riskengine.data import load_dataset
    from riskengine.optimise.policy import lost_supply_values

    data = load_dataset()
    commodities = ["terbium", "yttrium"]
    sourced, _ = lost_supply_values(data, load_config(), commodities)
    assert sourced.tolist() == [4000.0, 320.0]  # commodities.csv lost_supply_value_usd_per_kg
    override = "optimiser.shortfall_penalty_usd_per_kg={default: 5, terbium: 9}"
    values, _ = lost_supply_values(data, load_config(overrides=[override]), commodities)
    assert values.tolist() == [9.0, 5.0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "optimiser:\n  max_country_shar: 0.5\n",
            "{f}, line 2: unknown key 'optimiser.max_country_shar' "
            "(did you mean 'optimiser.max_country_share'?)",
        ),
        (
            "optimiser:\n  risk_aversion: high\n",
            "{f}, line 2: key 'optimiser.risk_aversion' = 'high': should be a valid number",
        ),
        (
            "optimiser:\n  max_country_share: 1.5\n",
            "{f}, line 2: key 'optimiser.max_country_share' = 1.5: "
            "should be less than or equal to 1",
        ),
        (
            "optimiser:\n  solver: gurobi\n",
            "{f}, line 2: key 'optimiser.solver' = 'gurobi': should be 'highs' or 'cbc'",
        ),
        ("optimiser:\n  mode: [joint\n", "{f}, line 3, column 1: broken YAML"),
        ("data: !!python/object/apply:os.system ['echo hi']\n", "{f}, line 1: YAML tag"),
        (
            "risk:\n  weights:\n    governance: -0.1\n",
            "{f}, line 3: key 'risk.weights.governance' = -0.1: "
            "should be greater than or equal to 0",
        ),
        ("buyers:\n  EU:\n    partners: [JP]\n", "{f}, line 2: key 'buyers.EU.home' is required"),
        (
            "optimiser:\n  mode: joint\n  mode: separate\n",
            "{f}, line 3: key 'mode' is given twice (first at line 2); keep one",
        ),
        ("- just\n- a list\n", "{f}, line 1: expected a mapping of keys"),
    ],
)
def test_bad_config_file(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert message.format(f=path) in str(info.value)


def test_python_tag_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    path = _write(tmp_path, f"name: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(ConfigError, match="remove the '!!' tag"):
        load_config(path)
    assert not marker.exists()


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("optimiser.max_country_share", "--set optimiser.max_country_share: expected KEY=VALUE"),
        (
            "optimiser.risk_aversion=-1",
            "--set optimiser.risk_aversion=-1: key 'optimiser.risk_aversion' = -1: "
            "should be greater than or equal to 0",
        ),
        (
            "optimizer.mode=joint",
            "--set optimizer.mode=joint: unknown key 'optimizer' (did you mean 'optimiser'?)",
        ),
        ("buyers.EU.partners=[NO]", "write such codes in quotes, e.g. ['NO']"),
    ],
)
def test_bad_override(override, message):
    with pytest.raises(ConfigError) as info:
        load_config(DEFAULT_CONFIG, [override])
    assert message in str(info.value)


def test_cli_reports_config_error_with_exit_2(tmp_path, run_cli):
    path = _write(tmp_path, "optimiser:\n  max_country_shar: 0.5\n")
    code, out, err = run_cli("validate", "--config", str(path))
    assert code == 2 and out == ""
    assert err.startswith(f"error: {path}, line 2: unknown key")
    assert "Traceback" not in err


def test_unknown_partner_code_in_config(data_dir, tmp_path, run_cli):
    code, _, err = run_cli("validate", "--data", str(data_dir), "--set", "buyers.EU.partners=[UX]")
    assert code == 2
    assert "key buyers.EU.partners: value 'UX': unknown country or bloc" in err
