"""How much slower is the History page than an empty page, with five years of check-ins?

    python -m benchmarks.bench_history_page [--runs 20] [--check] [--parts]

Seeds a fresh SQLite file with one runner and five years of weekly check-ins (260 weeks, 5
missed), then in the same run times, taking turns so load bursts hit both alike:

* page loads: N x (a new AppTest of pages/history.py, runner chosen, .run()) against N x (a
  new AppTest of an empty page, a bare st.title script, .run()): what opening the page costs,
  AppTest's own start-up included;
* reruns: N x .run() of one AppTest each: what every click on the page costs, the page's own
  work laid bare (an empty rerun is about 2 ms).

Target: best page load <= 3x the best empty load. The rerun ratio is printed against the same
3x but not checked: with every result cached, a rerun still reads the runner's check-ins
from the database (the cache key is their digest) and marshals 4 charts, 2 tables and the
widgets, which alone is well over 3 empty reruns. --parts times pieces outside Streamlit.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.bench_scoring import Timing, machine, verdict
from benchmarks.synthetic import synthetic_checkins
from logic import clock

ROOT = Path(__file__).resolve().parent.parent

RUNNER = "Five Year Fay"
WEEKS = 260
TARGET_RATIO = 3.0
EMPTY_PAGE = 'import streamlit as st\n\nst.title("Empty")\n'


def five_years(runner: str = RUNNER, weeks: int = WEEKS) -> pd.DataFrame:
    """`weeks` weekly check-ins of one runner, ending this week, a few weeks missed."""
    frame = synthetic_checkins(weeks, seed=3, runners=1)
    today = pd.Timestamp(clock.today())
    monday = today - pd.Timedelta(days=today.weekday())
    frame["runner"] = runner
    frame["date"] = monday - pd.to_timedelta(np.arange(weeks)[::-1] * 7 - 2, unit="D")
    frame["date"] = frame["date"].where(frame["date"] <= today, monday)
    keep = np.ones(weeks, dtype=bool)
    keep[[20, 21, 90, 150, 200]] = False  # missed weeks: gaps the charts must show
    return frame[keep].reset_index(drop=True)


def timed(fns: dict[str, Callable[[], object]], runs: int) -> dict[str, Timing]:
    """Best and median of `runs` calls each, taking turns so load bursts hit both alike."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: Timing(min(t), statistics.median(t)) for name, t in times.items()}


def page_runs(runs: int) -> dict[str, Timing]:
    from streamlit.testing.v1 import AppTest

    def history_app() -> AppTest:
        at = AppTest.from_file(str(ROOT / "pages" / "history.py"), default_timeout=120)
        at.session_state["runner"] = RUNNER
        return at

    def empty_app() -> AppTest:
        return AppTest.from_string(EMPTY_PAGE, default_timeout=120)

    history, empty = history_app(), empty_app()
    for at in (history, empty):  # warm-up: imports, first query, caches
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    shown = len(history.get("vega_lite_chart"))
    assert shown == 4, f"expected 4 charts on the history page, got {shown}"
    return timed(
        {
            "history load": lambda: history_app().run(),
            "empty load": lambda: empty_app().run(),
            "history rerun": history.run,
            "empty rerun": empty.run,
        },
        runs,
    )


def part_runs(runs: int) -> dict[str, Timing]:
    """The page's work outside Streamlit: where the time goes when the ratio is missed."""
    from logic.analysis.load import weekly_load
    from logic.analysis.trends import (
        checkin_table,
        recent,
        scored_history,
        trend_long,
        week_over_week,
    )
    from logic.charts.history import acute_chronic_chart, severity_chart, weekly_distance_chart
    from logic.charts.risk import risk_trend_chart
    from logic.knowledge import knowledge_base
    from logic.storage.store import get_store

    kb = knowledge_base()
    history = get_store().history(RUNNER)
    scored = scored_history(history, kb)
    load = weekly_load(history, kb)
    shown, shown_load = recent(scored, 26), recent(load, 26)
    return timed(
        {
            "store.history": lambda: get_store().history(RUNNER),
            "scored + load + alerts + table": lambda: (
                week_over_week(scored_history(history, kb), kb),
                weekly_load(history, kb),
                checkin_table(scored, kb),
            ),
            "4 charts to_dict (no validation)": lambda: [
                c.to_dict(validate=False)
                for c in (
                    risk_trend_chart(trend_long(shown, kb), kb.thresholds),
                    weekly_distance_chart(shown_load),
                    acute_chronic_chart(shown_load, kb.load.acute_chronic),
                    severity_chart(shown),
                )
            ],
        },
        runs,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_history_page")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    parser.add_argument("--parts", action="store_true", help="also time the page's pieces")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
        os.environ["STRIDE_CHECK_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.db'}"
        from logic.storage.store import dispose_stores, get_store

        try:
            result = get_store().import_checkins(five_years())
            t = page_runs(args.runs)
            parts = part_runs(args.runs) if args.parts else {}
        finally:
            dispose_stores()

    print(machine())
    print(f"seeded: 1 runner, {result.inserted} weekly check-ins   runs: {args.runs} (after 1)")
    verdicts = {}
    for mode in ("load", "rerun"):
        history, empty = t[f"history {mode}"], t[f"empty {mode}"]
        ratio, ratio_median = history.best / empty.best, history.median / empty.median
        verdicts[mode] = ratio <= TARGET_RATIO
        print(f"history page {mode:<6} (AppTest): {history}")
        print(f"empty page   {mode:<6} (AppTest): {empty}")
        print(
            f"  {mode}: history <= {TARGET_RATIO:g}x empty: {ratio:.2f}x "
            f"(median {ratio_median:.2f}x) -> {verdict(verdicts[mode])}"
            + ("" if mode == "load" else "  [informative, not checked]")
        )
    for name, timing in parts.items():
        print(f"  part {name:<30} {timing}")
    return 1 if args.check and not verdicts["load"] else 0


if __name__ == "__main__":
    sys.exit(main())
