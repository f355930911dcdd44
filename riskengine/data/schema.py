"""Column definitions of the input tables, kept as data.

Each table is a tuple of :class:`Column`; the loader, the validator, the
data dictionary in the docs and the synthetic generator all read these.
Quantities are tonnes of oxide equivalent a year; prices are USD per kg of
oxide equivalent.
"""

from __future__ import annotations

from riskengine.data.columns import RANGE_SUFFIXES, Column, Kind, TableSpec
from riskengine.data.schema_plan import (
    BOM_TABLE,
    CONTRACT_TABLE,
    DEMAND_COLUMNS,
    DEMAND_KEY,
    DEMAND_OUTLOOK_TABLE,
    EXPORT_FLOW_TABLE,
    PLAN_SUPPLIER_COLUMNS,
    STOCK_TABLE,
)
from riskengine.enums import COMMODITIES, DisruptionKind, OfferStatus, Stage

__all__ = [
    "DISRUPTION_TABLE",
    "OPTIONAL_TABLES",
    "RANGE_SUFFIXES",
    "SOURCING_TABLE",
    "TABLES",
    "Column",
    "Kind",
    "TableSpec",
]

_STAGES = tuple(s.value for s in Stage)
_STATUSES = tuple(s.value for s in OfferStatus)

COMMODITY_TABLE = TableSpec(
    "commodities",
    "one controlled commodity",
    (
        Column("commodity", "choice", "", "commodity id, lower case", choices=COMMODITIES),
        Column("symbol", "text", "", "chemical symbol"),
        Column("name", "text", "", "English name"),
        Column(
            "price_usd_per_kg",
            "number",
            "USD/kg",
            "reference price an EU or JP buyer faces",
            low=0,
            positive=True,
        ),
        Column("substitution_index", "number", "", "JRC SI_SR, 1 = no substitute", low=0, high=1),
        Column(
            "eol_recycling_rate",
            "number",
            "",
            "JRC EoL-RIR, share of input from old scrap",
            low=0,
            high=1,
        ),
        Column(
            "lost_supply_value_usd_per_kg",
            "number",
            "USD/kg",
            "V[c]: what a kg not delivered costs a buyer (the optimiser's lost-supply value)",
            required=False,
            low=0,
            positive=True,
        ),
    ),
    ("commodity",),
)

COUNTRY_TABLE = TableSpec(
    "countries",
    "one country",
    (
        Column("country", "text", "", "ISO 3166-1 alpha-2 code"),
        Column("name", "text", "", "English name"),
        Column("bloc", "text", "", "bloc such as EU, empty if none", required=False),
        Column(
            "governance",
            "number",
            "WGI",
            "World Bank WGI mean of the six estimates",
            low=-2.5,
            high=2.5,
        ),
    ),
    ("country",),
)

PRODUCTION_TABLE = TableSpec(
    "production",
    "a country's supply of one commodity at one stage",
    (
        Column("country", "country", "", "producing country"),
        Column("commodity", "commodity", "", "commodity id"),
        Column("stage", "choice", "", "mining or refining", choices=_STAGES),
        Column("tonnes", "number", "t/yr", "output, tonnes oxide equivalent a year", low=0),
        Column("year", "integer", "", "data year", low=1990, high=2100),
    ),
    ("country", "commodity", "stage"),
)

EXPORT_CONTROL_TABLE = TableSpec(
    "export_controls",
    "an export control",
    (
        Column("country", "country", "", "country imposing the control"),
        Column("commodity", "commodity", "", "commodity id"),
        Column(
            "severity", "number", "", "1 = exports banned, 0.5 = licence required", low=0, high=1
        ),
        Column("since", "date", "", "date the control took effect"),
        Column(
            "stage",
            "choice",
            "",
            "stage covered, empty = all stages",
            required=False,
            choices=_STAGES,
        ),
        Column("destination", "text", "", "country or bloc targeted, empty = all", required=False),
        Column("in_force", "bool", "", "false records a suspended control", required=False),
        Column(
            "until",
            "date",
            "",
            "date the control ends or its suspension is due to end, empty = open-ended",
            required=False,
        ),
        Column(
            "approval_rate",
            "number",
            "",
            "share of requested export volume licensed (version 2); by destination when "
            "destination is set, empty = not estimated",
            required=False,
            low=0,
            high=1,
        ),
        Column(
            "approval_basis",
            "text",
            "",
            "how approval_rate was set: confirmed, derived or judgement, with sources",
            required=False,
        ),
    ),
    ("country", "commodity", "stage", "destination", "since"),
)

SUPPLIER_TABLE = TableSpec(
    "suppliers",
    "one supplier's offer of one commodity",
    (
        Column("supplier_id", "text", "", "stable id of the supplier or plant"),
        Column("name", "text", "", "supplier or plant name"),
        Column("country", "country", "", "country of the producing site"),
        Column("commodity", "commodity", "", "commodity id"),
        Column("stage", "choice", "", "mining or refining", choices=_STAGES),
        Column("status", "choice", "", "producing, ramping or planned", choices=_STATUSES),
        Column(
            "capacity_t",
            "number",
            "t/yr",
            "capacity offered, tonnes oxide equivalent a year",
            low=0,
        ),
        Column("price_usd_per_kg", "number", "USD/kg", "offer price", low=0, positive=True),
        Column("lead_time_days", "number", "days", "order-to-delivery time", low=0),
        Column(
            "parent_country",
            "country",
            "",
            "owner's home country (optional indicator)",
            required=False,
        ),
        Column(
            "chinese_technology",
            "bool",
            "",
            "plant depends on Chinese technology or inputs (optional indicator)",
            required=False,
        ),
        *PLAN_SUPPLIER_COLUMNS,
    ),
    ("supplier_id", "commodity"),
)

DEMAND_TABLE = TableSpec(
    "demand",
    "one buyer's need for one commodity (or, version 2, for one product) in a year",
    DEMAND_COLUMNS,
    DEMAND_KEY,
)

_KINDS = tuple(k.value for k in DisruptionKind)

DISRUPTION_TABLE = TableSpec(
    "disruptions",
    "one historical supply disruption (optional; calibrates the disruption probability)",
    (
        Column("event_id", "text", "", "stable id of the event"),
        Column(
            "country", "text", "", "ISO 3166-1 alpha-2 code of the country whose supply was hit"
        ),
        Column(
            "supplier_id",
            "text",
            "",
            "plant or company hit, empty if country-wide",
            required=False,
        ),
        Column(
            "commodity",
            "choice",
            "",
            "commodity id, all (every one of the seven), or other (a comparable raw material "
            "named in material)",
            choices=(*COMMODITIES, "all", "other"),
        ),
        Column(
            "material",
            "text",
            "",
            "material restricted when commodity is other, e.g. gallium",
            required=False,
        ),
        Column(
            "stage",
            "choice",
            "",
            "stage hit, empty = all stages",
            required=False,
            choices=_STAGES,
        ),
        Column(
            "destination",
            "text",
            "",
            "country or bloc targeted, empty = all buyers",
            required=False,
        ),
        Column("start_year", "integer", "", "first year of the event", low=1950, high=2100),
        Column(
            "end_year",
            "integer",
            "",
            "last year of the event, empty = still under way",
            required=False,
            low=1950,
            high=2100,
        ),
        Column("kind", "choice", "", "what caused the disruption", choices=_KINDS),
        Column(
            "share_affected",
            "number",
            "",
            "share of that country's or plant's supply lost in an affected year",
            low=0,
            high=1,
        ),
        Column(
            "basis",
            "choice",
            "",
            "confirmed (seen in the cited source) or estimate",
            required=False,
            choices=("confirmed", "estimate"),
        ),
        Column("description", "text", "", "what happened", required=False),
        Column("source", "text", "", "source keys or URLs", required=False),
    ),
    ("event_id",),
    optional=True,
)

SOURCING_TABLE = TableSpec(
    "sourcing",
    "a buyer's actual sourcing of one commodity at one stage from one country (optional table)",
    (
        Column("buyer", "text", "", "buyer named in the configuration (EU, JP, ...)"),
        Column("commodity", "commodity", "", "commodity id"),
        Column("stage", "choice", "", "mining or refining", choices=_STAGES),
        Column("country", "country", "", "origin country (domestic production or imports)"),
        Column(
            "share", "number", "", "share of the buyer's supply from this country", low=0, high=1
        ),
        Column("year", "integer", "", "data year", required=False, low=1990, high=2100),
    ),
    ("buyer", "commodity", "stage", "country"),
    optional=True,
)

#: Every input table, in loading order (referenced tables first); optional ones last.
TABLES: tuple[TableSpec, ...] = (
    COMMODITY_TABLE,
    COUNTRY_TABLE,
    PRODUCTION_TABLE,
    EXPORT_CONTROL_TABLE,
    SUPPLIER_TABLE,
    DEMAND_TABLE,
    DISRUPTION_TABLE,
    SOURCING_TABLE,
    BOM_TABLE,
    DEMAND_OUTLOOK_TABLE,
    CONTRACT_TABLE,
    STOCK_TABLE,
    EXPORT_FLOW_TABLE,
)

#: File stems of the tables a data folder may leave out.
OPTIONAL_TABLES: tuple[str, ...] = tuple(t.name for t in TABLES if t.optional)
