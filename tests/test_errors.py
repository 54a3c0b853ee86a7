"""One base class for the app's errors; configuration and access errors are not storage
errors, and every error the storage package raises is one of the families."""

from __future__ import annotations

import pytest

from logic import errors, settings
from logic.storage import access, accounts, engine, store


@pytest.mark.parametrize("family", [errors.ConfigError, errors.AccessError, errors.StorageError])
def test_each_family_is_a_stride_check_error(family: type[Exception]) -> None:
    assert issubclass(family, errors.StrideCheckError)
    err = family("A message for a person.")
    assert err.message == str(err) == "A message for a person."


def test_config_and_access_errors_are_not_storage_errors() -> None:
    assert not issubclass(errors.ConfigError, errors.StorageError)
    assert not issubclass(errors.AccessError, errors.StorageError)
    assert not issubclass(access.AccessDenied, errors.StorageError)
    assert issubclass(access.AccessDenied, errors.AccessError)


@pytest.mark.parametrize(
    "cls",
    [store.InvalidCheckin, store.CheckinNotFound, store.WeekTaken, accounts.AccountError],
)
def test_storage_refusals_are_storage_errors(cls: type[Exception]) -> None:
    assert issubclass(cls, errors.StorageError)


def test_old_import_names_still_work() -> None:
    assert settings.ConfigError is errors.ConfigError
    assert engine.StorageError is store.StorageError is errors.StorageError
