"""Checks of a dataset against a configuration (buyers, country codes, overrides)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskengine._text import did_you_mean
from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.data.identifiers import hidden_characters, lookalike_of
from riskengine.exceptions import DataError, InputIssue

__all__ = ["check_against_config", "check_buyers", "known_codes"]


def known_codes(dataset: Dataset) -> set[str]:
    """Country codes and bloc names the dataset defines."""
    countries = dataset.countries
    blocs = set(countries["bloc"].astype(str)) - {"", "nan"}
    return set(countries["country"].astype(str)) | blocs


#: Tables with a buyer column checked against the configuration's buyers.
_BUYER_TABLES = ("demand", "demand_outlook", "contracts", "stocks")
#: Rows with an unknown buyer listed one by one (per table) before the rest are counted.
_MAX_LISTED = 20


def _buyer_hint(buyer: str, buyers: list[str]) -> str:
    twin = lookalike_of(buyer, buyers)
    if twin is not None:
        return f" ({buyer!r} looks like {twin!r} but holds {hidden_characters(buyer)}; retype it)"
    return did_you_mean(buyer, buyers)


def _buyer_problems(dataset: Dataset, config: Config) -> list[InputIssue]:
    buyers = sorted(config.buyers)
    problems = []
    for table in _BUYER_TABLES:
        frame = getattr(dataset, table, None)
        if frame is not None:
            problems += _unknown_buyers(dataset, table, frame["buyer"].astype(str), buyers)
    return problems


def _unknown_buyers(
    dataset: Dataset, table: str, column: pd.Series, buyers: list[str]
) -> list[InputIssue]:
    unknown = np.flatnonzero(~column.isin(buyers).to_numpy())
    problems = []
    for row in unknown[:_MAX_LISTED]:
        buyer = column.iloc[row]
        source, line, label = dataset.origin(table, int(row))
        problems.append(
            InputIssue(
                source,
                line,
                "buyer",
                buyer,
                f"buyer not in the configuration; add buyers.{buyer} (home, partners) to the "
                f"config or use one of {', '.join(buyers)}{_buyer_hint(buyer, buyers)}",
                line_label=label,
            )
        )
    if len(unknown) > _MAX_LISTED:
        source, _, _ = dataset.origin(table, 0)
        more = len(unknown) - _MAX_LISTED
        problems.append(
            InputIssue(source, None, "buyer", None, f"{more} more rows with the same problem")
        )
    return problems


def _code_problems(dataset: Dataset, config: Config, source: str) -> list[InputIssue]:
    codes = known_codes(dataset)
    problems = []
    for name, buyer in sorted(config.buyers.items()):
        for key in ("home", "partners"):
            for code in getattr(buyer, key):
                if code not in codes:
                    problems.append(
                        InputIssue(
                            source,
                            None,
                            f"buyers.{name}.{key}",
                            code,
                            "unknown country or bloc; use a code or bloc from countries.csv"
                            + did_you_mean(code, codes),
                            label="key",
                        )
                    )
    for code in sorted(config.optimiser.country_share_overrides):
        if code not in codes:
            problems.append(
                InputIssue(
                    source,
                    None,
                    "optimiser.country_share_overrides",
                    code,
                    "unknown country; use a code from countries.csv" + did_you_mean(code, codes),
                    label="key",
                )
            )
    return problems


def check_buyers(dataset: Dataset, config: Config) -> None:
    """Raise :class:`DataError` for rows whose buyer the configuration does not define."""
    problems = _buyer_problems(dataset, config)
    if problems:
        raise DataError(problems)


def check_against_config(dataset: Dataset, config: Config, source: str = "configuration") -> None:
    """Raise :class:`DataError` listing demand rows for unknown buyers and unknown codes.

    ``source`` names the configuration file in messages.
    """
    problems = _buyer_problems(dataset, config) + _code_problems(dataset, config, source)
    if problems:
        raise DataError(problems)


def home_and_partners(dataset: Dataset, config: Config) -> pd.DataFrame:
    """Per buyer and country: relation 0 = home, 1 = partner, 2 = other."""
    countries = dataset.countries
    rows = []
    for buyer, spec in config.buyers.items():
        for code, bloc in zip(countries["country"], countries["bloc"].astype(str), strict=True):
            if code in spec.home or bloc in spec.home:
                relation = 0
            elif code in spec.partners or bloc in spec.partners:
                relation = 1
            else:
                relation = 2
            rows.append((buyer, code, relation))
    return pd.DataFrame(rows, columns=["buyer", "country", "relation"])
