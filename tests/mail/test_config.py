"""Email settings: [smtp] in the secrets file or STRIDE_CHECK_SMTP_URL, checked with messages
that name the key; off with neither."""

from __future__ import annotations

from pathlib import Path

import pytest

from logic.errors import ConfigError
from logic.mail.config import BASE_URL_VAR, SMTP_URL_VAR, base_url, mail_config


def secrets(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "secrets.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
[smtp]
host = "mail.example.org"
port = 587
username = "coach@example.org"
password = "hunter2-long-secret"
from = "Stride Check <coach@example.org>"
starttls = true

[app]
base_url = "https://stride.example.org/"
"""


def test_off_without_settings(tmp_path: Path) -> None:
    assert mail_config({}, tmp_path / "none.toml") is None
    assert mail_config({}, secrets(tmp_path, "[database]\nurl = 'sqlite:///x.db'\n")) is None


def test_secrets_file(tmp_path: Path) -> None:
    config = mail_config({}, secrets(tmp_path, GOOD))
    assert config is not None
    smtp = config.smtp
    assert (smtp.host, smtp.port, smtp.security, smtp.username) == (
        "mail.example.org",
        587,
        "starttls",
        "coach@example.org",
    )
    assert smtp.password is not None and smtp.password.get_secret_value() == "hunter2-long-secret"
    assert "hunter2" not in repr(config) and "hunter2" not in str(smtp)
    assert config.base_url == "https://stride.example.org"


def test_env_url_wins(tmp_path: Path) -> None:
    env = {SMTP_URL_VAR: "smtps://bot%40club.test:p%40ss@smtp.club.test"}
    config = mail_config(env, secrets(tmp_path, GOOD))
    assert config is not None
    smtp = config.smtp
    assert (smtp.host, smtp.port, smtp.security) == ("smtp.club.test", 465, "ssl")
    assert smtp.username == "bot@club.test" and smtp.sender == "bot@club.test"
    assert smtp.password is not None and smtp.password.get_secret_value() == "p@ss"
    assert config.source == f"environment variable {SMTP_URL_VAR}"
    plain = mail_config({SMTP_URL_VAR: "smtp://relay:2525?from=a@club.test"}, tmp_path / "x")
    assert plain is not None and (plain.smtp.port, plain.smtp.security) == (2525, "none")
    assert plain.base_url is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[smtp]\nport = 587\nfrom = 'a@b.c'\n", "[smtp]: host is missing"),
        ("[smtp]\nhost = 'h'\nport = 'x'\nfrom = 'a@b.c'\n", "[smtp]: port is 'x'; use a number"),
        ("[smtp]\nhost = 'h'\nport = 99999\nfrom = 'a@b.c'\n", "[smtp]: port is 99999"),
        ("[smtp]\nhost = 'h'\nport = 25\nfrom = 'nobody'\n", "[smtp]: from is 'nobody': must be"),
        ("[smtp]\nhost = 'h'\nport = 25\n", "[smtp]: from is missing"),
        (
            "[smtp]\nhost = 'h'\nport = 25\nfrom = 'a@b.c'\nstarttls = true\nssl = true\n",
            "starttls and ssl are both true",
        ),
        ("[smtp]\nhost = 'h'\nport = 25\nfrom = 'a@b.c'\nstarttls = 'maybe'\n", "starttls is"),
        ("[smtp]\nhost = 'h'\nport = 25\nfrom = 'a@b.c'\nhots = 1\n", "hots is not a setting"),
        ("smtp = 3\n", '"smtp" must be a table'),
    ],
)
def test_bad_secrets_name_the_key(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        mail_config({}, secrets(tmp_path, text))
    assert expected in caught.value.message


def test_a_bad_password_value_is_never_echoed(tmp_path: Path) -> None:
    text = "[smtp]\nhost = 'h'\nport = 25\nfrom = 'a@b.c'\npassword = ['top-secret-x']\n"
    with pytest.raises(ConfigError) as caught:
        mail_config({}, secrets(tmp_path, text))
    assert "password is (hidden)" in caught.value.message
    assert "top-secret-x" not in caught.value.message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://h:25", "the scheme is 'http'"),
        ("smtp://h:notaport", "cannot read it as an SMTP URL"),
        ("smtp://h:25", "parameter from is missing"),
        ("smtp://h:25?from=a@b.c&tls=1", "unknown parameter 'tls'"),
        ("smtps://h?starttls=true&from=a@b.c", "smtps already uses TLS"),
        ("smtp://:25?from=a@b.c", "host is ''"),
    ],
)
def test_bad_url_names_the_variable(url: str, expected: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        mail_config({SMTP_URL_VAR: url}, tmp_path / "none.toml")
    assert caught.value.message.startswith(f"Environment variable {SMTP_URL_VAR}")
    assert expected in caught.value.message


def test_base_url(tmp_path: Path) -> None:
    assert base_url({BASE_URL_VAR: "http://localhost:8501/"}, tmp_path / "x") == (
        "http://localhost:8501"
    )
    with pytest.raises(ConfigError, match=f"Environment variable {BASE_URL_VAR} is 'stride'"):
        base_url({BASE_URL_VAR: "stride"}, tmp_path / "x")
    with pytest.raises(ConfigError, match=r"\[app\] base_url is 3"):
        base_url({}, secrets(tmp_path, "[app]\nbase_url = 3\n"))
