"""Personal or team mode, and how team mode signs people in, from the environment or secrets.

Personal mode (the default, no configuration): one device, no sign-in. Team mode: everyone
signs in, with Streamlit's OIDC login when `.streamlit/secrets.toml` has an `[auth]` section,
otherwise with local accounts stored in our database.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from logic.storage.engine import DEFAULT_SECRETS_PATH, StorageError

MODE_VAR = "STRIDE_CHECK_MODE"
LOGIN_VAR = "STRIDE_CHECK_LOGIN"
MODES = ("personal", "team")
LOGINS = ("local", "oidc")


class ConfigError(StorageError):
    """A setting that names something we do not know; the message names the key."""


@dataclass(frozen=True)
class AuthConfig:
    mode: Literal["personal", "team"]
    login: Literal["none", "local", "oidc"]
    provider: str | None = None  # the OIDC provider name, when [auth] has several

    @property
    def team(self) -> bool:
        return self.mode == "team"


def _secrets(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}).") from exc


def _choice(value: object, allowed: tuple[str, ...], where: str) -> str:
    text = str(value).strip().lower()
    if text not in allowed:
        raise ConfigError(f"{where} is {value!r}; allowed: {', '.join(allowed)}.")
    return text


def resolve_auth(
    env: Mapping[str, str] = os.environ, secrets_path: Path = DEFAULT_SECRETS_PATH
) -> AuthConfig:
    """Env vars win over `[stride_check] mode / login` in the secrets file."""
    doc = _secrets(Path(secrets_path))
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
    return AuthConfig("team", login, provider)  # type: ignore[arg-type]
