"""The shipped dataset: loads cleanly, is sourced column by column, and is plausible."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from riskengine import load_dataset
from riskengine.data import TABLES
from riskengine.enums import COMMODITIES
from tests.conftest import SEEDS

DATA = load_dataset(SEEDS)


def test_seeds_load_without_problems():
    assert set(DATA.commodities["commodity"]) == set(COMMODITIES)
    assert len(DATA.suppliers) >= 40


def test_every_commodity_has_a_non_chinese_offer():
    ex_china = DATA.suppliers[DATA.suppliers["country"] != "CN"]
    assert set(ex_china["commodity"]) == set(COMMODITIES)


def test_production_is_consistent():
    prod = DATA.production
    assert (prod["tonnes"] >= 0).all()
    assert set(prod["stage"]) == {"mining", "refining"}
    pairs = prod.groupby(["commodity", "stage"]).size()
    assert len(pairs) == 2 * len(COMMODITIES)
    years = prod.groupby(["commodity", "stage"])["year"].nunique()
    assert (years == 1).all(), "each commodity and stage should use one data year"


# Plausible world refining output, t/yr oxide (fact sheet section 2.3-2.4).
WORLD_REFINING = {
    "dysprosium": (2_000, 3_500),
    "terbium": (400, 700),
    "gadolinium": (3_000, 4_500),
    "yttrium": (7_000, 12_000),
    "scandium": (15, 60),
    "lutetium": (10, 60),
    "samarium": (1_500, 3_500),
}


@pytest.mark.parametrize("commodity", COMMODITIES)
def test_world_totals_are_plausible(commodity):
    refining = DATA.production[
        (DATA.production["commodity"] == commodity) & (DATA.production["stage"] == "refining")
    ]
    low, high = WORLD_REFINING[commodity]
    assert low <= refining["tonnes"].sum() <= high


def test_china_dominates_refining_of_heavy_rare_earths():
    ref = DATA.production[DATA.production["stage"] == "refining"]
    share = (
        ref[ref["country"] == "CN"].groupby("commodity")["tonnes"].sum()
        / ref.groupby("commodity")["tonnes"].sum()
    )
    for commodity in ("dysprosium", "terbium", "yttrium", "lutetium"):
        assert share[commodity] > 0.9


def test_announcement_18_is_in_force_for_all_seven():
    controls = DATA.export_controls
    ann18 = controls[
        (controls["country"] == "CN")
        & (controls["destination"] == "")
        & controls["in_force"]
        & (controls["since"] == pd.Timestamp("2025-04-04"))
    ]
    assert set(ann18["commodity"]) == set(COMMODITIES)
    assert (ann18["severity"] == 0.5).all()
    suspended = controls[~controls["in_force"]]
    assert len(suspended) > 0, "the suspended October-2025 package is recorded as not in force"


def _section(text: str, file: str) -> str:
    start = text.index(f"## {file}")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def test_sources_name_every_table_and_column():
    text = (SEEDS / "SOURCES.md").read_text(encoding="utf-8")
    for spec in TABLES:
        section = _section(text, spec.file)
        for column in DATA.table(spec.name).columns:
            assert re.search(rf"\b{column}\b", section), (
                f"SOURCES.md does not describe {spec.file}:{column}"
            )


def test_estimates_are_marked_in_basis():
    basis = DATA.suppliers["basis"].str.lower()
    assert basis.str.startswith(("estimate", "confirmed")).all()
