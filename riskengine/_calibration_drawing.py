"""The reliability figure of the disruption-probability calibration (drawn without pyplot).

Left: observed against predicted yearly disruption rates in bins of
predicted q, with 90% Wilson intervals and the number of unit-years. Right:
the fitted curve q(score) with its country-bootstrap band, the isotonic fit
and the version-1 line q = score/100 for comparison, the observed rate by
score bin, and ticks for the offers being scored (China and elsewhere).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from riskengine._drawing import CHINA_COLOUR, RC

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["calibration_figure"]

_FIT = "#1f77b4"
_ISO = "#7f7f7f"
_OTHER = "#2ca02c"


def _reliability_axis(ax: Axes, table: pd.DataFrame) -> None:
    top = float(max(table["high"].max(), table["predicted"].max()) * 1.15 + 0.01)
    ax.plot([0, top], [0, top], color="#999999", lw=0.8, ls="--", label="perfect calibration")
    yerr = np.clip(
        np.vstack([table["observed"] - table["low"], table["high"] - table["observed"]]), 0, None
    )
    ax.errorbar(
        table["predicted"],
        table["observed"],
        yerr=yerr,
        fmt="o",
        color=_FIT,
        ms=4,
        capsize=2,
        label=f"observed rate (90% interval), {table['unit_years'].min()}-"
        f"{table['unit_years'].max()} unit-years a bin",
    )
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("predicted q (mean of the bin)")
    ax.set_ylabel("observed share of unit-years disrupted")
    ax.set_title("Reliability, bins of predicted q", loc="left")
    ax.legend(loc="upper left", frameon=False, fontsize=7)


def _curve_axis(
    ax: Axes,
    curves: dict[str, pd.DataFrame],
    observed: pd.DataFrame,
    offers: pd.DataFrame | None,
) -> None:
    band = curves["band"]
    ax.fill_between(
        band["risk_score"],
        band["low"],
        band["high"],
        color=_FIT,
        alpha=0.15,
        lw=0,
        label="logistic, 90% country bootstrap",
    )
    ax.plot(
        curves["logistic"]["risk_score"],
        curves["logistic"]["q"],
        color=_FIT,
        lw=1.6,
        label="logistic fit (default)",
    )
    ax.step(
        curves["isotonic"]["risk_score"],
        curves["isotonic"]["q"],
        where="post",
        color=_ISO,
        lw=1.0,
        label="isotonic fit",
    )
    ax.plot([0, 100], [0, 1], color="#999999", lw=0.8, ls=":", label="q = score/100 (version 1)")
    ax.plot(
        observed["mean_score"],
        observed["observed"],
        "o",
        color="black",
        ms=3.5,
        label="observed rate, score bins",
    )
    if offers is not None and len(offers):
        china = offers["country"].astype(str) == "CN"
        for mask, colour, name in ((china, CHINA_COLOUR, "China"), (~china, _OTHER, "elsewhere")):
            ax.plot(
                offers.loc[mask, "risk_score"],
                np.full(mask.sum(), -0.015),
                "|",
                color=colour,
                ms=7,
                label=f"shipped offers: {name}",
            )
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.03, 0.6)
    ax.set_xlabel("risk score (0-100)")
    ax.set_ylabel("q, yearly disruption probability")
    ax.set_title("Fitted curves", loc="left")
    ax.legend(loc="upper left", frameon=False, fontsize=6.5)


def calibration_figure(
    reliability: pd.DataFrame,
    curves: dict[str, pd.DataFrame],
    observed: pd.DataFrame,
    offers: pd.DataFrame | None = None,
    note: str = "",
) -> Figure:
    """Two panels: reliability of the fitted q, and the fitted curves by score.

    ``curves`` holds ``logistic`` and ``isotonic`` (``risk_score``, ``q``) and
    ``band`` (``risk_score``, ``low``, ``high``); ``observed`` has
    ``mean_score`` and ``observed`` per score bin; ``offers`` has
    ``risk_score`` and ``country`` of the offers to mark.
    """
    # matplotlib types rc_context keys as a Literal of rcParams names; RC uses valid ones
    with mpl.rc_context(RC):  # type: ignore[arg-type]
        fig = Figure(figsize=(9.0, 3.8))
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.25]})
        _reliability_axis(left, reliability)
        _curve_axis(right, curves, observed, offers)
        if note:
            fig.text(0.01, 0.01, note, fontsize=6.5, color="#555555")
        fig.subplots_adjust(left=0.07, right=0.98, top=0.92, bottom=0.17, wspace=0.25)
    return fig
