"""Accounts for team mode: users, roles, teams, passwords and login throttling.

Roles come from our database, never from the identity provider: runner (sees only their own
check-ins), coach (of one or more teams) and admin. Passwords are hashed with argon2; only
the hash is stored. A failed login never says whether the account exists.

Throttling counts wrong guesses in three places at once, each in the same write transaction
as the check (so concurrent attempts cannot all slip through): one name from one address,
every name from one address (password spraying), and one name from every address the user has
not signed in from (a spread-out attack). Waits grow from 2 seconds and are capped at a
minute. An address the user signed in from before answers only to its own counter, so an
attacker elsewhere can slow themselves down but never lock the real user out.
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
from sqlalchemy.dialects import postgresql, sqlite

from logic import clock
from logic.errors import StorageError
from logic.names import InvalidName, clean_name, username_key
from logic.passwords import MIN_LENGTH as MIN_PASSWORD_LENGTH  # noqa: F401 (re-exported)
from logic.passwords import password_problem
from logic.storage.audit import DEVICE, Actor, record
from logic.storage.store import Store
from logic.storage.tables import coach_teams, login_throttle, runners, teams, users

Role = Literal["runner", "coach", "admin"]
ROLES: tuple[Role, ...] = ("runner", "coach", "admin")


@dataclass(frozen=True)
class ThrottleRule:
    """`free` wrong guesses in a row cost nothing; then each waits twice as long as the last,
    from 2 seconds up to `cap_seconds`."""

    free: int
    cap_seconds: int


# One name from one address: a person mistyping, or an attacker on one account.
PAIR_RULE = ThrottleRule(free=3, cap_seconds=60)
# Every name from one address, against password spraying.
ADDRESS_RULE = ThrottleRule(free=10, cap_seconds=60)
# One name from every address the user has not signed in from, against many addresses.
NAME_RULE = ThrottleRule(free=10, cap_seconds=60)
# A successful sign-in makes its address known for this name for so long.
TRUSTED_FOR = dt.timedelta(days=90)
# Wrong guesses this long ago are forgotten (the counter starts again).
FORGET_AFTER = dt.timedelta(hours=24)
# Stands for "no address known" (AppTest, a proxy that hides it): one shared counter.
UNKNOWN_ADDRESS = "unknown"
# Kept for callers of the old single rule.
FREE_FAILURES = PAIR_RULE.free
MAX_WAIT_SECONDS = PAIR_RULE.cap_seconds

_hasher = PasswordHasher()
# Verifying against this keeps an unknown name as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("stride-check-no-such-user")

# Everything but the hash: only `authenticate` reads it, so fewer queries can leak it.
_PUBLIC_COLUMNS = [c for c in users.c if c.name != "password_hash"]


# A new password, another role or coached teams, another team or a deactivation: the
# person's open sessions end on their next run (pages/shared/common.py compares the
# versions). Set in the same UPDATE as the change, so no session can see the change
# without the new version.
_BUMP = {"session_version": users.c.session_version + 1}


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
    # Moves with every change that must end this person's open sessions (see _BUMP).
    session_version: int = 0


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    message: str | None  # shown as is: never says whether the name exists
    wait_seconds: int = 0  # before the next attempt is checked
    checked: bool = True  # False: refused during a wait, the password was not looked at


def _now() -> dt.datetime:
    return clock.now()


def wait_after(failures: int, rule: ThrottleRule = PAIR_RULE) -> int:
    """Seconds to wait after `failures` wrong guesses in a row."""
    if failures < rule.free:
        return 0
    # min() before the power keeps huge counts cheap.
    return min(rule.cap_seconds, 2 ** min(failures - rule.free + 1, 32))


def guesses_in(seconds: int, rule: ThrottleRule, every: int = 1) -> int:
    """Guesses an attacker trying every `every` seconds gets checked in `seconds` under
    `rule` alone: the policy's figure, which tests compare with a measured run."""
    t, guesses = 0, 0
    while t < seconds:
        guesses += 1
        t += max(every, math.ceil(wait_after(guesses, rule) / every) * every)
    return guesses


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
                session_version=int(row["session_version"]),
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

    def set_role(
        self, user_id: int, role: Role, coach_of: Sequence[str] = (), *, actor: Actor = DEVICE
    ) -> None:
        """Give an account a role (and a coach their teams); the trail records it."""
        if role not in ROLES:
            raise AccountError(f"Unknown role {role!r}: use one of {', '.join(ROLES)}.")
        for name in coach_of:
            self.create_team(name)
        with self.store.transaction("change the role") as conn:
            self._keep_an_admin(conn, user_id, demote=role != "admin")
            before = self._role_state(conn, user_id)
            if before is None:
                raise AccountError(f"There is no account with id {user_id}.")
            after = {
                **before,
                "role": role,
                "coaches": sorted(set(coach_of)) if role == "coach" else [],
            }
            record(
                conn, actor, "role.change", before["username"],
                runner=before["runner"], before=before, after=after,
            )  # fmt: skip
            conn.execute(sa.update(users).where(users.c.id == user_id).values(role=role, **_BUMP))
            conn.execute(sa.delete(coach_teams).where(coach_teams.c.user_id == user_id))
            if role == "coach" and coach_of:
                conn.execute(
                    sa.insert(coach_teams),
                    [{"user_id": user_id, "team": t} for t in dict.fromkeys(coach_of)],
                )

    @staticmethod
    def _role_state(conn: sa.Connection, user_id: int) -> dict[str, object] | None:
        """username, runner, role and coached teams of an account, for the trail."""
        row = conn.execute(
            sa.select(users.c.username, users.c.runner, users.c.role).where(users.c.id == user_id)
        ).first()
        if row is None:
            return None
        coached = conn.execute(
            sa.select(coach_teams.c.team)
            .where(coach_teams.c.user_id == user_id)
            .order_by(coach_teams.c.team)
        ).scalars()
        return {
            "username": row.username,
            "runner": row.runner,
            "role": row.role,
            "coaches": list(coached),
        }

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

    def set_runner_team(self, runner: str, team: str | None, *, actor: Actor = DEVICE) -> None:
        """Move a runner to `team` (None: no team). Team membership changes only here, on the
        Admin page: imports and check-ins never change it. The trail records the move in the
        same transaction."""
        team = (team or "").strip() or None
        if team:
            self.create_team(team)
        with self.store.transaction("change the team") as conn:
            before = conn.execute(sa.select(runners.c.team).where(runners.c.name == runner)).first()
            if before is None:
                raise AccountError(f"There is no runner {runner!r}.")
            if before.team == team:
                return
            conn.execute(sa.update(runners).where(runners.c.name == runner).values(team=team))
            record(
                conn, actor, "team.change", runner,
                runner=runner, before={"team": before.team}, after={"team": team},
            )  # fmt: skip
            conn.execute(sa.update(users).where(users.c.runner == runner).values(**_BUMP))

    def set_active(self, user_id: int, active: bool, *, actor: Actor = DEVICE) -> None:
        with self.store.transaction("change the account") as conn:
            if not active:
                self._keep_an_admin(conn, user_id, demote=True)
            state = self._role_state(conn, user_id)
            if state is not None:
                record(
                    conn, actor, "account.active", str(state["username"]),
                    runner=state["runner"], before={"active": not active},
                    after={"active": active},
                )  # fmt: skip
            conn.execute(
                sa.update(users).where(users.c.id == user_id).values(active=active, **_BUMP)
            )

    def set_password(self, user_id: int, password: str) -> None:
        check_password_rules(password)
        with self.store.transaction("change the password") as conn:
            conn.execute(
                sa.update(users)
                .where(users.c.id == user_id)
                .values(password_hash=_hasher.hash(password), **_BUMP)
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

    def authenticate(self, username: str, password: str, address: str | None = None) -> LoginResult:
        """Check a password from a client `address`; the message is the same whether or not
        the name exists. A guess is counted before it is checked, in the transaction that
        checks the waits, so concurrent attempts cannot get more guesses than the rules give.
        """
        name = username_key(username)  # "Ann" and "ann" share their counts
        where = (address or "").strip() or UNKNOWN_ADDRESS
        keys = _throttle_keys(name, where)
        with self.store.transaction("sign in") as conn:
            now = _now()
            counts = _lock_counters(conn, keys)
            _prune_stale(conn, keys, now)
            pair = counts[keys["pair"]]
            trusted = pair.last_success is not None and now - pair.last_success <= TRUSTED_FOR
            scopes = ["pair"] if trusted else ["pair", "address", "name"]
            remaining = max(counts[keys[s]].remaining(RULES[s], now) for s in scopes)
            where_keys = [_key_clause(keys[s]) for s in scopes]
            if remaining > 0:
                conn.execute(
                    sa.update(login_throttle)
                    .where(sa.or_(*where_keys))
                    .values(refused=login_throttle.c.refused + 1)
                )
                return LoginResult(
                    None,
                    f"Too many failed attempts. Try again in {remaining} seconds.",
                    remaining,
                    checked=False,
                )
            for s in scopes:
                counter = counts[keys[s]]
                failures = counter.current_failures(now) + 1
                conn.execute(
                    sa.update(login_throttle)
                    .where(_key_clause(keys[s]))
                    .values(failures=failures, last_failure=now)
                )
            wait = max(
                wait_after(counts[keys[s]].current_failures(now) + 1, RULES[s]) for s in scopes
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
            return LoginResult(None, "Wrong username or password.", wait)
        self._signed_in(keys, now, charged_address="address" in scopes)
        assert row is not None
        return LoginResult(self.get(row.id), None)

    def _signed_in(
        self, keys: dict[str, tuple[str, str]], when: dt.datetime, *, charged_address: bool
    ) -> None:
        """The right password: this address becomes known for this name, the name's count
        starts again, and the address gets back the guess it was charged (not more: signing
        in to one's own account must not reset a sprayer's count)."""
        with self.store.transaction("sign in") as conn:
            for scope in ("pair", "name"):
                conn.execute(
                    sa.update(login_throttle)
                    .where(_key_clause(keys[scope]))
                    .values(
                        failures=0,
                        refused=0,
                        last_failure=None,
                        **({"last_success": when} if scope == "pair" else {}),
                    )
                )
            if charged_address:
                conn.execute(
                    sa.update(login_throttle)
                    .where(_key_clause(keys["address"]), login_throttle.c.failures > 0)
                    .values(failures=login_throttle.c.failures - 1)
                )

    def throttle_counts(self, username: str, address: str | None) -> dict[str, tuple[int, int]]:
        """(wrong guesses, refused attempts) per scope for a name from an address (tests,
        support): every attempt is one or the other."""
        keys = _throttle_keys(username.strip(), (address or "").strip() or UNKNOWN_ADDRESS)
        with self.store.read("read the sign-in counters") as conn:
            rows = {
                (r.scope, r.key): (int(r.failures), int(r.refused))
                for r in conn.execute(
                    sa.select(login_throttle).where(
                        sa.or_(*(_key_clause(k) for k in keys.values()))
                    )
                )
            }
        return {scope: rows.get(key, (0, 0)) for scope, key in keys.items()}


RULES: dict[str, ThrottleRule] = {"pair": PAIR_RULE, "address": ADDRESS_RULE, "name": NAME_RULE}


@dataclass(frozen=True)
class _Counter:
    failures: int
    last_failure: dt.datetime | None
    last_success: dt.datetime | None

    def current_failures(self, now: dt.datetime) -> int:
        """Wrong guesses in a row, forgetting them after FORGET_AFTER of quiet."""
        if self.last_failure is None or now - self.last_failure > FORGET_AFTER:
            return 0
        return self.failures

    def remaining(self, rule: ThrottleRule, now: dt.datetime) -> int:
        """Whole seconds before the next guess is checked (0: now)."""
        if self.last_failure is None:
            return 0
        wait = wait_after(self.current_failures(now), rule)
        return max(0, math.ceil(wait - (now - self.last_failure).total_seconds()))


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes back: they were written in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _throttle_keys(name: str, address: str) -> dict[str, tuple[str, str]]:
    # An address never holds a space, so "address name" splits back unambiguously.
    return {
        "address": ("address", address),
        "name": ("name", name),
        "pair": ("pair", f"{address} {name}"),
    }


def _key_clause(key: tuple[str, str]) -> sa.ColumnElement[bool]:
    return sa.and_(login_throttle.c.scope == key[0], login_throttle.c.key == key[1])


def _lock_counters(
    conn: sa.Connection, keys: dict[str, tuple[str, str]]
) -> dict[tuple[str, str], _Counter]:
    """The counters for `keys`, created if new and locked until the transaction ends.

    SQLite: the transaction already holds the write lock (BEGIN IMMEDIATE). PostgreSQL: the
    rows are created first (ON CONFLICT DO NOTHING) so that SELECT ... FOR UPDATE has a row
    to lock, always in the same order, so two sign-ins cannot deadlock.
    """
    ordered = sorted(keys.values())
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(
        dialect.insert(login_throttle)
        .values([{"scope": s, "key": k, "failures": 0, "refused": 0} for s, k in ordered])
        .on_conflict_do_nothing()
    )
    rows = conn.execute(
        sa.select(login_throttle)
        .where(sa.or_(*(_key_clause(k) for k in ordered)))
        .order_by(login_throttle.c.scope, login_throttle.c.key)
        .with_for_update()
    )
    return {
        (r.scope, r.key): _Counter(int(r.failures), _utc(r.last_failure), _utc(r.last_success))
        for r in rows
    }


def _prune_stale(conn: sa.Connection, keys: dict[str, tuple[str, str]], now: dt.datetime) -> None:
    """Delete the counters that no longer change anything, so the table holds only recent
    names and addresses: no wrong guess within FORGET_AFTER and no trusted sign-in within
    TRUSTED_FOR (such a row reads like a new one). Run with every attempt, leaving its own
    `keys` alone. PostgreSQL: rows another sign-in has locked are skipped (SKIP LOCKED), so
    two attempts never wait on each other here; SQLite: the transaction holds the write lock."""
    t = login_throttle.c
    utc = now.astimezone(dt.UTC)  # SQLite compares the stored UTC text
    stale = (
        sa.select(t.scope, t.key)
        .where(
            sa.or_(t.last_failure.is_(None), t.last_failure < utc - FORGET_AFTER),
            sa.or_(t.last_success.is_(None), t.last_success < utc - TRUSTED_FOR),
            sa.not_(sa.or_(*(_key_clause(k) for k in keys.values()))),
        )
        .with_for_update(skip_locked=True)
    )
    conn.execute(sa.delete(login_throttle).where(sa.tuple_(t.scope, t.key).in_(stale)))


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
