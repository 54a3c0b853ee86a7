"""Recorded runs in the database: figures only (logic.io.activities reads the files).

A runner stores each run once: a run whose file (content_hash) or whose start time and sport
is already stored for that runner is not written again, so re-importing a file or an
overlapping Strava export adds only what is new. One import is one transaction: every new run
or none. Frames have RUN_FRAME_COLUMNS; start_utc is tz-aware UTC, local_date datetime64[ns].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from logic.errors import StorageError
from logic.storage.store import Store
from logic.storage.tables import RUN_COLUMNS, runners, runs

RUN_FRAME_COLUMNS = ["id", "runner", *RUN_COLUMNS]
_FLOATS = ("distance_km", "moving_s", "elapsed_s", "elevation_gain_m")
_SELECT = sa.select(*(runs.c[c] for c in RUN_FRAME_COLUMNS))


@dataclass(frozen=True)
class RunImportResult:
    inserted: int
    already_stored: int


def runs_frame(rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=RUN_FRAME_COLUMNS)
    frame["id"] = frame["id"].astype("int64")
    for col in ("runner", "sport", "source", "content_hash"):
        frame[col] = frame[col].astype("str")
    frame["start_utc"] = pd.to_datetime(frame["start_utc"], utc=True).astype("datetime64[ns, UTC]")
    frame["local_date"] = pd.to_datetime(frame["local_date"]).astype("datetime64[ns]")
    for col in _FLOATS:
        frame[col] = pd.to_numeric(frame[col]).astype("float64")
    return frame


class RunStore:
    """Reads and writes of the `runs` table, through the Store's engine and transactions."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def runs(self, runner: str) -> pd.DataFrame:
        """One runner's runs, oldest first."""
        return self.runs_of([runner])

    def runs_of(self, names: Sequence[str]) -> pd.DataFrame:
        """The runs of these runners, by runner then start."""
        wanted = [n.strip() for n in names]
        rows: list[Any] = []
        with self.store.read("read runs") as conn:
            for start in range(0, len(wanted), 500):
                stmt = _SELECT.where(runs.c.runner.in_(wanted[start : start + 500]))
                rows += conn.execute(stmt.order_by(runs.c.runner, runs.c.start_utc)).all()
        return runs_frame(rows)

    def already_stored(self, runner: str, frame: pd.DataFrame) -> pd.Series:
        """Per run of `frame` (start_utc, sport, content_hash): True where the runner has it."""
        return _stored_mask(self.runs(runner), frame)

    def import_runs(self, runner: str, frame: pd.DataFrame) -> RunImportResult:
        """Write the runs the runner does not have yet, all in one transaction (or none)."""
        name = runner.strip()
        suffix = " Nothing was imported."
        with self.store.transaction("import runs", suffix) as conn:
            known = conn.execute(sa.select(runners.c.name).where(runners.c.name == name)).first()
            if known is None:
                raise StorageError(f"Could not import runs: there is no runner named {name!r}.")
            rows = conn.execute(_SELECT.where(runs.c.runner == name)).all()
            stored = _stored_mask(runs_frame(rows), frame)
            new = frame.loc[~stored.to_numpy(dtype=bool)]
            if len(new):
                conn.execute(sa.insert(runs), _records(name, new))
        return RunImportResult(inserted=len(new), already_stored=int(stored.sum()))


def _stored_mask(stored: pd.DataFrame, frame: pd.DataFrame) -> pd.Series:
    by_hash = frame["content_hash"].isin(stored["content_hash"])
    key = pd.MultiIndex.from_arrays(
        [pd.to_datetime(stored["start_utc"], utc=True), stored["sport"]]
    )
    new_key = pd.MultiIndex.from_arrays(
        [pd.to_datetime(frame["start_utc"], utc=True), frame["sport"].astype("str")]
    )
    return by_hash | pd.Series(new_key.isin(key), index=frame.index)


def _records(runner: str, frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Plain Python values for the driver (NaN -> None), one dict per run."""
    out = pd.DataFrame(
        {
            "runner": runner,
            "start_utc": pd.to_datetime(frame["start_utc"], utc=True).dt.to_pydatetime(),
            "local_date": pd.to_datetime(frame["local_date"]).dt.date,
            "sport": frame["sport"].astype("str"),
            "source": frame["source"].astype("str"),
            "content_hash": frame["content_hash"].astype("str"),
        }
    ).astype(object)
    for col in _FLOATS:
        values = frame[col].to_numpy(dtype="float64")
        out[col] = np.where(np.isnan(values), None, values).astype(object)
    return out.to_dict("records")
