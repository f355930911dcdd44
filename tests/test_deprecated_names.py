"""Renamed public names still work, warn once used, and are the new objects."""

import importlib

import pytest

import riskengine
from riskengine import enums, exceptions


@pytest.mark.parametrize(
    ("module", "old", "new"),
    [
        (riskengine, "Problem", "InputIssue"),
        (exceptions, "Problem", "InputIssue"),
        (enums, "Status", "OfferStatus"),
    ],
)
def test_old_name_warns_and_is_the_new_object(module, old, new):
    with pytest.warns(DeprecationWarning, match=f"{old} is deprecated; use .*{new}"):
        value = getattr(module, old)
    assert value is getattr(module, new)


def test_from_import_of_an_old_name_warns():
    with pytest.warns(DeprecationWarning, match="Status is deprecated"):
        from riskengine.enums import Status  # noqa: F401


def test_new_names_are_public_and_old_ones_are_not_advertised():
    assert "InputIssue" in riskengine.__all__ and "Problem" not in riskengine.__all__
    assert "OfferStatus" in enums.__all__ and "Status" not in enums.__all__
    assert "InputIssue" in exceptions.__all__ and "Problem" not in exceptions.__all__


def test_unknown_names_still_raise_attribute_error():
    for module in (riskengine, exceptions, enums):
        with pytest.raises(AttributeError):
            _ = module.NoSuchName
    assert importlib.import_module("riskengine.enums") is enums
