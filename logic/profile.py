"""The runner profile: sex, age band, units, team and reminders, set once rather than weekly.

The weekly form stops asking what does not change; check-ins keep their `sex` column (filled
from the profile on save) so CSV files, storage and the CLI read as before. Allowed values
come from data/profile.toml and data/checkin.toml (sex), so a bad value is refused with the
field's name and what it accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from logic.errors import StrideCheckError
from logic.knowledge import KnowledgeBase, knowledge_base
from logic.names import InvalidName, clean_name

KM_PER_MILE = 1.609344
PROFILE_FIELDS: tuple[str, ...] = ("sex", "age_band", "units", "team", "reminders")


class InvalidProfile(StrideCheckError, ValueError):
    """A profile value outside what data/profile.toml (or checkin.toml for sex) allows."""


@dataclass(frozen=True)
class RunnerProfile:
    """None means "not given": the check-in's default applies (sex unspecified, no age band)."""

    sex: str | None = None
    age_band: str | None = None
    units: str = "km"
    team: str | None = None
    reminders: bool = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _choice(field: str, value: Any, allowed: Mapping[str, Any]) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if text not in allowed:
        raise InvalidProfile(
            f"{field}: {text!r} is not allowed. Allowed: one of {', '.join(allowed)}"
        )
    return text


def _reminders(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise InvalidProfile(f"reminders: {value!r} is not allowed. Allowed: yes or no")


def validate_profile(values: Mapping[str, Any], kb: KnowledgeBase | None = None) -> RunnerProfile:
    """A RunnerProfile from form, CSV or database values; unknown keys are refused by name."""
    kb = kb or knowledge_base()
    unknown = sorted(set(values) - set(PROFILE_FIELDS))
    if unknown:
        raise InvalidProfile(
            f"{unknown[0]}: not a profile field. Allowed: {', '.join(PROFILE_FIELDS)}"
        )
    columns = kb.profile.columns
    sex = _choice("sex", values.get("sex"), kb.checkin.columns["sex"].values)
    team = values.get("team")
    try:
        team = clean_name(str(team), "team") or None if team is not None else None
    except InvalidName as err:
        raise InvalidProfile(str(err)) from None
    return RunnerProfile(
        sex=None if sex == kb.checkin.columns["sex"].default else sex,
        age_band=_choice("age_band", values.get("age_band"), columns["age_band"].values),
        units=_choice("units", values.get("units"), columns["units"].values)
        or str(columns["units"].default),
        team=team,
        reminders=_reminders(values.get("reminders", True)),
    )


def to_display_distance(km: Any, units: str) -> Any:
    """Kilometres (storage, CSV) in the runner's unit; works on scalars, arrays and Series."""
    return km / KM_PER_MILE if units == "miles" else km


def from_display_distance(value: Any, units: str) -> Any:
    """A distance typed in the runner's unit, in kilometres for storage."""
    return value * KM_PER_MILE if units == "miles" else value


def unit_label(units: str) -> str:
    return "mi" if units == "miles" else "km"
