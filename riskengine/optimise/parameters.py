"""The numbers of the sourcing model: :class:`Parameters` and :func:`model_arrays`.

The model is one parametric problem (contract section 5.2, issue "Decision
model v2" point 6): a fixed structure (columns, constraint matrix, which
parameter each right-hand side reads) and a set of parameters (demand,
capacity, availability, prices, disruption probabilities, lost-supply
values, risk aversion). :func:`model_arrays` is the only place where column
costs, column bounds and row bounds are computed; the plan, the frontier, the
stress tests and the scenario sweeps all go through it.

Units: parameters are in tonnes a year and USD per kg; the arrays returned
are in model units (kilotonnes, thousands of USD), so a cost in kUSD per kt is
numerically USD per tonne.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

import numpy as np

from riskengine.enums import Mode, RiskCharge
from riskengine.optimise.families import TONNES_PER_UNIT

if TYPE_CHECKING:
    from riskengine.optimise.problem import Structure

__all__ = ["COST_PARTS", "ModelArrays", "Parameters", "base_mix_t", "model_arrays", "offtake_split"]

#: The objective's terms, each reported apart (contract 5.5).
COST_PARTS = ("purchase", "risk_charge", "lost_supply", "violation", "holding", "thrifting")


@dataclass(frozen=True, repr=False)
class Parameters:
    """Everything that can change between two solves of one structure.

    Attributes
    ----------
    risk_aversion : float
        lambda >= 0.
    demand_t : ndarray
        D per need, tonnes a year.
    lost_value_usd_per_kg : ndarray
        V per need, USD/kg.
    capacity_t : ndarray
        K per offer (usable now), tonnes a year.
    contracted_t : ndarray
        Contracted minimum per offer, tonnes a year (0 = none).
    price_usd_per_kg : ndarray
        Price per x variable (a buyer may pay a scenario price of its own).
    disruption_probability : ndarray
        q per x variable, a year, 0-1.
    risk_score : ndarray
        Risk score per x variable, 0-100 (read by the version-1 charge only).
    availability : ndarray or None
        Share of the offer's capacity the buyer may take, per x (None = all).
    violation_usd_per_kg : ndarray
        w per violation column, USD/kg.
    service_t : ndarray or None
        Lexicographic rule: the least total shortfall per service group,
        tonnes (None = not yet known; no limit).
    objective : {"model", "service"}
        ``model``: the contract's objective; ``service``: only the tonnes short
        (the first stage of the lexicographic rule).
    x_lower_t : ndarray or None
        Offtake contracts per x, tonnes (bounded by what can be delivered).
    opening_t : ndarray or None
        Strategic stock before the first year, per need (0 but on first years).
    stock_max_t, holding_usd_per_kg : ndarray
        Per stock column: the most it may hold (t) and its holding cost (USD per
        kg a year).
    stock_target_t, gap_usd_per_kg : ndarray
        Per stock target: tonnes to hold at the year's end and the price of a
        kg below it (USD/kg).
    direct_demand_t : ndarray or None
        Per need, the demand of commodity rows alone (None = ``demand_t``);
        product rows add element demand through the z variables.
    family_t : ndarray
        Per product family row (buyer, family, year): tonnes of product demanded.
    z_family, z_share_low, z_share_high, premium_usd_per_t : ndarray
        Per z variable: its family row, the least and most share of the family
        it may take, and its premium (USD per tonne of product).
    channel_t : ndarray
        Per export channel (buyer, exporter, commodity): the licensed flow, t/yr.
    """

    risk_aversion: float
    demand_t: np.ndarray
    lost_value_usd_per_kg: np.ndarray
    capacity_t: np.ndarray
    contracted_t: np.ndarray
    price_usd_per_kg: np.ndarray
    disruption_probability: np.ndarray
    risk_score: np.ndarray
    availability: np.ndarray | None = None
    violation_usd_per_kg: np.ndarray = field(default_factory=lambda: np.zeros(0))
    service_t: np.ndarray | None = None
    objective: Literal["model", "service"] = "model"
    x_lower_t: np.ndarray | None = None
    opening_t: np.ndarray | None = None
    stock_max_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    holding_usd_per_kg: np.ndarray = field(default_factory=lambda: np.zeros(0))
    stock_target_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    gap_usd_per_kg: np.ndarray = field(default_factory=lambda: np.zeros(0))
    direct_demand_t: np.ndarray | None = None
    family_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    z_family: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    z_share_low: np.ndarray = field(default_factory=lambda: np.zeros(0))
    z_share_high: np.ndarray = field(default_factory=lambda: np.zeros(0))
    premium_usd_per_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    channel_t: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def replace(self, **changes: object) -> Parameters:
        """A copy with some parameters changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return (
            f"Parameters(risk_aversion={self.risk_aversion:g}, needs={len(self.demand_t)}, "
            f"offers={len(self.capacity_t)}, x={len(self.price_usd_per_kg)}, "
            f"objective={self.objective})"
        )


@dataclass(frozen=True, repr=False)
class ModelArrays:
    """The LP's numbers in model units: ``min cost @ v`` s.t. rows and bounds.

    ``parts`` holds each objective term's coefficients (kUSD per kt), keyed by
    :data:`COST_PARTS`; ``cost`` is their sum (or the service objective).
    """

    cost: np.ndarray
    parts: dict[str, np.ndarray]
    lower: np.ndarray
    upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    x_upper_t: np.ndarray
    x_capacity_t: np.ndarray


def offtake_split(structure: Structure, params: Parameters) -> tuple[np.ndarray, np.ndarray]:
    """Per x, the tonnes its buyer's offtake reserves; per offer, the capacity left to share.

    An offtake (``contracts.csv``) is bound to its buyer: it is that buyer's
    when buyers buy apart, and no other buyer's slice of the plant includes it.
    """
    offer = structure.x_offer
    capacity = params.capacity_t
    own = np.zeros(len(offer)) if params.x_lower_t is None else params.x_lower_t.copy()
    reserved = np.bincount(offer, own, minlength=len(capacity))
    scale = np.divide(capacity, reserved, out=np.ones_like(capacity), where=reserved > capacity)
    own = own * scale[offer]  # offtakes above what the plant makes shrink pro rata
    rest = np.maximum(capacity - np.bincount(offer, own, minlength=len(capacity)), 0.0)
    return own, rest


def x_capacity_t(structure: Structure, params: Parameters) -> np.ndarray:
    """The most one x variable may take from its offer's capacity alone, tonnes.

    ``separate``: the buyer's offtake of the offer (a contract binds the plant
    to that buyer) plus its slice of the rest, ``(K - offtakes) x D[b,c] /
    sum_b' D[b',c]``; ``joint``: the whole capacity when one buyer alone can
    buy the offer, else no bound (a capacity row binds instead); then times
    the buyer's availability.
    """
    need, offer = structure.x_need, structure.x_offer
    cap = params.capacity_t[offer]
    if structure.mode is Mode.SEPARATE:
        demand = params.demand_t
        total = np.bincount(structure.need_group, demand)[structure.need_group]
        share = np.divide(demand, total, out=np.zeros_like(demand), where=total > 0)
        own, rest = offtake_split(structure, params)
        cap = own + rest[offer] * share[need]
        return np.asarray(cap if params.availability is None else cap * params.availability)
    if params.availability is None:
        return np.where(structure.x_alone, cap, np.inf)
    limited = cap * params.availability
    return np.where(structure.x_alone | (params.availability < 1.0), limited, np.inf)


def _x_costs(structure: Structure, params: Parameters) -> tuple[np.ndarray, np.ndarray]:
    """Purchase and risk charge per x, USD per tonne."""
    price = params.price_usd_per_kg
    lam = params.risk_aversion
    if structure.settings.risk_charge is RiskCharge.PRICE_MULTIPLE:
        risk = lam * 1000.0 * price * params.risk_score / 100.0
    else:
        value = params.lost_value_usd_per_kg[structure.x_need]
        risk = lam * 1000.0 * params.disruption_probability * value
    return 1000.0 * price, risk


def _costs(structure: Structure, params: Parameters) -> dict[str, np.ndarray]:
    lay = structure.layout
    parts = {name: np.zeros(lay.n_cols) for name in COST_PARTS}
    parts["purchase"][lay.x], parts["risk_charge"][lay.x] = _x_costs(structure, params)
    parts["lost_supply"][lay.shortfall] = 1000.0 * params.lost_value_usd_per_kg
    if structure.settings.risk_charge is RiskCharge.EXPECTED_LOSS:
        # unmet demand is a loss for certain (q = 1): above lambda = 1 it is weighted
        # like the expected disruption loss, so risk aversion never turns a purchase
        # into a shortage (see docs/methodology.md, "Risk aversion and shortfall")
        premium = max(params.risk_aversion - 1.0, 0.0)
        parts["risk_charge"][lay.shortfall] = premium * 1000.0 * params.lost_value_usd_per_kg
    parts["violation"][lay.violation] = 1000.0 * params.violation_usd_per_kg
    parts["violation"][lay.gap] = 1000.0 * params.gap_usd_per_kg
    parts["holding"][lay.stock] = 1000.0 * params.holding_usd_per_kg
    parts["thrifting"][lay.z] = params.premium_usd_per_t  # USD per t of product = kUSD/kt
    return parts


def base_mix_t(structure: Structure, params: Parameters) -> np.ndarray:
    """Per z column: tonnes of product the variant makes at its data-year share.

    The premiums of this mix are a constant of the LP: results report thrifting
    as the premium above it (``premium_usd_per_t x (z - base_mix_t)``).
    """
    if not len(params.z_family):
        return np.zeros(0)
    base = structure.variants["base_share"].to_numpy(dtype=float)
    return np.asarray(base * params.family_t[params.z_family], dtype=float)


def _row_bounds(structure: Structure, params: Parameters) -> tuple[np.ndarray, np.ndarray]:
    opening = np.zeros(len(params.demand_t)) if params.opening_t is None else params.opening_t
    direct = params.demand_t if params.direct_demand_t is None else params.direct_demand_t
    sources = {
        "zero": np.zeros(1),
        "demand": params.demand_t,
        "balance": direct - opening,
        "product": params.family_t,
        "channel": params.channel_t,
        "target": params.stock_target_t,
        "capacity": params.capacity_t,
        "contract": params.contracted_t,
        "service": np.full(structure.n_service_groups, np.inf)
        if params.service_t is None
        else params.service_t,
        "count": np.ones(1),
    }
    lowers, uppers = [], []
    for block in structure.blocks:
        rhs = block.rhs_coef * sources[block.rhs_source][block.rhs_ref]
        unit = 1.0 if block.rhs_source == "count" else TONNES_PER_UNIT
        low, up = block.bounds(rhs / unit)
        lowers.append(low)
        uppers.append(up)
    if not lowers:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(lowers), np.concatenate(uppers)


def model_arrays(structure: Structure, params: Parameters) -> ModelArrays:
    """Column costs and bounds and row bounds of ``structure`` under ``params`` (model units)."""
    lay = structure.layout
    parts = _costs(structure, params)
    if params.objective == "service":
        cost = np.zeros(lay.n_cols)
        cost[lay.shortfall] = 1.0
    else:
        cost = sum(parts.values(), np.zeros(lay.n_cols))
    capacity = x_capacity_t(structure, params)
    x_upper = np.minimum(structure.max_supplier_share * params.demand_t[structure.x_need], capacity)
    upper = np.full(lay.n_cols, np.inf)
    upper[lay.x] = x_upper / TONNES_PER_UNIT
    upper[lay.stock] = params.stock_max_t / TONNES_PER_UNIT
    family = params.family_t[params.z_family] if lay.n_z else np.zeros(0)
    upper[lay.z] = params.z_share_high * family / TONNES_PER_UNIT
    if lay.n_y:
        upper[lay.y] = structure.y_upper
    lower = np.zeros(lay.n_cols)
    if params.x_lower_t is not None:  # offtakes, as far as the offer can deliver
        deliverable = params.capacity_t[structure.x_offer]
        if params.availability is not None:
            deliverable = deliverable * params.availability
        floor = np.minimum.reduce([params.x_lower_t, x_upper, deliverable])
        lower[lay.x] = floor / TONNES_PER_UNIT
    lower[lay.z] = params.z_share_low * family / TONNES_PER_UNIT
    row_lower, row_upper = _row_bounds(structure, params)
    return ModelArrays(cost, parts, lower, upper, row_lower, row_upper, x_upper, capacity)
