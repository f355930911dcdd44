"""The sections of ``report.html``: each function prepares a section's texts and tables and
renders its template from ``riskengine/templates/report/`` (all extend ``section.html``,
which alone shows a section that only says why it is empty); see :mod:`riskengine._render`.

Section order: what to buy and the answers (:mod:`riskengine.report.buylist`),
executive summary, commodity criticality, supplier risk
ranking, recommended mix, two-stage plan (:mod:`riskengine.report.stochastic`), plan by
year (:mod:`riskengine.report.horizon`, only with a horizon), CRMA compliance, shadow prices, cost-risk frontier,
alliance value, stress tests (only with stress results), data vintage and
sources, configuration as resolved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

from riskengine._render import join, render
from riskengine.data.vintage import vintage_table
from riskengine.report.buylist import buy_section
from riskengine.report.figures import INDICATOR_COLOURS
from riskengine.report.horizon import horizon_section
from riskengine.report.html import (
    Column,
    fmt_num,
    fmt_pct,
    fmt_t,
    fmt_usd,
    fmt_usd_m,
    fmt_yes,
    table_html,
)
from riskengine.report.model import ReportData
from riskengine.report.sources import SOURCES_FILE
from riskengine.report.stochastic import stochastic_section
from riskengine.report.summary import executive_summary
from riskengine.report.tables import indicator_columns

if TYPE_CHECKING:
    from markupsafe import Markup

__all__ = ["SECTIONS", "render_sections"]

#: Anchor -> navigation label, in page order.
SECTIONS: dict[str, str] = {
    "buy": "To buy",
    "summary": "Summary",
    "criticality": "Criticality",
    "ranking": "Supplier risk",
    "mix": "Recommended mix",
    "stochastic": "Two-stage plan",
    "years": "Plan by year",
    "crma": "CRMA compliance",
    "shadow": "Shadow prices",
    "frontier": "Frontier",
    "alliance": "Alliance value",
    "stress": "Stress tests",
    "sources": "Data and sources",
    "config": "Configuration",
}
_TOP_SHADOW = 10


def _section(anchor: str, template: str = "section", **context: Any) -> Markup:
    """Section ``anchor`` rendered by ``report/<template>.html`` (plain ``section``: notes)."""
    return render(f"report/{template}.html", anchor=anchor, title=SECTIONS[anchor], **context)


def _notes(anchor: str, *notes: str) -> Markup:
    """A section that only says something (why it is empty)."""
    return _section(anchor, notes=notes)


def summary_section(data: ReportData, tables: dict[str, pd.DataFrame]) -> Markup:
    """Executive summary in words, then the headline table per buyer."""
    table = table_html(
        tables["buyers"],
        [
            ("buyer", "buyer", None),
            ("demand_t", "demand t", fmt_t),
            ("served_t", "served t", fmt_t),
            ("served_share", "served", fmt_pct),
            ("purchase_cost_usd", "purchase cost USD", fmt_usd),
            ("expected_loss_usd", "expected disruption loss USD (model)", fmt_usd),
            ("violation_usd", "policy violations USD (model)", fmt_usd),
            ("average_risk", "average risk", fmt_num(1)),
            ("china_share", "China share", fmt_pct),
            ("commodities_short", "short", None),
            ("commodities_failing_crma", "failing CRMA 65%", None),
        ],
    )
    return _section("summary", "summary", lines=executive_summary(data, tables), table=table)


def criticality_section(tables: dict[str, pd.DataFrame]) -> Markup:
    """World concentration and JRC supply risk per commodity and stage."""
    table = tables["criticality"]
    sr = [c for c in table.columns if c.startswith("sr_")]
    cols = [
        ("commodity", "commodity", None),
        ("stage", "stage", None),
        ("world_t", "world output t", fmt_t),
        ("hhi", "HHI", fmt_num(3)),
        ("hhi_wgi_t", "HHI-WGI-t", fmt_num(2)),
        ("top_country", "top country", None),
        ("top_share", "top share", fmt_pct),
        ("china_share", "China share", fmt_pct),
    ]
    cols += [
        (
            c,
            c.removeprefix("sr_").replace("_plan", " SR, plan")
            + ("" if c.endswith("_plan") else " SR"),
            fmt_num(2),
        )
        for c in sr
    ]
    note = (
        "HHI of world output (0-1); HHI-WGI-t weights shares by governance (WGI on the "
        "JRC 0-10 scale) and export restrictions. SR is the EU JRC supply risk per "
        "buyer: 'SR' sources like the world, 'SR, plan' uses the recommended mix "
        "(- where the plan buys nothing at that stage). See docs/methodology.md."
    )
    return _section("criticality", "criticality", note=note, table=table_html(table, cols))


def _colour(indicator: str) -> str:
    return INDICATOR_COLOURS.get(indicator, "#7f7f7f")


def _bars(frame: pd.DataFrame, indicators: list[str]) -> list[Markup]:
    """Per row, its score split by indicator as a bar (template ``report/bar.html``)."""
    return [
        render(
            "report/bar.html",
            spans=[
                (f"{k} {float(v):.1f}", f"{max(float(v), 0.0):.2f}", _colour(k))
                for k, v in record.items()
                if float(v) > 0
            ],
        )
        for record in frame[indicators].to_dict("records")
    ]


def ranking_section(data: ReportData, tables: dict[str, pd.DataFrame], figure: str) -> Markup:
    """Riskiest offers as a figure, then every offer per buyer with its contribution bar."""
    scores = tables["scores"]
    indicators = indicator_columns(data.scores)
    note = (
        "Risk score 0-100 (higher is riskier) of every offer for each buyer; the bar "
        "splits it into the contribution of each indicator (the bar's full width is "
        "100 points). The chart shows the offers the plan buys (tonnes after the name) and "
        "the least risky alternatives it does not buy; the tables list every offer, "
        "riskiest first. 'to buy t' is what the recommended plan buys."
    )
    cols = [
        ("rank", "#", fmt_num(0)),
        ("supplier_id", "offer", None),
        ("name", "supplier", None),
        ("commodity", "commodity", None),
        ("country", "country", None),
        ("status", "status", None),
        ("risk_score", "score", fmt_num(1)),
        ("to_buy_t", "to buy t", fmt_t),
    ]
    buyers = [
        (
            buyer,
            table_html(part, cols, extra={"contributions": _bars(part, indicators)}, scroll=True),
        )
        for buyer, part in scores.groupby("buyer", sort=True)
    ]
    legend = [(k, _colour(k)) for k in indicators if (scores[k] > 0).any()]
    return _section("ranking", "ranking", note=note, figure=figure, legend=legend, buyers=buyers)


def mix_section(tables: dict[str, pd.DataFrame], figure: str) -> Markup:
    """Stacked bars by country against the 65% line, and the mix table."""
    mix = tables["mix_by_country"]
    over = mix["share_of_demand"] > mix["cap_share"].fillna(1.0) + 1e-9
    cols = [
        ("buyer", "buyer", None),
        ("commodity", "commodity", None),
        ("country", "country", None),
        ("relation", "relation", None),
        ("tonnes", "tonnes", fmt_t),
        ("share_of_demand", "share of demand", fmt_pct),
        ("cap_share", "cap", fmt_pct),
    ]
    note = (
        "Each bar is a buyer's demand for one commodity, split by the country that "
        "supplies it; hatched grey is unmet demand. The dashed line is the EU Critical "
        "Raw Materials Act benchmark: no more than 65% from one third country."
    )
    table = table_html(mix, cols, bad=over, scroll=True)
    return _section("mix", "figure_table", note=note, figure=figure, table=table)


def crma_section(tables: dict[str, pd.DataFrame]) -> Markup:
    """Per buyer and commodity: largest non-home country's share of consumption, pass or fail."""
    m = tables["plan_metrics"].copy()
    flags = m["crma_compliant"]
    verdict = [render("report/verdict.html", flag=None if pd.isna(f) else bool(f)) for f in flags]
    cols = [
        ("buyer", "buyer", None),
        ("commodity", "commodity", None),
        ("demand_t", "demand t", fmt_t),
        ("bought_t", "bought t", fmt_t),
        ("shortfall_t", "shortfall t", fmt_t),
        ("china_share", "China share", fmt_pct),
        ("top_foreign_country", "largest non-home country", None),
        ("top_foreign_share", "its share of purchases", fmt_pct),
        ("top_foreign_cap", "the buyer's cap", fmt_pct),
        ("home_partner_share", "home and partners", fmt_pct),
    ]
    note = (
        "A buyer meets the CRMA benchmark for a commodity when no country outside its "
        "home supplies more than 65% of what it buys (its consumption; CRMA Article 1(2)). "
        "The buyers' policy caps are measured on the same basis; a commodity with nothing "
        "bought shows n/a."
    )
    bad = flags.eq(False)
    return _section(
        "crma",
        "crma",
        note=note,
        table=table_html(m, cols, bad=bad, extra={"CRMA 65%": verdict}),
        stages=_stage_table(tables.get("china_by_stage")),
        stages_note=_STAGES_NOTE,
    )


_STAGES_NOTE = (
    "China's share of what each buyer buys at each stage of the supply routes "
    "(suppliers.csv route): a concentrate mined in Brazil and separated in China counts "
    "as China at separation, and carries China's export licence."
)


def _stage_table(stages: pd.DataFrame | None) -> Markup | None:
    """China's share of purchases at each route stage (None without routes)."""
    if stages is None or stages.empty:
        return None
    shares = [c for c in stages.columns if c.endswith("_china_share")]
    cols: list[tuple[str, str, Callable[[object], str] | None]] = [
        ("buyer", "buyer", None),
        ("commodity", "commodity", None),
    ]
    cols += [(c, c.removesuffix("_china_share"), fmt_pct) for c in shares]
    bad = (stages[shares] > 0.65 + 1e-9).any(axis=1)
    return table_html(stages, cols, bad=bad)


def shadow_section(tables: dict[str, pd.DataFrame], milp: bool = False) -> Markup:
    """The constraints that cost the most, worded for a reader, then the table."""
    binding = tables["shadow_prices"]
    if milp:
        return _notes(
            "shadow",
            "Not available: the minimum order quantity or the "
            "supplier limit makes the model a MILP, which has no "
            "shadow prices.",
        )
    if binding.empty:
        return _notes(
            "shadow",
            "No constraint binds with a non-zero shadow price "
            "(or the plan is not optimal, so none is reported).",
        )
    note = (
        "A shadow price is what one more kg of a limit would save in model cost (purchase "
        "cost plus risk charge plus lost supply plus policy violations), for small changes "
        "only; the figures in brackets split it by term, and the largest is its driver. "
        "Soft policy caps the plan exceeds are listed under CRMA compliance with their price. "
        f"The {min(_TOP_SHADOW, len(binding))} most valuable of {len(binding)} binding "
        "constraints:"
    )
    return _section(
        "shadow",
        "shadow",
        note=note,
        lines=list(binding["sentence"].head(_TOP_SHADOW)),
        table=table_html(binding, _SHADOW_COLUMNS, scroll=True),
    )


_SHADOW_COLUMNS: list[Column] = [
    ("family", "constraint", None),
    ("buyer", "buyer", None),
    ("commodity", "commodity", None),
    ("country", "country", None),
    ("supplier_id", "offer", None),
    ("rhs_t", "limit t", fmt_t),
    ("shadow_price_usd_per_kg", "saving USD/kg", lambda v: fmt_usd(abs(v))),  # type: ignore[arg-type]
    ("driver", "driven by", None),
]


def frontier_section(data: ReportData, tables: dict[str, pd.DataFrame], figure: str) -> Markup:
    """The cost-risk frontier figure and table, or why it is absent."""
    if "frontier" not in tables:
        return _notes("frontier", "Not computed: report.frontier_points is 0.")
    cols = [
        ("risk_aversion", "λ", fmt_num(3)),
        ("status", "status", None),
        ("purchase_cost_usd", "purchase cost USD", fmt_usd),
        ("supply_loss_usd", "supply loss to expect USD", fmt_usd),
        ("served_t", "served t", fmt_t),
        ("shortfall_t", "shortfall t", fmt_t),
        ("china_share", "China share", fmt_pct),
        ("efficient", "efficient", fmt_yes),
    ]
    note = (
        "Each point is the optimal plan for one risk aversion λ: higher λ pays more "
        "to buy from offers less likely to be disrupted. Supply loss to expect = the "
        "disruption loss to expect in a year (q x V x tonnes bought) plus demand left unmet "
        "at its lost-supply value, so a plan that buys less never looks safer. Efficient "
        "plans serve the most and no other such plan is cheaper and safer."
        + (
            " The frontier is traced over the whole horizon; its money and tonnes are "
            "averages a year."
            if data.horizon is not None
            else ""
        )
    )
    table = table_html(tables["frontier"], cols)
    return _section("frontier", "figure_table", note=note, figure=figure, table=table)


def alliance_section(data: ReportData, tables: dict[str, pd.DataFrame]) -> Markup:
    """Joint versus separate buying: the split under each sharing rule, the coalition game,
    the candidate partners and the value per buyer and commodity."""
    from riskengine.report._alliance import VALUE_COLUMNS, alliance_body

    if data.alliance_analysis is None:
        if "alliance_value" not in tables:
            return _notes("alliance", f"Not computed: {data.alliance_note}.")
        return _section(
            "alliance", "parts", parts=[table_html(tables["alliance_value"], VALUE_COLUMNS)]
        )

    body = alliance_body(data.alliance_analysis, tables.get("alliance_value"))
    return _section("alliance", "parts", parts=[body])


def stress_section(data: ReportData) -> Markup | None:
    """Stress-test exposure and regret; None (or why not) when there are no stress results."""
    if data.stress is None:
        if not data.stress_note:
            return None
        notes = (f"Not computed: {data.stress_note}.",)
        return _section("stress", notes=notes, more_notes=data.skipped)
    note = (
        "Exposure: the recommended plan kept fixed while a scenario cuts capacity, raises "
        "prices or demand (what is delivered, what is short, what is paid at scenario "
        "prices, and the supply lost at its lost-supply value). Response: the best plan "
        "re-optimised for the scenario. Regret = exposure minus response model cost "
        "(purchase + risk charge + lost supply), a model figure. Scenarios from the "
        "configuration and the shipped library (config/scenarios/, sources in each "
        "description); the per-commodity detail is in the CSV and xlsx tables."
    )
    shown = [(title, _stress_table(frame)) for title, frame in _stress_tables(data.stress)]
    return _section("stress", "stress", note=note, more_notes=data.skipped, tables=shown)


def _stress_table(frame: pd.DataFrame) -> Markup:
    cols = [
        (c, _STRESS_LABELS.get(c, c.replace("_", " ")), _stress_format(frame, c))
        for c in frame.columns
    ]
    return table_html(frame, cols)


_STRESS_LABELS = {
    "exposure_shortfall_t": "plan short t",
    "response_shortfall_t": "best response short t",
    "exposure_purchase_usd": "plan purchase USD m",
    "exposure_lost_supply_usd": "plan lost supply USD m (model)",
    "exposure_model_cost_usd": "plan model cost USD m",
    "response_purchase_usd": "best response purchase USD m",
    "response_lost_supply_usd": "best response lost supply USD m (model)",
    "response_model_cost_usd": "best response model cost USD m",
    "regret_usd": "regret USD m (model cost)",
    "source": "file",
}


def _stress_format(frame: pd.DataFrame, column: str) -> Callable[[object], str] | None:
    if column.endswith("_usd"):
        return fmt_usd_m
    if column.endswith("_t"):
        return fmt_t
    return None


def _stress_tables(stress: Mapping[str, pd.DataFrame]) -> list[tuple[str, pd.DataFrame]]:
    """(title, table) shown in HTML; the per-commodity detail stays in CSV and xlsx."""
    titles = {"by_buyer": "Per scenario and buyer", "scenarios": "Per scenario, both buyers"}
    known = [(titles[n], stress[n]) for n in ("by_buyer", "scenarios") if n in stress]
    other = [(n, f) for n, f in sorted(stress.items()) if n not in titles and n != "detail"]
    return known + other


def sources_section(data: ReportData, tables: dict[str, pd.DataFrame]) -> Markup:
    """Where the data came from: folder, vintage, tables, and the SOURCES.md summary."""
    notes = data.notes
    inputs = table_html(
        tables["inputs"],
        [("table", "table", None), ("file", "file", None), ("rows", "rows", fmt_num(0))],
    )
    vintage = None
    if "vintage" in tables:
        vintage = table_html(
            tables["vintage"], [("item", "item", None), ("vintage", "vintage", None)]
        )
    years = table_html(
        vintage_table(data.dataset),
        [
            ("table", "table", None),
            ("rows", "rows", fmt_num(0)),
            ("years", "data years", None),
            ("estimated_share", "estimated", fmt_pct),
        ],
    )
    return _section(
        "sources",
        "sources",
        source=data.dataset.source,
        vintage=data.dataset.vintage,
        run_notes=data.run_notes,
        inputs=inputs,
        sources_file=SOURCES_FILE,
        source_keys=None if notes.path is None else notes.source_keys,
        vintage_notes=vintage,
        years=years,
    )


def config_section(data: ReportData) -> Markup:
    """The configuration as resolved, as YAML."""
    text = yaml.safe_dump(data.config.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
    where = f" from {data.config_path}" if data.config_path else ""
    return _section("config", "config", where=where, text=text)


def render_sections(
    data: ReportData, tables: dict[str, pd.DataFrame], figures: Mapping[str, Markup]
) -> Markup:
    """All sections in page order; ``figures`` maps figure stem to inline SVG (trusted HTML)."""
    return join(
        part
        for part in (
            buy_section(data, tables),
            summary_section(data, tables),
            criticality_section(tables),
            ranking_section(data, tables, figures.get("risk_contributions", "")),
            mix_section(tables, figures.get("mix", "")),
            stochastic_section(data),
            horizon_section(data, tables, figures.get("years", "")),
            crma_section(tables),
            shadow_section(tables, data.result.milp),
            frontier_section(data, tables, figures.get("frontier", "")),
            alliance_section(data, tables),
            stress_section(data),
            sources_section(data, tables),
            config_section(data),
        )
        if part
    )
