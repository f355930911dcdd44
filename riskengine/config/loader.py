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

import yaml
from pydantic import BaseModel, ValidationError

from riskengine._text import did_you_mean
from riskengine.config.schema import Config
from riskengine.exceptions import ConfigError

__all__ = ["load_config", "parse_override"]

Path_ = tuple[str | int, ...]


def _line_map(text: str) -> dict[Path_, int]:
    """Editor line of every key (and list item) in a YAML document."""
    lines: dict[Path_, int] = {}

    def walk(node: yaml.Node, path: Path_) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, str(key.value))
                lines[child] = key.start_mark.line + 1
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, value in enumerate(node.value):
                lines[(*path, index)] = value.start_mark.line + 1
                walk(value, (*path, index))

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root, ())
    return lines


def _duplicate_keys(text: str, source: str) -> None:
    """Refuse a mapping that names the same key twice (YAML would keep the last silently)."""

    def walk(node: yaml.Node) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                line = key.start_mark.line + 1
                if key.value in seen:
                    raise ConfigError(
                        f"{source}, line {line}: key {key.value!r} is given twice "
                        f"(first at line {seen[key.value]}); keep one"
                    )
                seen[key.value] = line
                walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for value in node.value:
                walk(value)

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root)


def _read_yaml(path: Path) -> tuple[dict[str, Any], dict[Path_, int]]:
    source = str(path)
    if not path.is_file():
        raise ConfigError(
            f"{source}: configuration file not found; give an existing YAML file "
            "with --config, or run 'riskengine init DIR' to create one"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{source}: is not UTF-8 text (byte {exc.start})") from None
    try:
        data = yaml.safe_load(text)
        _duplicate_keys(text, source)
        lines = _line_map(text)
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise ConfigError(
            f"{source}, line {line}: YAML tag {getattr(exc, 'problem', '')!s} is not allowed; "
            "riskengine reads plain YAML (safe_load): remove the '!!' tag"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            f"{source}{where}: broken YAML: {problem}; check indentation, colons and quotes"
        ) from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}, line 1: expected a mapping of keys (such as 'optimiser:'), "
            f"got a {type(data).__name__}"
        )
    return data, lines


def parse_override(text: str) -> tuple[tuple[str, ...], Any]:
    """Split ``'optimiser.max_country_share=0.5'`` into a key path and a YAML-parsed value."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or any(not part for part in key.split(".")):
        raise ConfigError(
            f"--set {text}: expected KEY=VALUE with a dotted key, "
            "e.g. --set optimiser.max_country_share=0.5"
        )
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        value = raw
    return tuple(key.split(".")), value


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
    return value


def _valid_keys(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """Field names valid at the level of ``loc`` (for suggestions)."""
    fields = model.model_fields
    for part in loc[:-1]:
        if isinstance(part, int) or part not in fields:
            annotation = None
        else:
            annotation = fields[part].annotation
        inner = _model_in(annotation)
        if inner is None:
            return []
        fields = inner.model_fields
    return list(fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


class _Origins:
    """Where each key came from: the file (with lines) or a --set argument."""

    def __init__(
        self, source: str | None, lines: dict[Path_, int], overrides: dict[tuple[str, ...], str]
    ) -> None:
        self.source, self.lines, self.overrides = source, lines, overrides

    def __call__(self, loc: tuple[str | int, ...]) -> str:
        for key, text in reversed(self.overrides.items()):
            size = min(len(key), len(loc))
            if size and tuple(loc[:size]) == key[:size]:
                return f"--set {text}"
        for size in range(len(loc), 0, -1):
            if tuple(loc[:size]) in self.lines and self.source:
                return f"{self.source}, line {self.lines[tuple(loc[:size])]}"
        return self.source or "configuration"


def _dotted(loc: Iterable[str | int]) -> str:
    return ".".join(str(p) for p in loc)


def _message(error: Mapping[str, Any], origin: _Origins) -> str:
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
        origins = _Origins(source, lines, origin_of)
        messages = sorted({_message(e, origins) for e in exc.errors()})
        raise ConfigError("\n".join(messages)) from None
