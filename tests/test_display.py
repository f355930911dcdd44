"""One display layer: the report, the notebook view and the command line print a number alike."""

from __future__ import annotations

import importlib
import math

import pytest

import riskengine
from riskengine import formatting
from riskengine.formatting import MISSING, fmt_pct, fmt_t, fmt_yes, formatter_for


@pytest.mark.parametrize("module", ["riskengine.report.html", "riskengine._notebook"])
def test_every_view_uses_the_same_formatters(module: str) -> None:
    view = importlib.import_module(module)
    for name in ("fmt_t", "fmt_pct", "fmt_usd_m", "fmt_yes"):
        assert getattr(view, name) is getattr(formatting, name), (module, name)


def test_formatters_round_and_mark_missing_values_one_way() -> None:
    assert fmt_pct(0.1234) == "12.3%"
    assert fmt_t(-0.00001) == "0.0"  # no "-0.0"
    assert fmt_t(1302.66) == "1,302.7"
    assert [fmt_t(math.nan), fmt_pct(None)] == [MISSING, MISSING]
    assert [fmt_yes(True), fmt_yes(False), fmt_yes(math.nan)] == ["yes", "no", "n/a"]
    assert formatter_for("bought_t") is fmt_t and formatter_for("china_share") is fmt_pct


def test_the_notebook_the_command_line_and_the_report_show_the_same_share() -> None:
    config = riskengine.load_config().one_year()
    data = riskengine.load_dataset()
    result = riskengine.optimise(data, config)
    metrics = result.metrics.set_index(["buyer", "commodity"])
    share = fmt_pct(metrics.loc[("EU", "gadolinium"), "china_share"])
    assert share.endswith("%") and "." in share  # one decimal, as the report prints it
    assert share in result._repr_html_()
    assert share in result.summary()
    sections = importlib.import_module("riskengine.report.sections")
    tables = {"plan_metrics": result.metrics.reset_index(drop=True)}
    assert share in sections.crma_section(tables)
