"""People's names as the app stores and compares them: runner names, usernames, display names.

Names that look alike must be alike: "Ann" with a zero-width space, or with a right-to-left
override that shows "nnA" backwards, would otherwise be a second person who looks like the
first. So every name is NFKC-normalised (fullwidth and compatibility forms become the plain
letters), its whitespace (tabs, line breaks) made plain spaces and trimmed, and a name still
holding a control or format character (Unicode categories Cc and Cf: zero-width spaces and
joiners, bidi overrides, NUL, escape ...) is refused, naming the field. Usernames are also
compared case-insensitively (``username_key``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from logic.errors import StrideCheckError

REFUSED_CATEGORIES = frozenset({"Cc", "Cf"})


class InvalidName(StrideCheckError, ValueError):
    """A name with characters that would let it pass for another name."""


def bad_character(name: str) -> str | None:
    """The first control or format character in `name`, described (U+200B ...), or None."""
    for char in name:
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            label = unicodedata.name(char, "control character")
            return f"U+{ord(char):04X} {label}"
    return None


_WHITESPACE = re.compile(r"\s")


def normalise(name: str) -> str:
    """NFKC, every whitespace character (tab, line break, ...) a plain space, trimmed; no
    check (see clean_name). A line break in a CSV cell becomes a space, not a refusal."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", str(name))).strip()


def clean_name(name: str, field: str) -> str:
    """The name as stored; raises InvalidName naming `field` for invisible or control chars."""
    text = normalise(name)
    found = bad_character(text)
    if found is not None:
        raise InvalidName(
            f"{field}: contains an invisible or control character ({found}); "
            "type the name again without it."
        )
    return text


def clean_names(names: Sequence[str]) -> tuple[list[str], list[str | None]]:
    """Normalised names and, per name, the bad character found (None: fine); for the distinct
    values of a column (the caller spreads the result to its rows)."""
    cleaned = [normalise(n) for n in names]
    return cleaned, [bad_character(n) for n in cleaned]


def username_key(username: str) -> str:
    """How usernames are compared: normalised and case-folded ("Ann" is "ann" is "ＡＮＮ")."""
    return normalise(username).casefold()
