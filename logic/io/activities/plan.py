"""The Import & export page's two steps for recorded runs: read and preview, then store.

`plan_runs_import` reads every file (all or nothing), finds which runs the runner already has,
and returns a preview per ISO week; nothing is written. `apply_runs_import` then stores the
new runs in one transaction, through the access rules (logic.storage.access).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from logic.errors import StrideCheckError
from logic.io.activities import ActivityImport, read_activities
from logic.storage.access import ScopedStore
from logic.storage.runs import RunImportResult
from logic.weeks import week_labels, week_starts

PREVIEW_COLUMNS = ["week", "runs", "new", "distance_km", "longest_run_km", "elevation_gain_m"]


@dataclass(frozen=True)
class RunsPlan:
    runner: str
    found: ActivityImport | None = None
    stored: pd.Series = field(default_factory=lambda: pd.Series(dtype=bool))
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and self.found is not None

    @property
    def new(self) -> int:
        return int((~self.stored).sum()) if self.ok else 0

    @property
    def already_stored(self) -> int:
        return int(self.stored.sum()) if self.ok else 0

    @property
    def preview(self) -> pd.DataFrame:
        """One row per ISO week with runs, newest first: counts, distance, longest, climbing."""
        assert self.found is not None
        runs = self.found.runs.assign(new=~self.stored.to_numpy(dtype=bool))
        runs["week_start"] = week_starts(runs["local_date"])
        weeks = (
            runs.groupby("week_start")
            .agg(
                runs=("distance_km", "size"),
                new=("new", "sum"),
                distance_km=("distance_km", "sum"),
                longest_run_km=("distance_km", "max"),
                elevation_gain_m=("elevation_gain_m", "sum"),
            )
            .reset_index()
            .sort_values("week_start", ascending=False)
        )
        weeks["week"] = week_labels(weeks["week_start"])
        weeks["new"] = weeks["new"].astype("int64")
        return weeks[PREVIEW_COLUMNS].round(1).reset_index(drop=True)

    def summary(self) -> str:
        assert self.found is not None
        return f"{self.found.summary()}. {self.new} new, {self.already_stored} already stored."


def plan_runs_import(
    files: Sequence[tuple[str, bytes]], store: ScopedStore, runner: str, *, tz: str = "UTC"
) -> RunsPlan:
    """Read and check every file; the error names the file and what is wrong."""
    try:
        found = read_activities(files, tz=tz)
    except StrideCheckError as exc:
        return RunsPlan(runner=runner, error=exc.message)
    stored = store.runs_already_stored(runner, found.runs)
    return RunsPlan(runner=runner, found=found, stored=stored)


def apply_runs_import(plan: RunsPlan, store: ScopedStore) -> RunImportResult:
    assert plan.found is not None
    return store.import_runs(plan.runner, plan.found.runs)
