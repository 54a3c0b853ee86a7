"""Import and export of check-ins as CSV: plan (validate + preview) first, then write at once.

The import page and tests go through two steps:

1. `plan_import` reads and validates the whole file (logic.io.csv_io: the same checks and words as
   the CLI), then adds the checks that need the context of an import: a runner importing their
   own history may only bring their own rows; no row may name a runner outside the importer's
   reach or a team other than its runner's (storage.access.import_refusals: an import never
   changes team membership); one check-in per runner and ISO week within the file; dates the
   check-in form accepts (2000-01-01 to today). It then finds the weeks that are already
   stored: one query for the file's runner(s) and one merge on runner+week_start.
   Nothing is written. The plan carries the canonical rows, a preview with each row's ISO week
   and status ("new" / "already stored"), the counts and every problem, each naming its line
   and column.
2. `apply_import` writes the plan's rows with `Store.import_checkins`: one transaction, all
   rows or none, skipping or replacing the weeks already stored as the runner chose.

Export writes the check-in table's columns (schema order, no id/week_start) through
`checkins_to_csv`, which neutralises spreadsheet formulas, so an exported file re-imports as it
was. Downloads for people get a UTF-8 byte order mark (`download_bytes`): without it Excel
opens a UTF-8 CSV as Windows-1252 and shows "Zoë" as "ZoÃ«"; `load_checkins_csv`, pandas,
LibreOffice and Google Sheets all read the BOM fine. The CLI writes no BOM (pipes, Unix tools).
No Streamlit in here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd

from logic import clock
from logic.checkins import parse_checkins
from logic.io.csv_io import (
    MB,
    UTF8_BOM,
    CsvError,
    Record,
    Source,
    checkins_to_csv,
    got_cell,
    load_checkins_csv,
    read_capped,
    records,
    size_text,
)
from logic.knowledge import KnowledgeBase, knowledge_base
from logic.storage.access import ScopedStore, Viewer, import_refusals
from logic.storage.store import ImportResult
from logic.texts import escape_markdown
from logic.weeks import week_labels, week_starts

# The largest CSV a runner may upload: some 30,000 check-ins, far more than anyone's history.
# The import page passes it to st.file_uploader(max_upload_size=...) and shows it in its help
# text; plan_import refuses a bigger file itself too (a file object or path is not trusted).
UPLOAD_LIMIT_MB = 5
UPLOAD_LIMIT_BYTES = UPLOAD_LIMIT_MB * MB  # the same bytes in the browser, the app and the CLI
# The date range of the check-in form (pages/checkin.py): also what storage can hold.
EARLIEST_DATE = dt.date(2000, 1, 1)
NEW = "new"
STORED = "already stored"
KEY = ["runner", "week_start"]
# The stored weeks are read with one `runner IN (...)` query; above this many runners the whole
# table is read instead (still one query), which keeps clear of SQLite's bound-parameter limit.
MAX_RUNNERS_IN_QUERY = 900
OnConflict = Literal["skip", "replace", "error"]


class CheckinStore(Protocol):
    """What an import needs of a store: storage.store.Store, or the pages' storage.access
    ScopedStore, which also refuses to write check-ins the signed-in user may not change."""

    def all_checkins(self, runners: Sequence[str] | None = None) -> pd.DataFrame: ...

    def list_runners(self) -> pd.DataFrame: ...

    def import_checkins(
        self, frame: pd.DataFrame, *, on_conflict: OnConflict = "error"
    ) -> ImportResult: ...


@dataclass(frozen=True, eq=False)
class ImportPlan:
    """What an import would do; nothing is written until `apply_import`.

    `frame` is the canonical check-in table to write (empty when there are errors).
    `preview` has one row per check-in of the file, in file order: `status` ("new" or
    "already stored"), `week` (the ISO week it counts for), then the file's check-in columns
    with canonical values. `errors` lists every problem, one line each, naming line and column.
    """

    frame: pd.DataFrame
    preview: pd.DataFrame
    errors: list[str] = field(default_factory=list)
    runner: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> int:
        return len(self.frame)

    @property
    def conflicts(self) -> int:
        """Rows whose runner already has a check-in stored in that ISO week."""
        return int((self.preview["status"] == STORED).sum()) if self.ok else 0

    @property
    def new(self) -> int:
        return self.rows - self.conflicts

    def to_write(self, on_conflict: OnConflict) -> int:
        """How many check-ins the import writes (inserted + replaced) with this choice."""
        return self.rows if on_conflict == "replace" else self.new


def plan_import(
    source: Source,
    store: CheckinStore,
    *,
    runner: str | None,
    max_bytes: int | None = UPLOAD_LIMIT_BYTES,
    today: dt.date | None = None,
    kb: KnowledgeBase | None = None,
) -> ImportPlan:
    """Validate a CSV of check-ins and find the weeks already stored; writes nothing.

    `runner`: the name of the runner importing their own history; every row must be theirs.
    None imports rows of any runner (a coach or an administrator). Raises StorageError only
    when the database cannot be read; every problem of the file is in `.errors`.
    """
    kb = kb or knowledge_base()
    today = today or clock.today()
    owner = runner.strip() if runner is not None else None
    try:
        data = read_capped(source, max_bytes, _too_big)
    except CsvError as exc:
        return _failed(exc.problems, owner)
    try:
        loaded = load_checkins_csv(data, kb=kb)
    except CsvError as exc:
        return _failed(_with_foreign_rows(exc.problems, data, owner), owner)

    frame = loaded.frame.reset_index(drop=True)
    raw = loaded.raw.reset_index(drop=True)
    week_start = week_starts(frame["date"])
    errors = _row_errors(data, raw, frame, week_start, owner, today, kb, _refusals(store, frame))
    if errors:
        return _failed(errors, owner)

    keys = pd.DataFrame(
        {"runner": frame["runner"], "week_start": week_start.astype("datetime64[ns]")}
    )
    names = keys["runner"].unique().tolist()
    stored = store.all_checkins(names if len(names) <= MAX_RUNNERS_IN_QUERY else None)
    stored = stored[KEY].astype({"runner": "str"}).assign(_stored=True)
    merged = keys.merge(stored, on=KEY, how="left", validate="many_to_one")
    status = np.where(merged["_stored"].notna().to_numpy(), STORED, NEW)
    shown = [c for c in kb.checkin.columns if c in loaded.columns]
    preview = pd.concat(
        [
            pd.DataFrame(
                {
                    "status": pd.array(status, dtype="str"),
                    "week": pd.array(week_labels(week_start), dtype="str"),
                },
                index=frame.index,
            ),
            frame[shown],
        ],
        axis=1,
    )
    return ImportPlan(frame=frame, preview=preview, runner=owner)


def apply_import(
    plan: ImportPlan, store: CheckinStore, on_conflict: OnConflict = "skip"
) -> ImportResult:
    """Write a plan's rows in one transaction (all or none); raises StorageError on failure
    (AccessError when a scoped store's viewer may not write a row).

    on_conflict: for weeks already stored, "skip" keeps the stored check-in, "replace"
    overwrites it, "error" refuses the whole import (use it when the plan found no conflict:
    a week stored meanwhile then stops the import instead of being skipped silently).
    """
    if not plan.ok:
        raise ValueError("this import has problems; fix the file first, nothing was written")
    if plan.runner is not None and (plan.frame["runner"] != plan.runner).any():
        raise ValueError(f"the import holds check-ins of runners other than {plan.runner!r}")
    return store.import_checkins(plan.frame, on_conflict=on_conflict)


def stored_week_errors(plan: ImportPlan, data: bytes, allowed: str) -> list[str]:
    """One problem per row whose runner already has that ISO week stored, naming its line and
    `allowed` (what to do instead): for an import that refuses stored weeks (the CLI without
    --replace). `data` is the file the plan was made from."""
    rows = np.flatnonzero((plan.preview["status"] == STORED).to_numpy(dtype=bool))
    if not plan.ok or not len(rows):
        return []
    lines = _record_lines(data, plan.rows)
    dates = plan.frame["date"].iloc[rows].dt.strftime("%Y-%m-%d")
    runners = plan.frame["runner"].iloc[rows]
    weeks = plan.preview["week"].iloc[rows]
    return [
        f"{lines[row]}, column 'date': got {date!r}, a week already stored for {runner!r} "
        f"({week}); allowed: {allowed}"
        for row, date, runner, week in zip(rows, dates, runners, weeks, strict=True)
    ]


# --- export ------------------------------------------------------------------------------------


def export_frame(frame: pd.DataFrame, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """The check-in columns of a stored frame (history, all_checkins), in schema order."""
    kb = kb or knowledge_base()
    return frame[[c for c in kb.checkin.columns if c in frame.columns]]


def export_csv(frame: pd.DataFrame, kb: KnowledgeBase | None = None) -> str:
    """Stored check-ins as CSV in the check-in table's format (formulas neutralised)."""
    kb = kb or knowledge_base()
    return checkins_to_csv(export_frame(frame, kb), kb=kb)


def team_csv(checkins: pd.DataFrame, kb: KnowledgeBase | None = None) -> str:
    """The check-ins (stored or scored frame) as CSV in the check-in table's columns, by runner
    then date: the same format the import reads back."""
    return export_csv(checkins.sort_values(["runner", "date"], kind="stable"), kb)


def download_bytes(text: str) -> bytes:
    """CSV text for a person's download: UTF-8 with a BOM, so Excel reads names right."""
    return UTF8_BOM + text.encode("utf-8")


def safe_name(runner: str) -> str:
    """A runner's name for a file name: letters, digits, - and _ only, at most 40."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", runner).strip("-")[:40] or "runner"


def export_filename(runner: str, day: dt.date) -> str:
    return f"stride-check-checkins-{safe_name(runner)}-{day:%Y-%m-%d}.csv"


def template_csv(runner: str, day: dt.date, kb: KnowledgeBase | None = None) -> str:
    """Every check-in column, and one example row for `runner` on `day`: a file to fill in."""
    kb = kb or knowledge_base()
    example = {
        "runner": runner,
        "date": day.isoformat(),
        "pain_locations": "front_knee",
        "pain_level": 3,
        "pain_triggers": "downhill;stairs",
        "training_changes": "more_hills",
        "weekly_km": 42.5,
        "longest_run_km": 18,
        "sitting_hours": 7,
        "strength_sessions": 1,
        "mobility_sessions": 2,
    }
    row = pd.DataFrame({k: [v] for k, v in example.items() if k in kb.checkin.columns})
    return checkins_to_csv(parse_checkins(row, kb=kb).frame, kb=kb)


def column_help(kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """One row per CSV column: name, whether it is required, what it accepts, what it means."""
    kb = kb or knowledge_base()
    specs = kb.checkin.columns
    return pd.DataFrame(
        {
            "column": list(specs),
            "required": ["yes" if s.required else "no" for s in specs.values()],
            "allowed": [_allowed_with_default(s) for s in specs.values()],
            "meaning": [s.label for s in specs.values()],
        }
    )


def column_help_markdown(kb: KnowledgeBase | None = None) -> str:
    """column_help as a Markdown list: it wraps on a phone, where a wide table would not."""
    table = column_help(kb)
    required = table["required"].map({"yes": " (required)", "no": ""})
    meaning = table["meaning"].map(escape_markdown)
    allowed = table["allowed"].map(escape_markdown)
    lines = "- `" + table["column"] + "`" + required + " · " + meaning + " · " + allowed
    return "\n".join(lines)


def problems_markdown(problems: list[str], limit: int = 50) -> str:
    """Problems as a Markdown bullet list, escaped (cells are user text), at most `limit`."""
    lines = [f"- {escape_markdown(p)}" for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"- … and {len(problems) - limit:,} more")
    return "\n".join(lines)


# --- helpers -----------------------------------------------------------------------------------


def _failed(errors: list[str], runner: str | None) -> ImportPlan:
    empty = pd.DataFrame({"status": pd.Series(dtype="str"), "week": pd.Series(dtype="str")})
    return ImportPlan(frame=pd.DataFrame(), preview=empty, errors=list(errors), runner=runner)


def _limit(n: int) -> str:
    return f"{n // MB} MB" if n % MB == 0 else f"{n:,} bytes"


def _too_big(size: int | None, limit: int) -> str:
    what = f"the file is {size_text(size, limit)}" if size is not None else "the file is too large"
    return (
        f"{what}; allowed: files up to {_limit(limit)} (split it into smaller files, e.g. "
        "one per year)"
    )


def _row_errors(
    data: bytes,
    raw: pd.DataFrame,
    frame: pd.DataFrame,
    week_start: pd.Series,
    owner: str | None,
    today: dt.date,
    kb: KnowledgeBase,
    refusals: pd.DataFrame,
) -> list[str]:
    """Problems only an import has: other runners' rows, runners outside the importer's reach,
    teams other than the runner's, repeated weeks, dates out of range.

    All are found with whole-column operations; the file's line numbers are worked out
    (a second, exact pass with the csv module) only when there is something to report.
    """
    dates = frame["date"]
    early, late = pd.Timestamp(EARLIEST_DATE), pd.Timestamp(today)
    out_of_range = ((dates < early) | (dates > late)).to_numpy(dtype=bool)
    foreign = np.zeros(len(frame), dtype=bool)
    if owner is not None:
        foreign = (frame["runner"] != owner).to_numpy(dtype=bool)
    keys = pd.DataFrame({"runner": frame["runner"], "week_start": week_start})
    refused = refusals["column"].ne("").to_numpy(dtype=bool) & ~foreign  # named once
    valid = ~out_of_range & ~foreign  # a repeated week is looked for among these rows only
    repeated = np.zeros(len(frame), dtype=bool)
    repeated[np.flatnonzero(valid)[keys[valid].duplicated(KEY).to_numpy()]] = True
    if not (out_of_range.any() or foreign.any() or refused.any() or repeated.any()):
        return []

    lines = _record_lines(data, len(frame))
    order = {c: i for i, c in enumerate(kb.checkin.columns)}
    found: list[tuple[int, int, str]] = []  # (row, column order, message)
    for row in np.flatnonzero(foreign):
        where = f"{lines[row]}, column 'runner': {got_cell(raw['runner'].iloc[row])}"
        found.append((row, order["runner"], f"{where}; allowed: only your own name {owner!r}"))
    for row in np.flatnonzero(refused):
        column, allowed_here = refusals["column"].iloc[row], refusals["allowed"].iloc[row]
        where = f"{lines[row]}, column {column!r}: {got_cell(raw[column].iloc[row])}"
        found.append((row, order[column], f"{where}; allowed: {allowed_here}"))
    allowed = f"a date from {EARLIEST_DATE:%Y-%m-%d} to today ({today:%Y-%m-%d})"
    for row in np.flatnonzero(out_of_range):
        where = f"{lines[row]}, column 'date': {got_cell(raw['date'].iloc[row])}"
        found.append((row, order["date"], f"{where}; allowed: {allowed}"))
    if repeated.any():
        # The first row of each runner+week, for every repeated row: one merge, no search.
        first = keys[valid].reset_index(names="_row").drop_duplicates(KEY)
        rows = np.flatnonzero(repeated)
        firsts = keys.iloc[rows].merge(first, on=KEY, how="left")["_row"].to_numpy()
        weeks = week_labels(week_start.iloc[rows])
        for row, earlier, week in zip(rows, firsts, weeks, strict=True):
            where = f"{lines[row]}, column 'date': {got_cell(raw['date'].iloc[row])}"
            same = f"{lines[int(earlier)]} for {frame['runner'].iloc[row]!r} ({week})"
            found.append(
                (
                    row,
                    order["date"],
                    f"{where}, the same week as {same}; "
                    "allowed: one check-in per runner per ISO week",
                )
            )
    found.sort(key=lambda item: (item[0], item[1]))
    return [message for _, _, message in found]


def _refusals(store: CheckinStore, frame: pd.DataFrame) -> pd.DataFrame:
    """storage.access's refusals of each row: reach (a ScopedStore's viewer; a plain Store is
    personal mode, which reaches everyone) and team changes (never by an import)."""
    viewer = store.viewer if isinstance(store, ScopedStore) else Viewer.personal()
    return import_refusals(frame, store.list_runners(), viewer)


def _records(data: bytes) -> list[Record]:
    """csv_io.records of the file, header first, up to where the csv module stops (csv_io
    has reported why already); none for a file that is not UTF-8."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return []
    found: list[Record] = []
    try:
        for record in records(text):
            found.append(record)
    except CsvError:
        pass
    return found


def _record_lines(data: bytes, rows: int) -> list[str]:
    """'line N' for each check-in of a valid file: where its record starts in the file.

    Not simply row + 2: blank lines and quoted cells over several lines count too. Falls back
    to 'check-in N' should the csv module see the records differently from pyarrow.
    """
    starts = [record.line for record in _records(data)[1:]]  # [0] is the header
    if len(starts) != rows:
        return [f"check-in {i + 1}" for i in range(rows)]
    return [f"line {n}" for n in starts]


def _with_foreign_rows(problems: list[str], data: bytes, owner: str | None) -> list[str]:
    """csv_io's problems of a file that failed, plus its rows of other runners (when there is
    an owner), in line order: so the file can be fixed in one pass."""
    if owner is None:
        return problems
    found = _records(data)
    header = [h.strip() for h in found[0].cells] if found else []
    if "runner" not in header:
        return problems
    col, width = header.index("runner"), len(header)
    mine = [
        f"line {line}, column 'runner': {got_cell(cells[col])}; "
        f"allowed: only your own name {owner!r}"
        for line, _, cells in found[1:]
        if len(cells) == width and cells[col].strip() and cells[col].strip() != owner
    ]
    if not mine:
        return problems

    def line_of(message: str) -> int:
        found = re.match(r"line (\d+)", message)
        return int(found[1]) if found else 0

    return sorted([*mine, *problems], key=line_of)  # stable: runner first on its line


def _allowed_with_default(spec: Any) -> str:
    allowed = spec.allowed()
    if spec.options:
        allowed += " (" + "; ".join(f"{i} = {o}" for i, o in enumerate(spec.options)) + ")"
    if spec.type == "set":
        allowed += ", separated by ';' (empty: none)"
    if spec.default is not None:
        allowed += f"; empty means {spec.default}"
    return allowed


NOTES_EXPORT_COLUMNS = ["checkin_date", "author", "author_role", "written_at", "note"]


def notes_csv(notes: pd.DataFrame) -> str:
    """Notes (logic.storage.notes frame) as CSV: the check-in's date, author, their role, when
    (UTC) and the text; formulas neutralised like every export. A file of its own, so the
    check-in CSV keeps exactly the import's columns."""
    out = pd.DataFrame(
        {
            "checkin_date": notes["date"].dt.strftime("%Y-%m-%d"),
            "author": notes["author"].astype("str"),
            "author_role": notes["author_role"].astype("str"),
            "written_at": notes["created_at"].dt.strftime("%Y-%m-%d %H:%M:%S UTC"),
            "note": notes["body"].astype("str"),
        }
    )
    return checkins_to_csv(out)


def notes_filename(runner: str, day: dt.date) -> str:
    return f"stride-check-notes-{safe_name(runner)}-{day:%Y-%m-%d}.csv"


def audit_csv(trail: pd.DataFrame) -> str:
    """The audit trail (logic.storage.audit.trail) as CSV for a spreadsheet, newest first;
    before and after stay JSON text, formulas neutralised like every export."""
    out = trail.assign(at=trail["at"].dt.strftime("%Y-%m-%d %H:%M:%S UTC"))
    for col in out.columns.drop("id"):
        out[col] = out[col].astype("str").fillna("")  # no "None" for an empty before/after
    return checkins_to_csv(out)
