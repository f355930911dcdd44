"""A dataset is parsed once per process while its tables do not change (riskengine.data.checked)."""

from __future__ import annotations

import gc
import weakref

import pytest

import riskengine
from riskengine.data import checked
from riskengine.data.frames import check_dataset
from riskengine.exceptions import DataError


def test_a_loaded_dataset_is_not_parsed_again() -> None:
    data = riskengine.load_dataset()
    assert checked.unchanged(data)
    assert check_dataset(data, "test") is data  # the same object: no second parse


def test_a_table_edited_in_place_is_checked_again() -> None:
    data = riskengine.load_dataset()
    data.suppliers.loc[0, "capacity_t"] = -5.0
    assert not checked.unchanged(data)
    with pytest.raises(DataError) as caught:
        riskengine.optimise(data, riskengine.load_config())
    message = str(caught.value)
    assert "suppliers.csv, line 2, column capacity_t" in message and "'-5.0'" in message


def test_an_edit_that_keeps_the_table_valid_is_parsed_and_remembered() -> None:
    data = riskengine.load_dataset()
    data.suppliers.loc[0, "capacity_t"] = 1.0
    again = check_dataset(data, "test")
    assert checked.unchanged(data)  # parsing kept the edited tables as they are
    assert checked.unchanged(again)
    assert float(again.suppliers.loc[0, "capacity_t"]) == 1.0


def test_generated_tables_are_remembered_as_given_when_parsing_keeps_them() -> None:
    data = riskengine.generate_dataset(n_offers=300, seed=4)
    assert not checked.unchanged(data)
    check_dataset(data, "test")
    assert checked.unchanged(data)


def test_a_cell_pandas_cannot_hash_means_a_full_check_every_time() -> None:
    data = riskengine.load_dataset()
    suppliers = data.suppliers.astype({"name": object})
    suppliers.at[0, "name"] = ["not", "text"]
    odd = data.with_tables(suppliers=suppliers)
    checked.remember(odd)
    assert not checked.unchanged(odd)


def test_remembering_does_not_keep_a_dataset_alive() -> None:
    data = riskengine.generate_dataset(n_offers=200, seed=5)
    ref = weakref.ref(check_dataset(data, "test"))
    del data
    gc.collect()
    assert ref() is None


def test_public_functions_leave_the_tables_they_are_given_as_they_were() -> None:
    """The checked dataset is the caller's own object now, not a parsed copy: nothing a
    run does may edit it."""
    import pandas as pd

    data = riskengine.load_dataset()
    config = riskengine.load_config().one_year()
    before = {name: data.table(name).copy(deep=True) for name in data.table_names}
    scores = riskengine.score_suppliers(data, config)
    riskengine.optimise(data, config, scores)
    riskengine.stress(data, config, scores=scores)
    for name, table in before.items():
        pd.testing.assert_frame_equal(data.table(name), table, check_exact=True)
    assert checked.unchanged(data)


def test_a_sealed_dataset_is_not_hashed_again_and_an_unchecked_one_cannot_be_sealed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = checked.sealed(riskengine.load_dataset())
    hashed: list[object] = []
    monkeypatch.setattr(checked, "_fingerprint", lambda d: hashed.append(d))
    assert checked.unchanged(data) and hashed == []
    fresh = riskengine.generate_dataset(n_offers=50, seed=6)
    checked.sealed(fresh)  # never checked: sealing does nothing
    assert not checked.unchanged(fresh)


def test_remembering_again_breaks_the_seal() -> None:
    data = checked.sealed(riskengine.load_dataset())
    checked.remember(data)
    data.suppliers.loc[0, "capacity_t"] = -5.0
    assert not checked.unchanged(data)


def test_a_command_hashes_its_tables_once(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from riskengine.cli import main

    hashed: list[object] = []
    real = checked._fingerprint
    monkeypatch.setattr(checked, "_fingerprint", lambda d: hashed.append(d) or real(d))
    assert main(["optimise", "--format", "json", "--set", "optimiser.sharing=none"]) == 0
    capsys.readouterr()
    assert len(hashed) == 1  # when loaded; the scoring, build and solve trust the command's own
