"""Activity files made to measure: GPX, TCX and FIT runs with exact figures, Strava exports.

Used by the tests (exact distance and climbing to check the parsers against) and by
benchmarks/bench_runs_import.py (a synthetic 5-year Strava export). The tracks run north from a
start point, so the distance of each step is known; climbing is a smooth hill. FIT files are
written with Garmin's own encoder (garmin-fit-sdk), never by hand.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import numpy as np

METRES_PER_DEG_LAT = 6_371_008.8 * np.pi / 180
START = dt.datetime(2026, 11, 2, 7, 0, tzinfo=dt.UTC)


def track(
    distance_km: float = 10.0,
    climb_m: float = 100.0,
    seconds: int = 3000,
    *,
    start: dt.datetime = START,
    lat0: float = 46.0,
    lon0: float = 14.0,
    ele0: float = 300.0,
    every_s: int = 1,
) -> dict[str, np.ndarray]:
    """A point every `every_s` seconds: straight north, up `climb_m` and back down."""
    n = seconds // every_s + 1
    frac = np.linspace(0.0, 1.0, n)
    lat = lat0 + frac * distance_km * 1000 / METRES_PER_DEG_LAT
    lon = np.full(n, lon0)
    ele = ele0 + climb_m * np.sin(np.pi * frac)
    t = np.array([start + dt.timedelta(seconds=int(s) * every_s) for s in range(n)])
    return {"lat": lat, "lon": lon, "ele": ele, "time": t}


def _iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def gpx_bytes(points: dict[str, np.ndarray], sport: str | None = "running") -> bytes:
    kind = f"<type>{sport}</type>" if sport else ""
    rows = "".join(
        f'<trkpt lat="{la:.7f}" lon="{lo:.7f}"><ele>{el:.1f}</ele><time>{_iso(t)}</time></trkpt>'
        for la, lo, el, t in zip(
            points["lat"], points["lon"], points["ele"], points["time"], strict=True
        )
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="Stride Check tests" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><name>Test run</name>{kind}<trkseg>{rows}</trkseg></trk></gpx>\n"
    ).encode()


def tcx_bytes(points: dict[str, np.ndarray], sport: str = "Running") -> bytes:
    step = np.concatenate([[0.0], np.abs(np.diff(points["lat"])) * METRES_PER_DEG_LAT]).cumsum()
    rows = "".join(
        f"<Trackpoint><Time>{_iso(t)}</Time><Position><LatitudeDegrees>{la:.7f}"
        f"</LatitudeDegrees><LongitudeDegrees>{lo:.7f}</LongitudeDegrees></Position>"
        f"<AltitudeMeters>{el:.1f}</AltitudeMeters><DistanceMeters>{d:.1f}</DistanceMeters>"
        "</Trackpoint>"
        for la, lo, el, t, d in zip(
            points["lat"], points["lon"], points["ele"], points["time"], step, strict=True
        )
    )
    seconds = (points["time"][-1] - points["time"][0]).total_seconds()
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        f'<Activities><Activity Sport="{sport}"><Id>{_iso(points["time"][0])}</Id>'
        f'<Lap StartTime="{_iso(points["time"][0])}"><TotalTimeSeconds>{seconds:.0f}'
        f"</TotalTimeSeconds><DistanceMeters>{step[-1]:.1f}</DistanceMeters>"
        f"<Calories>500</Calories><Track>{rows}</Track></Lap></Activity></Activities>"
        "</TrainingCenterDatabase>\n"
    ).encode()


def fit_bytes(
    points: dict[str, np.ndarray],
    sport: str = "running",
    sub_sport: str = "generic",
    *,
    utc_offset_s: int = 3600,
    file_type: str = "activity",
    session: bool = True,
) -> bytes:
    """A FIT activity written with garmin-fit-sdk's Encoder (file id, records, session)."""
    from garmin_fit_sdk import Encoder
    from garmin_fit_sdk.profile import Profile

    nums = Profile["mesg_num"]
    step = np.concatenate([[0.0], np.abs(np.diff(points["lat"])) * METRES_PER_DEG_LAT]).cumsum()
    semis = 2**31 / 180
    enc = Encoder()
    start = points["time"][0]
    end = points["time"][-1]
    enc.on_mesg(
        nums["FILE_ID"],
        {"type": file_type, "manufacturer": "development", "product": 0, "time_created": start},
    )
    for la, lo, el, t, d in zip(
        points["lat"], points["lon"], points["ele"], points["time"], step, strict=True
    ):
        enc.on_mesg(
            nums["RECORD"],
            {
                "timestamp": t,
                "position_lat": int(la * semis),
                "position_long": int(lo * semis),
                "enhanced_altitude": float(el),
                "distance": float(d),
            },
        )
    seconds = (end - start).total_seconds()
    if session:
        rises = np.diff(points["ele"])
        enc.on_mesg(
            nums["SESSION"],
            {
                "timestamp": end,
                "start_time": start,
                "sport": sport,
                "sub_sport": sub_sport,
                "total_distance": float(step[-1]),
                "total_timer_time": seconds,
                "total_elapsed_time": seconds,
                "total_ascent": round(float(rises[rises > 0].sum())),
            },
        )
    fit_epoch = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)
    enc.on_mesg(
        nums["ACTIVITY"],
        {
            "timestamp": end,
            "local_timestamp": int((end - fit_epoch).total_seconds()) + utc_offset_s,
            "num_sessions": 1,
            "total_timer_time": seconds,
        },
    )
    return bytes(enc.close())


STRAVA_HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,"
    "Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,"
    "Average Speed,Elevation Gain,Elevation Loss"
)


def strava_row(
    activity_id: int,
    start: dt.datetime,
    kind: str,
    distance_m: float,
    seconds: float,
    gain_m: float,
    filename: str,
) -> str:
    """One line of a Strava export's activities.csv (its real column layout, dates in UTC)."""
    when = start.strftime("%b %-d, %Y, %-I:%M:%S %p")
    return (
        f'{activity_id},"{when}",Morning {kind},{kind},,{seconds:.0f},{distance_m / 1000:.2f},'
        f",,false,,,{filename},,,{seconds:.1f},{seconds:.1f},{distance_m:.1f},4.2,3.3,"
        f"{gain_m:.1f},{gain_m:.1f}"
    )


def strava_zip(rows: list[str], files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activities.csv", STRAVA_HEADER + "\n" + "\n".join(rows) + "\n")
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def synthetic_strava_export(
    activities: int = 2000, years: float = 5.0, seconds: int = 3600, seed: int = 14
) -> bytes:
    """A Strava bulk export: `activities` runs over `years`, each with a GPX file of `seconds`
    points (one a second), the activities.csv that lists them, deflated like Strava's.

    Eight hill profiles are drawn once; each file differs in its start time (so in its bytes),
    and the point text is assembled from arrays, so building 2,000 hour-long files takes
    seconds rather than minutes.
    """
    rng = np.random.default_rng(seed)
    first = dt.datetime(2021, 12, 1, 6, 0, tzinfo=dt.UTC)
    span_s = int(years * 365.25 * 86400)
    starts = np.sort(rng.choice(span_s // 60, size=activities, replace=False)) * 60
    offsets = np.arange(seconds + 1, dtype="timedelta64[s]")
    templates = []
    for i in range(8):
        pts = track(8.0 + i, 40.0 * i, seconds, lat0=45.0 + i / 10)
        prefix = [
            f'<trkpt lat="{la:.7f}" lon="{lo:.7f}"><ele>{el:.1f}</ele><time>'
            for la, lo, el in zip(pts["lat"], pts["lon"], pts["ele"], strict=True)
        ]
        climbs = np.diff(pts["ele"])
        templates.append((prefix, 8000.0 + 1000 * i, float(climbs[climbs > 0].sum())))
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="StravaGPX" '
        'xmlns="http://www.topografix.com/GPX/1/1"><trk><name>Run</name><type>running</type>'
        "<trkseg>"
    )
    tail = "</trkseg></trk></gpx>\n"
    rows = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for n, offset in enumerate(starts):
            start = first + dt.timedelta(seconds=int(offset))
            prefix, metres, gain = templates[n % len(templates)]
            base = np.datetime64(start.replace(tzinfo=None), "s")
            times = np.datetime_as_string(base + offsets) + "Z</time></trkpt>"
            body = "".join(map(str.__add__, prefix, times.tolist()))
            name = f"activities/{1000 + n}.gpx"
            zf.writestr(name, head + body + tail)
            kind = "Trail Run" if n % 3 == 0 else "Run"
            rows.append(strava_row(1000 + n, start, kind, metres, seconds, gain, name))
        zf.writestr("activities.csv", STRAVA_HEADER + "\n" + "\n".join(rows) + "\n")
    return buffer.getvalue()
