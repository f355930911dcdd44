"""Start-up stays light: which libraries load, checked in fresh interpreters (no timing).

``import riskengine`` and ``riskengine --help`` must not load numpy, pandas or
any heavy library; ``validate`` and ``score`` must not load scikit-learn,
scipy.stats, matplotlib, openpyxl, highspy, PuLP or jinja2 (the HTML templates).
Each check runs in a new Python process, since this test session has imported
everything already.
The timings themselves are measured by ``benchmarks/startup.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import riskengine
from riskengine.cli import _parsers
from tests.conftest import REPO

#: Libraries that cost 0.1-0.7 s each to import and that only some steps need.
HEAVY = ("sklearn", "scipy.stats", "matplotlib", "openpyxl", "highspy", "pulp")
#: What ``import riskengine`` and ``--help`` must not load either.
BASE = ("numpy", "pandas", "scipy", "yaml", "pydantic")
#: The template engine: loaded only by the steps that write HTML (riskengine._render).
HTML = ("jinja2", "markupsafe")

_PROBE = """
import contextlib, io, json, sys
from riskengine.cli import main

seen = {}
for argv in json.loads(sys.argv[1]):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        code = main(argv)
    seen[" ".join(argv)] = sorted(sys.modules)
print(json.dumps(seen))
"""


def _modules_after(code: str, *args: str) -> dict | list:
    """Run ``python -c code args`` from the checkout; its stdout as JSON."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def _loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return [n for n in names if n in modules]


def test_import_riskengine_loads_no_library():
    modules = _modules_after("import json, sys, riskengine; print(json.dumps(sorted(sys.modules)))")
    assert _loaded(modules, HEAVY + BASE + HTML) == []
    assert sorted(m for m in modules if m.startswith("riskengine")) == [
        "riskengine",
        "riskengine._version",
    ]


def test_help_imports_no_command_module_and_no_library():
    seen = _modules_after(_PROBE, json.dumps([["--help"], ["stress", "--help"]]))
    for argv, modules in seen.items():
        assert _loaded(modules, HEAVY + BASE) == [], argv
        commands = [m for m in modules if m.startswith("riskengine.cli.") and m[15:16] != "_"]
        assert commands == [], f"{argv}: {commands}"


def test_validate_and_score_load_no_heavy_library():
    seen = _modules_after(_PROBE, json.dumps([["validate"], ["score", "--top", "1"]]))
    assert list(seen) == ["validate", "score --top 1"]
    for argv, modules in seen.items():
        assert _loaded(modules, HEAVY + HTML) == [], argv
        assert "pandas" in modules  # the probe did run the command


def test_public_names_resolve_with_their_docstrings():
    names = set(riskengine.__all__) - {"__version__"}
    assert names == set(riskengine._LAZY)
    assert set(riskengine.__all__) <= set(dir(riskengine))
    for name in names:
        value = getattr(riskengine, name)
        assert value.__doc__, name
        assert value is getattr(__import__(riskengine._LAZY[name], fromlist=[name]), name)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        riskengine.nope  # noqa: B018


def test_optimise_stays_the_function_after_its_subpackage_loads():
    code = (
        "import json, riskengine, riskengine.optimise.result, riskengine.report; "
        "print(json.dumps([callable(riskengine.optimise), riskengine.optimise.__module__]))"
    )
    assert _modules_after(code) == [True, "riskengine.optimise.api"]


def test_stress_defaults_declared_for_help_match_the_library():
    from riskengine.config.schema import StochasticConfig
    from riskengine.scenarios import EXECUTORS

    assert _parsers.EXECUTORS == EXECUTORS
    defaults = StochasticConfig().model_dump()
    assert {k: defaults[k] for k in _parsers.ROBUST_DEFAULTS} == _parsers.ROBUST_DEFAULTS


def test_every_command_module_has_a_run_function():
    from importlib import import_module

    for name in _parsers.PARSERS:
        assert callable(import_module(f"riskengine.cli.{name}").run), name
