"""JRC supply risk: the fact sheet's worked example and the table on data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskengine import generate_dataset, load_config
from riskengine.scoring import concentration_table, hhi_wgi, jrc_supply_risk, supply_risk
from riskengine.scoring.indicators import wgi_to_jrc

# USGS MCS 2025, 2024 mine production (t REO), and WGI 2022 means (fact sheet 2.1, 5.5).
MINE_2024 = {
    "CN": 270_000,
    "US": 45_000,
    "MM": 31_000,
    "AU": 13_000,
    "NG": 13_000,
    "TH": 13_000,
    "IN": 2_900,
    "RU": 2_500,
    "MG": 2_000,
    "VN": 300,
    "MY": 130,
    "BR": 20,
}
WGI_2022 = {
    "CN": -0.33,
    "US": 0.99,
    "MM": -1.60,
    "AU": 1.49,
    "NG": -1.10,
    "TH": -0.18,
    "IN": -0.07,
    "RU": -1.03,
    "MG": -0.76,
    "VN": -0.34,
    "MY": 0.43,
    "BR": -0.29,
}


def test_wgi_rescaling_matches_fact_sheet():
    assert wgi_to_jrc(-0.33) == pytest.approx(5.66)
    assert wgi_to_jrc(1.49) == pytest.approx(2.02)


def test_jrc_worked_example_to_two_decimals():
    codes = list(MINE_2024)
    shares = np.array([MINE_2024[c] for c in codes]) / 390_000  # USGS world total
    wgi = wgi_to_jrc(np.array([WGI_2022[c] for c in codes]))
    global_hhi = hhi_wgi(shares, wgi)
    eu_sourcing = hhi_wgi(np.array([0.98]), np.array([wgi_to_jrc(-0.33)]))
    assert round(global_hhi, 2) == 2.82
    assert round(eu_sourcing, 2) == 5.44  # 0.98**2 * 5.66
    sr = jrc_supply_risk(2.82, 5.44, import_reliance=1.0, eol_rir=0.01, substitution=0.9)
    assert round(sr, 2) == 3.68  # fact sheet: "SR ~ 3.7"


def test_trade_restriction_raises_hhi_wgi_t():
    data = generate_dataset(n_offers=70, seed=2)
    table = concentration_table(data.production, data.countries, data.export_controls)
    assert (table["hhi_wgi_t"] >= table["hhi_wgi"]).all()
    assert table["hhi"].between(0, 1).all() and table["concentration"].between(0, 1).all()


def test_supply_risk_uses_buyer_sourcing_and_import_reliance():
    data = generate_dataset(n_offers=70, seed=2)
    config = load_config()
    default = supply_risk(data, config.buyers)
    assert set(default["buyer"]) == {"EU", "JP"}
    china_only = pd.DataFrame(
        {
            "buyer": "EU",
            "commodity": "terbium",
            "stage": "refining",
            "country": ["CN"],
            "tonnes": [100.0],
        }
    )
    concentrated = supply_risk(data, config.buyers, sourcing=china_only)
    pick = (
        (default["buyer"] == "EU")
        & (default["commodity"] == "terbium")
        & (default["stage"] == "refining")
    )
    assert concentrated.loc[pick, "supply_risk"].iloc[0] > default.loc[pick, "supply_risk"].iloc[0]


def test_lean_concentration_indicator_matches_the_table():
    from riskengine import load_dataset
    from riskengine.scoring.criticality import concentration_indicator

    data = load_dataset()
    lean = concentration_indicator(data.production, data.countries)
    table = concentration_table(data.production, data.countries, data.export_controls)
    merged = lean.merge(table, on=["commodity", "stage"], suffixes=("", "_table"))
    assert len(merged) == len(table) == 14
    np.testing.assert_allclose(merged["concentration"], merged["concentration_table"])
