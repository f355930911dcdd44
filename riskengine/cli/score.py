"""``riskengine score``: risk score of every (buyer, offer), or the commodity criticality table."""

from __future__ import annotations

import argparse

import pandas as pd

from riskengine.cli._common import (
    emit_json,
    emit_table,
    fail,
    frame_records,
    load_inputs,
)
from riskengine.config import Config
from riskengine.data import Dataset
from riskengine.scoring import concentration_table, score_suppliers, supply_risk
from riskengine.scoring.uncertainty import score_intervals

_ID = ["buyer", "supplier_id", "name", "commodity", "country", "stage", "status"]


def _filter(frame: pd.DataFrame, column: str, wanted: list[str] | None) -> pd.DataFrame:
    if not wanted:
        return frame
    unknown = sorted(set(wanted) - set(frame[column]))
    if unknown:
        raise fail(
            f"--{column} {', '.join(unknown)}: not in the data; "
            f"valid: {', '.join(sorted(frame[column].unique()))}"
        )
    return frame[frame[column].isin(wanted)]


def criticality(dataset: Dataset, config: Config) -> pd.DataFrame:
    """World concentration joined with each buyer's JRC supply risk, per commodity and stage."""
    world = concentration_table(dataset.production, dataset.countries, dataset.export_controls)
    sr = supply_risk(dataset, config.buyers)
    wide = sr.pivot_table(index=["commodity", "stage"], columns="buyer", values="supply_risk")
    wide.columns = [f"sr_{b}" for b in wide.columns]
    return world.merge(wide.reset_index(), on=["commodity", "stage"], how="left")


def _top_contributors(frame: pd.DataFrame, indicators: list[str]) -> pd.Series:
    def describe(row: pd.Series) -> str:
        top = row[indicators].astype(float).nlargest(2)
        return ", ".join(f"{name} {value:.0f}" for name, value in top.items() if value > 0)

    return frame.apply(describe, axis=1)


def _offer_facts(scores: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """``price_usd_per_kg`` and ``capacity_t`` (the offer's nameplate, t/yr) after ``status``."""
    facts = dataset.suppliers[["supplier_id", "commodity", "price_usd_per_kg", "capacity_t"]]
    facts = facts.drop_duplicates(["supplier_id", "commodity"])
    out = scores.merge(facts, on=["supplier_id", "commodity"], how="left", validate="many_to_one")
    front = [c for c in scores.columns if c in _ID]
    rest = [c for c in scores.columns if c not in _ID]
    return out[[*front, "price_usd_per_kg", "capacity_t", *rest]]


def _to_buy(scores: pd.DataFrame, dataset: Dataset, config: Config) -> pd.DataFrame:
    """``to_buy_t``: tonnes the plan buys from each offer in its first planning year (0 if none)."""
    from riskengine.optimise import optimise

    plan = optimise(dataset, config, scores)
    first = plan.for_year(plan.years[0]) if plan.years and plan.is_optimal else plan
    keys = ["buyer", "supplier_id", "commodity"]
    bought = first.allocations.groupby(keys, as_index=False)["tonnes"].sum()
    out = scores.merge(bought.rename(columns={"tonnes": "to_buy_t"}), on=keys, how="left")
    return out.fillna({"to_buy_t": 0.0})


def run(args: argparse.Namespace) -> int:
    """Score and print."""
    config, dataset = load_inputs(args)
    if args.commodities:
        table = _filter(criticality(dataset, config), "commodity", args.commodity)
        if args.format == "json":
            emit_json({"criticality": frame_records(table)})
        else:
            emit_table(table, args.format, "{:,.3f}")
        return 0
    scores = score_suppliers(dataset, config)
    indicators = [c for c in scores.columns if c not in (*_ID, "risk_score")]
    if args.plan:
        scores = _to_buy(scores, dataset, config)
    scores = _filter(_filter(scores, "buyer", args.buyer), "commodity", args.commodity)
    scores = _offer_facts(scores, dataset)
    if args.uncertainty:
        bands = score_intervals(dataset, config).drop(columns=["risk_score"])
        scores = scores.merge(
            bands, on=["buyer", "supplier_id", "commodity"], how="left", validate="one_to_one"
        )
    if args.top:
        scores = (
            scores.sort_values(
                ["buyer", "commodity", "risk_score"], ascending=[True, True, False], kind="stable"
            )
            .groupby(["buyer", "commodity"])
            .head(args.top)
        )
    if args.format == "json":
        emit_json({"indicators": indicators, "scores": frame_records(scores)})
    elif args.format == "csv":
        emit_table(scores, "csv")
    else:
        shown = scores[[c for c in scores.columns if c not in indicators]].copy()
        at = shown.columns.get_loc("risk_score") + 1
        shown.insert(at, "top contributors", _top_contributors(scores, indicators))
        shown = shown.drop(columns=["stage"]).rename(
            columns={
                "price_usd_per_kg": "USD/kg",
                "capacity_t": "capacity t",
                "risk_score": "risk score",
                "to_buy_t": "to buy t",
            }
        )
        emit_table(shown, "table", "{:,.1f}")
    return 0
