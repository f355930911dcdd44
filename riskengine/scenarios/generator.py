"""Seeded, correlated disruption scenarios for one plan year (``docs/scenarios.md`` section 5).

Each scenario draws, in this order, from its own generator (child ``i`` of
``numpy.random.SeedSequence(seed)``, so scenario ``i`` does not depend on how
many are drawn):

1. **China's policy state** (``optimiser.stochastic.china_policy``):
   licensing as today, a tightening, the October-2025 package back in force
   after its suspension ends (2026-11-10), or an easing;
2. the **approval share** of every export-control group for every buyer it
   applies to, from the range its state gives (:data:`._events.APPROVAL`);
3. one **country event** per supplying country and one **company event**
   per offer, with probabilities from the calibrated q, and the share each
   fired event takes (the historical shares of ``disruptions.csv``);
4. the **estimated inputs** with a range (``<column>_low``/``_high``):
   capacity, price level and demand, triangular around the central value;
5. the **responses** tied to the same events: every offer outside China
   costs ``1 + price_elasticity x L_c`` more in the spot market, with ``L_c``
   the share of commodity c's supply the scenario takes out (China's cut
   included), and demand falls by ``demand_elasticity`` x that price rise.

One event hits every offer it touches in the same scenario: a Chinese cut
takes every Chinese offer of every commodity for the buyers it applies to,
and the ex-China price rise follows from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.enums import ChinaPolicy
from riskengine.exceptions import RiskEngineError
from riskengine.scenarios._events import (
    APPROVAL,
    POLICY_COUNTRY,
    Controls,
    PhysicalEvents,
    controls,
    physical_events,
)
from riskengine.scenarios.model import ScenarioEffect

__all__ = ["ScenarioSet", "disruption_events", "generate_scenarios"]


@dataclass(frozen=True, repr=False)
class ScenarioSet:
    """Drawn scenarios as factors on the rows of one dataset (1 = as in the tables).

    Attributes
    ----------
    names : tuple of str
        ``mc-<seed>-<i>`` (i with four digits).
    probability : ndarray
        ``(S,)``, summing to 1.
    buyers : tuple of str
        Buyers of ``demand.csv``, sorted (rows of ``availability``, as in
        :class:`~riskengine.scenarios.ScenarioEffect`).
    capacity : ndarray
        ``(S, suppliers rows)``: share of the offer's capacity that is there
        (physical events, drawn capacity, for every buyer).
    availability : ndarray
        ``(S, buyers, suppliers rows)``: share a buyer may take of what is there
        (export licences).
    price : ndarray
        ``(S, suppliers rows)``: price level (drawn from its range); contracts
        and spot purchases pay it.
    spot_price : ndarray
        ``(S, suppliers rows)``: the scenario's price response on top of
        ``price``; only spot purchases pay it.
    demand : ndarray
        ``(S, demand rows)``.
    state : ndarray of str
        ``(S,)``: China's policy state.
    description : tuple of str
        What happened in each scenario, in words.
    events : DataFrame
        The events that can fire (:func:`disruption_events`).
    year : int
        The plan year.
    seed : int
    """

    names: tuple[str, ...]
    probability: np.ndarray
    buyers: tuple[str, ...]
    capacity: np.ndarray = field(repr=False)
    availability: np.ndarray = field(repr=False)
    price: np.ndarray = field(repr=False)
    spot_price: np.ndarray = field(repr=False)
    demand: np.ndarray = field(repr=False)
    state: np.ndarray = field(repr=False)
    description: tuple[str, ...] = field(repr=False)
    events: pd.DataFrame = field(repr=False)
    year: int = 0
    seed: int = 0

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        counts = pd.Series(self.state).value_counts().to_dict()
        states = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        return f"ScenarioSet({len(self)} scenarios, year={self.year}, seed={self.seed}, {states})"

    def effect(self, i: int) -> ScenarioEffect:
        """Scenario ``i`` as a :class:`ScenarioEffect` (spot prices; for stress tests)."""
        return ScenarioEffect(
            self.names[i],
            self.description[i],
            float(self.probability[i]),
            "monte-carlo",
            self.buyers,
            capacity=_or_none(self.capacity[i]),
            price=_or_none(self.price[i] * self.spot_price[i]),
            availability=_or_none(self.availability[i]),
            demand=_or_none(self.demand[i]),
        )

    def effects(self) -> list[ScenarioEffect]:
        """Every scenario as a :class:`ScenarioEffect`."""
        return [self.effect(i) for i in range(len(self))]

    def select(
        self, keep: np.ndarray | list[int], probability: np.ndarray | None = None
    ) -> ScenarioSet:
        """Some scenarios (positions), with their probabilities renormalised or given."""
        keep = np.asarray(keep, dtype=int)
        weights = self.probability[keep] if probability is None else np.asarray(probability, float)
        return ScenarioSet(
            tuple(self.names[i] for i in keep),
            weights / weights.sum(),
            self.buyers,
            self.capacity[keep],
            self.availability[keep],
            self.price[keep],
            self.spot_price[keep],
            self.demand[keep],
            self.state[keep],
            tuple(self.description[i] for i in keep),
            self.events,
            self.year,
            self.seed,
        )

    def table(self) -> pd.DataFrame:
        """One row per scenario: name, probability, China's state, description."""
        return pd.DataFrame(
            {
                "scenario": self.names,
                "probability": self.probability,
                "china_policy": self.state,
                "description": self.description,
            }
        )


def _or_none(array: np.ndarray) -> np.ndarray | None:
    return None if bool(np.all(array == 1.0)) else np.asarray(array, float)


# --------------------------------------------------------------------------- inputs


def _usable_capacity(dataset: Dataset, config: Config) -> np.ndarray:
    sup = dataset.suppliers
    available = {str(k): v for k, v in config.optimiser.status_availability.items()}
    share = sup["status"].astype(str).map(available).fillna(1.0).to_numpy(float)
    return sup["capacity_t"].to_numpy(float) * share


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
class _Model:
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
    returning: np.ndarray
    ranges: _Ranges
    demand_commodity: np.ndarray
    price_elasticity: float
    demand_elasticity: float

    def approval(self, rng: np.random.Generator, state: ChinaPolicy) -> np.ndarray:
        """``(buyers, suppliers rows)`` approval shares of every control for this state."""
        latent = rng.random((self.controls.n_groups, len(self.buyers)))
        if not len(self.group):
            return np.ones((len(self.buyers), len(self.capacity_t)))
        low, high = self.ranges_by_state[state]
        share = low[:, None] + latent[self.group] * (high - low)[:, None]
        factor = np.where(self.applies, share[:, :, None], 1.0)  # (controls, buyers, offers)
        back = self.returning
        return np.prod(factor[~back], axis=0) * np.min(factor[back], axis=0, initial=1.0)

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

    def draw(self, rng: np.random.Generator) -> tuple:
        """One scenario's arrays and its description (fixed draw order)."""
        state = self.states[int(rng.choice(len(self.states), p=self.state_p))]
        approval = self.approval(rng, state)
        left, words = self.physical_cut(rng)
        capacity = left * _triangular(rng, self.ranges.capacity)
        price = _triangular(rng, self.ranges.price)
        demand = _triangular(rng, self.ranges.demand)
        spot, demand = self.responses(capacity, approval, demand)
        return (
            state,
            capacity,
            approval,
            price,
            spot,
            demand,
            _describe(state, approval, self, words),
        )


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


def _describe(state: ChinaPolicy, approval: np.ndarray, model: _Model, words: list[str]) -> str:
    china = model.in_policy_country & (model.capacity_t > 0)
    shares = []
    for b, buyer in enumerate(model.buyers):
        if china.any():
            mean = np.average(approval[b, china], weights=model.capacity_t[china])
            shares.append(f"{buyer} {mean:.2f}")
    head = f"China {state.value}" + (f" (licensed share {', '.join(shares)})" if shares else "")
    more = f"; +{len(words) - 4} more events" if len(words) > 4 else ""
    return "; ".join([head, *words[:4]]) + more


def _prepare(dataset: Dataset, config: Config, scores: pd.DataFrame) -> _Model:
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
    return _Model(
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
        returning=(ctl.table["kind"] == "returning").to_numpy(),
        ranges=_ranges(dataset, settings.draw_ranges),
        demand_commodity=pd.Index(commodities).get_indexer(demand["commodity"].astype(str)),
        price_elasticity=settings.price_elasticity,
        demand_elasticity=settings.demand_elasticity,
    )


def generate_scenarios(
    dataset: Dataset,
    config: Config,
    n: int | None = None,
    seed: int | None = None,
    scores: pd.DataFrame | None = None,
) -> ScenarioSet:
    """Draw ``n`` equally likely disruption scenarios for the plan year.

    Parameters
    ----------
    dataset : Dataset
        Offers, demand, export controls, countries and (for the depths of
        events) the history of disruptions.
    config : Config
        ``optimiser.stochastic`` (China's policy states, elasticities, ranges,
        plan year), ``optimiser.status_availability``, ``risk.calibration``.
    n : int, optional
        Number of scenarios; default ``optimiser.stochastic.scenarios``.
    seed : int, optional
        Default ``optimiser.stochastic.seed``. The same seed gives the same
        scenarios; scenario ``i`` does not depend on ``n``.
    scores : DataFrame, optional
        Risk scores with ``disruption_probability``; default
        :func:`riskengine.optimise.api.default_scores`.

    Returns
    -------
    ScenarioSet

    Examples
    --------
    >>> import riskengine
    >>> from riskengine.scenarios import generate_scenarios
    >>> data, config = riskengine.load_dataset(), riskengine.Config()
    >>> drawn = generate_scenarios(data, config, n=20, seed=1)
    >>> len(drawn), round(float(drawn.probability.sum()), 9)
    (20, 1.0)
    >>> bool((generate_scenarios(data, config, n=5, seed=1).capacity == drawn.capacity[:5]).all())
    True
    """
    settings = config.optimiser.stochastic
    n = settings.scenarios if n is None else int(n)
    seed = settings.seed if seed is None else int(seed)
    if n < 0:
        raise RiskEngineError(f"the number of scenarios must be >= 0, got {n}")
    if scores is None:
        from riskengine.optimise.api import default_scores

        scores = default_scores(dataset, config)
    elif "disruption_probability" not in scores.columns:
        from riskengine.optimise.api import with_disruption_probability

        scores = with_disruption_probability(scores, dataset, config)
    model = _prepare(dataset, config, scores)
    draws = [model.draw(np.random.default_rng(c)) for c in np.random.SeedSequence(seed).spawn(n)]
    n_sup, n_dem, n_b = len(dataset.suppliers), len(dataset.demand), len(model.buyers)

    def stack(k: int, shape: tuple[int, ...]) -> np.ndarray:
        return np.array([d[k] for d in draws], float).reshape((n, *shape))

    return ScenarioSet(
        names=tuple(f"mc-{seed}-{i:04d}" for i in range(n)),
        probability=np.full(n, 1.0 / n) if n else np.zeros(0),
        buyers=model.buyers,
        capacity=stack(1, (n_sup,)),
        availability=stack(2, (n_b, n_sup)),
        price=stack(3, (n_sup,)),
        spot_price=stack(4, (n_sup,)),
        demand=stack(5, (n_dem,)),
        state=np.array([d[0].value for d in draws], dtype=object),
        description=tuple(d[6] for d in draws),
        events=_event_table(model),
        year=model.controls.year,
        seed=seed,
    )


# --------------------------------------------------------------------------- events table


def _event_table(model: _Model) -> pd.DataFrame:
    ev, ctl = model.physical, model.controls
    rows = [
        ("china_policy", state.value, "all", float(p), int(model.in_policy_country.sum()), "")
        for state, p in zip(model.states, model.state_p, strict=True)
    ]
    for i, rule in enumerate(ctl.table.itertuples(index=False)):
        names = ",".join(np.array(model.buyers)[ctl.who[i]])
        where = f" {rule.stage}" if rule.stage else ""
        to = f" to {rule.destination}" if rule.destination else ""
        key = f"{rule.country} {rule.commodity}{where}{to} ({rule.kind})"
        rows.append(("control", key, names, 1.0, int(rule.offers), "approval share drawn"))
    count = np.bincount(ev.offer_country, minlength=len(ev.countries))
    depth_k = f"depth from {len(ev.country_depth)} historical country events"
    depth_o = f"depth from {len(ev.company_depth)} historical company events"
    rows += [
        ("country", str(k), "all", float(p), int(c), depth_k)
        for k, p, c in zip(ev.countries, ev.country_p, count, strict=True)
    ]
    rows += [
        ("company", str(label), "all", float(p), 1, depth_o)
        for label, p in zip(model.labels, ev.company_p, strict=True)
    ]
    return pd.DataFrame(rows, columns=["kind", "key", "buyers", "probability", "offers", "note"])


def disruption_events(
    dataset: Dataset, config: Config, scores: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The events a scenario can fire, with their yearly probabilities.

    Returns
    -------
    DataFrame
        One row per event: ``kind`` (china_policy, control, country, company),
        ``key`` (what it names), ``buyers`` (comma-separated, or "all"),
        ``probability`` (a year; a state's share of scenarios; 1 for a control
        in force, whose approval share is drawn), ``offers`` (how many offers
        it touches) and ``note``.
    """
    return generate_scenarios(dataset, config, 0, scores=scores).events
