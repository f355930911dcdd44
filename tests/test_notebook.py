"""Result objects in a notebook: HTML view, plot(), to_frame(), and the plotting functions."""

from __future__ import annotations

import html

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure

import riskengine
from riskengine.config import Multiplier, ScenarioConfig
from riskengine.plotting import (
    plot_contributions,
    plot_frontier,
    plot_mix,
    plot_stress,
)

HOSTILE = "<b>x</b>"
ESCAPED = "&lt;b&gt;x&lt;/b&gt;"


@pytest.fixture(scope="module")
def data() -> riskengine.Dataset:
    """The shipped seeds with a hostile id and name for the largest Chinese supplier."""
    seeds = riskengine.load_dataset()
    suppliers = seeds.suppliers.copy()
    hit = suppliers["supplier_id"] == "creg"
    assert hit.any()
    suppliers.loc[hit, ["supplier_id", "name"]] = HOSTILE
    return seeds.with_tables(suppliers=suppliers)


@pytest.fixture(scope="module")
def result(data) -> riskengine.OptimisationResult:
    return riskengine.optimise(data, riskengine.Config())


@pytest.fixture(scope="module")
def front(data) -> riskengine.Frontier:
    return riskengine.frontier(data, riskengine.Config(), points=[0.0, 1.0, 10.0])


@pytest.fixture(scope="module")
def stressed(data) -> riskengine.StressResult:
    hostile = ScenarioConfig(name=HOSTILE, capacity=(Multiplier(factor=0, country=("CN",)),))
    return riskengine.stress(data, riskengine.Config(), [hostile, "lynas-malaysia-outage"])


@pytest.fixture
def figures():
    """Collects figures and closes them after the test."""
    made: list[Figure] = []
    yield made
    for fig in made:
        plt.close(fig)


def test_the_hostile_supplier_is_in_the_plan(result):
    assert HOSTILE in set(result.allocations["supplier_id"])


def test_result_html_shows_status_and_escapes_names(result):
    page = result._repr_html_()
    assert page.startswith('<div class="riskengine-result">')
    assert ">optimal</b>" in page and "OptimisationResult" in page
    assert ESCAPED in page and HOSTILE not in page
    first = result.for_year(result.years[0])  # a horizon's view shows its first year
    orders = riskengine.buy_list(first)
    # the buy list (header + at most 20 orders), then header + one row a buyer-commodity pair
    assert page.count("<tr>") == 1 + min(20, len(orders)) + 1 + len(first.metrics)
    assert f"shows {result.years[0]}" in page
    # the purchase order comes first, its largest order at the top
    assert page.index(f"To buy in {result.years[0]}") < page.index("Per buyer and commodity")
    top = orders.iloc[0]
    cell = f"<td>{html.escape(str(top['supplier_id']))}</td>"
    assert page.index(cell) < page.index("Per buyer and commodity")


def test_html_of_a_plan_that_is_not_optimal_says_why(result, figures):
    from dataclasses import replace

    from riskengine.optimise import SolveStatus

    empty = {
        name: getattr(result, name).iloc[0:0]
        for name in ("allocations", "metrics", "mix_by_country")
    }
    failed = replace(
        result, status=SolveStatus.TIME_LIMIT, message=f"stopped at {HOSTILE}", **empty
    )
    page = failed._repr_html_()
    assert ">time_limit</b>" in page and f"stopped at {ESCAPED}" in page
    assert page.count("<tr>") == 2  # the buy list's and the table's headers, no rows
    figures.append(failed.plot())


def test_frontier_html_shows_status(front):
    page = front._repr_html_()
    assert "<b>Frontier</b>" in page and ">optimal</b>" in page
    assert "3 values of risk_aversion" in page
    assert page.count("<tr>") == 1 + 3


def test_stress_html_shows_status_and_escapes_scenario_names(stressed):
    page = stressed._repr_html_()
    assert "<b>StressResult</b>" in page and "all responses optimal" in page
    assert "baseline plan optimal" in page
    assert ESCAPED in page and HOSTILE not in page


def test_html_shows_at_most_twenty_rows_and_says_so(front):
    many = riskengine.Frontier(pd.concat([front.points] * 8, ignore_index=True), front.mixes)
    page = many._repr_html_()
    assert page.count("<tr>") == 1 + 20
    assert "20 of 24 rows; frontier.to_frame()" in page


@pytest.mark.parametrize("name", ["result", "front", "stressed"])
def test_plot_returns_a_figure(name, request, figures):
    fig = request.getfixturevalue(name).plot()
    figures.append(fig)
    assert isinstance(fig, Figure)
    assert fig.axes


@pytest.mark.parametrize(
    ("name", "default", "tables"),
    [
        (
            "result",
            "allocations",
            ["shortfalls", "metrics", "mix_by_country", "mix_by_supplier", "binding"],
        ),
        ("front", "points", ["mixes"]),
        ("stressed", "regret", ["scenarios", "exposure", "response"]),
    ],
)
def test_to_frame_returns_a_copy_of_a_table(name, default, tables, request):
    obj = request.getfixturevalue(name)
    frame = obj.to_frame()
    assert isinstance(frame, pd.DataFrame)
    pd.testing.assert_frame_equal(frame, getattr(obj, default))
    frame["probe"] = 1
    assert "probe" not in getattr(obj, default).columns  # the result's own table is untouched
    for table in tables:
        pd.testing.assert_frame_equal(obj.to_frame(table), getattr(obj, table))


def test_to_frame_names_the_valid_tables(front):
    with pytest.raises(riskengine.RiskEngineError) as info:
        front.to_frame("point")
    assert str(info.value) == (
        "table='point' is not a table of Frontier (did you mean "
        "'points'?); valid tables: points, mixes"
    )


def test_plot_mix_for_one_buyer(result, figures):
    fig = plot_mix(result, "EU")
    figures.append(fig)
    assert [ax.get_title(loc="left") for ax in fig.axes] == [
        "EU: share of demand by supplying country"
    ]
    assert tuple(fig.get_size_inches()) == pytest.approx((8.0, 0.9 + 0.32 * 7 + 0.6))
    assert any(line.get_xdata()[0] == 0.65 for line in fig.axes[0].get_lines())  # CRMA line


def test_plot_mix_names_valid_buyers(result):
    with pytest.raises(riskengine.RiskEngineError) as info:
        plot_mix(result, "US")
    assert str(info.value) == "buyer 'US' is not in the plan; valid buyers: EU, JP"


def test_plot_frontier_stars_the_highlighted_plan(front, figures):
    fig = plot_frontier(front, highlight=1.0)
    figures.append(fig)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == ["efficient plan", "dominated plan", "highlighted plan (λ=1)"]
    with pytest.raises(riskengine.RiskEngineError, match="valid values: 0, 1, 10"):
        plot_frontier(front, highlight=2.0)


def test_plot_contributions_draws_the_riskiest_offers(data, figures):
    scores = riskengine.score_suppliers(data)
    fig = plot_contributions(scores, "JP", top=4)
    figures.append(fig)
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "JP: the 4 riskiest offers"
    jp = scores[scores["buyer"] == "JP"]
    widths = sorted(p.get_x() + p.get_width() for p in ax.patches)[-4:]
    assert max(widths) == pytest.approx(jp["risk_score"].max())


def test_plot_contributions_takes_a_scorer_output(data, figures):
    scorer = riskengine.RiskScorer(buyer="EU", reference=data).fit(data.suppliers)
    fig = plot_contributions(scorer.transform(data.suppliers), "EU", top=3)
    figures.append(fig)
    assert fig.axes[0].get_title(loc="left") == "EU: the 3 riskiest offers"


def test_plot_stress_pairs_exposure_and_response(stressed, figures):
    fig = plot_stress(stressed)
    figures.append(fig)
    short_ax, cost_ax = fig.axes
    assert [t.get_text() for t in short_ax.get_yticklabels()] == [
        "<b>x</b>",
        "lynas-malaysia-outage",
    ]
    assert len(short_ax.patches) == len(cost_ax.patches) == 2 * 2
    assert cost_ax.get_xlabel() == "purchase + lost supply (model), USD million a year"


def test_plot_stress_keeps_the_largest_regrets(stressed, figures):
    fig = plot_stress(stressed, top=1)
    figures.append(fig)
    worst = stressed.scenarios.sort_values("regret_usd")["scenario"].iat[-1]
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [worst]
