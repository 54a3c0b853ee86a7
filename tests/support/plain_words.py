"""What a runner reads on a page, for the plain-words checks of issue 12.

Everything a page writes as text (titles, markdown, captions, alerts, expander and widget
labels, select options, badges, table column labels, help texts and text cells), every title
inside its charts (axes, legends, tooltips), their legend entries and their screen-reader
descriptions. Field names inside chart specs are not read by anyone and are left out. Emails
(the coach's digest) are checked with jargon_in_texts.
"""

from __future__ import annotations

import json
import re
from typing import Any

from logic.knowledge import knowledge_base

# Words that must never reach a runner on Results or History, nor a coach on Team or in the
# digest email (issues 12, 13).
JARGON = (
    "acute:chronic",
    "acute to chronic",
    "ostrc",
    "points contributed",
    "severity",
    "substantial problem",
)
# The same as whole words only: "A:C" is jargon, "data:chart" is not.
JARGON_WORDS = ("A:C", "ACWR")
# Markdown escapes and the word joiners logic.texts.escape_markdown adds: "acute\\:\u2060chronic"
# reads as "acute:chronic".
_ESCAPES = re.compile(r"\\(.)|\u2060")


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
            if key in ("title", "description") and isinstance(value, str):
                found.append(value)
            elif key == "domain" and isinstance(value, list):
                found += [v for v in value if isinstance(v, str)]
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
        for c in config.values():
            if isinstance(c, dict):
                out += [str(c.get("label", "")), str(c.get("help", ""))]
        value = frame.value
        for column in value.columns:
            if value[column].dtype == object or str(value[column].dtype) == "str":
                out += [str(v) for v in value[column].dropna().unique()]
    for chart in at.get("vega_lite_chart"):
        out += _titles(json.loads(chart.proto.spec))
    return out


def jargon_in_texts(texts: list[str]) -> list[tuple[str, str]]:
    """(word, text) for every banned word found in these texts, as a reader reads them."""
    banned = [(w, re.escape(w)) for w in (*JARGON, *raw_names())]
    banned += [(w, rf"\b{re.escape(w)}\b") for w in JARGON_WORDS]
    hits = []
    for text in texts:
        read = _ESCAPES.sub(r"\1", text)
        for word, pattern in banned:
            if re.search(pattern, read, flags=re.IGNORECASE):
                hits.append((word, read[:200]))
    return hits


def jargon_in(at: Any) -> list[tuple[str, str]]:
    """(word, text) for every banned word found in what the page shows."""
    return jargon_in_texts(page_words(at))
