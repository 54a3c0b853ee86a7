"""Time a 50,000-row check-in import into a fresh SQLite file (prints the figures).

Run from the repo root: python -m benchmarks.bench_import [rows]
Not a test: timings depend on the machine; the brief's budget is well under 5 s.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from benchmarks.synthetic import subset_strings
from logic.storage.store import SPECS, Store

T = TypeVar("T")


def random_checkins(n: int, seed: int = 7, prefix: str = "runner") -> pd.DataFrame:
    """n valid check-ins: 1,000 runners, one check-in per runner per ISO week (vectorised)."""
    rng = np.random.default_rng(seed)
    n_runners = min(1000, n)
    idx = np.arange(n)
    frame = pd.DataFrame(
        {
            "runner": np.char.add(prefix, (idx % n_runners).astype(str)),
            "date": pd.Timestamp("2015-01-05")
            + pd.to_timedelta((idx // n_runners) * 7 + rng.integers(0, 7, n), unit="D"),
            "team": rng.choice(np.array(["Trail Cats", "Hill Goats", None], dtype=object), n),
            "pain_level": rng.integers(0, 11, n),
            "weekly_km": rng.uniform(45, 150, n).round(1),
            "longest_run_km": rng.uniform(0, 45, n).round(1),
            "sitting_hours": rng.uniform(0, 14, n).round(1),
            "strength_sessions": rng.integers(0, 5, n),
            "mobility_sessions": rng.integers(0, 5, n),
            "sex": rng.choice(np.array(["female", "male", "other", "unspecified"]), n),
        }
    )
    for name, spec in SPECS.items():
        if spec.type == "set":  # members in random order, to exercise canonical sorting
            vocab = np.array(list(spec.values))[rng.permutation(len(spec.values))]
            picks = rng.random((n, len(vocab))) < 0.2
            frame[name] = subset_strings(list(vocab), picks)
    return frame


def _timed(label: str, fn: Callable[[], T]) -> T:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<44} {wall:5.2f} s wall  {cpu:5.2f} s CPU")
    return out


def run(store: Store, rows: int) -> None:
    frame = random_checkins(rows)
    new = _timed(
        f"import {rows:,} new rows (one transaction)",
        lambda: store.import_checkins(frame, on_conflict="error"),
    )
    again = _timed(
        f"import {rows:,} rows again, replace all",
        lambda: store.import_checkins(frame, on_conflict="replace"),
    )
    back = _timed(f"all_checkins() -> DataFrame of {rows:,}", store.all_checkins)
    store.dispose()
    assert new.inserted == rows and again.replaced == rows and len(back) == rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Import speed of Store.import_checkins.")
    parser.add_argument("rows", nargs="?", type=int, default=50_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; {args.db}")
    if args.db == "postgres":
        from benchmarks.load_checkins import pg_cluster  # a throwaway cluster

        with pg_cluster() as cluster:
            run(Store(cluster.create_database("bench_import")), args.rows)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(Store(f"sqlite:///{Path(tmp) / 'bench.db'}"), args.rows)


if __name__ == "__main__":
    main()
