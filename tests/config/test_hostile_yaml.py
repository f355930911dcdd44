"""Hostile YAML: bounded time and memory, exit 2 with file and line; finite numbers only.

The case files are in ``tests/config/hostile/``.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from riskengine import ConfigError, load_config
from riskengine.config.safe_yaml import MAX_YAML_BYTES, MAX_YAML_NODES
from riskengine.scenarios import load_library

HOSTILE = Path(__file__).parent / "hostile"


def _bounded(call: Callable[[], Any], seconds: float = 10.0, megabytes: float = 50.0) -> Any:
    """Run ``call``; fail if it allocates more than given (or takes far longer). Returns its error.

    The time bound is loose (a busy machine must not fail it); the memory bound is
    what an alias bomb breaks: 254 bytes used to take 1.3 GB.
    """
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ConfigError) as info:
            call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < seconds
    assert peak < megabytes * 2**20
    return info.value


def test_alias_bomb_in_a_config_is_refused_quickly():
    path = HOSTILE / "alias-bomb.yaml"
    error = _bounded(lambda: load_config(path))
    assert str(error) == (
        f"{path}: holds more than {MAX_YAML_NODES:,} values once its aliases (*name) are "
        "expanded; write the values out, or use fewer nested aliases"
    )


def test_alias_bomb_in_a_scenario_library_is_refused_quickly():
    path = HOSTILE / "lib" / "scenario-alias-bomb.yaml"
    error = _bounded(lambda: load_library(HOSTILE / "lib"))
    assert str(error).startswith(f"{path}: holds more than {MAX_YAML_NODES:,} values")


def test_alias_bomb_in_an_override_is_refused_quickly():
    levels = ["&a [1,1,1,1,1,1,1,1,1,1]"]
    for name, prev in zip("bcdef", "abcde", strict=True):
        levels.append(f"&{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    override = "name=[" + ", ".join(levels) + "]"
    error = _bounded(lambda: load_config(overrides=[override]))
    assert str(error).startswith("--set name=[&a [1,1,1,1,1,1,1,1,1,1], &b [*a,*a,")
    assert "values once its aliases (*name) are expanded" in str(error)


def test_aliases_within_the_limit_still_work():
    config = load_config(HOSTILE / "aliases-used-well.yaml")
    assert config.buyers["EU"].partners == config.buyers["JP"].partners
    assert "NO" in config.buyers["JP"].partners  # the alias shares the whole list


def test_deep_nesting_is_refused_with_its_line():
    path = HOSTILE / "deep-nesting.yaml"
    error = _bounded(lambda: load_config(path))
    assert str(error) == (
        f"{path}, line 2: nested more than 40 levels deep; a configuration needs only a few "
        "levels of keys and lists"
    )


def test_a_file_over_the_size_limit_is_refused(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("name: x\n" + "# padding\n" * (MAX_YAML_BYTES // 10 + 1), encoding="utf-8")
    error = _bounded(lambda: load_config(path))
    assert str(error).startswith(f"{path}: is {path.stat().st_size:,} bytes; a YAML")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            "risk.uncertainty.seed=" + "9" * 5000,
            "value '9999999999999999999999999999999999999...' cannot be read",
        ),
        ("name=2025-13-45", "line 1: value '2025-13-45' cannot be read (month must be in 1..12)"),
        (
            "name=!!python/object/apply:os.system [ls]",
            "YAML tag '!!python/object/apply:os.system' is not allowed",
        ),
    ],
)
def test_values_yaml_cannot_build_are_refused(override, message):
    with pytest.raises(ConfigError) as info:
        load_config(overrides=[override])
    assert message in str(info.value)
    assert len(str(info.value)) < 400  # a 5,000-digit value is not echoed whole


def test_non_finite_numbers_in_a_config_file_are_refused_by_key_and_line():
    path = HOSTILE / "non-finite.yaml"
    with pytest.raises(ConfigError) as info:
        load_config(path)
    lines = str(info.value).splitlines()
    assert (
        f"{path}, line 3: key 'optimiser.risk_aversion' = inf: should be a finite number" in lines
    )
    assert (
        f"{path}, line 4: key 'optimiser.max_country_share' = nan: should be a finite number"
        in lines
    )
    assert (
        f"{path}, line 8: key 'risk.uncertainty.seed' = -1: should be greater than or equal to 0"
        in lines
    )
    assert (
        f"{path}, line 12: key 'scenarios.0.price.0.factor' = '1e309': should be a finite number"
        in lines
    )
    assert any("shortfall_penalty_usd_per_kg" in line for line in lines)


@pytest.mark.parametrize(
    "override",
    [
        "optimiser.risk_aversion=.inf",
        "optimiser.risk_aversion=1.0e+309",
        "optimiser.max_country_share=.nan",
        "optimiser.country_share_overrides={CN: .nan}",
        "optimiser.shortfall_penalty_usd_per_kg=.inf",
        "optimiser.shortfall_penalty_usd_per_kg={default: 1e309}",
        "risk.weights.governance=Infinity",
        "optimiser.risk_aversion=1e9",
        "optimiser.time_limit_s=1e9",
        "risk.uncertainty.seed=-1",
        "scenarios=[{name: s, capacity: [{factor: .inf}]}]",
        "scenarios=[{name: s, probability: .nan}]",
    ],
)
def test_non_finite_or_out_of_range_overrides_are_refused(override):
    with pytest.raises(ConfigError) as info:
        load_config(overrides=[override])
    assert str(info.value).startswith(f"--set {override}: key ")


def test_numeric_text_penalty_is_read_as_a_number():
    config = load_config(overrides=["optimiser.shortfall_penalty_usd_per_kg=1e7"])
    assert config.optimiser.shortfall_penalty_usd_per_kg == 1e7


def test_scenario_file_with_non_finite_factor_names_file_and_line(tmp_path):
    (tmp_path / "cases.yaml").write_text(
        "scenarios:\n  - name: spike\n    price:\n      - factor: .inf\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as info:
        load_library(tmp_path)
    assert str(info.value) == (
        f"{tmp_path / 'cases.yaml'}, line 4: key 'scenarios.0.price.0.factor' = inf: "
        "should be a finite number"
    )


def test_cli_exits_2_on_the_alias_bomb(run_cli):
    code, out, err = run_cli("validate", "--config", str(HOSTILE / "alias-bomb.yaml"))
    assert code == 2 and out == "" and "Traceback" not in err
    assert "values once its aliases (*name) are expanded" in err


def test_thousands_of_unknown_keys_are_capped(tmp_path):
    path = tmp_path / "keys.yaml"
    path.write_text("".join(f"k{i}: {i}\n" for i in range(1000)), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    lines = str(info.value).splitlines()
    assert len(lines) == 21 and lines[-1] == f"{path}: 980 more problems"
