"""The [auth] check and the verified-email rule of OIDC sign-in (logic/oidc.py)."""

from __future__ import annotations

import pytest

from logic.errors import ConfigError
from logic.oidc import NO_ACCOUNT, UNVERIFIED, check_auth_section, refusal, verified_email

AUTH = {
    "redirect_uri": "https://stride.example.org/oauth2callback",
    "cookie_secret": "x" * 64,
    "client_id": "stride",
    "client_secret": "s3cret",
    "server_metadata_url": "https://id.example.org/.well-known/openid-configuration",
}


def without(key: str) -> dict[str, object]:
    return {k: v for k, v in AUTH.items() if k != key}


def test_a_complete_section_passes_with_or_without_a_named_provider() -> None:
    check_auth_section(AUTH)
    provider = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    named = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "y" * 32, "club": provider}
    check_auth_section(named, "club")


@pytest.mark.parametrize(
    "key", ["cookie_secret", "redirect_uri", "client_id", "client_secret", "server_metadata_url"]
)
def test_a_missing_key_is_named(key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        check_auth_section(without(key))
    with pytest.raises(ConfigError, match=key):
        check_auth_section({**AUTH, key: "  "})


def test_a_short_cookie_secret_a_wrong_callback_or_no_section_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"cookie_secret .* shorter than 32"):
        check_auth_section({**AUTH, "cookie_secret": "x" * 31})
    with pytest.raises(ConfigError, match=r"redirect_uri .* /oauth2callback"):
        check_auth_section({**AUTH, "redirect_uri": "https://stride.example.org/"})
    for nothing in (None, {}, "auth"):
        with pytest.raises(ConfigError, match=r"no \[auth\] section"):
            check_auth_section(nothing)
    with pytest.raises(ConfigError, match=r"\[auth.club\] .* missing"):
        check_auth_section(AUTH, "club")


@pytest.mark.parametrize(
    ("claims", "email"),
    [
        ({"is_logged_in": True, "email": " A@b.test ", "email_verified": True}, "A@b.test"),
        ({"is_logged_in": True, "email": "a@b.test", "email_verified": "true"}, "a@b.test"),
        ({"is_logged_in": True, "email": "a@b.test", "email_verified": False}, None),
        ({"is_logged_in": True, "email": "a@b.test", "email_verified": "false"}, None),
        ({"is_logged_in": True, "email": "a@b.test"}, None),  # not said: not verified
        ({"is_logged_in": True, "email": "", "email_verified": True}, None),
        ({"is_logged_in": False, "email": "a@b.test", "email_verified": True}, None),
        ({}, None),
    ],
)
def test_only_a_verified_email_of_a_signed_in_person_counts(
    claims: dict[str, object], email: str | None
) -> None:
    assert verified_email(claims) == email


def test_the_refusal_says_why() -> None:
    assert refusal({"is_logged_in": True, "email": "a@b.test"}) == UNVERIFIED
    verified = {"is_logged_in": True, "email": "a@b.test", "email_verified": True}
    assert refusal(verified) == NO_ACCOUNT
    assert refusal({"is_logged_in": True}) == NO_ACCOUNT
