"""Datasets already checked, so that one run validates its tables once.

A command loads its tables (:func:`~riskengine.data.dataset.load_dataset`
checks them), then scores, builds and solves; each public function checks
the dataset it is given (:func:`~riskengine.data.frames.check_dataset`), as
it must for tables built or edited in Python. Parsing the tables again is
most of that cost (0.065 s of a 10,000-offer plan, three times per command).
:func:`remember` records a checked dataset with a fingerprint of its tables;
:func:`unchanged` is true while its tables still hash to it, so a table
edited in place (``data.suppliers.loc[0, "capacity_t"] = -5``) is checked
again. The fingerprint hashes every cell (pandas' row hashes, 0.012 s for
the 10,000-offer tables), not object identity.
"""

from __future__ import annotations

import hashlib
import threading
import weakref

import pandas as pd

from riskengine.data.dataset import Dataset

__all__ = ["remember", "sealed", "unchanged"]

_LOCK = threading.Lock()
#: id(dataset) -> (a weak reference to it, its tables' fingerprint when checked, whether
#: its owner sealed it (:func:`sealed`): then it is not hashed again).
_CHECKED: dict[int, tuple[weakref.ref[Dataset], bytes, bool]] = {}


def _fingerprint(dataset: Dataset) -> bytes | None:
    """A digest of every table's columns, types, index and cells (None: not hashable)."""
    digest = hashlib.blake2b(digest_size=16)
    for name in dataset.table_names:
        frame = dataset.table(name)
        head = (name, [str(c) for c in frame.columns], [str(t) for t in frame.dtypes])
        digest.update(repr(head).encode())
        try:
            rows = pd.util.hash_pandas_object(frame, index=True)
        except TypeError:  # a cell pandas cannot hash (a list, a dict...): check in full
            return None
        digest.update(rows.to_numpy().tobytes())
    return digest.digest()


def remember(dataset: Dataset, also: Dataset | None = None) -> Dataset:
    """Record ``dataset`` as checked, as its tables are now; returns it.

    ``also`` (the tables as given, before parsing) is recorded too when its
    tables are the same as ``dataset``'s, cell for cell and type for type.
    """
    fingerprint = _fingerprint(dataset)
    if fingerprint is None:
        return dataset
    _record(dataset, fingerprint)
    if also is not None and also is not dataset and _fingerprint(also) == fingerprint:
        _record(also, fingerprint)
    return dataset


def _record(dataset: Dataset, fingerprint: bytes) -> None:
    key = id(dataset)

    def forget(_: object) -> None:
        with _LOCK:
            entry = _CHECKED.get(key)
            if entry is not None and entry[0]() is None:
                del _CHECKED[key]

    with _LOCK:
        _CHECKED[key] = (weakref.ref(dataset, forget), fingerprint, False)


def sealed(dataset: Dataset) -> Dataset:
    """Mark a checked ``dataset`` as one no code but riskengine's will touch; returns it.

    For a command's own tables (the CLI loads them and hands them to no user
    code, and riskengine never edits its inputs): later checks then skip the
    hash (0.13-0.2 s at 100,000 offers, twice per ``optimise`` command). A
    dataset not checked yet is left as it is.
    """
    with _LOCK:
        entry = _CHECKED.get(id(dataset))
        if entry is not None and entry[0]() is dataset:
            _CHECKED[id(dataset)] = (entry[0], entry[1], True)
    return dataset


def unchanged(dataset: Dataset) -> bool:
    """True when ``dataset`` was checked and its tables have not changed since."""
    with _LOCK:
        entry = _CHECKED.get(id(dataset))
    if entry is None or entry[0]() is not dataset:
        return False
    return entry[2] or _fingerprint(dataset) == entry[1]
