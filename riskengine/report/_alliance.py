"""The body of the report's "Alliance value" section (template ``report/alliance.html``).

Every figure is *separate minus joint* (``riskengine.optimise.joint.VALUE_SIGN``):
positive = buying together is better for that buyer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from riskengine._render import render
from riskengine.optimise.alliance import AllianceAnalysis, rules_agree
from riskengine.optimise.sharing import POOLED_RTOL
from riskengine.report.html import fmt_pct, fmt_t, fmt_usd, fmt_usd_m, fmt_yes, table_html
from riskengine.report.summary import money

if TYPE_CHECKING:
    from markupsafe import Markup

__all__ = ["VALUE_COLUMNS", "alliance_body"]

_RULE_WORDS = {
    "proportional": "equal served share per commodity, then equal cost per tonne",
    "maxmin": "the smallest served share as large as possible, then the dearest tonne",
    "shapley": "each buyer's model cost as close as possible to its Shapley value",
    "none": "the solver's split (one optimal plan, arbitrary between buyers)",
}


def _rules(a: AllianceAnalysis) -> Markup:
    frame = a.by_rule.assign(rule=a.by_rule["rule"].map(lambda r: f"{r}: {_RULE_WORDS[r]}"))
    cols = [
        ("rule", "rule", None),
        ("buyer", "buyer", None),
        ("model_cost_saving_usd", "model cost saving USD m", fmt_usd_m),
        ("purchase_saving_usd", "purchase saving USD m", fmt_usd_m),
        ("violation_saving_usd", "violations saving USD m (model)", fmt_usd_m),
        ("shortfall_reduction_t", "shortfall reduction t", fmt_t),
        ("smallest_served_share", "smallest served share", fmt_pct),
        ("individually_rational", "no worse than alone", fmt_yes),
        ("transfer_to_shapley_usd", "transfer to reach Shapley USD m", fmt_usd_m),
    ]
    bad = ~a.by_rule["individually_rational"].astype(bool)
    return table_html(frame, cols, bad=bad)


def _rules_note(a: AllianceAnalysis) -> str | None:
    """Why the rules agree, when they do (None when they do not)."""
    if not rules_agree(a.by_rule):
        return None
    return (
        "Every rule gives each buyer the same saving: the pooled optimum leaves only one "
        "split of the money, so a fairer split needs a transfer between the buyers (the "
        "last column: received +, paid -, to reach each buyer's Shapley value)."
    )


def _rationality(a: AllianceAnalysis) -> str:
    """Whether every buyer is no worse off than alone under the configured rule, in words."""
    table = a.rationality
    bad = table[(table["rule"] == a.sharing.value) & ~table["holds"]]
    if bad.empty:
        return (
            f"Under the configured rule ({a.sharing.value}) every buyer is no worse off than "
            "alone in every term: purchase, risk charge, lost supply, violations and tonnes short."
        )
    items = [
        f"{r.buyer} {r.term}: alone {r.alone:,.0f}, joint {r.joint:,.0f}" for r in bad.itertuples()
    ]
    return (
        f"Under the configured rule ({a.sharing.value}) a buyer is worse off than alone in: "
        + "; ".join(items)
        + " (USD, or t for shortfall_t). Where the model cost or the shortfall is worse, no "
        "plan optimal for the pooled objective avoids it; a transfer between the buyers would."
    )


def _game(a: AllianceAnalysis) -> dict[str, str] | None:
    """The coalition game's note and table (None without players)."""
    if a.players.empty:
        return None
    cols = [
        ("buyer", "buyer", None),
        ("role", "role", None),
        ("demand_t", "demand t", fmt_t),
        ("alone_model_cost_usd", "model cost alone USD", fmt_usd),
        ("shapley_value_usd", "Shapley value USD", fmt_usd),
        ("marginal_value_usd", "marginal value joining the rest USD", fmt_usd),
        ("marginal_shortfall_reduction_t", "marginal shortfall reduction t", fmt_t),
        ("least_core_usd", "a split in the core USD", fmt_usd),
    ]
    worst = a.core.iloc[0]
    verdict = "is in the core" if a.in_core else "is NOT in the core"
    text = (
        f"All {len(a.players)} buyers in one market, each alone taking its pro-rata share of "
        "every offer: a coalition pools its members' shares. Savings v(S) = the members' model "
        "costs alone minus the coalition's. The Shapley split of the grand coalition's "
        f"savings ({money(float(a.players['shapley_value_usd'].sum()))} {a.period}) {verdict}: "
        f"the tightest coalition, {worst['coalition']}, gets {money(worst['allocated_usd'])} "
        f"against the {money(worst['value_usd'])} it could save on its own. "
    )
    if a.least_core_excess_usd is not None:
        text += (
            "The last column is a split no coalition would leave (the least core: every "
            f"coalition gets at least its own savings plus {money(a.least_core_excess_usd)}). "
            if a.least_core_excess_usd >= -1.0
            else "The core is empty: the last column is the split closest to it (least core). "
        )
    text += "Full characteristic function: tables/alliance_coalitions.csv."
    return {"note": text, "table": table_html(a.players, cols)}


def _candidates(a: AllianceAnalysis) -> dict[str, str] | None:
    """The candidates' note and table (None without candidates)."""
    if a.candidate_value.empty:
        return None
    cols = [
        ("candidate", "candidate", None),
        ("demand_t", "demand t", fmt_t),
        ("added_savings_usd", "added model cost saving USD", fmt_usd),
        ("added_purchase_saving_usd", "added purchase saving USD", fmt_usd),
        ("added_shortfall_reduction_t", "added shortfall reduction t", fmt_t),
        ("candidate_shapley_usd", "to the candidate (Shapley) USD", fmt_usd),
        ("members_shapley_gain_usd", f"to {'+'.join(a.members)} (Shapley) USD", fmt_usd),
        ("basis", "demand basis", None),
    ]
    frame = a.candidate_value.sort_values(
        ["added_savings_usd", "candidate"], ascending=[False, True], kind="stable"
    )
    text = (
        f"The value of adding each candidate to {'-'.join(a.members)}: the savings of the "
        "larger alliance minus the alliance's own, with every candidate buying in the same "
        "market (alone when outside). Candidate demand is an estimate (alliance.candidates; "
        "seeds/SOURCES.md, 'Alliance candidates')."
    )
    return {"note": text, "table": table_html(frame, cols)}


#: The alliance value per buyer and commodity (the section's last table, or its only one).
VALUE_COLUMNS = [
    ("buyer", "buyer", None),
    ("commodity", "commodity", None),
    ("cost_separate_usd", "cost separate USD", fmt_usd),
    ("cost_joint_usd", "cost joint USD", fmt_usd),
    ("cost_saving_usd", "cost saving USD", fmt_usd),
    ("shortfall_reduction_t", "shortfall reduction t", fmt_t),
    ("objective_saving_usd", "model cost saving USD", fmt_usd),
]


def _lead(a: AllianceAnalysis) -> str:
    """The first note: what alliance value and alone mean, and which rule the plan uses."""
    return (
        f"Alliance value = {a.sign}. Alone = each buyer's pro-rata share of every offer (the "
        "separate mode), the outcome all buyers can have at once. Every rule keeps the plan "
        f"optimal for the pooled model cost (within {2 * POOLED_RTOL:.0e} of it) and first "
        "leaves no buyer worse off than alone where pooling allows. The plan above uses "
        f"optimiser.sharing = {a.sharing.value}. Money and tonnes are {a.period}."
    )


def alliance_body(a: AllianceAnalysis, detail: pd.DataFrame | None) -> Markup:
    """Rules, individual rationality, the coalition game, candidates, then the detail table."""
    return render(
        "report/alliance.html",
        lead=_lead(a),
        members="-".join(a.members),
        rules=_rules(a),
        rules_note=_rules_note(a),
        rationality=_rationality(a),
        game=_game(a),
        candidates=_candidates(a),
        sharing=a.sharing.value,
        detail=None if detail is None else table_html(detail, VALUE_COLUMNS),
        notes=a.notes,
    )
