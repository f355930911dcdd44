"""The two-stage plan's answer: :class:`StochasticResult`, built by :func:`make_stochastic_result`.

Money (contract 5.5): ``purchase`` (contract deliveries and fees) and
``spot`` are money paid; ``lost_supply`` (tonnes short at V), ``violation``
and the ``loss`` that sums them are model figures, labelled as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskengine import _notebook as nb
from riskengine.optimise.families import TONNES_PER_UNIT
from riskengine.optimise.result import OptimisationResult, records
from riskengine.scenarios._parts import split
from riskengine.scenarios.generator import ScenarioSet
from riskengine.scenarios.stochastic import Losses, TwoStage, cvar

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from riskengine.optimise.solution import SolveStatus

__all__ = ["TABLES", "StochasticResult", "make_stochastic_result", "period", "quantile"]

#: Tables :meth:`StochasticResult.to_frame` returns.
TABLES = ("contracts", "needs", "comparison", "scenarios", "frontier", "frontier_mix")
#: Contracted tonnes below this count as zero.
_TOL_T = 1e-6


def quantile(values: np.ndarray, probability: np.ndarray, q: float) -> np.ndarray:
    """Weighted quantile of each column of ``values`` ``(S, k)``: the least v with P(X <= v) >= q."""
    values = np.atleast_2d(np.asarray(values, float).T).T
    out = np.zeros(values.shape[1])
    for k in range(values.shape[1]):
        order = np.argsort(values[:, k], kind="stable")
        below = np.cumsum(probability[order])
        out[k] = values[order[np.searchsorted(below, q - 1e-12)], k]
    return out


@dataclass(frozen=True, repr=False)
class StochasticResult:
    """The two-stage mean-CVaR plan beside the expected-value plan.

    Tonnes and money are a year for the one-year model and per plan year
    (tables with a ``year`` column) or summed over the horizon (totals) for
    a horizon; ``settings['period']`` says which in words.

    Attributes
    ----------
    status : str
        ``optimal`` (every LP solved to optimality).
    settings : dict
        ``alpha, beta, cvar_scope, spot_premium, contract_fee, scenarios, seed, year``
        (the first plan year), ``years``, ``period`` and ``policy_persistence``.
    objective_usd, expected_loss_usd, cvar_usd : float
        This plan's ``E[L] + beta x CVaR``, ``E[L]`` and the sum of its groups'
        CVaR_alpha (model figures).
    vss_usd : float
        Value of the stochastic solution: the objective of the expected-value
        plan under the same scenarios minus this plan's (>= 0).
    evpi_usd : float
        Expected value of perfect information: this plan's objective minus the
        wait-and-see one (NaN when not computed).
    contracts : DataFrame
        ``buyer, commodity, (year,) supplier_id, country, relation, contracted_t,
        expected_value_t, expected_delivered_t, price_usd_per_kg, risk_score,
        disruption_probability`` (rows where either plan contracts).
    needs : DataFrame
        Per buyer and commodity: demand, contracted tonnes and what they deliver on
        average (``expected_delivered_t``), expected and p50/p95
        shortfall, expected, p50, p95 and CVaR loss, expected purchase, for this
        plan and (``ev_``) the expected-value plan.
    comparison : DataFrame
        ``metric, stochastic, expected_value, difference``.
    scenarios : DataFrame
        Per scenario: probability, China's state, description, each plan's loss
        and shortfall, and the wait-and-see loss.
    frontier, frontier_mix : DataFrame
        The plan at each beta: expected loss against CVaR, and its mix by country.
    expected_value : OptimisationResult
        The expected-value plan (``optimiser.model: expected``).
    scenario_set : ScenarioSet
        The drawn scenarios.
    run : dict
        Seconds per step, executor, size of the LP.
    """

    status: str
    settings: dict[str, Any]
    objective_usd: float
    expected_loss_usd: float
    cvar_usd: float
    vss_usd: float
    evpi_usd: float
    contracts: pd.DataFrame
    needs: pd.DataFrame
    comparison: pd.DataFrame
    scenarios: pd.DataFrame
    frontier: pd.DataFrame
    frontier_mix: pd.DataFrame
    expected_value: OptimisationResult = field(repr=False)
    scenario_set: ScenarioSet = field(repr=False)
    run: dict[str, Any] = field(default_factory=dict)

    @property
    def is_optimal(self) -> bool:
        """True when every LP was solved to optimality."""
        return self.status == "optimal"

    @property
    def contracted_t(self) -> float:
        """Contracted tonnes over all buyers and offers (and plan years)."""
        return float(self.contracts["contracted_t"].sum())

    def metric(self, name: str, plan: str = "stochastic") -> float:
        """One figure of :attr:`comparison` (``plan``: stochastic, expected_value, difference)."""
        return float(self.comparison.set_index("metric").loc[name, plan])

    def __repr__(self) -> str:
        s = self.settings
        return (
            f"StochasticResult(status={self.status}, scenarios={s['scenarios']}, "
            f"alpha={s['alpha']:g}, beta={s['beta']:g}, scope={s['cvar_scope']}, "
            f"contracted_t={self.contracted_t:,.1f}, expected_loss_usd={self.expected_loss_usd:,.0f}, "
            f"vss_usd={self.vss_usd:,.0f}, evpi_usd={self.evpi_usd:,.0f})"
        )

    def summary(self) -> str:
        """The plan against the expected-value plan, VSS, EVPI and the frontier, in words."""
        from riskengine.scenarios._text import stochastic_text

        return stochastic_text(self)

    def to_frame(self, table: str = "contracts") -> pd.DataFrame:
        """A copy of one table: ``contracts`` (default), ``needs``, ``comparison``,
        ``scenarios``, ``frontier`` or ``frontier_mix``."""
        return nb.pick_table(self, table, TABLES)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (tables as lists of row dicts)."""
        head = {
            "status": self.status,
            "settings": dict(self.settings),
            "objective_usd": self.objective_usd,
            "expected_loss_usd": self.expected_loss_usd,
            "cvar_usd": self.cvar_usd,
            "vss_usd": self.vss_usd,
            "evpi_usd": None if np.isnan(self.evpi_usd) else self.evpi_usd,
            "run": dict(self.run),
        }
        return head | {name: records(getattr(self, name)) for name in TABLES}

    def plot(self) -> Figure:
        """Mean-CVaR frontier and both plans' loss distributions (a matplotlib Figure)."""
        from riskengine.scenarios.figures import stochastic_figure

        return stochastic_figure(self)

    def _repr_html_(self) -> str:
        facts = [
            f"{self.settings['scenarios']} scenarios",
            f"alpha {self.settings['alpha']:g}, beta {self.settings['beta']:g}",
            f"contracted {nb.fmt_t(self.contracted_t)} t",
            f"expected loss USD {nb.number(self.expected_loss_usd)} (model)",
            f"VSS USD {nb.number(self.vss_usd)}",
            f"EVPI USD {nb.number(self.evpi_usd)}",
        ]
        return nb.html_view(
            "StochasticResult",
            self.status,
            self.is_optimal,
            facts,
            self.needs,
            _HTML_COLUMNS,
            more="result.to_frame('needs')",
        )


_HTML_COLUMNS: list[nb.Column] = [
    ("buyer", "buyer", str),
    ("commodity", "commodity", str),
    ("demand_t", "demand t", nb.fmt_t),
    ("contracted_t", "contracted t", nb.fmt_t),
    ("ev_contracted_t", "expected-value plan t", nb.fmt_t),
    ("expected_shortfall_t", "short t (mean)", nb.fmt_t),
    ("shortfall_p95_t", "short t (p95)", nb.fmt_t),
    ("expected_loss_usd", "loss USD m (mean)", nb.fmt_usd_m),
    ("loss_cvar_usd", "loss USD m (CVaR)", nb.fmt_usd_m),
    ("ev_loss_cvar_usd", "expected-value plan CVaR", nb.fmt_usd_m),
]


# --------------------------------------------------------------------------- build


def _need_stats(result: Losses, p: np.ndarray, alpha: float, prefix: str) -> dict[str, np.ndarray]:
    loss, short = result.loss_usd, result.shortfall_t
    paid = result.purchase_usd + result.spot_usd
    return {
        f"{prefix}expected_shortfall_t": p @ short,
        f"{prefix}shortfall_p50_t": quantile(short, p, 0.5),
        f"{prefix}shortfall_p95_t": quantile(short, p, 0.95),
        f"{prefix}expected_purchase_usd": p @ paid,
        f"{prefix}expected_loss_usd": p @ loss,
        f"{prefix}loss_p50_usd": quantile(loss, p, 0.5),
        f"{prefix}loss_p95_usd": quantile(loss, p, 0.95),
        f"{prefix}loss_cvar_usd": cvar(loss, p, alpha),
    }


def _needs(model: TwoStage, plans: dict[str, tuple[np.ndarray, Losses]]) -> pd.DataFrame:
    st, p, alpha = model.problem.structure, model.rec.probability, model.settings.alpha
    frame = st.needs[[*_keys(model, "buyer", "commodity"), "demand_t"]].reset_index(drop=True)
    delivers = p @ model.rec.availability  # per x: the share of a contract delivered, on average
    for name, prefix in (("stochastic", ""), ("expected_value", "ev_")):
        x, result = plans[name]
        frame[f"{prefix}contracted_t"] = np.bincount(st.x_need, x, len(frame))
        # contracts with an uncertain supplier (a licence share, an outage) deliver less
        # than contracted: what arrives on average is what to compare with demand
        frame[f"{prefix}expected_delivered_t"] = np.bincount(st.x_need, x * delivers, len(frame))
        for key, values in _need_stats(result, p, alpha, prefix).items():
            frame[key] = values
    return frame


def _contracts(model: TwoStage, x_sp: np.ndarray, x_ev: np.ndarray) -> pd.DataFrame:
    st = model.problem.structure
    keys = _keys(model, "buyer", "commodity", "supplier_id", "country", "relation")
    frame = st.x[keys].reset_index(drop=True).copy()
    frame["contracted_t"] = np.where(x_sp < _TOL_T, 0.0, x_sp)
    frame["expected_value_t"] = np.where(x_ev < _TOL_T, 0.0, x_ev)
    frame["expected_delivered_t"] = (model.rec.probability @ model.rec.availability) * frame[
        "contracted_t"
    ].to_numpy()
    frame["price_usd_per_kg"] = model.problem.params.price_usd_per_kg
    frame["risk_score"] = st.x["risk_score"].to_numpy(dtype=float)
    frame["disruption_probability"] = st.x["disruption_probability"].to_numpy(dtype=float)
    keep = (frame["contracted_t"] > 0) | (frame["expected_value_t"] > 0)
    return frame[keep].reset_index(drop=True)


def _keys(model: TwoStage, *keys: str) -> list[str]:
    """``keys`` and, over a horizon, the plan year after the buyer and commodity."""
    if model.n_years == 1:
        return list(keys)
    return [*keys[:2], "year", *keys[2:]]


def period(years: tuple[int, ...]) -> str:
    """How money and tonnes are counted: ``a year``, or ``over 2026-2030``."""
    return "a year" if len(years) <= 1 else f"over {years[0]}-{years[-1]}"


def _china_share(model: TwoStage, x: np.ndarray) -> float:
    china = (model.problem.structure.x["country"] == "CN").to_numpy()
    return float(x[china].sum() / x.sum()) if x.sum() > 0 else float("nan")


def _mean(values: np.ndarray | None, p: np.ndarray) -> float:
    return 0.0 if values is None else float(p @ values.sum(axis=1))


def _totals(model: TwoStage, x: np.ndarray, result: Losses, beta: float) -> dict[str, float]:
    p = model.rec.probability
    expected, tail, objective = model.objective(result, beta)
    return {
        "contracted_t": float(x.sum()),
        "china_share": _china_share(model, x),
        "expected_purchase_usd": float(p @ result.purchase_usd.sum(axis=1)),
        "expected_spot_usd": float(p @ result.spot_usd.sum(axis=1)),
        "expected_lost_supply_usd": float(p @ result.lost_supply_usd.sum(axis=1)),
        "violation_usd": float(p @ result.violation_usd.sum(axis=1)),
        "expected_stock_usd": _mean(result.stock_usd, p),
        "thrifting_usd": _mean(result.thrifting_usd, p),
        "expected_loss_usd": expected,
        "cvar_usd": tail,
        "p95_loss_usd": float(quantile(result.loss_usd.sum(axis=1), p, 0.95)[0]),
        "objective_usd": objective,
        "expected_shortfall_t": float(p @ result.shortfall_t.sum(axis=1)),
        "p95_shortfall_t": float(quantile(result.shortfall_t.sum(axis=1), p, 0.95)[0]),
    }


def _scenarios(
    model: TwoStage, plans: dict[str, tuple[np.ndarray, Losses]], ws: Losses | None
) -> pd.DataFrame:
    frame = model.drawn.table()
    for name, prefix in (("stochastic", ""), ("expected_value", "ev_")):
        result = plans[name][1]
        frame[f"{prefix}loss_usd"] = result.loss_usd.sum(axis=1)
        frame[f"{prefix}shortfall_t"] = result.shortfall_t.sum(axis=1)
        frame[f"{prefix}spot_t"] = result.spot_t.sum(axis=1)
    frame["wait_and_see_loss_usd"] = np.nan if ws is None else ws.loss_usd.sum(axis=1)
    return frame


def _frontier(
    model: TwoStage, points: dict[float, tuple[Any, ...]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, mixes = [], []
    x_cols = model.template.kinds1["x"]
    x_table = model.problem.structure.x
    for beta in sorted(points):
        first, local = points[beta][0], points[beta][1]
        x = first[x_cols] * TONNES_PER_UNIT
        result = model.plan_losses(first, local)
        rows.append(
            {"beta": beta, "status": points[beta][2].value} | _totals(model, x, result, beta)
        )
        keys = _keys(model, "buyer", "commodity", "country")
        mix = x_table[keys].assign(contracted_t=x, beta=beta)
        mixes.append(mix.groupby(["beta", *keys], as_index=False).sum())
    frontier = pd.DataFrame(rows)
    mix = pd.concat(mixes, ignore_index=True)
    return frontier, mix[mix["contracted_t"] > _TOL_T].reset_index(drop=True)


def _comparison(totals: dict[str, dict[str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(totals).rename_axis("metric").reset_index()
    frame["difference"] = frame["stochastic"] - frame["expected_value"]
    return frame


def make_stochastic_result(
    model: TwoStage,
    expected_value: OptimisationResult,
    plans: dict[str, tuple[np.ndarray, np.ndarray, SolveStatus, str]],
    frontier: dict[float, tuple[Any, ...]],
    ws: Losses | None,
    run: dict[str, Any],
) -> StochasticResult:
    """Tables and figures from the solved LPs (``plans``: stochastic and expected_value answers)."""
    settings, beta = model.settings, model.settings.beta
    x_cols = model.template.kinds1["x"]
    solved = {}
    for name, (first, local, _, _) in plans.items():
        solved[name] = (first[x_cols] * TONNES_PER_UNIT, model.plan_losses(first, local))
    totals = {name: _totals(model, x, result, beta) for name, (x, result) in solved.items()}
    ws_objective = np.nan if ws is None else model.objective(ws, beta)[2]
    front, mix = _frontier(model, frontier)
    own = totals["stochastic"]
    sizes = [
        (len(p.cols1) + model.template.n_scenarios * len(p.cols)) for p in split(model.template)
    ]
    return StochasticResult(
        status="optimal",
        settings={
            "alpha": settings.alpha,
            "beta": beta,
            "cvar_scope": settings.cvar_scope.value,
            "spot_premium": settings.spot_premium,
            "contract_fee": settings.contract_fee,
            "scenarios": len(model.drawn),
            "seed": model.drawn.seed,
            "year": model.drawn.year,
            "years": list(model.drawn.years),
            "period": period(model.drawn.years),
            "policy_persistence": settings.policy_persistence,
        },
        objective_usd=own["objective_usd"],
        expected_loss_usd=own["expected_loss_usd"],
        cvar_usd=own["cvar_usd"],
        vss_usd=totals["expected_value"]["objective_usd"] - own["objective_usd"],
        evpi_usd=own["objective_usd"] - ws_objective,
        contracts=_contracts(model, solved["stochastic"][0], solved["expected_value"][0]),
        needs=_needs(model, solved),
        comparison=_comparison(totals),
        scenarios=_scenarios(model, solved, ws),
        frontier=front,
        frontier_mix=mix,
        expected_value=expected_value,
        scenario_set=model.drawn,
        run=run | {"parts": len(sizes), "largest_part_columns": max(sizes, default=0)},
    )
