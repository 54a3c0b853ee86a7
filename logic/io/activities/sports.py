"""One name per sport, whatever the device or export calls it; only running counts as load.

Strava, Garmin Connect, FIT, TCX and GPX each spell sports their own way ("Trail Run",
"trail_running", "Running" + sub-sport "treadmill", Strava's numeric GPX type 9). Everything is
folded to lower-case words joined by "_" and looked up here. The three running sports are the
ones the load signals use; anything else is listed as skipped under its folded name.
"""

from __future__ import annotations

import re

RUN = "run"
TRAIL_RUN = "trail_run"
TREADMILL_RUN = "treadmill_run"
RUNNING_SPORTS = (RUN, TRAIL_RUN, TREADMILL_RUN)

_ALIASES = {
    # running
    "run": RUN,
    "running": RUN,
    "road_running": RUN,
    "street_running": RUN,
    "track_running": RUN,
    "virtual_run": TREADMILL_RUN,
    "virtual_running": TREADMILL_RUN,
    "indoor_running": TREADMILL_RUN,
    "treadmill": TREADMILL_RUN,
    "treadmill_run": TREADMILL_RUN,
    "treadmill_running": TREADMILL_RUN,
    "trail_run": TRAIL_RUN,
    "trail_running": TRAIL_RUN,
    "trail": TRAIL_RUN,
    "ultra_run": TRAIL_RUN,
    "9": RUN,  # Strava's GPX activity type for a run
    # the common others, under one name each
    "ride": "ride",
    "biking": "ride",
    "cycling": "ride",
    "road_biking": "ride",
    "mountain_biking": "ride",
    "virtual_ride": "ride",
    "indoor_cycling": "ride",
    "e_bike_ride": "ride",
    "1": "ride",
    "walk": "walk",
    "walking": "walk",
    "10": "walk",
    "hike": "hike",
    "hiking": "hike",
    "4": "hike",
    "swim": "swim",
    "swimming": "swim",
    "pool_swim": "swim",
    "lap_swimming": "swim",
    "open_water_swimming": "swim",
}


def fold(label: object) -> str:
    """'Trail Run', 'trail-running' -> 'trail_run' / 'trail_running'; empty -> ''."""
    text = "" if label is None else str(label)
    return re.sub(r"[^0-9a-z]+", "_", text.strip().lower()).strip("_")


def canonical(label: object, sub_label: object = None) -> str:
    """The one name of a sport; a FIT/TCX sub-sport (trail, treadmill) refines a run."""
    sport = _ALIASES.get(fold(label), fold(label) or "unknown")
    sub = _ALIASES.get(fold(sub_label), "")
    if sport == RUN and sub in (TRAIL_RUN, TREADMILL_RUN):
        return sub
    return sport


def is_running(sport: str) -> bool:
    return sport in RUNNING_SPORTS
