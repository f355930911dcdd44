"""Hostile and malformed CSV tables: finite numbers, clear single messages, lookalike ids."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from riskengine import DataError, load_dataset

_BAD_NUMBERS = ["inf", "-inf", "Infinity", "1e309", "-1e400"]


def _set_cell(data_dir: Path, table: str, row: int, column: str, value: str) -> Path:
    path = data_dir / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def _problems(data_dir: Path) -> list[str]:
    with pytest.raises(DataError) as info:
        load_dataset(data_dir)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("value", _BAD_NUMBERS)
@pytest.mark.parametrize(
    ("table", "column", "expected"),
    [
        ("suppliers", "capacity_t", "a number from 0 to 10,000,000 t/yr"),
        ("production", "tonnes", "a number from 0 to 10,000,000 t/yr"),
        ("demand", "demand_t", "a number from 0 to 10,000,000 t/yr"),
        ("suppliers", "price_usd_per_kg", "a number > 0 and at most 1,000,000 USD/kg"),
    ],
)
def test_non_finite_numbers_are_refused(data_dir, table, column, expected, value):
    path = _set_cell(data_dir, table, 1, column, value)
    assert _problems(data_dir) == [
        f"{path}, line 3, column {column}: value {value!r}: is not a finite number; "
        f"expected {expected}"
    ]


def test_numbers_beyond_the_documented_range_are_refused(data_dir):
    path = _set_cell(data_dir, "suppliers", 0, "capacity_t", "1e300")
    assert _problems(data_dir) == [
        f"{path}, line 2, column capacity_t: value '1e300': is out of range; "
        "expected a number from 0 to 10,000,000 t/yr"
    ]


def test_fractional_year_is_refused_not_a_crash(data_dir, run_cli):
    path = _set_cell(data_dir, "production", 0, "year", "2024.5")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2
    assert (
        f"{path}, line 2, column year: value '2024.5': expected a whole number from 1990 to 2100"
    ) in err


@pytest.mark.parametrize(("mark", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_other_delimiter_gives_one_message_naming_it(data_dir, mark, name):
    path = data_dir / "demand.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", mark), encoding="utf-8")
    assert _problems(data_dir) == [
        f"{path}, line 1: is separated by {name} ({mark!r}), not commas; riskengine reads "
        "comma-separated files: save it as 'CSV UTF-8 (comma delimited)'"
    ]


def test_row_width_problem_is_listed_once(data_dir):
    path = data_dir / "suppliers.csv"
    text = path.read_text(encoding="utf-8")
    width = len(text.splitlines()[0].split(","))
    path.write_text(text + "x,y\n", encoding="utf-8")
    problems = _problems(data_dir)
    assert problems == [f"{path}, line 72: has 2 fields but the header has {width}"]


def test_many_unknown_buyers_are_capped(data_dir, run_cli):
    path = data_dir / "demand.csv"
    extra = "".join(f"B{i},terbium,1\n" for i in range(1000))
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2
    lines = err.splitlines()
    assert lines[0] == "error: 21 problems in the data:"
    assert lines[-1] == f"  {path}, column buyer: 980 more rows with the same problem"


def test_field_over_the_size_limit_names_its_line(data_dir):
    path = data_dir / "demand.csv"
    path.write_text(
        path.read_text(encoding="utf-8") + 'EU,terbium,"' + "x" * 200_000 + "\n", encoding="utf-8"
    )
    assert _problems(data_dir) == [
        f'{path}, line 16: a field is longer than 131,072 characters; look for a quote (") '
        "that is opened and never closed"
    ]


def test_unreadable_file_is_a_problem_not_a_crash(data_dir, monkeypatch):
    real_open = Path.open

    def deny(self: Path, *args: object, **kwargs: object) -> object:
        if self.name == "demand.csv":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    path = data_dir / "demand.csv"
    assert _problems(data_dir) == [f"{path}: cannot be read (Permission denied)"]


def _add_offer_like_first(data_dir: Path, change) -> tuple[Path, str]:
    path = data_dir / "suppliers.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    original = cells[0] = "alpha-one"
    lines[1] = ",".join(cells)
    cells[0] = change(original)
    path.write_text("\n".join([*lines, ",".join(cells)]) + "\n", encoding="utf-8")
    return path, original


@pytest.mark.parametrize(
    ("change", "hidden"),
    [
        (lambda s: s + "\u200b", "U+200B ZERO WIDTH SPACE"),
        (lambda s: "\u2060" + s, "U+2060 WORD JOINER"),
        (lambda s: s.replace("o", "\u043e", 1), "U+043E CYRILLIC SMALL LETTER O"),
        (lambda s: s.replace("a", "\u0430", 1), "U+0430 CYRILLIC SMALL LETTER A"),
    ],
)
def test_lookalike_supplier_ids_are_refused(data_dir, change, hidden):
    path, original = _add_offer_like_first(data_dir, change)
    fake = change(original)
    problems = _problems(data_dir)
    assert problems == [
        f"{path}, line 72, column supplier_id: value {fake!r}: looks the same as {original!r} "
        f"(line 2) once invisible and lookalike characters are removed ({hidden}); "
        "identifiers must differ visibly: use one spelling"
    ]


def test_identifiers_are_nfc_normalised(data_dir):
    path = data_dir / "suppliers.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    first = lines[1].split(",")
    first[0] = "caf\u00e9"  # composed é
    second = list(first)
    second[0] = "cafe\u0301"  # e + combining acute: the same text, decomposed
    lines[1] = ",".join(first)
    path.write_text("\n".join([*lines, ",".join(second)]) + "\n", encoding="utf-8")
    problems = _problems(data_dir)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}, line 72: duplicate (supplier_id, commodity) = (café, ")
    assert unicodedata.is_normalized("NFC", problems[0])


def test_lookalike_buyer_gets_a_hint(data_dir, run_cli):
    path = data_dir / "demand.csv"
    text = path.read_text(encoding="utf-8").replace("\nEU,", "\n\u0415U,")  # Cyrillic Ie
    path.write_text(text, encoding="utf-8")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2
    assert (
        f"{path}, line 2, column buyer: value 'ЕU': buyer not in the configuration; add "
        "buyers.ЕU (home, partners) to the config or use one of EU, JP ('ЕU' looks like 'EU' "
        "but holds U+0415 CYRILLIC CAPITAL LETTER IE; retype it)"
    ) in err


def test_lookalike_country_code_gets_a_hint(data_dir):
    path = _set_cell(data_dir, "suppliers", 0, "country", "\u0421N")  # Cyrillic Es + N
    problems = _problems(data_dir)
    assert problems == [
        f"{path}, line 2, column country: value 'СN': unknown country; add it to "
        "countries.csv or use one of its codes ('СN' looks like 'CN' but holds U+0421 "
        "CYRILLIC CAPITAL LETTER ES; retype it)"
    ]


def test_dropping_the_optional_bloc_column_is_not_a_crash(data_dir, run_cli):
    path = data_dir / "countries.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="bloc")
    frame.to_csv(path, index=False, lineterminator="\n")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code in (0, 2) and "internal error" not in err


def test_a_huge_number_in_an_extra_year_column_is_not_a_crash(data_dir, run_cli):
    path = data_dir / "demand.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["data_year"] = "9" * 400  # an extra column: kept, read only for the data vintage
    frame.to_csv(path, index=False, lineterminator="\n")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 0 and err == ""
