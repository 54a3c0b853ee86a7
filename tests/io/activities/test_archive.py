"""Strava exports, Garmin Connect CSV, gzip and zip: runs counted, others skipped by sport,
repeats dropped, and zip bombs and empty archives refused with the limits named."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import zipfile

import pytest

from benchmarks.activity_files import (
    START,
    fit_bytes,
    gpx_bytes,
    strava_row,
    strava_zip,
    track,
)
from logic.io.activities import archive, read_activities
from logic.io.activities.parsers import ActivityError

DAY = dt.timedelta(days=1)


def _export(parse_gpx_figures: bool = False) -> bytes:
    """Two runs (one trail run as GPX, one road run as gzipped FIT), a ride, two walks, a swim."""
    gpx = gpx_bytes(track(12.0, 300.0, 4200, every_s=10, start=START))
    fit = fit_bytes(track(8.0, 50.0, 2400, every_s=10, start=START + DAY))
    rows = [
        strava_row(101, START, "Trail Run", 12000, 4200, 300, "activities/101.gpx"),
        strava_row(102, START + DAY, "Run", 8000, 2400, 50, "activities/102.fit.gz"),
        strava_row(103, START + 2 * DAY, "Ride", 40000, 5400, 400, "activities/103.fit.gz"),
        strava_row(104, START + 3 * DAY, "Walk", 3000, 1800, 10, ""),
        strava_row(105, START + 10 * DAY, "Walk", 3000, 1800, 10, ""),
        strava_row(106, START + 11 * DAY, "Swim", 1500, 1800, 0, ""),
    ]
    files = {"activities/101.gpx": gpx, "activities/102.fit.gz": gzip.compress(fit)}
    return strava_zip(rows, files)


@pytest.mark.parametrize("parse_files", [False, True])
def test_a_strava_export_counts_runs_and_lists_the_rest_as_skipped(parse_files: bool) -> None:
    found = read_activities([("export.zip", _export())], parse_files=parse_files)
    runs = found.runs
    assert runs["sport"].tolist() == ["trail_run", "run"]
    assert runs["distance_km"].tolist() == pytest.approx([12.0, 8.0], rel=0.02)
    assert runs["elevation_gain_m"].tolist() == pytest.approx([300, 50], abs=5)
    assert found.skipped == {"walk": 2, "ride": 1, "swim": 1}
    assert found.weeks == 1
    assert found.summary() == "2 runs in 1 week; 4 skipped (2 walk, 1 ride, 1 swim)"


def test_the_csv_and_the_files_give_the_same_start_times() -> None:
    by_csv = read_activities([("e.zip", _export())]).runs
    by_files = read_activities([("e.zip", _export())], parse_files=True).runs
    assert by_csv["start_utc"].tolist() == by_files["start_utc"].tolist()


def test_the_same_run_twice_in_one_import_counts_once() -> None:
    gpx = gpx_bytes(track(5.0, 0.0, 1500, every_s=10))
    found = read_activities([("a.gpx", gpx), ("copy.gpx", gpx), ("a.gpx.gz", gzip.compress(gpx))])
    assert len(found.runs) == 1
    assert found.repeats == 2


def test_a_garmin_connect_csv_in_the_runners_time_zone() -> None:
    text = (
        "Activity Type,Date,Favorite,Title,Distance,Calories,Time,Total Ascent,Moving Time,"
        "Elapsed Time\n"
        "Trail Running,2026-11-03 06:30:00,false,Hills,14.20,900,01:40:00,620,01:35:00,01:40:00\n"
        "Running,2026-11-05 18:00:00,false,Easy,8.00,500,00:45:00,--,00:44:30,00:45:00\n"
        "Cycling,2026-11-06 18:00:00,false,Ride,30.00,500,01:00:00,200,01:00:00,01:00:00\n"
    )
    found = read_activities([("Activities.csv", text.encode())], tz="Europe/Paris")
    runs = found.runs
    assert runs["sport"].tolist() == ["trail_run", "run"]
    assert runs["distance_km"].tolist() == [14.2, 8.0]
    assert str(runs["start_utc"].iloc[0]) == "2026-11-03 05:30:00+00:00"
    assert runs["moving_s"].tolist() == [5700, 2670]
    assert runs["elevation_gain_m"].isna().tolist() == [False, True]
    assert found.skipped == {"ride": 1}


def test_a_bad_date_in_an_activities_csv_names_its_line() -> None:
    text = "Activity Type,Date,Distance\nRunning,2026-11-03 06:30:00,5\nRunning,yesterday,5\n"
    with pytest.raises(ActivityError, match=r"a\.csv: line 3, column 'Date': got 'yesterday'"):
        read_activities([("a.csv", text.encode())])


def test_a_csv_that_is_not_an_activity_list() -> None:
    with pytest.raises(ActivityError, match="not an activities CSV"):
        read_activities([("checkins.csv", b"runner,date\nann,2026-11-02\n")])


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_with_no_activities_is_refused() -> None:
    with pytest.raises(ActivityError, match=r"empty\.zip: no activities in the zip"):
        read_activities([("empty.zip", _zip({"readme.txt": b"hi"}))])


def test_a_zip_of_plain_activity_files_without_a_csv() -> None:
    gpx = gpx_bytes(track(5.0, 0.0, 1500, every_s=10))
    found = read_activities([("runs.zip", _zip({"a/run.gpx": gpx}))])
    assert found.runs["source"].tolist() == ["runs.zip: a/run.gpx"]


def test_a_zip_bomb_is_refused_with_the_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_UNCOMPRESSED_BYTES", 1_000_000)
    bomb = _zip({"activities/1.gpx": b" " * 5_000_000})  # 5 MB of spaces: a few KB zipped
    assert len(bomb) < 20_000
    with pytest.raises(ActivityError) as caught:
        read_activities([("bomb.zip", bomb)])
    assert "bomb.zip" in caught.value.message
    assert "the limits are at most" in caught.value.message
    assert "MB unpacked" in caught.value.message


def test_too_many_files_in_a_zip_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_ARCHIVE_FILES", 10)
    many = _zip({f"activities/{i}.gpx": b"x" for i in range(11)})
    with pytest.raises(ActivityError, match=r"holds 11 files.*at most 10 files"):
        read_activities([("many.zip", many)])


def test_a_member_that_unpacks_beyond_its_declared_size_is_caught() -> None:
    """A forged header (declared size small) cannot make the reader take more than declared."""
    data = _zip({"activities/1.gpx": b"a" * 100_000})
    forged = bytearray(data)
    # Patch the uncompressed size (central directory and local header) down to 10 bytes.
    central = forged.rfind(b"PK\x01\x02")
    forged[central + 24 : central + 28] = (10).to_bytes(4, "little")
    forged[22:26] = (10).to_bytes(4, "little")
    with pytest.raises(ActivityError, match=r"forged\.zip"):
        read_activities([("forged.zip", bytes(forged))])


def test_a_gzip_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", 1_000_000)
    with pytest.raises(ActivityError, match=r"big\.gpx\.gz: unpacks to more than 1 MB"):
        read_activities([("big.gpx.gz", gzip.compress(b" " * 3_000_000))])


def test_an_activities_csv_naming_a_missing_file() -> None:
    rows = [strava_row(1, START, "Run", 5000, 1500, 0, "activities/1.gpx")]
    with pytest.raises(ActivityError, match=r"names activities/1\.gpx, which is not in the zip"):
        read_activities([("e.zip", strava_zip(rows, {}))], parse_files=True)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ActivityError, match="time zone 'Mars/Olympus' is unknown"):
        read_activities([("a.gpx", b"")], tz="Mars/Olympus")
