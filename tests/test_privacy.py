"""What crosses a package boundary is public: no module imports another package's private names.

The rule, checked on every import in ``riskengine/`` (function-level ones included):

* a subpackage's private modules (``riskengine.optimise._tables``) and private names
  (``riskengine.optimise.build._draft``) are imported only from inside that subpackage;
* the top-level private modules (``riskengine._text``, ``riskengine._drawing``, ...) are the
  package's shared utilities: any subpackage may import their public names, none their
  private names;
* dunders (``__version__``) are public.

ruff's PLC2701 (import-private-name) cannot enforce this: it treats every first-party import
as internal, so it passes ``from riskengine.optimise._highs import new_highs`` in report/.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "riskengine"


def _private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def _module_name(path: Path) -> list[str]:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _owner(parts: list[str]) -> str:
    """The subpackage a dotted module belongs to; '' for the top-level modules."""
    if len(parts) < 2 or not (PACKAGE / parts[1]).is_dir():
        return ""
    return parts[1]


def _targets(node: ast.AST) -> list[tuple[list[str], str | None]]:
    """(module parts, imported name or None) for each riskengine thing an import brings in."""
    if isinstance(node, ast.Import):
        return [(a.name.split("."), None) for a in node.names if a.name.startswith("riskengine")]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        parts = node.module.split(".")
        return [(parts, a.name) for a in node.names] if parts[0] == "riskengine" else []
    return []


def crossings(path: Path) -> list[str]:
    """The imports in ``path`` that reach a private module or name of another package."""
    here = _owner(_module_name(path))
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        for parts, name in _targets(node):
            full = parts + ([name] if name is not None else [])
            if _owner(full) == here:
                continue
            # a top-level private module is shared: only the parts after it must be public
            checked = full[2:] if _owner(full) == "" else full[1:]
            if any(_private(p) for p in checked):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {'.'.join(full)}")
    return found


def test_no_module_imports_a_private_name_of_another_package():
    found = [hit for path in sorted(PACKAGE.rglob("*.py")) for hit in crossings(path)]
    assert found == [], "private imports across packages:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("where", "source", "bad"),
    [
        ("report/x.py", "from riskengine.optimise._highs import new_highs", True),
        ("report/x.py", "from riskengine.optimise import _tables", True),
        ("report/x.py", "from riskengine.optimise.build import _draft", True),
        ("report/x.py", "import riskengine.optimise._milp", True),
        ("report/x.py", "from riskengine._drawing import _figure", True),
        ("x.py", "from riskengine.scenarios._parts import split", True),
        ("report/x.py", "def f():\n    from riskengine.scenarios._index import money", True),
        ("optimise/x.py", "from riskengine.optimise._tables import CRMA_BENCHMARK", False),
        ("optimise/x.py", "from riskengine.optimise import _tables", False),
        ("report/x.py", "from riskengine._text import shorten", False),
        ("report/x.py", "from riskengine._version import __version__", False),
        ("report/x.py", "from riskengine.optimise.highs import new_highs", False),
        ("report/x.py", "from riskengine.config.loader import Origins as _Origins", False),
    ],
)
def test_the_rule_on_examples(tmp_path, monkeypatch, where, source, bad):
    fake = tmp_path / "riskengine"
    for sub in ("optimise", "report", "scenarios"):
        (fake / sub).mkdir(parents=True)
    path = fake / where
    path.write_text(source + "\n", encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.PACKAGE", fake)
    assert bool(crossings(path)) is bad
