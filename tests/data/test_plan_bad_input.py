"""Bad version-2 data: exit code 2 and a message naming file, line, column, value and the fix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from riskengine import DataError, load_dataset

_SUPPLIER = "sup-000000"  # samarium, capacity 64.77 t in the generated data (70 offers, seed 0)


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False, lineterminator="\n")
    return path


@pytest.fixture
def plan_dir(data_dir: Path) -> Path:
    """The generated folder plus small valid version-2 tables."""
    _write(
        data_dir / "bom.csv",
        [
            {"product": "ndfeb-ht", "commodity": "dysprosium", "kg_per_t": 45, "base_share": 0.6},
            {"product": "ndfeb-ht", "commodity": "terbium", "kg_per_t": 3, "base_share": 0.6},
            {
                "product": "ndfeb-gbd",
                "commodity": "dysprosium",
                "kg_per_t": 20,
                "variant_of": "ndfeb-ht",
                "base_share": 0.4,
                "premium_usd_per_t": 6000,
            },
        ],
    )
    _write(
        data_dir / "contracts.csv",
        [
            {
                "buyer": "JP",
                "supplier_id": _SUPPLIER,
                "commodity": "samarium",
                "tonnes_per_year": 5,
                "from_year": 2027,
                "to_year": 2030,
            }
        ],
    )
    _write(
        data_dir / "stocks.csv",
        [
            {
                "buyer": "JP",
                "commodity": "samarium",
                "opening_t": 1,
                "max_t": 10,
                "holding_usd_per_kg_year": 1.1,
            }
        ],
    )
    _write(
        data_dir / "export_flows.csv",
        [
            {
                "country": "CN",
                "commodity": "dysprosium",
                "destination": "EU",
                "form": "magnet",
                "year": 2025,
                "tonnes": 250,
                "product_tonnes": 22000,
                "licensed": "true",
            }
        ],
    )
    _write(
        data_dir / "demand_outlook.csv",
        [
            {
                "buyer": "EU",
                "commodity": "",
                "demand_t": "",
                "year": 2026,
                "product": "ndfeb-ht",
                "product_t": 7000,
            },
            {
                "buyer": "EU",
                "commodity": "yttrium",
                "demand_t": 600,
                "year": 2026,
                "product": "",
                "product_t": "",
            },
        ],
    )
    return data_dir


def _set(folder: Path, table: str, row: int, column: str, value: object) -> Path:
    path = folder / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame[column] = frame[column] if column in frame.columns else ""
    frame.loc[row, column] = str(value)
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def _message(folder: Path) -> str:
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    return str(info.value)


def test_the_valid_plan_tables_load(plan_dir):
    data = load_dataset(plan_dir)
    assert len(data.bom) == 3 and len(data.contracts) == 1 and len(data.export_flows) == 1
    assert data.demand_outlook["year"].tolist() == [2026, 2026]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("mining:BR;smelting:CN", "stage 'smelting' is not valid; stages are mining, recycling"),
        ("mining:BR;separation:XX", "country 'XX' of stage separation is not in countries.csv"),
        ("separation:CN;mining:BR", "stages are out of order"),
        ("mining:BR;recycling:DE", "a stage is given twice"),
        ("mining", "part 'mining' is not stage:country"),
    ],
)
def test_a_bad_route_names_line_column_value_and_the_valid_stages(plan_dir, value, expected):
    path = _set(plan_dir, "suppliers", 0, "route", value)
    text = _message(plan_dir)
    assert f"{path}, line 2, column route: value '{value}': {expected}" in text


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("available_from", "1850", "is out of range; expected a whole number from 2000 to 2100"),
        ("available_from", "2026.5", "expected a whole number from 2000 to 2100"),
        ("commissioning_probability", "1.5", "is out of range; expected a number from 0 to 1"),
        ("ramp_years", "-1", "is out of range; expected a whole number from 0 to 20 years"),
    ],
)
def test_bad_timing_is_reported(plan_dir, column, value, expected):
    path = _set(plan_dir, "suppliers", 0, column, value)
    assert f"{path}, line 2, column {column}: value '{value}': {expected}" in _message(plan_dir)


def test_bad_approval_rate(plan_dir):
    path = _set(plan_dir, "export_controls", 0, "approval_rate", "1.2")
    assert f"{path}, line 2, column approval_rate: value '1.2': is out of range" in _message(
        plan_dir
    )


def test_a_contract_on_an_unknown_offer(plan_dir):
    path = _set(plan_dir, "contracts", 0, "supplier_id", "nobody")
    text = _message(plan_dir)
    assert f"{path}, line 2, column supplier_id: value 'nobody': no offer (nobody, samarium)" in (
        text
    )
    assert _SUPPLIER in text  # the valid offers of that commodity are listed


def test_a_contract_ending_before_it_starts(plan_dir):
    path = _set(plan_dir, "contracts", 0, "to_year", "2025")
    assert f"{path}, line 2, column to_year: value '2025': is before from_year 2027" in _message(
        plan_dir
    )


def test_contracts_above_the_offers_capacity(plan_dir):
    path = _set(plan_dir, "contracts", 0, "tonnes_per_year", "70")
    assert "add up to 70 t in 2027, more than its capacity_t 64.77" in _message(plan_dir)
    assert str(path) in _message(plan_dir)


def test_bom_variant_of_an_unknown_product(plan_dir):
    path = _set(plan_dir, "bom", 2, "variant_of", "ndfeb-xx")
    assert (
        f"{path}, line 4, column variant_of: value 'ndfeb-xx': is not a product of bom.csv"
        in _message(plan_dir)
    )


def test_bom_shares_must_add_up_to_one(plan_dir):
    _set(plan_dir, "bom", 2, "base_share", "0.5")
    assert "the shares of ndfeb-ht and its variants add up to 1.1" in _message(plan_dir)


def test_bom_product_columns_agree_across_rows(plan_dir):
    _set(plan_dir, "bom", 1, "base_share", "0.5")
    assert "column base_share: value '0.5': differs between the rows of product ndfeb-ht" in (
        _message(plan_dir)
    )


def test_demand_names_an_unknown_product(plan_dir):
    path = _set(plan_dir, "demand_outlook", 0, "product", "widgets")
    assert (
        f"{path}, line 2, column product: value 'widgets': is not a product of bom.csv; base "
        "products are ndfeb-ht" in _message(plan_dir)
    )


def test_demand_names_a_variant(plan_dir):
    _set(plan_dir, "demand_outlook", 0, "product", "ndfeb-gbd")
    assert "is a variant in bom.csv; a demand row names the base product" in _message(plan_dir)


def test_a_product_row_needs_product_t_and_no_commodity(plan_dir):
    path = _set(plan_dir, "demand_outlook", 0, "product_t", "")
    _set(plan_dir, "demand_outlook", 0, "commodity", "dysprosium")
    text = _message(plan_dir)
    assert f"{path}, line 2, column product_t: is empty on a product row" in text
    assert "column commodity: value 'dysprosium': is set on a product row" in text


def test_an_element_row_needs_a_commodity(plan_dir):
    _set(plan_dir, "demand_outlook", 1, "commodity", "")
    assert "line 3, column commodity: is empty; expected a commodity id, or a product" in (
        _message(plan_dir)
    )


def test_demand_year_out_of_range(plan_dir):
    _set(plan_dir, "demand_outlook", 1, "year", "1999")
    assert "line 3, column year: value '1999': is out of range" in _message(plan_dir)


def test_opening_stock_above_the_maximum(plan_dir):
    path = _set(plan_dir, "stocks", 0, "opening_t", "20")
    assert f"{path}, line 2, column opening_t: value '20': is above max_t 10" in _message(plan_dir)


def test_export_flow_to_an_unknown_destination(plan_dir):
    path = _set(plan_dir, "export_flows", 0, "destination", "Mars")
    assert f"{path}, line 2, column destination: value 'Mars': unknown destination" in _message(
        plan_dir
    )


def test_product_tonnes_on_an_oxide_row(plan_dir):
    _set(plan_dir, "export_flows", 0, "form", "oxide")
    assert "product_tonnes belongs to magnet rows" in _message(plan_dir)


def test_the_command_line_exits_2_with_the_message(plan_dir, run_cli):
    path = _set(plan_dir, "suppliers", 0, "route", "mining:BR;smelting:CN")
    code, out, err = run_cli("validate", "--data", str(plan_dir))
    assert code == 2 and out == ""
    assert f"{path}, line 2, column route: value 'mining:BR;smelting:CN'" in err


def test_a_contract_buyer_missing_from_the_configuration(plan_dir, run_cli):
    path = _set(plan_dir, "contracts", 0, "buyer", "KR")
    code, _, err = run_cli("validate", "--data", str(plan_dir))
    assert code == 2
    assert f"{path}, line 2, column buyer: value 'KR': buyer not in the configuration" in err
