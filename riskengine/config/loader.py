"""Layered configuration: built-in defaults, then a YAML file, then ``--set`` overrides.

YAML is read with ``yaml.safe_load`` only (``!!python`` tags are refused). Every
error names the key path, where it came from (file and line, or the ``--set``
argument), the value, and what would be valid.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from riskengine._text import did_you_mean, shorten
from riskengine.config.safe_yaml import KeyPath, parse_yaml_value, read_yaml
from riskengine.config.schema import Config
from riskengine.exceptions import ArgumentError, ConfigError

__all__ = ["Origins", "error_message", "load_config", "model_in", "parse_override"]

Path_ = KeyPath

# Earlier private names, kept for code written against them.
_read_yaml = read_yaml


def parse_override(text: str) -> tuple[tuple[str, ...], Any]:
    """Split ``'optimiser.max_country_share=0.5'`` into a key path and a YAML-parsed value."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or any(not part for part in key.split(".")):
        raise ConfigError(
            f"--set {shorten(text)}: expected KEY=VALUE with a dotted key, "
            "e.g. --set optimiser.max_country_share=0.5"
        )
    return tuple(key.split(".")), parse_yaml_value(raw, f"--set {shorten(text)}")


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def _nest(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    for key in reversed(path):
        value = {key: value}
    nested: dict[str, Any] = value
    return nested


def _valid_keys(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """Field names valid at the level of ``loc`` (for suggestions)."""
    fields = model.model_fields
    for part in loc[:-1]:
        if isinstance(part, int) or part not in fields:
            annotation = None
        else:
            annotation = fields[part].annotation
        inner = model_in(annotation)
        if inner is None:
            return []
        fields = inner.model_fields
    return list(fields)


def model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = model_in(arg)
        if found is not None:
            return found
    return None


class Origins:
    """Where each key came from: the file (with lines) or a --set argument."""

    def __init__(
        self, source: str | None, lines: dict[Path_, int], overrides: dict[tuple[str, ...], str]
    ) -> None:
        self.source, self.lines, self.overrides = source, lines, overrides

    def __call__(self, loc: tuple[str | int, ...]) -> str:
        for key, text in reversed(self.overrides.items()):
            size = min(len(key), len(loc))
            if size and tuple(loc[:size]) == key[:size]:
                return f"--set {shorten(text)}"
        for size in range(len(loc), 0, -1):
            if tuple(loc[:size]) in self.lines and self.source:
                return f"{self.source}, line {self.lines[tuple(loc[:size])]}"
        return self.source or "configuration"


def _dotted(loc: Iterable[str | int]) -> str:
    return ".".join(str(p) for p in loc)


def error_message(error: Mapping[str, Any], origin: Origins) -> str:
    # pydantic adds validator tags such as 'function-before[...]' to locations
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
    where = origin(loc)
    if error["type"] == "extra_forbidden":
        valid = _valid_keys(Config, loc)
        prefix = _dotted(loc[:-1]) + "." if len(loc) > 1 else ""
        hint = did_you_mean(str(loc[-1]), valid)
        hint = hint.replace(" (did you mean '", f" (did you mean '{prefix}")
        options = f"; valid keys here: {', '.join(valid)}" if valid else ""
        return f"{where}: unknown key {_dotted(loc)!r}{hint}{options}"
    msg = str(error["msg"]).removeprefix("Value error, ")
    msg = msg.replace("Input should be", "should be")
    if error["type"] == "missing":
        return f"{where}: key {_dotted(loc)!r} is required"
    value = error.get("input")
    shown = value if len(repr(value)) < 80 else type(value).__name__
    return f"{where}: key {_dotted(loc)!r} = {shown!r}: {msg}"


def _resolve_paths(data: dict[str, Any], base: Path) -> dict[str, Any]:
    data = dict(data)
    for section, key in (("data", "dir"), ("report", "out_dir")):
        value = (data.get(section) or {}).get(key) if isinstance(data.get(section), dict) else None
        if isinstance(value, str) and value and not Path(value).is_absolute():
            data[section] = {**data[section], key: str((base / value).resolve())}
    return data


def _check_arguments(path: Any, overrides: Any) -> list[str]:
    """Refuse a path that is not path-like and overrides that are not a list of strings."""
    if path is not None and not isinstance(path, str | os.PathLike):
        raise ArgumentError(
            f"load_config: path should be a YAML file path (str or Path) or None, "
            f"got {type(path).__name__}"
        )
    if isinstance(overrides, str):
        raise ArgumentError(
            f"load_config: overrides should be a list of 'KEY=VALUE' strings, got one string; "
            f"write [{overrides!r}]"
        )
    if not isinstance(overrides, Iterable):
        raise ArgumentError(
            f"load_config: overrides should be a list of 'KEY=VALUE' strings, "
            f"got {type(overrides).__name__}"
        )
    items = list(overrides)
    for item in items:
        if not isinstance(item, str):
            raise ArgumentError(
                f"load_config: each override should be a 'KEY=VALUE' string, got {item!r}"
            )
    return items


#: Configuration problems listed one by one before the rest are counted.
_MAX_MESSAGES = 20


def _joined(messages: list[str], source: str) -> str:
    if len(messages) <= _MAX_MESSAGES:
        return "\n".join(messages)
    more = len(messages) - _MAX_MESSAGES
    return "\n".join([*messages[:_MAX_MESSAGES], f"{source}: {more} more problems"])


def load_config(
    path: str | os.PathLike[str] | None = None,
    overrides: Iterable[str] = (),
) -> Config:
    """Build the configuration from defaults, an optional YAML file and ``KEY=VALUE`` overrides.

    Parameters
    ----------
    path : path-like, optional
        A YAML file. Relative ``data.dir`` and ``report.out_dir`` are taken
        relative to the file's folder (relative to the working folder when
        they come from an override or when no file is given).
    overrides : iterable of str
        ``dotted.key=value`` strings, applied in order; values are parsed as
        YAML (``0.5``, ``[EU]``, ``{CN: 0.5}``).

    Returns
    -------
    Config
        Frozen, validated configuration.

    Raises
    ------
    ConfigError
        Naming every bad key: where it was set, the value, and what is valid.

    Examples
    --------
    >>> from riskengine import load_config
    >>> cfg = load_config(overrides=["optimiser.max_country_share=0.5"])
    >>> cfg.optimiser.max_country_share
    0.5
    """
    overrides = _check_arguments(path, overrides)
    data: dict[str, Any] = {}
    lines: dict[Path_, int] = {}
    source = None
    if path is not None:
        file = Path(path)
        source = str(file)
        data, lines = _read_yaml(file)
        data = _resolve_paths(data, file.resolve().parent)
        data.setdefault("name", file.stem)
    file_has_buyers = "buyers" in data
    origin_of: dict[tuple[str, ...], str] = {}
    for text in overrides:
        key, value = parse_override(text)
        origin_of[key] = text
        extra = _resolve_paths(_nest(key, value), Path.cwd())
        data = _merge(data, extra)
    if not file_has_buyers and isinstance(data.get("buyers"), dict):
        defaults = {k: v.model_dump() for k, v in Config().buyers.items()}
        data["buyers"] = _merge(defaults, data["buyers"])
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        origins = Origins(source, lines, origin_of)
        messages = sorted({error_message(e, origins) for e in exc.errors()})
        raise ConfigError(_joined(messages, source or "the configuration")) from None


_Origins, _message, _model_in = Origins, error_message, model_in
