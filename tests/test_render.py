"""The one HTML display layer (riskengine._render): every output escapes a hostile name.

Each HTML output rendered from a template (the report's table, section, buy list
and page, a batch's index, the notebook views) is given a hostile supplier name
and must print it as text. Only what :func:`riskengine._render.trusted` marks,
template output and the report's own SVG, is printed as it is.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import pytest

from riskengine import _notebook as nb
from riskengine._render import escape, join, render, trusted
from riskengine.report.batch import BatchRun, index_html
from riskengine.report.html import inline_svg, table_html

HOSTILE = "<script>alert('x')</script>\u202e"
ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;\ufffd"
FRAME = pd.DataFrame({"name": [HOSTILE], "tonnes": [1.5]})


def _report_table() -> str:
    return table_html(FRAME, [("name", HOSTILE, None), ("tonnes", "t", str)], scroll=True)


def _report_section() -> str:
    return render("report/section.html", anchor="a", title=HOSTILE, notes=[HOSTILE])


def _report_page() -> str:
    return render(
        "report/report.html",
        title=HOSTILE,
        subtitle=HOSTILE,
        nav=[("a", HOSTILE)],
        sections=join([HOSTILE, _report_table()]),
        result=type("Result", (), {"solver": HOSTILE, "solver_version": HOSTILE})(),
    )


def _buy_list() -> str:
    buyers = [(HOSTILE, _report_table(), 1, "1.5", "10")]
    return render(
        "report/buy.html",
        when=HOSTILE,
        in_year=HOSTILE,
        answers=[HOSTILE],
        horizon=False,
        note=HOSTILE,  # the two-stage plan's note
        buyers=buyers,
    )


def _batch_index(tmp_path: Path) -> str:
    summary = {"config_name": HOSTILE, "plan": {"status": HOSTILE}, "buyers": {}}
    runs = [
        BatchRun(Path(HOSTILE), tmp_path / "x", summary=summary, settings={"name": HOSTILE}),
        BatchRun(Path("b.yaml"), None, error=HOSTILE),
    ]
    return index_html(runs, pd.DataFrame(), tmp_path)


def _notebook_view() -> str:
    columns = [("name", HOSTILE, str)]
    before = nb.html_table(HOSTILE, FRAME, columns, max_rows=0, more=HOSTILE)
    return nb.html_view(
        HOSTILE, HOSTILE, True, [HOSTILE], FRAME, columns, before=before, heading=HOSTILE
    )


OUTPUTS = {
    "report table": lambda _: _report_table(),
    "report section": lambda _: _report_section(),
    "report page": lambda _: _report_page(),
    "report buy list": lambda _: _buy_list(),
    "batch index": _batch_index,
    "notebook view": lambda _: _notebook_view(),
}


@pytest.mark.parametrize("output", OUTPUTS)
def test_every_html_output_prints_a_hostile_name_escaped(output: str, tmp_path: Path) -> None:
    text = str(OUTPUTS[output](tmp_path))
    assert "<script" not in text and "\u202e" not in text
    assert ESCAPED in text


def test_escape_is_html_escape_with_quotes_and_no_control_characters() -> None:
    assert escape(HOSTILE) == html.escape(HOSTILE.replace("\u202e", "\ufffd"), quote=True)
    assert escape(trusted("<b>")) == "<b>"
    assert join(["<i>", trusted("<b>")], " ") == "&lt;i&gt; <b>"


def test_only_trusted_html_is_printed_as_it_is() -> None:
    svg = inline_svg('<?xml version="1.0"?><svg id="a"><text>x</text></svg>', "f")
    section = render(
        "report/figure_table.html", anchor="a", title="t", note="n", figure=svg, table="<table>"
    )
    assert '<div class="figure"><svg id="f-a"><text>x</text></svg></div>' in section
    assert "&lt;table&gt;" in section
