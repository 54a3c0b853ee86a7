"""GPX, TCX and FIT parsing: exact figures on generated files, real device files from the parser
projects, and every broken file refused with its name and what is wrong."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.activity_files import fit_bytes, gpx_bytes, tcx_bytes, track
from logic.io.activities import read_activities
from logic.io.activities.parsers import ActivityError, parse_activity

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "runs"
TEN_K = ["run_10k_100m.gpx", "run_10k_100m.tcx", "run_10k_100m.fit", "trail_10k_minus8h.fit.gz"]


@pytest.mark.parametrize("name", TEN_K)
def test_a_10_km_run_with_100_m_of_climbing_imports_as_such(name: str) -> None:
    runs = read_activities([FIXTURES / name]).runs
    assert len(runs) == 1
    run = runs.iloc[0]
    assert run["distance_km"] == pytest.approx(10.0, rel=0.02)
    assert run["elevation_gain_m"] == pytest.approx(100.0, abs=5)
    assert run["elapsed_s"] == pytest.approx(3000)
    assert run["moving_s"] == pytest.approx(3000, rel=0.02)
    assert str(run["start_utc"]) == "2026-11-02 07:00:00+00:00"
    assert run["source"] == name


def test_fit_sub_sport_and_the_watchs_utc_offset_are_kept() -> None:
    run = read_activities([FIXTURES / "trail_10k_minus8h.fit.gz"]).runs.iloc[0]
    assert run["sport"] == "trail_run"
    assert str(run["local_date"].date()) == "2026-11-01"  # 07:00 UTC is 23:00 the day before


def test_the_runners_time_zone_places_a_gpx_run_on_its_local_date() -> None:
    run = read_activities([FIXTURES / "run_10k_100m.gpx"], tz="Pacific/Honolulu").runs.iloc[0]
    assert str(run["local_date"].date()) == "2026-11-01"


def test_a_real_gpx_recording_from_gpxpy() -> None:
    run = read_activities([FIXTURES / "cerknicko-jezero.gpx"]).runs.iloc[0]
    assert run["sport"] == "run"  # a GPX without a type: the runner is importing runs
    assert run["distance_km"] == pytest.approx(4.58, abs=0.05)  # gpxpy's length_2d: 4.580 km
    assert run["elapsed_s"] == pytest.approx(7190)
    assert 50 < run["elevation_gain_m"] < 250


def test_a_real_tcx_paddle_session_is_skipped_not_counted() -> None:
    found = read_activities([FIXTURES / "sup_activity_1.tcx"])
    assert found.runs.empty
    assert found.skipped == {"other": 1}


def test_nothing_of_the_track_is_kept() -> None:
    runs = read_activities([FIXTURES / "run_10k_100m.gpx"]).runs
    assert not {"lat", "lon", "latitude", "longitude", "track"} & set(runs.columns)
    assert "46.0" not in runs.to_csv()


def test_treadmill_tcx_without_gps_uses_the_watchs_distance() -> None:
    points = track(8.0, 0.0, 2400, every_s=10)
    data = tcx_bytes(points).replace(b"<Position>", b"<!--").replace(b"</Position>", b"-->")
    activity = parse_activity("treadmill.tcx", data)
    assert activity.distance_km == pytest.approx(8.0, rel=0.01)


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


POINTS = track(5.0, 20.0, 1500, every_s=5)


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("cut.gpx", _truncated(gpx_bytes(POINTS)), "broken or truncated XML"),
        ("cut.tcx", _truncated(tcx_bytes(POINTS)), "broken or truncated XML"),
        ("cut.fit", _truncated(fit_bytes(POINTS)), "broken or truncated FIT"),
        ("cut.fit.gz", _truncated(gzip.compress(fit_bytes(POINTS))), "truncated gzip"),
        ("notes.txt", b"hello", "not an activity file"),
        ("photo.fit", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "not a FIT file"),
        ("course.fit", fit_bytes(POINTS, file_type="course"), "not an activity: a FIT course"),
        (
            "route.gpx",
            gpx_bytes(POINTS).replace(b"<trk>", b"<rte>").replace(b"</trk>", b"</rte>"),
            "no track",
        ),
    ],
)
def test_a_broken_file_is_refused_naming_it(name: str, data: bytes, says: str) -> None:
    with pytest.raises(ActivityError) as caught:
        read_activities([(name, data)])
    assert caught.value.message.startswith(name)
    assert says in caught.value.message


def test_a_gpx_without_timestamps_is_refused() -> None:
    data = gpx_bytes(POINTS)
    import re

    untimed = re.sub(rb"<time>[^<]*</time>", b"", data)
    with pytest.raises(ActivityError, match=r"untimed\.gpx: .*no timestamp"):
        read_activities([("untimed.gpx", untimed)])


def test_one_broken_file_stops_the_whole_import() -> None:
    good = ("good.gpx", gpx_bytes(POINTS))
    bad = ("bad.gpx", _truncated(gpx_bytes(POINTS)))
    with pytest.raises(ActivityError, match=r"bad\.gpx"):
        read_activities([good, bad])


def test_the_jump_between_two_track_segments_is_not_distance() -> None:
    """Auto-pause splits a GPX track into segments; the gap between them is not run."""
    import datetime as dt

    first = gpx_bytes(track(5.0, 0.0, 1500, every_s=5))
    later = track(
        5.0, 0.0, 1500, every_s=5, lat0=46.5, start=dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
    )
    second = gpx_bytes(later)
    seg = second[second.index(b"<trkseg>") : second.index(b"</trkseg>") + 9]
    both = first.replace(b"</trkseg>", b"</trkseg>" + seg, 1)
    activity = parse_activity("paused.gpx", both)
    assert activity.distance_km == pytest.approx(10.0, rel=0.01)  # not 10 km + 50 km of jump
    assert activity.elapsed_s == pytest.approx(3600 + 1500)
    assert activity.moving_s == pytest.approx(3000, rel=0.01)


def _with_times(data: bytes, rewrite: Callable[[bytes], bytes]) -> bytes:
    """The GPX with every <time> rewritten (zones, no zone)."""
    import re

    return re.sub(rb"<time>([^<]+)</time>", lambda m: b"<time>" + rewrite(m[1]) + b"</time>", data)


def _plus_two_hours(t: bytes) -> bytes:
    return t[:11] + b"%02d" % (int(t[11:13]) + 2) + t[13:-1] + b"+02:00"


@pytest.mark.parametrize(
    "rewrite",
    [
        pytest.param(lambda t: t, id="utc"),
        pytest.param(lambda t: t[:-1], id="no zone: read as UTC"),
        pytest.param(_plus_two_hours, id="+02:00"),
    ],
)
def test_gpx_times_in_any_zone_give_the_same_run(rewrite: Callable[[bytes], bytes]) -> None:
    activity = parse_activity("zoned.gpx", _with_times(gpx_bytes(POINTS), rewrite))
    assert str(activity.start_utc) == "2026-11-02 07:00:00+00:00"
    assert activity.elapsed_s == 1500
    assert activity.moving_s == pytest.approx(1500)
    assert activity.distance_km == pytest.approx(5.0, rel=0.001)


def test_gpx_times_some_with_a_zone_some_without_all_read_as_utc() -> None:
    seen = []

    def every_other(t: bytes) -> bytes:
        seen.append(t)
        return t if len(seen) % 2 else t[:-1]

    activity = parse_activity("mixed.gpx", _with_times(gpx_bytes(POINTS), every_other))
    assert str(activity.start_utc) == "2026-11-02 07:00:00+00:00"
    assert activity.elapsed_s == 1500
    assert activity.distance_km == pytest.approx(5.0, rel=0.001)


def test_a_gpx_whose_zone_changes_mid_run_keeps_its_true_times() -> None:
    """The same instants, the first half written at +02:00 and the rest in UTC: a wrong unit
    for the zone's offset would show as a jump in the middle."""
    seen = []

    def first_half_plus_two(t: bytes) -> bytes:
        seen.append(t)
        return _plus_two_hours(t) if len(seen) <= len(POINTS["time"]) // 2 else t

    activity = parse_activity("zones.gpx", _with_times(gpx_bytes(POINTS), first_half_plus_two))
    assert str(activity.start_utc) == "2026-11-02 07:00:00+00:00"
    assert activity.elapsed_s == 1500
    assert activity.moving_s == pytest.approx(1500)


def test_point_times_in_any_kind_of_zone_count_the_same_seconds() -> None:
    import datetime as dt

    from logic.io.activities.parsers import _seconds

    start = dt.datetime(2026, 3, 29, 0, 59, 58, 500_000)
    naive = [start + dt.timedelta(seconds=s) for s in (0, 1.25, 2, 3600)]
    paris = dt.timezone(dt.timedelta(hours=2))
    zoned = [t.replace(tzinfo=dt.UTC).astimezone(paris) for t in naive]
    mixed = [zoned[0], naive[1], zoned[2], naive[3]]
    for times in (naive, zoned, mixed):
        assert _seconds(times).tolist() == [0.0, 1.25, 2.0, 3600.0]
