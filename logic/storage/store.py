"""Check-in storage: one row per runner per ISO week, in SQLite or PostgreSQL.

Frames returned here have the check-in table's exact column names in the canonical order of
data/checkin.toml, plus ``id`` first and ``week_start`` last. Dtypes, chosen for vectorised
use: dates are ``datetime64[ns]`` (midnight), text/choice/set columns are pandas ``str``
(sets as ';'-joined members in vocabulary order, '' = empty set, missing team = NaN),
integers ``int64`` (``Int64`` where the column is nullable), numbers ``float64`` (NaN = NULL).
Single check-ins come back as plain dicts with ``datetime.date`` and ``None`` instead.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from logic import clock
from logic.checkins import CheckinValidationError, parse_checkins
from logic.errors import StorageError
from logic.knowledge import ColumnSpec
from logic.names import InvalidName, clean_name
from logic.profile import RunnerProfile, validate_profile
from logic.storage.audit import DEVICE, Actor, record, record_many
from logic.storage.engine import (
    ASK_ADMIN,
    MIGRATIONS_DIR,
    current_revision,
    describe_location,
    make_engine,
    normalise_url,
    resolve_database_url,
    sqlite_file,
    to_storage_error,
    upgrade_to_head,
    writer,
)
from logic.storage.tables import CHECKIN_SPECS, checkin_notes, checkins, nullable, runners
from logic.weeks import week_start, week_starts

__all__ = [
    "CheckinNotFound",
    "ImportResult",
    "InvalidCheckin",
    "StorageError",
    "Store",
    "WeekTaken",
    "dispose_stores",
    "get_store",
    "normalise_checkins",
    "resolve_database_url",
]

logger = logging.getLogger(__name__)

# Keys a caller may pass back to us (e.g. a dict from get_checkin) that are not inputs.
DERIVED_KEYS = frozenset({"id", "week_start", "created_at", "updated_at"})
SPECS = CHECKIN_SPECS
COLUMN_NAMES = list(SPECS)
FRAME_COLUMNS = ["id", *COLUMN_NAMES, "week_start"]
_SELECT = sa.select(*(checkins.c[name] for name in FRAME_COLUMNS))


# --- errors and results -------------------------------------------------------------------


class InvalidCheckin(StorageError, ValueError):
    """A value that cannot be stored (unknown set member, unreadable date, ...)."""


class CheckinNotFound(StorageError, LookupError):
    def __init__(self, checkin_id: int) -> None:
        super().__init__(f"There is no check-in with id {checkin_id} (it may have been deleted).")
        self.checkin_id = checkin_id


class WeekTaken(StorageError):
    """The runner already has a check-in in that ISO week; carries that check-in's id/date."""

    def __init__(self, runner: str, checkin_id: int, date: dt.date, week_start: dt.date) -> None:
        super().__init__(
            f"{runner} already has a check-in for the week of {week_start:%d %b %Y} "
            f"(dated {date:%Y-%m-%d}). Replace it, or pick a date in another week."
        )
        self.runner = runner
        self.checkin_id = checkin_id
        self.date = date
        self.week_start = week_start


@dataclass(frozen=True)
class ImportResult:
    """inserted + replaced + skipped == number of rows given."""

    inserted: int
    replaced: int
    skipped: int


def _allowed(spec: ColumnSpec) -> str:
    if spec.type == "text":
        lo = spec.min_length or 0
        return f"must be {lo} to {spec.max_length} characters long"
    if spec.min is not None and spec.max is not None:
        return f"must be between {spec.min:g} and {spec.max:g}"
    if spec.min is not None:
        return f"must be at least {spec.min:g}"
    return "has a value that is not allowed"


def explain_integrity(text: str) -> str:
    """Name the column and the rule behind a constraint violation (SQLite or PostgreSQL)."""
    if "uq_checkins_runner_week" in text or "checkins.runner, checkins.week_start" in text:
        return "that runner already has a check-in in that ISO week."
    if "uq_runners_name" in text or re.search(r"UNIQUE constraint failed: runners\.name", text):
        return "a runner with that name already exists."
    if m := re.search(r"ck_(checkins|runners)_(\w+)", text):
        name = "runner" if m[2] == "name" else m[2]
        return f"{name} {_allowed(SPECS[name])}." if name in SPECS else text
    if m := re.search(r'NOT NULL constraint failed: \w+\.(\w+)|null value in column "(\w+)"', text):
        name = m[1] or m[2]
        return f"{'runner' if name == 'name' else name} is required."
    if "foreign key" in text.lower():
        return "the runner is not registered."
    return text


# --- normalising input (vectorised) -------------------------------------------------------


def normalise_checkins(frame: pd.DataFrame) -> pd.DataFrame:
    """Check-ins in canonical form (columns, sets, dates) plus ``week_start``, index 0..n-1.

    Validation is logic.checkins' (the same rules as the form, CSV and CLI); the database's
    constraints stay as a second line of defence.
    """
    unknown = [c for c in frame.columns if c not in SPECS and c not in DERIVED_KEYS]
    if unknown:
        raise InvalidCheckin(
            f"Unknown column(s): {', '.join(map(str, unknown))}. "
            f"Check-in columns are: {', '.join(COLUMN_NAMES)}."
        )
    inputs = frame[[c for c in frame.columns if c in SPECS]].reset_index(drop=True)
    try:
        out = parse_checkins(inputs).frame
    except CheckinValidationError as err:
        raise InvalidCheckin(str(err)) from None
    # Stored dates are nanosecond timestamps (late 1677 to early 2262, week starts included):
    # name a date outside the whole years between, rather than crash.
    days = out["date"].to_numpy().astype("datetime64[D]")
    low, high = np.datetime64("1678-01-01", "D"), np.datetime64("2261-12-31", "D")
    outside = np.flatnonzero((days < low) | (days > high))
    if len(outside):
        first = int(outside[0])
        raise InvalidCheckin(
            f"check-in {first + 1}, column 'date': got {days[first]}; allowed: a date from "
            f"{low} to {high}"
        )
    out["date"] = out["date"].astype("datetime64[ns]")
    out["week_start"] = week_starts(out["date"])
    return out


def _param_columns(frame: pd.DataFrame, *, iso_dates: bool = False) -> dict[str, list[Any]]:
    """Each column as a list of plain Python values (date or ISO text, int, float, str, None)."""
    out: dict[str, list[Any]] = {}
    for col in frame.columns:
        s = frame[col]
        values: pd.Series = s
        if pd.api.types.is_datetime64_any_dtype(s):
            values = s.dt.strftime("%Y-%m-%d") if iso_dates else s.dt.date
        out[str(col)] = values.astype(object).where(s.notna(), None).tolist()
    return out


def _db_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values, for statements that need a few rows."""
    cols = _param_columns(frame)
    return [dict(zip(cols, row, strict=True)) for row in zip(*cols.values(), strict=True)]


def _executemany(conn: sa.Connection, stmt: sa.Executable, frame: pd.DataFrame) -> None:
    """Run `stmt` once per row of `frame` in one driver executemany call.

    SQLAlchemy's per-row parameter processing costs more than SQLite's own insert for a
    50,000-row import, so the compiled SQL goes straight to the driver. The only type
    processing SQLAlchemy would do here is SQLite's DATE -> 'YYYY-MM-DD' text, done above.
    """
    compiled = stmt.compile(dialect=conn.dialect, column_keys=[str(c) for c in frame.columns])
    cols = _param_columns(frame, iso_dates=conn.dialect.name == "sqlite")
    if compiled.positional:
        params: list[Any] = list(zip(*(cols[k] for k in compiled.positiontup or ()), strict=True))
    else:
        params = [dict(zip(cols, row, strict=True)) for row in zip(*cols.values(), strict=True)]
    conn.exec_driver_sql(compiled.string, params)


def _row_frame(row: Mapping[str, Any]) -> pd.DataFrame:
    frame = pd.DataFrame(index=[0])
    for key, value in row.items():  # one cell each: keeps list/set values as one cell
        frame[key] = pd.Series([value], dtype=object)
    return frame


# --- frames out ---------------------------------------------------------------------------


def _dtype(spec: ColumnSpec) -> str:
    return {
        "date": "datetime64[ns]",
        "integer": "Int64" if nullable(spec) else "int64",
        "number": "float64",
    }.get(spec.type, "str")


_FRAME_DTYPES = {
    "id": "int64",
    **{name: _dtype(spec) for name, spec in SPECS.items()},
    "week_start": "datetime64[ns]",
}


def _frame(rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    # Transpose first: pandas probes every SQLAlchemy Row with hasattr(), which is slow.
    columns = list(zip(*rows, strict=True)) or [()] * len(FRAME_COLUMNS)
    df = pd.DataFrame(
        {
            name: pd.Series(col, dtype=object)
            for name, col in zip(FRAME_COLUMNS, columns, strict=True)
        }
    )
    for col, dtype in _FRAME_DTYPES.items():
        values = pd.to_datetime(df[col]) if dtype.startswith("datetime") else df[col]
        df[col] = values.astype(dtype)
    return df


def _empty_frame() -> pd.DataFrame:
    return _frame([])


# --- the store ----------------------------------------------------------------------------


class Store:
    """All reads and writes of runners and check-ins; every write is one transaction."""

    def __init__(self, url: str, *, script_location: Path = MIGRATIONS_DIR) -> None:
        self.url = normalise_url(url, "Store URL")
        self.where = describe_location(self.url)
        marker = _creation_marker(self.url)
        path = sqlite_file(self.url)
        is_new = marker is not None and path is not None and not path.exists()
        self._new_database_notice: str | None = None
        self.engine = make_engine(self.url)
        self._write = writer(self.engine)
        try:
            with self._guard("open the database"):
                upgrade_to_head(self.engine, where=self.where, script_location=script_location)
                self._check_columns()
        except BaseException:
            self.engine.dispose()
            raise
        if marker is not None and not marker.exists():
            _write_marker(marker, self.where)  # also for a database made by an older release
        if is_new:
            self._new_database_notice = (
                f"Created a new database at {self.where}. Back it up with the file: if it is "
                f"ever deleted, Stride Check will not start an empty one in its place."
            )
            logger.info(self._new_database_notice)

    def take_new_database_notice(self) -> str | None:
        """ "Created a new database at ..." once, after the first start made the file."""
        notice, self._new_database_notice = self._new_database_notice, None
        return notice

    def __repr__(self) -> str:
        return f"Store({self.where!r})"

    def dispose(self) -> None:
        """Close pooled connections (tests, shutdown)."""
        self.engine.dispose()

    @contextmanager
    def _guard(self, action: str, suffix: str = "") -> Iterator[None]:
        try:
            yield
        except sa.exc.SQLAlchemyError as exc:
            err = to_storage_error(
                exc,
                action=action,
                where=self.where,
                secret=self.url.password,
                explain_integrity=explain_integrity,
            )
            raise StorageError(err.message + suffix, err.public + suffix) from exc

    @contextmanager
    def transaction(self, action: str, suffix: str = "") -> Iterator[sa.Connection]:
        """A connection in one write transaction: committed when the block ends, rolled back
        if it raises. On SQLite it takes the write lock up front, so a read-then-write cannot
        be overtaken. A database error becomes a StorageError saying "Could not {action}"."""
        with self._guard(action, suffix), self._write.begin() as conn:
            yield conn

    @contextmanager
    def read(self, action: str = "read the database") -> Iterator[sa.Connection]:
        """A connection for reading; a database error becomes "Could not {action}: ..."."""
        with self._guard(action), self.engine.connect() as conn:
            yield conn

    def _check_columns(self) -> None:
        with self.engine.connect() as conn:
            have = {c["name"] for c in sa.inspect(conn).get_columns("checkins")}
        missing = [c.name for c in checkins.columns if c.name not in have]
        if missing:
            raise StorageError(
                f"The database at {self.where} has no column(s) {', '.join(missing)}, which "
                "data/checkin.toml defines: add an alembic migration for them in "
                "logic/storage/migrations/versions.",
                f"The database lacks columns this version needs. {ASK_ADMIN}",
            )

    def schema_revision(self) -> str | None:
        with self._guard("read the database"):
            return current_revision(self.engine)

    # reads

    def _read(self, stmt: sa.Select[Any]) -> pd.DataFrame:
        with self.read("read check-ins") as conn:
            return _frame(conn.execute(stmt).all())

    def _read_one(self, stmt: sa.Select[Any]) -> dict[str, Any] | None:
        with self.read("read check-ins") as conn:
            row = conn.execute(stmt.limit(1)).mappings().first()
        return dict(row) if row is not None else None

    def list_runners(self) -> pd.DataFrame:
        """All runners (also those without check-ins) as [runner, team], by name."""
        stmt = sa.select(runners.c.name, runners.c.team).order_by(runners.c.name)
        with self.read("read runners") as conn:
            rows = conn.execute(stmt).all()
        return pd.DataFrame.from_records(rows, columns=["runner", "team"]).astype("str")

    def data_version(self) -> tuple[int, int, str]:
        """(count, max id, latest update) of the stored check-ins: a save, import or delete
        changes it, and so does an edit (in a later second: SQLite keeps updated_at to the
        second), so a cache keyed by it is not stale. One round trip; count and max id read
        only an index."""
        c = checkins.c
        stmt = sa.select(
            sa.select(sa.func.count()).select_from(checkins).scalar_subquery(),
            sa.select(sa.func.max(c.id)).scalar_subquery(),
            sa.select(sa.func.max(c.updated_at)).scalar_subquery(),
        )
        with self.read("read check-ins") as conn:
            count, top, updated = conn.execute(stmt).one()
        return int(count), int(top or 0), str(updated)

    def get_checkin(self, checkin_id: int) -> dict[str, Any] | None:
        return self._read_one(_SELECT.where(checkins.c.id == int(checkin_id)))

    def checkin_in_week(self, runner: str, date: dt.date | str) -> dict[str, Any] | None:
        """The runner's check-in in the ISO week containing `date`, if any."""
        return self._read_one(
            _SELECT.where(
                checkins.c.runner == runner.strip(),
                checkins.c.week_start == week_start(date).date(),
            )
        )

    def latest_checkin(self, runner: str) -> dict[str, Any] | None:
        return self._read_one(
            _SELECT.where(checkins.c.runner == runner.strip()).order_by(
                checkins.c.date.desc(), checkins.c.id.desc()
            )
        )

    def history(self, runner: str) -> pd.DataFrame:
        """One runner's check-ins, oldest first."""
        return self._read(
            _SELECT.where(checkins.c.runner == runner.strip()).order_by(
                checkins.c.date, checkins.c.id
            )
        )

    def all_checkins(self, runners: Sequence[str] | None = None) -> pd.DataFrame:
        """Every check-in (or those of `runners`), by runner then date."""
        stmt = _SELECT.order_by(checkins.c.runner, checkins.c.date, checkins.c.id)
        if runners is not None:
            names = [r.strip() for r in runners]
            if not names:
                return _empty_frame()
            stmt = stmt.where(checkins.c.runner.in_(names))
        return self._read(stmt)

    # writes

    def _upsert_runners(
        self, conn: sa.Connection, rows: list[dict[str, Any]], *, keep_teams: bool = False
    ) -> None:
        """Insert runners that are new; set the team where one is given, keep it otherwise.

        keep_teams: never change a stored runner's team (imports: only an admin moves runners).
        """
        if not rows:
            return
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        ins = dialect.insert(runners)
        if keep_teams:
            conn.execute(ins.on_conflict_do_nothing(index_elements=[runners.c.name]), rows)
            return
        stmt = ins.on_conflict_do_update(
            index_elements=[runners.c.name],
            set_={"team": sa.func.coalesce(ins.excluded.team, runners.c.team)},
        )
        conn.execute(stmt, rows)

    def _taken(self, conn: sa.Connection, runner: str, week_start: dt.date) -> sa.Row[Any] | None:
        stmt = sa.select(checkins.c.id, checkins.c.date).where(
            checkins.c.runner == runner, checkins.c.week_start == week_start
        )
        return conn.execute(stmt).first()

    def get_profile(self, runner: str) -> RunnerProfile | None:
        """The runner's profile, or None for a runner not stored yet."""
        c = runners.c
        stmt = sa.select(c.sex, c.age_band, c.units, c.team, c.reminders).where(
            c.name == runner.strip()
        )
        with self.read("read the runner profile") as conn:
            row = conn.execute(stmt).mappings().first()
        return None if row is None else validate_profile(dict(row))

    def save_profile(self, runner: str, profile: RunnerProfile, *, keep_team: bool = False) -> str:
        """Create or update the runner with this profile; returns the stored name.

        keep_team: leave a stored runner's team as it is (team mode: only an admin moves
        runners between teams)."""
        try:
            name = clean_name(runner, "runner")
        except InvalidName as err:
            raise InvalidCheckin(str(err)) from None
        values = profile.as_dict()
        team = values.pop("team")
        with self.transaction("save the profile") as conn:
            self._upsert_runners(conn, [{"name": name, "team": team}], keep_teams=keep_team)
            if not keep_team:
                values["team"] = team
            conn.execute(sa.update(runners).where(runners.c.name == name).values(**values))
        return name

    def add_runner(self, name: str, team: str | None = None) -> str:
        """Create the runner if new; a given team replaces the stored one. Returns the name as
        stored (normalised like every name: logic.names)."""
        try:
            name = clean_name(name, "runner")
            team = clean_name(team or "", "team") or None
        except InvalidName as err:
            raise InvalidCheckin(str(err)) from None
        with self.transaction("save") as conn:
            self._upsert_runners(conn, [{"name": name, "team": team}])
        return name

    def save_checkin(
        self, row: Mapping[str, Any], *, replace: bool = False, actor: Actor = DEVICE
    ) -> int:
        """Store a check-in and return its id; raises WeekTaken unless `replace`. Replacing
        a stored check-in is an edit: the audit trail keeps what it was (same transaction)."""
        rec = _db_records(normalise_checkins(_row_frame(row)))[0]
        with self.transaction("save") as conn:
            self._upsert_runners(conn, [{"name": rec["runner"], "team": rec["team"]}])
            taken = self._taken(conn, rec["runner"], rec["week_start"])
            if taken is not None and not replace:
                raise WeekTaken(rec["runner"], taken.id, taken.date, rec["week_start"])
            if taken is not None:
                before = self._current(conn, int(taken.id))
                record(
                    conn, actor, "checkin.replace", f"check-in {taken.id}",
                    runner=rec["runner"], before=before, after=rec,
                )  # fmt: skip
                conn.execute(
                    sa.update(checkins)
                    .where(checkins.c.id == taken.id)
                    .values(**rec, updated_at=sa.func.now())
                )
                return int(taken.id)
            stmt = sa.insert(checkins).values(**rec).returning(checkins.c.id)
            return int(conn.execute(stmt).scalar_one())

    def update_checkin(
        self,
        checkin_id: int,
        row: Mapping[str, Any],
        *,
        replace: bool = False,
        actor: Actor = DEVICE,
    ) -> None:
        """Change some or all fields of a check-in, keeping its id.

        Moving it onto a week that already has another check-in raises WeekTaken, unless
        `replace`: then that other check-in is deleted in the same transaction. The audit
        trail gets the edit (before and after) and any such delete, in that transaction too.
        """
        checkin_id = int(checkin_id)
        with self.transaction("save") as conn:
            current = conn.execute(_SELECT.where(checkins.c.id == checkin_id)).mappings().first()
            if current is None:
                raise CheckinNotFound(checkin_id)
            merged = {k: current[k] for k in COLUMN_NAMES}
            merged.update({k: v for k, v in row.items() if k not in DERIVED_KEYS})
            rec = _db_records(normalise_checkins(_row_frame(merged)))[0]
            taken = self._taken(conn, rec["runner"], rec["week_start"])
            if taken is not None and taken.id != checkin_id:
                if not replace:
                    raise WeekTaken(rec["runner"], taken.id, taken.date, rec["week_start"])
                self._delete(conn, int(taken.id), actor)
            self._upsert_runners(conn, [{"name": rec["runner"], "team": rec["team"]}])
            before = {k: current[k] for k in FRAME_COLUMNS}
            record(
                conn, actor, "checkin.edit", f"check-in {checkin_id}",
                runner=rec["runner"], before=before, after=rec,
            )  # fmt: skip
            conn.execute(
                sa.update(checkins)
                .where(checkins.c.id == checkin_id)
                .values(**rec, updated_at=sa.func.now())
            )

    def delete_checkin(self, checkin_id: int, *, actor: Actor = DEVICE) -> bool:
        """Delete one check-in; False if it did not exist. The runner is kept. The audit
        trail keeps its whole content and its notes, in the same transaction: no check-in (a
        red flag least of all) goes without a trace."""
        with self.transaction("delete") as conn:
            return self._delete(conn, int(checkin_id), actor)

    def _current(self, conn: sa.Connection, checkin_id: int) -> dict[str, Any] | None:
        row = conn.execute(_SELECT.where(checkins.c.id == checkin_id)).mappings().first()
        return dict(row) if row is not None else None

    def _delete(self, conn: sa.Connection, checkin_id: int, actor: Actor) -> bool:
        """Delete a check-in and its notes on `conn`, recording both in the trail first."""
        before = self._current(conn, checkin_id)
        if before is None:
            return False
        n = checkin_notes.c
        notes = conn.execute(
            sa.select(n.author, n.author_role, n.body, n.created_at)
            .where(n.checkin_id == checkin_id)
            .order_by(n.id)
        ).mappings()
        kept = [{k: str(v) for k, v in note.items()} for note in notes]
        record(
            conn, actor, "checkin.delete", f"check-in {checkin_id}",
            runner=before["runner"], before={**before, "notes": kept}, after=None,
        )  # fmt: skip
        conn.execute(sa.delete(checkin_notes).where(n.checkin_id == checkin_id))
        conn.execute(sa.delete(checkins).where(checkins.c.id == checkin_id))
        return True

    def import_checkins(
        self,
        frame: pd.DataFrame,
        *,
        on_conflict: Literal["skip", "replace", "error"] = "error",
        actor: Actor = DEVICE,
    ) -> ImportResult:
        """Store many check-ins in one transaction: all of them or none.

        A row "conflicts" when its runner already has a check-in in that ISO week, in the
        database or earlier in `frame`. skip keeps what is there (the first row of the frame),
        replace overwrites it in place (the last row of the frame wins), error refuses the
        whole import. New runners get the team of their rows; a stored runner's team is never
        changed by an import (team membership changes only on the Admin page).
        """
        if on_conflict not in ("skip", "replace", "error"):
            raise ValueError(f"on_conflict must be skip, replace or error, not {on_conflict!r}")
        try:
            rows = normalise_checkins(frame)
        except InvalidCheckin as err:
            raise InvalidCheckin(f"{err}\nNothing was imported.") from None
        key = ["runner", "week_start"]
        keyed = rows[key].notna().all(axis=1)  # rows without them fail in the database
        if on_conflict == "error" and (rows.duplicated(key) & keyed).any():
            first = rows[rows.duplicated(key) & keyed].iloc[0]
            raise StorageError(
                f"Could not import: the data has more than one check-in for {first['runner']} "
                f"in the week of {first['week_start']:%Y-%m-%d}. Nothing was imported."
            )
        rows = rows[
            ~(rows.duplicated(key, keep="first" if on_conflict == "skip" else "last") & keyed)
        ]
        suffix = " Nothing was imported."
        with self.transaction("import", suffix) as conn:
            existing = self._existing_ids(conn, rows["runner"].dropna().unique().tolist())
            merged = rows.merge(existing, on=key, how="left")
            clash = merged["id"].notna()
            if clash.any() and on_conflict == "error":
                first = merged[clash].iloc[0]
                raise StorageError(
                    f"Could not import: {int(clash.sum())} check-in(s) are already saved for "
                    f"the same runner and week (first: {first['runner']}, week of "
                    f"{first['week_start']:%Y-%m-%d}). Choose skip or replace.{suffix}"
                )
            self._upsert_runners(conn, _runner_teams(rows), keep_teams=True)
            new = merged.loc[~clash, rows.columns]
            if len(new):
                _executemany(conn, sa.insert(checkins), new)
            replaced = 0
            if on_conflict == "replace" and clash.any():
                upd = merged[clash].rename(columns={"id": "checkin_id"})
                self._audit_replaced(conn, upd, actor)
                stmt = (
                    sa.update(checkins)
                    .where(checkins.c.id == sa.bindparam("checkin_id"))
                    .values(updated_at=sa.func.now())
                )
                _executemany(conn, stmt, upd)
                replaced = int(clash.sum())
        return ImportResult(
            inserted=len(new), replaced=replaced, skipped=len(frame) - len(new) - replaced
        )

    def _audit_replaced(self, conn: sa.Connection, new: pd.DataFrame, actor: Actor) -> None:
        """One trail row per check-in an import replaces: the stored row before, the file's
        row after. JSON is built column-wise (pandas' to_json), not row by row."""
        ids = new["checkin_id"].astype("int64").tolist()
        rows: list[Any] = []
        for start in range(0, len(ids), 500):  # bounded IN lists
            chunk = ids[start : start + 500]
            rows += conn.execute(_SELECT.where(checkins.c.id.in_(chunk))).all()
        old = _frame(rows).set_index("id").reindex(ids)
        after = new.set_index("checkin_id")[[c for c in new.columns if c != "checkin_id"]]
        record_many(
            conn,
            _db_records(
                pd.DataFrame(
                    {
                        "actor_id": actor.user_id,
                        "actor": actor.name,
                        "action": "checkin.replace",
                        "subject": "check-in " + pd.Series(ids, dtype="str"),
                        "runner": after["runner"].to_numpy(),
                        "before": _json_lines(old.reset_index()),
                        "after": _json_lines(after.reset_index(names="id")),
                    }
                )
            ),
        )

    def _existing_ids(self, conn: sa.Connection, names: list[str]) -> pd.DataFrame:
        """(runner, week_start, id) of stored check-ins of these runners."""
        cols = (checkins.c.runner, checkins.c.week_start, checkins.c.id)
        rows: list[Any] = []
        for start in range(0, len(names), 500):  # bounded IN lists
            chunk = names[start : start + 500]
            rows += conn.execute(sa.select(*cols).where(checkins.c.runner.in_(chunk))).all()
        df = pd.DataFrame.from_records(rows, columns=["runner", "week_start", "id"])
        return df.astype({"runner": "str", "id": "Int64"}).assign(
            week_start=pd.to_datetime(df["week_start"]).astype("datetime64[ns]")
        )


def _json_lines(frame: pd.DataFrame) -> list[str]:
    """Each row as JSON text (dates YYYY-MM-DD), for the audit trail; all rows at once."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    return out.to_json(orient="records", lines=True, force_ascii=False).splitlines()


def _runner_teams(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """One row per runner, with the team of their latest check-in that names one."""
    named = rows.dropna(subset=["runner"]).sort_values("date", kind="stable")
    teams = named.dropna(subset=["team"]).groupby("runner")["team"].last()
    names = pd.Series(named["runner"].unique(), dtype=object)
    return _db_records(pd.DataFrame({"name": names, "team": names.map(teams)}))


# --- creating a database: on first start only ----------------------------------------------

MARKER_SUFFIX = "-created"


def _creation_marker(url: sa.URL) -> Path | None:
    """The file beside a SQLite database that says "Stride Check made this database".

    With the database missing but the marker there, the database was deleted: starting an
    empty one in its place would look like every check-in had vanished, so we refuse and
    say how to start afresh (delete the marker). No marker and no database: a first start.
    The marker's name ends in "-created", next to SQLite's own "-wal"/"-shm" files.
    """
    path = sqlite_file(url)
    if path is None or url.query.get("mode") in ("ro", "rw"):
        return None
    marker = path.with_name(path.name + MARKER_SUFFIX)
    if not path.exists() and marker.exists():
        raise StorageError(
            f"The database file {path} is missing, but Stride Check created it before (see "
            f"{marker}): it was deleted or moved. Restore it from a backup. To start again "
            f"with an empty database instead, delete {marker}."
        )
    return marker


def _write_marker(marker: Path, where: str) -> None:
    try:
        marker.write_text(
            f"Stride Check created the database {where} on {clock.now():%Y-%m-%d %H:%M}.\n"
            "While this file exists, Stride Check refuses to start an empty database in place "
            "of a missing one.\n",
            encoding="utf-8",
        )
    except OSError as exc:  # the database itself works: say so in the log only
        logger.warning("Could not write %s (%s)", marker, exc.strerror)


# --- one store per URL --------------------------------------------------------------------

_STORES: dict[str, Store] = {}
_STORES_LOCK = threading.Lock()


def get_store(url: str | None = None) -> Store:
    """The Store for `url` (default: resolve_database_url()), created and migrated once."""
    key = normalise_url(url or resolve_database_url()).render_as_string(hide_password=False)
    with _STORES_LOCK:
        store = _STORES.get(key)
        if store is None:
            store = _STORES[key] = Store(key)
        return store


def dispose_stores() -> None:
    """Forget cached stores and close their connections (tests, reconfiguration)."""
    with _STORES_LOCK:
        for store in _STORES.values():
            store.dispose()
        _STORES.clear()
