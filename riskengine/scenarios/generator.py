"""Seeded, correlated disruption scenarios over the plan years (``docs/scenarios.md`` section 5).

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

Over a horizon (``horizon.start``/``end``) a scenario is a path: the first
year is drawn as above, then year by year China's state stays with
probability ``optimiser.stochastic.policy_persistence`` (else it is drawn
afresh), approvals and physical events are drawn again (their probabilities
are yearly) and the estimated inputs keep their first-year factors
(:func:`~riskengine.scenarios._draws.draw_path`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.exceptions import RiskEngineError
from riskengine.scenarios._draws import DrawModel, draw_path, prepare
from riskengine.scenarios.model import ScenarioEffect

__all__ = ["ScenarioSet", "disruption_events", "generate_scenarios"]


@dataclass(frozen=True, repr=False)
class ScenarioSet:
    """Drawn scenarios as factors on the rows of one dataset (1 = as in the tables), by year.

    Every array has a year axis after the scenario axis (``Y = len(years)``,
    1 for the one-year model); arrays given without it (one year) get it.

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
        ``(S, Y, suppliers rows)``: share of the offer's capacity that is there
        (physical events, drawn capacity, for every buyer).
    availability : ndarray
        ``(S, Y, buyers, suppliers rows)``: share a buyer may take of what is there
        (export licences).
    price : ndarray
        ``(S, Y, suppliers rows)``: price level (drawn from its range); contracts
        and spot purchases pay it.
    spot_price : ndarray
        ``(S, Y, suppliers rows)``: the scenario's price response on top of
        ``price``; only spot purchases pay it.
    demand : ndarray
        ``(S, Y, demand rows)``.
    state : ndarray of str
        ``(S, Y, Y)``: China's policy state.
    description : tuple of str
        What happened in each scenario, in words.
    events : DataFrame
        The events that can fire (:func:`disruption_events`).
    year : int
        The first plan year.
    seed : int
    years : tuple of int
        The plan years (default: ``(year,)``).
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
    years: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not self.years:
            object.__setattr__(self, "years", (self.year,))
        given = np.asarray(self.state, dtype=object)
        if given.ndim == 1:  # one year given without its axis
            object.__setattr__(self, "state", given[:, None])
            for name in ("capacity", "price", "spot_price", "demand", "availability"):
                object.__setattr__(self, name, np.asarray(getattr(self, name), float)[:, None])

    @property
    def n_years(self) -> int:
        """Y, the plan years each scenario covers."""
        return len(self.years)

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        counts = pd.Series(self.state[:, 0]).value_counts().to_dict()
        states = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        years = (
            f"years={self.years[0]}-{self.years[-1]}" if self.n_years > 1 else f"year={self.year}"
        )
        return f"ScenarioSet({len(self)} scenarios, {years}, seed={self.seed}, {states})"

    def effect(self, i: int, year: int = 0) -> ScenarioEffect:
        """Scenario ``i`` in plan year ``years[year]`` as a :class:`ScenarioEffect` (spot
        prices; for stress tests of the one-year model)."""
        t = year
        return ScenarioEffect(
            self.names[i],
            self.description[i],
            float(self.probability[i]),
            "monte-carlo",
            self.buyers,
            capacity=_or_none(self.capacity[i, t]),
            price=_or_none(self.price[i, t] * self.spot_price[i, t]),
            availability=_or_none(self.availability[i, t]),
            demand=_or_none(self.demand[i, t]),
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
            self.years,
        )

    def table(self) -> pd.DataFrame:
        """One row per scenario: name, probability, China's state (by year, joined with
        " > " over a horizon), description."""
        return pd.DataFrame(
            {
                "scenario": self.names,
                "probability": self.probability,
                "china_policy": [" > ".join(map(str, path)) for path in self.state],
                "description": self.description,
            }
        )


def _or_none(array: np.ndarray) -> np.ndarray | None:
    return None if bool(np.all(array == 1.0)) else np.asarray(array, float)


def generate_scenarios(
    dataset: Dataset,
    config: Config,
    n: int | None = None,
    seed: int | None = None,
    scores: pd.DataFrame | None = None,
) -> ScenarioSet:
    """Draw ``n`` equally likely disruption scenarios for the plan year, or paths over the
    horizon's years when ``config`` has one.

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
    scores = _with_probability(dataset, config, scores)
    models = _year_models(dataset, config, scores)
    children = np.random.SeedSequence(seed).spawn(n)
    paths, failed = _draw_paths(models, children, settings.policy_persistence)
    model, years = models[0], tuple(m.controls.year for m in models)
    n_sup, n_dem, n_b, n_y = (
        len(dataset.suppliers),
        len(dataset.demand),
        len(model.buyers),
        len(years),
    )

    def stack(k: int, shape: tuple[int, ...]) -> np.ndarray:
        return np.array([[d[k] for d in path] for path in paths], float).reshape((n, n_y, *shape))

    return ScenarioSet(
        names=tuple(f"mc-{seed}-{i:04d}" for i in range(n)),
        probability=np.full(n, 1.0 / n) if n else np.zeros(0),
        buyers=model.buyers,
        capacity=stack(1, (n_sup,)),
        availability=stack(2, (n_b, n_sup)),
        price=stack(3, (n_sup,)),
        spot_price=stack(4, (n_sup,)),
        demand=stack(5, (n_dem,)),
        state=np.array([[d[0].value for d in path] for path in paths], dtype=object).reshape(
            n, n_y
        ),
        description=tuple(
            _describe_path(path, years, gone) for path, gone in zip(paths, failed, strict=True)
        ),
        events=_event_table(model),
        year=years[0],
        seed=seed,
        years=years,
    )


def _with_probability(
    dataset: Dataset, config: Config, scores: pd.DataFrame | None
) -> pd.DataFrame:
    """Scores with the calibrated yearly disruption probability."""
    if scores is None:
        from riskengine.optimise.api import default_scores

        return default_scores(dataset, config)
    if "disruption_probability" not in scores.columns:
        from riskengine.optimise.api import with_disruption_probability

        return with_disruption_probability(scores, dataset, config)
    return scores


def _year_models(dataset: Dataset, config: Config, scores: pd.DataFrame) -> list[DrawModel]:
    """One draw model per plan year: the horizon's years, else the one plan year."""
    years = config.horizon.years
    if not years:
        return [prepare(dataset, config, scores)]
    one = config.one_year()
    stochastic = one.optimiser.stochastic
    out = []
    for year in years:
        settings = stochastic.model_copy(update={"year": year})
        opt = one.optimiser.model_copy(update={"stochastic": settings})
        out.append(prepare(dataset, one.model_copy(update={"optimiser": opt}), scores))
    return out


def _draw_paths(
    models: list[DrawModel], children: list[np.random.SeedSequence], persistence: float
) -> tuple[list[list[tuple[Any, ...]]], list[list[str]]]:
    """Every scenario's draws and failed projects; over a horizon each scenario draws its
    projects' commissioning from a stream of its own (a child of its seed)."""
    paths, failed = [], []
    for child in children:
        rng = np.random.default_rng(child)
        projects = np.random.default_rng(child.spawn(1)[0]) if len(models) > 1 else None
        path, gone = draw_path(models, rng, persistence, projects)
        paths.append(path)
        failed.append(gone)
    return paths, failed


def _describe_path(path: list[tuple[Any, ...]], years: tuple[int, ...], failed: list[str]) -> str:
    """One year's description, or each year's prefixed with the year over a horizon, and
    the projects that are never commissioned."""
    if len(path) == 1:
        return str(path[0][6])
    text = " | ".join(f"{year}: {draw[6]}" for year, draw in zip(years, path, strict=True))
    return text + (f" | not commissioned: {', '.join(failed)}" if failed else "")


# --------------------------------------------------------------------------- events table


def _event_table(model: DrawModel) -> pd.DataFrame:
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
