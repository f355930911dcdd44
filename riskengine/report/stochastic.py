"""The report's two-stage plan: computed once (:func:`compute_stochastic`), shown by one section.

The section puts the two-stage mean-CVaR plan (contract 5.3) beside the
expected-value plan of the "Recommended mix" section, under the same drawn
scenarios: what each contracts, what each leaves short and loses (mean, p95,
CVaR), the value of the stochastic solution, the value of perfect
information, and the mean-CVaR frontier. With ``optimiser.model: stochastic``
it is the report's recommendation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from riskengine._render import render
from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.enums import OptimiserModel
from riskengine.exceptions import RiskEngineError
from riskengine.optimise.milp import LP_ONLY, is_milp
from riskengine.report.html import fmt_num, fmt_pct, fmt_t, fmt_usd_m, inline_svg, table_html

if TYPE_CHECKING:
    from markupsafe import Markup

    from riskengine.optimise.problem import Problem
    from riskengine.report.model import ReportData
    from riskengine.scenarios.stochastic_result import StochasticResult

__all__ = ["ANCHOR", "TITLE", "compute_stochastic", "stochastic_section"]

#: Section anchor and navigation label.
ANCHOR, TITLE = "stochastic", "Two-stage plan"


def compute_stochastic(
    dataset: Dataset, config: Config, scores: pd.DataFrame, problem: Problem | None = None
) -> tuple[StochasticResult | None, str]:
    """The two-stage plan for the report (on the plan's model ``problem`` when given), or
    None and why it was not computed."""
    if not config.optimiser.stochastic.in_report:
        return None, "optimiser.stochastic.in_report is false"
    if is_milp(config.optimiser):
        return None, LP_ONLY
    from riskengine.scenarios.stochastic import stochastic_plan

    try:
        return stochastic_plan(dataset, config, scores, problem=problem), ""
    except RiskEngineError as exc:
        return None, str(exc)


def _comparison(result: StochasticResult) -> list[tuple[str, tuple[str, ...]]]:
    """(label, (two-stage, expected-value, difference)) per compared figure, formatted."""
    per = result.settings.get("period", "a year")
    labels = {
        "contracted_t": (f"contracted, t {per}", fmt_t),
        "china_share": ("share contracted from China", fmt_pct),
        "expected_purchase_usd": ("contracts paid, USD m (mean)", fmt_usd_m),
        "expected_spot_usd": ("spot purchases paid, USD m (mean)", fmt_usd_m),
        "expected_lost_supply_usd": ("lost supply, USD m (mean, model)", fmt_usd_m),
        "violation_usd": ("policy violations, USD m (model)", fmt_usd_m),
        "expected_loss_usd": ("loss, USD m (mean, model)", fmt_usd_m),
        "cvar_usd": ("loss, USD m (CVaR, model)", fmt_usd_m),
        "p95_loss_usd": ("loss, USD m (p95, model)", fmt_usd_m),
        "objective_usd": ("mean + beta x CVaR, USD m (model)", fmt_usd_m),
        "expected_shortfall_t": ("short, t (mean)", fmt_t),
        "p95_shortfall_t": ("short, t (p95)", fmt_t),
    }
    return [
        (
            labels[r.metric][0],
            tuple(labels[r.metric][1](v) for v in (r.stochastic, r.expected_value, r.difference)),
        )
        for r in result.comparison.itertuples()
        if r.metric in labels
    ]


_NEED_COLUMNS = [
    ("buyer", "buyer", None),
    ("commodity", "commodity", None),
    ("year", "year", None),
    ("demand_t", "demand t", fmt_t),
    ("contracted_t", "two-stage contracts t", fmt_t),
    ("expected_delivered_t", "of which delivered t (mean)", fmt_t),
    ("ev_contracted_t", "expected-value plan t", fmt_t),
    ("ev_expected_delivered_t", "of which delivered t (mean)", fmt_t),
    ("expected_shortfall_t", "short t (mean)", fmt_t),
    ("shortfall_p95_t", "short t (p95)", fmt_t),
    ("ev_shortfall_p95_t", "expected-value plan short t (p95)", fmt_t),
    ("loss_cvar_usd", "loss USD m (CVaR, model)", fmt_usd_m),
    ("ev_loss_cvar_usd", "expected-value plan loss USD m (CVaR)", fmt_usd_m),
]
_FRONTIER_COLUMNS = [
    ("beta", "β", fmt_num(2)),
    ("expected_loss_usd", "loss USD m (mean, model)", fmt_usd_m),
    ("cvar_usd", "loss USD m (CVaR, model)", fmt_usd_m),
    ("expected_purchase_usd", "contracts paid USD m (mean)", fmt_usd_m),
    ("contracted_t", "contracted t", fmt_t),
    ("china_share", "China share", fmt_pct),
    ("expected_shortfall_t", "short t (mean)", fmt_t),
]


def _intro(data: ReportData, result: StochasticResult) -> str:
    """The section's first note: how the plan is made and what it is for."""
    s = result.settings
    states = pd.Series(result.scenario_set.state.ravel()).value_counts(normalize=True)
    per = s.get("period", "a year")
    when = (
        f"for {s['year']}" if per == "a year" else f"over {per.removeprefix('over ')} (a path each)"
    )
    share = "" if per == "a year" else " of scenario-years"
    mix = ", ".join(f"{k.replace('_', ' ')} {v:.0%}" for k, v in states.sort_index().items())
    role = (
        "This is the report's recommended plan (optimiser.model: stochastic); the "
        "expected-value plan of the mix section is shown beside it."
        if data.config.optimiser.model is OptimiserModel.STOCHASTIC
        else "The mix section shows the expected-value plan (optimiser.model: expected); "
        "this plan is computed beside it for comparison."
    )
    return (
        f"Contracts are fixed now; each of {s['scenarios']} drawn scenarios {when} "
        f"(China's policy{share}: {mix}; licence approvals, country and company events, prices and "
        "demand drawn together, see docs/scenarios.md) then delivers part of them, the rest "
        f"is bought spot at {1 + s['spot_premium']:g} x the scenario's price or left short at "
        f"its lost-supply value. The plan minimises the mean loss + {s['beta']:g} x the CVaR "
        f"{s['alpha']:g} (mean of the worst {1 - s['alpha']:.0%} of scenarios) per "
        f"{s['cvar_scope'].replace('_', ' and ')}. Contracts and spot purchases are money "
        f"paid; lost supply, violations and the loss that sums them are model figures. {role}"
    )


def stochastic_section(data: ReportData) -> Markup:
    """The two-stage plan beside the expected-value plan, VSS, EVPI and the frontier."""
    result = data.stochastic
    if result is None:
        return _render_section(notes=(f"Not computed: {data.stochastic_note}.",))
    from riskengine.report.figures import svg_text
    from riskengine.scenarios.figures import stochastic_figure

    return _render_section(
        "report/stochastic.html",
        intro=_intro(data, result),
        period=result.settings.get("period", "a year"),
        vss=fmt_usd_m(result.vss_usd),
        evpi=fmt_usd_m(result.evpi_usd),
        comparison=_comparison(result),
        needs=table_html(
            result.needs, [c for c in _NEED_COLUMNS if c[0] in result.needs], scroll=True
        ),
        figure=inline_svg(svg_text(stochastic_figure(result)), "figstochastic"),
        frontier=table_html(result.frontier, _FRONTIER_COLUMNS),
    )


def _render_section(template: str = "report/section.html", **context: Any) -> Markup:
    return render(template, anchor=ANCHOR, title=TITLE, **context)
