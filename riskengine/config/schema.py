"""The configuration schema: typed, frozen models with the contract's keys and defaults.

Every key here is documented in ``config/default.yaml`` and in
``docs/configuration.md`` (generated from this module).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from riskengine._limits import (
    MAX_FRONTIER_POINTS,
    MAX_MONTE_CARLO,
    MAX_SEED,
    MAX_UNCERTAINTY_SAMPLES,
)
from riskengine.enums import (
    CalibrationLabel,
    CalibrationMethod,
    ChinaPolicy,
    CvarScope,
    DisruptionKind,
    Enforce,
    Mode,
    OfferStatus,
    OptimiserModel,
    PolicyBasis,
    RiskCharge,
    SharingRule,
    ShortfallRule,
    SolverName,
)

__all__ = [
    "AllianceConfig",
    "BuyerConfig",
    "CalibrationConfig",
    "CandidateConfig",
    "Config",
    "DataConfig",
    "HorizonConfig",
    "Multiplier",
    "OptimiserConfig",
    "PolicyConfig",
    "ReportConfig",
    "RiskConfig",
    "RiskWeights",
    "ScenarioConfig",
    "StochasticConfig",
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


#: Largest lost-supply value, shortfall penalty or violation cost accepted, USD/kg.
MAX_PENALTY_USD_PER_KG = 1e7


def _number(value: Any) -> float | None:
    """``value`` as a float when it is a number or numeric text (YAML reads 1e7 as text)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _as_penalty(value: Any) -> Any:
    """A finite number > 0, or a map from commodity (or 'default') to one, at most 1e7 USD/kg."""

    def positive(v: Any) -> bool:
        number = _number(v)
        return number is not None and 0 < number <= MAX_PENALTY_USD_PER_KG

    if positive(value):
        return _number(value)
    if isinstance(value, dict) and value and all(positive(v) for v in value.values()):
        return {str(k): _number(v) for k, v in value.items()}
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


class PolicyConfig(_Model):
    """One buyer's sourcing policy: a cap on any one non-home country and a partner floor.

    Shares are measured on what the buyer buys (its consumption), never on its
    demand, so a cap can never by itself leave demand unmet (contract 5.1).
    """

    max_country_share: float | None = Field(
        None,
        gt=0,
        le=1,
        description="theta_b: most of what the buyer buys that one non-home country may supply "
        "(EU CRMA Art. 1(2): 0.65); null = no cap",
    )
    country_share_overrides: dict[str, Share] = Field(
        default_factory=dict, description="per-country caps replacing theta_b, e.g. {CN: 0.5}"
    )
    min_partner_share: Share = Field(
        0.0, description="alpha_b: least share of what the buyer buys from home or partners"
    )
    enforce: Enforce = Field(
        Enforce.SOFT,
        description="soft: may be exceeded at violation_usd_per_kg; hard: never exceeded",
    )
    violation_usd_per_kg: Penalty | None = Field(
        None,
        description="w_b, USD per kg over a soft cap or under a soft floor: a number, a map by "
        "commodity with 'default', or null = 25% of the commodity's lost-supply value",
    )
    basis: PolicyBasis = Field(
        PolicyBasis.CONSUMPTION,
        description="consumption (what the buyer buys) or demand (version 1: hard caps on demand "
        "can create shortfall)",
    )


class BuyerConfig(_Model):
    """One buyer's domestic and trusted-partner countries or blocs, policy and stock target."""

    home: Codes = Field(description="countries or blocs that are domestic for this buyer")
    partners: Codes = Field((), description="countries or blocs this buyer treats as partners")
    policy: PolicyConfig | None = Field(
        None, description="country cap and partner floor of this buyer; null = none"
    )
    stock_target_days: float | None = Field(
        None,
        ge=0,
        le=3650,
        description="strategic stock to hold at the end of each year, days of that year's "
        "demand (JOGMEC: 60); soft; needs a stocks.csv row; null = no target",
    )
    stock_gap_usd_per_kg: Penalty | None = Field(
        None,
        description="price of each kg below the stock target at a year's end, USD/kg: a "
        "number or a map by commodity with 'default'; null = 90% of the lost-supply value",
    )


class HorizonConfig(_Model):
    """The planning years (contract section 3)."""

    start: int | None = Field(
        2026,
        ge=2000,
        le=2100,
        description="first planning year; null (with end null) = one year with the capacity "
        "usable now (optimiser.status_availability), as version 1",
    )
    end: int | None = Field(2030, ge=2000, le=2100, description="last planning year")

    @model_validator(mode="after")
    def _ordered(self) -> HorizonConfig:
        if (self.start is None) != (self.end is None):
            raise ValueError("give both horizon.start and horizon.end, or neither")
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(
                f"horizon.end ({self.end}) is before horizon.start ({self.start}); "
                "the horizon must run forwards"
            )
        if self.start is not None and self.end is not None and self.end - self.start > 29:
            raise ValueError("the horizon may span at most 30 years")
        return self

    @property
    def years(self) -> tuple[int, ...]:
        """The planning years, empty for the one-year model."""
        if self.start is None or self.end is None:
            return ()
        return tuple(range(self.start, self.end + 1))


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
    seed: int = Field(0, ge=0, le=MAX_SEED, description="random seed, 0 to 4294967295")


class CalibrationConfig(_Model):
    """How a risk score becomes a yearly disruption probability q (docs/methodology.md)."""

    method: CalibrationMethod = Field(
        CalibrationMethod.LOGISTIC,
        description="logistic (fit on the history), isotonic (monotone step fit) or linear "
        "(q = risk_score/100, the version-1 special case)",
    )
    start_year: int = Field(2010, ge=1950, le=2100, description="first year of the panel")
    end_year: int = Field(2025, ge=1950, le=2100, description="last year of the panel")
    kinds: tuple[DisruptionKind, ...] = Field(
        tuple(DisruptionKind),
        min_length=1,
        description="kinds of disruption that count (export_restriction, border_closure, "
        "conflict, plant_outage, insolvency)",
    )
    min_share: float = Field(
        0.1,
        ge=0,
        le=1,
        description="a unit-year counts as disrupted when an event took at least this "
        "share of its supply",
    )
    count: Literal["onset", "ongoing"] = Field(
        "onset",
        description="onset: a unit-year is disrupted when an event starts hitting it, and "
        "later years of that event leave the panel; ongoing: every year of an event counts",
    )
    label: CalibrationLabel = Field(
        CalibrationLabel.EVENT,
        description="event: q = chance of a disruption in a year; share: q = expected "
        "share of supply lost in a year",
    )
    include_analogues: bool = Field(
        False,
        description="also count restrictions of comparable materials (commodity other: "
        "Ga, Ge, graphite, ...) against the country's rare-earth units",
    )
    confirmed_only: bool = Field(False, description="use only events whose basis is confirmed")

    @model_validator(mode="after")
    def _window(self) -> CalibrationConfig:
        if self.end_year < self.start_year:
            raise ValueError(
                f"end_year {self.end_year} is before start_year {self.start_year}; "
                "give a window such as 2010 to 2025"
            )
        return self


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
    calibration: CalibrationConfig = CalibrationConfig()


def _default_china_policy() -> dict[ChinaPolicy, float]:
    return {
        ChinaPolicy.LICENSING: 0.55,
        ChinaPolicy.TIGHTENING: 0.15,
        ChinaPolicy.OCTOBER_PACKAGE: 0.2,
        ChinaPolicy.EASING: 0.1,
    }


class StochasticConfig(_Model):
    """The two-stage mean-CVaR plan (contract 5.3) and its scenario generator (docs/scenarios.md)."""

    scenarios: int = Field(200, ge=1, le=MAX_MONTE_CARLO, description="disruption scenarios drawn")
    seed: int = Field(
        0,
        ge=0,
        le=MAX_SEED,
        description="seed of the scenario draws (0 to 4294967295); the same seed, the same "
        "scenarios",
    )
    alpha: float = Field(
        0.9, ge=0, lt=1, description="CVaR tail level: 0.9 = the worst 10% of probability"
    )
    beta: float = Field(
        1.0, ge=0, le=1e6, description="weight of CVaR_alpha(loss) next to the expected loss"
    )
    cvar_scope: CvarScope = Field(
        CvarScope.BUYER_COMMODITY,
        description="buyer_commodity: one CVaR per buyer and commodity (commodities are solved "
        "apart); buyer: one CVaR per buyer over all its commodities",
    )
    spot_premium: float = Field(
        0.25, ge=0, le=1e6, description="spot price = (1 + spot_premium) x the scenario's price"
    )
    contract_fee: float = Field(
        0.0,
        ge=0,
        le=1e6,
        description="fee per contracted tonne, delivered or not, as a share of its price",
    )
    frontier: tuple[Annotated[float, Field(ge=0, le=1e6)], ...] = Field(
        (0.0, 0.5, 1.0, 2.0, 4.0),
        max_length=MAX_FRONTIER_POINTS,
        description="values of beta at which the mean-CVaR frontier is traced; empty = none",
    )
    china_policy: dict[ChinaPolicy, Share] = Field(
        default_factory=_default_china_policy,
        description="probability of each state of China's export policy in the plan year "
        "(licensing, tightening, october_package, easing); they must sum to 1",
    )
    policy_persistence: Share = Field(
        0.8,
        description="over a horizon, the probability that China's policy state of one year "
        "holds the next (else it is drawn afresh from china_policy); 0.8 = spells of 5 years "
        "on average",
    )
    price_elasticity: float = Field(
        2.0,
        ge=0,
        le=1000,
        description="ex-China prices rise by this x the share of a commodity's supply lost",
    )
    demand_elasticity: float = Field(
        0.05, ge=0, le=1000, description="demand falls by this x the relative rise of its price"
    )
    draw_ranges: bool = Field(
        True,
        description="draw estimated inputs (<column>_low/_high in the tables) from their ranges",
    )
    year: int | None = Field(
        None,
        ge=2000,
        le=2100,
        description="plan year of the one-year model; null = the year after the latest export "
        "control in force (over a horizon, the horizon's years)",
    )
    in_report: bool = Field(True, description="solve the two-stage plan for the report")

    @model_validator(mode="after")
    def _states(self) -> StochasticConfig:
        total = sum(self.china_policy.values())
        if abs(total - 1.0) > 1e-6:
            given = ", ".join(f"{k.value} {v:g}" for k, v in self.china_policy.items())
            raise ValueError(
                f"china_policy probabilities sum to {total:g} ({given}); make them sum to 1"
            )
        if any(b < 0 for b in self.frontier):
            raise ValueError("frontier values of beta must be >= 0, e.g. [0, 0.5, 1, 2]")
        return self


class OptimiserConfig(_Model):
    """The sourcing LP (contract section 5, version 2)."""

    mode: Mode = Field(Mode.JOINT, description="joint or separate")
    model: OptimiserModel = Field(
        OptimiserModel.EXPECTED,
        description="expected: the deterministic plan (contract 5.2); stochastic: the report "
        "recommends the two-stage mean-CVaR plan (5.3, optimiser.stochastic)",
    )
    risk_aversion: float = Field(
        1.0,
        ge=0,
        le=1000,
        description="lambda: weight of the expected disruption loss (1 = its expectation)",
    )
    risk_charge: RiskCharge = Field(
        RiskCharge.EXPECTED_LOSS,
        description="expected_loss: lambda x q x V per kg bought (version 2); price_multiple: "
        "lambda x price x risk/100 (version 1, deprecated)",
    )
    shortfall: ShortfallRule = Field(
        ShortfallRule.VALUE,
        description="value: unmet demand costs the lost-supply value V; lexicographic: first "
        "serve the most the market allows, then minimise cost and risk among those plans",
    )
    shortfall_penalty_usd_per_kg: Penalty | None = Field(
        None,
        description="overrides V[c], USD/kg: a number, or a map by commodity with 'default'; "
        "null = commodities.csv lost_supply_value_usd_per_kg",
    )
    max_supplier_share: float = Field(
        1.0, gt=0, le=1, description="sigma: cap on one offer's share of a buyer's demand"
    )
    max_country_share: float | None = Field(
        None,
        gt=0,
        le=1,
        description="version 1 (deprecated): hard cap on one non-home country's share of demand "
        "for every buyer; use buyers.<B>.policy.max_country_share",
    )
    country_share_overrides: dict[str, Share] = Field(
        default_factory=dict,
        description="version 1 (deprecated): per-country caps; use "
        "buyers.<B>.policy.country_share_overrides",
    )
    min_partner_share: float | None = Field(
        None,
        ge=0,
        le=1,
        description="version 1 (deprecated): home+partner floor for every buyer; use "
        "buyers.<B>.policy.min_partner_share",
    )
    status_availability: dict[OfferStatus, Share] = Field(
        default_factory=lambda: {
            OfferStatus.PRODUCING: 1.0,
            OfferStatus.RAMPING: 1.0,
            OfferStatus.PLANNED: 0.0,
        },
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
    sharing: SharingRule = Field(
        SharingRule.PROPORTIONAL,
        description="how joint buying splits scarce supply and costs between buyers, among "
        "plans optimal for the pooled objective and no worse for any buyer than buying alone: "
        "proportional, maxmin, shapley or none (the solver's split)",
    )
    stochastic: StochasticConfig = StochasticConfig()


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


class DemandScale(_Model):
    """A candidate's demand as a multiple of a configured buyer's ``demand.csv`` rows."""

    buyer: str = Field(min_length=1, description="buyer whose demand is scaled, e.g. JP")
    factor: float = Field(gt=0, description="multiplier of that buyer's demand, e.g. 0.25")


class CandidateConfig(BuyerConfig):
    """A buyer outside the alliance that could join it: home, partners, policy and demand.

    Its demand is ``demand_t`` (t/yr by commodity) or ``demand_scale`` (a
    multiple of a configured buyer's demand rows), never both.
    """

    demand_t: dict[str, Annotated[float, Field(ge=0)]] | None = Field(
        None, description="t/yr by commodity, e.g. {dysprosium: 90}"
    )
    demand_scale: DemandScale | None = Field(
        None, description="demand as a multiple of a buyer's rows, e.g. {buyer: JP, factor: 0.25}"
    )
    basis: str = Field("", description="what the demand figures rest on (sources, estimates)")

    @model_validator(mode="after")
    def _one_demand(self) -> CandidateConfig:
        if (self.demand_t is None) == (self.demand_scale is None):
            raise ValueError(
                "give the candidate's demand as demand_t (t/yr by commodity) or as "
                "demand_scale ({buyer: JP, factor: 0.25}), exactly one of the two"
            )
        return self


def _default_candidates() -> dict[str, CandidateConfig]:
    """Korea, the United States and India (demand estimates: seeds/SOURCES.md, "Alliance
    candidates")."""
    partners = ("EU", "JP", "US", "CA", "AU", "GB", "KR")
    return {
        "KR": CandidateConfig(
            home=("KR",),
            partners=tuple(p for p in partners if p != "KR"),
            demand_scale=DemandScale(buyer="JP", factor=0.25),
            basis="estimate: a quarter of Japan's demand",
        ),
        "US": CandidateConfig(
            home=("US",),
            partners=tuple(p for p in partners if p != "US"),
            demand_t={
                "samarium": 50.0,
                "gadolinium": 300.0,
                "terbium": 15.0,
                "dysprosium": 90.0,
                "lutetium": 4.0,
                "scandium": 8.0,
                "yttrium": 600.0,
            },
            basis="Sm S44, Y S60; Dy and Tb estimates from magnet imports (S8); others estimates",
        ),
        "IN": CandidateConfig(
            home=("IN",),
            partners=("JP", "EU", "US", "AU", "KR"),
            demand_scale=DemandScale(buyer="EU", factor=0.3),
            basis="estimate: 30% of the EU's demand",
        ),
    }


class AllianceConfig(_Model):
    """Joint buying: candidate partners and the coalition analysis (contract 5.4)."""

    candidates: dict[str, CandidateConfig] = Field(
        default_factory=_default_candidates,
        description="buyers outside the alliance whose joining is valued: name -> home, "
        "partners, policy and demand_t or demand_scale",
    )
    max_coalition_buyers: int = Field(
        6,
        ge=2,
        le=10,
        description="most buyers (alliance and candidates) whose every sub-coalition is "
        "solved (2^n solves) for Shapley values and the core",
    )


def _default_buyers() -> dict[str, BuyerConfig]:
    return {
        "EU": BuyerConfig(
            home=("EU",),
            partners=("JP", "US", "CA", "AU", "GB", "NO", "KR"),
            policy=PolicyConfig(max_country_share=0.65),
        ),
        "JP": BuyerConfig(home=("JP",), partners=("EU", "US", "CA", "AU", "GB", "KR")),
    }


class Config(_Model):
    """The whole configuration, as resolved from defaults, a YAML file and overrides."""

    name: str = Field("default", description="name of this configuration (report folders)")
    data: DataConfig = DataConfig()
    horizon: HorizonConfig = HorizonConfig()
    buyers: dict[str, BuyerConfig] = Field(
        default_factory=_default_buyers,
        description="buyer name -> home and partners (countries or blocs)",
    )
    risk: RiskConfig = RiskConfig()
    optimiser: OptimiserConfig = OptimiserConfig()
    scenarios: tuple[ScenarioConfig, ...] = Field((), description="named what-if cases")
    report: ReportConfig = ReportConfig()
    alliance: AllianceConfig = AllianceConfig()

    @field_validator("alliance")
    @classmethod
    def _candidates_are_outsiders(cls, value: AllianceConfig, info: ValidationInfo) -> Any:
        both = sorted(set(info.data.get("buyers", {})) & set(value.candidates))
        if both:
            raise ValueError(
                f"alliance.candidates names {', '.join(both)}, already in buyers: a candidate "
                "is a buyer outside the alliance; remove it from one of the two"
            )
        return value

    def one_year(self) -> Config:
        """This configuration with the one-year model (``horizon`` null): capacity usable now,
        no offtakes, stocks or product variants. Stress tests and the two-stage plan use it;
        they do not yet carry stocks between years."""
        if not self.horizon.years:
            return self
        return self.model_copy(update={"horizon": HorizonConfig(start=None, end=None)})

    @model_validator(mode="before")
    @classmethod
    def _version_one_is_one_year(cls, data: Any) -> Any:
        """A version-1 configuration (a cap under ``optimiser``) that names no horizon runs
        one year, as version 1 did (contract 5: one year = version 1's model)."""
        if not isinstance(data, dict) or "horizon" in data:
            return data
        opt = data.get("optimiser")
        written = (
            set(opt)
            if isinstance(opt, dict)
            else (opt.model_fields_set if isinstance(opt, BaseModel) else set())
        )
        if written & {"max_country_share", "country_share_overrides", "min_partner_share"}:
            return {**data, "horizon": {"start": None, "end": None}}
        return data
