"""Plain-text summaries of stress results and the two-stage plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from riskengine.scenarios.stochastic_result import StochasticResult
    from riskengine.scenarios.stress import StressResult

__all__ = ["stochastic_text", "stress_text"]


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
        lines += ["", stochastic_text(result.robust)]
    return "\n".join(lines)


def _money_or_tonnes(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    out = frame.copy()
    money = out["metric"].str.endswith("_usd")
    share = out["metric"].str.endswith("_share")
    for col in columns:
        out[col] = [
            (_m(v) if is_money else f"{v:.1%}" if is_share else f"{v:,.1f}")
            for v, is_money, is_share in zip(out[col], money, share, strict=True)
        ]
    return out


def stochastic_text(result: StochasticResult) -> str:
    """Settings, the comparison with the expected-value plan, VSS, EVPI, frontier, mix changes."""
    s = result.settings
    lines = [
        f"Two-stage plan: E[loss] + {s['beta']:g} x CVaR {s['alpha']:g} of the loss per "
        f"{s['cvar_scope'].replace('_', ' and ')}, over {s['scenarios']} drawn scenarios "
        f"(seed {s['seed']}, plan year {s['year']}; {result.status}); spot at "
        f"{1 + s['spot_premium']:g} x the scenario price",
        "Purchase and spot are money paid; lost supply, violations and the loss that sums "
        "them are model figures (USD m a year)",
        "",
        _money_or_tonnes(result.comparison, ("stochastic", "expected_value", "difference"))
        .rename(columns={"expected_value": "expected-value plan"})
        .to_string(index=False),
        "",
        f"Value of the stochastic solution (VSS): USD {_m(result.vss_usd)} m a year of "
        "objective saved against the expected-value plan in the same scenarios",
        f"Expected value of perfect information (EVPI): USD {_m(result.evpi_usd)} m a year",
    ]
    front = result.frontier
    if len(front) > 1:
        lines += ["", "Mean-CVaR frontier (USD m a year, model):"]
        for row in front.itertuples(index=False):
            lines.append(
                f"  beta {row.beta:>5g}: expected loss {_m(row.expected_loss_usd):>8}, CVaR "
                f"{_m(row.cvar_usd):>8}, contracted {row.contracted_t:,.1f} t, China "
                f"{row.china_share:.0%}"
            )
    diff = result.contracts.groupby(["buyer", "commodity", "country"], as_index=False)[
        ["expected_value_t", "contracted_t"]
    ].sum()
    diff["change_t"] = diff["contracted_t"] - diff["expected_value_t"]
    diff = diff[diff["change_t"].abs() > 0.05]
    if not diff.empty:
        lines += ["", "What the two-stage plan contracts differently (t/yr):"]
        for (buyer, commodity), group in diff.groupby(["buyer", "commodity"], sort=True):
            ordered = group.sort_values("change_t", ascending=False)
            moves = ", ".join(f"{r.country} {r.change_t:+,.1f}" for r in ordered.itertuples())
            lines.append(f"  {buyer} {commodity}: {moves}")
    return "\n".join(lines)
