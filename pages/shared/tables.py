"""Tables that fit a phone (issue 13): every column where the screen is wide; on a phone the
key columns first, sized to fit a 390 px screen without a sideways scroll, and the rest one
tap away.

The server does not know the screen's width, so both are sent and CSS shows one of them: the
same breakpoint as the phone's row of page links (common.PHONE_NAV_BELOW). On the phone, the
cells wrap at word ends (a row taller than Streamlit's 4rem lets them), so a narrow column
never cuts a word; the full table sits under an expander below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from pages.shared.common import PHONE_NAV_BELOW

WIDE = "kf_wide_"  # container keys: CSS finds them by these prefixes
PHONE = "kf_phone_"
STYLE = f"""<style>
@media (max-width: {PHONE_NAV_BELOW - 0.02}px) {{ [class*="st-key-{WIDE}"] {{ display: none; }} }}
@media (min-width: {PHONE_NAV_BELOW}px) {{ [class*="st-key-{PHONE}"] {{ display: none; }} }}
</style>"""
# Row height of the phone's table: above 4rem (64 px) Streamlit lets a cell's text wrap; three
# lines of text fit.
PHONE_ROW = 66
# The 358 px of a 390 px phone's content, less the table's border.
PHONE_WIDTH = 356
HEADER = 38  # px: the header row, for a table's height


def height(rows: int, row: int = 35, most: int = 400) -> int:
    """A table's height that shows `rows` rows without an empty band below them."""
    return min(HEADER + row * max(rows, 1), most)


def phone_key(key: str) -> str:
    """The key of the phone's table of the table keyed `key`."""
    return f"{key}_phone"


def key_first(
    data: pd.DataFrame,
    *,
    key: str,
    order: Sequence[str],
    config: Mapping[str, Any],
    phone: Mapping[str, Any],
    more: str,
    most: int = 400,
    **select: Any,
) -> list[int]:
    """Show `data` as one table with the columns `order` on a wide screen, and on a phone a
    table of the `phone` columns (in that order, each with its phone column config: pixel widths
    that add up to PHONE_WIDTH at most, 32 less with a row picker) above an expander titled
    `more` that holds every column.

    `select` (on_select, selection_mode) goes to the wide and the phone table; returns the
    positions of the rows picked in either. The wide table keeps `key`, so tests and callers
    read it as before; the phone one is `phone_key(key)`."""
    st.html(STYLE)
    common = {"hide_index": True, "width": "stretch"}
    with st.container(key=WIDE + key):
        wide = st.dataframe(
            data,
            column_order=list(order),
            column_config=dict(config),
            height=height(len(data), most=most),
            key=key,
            **common,
            **select,
        )
    with st.container(key=PHONE + key):
        narrow = st.dataframe(
            data,
            column_order=list(phone),
            column_config=dict(phone),
            row_height=PHONE_ROW,
            height=height(len(data), PHONE_ROW, most=most * 3 // 2),  # rows twice as tall
            key=phone_key(key),
            **common,
            **select,
        )
        with st.expander(more):
            st.dataframe(
                data,
                column_order=list(order),
                column_config=dict(config),
                height=height(len(data), most=most),
                key=f"{key}_all",
                **common,
            )
    if not select:
        return []
    return _rows(narrow) or _rows(wide)


def _rows(event: Any) -> list[int]:
    """The picked rows of a dataframe's selection event."""
    return list(event.get("selection", {}).get("rows", [])) if event else []
