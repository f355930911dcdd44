"""The report's figures as SVG text, drawn by :mod:`riskengine.plotting`.

The drawing itself lives in :mod:`riskengine.plotting`, shared with the
result objects' ``plot()`` methods. Figures are built on
:class:`matplotlib.figure.Figure` without pyplot, so no GUI backend is
involved and global state is untouched; every drawing runs inside
:data:`~riskengine.plotting.RC` (fixed fonts and sizes, ``svg.hashsalt`` set,
no date in the metadata), so the same tables give byte-identical SVG.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from riskengine._drawing import years_figure
from riskengine.plotting import (
    CRMA_LINE,
    INDICATOR_COLOURS,
    RC,
    contributions_figure,
    country_colours,
    frontier_figure,
    mix_figure,
    plain_label,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "CRMA_LINE",
    "INDICATOR_COLOURS",
    "RC",
    "contributions_figure",
    "country_colours",
    "frontier_figure",
    "mix_figure",
    "plain_label",
    "svg_text",
    "years_figure",
]


def svg_text(fig: Figure) -> str:
    """The figure as SVG text, without a date (deterministic)."""
    import matplotlib as mpl

    buffer = io.StringIO()
    # matplotlib types rc_context keys as a Literal of rcParams names; RC uses valid ones
    with mpl.rc_context(RC):  # type: ignore[arg-type]
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
