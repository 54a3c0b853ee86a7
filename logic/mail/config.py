"""Email settings: `[smtp]` in .streamlit/secrets.toml or STRIDE_CHECK_SMTP_URL, and the
address of the app (`[app] base_url` or STRIDE_CHECK_BASE_URL) for the links in emails.

With neither SMTP setting every email feature is off (mail_config() returns None) and the
Admin page says so. A bad value stops with a ConfigError naming the variable or the key and
what is allowed; the password is a pydantic SecretStr, so no repr, log line or error message
can carry it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from logic.errors import ConfigError
from logic.settings import DEFAULT_SECRETS_PATH, read_secrets

__all__ = [
    "BASE_URL_VAR",
    "SMTP_URL_VAR",
    "MailConfig",
    "SmtpSettings",
    "base_url",
    "mail_config",
]

SMTP_URL_VAR = "STRIDE_CHECK_SMTP_URL"
BASE_URL_VAR = "STRIDE_CHECK_BASE_URL"
SMTP_URL_EXAMPLE = "smtp://user:password@mail.example.org:587?starttls=true&from=coach@example.org"
SECURITY = ("starttls", "ssl", "none")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SmtpSettings(BaseModel):
    """One SMTP server. security: starttls (upgrade a plain connection, port 587), ssl (TLS from
    the first byte, port 465) or none (a local relay only)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    host: str = Field(min_length=1)
    port: int = Field(ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    sender: str = Field(alias="from", min_length=3)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    timeout: float = Field(default=20.0, gt=0, le=300)

    @field_validator("sender")
    @classmethod
    def _address(cls, value: str) -> str:
        address = value.strip()
        if "@" not in address or any(c in address for c in "\r\n"):
            raise ValueError("must be an email address such as coach@example.org")
        return address

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        if not value.strip() or any(c.isspace() for c in value.strip()):
            raise ValueError("must be a host name such as mail.example.org")
        return value.strip()

    @property
    def where(self) -> str:
        """host:port, for messages (never the user or the password)."""
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class MailConfig:
    smtp: SmtpSettings
    source: str  # where the settings came from, for messages
    base_url: str | None  # the app's address, for links; None: emails carry no link


def _fail(source: str, err: ValidationError, keys: Mapping[str, str]) -> ConfigError:
    """The first pydantic problem as one sentence naming the key as the person wrote it."""
    problem = err.errors()[0]
    field = str(problem["loc"][0]) if problem["loc"] else ""
    name = keys.get(field, field)
    got = problem.get("input")
    shown = "(hidden)" if field == "password" else repr(got)
    if problem["type"] == "missing":
        return ConfigError(f"{source}: {name} is missing; it is required.")
    if problem["type"] == "extra_forbidden":
        allowed = ", ".join(sorted(set(keys.values())))
        return ConfigError(f"{source}: {name} is not a setting; allowed: {allowed}.")
    reason = str(problem["msg"]).removeprefix("Value error, ")
    return ConfigError(f"{source}: {name} is {shown}: {reason}.")


def _flag(value: object, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(f"{where} is {value!r}; allowed: true or false.")


def _from_secrets(section: object, path: Path) -> SmtpSettings:
    source = f"{path} [smtp]"
    if not isinstance(section, dict):
        raise ConfigError(f'{path}: "smtp" must be a table, e.g. [smtp] then host = "...".')
    values = dict(section)
    starttls = _flag(values.pop("starttls", False), f"{source} starttls")
    ssl = _flag(values.pop("ssl", False), f"{source} ssl")
    if starttls and ssl:
        raise ConfigError(
            f"{source}: starttls and ssl are both true; choose one (starttls for port 587, "
            "ssl for port 465)."
        )
    if isinstance(values.get("port"), str):
        raise ConfigError(f"{source}: port is {values['port']!r}; use a number such as 587.")
    values["security"] = "ssl" if ssl else "starttls" if starttls else "none"
    keys = {k: k for k in ("host", "port", "username", "password", "timeout")}
    keys |= {"sender": "from", "from": "from", "security": "starttls / ssl"}
    try:
        return SmtpSettings.model_validate(values)
    except ValidationError as err:
        raise _fail(source, err, keys) from None


def _from_url(raw: str) -> SmtpSettings:
    source = f"Environment variable {SMTP_URL_VAR}"
    try:
        parts = urlsplit(raw.strip())
        port = parts.port
    except ValueError:
        raise ConfigError(
            f"{source}: cannot read it as an SMTP URL; use e.g. {SMTP_URL_EXAMPLE}."
        ) from None
    if parts.scheme not in ("smtp", "smtps"):
        raise ConfigError(
            f"{source}: the scheme is {parts.scheme!r}; allowed: smtp (optionally with "
            f"?starttls=true) or smtps, e.g. {SMTP_URL_EXAMPLE}."
        )
    query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    unknown = sorted(set(query) - {"starttls", "from", "timeout"})
    if unknown:
        raise ConfigError(
            f"{source}: unknown parameter {unknown[0]!r}; allowed: starttls, from, timeout."
        )
    starttls = _flag(query.get("starttls", ""), f"{source} parameter starttls")
    if parts.scheme == "smtps" and starttls:
        raise ConfigError(f"{source}: smtps already uses TLS; drop starttls=true or use smtp://.")
    username = unquote(parts.username) if parts.username else None
    sender = query.get("from") or (username if username and "@" in username else None)
    values: dict[str, object] = {
        "host": parts.hostname or "",
        "port": port or (465 if parts.scheme == "smtps" else 587 if starttls else 25),
        "username": username,
        "password": unquote(parts.password) if parts.password is not None else None,
        "security": "ssl" if parts.scheme == "smtps" else "starttls" if starttls else "none",
    }
    if sender is not None:
        values["from"] = sender
    if "timeout" in query:
        values["timeout"] = query["timeout"]
    keys = {"host": "host", "port": "port", "username": "user", "password": "password"}
    keys |= {"sender": "parameter from", "from": "parameter from", "timeout": "parameter timeout"}
    try:
        return SmtpSettings.model_validate(values)
    except ValidationError as err:
        raise _fail(source, err, keys) from None


def base_url(
    env: Mapping[str, str] = os.environ, secrets_path: Path = DEFAULT_SECRETS_PATH
) -> str | None:
    """The app's address for links (STRIDE_CHECK_BASE_URL, else [app] base_url), no trailing
    slash; None when neither is set."""
    raw = (env.get(BASE_URL_VAR) or "").strip()
    source = f"Environment variable {BASE_URL_VAR}"
    if not raw:
        section = read_secrets(secrets_path).get("app", {})
        if not isinstance(section, dict):
            raise ConfigError(f'{secrets_path}: "app" must be a table, e.g. [app].')
        value = section.get("base_url")
        if value is None:
            return None
        source = f"{secrets_path} [app] base_url"
        if not isinstance(value, str):
            raise ConfigError(f"{source} is {value!r}; use the app's address in quotes.")
        raw = value.strip()
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"{source} is {raw!r}; use the address people open the app at, such as "
            "https://stride.example.org."
        )
    return raw.rstrip("/")


def mail_config(
    env: Mapping[str, str] = os.environ, secrets_path: Path = DEFAULT_SECRETS_PATH
) -> MailConfig | None:
    """STRIDE_CHECK_SMTP_URL, else `[smtp]` in the secrets file, else None (email is off)."""
    raw = (env.get(SMTP_URL_VAR) or "").strip()
    if raw:
        smtp, source = _from_url(raw), f"environment variable {SMTP_URL_VAR}"
    else:
        section = read_secrets(secrets_path).get("smtp")
        if section is None:
            return None
        smtp, source = _from_secrets(section, secrets_path), f"{secrets_path} [smtp]"
    return MailConfig(smtp, source, base_url(env, secrets_path))
