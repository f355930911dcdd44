"""The model's settings as the optimiser uses them: per-buyer policy, lost-supply values, version.

Configuration keys name things for the analyst (``buyers.EU.policy``,
``optimiser.shortfall_penalty_usd_per_kg``); this module resolves them once
into :class:`ModelSettings`, which the problem builder and the results read.
Nothing here touches the data tables except to read ``commodities.csv``.

Version 1 configurations (contract section 5: one year, a risk charge of
``price x risk``, hard caps on demand, one flat shortfall penalty) are those
that set a version-1 policy key (``optimiser.max_country_share``,
``country_share_overrides`` or ``min_partner_share``) and no
``buyers.<B>.policy``. They still run, as the version-1 model, with a
deprecation note in :attr:`ModelSettings.notes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from riskengine.config.schema import Config, PolicyConfig
from riskengine.data.dataset import Dataset
from riskengine.enums import Enforce, PolicyBasis, RiskCharge, ShortfallRule
from riskengine.exceptions import ConfigError

__all__ = [
    "AUTO_VIOLATION_SHARE",
    "LEGACY_PENALTY_USD_PER_KG",
    "LOST_VALUE_FALLBACK_MARKUP",
    "BuyerPolicy",
    "ModelSettings",
    "lost_supply_values",
    "model_settings",
]

#: w_b when a soft policy gives none: this share of the commodity's lost-supply value V[c].
AUTO_VIOLATION_SHARE = 0.25
#: The version-1 flat shortfall penalty, USD/kg (used only by version-1 configurations).
LEGACY_PENALTY_USD_PER_KG = 10_000.0
#: Without a sourced V[c], it is this multiple of the dearest price seen for the commodity.
LOST_VALUE_FALLBACK_MARKUP = 1.5
_LEGACY_KEYS = ("max_country_share", "country_share_overrides", "min_partner_share")


@dataclass(frozen=True)
class BuyerPolicy:
    """One buyer's resolved policy.

    Attributes
    ----------
    buyer : str
    max_country_share : float or None
        theta_b, share 0-1; None = no country cap.
    country_caps : dict of str to float
        Per-country caps replacing theta_b.
    min_partner_share : float
        alpha_b, share 0-1 (0 = no floor).
    enforce : Enforce
        ``soft`` or ``hard``.
    basis : PolicyBasis
        ``consumption`` (what the buyer buys) or ``demand`` (version 1).
    violation : PolicyConfig.violation_usd_per_kg
        As configured: a number, a map by commodity, or None (automatic).
    """

    buyer: str
    max_country_share: float | None = None
    country_caps: dict[str, float] = field(default_factory=dict)
    min_partner_share: float = 0.0
    enforce: Enforce = Enforce.SOFT
    basis: PolicyBasis = PolicyBasis.CONSUMPTION
    violation: float | dict[str, float] | None = None

    @property
    def has_cap(self) -> bool:
        """True when some country is capped."""
        return self.max_country_share is not None or bool(self.country_caps)

    def cap_for(self, country: str) -> float | None:
        """theta for one non-home country, or None when it is not capped."""
        return self.country_caps.get(country, self.max_country_share)

    def violation_usd_per_kg(self, commodity: str, lost_value: float) -> float:
        """w_b for one commodity, USD per kg over a soft cap (or under a soft floor)."""
        value = self.violation
        if value is None:
            return AUTO_VIOLATION_SHARE * lost_value
        if isinstance(value, float):
            return value
        if commodity in value:
            return value[commodity]
        if "default" in value:
            return value["default"]
        raise ConfigError(
            f"buyers.{self.buyer}.policy.violation_usd_per_kg has no entry for {commodity!r} "
            "and no 'default'; add one of them or remove the key (25% of the lost-supply value)"
        )

    def describe(self) -> str:
        """The policy in a few words, e.g. 'CN <= 65% of consumption (soft)'."""
        parts = []
        if self.has_cap:
            caps = ", ".join(f"{k} {v:.0%}" for k, v in sorted(self.country_caps.items()))
            theta = "" if self.max_country_share is None else f"{self.max_country_share:.0%}"
            parts.append(f"any non-home country <= {theta}{'; ' if caps and theta else ''}{caps}")
        if self.min_partner_share > 0:
            parts.append(f"home and partners >= {self.min_partner_share:.0%}")
        if not parts:
            return "no policy caps"
        return f"{' and '.join(parts)} of {self.basis.value} ({self.enforce.value})"


@dataclass(frozen=True)
class ModelSettings:
    """Everything the problem builder needs from the configuration, resolved.

    Attributes
    ----------
    version : int
        2, or 1 for a version-1 configuration.
    risk_charge : RiskCharge
    shortfall : ShortfallRule
    policies : dict of str to BuyerPolicy
        One per configured buyer.
    max_supplier_share : float
        ``optimiser.max_supplier_share``: most of a buyer's demand one offer
        may fill, share 0-1 (sigma in docs/methodology.md).
    notes : tuple of str
        Deprecation notes and fallbacks the analyst should read.
    """

    version: int
    risk_charge: RiskCharge
    shortfall: ShortfallRule
    policies: dict[str, BuyerPolicy]
    max_supplier_share: float
    notes: tuple[str, ...] = ()


def _is_legacy(config: Config) -> bool:
    opt = config.optimiser
    set_keys = [k for k in _LEGACY_KEYS if k in opt.model_fields_set]
    # policies the configuration wrote (the built-in default buyers' do not count: a
    # version-1 file that names no buyers runs the version-1 model)
    written = "buyers" in config.model_fields_set
    with_policy = sorted(
        b for b, spec in config.buyers.items() if written and spec.policy is not None
    )
    if set_keys and with_policy:
        raise ConfigError(
            f"optimiser.{set_keys[0]} is a version-1 key, but buyers.{with_policy[0]}.policy is "
            f"set: write the cap per buyer (buyers.{with_policy[0]}.policy.{set_keys[0]}) and "
            f"remove optimiser.{set_keys[0]}"
        )
    return bool(set_keys)


def _from_config(buyer: str, spec: PolicyConfig | None) -> BuyerPolicy:
    if spec is None:
        return BuyerPolicy(buyer)
    return BuyerPolicy(
        buyer,
        spec.max_country_share,
        dict(spec.country_share_overrides),
        float(spec.min_partner_share),
        spec.enforce,
        spec.basis,
        spec.violation_usd_per_kg,
    )


def _legacy(buyer: str, config: Config) -> BuyerPolicy:
    opt = config.optimiser
    theta = 0.65 if opt.max_country_share is None else opt.max_country_share
    alpha = 0.0 if opt.min_partner_share is None else float(opt.min_partner_share)
    caps = dict(opt.country_share_overrides)
    return BuyerPolicy(buyer, theta, caps, alpha, Enforce.HARD, PolicyBasis.DEMAND)


def model_settings(config: Config) -> ModelSettings:
    """Resolve the configuration into :class:`ModelSettings` (version 1 or 2).

    Raises
    ------
    ConfigError
        When version-1 policy keys are mixed with ``buyers.<B>.policy``.
    """
    opt = config.optimiser
    if not _is_legacy(config):
        policies = {b: _from_config(b, spec.policy) for b, spec in config.buyers.items()}
        return ModelSettings(
            2, opt.risk_charge, opt.shortfall, policies, float(opt.max_supplier_share)
        )
    keys = ", ".join(f"optimiser.{k}" for k in _LEGACY_KEYS if k in opt.model_fields_set)
    charge = opt.risk_charge if "risk_charge" in opt.model_fields_set else RiskCharge.PRICE_MULTIPLE
    note = (
        f"deprecated: this configuration sets {keys}, so it runs the version-1 model (risk "
        "charge price x risk, hard caps on demand, a flat shortfall penalty); write "
        "buyers.<B>.policy (max_country_share, min_partner_share, enforce) instead"
    )
    policies = {b: _legacy(b, config) for b in config.buyers}
    return ModelSettings(1, charge, opt.shortfall, policies, float(opt.max_supplier_share), (note,))


def _override(config: Config, commodity: str) -> float | None:
    value = config.optimiser.shortfall_penalty_usd_per_kg
    if value is None or isinstance(value, float):
        return value
    if commodity in value:
        return float(value[commodity])
    if "default" in value:
        return float(value["default"])
    raise ConfigError(
        f"optimiser.shortfall_penalty_usd_per_kg has no entry for {commodity!r} and no "
        "'default'; add one of them"
    )


def lost_supply_values(
    dataset: Dataset, config: Config, commodities: list[str], version: int = 2
) -> tuple[np.ndarray, tuple[str, ...]]:
    """V[c] in USD/kg for each commodity, and notes on any fallback used.

    Order of precedence: ``optimiser.shortfall_penalty_usd_per_kg``; then
    ``commodities.csv`` ``lost_supply_value_usd_per_kg``; then (version 1)
    the flat USD 10,000/kg; then (version 2, a value missing)
    :data:`LOST_VALUE_FALLBACK_MARKUP` times the dearest price the data shows
    for the commodity, with a note.
    """
    table = dataset.commodities.set_index(dataset.commodities["commodity"].astype(str))
    column = "lost_supply_value_usd_per_kg"
    sourced = (
        pd.to_numeric(table[column], errors="coerce")
        if column in table.columns
        else pd.Series(np.nan, index=table.index)
    )
    dearest = dataset.suppliers.groupby(dataset.suppliers["commodity"].astype(str))[
        "price_usd_per_kg"
    ].max()
    values, missing = [], []
    for c in commodities:
        override = _override(config, c)
        if override is not None:
            values.append(override)
        elif version == 1:
            values.append(LEGACY_PENALTY_USD_PER_KG)
        elif c in sourced.index and np.isfinite(sourced.get(c, np.nan)):
            values.append(float(sourced[c]))
        else:
            reference = pd.to_numeric(table["price_usd_per_kg"], errors="coerce").get(c, 0.0)
            values.append(LOST_VALUE_FALLBACK_MARKUP * float(max(dearest.get(c, 0.0), reference)))
            missing.append(c)
    notes: tuple[str, ...] = ()
    if missing:
        notes = (
            f"commodities.csv gives no lost_supply_value_usd_per_kg for {', '.join(missing)}: "
            f"valued at {LOST_VALUE_FALLBACK_MARKUP:g} x the dearest price in the data; add the "
            "column (or optimiser.shortfall_penalty_usd_per_kg) to set it",
        )
    return np.asarray(values, dtype=float), notes
