"""Synthetic teams for benchmarks, screenshots and page tests: plausible weekly check-ins.

    python -m benchmarks.team_data sqlite:////tmp/team.db [--runners 40] [--weeks 16]

Every runner checks in once per ISO week for `weeks` weeks ending this week; a few weeks are
missed, and about one runner in eight has not checked in yet this week. Pain is mostly low,
warning signs are rare, and the OSTRC questions are answered most weeks, so the team page
shows a realistic mix instead of a wall of red flags. Typed as the database returns them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence

import numpy as np
import pandas as pd

from benchmarks.synthetic import synthetic_checkins
from logic import clock

TEAMS = ("Ridge Runners", "Valley Striders")


def team_checkins(
    runners: int = 500,
    weeks: int = 52,
    *,
    teams: Sequence[str] = TEAMS[:1],
    seed: int = 0,
    today: dt.date | None = None,
    missed: float = 0.05,
    not_yet: float = 0.125,
) -> pd.DataFrame:
    """`runners` x `weeks` check-ins (less the missed ones) of runners spread over `teams`.

    Runner i is named "Runner 001"... and is on teams[i % len(teams)]. Each check-in is dated
    the Wednesday of its week (today, if that is later, for this week). `missed` is the share
    of past weeks skipped at random; `not_yet` the share of runners without this week's check-in.
    """
    rng = np.random.default_rng(seed)
    n = runners * weeks
    frame = synthetic_checkins(n, seed=seed, runners=runners)
    today = today or clock.today()
    monday = pd.Timestamp(today) - pd.Timedelta(days=today.weekday())
    who = np.repeat(np.arange(runners), weeks)
    ago = np.tile(np.arange(weeks)[::-1], runners)
    names = np.char.add("Runner ", np.char.zfill(np.arange(1, runners + 1).astype(str), 3))
    frame["runner"] = pd.array(names[who], dtype="str")
    frame["team"] = pd.array(np.asarray(list(teams), dtype=object)[who % len(teams)], dtype="str")
    date = monday + pd.to_timedelta(2 - 7 * ago, unit="D")
    frame["date"] = date.where(date <= pd.Timestamp(today), pd.Timestamp(today))
    # A steadier, more believable team than uniform noise: each runner has a usual distance.
    usual = rng.gamma(6, 8, runners)[who]
    frame["weekly_km"] = (usual * rng.lognormal(0, 0.25, n)).round(1)
    frame["longest_run_km"] = (frame["weekly_km"] * rng.uniform(0.25, 0.45, n)).round(1)
    # Most weeks repeat the runner's usual answers (their first week), so risk moves slowly.
    usual_row = who * weeks
    same = rng.random(n) < 0.8
    for column in ("pain_locations", "pain_triggers", "training_changes", "limitations", "sex"):
        frame[column] = frame[column].where(~same, frame[column].to_numpy()[usual_row])
    frame["pain_level"] = rng.binomial(10, 0.22, n)
    participation = rng.choice(4, n, p=[0.7, 0.18, 0.09, 0.03]).astype("float64")
    frame["ostrc_participation"] = pd.array(
        np.where(rng.random(n) < 0.15, np.nan, participation)
    ).astype("Int64")
    for column in ("ostrc_training", "ostrc_performance", "ostrc_pain"):
        answer = np.minimum(participation, rng.integers(0, 4, n)).astype("float64")
        frame[column] = pd.array(np.where(participation == 0, 0, answer)).astype("Int64")
    signs = np.where(
        rng.random(n) < 0.02, "swelling", np.where(rng.random(n) < 0.01, "numbness", "")
    )
    frame["warning_signs"] = pd.array(signs, dtype="str")
    keep = (rng.random(n) >= missed) | (ago == 0)
    keep &= ~((ago == 0) & (rng.random(runners)[who] < not_yet))
    return frame[keep].reset_index(drop=True)


def seed_store(url: str, **kwargs: object) -> int:
    """Import team_checkins(**kwargs) into the database at `url`; returns the rows inserted."""
    from logic.storage.store import get_store

    return get_store(url).import_checkins(team_checkins(**kwargs)).inserted  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.team_data")
    parser.add_argument("url", help="database URL, e.g. sqlite:////tmp/team.db")
    parser.add_argument("--runners", type=int, default=40)
    parser.add_argument("--weeks", type=int, default=16)
    parser.add_argument("--teams", type=int, default=2, help=f"1-{len(TEAMS)}")
    args = parser.parse_args(argv)
    inserted = seed_store(
        args.url, runners=args.runners, weeks=args.weeks, teams=TEAMS[: max(1, args.teams)]
    )
    print(f"inserted {inserted} check-ins of {args.runners} runners into {args.url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
