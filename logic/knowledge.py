"""The knowledge base: the article's conditions, factors and exercises, loaded from data/*.toml.

Domain knowledge lives in TOML so a coach can tune a weight without touching code. Everything is
validated once at load time, and a bad edit fails with a message naming the file and the key.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

BANDS: tuple[str, ...] = ("low", "moderate", "high")
OWN_SECTION = "own"  # a factor's link to each condition comes from that condition's own section


class KnowledgeBaseError(ValueError):
    """A data file is missing, is not valid TOML, or breaks the schema."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- data/checkin.toml -------------------------------------------------------------------------


class ValueSpec(_Strict):
    label: str
    help: str = ""


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
    where_it_hurts: str
    triggers: str
    causes: str
    treatment: str


class RootCause(_Strict):
    name: str
    summary: str
    section: str


class ConditionsFile(_Strict):
    sections: dict[str, Section]
    conditions: dict[str, Condition]
    root_causes: dict[str, RootCause]


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


ExerciseKind = Literal["strength", "mobility", "balance", "soft_tissue", "running", "drill"]


class Exercise(_Strict):
    name: str
    kind: ExerciseKind
    how_to: str
    conditions: list[str] = Field(min_length=1)
    section: str


class ExercisesFile(_Strict):
    frequencies: dict[ExerciseKind, str]
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


class Scoring(_Strict):
    pain_scale_floor: Annotated[float, Field(ge=0, le=1)]


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


class Derived(_Strict):
    label: str


class LoadFile(_Strict):
    acute_chronic: AcuteChronic
    weekly_jump: WeeklyJump
    return_after_break: ReturnAfterBreak
    long_run: LongRun
    derived: dict[str, Derived]


class Ostrc(_Strict):
    option_scores: list[Annotated[float, Field(ge=0, le=25)]] = Field(min_length=4, max_length=4)
    no_problem_option: Annotated[int, Field(ge=0, le=3)]
    cannot_participate_option: Annotated[int, Field(ge=0, le=3)]
    substantial_from_option: Annotated[int, Field(ge=0, le=3)]


class Trends(_Strict):
    rise_points: Annotated[float, Field(gt=0, le=100)]
    pain_rise: Annotated[int, Field(ge=1, le=10)]


class RulesFile(_Strict):
    bands: Bands
    safety: Safety
    scoring: Scoring
    ostrc: Ostrc
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
    frequencies: dict[str, str]
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

    for cid, c in cond.conditions.items():
        check("conditions.toml", f"conditions.{cid}.section", c.section, sections, "section")
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
    for eid, e in parts["exercises"].exercises.items():
        check("exercises.toml", f"exercises.{eid}.section", e.section, sections, "section")
        for c in e.conditions:
            check("exercises.toml", f"exercises.{eid}.conditions", c, conditions, "condition id")
    missing_freq = {e.kind for e in parts["exercises"].exercises.values()} - set(
        parts["exercises"].frequencies
    )
    for kind in sorted(missing_freq):
        problems.append(f"exercises.toml: frequencies.{kind}: missing (an exercise uses it)")
    served = {c for e in parts["exercises"].exercises.values() for c in e.conditions}
    for cid in sorted(conditions - served):
        problems.append(f"exercises.toml: exercises: no exercise serves condition {cid!r}")
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
        frequencies=dict(parts["exercises"].frequencies),
        rules=parts["rules"],
        load=parts["load"],
    )


@cache
def knowledge_base() -> KnowledgeBase:
    """The shipped knowledge base, loaded once per process."""
    return load_knowledge_base(DATA_DIR)
