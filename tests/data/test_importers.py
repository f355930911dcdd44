"""Importers of the sources' files, on small fixtures in each source's own format."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from riskengine.cli import main
from riskengine.data import load_dataset
from riskengine.data.importers import (
    import_comtrade,
    import_jrc,
    import_usgs,
    import_wgi,
    read_comtrade_imports,
    read_jrc_shares,
    read_usgs_mine_production,
    read_wgi,
)
from riskengine.exceptions import DataError
from tests.conftest import DEFAULT_CONFIG, SEEDS

SOURCES = Path(__file__).parent / "fixtures" / "sources"
JRC = Path(__file__).parents[1] / "scoring" / "fixtures" / "jrc"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(SEEDS, folder)
    return folder


def test_wgi_means_of_the_six_estimates():
    wgi = read_wgi(SOURCES / "WGIData.csv").set_index("country")
    assert set(wgi.index) == {"CN", "CY", "DE", "JP", "MM", "US"}
    assert (wgi["year"] == 2022).all() and (wgi["indicators"] == 6).all()
    assert wgi.loc["CN", "governance"] == pytest.approx(-0.33, abs=0.005)
    assert wgi.loc["CY", "governance"] == pytest.approx(0.63, abs=0.005)
    older = read_wgi(SOURCES / "WGIData.csv", year=2021).set_index("country")
    assert older.loc["CN", "governance"] != pytest.approx(wgi.loc["CN", "governance"])


def test_wgi_bad_year_names_the_file_and_the_years():
    with pytest.raises(
        DataError, match=r"WGIData.csv.*no estimates for 1990; years in the file: 1996-2022"
    ):
        read_wgi(SOURCES / "WGIData.csv", year=1990)


def test_wgi_import_updates_countries_and_diffs(data):
    seeds = pd.read_csv(data / "countries.csv", dtype=str, keep_default_na=False)
    seeds.loc[seeds["country"] == "CY", "governance"] = "0.85"  # the old estimate
    seeds.to_csv(data / "countries.csv", index=False)
    result = import_wgi(data, SOURCES / "WGIData.csv")
    changed = result.changes[result.changes["column"] == "governance"]
    assert changed[["key", "before", "after"]].values.tolist() == [["CY", "0.85", "0.63"]]
    assert changed["change"].iloc[0] == pytest.approx(-0.22)
    assert any("AT" in note for note in result.notes)  # not in the fixture: kept


def test_usgs_mine_production_reads_the_release_layout():
    usgs = read_usgs_mine_production(SOURCES / "MCS2025_World_Data.csv").set_index("country")
    assert usgs.loc["MM", "tonnes"] == 31_000 and usgs.loc["CN", "tonnes"] == 270_000
    assert usgs.loc["WORLD", "tonnes"] == 390_000 and (usgs["year"] == 2024).all()
    assert "Other countries" not in set(usgs["country_name"])
    assert (
        read_usgs_mine_production(SOURCES / "MCS2025_World_Data.csv", year=2023).loc[0, "year"]
        == 2023
    )


def test_usgs_import_rescales_element_rows(data):
    same = import_usgs(data, SOURCES / "MCS2025_World_Data.csv")
    assert same.changes[same.changes["column"] == "tonnes"].empty  # seeds are on MCS 2025
    older = import_usgs(data, SOURCES / "MCS2025_World_Data.csv", year=2023)
    mm = older.changes[
        (older.changes["key"] == "MM|yttrium|mining") & (older.changes["column"] == "tonnes")
    ]
    assert float(mm["after"].iloc[0]) == pytest.approx(6200 * 43_000 / 31_000, rel=1e-3)


def test_comtrade_shares_by_partner_skip_world_exports_and_other_hs():
    shares = read_comtrade_imports(SOURCES / "comtrade_plus_imports.csv", ("284690",)).set_index(
        "country"
    )
    assert list(shares.index) == ["CN", "VN", "MY", "FR"]
    assert shares.loc["CN", "share"] == pytest.approx(0.65)


def test_comtrade_import_sets_the_buyers_sourcing(data):
    result = import_comtrade(
        data, SOURCES / "comtrade_plus_imports.csv", "JP", "dysprosium", hs_codes=("284690",)
    )
    rows = result.tables["sourcing"]
    jp = rows[(rows.buyer == "JP") & (rows.commodity == "dysprosium") & (rows.stage == "refining")]
    assert dict(zip(jp.country, jp.share.astype(float), strict=False)) == pytest.approx(
        {"CN": 0.65, "VN": 0.2, "MY": 0.1, "FR": 0.05}
    )
    assert (jp["year"] == "2024").all()


def test_jrc_shares_and_group_rows():
    eu = read_jrc_shares(JRC / "jrc2023_appendix7_eu.csv")
    dy = eu[(eu.commodity == "dysprosium") & (eu.stage == "mining")].set_index("country")["share"]
    assert dy.to_dict() == pytest.approx({"JP": 0.55, "CN": 0.43, "US": 0.02, "GB": 0.01})
    y = eu[(eu.commodity == "yttrium") & (eu.stage == "refining")]
    assert y["country"].tolist()[:2] == ["CN", "RU"]  # its own processing rows, not the group's


def test_jrc_global_import_keeps_world_totals(data):
    result = import_jrc(data, JRC / "jrc2023_appendix7_global.csv")
    after = result.tables["production"]
    before = pd.read_csv(data / "production.csv")
    for frame in (after, before):
        frame["tonnes"] = pd.to_numeric(frame["tonnes"])
    total = lambda f, c, s: f[(f.commodity == c) & (f.stage == s)]["tonnes"].sum()  # noqa: E731
    assert total(after, "gadolinium", "mining") == pytest.approx(
        total(before, "gadolinium", "mining"), rel=0.01
    )


def test_cli_wgi_writes_a_new_folder_and_prints_the_diff(data, tmp_path, capsys):
    countries = pd.read_csv(data / "countries.csv", dtype=str, keep_default_na=False)
    countries.loc[countries["country"] == "CN", "governance"] = "0.5"
    countries.to_csv(data / "countries.csv", index=False)
    original = (data / "countries.csv").read_bytes()
    out = tmp_path / "refreshed"
    code = main(
        [
            "data",
            "import",
            "wgi",
            str(SOURCES / "WGIData.csv"),
            "--data",
            str(data),
            "--config",
            str(DEFAULT_CONFIG),
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert (data / "countries.csv").read_bytes() == original  # input untouched
    assert load_dataset(out).countries.set_index("country").loc[
        "CN", "governance"
    ] == pytest.approx(-0.33)
    assert "CN" in printed and "0.5" in printed and "-0.33" in printed
    assert "Supply risk that moves" in printed and "dysprosium" in printed


def test_cli_in_place_keeps_a_backup(data, capsys):
    code = main(
        [
            "data",
            "import",
            "wgi",
            str(SOURCES / "WGIData.csv"),
            "--data",
            str(data),
            "--config",
            str(DEFAULT_CONFIG),
            "--in-place",
        ]
    )
    assert code == 0
    assert list(data.glob("countries.csv.bak-*"))
    load_dataset(data)


def test_cli_bad_file_exits_2(data, tmp_path, capsys):
    bad = tmp_path / "not-wgi.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    code = main(
        [
            "data",
            "import",
            "wgi",
            str(bad),
            "--data",
            str(data),
            "--config",
            str(DEFAULT_CONFIG),
            "--dry-run",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "not-wgi.csv" in err and "is not a WGI file" in err


def test_cli_without_a_data_folder_exits_2(tmp_path, capsys):
    config = tmp_path / "no-data-dir.yaml"
    config.write_text("data:\n  dir: null\n", encoding="utf-8")
    code = main(["data", "import", "wgi", str(SOURCES / "WGIData.csv"), "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 2 and "no --data and no data.dir" in err
