"""Plain-text summaries of stress results and the two-stage plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from riskengine.scenarios.stochastic_result import StochasticResult
    from riskengine.scenarios.stress_test import StressResult

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
        f"{run.get('scenarios_per_s', 0):,.0f} scenarios/s"
        + (f"; {run['note']}" if run.get("note") else ""),
        f"Baseline plan ({base.mode.value}, risk_aversion={base.risk_aversion:g}): purchase "
        f"USD {_m(base.purchase_cost_usd)} m a year, shortfall {base.shortfall_t:,.1f} t",
        "",
        "Plan = the baseline mix kept fixed; response = re-optimised. Purchase is money paid "
        "(USD m); lost supply is the supply not delivered at its value V; regret is the plan's "
        "minus the response's model cost (purchase + risk charge + lost supply), a model figure",
        "",
    ]
    table = result.totals()
    drawn = table["scenario"].isin(
        result.scenarios.loc[result.scenarios["source"] == "monte-carlo", "scenario"]
    )
    if drawn.sum() >= _MIN_DRAWS:
        lines += _distribution_lines(table[drawn], int(drawn.sum() // table["buyer"].nunique()))
        worst = _worst_draws(table[drawn])
        table = table[~drawn | table["scenario"].isin(worst)]
        lines += [
            f"Named scenarios and the {len(worst)} drawn scenarios of largest regret "
            "(every draw: --format csv --table scenarios):",
            "",
        ]
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


#: Drawn scenarios from which the text shows their distribution instead of every row.
_MIN_DRAWS = 20
#: Drawn scenarios listed by name under the distribution (largest regret).
_WORST = 5
#: Tail share of the CVaR in the distribution (the worst 5% of draws).
CVAR_TAIL = 0.05
_DISTRIBUTED = {
    "exposure_shortfall_t": "plan short t",
    "exposure_purchase_usd": "plan purchase USD m",
    "exposure_lost_supply_usd": "plan lost supply USD m (model)",
    "regret_usd": "regret USD m (model)",
}


def cvar(values: pd.Series, tail: float = CVAR_TAIL) -> float:
    """Mean of the worst (largest) ``tail`` share of ``values``, at least one value."""
    ordered = values.sort_values(ascending=False, kind="stable").to_numpy(dtype=float)
    n = max(1, int(-(-len(ordered) * tail // 1)))
    return float(ordered[:n].mean()) if len(ordered) else float("nan")


def distribution(table: pd.DataFrame) -> pd.DataFrame:
    """Per buyer and figure of a totals table: mean, p5, p50, p95 and CVaR 95% over scenarios.

    ``table`` is :meth:`StressResult.totals` restricted to drawn scenarios; tonnes and
    USD as in it (CVaR: the mean of the worst 5% of the draws).
    """
    rows = []
    for buyer, part in table.groupby("buyer", sort=True):
        for column, label in _DISTRIBUTED.items():
            values = part[column].astype(float)
            rows.append(
                {
                    "buyer": buyer,
                    "figure": label,
                    "mean": values.mean(),
                    "p5": values.quantile(0.05),
                    "p50": values.quantile(0.5),
                    "p95": values.quantile(0.95),
                    "cvar95": cvar(values),
                }
            )
    return pd.DataFrame(rows, columns=["buyer", "figure", "mean", "p5", "p50", "p95", "cvar95"])


def _distribution_lines(table: pd.DataFrame, draws: int) -> list[str]:
    dist = distribution(table)
    money = dist["figure"].str.contains("USD")
    for col in ("mean", "p5", "p50", "p95", "cvar95"):
        dist[col] = [
            _m(v) if is_money else f"{v:,.1f}" for v, is_money in zip(dist[col], money, strict=True)
        ]
    return [
        f"Over the {draws} drawn (Monte Carlo) scenarios, per buyer: mean, percentiles and "
        "CVaR 95% (mean of the worst 5% of draws):",
        "",
        dist.rename(columns={"cvar95": "CVaR 95%"}).to_string(index=False),
        "",
    ]


def _worst_draws(table: pd.DataFrame) -> list[str]:
    regret = table.groupby("scenario", sort=False)["regret_usd"].sum()
    return [str(s) for s in regret.sort_values(ascending=False, kind="stable").head(_WORST).index]


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
    per = s.get("period", "a year")
    when = (
        f"plan year {s['year']}" if per == "a year" else f"plan years {per.removeprefix('over ')}"
    )
    lines = [
        f"Two-stage plan: E[loss] + {s['beta']:g} x CVaR {s['alpha']:g} of the loss per "
        f"{s['cvar_scope'].replace('_', ' and ')}, over {s['scenarios']} drawn scenarios "
        f"(seed {s['seed']}, {when}; {result.status}); spot at "
        f"{1 + s['spot_premium']:g} x the scenario price",
        "Purchase and spot are money paid; lost supply, violations and the loss that sums "
        f"them are model figures (USD m {per})",
        "",
        _money_or_tonnes(result.comparison, ("stochastic", "expected_value", "difference"))
        .rename(columns={"expected_value": "expected-value plan"})
        .to_string(index=False),
        "",
        f"Value of the stochastic solution (VSS): USD {_m(result.vss_usd)} m {per} of "
        "objective saved against the expected-value plan in the same scenarios",
        f"Expected value of perfect information (EVPI): USD {_m(result.evpi_usd)} m {per}",
    ]
    front = result.frontier
    if len(front) > 1:
        lines += ["", f"Mean-CVaR frontier (USD m {per}, model):"]
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
        unit = "t/yr" if per == "a year" else f"t {per}"
        lines += ["", f"What the two-stage plan contracts differently ({unit}):"]
        for (buyer, commodity), group in diff.groupby(["buyer", "commodity"], sort=True):
            ordered = group.sort_values("change_t", ascending=False)
            moves = ", ".join(f"{r.country} {r.change_t:+,.1f}" for r in ordered.itertuples())
            lines.append(f"  {buyer} {commodity}: {moves}")
    return "\n".join(lines)
