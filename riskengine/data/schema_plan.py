"""Columns and tables that version 2 of the model adds (contract section 2); all optional.

- ``suppliers.csv`` gains the plant's timing (``available_from``, ``ramp_years``,
  ``commissioning_probability``) and its ``route`` through the processing stages;
- ``demand.csv`` rows may carry a ``year`` and may name a ``product`` (with
  ``product_t``, tonnes of product a year) instead of a commodity;
- new tables: ``bom.csv`` (element content of products and their thrifting
  variants), ``demand_outlook.csv`` (demand by year for the planning horizon),
  ``contracts.csv`` (offtakes bound to a buyer), ``stocks.csv`` (strategic stocks)
  and ``export_flows.csv`` (an exporter's flows by destination: China as export
  channels).

None of these changes what the version-1 model computes: it does not read them.
"""

from __future__ import annotations

from riskengine.data.columns import Column, TableSpec

__all__ = [
    "BOM_TABLE",
    "CONTRACT_TABLE",
    "DEMAND_COLUMNS",
    "DEMAND_KEY",
    "DEMAND_OUTLOOK_TABLE",
    "EXPORT_FLOW_TABLE",
    "FLOW_FORMS",
    "PLAN_SUPPLIER_COLUMNS",
    "STOCK_TABLE",
    "YEAR_HIGH",
    "YEAR_LOW",
]

#: Planning and data years accepted in year columns.
YEAR_LOW, YEAR_HIGH = 2000, 2100
#: How an element leaves the exporter in ``export_flows.csv``.
FLOW_FORMS: tuple[str, ...] = ("oxide", "magnet")


def _year(name: str, meaning: str, required: bool = True) -> Column:
    return Column(name, "integer", "", meaning, required=required, low=YEAR_LOW, high=YEAR_HIGH)


def _text(name: str, meaning: str) -> Column:
    return Column(name, "text", "", meaning, required=False)


_BASIS = _text("basis", "how each figure was set: confirmed, derived or estimate, with the method")
_SOURCE = _text("source", "source keys of seeds/SOURCES.md (S..., H...) or URLs, ';'-separated")

PLAN_SUPPLIER_COLUMNS: tuple[Column, ...] = (
    _year("available_from", "first year the offer can deliver, empty = now", required=False),
    Column(
        "ramp_years",
        "integer",
        "years",
        "years from available_from to full capacity (0 = at once), empty = 0",
        required=False,
        low=0,
        high=20,
    ),
    Column(
        "commissioning_probability",
        "number",
        "",
        "chance the plant delivers at all by available_from, empty = 1",
        required=False,
        low=0,
        high=1,
    ),
    _text(
        "route",
        "processing stages and their countries when they differ from country, e.g. "
        "mining:BR;separation:CN (stages mining or recycling, separation (or refining), "
        "metal, magnet, in that order); empty = every stage in country",
    ),
    _text("timing_basis", "sources and method of available_from, ramp_years, probability"),
    _text("route_basis", "sources and method of route"),
)

DEMAND_COLUMNS: tuple[Column, ...] = (
    Column("buyer", "text", "", "buyer named in the configuration (EU, JP, ...)"),
    Column(
        "commodity",
        "commodity",
        "",
        "commodity id; empty on a product row (the elements then come from bom.csv)",
    ),
    Column(
        "demand_t",
        "number",
        "t/yr",
        "need, tonnes oxide equivalent a year; empty on a product row",
        low=0,
    ),
    _year("year", "year of this demand, empty = every year (version 2)", required=False),
    _text("product", "product of bom.csv this row is a demand for, instead of a commodity"),
    Column(
        "product_t",
        "number",
        "t/yr",
        "tonnes of product a year, on a product row",
        required=False,
        low=0,
    ),
)
DEMAND_KEY: tuple[str, ...] = ("buyer", "commodity", "product", "year")

DEMAND_OUTLOOK_TABLE = TableSpec(
    "demand_outlook",
    "one buyer's need for one commodity or product in one year of the planning horizon "
    "(optional; same columns as demand.csv; demand.csv stays the one-year view)",
    (*DEMAND_COLUMNS, _BASIS, _SOURCE),
    DEMAND_KEY,
    optional=True,
)

BOM_TABLE = TableSpec(
    "bom",
    "the content of one element in one product, e.g. a grade of NdFeB magnet (optional)",
    (
        Column("product", "text", "", "product id, lower case, e.g. ndfeb-ht-bulk"),
        Column("commodity", "commodity", "", "commodity id"),
        Column(
            "kg_per_t",
            "number",
            "kg/t",
            "kg of the element (oxide equivalent) in a tonne of product",
            low=0,
            high=1000,
        ),
        _text(
            "variant_of",
            "the base product this is a thrifting variant of (e.g. a grain-boundary-diffused "
            "grade of a bulk-alloyed one), empty = a base product",
        ),
        Column(
            "base_share",
            "number",
            "",
            "share of the base product's volume made as this variant in the data year; the "
            "shares of a base product and its variants sum to 1",
            required=False,
            low=0,
            high=1,
        ),
        Column(
            "premium_usd_per_t",
            "number",
            "USD/t",
            "extra cost of a tonne of product made as this variant instead of the base product "
            "(elements not included)",
            required=False,
            low=0,
        ),
        Column(
            "max_switch_share_per_year",
            "number",
            "",
            "most the share of this variant can grow in a year (share of the base product's "
            "volume), empty = no limit",
            required=False,
            low=0,
            high=1,
        ),
        _BASIS,
        _SOURCE,
    ),
    ("product", "commodity"),
    optional=True,
)

CONTRACT_TABLE = TableSpec(
    "contracts",
    "an offtake bound to one buyer: tonnes a year of one offer over a span of years (optional)",
    (
        Column("buyer", "text", "", "buyer named in the configuration (EU, JP, ...)"),
        Column("supplier_id", "text", "", "offer's supplier_id in suppliers.csv"),
        Column("commodity", "commodity", "", "offer's commodity"),
        Column(
            "tonnes_per_year",
            "number",
            "t/yr",
            "contracted tonnes a year, oxide equivalent",
            low=0,
        ),
        _year("from_year", "first contract year"),
        _year("to_year", "last contract year, empty = open-ended (term not disclosed)", False),
        Column(
            "price_usd_per_kg",
            "number",
            "USD/kg",
            "contract price, empty = the offer's price",
            required=False,
            low=0,
            positive=True,
        ),
        Column(
            "binding",
            "choice",
            "",
            "minimum: the buyer takes at least tonnes_per_year (a lower bound on its "
            "purchases); reserved: capacity held for the buyer, which may take less; "
            "empty = minimum",
            required=False,
            choices=("minimum", "reserved"),
        ),
        _BASIS,
        _SOURCE,
    ),
    ("buyer", "supplier_id", "commodity", "from_year"),
    optional=True,
)

STOCK_TABLE = TableSpec(
    "stocks",
    "a buyer's strategic stock of one commodity (optional)",
    (
        Column("buyer", "text", "", "buyer named in the configuration (EU, JP, ...)"),
        Column("commodity", "commodity", "", "commodity id"),
        Column("opening_t", "number", "t", "stock at the start of the horizon", low=0),
        Column("max_t", "number", "t", "most the buyer may hold", low=0),
        Column(
            "holding_usd_per_kg_year",
            "number",
            "USD/kg/yr",
            "cost of holding a kg for a year (capital and storage)",
            low=0,
        ),
        Column(
            "target_days",
            "number",
            "days",
            "stockpile target in days of the buyer's consumption, empty = none "
            "(buyers.<B>.stock_target_days in the configuration overrides)",
            required=False,
            low=0,
            high=730,
        ),
        _BASIS,
        _SOURCE,
    ),
    ("buyer", "commodity"),
    optional=True,
)

EXPORT_FLOW_TABLE = TableSpec(
    "export_flows",
    "an exporting country's flow of one commodity to one destination in one year, by form "
    "(optional; China as export channels)",
    (
        Column("country", "country", "", "exporting country"),
        Column("commodity", "commodity", "", "commodity id"),
        Column(
            "destination",
            "text",
            "",
            "country or bloc receiving the flow, empty = all destinations (the exporter's total)",
            required=False,
        ),
        Column(
            "form",
            "choice",
            "",
            "oxide: oxides, metals, alloys and compounds; magnet: the element contained in "
            "permanent magnets",
            choices=FLOW_FORMS,
        ),
        _year("year", "year of the flow"),
        Column("tonnes", "number", "t/yr", "flow, tonnes oxide equivalent of the element", low=0),
        Column(
            "product_tonnes",
            "number",
            "t/yr",
            "tonnes of product shipped (magnets), on magnet rows",
            required=False,
            low=0,
        ),
        Column(
            "licensed",
            "bool",
            "",
            "true: observed under export licensing (already net of approvals); false: before "
            "licensing, a proxy of the volume buyers request",
        ),
        Column(
            "price_usd_per_kg",
            "number",
            "USD/kg",
            "price a buyer in the destination pays per kg of the element through this channel",
            required=False,
            low=0,
            positive=True,
        ),
        _BASIS,
        _SOURCE,
    ),
    ("country", "commodity", "destination", "form", "year"),
    optional=True,
)
