"""OIDC sign-in (Streamlit's st.login): the `[auth]` settings it needs, and whose email counts.

Plain Python over the mappings Streamlit hands out (st.secrets["auth"], st.user), so the rules
are tested without a provider; tests/browser/test_oidc.py runs them against a real one.
"""

from __future__ import annotations

from collections.abc import Mapping

from logic.errors import ConfigError

__all__ = ["MIN_COOKIE_SECRET", "check_auth_section", "refusal", "verified_email"]

MIN_COOKIE_SECRET = 32  # characters: the cookie that carries a sign-in is signed with it
CALLBACK = "/oauth2callback"  # Streamlit's callback path: redirect_uri must end with it
NEW_SECRET = 'python -c "import secrets; print(secrets.token_hex(32))"'
NO_ACCOUNT = (
    "You are signed in with your identity provider, but this address has no active "
    "Stride Check account. Ask your coach or club admin to add you."
)
UNVERIFIED = (
    "Your identity provider has not verified this email address, so Stride Check cannot "
    "sign you in with it. Verify the address with your provider, then sign in again."
)


def _text(section: Mapping[str, object], key: str, where: str) -> str:
    value = section.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f'{where} has no {key}: add {key} = "..." (see the README, team mode).')
    return value


def check_auth_section(auth: object, provider: str | None = None) -> None:
    """Stop before anyone signs in when `[auth]` lacks a key st.login needs: Streamlit would
    only complain on the sign-in click, with a traceback. The message names the key."""
    if not isinstance(auth, Mapping) or not auth:
        raise ConfigError(
            "Sign-in is set to OIDC but the secrets file has no [auth] section: add one with "
            "redirect_uri, cookie_secret, client_id, client_secret and server_metadata_url."
        )
    if not isinstance(auth.get("cookie_secret"), str) or not auth["cookie_secret"].strip():
        raise ConfigError(
            '[auth] in the secrets file has no cookie_secret: add cookie_secret = "...", a '
            f"random string of {MIN_COOKIE_SECRET}+ characters, the same on every server "
            f"(for example the output of {NEW_SECRET})."
        )
    if len(auth["cookie_secret"]) < MIN_COOKIE_SECRET:
        raise ConfigError(
            f"[auth] cookie_secret in the secrets file is shorter than {MIN_COOKIE_SECRET} "
            f"characters: anyone could guess it and forge a sign-in. Use the output of "
            f"{NEW_SECRET}."
        )
    redirect = _text(auth, "redirect_uri", "[auth] in the secrets file")
    if not redirect.rstrip("/").endswith(CALLBACK):
        raise ConfigError(
            f"[auth] redirect_uri in the secrets file is {redirect!r}: it must be the app's "
            f"address followed by {CALLBACK}, e.g. https://stride.example.org{CALLBACK}."
        )
    section, where = auth, "[auth] in the secrets file"
    if provider is not None:
        section, where = auth.get(provider), f"[auth.{provider}] in the secrets file"
        if not isinstance(section, Mapping):
            raise ConfigError(
                f"{where} is missing: add it with client_id, client_secret and server_metadata_url."
            )
    for key in ("client_id", "client_secret", "server_metadata_url"):
        _text(section, key, where)


def _verified(claims: Mapping[str, object]) -> bool:
    flag = claims.get("email_verified")
    return flag is True or (isinstance(flag, str) and flag.strip().lower() == "true")


def verified_email(claims: Mapping[str, object]) -> str | None:
    """The signed-in person's email, only when the provider vouches for it.

    Accounts are matched by email, so an address the provider has not verified (anyone can
    type a coach's address into a self-service sign-up) must never sign anyone in. A provider
    that does not send `email_verified` at all is refused too.
    """
    if not claims.get("is_logged_in"):
        return None
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip() or not _verified(claims):
        return None
    return email.strip()


def refusal(claims: Mapping[str, object]) -> str:
    """Why a person signed in at the provider is not signed in here."""
    email = claims.get("email")
    if isinstance(email, str) and email.strip() and not _verified(claims):
        return UNVERIFIED
    return NO_ACCOUNT
