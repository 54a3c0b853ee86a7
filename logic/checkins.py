"""Validation and parsing of the check-in table, shared by the form, storage, CSV and the CLI.

Every column is checked vectorised. Text, date and set columns are factorised first, so the
per-value work (splitting ";"-strings, parsing dates) runs once per distinct value, not per row:
a million check-ins hold only a few thousand distinct strings.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from logic.knowledge import ColumnSpec, KnowledgeBase, knowledge_base
from logic.names import clean_names

INVISIBLE_ALLOWED = "a name without invisible or control characters (zero-width, right-to-left)"

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Problem:
    """One bad cell (or a bad/missing column when row is None)."""

    row: int | None  # 0-based position in the frame
    column: str
    value: Any
    allowed: str

    def describe(self, first_line: int | None = None) -> str:
        """`first_line` is the file line of row 0 (2 for a CSV with a header)."""
        if self.row is None:
            where = f"column {self.column!r}"
        elif first_line is None:
            where = f"row {self.row}, column {self.column!r}"
        else:
            where = f"line {self.row + first_line}, column {self.column!r}"
        if self.row is None:
            shown = ""
        elif _missing(self.value):
            shown = ": missing"
        else:
            shown = f": got {_short(self.value)!r}"
        return f"{where}{shown}; allowed: {self.allowed}"


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _short(value: Any, limit: int = 60) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + "…"
    return value


class CheckinValidationError(ValueError):
    """Raised with every problem of a frame at once, so a user can fix them in one pass."""

    def __init__(self, problems: list[Problem], first_line: int | None = None):
        self.problems = problems
        lines = [p.describe(first_line) for p in problems]
        super().__init__(f"{len(problems)} problem(s) in the check-ins:\n- " + "\n- ".join(lines))


@dataclass
class _Coded:
    """A factorised column: codes into per-unique results (code -1 means missing)."""

    codes: np.ndarray
    values: np.ndarray  # one entry per unique, plus a last entry for missing

    def take(self) -> np.ndarray:
        return self.values[self.codes]


@dataclass
class ParsedCheckins:
    """A validated check-in frame, kept in the shapes scoring needs."""

    index: pd.Index
    columns: Mapping[str, ColumnSpec]
    coded: dict[str, _Coded] = field(default_factory=dict)  # text, date, set, choice
    matrices: dict[str, _Coded] = field(default_factory=dict)  # set/choice -> bool matrix rows
    numbers: dict[str, np.ndarray] = field(default_factory=dict)
    flags: dict[str, np.ndarray] = field(default_factory=dict)  # derived load flags, if given

    def __len__(self) -> int:
        return len(self.index)

    def members(self, column: str) -> np.ndarray:
        """Boolean matrix rows x allowed values (schema order) of a set or choice column."""
        return self.matrices[column].take()

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The canonical check-in table: schema column order, sets in schema member order."""
        out: dict[str, Any] = {}
        for name, spec in self.columns.items():
            if name in self.numbers:
                values = self.numbers[name]
                if spec.type == "integer" and not np.isnan(values).any():
                    out[name] = values.astype("int64")
                elif spec.type == "integer":
                    out[name] = pd.array(values, dtype="Float64").astype("Int64")
                else:
                    out[name] = values
            elif spec.type == "date":
                out[name] = pd.to_datetime(self.coded[name].take())
            else:
                out[name] = pd.array(self.coded[name].take(), dtype="str")
        return pd.DataFrame(out, index=self.index)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _factorize(
    series: pd.Series, fix: Callable[[Any], Any] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes, distinct values, and which rows hold a value that cannot be a cell at all.

    Only a frame built in Python can hold a list, set or dict in a cell (CSV and the
    database cannot): then, and only then, each cell goes through `fix`, and what is still
    unhashable gets code -1 (missing) and is reported as a problem by the caller.
    """
    by_identity = _identity_codes(series)
    if by_identity is not None:
        # Factorise one cell per distinct object by value, and spread that to the rows.
        object_codes, rows = by_identity
        codes, uniques, odd = _factorize_values(series.iloc[rows], fix)
        return codes[object_codes], uniques, odd[object_codes]
    return _factorize_values(series, fix)


def _factorize_values(
    series: pd.Series, fix: Callable[[Any], Any] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        odd = np.zeros(len(series), dtype=bool)
    except TypeError:
        if fix is not None:
            series = series.map(fix)
        odd = ~series.map(_hashable).to_numpy(dtype=bool)
        codes, uniques = pd.factorize(series.mask(odd, None), use_na_sentinel=True)
    return np.asarray(codes), np.asarray(uniques, dtype=object), odd


_IDENTITY_MIN_ROWS = 10_000  # below this, hashing the values directly costs next to nothing
_IDENTITY_SAMPLE = 10_000  # cells looked at to judge whether the objects repeat


def _identity_codes(series: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """Codes of an object column by which Python object each cell holds, and one row per object.

    A real export's object columns repeat a few objects (read_csv boxes each distinct string
    once; a frame built from a few Python strings shares them), and hashing the cells'
    addresses as int64 is several times faster than hashing and comparing strings. Equal
    strings in separate objects get separate codes here; the caller merges them by value.
    None (not worth it) for other dtypes, short columns, or cells that are mostly distinct
    objects, judged on a sample before any per-row work.
    """
    if series.dtype != object or len(series) < _IDENTITY_MIN_ROWS:
        return None
    cells = np.ascontiguousarray(series.to_numpy(dtype=object, copy=False))
    # The object pointers, read in place: no reference is taken, and `cells` outlives them.
    addresses = np.ctypeslib.as_array(
        (ctypes.c_ssize_t * len(cells)).from_address(cells.ctypes.data)
    )
    sample = addresses[:: max(1, len(cells) // _IDENTITY_SAMPLE)]
    if len(np.unique(sample)) > len(sample) // 2:
        return None
    codes, distinct = pd.factorize(addresses)
    rows = np.empty(len(distinct), dtype=np.intp)
    rows[codes] = np.arange(len(cells))  # any row holding the object will do
    return np.asarray(codes), rows


def _bad_rows(mask: np.ndarray, column: str, raw: pd.Series, allowed: str) -> list[Problem]:
    rows = np.flatnonzero(mask)
    vals = raw.iloc[rows].tolist()
    return [Problem(int(r), column, v, allowed) for r, v in zip(rows, vals, strict=True)]


def _parse_text(raw: pd.Series, name: str, spec: ColumnSpec) -> tuple[_Coded, list[Problem]]:
    """Text columns are names (runner, team): NFKC-normalised, and a name with an invisible
    or control character is refused, so two names that look alike are one name. The work is
    per distinct value."""
    codes, uniques, odd = _factorize(raw)
    texts, bad_chars = clean_names([str(u) for u in uniques])
    lo = max(spec.min_length, 1 if spec.required else 0)
    hi = spec.max_length if spec.max_length is not None else 10**9
    ok = np.array([lo <= len(t) <= hi for t in texts] + [not spec.required], dtype=bool)
    clean = np.array([c is None for c in bad_chars] + [True], dtype=bool)
    values = np.array([*(t if t else None for t in texts), None], dtype=object)
    coded = _Coded(codes, values)
    problems = _bad_rows(~ok[codes] | odd, name, raw, spec.allowed())
    unclean = ~clean[codes] & ok[codes] & ~odd
    problems += _bad_rows(unclean, name, raw, INVISIBLE_ALLOWED)
    return coded, sorted(problems, key=lambda p: p.row if p.row is not None else -1)


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not _DATE_RE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _parse_date(raw: pd.Series, name: str, spec: ColumnSpec) -> tuple[_Coded, list[Problem]]:
    if pd.api.types.is_datetime64_any_dtype(raw.dtype) and raw.dt.tz is None:
        # Already dates (as the database returns them): only a missing one can be wrong.
        days = raw.to_numpy().astype("datetime64[D]")  # NaT marks a missing date
        bad = np.isnat(days) if spec.required else np.zeros(len(days), dtype=bool)
        return _Coded(np.arange(len(days)), days), _bad_rows(bad, name, raw, spec.allowed())
    codes, uniques, odd = _factorize(raw)
    dates = [_as_date(u) for u in uniques]
    ok = np.array([d is not None for d in dates] + [not spec.required], dtype=bool)
    values = np.array([*(np.datetime64(d, "D") if d else None for d in dates), None], dtype=object)
    return _Coded(codes, values), _bad_rows(~ok[codes] | odd, name, raw, spec.allowed())


def _parse_members(
    raw: pd.Series, name: str, spec: ColumnSpec, sep: str
) -> tuple[_Coded, _Coded, list[Problem]]:
    """Set columns split on `sep`; a choice column is a set of at most one member."""
    allowed = list(spec.values)
    position = {v: i for i, v in enumerate(allowed)}
    codes, uniques, odd = _factorize(
        raw, fix=lambda v: sep.join(map(str, v)) if isinstance(v, list | set) else v
    )
    matrix = np.zeros((len(uniques) + 1, len(allowed)), dtype=bool)
    canon: list[Any] = []
    ok = np.ones(len(uniques) + 1, dtype=bool)
    for u, text in enumerate(uniques):
        if isinstance(text, tuple | frozenset):  # hashable, so factorised as they are
            text = sep.join(map(str, text))
        parts = (
            [p.strip() for p in str(text).split(sep)] if spec.type == "set" else [str(text).strip()]
        )
        parts = [p for p in parts if p]
        for p in parts:
            if p in position:
                matrix[u, position[p]] = True
            else:
                ok[u] = False
        chosen = [v for v, m in zip(allowed, matrix[u], strict=True) if m]
        if spec.type == "choice":
            canon.append(chosen[0] if chosen else spec.default)
        else:
            canon.append(sep.join(chosen))
    if spec.type == "choice":
        default = spec.default
        if default is not None:
            matrix[-1, position[default]] = True
        for u, c in enumerate(canon):
            if c is not None:
                matrix[u, position[c]] = True
        canon.append(default)
    else:
        canon.append("")
    bad = _bad_rows(~ok[codes] | odd, name, raw, spec.allowed())
    return _Coded(codes, np.array(canon, dtype=object)), _Coded(codes, matrix), bad


def _parse_number(raw: pd.Series, name: str, spec: ColumnSpec) -> tuple[np.ndarray, list[Problem]]:
    if pd.api.types.is_bool_dtype(raw.dtype):
        raw = raw.astype(object)
    if pd.api.types.is_numeric_dtype(raw.dtype):
        values = raw.to_numpy(dtype="float64", na_value=np.nan)
        given = ~np.isnan(values)
        unparsed = np.zeros(len(values), dtype=bool)
    else:
        text = raw.astype("str").str.strip()
        given = (raw.notna() & (text != "")).to_numpy(dtype=bool, na_value=False)
        values = pd.to_numeric(text.where(given, None), errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan
        )
        unparsed = given & np.isnan(values)
    with np.errstate(invalid="ignore"):
        bad = unparsed | (given & ~np.isfinite(values) & ~unparsed)
        if spec.min is not None:
            bad |= given & (values < spec.min)
        if spec.max is not None:
            bad |= given & (values > spec.max)
        if spec.type == "integer":
            bad |= given & ~unparsed & (np.floor(values) != values)
    if spec.default is not None:
        values = np.where(given, values, float(spec.default))
    elif spec.required:
        bad |= ~given
    return values, _bad_rows(bad, name, raw, spec.allowed())


def _cross_field_problems(frame: pd.DataFrame, parsed: ParsedCheckins) -> list[Problem]:
    """Values that are fine alone but impossible together."""
    weekly, longest = parsed.numbers.get("weekly_km"), parsed.numbers.get("longest_run_km")
    if weekly is None or longest is None or "longest_run_km" not in frame.columns:
        return []
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(weekly) & ~np.isnan(longest) & (longest > weekly)
    return _bad_rows(bad, "longest_run_km", frame["longest_run_km"], "at most weekly_km")


def parse_checkins(
    frame: pd.DataFrame,
    *,
    kb: KnowledgeBase | None = None,
    extra_columns: Literal["allow", "error"] = "allow",
) -> ParsedCheckins:
    """Validate a check-in frame; raise CheckinValidationError listing every problem.

    Columns that are not required may be absent and take their defaults (empty sets, "not
    given"). Extra columns (an id, a computed week) are ignored unless `extra_columns="error"`.
    """
    kb = kb or knowledge_base()
    schema = kb.checkin
    problems: list[Problem] = []
    if frame.columns.duplicated().any():
        for col in frame.columns[frame.columns.duplicated()].unique():
            problems.append(Problem(None, str(col), None, "each column once"))
        raise CheckinValidationError(problems)
    if extra_columns == "error":
        for col in frame.columns:
            if col not in schema.columns:
                problems.append(
                    Problem(None, str(col), None, f"only the columns {', '.join(schema.columns)}")
                )
    parsed = ParsedCheckins(index=frame.index, columns=schema.columns)
    n = len(frame)
    for name, spec in schema.columns.items():
        if name in frame.columns:
            raw = frame[name]
        elif spec.required:
            problems.append(Problem(None, name, None, f"a required column: {spec.allowed()}"))
            continue
        else:
            raw = pd.Series([None] * n, index=frame.index, dtype=object)
        if spec.type == "text":
            parsed.coded[name], bad = _parse_text(raw, name, spec)
        elif spec.type == "date":
            parsed.coded[name], bad = _parse_date(raw, name, spec)
        elif spec.type in ("set", "choice"):
            parsed.coded[name], parsed.matrices[name], bad = _parse_members(
                raw, name, spec, schema.set_separator
            )
        else:
            parsed.numbers[name], bad = _parse_number(raw, name, spec)
        problems.extend(bad)
    for name in kb.load.derived:  # computed from history by logic.analysis.load, never typed in
        if name in frame.columns:
            parsed.flags[name] = frame[name].fillna(False).astype(bool).to_numpy()
    problems.extend(_cross_field_problems(frame, parsed))
    if problems:
        order = {c: i for i, c in enumerate(schema.columns)}
        problems.sort(key=lambda p: (-1 if p.row is None else p.row, order.get(p.column, -1)))
        raise CheckinValidationError(problems)
    return parsed


def validate_checkins(frame: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
    """The canonical, typed check-in table for a frame; raises CheckinValidationError."""
    return parse_checkins(frame, **kwargs).frame


def checkin_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Check-ins given as dicts (set columns may be lists) as a frame of the table's shape."""
    kb = knowledge_base()
    sep = kb.checkin.set_separator
    records = []
    for row in rows:
        rec = dict(row)
        for col in kb.checkin.set_columns:
            value = rec.get(col)
            if isinstance(value, list | tuple | set | frozenset):
                rec[col] = sep.join(str(v) for v in value)
        records.append(rec)
    return pd.DataFrame.from_records(records)


def split_set(value: Any, sep: str = ";") -> list[str]:
    """The members of one stored set cell (empty or missing -> [])."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return []
    return [p.strip() for p in str(value).split(sep) if p.strip()]
