"""The sourcing model of contract section 5.2 as one parametric problem.

:func:`build_problem` turns a dataset, a configuration and risk scores into a
:class:`Problem`: a :class:`Structure` (the columns, one sparse
:class:`~riskengine.optimise.families.Block` of rows per constraint family,
and which parameter each right-hand side reads) and its
:class:`~riskengine.optimise.parameters.Parameters` (demand, capacity,
prices, disruption probabilities, lost-supply values, risk aversion). Column
costs and every bound come from
:func:`~riskengine.optimise.parameters.model_arrays`, the only place they are
computed. :meth:`Problem.with_parameters` gives the same structure with other
numbers: the frontier changes lambda, a scenario changes capacities, prices
and demand. Both backends (``_highs``, ``_pulp``) read a :class:`Problem`.

Columns (:class:`Layout`): ``x[b,o]`` tonnes bought by buyer b from offer o;
``shortfall[b,c]``; ``bought[b,c]`` (= sum of the buyer's x, when a policy
measures shares on what the buyer buys); one ``violation`` per soft policy
row; and, for a MILP (minimum order quantity, supplier limit), one binary
``y[b,o]`` per x.

Units inside the model: kilotonnes and thousands of USD (``TONNES_PER_UNIT``,
``USD_PER_UNIT``); everything public is in tonnes and USD.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp

from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.enums import Mode, ShortfallRule
from riskengine.exceptions import RiskEngineError
from riskengine.optimise import _milp
from riskengine.optimise._contracts import contract_block
from riskengine.optimise.constraints import (
    define_bought,
    define_capacity,
    define_country_cap,
    define_demand,
    define_partner_floor,
    define_service,
    policy_rows,
)
from riskengine.optimise.families import (
    FAMILIES,
    ROW_KEYS,
    TONNES_PER_UNIT,
    USD_PER_UNIT,
    Block,
)
from riskengine.optimise.parameters import ModelArrays, Parameters, model_arrays
from riskengine.optimise.policy import ModelSettings, model_settings
from riskengine.optimise.variables import needs, offers, x_variables

__all__ = [
    "FAMILIES",
    "TONNES_PER_UNIT",
    "USD_PER_UNIT",
    "Block",
    "Layout",
    "Problem",
    "Structure",
    "build_problem",
]


@dataclass(frozen=True)
class Layout:
    """Where each kind of column sits: x, shortfall, bought, violation, y (in that order)."""

    n_x: int
    n_need: int
    n_bought: int
    n_violation: int
    n_y: int

    @property
    def n_cols(self) -> int:
        """All columns."""
        return self.n_x + self.n_need + self.n_bought + self.n_violation + self.n_y

    @property
    def x(self) -> slice:
        """The x columns."""
        return slice(0, self.n_x)

    @property
    def shortfall(self) -> slice:
        """One shortfall column per need."""
        return slice(self.n_x, self.n_x + self.n_need)

    @property
    def bought(self) -> slice:
        """One bought column per need (empty without a consumption-based policy)."""
        start = self.shortfall.stop
        return slice(start, start + self.n_bought)

    @property
    def violation(self) -> slice:
        """One column per soft policy row."""
        start = self.bought.stop
        return slice(start, start + self.n_violation)

    @property
    def y(self) -> slice:
        """The binary columns of a MILP."""
        start = self.violation.stop
        return slice(start, start + self.n_y)


@dataclass(frozen=True, repr=False)
class Structure:
    """What does not change between solves: columns, rows and their references.

    Attributes
    ----------
    mode : Mode
    settings : ModelSettings
        Version, risk charge, shortfall rule, per-buyer policies, sigma.
    needs, offers, x : DataFrame
        Index tables (see :mod:`riskengine.optimise.variables`).
    violations : DataFrame
        One row per violation column: ``family, buyer, commodity, country, share``.
    layout : Layout
    blocks : tuple of Block
        Constraint families in :data:`FAMILIES` order (empty ones omitted).
    need_group : ndarray
        Per need, the commodity code (the separate mode's pro-rata split).
    service_group : ndarray
        Per need, its group in the lexicographic rule (commodity in joint
        mode, the need itself in separate mode).
    y_upper : ndarray
        Upper bounds of the MILP's y columns (0 where nothing can be bought).
    notes : tuple of str
        What the analyst should read (deprecations, fallbacks).
    """

    mode: Mode
    settings: ModelSettings
    needs: pd.DataFrame
    offers: pd.DataFrame
    x: pd.DataFrame
    violations: pd.DataFrame
    layout: Layout
    blocks: tuple[Block, ...]
    need_group: np.ndarray
    service_group: np.ndarray
    y_upper: np.ndarray = field(default_factory=lambda: np.zeros(0))
    notes: tuple[str, ...] = ()

    @cached_property
    def x_need(self) -> np.ndarray:
        """Need of every x column."""
        return self.x["need"].to_numpy(dtype=int)

    @cached_property
    def x_offer(self) -> np.ndarray:
        """Offer of every x column."""
        return self.x["offer"].to_numpy(dtype=int)

    @cached_property
    def x_alone(self) -> np.ndarray:
        """True where only one buyer can buy the x column's offer."""
        return np.bincount(self.x_offer, minlength=len(self.offers))[self.x_offer] == 1

    @property
    def sigma(self) -> float:
        """Supplier cap: most of a buyer's demand one offer may fill, share 0-1."""
        return self.settings.sigma

    @property
    def n_service_groups(self) -> int:
        """Groups of the lexicographic service rule."""
        return int(self.service_group.max()) + 1 if len(self.service_group) else 0

    @cached_property
    def matrix(self) -> sp.csr_matrix:
        """All blocks stacked (rows in block order)."""
        if not self.blocks:
            return sp.csr_matrix((0, self.layout.n_cols))
        return sp.vstack([b.matrix for b in self.blocks], format="csr")

    @cached_property
    def rows(self) -> pd.DataFrame:
        """Row index of all blocks, stacked (one row per constraint)."""
        if not self.blocks:
            return pd.DataFrame(columns=ROW_KEYS)
        return pd.concat([b.rows for b in self.blocks], ignore_index=True)

    @cached_property
    def columns(self) -> pd.DataFrame:
        """One row per column: ``kind`` (x, shortfall, bought, violation, y) and its keys.

        Keys: ``buyer, commodity, supplier_id, country, relation, family``
        (empty where they do not apply).
        """
        keys = ["buyer", "commodity", "supplier_id", "country", "relation", "family"]
        need = self.needs[["buyer", "commodity"]]
        parts = [
            self.x.assign(kind="x", family=""),
            need.assign(kind="shortfall"),
            need.iloc[: self.layout.n_bought].assign(kind="bought"),
            self.violations.assign(kind="violation"),
            self.x.iloc[: self.layout.n_y].assign(kind="y", family=""),
        ]
        frame = pd.concat([p.reindex(columns=["kind", *keys]) for p in parts], ignore_index=True)
        return frame.fillna({k: "" for k in keys})

    @cached_property
    def integrality(self) -> np.ndarray | None:
        """True for the binary y columns of a MILP; None for the LP."""
        if not self.layout.n_y:
            return None
        flags = np.zeros(self.layout.n_cols, dtype=bool)
        flags[self.layout.y] = True
        return flags


@dataclass(frozen=True, repr=False)
class Problem:
    """The sourcing model: a :class:`Structure` and its :class:`Parameters`.

    Backends read ``cost``, ``lower``, ``upper``, ``matrix``, ``row_lower``,
    ``row_upper`` and ``integrality`` (model units: kt and kUSD).
    """

    structure: Structure
    params: Parameters

    @cached_property
    def arrays(self) -> ModelArrays:
        """Costs and bounds under :attr:`params` (computed once)."""
        return model_arrays(self.structure, self.params)

    # ------------------------------------------------------------ what backends read
    @property
    def cost(self) -> np.ndarray:
        """Objective coefficients, kUSD per kt (numerically USD per tonne)."""
        return self.arrays.cost

    @property
    def lower(self) -> np.ndarray:
        """Column lower bounds (all 0)."""
        return self.arrays.lower

    @property
    def upper(self) -> np.ndarray:
        """Column upper bounds, kt (1 for y)."""
        return self.arrays.upper

    @property
    def row_lower(self) -> np.ndarray:
        """Lower row bounds, stacked."""
        return self.arrays.row_lower

    @property
    def row_upper(self) -> np.ndarray:
        """Upper row bounds, stacked."""
        return self.arrays.row_upper

    @property
    def matrix(self) -> sp.csr_matrix:
        """The constraint matrix."""
        return self.structure.matrix

    @property
    def integrality(self) -> np.ndarray | None:
        """True for integer columns; None for the LP."""
        return self.structure.integrality

    # ------------------------------------------------------------ convenience
    @property
    def mode(self) -> Mode:
        """``joint`` or ``separate``."""
        return self.structure.mode

    @property
    def risk_aversion(self) -> float:
        """lambda."""
        return self.params.risk_aversion

    @property
    def blocks(self) -> tuple[Block, ...]:
        """Constraint families."""
        return self.structure.blocks

    @property
    def rows(self) -> pd.DataFrame:
        """One row per constraint (family, buyer, commodity, country, supplier_id, share)."""
        return self.structure.rows

    @property
    def columns(self) -> pd.DataFrame:
        """One row per column (kind and keys); see :attr:`Structure.columns`."""
        return self.structure.columns

    @property
    def layout(self) -> Layout:
        """Column layout."""
        return self.structure.layout

    @property
    def is_mip(self) -> bool:
        """True when some column is integer (minimum order quantity or supplier limit)."""
        return bool(self.structure.layout.n_y)

    @property
    def n_cols(self) -> int:
        """Number of columns."""
        return self.structure.layout.n_cols

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return int(self.structure.matrix.shape[0])

    @property
    def n_x(self) -> int:
        """Number of x columns (they come first)."""
        return self.structure.layout.n_x

    @property
    def n_pairs(self) -> int:
        """Number of needs (buyer-commodity pairs; their shortfalls follow the x)."""
        return self.structure.layout.n_need

    @property
    def lexicographic(self) -> bool:
        """True when the shortfall rule is lexicographic (solved in two stages)."""
        return self.structure.settings.shortfall is ShortfallRule.LEXICOGRAPHIC

    def with_parameters(self, **changes: object) -> Problem:
        """The same structure with some parameters changed."""
        return replace(self, params=self.params.replace(**changes))

    def with_risk_aversion(self, risk_aversion: float) -> Problem:
        """The same problem with another lambda (only the costs change)."""
        return self.with_parameters(risk_aversion=float(risk_aversion))

    def __repr__(self) -> str:
        sizes = ", ".join(f"{b.family}={len(b)}" for b in self.blocks)
        lay = self.layout
        kinds = f"x={lay.n_x}, short={lay.n_need}"
        kinds += f", bought={lay.n_bought}" if lay.n_bought else ""
        kinds += f", violation={lay.n_violation}" if lay.n_violation else ""
        kinds += f", y={lay.n_y}" if lay.n_y else ""
        return (
            f"Problem(mode={self.mode.value}, version={self.structure.settings.version}, "
            f"risk_aversion={self.risk_aversion:g}, columns={self.n_cols} ({kinds}), "
            f"rows={self.n_rows} ({sizes}), nnz={self.matrix.nnz})"
        )


# --------------------------------------------------------------------------- build


def _q(x: pd.DataFrame) -> np.ndarray:
    """q per x, from the scores' ``disruption_probability``."""
    if x["disruption_probability"].isna().any():
        first = x[x["disruption_probability"].isna()].iloc[0]
        raise RiskEngineError(
            f"scores have no disruption_probability for buyer {first['buyer']!r}, supplier_id "
            f"{first['supplier_id']!r}; pass scores from riskengine.optimise.api.default_scores"
        )
    return x["disruption_probability"].to_numpy(dtype=float)


def _violation_table(caps: pd.DataFrame, floors: pd.DataFrame) -> pd.DataFrame:
    keep = ["family", "need", "buyer", "commodity", "country", "share"]
    soft = [f.loc[f["soft"], keep] for f in (caps, floors) if not f.empty]
    if not soft:
        return pd.DataFrame(columns=keep)
    return pd.concat(soft, ignore_index=True)


def _violation_prices(
    violations: pd.DataFrame, need: pd.DataFrame, settings: ModelSettings
) -> np.ndarray:
    value = need["lost_value_usd_per_kg"].to_numpy(dtype=float)
    return np.array(
        [
            settings.policies[b].violation_usd_per_kg(c, value[n])
            for b, c, n in zip(
                violations["buyer"], violations["commodity"], violations["need"], strict=True
            )
        ],
        dtype=float,
    )


def build_problem(
    dataset: Dataset, config: Config, scores: pd.DataFrame, mode: Mode | str | None = None
) -> Problem:
    """Build the model of contract section 5.2 (one year) as a :class:`Problem`.

    Parameters
    ----------
    dataset : Dataset
        Offers (``suppliers``), demand (t/yr), countries (for blocs),
        commodities (lost-supply values).
    config : Config
        Buyers (home, partners, policy) and the ``optimiser`` section.
    scores : DataFrame
        ``buyer, supplier_id, commodity, risk_score`` (0-100) and, for the
        version-2 risk charge, ``disruption_probability`` (q, 0-1 a year) for
        every (buyer, offer) pair the model can use; without it q comes from
        the configured calibration (``risk.calibration``).
    mode : Mode or str, optional
        ``joint`` or ``separate``; default ``config.optimiser.mode``.

    Returns
    -------
    Problem
        Rows and columns in a canonical order (buyer, commodity, supplier_id),
        so permuting the input tables gives the same problem.
    """
    from riskengine.optimise.api import with_disruption_probability

    mode = Mode(mode if mode is not None else config.optimiser.mode)
    scores = with_disruption_probability(scores, dataset, config)
    settings = model_settings(config)
    need, value_notes = needs(dataset, config, settings)
    offer = offers(dataset, config)
    x = x_variables(dataset, config, need, offer, scores)
    caps, floors = policy_rows(x, need, settings.policies)
    violations = _violation_table(caps, floors)
    any_consumption = (
        bool((caps["basis"] == "consumption").any() if not caps.empty else False)
        or not floors.empty
    )
    milp = _milp.is_milp(config.optimiser)
    layout = Layout(
        len(x),
        len(need),
        len(need) if any_consumption else 0,
        len(violations),
        len(x) if milp else 0,
    )
    commodity_code = pd.factorize(need["commodity"], sort=True)[0].astype(int)
    service = commodity_code if mode is Mode.JOINT else np.arange(len(need))
    first_v = layout.violation.start
    n_caps_soft = int(caps["soft"].sum()) if not caps.empty else 0
    params = Parameters(
        risk_aversion=float(config.optimiser.risk_aversion),
        demand_t=need["demand_t"].to_numpy(dtype=float),
        lost_value_usd_per_kg=need["lost_value_usd_per_kg"].to_numpy(dtype=float),
        capacity_t=offer["capacity_t"].to_numpy(dtype=float),
        contracted_t=offer["contracted_t"].to_numpy(dtype=float),
        price_usd_per_kg=offer["price_usd_per_kg"].to_numpy(dtype=float)[x["offer"].to_numpy()],
        disruption_probability=_q(x),
        risk_score=x["risk_score"].to_numpy(dtype=float),
        violation_usd_per_kg=_violation_prices(violations, need, settings),
    )
    blocks = [
        define_demand(x, need, layout),
        define_bought(x, need, layout),
        define_capacity(x, mode, _alone(x, len(offer)), layout),
        define_country_cap(x, caps, first_v, layout),
        define_partner_floor(x, floors, first_v + n_caps_soft, layout),
    ]
    draft = Structure(
        mode,
        settings,
        need,
        offer,
        x,
        violations,
        layout,
        (),
        commodity_code,
        service,
        np.ones(layout.n_y),
    )
    base = model_arrays(draft, params)
    blocks.append(contract_block(dataset, draft, base, caps, mode))
    if settings.shortfall is ShortfallRule.LEXICOGRAPHIC:
        blocks.append(define_service(need, service, layout))
    y_upper = np.zeros(0)
    if milp:
        extra, y_upper = _milp.milp_blocks(draft, base, caps, config.optimiser, params)
        blocks.extend(extra)
    structure = replace(
        draft,
        blocks=tuple(b for b in blocks if b is not None),
        y_upper=y_upper,
        notes=settings.notes + value_notes,
    )
    return Problem(structure, params)


def _alone(x: pd.DataFrame, n_offers: int) -> np.ndarray:
    offer = x["offer"].to_numpy(dtype=int)
    return np.bincount(offer, minlength=n_offers)[offer] == 1
