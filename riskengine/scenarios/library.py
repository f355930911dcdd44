"""The scenario library: YAML files of named scenarios (shipped under ``config/scenarios/``).

A library file has one key, ``scenarios``, holding a list of scenarios written
exactly as under the configuration's ``scenarios:`` key, so a scenario can be
moved between a configuration and a library file unchanged::

    scenarios:
      - name: lynas-malaysia-outage
        description: Lynas Malaysia stops (S36, S81).
        capacity:
          - factor: 0
            supplier: [lynas-my, lynas-my-hrex]

Files are read with ``yaml.safe_load`` and validated against
:class:`~riskengine.config.schema.ScenarioConfig`; errors name the file, the
line and the key path. Scenario names must be unique across the library and
the configuration.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from riskengine._text import did_you_mean
from riskengine.config.loader import (
    Origins as _Origins,
)
from riskengine.config.loader import (
    error_message as _message,
)
from riskengine.config.loader import (
    model_in as _model_in,
)
from riskengine.config.safe_yaml import read_yaml as _read_yaml
from riskengine.config.schema import Config, ScenarioConfig
from riskengine.exceptions import ConfigError

__all__ = ["LibraryScenario", "load_library", "resolve_scenarios", "shipped_library_dir"]


@dataclass(frozen=True)
class LibraryScenario:
    """A scenario and where it was defined (a file, or ``config``).

    ``shipped`` is True for a scenario of the shipped library (``config/scenarios/``):
    written for the shipped tables, it is skipped with a note, not refused, when
    it names suppliers, countries or commodities another dataset does not have.
    """

    scenario: ScenarioConfig
    source: str
    shipped: bool = False

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name


def shipped_library_dir() -> Path:
    """``config/scenarios`` of a checkout, or the installed copy."""
    from riskengine._resources import shipped

    return shipped("config") / "scenarios"


def load_library(folder: str | os.PathLike[str] | None = None) -> list[LibraryScenario]:
    """Every scenario of every ``*.yaml`` file in ``folder`` (default: the shipped library).

    Files are read in name order, scenarios in file order.

    Raises
    ------
    ConfigError
        For a missing folder, broken YAML, an unknown or invalid key (file, line,
        key path, value, what is valid) or a name used twice.

    Examples
    --------
    >>> from riskengine.scenarios import load_library
    >>> "china-full-ban" in [s.name for s in load_library()]
    True
    """
    path = Path(folder) if folder is not None else shipped_library_dir()
    if not path.is_dir():
        raise ConfigError(
            f"{path}: scenario library folder not found; give a folder of "
            "*.yaml files with --library"
        )
    shipped = _is_shipped(path)
    found: list[LibraryScenario] = []
    for file in sorted(path.glob("*.yaml")):
        found += load_file(file, shipped=shipped)
    _check_unique(found)
    return found


def _is_shipped(path: Path) -> bool:
    """True when ``path`` is the shipped library folder."""
    try:
        return path.resolve() == shipped_library_dir().resolve()
    except OSError:
        return False


def load_file(file: Path, *, shipped: bool = False) -> list[LibraryScenario]:
    """The scenarios of one library file (``shipped``: it is part of the shipped library)."""
    source = str(file)
    data, lines = _read_yaml(file)
    extra = sorted(set(data) - {"scenarios"})
    if extra:
        line = lines.get((extra[0],), "?")
        raise ConfigError(
            f"{source}, line {line}: unknown key {extra[0]!r}"
            f"{did_you_mean(extra[0], ['scenarios'])}; a scenario file holds "
            "one key, 'scenarios', a list written as in the configuration"
        )
    items = data.get("scenarios")
    if not isinstance(items, list) or not items:
        line = lines.get(("scenarios",), 1)
        raise ConfigError(
            f"{source}, line {line}: key 'scenarios' should be a non-empty list "
            "of scenarios (- name: ..., capacity: [...])"
        )
    try:
        config = Config.model_validate({"scenarios": items})
    except ValidationError as exc:
        origins = _Origins(source, lines, {})
        raise ConfigError("\n".join(sorted({_explain(e, origins) for e in exc.errors()}))) from None
    return [LibraryScenario(s, source, shipped) for s in config.scenarios]


def _explain(error: ErrorDetails, origins: _Origins) -> str:
    """The loader's message, with the valid keys for an unknown key inside a list."""
    message = _message(error, origins)
    if error["type"] != "extra_forbidden" or "valid keys here" in message:
        return message
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
    valid = _valid_keys(Config, loc)
    if not valid:
        return message
    prefix = ".".join(str(p) for p in loc[:-1]) + "."
    hint = did_you_mean(str(loc[-1]), valid).replace(
        " (did you mean '", f" (did you mean '{prefix}"
    )
    return f"{message}{hint}; valid keys here: {', '.join(valid)}"


def _valid_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """Field names valid at ``loc``, stepping over list positions."""
    current: type[BaseModel] | None = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if current is None or part not in current.model_fields:
            return []
        current = _model_in(current.model_fields[part].annotation)
    return list(current.model_fields) if current is not None else []


def _check_unique(found: Iterable[LibraryScenario]) -> None:
    seen: dict[str, str] = {}
    for item in found:
        if item.name in seen:
            raise ConfigError(
                f"scenario name {item.name!r} is used twice: in {seen[item.name]} "
                f"and in {item.source}; rename one"
            )
        seen[item.name] = item.source


def resolve_scenarios(
    config: Config,
    names: Sequence[str | ScenarioConfig] | None = None,
    library: str | os.PathLike[str] | bool | None = True,
) -> list[LibraryScenario]:
    """The scenarios to run: the configuration's and the library's, or the ones named.

    Parameters
    ----------
    config : Config
        Its ``scenarios`` come first.
    names : sequence of str or ScenarioConfig, optional
        Names (from the configuration or the library) and/or scenario objects;
        None = all of them.
    library : path, bool or None
        A library folder; True = the shipped library; False or None = none.

    Raises
    ------
    ConfigError
        For a name that is neither in the configuration nor in the library
        (listing the valid names), or a name defined twice.
    """
    pool = [LibraryScenario(s, "config") for s in config.scenarios]
    if library is True:
        pool += load_library()
    elif library not in (False, None):
        pool += load_library(library)  # type: ignore[arg-type]
    _check_unique(pool)
    if names is None:
        return pool
    by_name = {item.name: item for item in pool}
    chosen = []
    for name in names:
        if isinstance(name, ScenarioConfig):
            chosen.append(LibraryScenario(name, "argument"))
            continue
        if name not in by_name:
            valid = sorted(by_name)
            raise ConfigError(
                f"scenario {name!r} is not defined{did_you_mean(name, valid)}; "
                f"valid names: {', '.join(valid) or '(none)'}"
            )
        chosen.append(by_name[name])
    _check_unique(chosen)
    return chosen
