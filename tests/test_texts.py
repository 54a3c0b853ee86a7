"""User text in Markdown stays text: no formatting, no links, no icons or emoji shortcodes."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from logic.texts import WORD_JOINER, escape_all, escape_markdown

# What Streamlit's Markdown turns into an icon, an emoji or coloured text once the Markdown
# escapes are consumed: ":material/home:", ":smile:", ":red[...]", ":+1:".
DIRECTIVE = re.compile(r":(material/[a-z0-9_]+|[\w+-]+):|:[a-z]+\[", re.IGNORECASE)


def _unescaped(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


@pytest.mark.parametrize(
    "name", [":material/home:", "Ann :material/warning: Lee", ":smile:", ":+1: Bo", ":red[Ann]"]
)
def test_icons_and_shortcodes_in_names_stay_text(name: str) -> None:
    for shown in (escape_markdown(name), escape_all(pd.Series([name]))[0]):
        assert not DIRECTIVE.search(_unescaped(shown)), shown
        # Only invisible joiners are added: the name reads the same.
        assert _unescaped(shown).replace(WORD_JOINER, "") == name


def test_plain_names_and_times_are_left_alone() -> None:
    assert escape_markdown("Ann Lee") == "Ann Lee"
    assert _unescaped(escape_markdown("10:30")) == "10:30"
    assert _unescaped(escape_markdown("acute:chronic 2.0")) == "acute:chronic 2.0"
