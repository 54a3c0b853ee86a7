"""The app's settings, from the environment or `.streamlit/secrets.toml`: the one reader of it.

Personal or team mode, and how team mode signs people in. Personal mode (the default, no
configuration): one device, no sign-in. Team mode: everyone signs in, with Streamlit's OIDC
login when the secrets file has an `[auth]` section, otherwise with local accounts stored in
our database.

Also where the database is configured (`STRIDE_CHECK_DATABASE_URL`, else `[database] url`):
this module finds the configured text and says where it came from; logic.storage.engine
parses it (that needs SQLAlchemy, which stays inside the storage package).
"""

from __future__ import annotations

import contextlib
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from logic.errors import ConfigError

__all__ = [
    "DATABASE_URL_VAR",
    "DEFAULT_SECRETS_PATH",
    "AuthConfig",
    "ConfigError",
    "DatabaseSetting",
    "database_setting",
    "read_secrets",
    "resolve_auth",
]

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SECRETS_PATH = REPO_ROOT / ".streamlit" / "secrets.toml"
DATABASE_URL_VAR = "STRIDE_CHECK_DATABASE_URL"
URL_EXAMPLES = (
    "sqlite:////absolute/path/stride_check.db or "
    "postgresql+psycopg://user:password@host:5432/dbname"
)
MODE_VAR = "STRIDE_CHECK_MODE"
LOGIN_VAR = "STRIDE_CHECK_LOGIN"
IDLE_VAR = "STRIDE_CHECK_IDLE_TIMEOUT_HOURS"
DEFAULT_IDLE_HOURS = 12.0
MODES = ("personal", "team")
LOGINS = ("local", "oidc")


@dataclass(frozen=True)
class AuthConfig:
    mode: Literal["personal", "team"]
    login: Literal["none", "local", "oidc"]
    provider: str | None = None  # the OIDC provider name, when [auth] has several
    # Team mode: a session with no run for this long is signed out on its next run.
    idle_hours: float = DEFAULT_IDLE_HOURS

    @property
    def team(self) -> bool:
        return self.mode == "team"


def read_secrets(path: Path = DEFAULT_SECRETS_PATH) -> dict:
    """The secrets file as a dict ({} when there is none): the one place that reads it."""
    path = Path(path)
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}).") from exc
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}.") from exc


@dataclass(frozen=True)
class DatabaseSetting:
    """The configured database URL as written, and where it was written (for messages)."""

    url: str
    source: str


def database_setting(
    env: Mapping[str, str] = os.environ, secrets_path: Path = DEFAULT_SECRETS_PATH
) -> DatabaseSetting | None:
    """The env var, else `[database] url` in the secrets file, else None (the default)."""
    raw = (env.get(DATABASE_URL_VAR) or "").strip()
    if raw:
        return DatabaseSetting(raw, f"Environment variable {DATABASE_URL_VAR}")
    section = read_secrets(secrets_path).get("database")
    if section is None:
        return None
    if not isinstance(section, dict):
        raise ConfigError(
            f'{secrets_path}: "database" must be a table, e.g. [database] then url = "...".'
        )
    url = section.get("url")
    if url is None:
        return None
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(
            f"{secrets_path}: key [database] url must be a non-empty string such as {URL_EXAMPLES}."
        )
    return DatabaseSetting(url, f"{secrets_path} key [database] url")


def _choice(value: object, allowed: tuple[str, ...], where: str) -> str:
    text = str(value).strip().lower()
    if text not in allowed:
        raise ConfigError(f"{where} is {value!r}; allowed: {', '.join(allowed)}.")
    return text


def _hours(value: object, where: str) -> float:
    """A positive, finite number of hours; ConfigError names `where` otherwise."""
    hours = math.nan
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            hours = float(value.strip())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        hours = float(value)
    if not (math.isfinite(hours) and hours > 0):
        raise ConfigError(f"{where} is {value!r}; use a number of hours above 0, such as 12.")
    return hours


def _idle_hours(env: Mapping[str, str], ours: dict, secrets_path: Path) -> float:
    if (env.get(IDLE_VAR) or "").strip():
        return _hours(env[IDLE_VAR], f"Environment variable {IDLE_VAR}")
    if "idle_timeout_hours" in ours:
        value = ours["idle_timeout_hours"]
        if isinstance(value, str):  # TOML has numbers: a quoted one is a mistake worth naming
            raise ConfigError(
                f"{secrets_path} key [stride_check] idle_timeout_hours is {value!r}; use a "
                "number of hours above 0, such as 12 (without quotes)."
            )
        return _hours(value, f"{secrets_path} key [stride_check] idle_timeout_hours")
    return DEFAULT_IDLE_HOURS


def resolve_auth(
    env: Mapping[str, str] = os.environ, secrets_path: Path = DEFAULT_SECRETS_PATH
) -> AuthConfig:
    """Env vars win over `[stride_check] mode / login` in the secrets file."""
    doc = read_secrets(secrets_path)
    ours = doc.get("stride_check", {})
    if not isinstance(ours, dict):
        raise ConfigError(f'{secrets_path}: "stride_check" must be a table, e.g. [stride_check].')
    if env.get(MODE_VAR):
        mode = _choice(env[MODE_VAR], MODES, f"Environment variable {MODE_VAR}")
    else:
        mode = _choice(
            ours.get("mode", "personal"), MODES, f"{secrets_path} key [stride_check] mode"
        )
    if mode == "personal":
        return AuthConfig("personal", "none")
    auth = doc.get("auth")
    if env.get(LOGIN_VAR):
        login = _choice(env[LOGIN_VAR], LOGINS, f"Environment variable {LOGIN_VAR}")
    elif "login" in ours:
        login = _choice(ours["login"], LOGINS, f"{secrets_path} key [stride_check] login")
    else:
        login = "oidc" if isinstance(auth, dict) and auth else "local"
    provider = None
    if login == "oidc" and isinstance(auth, dict):
        named = [k for k, v in auth.items() if isinstance(v, dict)]
        provider = named[0] if len(named) == 1 and "client_id" not in auth else None
    idle = _idle_hours(env, ours, secrets_path)
    return AuthConfig("team", login, provider, idle)  # type: ignore[arg-type]
