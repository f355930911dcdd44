"""The shipped scenario library, and how library files and names are checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from riskengine.config import Config
from riskengine.exceptions import ConfigError
from riskengine.scenarios import compile_scenario, load_library, resolve_scenarios
from riskengine.scenarios.library import load_file
from tests.conftest import REPO

LIBRARY = REPO / "config" / "scenarios"
SHIPPED = {
    "status-quo-licensing",
    "china-full-ban",
    "japan-embargo",
    "myanmar-feed-outage",
    "october-2025-package",
    "lynas-malaysia-outage",
    "ex-china-price-spike",
    "ev-wind-demand-growth",
}


def test_the_shipped_library_holds_the_eight_cases():
    assert {s.name for s in load_library()} == SHIPPED


@pytest.mark.parametrize("file", sorted(LIBRARY.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_library_file_loads_cites_its_basis_and_applies_to_the_seeds(seeds, file):
    _, data, _ = seeds
    items = load_file(file)
    assert items, f"{file.name} holds no scenario"
    for item in items:
        assert re.search(r"\bS\d+[a-z]?\b", item.scenario.description), (
            f"{item.name}: the description cites no fact-sheet source (S-key)"
        )
        effect = compile_scenario(data, item.scenario, item.source)
        assert not effect.is_noop, f"{item.name} changes nothing on the seeds"


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_unknown_key_names_file_line_and_the_valid_keys(tmp_path):
    path = _write(
        tmp_path / "lib",
        "bad.yaml",
        "scenarios:\n  - name: x\n    capacity:\n      - factor: 0\n        countri: [CN]\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_library(tmp_path / "lib")
    assert str(caught.value) == (
        f"{path}, line 5: unknown key 'scenarios.0.capacity.0.countri' (did you mean "
        "'scenarios.0.capacity.0.country'?); valid keys here: factor, country, not_country, "
        "supplier, commodity, stage, status, buyer, parent_country, chinese_technology"
    )


def test_a_bad_value_names_file_line_and_key(tmp_path):
    path = _write(tmp_path, "bad.yaml", "scenarios:\n  - name: x\n    price:\n      - factor: -1\n")
    with pytest.raises(ConfigError) as caught:
        load_file(path)
    assert str(caught.value) == (
        f"{path}, line 4: key 'scenarios.0.price.0.factor' = -1: "
        "should be greater than or equal to 0"
    )


def test_a_file_holds_only_the_scenarios_key(tmp_path):
    path = _write(tmp_path, "bad.yaml", "scenario:\n  - name: x\n")
    with pytest.raises(ConfigError) as caught:
        load_file(path)
    assert str(caught.value) == (
        f"{path}, line 1: unknown key 'scenario' (did you mean 'scenarios'?); a scenario file "
        "holds one key, 'scenarios', a list written as in the configuration"
    )


def test_names_are_unique_across_configuration_and_library(tmp_path):
    path = _write(tmp_path / "lib", "dup.yaml", "scenarios:\n  - name: japan-embargo\n")
    config = Config.model_validate({"scenarios": [{"name": "japan-embargo"}]})
    with pytest.raises(ConfigError) as caught:
        resolve_scenarios(config, None, tmp_path / "lib")
    assert str(caught.value) == (
        f"scenario name 'japan-embargo' is used twice: in config and in {path}; rename one"
    )


def test_an_unknown_scenario_name_lists_the_valid_ones():
    with pytest.raises(ConfigError) as caught:
        resolve_scenarios(Config(), ["japan-embargo", "china-ban"])
    assert str(caught.value) == (
        "scenario 'china-ban' is not defined (did you mean 'china-full-ban'?); valid names: "
        "china-full-ban, ev-wind-demand-growth, ex-china-price-spike, japan-embargo, "
        "lynas-malaysia-outage, myanmar-feed-outage, october-2025-package, status-quo-licensing"
    )


def test_configuration_scenarios_come_first_and_library_can_be_off():
    config = Config.model_validate({"scenarios": [{"name": "mine"}]})
    assert [s.name for s in resolve_scenarios(config, None, False)] == ["mine"]
    names = [s.name for s in resolve_scenarios(config)]
    assert names[0] == "mine" and set(names[1:]) == SHIPPED
