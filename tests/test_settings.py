from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from logic.settings import (
    DATABASE_URL_VAR,
    REPO_ROOT,
    AuthConfig,
    ConfigError,
    DatabaseSetting,
    database_setting,
    resolve_auth,
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "secrets.toml"
    path.write_text(text)
    return path


def test_personal_by_default(tmp_path: Path) -> None:
    assert resolve_auth({}, tmp_path / "none.toml") == AuthConfig("personal", "none")


def test_team_mode_local_or_oidc(tmp_path: Path) -> None:
    local = write(tmp_path, '[stride_check]\nmode = "team"\n')
    assert resolve_auth({}, local) == AuthConfig("team", "local")
    oidc = write(
        tmp_path,
        '[stride_check]\nmode = "team"\n[auth]\nredirect_uri = "x"\ncookie_secret = "y"\n'
        "[auth.google]\nclient_id = 'a'\n",
    )
    assert resolve_auth({}, oidc) == AuthConfig("team", "oidc", "google")
    env = {"STRIDE_CHECK_MODE": "team", "STRIDE_CHECK_LOGIN": "local"}
    assert resolve_auth(env, oidc).login == "local"


@pytest.mark.parametrize(
    ("env", "text", "message"),
    [
        ({"STRIDE_CHECK_MODE": "club"}, "", "STRIDE_CHECK_MODE is 'club'; allowed: personal, team"),
        ({}, '[stride_check]\nmode = "teams"\n', "[stride_check] mode is 'teams'"),
        ({}, "[stride_check\n", "is not valid TOML"),
        ({"STRIDE_CHECK_MODE": "team", "STRIDE_CHECK_LOGIN": "ldap"}, "", "allowed: local, oidc"),
    ],
)
def test_a_broken_config_names_the_key(tmp_path: Path, env, text, message) -> None:
    with pytest.raises(ConfigError) as err:
        resolve_auth(env, write(tmp_path, text))
    assert message in str(err.value)


def test_database_setting_says_where_it_came_from(tmp_path: Path) -> None:
    secrets = write(tmp_path, '[database]\nurl = "sqlite:///from-secrets.db"\n')
    assert database_setting({}, tmp_path / "none.toml") is None
    assert database_setting({}, secrets) == DatabaseSetting(
        "sqlite:///from-secrets.db", f"{secrets} key [database] url"
    )
    env = {DATABASE_URL_VAR: " sqlite:///env.db "}
    assert database_setting(env, secrets) == DatabaseSetting(
        "sqlite:///env.db", f"Environment variable {DATABASE_URL_VAR}"
    )
    with pytest.raises(ConfigError, match="is not valid TOML"):
        database_setting({}, write(tmp_path, "[database\n"))


def test_settings_load_without_the_storage_package() -> None:
    """Settings sit above storage: reading them never opens SQLAlchemy or the store."""
    code = (
        "import sys, logic.settings; "
        "bad = sorted(m for m in sys.modules if m.startswith(('logic.storage', 'sqlalchemy'))); "
        "print(bad); raise SystemExit(1 if bad else 0)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_team_mode_signs_idle_sessions_out_after_12_hours_by_default(tmp_path: Path) -> None:
    team = {"STRIDE_CHECK_MODE": "team"}
    assert resolve_auth(team, tmp_path / "none.toml").idle_hours == 12
    secrets = write(tmp_path, '[stride_check]\nmode = "team"\nidle_timeout_hours = 0.5\n')
    assert resolve_auth({}, secrets).idle_hours == 0.5
    # The environment wins over the secrets file, as for every other setting.
    env = {"STRIDE_CHECK_IDLE_TIMEOUT_HOURS": " 36 "}
    assert resolve_auth(env, secrets).idle_hours == 36


@pytest.mark.parametrize(
    ("env", "text", "message"),
    [
        (
            {"STRIDE_CHECK_IDLE_TIMEOUT_HOURS": "twelve"},
            "",
            "Environment variable STRIDE_CHECK_IDLE_TIMEOUT_HOURS is 'twelve'",
        ),
        ({"STRIDE_CHECK_IDLE_TIMEOUT_HOURS": "0"}, "", "STRIDE_CHECK_IDLE_TIMEOUT_HOURS is '0'"),
        ({"STRIDE_CHECK_IDLE_TIMEOUT_HOURS": "nan"}, "", "STRIDE_CHECK_IDLE_TIMEOUT_HOURS"),
        ({}, "[stride_check]\nidle_timeout_hours = -1\n", "[stride_check] idle_timeout_hours"),
        ({}, '[stride_check]\nidle_timeout_hours = "12"\n', "[stride_check] idle_timeout_hours"),
        ({}, "[stride_check]\nidle_timeout_hours = true\n", "[stride_check] idle_timeout_hours"),
    ],
)
def test_a_broken_idle_timeout_names_the_key(tmp_path: Path, env, text, message) -> None:
    with pytest.raises(ConfigError) as err:
        resolve_auth({"STRIDE_CHECK_MODE": "team", **env}, write(tmp_path, text))
    assert message in str(err.value)
    assert "a number of hours" in str(err.value)
