"""One way in: the configuration and the data, loaded and checked against each other.

Every entry point reads its inputs here: the command line (``cli/_common``),
the report (``report/run``) and an analyst's script::

    inputs = riskengine.load_inputs("config/default.yaml", "my-data/")
    result = riskengine.optimise(inputs.dataset, inputs.config)

Loading the two apart (``load_config`` then ``load_dataset``) skips the
cross-check that names, for instance, a buyer the configuration sets up but
the demand table never mentions; :func:`load_inputs` runs it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from riskengine.config import Config, load_config
from riskengine.data import Dataset, load_dataset
from riskengine.data.checks import check_against_config
from riskengine.data.frames import check_dataset
from riskengine.exceptions import ArgumentError

__all__ = ["Inputs", "load_inputs"]

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class Inputs:
    """A run's inputs, checked against each other.

    Attributes
    ----------
    config : Config
        The resolved configuration (defaults, YAML file, overrides).
    dataset : Dataset
        The tables, parsed to their types.
    config_path : Path or None
        The YAML file the configuration came from (None: built in or given as an object).
    notes : tuple of str
        What the analyst should know about the inputs, e.g. tables read from the
        shipped reference tables because the data folder did not hold them.
    """

    config: Config
    dataset: Dataset
    config_path: Path | None = None
    notes: tuple[str, ...] = ()


def load_inputs(
    config: Config | PathLike | None = None,
    data: Dataset | PathLike | None = None,
    overrides: Iterable[str] = (),
    *,
    config_path: PathLike | None = None,
    who: str = "load_inputs",
) -> Inputs:
    """Load the configuration and the data and check them against each other.

    Parameters
    ----------
    config : Config, path-like or None
        A resolved configuration, a YAML file, or None for the built-in defaults.
    data : Dataset, path-like or None
        The tables, a CSV folder or ``.xlsx`` workbook, or None for the
        configuration's ``data.dir``.
    overrides : iterable of str
        ``KEY=VALUE`` overrides applied after the file (only when ``config`` is
        not already a Config).
    config_path : path-like, optional
        The file ``config`` was read from, for messages, when ``config`` is a Config.
    who : str
        The caller, named in messages about wrong argument types.

    Returns
    -------
    Inputs

    Raises
    ------
    ConfigError, DataError
        Bad configuration or tables, or a configuration the data does not fit
        (exit code 2 on the command line).
    ArgumentError
        An argument of the wrong type.
    """
    overrides = list(overrides)
    if isinstance(config, Config):
        if overrides:
            raise ArgumentError(f"{who}: overrides apply to a YAML file, not to a Config object")
        path = None if config_path is None else Path(config_path)
    elif config is None or isinstance(config, str | os.PathLike):
        path = None if config is None else Path(config)
        config = load_config(path, overrides)
    else:
        raise ArgumentError(
            f"{who}: config should be a Config, a YAML file path or None, "
            f"got {type(config).__name__}"
        )
    if isinstance(data, Dataset):
        dataset = check_dataset(data, who)
        dataset = replace(dataset, notes=data.notes) if data.notes else dataset
    elif data is None or isinstance(data, str | os.PathLike):
        dataset = load_dataset(config.data.dir if data is None else data)
    else:
        raise ArgumentError(
            f"{who}: data should be a Dataset, a folder or workbook path or None, "
            f"got {type(data).__name__}"
        )
    check_against_config(dataset, config, str(path) if path else "configuration")
    return Inputs(config, dataset, path, tuple(dataset.notes))
