"""Who may see and change which check-ins. Every read and write of the pages goes through here.

Hiding a button is not access control: a page gets a ScopedStore, not the Store, so a
runner cannot read another runner's check-ins through any page, query parameter, export or
import. Personal mode (one machine, no sign-in) has a viewer who may see everything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from logic.errors import AccessError
from logic.profile import RunnerProfile
from logic.storage import audit, notes
from logic.storage.accounts import User
from logic.storage.audit import Actor
from logic.storage.runs import RunImportResult, RunStore
from logic.storage.store import ImportResult, Store


class AccessDenied(AccessError):
    """The signed-in user may not see or change this (an AccessError, not a StorageError)."""


@dataclass(frozen=True)
class Viewer:
    """The person using the app, as far as access is concerned."""

    role: Literal["personal", "runner", "coach", "admin"]
    runner: str | None = None  # the runner this person is, if any
    teams: tuple[str, ...] = ()  # teams a coach coaches
    name: str = ""
    user_id: int | None = None  # the account, in team mode

    @classmethod
    def personal(cls) -> Viewer:
        return cls(role="personal", name="this device")

    @classmethod
    def of(cls, user: User) -> Viewer:
        return cls(
            role=user.role,
            runner=user.runner,
            teams=user.teams,
            name=user.display_name,
            user_id=user.id,
        )

    @property
    def actor(self) -> Actor:
        """This person as the audit trail and the notes name them."""
        return Actor(self.name or self.role, self.user_id, self.role)

    @property
    def sees_everyone(self) -> bool:
        return self.role in ("personal", "admin")


class ScopedStore:
    """The Store's reading and writing, limited to what the viewer may see."""

    def __init__(self, store: Store, viewer: Viewer) -> None:
        self.store = store
        self.viewer = viewer
        self.where = store.where

    # --- who is visible -------------------------------------------------------------------

    def list_runners(self) -> pd.DataFrame:
        runners = self.store.list_runners()
        if self.viewer.sees_everyone:
            return runners
        return runners[self._visible(runners["runner"], runners["team"])].reset_index(drop=True)

    def _visible(self, names: pd.Series, teams: pd.Series) -> pd.Series:
        own = names == self.viewer.runner if self.viewer.runner else names.isna() & False
        if self.viewer.role == "coach":
            return own | teams.isin(self.viewer.teams)
        return own

    def can_read(self, runner: str) -> bool:
        if self.viewer.sees_everyone or runner == self.viewer.runner:
            return True
        if self.viewer.role != "coach":
            return False
        runners = self.store.list_runners()
        team = runners.loc[runners["runner"] == runner, "team"]
        return bool(len(team)) and team.iloc[0] in self.viewer.teams

    def can_write(self, runner: str) -> bool:
        """Runners write only their own check-ins; coaches their teams'; admins anyone's."""
        return self.can_read(runner)

    def _require_read(self, runner: str) -> None:
        if not self.can_read(runner):
            raise AccessDenied(self._denied("see"))

    def _require_write(self, runner: str) -> None:
        if not self.can_write(runner):
            raise AccessDenied(self._denied("change"))

    def can_delete(self, runner: str) -> bool:
        """Only the runner themselves or an admin (personal mode too) delete a check-in: a
        coach reads and notes, but never removes a runner's week."""
        if self.viewer.runner and runner == self.viewer.runner:
            return True
        return self.viewer.sees_everyone

    def _denied(self, verb: str) -> str:
        if self.viewer.role == "runner":
            return f"You can only {verb} your own check-ins."
        return f"You can only {verb} check-ins of runners on your teams."

    # --- reads ----------------------------------------------------------------------------

    def data_version(self) -> tuple[int, int, str]:
        """Store.data_version: a cache key that changes with every write (of anyone's
        check-ins: a cache must not serve a stale frame). A key only, never shown."""
        return self.store.data_version()

    def history(self, runner: str) -> pd.DataFrame:
        self._require_read(runner)
        return self.store.history(runner)

    def get_profile(self, runner: str) -> RunnerProfile | None:
        """Store.get_profile of a runner this viewer may read (Results reads the age band)."""
        self._require_read(runner)
        return self.store.get_profile(runner)

    def get_checkin(self, checkin_id: int) -> dict[str, Any] | None:
        checkin = self.store.get_checkin(checkin_id)
        if checkin is not None:
            self._require_read(checkin["runner"])
        return checkin

    def latest_checkin(self, runner: str) -> dict[str, Any] | None:
        self._require_read(runner)
        return self.store.latest_checkin(runner)

    def checkin_in_week(self, runner: str, date: Any) -> dict[str, Any] | None:
        self._require_read(runner)
        return self.store.checkin_in_week(runner, date)

    def all_checkins(self, runners: Sequence[str] | None = None) -> pd.DataFrame:
        if self.viewer.sees_everyone:
            return self.store.all_checkins(runners)
        visible = self.list_runners()["runner"].tolist()
        wanted = visible if runners is None else [r for r in runners if r in set(visible)]
        return self.store.all_checkins(wanted)

    # --- writes ---------------------------------------------------------------------------

    def add_runner(self, name: str, team: str | None = None) -> str:
        if not self.viewer.sees_everyone:
            raise AccessDenied("Only an admin can add runners.")
        return self.store.add_runner(name, team)

    def save_profile(self, runner: str, profile: RunnerProfile) -> str:
        """A runner's own profile; in team mode the team stays as the admin set it."""
        self._require_write(runner)
        return self.store.save_profile(runner, profile, keep_team=self.viewer.role != "personal")

    def save_checkin(self, row: Mapping[str, Any], *, replace: bool = False) -> int:
        self._require_write(str(row.get("runner", "")))
        return self.store.save_checkin(row, replace=replace, actor=self.viewer.actor)

    def update_checkin(
        self, checkin_id: int, row: Mapping[str, Any], *, replace: bool = False
    ) -> None:
        current = self.get_checkin(checkin_id)
        if current is not None:
            self._require_write(current["runner"])
        if "runner" in row:
            self._require_write(str(row["runner"]))
        self.store.update_checkin(checkin_id, row, replace=replace, actor=self.viewer.actor)

    def delete_checkin(self, checkin_id: int) -> bool:
        current = self.get_checkin(checkin_id)
        if current is None:
            return False
        if not self.can_delete(current["runner"]):
            raise AccessDenied(
                "A coach cannot delete a runner's check-in: only the runner or an admin can."
            )
        return self.store.delete_checkin(checkin_id, actor=self.viewer.actor)

    # --- notes ----------------------------------------------------------------------------

    def notes_of_checkin(self, checkin_id: int) -> pd.DataFrame:
        """The notes of a check-in this viewer may read (AccessDenied otherwise)."""
        checkin = self.get_checkin(checkin_id)
        if checkin is None:
            return notes.notes_of_checkin(self.store, -1)
        return notes.notes_of_checkin(self.store, checkin_id)

    def notes_of_runner(self, runner: str) -> pd.DataFrame:
        """Every note on a runner's check-ins (their export, their history)."""
        self._require_read(runner)
        return notes.notes_of_runners(self.store, [runner])

    def add_note(self, checkin_id: int, body: str) -> int:
        """A note or a reply on a check-in the viewer may read: the runner, a coach of their
        team, an admin. A coach of another team is refused as if the check-in did not exist."""
        checkin = self.get_checkin(checkin_id)
        if checkin is None:
            raise AccessDenied("There is no such check-in that you can open.")
        return notes.add_note(self.store, checkin_id, body, self.viewer.actor)

    # --- the audit trail ------------------------------------------------------------------

    def audit_trail(self, limit: int | None = None) -> pd.DataFrame:
        """The whole trail, newest first: admins (and personal mode) only."""
        if not self.viewer.sees_everyone:
            raise AccessDenied("Only an admin can read the audit trail.")
        with self.store.read("read the audit trail") as conn:
            return audit.trail(conn, limit)

    def import_checkins(
        self, frame: pd.DataFrame, *, on_conflict: Literal["skip", "replace", "error"] = "error"
    ) -> ImportResult:
        """The Store's import, refused whole if any row is outside the viewer's reach or names
        a team other than its runner's (logic.io.importing shows these per line first)."""
        refused = self.import_refusals(frame)
        if refused["column"].ne("").any():
            first = refused[refused["column"].ne("")].iloc[0]
            raise AccessDenied(
                f"check-in {int(first.name) + 1}, column {first['column']!r}: {first['got']}; "
                f"allowed: {first['allowed']}. Nothing was imported."
            )
        return self.store.import_checkins(frame, on_conflict=on_conflict, actor=self.viewer.actor)

    def import_refusals(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Why each row of an import may not be written ('' where it may); see import_refusals."""
        return import_refusals(frame, self.list_runners(), self.viewer)

    # --- recorded runs ------------------------------------------------------------------------

    def runs(self, runner: str) -> pd.DataFrame:
        """The runner's recorded runs (whoever may see their check-ins may see these)."""
        self._require_read(runner)
        return RunStore(self.store).runs(runner)

    def can_import_runs(self, runner: str) -> bool:
        """Runners import their own runs, admins (and personal mode) anyone's; a coach reads
        their teams' runs but does not import files from someone else's watch."""
        if self.viewer.sees_everyone:
            return True
        return self.viewer.role == "runner" and runner == self.viewer.runner

    def runs_already_stored(self, runner: str, frame: pd.DataFrame) -> pd.Series:
        self._require_read(runner)
        return RunStore(self.store).already_stored(runner, frame)

    def import_runs(self, runner: str, frame: pd.DataFrame) -> RunImportResult:
        if not self.can_import_runs(runner):
            raise AccessDenied(
                "Only the runner or an admin can import recorded runs."
                if self.viewer.role == "coach"
                else "You can only import your own runs."
            )
        return RunStore(self.store).import_runs(runner, frame)


def import_refusals(frame: pd.DataFrame, visible: pd.DataFrame, viewer: Viewer) -> pd.DataFrame:
    """Per row of an import: the column refused, what it got and what is allowed ('' = fine).

    An import never changes team membership (only an admin does, on the Admin page):
    - a row whose runner is outside the viewer's reach is refused (`visible` is the viewer's
      list_runners(), so a runner they may not see is refused exactly like one that does not
      exist: nothing leaks). Only personal mode and admins create runners by importing, with
      the row's team: that is creation, not a change;
    - a row naming a team other than its runner's stored team is refused, for everyone; an
      empty team changes nothing and is fine.
    Vectorised: a few whole-column comparisons, whatever the file's size.
    """
    index = frame.index
    empty = pd.Series("", index=index, dtype="str")
    names, teams = (
        frame[c].astype("str").str.strip().fillna("") if c in frame else empty
        for c in ("runner", "team")
    )
    stored = dict(zip(visible["runner"], visible["team"].fillna(""), strict=True))
    known = names.isin(list(stored))
    own = names.eq(viewer.runner) if viewer.runner else pd.Series(False, index=index)
    outside = ~known & ~own & (not viewer.sees_everyone)
    runner_team = names.map(stored).astype("str").fillna("")
    moved = (known | own) & ~outside & teams.ne("") & teams.ne(runner_team)

    column = empty.mask(moved, "team").mask(outside, "runner")
    got = empty.mask(moved, "got " + _quoted(teams)).mask(outside, "got " + _quoted(names))
    how = (
        "only an admin changes teams, on the Admin page"
        if viewer.role != "personal"
        else "an import never changes a runner's team"
    )
    team_rule = pd.Series(
        np.where(
            runner_team.ne("").to_numpy(dtype=bool),
            ("the runner's team " + _quoted(runner_team) + " or empty").to_numpy(dtype=object),
            "empty (the runner has no team)",
        ),
        index=index,
        dtype="str",
    )
    allowed = empty.mask(moved, team_rule + f" ({how})").mask(outside, _reach(viewer))
    return pd.DataFrame({"column": column, "got": got, "allowed": allowed}, index=index)


def _quoted(values: pd.Series) -> pd.Series:
    return "'" + values + "'"


def _reach(viewer: Viewer) -> str:
    if viewer.role == "coach":
        teams = ", ".join(viewer.teams) or "none"
        return f"only runners already on your teams ({teams}); an admin adds runners"
    return f"only your own name {viewer.runner!r}"
