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
and demand. Both backends (``highs``, ``_pulp``) read a :class:`Problem`.

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

from riskengine.enums import Mode, ShortfallRule
from riskengine.optimise.families import (
    FAMILIES,
    ROW_KEYS,
    TONNES_PER_UNIT,
    USD_PER_UNIT,
    Block,
)
from riskengine.optimise.parameters import ModelArrays, Parameters, model_arrays
from riskengine.optimise.policy import ModelSettings

__all__ = [
    "FAMILIES",
    "TONNES_PER_UNIT",
    "USD_PER_UNIT",
    "Block",
    "Layout",
    "Problem",
    "Structure",
]


@dataclass(frozen=True)
class Layout:
    """Where each kind of column sits: x, shortfall, bought, violation, stock, gap, z, y."""

    n_x: int
    n_need: int
    n_bought: int
    n_violation: int
    n_y: int
    n_stock: int = 0
    n_gap: int = 0
    n_z: int = 0

    @property
    def n_cols(self) -> int:
        """All columns."""
        return (
            self.n_x
            + self.n_need
            + self.n_bought
            + self.n_violation
            + self.n_stock
            + self.n_gap
            + self.n_z
            + self.n_y
        )

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
    def stock(self) -> slice:
        """One strategic-stock column per need holding a stock (tonnes at the year's end)."""
        start = self.violation.stop
        return slice(start, start + self.n_stock)

    @property
    def gap(self) -> slice:
        """One column per stock target: tonnes below it at the year's end."""
        start = self.stock.stop
        return slice(start, start + self.n_gap)

    @property
    def z(self) -> slice:
        """Tonnes of product made with each variant (bill of materials, thrifting)."""
        start = self.gap.stop
        return slice(start, start + self.n_z)

    @property
    def y(self) -> slice:
        """The binary columns of a MILP."""
        start = self.z.stop
        return slice(start, start + self.n_y)


def variant_use(
    need: pd.DataFrame, variants: pd.DataFrame, contents: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(need, z, oxide tonnes per tonne of product) for every variant's element content.

    None without product demand. ``need`` indexes ``need``'s rows; ``z`` a variant.
    """
    if variants.empty:
        return None
    use = contents.merge(variants[["z", "buyer", "year"]], on="z")
    use = use[use["t_per_t"] > 0]
    index = pd.MultiIndex.from_frame(need[["buyer", "commodity", "year"]])
    where = index.get_indexer(pd.MultiIndex.from_frame(use[["buyer", "commodity", "year"]]))
    keep = where >= 0
    return (
        where[keep].astype(int),
        use["z"].to_numpy(dtype=int)[keep],
        use["t_per_t"].to_numpy(dtype=float)[keep],
    )


@dataclass(frozen=True, repr=False)
class Structure:
    """What does not change between solves: columns, rows and their references.

    Attributes
    ----------
    mode : Mode
    settings : ModelSettings
        Version, risk charge, shortfall rule, per-buyer policies, supplier cap.
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
    stocks: pd.DataFrame = field(default_factory=pd.DataFrame)
    variants: pd.DataFrame = field(default_factory=pd.DataFrame)
    contents: pd.DataFrame = field(default_factory=pd.DataFrame)
    stages: pd.DataFrame = field(default_factory=pd.DataFrame)

    @cached_property
    def product_use(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(need, z, oxide tonnes per tonne of product); None without product demand."""
        return variant_use(self.needs, self.variants, self.contents)

    @cached_property
    def gaps(self) -> pd.DataFrame:
        """The stock rows with a target (one gap column each), in stock order."""
        if self.stocks.empty:
            return self.stocks
        return self.stocks[self.stocks["target_t"].notna()]

    @property
    def years(self) -> tuple[int, ...]:
        """The planning years of the needs (empty for the one-period model)."""
        years = sorted(set(self.needs["year"])) if "year" in self.needs else []
        return tuple(int(y) for y in years if y >= 0)

    @cached_property
    def x_need(self) -> np.ndarray:
        """Need of every x column."""
        return np.asarray(self.x["need"].to_numpy(dtype=int))

    @cached_property
    def x_offer(self) -> np.ndarray:
        """Offer of every x column."""
        return np.asarray(self.x["offer"].to_numpy(dtype=int))

    @cached_property
    def x_alone(self) -> np.ndarray:
        """True where only one buyer can buy the x column's offer."""
        return np.asarray(np.bincount(self.x_offer, minlength=len(self.offers))[self.x_offer] == 1)

    @property
    def max_supplier_share(self) -> float:
        """Supplier cap: most of a buyer's demand one offer may fill, share 0-1."""
        return self.settings.max_supplier_share

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
        """One row per column: ``kind`` (x, shortfall, bought, violation, stock, stock_gap,
        y) and its keys.

        Keys: ``buyer, commodity, supplier_id, country, relation, family``
        (empty where they do not apply).
        """
        keys = ["buyer", "commodity", "supplier_id", "country", "relation", "family"]
        need = self.needs[["buyer", "commodity"]]
        stock = self.stocks[["buyer", "commodity"]] if len(self.stocks) else need.iloc[:0]
        gap = self.gaps[["buyer", "commodity"]] if len(self.gaps) else need.iloc[:0]
        parts = [
            self.x.assign(kind="x", family=""),
            need.assign(kind="shortfall"),
            need.iloc[: self.layout.n_bought].assign(kind="bought"),
            self.violations.assign(kind="violation"),
            stock.assign(kind="stock"),
            gap.assign(kind="stock_gap"),
            (
                self.variants[["buyer", "variant"]].rename(columns={"variant": "supplier_id"})
                if len(self.variants)
                else need.iloc[:0]
            ).assign(kind="product"),
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
