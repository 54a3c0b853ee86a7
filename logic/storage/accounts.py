"""Accounts for team mode: users, roles, teams, passwords and login throttling.

Roles come from our database, never from the identity provider: runner (sees only their own
check-ins), coach (of one or more teams) and admin. Passwords are hashed with argon2; only
the hash is stored. A failed login never says whether the account exists, and repeated
failures for a name (existing or not) make the next attempt wait longer.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from logic import clock
from logic.errors import StorageError
from logic.names import InvalidName, clean_name, username_key
from logic.passwords import MIN_LENGTH as MIN_PASSWORD_LENGTH  # noqa: F401 (re-exported)
from logic.passwords import password_problem
from logic.storage.store import Store
from logic.storage.tables import coach_teams, login_attempts, runners, teams, users

Role = Literal["runner", "coach", "admin"]
ROLES: tuple[Role, ...] = ("runner", "coach", "admin")
FREE_FAILURES = 3  # attempts before throttling starts
MAX_WAIT_SECONDS = 300

_hasher = PasswordHasher()
# Verifying against this keeps an unknown name as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("stride-check-no-such-user")

# Everything but the hash: only `authenticate` reads it, so fewer queries can leak it.
_PUBLIC_COLUMNS = [c for c in users.c if c.name != "password_hash"]


class AccountError(StorageError):
    """A request about accounts that cannot be done, worded for the person who asked."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role
    runner: str | None
    active: bool
    teams: tuple[str, ...] = field(default_factory=tuple)  # teams a coach coaches


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    message: str | None  # shown as is: never says whether the name exists
    wait_seconds: int = 0


def _now() -> dt.datetime:
    return clock.now()


def wait_after(failures: int) -> int:
    """Seconds a name must wait after `failures` failed attempts in a row."""
    if failures < FREE_FAILURES:
        return 0
    return min(MAX_WAIT_SECONDS, 2 ** (failures - FREE_FAILURES + 1))


def check_password_rules(password: str) -> None:
    """Refuse short, blank, huge (hashing 20 MB is a denial of service) and common passwords."""
    problem = password_problem(password)
    if problem is not None:
        raise AccountError(problem)


def _name(value: str, field: str) -> str:
    """NFKC-normalised; refused (naming the field) with invisible or control characters."""
    try:
        return clean_name(value, field)
    except InvalidName as err:
        raise AccountError(str(err)) from None


class Accounts:
    """Users and teams in the app's database (the same engine as the check-ins)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # --- reading --------------------------------------------------------------------------

    def _user(self, where: sa.ColumnElement[bool]) -> User | None:
        with self.store.read("read the accounts") as conn:
            row = conn.execute(sa.select(*_PUBLIC_COLUMNS).where(where)).mappings().first()
            if row is None:
                return None
            coached = conn.execute(
                sa.select(coach_teams.c.team)
                .where(coach_teams.c.user_id == row["id"])
                .order_by(coach_teams.c.team)
            ).scalars()
            return User(
                id=row["id"],
                username=row["username"],
                display_name=row["display_name"],
                role=row["role"],
                runner=row["runner"],
                active=bool(row["active"]),
                teams=tuple(coached),
            )

    def get(self, user_id: int) -> User | None:
        return self._user(users.c.id == int(user_id))

    def by_username(self, username: str) -> User | None:
        """The account whatever the case of the name typed ("Ann", "ann", "ＡＮＮ")."""
        return self._user(self._username_is(username))

    @staticmethod
    def _username_is(username: str) -> sa.ColumnElement[bool]:
        # The exact name too: accounts that clashed by case before 0007 keep signing in.
        return sa.or_(
            users.c.username_key == username_key(username), users.c.username == username.strip()
        )

    def by_email(self, email: str) -> User | None:
        return self._user(sa.func.lower(users.c.email) == email.strip().lower())

    def list_users(self) -> pd.DataFrame:
        """Every account with its coached teams (;-joined), for the admin page."""
        with self.store.read("read the accounts") as conn:
            frame = pd.DataFrame(
                conn.execute(
                    sa.select(
                        users.c.id,
                        users.c.username,
                        users.c.display_name,
                        users.c.email,
                        users.c.role,
                        users.c.runner,
                        users.c.active,
                    ).order_by(users.c.username)
                )
                .mappings()
                .all(),
                columns=["id", "username", "display_name", "email", "role", "runner", "active"],
            )
            coached = pd.DataFrame(
                conn.execute(sa.select(coach_teams)).mappings().all(), columns=["user_id", "team"]
            )
        joined = coached.groupby("user_id")["team"].agg(lambda t: ";".join(sorted(t)))
        # astype(object): with no coach at all the mapped column is all-NaN float64.
        frame["teams"] = frame["id"].map(joined).astype(object).fillna("")
        return frame

    def list_teams(self) -> list[str]:
        """Teams an admin created, plus any team a runner already names."""
        with self.store.read("read the teams") as conn:
            made = set(conn.execute(sa.select(teams.c.name)).scalars())
        named = set(self.store.list_runners()["team"].dropna())
        return sorted(made | named)

    def count_admins(self) -> int:
        with self.store.read("read the accounts") as conn:
            query = sa.select(sa.func.count()).where(users.c.role == "admin", users.c.active)
            return int(conn.execute(query).scalar_one())

    # --- writing --------------------------------------------------------------------------

    def create_team(self, name: str) -> None:
        name = name.strip()
        if not 1 <= len(name) <= 64:
            raise AccountError("A team name needs 1-64 characters.")
        with self.store.transaction("create the team") as conn:
            exists = conn.execute(sa.select(teams.c.id).where(teams.c.name == name)).first()
            if exists is None:
                conn.execute(sa.insert(teams).values(name=name))

    def create_user(
        self,
        username: str,
        *,
        role: Role,
        display_name: str | None = None,
        password: str | None = None,
        email: str | None = None,
        runner: str | None = None,
        team: str | None = None,
        coach_of: Sequence[str] = (),
    ) -> User:
        """An account; a runner account is tied to a runner.

        `runner` is the admin's explicit choice: that runner (created if new) becomes this
        account's. Without it a runner account gets a new runner named after it, and an
        existing runner of that name is refused, never taken over: their check-ins go to an
        account only when an admin links them.
        """
        username = _name(username, "Username")
        display_name = _name(display_name or username, "Name")
        runner = _name(runner, "Runner") if runner else None
        if role not in ROLES:
            raise AccountError(f"Unknown role {role!r}: use one of {', '.join(ROLES)}.")
        if not 1 <= len(username) <= 64:
            raise AccountError("A username needs 1-64 characters.")
        if password is None and email is None:
            raise AccountError("Give a password (local sign-in) or an email (single sign-on).")
        if password is not None:
            check_password_rules(password)
        if role == "runner" and not runner:
            runner = display_name
            if self._runner_exists(runner):
                raise AccountError(
                    f"A runner named {runner!r} already exists. To give this account their "
                    'check-ins, choose them under "Link to runner"; otherwise use another name.'
                )
        if runner:
            owner = self._account_of_runner(runner)
            if owner is not None:
                raise AccountError(f"The runner {runner!r} already belongs to account {owner!r}.")
            self.store.add_runner(runner, team)
        for name in coach_of:
            self.create_team(name)
        if team:
            self.create_team(team)
        values = {
            "username": username,
            "username_key": username_key(username),
            "display_name": display_name,
            "role": role,
            "runner": runner or None,
            "email": (email or "").strip().lower() or None,
            "password_hash": _hasher.hash(password) if password is not None else None,
            "active": True,
        }
        with self.store.transaction("create the account") as conn:
            taken = conn.execute(sa.select(users.c.id).where(self._username_is(username)))
            if taken.first() is not None:
                raise AccountError(f"The username {username!r} is taken.")
            user_id = conn.execute(sa.insert(users).values(**values).returning(users.c.id))
            new_id = int(user_id.scalar_one())
            if coach_of:
                conn.execute(
                    sa.insert(coach_teams),
                    [{"user_id": new_id, "team": t.strip()} for t in dict.fromkeys(coach_of)],
                )
        user = self.get(new_id)
        assert user is not None
        return user

    def set_role(self, user_id: int, role: Role, coach_of: Sequence[str] = ()) -> None:
        if role not in ROLES:
            raise AccountError(f"Unknown role {role!r}: use one of {', '.join(ROLES)}.")
        for name in coach_of:
            self.create_team(name)
        with self.store.transaction("change the role") as conn:
            self._keep_an_admin(conn, user_id, demote=role != "admin")
            conn.execute(sa.update(users).where(users.c.id == user_id).values(role=role))
            conn.execute(sa.delete(coach_teams).where(coach_teams.c.user_id == user_id))
            if role == "coach" and coach_of:
                conn.execute(
                    sa.insert(coach_teams),
                    [{"user_id": user_id, "team": t} for t in dict.fromkeys(coach_of)],
                )

    def _runner_exists(self, runner: str) -> bool:
        with self.store.read("read the runners") as conn:
            found = conn.execute(sa.select(runners.c.id).where(runners.c.name == runner))
            return found.first() is not None

    def _account_of_runner(self, runner: str) -> str | None:
        with self.store.read("read the accounts") as conn:
            owner = sa.select(users.c.username).where(users.c.runner == runner)
            return conn.execute(owner).scalar()

    def unlinked_runners(self) -> list[str]:
        """Runners no account is linked to: what the Admin page offers under "Link to runner"."""
        linked = sa.select(users.c.runner).where(users.c.runner.is_not(None))
        stmt = (
            sa.select(runners.c.name).where(runners.c.name.not_in(linked)).order_by(runners.c.name)
        )
        with self.store.read("read the runners") as conn:
            return list(conn.execute(stmt).scalars())

    def runner_team(self, runner: str | None) -> str | None:
        """The stored team of a runner (None: no team, or no such runner)."""
        if not runner:
            return None
        with self.store._guard("read the runners"), self.store.engine.connect() as conn:
            return conn.execute(sa.select(runners.c.team).where(runners.c.name == runner)).scalar()

    def set_runner_team(self, runner: str, team: str | None) -> None:
        """Move a runner to `team` (None: no team). Team membership changes only here, on the
        Admin page: imports and check-ins never change it."""
        team = (team or "").strip() or None
        if team:
            self.create_team(team)
        with self.store._guard("change the team"), self.store._write.begin() as conn:
            done = conn.execute(
                sa.update(runners).where(runners.c.name == runner).values(team=team)
            )
            if done.rowcount == 0:
                raise AccountError(f"There is no runner {runner!r}.")

    def set_active(self, user_id: int, active: bool) -> None:
        with self.store.transaction("change the account") as conn:
            if not active:
                self._keep_an_admin(conn, user_id, demote=True)
            conn.execute(sa.update(users).where(users.c.id == user_id).values(active=active))

    def set_password(self, user_id: int, password: str) -> None:
        check_password_rules(password)
        with self.store.transaction("change the password") as conn:
            conn.execute(
                sa.update(users)
                .where(users.c.id == user_id)
                .values(password_hash=_hasher.hash(password))
            )

    def _keep_an_admin(self, conn: sa.Connection, user_id: int, *, demote: bool) -> None:
        if not demote:
            return
        others = conn.execute(
            sa.select(sa.func.count()).where(
                users.c.role == "admin", users.c.active, users.c.id != user_id
            )
        ).scalar_one()
        is_admin = conn.execute(
            sa.select(users.c.id).where(users.c.id == user_id, users.c.role == "admin")
        ).first()
        if is_admin is not None and others == 0:
            raise AccountError("This is the last active admin: make another admin first.")

    # --- signing in -----------------------------------------------------------------------

    def authenticate(self, username: str, password: str) -> LoginResult:
        """Check a password; the message is the same whether or not the name exists."""
        name = username_key(username)  # "Ann" and "ann" share one failure count
        failures, last = self._failures(name)
        wait = wait_after(failures)
        if last is not None and wait:
            remaining = math.ceil(wait - (_now() - last).total_seconds())
            if remaining > 0:
                return LoginResult(
                    None,
                    f"Too many failed attempts. Try again in {remaining} seconds.",
                    remaining,
                )
        with self.store.read("sign in") as conn:
            row = conn.execute(
                sa.select(users.c.id, users.c.password_hash, users.c.active)
                .where(self._username_is(username))
                .order_by((users.c.username == username.strip()).desc())
            ).first()
        stored = row.password_hash if row is not None and row.password_hash else _DUMMY_HASH
        try:
            ok = _hasher.verify(stored, password) and row is not None and bool(row.active)
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            self._record_failure(name, failures + 1)
            return LoginResult(None, "Wrong username or password.", wait_after(failures + 1))
        self._clear_failures(name)
        assert row is not None
        return LoginResult(self.get(row.id), None)

    def _failures(self, name: str) -> tuple[int, dt.datetime | None]:
        with self.store.read("sign in") as conn:
            row = conn.execute(
                sa.select(login_attempts.c.failures, login_attempts.c.last_failure).where(
                    login_attempts.c.username == name
                )
            ).first()
        if row is None:
            return 0, None
        last = row.last_failure
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=dt.UTC)
        return int(row.failures), last

    def _record_failure(self, name: str, failures: int) -> None:
        with self.store.transaction("sign in") as conn:
            conn.execute(sa.delete(login_attempts).where(login_attempts.c.username == name))
            conn.execute(
                sa.insert(login_attempts).values(
                    username=name, failures=failures, last_failure=_now()
                )
            )

    def _clear_failures(self, name: str) -> None:
        with self.store.transaction("sign in") as conn:
            conn.execute(sa.delete(login_attempts).where(login_attempts.c.username == name))


def _names(teams: Sequence[str]) -> str:
    items = list(teams)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def change_summary(
    user: User,
    role: Role,
    coach_of: Sequence[str],
    team_before: str | None = None,
    team_after: str | None = None,
) -> str | None:
    """The question the Admin page asks before changing an account, naming the account and
    every change ("Make coachA an admin and remove them as coach of A?"); None: no change."""
    old = set(user.teams)
    new = set(coach_of) if role == "coach" else set()
    parts: list[str] = []
    if role != user.role:
        article = "an" if role == "admin" else "a"
        coach = f" of {_names(sorted(new))}" if role == "coach" and new else ""
        parts.append(f"make {user.username} {article} {role}{coach}")
        new_teams: set[str] = set()  # named above already
    else:
        new_teams = new - old
    who = "them" if parts else user.username
    if old - new:
        parts.append(f"remove {who} as coach of {_names(sorted(old - new))}")
        who = "them"
    if new_teams:
        parts.append(f"make {who} coach of {_names(sorted(new_teams))}")
    if (team_before or None) != (team_after or None) and user.runner:
        where = f"team {team_after}" if team_after else "no team"
        before = f" from team {team_before}" if team_before else ""
        parts.append(f"move runner {user.runner}{before} to {where}")
    if not parts:
        return None
    text = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return text[0].upper() + text[1:] + "?"
