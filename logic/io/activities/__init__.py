"""Recorded runs from the files runners already have: GPX, TCX, FIT (gzipped or not), a Strava
bulk export (.zip) and Strava's or Garmin Connect's activities CSV.

`read_activities` reads every input, all or nothing: the first broken file raises
ActivityError naming it and what is wrong, and nothing is returned. The result holds the runs
(run, trail run, treadmill run; one row each, repeats within the import dropped) and what was
skipped (rides, walks, hikes, swims...) counted by sport. Only figures are kept: start time,
local date, sport, distance, moving and elapsed time, climbing, file name and a content hash.
Never a coordinate. Storage (logic.storage.runs) dedupes against what is already stored.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from logic.io.activities.archive import (
    MAX_FILE_BYTES,
    MAX_UNCOMPRESSED_BYTES,
    MB,
    limits_text,
    read_input,
)
from logic.io.activities.parsers import ActivityError
from logic.io.activities.sports import RUNNING_SPORTS
from logic.storage.tables import RUN_COLUMNS  # the runs table's figures: one list
from logic.weeks import week_starts

__all__ = ["RUN_COLUMNS", "ActivityError", "ActivityImport", "limits_text", "read_activities"]

Input = str | os.PathLike[str] | tuple[str, bytes]


@dataclass(frozen=True)
class ActivityImport:
    runs: pd.DataFrame  # RUN_COLUMNS, oldest first, repeats within the import dropped
    skipped: dict[str, int]  # sport -> count of activities that are not runs
    repeats: int  # runs found twice within the import (same file, or same start and sport)
    files: int

    @property
    def weeks(self) -> int:
        return int(week_starts(self.runs["local_date"]).nunique()) if len(self.runs) else 0

    def summary(self) -> str:
        found = f"{len(self.runs):,} run{'' if len(self.runs) == 1 else 's'}"
        skipped = sum(self.skipped.values())
        parts = ", ".join(f"{n} {sport.replace('_', ' ')}" for sport, n in self.skipped.items())
        text = f"{found} in {self.weeks} week{'' if self.weeks == 1 else 's'}"
        return text + (f"; {skipped} skipped ({parts})" if skipped else "; none skipped")


def _read(item: Input) -> tuple[str, bytes]:
    if isinstance(item, tuple):
        return item
    path = Path(item)
    cap = MAX_UNCOMPRESSED_BYTES if path.suffix.lower() == ".zip" else MAX_FILE_BYTES
    try:
        size = path.stat().st_size
        if size > cap:
            raise ActivityError(f"{path}: {size / MB:,.0f} MB; the limits are {limits_text()}")
        return path.name, path.read_bytes()
    except OSError as exc:
        raise ActivityError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ActivityError(
            f"time zone {tz!r} is unknown; allowed: a name like 'Europe/Paris' or 'UTC'"
        ) from None


def read_activities(
    inputs: Iterable[Input], *, parse_files: bool = False, tz: str = "UTC"
) -> ActivityImport:
    """Every activity of every input; raises ActivityError on the first broken one.

    The local date is the watch's own where a FIT file says its UTC offset, else the start
    in `tz` (the runner's time zone; GPX, TCX and Strava give UTC only).
    """
    zone(tz)
    frames = []
    count = 0
    for item in inputs:
        name, data = _read(item)
        frames.append(read_input(name, data, parse_files=parse_files, tz=tz))
        count += 1
    if not frames:
        raise ActivityError("no file given")
    table = pd.concat(frames, ignore_index=True)
    if table.empty:
        raise ActivityError("no activities in the files given")
    local = table["start_utc"].dt.tz_convert(tz).dt.tz_localize(None)
    offset = pd.to_timedelta(table["utc_offset_s"], unit="s")
    local = local.where(offset.isna(), table["start_utc"].dt.tz_localize(None) + offset)
    table["local_date"] = local.dt.normalize()
    table["start_utc"] = table["start_utc"].dt.tz_convert("UTC")
    running = table["sport"].isin(RUNNING_SPORTS).to_numpy(dtype=bool)
    others = table.loc[~running, "sport"].value_counts()
    runs = table.loc[running, RUN_COLUMNS].sort_values("start_utc", kind="stable")
    before = len(runs)
    runs = runs.drop_duplicates("content_hash").drop_duplicates(["start_utc", "sport"])
    runs = runs.reset_index(drop=True)
    for col in ("distance_km", "moving_s", "elapsed_s", "elevation_gain_m"):
        runs[col] = runs[col].astype("float64")
    runs["distance_km"] = np.round(runs["distance_km"], 3)
    return ActivityImport(
        runs=runs,
        skipped={str(k): int(v) for k, v in others.items()},
        repeats=before - len(runs),
        files=count,
    )
