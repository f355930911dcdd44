"""Candidate partners (``alliance.candidates``) as buyers: their demand rows and configuration.

A candidate is a buyer outside the alliance (the configured ``buyers``) whose
joining it is valued. Its demand is ``demand_t`` (tonnes a year by
commodity) or ``demand_scale`` (a multiple of a configured buyer's
``demand.csv`` rows); its home, partners and policy read like a buyer's.
The candidates' rows live only in the copy of the dataset the coalition
analysis uses: the plan, the scores and the stress tests never see them.
"""

from __future__ import annotations

import pandas as pd

from riskengine._text import did_you_mean
from riskengine.config.schema import BuyerConfig, CandidateConfig, Config
from riskengine.data.dataset import Dataset
from riskengine.exceptions import ConfigError

__all__ = ["candidate_demand", "with_candidates"]


def _codes(dataset: Dataset, name: str, spec: CandidateConfig) -> None:
    known = set(dataset.countries["country"].astype(str))
    known |= set(dataset.countries["bloc"].dropna().astype(str)) - {""}
    for key in ("home", "partners"):
        for code in getattr(spec, key):
            if code not in known:
                raise ConfigError(
                    f"alliance.candidates.{name}.{key}: {code!r} is not a country or bloc of "
                    f"countries.csv{did_you_mean(code, sorted(known))}"
                )


def _explicit(dataset: Dataset, name: str, spec: CandidateConfig) -> pd.DataFrame:
    commodities = sorted(dataset.commodities["commodity"].astype(str))
    demand = spec.demand_t or {}
    for commodity in demand:
        if commodity not in commodities:
            raise ConfigError(
                f"alliance.candidates.{name}.demand_t: {commodity!r} is not a commodity of "
                f"commodities.csv (one of {', '.join(commodities)})"
                f"{did_you_mean(commodity, commodities)}"
            )
    rows = [(name, c, float(t), spec.basis) for c, t in sorted(demand.items()) if t > 0]
    return pd.DataFrame(rows, columns=["buyer", "commodity", "demand_t", "basis"])


def _scaled(
    dataset: Dataset,
    config: Config,
    name: str,
    spec: CandidateConfig,
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    scale = spec.demand_scale
    assert scale is not None
    buyers = sorted(config.buyers)
    source = dataset.demand if table is None else table
    rows = source[source["buyer"].astype(str) == scale.buyer]
    if table is not None and rows.empty:
        return rows.assign(buyer=name)
    if scale.buyer not in config.buyers or rows.empty:
        raise ConfigError(
            f"alliance.candidates.{name}.demand_scale.buyer: {scale.buyer!r} is not a buyer "
            f"with demand rows; use one of {', '.join(buyers)}{did_you_mean(scale.buyer, buyers)}"
        )
    out = rows.copy()
    out["buyer"] = name
    for column in out.columns:
        if column == "demand_t" or column.startswith("demand_t_"):
            out[column] = pd.to_numeric(out[column], errors="coerce") * scale.factor
    if "basis" in out.columns:
        out["basis"] = spec.basis or f"{scale.factor:g} x {scale.buyer}"
    return out


def candidate_demand(dataset: Dataset, config: Config, name: str) -> pd.DataFrame:
    """The demand rows of candidate ``name`` (``buyer, commodity, demand_t``, ...).

    Raises
    ------
    ConfigError
        For an unknown country code, commodity or scaled buyer, naming the key.
    """
    spec = config.alliance.candidates[name]
    _codes(dataset, name, spec)
    if spec.demand_scale is not None:
        return _scaled(dataset, config, name, spec)
    return _explicit(dataset, name, spec)


def _outlook(dataset: Dataset, config: Config, names: list[str]) -> pd.DataFrame | None:
    """``demand_outlook.csv`` with the candidates' rows: it replaces demand.csv in its years.

    A scaled candidate scales its reference buyer's outlook; an explicit one adds its
    undated rows (every year).
    """
    outlook = getattr(dataset, "demand_outlook", None)
    if outlook is None:
        return None
    frames = [outlook]
    for name in names:
        spec = config.alliance.candidates[name]
        if spec.demand_scale is not None:
            frames.append(_scaled(dataset, config, name, spec, outlook))
        else:
            frames.append(_explicit(dataset, name, spec))
    return pd.concat(frames, ignore_index=True)


def with_candidates(
    dataset: Dataset, config: Config, names: list[str] | None = None
) -> tuple[Dataset, Config]:
    """The dataset and configuration with candidates (default all) added as buyers.

    Their rows join ``demand.csv`` and, when the data has one, ``demand_outlook.csv``
    (which replaces ``demand.csv`` in the years it covers).
    """
    names = sorted(config.alliance.candidates) if names is None else names
    if not names:
        return dataset, config
    frames = [dataset.demand, *(candidate_demand(dataset, config, n) for n in names)]
    demand = pd.concat(frames, ignore_index=True)
    outlook = _outlook(dataset, config, names)
    buyers = dict(config.buyers)
    for name in names:
        spec = config.alliance.candidates[name]
        buyers[name] = BuyerConfig(home=spec.home, partners=spec.partners, policy=spec.policy)
    extended = config.model_copy(update={"buyers": buyers})
    # keep which keys the analyst wrote: the model reads it (a version-1 file names no buyers)
    object.__setattr__(extended, "__pydantic_fields_set__", set(config.model_fields_set))
    tables = {"demand": demand} | ({} if outlook is None else {"demand_outlook": outlook})
    return dataset.with_tables(**tables), extended
