"""URL query parameters: parsed strictly, with a message that says what a link may hold."""

from __future__ import annotations

MAX_ID_DIGITS = 12


def checkin_id_from_param(value: str | None) -> tuple[int | None, str | None]:
    """(id, None) for a good `checkin` parameter, (None, message) for a bad one."""
    if value is None or value == "":
        return None, None
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > MAX_ID_DIGITS or int(text) == 0:
        # Never echoed: the page shows its messages as Markdown, so a link, an image (fetched
        # by the browser) or HTML in the parameter would be drawn as such.
        return None, (
            "This link's checkin value is not valid: it must be a check-in number such as "
            "checkin=12. Showing your latest check-in instead."
        )
    return int(text), None
