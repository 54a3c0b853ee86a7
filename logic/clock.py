"""The one clock of the app: every "today" and "now" in logic/ and pages/ comes from here.

By default it reads the real clock (so Debian's `faketime`, which fakes libc's time, moves it).
Two ways to set it instead, so tests never depend on the day they run:

* the environment variable STRIDE_CHECK_NOW, an ISO datetime such as 2026-12-06T23:57:00
  (local time unless it carries an offset): app servers started by browser tests inherit it
  and share the test's instant;
* `freeze(when)` in-process, as a context manager or, with `set_now`, for a whole session.

The frozen instant does not tick: a test run that crosses midnight sees one day throughout.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager

from logic.errors import ConfigError

ENV_VAR = "STRIDE_CHECK_NOW"
ENV_FORMAT = "an ISO date and time such as 2026-12-06T23:57:00 (local time, or with an offset)"

_frozen: dt.datetime | None = None


class ClockError(ConfigError, ValueError):
    """STRIDE_CHECK_NOW holds something that is not an ISO date and time."""


def _aware(when: dt.datetime | dt.date) -> dt.datetime:
    """`when` as a UTC-aware datetime; a naive one is local time, a bare date its midnight."""
    if not isinstance(when, dt.datetime):
        when = dt.datetime.combine(when, dt.time())
    return when.astimezone(dt.UTC)


def parse(text: str) -> dt.datetime:
    """STRIDE_CHECK_NOW's value as a UTC-aware datetime; ClockError names the variable."""
    try:
        return _aware(dt.datetime.fromisoformat(text.strip()))
    except ValueError:
        raise ClockError(f"{ENV_VAR}={text!r} is not a date and time: use {ENV_FORMAT}.") from None


def now() -> dt.datetime:
    """The current instant, UTC-aware: frozen, else STRIDE_CHECK_NOW, else the real clock."""
    if _frozen is not None:
        return _frozen
    text = os.environ.get(ENV_VAR, "")
    if text.strip():
        return parse(text)
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today's date where the app runs (local time), by the same clock as `now`."""
    return now().astimezone().date()


def set_now(when: dt.datetime | dt.date | None) -> None:
    """Freeze the clock at `when` for this process (naive means local time); None unfreezes."""
    global _frozen
    _frozen = None if when is None else _aware(when)


@contextmanager
def freeze(when: dt.datetime | dt.date) -> Iterator[dt.datetime]:
    """Within the block the clock reads `when`; afterwards, whatever it read before."""
    before = _frozen
    set_now(when)
    try:
        yield now()
    finally:
        set_now(before)
