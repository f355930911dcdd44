"""Reading YAML with limits: one reader for configurations, scenario libraries and ``--set``.

YAML is parsed with PyYAML's safe loader only (``!!python`` tags are refused),
and with three limits that keep a small hostile file from taking minutes or
gigabytes:

- a file holds at most :data:`MAX_YAML_BYTES` bytes;
- mappings and lists nest at most :data:`MAX_YAML_DEPTH` levels deep (checked
  while the document is composed, so deep nesting never reaches Python's
  recursion limit);
- the document, with every alias (``*name``) expanded, holds at most
  :data:`MAX_YAML_NODES` values. The count is computed on the node graph
  without expanding anything, so an "alias bomb" is refused in microseconds.

The line of every key (for messages) and the duplicate-key check walk each
node once, so aliases are never expanded there either.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from riskengine._text import shorten
from riskengine.exceptions import ConfigError

__all__ = [
    "MAX_YAML_BYTES",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "KeyPath",
    "load_yaml_text",
    "parse_yaml_value",
    "read_yaml",
]

#: Largest YAML file read, bytes: the commented default configuration is 7 KB, a scenario
#: file about 1 KB; PyYAML reads about 200 KB a second, so this keeps a read under a second.
MAX_YAML_BYTES = 128 * 1024
#: Deepest nesting of mappings and lists (a configuration needs about 5).
MAX_YAML_DEPTH = 40
#: Most values a document may hold once its aliases are expanded.
MAX_YAML_NODES = 100_000

KeyPath = tuple[str | int, ...]


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark | None) -> None:
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing nesting deeper than :data:`MAX_YAML_DEPTH` as it composes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                # types-PyYAML leaves Parser.peek_event unannotated
                raise _TooDeep(self.peek_event().start_mark)  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            if isinstance(exc, yaml.YAMLError):
                raise
            reason = str(exc).split(";")[0]
            shown = shorten(str(node.value), 40)
            raise yaml.constructor.ConstructorError(
                None, None, f"value {shown!r} cannot be read ({reason})", node.start_mark
            ) from None


def _line(mark: yaml.Mark | None) -> str:
    return f", line {mark.line + 1}" if mark is not None else ""


def _expanded_size(root: yaml.Node) -> int:
    """Values in the document with aliases expanded, computed once per node (no expansion)."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        total = 1
        if isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total += sum(size(v) for v in node.value)
        sizes[id(node)] = total = min(total, MAX_YAML_NODES + 1)
        return total

    return size(root)


def _walk_once(root: yaml.Node, source: str) -> dict[KeyPath, int]:
    """Editor line of every key and list item; refuse a key given twice. Each node once."""
    lines: dict[KeyPath, int] = {}
    seen_nodes: set[int] = set()

    def walk(node: yaml.Node, path: KeyPath) -> None:
        if id(node) in seen_nodes:
            return
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                line = key.start_mark.line + 1
                if not isinstance(key, yaml.ScalarNode):
                    walk(value, path)
                    continue
                if key.value in first and key.value != "<<":
                    raise ConfigError(
                        f"{source}, line {line}: key {key.value!r} is given twice "
                        f"(first at line {first[key.value]}); keep one"
                    )
                first[key.value] = line
                lines[(*path, str(key.value))] = line
                walk(value, (*path, str(key.value)))
        elif isinstance(node, yaml.SequenceNode):
            for index, value in enumerate(node.value):
                lines[(*path, index)] = value.start_mark.line + 1
                walk(value, (*path, index))

    walk(root, ())
    return lines


def _compose(text: str, source: str) -> tuple[Any, dict[KeyPath, int]]:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, {}
        if _expanded_size(root) > MAX_YAML_NODES:
            raise ConfigError(
                f"{source}: holds more than {MAX_YAML_NODES:,} values once its aliases "
                "(*name) are expanded; write the values out, or use fewer nested aliases"
            )
        lines = _walk_once(root, source)
        return loader.construct_document(root), lines
    except _TooDeep as exc:
        raise ConfigError(
            f"{source}{_line(exc.mark)}: nested more than {MAX_YAML_DEPTH} levels deep; "
            "a configuration needs only a few levels of keys and lists"
        ) from None
    finally:
        loader.dispose()


def _yaml_error(exc: yaml.YAMLError, source: str) -> ConfigError:
    mark = getattr(exc, "problem_mark", None)
    problem = str(getattr(exc, "problem", None) or exc)
    if isinstance(exc, yaml.constructor.ConstructorError):
        line = mark.line + 1 if mark else "?"
        if "cannot be read" in problem:
            return ConfigError(f"{source}, line {line}: {problem}")
        tag = re.search(r"tag '([^']*)'", problem)
        shown = repr(tag.group(1).replace("tag:yaml.org,2002:", "!!")) if tag else problem
        return ConfigError(
            f"{source}, line {line}: YAML tag {shown} is not allowed; "
            "riskengine reads plain YAML (safe_load): remove the '!!' tag"
        )
    where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return ConfigError(
        f"{source}{where}: broken YAML: {problem}; check indentation, colons and quotes"
    )


def load_yaml_text(text: str, source: str) -> tuple[Any, dict[KeyPath, int]]:
    """Parse YAML text with the limits above; return the data and the line of every key.

    Parameters
    ----------
    text : str
        The YAML document.
    source : str
        How messages name it (a file, or ``--set KEY=VALUE``).

    Raises
    ------
    ConfigError
        For broken YAML, a ``!!`` tag, a key given twice, or a limit exceeded,
        naming the source and the line.
    """
    try:
        return _compose(text, source)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source) from None


def read_yaml(path: Path, what: str = "configuration") -> tuple[dict[str, Any], dict[KeyPath, int]]:
    """Read a YAML file holding a mapping; return it and the editor line of every key.

    Raises
    ------
    ConfigError
        For a missing, unreadable, oversized or non-UTF-8 file, broken YAML,
        a limit exceeded, or a document that is not a mapping.
    """
    source = str(path)
    if path.is_dir():
        raise ConfigError(f"{source}: is a folder; give a YAML {what} file")
    if not path.is_file():
        raise ConfigError(
            f"{source}: {what} file not found; give an existing YAML file "
            "with --config, or run 'riskengine init DIR' to create one"
        )
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise ConfigError(
                f"{source}: is {size:,} bytes; a YAML {what} file may hold at most "
                f"{MAX_YAML_BYTES:,} bytes"
            )
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{source}: is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{source}: cannot be read ({exc.strerror or exc})") from None
    data, lines = load_yaml_text(text, source)
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}, line 1: expected a mapping of keys (such as 'optimiser:'), "
            f"got a {type(data).__name__}"
        )
    return data, lines


def parse_yaml_value(text: str, source: str) -> Any:
    """A ``--set`` value, parsed as YAML with the same limits; text that is not YAML stays text.

    Raises
    ------
    ConfigError
        For a ``!!`` tag, a value that cannot be read, or a limit exceeded.
    """
    if not text.strip():
        return None
    try:
        return _compose(text, source)[0]
    except yaml.constructor.ConstructorError as exc:
        raise _yaml_error(exc, source) from None
    except yaml.YAMLError:
        return text
