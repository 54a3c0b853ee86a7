"""The project clock: real by default, set by STRIDE_CHECK_NOW or in-process, pinned in tests."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pytest

from logic import clock
from tests.support.apptest import app


@pytest.fixture
def unfrozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The clock as a fresh process sees it: not frozen and no STRIDE_CHECK_NOW."""
    pinned = clock.now()
    monkeypatch.delenv(clock.ENV_VAR, raising=False)
    clock.set_now(None)
    try:
        yield
    finally:
        clock.set_now(pinned)


def test_the_suite_runs_on_one_pinned_instant_shared_with_subprocesses() -> None:
    first = clock.now()
    assert clock.now() == first  # frozen: does not tick
    assert clock.parse(os.environ[clock.ENV_VAR]) == first  # what app servers inherit
    assert first.tzinfo is not None and first.utcoffset() == dt.timedelta(0)
    assert clock.today() == first.astimezone().date()


@pytest.mark.usefixtures("unfrozen")
def test_by_default_it_reads_the_real_clock() -> None:
    before = dt.datetime.now(dt.UTC)
    read = clock.now()
    after = dt.datetime.now(dt.UTC)
    assert before <= read <= after
    assert clock.today() in {before.astimezone().date(), after.astimezone().date()}


@pytest.mark.usefixtures("unfrozen")
@pytest.mark.parametrize(
    ("text", "day", "utc"),
    [
        ("2026-12-06T23:57:00+00:00", dt.date(2026, 12, 6), dt.datetime(2026, 12, 6, 23, 57)),
        ("2026-12-07T00:03:00+01:00", dt.date(2026, 12, 7), dt.datetime(2026, 12, 6, 23, 3)),
        ("2029-02-28T12:00:00Z", dt.date(2029, 2, 28), dt.datetime(2029, 2, 28, 12)),
    ],
)
def test_the_environment_variable_sets_the_clock(
    monkeypatch: pytest.MonkeyPatch, text: str, day: dt.date, utc: dt.datetime
) -> None:
    monkeypatch.setenv(clock.ENV_VAR, text)
    assert clock.now() == utc.replace(tzinfo=dt.UTC)
    given = dt.datetime.fromisoformat(text)
    assert clock.now().astimezone(given.tzinfo).date() == day


@pytest.mark.usefixtures("unfrozen")
def test_a_naive_value_is_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.ENV_VAR, "2026-12-06T23:57:00")
    assert clock.today() == dt.date(2026, 12, 6)
    assert clock.now() == dt.datetime(2026, 12, 6, 23, 57).astimezone(dt.UTC)


@pytest.mark.usefixtures("unfrozen")
@pytest.mark.parametrize("bad", ["next sunday", "2026-13-01T00:00", "06/12/2026 23:57"])
def test_a_broken_value_names_the_variable_and_the_format(
    monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    monkeypatch.setenv(clock.ENV_VAR, bad)
    with pytest.raises(clock.ClockError) as caught:
        clock.now()
    message = str(caught.value)
    assert clock.ENV_VAR in message and repr(bad) in message
    assert "ISO date and time such as 2026-12-06T23:57:00" in message


@pytest.mark.usefixtures("unfrozen")
def test_freeze_overrides_the_environment_and_restores_what_was_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(clock.ENV_VAR, "2026-12-06T23:57:00+00:00")
    outer = dt.datetime(2030, 1, 6, 23, 59, tzinfo=dt.UTC)
    with clock.freeze(outer) as frozen:
        assert frozen == clock.now() == outer
        with clock.freeze(dt.date(2031, 3, 3)):
            assert clock.today() == dt.date(2031, 3, 3)
        assert clock.now() == outer
    assert clock.now() == dt.datetime(2026, 12, 6, 23, 57, tzinfo=dt.UTC)  # the variable again


def test_freeze_moves_today_and_now_together() -> None:
    sunday = dt.datetime(2026, 12, 6, 23, 57)
    with clock.freeze(sunday):
        assert clock.today() == dt.date(2026, 12, 6)
        assert clock.now() == sunday.astimezone(dt.UTC)


@pytest.mark.usefixtures("unfrozen", "db_url")
def test_the_app_stops_on_a_broken_value_with_the_message_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(clock.ENV_VAR, "tomorrow")
    at = app().run()
    assert not at.exception, [e.value for e in at.exception]
    (error,) = [e.value for e in at.error]
    assert "STRIDE_CHECK_NOW='tomorrow' is not a date and time" in error
    assert not at.title  # no page ran
