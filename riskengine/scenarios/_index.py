"""Where each column and row of a :class:`Problem` comes from, as plain arrays.

A :class:`ModelIndex` is what the sweep, the exposure and the robust model
share: for every ``x[b,o]`` column its offer, buyer and buyer-commodity pair;
for every row that a scenario changes its offer or pair. From it,
:meth:`ModelIndex.scenario` computes the column bounds, costs and row bounds of
the LP under one scenario, exactly as :func:`~riskengine.optimise.build_problem`
would compute them from the scenario's tables (same formulas, same order of
floating-point operations). It holds only numpy arrays, so it pickles cheaply
to worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from riskengine.data.dataset import Dataset
from riskengine.enums import Mode
from riskengine.exceptions import RiskEngineError
from riskengine.optimise._milp import LP_ONLY
from riskengine.optimise.problem import TONNES_PER_UNIT, Problem
from riskengine.scenarios.model import ScenarioEffect

__all__ = ["ModelIndex", "ScenarioArrays", "index_problem"]


@dataclass(frozen=True)
class ScenarioArrays:
    """The LP under one scenario. Model units (kt, kUSD) unless the name says tonnes."""

    col_upper: np.ndarray
    col_cost: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    demand_t: np.ndarray
    capacity_t: np.ndarray
    price_x: np.ndarray
    avail_x: np.ndarray | None


@dataclass(frozen=True, repr=False)
class ModelIndex:
    """A problem's structure as integer arrays, plus its baseline data (see module doc)."""

    joint: bool
    buyers: tuple[str, ...]
    n_x: int
    n_pairs: int
    x_offer: np.ndarray
    x_buyer: np.ndarray
    x_pair: np.ndarray
    x_alone: np.ndarray
    price: np.ndarray
    risk: np.ndarray
    risk_aversion: float
    sigma: float
    penalty_usd_per_t: np.ndarray
    demand_t: np.ndarray
    demand_row: np.ndarray
    pair_commodity: np.ndarray
    capacity_t: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    demand_rows: np.ndarray
    cap_rows: np.ndarray
    cap_row_offer: np.ndarray
    cc_rows: np.ndarray
    cc_row_pair: np.ndarray
    cc_theta: np.ndarray
    contract_rows: np.ndarray
    contract_row_offer: np.ndarray
    a_start: np.ndarray
    a_index: np.ndarray
    a_value: np.ndarray
    basis: tuple[np.ndarray, np.ndarray] | None = field(default=None)

    @property
    def n_cols(self) -> int:
        """Columns: x, then one shortfall per pair."""
        return self.n_x + self.n_pairs

    @property
    def n_rows(self) -> int:
        """Rows over all blocks."""
        return len(self.row_lower)

    def with_basis(self, col_status: np.ndarray, row_status: np.ndarray) -> ModelIndex:
        """The same index carrying a HiGHS basis (status codes) to warm-start from."""
        return replace(
            self, basis=(np.asarray(col_status, np.int8), np.asarray(row_status, np.int8))
        )

    # ------------------------------------------------------------------ scenario

    def scenario(self, effect: ScenarioEffect) -> ScenarioArrays:
        """Column bounds and costs and row bounds of the LP under ``effect``."""
        demand = (
            self.demand_t
            if effect.demand is None
            else (self.demand_t * effect.demand[self.demand_row])
        )
        cap = self.capacity_t if effect.capacity is None else self.capacity_t * effect.capacity
        avail = (
            None
            if effect.availability is None
            else (effect.availability[self.x_buyer, self.x_offer])
        )
        ub_x = np.minimum(self.sigma * demand[self.x_pair], self._capacity_ub(cap, demand, avail))
        price = self._price(effect)
        base = 1000.0 * price
        cost_x = base + self.risk_aversion * (1000.0 * price * self.risk / 100.0)
        upper = np.concatenate([ub_x, np.full(self.n_pairs, np.inf)]) / TONNES_PER_UNIT
        cost = np.concatenate([cost_x, self.penalty_usd_per_t])
        lower, row_upper = self.row_lower.copy(), self.row_upper.copy()
        lower[self.demand_rows] = demand / TONNES_PER_UNIT
        row_upper[self.demand_rows] = demand / TONNES_PER_UNIT
        row_upper[self.cap_rows] = cap[self.cap_row_offer] / TONNES_PER_UNIT
        row_upper[self.cc_rows] = self.cc_theta * demand[self.cc_row_pair] / TONNES_PER_UNIT
        if effect.capacity is not None and len(self.contract_rows):
            lower[self.contract_rows] *= effect.capacity[self.contract_row_offer]
        return ScenarioArrays(upper, cost, lower, row_upper, demand, cap, price, avail)

    def _capacity_ub(
        self, cap: np.ndarray, demand: np.ndarray, avail: np.ndarray | None
    ) -> np.ndarray:
        cap_x = cap[self.x_offer]
        if self.joint:
            limited = cap_x if avail is None else cap_x * avail
            shared = np.inf if avail is None else np.where(avail < 1.0, cap_x * avail, np.inf)
            return np.where(self.x_alone, limited, shared)
        total = np.bincount(self.pair_commodity, demand)[self.pair_commodity]
        share = np.divide(demand, total, out=np.zeros_like(demand), where=total > 0)
        slice_x = cap_x * share[self.x_pair]
        return slice_x if avail is None else slice_x * avail

    def _price(self, effect: ScenarioEffect) -> np.ndarray:
        price = self.price
        if effect.price is not None:
            price = price * effect.price[self.x_offer]
        if effect.buyer_price is not None:
            price = price * effect.buyer_price[self.x_buyer, self.x_offer]
        return price

    # ------------------------------------------------------------------ totals

    def pair_sums(self, per_x: np.ndarray) -> np.ndarray:
        """Sum x-column quantities per pair; ``per_x`` is ``(n_x,)`` or ``(S, n_x)``."""
        per_x = np.atleast_2d(per_x)
        out = np.zeros((per_x.shape[0], self.n_pairs))
        np.add.at(out, (slice(None), self.x_pair), per_x)
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
            total = np.bincount(self.pair_commodity, arrays.demand_t)[self.pair_commodity]
            share = np.divide(arrays.demand_t, total, out=np.zeros_like(total), where=total > 0)
            limit = cap_x * share[self.x_pair]
            limit = limit if arrays.avail_x is None else limit * arrays.avail_x
        got = np.where(plan_t <= limit * (1 + 1e-9), plan_t, limit)
        if not self.joint:
            return got
        cap = arrays.capacity_t
        taken = np.bincount(self.x_offer, got, minlength=len(cap))
        scale = np.divide(cap, taken, out=np.ones_like(cap), where=taken > cap * (1 + 1e-9))
        return got * scale[self.x_offer]

    def x_costs(self, arrays: ScenarioArrays, tonnes: np.ndarray) -> tuple[np.ndarray, ...]:
        """Purchase and risk charge (USD) of ``tonnes`` bought per x column."""
        purchase = 1000.0 * arrays.price_x * tonnes
        return purchase, self.risk_aversion * purchase * self.risk / 100.0


# --------------------------------------------------------------------------- build


def index_problem(problem: Problem, dataset: Dataset) -> ModelIndex:
    """The :class:`ModelIndex` of a problem built from ``dataset``.

    Raises
    ------
    RiskEngineError
        For a MILP (minimum order quantity or supplier limit): the index
        describes the LP only.
    """
    if problem.is_mip:
        raise RiskEngineError(LP_ONLY)
    cols = problem.columns
    n_x = problem.n_x
    xcols, short = cols.iloc[:n_x], cols.iloc[n_x:]
    offers = dataset.suppliers.reset_index(drop=True)
    offer_pos = _positions(offers, ["supplier_id", "commodity"])
    buyers = tuple(sorted(set(dataset.demand["buyer"].astype(str))))
    demand_pos = _positions(dataset.demand.reset_index(drop=True), ["buyer", "commodity"])
    pair_keys = list(zip(short["buyer"].astype(str), short["commodity"].astype(str), strict=True))
    pair_of = {key: i for i, key in enumerate(pair_keys)}
    commodities = {c: i for i, c in enumerate(sorted({c for _, c in pair_keys}))}
    x_offer = np.array(
        [
            offer_pos[k]
            for k in zip(
                xcols["supplier_id"].astype(str), xcols["commodity"].astype(str), strict=True
            )
        ],
        int,
    )
    rows = _row_layout(problem, offer_pos, pair_of)
    csc = problem.matrix.tocsc()
    per_offer = np.bincount(x_offer, minlength=len(offers))
    return ModelIndex(
        joint=problem.mode is Mode.JOINT,
        buyers=buyers,
        n_x=n_x,
        n_pairs=len(short),
        x_offer=x_offer,
        x_buyer=np.array([buyers.index(b) for b in xcols["buyer"].astype(str)], int),
        x_pair=xcols["pair"].to_numpy(dtype=int),
        x_alone=per_offer[x_offer] == 1,
        price=xcols["price_usd_per_kg"].to_numpy(dtype=float),
        risk=xcols["risk_score"].to_numpy(dtype=float),
        risk_aversion=float(problem.risk_aversion),
        sigma=float(problem.settings.get("sigma", 1.0)),  # type: ignore[arg-type]
        penalty_usd_per_t=problem.base_cost[n_x:].astype(float),
        demand_t=short["demand_t"].to_numpy(dtype=float),
        demand_row=np.array([demand_pos[k] for k in pair_keys], int),
        pair_commodity=np.array([commodities[c] for _, c in pair_keys], int),
        capacity_t=_capacity(offers, xcols, x_offer),
        row_lower=problem.row_lower.astype(float),
        row_upper=problem.row_upper.astype(float),
        **rows,
        a_start=csc.indptr.astype(np.int32),
        a_index=csc.indices.astype(np.int32),
        a_value=csc.data.astype(float),
    )


def _capacity(offers: pd.DataFrame, xcols: pd.DataFrame, x_offer: np.ndarray) -> np.ndarray:
    """Capacity per offer as the problem uses it (e.g. after status availability), t/yr."""
    capacity = offers["capacity_t"].to_numpy(dtype=float).copy()
    capacity[x_offer] = xcols["capacity_t"].to_numpy(dtype=float)
    return capacity


def _positions(frame: pd.DataFrame, keys: list[str]) -> dict[tuple[str, ...], int]:
    values = zip(*(frame[k].astype(str) for k in keys), strict=True)
    return {key: i for i, key in enumerate(values)}


def _row_layout(problem: Problem, offer_pos: dict, pair_of: dict) -> dict[str, np.ndarray]:
    """Positions of the rows a scenario changes, and what each depends on."""
    out = {
        k: []
        for k in (
            "demand_rows",
            "cap_rows",
            "cap_row_offer",
            "cc_rows",
            "cc_row_pair",
            "cc_theta",
            "contract_rows",
            "contract_row_offer",
        )
    }
    start = 0
    for block in problem.blocks:
        rows = block.rows
        where = np.arange(start, start + len(block))
        if block.family == "demand":
            out["demand_rows"] = where
        elif block.family == "capacity":
            out["cap_rows"] = where
            out["cap_row_offer"] = [
                offer_pos[k] for k in zip(rows["supplier_id"], rows["commodity"], strict=True)
            ]
        elif block.family == "country_cap":
            out["cc_rows"] = where
            out["cc_row_pair"] = [
                pair_of[k] for k in zip(rows["buyer"], rows["commodity"], strict=True)
            ]
            out["cc_theta"] = rows["share"].to_numpy(dtype=float)
        elif block.family == "contract":
            out["contract_rows"] = where
            out["contract_row_offer"] = [
                offer_pos[k] for k in zip(rows["supplier_id"], rows["commodity"], strict=True)
            ]
        start += len(block)
    return {k: np.asarray(v, dtype=float if k == "cc_theta" else int) for k, v in out.items()}
