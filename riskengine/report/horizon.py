"""The report's "Plan by year" section: what a multi-year plan answers (issue 15).

With a planning horizon (``horizon.start`` to ``horizon.end``) the report's
other sections show the first year, the purchases to make now; this section
shows the whole horizon: totals by year, the pipeline, the year each buyer
meets the 65% test, which project delays hurt most, days of stock cover and
the CRMA 2030 Union benchmarks. Its tables come from
:mod:`riskengine.optimise.horizon`; without a horizon it is empty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskengine._render import render
from riskengine.formatting import money
from riskengine.report.html import fmt_num, fmt_pct, fmt_t, fmt_usd, fmt_yes, table_html
from riskengine.report.model import ReportData

if TYPE_CHECKING:
    from markupsafe import Markup

__all__ = [
    "HORIZON_TABLES",
    "horizon_lines",
    "horizon_section",
    "horizon_summary",
    "horizon_tables",
]

#: File stem -> title of the tables this section writes.
HORIZON_TABLES: dict[str, str] = {
    "years": "Plan by year (whole horizon)",
    "metrics_by_year": "Plan per buyer, commodity and year",
    "pipeline": "Capacity by year: ex-China and through China",
    "crma_years": "First year each buyer meets the CRMA 65% test for good",
    "project_delays": "What a one-year project delay would cost (shadow prices)",
    "stock_cover": "Strategic stock and days of cover by year",
    "union_benchmarks": "CRMA 2030 Union benchmarks: plan and home pipeline",
}
_TOP_DELAYS = 10


def horizon_tables(data: ReportData) -> dict[str, pd.DataFrame]:
    """The section's tables, keyed by file stem (empty without a horizon)."""
    plan = data.horizon
    if plan is None:
        return {}
    # imported here: the optimiser (and its solver) stays unloaded for `validate` and `score`
    from riskengine.optimise.horizon import (
        crma_years,
        pipeline,
        project_delays,
        stock_cover,
        union_benchmarks,
    )

    config, dataset = data.config, data.dataset
    keys = ["buyer", "commodity", "year"]
    metrics = plan.metrics.sort_values(keys, kind="stable").reset_index(drop=True)
    benchmarks = [union_benchmarks(plan, dataset, config, buyer) for buyer in sorted(config.buyers)]
    return {
        "years": plan.by_year(),
        "metrics_by_year": metrics,
        "pipeline": pipeline(dataset, config),
        "crma_years": crma_years(plan),
        "project_delays": project_delays(plan, dataset, config),
        "stock_cover": stock_cover(plan),
        "union_benchmarks": pd.concat(benchmarks, ignore_index=True),
    }


def _meets_from(value: object) -> str:
    return "not by the last year" if pd.isna(value) else f"{int(float(str(value)))}"


def _notes(first: int, last: int) -> dict[str, str]:
    """The section's notes, by the part they introduce."""
    return {
        "intro": f"The plan covers {first}-{last}: demand by year, plants from their start year "
        "along their ramp-up (times the chance they are commissioned), offtakes, "
        f"licensed Chinese exports and strategic stocks carried between years. The other "
        f"sections show {first}, the purchases to make now; this one shows every year. "
        "Money is per year; purchase cost is paid, the rest are model figures.",
        "crma": "The first year from which no country outside the buyer's home supplies more "
        "than 65% of what it buys, at any stage of the routes, and keeps doing so to "
        f"{last} (CRMA Art. 1(2)); 'largest' is that country's share in {last}.",
        "pipeline": "Capacity by year after ramp-up and commissioning probability, before export "
        "licences. 'Through China' counts offers in China and those with any stage of "
        "their route there (a concentrate separated in China).",
        "delays": "A one-year delay moves a project's capacity path a year later. Valued at the "
        "shadow prices of its capacity by year (what one more kg would save in model "
        "cost), this is a lower bound on the model cost of the delay: an LP's cost is "
        "convex in its capacities. Projects whose tonnes the plan does not need show 0.",
        "stocks": "Stock at the year's end in days of that year's demand (after the plan's "
        "choice of magnet variants); targets from stocks.csv or "
        "buyers.<B>.stock_target_days.",
        "benchmarks": "CRMA Art. 5(1): by 2030 the Union's capacity should cover 10% of its "
        "consumption in extraction, 40% in processing and 25% in recycling, and no "
        "more than 65% of any stage should come from one third country. 'Plan' is "
        "the share of the buyer's purchases at home at that stage; 'pipeline' is "
        "home capacity at that stage against the buyer's demand, whoever buys it. A "
        "route that leaves out a stage counts as not at home there.",
    }


def _years_table(years: pd.DataFrame) -> Markup:
    return table_html(
        years,
        [
            ("year", "year", fmt_num(0)),
            ("demand_t", "demand t", fmt_t),
            ("served_t", "served t", fmt_t),
            ("shortfall_t", "shortfall t", fmt_t),
            ("bought_t", "bought t", fmt_t),
            ("purchase_cost_usd", "purchase cost USD", fmt_usd),
            ("expected_loss_usd", "disruption loss to expect USD (model)", fmt_usd),
            ("violation_usd", "policy violations USD (model)", fmt_usd),
            ("china_share", "China share", fmt_pct),
        ],
    )


def _crma_table(crma: pd.DataFrame, first: int, last: int) -> Markup:
    return table_html(
        crma,
        [
            ("buyer", "buyer", None),
            ("commodity", "commodity", None),
            ("meets_from", "meets from", _meets_from),
            ("first_year_share", f"largest, {first}", fmt_pct),
            ("last_year_share", f"largest, {last}", fmt_pct),
            ("last_year_country", "country", None),
            ("last_year_stage", "stage", None),
        ],
        bad=crma["meets_from"].isna(),
    )


def _pipeline_table(pipe: pd.DataFrame) -> Markup:
    return table_html(
        pipe,
        [
            ("commodity", "commodity", None),
            ("year", "year", fmt_num(0)),
            ("china_t", "through China t", fmt_t),
            ("ex_china_t", "ex-China t", fmt_t),
            ("added_t", "added ex-China t", fmt_t),
            ("projects", "projects growing", None),
        ],
        scroll=True,
    )


def _delays_table(delays: pd.DataFrame, last: int) -> Markup:
    return table_html(
        delays.head(_TOP_DELAYS),
        [
            ("supplier_id", "project", None),
            ("commodity", "commodity", None),
            ("country", "country", None),
            ("available_from", "from", fmt_num(0)),
            ("capacity_t", f"capacity {last} t", fmt_t),
            ("delay_cost_usd", "one-year delay costs USD (model)", fmt_usd),
            ("first_year_saving_usd_per_kg", "first year, USD/kg", fmt_num(0)),
        ],
    )


def _stock_table(stocks: pd.DataFrame, first: int, last: int) -> Markup | None:
    """Days of cover in the first and last year against the target (None without stocks)."""
    if not len(stocks):
        return None
    edge = stocks[stocks["year"].isin([first, last])]
    wide = edge.pivot_table(
        index=["buyer", "commodity"], columns="year", values="cover_days", sort=True
    ).reset_index()
    wide.columns = [str(c) for c in wide.columns]
    target = stocks.groupby(["buyer", "commodity"], sort=True)["target_days"].first()
    wide["target_days"] = target.to_numpy()
    return table_html(
        wide,
        [
            ("buyer", "buyer", None),
            ("commodity", "commodity", None),
            (str(first), f"days, {first}", fmt_num(0)),
            (str(last), f"days, {last}", fmt_num(0)),
            ("target_days", "target days", fmt_num(0)),
        ],
    )


def _bench_table(bench: pd.DataFrame) -> Markup | None:
    """The CRMA 2030 Union benchmarks (None without rows)."""
    if not len(bench):
        return None
    return table_html(
        bench,
        [
            ("buyer", "buyer", None),
            ("commodity", "commodity", None),
            ("benchmark", "benchmark", None),
            ("target_share", "target", fmt_pct),
            ("plan_share", "plan", fmt_pct),
            ("pipeline_share", "pipeline", fmt_pct),
            ("country", "country", None),
            ("meets", "plan meets", fmt_yes),
        ],
        bad=bench["meets"].eq(False),
        scroll=True,
    )


def horizon_section(
    data: ReportData, tables: dict[str, pd.DataFrame], figure: str
) -> Markup | None:
    """The "Plan by year" section (template ``report/horizon.html``), or None without a horizon."""
    if data.horizon is None:
        return None
    years = data.config.horizon.years
    first, last = years[0], years[-1]
    shown = {
        "years": _years_table(tables["years"]),
        "crma": _crma_table(tables["crma_years"], first, last),
        "pipeline": _pipeline_table(tables["pipeline"]),
        "delays": _delays_table(tables["project_delays"], last),
        "stocks": _stock_table(tables["stock_cover"], first, last),
        "benchmarks": _bench_table(tables["union_benchmarks"]),
    }
    return render(
        "report/horizon.html", notes=_notes(first, last), tables=shown, figure=figure, last=last
    )


def horizon_summary(data: ReportData, tables: dict[str, pd.DataFrame]) -> dict[str, Any] | None:
    """The ``horizon`` block of ``summary.json`` (None without a horizon)."""
    if data.horizon is None:
        return None
    delays = tables["project_delays"]
    keep = ["supplier_id", "commodity", "available_from", "delay_cost_usd"]
    return {
        "years": list(data.config.horizon.years),
        "by_year": tables["years"].to_dict("records"),
        "purchase_cost_usd": float(tables["years"]["purchase_cost_usd"].sum()),
        "crma_meets_from": {
            f"{r['buyer']}/{r['commodity']}": r["meets_from"]
            for r in tables["crma_years"].to_dict("records")
        },
        "top_delays": delays[delays["delay_cost_usd"] > 0].head(5)[keep].to_dict("records"),
    }


def horizon_lines(data: ReportData, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Executive-summary sentences for the horizon (none without one)."""
    if data.horizon is None:
        return []
    years = tables["years"]
    first, last = years.iloc[0], years.iloc[-1]
    lines = [
        f"Over {int(first['year'])}-{int(last['year'])} the plan buys for "
        f"{money(years['purchase_cost_usd'].sum())} in all; China's share of purchases goes "
        f"from {first['china_share']:.0%} to {last['china_share']:.0%} and the shortfall "
        f"from {first['shortfall_t']:,.1f} t to {last['shortfall_t']:,.1f} t."
    ]
    crma = tables["crma_years"]
    for buyer, part in crma.groupby("buyer", sort=True):
        met = part.dropna(subset=["meets_from"])
        never = part[part["meets_from"].isna()]
        text = f"{buyer} meets the 65% test "
        text += (
            "for " + ", ".join(f"{r.commodity} from {int(r.meets_from)}" for r in met.itertuples())
            if len(met)
            else "for no commodity"
        )
        if len(never):
            text += "; not by the last year for " + ", ".join(never["commodity"])
        lines.append(text + ".")
    delays = tables["project_delays"]
    costly = delays[delays["delay_cost_usd"] > 0]
    if len(costly):
        top = costly.iloc[0]
        lines.append(
            f"The project delay that would hurt most: {top['supplier_id']} "
            f"({top['commodity']}, from {int(top['available_from'])}), a year late costs at "
            f"least {money(top['delay_cost_usd'])} of model cost."
        )
    return lines


def years_figure_input(
    data: ReportData, tables: dict[str, pd.DataFrame]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The metrics and pipeline tables the years figure draws (NaN shares as 0)."""
    metrics = tables["metrics_by_year"].copy()
    metrics["top_foreign_share"] = metrics["top_foreign_share"].astype(float).fillna(0.0)
    metrics["year"] = metrics["year"].astype(int)
    return metrics, tables["pipeline"].assign(year=lambda f: f["year"].astype(np.int64))
