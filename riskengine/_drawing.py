"""Drawing shared by :mod:`riskengine.plotting` and the report: style, colours, labels, figures.

The functions here take tables (DataFrames), not result objects, and return
a :class:`matplotlib.figure.Figure` built without pyplot, drawn inside
:data:`RC` (fixed fonts and sizes, ``svg.hashsalt`` set) so that the same
tables give the same picture, byte for byte as SVG. Labels that come from
data pass through :func:`plain_label`: characters the font lacks become
``?`` (no missing-glyph warnings) and ``$`` cannot start mathtext.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # matplotlib itself is imported by the functions that draw
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

__all__ = [
    "COMMODITY_COLOURS",
    "COUNTRY_COLOURS",
    "CRMA_LINE",
    "INDICATOR_COLOURS",
    "RC",
    "commodity_colour",
    "contributions_figure",
    "country_colour",
    "country_colours",
    "frontier_figure",
    "indicator_columns",
    "mix_figure",
    "new_figure",
    "plain_label",
    "stress_figure",
]

#: The EU Critical Raw Materials Act benchmark drawn on the mix figure (share of demand).
CRMA_LINE = 0.65
FONT = "DejaVu Sans"
#: matplotlib settings every figure is drawn with (fixed fonts and sizes, reproducible SVG).
RC: dict[str, object] = {
    "svg.hashsalt": "riskengine-report",
    "svg.fonttype": "path",
    "font.family": [FONT],
    "font.size": 8.0,
    "axes.titlesize": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100.0,
    "savefig.bbox": None,
}
CHINA_COLOUR = "#c0392b"
SHORTFALL_COLOUR = "#d5d8dc"
PLAN_COLOUR = "#c0392b"
RESPONSE_COLOUR = "#1f77b4"
_PALETTE = [
    "#1f77b4",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#17becf",
    "#bcbd22",
    "#e377c2",
    "#7f7f7f",
    "#aec7e8",
    "#98df8a",
    "#ffbb78",
    "#c5b0d5",
    "#c49c94",
    "#9edae5",
    "#dbdb8d",
    "#f7b6d2",
    "#393b79",
    "#637939",
    "#8c6d31",
]
#: The colour of each country in every figure (China red; suppliers' countries in the seeds
#: first, distinct; any other code gets a palette colour fixed by the code, see
#: :func:`country_colour`).
COUNTRY_COLOURS: dict[str, str] = {
    "CN": CHINA_COLOUR,
    "AU": "#1f77b4",
    "US": "#2ca02c",
    "MY": "#ff7f0e",
    "FR": "#9467bd",
    "GB": "#8c564b",
    "JP": "#17becf",
    "VN": "#bcbd22",
    "IN": "#e377c2",
    "ZA": "#7f7f7f",
    "BR": "#393b79",
    "DE": "#637939",
    "CA": "#8c6d31",
    "EE": "#aec7e8",
    "MM": "#ad494a",
    "KZ": "#98df8a",
    "KR": "#ffbb78",
    "NO": "#c5b0d5",
    "GL": "#9edae5",
    "MG": "#dbdb8d",
    "RU": "#843c39",
    "LA": "#c49c94",
    "TH": "#f7b6d2",
    "SE": "#6b6ecf",
    "EU": "#1f4e79",
}
#: The colour of each of the seven commodities in every figure.
COMMODITY_COLOURS: dict[str, str] = {
    "samarium": "#1f77b4",
    "gadolinium": "#2ca02c",
    "terbium": "#ff7f0e",
    "dysprosium": "#9467bd",
    "lutetium": "#8c564b",
    "scandium": "#17becf",
    "yttrium": "#bcbd22",
}
#: A fixed colour per risk indicator (figures and the report's legend).
INDICATOR_COLOURS = {
    "governance": "#4e79a7",
    "export_control": "#e15759",
    "concentration": "#f28e2b",
    "maturity": "#76b7b2",
    "partner": "#59a14f",
    "lead_time": "#edc948",
    "chinese_technology": "#b07aa1",
    "parent_country": "#9c755f",
}
#: Columns of a score table that are not indicator contributions.
_NOT_INDICATORS = (
    "buyer",
    "rank",
    "supplier_id",
    "name",
    "commodity",
    "country",
    "stage",
    "status",
    "risk_score",
    "planned_t",
    "to_buy_t",
)


@contextmanager
def new_figure(width: float, height: float) -> Iterator[Figure]:
    """A new pyplot-free Figure of ``width`` x ``height`` inches, drawn inside :data:`RC`."""
    import matplotlib as mpl
    from matplotlib.figure import Figure

    # matplotlib types rc_context keys as a Literal of rcParams names; RC uses valid ones
    with mpl.rc_context(RC):  # type: ignore[arg-type]
        yield Figure(figsize=(width, height))


@lru_cache(maxsize=1)
def _charmap() -> frozenset[int]:
    from matplotlib.font_manager import FontProperties, findfont
    from matplotlib.ft2font import FT2Font

    path = findfont(FontProperties(family=FONT), fallback_to_default=True)
    return frozenset(FT2Font(path).get_charmap())


def plain_label(text: object) -> str:
    """``text`` safe to draw: glyphs missing from the font become '?', '$' is escaped."""
    chars = _charmap()
    cleaned = "".join(c if (ord(c) in chars or c == " ") else "?" for c in str(text))
    return cleaned.replace("$", r"\$")


def country_colour(country: str) -> str:
    """The one colour of a country in every figure: :data:`COUNTRY_COLOURS`, else a palette
    colour fixed by the code itself (a CRC-32 of it), never by which other countries appear."""
    code = str(country)
    if code in COUNTRY_COLOURS:
        return COUNTRY_COLOURS[code]
    return _PALETTE[zlib.crc32(code.encode("utf-8")) % len(_PALETTE)]


def country_colours(countries: list[str]) -> dict[str, str]:
    """Country -> colour, the same for a country in every figure (:func:`country_colour`)."""
    return {k: country_colour(k) for k in sorted(set(map(str, countries)))}


def commodity_colour(commodity: str) -> str:
    """The one colour of a commodity in every figure (:data:`COMMODITY_COLOURS`, else fixed
    by a CRC-32 of its id)."""
    name = str(commodity)
    if name in COMMODITY_COLOURS:
        return COMMODITY_COLOURS[name]
    return _PALETTE[zlib.crc32(name.encode("utf-8")) % len(_PALETTE)]


def indicator_columns(scores: pd.DataFrame) -> list[str]:
    """The contribution columns of a score table (numeric, not ids, not the score)."""
    return [
        c
        for c in scores.columns
        if c not in _NOT_INDICATORS and pd.api.types.is_numeric_dtype(scores[c])
    ]


# --------------------------------------------------------------------------- mix by country


def _mix_bars(
    part: pd.DataFrame, short: pd.DataFrame, y: dict[str, int]
) -> tuple[list[tuple[int, float, float, str]], list[tuple[int, float, float]]]:
    """Bars in drawing order: (y, width, left, country) per country share, (y, width, left) per gap."""
    left = dict.fromkeys(y, 0.0)
    shares = []
    for row in part.sort_values(["commodity", "country"], kind="stable").itertuples():
        width = float(row.share_of_demand)
        shares.append((y[row.commodity], width, left[row.commodity], row.country))
        left[row.commodity] += width
    gaps = []
    for row in short.itertuples():
        gap = float(row.shortfall_t) / float(row.demand_t) if row.demand_t else 0.0
        if gap > 1e-9:
            gaps.append((y[row.commodity], gap, left[row.commodity]))
    return shares, gaps


def _mix_axis(ax: Axes, part: pd.DataFrame, short: pd.DataFrame, colours: dict[str, str]) -> None:
    from matplotlib.ticker import PercentFormatter

    commodities = sorted(short["commodity"].unique(), reverse=True)
    shares, gaps = _mix_bars(part, short, {c: i for i, c in enumerate(commodities)})
    # one barh call per kind of bar draws the same rectangles, in the same order, as one per bar
    if shares:
        ys, widths, lefts, countries = zip(*shares, strict=True)
        colour = [colours[c] for c in countries]
        ax.barh(ys, widths, left=lefts, height=0.7, color=colour, edgecolor="white", linewidth=0.5)
    for y, width, left, country in shares:
        if width >= 0.08:
            ax.text(
                left + width / 2,
                y,
                plain_label(country),
                ha="center",
                va="center",
                color="white",
                fontsize=7,
            )
    if gaps:
        ys, widths, lefts = zip(*gaps, strict=True)
        ax.barh(
            ys,
            widths,
            left=lefts,
            height=0.7,
            color=SHORTFALL_COLOUR,
            hatch="///",
            edgecolor="#808b96",
            linewidth=0.5,
        )
    ax.set_yticks(range(len(commodities)), labels=[plain_label(c) for c in commodities])
    ax.axvline(CRMA_LINE, color="black", linestyle="--", linewidth=1)
    ax.set_xlim(0, 1.0)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))


def mix_figure(mix: pd.DataFrame, shortfalls: pd.DataFrame) -> Figure:
    """Stacked bars per buyer and commodity: share of demand by country, shortfall hatched.

    ``mix`` and ``shortfalls`` are the tables of an
    :class:`~riskengine.OptimisationResult` (``mix_by_country``,
    ``shortfalls``). The dashed line marks the CRMA 65% benchmark for one
    third country.
    """
    from matplotlib.patches import Patch

    buyers = sorted(shortfalls["buyer"].unique())
    n_rows = max(
        1, shortfalls.groupby("buyer")["commodity"].nunique().max() if len(shortfalls) else 1
    )
    colours = country_colours(list(mix["country"].unique()))
    with new_figure(8.0, 0.9 + (0.32 * n_rows + 0.6) * max(1, len(buyers))) as fig:
        axes = fig.subplots(max(1, len(buyers)), 1, squeeze=False)[:, 0]
        for ax, buyer in zip(axes, buyers, strict=False):
            _mix_axis(
                ax, mix[mix["buyer"] == buyer], shortfalls[shortfalls["buyer"] == buyer], colours
            )
            # y=1.0 is where automatic placement puts it (nothing sits above these axes),
            # without measuring every tick label on each draw
            ax.set_title(
                plain_label(f"{buyer}: share of demand by supplying country"), loc="left", y=1.0
            )
        axes[-1].set_xlabel(
            "share of the buyer's demand (dashed line: CRMA 65%, a share of purchases)"
        )
        handles = [Patch(color=colours[k], label=plain_label(k)) for k in sorted(colours)]
        handles.append(
            Patch(facecolor=SHORTFALL_COLOUR, hatch="///", edgecolor="#808b96", label="shortfall")
        )
        fig.legend(
            handles=handles,
            loc="lower center",
            ncols=min(10, len(handles)),
            frameon=False,
            fontsize=7,
        )
        bottom = max(0.1 + 0.02 * (len(handles) // 10), 0.65 / fig.get_figheight())
        fig.subplots_adjust(left=0.13, right=0.98, top=0.95, hspace=0.45, bottom=bottom)
    return fig


# --------------------------------------------------------------------------- frontier


def _lambda_labels(ok: pd.DataFrame) -> list[tuple[float, float, str]]:
    """One label per distinct point (equal plans share one), noting any shortfall."""
    keys = ok.assign(
        x=(ok["supply_loss_usd"] / 1e6).round(6), y=(ok["purchase_cost_usd"] / 1e6).round(6)
    )
    labels = []
    for (x, y), part in keys.groupby(["x", "y"], sort=True):
        lams = ", ".join(f"{v:.3g}" for v in sorted(part["risk_aversion"]))
        short = float(part["shortfall_t"].max())
        note = f" ({short:,.0f} t short)" if short > 0.5 else ""
        labels.append((float(x), float(y), f"λ={lams}{note}"))
    return labels


def frontier_figure(
    points: pd.DataFrame,
    chosen: tuple[float, float, float] | None,
    chosen_label: str = "this report's plan",
) -> Figure:
    """Purchase cost against the supply loss to expect along the lambda sweep.

    ``points`` is :attr:`Frontier.points <riskengine.Frontier>`; ``chosen`` is
    one plan as (lambda, supply loss USD, purchase cost USD), drawn as a star.
    Efficient points are filled; points that serve less are labelled with the
    tonnes they leave short.
    """
    with new_figure(7.5, 4.0) as fig:
        ax = fig.subplots()
        ok = points[points["status"] == "optimal"].sort_values("risk_aversion")
        x, y = ok["supply_loss_usd"] / 1e6, ok["purchase_cost_usd"] / 1e6
        ax.plot(x, y, color="#b3b6b7", linewidth=1, zorder=1)
        eff = ok["efficient"].astype(bool)
        ax.scatter(x[eff], y[eff], color="#1f77b4", zorder=2, label="efficient plan")
        ax.scatter(
            x[~eff],
            y[~eff],
            facecolors="white",
            edgecolors="#1f77b4",
            zorder=2,
            label="dominated plan",
        )
        for px, py, text in _lambda_labels(ok):
            ax.annotate(text, (px, py), textcoords="offset points", xytext=(5, 5), fontsize=7)
        if chosen is not None and all(pd.notna(v) for v in chosen):
            ax.scatter(
                [chosen[1] / 1e6],
                [chosen[2] / 1e6],
                marker="*",
                s=140,
                color="#c0392b",
                zorder=3,
                label=plain_label(f"{chosen_label} (λ={chosen[0]:g})"),
            )
        ax.set_xlabel(
            "supply loss to expect, USD million a year (disruptions q x V x t + unmet demand x V)"
        )
        ax.set_ylabel("purchase cost, USD million a year")
        ax.set_title("Cost-risk frontier: purchase cost against supply loss", loc="left")
        ax.legend(frameon=False, loc="best")
        ax.margins(x=0.22, y=0.1)  # room for the labels of the right-most points
        fig.subplots_adjust(left=0.11, right=0.97, top=0.9, bottom=0.13)
    return fig


# --------------------------------------------------------------------------- contributions


def _offer_labels(part: pd.DataFrame) -> list[str]:
    """``offer (country, commodity)``, with ``: N t`` when a ``to_buy_t`` column says the
    plan buys from it."""
    if {"supplier_id", "country", "commodity"} <= set(part.columns):
        buy = part["to_buy_t"] if "to_buy_t" in part.columns else pd.Series(0.0, part.index)
        return [
            plain_label(
                f"{r.supplier_id} ({r.country}, {r.commodity})"
                + (f": {t:,.0f} t" if t >= 0.5 else (": <1 t" if t > 0 else ""))
            )
            for r, t in zip(part.itertuples(), buy.fillna(0.0), strict=True)
        ]
    return [plain_label(i) for i in part.index]


def _contribution_axis(ax: Axes, part: pd.DataFrame, indicators: list[str]) -> None:
    part = part.iloc[::-1]
    left = np.zeros(len(part))
    for name in indicators:
        values = part[name].to_numpy(dtype=float)
        if not (values > 0).any():  # an indicator that adds nothing stays out of the legend
            continue
        ax.barh(
            range(len(part)),
            values,
            left=left,
            height=0.7,
            color=INDICATOR_COLOURS.get(name, "#7f7f7f"),
            label=plain_label(name),
        )
        left = left + values
    ax.set_yticks(range(len(part)), labels=_offer_labels(part))
    ax.set_xlim(0, 100)


def contributions_figure(
    scores: pd.DataFrame,
    indicators: list[str],
    top: int = 12,
    titles: dict[str, str] | None = None,
) -> Figure:
    """The first ``top`` rows per buyer as bars stacked by indicator.

    Rows are drawn in the order given (the riskiest first for a score table);
    ``titles`` (buyer -> title) replaces the default "the N riskiest offers".
    """
    buyers = sorted(scores["buyer"].unique())
    with new_figure(8.0, 0.8 + (0.19 * top + 0.5) * max(1, len(buyers))) as fig:
        axes = fig.subplots(max(1, len(buyers)), 1, squeeze=False)[:, 0]
        for ax, buyer in zip(axes, buyers, strict=False):
            part = scores[scores["buyer"] == buyer].head(top)
            _contribution_axis(ax, part, indicators)
            default = f"{buyer}: the {len(part)} riskiest offers"
            title = plain_label((titles or {}).get(buyer, default))
            ax.set_title(title, loc="left", y=1.0)  # y as in mix_figure
        axes[-1].set_xlabel("risk score (0-100), split into the contribution of each indicator")
        seen: dict[str, Artist] = {}
        for ax in axes:
            for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
                seen.setdefault(label, handle)
        fig.legend(
            list(seen.values()), list(seen), loc="lower center", ncols=4, frameon=False, fontsize=7
        )
        height = fig.get_figheight()
        fig.subplots_adjust(
            left=0.33,
            right=0.98,
            top=min(0.96, 1 - 0.25 / height),
            bottom=max(0.12, 0.76 / height),
            hspace=0.3,
        )
    return fig


# --------------------------------------------------------------------------- stress


def _paired_bars(ax: Axes, plan: pd.Series, response: pd.Series, labels: list[str]) -> None:
    y = np.arange(len(labels))[::-1]
    ax.barh(y + 0.2, plan, height=0.4, color=PLAN_COLOUR, label="plan kept (exposure)")
    ax.barh(y - 0.2, response, height=0.4, color=RESPONSE_COLOUR, label="re-optimised (response)")
    ax.set_yticks(y, labels=labels)
    ax.set_xlim(left=0)


def stress_figure(table: pd.DataFrame, note: str = "") -> Figure:
    """Paired bars per scenario row of a stress ``scenarios`` table: exposure against response.

    Left: shortfall (t/yr); right: purchase + lost supply at its value V (USD million a
    year). ``note`` is appended to the title.
    """
    labels = [plain_label(s) for s in table["scenario"]]
    with new_figure(9.0, 1.4 + 0.45 * max(1, len(table))) as fig:
        short_ax, cost_ax = fig.subplots(1, 2, sharey=True)
        _paired_bars(short_ax, table["exposure_shortfall_t"], table["response_shortfall_t"], labels)
        _paired_bars(
            cost_ax,
            (table["exposure_purchase_usd"] + table["exposure_lost_supply_usd"]) / 1e6,
            (table["response_purchase_usd"] + table["response_lost_supply_usd"]) / 1e6,
            labels,
        )
        short_ax.set_xlabel("shortfall, tonnes a year")
        cost_ax.set_xlabel("purchase + lost supply (model), USD million a year")
        short_ax.set_title(
            plain_label(f"Stress test: plan kept against re-optimised{note}"), loc="left"
        )
        handles, names = short_ax.get_legend_handles_labels()
        fig.legend(handles, names, loc="lower center", ncols=2, frameon=False, fontsize=7)
        fig.subplots_adjust(
            left=0.22,
            right=0.98,
            top=1 - 0.35 / fig.get_figheight(),
            bottom=0.75 / fig.get_figheight(),
            wspace=0.08,
        )
    return fig


def distribution_figure(values: dict[str, np.ndarray], xlabel: str, title: str) -> Figure:
    """One panel per key (a buyer): a histogram of ``values`` over equally likely draws,
    with the mean, p5, p50, p95 and CVaR 95% (the mean of the worst 5%) marked."""
    from matplotlib.ticker import MaxNLocator

    keys = sorted(values)
    with new_figure(9.0, 1.2 + 2.2 * max(1, len(keys))) as fig:
        axes = np.atleast_1d(fig.subplots(max(1, len(keys)), 1, squeeze=False)[:, 0])
        for ax, key in zip(axes, keys, strict=False):
            data = np.sort(np.asarray(values[key], dtype=float))[::-1]
            worst = data[: max(1, int(np.ceil(0.05 * len(data))))]
            marks = {
                "p5": np.quantile(data, 0.05),
                "p50": np.quantile(data, 0.5),
                "mean": float(data.mean()),
                "p95": np.quantile(data, 0.95),
                "CVaR 95%": float(worst.mean()),
            }
            ax.hist(data, bins=min(30, max(5, len(data) // 5)), color="#aeb6bf")
            styles = {"p5": ":", "p50": "--", "mean": "-", "p95": "--", "CVaR 95%": "-"}
            colours = {"CVaR 95%": "#c0392b", "mean": "#1f4e79"}
            for label, x in marks.items():
                ax.axvline(
                    x,
                    linestyle=styles[label],
                    color=colours.get(label, "#1c2833"),
                    linewidth=1.2,
                    label=f"{label} {x:,.1f}",
                )
            ax.set_title(plain_label(f"{key}: {len(data)} drawn scenarios"), loc="left", y=1.0)
            ax.set_ylabel("scenarios")
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        axes[-1].set_xlabel(plain_label(xlabel))
        fig.suptitle(plain_label(title), x=0.01, ha="left", fontsize=10)
        fig.subplots_adjust(left=0.08, right=0.8, top=1 - 0.55 / fig.get_figheight(), hspace=0.55)
    return fig


# --------------------------------------------------------------------------- years


def years_figure(metrics: pd.DataFrame, pipeline: pd.DataFrame | None = None) -> Figure:
    """Per buyer, the largest non-home country's share of purchases by year, one line a
    commodity, against the CRMA 65% line; with ``pipeline``, a last panel of ex-China
    capacity by year (tonnes a year, log scale: yttrium and lutetium differ 100-fold).
    """
    buyers = sorted(metrics["buyer"].unique())
    commodities = sorted(metrics["commodity"].unique())
    colours = {c: commodity_colour(c) for c in commodities}
    panels = len(buyers) + (pipeline is not None)
    with new_figure(3.2 * max(1, panels) + 1.6, 3.4) as fig:
        axes = np.atleast_1d(fig.subplots(1, max(1, panels), squeeze=False)[0])
        for ax, buyer in zip(axes, buyers, strict=False):
            part = metrics[metrics["buyer"] == buyer].sort_values("year")
            for commodity in commodities:
                line = part[part["commodity"] == commodity]
                ax.plot(
                    line["year"],
                    100 * line["top_foreign_share"].astype(float),
                    marker="o",
                    markersize=3,
                    color=colours[commodity],
                    label=plain_label(commodity),
                )
            ax.axhline(100 * CRMA_LINE, color="#555555", linestyle="--", linewidth=1)
            ax.set_ylim(0, 105)
            ax.set_title(plain_label(f"{buyer}: largest non-home country"), loc="left")
            ax.set_ylabel("% of purchases, worst stage")
            ax.xaxis.set_major_locator(_year_locator())
        if pipeline is not None:
            ax = axes[-1]
            for commodity in commodities:
                line = pipeline[pipeline["commodity"] == commodity].sort_values("year")
                ax.plot(
                    line["year"],
                    line["ex_china_t"].clip(lower=0.1),
                    marker="o",
                    markersize=3,
                    color=colours.get(commodity, "#7f7f7f"),
                )
            ax.set_yscale("log")
            ax.set_title("Ex-China capacity", loc="left")
            ax.set_ylabel("t a year (log)")
            ax.xaxis.set_major_locator(_year_locator())
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="center right", frameon=False)
        fig.subplots_adjust(left=0.07, right=0.85, top=0.88, bottom=0.12, wspace=0.35)
    return fig


def _year_locator() -> MaxNLocator:
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)
