"""What a password must be: long enough, not only spaces, not absurdly long, not a common one.

Ten spaces passed the old length check and a 20 MB password was hashed; both are refused
now. The common-password list ships in data/common_passwords.txt (its header says where it
comes from) and is compared case-insensitively, ignoring spaces around the password.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

MIN_LENGTH = 10
MAX_LENGTH = 1024
COMMON_PASSWORDS = Path(__file__).resolve().parents[1] / "data" / "common_passwords.txt"


@cache
def common_passwords(path: Path = COMMON_PASSWORDS) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str) -> str | None:
    """Why `password` cannot be used, worded for the person typing it; None: it can."""
    if len(password) > MAX_LENGTH:
        return f"A password can have at most {MAX_LENGTH} characters."
    if len(password) < MIN_LENGTH:
        return f"A password needs at least {MIN_LENGTH} characters."
    if not password.strip():
        return "A password cannot be only spaces."
    if password.strip().lower() in common_passwords():
        return "That password is on a list of common passwords: choose another."
    return None
