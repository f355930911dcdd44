"""The report's tables as DataFrames, pure functions of a :class:`~.model.ReportData`.

Each table is written as ``<name>.csv`` and as a sheet of ``tables.xlsx``.
Units are in the column names: ``_t`` tonnes a year of oxide equivalent,
``_usd`` US dollars, ``_usd_per_kg`` USD per kg, ``share`` fractions 0-1,
risk scores and contributions points 0-100. Rows are in a fixed order.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from riskengine.report.buylist import buy_tables
from riskengine.report.horizon import HORIZON_TABLES, horizon_tables
from riskengine.report.model import ReportData
from riskengine.report.sources import input_tables
from riskengine.scoring import concentration_table, supply_risk

__all__ = [
    "TABLE_TITLES",
    "alliance_tables",
    "allocations_table",
    "build_tables",
    "buyer_table",
    "chart_offers",
    "criticality_table",
    "indicator_columns",
    "score_table",
    "stress_stem",
]

#: File stem -> title, in the order the tables are written.
TABLE_TITLES: dict[str, str] = {
    "buy_list": "To buy: per buyer, offer, commodity and year (tonnes, USD/kg, USD, risk, route)",
    "buyers": "Headline per buyer",
    "criticality": "Commodity criticality (EU JRC supply risk)",
    "scores": "Supplier risk ranking",
    "allocations": "Recommended purchases",
    "mix_by_country": "Recommended mix by country",
    "plan_metrics": "Plan per buyer and commodity, with CRMA compliance",
    "china_by_stage": "China's share of purchases at each stage of the supply routes",
    "shadow_prices": "Binding constraints and shadow prices",
    "frontier": "Cost-risk frontier",
    "violations": "Soft policy caps exceeded",
    "alliance_value": "Alliance value (separate minus joint: what buying together saves)",
    "alliance_rules": "Alliance split under each sharing rule, per buyer (separate minus joint)",
    "alliance_rationality": "Individual rationality: each buyer alone and joint, term by term",
    "alliance_coalitions": "Coalition game: each coalition's cost and savings over buying alone",
    "alliance_players": "Coalition game: Shapley value and marginal value of each buyer",
    "alliance_candidates": "Who should join: the value of adding each candidate partner",
    "inputs": "Input tables",
    "vintage": "Data vintage",
    **HORIZON_TABLES,
}

_SCORE_ID = ["buyer", "supplier_id", "name", "commodity", "country", "stage", "status"]
#: Tonnes below this count as zero in lists of short commodities.
_TOL_T = 1e-6


def indicator_columns(scores: pd.DataFrame) -> list[str]:
    """The contribution columns of a score table (everything but ids and the score)."""
    return [c for c in scores.columns if c not in (*_SCORE_ID, "risk_score")]


def _weighted(values: pd.Series, weights: pd.Series) -> float:
    total = float(weights.sum())
    return float((values.fillna(0.0) * weights).sum()) / total if total > 0 else np.nan


def _joined(commodities: pd.Series) -> str:
    return "; ".join(sorted(commodities.astype(str)))


def buyer_table(data: ReportData) -> pd.DataFrame:
    """Headline per buyer: volumes, money, average risk, China share, short and non-compliant.

    ``purchase_cost_usd`` is money paid; ``expected_loss_usd`` (q x V x t),
    ``risk_charge_usd``, ``lost_supply_usd``, ``violation_usd``, ``thrifting_usd``
    (the premium of the magnet variants chosen) and their sum with purchases,
    ``model_cost_usd``, are model figures. ``average_risk`` and
    ``china_share`` are weighted by tonnes bought; ``commodities_short`` and
    ``commodities_failing_crma`` list commodity ids (a commodity with nothing
    bought fails neither).
    """
    m = data.result.metrics
    products = data.result.products
    thrifting = (
        products.groupby("buyer")["premium_usd"].sum() if len(products) else pd.Series(dtype=float)
    )
    rows = []
    for buyer, part in m.groupby("buyer", sort=True):
        premium = float(thrifting.get(buyer, 0.0))
        served = part["bought_t"].fillna(0.0)
        rows.append(
            {
                "buyer": buyer,
                "demand_t": part["demand_t"].sum(),
                "served_t": part["served_t"].fillna(0.0).sum(),
                "bought_t": served.sum(),
                "shortfall_t": part["shortfall_t"].sum(),
                "served_share": part["served_t"].fillna(0.0).sum() / part["demand_t"].sum()
                if part["demand_t"].sum() > 0
                else np.nan,
                "purchase_cost_usd": part["purchase_cost_usd"].sum(),
                "expected_loss_usd": part["expected_loss_usd"].sum(),
                "risk_charge_usd": part["risk_charge_usd"].sum(),
                "lost_supply_usd": part["lost_supply_usd"].sum(),
                "violation_usd": part["violation_usd"].sum(),
                "thrifting_usd": premium,
                "model_cost_usd": part["model_cost_usd"].sum() + premium,
                "average_risk": _weighted(part["average_risk"], served),
                "china_share": _weighted(part["china_share"], served),
                "commodities": len(part),
                "commodities_short": _joined(part.loc[part["shortfall_t"] > _TOL_T, "commodity"]),
                "commodities_failing_crma": _joined(
                    part.loc[part["crma_compliant"].eq(False), "commodity"]
                ),
            }
        )
    return pd.DataFrame(rows)


def _plan_sourcing(data: ReportData) -> pd.DataFrame:
    """The plan's purchases with the stage of each offer (for the plan's supply risk)."""
    stages = data.dataset.suppliers[["supplier_id", "commodity", "stage"]]
    alloc = data.result.allocations[["buyer", "supplier_id", "commodity", "country", "tonnes"]]
    return alloc.merge(stages, on=["supplier_id", "commodity"], how="left")


def _wide_sr(frame: pd.DataFrame, suffix: str) -> pd.DataFrame:
    wide = frame.pivot_table(
        index=["commodity", "stage"], columns="buyer", values="supply_risk", sort=True
    )
    wide.columns = [f"sr_{b}{suffix}" for b in wide.columns]
    return wide.reset_index()


def criticality_table(data: ReportData) -> pd.DataFrame:
    """World concentration per commodity and stage, with each buyer's JRC supply risk.

    ``sr_<buyer>`` assumes the buyer sources like the world does; ``sr_<buyer>_plan``
    uses the recommended plan's mix at the stage its offers are at.
    """
    ds, buyers = data.dataset, data.config.buyers
    world = concentration_table(ds.production, ds.countries, ds.export_controls)
    keys = ["commodity", "stage"]
    table = world.merge(_wide_sr(supply_risk(ds, buyers), ""), on=keys, how="left")
    if len(data.result.allocations):
        plan = supply_risk(ds, buyers, _plan_sourcing(data))
        table = table.merge(_wide_sr(plan, "_plan"), on=keys, how="left")
    sr = sorted(c for c in table.columns if c.startswith("sr_"))
    front = [
        "commodity",
        "stage",
        "world_t",
        "hhi",
        "hhi_wgi",
        "hhi_wgi_t",
        "top_country",
        "top_share",
        "china_share",
    ]
    return table[front + sr].sort_values(keys, kind="stable").reset_index(drop=True)


def score_table(data: ReportData) -> pd.DataFrame:
    """Every (buyer, offer) scored, riskiest first per buyer, with the plan's tonnes.

    ``rank`` is 1 for the riskiest offer of each buyer; ``to_buy_t`` is what the
    recommended plan buys from the offer (0 if nothing).
    """
    scores = data.scores
    indicators = indicator_columns(scores)
    bought = data.result.allocations.groupby(["buyer", "supplier_id", "commodity"], as_index=False)[
        "tonnes"
    ].sum()
    table = scores.merge(
        bought.rename(columns={"tonnes": "to_buy_t"}),
        on=["buyer", "supplier_id", "commodity"],
        how="left",
    )
    table["to_buy_t"] = table["to_buy_t"].fillna(0.0)
    table = table.sort_values(
        ["buyer", "risk_score", "supplier_id", "commodity"],
        ascending=[True, False, True, True],
        kind="stable",
    )
    table.insert(1, "rank", table.groupby("buyer").cumcount() + 1)
    return table[["buyer", "rank", *_SCORE_ID[1:], "risk_score", *indicators, "to_buy_t"]]


def chart_offers(
    scores: pd.DataFrame, bought: int = 10, alternatives: int = 4
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The offers the supplier-risk chart shows per buyer, and its titles.

    Per buyer: the ``bought`` offers the plan buys the most tonnes from, then
    the ``alternatives`` least risky offers it does not buy, of the
    commodities it buys (of any commodity when it buys nothing).

    Parameters
    ----------
    scores : DataFrame
        :func:`score_table` output (with ``to_buy_t``).
    bought, alternatives : int
        Offers of each kind per buyer.

    Returns
    -------
    (DataFrame, dict)
        The rows to draw, per buyer in drawing order, and buyer -> title.
    """
    frames, titles = [], {}
    for buyer, part in scores.groupby("buyer", sort=True):
        buys = part[part["to_buy_t"] > 0]
        top = buys.sort_values(
            ["to_buy_t", "supplier_id", "commodity"], ascending=[False, True, True], kind="stable"
        ).head(bought)
        rest = part[part["to_buy_t"] <= 0]
        if len(buys):
            rest = rest[rest["commodity"].isin(set(buys["commodity"]))]
        best = rest.sort_values(["risk_score", "supplier_id", "commodity"], kind="stable").head(
            alternatives
        )
        frames += [top, best]
        shown = f"{len(top)} largest of {len(buys)}" if len(buys) > len(top) else f"{len(top)}"
        titles[str(buyer)] = (
            f"{buyer}: the {shown} offers bought (t to buy), then {len(best)} least risky not bought"
        )
    return pd.concat(frames, ignore_index=True) if frames else scores.head(0), titles


def allocations_table(data: ReportData) -> pd.DataFrame:
    """The plan's purchases with each supplier's name, by buyer, commodity and offer."""
    names = data.dataset.suppliers[["supplier_id", "commodity", "name"]]
    alloc = data.result.allocations.merge(names, on=["supplier_id", "commodity"], how="left")
    cols = list(data.result.allocations.columns)
    cols.insert(cols.index("supplier_id") + 1, "name")
    return (
        alloc[cols]
        .sort_values(["buyer", "commodity", "supplier_id"], kind="stable")
        .reset_index(drop=True)
    )


#: Supply-chain stages in route order (columns of :func:`china_by_stage`).
STAGE_ORDER = ("mining", "recycling", "separation", "metal", "magnet")


def china_by_stage(stage_mix: pd.DataFrame) -> pd.DataFrame:
    """China's share of each buyer's purchases per commodity and route stage (0-1).

    One row per buyer and commodity, one ``<stage>_china_share`` column per stage
    the plan's routes pass through (empty where nothing bought passes that stage).
    A Brazilian concentrate separated in China counts as Brazil at ``mining``
    and China at ``separation``.
    """
    keys = ["buyer", "commodity"]
    if stage_mix.empty:
        return pd.DataFrame(columns=keys)
    mix = stage_mix.assign(china_t=stage_mix["tonnes"].where(stage_mix["country"] == "CN", 0.0))
    totals = mix.groupby([*keys, "stage"], sort=True)[["tonnes", "china_t"]].sum()
    share = (totals["china_t"] / totals["tonnes"].where(totals["tonnes"] > 1e-9)).unstack("stage")
    stages = [s for s in STAGE_ORDER if s in share.columns]
    stages += sorted(set(share.columns) - set(stages))
    share = share[stages].rename(columns=lambda s: f"{s}_china_share")
    return share.reset_index().rename_axis(columns=None)


def stress_stem(name: str) -> str:
    """File stem (and sheet name, at most 31 characters) of a stress table."""
    return "stress_" + re.sub(r"[^A-Za-z0-9_-]", "_", str(name))[:24]


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    keys = [k for k in keys if k in frame.columns]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True) if keys else frame


def _optional_tables(data: ReportData) -> dict[str, pd.DataFrame]:
    tables: dict[str, pd.DataFrame] = {}
    if data.frontier is not None:
        tables["frontier"] = _sorted(data.frontier.points, ["risk_aversion"])
    if data.alliance is not None:
        tables["alliance_value"] = _sorted(data.alliance, ["buyer", "commodity"])
    tables |= alliance_tables(data)
    tables["inputs"] = input_tables(data.dataset)
    if len(data.notes.vintage):
        tables["vintage"] = data.notes.vintage
    for name, frame in sorted((data.stress or {}).items()):
        tables[stress_stem(name)] = frame.reset_index(drop=True)
    return tables


def alliance_tables(data: ReportData) -> dict[str, pd.DataFrame]:
    """The alliance analysis' tables (empty when it was not computed or has no rows)."""
    a = data.alliance_analysis
    if a is None:
        return {}
    frames = {
        "alliance_rules": a.by_rule,
        "alliance_rationality": a.rationality[["rule", "buyer", "term", "alone", "joint"]].assign(
            gain=a.rationality["gain"], holds=a.rationality["holds"]
        ),
        "alliance_coalitions": a.coalitions,
        "alliance_players": a.players,
        "alliance_candidates": a.candidate_value,
    }
    return {k: v.reset_index(drop=True) for k, v in frames.items() if len(v)}


def build_tables(data: ReportData) -> dict[str, pd.DataFrame]:
    """All report tables, keyed by file stem, in :data:`TABLE_TITLES` order (stress last)."""
    res = data.result
    tables = buy_tables(data) | {
        "buyers": buyer_table(data),
        "criticality": criticality_table(data),
        "scores": score_table(data),
        "allocations": allocations_table(data),
        "mix_by_country": _sorted(res.mix_by_country, ["buyer", "commodity", "country"]),
        "plan_metrics": _sorted(res.metrics, ["buyer", "commodity"]),
        "china_by_stage": china_by_stage(res.stage_mix),
        "shadow_prices": res.binding.reset_index(drop=True),
        "violations": res.violations.reset_index(drop=True),
    }
    return tables | horizon_tables(data) | _optional_tables(data)
