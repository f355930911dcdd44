"""One function per source kind: read its file, update the tables, return the changes.

Every updated figure gets its year, a ``vintage`` naming the file, and a
``basis`` starting ``confirmed:`` (the figure is the source's own).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from riskengine.data.importers.comtrade import read_comtrade_imports
from riskengine.data.importers.jrc import read_jrc_shares
from riskengine.data.importers.update import ImportResult, diff_table, read_text_table
from riskengine.data.importers.usgs import read_usgs_mine_production
from riskengine.data.importers.wgi import read_wgi

__all__ = ["import_comtrade", "import_jrc", "import_usgs", "import_wgi"]

_SOURCING_KEY = ["buyer", "commodity", "stage", "country"]
_PRODUCTION_KEY = ["country", "commodity", "stage"]


def _fmt(value: float, digits: int = 2) -> str:
    return f"{round(float(value), digits):g}"


def import_wgi(data_dir: Path, file: Path, year: int | None = None) -> ImportResult:
    """Update ``countries.governance`` from a World Bank WGI file (see :func:`read_wgi`)."""
    wgi = read_wgi(file, year).set_index("country")
    before = read_text_table(data_dir, "countries")
    after = before.copy()
    for col in ("governance_year", "governance_basis", "governance_vintage"):
        if col not in after.columns:
            after[col] = ""
    hit = after["country"].isin(wgi.index)
    codes = after.loc[hit, "country"]
    after.loc[hit, "governance"] = codes.map(wgi["governance"]).map(_fmt).to_numpy()
    after.loc[hit, "governance_year"] = codes.map(wgi["year"]).astype(str).to_numpy()
    after.loc[hit, "governance_basis"] = "confirmed: World Bank WGI, mean of the six estimates"
    after.loc[hit, "governance_vintage"] = [
        f"World Bank WGI, data year {y} ({file.name})" for y in codes.map(wgi["year"])
    ]
    missing = sorted(after.loc[~hit, "country"])
    notes = (
        (f"not in the WGI file for that year, kept as they were: {', '.join(missing)}",)
        if missing
        else ()
    )
    cols = ["governance", "governance_year"]
    changes = diff_table("countries", before, after, ["country"], cols)
    return ImportResult("wgi", file, {"countries": after}, changes, notes)


def import_usgs(data_dir: Path, file: Path, year: int | None = None) -> ImportResult:
    """Rescale the USGS-based mining rows of ``production.csv`` to a new MCS release.

    Rows with a ``reo_t`` (the country's total rare-earth mine output they were
    scaled from) get ``tonnes`` (and ``tonnes_low``/``_high``) multiplied by
    new / old ``reo_t``: the assumed element content is kept, the total is the
    source's.
    """
    usgs = read_usgs_mine_production(file, year=year)
    new = usgs[usgs["country"] != "WORLD"].groupby("country")["tonnes"].sum()
    before = read_text_table(data_dir, "production")
    after = before.copy()
    if "reo_t" not in after.columns:
        return ImportResult(
            "usgs",
            file,
            {},
            diff_table("production", before, after, _PRODUCTION_KEY, []),
            ("production.csv has no reo_t column: no row is scaled from a USGS total",),
        )
    old = pd.to_numeric(after["reo_t"], errors="coerce")
    hit = old.notna() & after["country"].isin(new.index)
    ratio = after.loc[hit, "country"].map(new) / old[hit]
    for col in ("tonnes", "tonnes_low", "tonnes_high"):
        if col in after.columns:
            values = pd.to_numeric(after.loc[hit, col], errors="coerce") * ratio
            after.loc[hit, col] = values.map(lambda v: "" if pd.isna(v) else _fmt(v, 1))
    chosen = int(usgs["year"].iloc[0])
    after.loc[hit, "reo_t"] = after.loc[hit, "country"].map(new).map(lambda v: _fmt(v, 0))
    after.loc[hit, "year"] = str(chosen)
    if "vintage" in after.columns:
        after.loc[hit, "vintage"] = (
            f"USGS MCS data release ({file.name}), {chosen} data x assumed element content"
        )
    skipped = sorted(set(after.loc[old.notna() & ~hit, "country"]))
    notes = [f"no {chosen} figure in the file, kept: {', '.join(skipped)}"] if skipped else []
    extra = sorted(set(new.index) - set(after.loc[old.notna(), "country"]))
    if extra:
        notes.append(
            f"in the file but with no element-content row to scale (add rows to use them): {', '.join(extra)}"
        )
    changes = diff_table("production", before, after, _PRODUCTION_KEY, ["tonnes", "year"])
    return ImportResult("usgs", file, {"production": after}, changes, tuple(notes))


def _replace_sourcing(before: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    cols = list(
        dict.fromkeys(
            [*_SOURCING_KEY, "share", "year", "vintage", "basis", "source", *before.columns]
        )
    )
    base = (
        before.reindex(columns=cols, fill_value="")
        if len(before.columns)
        else pd.DataFrame(columns=cols)
    )
    groups = rows[["buyer", "commodity", "stage"]].drop_duplicates()
    keep = ~base.set_index(["buyer", "commodity", "stage"]).index.isin(
        pd.MultiIndex.from_frame(groups)
    )
    return pd.concat([base[keep], rows.reindex(columns=cols, fill_value="")], ignore_index=True)


def import_comtrade(
    data_dir: Path,
    file: Path,
    buyer: str,
    commodity: str,
    stage: str = "refining",
    hs_codes: tuple[str, ...] = ("280530", "2846"),
    min_share: float = 0.001,
) -> ImportResult:
    """Set a buyer's sourcing mix of one commodity and stage from Comtrade imports."""
    imports = read_comtrade_imports(file, hs_codes)
    imports = imports[imports["share"] >= min_share]
    year = int(imports["year"].iloc[0])
    rows = pd.DataFrame(
        {
            "buyer": buyer,
            "commodity": commodity,
            "stage": stage,
            "country": imports["country"],
            "share": imports["share"].map(lambda v: _fmt(v, 4)),
            "year": str(year),
            "vintage": f"UN Comtrade imports {year}, HS {'/'.join(hs_codes)} ({file.name})",
            "basis": "confirmed: share of the buyer's imports by partner (net weight)",
            "source": file.name,
        }
    )
    before = read_text_table(data_dir, "sourcing")
    after = _replace_sourcing(before, rows)
    changes = diff_table("sourcing", before, after, _SOURCING_KEY, ["share", "year"])
    return ImportResult("comtrade", file, {"sourcing": after}, changes)


def import_jrc(
    data_dir: Path, file: Path, table: str = "global", buyer: str = "EU", year: int = 2020
) -> ImportResult:
    """JRC Appendix 7 shares: world shares into ``production.csv`` or EU sourcing into ``sourcing.csv``.

    For world shares each (commodity, stage) in the file replaces that group's
    rows with ``tonnes = share x`` the group's current world total (kept).
    """
    countries = read_text_table(data_dir, "countries")
    shares = read_jrc_shares(file, countries)
    shares = shares[shares["share"] > 0]
    vintage = f"JRC CRM study table ({file.name}), {table} shares"
    basis = "confirmed share: JRC criticality study supply shares"
    if table == "eu":
        rows = shares.assign(
            buyer=buyer,
            share=shares["share"].map(lambda v: _fmt(v, 4)),
            year=str(year),
            vintage=vintage,
            basis=basis,
            source=file.name,
        )
        before = read_text_table(data_dir, "sourcing")
        after = _replace_sourcing(before, rows)
        return ImportResult(
            "jrc",
            file,
            {"sourcing": after},
            diff_table("sourcing", before, after, _SOURCING_KEY, ["share"]),
        )
    before = read_text_table(data_dir, "production")
    totals = pd.to_numeric(before["tonnes"]).groupby([before["commodity"], before["stage"]]).sum()
    new = []
    for (commodity, stage), part in shares.groupby(["commodity", "stage"]):
        total = totals.get((commodity, stage), 0.0)
        new.append(
            part.assign(
                tonnes=(part["share"] * total).map(lambda v: _fmt(v, 2)),
                year=str(year),
                vintage=vintage,
                basis=f"{basis}; tonnes = share x world total {total:g} t",
                source=file.name,
            )
        )
    rows = pd.concat(new, ignore_index=True)
    groups = pd.MultiIndex.from_frame(rows[["commodity", "stage"]].drop_duplicates())
    keep = ~pd.MultiIndex.from_frame(before[["commodity", "stage"]]).isin(groups)
    after = pd.concat(
        [before[keep], rows.reindex(columns=before.columns, fill_value="")], ignore_index=True
    )
    changes = diff_table("production", before, after, _PRODUCTION_KEY, ["tonnes", "year"])
    return ImportResult("jrc", file, {"production": after}, changes)
