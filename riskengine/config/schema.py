"""The configuration schema: typed, frozen models with the contract's keys and defaults.

Every key here is documented in ``config/default.yaml`` and in
``docs/configuration.md`` (generated from this module).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from riskengine.enums import Mode, SolverName, Status

__all__ = [
    "BuyerConfig",
    "Config",
    "DataConfig",
    "Multiplier",
    "OptimiserConfig",
    "ReportConfig",
    "RiskConfig",
    "RiskWeights",
    "ScenarioConfig",
    "UncertaintyConfig",
]


def _as_codes(value: Any) -> Any:
    """Accept one code or a list of codes; return a tuple of strings."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    if isinstance(value, list | tuple) and any(isinstance(v, bool) for v in value):
        raise ValueError(
            "YAML reads NO (Norway), YES, ON and OFF as true/false: "
            "write such codes in quotes, e.g. ['NO']"
        )
    raise ValueError("expected a code or a list of codes, e.g. [EU] or [JP, US]")


#: Most points on a cost-risk frontier (``report.frontier_points``, ``--frontier``).
MAX_FRONTIER_POINTS = 100
#: Most weight draws of the score uncertainty (``risk.uncertainty.samples``).
MAX_UNCERTAINTY_SAMPLES = 100_000
#: Largest lost-supply value or shortfall penalty accepted, USD/kg.
MAX_PENALTY_USD_PER_KG = 1e7


def _as_penalty(value: Any) -> Any:
    """A positive number, or a map from commodity (or 'default') to a positive number."""

    def number(v: Any) -> float | None:
        """``v`` as a float when it is a number or numeric text (YAML reads 1e7 as text)."""
        if isinstance(v, bool):
            return None
        try:
            return float(v) if isinstance(v, int | float | str) else None
        except ValueError:
            return None

    def positive(v: Any) -> bool:
        n = number(v)
        return n is not None and 0 < n <= MAX_PENALTY_USD_PER_KG

    if positive(value):
        return number(value)
    if isinstance(value, dict) and value and all(positive(v) for v in value.values()):
        return {str(k): number(v) for k, v in value.items()}
    raise ValueError(
        "expected a number > 0 and at most 1e7 (USD/kg) or a map such as "
        "{default: 10000, terbium: 20000}"
    )


Codes = Annotated[tuple[str, ...], BeforeValidator(_as_codes)]
Penalty = Annotated[Any, BeforeValidator(_as_penalty)]
Share = Annotated[float, Field(ge=0, le=1)]


class _Model(BaseModel):
    # every number must be finite: .inf, .nan and 1e309 are refused with the key's name
    model_config = ConfigDict(
        extra="forbid", frozen=True, use_enum_values=False, allow_inf_nan=False
    )


class DataConfig(_Model):
    """Where the tables are."""

    dir: Path | None = Field(
        None, description="folder (or .xlsx workbook) of the data tables; empty = shipped seeds/"
    )


class BuyerConfig(_Model):
    """One buyer's domestic and trusted-partner countries or blocs."""

    home: Codes = Field(description="countries or blocs that are domestic for this buyer")
    partners: Codes = Field((), description="countries or blocs this buyer treats as partners")


class RiskWeights(_Model):
    """Weights of the risk indicators (non-negative; normalised to sum 1 over those used)."""

    governance: float = Field(
        0.20, ge=0, le=1e6, description="WGI governance of the offer's country"
    )
    export_control: float = Field(0.25, ge=0, le=1e6, description="export controls on the offer")
    concentration: float = Field(
        0.15, ge=0, le=1e6, description="governance-weighted HHI of supply"
    )
    maturity: float = Field(0.15, ge=0, le=1e6, description="producing < ramping < planned")
    partner: float = Field(0.15, ge=0, le=1e6, description="home < partner < other, per buyer")
    lead_time: float = Field(0.05, ge=0, le=1e6, description="order-to-delivery time")
    chinese_technology: float = Field(
        0.05, ge=0, le=1e6, description="plant depends on Chinese technology (if the column exists)"
    )
    parent_country: float = Field(
        0.0,
        ge=0,
        le=1e6,
        description="owner's country outside home and partners (if the column exists)",
    )


class UncertaintyConfig(_Model):
    """Weight perturbation used to show how robust scores and ranks are."""

    samples: int = Field(
        500, ge=10, le=MAX_UNCERTAINTY_SAMPLES, description="number of weight draws"
    )
    concentration: float = Field(
        50.0,
        gt=0,
        le=1e6,
        description="Dirichlet concentration; larger = weights closer to configured",
    )
    seed: int = Field(0, ge=0, le=2**32 - 1, description="random seed, 0 to 4294967295")


class RiskConfig(_Model):
    """Risk scoring."""

    weights: RiskWeights = RiskWeights()
    lead_time_scale_days: float = Field(
        365.0,
        gt=0,
        le=36_500,
        description="lead time (days) at which the lead-time indicator reaches 1",
    )
    uncertainty: UncertaintyConfig = UncertaintyConfig()


class OptimiserConfig(_Model):
    """The sourcing LP (contract section 5)."""

    mode: Mode = Field(Mode.JOINT, description="joint or separate")
    risk_aversion: float = Field(1.0, ge=0, le=1000, description="lambda in the objective")
    max_country_share: float = Field(
        0.65, gt=0, le=1, description="theta: cap on one non-home country's share of demand"
    )
    country_share_overrides: dict[str, Share] = Field(
        default_factory=dict, description="per-country caps replacing theta, e.g. {CN: 0.5}"
    )
    max_supplier_share: float = Field(
        1.0, gt=0, le=1, description="sigma: cap on one offer's share of demand"
    )
    min_partner_share: float = Field(
        0.0, ge=0, le=1, description="alpha: floor on home+partner share of served volume"
    )
    shortfall_penalty_usd_per_kg: Penalty = Field(
        10_000.0, description="P_c in USD/kg: a number, or a map by commodity with 'default'"
    )
    status_availability: dict[Status, Share] = Field(
        default_factory=lambda: {Status.PRODUCING: 1.0, Status.RAMPING: 1.0, Status.PLANNED: 0.0},
        description="share of an offer's capacity usable now, by status (planned plants "
        "cannot deliver yet)",
    )
    min_order_t: float = Field(
        0.0,
        ge=0,
        le=1e7,
        description="minimum order quantity, t/yr: a buyer buys nothing from an offer "
        "or at least this much (capped by what the offer can give); 0 = off; > 0 makes a MILP",
    )
    max_suppliers_per_commodity: int | None = Field(
        None,
        ge=1,
        le=1_000_000,
        description="at most this many offers per buyer and commodity; null = off; "
        "a number makes a MILP",
    )
    solver: SolverName = Field(SolverName.HIGHS, description="highs or cbc")
    time_limit_s: float = Field(
        60.0, gt=0, le=604_800, description="solver time limit, seconds (at most a week)"
    )


class Multiplier(_Model):
    """Multiply a quantity for the rows a selector matches (empty selector = all rows).

    Selectors are AND-ed; the values of one selector are OR-ed. ``country``
    and ``not_country`` accept country codes and blocs (EU).
    """

    factor: float = Field(
        ge=0, le=1000, description="multiplier from 0 to 1000, e.g. 0 for an outage, 3 for a spike"
    )
    country: Codes = ()
    not_country: Codes = Field((), description="rows whose country is none of these, e.g. [CN]")
    supplier: Codes = ()
    commodity: Codes = ()
    stage: Codes = ()
    status: Codes = ()
    buyer: Codes = ()
    parent_country: Codes = Field((), description="offers whose owner is based in these")
    chinese_technology: bool | None = Field(
        None,
        description="offers whose plant does (true) or does not (false) depend on "
        "Chinese technology or inputs",
    )


class ScenarioConfig(_Model):
    """A named what-if case."""

    name: str = Field(min_length=1)
    description: str = ""
    probability: float | None = Field(None, ge=0, le=1)
    capacity: tuple[Multiplier, ...] = ()
    price: tuple[Multiplier, ...] = ()
    demand: tuple[Multiplier, ...] = ()


class ReportConfig(_Model):
    """Report output."""

    out_dir: Path = Field(Path("reports"), description="folder that receives one folder per run")
    frontier_points: int = Field(
        7, ge=0, le=MAX_FRONTIER_POINTS, description="points on the cost-risk frontier"
    )
    stress_library: bool = Field(
        True,
        description="stress-test the plan against the shipped scenario library too "
        "(configuration scenarios always run)",
    )


def _default_buyers() -> dict[str, BuyerConfig]:
    return {
        "EU": BuyerConfig(home=("EU",), partners=("JP", "US", "CA", "AU", "GB", "NO", "KR")),
        "JP": BuyerConfig(home=("JP",), partners=("EU", "US", "CA", "AU", "GB", "KR")),
    }


class Config(_Model):
    """The whole configuration, as resolved from defaults, a YAML file and overrides."""

    name: str = Field("default", description="name of this configuration (report folders)")
    data: DataConfig = DataConfig()
    buyers: dict[str, BuyerConfig] = Field(
        default_factory=_default_buyers,
        description="buyer name -> home and partners (countries or blocs)",
    )
    risk: RiskConfig = RiskConfig()
    optimiser: OptimiserConfig = OptimiserConfig()
    scenarios: tuple[ScenarioConfig, ...] = Field((), description="named what-if cases")
    report: ReportConfig = ReportConfig()

    def penalty_usd_per_kg(self, commodity: str) -> float:
        """Shortfall penalty P_c for one commodity, USD/kg."""
        value = self.optimiser.shortfall_penalty_usd_per_kg
        if isinstance(value, float):
            return value
        if commodity in value:
            return value[commodity]
        if "default" in value:
            return value["default"]
        from riskengine.exceptions import ConfigError

        raise ConfigError(
            f"optimiser.shortfall_penalty_usd_per_kg has no entry for {commodity!r} and no "
            "'default'; add one of them"
        )
