"""The headline numbers: ``summary.json`` (stable keys) and the executive summary in words.

``summary.json`` holds no path, time or version, so it depends only on the
data and the configuration; the golden test in ``tests/report`` guards it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from riskengine.formatting import json_ready, money
from riskengine.report.horizon import horizon_lines, horizon_summary
from riskengine.report.model import ReportData

__all__ = ["SUMMARY_FORMAT", "executive_summary", "money", "summary_document"]

#: Version of the ``summary.json`` layout; bump when keys change meaning.
SUMMARY_FORMAT = "riskengine-summary/3"
_TOP_CONSTRAINTS = 5
_COMMODITY_KEYS = [
    "demand_t",
    "served_t",
    "shortfall_t",
    "purchase_cost_usd",
    "average_risk",
    "china_share",
    "average_disruption_probability",
    "top_foreign_country",
    "top_foreign_share",
    "crma_compliant",
]
_BUYER_KEYS = [
    "demand_t",
    "served_t",
    "shortfall_t",
    "served_share",
    "purchase_cost_usd",
    "expected_loss_usd",
    "risk_charge_usd",
    "lost_supply_usd",
    "violation_usd",
    "model_cost_usd",
    "average_risk",
    "china_share",
]


def _list(text: str) -> list[str]:
    return [t for t in str(text).split("; ") if t]


def _buyers(tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for row in tables["buyers"].to_dict("records"):
        entry = {k: row[k] for k in _BUYER_KEYS}
        entry["commodities_short"] = _list(row["commodities_short"])
        entry["commodities_failing_crma"] = _list(row["commodities_failing_crma"])
        out[str(row["buyer"])] = entry
    return out


def _commodities(tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    out: dict[str, dict[str, Any]] = {}
    for row in tables["plan_metrics"].to_dict("records"):
        out.setdefault(str(row["buyer"]), {})[str(row["commodity"])] = {
            k: row[k] for k in _COMMODITY_KEYS
        }
    return out


def _criticality(tables: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    table = tables["criticality"]
    keep = ["commodity", "stage", "hhi", "hhi_wgi_t", "top_country", "china_share"]
    keep += [c for c in table.columns if c.startswith("sr_")]
    rows: list[dict[str, Any]] = table[keep].to_dict("records")
    return rows


def _constraints(tables: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    keep = [
        "family",
        "buyer",
        "commodity",
        "country",
        "supplier_id",
        "share",
        "rhs_t",
        "shadow_price_usd_per_kg",
        "driver",
    ]
    rows: list[dict[str, Any]] = (
        tables["shadow_prices"].head(_TOP_CONSTRAINTS)[keep].to_dict("records")
    )
    return rows


def _alliance(data: ReportData) -> dict[str, Any] | None:
    """Totals (separate minus joint) and, with the analysis, the split, IR and candidates."""
    if data.alliance is None:
        return None
    sums = data.alliance[["cost_saving_usd", "shortfall_reduction_t", "objective_saving_usd"]]
    out: dict[str, Any] = {k: float(v) for k, v in sums.sum().items()}
    a = data.alliance_analysis
    if a is None:
        return out
    out["period"] = a.period
    rule = a.by_rule[a.by_rule["rule"] == a.sharing.value]
    keep = [
        "buyer",
        "model_cost_saving_usd",
        "purchase_saving_usd",
        "shortfall_reduction_t",
        "individually_rational",
        "shapley_value_usd",
        "transfer_to_shapley_usd",
    ]
    cands = ["candidate", "added_savings_usd", "added_shortfall_reduction_t"]
    return out | {
        "sign": a.sign,
        "sharing": a.sharing.value,
        "by_buyer": rule[keep].to_dict("records"),
        "shapley_in_core": a.in_core,
        "candidates": a.candidate_value[cands].to_dict("records"),
    }


def summary_document(data: ReportData, tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """The ``summary.json`` document: plan status and money, per buyer and commodity, frontier.

    Keys are fixed (see :data:`SUMMARY_FORMAT`); numbers are rounded by
    :func:`riskengine.formatting.round_value`; NaN is null.
    """
    res, metrics = data.result, tables["plan_metrics"]
    plan = {
        "status": res.status.value,
        "mode": res.mode.value,
        "risk_aversion": res.risk_aversion,
        "purchase_cost_usd": res.purchase_cost_usd,
        "expected_loss_usd": res.expected_loss_usd,
        "risk_charge_usd": res.risk_charge_usd,
        "lost_supply_usd": res.lost_supply_usd,
        "violation_usd": res.violation_usd,
        "model_cost_usd": res.objective_usd,
        "model": res.model,
        "notes": list(res.notes),
        "demand_t": float(metrics["demand_t"].sum()),
        "served_t": float(metrics["served_t"].sum()),
        "shortfall_t": res.shortfall_t,
    }
    front = tables.get("frontier")
    doc = {
        "format": SUMMARY_FORMAT,
        "config_name": data.config.name,
        "data_vintage": data.dataset.vintage,
        "plan": plan,
        "buyers": _buyers(tables),
        "commodities": _commodities(tables),
        "criticality": _criticality(tables),
        "top_constraints": _constraints(tables),
        "frontier": None if front is None else front.to_dict("records"),
        "alliance": _alliance(data),
        "horizon": horizon_summary(data, tables),
    }
    ready: dict[str, Any] = json_ready(doc)
    return ready


def _buyer_sentence(row: dict[str, Any], failing: dict[str, str], gaps: dict[str, float]) -> str:
    served = row["served_share"]
    if not row["served_t"] > 0:
        return (
            f"{row['buyer']}: the plan buys nothing of the {row['demand_t']:,.1f} t "
            "demanded; every commodity is short."
        )
    text = (
        f"{row['buyer']}: the recommended plan buys {row['served_t']:,.1f} t of the "
        f"{row['demand_t']:,.1f} t demanded ({served:.1%}) across {row['commodities']} "
        f"commodities, for {money(row['purchase_cost_usd'])} a year "
        f"(average risk {row['average_risk']:.0f} of 100); the disruption loss to expect is "
        f"{money(row['expected_loss_usd'])} a year. "
        f"China supplies {row['china_share']:.0%} of the volume bought."
    )
    short = _list(row["commodities_short"])
    text += (
        " Short: " + ", ".join(f"{c} ({gaps.get(c, 0.0):,.1f} t)" for c in short) + "."
        if short
        else " No commodity is short."
    )
    bad = _list(row["commodities_failing_crma"])
    if bad:
        text += (
            " Failing the CRMA 65% benchmark: "
            + ", ".join(f"{c} ({failing.get(c, '')})" for c in bad)
            + "."
        )
    else:
        text += (
            " Every commodity meets the CRMA 65% benchmark (no country outside "
            f"{row['buyer']}'s home supplies more than 65% of what it consumes)."
        )
    return text


def _failing(metrics: pd.DataFrame, buyer: str) -> dict[str, str]:
    part = metrics[(metrics["buyer"] == buyer) & metrics["crma_compliant"].eq(False)]
    return {
        r["commodity"]: f"{r['top_foreign_country']} {r['top_foreign_share']:.0%} of purchases"
        for r in part.to_dict("records")
    }


def _policies(data: ReportData) -> str:
    policies = data.result.model.get("policies", {})
    return "; ".join(f"{buyer}: {text}" for buyer, text in policies.items())


def executive_summary(data: ReportData, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Plain-text paragraphs: status, one per buyer, the top constraint, the alliance value."""
    res = data.result
    lines = [
        f"The sourcing plan is {res.status.value} ({res.mode.value} buying, risk aversion "
        f"λ = {res.risk_aversion:g}; policies: {_policies(data)})."
        + (f" {res.message}" if res.message else "")
        + "".join(f" Note: {n}" for n in res.notes)
    ]
    metrics = tables["plan_metrics"]
    for row in tables["buyers"].to_dict("records"):
        part = metrics[metrics["buyer"] == row["buyer"]]
        gaps = dict(zip(part["commodity"], part["shortfall_t"], strict=True))
        lines.append(_buyer_sentence(row, _failing(metrics, row["buyer"]), gaps))
    crit = tables["criticality"]
    sr = [c for c in crit.columns if c.startswith("sr_") and not c.endswith("_plan")]
    if sr and len(crit):
        top = (
            crit.assign(worst=crit[sr].max(axis=1))
            .sort_values(["worst", "commodity"], ascending=[False, True], kind="stable")
            .iloc[0]
        )
        lines.append(
            f"Highest supply risk (EU JRC method): {top['commodity']} "
            f"{top['stage']}, SR {top['worst']:.2f}, China {top['china_share']:.0%} "
            "of world output."
        )
    if len(tables["shadow_prices"]):
        lines.append(
            "Most valuable constraint to relax: " + str(tables["shadow_prices"]["sentence"].iloc[0])
        )
    alliance = _alliance(data)
    if alliance is not None:
        lines.append(_alliance_sentence(alliance))
    return lines + horizon_lines(data, tables)


def _alliance_sentence(alliance: dict[str, Any]) -> str:
    saving, fewer = alliance["objective_saving_usd"], alliance["shortfall_reduction_t"]
    if abs(saving) < 0.5:
        money_part = "makes no difference to the total model cost"
    else:
        verb = "saves" if saving > 0 else "costs"
        money_part = f"{verb} {money(abs(saving))} {alliance.get('period', 'a year')} of model cost"
    if abs(fewer) < 1e-6:
        short_part = "leaves the total shortfall unchanged"
    else:
        verb = "cuts" if fewer > 0 else "raises"
        short_part = f"{verb} the total shortfall by {abs(fewer):,.1f} t"
    text = (
        f"Buying jointly instead of splitting supplier capacity pro rata {money_part} "
        f"(purchase cost, risk charge, lost supply and policy violations) and {short_part}."
    )
    return text + _split_sentence(alliance)


def _split_sentence(alliance: dict[str, Any]) -> str:
    """The split by the sharing rule, who is worse off than alone, the best candidate."""
    if "by_buyer" not in alliance:
        return ""
    parts = [
        f"{r['buyer']} {'saves' if r['model_cost_saving_usd'] >= 0 else 'loses'} "
        f"{money(abs(r['model_cost_saving_usd']))}"
        for r in alliance["by_buyer"]
    ]
    text = f" Split by the '{alliance['sharing']}' rule (model cost): {', '.join(parts)}."
    worse = [r["buyer"] for r in alliance["by_buyer"] if not r["individually_rational"]]
    if worse:
        text += (
            f" {' and '.join(worse)} would be worse off than buying alone in every plan "
            "optimal for the alliance: a transfer between the buyers is needed."
        )
    if alliance["candidates"]:
        best = max(alliance["candidates"], key=lambda r: r["added_savings_usd"])
        text += (
            f" Of the candidate partners, {best['candidate']} would add the most "
            f"({money(best['added_savings_usd'])} a year)."
        )
    return text
