"""When to see a clinician and when to get urgent care, from one check-in and its runner's weeks.

One function, score_history, scores check-ins the way every surface shows them: the load flags
from each runner's weeks, the scores, and the safety rules that need history (the same location
hurting week after week, pain rising week after week). The batch CLI, Results and History all
call it, so one runner's week scores the same everywhere. The thresholds and the wording live in
data/rules.toml [safety]; everything runs on whole frames, grouped by runner without a loop.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from logic.analysis.load import with_load_flags
from logic.analysis.ostrc import PARTICIPATION
from logic.analysis.runs import with_run_date_spikes
from logic.analysis.scoring import score_parsed
from logic.checkins import ParsedCheckins, parse_checkins, split_set
from logic.knowledge import KnowledgeBase, knowledge_base
from logic.weeks import week_starts

# The safety rules score_history adds, as bool columns (see history_rules).
HISTORY_RULES = ("cannot_train", "persistent_pain", "rising_pain")
LOAD_INPUTS = ("runner", "date", "weekly_km", "longest_run_km")


def location_pain(parsed: ParsedCheckins) -> np.ndarray:
    """Rows x pain locations: the week's worst pain where the location is ticked, else 0."""
    ticked = parsed.members("pain_locations")
    pain = np.nan_to_num(np.clip(parsed.numbers["pain_level"], 0, 10))
    return ticked * pain[:, None]


def _shift(values: np.ndarray, steps: int, fill: Any) -> np.ndarray:
    """values moved down `steps` rows (row i gets row i - steps); the first rows get `fill`."""
    out = np.empty_like(values)
    out[:steps] = fill
    out[steps:] = values[: len(values) - steps]
    return out


def history_rules(
    parsed: ParsedCheckins, runner: np.ndarray, week: np.ndarray, kb: KnowledgeBase | None = None
) -> pd.DataFrame:
    """The history-based reasons to see a clinician, one bool column each, on parsed.index.

    cannot_train: could not train at all (ostrc_participation = cannot_participate_option).
    persistent_pain: one location at persistent_pain_level or more for persistent_weeks weeks
    in a row. rising_pain: pain at one location higher than the week before, rising_weeks weeks
    running. "In a row" means consecutive ISO weeks of the same runner, each with a check-in;
    a missed week breaks the run.
    """
    kb = kb or knowledge_base()
    cfg = kb.rules.safety
    n = len(parsed)
    participation = parsed.numbers[PARTICIPATION]
    cannot = participation == kb.rules.ostrc.cannot_participate_option
    if n == 0:
        empty = np.zeros(0, dtype=bool)
        return pd.DataFrame(
            {"cannot_train": empty, "persistent_pain": empty, "rising_pain": empty},
            index=parsed.index,
        )
    runner_code = pd.factorize(runner)[0]  # integers compare far faster than strings
    day = week.astype("datetime64[D]").astype("int64")
    order = np.lexsort((day, runner_code))
    pain = location_pain(parsed)[order]
    who, when = runner_code[order], day[order]
    longest = max(cfg.persistent_weeks - 1, cfg.rising_weeks)
    # chained[j]: the j rows above are the same runner's j weeks right before, one per week
    chained = [np.ones(n, dtype=bool)]
    for j in range(1, longest + 1):
        same = (_shift(who, j, -1) == who) & (_shift(when, j, when[0]) == when - 7 * j)
        chained.append(chained[-1] & same)
    hurt = pain >= cfg.persistent_pain_level
    persistent = hurt & chained[cfg.persistent_weeks - 1][:, None]
    for j in range(1, cfg.persistent_weeks):
        persistent &= _shift(hurt, j, False)
    rising = np.broadcast_to(chained[cfg.rising_weeks][:, None], pain.shape).copy()
    for j in range(cfg.rising_weeks):
        rising &= _shift(pain, j, 0.0) > _shift(pain, j + 1, np.inf)
    back = np.empty(n, dtype="int64")
    back[order] = np.arange(n)
    return pd.DataFrame(
        {
            "cannot_train": cannot,
            "persistent_pain": persistent.any(axis=1)[back],
            "rising_pain": rising.any(axis=1)[back],
        },
        index=parsed.index,
    )


def needs_emergency(parsed: ParsedCheckins, kb: KnowledgeBase | None = None) -> np.ndarray:
    """Any of rules.toml [safety] emergency_signs ticked: get urgent care today."""
    kb = kb or knowledge_base()
    allowed = list(kb.checkin.columns["warning_signs"].values)
    idx = [allowed.index(s) for s in kb.rules.safety.emergency_signs]
    return parsed.members("warning_signs")[:, idx].any(axis=1)


def score_history(
    frame: pd.DataFrame,
    kb: KnowledgeBase | None = None,
    parsed: ParsedCheckins | None = None,
    loads: pd.DataFrame | None = None,
    runs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every check-in of one or many runners scored with its runner's weeks, on frame's index.

    Columns: the load flags (acute_chronic, load_spike, long_run_spike), the history rules
    (HISTORY_RULES), the scores and bands of score_parsed, needs_clinician (the check-in's own
    rule or any history rule) and needs_emergency. `frame` needs runner and date; pass `parsed`
    when the frame is validated already (parse_checkins of the same frame), and `loads` when
    the load flags come from elsewhere (the CLI's --with-runs: analysis.runs.recorded_load_flags),
    or `runs` (the runner's recorded runs) for the long-run spike by run date in their weeks.
    """
    kb = kb or knowledge_base()
    if loads is None:
        inputs = frame[[c for c in LOAD_INPUTS if c in frame.columns]]
        loads = with_load_flags(inputs, kb)
        if runs is not None:  # weeks with recorded runs: the long run judged by run dates
            loads = with_run_date_spikes(loads, inputs, runs, kb)
    flags = loads[list(kb.load.derived)]
    if parsed is None:
        parsed = parse_checkins(pd.concat([frame, flags], axis=1), kb=kb)
    else:
        extra = {k: flags[k].to_numpy(dtype=bool) for k in kb.load.derived}
        parsed = dataclasses.replace(parsed, flags={**parsed.flags, **extra})
    runner = frame["runner"].astype("str").to_numpy(dtype=object)
    week = week_starts(pd.to_datetime(frame["date"])).to_numpy()
    rules = history_rules(parsed, runner, week, kb)
    scores = score_parsed(parsed, kb)
    scores["needs_clinician"] = scores["needs_clinician"].to_numpy() | rules.any(axis=1).to_numpy()
    scores["needs_emergency"] = needs_emergency(parsed, kb)
    return pd.concat([loads[["acute_chronic", *flags.columns]], rules, scores], axis=1)


def _members(value: Any) -> list[str]:
    return list(value) if isinstance(value, list | tuple | set) else split_set(value)


def _given(value: Any) -> bool:
    return value is not None and not pd.isna(value)


def clinician_reasons(checkin: Mapping[str, Any], kb: KnowledgeBase | None = None) -> list[str]:
    """Why the flag is raised, most urgent first: emergency signs, the other warning signs,
    not being able to train, the pain level, then the history rules (when the check-in carries
    the columns of score_history). Empty when no rule fired."""
    kb = kb or knowledge_base()
    cfg = kb.rules.safety
    labels = kb.labels("warning_signs")
    signs = [s for s in _members(checkin.get("warning_signs")) if s in labels]
    urgent = [s for s in signs if s in cfg.emergency_signs]
    reasons = [f"{labels[s]}." for s in urgent + [s for s in signs if s not in urgent]]
    participation = checkin.get(PARTICIPATION)
    cannot = checkin.get("cannot_train")
    if (_given(cannot) and bool(cannot)) or (
        _given(participation) and participation == kb.rules.ostrc.cannot_participate_option
    ):
        reasons.append("You could not train at all this week because of the problem.")
    pain = checkin.get("pain_level")
    if _given(pain) and pain >= cfg.clinician_pain_level:
        reasons.append(f"Your worst pain this week was {int(pain)} out of 10.")
    if bool(checkin.get("persistent_pain", False)):
        reasons.append(
            f"The same place has hurt at {cfg.persistent_pain_level} out of 10 or more for "
            f"{cfg.persistent_weeks} weeks in a row."
        )
    if bool(checkin.get("rising_pain", False)):
        reasons.append(
            f"Your pain in one place has gone up every week for {cfg.rising_weeks} weeks."
        )
    return reasons


def clinician_advice(
    emergency: bool, age_band: str | None = None, kb: KnowledgeBase | None = None
) -> str:
    """What to do, after the reasons: urgent care today, or book a clinician (data/rules.toml);
    for a runner still growing, the growth-plate line as well."""
    cfg = (kb or knowledge_base()).rules.safety
    text = cfg.emergency_text if emergency else cfg.clinician_text
    if age_band in cfg.growing_age_bands:
        text = f"{text} {cfg.growing_text}"
    return text


def flag_markdown(
    emergency: bool,
    reasons: list[str],
    age_band: str | None = None,
    kb: KnowledgeBase | None = None,
) -> str:
    """The whole flag as Markdown, reasons first: the title, one line per reason, what to do."""
    kb = kb or knowledge_base()
    cfg = kb.rules.safety
    title = cfg.emergency_title if emergency else cfg.clinician_title
    lines = "".join(f"- {reason}\n" for reason in reasons)
    return f"**{title}.**\n\n{lines}\n{clinician_advice(emergency, age_band, kb)}"
