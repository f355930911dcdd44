"""Commodity criticality following the EU JRC supply-risk methodology (Blengini et al. 2017).

Per commodity and stage (mining, refining):

* ``HHI = sum_k s_k**2`` with ``s_k`` country k's share of world output (0-1);
* ``HHI_WGI = sum_k s_k**2 * WGI_k`` with WGI on the JRC 0-10 scale (10 = worst);
* ``HHI_WGI_t = sum_k s_k**2 * WGI_k * t_k`` with the trade-restriction factor
  ``t_k = 1 + TRADE_FACTOR * severity_k`` of the controls in force;
* ``SR = [HHI_WGI_t(global) * IR/2 + HHI_WGI_t(buyer sourcing) * (1 - IR/2)]
  * (1 - EoL_RIR) * SI``, with ``t`` seen from the buyer (0.8 for its home
  countries, as JRC sets for EU member states) and the buyer's sourcing mix
  from ``sourcing.csv`` (trade data), else home output plus world-like imports.

``docs/methodology.md`` gives every symbol, unit and source.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskengine.scoring.indicators import relation_of, wgi_to_jrc

if TYPE_CHECKING:
    from riskengine.config.schema import BuyerConfig
    from riskengine.data.dataset import Dataset

__all__ = [
    "HOME_TRADE_FACTOR",
    "TRADE_FACTOR",
    "buyer_trade_factors",
    "concentration_indicator",
    "concentration_table",
    "default_sourcing",
    "hhi_wgi",
    "import_reliance",
    "jrc_supply_risk",
    "supply_risk",
    "trade_factors",
]

#: t_k = 1 + TRADE_FACTOR * severity: a licence (0.5) gives 1.25, a ban (1.0) gives 1.5.
TRADE_FACTOR = 0.5
#: t of the buyer's home countries (JRC 2017 guidelines and 2023 study: 0.8 for EU member
#: states seen from the EU; applied by analogy to any buyer's home).
HOME_TRADE_FACTOR = 0.8


def hhi_wgi(shares: np.ndarray, wgi_jrc: np.ndarray, t: np.ndarray | None = None) -> float:
    """Governance-weighted HHI, ``sum s**2 * WGI * t`` (shares 0-1, WGI on the JRC 0-10 scale)."""
    shares = np.asarray(shares, float)
    factor = np.ones_like(shares) if t is None else np.asarray(t, float)
    return float(np.sum(shares**2 * np.asarray(wgi_jrc, float) * factor))


def jrc_supply_risk(
    hhi_global: float,
    hhi_sourcing: float,
    import_reliance: float,
    eol_rir: float,
    substitution: float,
) -> float:
    """JRC supply risk ``[HHI_GS * IR/2 + HHI_EUS * (1 - IR/2)] * (1 - EoL_RIR) * SI``."""
    ir = import_reliance
    return (hhi_global * ir / 2 + hhi_sourcing * (1 - ir / 2)) * (1 - eol_rir) * substitution


def trade_factors(controls: pd.DataFrame, destinations: Iterable[str] = ()) -> pd.DataFrame:
    """Trade-restriction factor ``t`` per (country, commodity, stage) from controls in force.

    Controls for all destinations always count; destination-specific ones count
    when their destination is in ``destinations``. An empty control stage
    covers both stages.
    """
    dest = set(destinations)
    active = controls[
        controls["in_force"].astype(bool)
        & ((controls["destination"] == "") | controls["destination"].isin(dest))
    ]
    rows = []
    for stage in ("mining", "refining"):
        part = active[(active["stage"] == "") | (active["stage"] == stage)]
        worst = part.groupby(["country", "commodity"], as_index=False)["severity"].max()
        rows.append(worst.assign(stage=stage))
    out = (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(columns=["country", "commodity", "severity", "stage"])
    )
    out["t"] = 1.0 + TRADE_FACTOR * out["severity"]
    return out[["country", "commodity", "stage", "t"]]


def _with_shares(production: pd.DataFrame, countries: pd.DataFrame) -> pd.DataFrame:
    prod = production.groupby(["commodity", "stage", "country"], as_index=False)["tonnes"].sum()
    total = prod.groupby(["commodity", "stage"])["tonnes"].transform("sum")
    prod["share"] = prod["tonnes"] / total.where(total > 0)
    wgi = countries.set_index("country")["governance"]
    prod["wgi_jrc"] = wgi_to_jrc(prod["country"].map(wgi))
    return prod


def _attach_t(prod: pd.DataFrame, t: pd.DataFrame) -> pd.Series:
    merged = prod.drop(columns="t", errors="ignore").merge(
        t, on=["country", "commodity", "stage"], how="left"
    )
    return merged["t"].fillna(1.0).to_numpy()


def concentration_table(
    production: pd.DataFrame, countries: pd.DataFrame, controls: pd.DataFrame
) -> pd.DataFrame:
    """World concentration per (commodity, stage).

    Columns: ``world_t`` (t/yr), ``hhi`` (0-1), ``hhi_wgi`` and ``hhi_wgi_t``
    (JRC scale 0-10, the latter with all-destination controls), ``top_country``,
    ``top_share``, ``china_share`` (0-1), and ``concentration`` = hhi_wgi / 10,
    the offer-level concentration indicator in [0, 1].
    """
    prod = _with_shares(production, countries)
    prod["t"] = _attach_t(prod, trade_factors(controls))
    prod["s2"] = prod["share"] ** 2
    prod["s2w"] = prod["s2"] * prod["wgi_jrc"]
    prod["s2wt"] = prod["s2w"] * prod["t"]
    prod["cn"] = np.where(prod["country"] == "CN", prod["share"], 0.0)
    keys = ["commodity", "stage"]
    top = prod.sort_values(["share", "country"], ascending=[False, True]).drop_duplicates(keys)
    table = prod.groupby(keys).agg(
        world_t=("tonnes", "sum"),
        hhi=("s2", "sum"),
        hhi_wgi=("s2w", "sum"),
        hhi_wgi_t=("s2wt", "sum"),
        china_share=("cn", "sum"),
    )
    top = top.set_index(keys)[["country", "share"]].rename(
        columns={"country": "top_country", "share": "top_share"}
    )
    table = table.join(top).reset_index()
    table["concentration"] = (table["hhi_wgi"] / 10.0).clip(0.0, 1.0)
    return table


def concentration_indicator(production: pd.DataFrame, countries: pd.DataFrame) -> pd.DataFrame:
    """``concentration = HHI_WGI / 10`` per (commodity, stage), in [0, 1] (numpy, no joins).

    The same figure as the ``concentration`` column of :func:`concentration_table`,
    computed lean because every scoring call needs it.
    """
    keys = production["commodity"].astype(str) + "|" + production["stage"].astype(str)
    codes, uniques = pd.factorize(keys, sort=True)
    tonnes = production["tonnes"].to_numpy(float)
    total = np.bincount(codes, tonnes, minlength=len(uniques))
    share = np.divide(tonnes, total[codes], out=np.zeros_like(tonnes), where=total[codes] > 0)
    wgi = countries.set_index("country")["governance"]
    w = wgi_to_jrc(production["country"].map(wgi).to_numpy(float))
    hhi_wgi = np.bincount(codes, share**2 * w, minlength=len(uniques))
    parts = pd.Series(uniques).str.split("|", expand=True) if len(uniques) else None
    return pd.DataFrame(
        {
            "commodity": parts[0] if parts is not None else pd.Series([], dtype=str),
            "stage": parts[1] if parts is not None else pd.Series([], dtype=str),
            "concentration": np.clip(hhi_wgi / 10.0, 0.0, 1.0),
        }
    )


def import_reliance(
    production: pd.DataFrame,
    demand: pd.DataFrame,
    countries: pd.DataFrame,
    buyer: str,
    home: Iterable[str],
) -> pd.DataFrame:
    """IR per (commodity, stage) for one buyer: ``clip(1 - home output / demand, 0, 1)``.

    Home output is the production of the buyer's home countries (codes or blocs);
    a commodity the buyer does not need has IR 1.
    """
    home = tuple(home)
    prod = production.assign(relation=relation_of(production["country"], countries, home, ()))
    home_out = prod[prod["relation"] == 0].groupby(["commodity", "stage"])["tonnes"].sum()
    need = demand[demand["buyer"] == buyer].groupby("commodity")["demand_t"].sum()
    index = pd.MultiIndex.from_product(
        [sorted(production["commodity"].unique()), ["mining", "refining"]],
        names=["commodity", "stage"],
    )
    out = pd.DataFrame(index=index).reset_index()
    out["home_t"] = home_out.reindex(index).fillna(0.0).to_numpy()
    out["demand_t"] = out["commodity"].map(need).fillna(0.0)
    ratio = out["home_t"] / out["demand_t"].where(out["demand_t"] > 0)
    out["import_reliance"] = (1.0 - ratio).clip(0.0, 1.0).fillna(1.0)
    return out


def buyer_trade_factors(
    production: pd.DataFrame, countries: pd.DataFrame, controls: pd.DataFrame, home: Iterable[str]
) -> pd.DataFrame:
    """Trade factor ``t`` per (country, commodity, stage) seen from one buyer.

    The buyer's home countries get :data:`HOME_TRADE_FACTOR` (JRC: 0.8 for EU
    member states seen from the EU); elsewhere ``t = 1 + TRADE_FACTOR * severity``
    of the controls in force for all destinations or aimed at the buyer.
    """
    home = tuple(home)
    t = trade_factors(controls, home)
    keys = production[["country", "commodity", "stage"]].drop_duplicates()
    out = keys.merge(t, on=["country", "commodity", "stage"], how="left")
    out["t"] = out["t"].fillna(1.0)
    is_home = relation_of(out["country"], countries, home, ()) == 0
    out.loc[is_home.to_numpy(), "t"] = HOME_TRADE_FACTOR
    return out


def default_sourcing(
    production: pd.DataFrame,
    demand: pd.DataFrame,
    countries: pd.DataFrame,
    buyer: str,
    home: Iterable[str],
) -> pd.DataFrame:
    """A buyer's sourcing mix when no trade data is given: home output first, imports like the world.

    Home countries supply up to the buyer's demand (in proportion to their
    output); the rest, the import-reliant part ``IR``, comes from the other
    countries in proportion to their share of world output at that stage.
    Columns ``commodity, stage, country, share``.
    """
    home = tuple(home)
    prod = production.groupby(["commodity", "stage", "country"], as_index=False)["tonnes"].sum()
    prod["home"] = (relation_of(prod["country"], countries, home, ()) == 0).to_numpy()
    ir = import_reliance(production, demand, countries, buyer, home).set_index(
        ["commodity", "stage"]
    )
    keys = pd.MultiIndex.from_frame(prod[["commodity", "stage"]])
    prod["ir"] = ir["import_reliance"].reindex(keys).fillna(1.0).to_numpy()
    group = prod.groupby(["commodity", "stage", "home"])["tonnes"].transform("sum")
    within = prod["tonnes"] / group.where(group > 0)
    prod["share"] = np.where(prod["home"], (1 - prod["ir"]) * within, prod["ir"] * within)
    has_foreign = prod.groupby(["commodity", "stage"])["home"].transform(lambda h: (~h).any())
    prod.loc[prod["home"] & ~has_foreign, "share"] = within[prod["home"] & ~has_foreign]
    return prod.loc[prod["share"] > 0, ["commodity", "stage", "country", "share"]].reset_index(
        drop=True
    )


def _sourcing_hhi(mix: pd.DataFrame, wgi: pd.Series, t: pd.DataFrame) -> pd.Series:
    """HHI_WGI_t of a mix (``commodity, stage, country`` and ``share`` or ``tonnes``)."""
    keys = ["commodity", "stage"]
    weight = "share" if "share" in mix.columns else "tonnes"
    mix = mix.groupby([*keys, "country"], as_index=False)[weight].sum()
    total = mix.groupby(keys)[weight].transform("sum")
    mix["s"] = mix[weight] / total.where(total > 0)
    mix = mix.merge(t, on=[*keys, "country"], how="left")
    mix["t"] = mix["t"].fillna(1.0)
    mix["w"] = wgi_to_jrc(mix["country"].map(wgi)).fillna(10.0)
    return (mix["s"] ** 2 * mix["w"] * mix["t"]).groupby([mix["commodity"], mix["stage"]]).sum()


def _buyer_mix(
    ds: Dataset, buyer: str, home: tuple[str, ...], plan: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.Series]:
    """The sourcing mix used for a buyer and, per (commodity, stage), where it came from."""
    keys = ["commodity", "stage"]
    mix = default_sourcing(ds.production, ds.demand, ds.countries, buyer, home).assign(
        basis="home output + world imports"
    )
    data = getattr(ds, "sourcing", None)
    if data is not None and len(data):
        rows = data[data["buyer"] == buyer].assign(basis="sourcing.csv")
        mix = pd.concat(
            [_replace_groups(mix, rows, keys), rows[[*keys, "country", "share", "basis"]]]
        )
    if plan is not None and len(plan):
        rows = plan[plan["buyer"] == buyer].assign(basis="plan")
        rows = rows.groupby([*keys, "country", "basis"], as_index=False)["tonnes"].sum()
        rows = rows.rename(columns={"tonnes": "share"})
        mix = pd.concat([_replace_groups(mix, rows, keys), rows])
    basis = mix.groupby(keys)["basis"].first()
    return mix.reset_index(drop=True), basis


def _replace_groups(mix: pd.DataFrame, new: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows of ``mix`` whose (commodity, stage) group is not in ``new``."""
    taken = pd.MultiIndex.from_frame(new[keys].drop_duplicates())
    return mix[~pd.MultiIndex.from_frame(mix[keys]).isin(taken)]


def supply_risk(
    dataset: Dataset, buyers: Mapping[str, BuyerConfig], sourcing: pd.DataFrame | None = None
) -> pd.DataFrame:
    """JRC supply risk per buyer, commodity and stage.

    Parameters
    ----------
    dataset : Dataset
        The tables; its optional ``sourcing`` table gives buyers' actual mixes.
    buyers : dict
        Buyer name -> object with ``home`` and ``partners`` (``Config.buyers``).
    sourcing : DataFrame, optional
        A planned mix with columns ``buyer, commodity, stage, country, tonnes``
        (e.g. an optimised plan); it replaces the buyer's mix where it buys.

    Returns
    -------
    DataFrame
        ``buyer, commodity, stage, import_reliance, hhi_wgi_t_global,
        hhi_wgi_t_sourcing, sourcing_basis, eol_recycling_rate,
        substitution_index, supply_risk``. Without trade data a buyer's mix is
        its home output up to its demand plus imports in world proportions
        (:func:`default_sourcing`); ``sourcing_basis`` says which was used.
        Trade factors are seen from each buyer (:func:`buyer_trade_factors`).
    """
    ds = dataset
    base = _with_shares(ds.production, ds.countries)
    wgi = ds.countries.set_index("country")["governance"]
    commodity = ds.commodities.set_index("commodity")
    frames = []
    for buyer, spec in sorted(buyers.items()):
        home = tuple(spec.home)
        t = buyer_trade_factors(ds.production, ds.countries, ds.export_controls, home)
        global_hhi = _sourcing_hhi(base[["commodity", "stage", "country", "share"]], wgi, t)
        mix, basis = _buyer_mix(ds, buyer, home, sourcing)
        own = _sourcing_hhi(mix, wgi, t)
        ir = import_reliance(ds.production, ds.demand, ds.countries, buyer, home)
        keys = pd.MultiIndex.from_frame(ir[["commodity", "stage"]])
        ir["buyer"] = buyer
        ir["hhi_wgi_t_global"] = global_hhi.reindex(keys).to_numpy()
        ir["hhi_wgi_t_sourcing"] = own.reindex(keys).to_numpy()
        ir["sourcing_basis"] = basis.reindex(keys).fillna("").to_numpy()
        ir["eol_recycling_rate"] = ir["commodity"].map(commodity["eol_recycling_rate"])
        ir["substitution_index"] = ir["commodity"].map(commodity["substitution_index"])
        frames.append(ir)
    out = pd.concat(frames, ignore_index=True)
    out["supply_risk"] = jrc_supply_risk(
        out["hhi_wgi_t_global"],
        out["hhi_wgi_t_sourcing"],
        out["import_reliance"],
        out["eol_recycling_rate"],
        out["substitution_index"],
    )
    cols = [
        "buyer",
        "commodity",
        "stage",
        "import_reliance",
        "hhi_wgi_t_global",
        "hhi_wgi_t_sourcing",
        "sourcing_basis",
        "eol_recycling_rate",
        "substitution_index",
        "supply_risk",
    ]
    return out[cols].sort_values(["buyer", "commodity", "stage"]).reset_index(drop=True)
