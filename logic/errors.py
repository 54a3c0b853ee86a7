"""The app's own errors: one base class, one family per kind of trouble.

Every error here is worded for the person in front of the app, never holds a password, and
may be shown as is. A page or the CLI that wants "anything we can explain" catches
`StrideCheckError`; code that can only handle one family catches that family.
"""

from __future__ import annotations


class StrideCheckError(Exception):
    """A problem worded for a human; `message` is safe to show to whoever runs the app (the CLI,
    an admin, the personal-mode user on their own machine); `public` is the same without where
    the database lives (a file path, or a user, host and port) for everyone else."""

    def __init__(self, message: str, public: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.public = message if public is None else public


class ConfigError(StrideCheckError):
    """A setting (environment variable or secrets file) that is missing, unreadable or names
    something we do not know; the message names the variable or the file and key."""


class AccessError(StrideCheckError):
    """The signed-in user may not see or change this."""


class StorageError(StrideCheckError):
    """A database problem, or a request the database refuses (a taken week, a bad value)."""
