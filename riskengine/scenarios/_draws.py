"""One scenario's draw (:class:`DrawModel`), prepared once from the data (:func:`prepare`).

The order of the draws within a scenario is fixed (China's state, approval
shares, physical events, ranges), so that scenario ``i`` of a seed is the same
whatever else changes; see :mod:`riskengine.scenarios.generator`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.enums import ChinaPolicy
from riskengine.scenarios._events import (
    APPROVAL,
    POLICY_COUNTRY,
    Controls,
    PhysicalEvents,
    controls,
    physical_events,
)

__all__ = ["DrawModel", "draw_path", "prepare"]


# --------------------------------------------------------------------------- inputs


def _usable_capacity(dataset: Dataset, config: Config) -> np.ndarray:
    sup = dataset.suppliers
    available = {str(k): v for k, v in config.optimiser.status_availability.items()}
    share = sup["status"].astype(str).map(available).fillna(1.0).to_numpy(float)
    return np.asarray(sup["capacity_t"].to_numpy(float) * share)


@dataclass(frozen=True, repr=False)
class _Ranges:
    """Low and high ends of estimated inputs as factors on their central value (NaN = none)."""

    capacity: tuple[np.ndarray, np.ndarray]
    price: tuple[np.ndarray, np.ndarray]
    demand: tuple[np.ndarray, np.ndarray]


def _range(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    central = pd.to_numeric(frame[column], errors="coerce").to_numpy(float)
    ends = []
    for suffix in ("_low", "_high"):
        name = f"{column}{suffix}"
        value = (
            pd.to_numeric(frame[name], errors="coerce").to_numpy(float)
            if name in frame.columns
            else np.full(len(frame), np.nan)
        )
        ends.append(np.divide(value, central, out=np.full_like(central, np.nan), where=central > 0))
    return ends[0], ends[1]


def _ranges(dataset: Dataset, draw: bool) -> _Ranges:
    sup, demand = dataset.suppliers, dataset.demand
    none = (np.full(len(sup), np.nan), np.full(len(sup), np.nan))
    if not draw:
        return _Ranges(none, none, (np.full(len(demand), np.nan),) * 2)
    price = _range(sup, "price_usd_per_kg")
    if np.isnan(price[0]).all() and np.isnan(price[1]).all():
        by_commodity = dataset.commodities.set_index("commodity")
        low, high = _range(by_commodity.reset_index(), "price_usd_per_kg")
        index = pd.Index(by_commodity.index.astype(str)).get_indexer(sup["commodity"].astype(str))
        price = (
            np.where(index >= 0, low[index], np.nan),
            np.where(index >= 0, high[index], np.nan),
        )
    return _Ranges(_range(sup, "capacity_t"), price, _range(demand, "demand_t"))


def _triangular(rng: np.random.Generator, ends: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Factors drawn triangular(low, 1, high) where a range exists, else 1 (one draw per row)."""
    low, high = (np.where(np.isnan(e), 1.0, e) for e in ends)
    low, high = np.minimum(low, 1.0), np.maximum(high, 1.0)
    u = rng.random(len(low))
    width = high - low
    left = np.divide(1.0 - low, width, out=np.zeros_like(width), where=width > 0)
    rising = low + np.sqrt(u * width * (1.0 - low))
    falling = high - np.sqrt((1.0 - u) * width * (high - 1.0))
    return np.where(width > 0, np.where(u < left, rising, falling), 1.0)


# --------------------------------------------------------------------------- draws


@dataclass(frozen=True, repr=False)
class DrawModel:
    """Everything a draw reads, prepared once."""

    buyers: tuple[str, ...]
    weights: np.ndarray
    capacity_t: np.ndarray
    commodity: np.ndarray
    in_policy_country: np.ndarray
    labels: np.ndarray
    physical: PhysicalEvents
    controls: Controls
    states: tuple[ChinaPolicy, ...]
    state_p: np.ndarray
    ranges_by_state: dict[ChinaPolicy, tuple[np.ndarray, np.ndarray]]
    group: np.ndarray
    applies: np.ndarray
    ranges: _Ranges
    demand_commodity: np.ndarray
    price_elasticity: float
    demand_elasticity: float
    commission_p: np.ndarray
    plant: np.ndarray

    def commissioned(self, rng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
        """Per suppliers row, the factor on its expected capacity over a horizon: ``1/p`` when
        its project is commissioned (probability p, ``commissioning_probability``), else 0;
        1 for a certain one. One draw per plant (``supplier_id``): its rows of every
        commodity come or fail together (a row with a higher p comes whenever a lower does).
        Returns the factors and the plants that fail."""
        u = rng.random(int(self.plant.max()) + 1 if len(self.plant) else 0)[self.plant]
        p = self.commission_p
        factor = np.where(p >= 1.0, 1.0, np.where(u < p, 1.0 / np.maximum(p, 1e-12), 0.0))
        failed = sorted({str(self.labels[r]).split(" (")[0] for r in np.flatnonzero(factor == 0)})
        return factor, failed

    def approval(self, rng: np.random.Generator, state: ChinaPolicy) -> np.ndarray:
        """``(buyers, suppliers rows)`` approval shares of every control for this state."""
        latent = rng.random((self.controls.n_groups, len(self.buyers)))
        if not len(self.group):
            return np.ones((len(self.buyers), len(self.capacity_t)))
        low, high = self.ranges_by_state[state]
        share = low[:, None] + latent[self.group] * (high - low)[:, None]
        factor = np.where(self.applies, share[:, :, None], 1.0)  # (controls, buyers, offers)
        # the most binding control wins, as in the deterministic model's approval share: a
        # destination row refines the general row for the same goods, it does not stack on it
        return np.asarray(np.min(factor, axis=0, initial=1.0))

    def physical_cut(self, rng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
        """Share of each offer left after country and company events, and what fired."""
        ev = self.physical
        fire_k = rng.random(len(ev.countries)) < ev.country_p
        depth_k = rng.choice(ev.country_depth, size=len(ev.countries))
        fire_o = rng.random(len(self.capacity_t)) < ev.company_p
        depth_o = rng.choice(ev.company_depth, size=len(self.capacity_t))
        left = np.where(fire_k, 1.0 - depth_k, 1.0)[ev.offer_country]
        left *= np.where(fire_o, 1.0 - depth_o, 1.0)
        usable = self.capacity_t > 0
        supplying = np.bincount(ev.offer_country, usable, len(ev.countries)) > 0
        words = [f"{ev.countries[k]} -{depth_k[k]:.0%}" for k in np.flatnonzero(fire_k & supplying)]
        words += [f"{self.labels[o]} -{depth_o[o]:.0%}" for o in np.flatnonzero(fire_o & usable)]
        return left, words

    def responses(
        self, left: np.ndarray, approval: np.ndarray, demand_factor: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Spot price factor per offer and demand factor per demand row."""
        taken = left * (self.weights @ approval)
        total = np.bincount(self.commodity, self.capacity_t)
        kept = np.bincount(self.commodity, self.capacity_t * taken, minlength=len(total))
        lost = np.divide(total - kept, total, out=np.zeros_like(total), where=total > 0)
        rise = self.price_elasticity * lost
        spot = np.where(self.in_policy_country, 1.0, 1.0 + rise[self.commodity])
        index = self.demand_commodity
        fall = np.where(index >= 0, self.demand_elasticity * rise[np.maximum(index, 0)], 0.0)
        return spot, demand_factor * np.maximum(1.0 - fall, 0.0)

    def choose_state(self, rng: np.random.Generator) -> ChinaPolicy:
        """China's policy state, drawn from this year's state probabilities."""
        return self.states[int(rng.choice(len(self.states), p=self.state_p))]

    def estimates(self, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        """Factors on capacity, price level and demand drawn from their ranges."""
        r = self.ranges
        return _triangular(rng, r.capacity), _triangular(rng, r.price), _triangular(rng, r.demand)

    def draw(
        self,
        rng: np.random.Generator,
        state: ChinaPolicy | None = None,
        estimates: tuple[np.ndarray, ...] | None = None,
        built: np.ndarray | None = None,
    ) -> tuple[Any, ...]:
        """One scenario's arrays and its description (fixed draw order).

        ``state`` and ``estimates`` are given for the later years of a path
        (:func:`draw_path`): the state evolves, an estimate error persists;
        ``built`` scales capacity by the path's project commissioning.
        """
        state = self.choose_state(rng) if state is None else state
        approval = self.approval(rng, state)
        left, words = self.physical_cut(rng)
        estimates = self.estimates(rng) if estimates is None else estimates
        capacity, price, demand = left * estimates[0], estimates[1], estimates[2]
        if built is not None:
            capacity = capacity * built
        spot, demand = self.responses(capacity, approval, demand)
        description = _describe(state, approval, self, words)
        return (state, capacity, approval, price, spot, demand, description, estimates)


def draw_path(
    models: Sequence[DrawModel],
    rng: np.random.Generator,
    persistence: float,
    projects: np.random.Generator | None = None,
) -> tuple[list[tuple[Any, ...]], list[str]]:
    """One scenario over the plan years: one draw per year (``models``: one per year).

    The first year is drawn as a one-year scenario. In each later year China's
    state stays with probability ``persistence`` and is otherwise drawn afresh
    from that year's probabilities; approval shares and physical events are
    drawn every year (their probabilities are yearly); the estimated inputs
    (capacity, price level, demand) keep the factors of the first year. With
    ``projects`` (its own stream, so the years' draws do not depend on it) each
    uncertain project is commissioned or not for the whole path
    (:meth:`DrawModel.commissioned`). Returns the draws and the failed plants.
    """
    built, failed = (None, []) if projects is None else models[0].commissioned(projects)
    out = [models[0].draw(rng, built=built)]
    for model in models[1:]:
        stay = rng.random() < persistence
        state = out[-1][0] if stay else model.choose_state(rng)
        out.append(model.draw(rng, state, out[0][7], built))
    return out, failed


def _approval_ranges(ctl: Controls) -> dict[ChinaPolicy, tuple[np.ndarray, np.ndarray]]:
    """Per state, the (low, high) approval share of every control (data ranges win)."""
    table = ctl.table
    out = {}
    for state in ChinaPolicy:
        low, high = np.ones(len(table)), np.ones(len(table))
        for i, rule in enumerate(table.itertuples(index=False)):
            if rule.kind == "ban":
                low[i] = high[i] = 0.0
                continue
            if rule.kind == "returning" and state is not ChinaPolicy.OCTOBER_PACKAGE:
                continue
            own = state if rule.country == POLICY_COUNTRY else ChinaPolicy.LICENSING
            low[i], high[i] = APPROVAL[rule.kind][own]
            ordinary = own in (ChinaPolicy.LICENSING, ChinaPolicy.OCTOBER_PACKAGE)
            if ordinary and not (np.isnan(rule.low) or np.isnan(rule.high)):
                low[i], high[i] = float(rule.low), float(rule.high)
            if rule.kind == "returning":  # in force for the part of the year after the suspension
                low[i] = 1.0 - ctl.returning_share * (1.0 - low[i])
                high[i] = 1.0 - ctl.returning_share * (1.0 - high[i])
        out[state] = (low, high)
    return out


def _describe(state: ChinaPolicy, approval: np.ndarray, model: DrawModel, words: list[str]) -> str:
    china = model.in_policy_country & (model.capacity_t > 0)
    shares = []
    for b, buyer in enumerate(model.buyers):
        if china.any():
            mean = np.average(approval[b, china], weights=model.capacity_t[china])
            shares.append(f"{buyer} {mean:.2f}")
    head = f"China {state.value}" + (f" (licensed share {', '.join(shares)})" if shares else "")
    more = f"; +{len(words) - 4} more events" if len(words) > 4 else ""
    return "; ".join([head, *words[:4]]) + more


def prepare(dataset: Dataset, config: Config, scores: pd.DataFrame) -> DrawModel:
    settings = config.optimiser.stochastic
    demand = dataset.demand
    buyers = tuple(sorted(set(demand["buyer"].astype(str))))  # as compile_scenario's
    amount = demand["demand_t"].astype(float).clip(lower=0.0)
    total = amount.groupby(demand["buyer"].astype(str)).sum().reindex(list(buyers)).to_numpy(float)
    capacity = _usable_capacity(dataset, config)
    sup = dataset.suppliers
    commodities, code = np.unique(sup["commodity"].astype(str).to_numpy(), return_inverse=True)
    ctl = controls(dataset, config, buyers)
    states = tuple(ChinaPolicy)
    probability = np.array([settings.china_policy.get(s, 0.0) for s in states], float)
    if ctl.returning_share == 0.0:  # the suspended package cannot return within the plan year
        probability[states.index(ChinaPolicy.LICENSING)] += probability[
            states.index(ChinaPolicy.OCTOBER_PACKAGE)
        ]
        probability[states.index(ChinaPolicy.OCTOBER_PACKAGE)] = 0.0
    weights = total / total.sum() if total.sum() > 0 else np.full(len(buyers), 1 / len(buyers))
    return DrawModel(
        buyers=buyers,
        weights=weights,
        capacity_t=capacity,
        commodity=code.astype(int),
        in_policy_country=(sup["country"].astype(str) == POLICY_COUNTRY).to_numpy(),
        labels=(
            sup["supplier_id"].astype(str) + " (" + sup["commodity"].astype(str) + ")"
        ).to_numpy(),
        physical=physical_events(dataset, config, scores, buyers, weights, capacity),
        controls=ctl,
        states=states,
        state_p=probability / probability.sum(),
        ranges_by_state=_approval_ranges(ctl),
        group=ctl.table["group"].to_numpy(dtype=int),
        applies=ctl.who[:, :, None] & ctl.cover[:, None, :],
        ranges=_ranges(dataset, settings.draw_ranges),
        demand_commodity=pd.Index(commodities).get_indexer(demand["commodity"].astype(str)),
        price_elasticity=settings.price_elasticity,
        demand_elasticity=settings.demand_elasticity,
        commission_p=_commission_p(sup),
        plant=pd.factorize(sup["supplier_id"].astype(str))[0].astype(int),
    )


def _commission_p(sup: pd.DataFrame) -> np.ndarray:
    """``commissioning_probability`` per suppliers row (absent or empty = 1, certain)."""
    if "commissioning_probability" not in sup.columns:
        return np.ones(len(sup))
    p = pd.to_numeric(sup["commissioning_probability"], errors="coerce").fillna(1.0)
    return np.asarray(p.clip(0.0, 1.0).to_numpy(float))
