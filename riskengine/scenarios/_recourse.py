"""The second stage's numbers under drawn scenarios: :class:`Recourse`, from :func:`recourse`.

For every scenario: the share of each contract delivered (physical share x
licensed share), the price paid on delivery, demand, lost-supply values, and
the spot pools (``docs/scenarios.md`` section 4): one per country and
commodity (``joint``) or per country and need (``separate``), each with the
capacity there, the share of a request a buyer receives and its price (the
dearest offer it can reach, times ``1 + spot_premium``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from riskengine.enums import CvarScope
from riskengine.exceptions import RiskEngineError
from riskengine.optimise.families import TONNES_PER_UNIT
from riskengine.scenarios._index import ModelIndex
from riskengine.scenarios.generator import ScenarioSet

__all__ = ["Recourse", "recourse", "year_index"]


@dataclass(frozen=True, repr=False)
class Recourse:
    """The second stage's numbers for every scenario (model units unless named).

    Attributes
    ----------
    probability : ndarray
        ``(S,)``.
    availability : ndarray
        ``(S, n_x)``: share of contracted tonnes delivered.
    contract_usd_t : ndarray
        ``(S, n_x)``: price paid per contracted tonne delivered.
    demand_kt : ndarray
        ``(S, needs)``.
    demand_factor : ndarray
        ``(S, needs)``: the scenario's factor on each need's demand.
    value_usd_t : ndarray
        ``(needs,)``: lost-supply value V.
    pool_x, spot_need, spot_pool : ndarray
        Pool of every x; need and pool of every spot column.
    spot_share, spot_usd_t : ndarray
        ``(S, spot)``: share of a request delivered; price per tonne delivered.
    pool_kt : ndarray
        ``(S, pools)``: capacity of each pool.
    group : ndarray
        CVaR group of every need.
    x_need : ndarray
        Need of every x.
    spot_rep : ndarray
        One x of every spot column's need and pool (its policy coefficients are the spot's).
    """

    probability: np.ndarray
    availability: np.ndarray = field(repr=False)
    contract_usd_t: np.ndarray = field(repr=False)
    demand_kt: np.ndarray = field(repr=False)
    demand_factor: np.ndarray = field(repr=False)
    value_usd_t: np.ndarray = field(repr=False)
    pool_x: np.ndarray = field(repr=False)
    spot_need: np.ndarray = field(repr=False)
    spot_pool: np.ndarray = field(repr=False)
    spot_share: np.ndarray = field(repr=False)
    spot_usd_t: np.ndarray = field(repr=False)
    pool_kt: np.ndarray = field(repr=False)
    group: np.ndarray = field(repr=False)
    x_need: np.ndarray = field(repr=False)
    spot_rep: np.ndarray = field(repr=False)

    @property
    def n_groups(self) -> int:
        """CVaR groups."""
        return int(self.group.max()) + 1 if len(self.group) else 0


def _one_hot(codes: np.ndarray, n: int) -> sp.csr_matrix:
    return sp.csr_matrix(
        (np.ones(len(codes)), (np.arange(len(codes)), codes)), shape=(len(codes), n)
    )


def _marginal(price: np.ndarray, column: np.ndarray) -> np.ndarray:
    """Per spot column, the dearest price ``(S, n_x)`` among its x (the marginal supplier)."""
    order = np.argsort(column, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(column[order]) > 0])
    return np.maximum.reduceat(price[:, order], starts, axis=1)


def _pools(index: ModelIndex) -> tuple[np.ndarray, int]:
    """Pool of every x: (commodity, country, year) in joint mode, (need, country) in separate."""
    st = index.problem.structure
    year = st.offers["year"].astype(str).to_numpy()[st.x_offer]
    first = st.x["commodity"].astype(str) + "|" + year if index.joint else st.x["need"].astype(str)
    codes, uniques = pd.factorize(first + "|" + st.x["country"].astype(str), sort=True)
    return codes.astype(int), len(uniques)


def year_index(years: np.ndarray, drawn: ScenarioSet) -> np.ndarray:
    """Position in ``drawn.years`` of each plan year (0 for every row with one drawn year)."""
    if drawn.n_years == 1:
        return np.zeros(len(years), dtype=int)
    at = pd.Index(drawn.years).get_indexer(np.asarray(years, dtype=float).astype(int))
    if (at < 0).any():
        raise RiskEngineError(
            f"the scenarios cover {drawn.years[0]}-{drawn.years[-1]}; the plan's years are "
            f"{sorted(set(np.asarray(years, dtype=int).tolist()))}: draw them for the plan's horizon"
        )
    return np.asarray(at, dtype=int)


def _groups(index: ModelIndex, scope: CvarScope) -> np.ndarray:
    """CVaR group of every need: its buyer, or its buyer and commodity (over all plan years)."""
    needs = index.problem.structure.needs
    if scope is CvarScope.BUYER:
        return np.asarray(pd.factorize(needs["buyer"].astype(str), sort=True)[0].astype(int))
    key = needs["buyer"].astype(str) + "|" + needs["commodity"].astype(str)
    return np.asarray(pd.factorize(key)[0].astype(int))


def recourse(
    index: ModelIndex, drawn: ScenarioSet, spot_premium: float, scope: CvarScope
) -> Recourse:
    """The second stage's numbers under the drawn scenarios."""
    problem = index.problem
    st, params = problem.structure, problem.params
    x_row = index.offer_row[st.x_offer]
    offer_year = year_index(st.offers["year"].to_numpy(), drawn)
    x_year = offer_year[st.x_offer]
    buyer = pd.Index(drawn.buyers).get_indexer(st.x["buyer"].astype(str))
    physical = drawn.capacity[:, x_year, x_row]
    licensed = drawn.availability[:, x_year, buyer, x_row]
    contract = 1000.0 * params.price_usd_per_kg[None, :] * drawn.price[:, x_year, x_row]
    spot_x = contract * drawn.spot_price[:, x_year, x_row] * (1.0 + spot_premium)
    factor = drawn.demand[:, year_index(st.needs["year"].to_numpy(), drawn), index.need_row]
    pool_x, n_pool = _pools(index)
    spot_key = st.x_need * n_pool + pool_x
    spot_code, spot_keys = pd.factorize(spot_key, sort=True)
    hot = _one_hot(spot_code.astype(int), len(spot_keys))
    if index.joint:
        reach = params.capacity_t[st.x_offer]
        pool_offer = np.zeros(len(st.offers), int)
        pool_offer[st.x_offer] = pool_x
        per_offer = drawn.capacity[:, offer_year, index.offer_row] * params.capacity_t[None, :]
        used = np.bincount(st.x_offer, minlength=len(st.offers)) > 0
        pool_t = per_offer[:, used] @ _one_hot(pool_offer[used], n_pool).toarray()
    else:
        reach = problem.arrays.x_capacity_t
        pool_t = (physical * reach[None, :]) @ _one_hot(pool_x, n_pool).toarray()
    there = physical * reach[None, :]
    total = np.asarray(hot.T @ there.T).T
    given = np.asarray(hot.T @ (there * licensed).T).T
    paid = _marginal(np.where(there * licensed > 0, spot_x, 0.0), spot_code.astype(int))
    return Recourse(
        probability=drawn.probability,
        # a contract delivers at most what was contracted: a capacity drawn above its
        # central estimate enlarges the spot pool, not the contract
        availability=np.minimum(physical, 1.0) * licensed,
        contract_usd_t=contract,
        demand_kt=params.demand_t[None, :] * factor / TONNES_PER_UNIT,
        demand_factor=factor,
        value_usd_t=1000.0 * params.lost_value_usd_per_kg,
        pool_x=pool_x,
        spot_need=(np.asarray(spot_keys) // n_pool).astype(int),
        spot_pool=(np.asarray(spot_keys) % n_pool).astype(int),
        spot_share=np.divide(given, total, out=np.zeros_like(given), where=total > 0),
        spot_usd_t=np.where(given > 0, paid, 0.0),
        pool_kt=pool_t / TONNES_PER_UNIT,
        group=_groups(index, scope),
        x_need=st.x_need,
        spot_rep=np.unique(spot_code, return_index=True)[1].astype(int),
    )
