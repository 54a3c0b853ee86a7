"""One activity file (GPX, TCX or FIT, already un-gzipped) -> one Activity: figures only.

The formats are read by well-kept parsers, never by hand: gpxpy (GPX), tcxreader (TCX) and
Garmin's garmin-fit-sdk (FIT). Their points go through logic.io.activities.tracks as arrays
and only the totals come back: no coordinate leaves this module. Anything that is not a
recorded activity (truncated XML or FIT, a route without timestamps, a FIT course or settings
file) raises ActivityError naming the file and what is wrong.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter

import numpy as np

from logic.errors import StrideCheckError
from logic.io.activities import tracks
from logic.io.activities.sports import canonical

FORMATS = (".gpx", ".tcx", ".fit")
FIT_SEMICIRCLE_DEG = 180.0 / 2**31


class ActivityError(StrideCheckError):
    """A file that cannot be imported; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Activity:
    """What is kept of one recorded activity (never its track)."""

    start_utc: dt.datetime
    sport: str
    distance_km: float
    moving_s: float
    elapsed_s: float
    elevation_gain_m: float | None
    source: str
    content_hash: str
    utc_offset_s: float | None = None  # known for FIT files (the watch's local time)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_activity(name: str, data: bytes, *, display: str | None = None) -> Activity:
    """Parse by the file name's extension (.gpx, .tcx, .fit; .gz already removed)."""
    shown = display or name
    lower = name.lower()
    if lower.endswith(".gpx"):
        return parse_gpx(data, shown)
    if lower.endswith(".tcx"):
        return parse_tcx(data, shown)
    if lower.endswith(".fit"):
        return parse_fit(data, shown)
    raise ActivityError(
        f"{shown}: not an activity file; allowed: .gpx, .tcx or .fit (gzipped or not), "
        "or a Strava export .zip"
    )


def _activity(
    name: str, data: bytes, start: dt.datetime, sport: str, fig: tracks.TrackFigures
) -> Activity:
    return Activity(
        start_utc=start.astimezone(dt.UTC),
        sport=sport,
        distance_km=fig.distance_m / 1000,
        moving_s=fig.moving_s,
        elapsed_s=fig.elapsed_s,
        elevation_gain_m=fig.elevation_gain_m,
        source=name,
        content_hash=content_hash(data),
    )


# --- GPX -----------------------------------------------------------------------------------


def parse_gpx(data: bytes, name: str) -> Activity:
    import gpxpy
    import gpxpy.gpx

    logging.getLogger("gpxpy").setLevel(logging.CRITICAL)  # it logs the whole file on errors
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ActivityError(f"{name}: not UTF-8 text at byte {exc.start}") from None
    try:
        gpx = gpxpy.parse(text)
    except gpxpy.gpx.GPXXMLSyntaxException as exc:
        raise ActivityError(f"{name}: broken or truncated XML ({_first_line(exc)})") from None
    except (gpxpy.gpx.GPXException, ValueError) as exc:
        raise ActivityError(f"{name}: not a readable GPX file ({_first_line(exc)})") from None
    if not gpx.tracks:
        raise ActivityError(
            f"{name}: not a recorded activity: the GPX has no track (a route or waypoints only)"
        )
    segments = [s.points for track in gpx.tracks for s in track.segments if s.points]
    points = list(chain.from_iterable(segments))
    if len(points) < 2:
        raise ActivityError(f"{name}: not a recorded activity: the track has fewer than 2 points")
    # Whole lists through attrgetter and NumPy: one Python call per point at most, not five.
    when = list(map(_TIME, points))
    if None in when:
        missing = sum(t is None for t in when)
        raise ActivityError(
            f"{name}: {missing:,} of {len(when):,} track points have no timestamp; a recorded "
            "activity has one on every point (this looks like a planned route)"
        )
    n = len(points)
    lat = np.fromiter(map(_LAT, points), dtype="float64", count=n)
    lon = np.fromiter(map(_LON, points), dtype="float64", count=n)
    ele = np.array(list(map(_ELE, points)), dtype="float64")  # None (no altitude) -> NaN
    # A step from one segment into the next is a pause, not distance run.
    starts = np.cumsum([len(s) for s in segments])
    breaks = np.zeros(n - 1, dtype=bool)
    breaks[starts[:-1] - 1] = True
    first = when[0]
    fig = tracks.figures(_seconds(when), tracks.haversine_m(lat, lon), ele, breaks=breaks)
    label = gpx.tracks[0].type
    return _activity(name, data, _utc(first), canonical(label) if label else "run", fig)  # type: ignore[arg-type]


_TIME = attrgetter("time")
_LAT = attrgetter("latitude")
_LON = attrgetter("longitude")
_ELE = attrgetter("elevation")
_TZ = attrgetter("tzinfo")
_OFFSET = attrgetter("offset")
_HOUR = attrgetter("hour")
_MINUTE = attrgetter("minute")
_SECOND = attrgetter("second")
_MICROSECOND = attrgetter("microsecond")
_MICRO = dt.timedelta(microseconds=1)


def _seconds(when: list[dt.datetime]) -> np.ndarray:
    """Seconds since the first point; a time without a zone reads as UTC.

    Built from each time's fields (C getters, one array each) less its zone's offset: gpxpy
    gives every time its own SimpleTZ, whose `offset` (minutes) is read directly, because
    asking each point for utcoffset() is a Python call a point and cost as much as the bare
    XML parse of the file. Any other zone is asked the slow way.
    """
    from gpxpy.gpxfield import SimpleTZ

    n = len(when)

    def column(get: Callable[[dt.datetime], int]) -> np.ndarray:
        return np.fromiter(map(get, when), dtype="int64", count=n)

    days = column(dt.datetime.toordinal)
    wall = ((days * 24 + column(_HOUR)) * 60 + column(_MINUTE)) * 60 + column(_SECOND)
    micros = wall * 1_000_000 + column(_MICROSECOND)
    zones = list(map(_TZ, when))
    kinds = set(map(type, zones))
    if kinds == {SimpleTZ}:
        micros -= np.fromiter(map(_OFFSET, zones), dtype="int64", count=n) * 60_000_000
    elif kinds != {type(None)}:
        micros -= np.array([0 if t.tzinfo is None else t.utcoffset() // _MICRO for t in when])  # type: ignore[operator]
    return (micros - micros[0]) / 1e6


# --- TCX -----------------------------------------------------------------------------------


def parse_tcx(data: bytes, name: str) -> Activity:
    from tcxreader.tcxreader import TCXReader

    try:
        exercise = TCXReader().read(io.BytesIO(data), only_gps=False)  # type: ignore[arg-type]
    except ET.ParseError as exc:
        raise ActivityError(f"{name}: broken or truncated XML ({exc})") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ActivityError(f"{name}: not a readable TCX activity ({_first_line(exc)})") from None
    points = exercise.trackpoints or []
    if exercise.activity_type is None or not points:
        raise ActivityError(f"{name}: not a recorded activity: the TCX has no laps with points")
    times = [p.time for p in points]
    if any(t is None for t in times):
        raise ActivityError(f"{name}: some track points have no time")
    stamps = [t if t.tzinfo else t.replace(tzinfo=dt.UTC) for t in times]
    seconds = np.array([t.timestamp() for t in stamps])
    ele = np.array([np.nan if p.elevation is None else p.elevation for p in points], dtype=float)
    dist = np.array([np.nan if p.distance is None else p.distance for p in points], dtype=float)
    if np.isfinite(dist).sum() >= 2:  # the device's own distance: treadmill runs have no GPS
        dist = np.fmax.accumulate(np.where(np.isnan(dist), -np.inf, dist))
        dist = np.where(np.isinf(dist), np.nan, dist)
        step = np.diff(np.nan_to_num(dist, nan=np.nanmin(dist)))
    else:
        lat = np.array([np.nan if p.latitude is None else p.latitude for p in points])
        lon = np.array([np.nan if p.longitude is None else p.longitude for p in points])
        step = tracks.haversine_m(lat, lon)
    fig = tracks.figures(seconds, step, ele)
    total = float(exercise.distance or 0.0)
    if total > 0:  # the laps' totals are what the watch showed
        fig = tracks.TrackFigures(total, fig.moving_s, fig.elapsed_s, fig.elevation_gain_m)
    return _activity(name, data, stamps[0], canonical(exercise.activity_type), fig)


# --- FIT -----------------------------------------------------------------------------------


def parse_fit(data: bytes, name: str) -> Activity:
    from garmin_fit_sdk import Decoder, Stream

    stream = Stream.from_byte_array(bytearray(data))
    decoder = Decoder(stream)
    if not decoder.is_fit():
        raise ActivityError(f"{name}: not a FIT file (no FIT header)")
    if not decoder.check_integrity():
        raise ActivityError(
            f"{name}: broken or truncated FIT file (its length or checksum does not match)"
        )
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read(
        convert_datetimes_to_dates=True
    )
    if errors:
        raise ActivityError(f"{name}: broken FIT file ({_first_line(errors[0])})")
    file_ids = messages.get("file_id_mesgs", [])
    kind = file_ids[0].get("type") if file_ids else None
    if kind != "activity":
        raise ActivityError(
            f"{name}: not an activity: a FIT {kind or 'file without a file type'!s} file"
        )
    sessions = messages.get("session_mesgs", [])
    records = [r for r in messages.get("record_mesgs", []) if r.get("timestamp") is not None]
    sport_mesgs = messages.get("sport_mesgs", [])
    if sessions:
        s = sessions[0]
        sport = canonical(s.get("sport"), s.get("sub_sport"))
    elif sport_mesgs:
        sport = canonical(sport_mesgs[0].get("sport"), sport_mesgs[0].get("sub_sport"))
    else:
        sport = "unknown"
    offset = _fit_utc_offset(messages)
    if sessions and sessions[0].get("start_time") is not None:
        s = sessions[0]
        fig = _fit_session_figures(sessions, records)
        start = s["start_time"]
    elif len(records) >= 2:
        fig = _fit_record_figures(records)
        start = records[0]["timestamp"]
    else:
        raise ActivityError(
            f"{name}: not a recorded activity: the FIT file has no session or points"
        )
    activity = _activity(name, data, start, sport, fig)
    return Activity(**{**activity.__dict__, "utc_offset_s": offset})


def _fit_session_figures(sessions: list[dict], records: list[dict]) -> tracks.TrackFigures:
    distance = sum(float(s.get("total_distance") or 0.0) for s in sessions)
    moving = sum(float(s.get("total_timer_time") or 0.0) for s in sessions)
    elapsed = sum(float(s.get("total_elapsed_time") or 0.0) for s in sessions)
    ascents = [s.get("total_ascent") for s in sessions if s.get("total_ascent") is not None]
    gain: float | None = float(sum(ascents)) if ascents else None
    if gain is None and len(records) >= 2:
        gain = _fit_record_figures(records).elevation_gain_m
    if distance == 0 and len(records) >= 2:
        distance = _fit_record_figures(records).distance_m
    return tracks.TrackFigures(distance, moving, elapsed, gain)


def _fit_record_figures(records: list[dict]) -> tracks.TrackFigures:
    seconds = np.array([r["timestamp"].timestamp() for r in records])
    ele = np.array(
        [_first_of(r, "enhanced_altitude", "altitude") for r in records], dtype="float64"
    )
    dist = np.array([_first_of(r, "distance") for r in records], dtype="float64")
    if np.isfinite(dist).sum() >= 2:
        filled = np.fmax.accumulate(np.nan_to_num(dist, nan=0.0))
        step = np.diff(filled)
    else:
        lat = np.array([_first_of(r, "position_lat") for r in records], dtype="float64")
        lon = np.array([_first_of(r, "position_long") for r in records], dtype="float64")
        step = tracks.haversine_m(lat * FIT_SEMICIRCLE_DEG, lon * FIT_SEMICIRCLE_DEG)
    return tracks.figures(seconds, step, ele)


def _first_of(record: dict, *keys: str) -> float:
    for key in keys:
        value = record.get(key)
        if isinstance(value, int | float):
            return float(value)
    return np.nan


def _fit_utc_offset(messages: dict) -> float | None:
    """The watch's UTC offset: activity.local_timestamp - activity.timestamp (FIT stores both)."""
    for activity in messages.get("activity_mesgs", []):
        local, stamp = activity.get("local_timestamp"), activity.get("timestamp")
        if isinstance(local, int | float) and isinstance(stamp, dt.datetime):
            fit_epoch = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)
            offset = float(local) - (stamp - fit_epoch).total_seconds()
            if abs(offset) <= 14 * 3600:
                return offset
    return None


def _utc(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def _first_line(exc: object) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
