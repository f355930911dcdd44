"""Build the sourcing model of contract section 5.2 as a :class:`~.problem.Problem`.

:func:`build_problem` reads the tables and the configuration once and lays
out the structure: the index tables (:mod:`~.variables`), the policy rows,
the strategic stocks, and one block per constraint family
(:mod:`~.constraints`, :mod:`~._contracts`, :mod:`~.milp`), in
:data:`~.families.FAMILIES` order; then the base :class:`~.parameters.Parameters`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.enums import Mode, ShortfallRule
from riskengine.exceptions import RiskEngineError
from riskengine.optimise._contracts import contract_block
from riskengine.optimise.commitments import (
    approval_share,
    export_channels,
    offtake_tonnes,
    stock_table,
)
from riskengine.optimise.constraints import (
    channel_rows,
    define_bought,
    define_capacity,
    define_country_cap,
    define_demand,
    define_export_channel,
    define_partner_floor,
    define_product_family,
    define_service,
    define_stock_target,
    policy_rows,
)
from riskengine.optimise.milp import is_milp, milp_blocks
from riskengine.optimise.parameters import Parameters, model_arrays
from riskengine.optimise.policy import ModelSettings, model_settings
from riskengine.optimise.problem import Layout, Problem, Structure, variant_use
from riskengine.optimise.variables import needs, offers, x_stages, x_variables

__all__ = ["build_problem"]


def _q(x: pd.DataFrame) -> np.ndarray:
    """q per x, from the scores' ``disruption_probability``."""
    if x["disruption_probability"].isna().any():
        first = x[x["disruption_probability"].isna()].iloc[0]
        raise RiskEngineError(
            f"scores have no disruption_probability for buyer {first['buyer']!r}, supplier_id "
            f"{first['supplier_id']!r}; pass scores from riskengine.optimise.api.default_scores"
        )
    return np.asarray(x["disruption_probability"].to_numpy(dtype=float))


def _violation_table(caps: pd.DataFrame, floors: pd.DataFrame) -> pd.DataFrame:
    keep = ["family", "need", "buyer", "commodity", "stage", "country", "share"]
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


def _alone(x: pd.DataFrame, n_offers: int) -> np.ndarray:
    offer = x["offer"].to_numpy(dtype=int)
    return np.asarray(np.bincount(offer, minlength=n_offers)[offer] == 1)


def _groups(need: pd.DataFrame, mode: Mode) -> tuple[np.ndarray, np.ndarray]:
    """Per need: its (commodity, year) code, and its group in the lexicographic rule."""
    keys = pd.MultiIndex.from_arrays([need["commodity"], need["year"]])
    code = pd.factorize(keys, sort=True)[0].astype(int)
    return code, (code if mode is Mode.JOINT else np.arange(len(need)))


def _opening(need: pd.DataFrame, stocks: pd.DataFrame) -> np.ndarray | None:
    if stocks.empty:
        return None
    out = np.zeros(len(need))
    out[stocks["need"].to_numpy(dtype=int)] = stocks["opening_t"].to_numpy(dtype=float)
    return out


def _family_codes(variants: pd.DataFrame) -> np.ndarray:
    """Per z variable, its family row (buyer, family, year)."""
    if variants.empty:
        return np.zeros(0, dtype=int)
    keys = pd.MultiIndex.from_frame(variants[["buyer", "family", "year"]])
    return np.asarray(pd.factorize(keys, sort=True)[0].astype(int))


def _parameters(
    config: Config,
    dataset: Dataset,
    parts: dict[str, pd.DataFrame],
    settings: ModelSettings,
    family: np.ndarray,
) -> Parameters:
    need, offer, x = parts["need"], parts["offer"], parts["x"]
    stocks, gaps = parts["stocks"], parts["stocks"][parts["stocks"]["target_t"].notna()]
    lower = offtake_tonnes(dataset, x)
    channels, channel_of_x = parts["channels"], parts["channel_of_x"]
    price = offer["price_usd_per_kg"].to_numpy(dtype=float)[x["offer"].to_numpy()]
    channelled = channel_of_x >= 0
    if channelled.any():  # an exporter's channel prices its tonnes as the buyer pays them
        channel = channels.set_index(["buyer", "country", "commodity"])["price_usd_per_kg"]
        keys = pd.MultiIndex.from_frame(x.loc[channelled, ["buyer", "country", "commodity"]])
        price[channelled] = channel.reindex(keys).to_numpy(dtype=float)
    return Parameters(
        risk_aversion=float(config.optimiser.risk_aversion),
        demand_t=need["demand_t"].to_numpy(dtype=float),
        lost_value_usd_per_kg=need["lost_value_usd_per_kg"].to_numpy(dtype=float),
        capacity_t=offer["capacity_t"].to_numpy(dtype=float),
        contracted_t=offer["contracted_t"].to_numpy(dtype=float),
        price_usd_per_kg=price,
        disruption_probability=_q(x),
        risk_score=x["risk_score"].to_numpy(dtype=float),
        availability=(
            approval_share(dataset, config, x, channelled) if settings.version == 2 else None
        ),
        channel_t=channels["tonnes"].to_numpy(dtype=float) if len(channels) else np.zeros(0),
        violation_usd_per_kg=_violation_prices(parts["violations"], need, settings),
        x_lower_t=lower if lower.any() else None,
        opening_t=_opening(need, stocks),
        stock_max_t=stocks["max_t"].to_numpy(dtype=float) if len(stocks) else np.zeros(0),
        holding_usd_per_kg=(
            stocks["holding_usd_per_kg_year"].to_numpy(dtype=float) if len(stocks) else np.zeros(0)
        ),
        stock_target_t=gaps["target_t"].to_numpy(dtype=float) if len(gaps) else np.zeros(0),
        gap_usd_per_kg=gaps["gap_usd_per_kg"].to_numpy(dtype=float) if len(gaps) else np.zeros(0),
        **_product_parameters(parts["variants"], need, family),
    )


def _product_parameters(
    variants: pd.DataFrame, need: pd.DataFrame, family: np.ndarray
) -> dict[str, Any]:
    if variants.empty:
        return {}
    family_t = variants.groupby(family, sort=True)["product_t"].first().to_numpy(dtype=float)
    return {
        "direct_demand_t": need["direct_t"].to_numpy(dtype=float),
        "family_t": family_t,
        "z_family": family,
        "z_share_low": variants["share_low"].to_numpy(dtype=float),
        "z_share_high": variants["share_high"].to_numpy(dtype=float),
        "premium_usd_per_t": variants["premium_usd_per_t"].to_numpy(dtype=float),
    }


def build_problem(
    dataset: Dataset, config: Config, scores: pd.DataFrame, mode: Mode | str | None = None
) -> Problem:
    """Build the model of contract section 5.2 as a :class:`Problem`.

    Parameters
    ----------
    dataset : Dataset
        Offers (``suppliers``), demand (t/yr), countries (for blocs),
        commodities (lost-supply values) and, when present, contracts, stocks
        and export-licence approval rates.
    config : Config
        Buyers (home, partners, policy, stock target), ``horizon`` and the
        ``optimiser`` section.
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
        Rows and columns in a canonical order (buyer, commodity, year,
        supplier_id), so permuting the input tables gives the same problem.
    """
    from riskengine.optimise.api import with_disruption_probability

    mode = Mode(mode if mode is not None else config.optimiser.mode)
    scores = with_disruption_probability(scores, dataset, config)
    settings = model_settings(config)
    need, value_notes, (variants, contents) = needs(dataset, config, settings)
    offer = offers(dataset, config)
    x = x_variables(dataset, config, need, offer, scores)
    at = x_stages(dataset, config, x, offer)
    caps, floors = policy_rows(at, need, settings.policies)
    if settings.version == 1 or not config.horizon.years:
        # offtakes (from_year, to_year) and stocks carried between years need a horizon;
        # the one-period model is the market as it stands (and version 1 knew neither)
        dataset = replace(dataset, contracts=None, stocks=None)
    stocks = stock_table(dataset, config, need)
    channels = export_channels(dataset, config, x) if settings.version == 2 else pd.DataFrame()
    channel_of_x, channel_table = channel_rows(x, channels)
    parts = {
        "need": need,
        "offer": offer,
        "x": x,
        "violations": _violation_table(caps, floors),
        "stocks": stocks,
        "variants": variants,
        "channels": channels,
        "channel_of_x": channel_of_x,
    }
    family = _family_codes(variants)
    use = variant_use(need, variants, contents)
    consumption = not floors.empty or (
        not caps.empty and bool((caps["basis"] == "consumption").any())
    )
    milp = is_milp(config.optimiser)
    layout = Layout(
        n_x=len(x),
        n_need=len(need),
        n_bought=len(need) if consumption else 0,
        n_violation=len(parts["violations"]),
        n_y=len(x) if milp else 0,
        n_stock=len(stocks),
        n_gap=int(stocks["target_t"].notna().sum()) if len(stocks) else 0,
        n_z=len(variants),
    )
    code, service = _groups(need, mode)
    first_v = layout.violation.start
    n_caps_soft = int(caps["soft"].sum()) if not caps.empty else 0
    params = _parameters(config, dataset, parts, settings, family)
    blocks = [
        define_demand(x, need, layout, stocks, use),
        define_bought(x, need, layout),
        define_capacity(x, mode, _alone(x, len(offer)), layout),
        define_export_channel(x, channel_of_x, channel_table, channels, layout),
        define_country_cap(at, caps, first_v, layout),
        define_partner_floor(x, floors, first_v + n_caps_soft, layout),
    ]
    draft = Structure(
        mode,
        settings,
        need,
        offer,
        x,
        parts["violations"],
        layout,
        (),
        code,
        service,
        np.ones(layout.n_y),
        stocks=stocks,
        variants=variants,
        contents=contents,
        stages=at,
    )
    base = model_arrays(draft, params)
    blocks.append(contract_block(dataset, draft, base, caps, mode))
    if settings.shortfall is ShortfallRule.LEXICOGRAPHIC:
        blocks.append(define_service(need, service, layout))
    blocks.append(define_stock_target(stocks, layout, use))
    blocks.append(define_product_family(variants, family, layout))
    y_upper = np.zeros(0)
    if milp:
        extra, y_upper = milp_blocks(draft, base, caps, config.optimiser, params)
        blocks.extend(extra)
    structure = replace(
        draft,
        blocks=tuple(b for b in blocks if b is not None),
        y_upper=y_upper,
        notes=settings.notes + value_notes,
    )
    return Problem(structure, params)
