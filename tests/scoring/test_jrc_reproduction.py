"""JRC's published supply risk reproduced from JRC's own inputs (fixtures/jrc/README.md).

JRC prints its inputs rounded (HHI and SI to 0.1, IR and EoL-RIR to whole
percent) and its SR to 0.1. Each test propagates those roundings through
``jrc_supply_risk`` as an interval and requires the published SR, +-0.05, to
overlap it: the formula reproduces JRC within the rounding of its inputs.
"""

from __future__ import annotations

from itertools import product
from pathlib import Path

import pandas as pd
import pytest

from riskengine.data.importers.jrc import read_jrc_shares
from riskengine.scoring import jrc_supply_risk

FIXTURES = Path(__file__).parent / "fixtures" / "jrc"
SEVEN = ["Samarium", "Gadolinium", "Terbium", "Dysprosium", "Lutetium", "Scandium", "Yttrium"]


def _inputs() -> pd.DataFrame:
    t3 = pd.read_csv(FIXTURES / "jrc2017_table3.csv")
    t18 = pd.read_csv(FIXTURES / "jrc2017_table18.csv")
    return t3.merge(t18, on="material").set_index("material")


def _interval(row: pd.Series, global_only: bool = False) -> tuple[float, float]:
    """Smallest and largest SR the rounded inputs allow (SR is monotone in each input)."""
    half = {"hhi": 0.05, "si": 0.05, "pct": 0.005}
    gs = (row.hhi_wgi_t_gs - half["hhi"], row.hhi_wgi_t_gs + half["hhi"])
    eu = gs if global_only else (row.hhi_wgi_t_eu28 - half["hhi"], row.hhi_wgi_t_eu28 + half["hhi"])
    ir = [min(1.0, row.import_reliance_pct / 100 + s * half["pct"]) for s in (-1, 1)]
    eol = [max(0.0, row.eol_rir_pct / 100 + s * half["pct"]) for s in (-1, 1)]
    si = [min(1.0, row.si_sr + s * half["si"]) for s in (-1, 1)]
    values = [
        jrc_supply_risk(g, g if global_only else e, i, r, s)
        for g, e, i, r, s in product(gs, eu, ir, eol, si)
    ]
    return min(values), max(values)


@pytest.mark.parametrize("material", SEVEN)
def test_table3_supply_risk_is_reproduced_from_table18_inputs(material):
    row = _inputs().loc[material]
    low, high = _interval(row, global_only=row.supply_used.strip() == "GS only")
    assert low - 0.05 <= row.supply_risk <= high + 0.05, (material, low, high)


@pytest.mark.parametrize("material", SEVEN)
def test_central_inputs_land_within_rounding(material):
    """With the printed (central) inputs our SR is within 0.3 of JRC's (SI rounding dominates)."""
    row = _inputs().loc[material]
    sourcing = row.hhi_wgi_t_gs if row.supply_used.strip() == "GS only" else row.hhi_wgi_t_eu28
    ours = jrc_supply_risk(
        row.hhi_wgi_t_gs, sourcing, row.import_reliance_pct / 100, row.eol_rir_pct / 100, row.si_sr
    )
    assert abs(ours - row.supply_risk) <= 0.3


def test_global_supply_only_column_of_table19():
    """Table 19's 'global supply' SR is HHI_GS x (1 - EoL-RIR) x SI: the formula with IR irrelevant."""
    t19 = pd.read_csv(FIXTURES / "jrc2017_table19.csv").set_index("material")
    rows = _inputs()
    for material in SEVEN:
        low, high = _interval(rows.loc[material], global_only=True)
        assert low - 0.05 <= t19.loc[material, "sr_global_supply"] <= high + 0.05, material


def test_group_values_are_means_of_elements():
    """JRC's HREE group SR (2017: 4.9) is the arithmetic mean of its elements' SR."""
    rows = _inputs()
    hree = ["Dysprosium", "Erbium", "Europium", "Gadolinium", "Holmium", "Lutetium"]
    hree += ["Terbium", "Thulium", "Ytterbium", "Yttrium"]
    assert rows.loc[hree, "supply_risk"].mean() == pytest.approx(4.9, abs=0.05)


def test_2023_appendix7_shares_are_what_the_seeds_use():
    """Dy extraction and Sc processing shares in production.csv follow JRC 2023 Appendix 7."""
    from riskengine import load_dataset

    jrc = read_jrc_shares(FIXTURES / "jrc2023_appendix7_global.csv")
    seeds = load_dataset().production
    for commodity, stage in (("dysprosium", "mining"), ("scandium", "refining")):
        ours = seeds[(seeds.commodity == commodity) & (seeds.stage == stage)]
        ours = ours.set_index("country")["tonnes"] / ours["tonnes"].sum()
        theirs = jrc[(jrc.commodity == commodity) & (jrc.stage == stage)].set_index("country")
        theirs = theirs["share"] / theirs["share"].sum()
        pd.testing.assert_series_equal(
            ours.sort_index(), theirs.sort_index(), check_names=False, atol=0.002
        )
    assert (jrc["t"] == 1.0).all()  # JRC 2023: no trade restriction on Chinese rare earths yet
