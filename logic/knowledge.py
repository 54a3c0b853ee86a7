"""The knowledge base: the article's conditions, factors and exercises, loaded from data/*.toml.

Domain knowledge lives in TOML so a coach can tune a weight without touching code. Everything is
validated once at load time, and a bad edit fails with a message naming the file and the key.
"""

from __future__ import annotations

import string
import tomllib
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

BANDS: tuple[str, ...] = ("low", "moderate", "high")
MIN_OWN_EXERCISES = 2  # a routine gives each concern at least this many of its own exercises
OWN_SECTION = "own"  # a factor's link to each condition comes from that condition's own section
# The two answers per condition: the symptom match and the risk factors behind it.
LOOKS_LIKE = "looks_like"
BUILDING_UP = "building_up"
PARTS: tuple[str, ...] = (LOOKS_LIKE, BUILDING_UP)
LOCATION_COLUMN = "pain_locations"
# Columns whose factors are "looks like" unless a factor says otherwise.
SYMPTOM_COLUMNS: tuple[str, ...] = (LOCATION_COLUMN, "pain_triggers")
SOURCES: tuple[str, ...] = ("article", "inference", "study")


class KnowledgeBaseError(ValueError):
    """A data file is missing, is not valid TOML, or breaks the schema."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- data/checkin.toml -------------------------------------------------------------------------


class ValueSpec(_Strict):
    label: str
    help: str = ""
    # Offered only to runners whose profile's sex is one of these (values of the sex column;
    # its default stands for "not given"). None: offered to everyone.
    sexes: list[str] | None = None


class ColumnSpec(_Strict):
    type: Literal["text", "date", "set", "integer", "number", "choice"]
    label: str
    help: str = ""
    required: bool = False
    min_length: int = 0
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    default: Any = None
    values: dict[str, ValueSpec] = Field(default_factory=dict)
    options: list[str] = Field(default_factory=list)  # labels of an integer column's 0..n-1

    @model_validator(mode="after")
    def _values_fit_type(self) -> ColumnSpec:
        if self.type in ("set", "choice") and not self.values:
            raise ValueError(f"a {self.type} column needs a [values] table")
        if self.type not in ("set", "choice") and self.values:
            raise ValueError(f"a {self.type} column takes no values")
        if self.options and (
            self.type != "integer" or self.min != 0 or self.max != len(self.options) - 1
        ):
            raise ValueError("options need an integer column with min 0 and max = options - 1")
        if self.type == "choice" and self.default is not None and self.default not in self.values:
            raise ValueError(f"default {self.default!r} is not one of {sorted(self.values)}")
        return self

    def allowed(self) -> str:
        """Human wording of what the column accepts, for error messages."""
        if self.type in ("set", "choice"):
            kind = "any of" if self.type == "set" else "one of"
            return f"{kind} {', '.join(self.values)}"
        if self.type == "date":
            return "a date as YYYY-MM-DD"
        if self.type == "text":
            shortest = max(self.min_length, 1 if self.required else 0)
            return f"text of {shortest}-{self.max_length} characters"
        word = "a whole number" if self.type == "integer" else "a number"
        if self.min is not None and self.max is not None:
            return f"{word} from {self.min:g} to {self.max:g}"
        if self.min is not None:
            return f"{word} >= {self.min:g}"
        return word


class CheckinSchema(_Strict):
    set_separator: str = ";"
    columns: dict[str, ColumnSpec]

    @model_validator(mode="after")
    def _sexes_are_known(self) -> CheckinSchema:
        sexes = self.columns["sex"].values if "sex" in self.columns else {}
        for column, spec in self.columns.items():
            for value, v in spec.values.items():
                unknown = sorted(set(v.sexes or ()) - set(sexes))
                if unknown:
                    raise ValueError(
                        f"columns.{column}.values.{value}.sexes: {unknown[0]!r} is not a value "
                        f"of the sex column. Allowed: {', '.join(sexes)}"
                    )
        return self

    @property
    def set_columns(self) -> list[str]:
        return [c for c, s in self.columns.items() if s.type == "set"]

    @property
    def required_columns(self) -> list[str]:
        return [c for c, s in self.columns.items() if s.required]


class ProfileSchema(_Strict):
    """data/profile.toml: the choice fields of the runner profile (sex is the check-in's)."""

    columns: dict[str, ColumnSpec]

    @model_validator(mode="after")
    def _choices(self) -> ProfileSchema:
        for name in PROFILE_CHOICES:
            spec = self.columns.get(name)
            if spec is None or spec.type != "choice":
                raise ValueError(f"columns.{name}: missing, or not a choice column")
        return self


PROFILE_CHOICES: tuple[str, ...] = ("age_band", "units")


# --- data/conditions.toml ----------------------------------------------------------------------


class Section(_Strict):
    title: str


class Condition(_Strict):
    name: str
    short_name: str
    section: str
    baseline: Annotated[float, Field(ge=0, le=100)] = 0.0
    locations: list[str] = Field(min_length=1)  # pain_locations values that are its own place
    where_it_hurts: str
    triggers: str
    causes: str
    treatment: str


class RootCause(_Strict):
    name: str
    summary: str
    section: str


class RunningChanges(_Strict):
    """How a concern's running changes this week when the advice is to adjust."""

    changes: list[str] = Field(min_length=1)
    basis: Literal["article", "inference"]
    why: str


class ConditionsFile(_Strict):
    sections: dict[str, Section]
    conditions: dict[str, Condition]
    root_causes: dict[str, RootCause]
    running: dict[str, RunningChanges]


# --- data/factors.toml -------------------------------------------------------------------------


class Factor(_Strict):
    label: str
    kind: Literal["set", "ramp", "flag"]
    column: str
    values: list[str] = Field(default_factory=list)
    start: float | None = None
    full: float | None = None
    scale_by_pain: bool = False
    section: str = OWN_SECTION
    root_cause: str | None = None
    weights: dict[str, Annotated[float, Field(ge=0)]]
    # Where the link comes from: the article (its `section`), our reasoning (`reason`, one
    # line) or a study (`citation`). No default: every weight states its source.
    source: Literal["article", "inference", "study"]
    reason: str | None = None
    citation: str | None = None
    part: Literal["looks_like", "building_up"] | None = None  # None: by the column
    group: str | None = None  # factors of a group count once per condition (their largest)

    @model_validator(mode="after")
    def _source_fields(self) -> Factor:
        if self.source == "inference" and not (self.reason or "").strip():
            raise ValueError("an inference needs a reason: our reasoning, in one line")
        if self.source == "study" and not (self.citation or "").strip():
            raise ValueError("a study needs a citation")
        if self.source != "inference" and self.reason is not None:
            raise ValueError(f"reason is only for source = 'inference', not {self.source!r}")
        if self.source != "study" and self.citation is not None:
            raise ValueError(f"citation is only for source = 'study', not {self.source!r}")
        if self.source != "article" and self.section != OWN_SECTION:
            raise ValueError(f"section is only for source = 'article', not {self.source!r}")
        if self.reason is not None and "\n" in self.reason.strip():
            raise ValueError("a reason is one line")
        return self

    @property
    def factor_part(self) -> str:
        """ "looks_like" or "building_up": the part of a condition's answer it feeds."""
        if self.part is not None:
            return self.part
        return LOOKS_LIKE if self.column in SYMPTOM_COLUMNS else BUILDING_UP

    @property
    def tied(self) -> bool:
        """Counts fully only where its condition hurts: a symptom that is not a location."""
        return self.factor_part == LOOKS_LIKE and self.column != LOCATION_COLUMN

    @model_validator(mode="after")
    def _kind_fields(self) -> Factor:
        if self.kind != "set" and self.values:
            raise ValueError(f"a {self.kind} factor takes no values")
        if self.kind == "set" and not self.values:
            raise ValueError("a set factor needs values")
        if self.kind == "ramp" and (
            self.start is None or self.full is None or self.start == self.full
        ):
            raise ValueError("a ramp factor needs start and full, and they must differ")
        return self


BASELINE_FACTOR = "baseline"  # the explanation's row for a condition's baseline points


class FactorsFile(_Strict):
    factors: dict[str, Factor]

    @model_validator(mode="after")
    def _no_reserved_id(self) -> FactorsFile:
        if BASELINE_FACTOR in self.factors:
            raise ValueError(
                f"factors.{BASELINE_FACTOR}: the id is reserved for a condition's baseline in "
                "the explanation; name the factor something else"
            )
        return self


# --- data/exercises.toml -----------------------------------------------------------------------


ExerciseKind = Literal["strength", "mobility", "balance", "soft_tissue", "drill"]
SessionsPerWeek = Annotated[int, Field(ge=1, le=14)]


class Dose(_Strict):
    """Sets of reps or of seconds, and sessions a week (one number or a range)."""

    sets: Annotated[int, Field(ge=1, le=10)]
    reps: Annotated[int, Field(ge=1, le=50)] | None = None
    seconds: Annotated[int, Field(ge=5, le=600)] | None = None
    per_side: StrictBool = False
    per_week: SessionsPerWeek | tuple[SessionsPerWeek, SessionsPerWeek]

    @model_validator(mode="after")
    def _one_measure(self) -> Dose:
        if (self.reps is None) == (self.seconds is None):
            raise ValueError("give either reps or seconds, not both or neither")
        if isinstance(self.per_week, tuple) and self.per_week[0] >= self.per_week[1]:
            raise ValueError("per_week as [fewest, most] needs fewest < most")
        return self


class Exercise(_Strict):
    name: str
    kind: ExerciseKind
    how_to: str
    conditions: list[str] = Field(default_factory=list)
    root_causes: list[str] = Field(default_factory=list)
    section: str
    dose: Dose
    loading: StrictBool = False  # single-leg work, Nordic curls, speed drills: not while flagged
    caution: str = ""
    caution_when: list[str] = Field(default_factory=list)  # condition ids; empty: always

    @model_validator(mode="after")
    def _serves_something(self) -> Exercise:
        if not self.conditions and not self.root_causes:
            raise ValueError("needs at least one of conditions or root_causes")
        if self.caution_when and not self.caution:
            raise ValueError("caution_when needs a caution text")
        return self


class ExercisesFile(_Strict):
    exercises: dict[str, Exercise]


# --- data/rules.toml ---------------------------------------------------------------------------


class Bands(_Strict):
    moderate: Annotated[float, Field(gt=0, lt=100)]
    high: Annotated[float, Field(gt=0, le=100)]

    @model_validator(mode="after")
    def _ordered(self) -> Bands:
        if self.high <= self.moderate:
            raise ValueError("high must be above moderate")
        return self


class Safety(_Strict):
    clinician_pain_level: Annotated[int, Field(ge=0, le=10)]
    persistent_pain_level: Annotated[int, Field(ge=1, le=10)]
    persistent_weeks: Annotated[int, Field(ge=2, le=12)]
    rising_weeks: Annotated[int, Field(ge=2, le=12)]
    emergency_signs: list[str] = Field(min_length=1)
    growing_age_bands: list[str]
    clinician_title: Annotated[str, Field(min_length=1)]
    emergency_title: Annotated[str, Field(min_length=1)]
    clinician_text: Annotated[str, Field(min_length=1)]
    emergency_text: Annotated[str, Field(min_length=1)]
    growing_text: Annotated[str, Field(min_length=1)]


class Floor(_Strict):
    moderate_at_pain: Annotated[int, Field(ge=0, le=10)]
    high_at_pain: Annotated[int, Field(ge=0, le=10)]

    @model_validator(mode="after")
    def _ordered(self) -> Floor:
        if self.high_at_pain <= self.moderate_at_pain:
            raise ValueError("high_at_pain must be above moderate_at_pain")
        return self


class Scoring(_Strict):
    pain_curve: list[Annotated[float, Field(ge=0, le=1)]] = Field(min_length=11, max_length=11)
    untied_share: Annotated[float, Field(ge=0, le=1)]
    combine_share: Annotated[float, Field(ge=0, le=1)]
    floor: Floor

    @field_validator("pain_curve")
    @classmethod
    def _rising(cls, curve: list[float]) -> list[float]:
        if any(b < a for a, b in pairwise(curve)):
            raise ValueError("pain_curve must not fall as pain rises (pain 0 to 10)")
        return curve


class AcuteChronic(_Strict):
    chronic_weeks: Annotated[int, Field(ge=1, le=12)]
    min_chronic_weeks: Annotated[int, Field(ge=1, le=12)]
    sweet_spot_low: Annotated[float, Field(gt=0)]
    sweet_spot_high: Annotated[float, Field(gt=0)]
    flag_above: Annotated[float, Field(gt=0)]
    explain: str

    @model_validator(mode="after")
    def _ordered(self) -> AcuteChronic:
        if not self.sweet_spot_low < self.sweet_spot_high <= self.flag_above:
            raise ValueError("need sweet_spot_low < sweet_spot_high <= flag_above")
        if self.min_chronic_weeks > self.chronic_weeks:
            raise ValueError("min_chronic_weeks cannot exceed chronic_weeks")
        return self


class WeeklyJump(_Strict):
    flag_above: Annotated[float, Field(gt=0)]
    min_km: Annotated[float, Field(ge=0)]
    explain: str


class ReturnAfterBreak(_Strict):
    min_missed_weeks: Annotated[int, Field(ge=1, le=52)]
    compare_weeks: Annotated[int, Field(ge=1, le=12)]
    spike_above: Annotated[float, Field(gt=0)]
    explain: str


class LongRun(_Strict):
    flag_above: Annotated[float, Field(gt=0)]
    window_days: Annotated[int, Field(ge=1, le=365)]
    explain: str


class RunsLoad(_Strict):
    """Thresholds of the suggestions read from recorded runs (logic.analysis.runs)."""

    baseline_weeks: Annotated[int, Field(ge=1, le=52)]
    min_baseline_weeks: Annotated[int, Field(ge=1, le=52)]
    distance_above: Annotated[float, Field(gt=0, le=5)]
    hills_above: Annotated[float, Field(gt=0, le=10)]
    min_climb_m_per_km: Annotated[float, Field(ge=0, le=200)]
    faster_than_median: Annotated[float, Field(gt=0, lt=1)]
    speed_time_above: Annotated[float, Field(gt=0, le=10)]
    min_speed_minutes: Annotated[float, Field(ge=0, le=600)]

    @model_validator(mode="after")
    def _baseline(self) -> RunsLoad:
        if self.min_baseline_weeks > self.baseline_weeks:
            raise ValueError("min_baseline_weeks cannot exceed baseline_weeks")
        return self


class Derived(_Strict):
    label: str


class LoadFile(_Strict):
    acute_chronic: AcuteChronic
    weekly_jump: WeeklyJump
    return_after_break: ReturnAfterBreak
    long_run: LongRun
    runs: RunsLoad
    derived: dict[str, Derived]


class Ostrc(_Strict):
    option_scores: list[Annotated[float, Field(ge=0, le=25)]] = Field(min_length=4, max_length=4)
    no_problem_option: Annotated[int, Field(ge=0, le=3)]
    cannot_participate_option: Annotated[int, Field(ge=0, le=3)]
    substantial_from_option: Annotated[int, Field(ge=0, le=3)]


class Availability(_Strict):
    by_participation: list[Literal["full", "modified", "out"]] = Field(min_length=4, max_length=4)
    modified_from_training: Annotated[int, Field(ge=0, le=3)]


class Trends(_Strict):
    rise_points: Annotated[float, Field(gt=0, le=100)]
    pain_rise: Annotated[int, Field(ge=1, le=10)]


RaisedFlag = Literal["needs_clinician", "needs_emergency"]


class AdviceRule(_Strict):
    """Matches a concern when everything it names holds; the first match gives the advice."""

    advice: str
    flag: RaisedFlag | None = None
    band: Literal["low", "moderate", "high"] | None = None
    pain: Annotated[int, Field(ge=0, le=10)] | None = None

    @property
    def matches_all(self) -> bool:
        return self.flag is None and self.band is None and self.pain is None


class AdviceText(_Strict):
    headline: str = Field(min_length=1)
    text: str = Field(min_length=1)
    tone: Literal["ok", "caution", "stop"]  # how the page colours the line
    after: str = ""  # said once after all the lines with this advice


CHANGES_FIELD = "changes"  # the one placeholder an advice text may hold


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


class RunningAdvice(_Strict):
    rules: list[AdviceRule] = Field(min_length=1)
    advice: dict[str, AdviceText]
    changes: dict[str, str]
    no_concern: AdviceText

    @model_validator(mode="after")
    def _consistent(self) -> RunningAdvice:
        problems = []
        for i, rule in enumerate(self.rules):
            if rule.advice not in self.advice:
                problems.append(
                    f"rules[{i}].advice: unknown advice {rule.advice!r} "
                    f"(allowed: {', '.join(self.advice)})"
                )
        if not self.rules[-1].matches_all:
            problems.append(
                f"rules[{len(self.rules) - 1}]: the last rule must name no flag, band or pain, "
                "so every concern gets a line"
            )
        texts = {f"advice.{k}.text": a.text for k, a in self.advice.items()}
        for key, text in (texts | {"no_concern.text": self.no_concern.text}).items():
            try:
                unknown = _placeholders(text) - {CHANGES_FIELD}
            except ValueError as exc:
                problems.append(f"{key}: {exc}")
                continue
            if unknown or (key == "no_concern.text" and _placeholders(text)):
                problems.append(
                    f"{key}: only {{{CHANGES_FIELD}}} may be filled in, in advice texts"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self


class UntilSeen(_Strict):
    clinician: list[str] = Field(min_length=1)
    emergency: list[str] = Field(min_length=1)
    gentle_heading: str
    gentle_max: Annotated[int, Field(ge=0, le=10)]
    gentle_kinds: list[ExerciseKind] = Field(default_factory=list)


class RulesFile(_Strict):
    bands: Bands
    safety: Safety
    scoring: Scoring
    ostrc: Ostrc
    running_advice: RunningAdvice
    until_seen: UntilSeen
    availability: Availability
    trends: Trends


# --- the whole ---------------------------------------------------------------------------------


class KnowledgeBase(BaseModel):
    """All of data/, cross-checked: every id that one file names exists in the other."""

    model_config = ConfigDict(frozen=True)

    checkin: CheckinSchema
    profile: ProfileSchema
    sections: dict[str, Section]
    conditions: dict[str, Condition]
    root_causes: dict[str, RootCause]
    factors: dict[str, Factor]
    exercises: dict[str, Exercise]
    running: dict[str, RunningChanges]
    rules: RulesFile
    load: LoadFile

    @property
    def condition_ids(self) -> list[str]:
        return list(self.conditions)

    @property
    def thresholds(self) -> dict[str, float]:
        return {"moderate": self.rules.bands.moderate, "high": self.rules.bands.high}

    def factor_section(self, factor_id: str, condition_id: str) -> str:
        """The article section that ties this factor to this condition."""
        section = self.factors[factor_id].section
        return self.conditions[condition_id].section if section == OWN_SECTION else section

    def source_text(self, factor_id: str, condition_id: str) -> str:
        """Where a link comes from, in the words the app shows a runner."""
        f = self.factors[factor_id]
        if f.source == "article":
            title = self.sections[self.factor_section(factor_id, condition_id)].title
            return f"From the article: {title}"
        if f.source == "inference":
            return f"Our reasoning: {f.reason}"
        return f"Study: {f.citation}"

    def labels(self, column: str) -> dict[str, str]:
        """Display label of every value of a set or choice column."""
        return {k: v.label for k, v in self.checkin.columns[column].values.items()}


_FILES = {
    "checkin": ("checkin.toml", CheckinSchema),
    "profile": ("profile.toml", ProfileSchema),
    "conditions": ("conditions.toml", ConditionsFile),
    "factors": ("factors.toml", FactorsFile),
    "exercises": ("exercises.toml", ExercisesFile),
    "rules": ("rules.toml", RulesFile),
    "load": ("load.toml", LoadFile),
}


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise KnowledgeBaseError(f"{path}: file is missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeBaseError(f"{path}: not valid TOML: {exc}") from None


def _pydantic_problems(path: Path, exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        got = err.get("input")
        shown = "" if isinstance(got, dict) else f" (got {got!r})"
        out.append(f"{path.name}: {key}: {err['msg']}{shown}")
    return out


def _cross_check(parts: dict[str, Any]) -> list[str]:
    """Ids that point at nothing: unknown conditions, sections, columns, values, root causes."""
    cond: ConditionsFile = parts["conditions"]
    schema: CheckinSchema = parts["checkin"]
    problems: list[str] = []
    conditions, sections, roots = set(cond.conditions), set(cond.sections), set(cond.root_causes)

    def check(file: str, key: str, value: str | None, allowed: set[str], what: str) -> None:
        if value is not None and value not in allowed:
            problems.append(
                f"{file}: {key}: unknown {what} {value!r} (allowed: {', '.join(sorted(allowed))})"
            )

    places = (
        set(schema.columns[LOCATION_COLUMN].values) if LOCATION_COLUMN in schema.columns else set()
    )
    for cid, c in cond.conditions.items():
        check("conditions.toml", f"conditions.{cid}.section", c.section, sections, "section")
        for place in c.locations:
            check("conditions.toml", f"conditions.{cid}.locations", place, places, "location")
    for rid, r in cond.root_causes.items():
        check("conditions.toml", f"root_causes.{rid}.section", r.section, sections, "section")
    for fid, f in parts["factors"].factors.items():
        at = f"factors.{fid}"
        check("factors.toml", f"{at}.section", f.section, sections | {OWN_SECTION}, "section")
        check("factors.toml", f"{at}.root_cause", f.root_cause, roots, "root cause")
        derived = set(parts["load"].derived)
        if f.kind == "flag":
            check("factors.toml", f"{at}.column", f.column, derived, "derived flag column")
            spec = None
        else:
            check("factors.toml", f"{at}.column", f.column, set(schema.columns), "check-in column")
            spec = schema.columns.get(f.column)
        if spec is not None:
            wanted = ("set", "choice") if f.kind == "set" else ("integer", "number")
            if spec.type not in wanted:
                problems.append(
                    f"factors.toml: {at}.column: a {f.kind} factor needs a "
                    f"{' or '.join(wanted)} column, {f.column!r} is {spec.type}"
                )
            for v in f.values:
                check("factors.toml", f"{at}.values", v, set(spec.values), f"{f.column} value")
        for c in f.weights:
            check("factors.toml", f"{at}.weights.{c}", c, conditions, "condition id")
        if not f.weights:
            problems.append(f"factors.toml: {at}.weights: needs at least one condition id")
        if f.group is not None and f.factor_part != BUILDING_UP:
            problems.append(
                f"factors.toml: {at}.group: only building-up factors count once as a group"
            )
    exercises = parts["exercises"].exercises
    for eid, e in exercises.items():
        at = f"exercises.{eid}"
        check("exercises.toml", f"{at}.section", e.section, sections, "section")
        for c in e.conditions:
            check("exercises.toml", f"{at}.conditions", c, conditions, "condition id")
        for c in e.caution_when:
            check("exercises.toml", f"{at}.caution_when", c, conditions, "condition id")
        for r in e.root_causes:
            check("exercises.toml", f"{at}.root_causes", r, roots, "root cause")
    for cid in conditions:  # a concern gets at least two of its own exercises
        own = sum(cid in e.conditions for e in exercises.values())
        if own < MIN_OWN_EXERCISES:
            problems.append(
                f"exercises.toml: exercises: condition {cid!r} needs at least "
                f"{MIN_OWN_EXERCISES} exercises that list it in conditions (has {own})"
            )
    for rid in sorted(roots - {r for e in exercises.values() for r in e.root_causes}):
        problems.append(f"exercises.toml: exercises: no exercise lists root cause {rid!r}")
    changes = set(parts["rules"].running_advice.changes)
    for cid, running in cond.running.items():
        check("conditions.toml", f"running.{cid}", cid, conditions, "condition id")
        for change in running.changes:
            check("conditions.toml", f"running.{cid}.changes", change, changes, "running change")
    for cid in [c for c in cond.conditions if c not in cond.running]:
        problems.append(f"conditions.toml: running.{cid}: missing (every condition needs one)")
    problems += _floor_problems(parts)
    if schema.columns.get("pain_level") is None:
        problems.append("checkin.toml: columns.pain_level: missing (the safety rule needs it)")
    signs = schema.columns.get("warning_signs")
    if signs is None:
        problems.append("checkin.toml: columns.warning_signs: missing (the safety rule needs it)")
    safety: Safety = parts["rules"].safety
    for sign in safety.emergency_signs:
        check(
            "rules.toml",
            "safety.emergency_signs",
            sign,
            set(signs.values) if signs else set(),
            "warning_signs value",
        )
    bands = parts["profile"].columns["age_band"].values
    for band in safety.growing_age_bands:
        check("rules.toml", "safety.growing_age_bands", band, set(bands), "age_band value")
    return problems


def _floor_problems(parts: dict[str, Any]) -> list[str]:
    """A hurting location must reach the floors of rules.toml [scoring.floor] for its condition:
    its location weight times the pain curve reaches moderate and high at those pain levels."""
    rules: RulesFile = parts["rules"]
    scoring, bands = rules.scoring, rules.bands
    problems = []
    for cid, c in parts["conditions"].conditions.items():
        for place in c.locations:
            weight = sum(
                f.weights.get(cid, 0.0)
                for f in parts["factors"].factors.values()
                if f.column == LOCATION_COLUMN and place in f.values and f.scale_by_pain
            )
            for band, pain in (
                ("moderate", scoring.floor.moderate_at_pain),
                ("high", scoring.floor.high_at_pain),
            ):
                points = weight * scoring.pain_curve[pain]
                if points < getattr(bands, band):
                    problems.append(
                        f"rules.toml: scoring.floor.{band}_at_pain: pain {pain} at {place} gives "
                        f"{cid} {points:g} points, below the {band} threshold "
                        f"{getattr(bands, band):g} (raise the {place} weight in factors.toml or "
                        "the pain_curve)"
                    )
    return problems


def load_knowledge_base(data_dir: Path | str = DATA_DIR) -> KnowledgeBase:
    """Read and validate every data file; raise KnowledgeBaseError listing every problem."""
    data_dir = Path(data_dir)
    parts: dict[str, Any] = {}
    problems: list[str] = []
    for key, (name, model) in _FILES.items():
        path = data_dir / name
        try:
            parts[key] = model.model_validate(_read(path))
        except ValidationError as exc:
            problems.extend(_pydantic_problems(path, exc))
        except KnowledgeBaseError as exc:
            problems.append(str(exc))
    if not problems:
        problems = _cross_check(parts)
    if problems:
        raise KnowledgeBaseError(
            f"The knowledge base in {data_dir} has {len(problems)} problem(s):\n- "
            + "\n- ".join(problems)
        )
    cond: ConditionsFile = parts["conditions"]
    return KnowledgeBase(
        checkin=parts["checkin"],
        profile=parts["profile"],
        sections=cond.sections,
        conditions=cond.conditions,
        root_causes=cond.root_causes,
        factors=parts["factors"].factors,
        exercises=parts["exercises"].exercises,
        running=cond.running,
        rules=parts["rules"],
        load=parts["load"],
    )


@cache
def knowledge_base() -> KnowledgeBase:
    """The shipped knowledge base, loaded once per process."""
    return load_knowledge_base(DATA_DIR)
