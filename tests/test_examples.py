"""Every script in examples/ runs against the shipped data and prints its result.

Each runs as an analyst would run it, ``python examples/NAME.py`` from the
repository root, with this checkout first on the import path.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

EXAMPLES = REPO / "examples"
#: Script -> a phrase its output must contain.
EXPECTED = {
    "score_excel_suppliers.py": "Five riskiest offers for the EU",
    "compare_country_caps.py": "EU share of purchases by supplying country",
    "custom_scenario.py": "Less exposed: the",
    "frontier_risk_budget.py": "Cheapest plan within a supply-loss budget of USD 200 million",
    "alliance_value.py": "Buying together is worth USD",
    "headline_figures.py": "| dysprosium |",
}


def test_every_example_is_tested():
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_example_runs(script):
    path = EXAMPLES / script
    assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), "no docstring"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "MPLBACKEND": "Agg",
    }
    done = subprocess.run(
        [sys.executable, f"examples/{script}"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert EXPECTED[script] in done.stdout, done.stdout
    assert "Traceback" not in done.stderr


def test_sources_headline_table_is_current():
    # seeds/SOURCES.md quotes the table the script computes from the shipped tables
    sys.path.insert(0, str(EXAMPLES))
    try:
        import headline_figures
    finally:
        sys.path.remove(str(EXAMPLES))
    import riskengine

    table = headline_figures.headline(riskengine.load_dataset(REPO / "seeds"))
    sources = (REPO / "seeds" / "SOURCES.md").read_text(encoding="utf-8")
    for row in table.itertuples(index=False):
        assert "| " + " | ".join(str(v) for v in row) + " |" in sources, row
