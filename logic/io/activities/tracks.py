"""A recorded track's figures from its points, as whole arrays: distance, times, climbing.

Every parser (GPX, TCX, FIT records) hands its points here as NumPy arrays, so one set of
rules decides what "moving" and "climbing" mean whatever the device. Only these figures leave
the parser: the coordinates are dropped once they are summed (a track shows where someone
lives).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
# Slower than this between two points counts as standing (a walk up a steep trail is ~0.8 m/s).
MOVING_MIN_SPEED_MS = 0.5
# A gap longer than this between two points is a pause (auto-pause, a stop at a crossing).
MAX_MOVING_GAP_S = 30.0
# Elevation noise: altitudes are averaged over this many points before climbs are summed.
ELEVATION_SMOOTHING_POINTS = 5


@dataclass(frozen=True)
class TrackFigures:
    distance_m: float
    moving_s: float
    elapsed_s: float
    elevation_gain_m: float | None


def haversine_m(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """The length of each step between consecutive points (n-1 values), in metres."""
    phi = np.radians(lat)
    lam = np.radians(lon)
    dphi = np.diff(phi)
    dlam = np.diff(lam)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi[:-1]) * np.cos(phi[1:]) * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def elevation_gain(ele: np.ndarray) -> float | None:
    """Metres climbed: the rises of the smoothed altitude, summed (None without altitudes)."""
    ele = ele[~np.isnan(ele)]
    if len(ele) < 2:
        return None
    k = min(ELEVATION_SMOOTHING_POINTS, len(ele))
    if k > 1:
        padded = np.concatenate([np.full(k // 2, ele[0]), ele, np.full(k - 1 - k // 2, ele[-1])])
        ele = np.convolve(padded, np.ones(k) / k, mode="valid")
    rises = np.diff(ele)
    return float(rises[rises > 0].sum())


def figures(
    seconds: np.ndarray,
    step_m: np.ndarray,
    ele: np.ndarray,
    *,
    breaks: np.ndarray | None = None,
) -> TrackFigures:
    """Figures of a track from its time stamps (s), its n-1 step lengths (m) and altitudes.

    `breaks` marks steps that cross from one segment to the next (not run, not counted).
    """
    dt = np.maximum(np.diff(seconds), 0.0)  # a clock glitch backwards is a standstill
    step = np.where(np.isnan(step_m), 0.0, step_m)
    if breaks is not None:
        step = np.where(breaks, 0.0, step)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(dt > 0, step / dt, 0.0)
    moving = (speed >= MOVING_MIN_SPEED_MS) & (dt <= MAX_MOVING_GAP_S)
    if breaks is not None:
        moving &= ~breaks
    elapsed = float(seconds.max() - seconds[0]) if len(seconds) else 0.0
    return TrackFigures(
        distance_m=float(step.sum()),
        moving_s=float(dt[moving].sum()),
        elapsed_s=elapsed,
        elevation_gain_m=elevation_gain(ele),
    )
