"""The cost-risk frontier: the plan at several values of ``risk_aversion`` (lambda)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskengine import _notebook as nb
from riskengine.config.arguments import check_frontier_points, check_solve_options
from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.data.frames import check_inputs
from riskengine.enums import Mode
from riskengine.optimise.api import default_scores, given_problem, with_disruption_probability
from riskengine.optimise.build import build_problem
from riskengine.optimise.problem import Problem
from riskengine.optimise.result import OptimisationResult, make_result, records
from riskengine.optimise.solution import Solution, to_solution
from riskengine.optimise.solving import resolve_backend, solve

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Frontier", "frontier", "lambda_grid"]

POINT_COLUMNS = [
    "risk_aversion",
    "status",
    "purchase_cost_usd",
    "thrifting_usd",
    "expected_loss_usd",
    "lost_supply_usd",
    "supply_loss_usd",
    "served_t",
    "shortfall_t",
    "china_share",
    "average_risk",
    "model_cost_usd",
    "serves_less",
    "efficient",
]


@dataclass(frozen=True, repr=False)
class Frontier:
    """Plans along a sweep of lambda: purchase cost against the supply loss to expect.

    Attributes
    ----------
    points : DataFrame
        One row per lambda: ``risk_aversion, status, purchase_cost_usd`` (money
        paid to suppliers), ``expected_loss_usd`` (q x V x tonnes bought: the
        disruption loss to expect in a year), ``lost_supply_usd`` (unmet demand
        at its value V), ``supply_loss_usd`` (their sum: the frontier's risk
        axis, so a plan that buys less never looks safer), ``served_t,
        shortfall_t, china_share`` (of purchases), ``average_risk``,
        ``model_cost_usd`` (the objective, a model figure), ``serves_less``
        (True when the point serves less than the best point: it is never
        compared on cost with those that serve more) and ``efficient`` (among
        the points that serve the most, no other is at least as good on
        purchase cost and supply loss and better on one). Over a multi-year
        horizon, money and tonnes are averages a year (totals over the years
        divided by their number), so the axes read the same as one year's.
    mixes : DataFrame
        ``risk_aversion, buyer, commodity, country, tonnes, share_of_purchases,
        share_of_demand``.
    results : tuple of OptimisationResult
        The full result at each point.

    Examples
    --------
    >>> import riskengine
    >>> front = riskengine.frontier(riskengine.load_dataset(), riskengine.Config(), [0, 1, 10])
    >>> front
    Frontier(points=3, efficient=...)
    >>> front.to_frame()["risk_aversion"].tolist()
    [0.0, 1.0, 10.0]
    >>> fig = front.plot(highlight=1.0)  # matplotlib Figure, lambda = 1 starred
    """

    points: pd.DataFrame
    mixes: pd.DataFrame
    results: tuple[OptimisationResult, ...] = field(default=())

    def __repr__(self) -> str:
        n_eff = int(self.points["efficient"].sum()) if len(self.points) else 0
        return f"Frontier(points={len(self.points)}, efficient={n_eff})"

    def summary(self) -> str:
        """One line per point (USD millions a year)."""
        lines = [
            "lambda  purchase USD m  supply loss USD m  served t  short t  CN share  efficient"
        ]
        for r in self.points.to_dict("records"):
            flag = "yes" if r["efficient"] else ("serves less" if r["serves_less"] else "no")
            lines.append(
                f"{r['risk_aversion']:>6.3g} {r['purchase_cost_usd'] / 1e6:>15,.1f} "
                f"{r['supply_loss_usd'] / 1e6:>18,.1f} {r['served_t']:>9,.1f} "
                f"{r['shortfall_t']:>8,.1f} {r['china_share']:>8.0%}  {flag}"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``points`` and ``mixes`` as row lists."""
        return {"points": records(self.points), "mixes": records(self.mixes)}

    def to_frame(self, table: str = "points") -> pd.DataFrame:
        """A copy of ``points`` (default: one row per lambda) or ``mixes`` (by country)."""
        return nb.pick_table(self, table, ("points", "mixes"))

    def plot(self, highlight: float | None = None) -> Figure:
        """Purchase cost against average risk; see :func:`~riskengine.plotting.plot_frontier`."""
        from riskengine.plotting import plot_frontier

        return plot_frontier(self, highlight)

    def _repr_html_(self) -> str:
        """Notebook view: how many points are optimal and efficient, then the points."""
        n_ok = int((self.points["status"] == "optimal").sum()) if len(self.points) else 0
        n_eff = int(self.points["efficient"].sum()) if len(self.points) else 0
        status = "optimal" if n_ok == len(self.points) else f"{len(self.points) - n_ok} not optimal"
        facts = [f"{len(self.points)} values of risk_aversion", f"{n_eff} efficient plans"]
        return nb.html_view(
            "Frontier",
            status,
            n_ok == len(self.points),
            facts,
            self.points,
            _HTML_COLUMNS,
            more="frontier.to_frame()",
        )


_HTML_COLUMNS: list[nb.Column] = [
    ("risk_aversion", "lambda", lambda v: f"{v:g}"),
    ("status", "status", str),
    ("purchase_cost_usd", "purchase USD m", nb.fmt_usd_m),
    ("supply_loss_usd", "supply loss USD m", nb.fmt_usd_m),
    ("served_t", "served t", nb.fmt_t),
    ("shortfall_t", "short t", nb.fmt_t),
    ("china_share", "CN", nb.fmt_pct),
    ("efficient", "efficient", lambda v: "yes" if v else "no"),
]


def lambda_grid(points: int) -> list[float]:
    """``points`` values of lambda: 0, then geometric from 0.1 to 10."""
    if points < 1:
        raise ValueError(f"points must be >= 1, got {points}")
    if points == 1:
        return [0.0]
    return [0.0, *np.geomspace(0.1, 10.0, points - 1).round(6).tolist()]


def _solutions(
    problem: Problem, lambdas: Sequence[float], config: Config, backend: str | None
) -> list[Solution]:
    """Solve at each lambda; with highspy, one model re-solved from the last basis."""
    opt = config.optimiser
    warm = resolve_backend(opt.solver, backend) == "highs" and not problem.lexicographic
    if not warm or problem.n_cols == 0:
        return [
            solve(problem.with_risk_aversion(lam), opt.solver, backend, opt.time_limit_s)
            for lam in lambdas
        ]
    from riskengine.optimise.highs import HighsModel, highs_version

    model, version, out = HighsModel(problem, opt.time_limit_s), highs_version(), []
    for lam in lambdas:
        model.set_costs(problem.with_risk_aversion(lam).cost)
        answer, seconds = model.run()
        basis = model.basis() if answer.status.is_ok and not problem.is_mip else None
        times = (model.build_s, seconds)
        out.append(to_solution(answer, "highs", version, "highs", times, basis))
    return out


def _point(result: OptimisationResult) -> dict[str, Any]:
    """One frontier row; over a horizon, money and tonnes are averages a year."""
    alloc = result.allocations
    bought = float(alloc["tonnes"].sum())
    china = float(alloc.loc[alloc["country"] == "CN", "tonnes"].sum())
    risk = float((alloc["risk_score"] * alloc["tonnes"]).sum()) / bought if bought else np.nan
    years = max(1, len(result.years))
    return {
        "risk_aversion": result.risk_aversion,
        "status": result.status.value,
        "purchase_cost_usd": result.purchase_cost_usd / years,
        "thrifting_usd": result.thrifting_usd / years,
        "expected_loss_usd": result.expected_loss_usd / years,
        "lost_supply_usd": result.lost_supply_usd / years,
        "supply_loss_usd": (result.expected_loss_usd + result.lost_supply_usd) / years,
        "served_t": result.served_t / years,
        "shortfall_t": result.shortfall_t / years,
        "china_share": china / bought if bought else np.nan,
        "average_risk": risk,
        "model_cost_usd": result.objective_usd / years,
    }


def serves_less(points: pd.DataFrame) -> np.ndarray:
    """True for points that leave more demand unmet than the best optimal point (relative 1e-7).

    Measured on ``shortfall_t`` when the table has it: with magnet demand in
    product tonnes (``bom.csv``) a plan that switches to thrifted grades needs
    fewer tonnes of the element, so it serves fewer tonnes without leaving any
    demand unmet. Without that column, on ``served_t``.
    """
    ok = (points["status"] == "optimal").to_numpy()
    if "shortfall_t" in points.columns:
        short = points["shortfall_t"].fillna(np.inf).to_numpy()
        least = short[ok].min() if ok.any() else 0.0
        return np.asarray(short > least + 1e-7 * max(1.0, float(points["served_t"].max())))
    served = points["served_t"].fillna(0.0).to_numpy()
    best = served[ok].max() if ok.any() else 0.0
    return np.asarray(served < best - 1e-7 * max(1.0, best))


def efficient(points: pd.DataFrame) -> np.ndarray:
    """True for optimal points that serve the most and no other such point dominates.

    Criteria (minimised): money paid (purchase cost, plus the thrifting premium
    for magnet grades that use less of the element when the table has it) and
    supply loss (expected disruption loss + lost supply). A point that leaves
    more demand unmet is never efficient: it would look cheaper only because it
    buys less. Ties within a relative 1e-7 count as equal.
    """
    paid = points["purchase_cost_usd"].fillna(0.0)
    if "thrifting_usd" in points.columns:
        paid = paid + points["thrifting_usd"].fillna(0.0)
    crit = np.column_stack([paid.to_numpy(), points["supply_loss_usd"].fillna(0.0).to_numpy()])
    ok = (points["status"] == "optimal").to_numpy() & ~serves_less(points)
    tol = 1e-7 * np.maximum(1.0, np.abs(crit).max(axis=0, initial=0.0))
    flags = []
    for i in range(len(crit)):
        no_worse = np.all(crit <= crit[i] + tol, axis=1)
        better = np.any(crit < crit[i] - tol, axis=1)
        flags.append(bool(ok[i]) and not np.any(no_worse & better & ok))
    return np.array(flags, dtype=bool)


def frontier(
    dataset: Dataset,
    config: Config,
    points: int | Sequence[float] = 7,
    scores: pd.DataFrame | None = None,
    mode: Mode | str | None = None,
    backend: str | None = None,
    *,
    problem: Problem | None = None,
) -> Frontier:
    """Sweep ``risk_aversion`` and mark the efficient cost-risk plans.

    Parameters
    ----------
    dataset, config
        As for :func:`~riskengine.optimise.optimise`.
    points : int or sequence of float
        Number of grid points (:func:`lambda_grid`) or the lambdas themselves.
    scores : DataFrame, optional
        Risk scores; default :func:`riskengine.scoring.score_suppliers`.
    mode, backend, problem
        As for :func:`~riskengine.optimise.optimise` (a ``problem`` built at any
        risk aversion).

    Returns
    -------
    Frontier
            ``points`` (purchase cost and supply loss in USD a year, tonnes served
        and short, China's share of purchases, efficient flag) and ``mixes`` by
        country (tonnes a year, shares 0-1).

    Examples
    --------
    >>> import riskengine
    >>> front = riskengine.frontier(riskengine.load_dataset(), riskengine.Config(), points=5)
    >>> front.points["risk_aversion"].tolist()
    [0.0, 0.1, 0.464159, 2.154435, 10.0]
    >>> bool(front.points["efficient"].any())
    True
    """
    dataset, config = check_inputs("frontier", dataset, config, scores)
    points = check_frontier_points(points)
    check_solve_options("frontier", mode, backend)
    lambdas = lambda_grid(points) if isinstance(points, int) else sorted(set(map(float, points)))
    problem = given_problem(problem, config, mode, "frontier")
    if problem is None:
        scores = (
            default_scores(dataset, config)
            if scores is None
            else with_disruption_probability(scores, dataset, config)
        )
        problem = build_problem(dataset, config, scores, mode)
    solutions = _solutions(problem, lambdas, config, backend)
    results = tuple(
        make_result(problem.with_risk_aversion(lam), sol)
        for lam, sol in zip(lambdas, solutions, strict=True)
    )
    table = pd.DataFrame([_point(r) for r in results])
    table["serves_less"] = serves_less(table)
    table["efficient"] = efficient(table)
    mixes = pd.concat(
        [r.mix_by_country.assign(risk_aversion=r.risk_aversion) for r in results], ignore_index=True
    )
    keep = [
        "risk_aversion",
        "buyer",
        "commodity",
        *(["year"] if "year" in mixes.columns else []),
        "country",
        "tonnes",
        "share_of_purchases",
        "share_of_demand",
    ]
    return Frontier(table[POINT_COLUMNS], mixes.reindex(columns=keep), results)
