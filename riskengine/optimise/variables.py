"""The index tables of the sourcing model: needs, offers and the x variables that link them.

- a *need* is one buyer's demand for one commodity in one planning year (from
  ``demand.csv``; rows without a year apply to every year), with its
  lost-supply value V;
- an *offer* is one row of ``suppliers.csv`` in one planning year, with the
  capacity it can deliver that year;
- an *x variable* is one (buyer, offer) pair in a year: tonnes the buyer buys
  from the offer, one for every offer of a commodity the buyer needs that
  year (and, when an offer names a ``destination``, only for that buyer).

Without a horizon (``horizon.start`` null) there is one period, ``year`` is
empty and the capacity is what is usable now (``optimiser.status_availability``).
With one, capacity by year comes from ``available_from``, ``ramp_years`` and
``commissioning_probability`` (see :func:`capacity_share`).

Everything is sorted by stable keys (buyer, commodity, year, supplier_id) and
joined on integer codes, so the order of the input tables never changes the
model and no string merge runs on the hot path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from riskengine.config.schema import Config
from riskengine.data.checks import home_and_partners
from riskengine.data.dataset import Dataset
from riskengine.exceptions import ConfigError, RiskEngineError
from riskengine.optimise._contracts import contracted_tonnes
from riskengine.optimise.policy import ModelSettings, lost_supply_values

__all__ = [
    "RELATIONS",
    "capacity_share",
    "key_codes",
    "needs",
    "offers",
    "planning_years",
    "x_stages",
    "x_variables",
]

#: Relation of an offer's country to a buyer, by code.
RELATIONS = ("home", "partner", "other")
#: ``year`` of the one-period model (no horizon).
NO_YEAR = -1


def planning_years(config: Config) -> tuple[int, ...]:
    """The horizon's years, or ``(NO_YEAR,)`` for the one-period model."""
    return config.horizon.years or (NO_YEAR,)


def _optional_column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(np.nan, index=frame.index)
    return pd.to_numeric(frame[name], errors="coerce")


def needs(
    dataset: Dataset, config: Config, settings: ModelSettings
) -> tuple[pd.DataFrame, tuple[str, ...], tuple[pd.DataFrame, pd.DataFrame]]:
    """Needs with positive demand, sorted, with V; notes on V fallbacks; product variables.

    Columns: ``buyer, commodity, year, demand_t`` (the reference element demand:
    commodity rows plus product rows at the data-year mix), ``direct_t`` (the
    commodity rows alone; products add the rest through the plan's choice of
    variants, :mod:`~riskengine.optimise.products`), ``lost_value_usd_per_kg``,
    ``row`` (the ``demand.csv`` row of the buyer and commodity, -1 if none) and
    ``need``. With a horizon, ``demand_outlook.csv`` gives the years it covers.
    """
    from riskengine.data.demand import demand_by_year
    from riskengine.optimise.products import products

    years = planning_years(config)
    raw = dataset.demand.reset_index(drop=True)
    if years == (NO_YEAR,):
        rows = raw.assign(year=NO_YEAR)
        if "product" in raw.columns:  # one period: commodity rows only
            rows = rows[raw["product"].fillna("").astype(str).str.strip().eq("")]
    else:
        outlook = getattr(dataset, "demand_outlook", None)
        rows = demand_by_year(raw, years, outlook)
    unknown = sorted(set(rows["buyer"].astype(str)) - set(config.buyers))
    if unknown:
        raise ConfigError(
            f"demand names buyer(s) {', '.join(map(repr, unknown))} that the "
            f"configuration lacks; add buyers.<B> (home, partners) for each"
        )
    variants, contents = products(dataset, rows)
    frame = _element_needs(rows, variants, contents)
    frame = frame.sort_values(["buyer", "commodity", "year"], kind="stable").reset_index(drop=True)
    commodities = sorted(set(frame["commodity"]))
    values, notes = lost_supply_values(dataset, config, commodities, settings.version)
    by_commodity = dict(zip(commodities, values, strict=True))
    frame["lost_value_usd_per_kg"] = frame["commodity"].map(by_commodity).astype(float)
    first_row: dict[tuple[str, str], int] = {}
    for i, (b, c) in enumerate(zip(raw["buyer"].astype(str), _text(raw, "commodity"), strict=True)):
        first_row.setdefault((b, c), i)
    frame["row"] = [
        first_row.get(k, -1) for k in zip(frame["buyer"], frame["commodity"], strict=True)
    ]
    frame["need"] = np.arange(len(frame))
    return frame, notes, (variants, contents)


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[name].astype(object).where(frame[name].notna(), "").astype(str).str.strip()


def _element_needs(
    rows: pd.DataFrame, variants: pd.DataFrame, contents: pd.DataFrame
) -> pd.DataFrame:
    """One row per (buyer, commodity, year) with demand: direct tonnes and the reference total."""
    keys = ["buyer", "commodity", "year"]
    commodity = _text(rows, "commodity")
    direct = rows[commodity != ""].assign(commodity=commodity[commodity != ""])
    direct = direct.assign(
        buyer=direct["buyer"].astype(str),
        year=direct["year"].astype(int),
        direct_t=pd.to_numeric(direct["demand_t"], errors="coerce").fillna(0.0),
    )
    direct = direct.groupby(keys, as_index=False)["direct_t"].sum()
    if len(variants):
        mix = contents.merge(variants, on="z")
        mix["from_products_t"] = mix["product_t"].astype(float) * mix["base_share"] * mix["t_per_t"]
        via = mix.groupby(keys, as_index=False)["from_products_t"].sum()
        frame = direct.merge(via, on=keys, how="outer")
    else:
        frame = direct.assign(from_products_t=0.0)
    frame[["direct_t", "from_products_t"]] = frame[["direct_t", "from_products_t"]].fillna(0.0)
    frame["demand_t"] = frame["direct_t"] + frame["from_products_t"]
    frame = frame[frame["demand_t"] > 0].astype({"year": int})
    return frame[[*keys, "demand_t", "direct_t"]]


def capacity_share(dataset: Dataset, config: Config, years: tuple[int, ...]) -> np.ndarray:
    """Share of each offer's ``capacity_t`` usable in each year, ``(offers, years)``.

    One period: ``optimiser.status_availability`` by status. With a horizon:
    ``commissioning_probability`` (empty = 1) times the ramp-up: 0 before
    ``available_from``, then ``(t - available_from + 1) / (ramp_years + 1)``
    up to 1 (``ramp_years`` empty or 0 = full capacity at once). An offer
    without ``available_from`` delivers from the start if it is producing or
    ramping; a planned one without a start year never does (its
    ``status_availability``).
    """
    sup = dataset.suppliers
    status = sup["status"].astype(str)
    available = {str(k): v for k, v in config.optimiser.status_availability.items()}
    by_status = status.map(available).fillna(1.0).to_numpy(dtype=float)
    if years == (NO_YEAR,):
        return np.asarray(by_status[:, None])
    start = _optional_column(sup, "available_from").to_numpy()
    ramp = _optional_column(sup, "ramp_years").fillna(0.0).clip(lower=0).to_numpy()
    prob = _optional_column(sup, "commissioning_probability").fillna(1.0).to_numpy()
    year = np.asarray(years, dtype=float)[None, :]
    dated = np.clip((year - start[:, None] + 1.0) / (ramp[:, None] + 1.0), 0.0, 1.0)
    undated = np.repeat(np.where(status == "planned", by_status, 1.0)[:, None], len(years), 1)
    share = np.where(np.isnan(start)[:, None], undated, dated)
    return np.asarray(share * np.clip(prob, 0.0, 1.0)[:, None])


def offers(dataset: Dataset, config: Config) -> pd.DataFrame:
    """Offers in each planning year with the capacity they can deliver that year.

    Columns: ``supplier_id, commodity, country, year, capacity_t,
    price_usd_per_kg, contracted_t, destination, row`` (the ``suppliers.csv``
    row) and ``offer``, sorted by commodity, year and supplier id.
    """
    years = planning_years(config)
    sup = dataset.suppliers
    share = capacity_share(dataset, config, years)
    n, t = len(sup), len(years)
    destination = (
        sup["destination"].fillna("").astype(str).to_numpy()
        if "destination" in sup.columns
        else np.full(n, "")
    )
    supplier_id = sup["supplier_id"].astype(str).to_numpy()
    commodity = sup["commodity"].astype(str).to_numpy()
    # sorted on integer keys: the (commodity, supplier_id) rank of each row (a string sort of
    # n rows as fixed-width text, 0.04 s at 100,000, against 0.14 s for sort_values)
    codes, kinds = pd.factorize(commodity, sort=True)
    rank = np.empty(n, dtype=np.int64)
    rank[np.lexsort((supplier_id.astype(str), codes))] = np.arange(n)
    row = np.repeat(np.arange(n), t)
    year = np.tile(np.asarray(years, dtype=int), n)
    order = np.lexsort((rank[row], year, codes[row]))
    row, year = row[order], year[order]
    capacity = sup["capacity_t"].astype(float).to_numpy()[:, None] * share
    return pd.DataFrame(
        {
            "supplier_id": supplier_id[row],
            "commodity": np.asarray(kinds, dtype=object)[codes[row]],
            "country": sup["country"].astype(str).to_numpy()[row],
            "year": year,
            "capacity_t": capacity.ravel()[order],
            "price_usd_per_kg": sup["price_usd_per_kg"].astype(float).to_numpy()[row],
            "contracted_t": contracted_tonnes(dataset).to_numpy(dtype=float)[row],
            "destination": destination[row],
            "row": row,
            "offer": np.arange(len(row)),
        }
    )


def _relations(
    dataset: Dataset, config: Config, buyers: np.ndarray, countries: np.ndarray
) -> np.ndarray:
    """Relation codes (0 home, 1 partner, 2 other) of every buyer with every country,
    ``(len(buyers), len(countries))``; ``buyers`` and ``countries`` are distinct values."""
    table = home_and_partners(dataset, config)
    at_buyer = pd.Index(buyers).get_indexer(table["buyer"].to_numpy(dtype=object))
    at_country = pd.Index(countries).get_indexer(table["country"].astype(str).to_numpy())
    hit = (at_buyer >= 0) & (at_country >= 0)
    codes = np.full((len(buyers), len(countries)), 2, dtype=int)  # not in the table: other
    codes[at_buyer[hit], at_country[hit]] = table["relation"].to_numpy(dtype=int)[hit]
    return codes


def _for_buyer(x: pd.DataFrame, config: Config) -> np.ndarray:
    """True where the offer may go to the buyer: no ``destination``, or one naming the buyer."""
    dest = x["destination"].to_numpy()
    if not (dest != "").any():
        return np.ones(len(x), dtype=bool)
    names = {b: {b, *spec.home} for b, spec in config.buyers.items()}
    own = np.array([d in names[b] for b, d in zip(x["buyer"], dest, strict=True)])
    return np.asarray((dest == "") | own)


def x_variables(
    dataset: Dataset,
    config: Config,
    need: pd.DataFrame,
    offer: pd.DataFrame,
    scores: pd.DataFrame,
) -> pd.DataFrame:
    """One row per (buyer, offer of a commodity the buyer needs that year), in key order.

    Columns: ``buyer, commodity, year, supplier_id, country, relation, need,
    offer, risk_score`` and ``disruption_probability``.
    """
    # offers are sorted by (commodity, year): each group is one contiguous run
    commodities = pd.Index(sorted(_distinct(offer["commodity"]) | _distinct(need["commodity"])))
    years = pd.Index(sorted(_distinct(offer["year"]) | _distinct(need["year"])))
    group = commodities.get_indexer(offer["commodity"]) * len(years) + years.get_indexer(
        offer["year"]
    )
    n_groups = len(commodities) * len(years)
    count_of = np.bincount(group, minlength=n_groups)
    first_of = np.concatenate([[0], np.cumsum(count_of)[:-1]])
    key = commodities.get_indexer(need["commodity"]) * len(years) + years.get_indexer(need["year"])
    first = first_of[key].astype(int)
    count = count_of[key].astype(int)
    need_of_x = np.repeat(need["need"].to_numpy(), count)
    offsets = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    offer_of_x = np.repeat(first, count) + offsets
    x = pd.DataFrame(
        {
            "buyer": need["buyer"].to_numpy()[need_of_x],
            "commodity": need["commodity"].to_numpy()[need_of_x],
            "year": need["year"].to_numpy()[need_of_x],
            "supplier_id": offer["supplier_id"].to_numpy()[offer_of_x],
            "country": offer["country"].to_numpy()[offer_of_x],
            "destination": offer["destination"].to_numpy()[offer_of_x],
            "need": need_of_x,
            "offer": offer_of_x,
        }
    )
    keep = _for_buyer(x, config)
    x = x[keep].drop(columns="destination").reset_index(drop=True)
    # relations per (buyer, offer country), looked up on codes of the needs and the offers
    buyer_code, names = pd.factorize(need["buyer"].to_numpy())
    country_code, places = pd.factorize(offer["country"].to_numpy())
    grid = _relations(dataset, config, np.asarray(names), np.asarray(places))
    codes_rel = grid[buyer_code[need_of_x], country_code[offer_of_x]][keep]
    x["relation"] = np.asarray(RELATIONS, dtype=object)[codes_rel]
    return _attach_scores(x, scores, offer)


def _distinct(values: pd.Series) -> set[Any]:
    """The distinct values of a column (hashed once each: not a Python loop over the rows)."""
    return set(pd.unique(values.to_numpy()).tolist())


def key_codes(columns: Sequence[str], *frames: pd.DataFrame) -> list[np.ndarray]:
    """Each frame's rows as integer keys, equal across the frames where ``columns`` are.

    One factorisation per column over all the frames (0.02 s for 300,000 ids),
    combined into one int64 per row: a hash join on integers in place of
    joined strings (0.34 s for the same ids) or a MultiIndex.
    """
    sizes = [len(frame) for frame in frames]
    key = np.zeros(sum(sizes), dtype=np.int64)
    for column in columns:
        values = np.concatenate([frame[column].to_numpy() for frame in frames])
        codes, found = pd.factorize(values, use_na_sentinel=False)
        if len(found) and int(key.max()) >= 2**62 // len(found):  # keep the product in int64
            key = pd.factorize(key)[0].astype(np.int64)
        key = key * max(len(found), 1) + codes
    return np.split(key, np.cumsum(sizes)[:-1])


def _supplier_rows(sup: pd.DataFrame, scores: pd.DataFrame) -> np.ndarray:
    """Position in ``sup`` of each score row's (supplier_id, commodity), -1 where none.

    Supplier ids are usually unique: then one hash table on them and one look-up
    per score row (0.09 s for 100,000 offers and 200,000 scores, against 0.29 s
    for :func:`key_codes` on both columns), the commodity compared after.
    """
    ids = pd.Index(sup["supplier_id"].to_numpy())
    if ids.empty:
        return np.full(len(scores), -1)
    if not ids.is_unique:
        sup_keys, score_keys = key_codes(["supplier_id", "commodity"], sup, scores)
        return np.asarray(pd.Index(sup_keys).get_indexer(score_keys))
    code = ids.get_indexer(scores["supplier_id"].to_numpy())
    same = sup["commodity"].to_numpy()[code] == scores["commodity"].to_numpy()
    return np.where((code >= 0) & same, code, -1)


def _attach_scores(x: pd.DataFrame, scores: pd.DataFrame, offer: pd.DataFrame) -> pd.DataFrame:
    keys = ["buyer", "supplier_id", "commodity"]
    missing = [c for c in [*keys, "risk_score"] if c not in scores.columns]
    if missing:
        raise RiskEngineError(
            f"scores lack column(s) {', '.join(missing)}; pass the frame "
            "returned by riskengine.score_suppliers"
        )
    sup = offer.drop_duplicates("row").sort_values("row")
    supplier_code = _supplier_rows(sup, scores)
    buyers = sorted(_distinct(x["buyer"]))
    buyer_code = pd.Index(buyers).get_indexer(scores["buyer"].astype(str))
    keep = (supplier_code >= 0) & (buyer_code >= 0)
    n = len(sup)
    slot = buyer_code[keep] * n + supplier_code[keep]
    row_of_offer = offer["row"].to_numpy()[x["offer"].to_numpy()]
    position = pd.Index(sup["row"]).get_indexer(row_of_offer)
    x_slot = pd.Index(buyers).get_indexer(x["buyer"]) * n + position
    out = x.copy()
    for column in ("risk_score", "disruption_probability"):
        if column not in scores.columns:
            continue
        table = np.full(len(buyers) * n, np.nan)
        table[slot] = scores[column].to_numpy(dtype=float)[keep]  # the last duplicate wins
        out[column] = table[x_slot]
    bad = out[out["risk_score"].isna()]
    if not bad.empty:
        first = bad.iloc[0]
        raise RiskEngineError(
            f"scores have no risk_score for {len(bad)} (buyer, offer) pair(s), e.g. buyer "
            f"{first['buyer']!r}, supplier_id {first['supplier_id']!r}, commodity "
            f"{first['commodity']!r}; score every offer for every buyer with demand"
        )
    return out


def x_stages(
    dataset: Dataset, config: Config, x: pd.DataFrame, offer: pd.DataFrame
) -> pd.DataFrame:
    """Where each x variable's material is at each processing stage its route names.

    One row per x and stage: ``x, need, buyer, stage, country, relation``.
    Without a ``route`` column there is one row per x, stage empty, at the
    offer's country: caps are then per country, as the seller's country
    counts. With routes (``mining:BR;separation:CN``), the stages of
    :func:`riskengine.data.routes.route_stages` (stages the route leaves out
    are unknown and not counted), so that a country cap binds at every stage
    (CRMA Art. 1(2): "at any relevant stage of processing"). ``offer`` is
    the offers table ``x`` was made from (:func:`offers`): it gives each x's
    ``suppliers.csv`` row.
    """
    sup = dataset.suppliers.reset_index(drop=True)
    base = pd.DataFrame(
        {"x": np.arange(len(x)), "need": x["need"].to_numpy(), "buyer": x["buyer"].to_numpy()}
    )
    if "route" not in sup.columns or not sup["route"].fillna("").astype(str).str.strip().any():
        return base.assign(
            stage="", country=x["country"].to_numpy(), relation=x["relation"].to_numpy()
        )
    from riskengine.data.routes import route_stages

    offer_row = offer["row"].to_numpy()[x["offer"].to_numpy()]
    stages = route_stages(sup)
    by_row = stages.groupby("row").indices
    take = [by_row.get(r, np.zeros(0, dtype=int)) for r in offer_row]
    sizes = np.array([len(t) for t in take])
    index = np.concatenate(take) if len(take) else np.zeros(0, dtype=int)
    frame = base.iloc[np.repeat(np.arange(len(x)), sizes)].reset_index(drop=True)
    frame["stage"] = stages["stage"].to_numpy()[index]
    frame["country"] = stages["country"].astype(str).to_numpy()[index]
    buyer_code, names = pd.factorize(frame["buyer"].to_numpy())
    country_code, places = pd.factorize(frame["country"].to_numpy())
    grid = _relations(dataset, config, np.asarray(names), np.asarray(places))
    codes = grid[buyer_code, country_code]
    frame["relation"] = np.asarray(RELATIONS, dtype=object)[codes]
    return frame
