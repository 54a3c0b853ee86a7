"""How much slower is the Team page than an empty page, for a team of 500 runners x 52 weeks?

    python -m benchmarks.bench_team_page [--runs 20] [--runners 500] [--weeks 52] [--check]
                                         [--parts]

Seeds a fresh SQLite file with one team (benchmarks.team_data), then in the same run times N
AppTest reruns of pages/team.py, of the same page for a 10-runner team (to show what grows
with the team), of a skeleton with the page's elements but tiny fixed data and no database
(the floor for a page this size), and of an empty page (a bare st.title script). All pay
AppTest's own overhead, so their ratios hold on a noisy machine where absolute times do not.
The first run (reading, scoring and caching the whole team) is timed once and printed apart.
Target: best team-page rerun <= 5x the best empty-page rerun. --parts times the pieces that
every rerun pays (the two database reads and the cached view) outside Streamlit.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks.bench_history_page import EMPTY_PAGE, timed
from benchmarks.bench_scoring import Timing, machine, verdict
from benchmarks.team_data import team_checkins

ROOT = Path(__file__).resolve().parent.parent

# The team page's kinds and number of elements with tiny fixed data and no database: the floor
# that Streamlit and AppTest cost for a page this size, whatever the team.
SKELETON = """
import datetime as dt
import streamlit as st
point = {"mark": "point", "data": {"values": [{"a": 1}]},
         "encoding": {"x": {"field": "a", "type": "quantitative"}}}
cells = {"mark": "rect", "data": {"values": [{"a": 1}]},
         "params": [{"name": "runner", "select": {"type": "point", "fields": ["a"]}}],
         "encoding": {"x": {"field": "a", "type": "nominal"}}}
st.title("Team")
a, b, c = st.columns([3, 3, 2])
a.multiselect("Team", ["A", "B"], default=["A"], key="t")
b.date_input("Dates", value=(dt.date(2026, 1, 5), dt.date(2026, 3, 1)), key="d")
c.selectbox("Condition", ["x", "y"], key="c")
st.selectbox("Week", [1, 2], key="w")
st.subheader("This week at a glance")
st.markdown("**1 of 2** runners checked in")
with st.expander("Not checked in yet (1)"):
    st.markdown("Bob")
st.error("Red flags", icon="🩺")
st.markdown("| Condition | Moderate | High |\\n| :-- | --: | --: |\\n| Knee | 1 | 2 |")
st.subheader("Watch list")
st.container().markdown("- **Ann**: up")
st.caption("Why")
st.subheader("Runners by condition")
st.vega_lite_chart(cells, on_select="rerun", selection_mode="runner", key="h")
st.caption("Tap")
st.selectbox("Show", [25, 50], key="r")
st.selectbox("Open a runner's history", ["A"], index=None, key="o")
for title in ("Share", "Average", "Problems"):
    st.subheader(title)
    st.vega_lite_chart(point)
st.caption("Mean")
st.subheader("Export")
st.download_button("Download", lambda: b"x", "f.csv", on_click="ignore", key="e")
st.caption("Columns")
st.caption("Disclaimer")
"""  # fmt: skip
TEAM = "Ridge Runners"
SMALL_TEAM = "Valley Striders"
TARGET_RATIO = 5.0


def page(team: str) -> object:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "team.py"), default_timeout=300)
    at.session_state["team_filters"] = {"teams": [team]}
    return at


def page_runs(runs: int) -> tuple[float, dict[str, Timing]]:
    from streamlit.testing.v1 import AppTest

    big, small = page(TEAM), page(SMALL_TEAM)
    empty = AppTest.from_string(EMPTY_PAGE, default_timeout=120)
    skeleton = AppTest.from_string(SKELETON, default_timeout=120)
    start = time.perf_counter()
    big.run()
    first = time.perf_counter() - start
    for at in (big, small, empty, skeleton):  # warm-up: imports, first query, caches
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    shown = len(big.get("vega_lite_chart"))
    assert shown == 4, f"expected 4 charts on the team page, got {shown}"
    assert big.multiselect[0].value == [TEAM]
    runs_of = {
        "team": big.run,
        "small": small.run,
        "skeleton": skeleton.run,
        "empty": empty.run,
        # A fresh AppTest per run (a new session; the data cache stays warm, as on a server).
        "team load": lambda: page(TEAM).run(),
        "empty load": lambda: AppTest.from_string(EMPTY_PAGE, default_timeout=120).run(),
    }
    return first, timed(runs_of, runs)


def part_runs(runs: int) -> dict[str, Timing]:
    """What every rerun pays outside Streamlit's element handling."""
    from logic.analysis.team import checkins_version, roster, scored_team
    from logic.charts.team import team_view
    from logic.storage.access import ScopedStore, Viewer
    from logic.storage.store import get_store

    store = ScopedStore(get_store(), Viewer.personal())
    names = tuple(roster(store.list_runners(), [TEAM])["runner"])
    scored = scored_team(store.all_checkins(list(names)))
    last = scored["week_start"].max()
    week, period = last.date(), ((last - pd.Timedelta(weeks=11)).date(), last.date())
    return timed(
        {
            "store.list_runners": store.list_runners,
            "checkins_version": lambda: checkins_version(store),
            "team_view (a cache miss)": lambda: team_view(scored, names, period, week),
        },
        max(1, runs // 4),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_team_page")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--runners", type=int, default=500)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    parser.add_argument("--parts", action="store_true", help="also time the rerun's pieces")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    with tempfile.TemporaryDirectory(prefix="bench-team-") as tmp:
        os.environ["STRIDE_CHECK_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.db'}"
        from logic.storage.store import dispose_stores, get_store

        try:
            store = get_store()
            big = store.import_checkins(team_checkins(args.runners, args.weeks, teams=(TEAM,)))
            small = team_checkins(10, args.weeks, teams=(SMALL_TEAM,), seed=1)
            small["runner"] = "Small " + small["runner"]
            store.import_checkins(small)
            first, t = page_runs(args.runs)
            parts = part_runs(args.runs) if args.parts else {}
        finally:
            dispose_stores()

    team, empty, few = t["team"], t["empty"], t["small"]
    ratio, ratio_median = team.best / empty.best, team.median / empty.median
    print(machine())
    print(
        f"seeded: {args.runners} runners x {args.weeks} weeks = {big.inserted} check-ins "
        f"(+ a 10-runner team)   runs: {args.runs} (after 1)"
    )
    print(f"team page, first run (read + score + cache): {first:8.4f} s")
    print(f"team page   (AppTest rerun): {team}")
    print(f"10 runners  (AppTest rerun): {few}   ratio {few.best / empty.best:.2f}x empty")
    skeleton = t["skeleton"]
    print(
        f"same elements, no data or database (AppTest rerun): {skeleton}   "
        f"ratio {skeleton.best / empty.best:.2f}x empty"
    )
    print(f"empty page  (AppTest rerun): {empty}")
    load, empty_load = t["team load"], t["empty load"]
    print(f"team page   (fresh AppTest + run): {load}")
    print(f"empty page  (fresh AppTest + run): {empty_load}")
    load_ratio = load.best / empty_load.best
    print(
        f"fresh run: team <= {TARGET_RATIO:g}x empty: {load_ratio:.2f}x "
        f"(median {load.median / empty_load.median:.2f}x) -> {verdict(load_ratio <= TARGET_RATIO)}"
    )
    for name, timing in parts.items():
        print(f"  part {name:<28} {timing}")
    met = ratio <= TARGET_RATIO
    print(
        f"rerun: team <= {TARGET_RATIO:g}x empty: {ratio:.2f}x "
        f"(median {ratio_median:.2f}x) -> {verdict(met)}"
    )
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
