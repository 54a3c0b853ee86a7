"""What a runner reads on a page, for the plain-words checks of issue 12.

Everything a page writes as text (titles, markdown, captions, alerts, expander and widget
labels, select options, badges, table column labels and text cells) and every title inside
its charts (axes, legends, tooltips). Field names inside chart specs are not read by anyone
and are left out.
"""

from __future__ import annotations

import json
import re
from typing import Any

from logic.knowledge import knowledge_base

# Words that must never reach a runner on Results or History.
JARGON = ("acute:chronic", "ostrc", "points contributed", "severity")


def raw_names() -> list[str]:
    """Column names a runner would read as code: check-in columns with an underscore, and the
    derived load columns."""
    kb = knowledge_base()
    names = [c for c in kb.checkin.columns if "_" in c]
    return names + list(kb.load.derived) + ["acute_chronic"]


def _titles(spec: Any) -> list[str]:
    found: list[str] = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "title" and isinstance(value, str):
                found.append(value)
            elif key == "title" and isinstance(value, dict) and isinstance(value.get("text"), str):
                found.append(value["text"])
            else:
                found += _titles(value)
    elif isinstance(spec, list):
        for value in spec:
            found += _titles(value)
    return found


def page_words(at: Any) -> list[str]:
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "success", "info"):
        out += [str(e.value) for e in at.get(kind)]
    for kind in ("warning", "error"):
        out += [str(e.value) for e in at.get(kind)]
    out += [str(e.proto.label) for e in at.get("expandable")]
    out += [str(getattr(e.proto, "label", "")) for e in at.get("badge")]
    for kind in ("selectbox", "segmented_control", "button", "download_button"):
        for widget in at.get(kind):
            out.append(str(getattr(widget, "label", "")))
            options = getattr(widget, "options", None) or []
            out += [str(o) for o in options]
    for frame in at.get("arrow_data_frame"):
        config = json.loads(frame.proto.columns or "{}")
        out += [str(c.get("label", "")) for c in config.values() if isinstance(c, dict)]
        value = frame.value
        for column in value.columns:
            if value[column].dtype == object or str(value[column].dtype) == "str":
                out += [str(v) for v in value[column].dropna().unique()]
    for chart in at.get("vega_lite_chart"):
        out += _titles(json.loads(chart.proto.spec))
    return out


def jargon_in(at: Any) -> list[tuple[str, str]]:
    """(word, text) for every banned word found in what the page shows."""
    banned = [*JARGON, *raw_names()]
    hits = []
    for text in page_words(at):
        for word in banned:
            if re.search(re.escape(word), text, flags=re.IGNORECASE):
                hits.append((word, text[:200]))
    return hits
