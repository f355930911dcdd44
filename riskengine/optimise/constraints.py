"""One ``define_*`` function per constraint family (see :data:`~.families.FAMILIES`).

Each takes the model's index tables (x variables, needs, offers, policy rows)
and the column :class:`~riskengine.optimise.problem.Layout`, and returns a
:class:`~riskengine.optimise.families.Block` or None when the family has no
rows. Right-hand sides are references to parameters, never numbers, so the
blocks hold for every scenario.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskengine.enums import Enforce, Mode, PolicyBasis
from riskengine.optimise.families import Block, RhsSource, make_block
from riskengine.optimise.policy import BuyerPolicy

if TYPE_CHECKING:
    from riskengine.optimise.problem import Layout

__all__ = [
    "channel_rows",
    "define_bought",
    "define_capacity",
    "define_country_cap",
    "define_demand",
    "define_export_channel",
    "define_partner_floor",
    "define_product_family",
    "define_service",
    "define_stock_target",
    "policy_rows",
]


def policy_rows(
    at: pd.DataFrame, need: pd.DataFrame, policies: dict[str, BuyerPolicy]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The country-cap rows (need, stage, country) and partner-floor rows (need).

    ``at`` is :func:`~riskengine.optimise.variables.x_stages`: where each x's
    material is at each stage. Caps apply to countries outside the buyer's
    home; a cap of 1 or more binds nothing and is left out. Columns: ``need,
    buyer, commodity, year, stage, country, share, soft, basis, family``.
    """
    info = need.set_index("need")[["commodity", "year"]]
    foreign = at.loc[at["relation"] != "home", ["need", "buyer", "stage", "country"]]
    caps = foreign.drop_duplicates(["need", "stage", "country"])
    caps = caps.sort_values(["need", "stage", "country"]).reset_index(drop=True)
    caps = caps.join(info, on="need")
    theta = [policies[b].cap_for(k) for b, k in zip(caps["buyer"], caps["country"], strict=True)]
    caps = caps.assign(share=pd.array(theta, dtype="Float64"))
    caps = caps[caps["share"].notna() & (caps["share"] < 1.0)]
    floors = need[["need", "buyer", "commodity", "year"]].assign(
        share=[policies[b].min_partner_share for b in need["buyer"]]
    )
    floors = floors[floors["share"] > 0].assign(country="", stage="")
    frames = []
    for frame, family in ((caps, "country_cap"), (floors, "partner_floor")):
        buyer = frame["buyer"]
        frame = frame.assign(
            family=family,
            share=frame["share"].astype(float),
            soft=[policies[b].enforce is Enforce.SOFT for b in buyer],
            basis=[policies[b].basis.value for b in buyer],
        )
        frames.append(frame.reset_index(drop=True))
    return frames[0], frames[1]


def define_demand(
    x: pd.DataFrame,
    need: pd.DataFrame,
    lay: Layout,
    stocks: pd.DataFrame | None = None,
    product_use: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> Block | None:
    """Balance per need: x bought + shortfall + stock drawn - products' use = direct demand.

    Without a stock or products the row is ``sum of x + shortfall = D``; the
    first year's opening stock moves to the right-hand side (``balance`` =
    direct demand - opening); ``product_use`` holds (need, z column, tonnes of
    oxide per tonne of product) for the element demand of product rows.
    """
    n_x, n = len(x), len(need)
    rows = [x["need"].to_numpy(), np.arange(n)]
    cols = [np.arange(n_x), lay.shortfall.start + np.arange(n)]
    vals = [np.ones(n_x), np.ones(n)]
    if product_use is not None and len(product_use[0]):
        use_need, use_z, per_t = product_use
        rows.append(use_need)
        cols.append(lay.z.start + use_z)
        vals.append(-per_t)
    if stocks is not None and len(stocks):
        held = stocks["need"].to_numpy(dtype=int)
        own = lay.stock.start + np.arange(len(stocks))
        prev = stocks["previous"].to_numpy(dtype=int)
        carried = np.flatnonzero(prev >= 0)
        rows += [held, held[carried]]
        cols += [own, lay.stock.start + prev[carried]]
        vals += [-np.ones(len(stocks)), np.ones(len(carried))]
    entries = (np.concatenate(rows), np.concatenate(cols), np.concatenate(vals))
    table = need[["buyer", "commodity", "year"]].assign(rhs_t=need["demand_t"])
    return make_block("demand", entries, lay.n_cols, table, "eq", ("balance", np.arange(n), 1.0))


def define_stock_target(
    stocks: pd.DataFrame,
    lay: Layout,
    product_use: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> Block | None:
    """Stock at the year's end + gap >= target, one row per stock target.

    The target is ``target_days`` of the year's demand as the plan makes it:
    the right-hand side holds the direct demand's share, and the element
    content of the product variants chosen (``product_use``) enters the row
    as ``- days / 365 x tonnes of oxide per tonne of product`` on each z.
    """
    if stocks is None or stocks.empty:
        return None
    targeted = np.flatnonzero(stocks["target_t"].notna().to_numpy())
    if not len(targeted):
        return None
    k = len(targeted)
    rows = [np.arange(k), np.arange(k)]
    cols = [lay.stock.start + targeted, lay.gap.start + np.arange(k)]
    vals = [np.ones(k), np.ones(k)]
    if product_use is not None and len(product_use[0]):
        use_need, use_z, per_t = product_use
        row_of_need = pd.Series(np.arange(k), index=stocks["need"].to_numpy()[targeted])
        row = row_of_need.reindex(use_need).to_numpy()
        hit = ~np.isnan(row)
        days = stocks["target_days"].to_numpy(dtype=float)[targeted]
        rows.append(row[hit].astype(int))
        cols.append(lay.z.start + use_z[hit])
        vals.append(-days[row[hit].astype(int)] / 365.0 * per_t[hit])
    entries = (np.concatenate(rows), np.concatenate(cols), np.concatenate(vals))
    table = stocks.iloc[targeted][["buyer", "commodity", "year"]].assign(rhs_t=np.nan)
    return make_block(
        "stock_target", entries, lay.n_cols, table, "ge", ("target", np.arange(k), 1.0)
    )


def define_bought(x: pd.DataFrame, need: pd.DataFrame, lay: Layout) -> Block | None:
    """sum of x over a need's offers - bought = 0 (only when a policy reads consumption)."""
    if not lay.n_bought:
        return None
    n_x, n = len(x), len(need)
    row = np.concatenate([x["need"].to_numpy(), np.arange(n)])
    col = np.concatenate([np.arange(n_x), lay.bought.start + np.arange(n)])
    val = np.concatenate([np.ones(n_x), -np.ones(n)])
    rows = need[["buyer", "commodity", "year"]].assign(rhs_t=0.0)
    return make_block("bought", (row, col, val), lay.n_cols, rows, "eq")


def define_capacity(x: pd.DataFrame, mode: Mode, alone: np.ndarray, lay: Layout) -> Block | None:
    """sum over buyers of x <= K for offers several buyers can buy (joint mode).

    An offer only one buyer can buy, and every offer in separate mode, is a
    bound on its x variable instead (see :func:`~.parameters.x_capacity_t`).
    """
    if mode is not Mode.JOINT:
        return None
    shared = x[~alone]
    offers = np.unique(shared["offer"].to_numpy())
    row = np.searchsorted(offers, shared["offer"].to_numpy())
    first = shared.drop_duplicates("offer").sort_values("offer")
    rows = first[["commodity", "supplier_id", "country", "year"]].assign(rhs_t=np.nan)
    entries = (row, shared.index.to_numpy(), np.ones(len(shared)))
    return make_block("capacity", entries, lay.n_cols, rows, "le", ("capacity", offers, 1.0))


def _violation_entries(
    rows: pd.DataFrame, first_violation: int, sign: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The violation column of each soft row (sign -1 on a cap, +1 on a floor)."""
    soft = np.flatnonzero(rows["soft"].to_numpy(dtype=bool))
    cols = first_violation + np.arange(len(soft))
    return soft, cols, np.full(len(soft), sign)


def define_country_cap(
    at: pd.DataFrame, caps: pd.DataFrame, first_violation: int, lay: Layout
) -> Block | None:
    """Tonnes from one non-home country at a stage <= theta x bought (or theta x D)."""
    if caps.empty:
        return None
    key = pd.MultiIndex.from_frame(caps[["need", "stage", "country"]])
    row_at = key.get_indexer(pd.MultiIndex.from_frame(at[["need", "stage", "country"]]))
    used = np.flatnonzero(row_at >= 0)
    on_consumption = (caps["basis"] == PolicyBasis.CONSUMPTION.value).to_numpy()
    share = caps["share"].to_numpy(dtype=float)
    cons = np.flatnonzero(on_consumption)
    soft_rows, soft_cols, soft_vals = _violation_entries(caps, first_violation, -1.0)
    entries = (
        np.concatenate([row_at[used], cons, soft_rows]),
        np.concatenate(
            [at["x"].to_numpy()[used], lay.bought.start + caps["need"].to_numpy()[cons], soft_cols]
        ),
        np.concatenate([np.ones(len(used)), -share[cons], soft_vals]),
    )
    coef = np.where(on_consumption, 0.0, share)  # demand basis: rhs = theta x D
    table = caps[["buyer", "commodity", "country", "year", "stage"]].assign(
        share=share, rhs_t=np.nan
    )
    return make_block(
        "country_cap",
        entries,
        lay.n_cols,
        table,
        "le",
        ("demand", caps["need"].to_numpy(), coef),
    )


def define_partner_floor(
    x: pd.DataFrame, floors: pd.DataFrame, first_violation: int, lay: Layout
) -> Block | None:
    """Tonnes from home or partners - alpha x bought + violation >= 0, per need."""
    if floors.empty:
        return None
    row_of_need = pd.Index(floors["need"]).get_indexer(x["need"])
    trusted = np.flatnonzero((row_of_need >= 0) & (x["relation"] != "other").to_numpy())
    alpha = floors["share"].to_numpy(dtype=float)
    n = len(floors)
    soft_rows, soft_cols, soft_vals = _violation_entries(floors, first_violation, 1.0)
    entries = (
        np.concatenate([row_of_need[trusted], np.arange(n), soft_rows]),
        np.concatenate([trusted, lay.bought.start + floors["need"].to_numpy(), soft_cols]),
        np.concatenate([np.ones(len(trusted)), -alpha, soft_vals]),
    )
    table = floors[["buyer", "commodity", "year"]].assign(share=alpha, rhs_t=0.0)
    return make_block("partner_floor", entries, lay.n_cols, table, "ge")


def define_service(need: pd.DataFrame, group: np.ndarray, lay: Layout) -> Block | None:
    """Lexicographic rule: the shortfalls of a service group <= the least the market allows."""
    groups = np.unique(group)
    first = need.groupby(group, sort=True).first()
    rows = pd.DataFrame(
        {
            "commodity": first["commodity"].to_numpy(),
            "year": first["year"].to_numpy(),
            "rhs_t": np.nan,
        }
    )
    if len(groups) == len(need):  # one group per need: name its buyer
        rows["buyer"] = first["buyer"].to_numpy()
    entries = (group, lay.shortfall.start + np.arange(len(need)), np.ones(len(need)))
    return make_block("service", entries, lay.n_cols, rows, "le", ("service", groups, 1.0))


def define_product_family(variants: pd.DataFrame, family: np.ndarray, lay: Layout) -> Block | None:
    """sum of a family's variant tonnes = the product demand, one row per (buyer, family, year)."""
    if variants is None or variants.empty:
        return None
    n = int(family.max()) + 1
    first = variants.groupby(family, sort=True).first()
    rows = pd.DataFrame(
        {
            "buyer": first["buyer"].to_numpy(),
            "commodity": first["family"].to_numpy(),
            "year": first["year"].to_numpy(),
            "rhs_t": first["product_t"].to_numpy(dtype=float),
        }
    )
    entries = (family, lay.z.start + np.arange(len(variants)), np.ones(len(variants)))
    return make_block("product", entries, lay.n_cols, rows, "eq", ("product", np.arange(n), 1.0))


def channel_rows(x: pd.DataFrame, channels: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Per x its export-channel row (-1 if none), and the rows: one per channel and year."""
    if channels is None or channels.empty:
        return np.full(len(x), -1), pd.DataFrame(columns=["channel", "year"])
    index = pd.MultiIndex.from_frame(channels[["buyer", "country", "commodity"]])
    channel = index.get_indexer(pd.MultiIndex.from_frame(x[["buyer", "country", "commodity"]]))
    hit = channel >= 0
    keys = pd.DataFrame({"channel": channel[hit], "year": x["year"].to_numpy()[hit]})
    rows = keys.drop_duplicates().sort_values(["channel", "year"]).reset_index(drop=True)
    lookup = pd.MultiIndex.from_frame(rows)
    out = np.full(len(x), -1)
    out[hit] = lookup.get_indexer(pd.MultiIndex.from_frame(keys))
    return out, rows


def define_export_channel(
    x: pd.DataFrame,
    row_of_x: np.ndarray,
    rows: pd.DataFrame,
    channels: pd.DataFrame,
    lay: Layout,
) -> Block | None:
    """Tonnes a buyer buys from an exporter <= its licensed export flow, per year."""
    if rows.empty:
        return None
    used = np.flatnonzero(row_of_x >= 0)
    chan = channels.iloc[rows["channel"].to_numpy()].reset_index(drop=True)
    table = chan[["buyer", "commodity", "country"]].assign(
        year=rows["year"].to_numpy(), rhs_t=chan["tonnes"].to_numpy(dtype=float)
    )
    entries = (row_of_x[used], used, np.ones(len(used)))
    rhs: tuple[RhsSource, np.ndarray, float] = ("channel", rows["channel"].to_numpy(), 1.0)
    return make_block("export_channel", entries, lay.n_cols, table, "le", rhs)
