"""Coalitions of buyers: every sub-coalition of a joint problem, solved as warm re-solves.

A coalition S buys together with the capacity its members would have alone.
Alone, a buyer takes each offer's capacity pro rata to its demand (the
contract's ``separate`` mode), so S brings the sum of its members' slices:
``K[o] x sum_{b in S} D[b,c] / sum_b D[b,c]`` (contracted minimum volumes
likewise), and the demand of buyers outside S is 0. This is the same
:class:`~riskengine.optimise.problem.Structure` with other
:class:`~riskengine.optimise.parameters.Parameters`
(:meth:`~riskengine.optimise.problem.Problem.with_parameters`), so the 2^n
solves change only bounds in one loaded HiGHS model: small blocks start from
the last basis, large ones (interior point) afresh.

With these resources the game is a *linear production game* (Owen 1975):
the coalition's right-hand sides are the sums of its members' (demand rows
and capacity slices), so the savings ``v(S) = sum_{b in S} C({b}) - C(S)``
are never negative, grow with the coalition, and the core is never empty.
C(S) is the model cost the optimiser minimises (purchase + risk charge +
lost supply + violations); the purchase money and the tonnes short are
reported beside it, never added into it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cached_property
from itertools import combinations
from math import factorial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskengine.optimise._staged import need_matrix
from riskengine.optimise.parameters import Parameters, base_mix_t, model_arrays, offtake_split
from riskengine.optimise.problem import Problem
from riskengine.optimise.solution import Solution, to_solution
from riskengine.optimise.solving import solve

if TYPE_CHECKING:
    from riskengine.optimise.highs import HighsModel

__all__ = [
    "MONEY_TERMS",
    "CoalitionGame",
    "coalition_name",
    "core_excess",
    "least_core",
    "need_money",
    "shapley_values",
]

#: Per-buyer figures of a plan: money paid (purchase, holding stocks, thrifted product
#: premiums), each model cost (risk charge, lost supply, violations), and their sum.
MONEY_TERMS = (
    "purchase_usd",
    "holding_usd",
    "thrifting_usd",
    "risk_charge_usd",
    "lost_supply_usd",
    "violation_usd",
    "model_cost_usd",
)
#: Each money term and the objective part (:data:`~.parameters.COST_PARTS`) it sums.
_PARTS = {term: term.removesuffix("_usd") for term in MONEY_TERMS[:-1]}


def coalition_name(members: Iterable[str]) -> str:
    """``EU+JP`` for a set of buyers (sorted)."""
    return "+".join(sorted(members))


def need_money(
    problem: Problem, values_t: np.ndarray, demand_t: np.ndarray | None = None
) -> pd.DataFrame:
    """Per need: demand, served and short tonnes, and each objective term in USD.

    The terms of all needs add up to the objective (contract 5.5 keeps the
    purchase money apart from the model costs: ``model_cost_usd`` is their sum,
    a model figure). ``demand_t`` overrides the problem's demand (a coalition's).
    """
    s, lay = problem.structure, problem.layout
    values = np.asarray(values_t, dtype=float)
    owner = need_matrix(s)
    keep = [c for c in ("buyer", "commodity", "year", "need") if c in s.needs.columns]
    frame = s.needs[keep].copy()
    frame["demand_t"] = problem.params.demand_t if demand_t is None else demand_t
    frame["shortfall_t"] = np.maximum(values[lay.shortfall], 0.0)
    frame["served_t"] = frame["demand_t"] - frame["shortfall_t"]
    parts = problem.arrays.parts
    above_base = values.copy()  # thrifting is the premium above the data-year product mix
    above_base[lay.z] -= base_mix_t(s, problem.params)
    for column, part in _PARTS.items():
        used = above_base if part == "thrifting" else values
        frame[column] = owner @ (parts[part] * used) if part in parts else 0.0
    frame["model_cost_usd"] = frame[list(_PARTS)].sum(axis=1)
    return frame.reset_index(drop=True)


class CoalitionGame:
    """Every sub-coalition of the buyers of a joint problem.

    Parameters
    ----------
    problem : Problem
        A ``joint`` problem; its buyers are the players.
    solver, backend, time_limit_s
        As for :func:`~riskengine.optimise.solve`. The HiGHS backend re-solves
        one loaded model (warm starts); PuLP, a MILP or the lexicographic
        shortfall rule solve each coalition afresh.
    """

    def __init__(
        self,
        problem: Problem,
        solver: str = "highs",
        backend: str | None = None,
        time_limit_s: float | None = 60.0,
    ) -> None:
        self.problem = problem
        self.solver, self.backend, self.time_limit_s = solver, backend, time_limit_s
        needs = problem.structure.needs
        self.buyers: tuple[str, ...] = tuple(sorted(set(needs["buyer"].astype(str))))
        self._need_buyer = pd.Index(self.buyers).get_indexer(needs["buyer"].astype(str))
        self._model: HighsModel | None = None
        self._solved: dict[frozenset[str], pd.DataFrame] = {}
        self._totals: dict[frozenset[str], pd.Series] = {}
        self.solves = 0

    # ------------------------------------------------------------------ parameters
    @cached_property
    def _offer_group(self) -> np.ndarray:
        """Per offer, the pro-rata group (commodity) of the needs that can buy it; -1 = none."""
        s = self.problem.structure
        group = np.full(len(s.offers), -1)
        group[s.x_offer] = s.need_group[s.x_need]
        return group

    def parameters(self, members: Iterable[str]) -> Parameters:
        """The coalition's parameters: members' demand, stocks and the sum of their capacity slices.

        Buyers outside the coalition have no demand (element rows and product
        families), no opening stock and no stock target. An offer keeps the
        members' offtakes of it (a contract binds the plant to its buyer) plus
        the members' pro-rata share of the rest of its capacity in each
        (commodity, year), as in the separate mode
        (:func:`~riskengine.optimise.parameters.offtake_split`). Each buyer's
        resources are its own, so a coalition pools the sum of its members':
        what a buyer can do alone it can do in any coalition, savings are never
        negative, and the grand coalition is the joint plan.
        """
        inside = np.isin(self._need_buyer, pd.Index(self.buyers).get_indexer(list(members)))
        p, s = self.problem.params, self.problem.structure
        total = np.bincount(s.need_group, p.demand_t)
        mine = np.bincount(s.need_group, p.demand_t * inside, minlength=len(total))
        share = np.divide(mine, total, out=np.zeros_like(total), where=total > 0)
        offer_share = np.where(self._offer_group >= 0, share[self._offer_group], 0.0)
        own, rest = offtake_split(s, p)
        member_x = inside[s.x_need]
        kept = np.bincount(s.x_offer, own * member_x, minlength=len(p.capacity_t))
        changes: dict[str, np.ndarray | None] = {
            "demand_t": p.demand_t * inside,
            "capacity_t": kept + rest * offer_share,
            "contracted_t": p.contracted_t * offer_share,
        }
        if p.x_lower_t is not None:  # members' offtakes, as far as the plant makes them
            changes["x_lower_t"] = own * member_x
        if p.direct_demand_t is not None:
            changes["direct_demand_t"] = p.direct_demand_t * inside
        if len(p.family_t):  # product families: (buyer, family, year) rows of the variants
            member = s.variants["buyer"].astype(str).isin(list(members)).to_numpy()
            rows_in = np.zeros(len(p.family_t), dtype=bool)
            rows_in[p.z_family[member]] = True
            changes["family_t"] = p.family_t * rows_in
        if p.opening_t is not None:
            changes["opening_t"] = p.opening_t * inside
        if len(p.stock_target_t):
            changes["stock_target_t"] = p.stock_target_t * inside[s.gaps["need"].to_numpy(int)]
        return p.replace(**changes)

    def coalition_problem(self, members: Iterable[str]) -> Problem:
        """The same structure with the coalition's parameters (for a fresh solve)."""
        return self.problem.with_parameters(**_changes(self.parameters(members)))

    # ------------------------------------------------------------------ solving
    def _warm(self) -> bool:
        from riskengine.optimise.solving import resolve_backend

        plain = not (self.problem.is_mip or self.problem.lexicographic)
        return plain and resolve_backend(self.solver, self.backend) == "highs"

    def _resolve(self, params: Parameters) -> Solution:
        from riskengine.optimise.highs import HighsModel, highs_version

        if self._model is None:
            self._model = HighsModel(self.problem, self.time_limit_s)
        arrays = model_arrays(self.problem.structure, params)
        self._model.restart()
        for part in self._model.parts:
            n, r = len(part.cols), len(part.rows)
            part.highs.changeColsBounds(
                n, np.arange(n, dtype=np.int32), arrays.lower[part.cols], arrays.upper[part.cols]
            )
            if r:
                part.highs.changeRowsBounds(  # type: ignore[attr-defined]  # in highspy, not in its stubs
                    r,
                    np.arange(r, dtype=np.int32),
                    arrays.row_lower[part.rows],
                    arrays.row_upper[part.rows],
                )
        answer, seconds = self._model.run()
        return to_solution(answer, "highs", highs_version(), "highs", (0.0, seconds))

    def solve(self, members: Iterable[str]) -> Solution:
        """The coalition's optimal plan (tonnes); status as the solver reports it."""
        params = self.parameters(members)
        self.solves += 1
        if self._warm():
            return self._resolve(params)
        return solve(
            self.problem.with_parameters(**_changes(params)),
            self.solver,
            self.backend,
            self.time_limit_s,
        )

    def outcome(self, members: Iterable[str]) -> pd.DataFrame:
        """Per need of the coalition's members: tonnes and money in its optimal plan.

        Raises
        ------
        SolverError
            When the coalition's plan is not optimal.
        """
        key = frozenset(members)
        if key not in self._solved:
            solution = self.solve(key)
            if not solution.is_ok or solution.values_t is None:
                from riskengine.exceptions import SolverError

                raise SolverError(
                    f"the plan of coalition {coalition_name(key)} is not optimal (status "
                    f"{solution.status.value}: {solution.message}); raise "
                    "optimiser.time_limit_s or try the other solver"
                )
            demand = self.parameters(key).demand_t
            frame = need_money(self.problem, solution.values_t, demand)
            self._solved[key] = frame[frame["buyer"].isin(key)].reset_index(drop=True)
        return self._solved[key]

    def totals(self, members: Iterable[str]) -> pd.Series:
        """Coalition totals: tonnes and money of its optimal plan."""
        key = frozenset(members)
        if key not in self._totals:
            columns = ["demand_t", "served_t", "shortfall_t", *MONEY_TERMS]
            self._totals[key] = self.outcome(key)[columns].sum()
        return self._totals[key]

    def alone(self) -> pd.DataFrame:
        """Per need: each buyer's plan alone (its pro-rata slice of every offer)."""
        return pd.concat([self.outcome([b]) for b in self.buyers], ignore_index=True)

    # ------------------------------------------------------------------ the game
    def subsets(self, buyers: Sequence[str] | None = None) -> list[frozenset[str]]:
        """Every non-empty subset of ``buyers`` (default all), by size then name."""
        pool = sorted(self.buyers if buyers is None else buyers)
        return [frozenset(c) for k in range(1, len(pool) + 1) for c in combinations(pool, k)]

    def characteristic(self, coalitions: Sequence[frozenset[str]] | None = None) -> pd.DataFrame:
        """The characteristic function: per coalition its costs, and its savings over alone.

        Columns: ``coalition``, ``size``; ``model_cost_usd`` (C(S)),
        ``alone_model_cost_usd`` (sum of C({b})), ``savings_usd`` (v(S) =
        alone - together: the characteristic function); ``purchase_usd``,
        ``alone_purchase_usd``, ``purchase_saving_usd`` (money paid);
        ``shortfall_t``, ``alone_shortfall_t``, ``shortfall_reduction_t``.
        """
        rows = []
        for members in self.subsets() if coalitions is None else coalitions:
            together = self.totals(members)
            alone = sum(self.totals([b]) for b in sorted(members))
            rows.append(
                {
                    "coalition": coalition_name(members),
                    "size": len(members),
                    "model_cost_usd": together["model_cost_usd"],
                    "alone_model_cost_usd": alone["model_cost_usd"],
                    "savings_usd": alone["model_cost_usd"] - together["model_cost_usd"],
                    "purchase_usd": together["purchase_usd"],
                    "alone_purchase_usd": alone["purchase_usd"],
                    "purchase_saving_usd": alone["purchase_usd"] - together["purchase_usd"],
                    "shortfall_t": together["shortfall_t"],
                    "alone_shortfall_t": alone["shortfall_t"],
                    "shortfall_reduction_t": alone["shortfall_t"] - together["shortfall_t"],
                }
            )
        return pd.DataFrame(rows)

    def savings(self) -> dict[frozenset[str], float]:
        """v(S) in USD for every coalition (0 for single buyers)."""
        table = self.characteristic()
        keys = self.subsets()
        return dict(zip(keys, table["savings_usd"].astype(float), strict=True))


def _changes(params: Parameters) -> dict[str, np.ndarray | None]:
    return {
        "demand_t": params.demand_t,
        "capacity_t": params.capacity_t,
        "contracted_t": params.contracted_t,
        "opening_t": params.opening_t,
        "x_lower_t": params.x_lower_t,
        "direct_demand_t": params.direct_demand_t,
        "family_t": params.family_t,
        "stock_target_t": params.stock_target_t,
    }


def shapley_values(players: Sequence[str], value: dict[frozenset[str], float]) -> pd.Series:
    """Shapley values of a game given every coalition's value (the empty one is 0).

    ``phi_b = sum over S not containing b of |S|! (n-|S|-1)! / n! x (v(S + b) - v(S))``;
    they add up to v(all players).
    """
    n = len(players)
    out = {}
    for b in players:
        others = [p for p in players if p != b]
        total = 0.0
        for k in range(n):
            weight = factorial(k) * factorial(n - k - 1) / factorial(n)
            for group in combinations(others, k):
                s = frozenset(group)
                total += weight * (value[s | {b}] - value.get(s, 0.0))
        out[b] = total
    return pd.Series(out, name="shapley_usd", dtype=float)


def core_excess(allocation: pd.Series, value: dict[frozenset[str], float]) -> pd.DataFrame:
    """For every coalition S: what its members get minus v(S) (negative = S would leave).

    An allocation of the grand coalition's savings is in the core when every
    excess is >= 0 and the allocation adds up to v(all). Columns:
    ``coalition, size, value_usd, allocated_usd, excess_usd``: proper coalitions
    most blocking first, the grand coalition (whose excess is the efficiency gap) last.
    """
    rows = [
        {
            "coalition": coalition_name(s),
            "size": len(s),
            "value_usd": v,
            "allocated_usd": float(allocation.reindex(sorted(s)).fillna(0.0).sum()),
        }
        for s, v in value.items()
    ]
    frame = pd.DataFrame(rows)
    frame["excess_usd"] = frame["allocated_usd"] - frame["value_usd"]
    frame["grand"] = frame["size"] == frame["size"].max()
    frame = frame.sort_values(["grand", "excess_usd", "coalition"], kind="stable")
    return frame.drop(columns="grand").reset_index(drop=True)


def least_core(
    players: Sequence[str], value: dict[frozenset[str], float]
) -> tuple[pd.Series, float]:
    """A split of v(all) that gives every coalition as much above its own value as possible.

    Maximises e such that every proper coalition S gets at least v(S) + e and
    the split adds up to v(all) (the least core, an LP). e >= 0 means the
    core is not empty and the split returned is in it.

    Returns
    -------
    (allocation, excess)
        Savings per player (USD) and e (USD).
    """
    import highspy

    from riskengine.optimise.highs import new_highs

    n = len(players)
    grand = frozenset(players)
    proper = [s for s in value if s and s != grand]
    h = new_highs(None)
    inf = highspy.kHighsInf
    scale = max(1.0, max((abs(v) for v in value.values()), default=1.0))
    h.addVars(n + 1, np.full(n + 1, -inf), np.full(n + 1, inf))
    h.changeColCost(n, -1.0)  # maximise e
    index = {p: i for i, p in enumerate(players)}
    for s in proper:
        cols = np.array([index[p] for p in sorted(s)] + [n], dtype=np.int32)
        vals = np.array([1.0] * len(s) + [-1.0])
        h.addRow(value[s] / scale, inf, len(cols), cols, vals)
    total = value.get(grand, 0.0) / scale
    h.addRow(total, total, n, np.arange(n, dtype=np.int32), np.ones(n))
    h.run()
    x = np.asarray(h.getSolution().col_value, dtype=float) * scale
    return pd.Series(x[:n], index=list(players), name="least_core_usd"), float(x[n])
