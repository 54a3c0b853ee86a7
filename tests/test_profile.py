"""The runner profile's validation and unit conversion (logic/profile.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from logic.profile import (
    KM_PER_MILE,
    InvalidProfile,
    RunnerProfile,
    from_display_distance,
    to_display_distance,
    validate_profile,
)


def test_empty_values_give_the_defaults() -> None:
    assert validate_profile({}) == RunnerProfile()


def test_values_are_kept_and_unspecified_sex_reads_as_not_given() -> None:
    profile = validate_profile(
        {
            "sex": "female",
            "age_band": "under_18",
            "units": "miles",
            "team": " Hares ",
            "reminders": "no",
        }
    )
    assert profile == RunnerProfile("female", "under_18", "miles", "Hares", False)
    assert validate_profile({"sex": "unspecified"}).sex is None


@pytest.mark.parametrize(
    ("values", "field", "allowed"),
    [
        ({"age_band": "35"}, "age_band", "under_18, 18_39, 40_59, 60_plus"),
        ({"units": "furlongs"}, "units", "km, miles"),
        ({"sex": "x"}, "sex", "female, male, other, unspecified"),
        ({"reminders": "maybe"}, "reminders", "yes or no"),
        ({"shoe": "big"}, "shoe", "sex, age_band"),
    ],
)
def test_bad_values_name_the_field_and_what_is_allowed(
    values: dict[str, str], field: str, allowed: str
) -> None:
    with pytest.raises(InvalidProfile) as err:
        validate_profile(values)
    assert str(err.value).startswith(f"{field}:")
    assert allowed in str(err.value)


def test_a_team_with_a_hidden_character_is_refused() -> None:
    with pytest.raises(InvalidProfile, match="team"):
        validate_profile({"team": "Ha\u200bres"})


def test_distances_round_trip_through_miles_on_series() -> None:
    km = pd.Series([0.0, 10.0, 42.195])
    miles = to_display_distance(km, "miles")
    assert miles.iloc[1] == pytest.approx(10 / KM_PER_MILE)
    np.testing.assert_allclose(from_display_distance(miles, "miles"), km)
    assert to_display_distance(5.0, "km") == 5.0
