"""Scenarios as data: a :class:`ScenarioConfig` compiled against a dataset, then applied.

A scenario multiplies three quantities for the rows its selectors match:

- ``capacity`` of supplier offers (``suppliers.csv`` rows); with a ``buyer``
  selector the cut applies only to what those buyers may take from the offer
  (a destination-specific embargo);
- ``price`` of supplier offers; with a ``buyer`` selector only those buyers pay it;
- ``demand`` of buyers (``demand.csv`` rows), selected by ``buyer`` and ``commodity``.

Within one multiplier the selectors are AND-ed and the values of one selector
OR-ed; an empty selector matches every row; multipliers of one scenario
compound (their factors multiply). Every selector value must match at least one
row, and a multiplier whose selectors match nothing together is an error too:
a typo must never turn a stress test into a silent no-op.

:func:`compile_scenario` turns a scenario into a :class:`ScenarioEffect` (one
factor per offer, per buyer and offer, per demand row), which the sweep, the
exposure and the robust model read. :func:`apply_scenario` writes the effect
into a copy of the dataset's tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from riskengine.config.schema import Multiplier, ScenarioConfig
from riskengine.data.dataset import Dataset
from riskengine.data.frames import scale_column
from riskengine.exceptions import RiskEngineError

__all__ = [
    "ScenarioEffect",
    "ScenarioMismatch",
    "apply_scenario",
    "compile_scenario",
    "noop_effect",
]

#: Selectors that pick supplier offers, with the suppliers.csv column each reads.
OFFER_SELECTORS: dict[str, str] = {
    "country": "country",
    "not_country": "country",
    "supplier": "supplier_id",
    "commodity": "commodity",
    "stage": "stage",
    "status": "status",
    "parent_country": "parent_country",
    "chinese_technology": "chinese_technology",
}
#: Selectors that pick demand rows.
DEMAND_SELECTORS: dict[str, str] = {"buyer": "buyer", "commodity": "commodity"}
_SELECTORS = (*OFFER_SELECTORS, "buyer")


@dataclass(frozen=True, repr=False)
class ScenarioEffect:
    """A scenario as factors on the rows of one dataset (1 = unchanged; None = all ones).

    Attributes
    ----------
    name, description : str
        From the scenario.
    probability : float or None
        From the scenario (None = not given).
    source : str
        Where it came from: ``config``, a library file, or ``monte-carlo``.
    buyers : tuple of str
        Buyers in the order of the rows of ``availability`` and ``buyer_price``.
    capacity : ndarray or None
        Factor on ``capacity_t`` per ``suppliers`` row (positional).
    price : ndarray or None
        Factor on ``price_usd_per_kg`` per ``suppliers`` row, for every buyer.
    availability : ndarray or None
        ``(buyers, offers)``: share of the (scaled) capacity each buyer may take.
    buyer_price : ndarray or None
        ``(buyers, offers)``: price factor paid by one buyer only.
    demand : ndarray or None
        Factor on ``demand_t`` per ``demand`` row (positional).
    """

    name: str
    description: str = ""
    probability: float | None = None
    source: str = "config"
    buyers: tuple[str, ...] = ()
    capacity: np.ndarray | None = field(default=None, repr=False)
    price: np.ndarray | None = field(default=None, repr=False)
    availability: np.ndarray | None = field(default=None, repr=False)
    buyer_price: np.ndarray | None = field(default=None, repr=False)
    demand: np.ndarray | None = field(default=None, repr=False)

    @property
    def is_noop(self) -> bool:
        """True when every factor is 1."""
        arrays = (self.capacity, self.price, self.availability, self.buyer_price, self.demand)
        return all(a is None or bool(np.all(a == 1.0)) for a in arrays)

    def __repr__(self) -> str:
        touched = [
            k
            for k in ("capacity", "price", "availability", "buyer_price", "demand")
            if getattr(self, k) is not None
        ]
        return (
            f"ScenarioEffect(name={self.name!r}, source={self.source!r}, "
            f"changes={', '.join(touched) or 'nothing'})"
        )


def noop_effect(dataset: Dataset, name: str = "baseline") -> ScenarioEffect:
    """The scenario that changes nothing."""
    return ScenarioEffect(name, "no change", None, "baseline", _buyers(dataset))


def _buyers(dataset: Dataset) -> tuple[str, ...]:
    return tuple(sorted(set(dataset.demand["buyer"].astype(str))))


# --------------------------------------------------------------------------- selectors


class ScenarioMismatch(RiskEngineError):
    """A scenario that does not fit a dataset: a selector matches no row, or applies to no column.

    Attributes
    ----------
    scenario : str
        The scenario's name.
    brief : str
        The reason in a few words, without the list of valid values (for a
        one-line note when a shipped library scenario is skipped).
    """

    def __init__(self, message: str, scenario: str, brief: str) -> None:
        super().__init__(message)
        self.scenario, self.brief = scenario, brief


class _Selector:
    """Matches selector values against one table, with the messages for misses."""

    def __init__(
        self,
        scenario: str,
        where: str,
        table: pd.DataFrame,
        table_name: str,
        blocs: pd.Series | None,
    ) -> None:
        self.scenario, self.where, self.table, self.table_name = scenario, where, table, table_name
        self.blocs = blocs

    def _fail(self, message: str, brief: str = "") -> ScenarioMismatch:
        return ScenarioMismatch(
            f"scenario {self.scenario!r}: {self.where}{message}",
            self.scenario,
            brief or f"{self.where}{message}",
        )

    def codes(self, key: str, column: str, values: tuple[str, ...]) -> np.ndarray:
        """Rows whose ``column`` is one of ``values`` (countries also match by bloc)."""
        if column not in self.table.columns:
            raise self._fail(
                f".{key}: {self.table_name} has no {column} column; add it or drop the selector",
                f"{self.table_name} has no {column} column",
            )
        cells = self.table[column].fillna("").astype(str)
        bloc = self.blocs if column in ("country", "parent_country") else None
        lookup = cells.map(bloc).fillna("") if bloc is not None else None
        valid = set(cells) - {"", "nan"}
        if lookup is not None:
            valid |= set(lookup) - {"", "nan"}
        for value in values:
            if value not in valid:
                raise self._fail(
                    f".{key} = {value!r} matches no row of {self.table_name}; "
                    f"valid values: {', '.join(sorted(valid))}",
                    f"{key} {value!r} is not in {self.table_name}",
                )
        hit = cells.isin(values)
        if lookup is not None:
            hit |= lookup.isin(values)
        return np.asarray(hit.to_numpy())

    def flag(self, key: str, column: str, value: bool) -> np.ndarray:
        """Rows whose boolean ``column`` equals ``value``."""
        if column not in self.table.columns:
            raise self._fail(
                f".{key}: {self.table_name} has no {column} column; add it "
                "(true/false per offer) or drop the selector",
                f"{self.table_name} has no {column} column",
            )
        cells = self.table[column].fillna(False).astype(bool).to_numpy()
        hit = cells == value
        if not hit.any():
            valid = ", ".join(str(v).lower() for v in sorted(set(cells.tolist())))
            raise self._fail(
                f".{key} = {str(value).lower()} matches no row of "
                f"{self.table_name}; valid values: {valid}",
                f"no row of {self.table_name} has {key} {str(value).lower()}",
            )
        return np.asarray(hit)


def _offer_mask(sel: _Selector, rule: Multiplier) -> np.ndarray:
    mask = np.ones(len(sel.table), dtype=bool)
    for key, column in OFFER_SELECTORS.items():
        value = getattr(rule, key)
        if key == "chinese_technology":
            if value is not None:
                mask &= sel.flag(key, column, value)
        elif value:
            hit = sel.codes(key, column, value)
            mask &= ~hit if key == "not_country" else hit
    return mask


def _buyer_rows(sel: _Selector, rule: Multiplier, buyers: tuple[str, ...]) -> list[int] | None:
    """Indices of the buyers a rule names (None = all buyers alike)."""
    if not rule.buyer:
        return None
    for value in rule.buyer:
        if value not in buyers:
            raise sel._fail(
                f".buyer = {value!r} is not a buyer with demand; valid values: {', '.join(buyers)}",
                f"buyer {value!r} has no demand",
            )
    return [buyers.index(b) for b in rule.buyer]


def _used(rule: Multiplier) -> list[str]:
    return [k for k in _SELECTORS if getattr(rule, k) not in ((), None)]


def _describe(rule: Multiplier, key: str) -> str:
    value = getattr(rule, key)
    if isinstance(value, bool):
        return f"{key} {str(value).lower()}"
    return f"{key} [{', '.join(value)}]"


def _empty_error(sel: _Selector, rule: Multiplier, what: str) -> ScenarioMismatch:
    named = " and ".join(_describe(rule, k) for k in _used(rule) if k != "buyer")
    return sel._fail(
        f": {named} select no {what} together; loosen one of the selectors",
        f"{named} select no {what} together",
    )


# --------------------------------------------------------------------------- compile


def compile_scenario(
    dataset: Dataset,
    scenario: ScenarioConfig,
    source: str = "config",
) -> ScenarioEffect:
    """Check a scenario against a dataset and turn it into factors on its rows.

    Parameters
    ----------
    dataset : Dataset
        The tables the selectors are matched against.
    scenario : ScenarioConfig
        Name, description, probability and multipliers.
    source : str
        Where the scenario came from (for tables and messages).

    Returns
    -------
    ScenarioEffect

    Raises
    ------
    RiskEngineError
        A selector value that matches no row (naming the scenario, the key and
        the value, and listing the valid values), a selector that does not
        apply to the table, or a multiplier whose selectors match nothing together.
    """
    offers, buyers = dataset.suppliers.reset_index(drop=True), _buyers(dataset)
    blocs = dataset.countries.set_index("country")["bloc"].astype(str)
    n_off, n_b = len(offers), len(buyers)
    cap, price = np.ones(n_off), np.ones(n_off)
    avail, bprice = np.ones((n_b, n_off)), np.ones((n_b, n_off))
    for key, target, per_buyer in (("capacity", cap, avail), ("price", price, bprice)):
        for i, rule in enumerate(getattr(scenario, key)):
            sel = _Selector(scenario.name, f"{key}[{i}]", offers, "suppliers.csv", blocs)
            mask = _offer_mask(sel, rule)
            rows = _buyer_rows(sel, rule, buyers)
            if not mask.any():
                raise _empty_error(sel, rule, "offer")
            if rows is None:
                target[mask] *= rule.factor
            else:
                per_buyer[np.ix_(np.asarray(rows, dtype=np.intp), np.flatnonzero(mask))] *= (
                    rule.factor
                )
    demand = _demand_factors(dataset, scenario, blocs)
    return ScenarioEffect(
        scenario.name,
        scenario.description,
        scenario.probability,
        source,
        buyers,
        capacity=_or_none(cap),
        price=_or_none(price),
        availability=_or_none(avail),
        buyer_price=_or_none(bprice),
        demand=_or_none(demand),
    )


def _demand_factors(dataset: Dataset, scenario: ScenarioConfig, blocs: pd.Series) -> np.ndarray:
    demand = dataset.demand.reset_index(drop=True)
    factors = np.ones(len(demand))
    for i, rule in enumerate(scenario.demand):
        sel = _Selector(scenario.name, f"demand[{i}]", demand, "demand.csv", None)
        for key in _used(rule):
            if key not in DEMAND_SELECTORS:
                raise sel._fail(
                    f".{key} does not apply to demand; demand rows are selected "
                    "by buyer and commodity"
                )
        mask = np.ones(len(demand), dtype=bool)
        for key, column in DEMAND_SELECTORS.items():
            if getattr(rule, key):
                mask &= sel.codes(key, column, getattr(rule, key))
        if not mask.any():
            raise _empty_error(sel, rule, "demand row")
        factors[mask] *= rule.factor
    return factors


def _or_none(array: np.ndarray) -> np.ndarray | None:
    return None if bool(np.all(array == 1.0)) else array


# --------------------------------------------------------------------------- apply


def apply_scenario(dataset: Dataset, scenario: ScenarioConfig | ScenarioEffect) -> Dataset:
    """A copy of the dataset with the scenario's capacities, prices and demand.

    Buyer-specific multipliers (a ``buyer`` selector on ``capacity`` or
    ``price``) cannot change a table that every buyer shares; they are written
    as extra ``suppliers`` columns ``capacity_factor_<BUYER>`` and
    ``price_factor_<BUYER>``, which :func:`riskengine.optimise.optimise` does
    not read. The stress test (:func:`riskengine.scenarios.stress`) applies them.

    Parameters
    ----------
    dataset : Dataset
    scenario : ScenarioConfig or ScenarioEffect
        A scenario is checked with :func:`compile_scenario` first.

    Examples
    --------
    >>> import riskengine
    >>> from riskengine.config import ScenarioConfig
    >>> from riskengine.scenarios import apply_scenario
    >>> data = riskengine.load_dataset()
    >>> ban = ScenarioConfig.model_validate(
    ...     {"name": "ban", "capacity": [{"factor": 0, "country": ["CN"]}]})
    >>> float(apply_scenario(data, ban).suppliers.query("country == 'CN'")["capacity_t"].sum())
    0.0
    """
    effect = (
        scenario if isinstance(scenario, ScenarioEffect) else compile_scenario(dataset, scenario)
    )
    offers = dataset.suppliers.reset_index(drop=True).copy()
    if effect.capacity is not None:
        scale_column(offers, "capacity_t", effect.capacity)  # with its _low/_high range
    if effect.price is not None:
        scale_column(offers, "price_usd_per_kg", effect.price)
    for key, array in (
        ("capacity_factor", effect.availability),
        ("price_factor", effect.buyer_price),
    ):
        if array is not None:
            for row, buyer in enumerate(effect.buyers):
                offers[f"{key}_{buyer}"] = array[row]
    demand = dataset.demand.reset_index(drop=True).copy()
    if effect.demand is not None:
        scale_column(demand, "demand_t", effect.demand)
    return dataset.with_tables(suppliers=offers, demand=demand)


def effects_for(
    dataset: Dataset, scenarios: Sequence[tuple[ScenarioConfig, str]]
) -> list[ScenarioEffect]:
    """Compile (scenario, source) pairs in order."""
    return [compile_scenario(dataset, s, source) for s, source in scenarios]
