"""Tables and text of the alliance analysis (:mod:`riskengine.optimise.alliance`).

Every saving is *separate minus joint* (``VALUE_SIGN``): positive = buying
together is better. Money in USD a year, tonnes a year, shares 0-1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskengine.config.schema import Config
from riskengine.enums import SharingRule
from riskengine.optimise.coalition import (
    CoalitionGame,
    coalition_name,
    core_excess,
    least_core,
    need_money,
    shapley_values,
)
from riskengine.optimise.problem import Problem
from riskengine.optimise.sharing import SharedPlan

if TYPE_CHECKING:
    from riskengine.optimise.alliance import AllianceAnalysis

__all__ = [
    "BY_RULE_COLUMNS",
    "CANDIDATE_COLUMNS",
    "describe_candidates",
    "game_tables",
    "rule_rows",
    "rules_agree",
    "summary_text",
    "value_table",
]

_KEYS = ["buyer", "commodity"]
_VALUE_ORDER = [
    *_KEYS,
    "demand_t",
    "cost_separate_usd",
    "cost_joint_usd",
    "cost_saving_usd",
    "shortfall_separate_t",
    "shortfall_joint_t",
    "shortfall_reduction_t",
    "objective_separate_usd",
    "objective_joint_usd",
    "objective_saving_usd",
]
#: Columns of ``AllianceAnalysis.by_rule``.
BY_RULE_COLUMNS = [
    "rule",
    "buyer",
    "demand_t",
    "served_t",
    "smallest_served_share",
    "purchase_saving_usd",
    "risk_charge_saving_usd",
    "lost_supply_saving_usd",
    "violation_saving_usd",
    "model_cost_saving_usd",
    "shortfall_reduction_t",
    "shapley_value_usd",
    "transfer_to_shapley_usd",
    "individually_rational",
    "every_term_no_worse",
    "in_core",
]
#: Columns of ``AllianceAnalysis.candidate_value``.
CANDIDATE_COLUMNS = [
    "candidate",
    "demand_t",
    "added_savings_usd",
    "added_purchase_saving_usd",
    "added_shortfall_reduction_t",
    "candidate_shapley_usd",
    "members_shapley_gain_usd",
    "basis",
]
_CORE_TOL_USD = 1.0
#: Candidate columns filled after the game is solved.
_LATER = ("basis", "demand_t")


def value_table(separate: pd.DataFrame, joint: pd.DataFrame) -> pd.DataFrame:
    """Per buyer and commodity: separate, joint and separate minus joint."""
    out = separate.merge(joint.drop(columns="demand_t"), on=_KEYS, how="outer")
    out["cost_saving_usd"] = out["cost_separate_usd"] - out["cost_joint_usd"]
    out["shortfall_reduction_t"] = out["shortfall_separate_t"] - out["shortfall_joint_t"]
    out["objective_saving_usd"] = out["objective_separate_usd"] - out["objective_joint_usd"]
    return out[_VALUE_ORDER].sort_values(_KEYS, kind="stable").reset_index(drop=True)


def _in_core(allocation: pd.Series, value: dict[frozenset[str], float]) -> bool:
    core = core_excess(allocation, value)
    tol = _CORE_TOL_USD + 1e-6 * core["value_usd"].abs()
    total = max(value.values(), default=0.0)
    efficient = abs(float(allocation.sum()) - total) <= _CORE_TOL_USD + 1e-6 * abs(total)
    return bool((core["excess_usd"] >= -tol).all()) and efficient


def rule_rows(
    problem: Problem,
    plan: SharedPlan,
    ir: pd.DataFrame,
    phi: pd.Series,
    value: dict[frozenset[str], float],
    rule: SharingRule,
) -> pd.DataFrame:
    """One row per buyer: the split ``rule`` gives, with its checks."""
    money = need_money(problem, plan.values_t)
    share = money["served_t"] / money["demand_t"].where(money["demand_t"] > 0)
    served = money.assign(share=share).groupby("buyer", sort=True)
    out = served[["demand_t", "served_t"]].sum()
    out["smallest_served_share"] = served["share"].min()
    gain = ir.pivot(index="buyer", columns="term", values="gain")
    for term in ("purchase", "risk_charge", "lost_supply", "violation", "model_cost"):
        out[f"{term}_saving_usd"] = gain[f"{term}_usd"]
    out["shortfall_reduction_t"] = gain["shortfall_t"]
    out["shapley_value_usd"] = phi.reindex(out.index)
    out["transfer_to_shapley_usd"] = out["shapley_value_usd"] - out["model_cost_saving_usd"]
    holds = ir.pivot(index="buyer", columns="term", values="holds")
    out["individually_rational"] = holds["model_cost_usd"] & holds["shortfall_t"]
    out["every_term_no_worse"] = holds.all(axis=1)
    out["in_core"] = _in_core(out["model_cost_saving_usd"], value)
    out = _clean(out, [c for c in out.columns if c.endswith("_usd")], _CORE_TOL_USD)
    out = _clean(out, ["shortfall_reduction_t"], 1e-4)
    return out.reset_index().assign(rule=rule.value)[BY_RULE_COLUMNS]


def _clean(frame: pd.DataFrame, columns: list[str], tol: float) -> pd.DataFrame:
    """Solver noise below ``tol`` (USD or tonnes) shown as 0, so no "-0.0" reaches a reader."""
    values = frame[columns].to_numpy(dtype=float)
    clean = np.where(np.abs(values) < tol, 0.0, values).T
    return frame.assign(**dict(zip(columns, clean, strict=True)))


def _players(
    game: CoalitionGame, members: tuple[str, ...], value: dict[frozenset[str], float]
) -> pd.DataFrame:
    everyone = frozenset(game.buyers)
    reduction = _reductions(game, list(value))
    alone = game.alone().groupby("buyer")[["demand_t", "model_cost_usd"]].sum()
    phi = shapley_values(game.buyers, value)
    rows = []
    for b in game.buyers:
        rest = everyone - {b}
        rows.append(
            {
                "buyer": b,
                "role": "member" if b in members else "candidate",
                "demand_t": float(alone.at[b, "demand_t"]),
                "alone_model_cost_usd": float(alone.at[b, "model_cost_usd"]),
                "shapley_value_usd": float(phi[b]),
                "marginal_value_usd": value[everyone] - value.get(rest, 0.0),
                "marginal_shortfall_reduction_t": reduction[everyone] - reduction.get(rest, 0.0),
            }
        )
    frame = _clean(pd.DataFrame(rows), ["shapley_value_usd", "marginal_value_usd"], _CORE_TOL_USD)
    return _clean(frame, ["marginal_shortfall_reduction_t"], 1e-4)


def _reductions(game: CoalitionGame, keys: list[frozenset[str]]) -> dict[frozenset[str], float]:
    table = game.characteristic(keys)
    return dict(zip(keys, table["shortfall_reduction_t"].astype(float), strict=True))


def _candidates(game: CoalitionGame, members: tuple[str, ...], limit: int) -> pd.DataFrame:
    rows = []
    alliance = frozenset(members)
    for k in (b for b in game.buyers if b not in members):
        if len(alliance) + 1 > limit:
            break
        keys = game.subsets([*members, k])
        table = game.characteristic(keys).set_index("coalition")
        value = dict(zip(keys, table["savings_usd"].astype(float), strict=True))
        phi = shapley_values(sorted(alliance | {k}), value)
        bigger, base = table.loc[coalition_name(alliance | {k})], table.loc[coalition_name(members)]
        added = float(bigger["savings_usd"] - base["savings_usd"])
        rows.append(
            {
                "candidate": k,
                "added_savings_usd": added,
                "added_purchase_saving_usd": float(
                    bigger["purchase_saving_usd"] - base["purchase_saving_usd"]
                ),
                "added_shortfall_reduction_t": float(
                    bigger["shortfall_reduction_t"] - base["shortfall_reduction_t"]
                ),
                "candidate_shapley_usd": float(phi[k]),
                "members_shapley_gain_usd": added - float(phi[k]),
            }
        )
    frame = pd.DataFrame(rows, columns=[c for c in CANDIDATE_COLUMNS if c not in _LATER])
    frame = _clean(frame, [c for c in frame.columns if c.endswith("_usd")], _CORE_TOL_USD)
    return _clean(frame, ["added_shortfall_reduction_t"], 1e-4)


def game_tables(
    game: CoalitionGame, members: tuple[str, ...], limit: int, notes: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, float | None]:
    """Characteristic function, players (Shapley, marginal value, a least-core split), the
    Shapley split's core check, candidates, and the least core's excess (>= 0: core not empty)."""
    candidates = _candidates(game, members, limit)
    alone = game.alone().groupby("buyer")["demand_t"].sum()
    candidates.insert(1, "demand_t", candidates["candidate"].map(alone).astype(float))
    if len(game.buyers) > limit:
        notes.append(
            f"{len(game.buyers)} buyers (alliance and candidates) are more than "
            f"alliance.max_coalition_buyers ({limit}): the full coalition game, Shapley "
            "values and core check are not computed"
        )
        empty = pd.DataFrame()
        return empty, empty, empty, candidates, None
    coalitions = game.characteristic()
    money = [c for c in coalitions.columns if c.endswith("saving_usd") or c == "savings_usd"]
    coalitions = _clean(coalitions, money, _CORE_TOL_USD)
    coalitions = _clean(coalitions, ["shortfall_reduction_t"], 1e-4)
    value = dict(zip(game.subsets(), coalitions["savings_usd"].astype(float), strict=True))
    players = _players(game, members, value)
    core = core_excess(players.set_index("buyer")["shapley_value_usd"], value)
    split, excess = least_core(game.buyers, value)
    players["least_core_usd"] = players["buyer"].map(split).astype(float)
    players = _clean(players, ["least_core_usd"], _CORE_TOL_USD)
    return coalitions, players, core, candidates, excess


def describe_candidates(frame: pd.DataFrame, config: Config) -> pd.DataFrame:
    """The candidate table with each candidate's demand basis from the configuration."""
    specs = config.alliance.candidates
    basis = frame["candidate"].map(lambda k: specs[k].basis if k in specs else "")
    return frame.assign(basis=basis.astype(str))[CANDIDATE_COLUMNS]


def rules_agree(by_rule: pd.DataFrame) -> bool:
    """True when every rule gives each buyer the same model cost saving (within USD 1 and 1e-6)."""
    saving = by_rule.pivot(index="buyer", columns="rule", values="model_cost_saving_usd")
    spread = saving.max(axis=1) - saving.min(axis=1)
    return bool((spread <= _CORE_TOL_USD + 1e-6 * saving.abs().max(axis=1)).all())


def _m(usd: float) -> str:
    return "n/a" if usd is None or np.isnan(usd) else f"{usd / 1e6:,.1f}"


def summary_text(a: AllianceAnalysis) -> str:
    """The analysis in words and small tables (USD million a year, tonnes a year)."""
    lines = [f"Alliance value = {a.sign}.", ""]
    lines.append(f"Split of the {'-'.join(a.members)} alliance under each rule (USD m {a.period}):")
    head = f"  {'rule':<13}{'buyer':<6}{'model cost':>11}{'purchase':>10}{'short t':>9}"
    lines.append(head + f"{'min served':>11}{'IR':>5}{'to Shapley':>12}")
    for r in a.by_rule.itertuples():
        rule = f"{r.rule}{' *' if r.rule == a.sharing.value else ''}"
        lines.append(
            f"  {rule:<13}{r.buyer:<6}{_m(r.model_cost_saving_usd):>11}"
            f"{_m(r.purchase_saving_usd):>10}{r.shortfall_reduction_t:>9,.1f}"
            f"{r.smallest_served_share:>11.1%}{'yes' if r.individually_rational else 'NO':>5}"
            f"{_m(r.transfer_to_shapley_usd):>12}"
        )
    lines.append("  * the configured rule; 'to Shapley' = transfer the buyer would receive.")
    if rules_agree(a.by_rule):
        lines.append(
            "  Every rule gives the same split: only one split of the pooled optimum exists, "
            "so a fairer one needs a transfer (column 'to Shapley')."
        )
    if not a.players.empty:
        lines += ["", f"Coalition game of {', '.join(a.players['buyer'])} in one market:"]
        for r in a.players.itertuples():
            lines.append(
                f"  {r.buyer:<4}({r.role}) Shapley value {_m(r.shapley_value_usd)} m, "
                f"marginal value joining the rest {_m(r.marginal_value_usd)} m, "
                f"{r.marginal_shortfall_reduction_t:,.1f} t less short"
            )
        worst = a.core.iloc[0]
        verdict = "in the core" if a.in_core else "NOT in the core"
        lines.append(
            f"  The Shapley split is {verdict} (tightest coalition {worst['coalition']}: "
            f"excess USD {_m(worst['excess_usd'])} m)."
        )
        if not a.in_core and a.least_core_excess_usd is not None:
            split = ", ".join(f"{r.buyer} {_m(r.least_core_usd)}" for r in a.players.itertuples())
            state = "in the core" if a.least_core_excess_usd >= -1.0 else "the least core"
            lines.append(f"  A split {state} (USD m): {split}.")
    if not a.candidate_value.empty:
        lines += ["", f"Who should join the {'-'.join(a.members)} alliance:"]
        for r in a.candidate_value.itertuples():
            lines.append(
                f"  {r.candidate:<4} adds USD {_m(r.added_savings_usd)} m of model cost saving "
                f"and {r.added_shortfall_reduction_t:,.1f} t less short {a.period} "
                f"(demand {r.demand_t:,.0f} t; {r.basis or 'basis not given'})"
            )
    lines += [f"Note: {n}" for n in a.notes]
    return "\n".join(lines)
