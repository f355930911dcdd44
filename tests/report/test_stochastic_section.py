"""The report's two-stage plan section: computed by compute(), shown beside the mix."""

from __future__ import annotations

from dataclasses import replace

import pytest

from riskengine import load_config, load_dataset
from riskengine.enums import OptimiserModel
from riskengine.report import build_tables, compute
from riskengine.report.sections import SECTIONS, render_sections
from riskengine.report.stochastic import stochastic_section
from tests.conftest import DEFAULT_CONFIG, SEEDS


@pytest.fixture(scope="module")
def report_data():
    config = load_config(
        DEFAULT_CONFIG,
        [
            "optimiser.stochastic.scenarios=30",
            "report.frontier_points=0",
            "report.stress_library=false",
        ],
    )
    return compute(config, load_dataset(SEEDS))


def test_the_section_shows_both_plans_vss_evpi_and_the_frontier(report_data):
    result = report_data.stochastic
    assert result is not None and result.status == "optimal"
    html = stochastic_section(report_data)
    assert html.startswith('<section id="stochastic">\n<h2>Two-stage plan</h2>')
    assert "Value of the stochastic solution" in html and "perfect information" in html
    assert "expected-value plan" in html and "<svg" in html
    assert "this plan is computed beside it for comparison" in html
    assert report_data.seconds["stochastic"] > 0


def test_the_section_follows_the_mix_and_says_when_it_is_the_recommendation(report_data):
    assert list(SECTIONS).index("stochastic") == list(SECTIONS).index("mix") + 1
    optimiser = report_data.config.optimiser.model_copy(update={"model": OptimiserModel.STOCHASTIC})
    chosen = replace(
        report_data, config=report_data.config.model_copy(update={"optimiser": optimiser})
    )
    assert "recommended plan (optimiser.model: stochastic)" in stochastic_section(chosen)
    page = render_sections(report_data, build_tables(report_data), {})
    assert page.index('id="mix"') < page.index('id="stochastic"') < page.index('id="crma"')


def test_without_the_plan_the_section_says_why(report_data):
    off = replace(
        report_data, stochastic=None, stochastic_note="optimiser.stochastic.in_report is false"
    )
    assert "Not computed: optimiser.stochastic.in_report is false." in stochastic_section(off)


def test_when_the_two_stage_plan_is_recommended_to_buy_lists_its_first_year_contracts(
    report_data,
):
    from riskengine.report.buylist import buy_section

    result = report_data.stochastic
    optimiser = report_data.config.optimiser.model_copy(update={"model": OptimiserModel.STOCHASTIC})
    chosen = replace(
        report_data, config=report_data.config.model_copy(update={"optimiser": optimiser})
    )
    tables = build_tables(report_data)
    html = buy_section(chosen, tables)
    first = result.contracts[result.contracts["year"] == result.settings["year"]]
    biggest = first.sort_values("contracted_t", ascending=False).iloc[0]
    assert f"{biggest['contracted_t']:,.1f}" in html and "of which delivered t (mean)" in html
    assert f"Short in {result.settings['year']} (mean over 30 scenarios)" in html
    # the expected-value configuration keeps the deterministic buy list
    assert "of which delivered" not in buy_section(report_data, tables)
    assert "to buy t" in buy_section(report_data, tables)
