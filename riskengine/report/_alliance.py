"""The body of the report's "Alliance value" section (escaped HTML).

Every figure is *separate minus joint* (``riskengine.optimise.joint.VALUE_SIGN``):
positive = buying together is better for that buyer.
"""

from __future__ import annotations

import pandas as pd

from riskengine.optimise.alliance import AllianceAnalysis, rules_agree
from riskengine.optimise.sharing import POOLED_RTOL
from riskengine.report.html import esc, fmt_pct, fmt_t, fmt_usd, fmt_usd_m, fmt_yes, table_html
from riskengine.report.summary import money

__all__ = ["alliance_body"]

_RULE_WORDS = {
    "proportional": "equal served share per commodity, then equal cost per tonne",
    "maxmin": "the smallest served share as large as possible, then the dearest tonne",
    "shapley": "each buyer's model cost as close as possible to its Shapley value",
    "none": "the solver's split (one optimal plan, arbitrary between buyers)",
}


def _note(text: str) -> str:
    return f'<p class="note">{esc(text)}</p>'


def _rules(a: AllianceAnalysis) -> str:
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
    html = table_html(frame, cols, bad=bad)
    if rules_agree(a.by_rule):
        html += _note(
            "Every rule gives each buyer the same saving: the pooled optimum leaves only one "
            "split of the money, so a fairer split needs a transfer between the buyers (the "
            "last column: received +, paid -, to reach each buyer's Shapley value)."
        )
    return html


def _rationality(a: AllianceAnalysis) -> str:
    table = a.rationality
    bad = table[(table["rule"] == a.sharing.value) & ~table["holds"]]
    if bad.empty:
        return _note(
            f"Under the configured rule ({a.sharing.value}) every buyer is no worse off than "
            "alone in every term: purchase, risk charge, lost supply, violations and tonnes short."
        )
    items = [
        f"{r.buyer} {r.term}: alone {r.alone:,.0f}, joint {r.joint:,.0f}" for r in bad.itertuples()
    ]
    return _note(
        f"Under the configured rule ({a.sharing.value}) a buyer is worse off than alone in: "
        + "; ".join(items)
        + " (USD, or t for shortfall_t). Where the model cost or the shortfall is worse, no "
        "plan optimal for the pooled objective avoids it; a transfer between the buyers would."
    )


def _game(a: AllianceAnalysis) -> str:
    if a.players.empty:
        return ""
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
    return "<h3>Coalition game</h3>" + _note(text) + table_html(a.players, cols)


def _candidates(a: AllianceAnalysis) -> str:
    if a.candidate_value.empty:
        return ""
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
    return "<h3>Who should join</h3>" + _note(text) + table_html(frame, cols)


def alliance_body(a: AllianceAnalysis, detail: pd.DataFrame | None) -> str:
    """Rules, individual rationality, the coalition game, candidates, then the detail table."""
    lead = _note(
        f"Alliance value = {a.sign}. Alone = each buyer's pro-rata share of every offer (the "
        "separate mode), the outcome all buyers can have at once. Every rule keeps the plan "
        f"optimal for the pooled model cost (within {2 * POOLED_RTOL:.0e} of it) and first "
        "leaves no buyer worse off than alone where pooling allows. The plan above uses "
        f"optimiser.sharing = {a.sharing.value}. Money and tonnes are {a.period}."
    )
    parts = [lead, f"<h3>Split of the {esc('-'.join(a.members))} alliance</h3>", _rules(a)]
    parts.append(_rationality(a))
    parts += [_game(a), _candidates(a)]
    if detail is not None:
        cols = [
            ("buyer", "buyer", None),
            ("commodity", "commodity", None),
            ("cost_separate_usd", "cost separate USD", fmt_usd),
            ("cost_joint_usd", "cost joint USD", fmt_usd),
            ("cost_saving_usd", "cost saving USD", fmt_usd),
            ("shortfall_reduction_t", "shortfall reduction t", fmt_t),
            ("objective_saving_usd", "model cost saving USD", fmt_usd),
        ]
        parts.append(f"<h3>Per buyer and commodity ({esc(a.sharing.value)})</h3>")
        parts.append(table_html(detail, cols))
    parts += [_note(n) for n in a.notes]
    return "\n".join(p for p in parts if p)
