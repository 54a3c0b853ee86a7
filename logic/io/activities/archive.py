"""Containers of activities: gzip, a Strava bulk export (.zip), a Strava or Garmin Connect CSV.

Every container is opened with caps, so that a small upload cannot unpack into gigabytes (a zip
bomb): at most MAX_ARCHIVE_FILES entries and MAX_UNCOMPRESSED_BYTES in all, and no single file
over MAX_FILE_BYTES once un-gzipped. The caps are checked against what the archive declares and
again while reading, and the message says the limits.

A Strava export's activities.csv already holds every figure we keep (date, type, distance,
moving and elapsed time, climbing), so by default the CSV alone is read (seconds for years of
runs); `parse_files=True` reads each run's own GPX/TCX/FIT file instead.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from logic.io.activities.parsers import FORMATS, Activity, ActivityError, parse_activity
from logic.io.activities.sports import canonical, is_running

MB = 1000 * 1000
MAX_ARCHIVE_FILES = 20_000
MAX_UNCOMPRESSED_BYTES = 4_000 * MB
MAX_FILE_BYTES = 200 * MB

STRAVA_NEEDS = ("Activity ID", "Activity Date", "Activity Type", "Distance")
GARMIN_NEEDS = ("Activity Type", "Date", "Distance")


def limits_text() -> str:
    return (
        f"at most {MAX_ARCHIVE_FILES:,} files and {MAX_UNCOMPRESSED_BYTES // MB:,} MB unpacked "
        f"in an archive, {MAX_FILE_BYTES // MB:,} MB for any one file"
    )


@dataclass(frozen=True)
class Rows:
    """Activities read from one input: one row each (see ACTIVITY_COLUMNS)."""

    frame: pd.DataFrame


ACTIVITY_COLUMNS = [
    "start_utc",
    "utc_offset_s",
    "sport",
    "distance_km",
    "moving_s",
    "elapsed_s",
    "elevation_gain_m",
    "source",
    "content_hash",
]


def activities_frame(activities: list[Activity]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "start_utc": pd.to_datetime([a.start_utc for a in activities], utc=True),
            "utc_offset_s": pd.array([a.utc_offset_s for a in activities], dtype="float64"),
            "sport": pd.array([a.sport for a in activities], dtype="str"),
            "distance_km": pd.array([a.distance_km for a in activities], dtype="float64"),
            "moving_s": pd.array([a.moving_s for a in activities], dtype="float64"),
            "elapsed_s": pd.array([a.elapsed_s for a in activities], dtype="float64"),
            "elevation_gain_m": pd.array(
                [np.nan if a.elevation_gain_m is None else a.elevation_gain_m for a in activities],
                dtype="float64",
            ),
            "source": pd.array([a.source for a in activities], dtype="str"),
            "content_hash": pd.array([a.content_hash for a in activities], dtype="str"),
        }
    )
    return frame[ACTIVITY_COLUMNS]


def empty_activities() -> pd.DataFrame:
    return activities_frame([])


# --- one input -------------------------------------------------------------------------------


def read_input(
    name: str, data: bytes, *, parse_files: bool = False, tz: str = "UTC"
) -> pd.DataFrame:
    """Every activity of one uploaded or named file, whatever the container; `tz` places the
    local start times of a Garmin Connect CSV."""
    lower = name.lower()
    if lower.endswith(".zip"):
        return read_zip(name, data, parse_files=parse_files)
    if lower.endswith(".gz"):
        inner = gunzip(name, data)
        if not name.lower()[:-3].endswith(FORMATS):
            raise ActivityError(
                f"{name}: not an activity file; allowed: .gpx, .tcx or .fit (gzipped or not), "
                "a Strava export .zip, or an activities .csv"
            )
        return activities_frame([parse_activity(name[:-3], inner, display=name)])
    if lower.endswith(".csv"):
        return read_activities_csv(name, data, tz=tz)
    return activities_frame([parse_activity(name, data)])


def gunzip(name: str, data: bytes, limit: int | None = None) -> bytes:
    """The un-gzipped bytes, read only up to `limit` (a gzip bomb stops there)."""
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            out = fh.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ActivityError(f"{name}: broken or truncated gzip file ({exc})") from None
    if len(out) > limit:
        raise ActivityError(
            f"{name}: unpacks to more than {limit // MB:,} MB; the limits are {limits_text()}"
        )
    return out


# --- zip (a Strava bulk export, or any zip of activity files) ---------------------------------


def _members(name: str, zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    infos = [i for i in zf.infolist() if not i.is_dir()]
    total = sum(i.file_size for i in infos)
    if len(infos) > MAX_ARCHIVE_FILES or total > MAX_UNCOMPRESSED_BYTES:
        raise ActivityError(
            f"{name}: the archive holds {len(infos):,} files, {total / MB:,.0f} MB unpacked; "
            f"the limits are {limits_text()}"
        )
    return infos


def _read_member(name: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> bytes:
    """One member, read only up to what its declared size and the whole budget allow."""
    cap = min(info.file_size, MAX_FILE_BYTES, budget[0])
    try:
        with zf.open(info) as fh:
            data = fh.read(cap + 1)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as exc:
        raise ActivityError(f"{name}: {info.filename}: cannot be unpacked ({exc})") from None
    if len(data) > cap:
        raise ActivityError(
            f"{name}: {info.filename} unpacks to more than it declares or allows; the limits "
            f"are {limits_text()}"
        )
    budget[0] -= len(data)
    return data


def read_zip(name: str, data: bytes, *, parse_files: bool = False) -> pd.DataFrame:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ActivityError(f"{name}: not a readable zip file ({exc})") from None
    with zf:
        infos = _members(name, zf)
        budget = [MAX_UNCOMPRESSED_BYTES]
        by_name = {i.filename: i for i in infos}
        csvs = [i for i in infos if i.filename.rsplit("/", 1)[-1].lower() == "activities.csv"]
        if csvs:
            info = min(csvs, key=lambda i: i.filename.count("/"))
            prefix = info.filename[: -len("activities.csv")]
            table = read_activities_csv(
                f"{name}: {info.filename}",
                _read_member(name, zf, info, budget),
                keep_filename=True,
            )
            if table.empty:
                raise ActivityError(f"{name}: {info.filename} lists no activities")
            if parse_files:
                table = _with_parsed_files(name, zf, table, by_name, prefix, budget)
            return table.drop(columns="filename")
        files = [i for i in infos if _is_activity_file(i.filename)]
        if not files:
            raise ActivityError(
                f"{name}: no activities in the zip: neither an activities.csv (a Strava export) "
                "nor any .gpx, .tcx or .fit file"
            )
        parsed = []
        for info in files:
            raw = _read_member(name, zf, info, budget)
            parsed.append(_parse_member(name, info.filename, raw))
        return activities_frame(parsed)


def _is_activity_file(path: str) -> bool:
    lower = path.lower().removesuffix(".gz")
    return lower.endswith(FORMATS) and not path.rsplit("/", 1)[-1].startswith("._")


def _parse_member(archive: str, path: str, raw: bytes) -> Activity:
    shown = f"{archive}: {path}"
    if path.lower().endswith(".gz"):
        raw = gunzip(shown, raw)
        path = path[:-3]
    return parse_activity(path, raw, display=shown)


def _with_parsed_files(
    name: str,
    zf: zipfile.ZipFile,
    table: pd.DataFrame,
    by_name: dict[str, zipfile.ZipInfo],
    prefix: str,
    budget: list[int],
) -> pd.DataFrame:
    """The CSV's runs with the figures of their own files (the CSV's sport and name kept)."""
    running = table["sport"].map(is_running).astype(bool) & table["filename"].ne("")
    rows = []
    for index, path in table.loc[running, "filename"].items():
        info = by_name.get(prefix + path) or by_name.get(path)
        if info is None:
            raise ActivityError(f"{name}: activities.csv names {path}, which is not in the zip")
        rows.append(
            (index, _parse_member(name, info.filename, _read_member(name, zf, info, budget)))
        )
    if not rows:
        return table
    parsed = activities_frame([a for _, a in rows])
    parsed.index = pd.Index([i for i, _ in rows])
    out = table.copy()
    for col in ("start_utc", "distance_km", "moving_s", "elapsed_s", "elevation_gain_m"):
        out.loc[parsed.index, col] = parsed[col]
    out.loc[parsed.index, "content_hash"] = parsed["content_hash"]
    out.loc[parsed.index, "utc_offset_s"] = parsed["utc_offset_s"]
    return out


# --- CSV: Strava's activities.csv, Garmin Connect's Activities.csv ----------------------------


def read_activities_csv(
    name: str, data: bytes, *, keep_filename: bool = False, tz: str = "UTC"
) -> pd.DataFrame:
    try:
        raw = pd.read_csv(
            io.BytesIO(data), dtype="str", keep_default_na=False, encoding="utf-8-sig"
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ActivityError(f"{name}: not a readable CSV file ({_short(exc)})") from None
    columns = set(raw.columns)
    if all(c in columns for c in STRAVA_NEEDS):
        table = _strava(name, raw)
    elif all(c in columns for c in GARMIN_NEEDS):
        table = _garmin(name, raw, tz)
    else:
        raise ActivityError(
            f"{name}: not an activities CSV: a Strava export's activities.csv needs the columns "
            f"{', '.join(STRAVA_NEEDS)}; Garmin Connect's needs {', '.join(GARMIN_NEEDS)}"
        )
    return table if keep_filename else table.drop(columns="filename")


def _short(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__


def _number(col: pd.Series) -> pd.Series:
    text = col.astype("str").str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(text.where(~text.isin(["", "--"])), errors="coerce").astype("float64")


def _bad_line(name: str, bad: pd.Series, column: str, got: pd.Series, allowed: str) -> None:
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        raise ActivityError(
            f"{name}: line {first + 2}, column {column!r}: got {got.iloc[first]!r}; "
            f"allowed: {allowed} ({int(bad.sum())} such line{'' if bad.sum() == 1 else 's'})"
        )


def _strava(name: str, raw: pd.DataFrame) -> pd.DataFrame:
    """Strava writes some columns twice: first in display units (km), later in SI (.1: metres)."""
    when = pd.to_datetime(raw["Activity Date"], format="%b %d, %Y, %I:%M:%S %p", errors="coerce")
    retry = when.isna()
    if retry.any():
        when[retry] = pd.to_datetime(
            raw.loc[retry, "Activity Date"], format="mixed", errors="coerce"
        )
    _bad_line(
        name,
        when.isna(),
        "Activity Date",
        raw["Activity Date"],
        "a date like 'Mar 4, 2021, 6:12:45 PM'",
    )
    metres = _number(raw["Distance.1"]) if "Distance.1" in raw else _number(raw["Distance"]) * 1000
    elapsed = _number(
        raw["Elapsed Time.1"] if "Elapsed Time.1" in raw else raw.get("Elapsed Time", "")
    )
    moving = _number(raw["Moving Time"]) if "Moving Time" in raw else elapsed
    gain = _number(raw["Elevation Gain"]) if "Elevation Gain" in raw else np.nan
    ids = raw["Activity ID"].astype("str").str.strip()
    return pd.DataFrame(
        {
            "start_utc": when.dt.tz_localize("UTC")
            if when.dt.tz is None
            else when.dt.tz_convert("UTC"),
            "utc_offset_s": np.nan,
            "sport": raw["Activity Type"].map(canonical).astype("str"),
            "distance_km": (metres / 1000).fillna(0.0),
            "moving_s": moving,
            "elapsed_s": elapsed,
            "elevation_gain_m": gain,
            "source": name,
            "content_hash": _hashes("strava-activity:" + ids),
            "filename": raw["Filename"].astype("str").str.strip() if "Filename" in raw else "",
        }
    )


def _garmin(name: str, raw: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Garmin Connect: local start times, distance in km (the account's default units)."""
    when = pd.to_datetime(raw["Date"], format="%Y-%m-%d %H:%M:%S", errors="coerce")
    _bad_line(name, when.isna(), "Date", raw["Date"], "a date like '2024-05-01 07:12:33'")
    elapsed = _duration(raw["Elapsed Time"] if "Elapsed Time" in raw else raw.get("Time", ""))
    moving = _duration(raw["Moving Time"]) if "Moving Time" in raw else elapsed
    gain = _number(raw["Total Ascent"]) if "Total Ascent" in raw else np.nan
    keys = raw["Date"].astype("str") + "|" + raw["Activity Type"].astype("str")
    return pd.DataFrame(
        {
            "start_utc": when.dt.tz_localize(
                tz, ambiguous="NaT", nonexistent="shift_forward"
            ).dt.tz_convert("UTC"),
            "utc_offset_s": np.nan,
            "sport": raw["Activity Type"].map(canonical).astype("str"),
            "distance_km": _number(raw["Distance"]).fillna(0.0),
            "moving_s": moving,
            "elapsed_s": elapsed,
            "elevation_gain_m": gain,
            "source": name,
            "content_hash": _hashes("garmin-activity:" + keys),
            "filename": "",
        }
    )


def _duration(col: pd.Series | str) -> pd.Series:
    text = pd.Series(col, dtype="str").str.strip()
    return pd.to_timedelta(text.where(~text.isin(["", "--"])), errors="coerce").dt.total_seconds()


def _hashes(keys: pd.Series) -> pd.Series:
    return keys.map(lambda k: hashlib.sha256(k.encode("utf-8")).hexdigest()).astype("str")
