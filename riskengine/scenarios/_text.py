"""Plain-text summaries of stress and robust results."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from riskengine.scenarios.robust import RobustResult
    from riskengine.scenarios.stress import StressResult

__all__ = ["robust_text", "stress_text"]


def _m(usd: float) -> str:
    return f"{usd / 1e6:,.1f}"


def stress_text(result: StressResult) -> str:
    """Baseline, one line per scenario and buyer, then the robust comparison."""
    base, run = result.baseline, result.run
    named = {"monte-carlo": "monte-carlo", "config": "config", "argument": "given"}
    sources = result.scenarios["source"].map(lambda s: named.get(s, "library"))
    counts = ", ".join(f"{n} {k}" for k, n in sources.value_counts(sort=False).items())
    lines = [
        f"Stress test: {len(result.scenarios)} scenarios ({counts}); sweep on "
        f"{run.get('executor')} ({run.get('workers')} worker(s)) {run.get('seconds', 0):.2f} s, "
        f"{run.get('scenarios_per_s', 0):,.0f} scenarios/s",
        f"Baseline plan ({base.mode.value}, risk_aversion={base.risk_aversion:g}): purchase "
        f"USD {_m(base.purchase_cost_usd)} m a year, shortfall {base.shortfall_t:,.1f} t",
        "",
        "Plan = the baseline mix kept fixed; response = re-optimised. Purchase is money paid "
        "(USD m); lost supply is the supply not delivered at its value V; regret is the plan's "
        "minus the response's model cost (purchase + risk charge + lost supply), a model figure",
        "",
    ]
    table = result.totals()
    shown = pd.DataFrame(
        {
            "scenario": table["scenario"],
            "buyer": table["buyer"],
            "plan short t": table["exposure_shortfall_t"].map("{:,.1f}".format),
            "plan purchase": table["exposure_purchase_usd"].map(_m),
            "plan lost supply": table["exposure_lost_supply_usd"].map(_m),
            "response short t": table["response_shortfall_t"].map("{:,.1f}".format),
            "response purchase": table["response_purchase_usd"].map(_m),
            "regret": table["regret_usd"].map(_m),
        }
    )
    lines.append(shown.to_string(index=False))
    bad = result.scenarios[result.scenarios["status"] != "optimal"]
    if not bad.empty:
        lines += [
            "",
            "Not solved to optimality (responses provisional): "
            + ", ".join(f"{r.scenario} ({r.status})" for r in bad.itertuples()),
        ]
    if result.robust is not None:
        lines += ["", robust_text(result.robust)]
    return "\n".join(lines)


def robust_text(result: RobustResult) -> str:
    """Comparison table and the main differences in contracted tonnes."""
    s = result.settings
    lines = [
        f"Robust plan: CVaR at alpha={s.alpha:g} with beta={s.beta:g}, spot at "
        f"x{s.spot_premium:g} the scenario price, contract fee {s.contract_fee:.0%} of the "
        f"baseline cost, over {len(result.by_scenario)} scenarios ({result.status}); "
        "risk-adjusted USD m",
        "",
    ]
    comp = result.comparison.copy()
    money = comp["metric"].str.endswith("_usd")
    for col in ("deterministic", "robust", "difference"):
        comp[col] = [
            (_m(v) if is_money else f"{v:,.1f}")
            for v, is_money in zip(comp[col], money, strict=True)
        ]
    lines.append(comp.to_string(index=False))
    diff = result.contracts.groupby(["buyer", "commodity", "country"], as_index=False)[
        ["deterministic_t", "robust_t"]
    ].sum()
    diff["change_t"] = diff["robust_t"] - diff["deterministic_t"]
    diff = diff[diff["change_t"].abs() > 0.05].sort_values(
        ["buyer", "commodity", "change_t"], ascending=[True, True, False]
    )
    if not diff.empty:
        lines += ["", "What the robust plan contracts differently (t/yr):"]
        for (buyer, commodity), group in diff.groupby(["buyer", "commodity"], sort=False):
            moves = ", ".join(f"{r.country} {r.change_t:+,.1f}" for r in group.itertuples())
            lines.append(f"  {buyer} {commodity}: {moves}")
    return "\n".join(lines)
