"""Presentation: one colour per country, printable tables, the supplier-risk chart's offers."""

from __future__ import annotations

import re

import pandas as pd

from riskengine._drawing import COUNTRY_COLOURS, commodity_colour, country_colour, country_colours
from riskengine.report.html import CSS
from riskengine.report.tables import chart_offers


def test_a_country_keeps_its_colour_whatever_else_is_drawn():
    few = country_colours(["CN", "BR"])
    many = country_colours(["CN", "AU", "BR", "US", "ZZ", "FR"])
    assert few["BR"] == many["BR"] == COUNTRY_COLOURS["BR"]  # AU drawn or not
    assert few["CN"] == many["CN"] == "#c0392b"
    assert country_colours(["ZZ"])["ZZ"] == many["ZZ"] == country_colour("ZZ")  # not in the list
    named = list(COUNTRY_COLOURS.values())
    assert len(set(named)) == len(named)  # the named countries are told apart
    assert commodity_colour("terbium") != commodity_colour("dysprosium")


def test_print_css_unclips_scroll_boxes():
    media = CSS[CSS.index("@media print") :]
    rule = re.search(r"\.scroll \{([^}]*)\}", media)
    assert rule is not None
    assert "max-height: none" in rule.group(1) and "overflow: visible" in rule.group(1)
    assert "nav { display: none; }" in media


def _scores() -> pd.DataFrame:
    rows = []
    for i in range(20):
        rows.append(
            {
                "buyer": "EU",
                "supplier_id": f"s{i:02d}",
                "commodity": "terbium" if i < 15 else "yttrium",
                "country": "CN" if i % 2 else "AU",
                "risk_score": 100.0 - i,
                "to_buy_t": float(i) if i in (3, 7, 9) else 0.0,
            }
        )
    rows.append({**rows[0], "supplier_id": "other", "commodity": "samarium", "risk_score": 1.0})
    return pd.DataFrame(rows)


def test_chart_shows_the_offers_bought_then_the_least_risky_alternatives():
    offers, titles = chart_offers(_scores(), bought=10, alternatives=4)
    assert offers["supplier_id"].tolist()[:3] == ["s09", "s07", "s03"]  # most tonnes first
    alternatives = offers.iloc[3:]
    assert (alternatives["to_buy_t"] == 0).all() and len(alternatives) == 4
    # the least risky of the commodity it buys (terbium), not the samarium offer it never needs
    assert alternatives["supplier_id"].tolist() == ["s14", "s13", "s12", "s11"]
    assert titles["EU"].startswith("EU: the 3 offers bought")
