"""A problem seen from the scenarios: which table row each offer, need and buyer comes from.

A :class:`ModelIndex` wraps the optimiser's parametric
:class:`~riskengine.optimise.problem.Problem` with the maps a scenario needs
(offer -> ``suppliers.csv`` row, need -> ``demand.csv`` row, x -> buyer).
:meth:`ModelIndex.scenario` turns a compiled scenario into new
:class:`~riskengine.optimise.parameters.Parameters` and reads the LP's numbers
from :func:`~riskengine.optimise.parameters.model_arrays`, the one function
that computes costs and bounds for the plan, the frontier and every scenario.
It pickles to worker processes (arrays and a few small tables).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp

from riskengine.data.dataset import Dataset
from riskengine.enums import Mode
from riskengine.exceptions import RiskEngineError
from riskengine.optimise.milp import LP_ONLY
from riskengine.optimise.parameters import ModelArrays, Parameters, model_arrays
from riskengine.optimise.problem import Problem
from riskengine.scenarios.model import ScenarioEffect

__all__ = ["ModelIndex", "ScenarioArrays", "index_problem"]


@dataclass(frozen=True, repr=False)
class ScenarioArrays:
    """The LP under one scenario: its parameters and its numbers (model units: kt, kUSD)."""

    params: Parameters
    model: ModelArrays

    @property
    def col_upper(self) -> np.ndarray:
        """Column upper bounds, kt."""
        return self.model.upper

    @property
    def col_cost(self) -> np.ndarray:
        """Column costs, kUSD per kt."""
        return self.model.cost

    @property
    def row_lower(self) -> np.ndarray:
        """Row lower bounds."""
        return self.model.row_lower

    @property
    def row_upper(self) -> np.ndarray:
        """Row upper bounds."""
        return self.model.row_upper

    @property
    def demand_t(self) -> np.ndarray:
        """Demand per need, tonnes."""
        return self.params.demand_t

    @property
    def capacity_t(self) -> np.ndarray:
        """Capacity per offer (problem order), tonnes."""
        return self.params.capacity_t

    @property
    def avail_x(self) -> np.ndarray | None:
        """Share of its offer's capacity each x may take (None = all)."""
        return self.params.availability


@dataclass(frozen=True, repr=False)
class ModelIndex:
    """The problem and the table rows its offers, needs and buyers come from."""

    problem: Problem
    buyers: tuple[str, ...]
    offer_row: np.ndarray
    need_row: np.ndarray
    x_buyer: np.ndarray
    basis: tuple[np.ndarray, np.ndarray] | None = field(default=None)

    @property
    def joint(self) -> bool:
        """True in joint mode."""
        return self.problem.mode is Mode.JOINT

    @property
    def n_x(self) -> int:
        """x columns (they come first)."""
        return self.problem.n_x

    @property
    def n_pairs(self) -> int:
        """Needs (buyer-commodity pairs); their shortfall columns follow the x."""
        return self.problem.n_pairs

    @property
    def n_cols(self) -> int:
        """All columns."""
        return self.problem.n_cols

    @property
    def n_rows(self) -> int:
        """Rows over all blocks."""
        return self.problem.n_rows

    @property
    def x_offer(self) -> np.ndarray:
        """Offer (problem order) of every x column."""
        return self.problem.structure.x_offer

    @property
    def x_pair(self) -> np.ndarray:
        """Need of every x column."""
        return self.problem.structure.x_need

    @cached_property
    def csc(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The constraint matrix as (start, index, value), column-wise, for HiGHS."""
        csc = self.problem.matrix.tocsc()
        return (
            csc.indptr.astype(np.int32),
            csc.indices.astype(np.int32),
            csc.data.astype(float),
        )

    def with_basis(self, col_status: np.ndarray, row_status: np.ndarray) -> ModelIndex:
        """The same index carrying a HiGHS basis (status codes) to warm-start from."""
        basis = (np.asarray(col_status, np.int8), np.asarray(row_status, np.int8))
        return replace(self, basis=basis)

    # ------------------------------------------------------------------ scenario

    def parameters(self, effect: ScenarioEffect) -> Parameters:
        """The base parameters changed by ``effect`` (factors on table rows)."""
        base = self.problem.params
        changes: dict[str, object] = {}
        if effect.demand is not None:
            changes["demand_t"] = base.demand_t * effect.demand[self.need_row]
        if effect.capacity is not None:
            factor = effect.capacity[self.offer_row]
            changes["capacity_t"] = base.capacity_t * factor
            changes["contracted_t"] = base.contracted_t * factor
        rows = self.offer_row[self.x_offer]
        if effect.availability is not None:
            share = effect.availability[self.x_buyer, rows]
            changes["availability"] = (
                share if base.availability is None else share * base.availability
            )
        price = base.price_usd_per_kg
        if effect.price is not None:
            price = price * effect.price[rows]
        if effect.buyer_price is not None:
            price = price * effect.buyer_price[self.x_buyer, rows]
        if price is not base.price_usd_per_kg:
            changes["price_usd_per_kg"] = price
        return base.replace(**changes) if changes else base

    def scenario(self, effect: ScenarioEffect) -> ScenarioArrays:
        """Parameters and LP numbers under ``effect``."""
        params = self.parameters(effect)
        return ScenarioArrays(params, model_arrays(self.problem.structure, params))

    # ------------------------------------------------------------------ totals

    def pair_sums(self, per_x: np.ndarray) -> np.ndarray:
        """Sum x-column quantities per need; ``per_x`` is ``(n_x,)`` or ``(S, n_x)``."""
        per_x = np.atleast_2d(per_x)
        out = np.zeros((per_x.shape[0], self.n_pairs))
        np.add.at(out, (slice(None), self.x_pair), per_x)  # type: ignore[arg-type]  # numpy's stubs reject a tuple index numpy accepts
        return out

    def deliveries(self, arrays: ScenarioArrays, plan_t: np.ndarray) -> np.ndarray:
        """Tonnes a fixed plan receives under a scenario (exposure rule, ``docs/scenarios.md``).

        Each (buyer, offer) gets ``min(planned, what is available to that buyer)``;
        in ``joint`` mode, when the buyers' deliveries from one offer exceed its
        scaled capacity they are cut pro rata. Within solver tolerance (1e-9
        relative) a planned volume counts as available.
        """
        cap_x = arrays.capacity_t[self.x_offer]
        if self.joint:
            limit = cap_x if arrays.avail_x is None else cap_x * arrays.avail_x
        else:
            limit = arrays.model.x_capacity_t
        got = np.where(plan_t <= limit * (1 + 1e-9), plan_t, limit)
        if not self.joint:
            return got
        cap = arrays.capacity_t
        taken = np.bincount(self.x_offer, got, minlength=len(cap))
        scale = np.divide(cap, taken, out=np.ones_like(cap), where=taken > cap * (1 + 1e-9))
        return np.asarray(got * scale[self.x_offer])

    @cached_property
    def _policy_rows(self) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, np.ndarray]:
        """The soft policy rows as sums over x: ``(matrix, is_cap, share, need)``.

        A country cap's row of ``matrix`` adds the x whose material is in its
        country at its stage (one entry per x and stage, as the caps bind at
        every stage); a partner floor's row adds the need's x from home or a
        partner. Built once per index: a stress test reads it twice per scenario.
        """
        structure = self.problem.structure
        rows = structure.violations.reset_index(drop=True)
        is_cap = (rows["family"] == "country_cap").to_numpy()
        keys = pd.DataFrame(
            {
                "row": np.arange(len(rows)),
                "need": rows["need"].to_numpy(dtype=int),
                "stage": rows["stage"].fillna("").astype(str).to_numpy(),
                "country": rows["country"].astype(str).to_numpy(),
            }
        )
        at = structure.stages
        stages = pd.DataFrame(
            {
                "x": at["x"].to_numpy(dtype=int),
                "need": at["need"].to_numpy(dtype=int),
                "stage": at["stage"].fillna("").astype(str).to_numpy(),
                "country": at["country"].astype(str).to_numpy(),
            }
        )
        caps = keys[is_cap].merge(stages, on=["need", "stage", "country"])
        x = structure.x
        trusted = pd.DataFrame({"x": np.arange(len(x)), "need": x["need"].to_numpy(dtype=int)})[
            (x["relation"] != "other").to_numpy()
        ]
        floors = keys.loc[~is_cap, ["row", "need"]].merge(trusted, on="need")
        entries = pd.concat([caps[["row", "x"]], floors[["row", "x"]]], ignore_index=True)
        matrix = sp.csr_matrix(
            (np.ones(len(entries)), (entries["row"].to_numpy(), entries["x"].to_numpy())),
            shape=(len(rows), self.n_x),
        )
        share = rows["share"].to_numpy(dtype=float)
        return matrix, is_cap, share, keys["need"].to_numpy()

    def excess_t(self, x_t: np.ndarray) -> np.ndarray:
        """Tonnes over each soft policy row (the problem's violation columns) for purchases x."""
        if self.problem.structure.violations.empty:
            return np.zeros(0)
        matrix, is_cap, share, need = self._policy_rows
        bought = self.pair_sums(x_t)[0]
        summed = matrix @ np.asarray(x_t, dtype=float)
        over_cap = summed - share * bought[need]
        under_floor = share * bought[need] - summed
        return np.asarray(np.maximum(np.where(is_cap, over_cap, under_floor), 0.0))

    def money(
        self, arrays: ScenarioArrays, x_t: np.ndarray, short_t: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Purchase, risk charge, lost supply and violations (USD) per need under a scenario."""
        lay = self.problem.layout
        parts = arrays.model.parts
        purchase = self.pair_sums(parts["purchase"][lay.x] * x_t)[0]
        risk = self.pair_sums(parts["risk_charge"][lay.x] * x_t)[0]
        risk = risk + parts["risk_charge"][lay.shortfall] * short_t
        lost = parts["lost_supply"][lay.shortfall] * short_t
        violation: np.ndarray = np.zeros(self.n_pairs)
        if lay.n_violation:
            need = self.problem.structure.violations["need"].to_numpy(dtype=int)
            paid = parts["violation"][lay.violation] * self.excess_t(x_t)
            violation = np.bincount(need, paid, minlength=self.n_pairs)
        return {
            "purchase_usd": purchase,
            "risk_charge_usd": risk,
            "lost_supply_usd": lost,
            "violation_usd": violation,
        }


# --------------------------------------------------------------------------- build


def index_problem(problem: Problem, dataset: Dataset) -> ModelIndex:
    """The :class:`ModelIndex` of a problem built from ``dataset``.

    Raises
    ------
    RiskEngineError
        For a MILP (minimum order quantity or supplier limit): scenarios
        re-solve the LP only.
    """
    if problem.is_mip:
        raise RiskEngineError(LP_ONLY)
    structure = problem.structure
    buyers = tuple(sorted(set(dataset.demand["buyer"].astype(str))))
    need_row = structure.needs["row"].to_numpy(dtype=int)
    x_buyer = np.searchsorted(np.asarray(buyers), structure.x["buyer"].to_numpy(dtype=str))
    return ModelIndex(
        problem=problem,
        buyers=buyers,
        offer_row=structure.offers["row"].to_numpy(dtype=int),
        need_row=need_row,
        x_buyer=x_buyer.astype(int),
    )
