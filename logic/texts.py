"""Product copy shown on several pages, written once, and escaping for user text in it."""

import re

import pandas as pd

DISCLAIMER = (
    "Stride Check is a self-check, not a diagnosis and not medical advice. It turns your answers "
    "into rough risk signals using a published article on upper-leg injuries in trail runners. "
    "If something hurts, gets worse or worries you, see a doctor or physiotherapist."
)

CLINICIAN = (
    "Please see a clinician (a doctor or physiotherapist) before you self-treat or keep running "
    "through this."
)


MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
# Where GFM would turn bare text into a link (http://, www., a@b), and where Streamlit would
# turn ":material/home:", ":smile:" or ":red[...]" into an icon, an emoji or colour (it reads
# them after the Markdown escapes are gone): escaping does not stop that, an invisible word
# joiner (U+2060) right after the colon does.
AUTOLINK_START = re.compile(r"(?<=:)(?=//|[\w+/-]+:|[a-z]+\[)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def escape_markdown(text: str) -> str:
    """User text shown inside Markdown: every Markdown (and LaTeX $) character escaped.

    Names and notes are the user's: `*` or `_` in a name must not turn into formatting, a
    URL in a name must not turn into a link, and `:material/x:` must not turn into an icon.
    """
    unlinked = AUTOLINK_START.sub(WORD_JOINER, str(text))
    return MARKDOWN_SPECIAL.sub(r"\\\1", unlinked)


def escape_all(texts: pd.Series) -> pd.Series:
    """escape_markdown for a whole column at once (vectorised: team pages escape hundreds)."""
    unlinked = texts.astype("str").str.replace(AUTOLINK_START, WORD_JOINER, regex=True)
    return unlinked.str.replace(MARKDOWN_SPECIAL.pattern, r"\\\1", regex=True)
