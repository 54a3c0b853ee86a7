"""What to do about running this week: one line per concern, from data, not from code.

Which advice a concern gets is decided by the rules of data/rules.toml [running_advice] (a
raised flag, the concern's band, the pain where the condition lives), and the running changes
an "adjust" line lists come from data/conditions.toml [running]. The scores and the flags are
inputs, so the advice follows whatever the scoring and the safety rules produce.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from logic.analysis.scoring import band_index
from logic.knowledge import BANDS, CHANGES_FIELD, AdviceRule, KnowledgeBase, knowledge_base

ADVICE_COLUMNS = ["advice", "tone", "headline", "text", "after", "conditions", "names"]
TONES = ("stop", "caution", "ok")  # the most pressing line first


def joined(phrases: list[str]) -> str:
    """'a', 'a and b', 'a, b and c': a list read as one clause."""
    if len(phrases) < 2:
        return "".join(phrases)
    return f"{', '.join(phrases[:-1])} and {phrases[-1]}"


def concern_scores(scores: Mapping[str, float], kb: KnowledgeBase | None = None) -> pd.Series:
    """The conditions at moderate or above, highest first, banded as the app shows them."""
    kb = kb or knowledge_base()
    s = pd.Series({c: float(scores.get(c, 0.0)) for c in kb.condition_ids}, dtype="float64")
    bands = band_index(s.to_numpy(), kb.rules.bands.moderate, kb.rules.bands.high)
    return s[bands >= 1].sort_values(ascending=False, kind="stable")


def _matches(rule: AdviceRule, flags: Mapping[str, bool], band: int, pain: float) -> bool:
    return (
        (rule.flag is None or bool(flags.get(rule.flag)))
        and (rule.band is None or band >= BANDS.index(rule.band))
        and (rule.pain is None or pain >= rule.pain)
    )


def running_advice(
    scores: Mapping[str, float],
    pain: Mapping[str, float] | None = None,
    *,
    needs_clinician: bool = False,
    needs_emergency: bool = False,
    kb: KnowledgeBase | None = None,
) -> pd.DataFrame:
    """The week's running advice: one row per line, concerns with the same words merged.

    `scores` are the combined 0-100 scores by condition id; `pain` the pain (0-10) where each
    condition lives this week (missing: 0). Columns: advice (its key), tone, headline, text,
    conditions (;-joined ids, highest first) and names (their short names). Without a concern
    there is one line: the raised flag's advice, or the "no concern" one.
    """
    kb = kb or knowledge_base()
    ra = kb.rules.running_advice
    pain = pain or {}
    flags = {"needs_clinician": needs_clinician, "needs_emergency": needs_emergency}
    concerns = concern_scores(scores, kb)
    bands = band_index(concerns.to_numpy(), kb.rules.bands.moderate, kb.rules.bands.high)
    rows = []
    for cid, band in zip(concerns.index, np.atleast_1d(bands), strict=True):
        rule = next(r for r in ra.rules if _matches(r, flags, int(band), pain.get(cid, 0.0)))
        changes = [ra.changes[c] for c in kb.running[cid].changes]
        advice = ra.advice[rule.advice]
        text = advice.text.format(**{CHANGES_FIELD: joined(changes)})
        # A raised flag is about the runner, not one condition: its line names none (an
        # emergency is not "piriformis" because the buttock also hurts).
        rows.append(
            (
                rule.advice,
                advice.tone,
                advice.headline,
                text,
                advice.after,
                "" if rule.flag else cid,
            )
        )
    if not rows:
        raised = next((r for r in ra.rules if r.flag is not None and flags[r.flag]), None)
        key, advice = (
            ("", ra.no_concern) if raised is None else (raised.advice, ra.advice[raised.advice])
        )
        text = advice.text.format(**{CHANGES_FIELD: ""})
        rows.append((key, advice.tone, advice.headline, text, advice.after, ""))
    frame = pd.DataFrame(rows, columns=ADVICE_COLUMNS[:-1])
    short = {c: kb.conditions[c].short_name for c in kb.condition_ids} | {"": ""}
    frame["names"] = frame["conditions"].map(short)
    merged = frame.groupby(ADVICE_COLUMNS[:-2], sort=False).agg(
        conditions=("conditions", lambda ids: ";".join(dict.fromkeys(i for i in ids if i))),
        names=("names", lambda names: ", ".join(dict.fromkeys(n for n in names if n))),
    )
    merged = merged.reset_index()
    rank = merged["tone"].map({tone: i for i, tone in enumerate(TONES)})
    return merged.sort_values("tone", key=lambda _: rank, kind="stable", ignore_index=True)[
        ADVICE_COLUMNS
    ]


def advice_blocks(advice: pd.DataFrame) -> list[tuple[str, str]]:
    """(tone, Markdown) per advice, most pressing first: the headline once, then a line per
    concern ("**Runner's knee:** what to do"), then its closing words. A page shows each block
    in one box; the downloaded plan prints them in a row."""
    blocks = []
    for (_, tone, headline, after), rows in advice.groupby(
        ["advice", "tone", "headline", "after"], sort=False
    ):
        named = rows["names"] != ""
        lines = ("- **" + rows["names"] + ":** " + rows["text"]).where(named, rows["text"])
        parts = [f"**{headline}**", "\n".join(lines)] + ([after] if after else [])
        blocks.append((str(tone), "\n\n".join(parts)))
    return blocks


def without_emergency(advice: pd.DataFrame, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """The advice without the lines a raised emergency gives (rules.toml: the rules with
    flag = "needs_emergency"): the Results page says that once, above its title."""
    kb = kb or knowledge_base()
    urgent = {r.advice for r in kb.rules.running_advice.rules if r.flag == "needs_emergency"}
    return advice[~advice["advice"].isin(urgent)]


def advice_markdown(advice: pd.DataFrame) -> str:
    """The advice as Markdown, for the downloaded plan."""
    return "\n\n".join(block for _, block in advice_blocks(advice))
