from __future__ import annotations

import pytest

from logic.links import checkin_id_from_param


def test_good_and_missing_params() -> None:
    assert checkin_id_from_param("12") == (12, None)
    assert checkin_id_from_param(None) == (None, None)
    assert checkin_id_from_param("") == (None, None)


@pytest.mark.parametrize("bad", ["abc", "-1", "0", "1.5", "1" * 13, "١٢", "<b>x</b>"])
def test_bad_params_say_what_is_allowed(bad: str) -> None:
    checkin_id, message = checkin_id_from_param(bad)
    assert checkin_id is None
    assert message is not None and "must be a check-in number" in message
