"""A coach's view of a team: who checked in, who is at risk, and how the weeks went.

Plain typed Python (no Streamlit). Every function takes the already-filtered check-ins or
scored frame, or the teams to show, so access control stays with the caller. The check-ins of
all runners are scored in one vectorised pass (analysis.trends.scored_history: load flags, scores,
bands, OSTRC severity); everything after that is a groupby over that frame, and each result is
small (weeks x conditions, runners x conditions) so charts never carry raw history rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from logic.analysis.ostrc import LIMITED_TRAINING, PARTICIPATION, any_problem
from logic.analysis.scoring import band_codes
from logic.analysis.trends import rise_amount, rose, scored_history
from logic.checkins import split_set
from logic.knowledge import BANDS, KnowledgeBase, knowledge_base
from logic.texts import escape_all
from logic.weeks import WEEK, week_end, week_grid
from logic.weeks import week_start as _monday  # `week_start` names arguments here

__all__ = [
    "WATCH_COLUMNS",
    "WeekGlance",
    "band_share_by_week",
    "bands_markdown",
    "bullets",
    "checkins_version",
    "default_period",
    "heatmap_data",
    "in_period",
    "mean_risk_by_week",
    "ostrc_prevalence_by_week",
    "prevalence_means",
    "roster",
    "scored_team",
    "team_names",
    "watch_list",
    "week_glance",
]

WATCH_COLUMNS = [
    "runner",
    "team",
    "why",
    "reasons",
    "needs_clinician",
    "risk_rise",
    "substantial",
    "acwr_flag",
    "acute_chronic",
    "top_score",
]


# --- who is on the team ------------------------------------------------------------------------


def team_names(runners: pd.DataFrame) -> list[str]:
    """The distinct teams of a list_runners() frame, sorted (runners without a team left out)."""
    return sorted(set(runners["team"].dropna().to_numpy(dtype=object).tolist()))


def roster(runners: pd.DataFrame, teams: Sequence[str]) -> pd.DataFrame:
    """runner, team of every runner on one of `teams` (list_runners() frame), by name."""
    team = runners["team"].to_numpy(dtype=object, na_value=None)
    on_team = runners.loc[np.isin(team, np.asarray(list(teams), dtype=object)), ["runner", "team"]]
    by_name = np.argsort(on_team["runner"].to_numpy(dtype=object), kind="stable")
    return on_team.iloc[by_name].reset_index(drop=True)


def checkins_version(store: Any) -> tuple[int, int, str]:
    """A key that changes with every save, import, edit or delete: `store.data_version()`,
    for caches of scored frames. `store` is a Store or a ScopedStore."""
    return store.data_version()


# --- scoring -----------------------------------------------------------------------------------


def scored_team(checkins: pd.DataFrame, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """Every check-in of the team scored at once: load flags, scores, bands, needs_clinician,
    severity, substantial (see logic.analysis.trends.scored_history), plus `any_problem` and
    `ostrc_answered` (the participation question was answered). Oldest first."""
    kb = kb or knowledge_base()
    if checkins.empty:
        checkins = checkins.assign(week_start=pd.Series(dtype="datetime64[ns]"))
    out = scored_history(checkins, kb)
    out["any_problem"] = any_problem(out, kb).to_numpy(dtype=bool)
    out["ostrc_answered"] = out[PARTICIPATION].notna().to_numpy(dtype=bool)
    return out


def _latest(scored: pd.DataFrame) -> pd.DataFrame:
    """One row per runner and week (the latest check-in of that week); `scored` is oldest first."""
    return scored.drop_duplicates(["runner", "week_start"], keep="last")


def _ids(condition: str | None, kb: KnowledgeBase) -> list[str]:
    if condition is None:
        return kb.condition_ids
    if condition not in kb.conditions:
        raise ValueError(f"unknown condition {condition!r}; expected one of {kb.condition_ids}")
    return [condition]


# --- the period --------------------------------------------------------------------------------


def default_period(weeks: pd.Series, today: dt.date, length: int = 12) -> tuple[dt.date, dt.date]:
    """The last `length` weeks up to today's week, or up to the last week with a check-in when
    none falls in that span (old or imported data). `weeks` are the check-ins' week_start."""
    end = _monday(today)
    if len(weeks) and weeks.max() <= end - length * WEEK:
        end = _monday(weeks.max())
    start = end - (length - 1) * WEEK
    if len(weeks):
        start = max(start, min(_monday(weeks.min()), end))
    return start.date(), week_end(end).date()


def in_period(scored: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Rows whose ISO week overlaps start..end (whole weeks)."""
    weeks = scored["week_start"]
    return scored[(weeks >= _monday(start)) & (weeks <= _monday(end))]


# --- this week ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekGlance:
    """One week of a team: who checked in, band counts per condition, red flags."""

    week_start: dt.date
    checked_in: list[str]
    missing: list[str]
    bands: pd.DataFrame  # condition, name, short_name, moderate, high (knowledge-base order)
    needs_clinician: pd.DataFrame  # runner, why

    @property
    def roster_size(self) -> int:
        return len(self.checked_in) + len(self.missing)


def _clinician_why(rows: pd.DataFrame, kb: KnowledgeBase) -> pd.Series:
    """'warning sign: Visible swelling; pain 9/10' for rows that need a clinician, else ''."""
    labels = kb.labels("warning_signs")
    sep = kb.checkin.set_separator
    signs = rows["warning_signs"].fillna("").astype("str")
    named = {
        v: ", ".join(labels.get(s, s) for s in split_set(v, sep)) for v in signs.unique()
    }  # once per distinct set, not per row
    text = signs.map(named)
    sign_part = ("warning sign: " + text).where(text != "", "")
    pain = rows["pain_level"].astype("float64")
    high_pain = pain >= kb.rules.safety.clinician_pain_level
    pain_text = "pain " + pain.fillna(0).astype("int64").astype("str") + "/10"
    pain_part = pain_text.where(high_pain, "")
    cfg = kb.rules.safety
    history_parts = {  # the rules of safety.score_history, when the rows carry them
        "cannot_train": "could not train",
        "persistent_pain": f"same place at {cfg.persistent_pain_level}/10+ for "
        f"{cfg.persistent_weeks} weeks",
        "rising_pain": f"pain rising {cfg.rising_weeks} weeks running",
    }
    parts = [sign_part, pain_part] + [
        pd.Series(np.where(rows[col].fillna(False).astype(bool), text, ""), index=rows.index)
        for col, text in history_parts.items()
        if col in rows.columns
    ]
    joined = parts[0]
    for part in parts[1:]:  # a handful of columns, each joined over all rows at once
        sep = pd.Series(np.where((joined != "") & (part != ""), "; ", ""), index=rows.index)
        joined = joined + sep + part
    return joined.where(rows["needs_clinician"].astype(bool), "")


def week_glance(
    scored: pd.DataFrame,
    roster: pd.DataFrame,
    week_start: dt.date | pd.Timestamp,
    condition: str | None = None,
    kb: KnowledgeBase | None = None,
) -> WeekGlance:
    """Who of `roster` checked in in the ISO week of `week_start` and who has not, how many
    runners are at moderate and at high risk per condition, and who needs a clinician."""
    kb = kb or knowledge_base()
    ids = _ids(condition, kb)
    week = _monday(week_start)
    names = roster["runner"].astype("str")
    rows = _latest(scored)
    rows = rows[(rows["week_start"] == week) & rows["runner"].isin(names)]
    done = set(rows["runner"])
    codes = band_codes(rows[ids].to_numpy(dtype="float64"), kb)
    bands = pd.DataFrame(
        {
            "condition": ids,
            "name": [kb.conditions[c].name for c in ids],
            "short_name": [kb.conditions[c].short_name for c in ids],
            "moderate": (codes == 1).sum(axis=0),
            "high": (codes == 2).sum(axis=0),
        }
    )
    flagged = rows[rows["needs_clinician"].astype(bool)].sort_values("runner")
    return WeekGlance(
        week_start=week.date(),
        checked_in=sorted(done),
        missing=sorted(set(names) - done),
        bands=bands,
        needs_clinician=pd.DataFrame(
            {"runner": flagged["runner"].to_numpy(), "why": _clinician_why(flagged, kb).to_numpy()}
        ),
    )


# --- week by week ------------------------------------------------------------------------------


def _week_grid(weeks: pd.Series) -> pd.DatetimeIndex:
    if weeks.empty:
        return pd.DatetimeIndex([], dtype="datetime64[ns]", name="week_start")
    return week_grid(weeks.min(), weeks.max()).rename("week_start").astype(weeks.dtype)


def _long(wide: pd.DataFrame, value: str, kb: KnowledgeBase) -> pd.DataFrame:
    """weeks x conditions (columns condition ids) -> week_start, condition, name, short_name,
    value: one row per week and condition, conditions in knowledge-base order within a week."""
    ids = list(wide.columns)
    n = len(wide)
    return pd.DataFrame(
        {
            "week_start": np.repeat(wide.index.to_numpy(), len(ids)),
            "condition": np.tile(ids, n),
            "name": np.tile([kb.conditions[c].name for c in ids], n),
            "short_name": np.tile([kb.conditions[c].short_name for c in ids], n),
            value: wide.to_numpy(dtype="float64").reshape(-1),
        }
    )


def band_share_by_week(
    scored: pd.DataFrame, condition: str | None = None, kb: KnowledgeBase | None = None
) -> pd.DataFrame:
    """Per week and condition: runners checked in, how many at moderate and at high risk, and
    `share` = (moderate + high) / runners (NaN in a week nobody checked in).

    One row per week x condition, every week from the first to the last of `scored`."""
    kb = kb or knowledge_base()
    ids = _ids(condition, kb)
    rows = _latest(scored)
    codes = band_codes(rows[ids].to_numpy(dtype="float64"), kb)
    week = rows["week_start"].to_numpy()
    grid = _week_grid(rows["week_start"])
    moderate = pd.DataFrame(codes == 1, columns=ids).groupby(week).sum().reindex(grid)
    high = pd.DataFrame(codes == 2, columns=ids).groupby(week).sum().reindex(grid)
    counts = pd.Series(1, index=rows.index).groupby(week).sum().reindex(grid, fill_value=0)
    out = _long(moderate.fillna(0), "moderate", kb)
    out["high"] = high.fillna(0).to_numpy(dtype="float64").reshape(-1)
    out["runners"] = np.repeat(counts.to_numpy(dtype="int64"), len(ids))
    out["moderate"] = out["moderate"].astype("int64")
    out["high"] = out["high"].astype("int64")
    runners = out["runners"].where(out["runners"] > 0)
    out["share"] = (out["moderate"] + out["high"]) / runners
    return out


def mean_risk_by_week(
    scored: pd.DataFrame, condition: str | None = None, kb: KnowledgeBase | None = None
) -> pd.DataFrame:
    """week_start, condition, name, short_name, score (the mean over the runners who checked in
    that week; NaN in a week nobody did), runners. One row per week x condition."""
    kb = kb or knowledge_base()
    ids = _ids(condition, kb)
    rows = _latest(scored)
    grid = _week_grid(rows["week_start"])
    grouped = rows.groupby("week_start")
    means = grouped[ids].mean().reindex(grid)
    out = _long(means, "score", kb)
    counts = grouped.size().reindex(grid, fill_value=0)
    out["runners"] = np.repeat(counts.to_numpy(dtype="int64"), len(ids))
    return out


def ostrc_prevalence_by_week(scored: pd.DataFrame) -> pd.DataFrame:
    """OSTRC-style prevalence per week among the runners who answered the questions:
    week_start, answered, any_problem, substantial (counts), any_share, substantial_share
    (NaN in a week nobody answered). Every week from the first to the last of `scored`."""
    rows = _latest(scored)
    answered = rows["ostrc_answered"].astype(bool)
    counts = (
        pd.DataFrame(
            {
                "answered": answered,
                "any_problem": answered & rows["any_problem"].astype(bool),
                "substantial": answered & rows["substantial"].astype(bool),
            }
        )
        .groupby(rows["week_start"].to_numpy())
        .sum()
    )
    grid = _week_grid(rows["week_start"])
    out = counts.reindex(grid, fill_value=0).astype("int64").rename_axis("week_start")
    out = out.reset_index()
    base = out["answered"].where(out["answered"] > 0)
    out["any_share"] = out["any_problem"] / base
    out["substantial_share"] = out["substantial"] / base
    return out


def prevalence_means(prevalence: pd.DataFrame) -> dict[str, float]:
    """The period's average prevalence: the mean of the weekly shares (weeks without answers
    left out), as OSTRC studies report it. NaN when no week has answers."""
    return {
        "any_problem": float(prevalence["any_share"].mean()),
        "substantial": float(prevalence["substantial_share"].mean()),
    }


# --- runners this week -------------------------------------------------------------------------


def heatmap_data(
    scored: pd.DataFrame,
    week_start: dt.date | pd.Timestamp,
    condition: str | None = None,
    limit: int | None = None,
    kb: KnowledgeBase | None = None,
) -> pd.DataFrame:
    """Runners x conditions of one week, riskiest runner first (highest score, then highest sum
    of scores, then name): runner, team, rank (0 = riskiest), condition, name, short_name,
    score, band, needs_clinician. `limit` keeps the first `limit` runners."""
    kb = kb or knowledge_base()
    ids = _ids(condition, kb)
    rows = _latest(scored)
    rows = rows[rows["week_start"] == _monday(week_start)]
    values = rows[ids].to_numpy(dtype="float64")
    order = pd.DataFrame(
        {
            "top": values.max(axis=1, initial=0),
            "total": values.sum(axis=1),
            "runner": rows["runner"].to_numpy(),
        }
    ).sort_values(["top", "total", "runner"], ascending=[False, False, True], kind="stable")
    picked = order.index.to_numpy()[:limit]
    values = values[picked]
    n = len(picked)
    bands = np.asarray(BANDS)[band_codes(values, kb)]
    return pd.DataFrame(
        {
            "runner": np.repeat(rows["runner"].to_numpy()[picked], len(ids)),
            "team": np.repeat(rows["team"].to_numpy()[picked], len(ids)),
            "rank": np.repeat(np.arange(n), len(ids)),
            "condition": np.tile(ids, n),
            "name": np.tile([kb.conditions[c].name for c in ids], n),
            "short_name": np.tile([kb.conditions[c].short_name for c in ids], n),
            "score": values.reshape(-1),
            "band": bands.reshape(-1),
            "needs_clinician": np.repeat(
                rows["needs_clinician"].to_numpy(dtype=bool)[picked], len(ids)
            ),
        }
    )


def _rises(now: pd.DataFrame, before: pd.DataFrame, ids: list[str], kb: KnowledgeBase) -> pd.Series:
    """Per runner (index of `now`): 'IT band up 18 points (low → moderate)' for every condition
    that rose at least rules.toml [trends] rise_points or moved up a band since the week before,
    biggest rise first; '' when none did or there is no check-in the week before."""
    cur = now[ids].to_numpy(dtype="float64")
    prev = before[ids].to_numpy(dtype="float64")
    change = cur - prev
    band_now, band_then = band_codes(cur, kb), band_codes(prev, kb)
    hit = ~np.isnan(prev) & rose(change, band_now, band_then, kb)
    r, c = np.nonzero(hit)
    bands = np.asarray(BANDS)
    amount = rise_amount(change[r, c])
    moved = band_now[r, c] > band_then[r, c]
    shift = np.char.add(np.char.add(" (", bands[band_then[r, c]]), " → ")
    shift = np.char.add(np.char.add(shift, bands[band_now[r, c]]), ")")
    short = np.asarray([kb.conditions[i].short_name for i in ids])
    text = np.char.add(np.char.add(short[c], " up "), amount)
    text = np.where(moved, np.char.add(text, shift), text)
    cells = np.full(cur.shape, "", dtype=object)  # runners x conditions, '' where no rise
    cells[r, c] = text
    biggest_first = np.argsort(np.where(hit, -change, np.inf), axis=1, kind="stable")
    cells = np.take_along_axis(cells, biggest_first, axis=1)
    return _joined([pd.Series(cells[:, j], index=now.index, dtype="str") for j in range(len(ids))])


def _joined(parts: list[pd.Series], sep: str = "; ") -> pd.Series:
    """The non-empty texts of each row, joined with `sep`: one vectorised pass per part."""
    out = pd.Series("", index=parts[0].index, dtype="str")
    for part in parts:
        out = out + part.where(part == "", part + sep)
    return out.str.removesuffix(sep)


def watch_list(
    scored: pd.DataFrame,
    week_start: dt.date | pd.Timestamp,
    condition: str | None = None,
    kb: KnowledgeBase | None = None,
) -> pd.DataFrame:
    """Runners to look at in the ISO week of `week_start`, each with `why`: a red flag (a warning
    sign or pain at the clinician level), a risk that rose at least [trends] rise_points or
    moved up a band since the week before, a substantial OSTRC problem, or an acute:chronic
    ratio above data/load.toml's flag_above. Red flags first, then the most reasons, then the
    highest score. Columns: WATCH_COLUMNS."""
    kb = kb or knowledge_base()
    ids = _ids(condition, kb)
    week = _monday(week_start)
    rows = _latest(scored)
    now = rows[rows["week_start"] == week].set_index("runner")
    before = rows[rows["week_start"] == week - WEEK].set_index("runner").reindex(now.index)
    rise = _rises(now, before, ids, kb)
    clinician = _clinician_why(now, kb)
    substantial = now["substantial"].astype(bool)
    ratio = now["acute_chronic"].astype("float64")
    limit = kb.load.acute_chronic.flag_above
    acwr = (ratio > limit).fillna(False).astype(bool)
    weeks = kb.load.acute_chronic.chronic_weeks
    acwr_text = (
        f"this week vs the {weeks} weeks before: "
        + ratio.round(2).astype("str")
        + f"× (above {limit:g}×)"
    )
    parts = [
        clinician,
        rise,
        pd.Series("a " + LIMITED_TRAINING.lower(), index=now.index).where(substantial, ""),
        acwr_text.where(acwr, ""),
    ]
    found = pd.concat([p != "" for p in parts], axis=1)
    why = _joined(parts)
    why = why.str[:1].str.upper() + why.str[1:]
    out = pd.DataFrame(
        {
            "runner": now.index.astype("str"),
            "team": now["team"].to_numpy(),
            "why": why.to_numpy(),
            "reasons": found.sum(axis=1).to_numpy(dtype="int64"),
            "needs_clinician": now["needs_clinician"].to_numpy(dtype=bool),
            "risk_rise": (rise != "").to_numpy(dtype=bool),
            "substantial": substantial.to_numpy(dtype=bool),
            "acwr_flag": acwr.to_numpy(dtype=bool),
            "acute_chronic": ratio.to_numpy(),
            "top_score": now[ids].to_numpy(dtype="float64").max(axis=1, initial=0),
        }
    )
    out = out[out["reasons"] > 0]
    out = out.sort_values(
        ["needs_clinician", "reasons", "top_score", "runner"],
        ascending=[False, False, False, True],
        kind="stable",
    )
    return out[WATCH_COLUMNS].reset_index(drop=True)


# --- export ------------------------------------------------------------------------------------


# --- text for the page -------------------------------------------------------------------------


def bullets(names: pd.Series, texts: pd.Series) -> str:
    """'- **name**: text' lines in Markdown, names and texts escaped (they are user text)."""
    lines = "- **" + escape_all(names) + "**: " + escape_all(texts)
    return "\n".join(lines.tolist())


def bands_markdown(bands: pd.DataFrame) -> str:
    """WeekGlance.bands as a small Markdown table: condition, runners at moderate, at high."""
    rows = (
        "| "
        + escape_all(bands["short_name"])
        + " | "
        + bands["moderate"].astype("str")
        + " | "
        + bands["high"].astype("str")
        + " |"
    )
    return "| Condition | Moderate | High |\n| :-- | --: | --: |\n" + "\n".join(rows.tolist())
