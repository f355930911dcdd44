"""Monte Carlo scenarios: random disruptions drawn from the risk indicators.

Each generated scenario is a set of independent events, each firing with a
probability derived from the same data that drives the risk scores:

- **Export-control event**, one per (country, destination) group of export
  controls in force: ``p = control_base * s`` with ``s`` the highest severity of
  the group's controls that cover an offer (1 = ban, 0.5 = licence). It hits
  the offers those controls cover (country, commodity and stage; empty stage =
  all) and only the buyers the destination names (empty = every buyer; a
  destination matches a buyer whose ``home`` lists it or its bloc). Seed data:
  China's Announcement 18 licences (s = 0.5) fire with p = 0.10 a year; the
  Japan-only controls of Announcement 1/2026 (s = 0.75) with p = 0.15 for the
  JP buyer.
- **Country event** (unrest, conflict, policy), one per supplying country:
  ``p = governance_base * g`` with ``g`` the governance indicator in [0, 1]
  (JRC scale: ``(2.5 - WGI) * 2 / 10``). Myanmar (WGI -1.60): g = 0.82, p = 0.041.
- **Supplier event** (outage, delay, failed ramp-up), one per offer:
  ``p = supplier_min + (supplier_max - supplier_min) * m`` with ``m`` the
  maturity indicator (producing 0, ramping 0.5, planned 1): 0.02, 0.16, 0.30.

An event that fires removes a share of the capacity it hits, drawn uniformly
from ``depth`` (default 50-100%); events compound multiplicatively. Prices
respond: each offer not hit by any event of its commodity has its price
multiplied by ``1 + price_elasticity * L_c``, with ``L_c`` the share of the
commodity's total capacity lost (all buyers) in that scenario. With the default
elasticity 2, losing China's ~90% share of dysprosium nearly triples the other
offers' price, the size of the 2025 move (fact sheet S23). Demand is not drawn.

Scenario ``i`` of seed ``s`` uses its own generator, spawned as child ``i`` of
``numpy.random.SeedSequence(s)``: the same seed gives the same scenarios, and
scenario ``i`` does not depend on how many are drawn. The mapping is written
out in ``docs/scenarios.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.exceptions import RiskEngineError
from riskengine.scenarios.model import ScenarioEffect
from riskengine.scoring.indicators import MATURITY_LEVEL, governance_risk

__all__ = ["DisruptionModel", "disruption_events", "monte_carlo"]


@dataclass(frozen=True)
class DisruptionModel:
    """Parameters of the mapping from risk indicators to event probabilities (see module doc)."""

    control_base: float = 0.2
    governance_base: float = 0.05
    supplier_min: float = 0.02
    supplier_max: float = 0.30
    depth: tuple[float, float] = (0.5, 1.0)
    price_elasticity: float = 2.0

    def __post_init__(self) -> None:
        for name in ("control_base", "governance_base", "supplier_min", "supplier_max"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise RiskEngineError(f"DisruptionModel.{name} = {value!r}: expected 0 to 1")
        low, high = self.depth
        if not 0.0 <= low <= high <= 1.0:
            raise RiskEngineError(
                f"DisruptionModel.depth = {self.depth!r}: expected "
                "(low, high) with 0 <= low <= high <= 1"
            )
        if self.price_elasticity < 0:
            raise RiskEngineError(
                f"DisruptionModel.price_elasticity = {self.price_elasticity!r}: expected >= 0"
            )


def disruption_events(
    dataset: Dataset, config: Config, model: DisruptionModel | None = None
) -> pd.DataFrame:
    """The events a Monte Carlo draw can fire, with their probabilities.

    Returns
    -------
    DataFrame
        One row per event: ``kind`` (control, country, supplier), ``key``
        (what it names), ``buyers`` (comma-separated, or "all"),
        ``probability`` (a year) and ``offers`` (how many offers it hits).
    """
    model = model or DisruptionModel()
    groups, _, _ = _group_events(dataset, config, model)
    offers = dataset.suppliers.reset_index(drop=True)
    suppliers = pd.DataFrame(
        {
            "kind": "supplier",
            "key": offers["supplier_id"].astype(str) + " (" + offers["commodity"].astype(str) + ")",
            "buyers": "all",
            "probability": _supplier_probability(offers, model),
            "offers": 1,
        }
    )
    return pd.concat([groups, suppliers], ignore_index=True)


def _group_events(
    dataset: Dataset, config: Config, model: DisruptionModel
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Control and country events: table, hits ``(events, offers)``, buyers ``(events, buyers)``."""
    offers = dataset.suppliers.reset_index(drop=True)
    buyers = tuple(sorted(set(dataset.demand["buyer"].astype(str))))
    rows = _control_events(dataset, config, offers, buyers, model) + _country_events(
        dataset, offers, buyers, model
    )
    table = pd.DataFrame(
        [(*r[:4], int(r[4].sum())) for r in rows],
        columns=["kind", "key", "buyers", "probability", "offers"],
    )
    if not rows:
        return table, np.zeros((0, len(offers)), bool), np.zeros((0, len(buyers)), bool)
    return table, np.vstack([r[4] for r in rows]), np.vstack([r[5] for r in rows])


def _supplier_probability(offers: pd.DataFrame, model: DisruptionModel) -> np.ndarray:
    maturity = offers["status"].astype(str).map(MATURITY_LEVEL).fillna(1.0)
    spread = model.supplier_max - model.supplier_min
    return (model.supplier_min + spread * maturity).to_numpy(dtype=float)


_Event = tuple[str, str, str, float, np.ndarray, np.ndarray]


def _control_events(
    dataset: Dataset,
    config: Config,
    offers: pd.DataFrame,
    buyers: tuple[str, ...],
    model: DisruptionModel,
) -> list[_Event]:
    controls = dataset.export_controls
    if "in_force" in controls.columns:
        controls = controls[controls["in_force"].fillna(True).astype(bool)]
    bloc = dataset.countries.set_index("country")["bloc"].astype(str)
    out = []
    for (country, dest), group in controls.groupby(
        [controls["country"].astype(str), _column(controls, "destination")], sort=True
    ):
        hit, severity = np.zeros(len(offers), bool), 0.0
        for rule in group.itertuples(index=False):
            stage = str(getattr(rule, "stage", "") or "")
            covered = (
                (offers["country"] == country)
                & (offers["commodity"] == rule.commodity)
                & ((stage in ("", "nan")) | (offers["stage"] == stage))
            ).to_numpy()
            if covered.any():
                hit |= covered
                severity = max(severity, float(rule.severity))
        who = _destination_buyers(dest, buyers, config, bloc)
        if hit.any() and who.any():
            names = "all" if who.all() and dest == "" else ",".join(np.array(buyers)[who])
            key = f"{country} export controls" + (f" to {dest}" if dest else "")
            out.append(("control", key, names, model.control_base * severity, hit, who))
    return out


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series("", index=frame.index)
    return frame[name].fillna("").astype(str).replace("nan", "")


def _destination_buyers(
    dest: str, buyers: tuple[str, ...], config: Config, bloc: pd.Series
) -> np.ndarray:
    if dest == "":
        return np.ones(len(buyers), bool)
    codes = {dest, str(bloc.get(dest, ""))} - {""}
    return np.array(
        [b in config.buyers and bool(codes & set(config.buyers[b].home)) for b in buyers], bool
    )


def _country_events(
    dataset: Dataset, offers: pd.DataFrame, buyers: tuple[str, ...], model: DisruptionModel
) -> list[_Event]:
    wgi = dataset.countries.set_index("country")["governance"].astype(float)
    out = []
    for country in sorted(set(offers["country"].astype(str))):
        g = float(governance_risk(pd.Series([wgi.get(country, 0.0)])).iloc[0])
        hit = (offers["country"] == country).to_numpy()
        out.append(
            ("country", country, "all", model.governance_base * g, hit, np.ones(len(buyers), bool))
        )
    return out


def monte_carlo(
    dataset: Dataset,
    config: Config,
    n: int,
    seed: int = 0,
    model: DisruptionModel | None = None,
) -> list[ScenarioEffect]:
    """``n`` random scenarios (see the module docstring for the mapping).

    Parameters
    ----------
    dataset, config : the data and buyers the events are derived from.
    n : int
        Number of scenarios (>= 0).
    seed : int
        Seed; the same seed gives the same scenarios.
    model : DisruptionModel, optional

    Returns
    -------
    list of ScenarioEffect
        Named ``mc-<seed>-<i>`` (i with four digits), source ``monte-carlo``, no
        probability (equal weights).
    """
    if n < 0:
        raise RiskEngineError(f"monte_carlo must be >= 0 scenarios, got {n}")
    model = model or DisruptionModel()
    events, hits, who = _group_events(dataset, config, model)
    offers = dataset.suppliers.reset_index(drop=True)
    p_supplier = _supplier_probability(offers, model)
    buyers = tuple(sorted(set(dataset.demand["buyer"].astype(str))))
    labels = (
        offers["supplier_id"].astype(str) + " (" + offers["commodity"].astype(str) + ")"
    ).to_numpy()
    _, commodity = np.unique(offers["commodity"].astype(str).to_numpy(), return_inverse=True)
    draws = _Draws(
        events["key"].to_numpy(),
        events["probability"].to_numpy(dtype=float),
        hits,
        who,
        p_supplier,
        labels,
        offers["capacity_t"].to_numpy(dtype=float),
        commodity,
        buyers,
        model,
    )
    return [
        draws.scenario(np.random.default_rng(child), f"mc-{seed}-{i:04d}")
        for i, child in enumerate(np.random.SeedSequence(seed).spawn(n))
    ]


@dataclass(frozen=True)
class _Draws:
    keys: np.ndarray
    p_event: np.ndarray
    hits: np.ndarray
    who: np.ndarray
    p_supplier: np.ndarray
    labels: np.ndarray
    capacity: np.ndarray
    commodity: np.ndarray
    buyers: tuple[str, ...]
    model: DisruptionModel

    def scenario(self, rng: np.random.Generator, name: str) -> ScenarioEffect:
        """One draw: group events, then one supplier event per offer (fixed order)."""
        low, high = self.model.depth
        n_off = len(self.labels)
        fire = rng.random(len(self.p_event)) < self.p_event
        depth = rng.uniform(low, high, size=len(self.p_event))
        down = rng.random(n_off) < self.p_supplier
        depth_offer = rng.uniform(low, high, size=n_off)
        cap = np.where(down, 1.0 - depth_offer, 1.0)
        avail = np.ones((len(self.buyers), n_off))
        for e in np.flatnonzero(fire):
            if self.who[e].all():
                cap[self.hits[e]] *= 1.0 - depth[e]
            else:
                avail[np.ix_(self.who[e], self.hits[e])] *= 1.0 - depth[e]
        text = self._describe(fire, depth, down, depth_offer)
        return ScenarioEffect(
            name,
            text,
            None,
            "monte-carlo",
            self.buyers,
            capacity=None if bool(np.all(cap == 1.0)) else cap,
            price=self._price_response(cap),
            availability=None if bool(np.all(avail == 1.0)) else avail,
        )

    def _describe(
        self, fire: np.ndarray, depth: np.ndarray, down: np.ndarray, depth_offer: np.ndarray
    ) -> str:
        parts = [f"{self.keys[e]} -{depth[e]:.0%}" for e in np.flatnonzero(fire)]
        parts += [f"{self.labels[o]} -{depth_offer[o]:.0%}" for o in np.flatnonzero(down)]
        if not parts:
            return "no event fired"
        more = f"; +{len(parts) - 4} more" if len(parts) > 4 else ""
        return "; ".join(parts[:4]) + more

    def _price_response(self, cap: np.ndarray) -> np.ndarray | None:
        """Unhit offers of a commodity pay ``1 + elasticity * lost share`` of its capacity."""
        if self.model.price_elasticity == 0 or bool(np.all(cap == 1.0)):
            return None
        total = np.bincount(self.commodity, self.capacity)
        left = np.bincount(self.commodity, self.capacity * cap)
        lost = np.divide(total - left, total, out=np.zeros_like(total), where=total > 0)
        price = np.where(cap == 1.0, 1.0 + self.model.price_elasticity * lost[self.commodity], 1.0)
        return None if bool(np.all(price == 1.0)) else price
