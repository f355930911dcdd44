"""Supply routes: the processing stages an offer passes through and their countries.

``suppliers.csv`` ``route`` lists the stages whose country differs from the
offer's ``country`` (or all of them), as ``stage:CC`` pairs joined by ``;``,
e.g. ``mining:BR;separation:CN`` for a Brazilian concentrate separated in
China. Stages are, in supply-chain order, ``mining`` (or ``recycling`` for
recycled feed), ``separation`` (``refining`` is read as ``separation``),
``metal`` and ``magnet``. :func:`route_stages` turns the column into one row per
offer and stage, which is what country caps and export controls by stage read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskengine.enums import RouteStage

__all__ = ["ROUTE_ORDER", "RouteError", "own_stage", "parse_route", "route_stages"]

#: Position of each route stage in the supply chain; recycling takes mining's place.
ROUTE_ORDER: dict[str, int] = {
    RouteStage.MINING.value: 0,
    RouteStage.RECYCLING.value: 0,
    RouteStage.SEPARATION.value: 1,
    RouteStage.METAL.value: 2,
    RouteStage.MAGNET.value: 3,
}
_ALIASES = {"refining": RouteStage.SEPARATION.value}
_VALID = ", ".join(ROUTE_ORDER) + " (refining = separation)"


class RouteError(ValueError):
    """A route cell that cannot be read; the message says what would be valid."""


def parse_route(text: str, countries: set[str] | None = None) -> tuple[tuple[str, str], ...]:
    """Read a route cell into ``((stage, country), ...)`` in supply-chain order.

    Parameters
    ----------
    text : str
        The cell, e.g. ``"mining:BR;separation:CN"``; empty gives ``()``.
    countries : set of str, optional
        Valid country codes; when given, every country must be one of them.

    Raises
    ------
    RouteError
        For a part that is not ``stage:CC``, an unknown stage or country, a stage
        given twice (mining and recycling count as one), or stages out of order.

    Examples
    --------
    >>> parse_route("mining:AU; refining:MY")
    (('mining', 'AU'), ('separation', 'MY'))
    """
    pairs: list[tuple[str, str]] = []
    for part in (p.strip() for p in str(text).split(";")):
        if not part:
            continue
        stage, sep, country = (s.strip() for s in part.partition(":"))
        stage = _ALIASES.get(stage.lower(), stage.lower())
        if not sep or not country:
            raise RouteError(f"part {part!r} is not stage:country; write e.g. mining:BR")
        if stage not in ROUTE_ORDER:
            raise RouteError(f"stage {stage!r} is not valid; stages are {_VALID}")
        if countries is not None and country not in countries:
            raise RouteError(
                f"country {country!r} of stage {stage} is not in countries.csv; "
                "use an ISO 3166-1 alpha-2 code from countries.csv"
            )
        pairs.append((stage, country))
    positions = [ROUTE_ORDER[s] for s, _ in pairs]
    if len(set(positions)) != len(positions):
        raise RouteError("a stage is given twice (mining and recycling are one stage)")
    if positions != sorted(positions):
        order = " < ".join(("mining|recycling", "separation", "metal", "magnet"))
        raise RouteError(f"stages are out of order; write them as {order}")
    return tuple(pairs)


def own_stage(stage: str, product: str = "") -> str:
    """The route stage an offer itself performs, from its ``stage`` and ``product`` columns.

    A ``mining`` offer mines; a ``refining`` offer separates, unless its product is
    a metal or alloy (``metal``) or a magnet (``magnet``).
    """
    if stage == "mining":
        return RouteStage.MINING.value
    text = str(product).lower()
    if "magnet" in text and "metal" not in text:
        return RouteStage.MAGNET.value
    if "metal" in text or "alloy" in text:
        return RouteStage.METAL.value
    return RouteStage.SEPARATION.value


def route_stages(suppliers: pd.DataFrame) -> pd.DataFrame:
    """One row per offer and route stage: ``row, supplier_id, commodity, stage, country``.

    The offer's own stage (:func:`own_stage`) is at its ``country`` unless the route
    names that stage; stages before it that the route leaves out are unknown and not
    listed. ``row`` is the offer's position in ``suppliers``. The table is sorted by
    row and stage order. Routes are assumed valid (the loader checks them).
    """
    routes = (
        suppliers["route"].fillna("").astype(str)
        if "route" in suppliers.columns
        else pd.Series("", index=suppliers.index)
    )
    products = (
        suppliers["product"].fillna("").astype(str)
        if "product" in suppliers.columns
        else pd.Series("", index=suppliers.index)
    )
    rows = []
    for i, (route, stage, product, country) in enumerate(
        zip(routes, suppliers["stage"].astype(str), products, suppliers["country"], strict=True)
    ):
        pairs = dict(parse_route(route))
        own = own_stage(stage, product)
        if ROUTE_ORDER[own] not in {ROUTE_ORDER[s] for s in pairs}:
            pairs[own] = str(country)
        for name, where in sorted(pairs.items(), key=lambda p: ROUTE_ORDER[p[0]]):
            rows.append((i, name, where))
    frame = pd.DataFrame(rows, columns=["row", "stage", "country"])
    index = frame["row"].to_numpy(dtype=np.int64)
    frame.insert(1, "supplier_id", suppliers["supplier_id"].astype(str).to_numpy()[index])
    frame.insert(2, "commodity", suppliers["commodity"].astype(str).to_numpy()[index])
    return frame.reset_index(drop=True)
