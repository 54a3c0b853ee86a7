"""Team: this week at a glance, the watch list, runners by condition, and the weeks behind."""

import datetime as dt
import hashlib

import pandas as pd
import streamlit as st

from logic import clock
from logic.analysis import roster as roster_view
from logic.analysis import team
from logic.charts.team import RUNNER_PARAM, team_view
from logic.errors import StrideCheckError
from logic.io.importing import download_bytes, safe_name, team_csv
from logic.session_keys import HISTORY_RUNNER
from logic.weeks import week_end, week_label, weeks_between
from pages.shared import common, tables

KB = common.kb()
ALL = "All conditions"
CONDITIONS = {KB.conditions[c].name: c for c in KB.condition_ids}  # display name -> id
HEATMAP_ROWS = (25, 50, 100, 200)
KEEP = "team_filters"  # filter choices, kept while the coach visits a runner's history


# Keyed by the roster's digest and the data version (count, max id, latest update of the
# check-ins): a rerun on unchanged data skips reading, scoring and Altair's spec building.


@st.cache_data(show_spinner=False, max_entries=4)
def scored(roster_key: str, version: tuple, _store, _names: tuple) -> pd.DataFrame:
    return team.scored_team(_store.all_checkins(list(_names)), KB)


@st.cache_data(show_spinner=False, max_entries=16)
def span(roster_key: str, version: tuple, today: dt.date, _store, _names: tuple) -> tuple:
    """First and last week with a check-in, and the default period (None when there is none)."""
    weeks = scored(roster_key, version, _store, _names)["week_start"]
    if weeks.empty:
        return None, None, None
    return weeks.min().date(), weeks.max().date(), team.default_period(weeks, today)


@st.cache_data(show_spinner=False, max_entries=64)
def view(key: tuple, period: tuple, condition, week: dt.date, rows: int, _store, _names):
    """Every section for one choice of filters: small frames, Vega-Lite specs, Markdown."""
    v = team_view(scored(*key, _store, _names), _names, period, week, condition, rows, KB)
    flags, watch = v.glance.needs_clinician, v.watch
    return v, {
        "flags": team.bullets(flags["runner"], flags["why"]),
        "watch": team.bullets(watch["runner"], watch["why"]),
        "bands": team.bands_markdown(v.glance.bands),
    }


@st.cache_data(show_spinner=False, max_entries=32)
def roster_of(key: tuple, week: dt.date, _store, _names: tuple, _members) -> pd.DataFrame:
    """The roster of the chosen teams for one week (logic.analysis.roster)."""
    return roster_view.coach_roster(scored(*key, _store, _names), _members, week, KB)


def open_history(runner: str) -> None:
    common.go_to(ctx, "history", {HISTORY_RUNNER: runner})


ctx = common.context()
if not common.reviews_teams(ctx):
    st.error("Only coaches and admins can open the team page.", icon="🔒")
    st.stop()
store = ctx.store
kept = st.session_state.setdefault(KEEP, {})
st.title("Team", anchor=False)
try:
    runners = store.list_runners()
    version = team.checkins_version(store)
except StrideCheckError as err:
    st.error(f"Could not read the team. {common.error_text(ctx, err)}", icon="🛑")
    st.stop()
teams = common.visible_teams(ctx, runners)
if not teams:
    if ctx.team:
        how = (
            "An admin puts a runner on a team on the **Admin** page (when adding the person, "
            "or later under **Runners and teams**)."
        )
    else:
        how = "A runner joins one by giving it in their profile or when they add their name."
    st.info(f"Nothing to show yet: no runner has joined a team. {how}", icon="📭")
    common.link_to(ctx, "data", "Import a team's check-ins", "🔄")
    if ctx.team:
        common.link_to(ctx, "admin", "Add runners' accounts or move them", "🛠️")
    else:
        common.link_to(ctx, "checkin", "Add a runner with a team", "📝")
    common.disclaimer()
    st.stop()

team_col, dates_col, condition_col = st.columns([3, 3, 2])
chosen = team_col.multiselect(
    "Team", teams, default=[t for t in kept.get("teams", teams[:1]) if t in teams], key="team_pick"
)
members = team.roster(runners, chosen)
names = tuple(members["runner"])
digest = hashlib.blake2b("\0".join(names).encode(), digest_size=12).hexdigest()
key = (digest, version)
today = clock.today()
first, last, default = span(*key, today, store, names)
if first is None:
    st.info("Pick a team with check-ins." if chosen else "Pick one or more teams.")
    common.disclaimer()
    st.stop()

start, end = default
latest = max(today, week_end(last).date())
period = [min(max(d, first), latest) for d in kept.get("period", (start, end))]
period = dates_col.date_input(
    "Dates",
    value=tuple(period),
    min_value=first,
    max_value=latest,
    key="team_dates",
    format="DD.MM.YYYY",
)
if len(period) < 2:
    period = (period[0], end)
picked = condition_col.selectbox("Condition", [ALL, *CONDITIONS], key="team_condition")
condition = CONDITIONS.get(picked)
weeks = weeks_between(*period)
week = st.selectbox(
    "Week", weeks, format_func=week_label, key="team_week", help="The week the next sections show."
)
rows = st.session_state.get("team_rows", HEATMAP_ROWS[0])
kept.update(teams=chosen, period=tuple(period))
v, md = view(key, tuple(period), condition, week, rows, store, names)

# --- this week ---------------------------------------------------------------------------------
g = v.glance
st.subheader("This week at a glance")
st.markdown(
    f"**{len(g.checked_in)} of {g.roster_size}** runners checked in · "
    f"**{len(g.needs_clinician)}** red flag{'' if len(g.needs_clinician) == 1 else 's'} · "
    f"**{len(v.watch)}** on the watch list"
)
if md["flags"]:
    st.error(f"**Red flags: these runners should see a clinician.**\n{md['flags']}", icon="🩺")
st.markdown(md["bands"])

# --- the roster: whom to call ------------------------------------------------------------------
st.subheader("Roster")
board = roster_of(key, week, store, names, members)
found = roster_view.counts(board)
shown_filters = st.pills(
    "Show only",
    roster_view.FILTERS,
    selection_mode="multi",
    format_func=lambda f: f"{f} ({found[f]})",
    key="team_roster_filter",
)
picked_rows = roster_view.filter_roster(board, list(shown_filters or []))
table = roster_view.roster_table(picked_rows)
if table.empty:
    st.caption("Nobody matches these filters this week.")
else:
    flag_help = "⚑ a red flag: this runner should see a clinician."
    status_help = "✓ answered this week; ✗ not yet, with the last date."
    pain_help = "Worst pain this week, 0-10."
    top_help = "The condition with the highest risk this week, and its band."
    picked_at = tables.key_first(
        table,
        key="team_roster",
        order=roster_view.TABLE_ORDER,
        config={
            "runner": st.column_config.TextColumn("Runner", pinned=True),
            "flag": st.column_config.TextColumn("Flag", width=48, help=flag_help),
            "status": st.column_config.TextColumn("Check-in", help=status_help),
            "pain": st.column_config.TextColumn("Pain", width=48, help=pain_help),
            "top": st.column_config.TextColumn("Top concern", help=top_help),
            "trend": st.column_config.TextColumn(
                "Trend", help="Risk against the check-in before: ↑ up, ↓ down, → level."
            ),
            "availability": "Available",
            "load": st.column_config.TextColumn(
                "Load",
                help="spike, long run, or this week's distance against the average of the "
                f"{KB.load.acute_chronic.chronic_weeks} weeks before (1.00× usual = the same).",
            ),
            "where": "Where it hurts",
            "missed": st.column_config.NumberColumn("Weeks missed", format="%d"),
        },
        # 358 px less the row picker's 32: "Gluteal tendon · moderate" and "✗ last 23 Nov"
        # wrap at word ends; the flag column titled by its mark.
        phone={
            "runner": st.column_config.TextColumn("Runner", width=76),
            "flag": st.column_config.TextColumn("⚑", width=32, help=flag_help),
            "top": st.column_config.TextColumn("Top concern", width=100, help=top_help),
            "pain": st.column_config.TextColumn("Pain", width=44, help=pain_help),
            "status": st.column_config.TextColumn("Check-in", width=72, help=status_help),
        },
        more="All columns: trend, availability, load, where it hurts, weeks missed",
        on_select="rerun",
        selection_mode="single-row",
    )
    if picked_at:
        open_history(str(table.iloc[picked_at[0]]["runner"]))
    st.caption(
        "Not answered first, then red flags and the highest risk. Tap a row to open that "
        "runner's history and leave a note; tap a column title to sort."
    )

st.subheader("Watch list")
watch = v.watch
if watch.empty:
    st.success("Nobody to watch this week.", icon="✅")
else:
    box = st.container(height=360) if len(watch) > 8 else st.container()
    box.markdown(md["watch"])
    st.caption(
        f"Risk up {KB.rules.trends.rise_points:g} points or a band since the week before, "
        f"this week's distance above {KB.load.acute_chronic.flag_above:g}× the average of the "
        f"{KB.load.acute_chronic.chronic_weeks} weeks before, a problem that limited training, "
        "or a red flag."
    )

st.subheader("Runners by condition")
if v.heatmap is None:
    st.info("Nobody checked in this week.")
else:
    event = st.vega_lite_chart(
        v.heatmap,
        on_select="rerun",
        selection_mode=RUNNER_PARAM,
        key="team_heatmap",
        width="stretch",
    )
    clicked = event.get("selection", {}).get(RUNNER_PARAM) or []  # a dict: AppTest sets one
    if clicked and clicked[0].get("runner"):
        open_history(str(clicked[0]["runner"]))
    st.caption(
        f"Riskiest first ({v.heatmap_runners} shown); ⚑ marks a red flag. "
        "Tap a runner to open their history."
    )
    st.selectbox(
        "Show", HEATMAP_ROWS, format_func=lambda n: f"{n} runners at most", key="team_rows"
    )
target = st.selectbox(
    "Open a runner's history",
    g.checked_in + g.missing,
    index=None,
    key="team_open",
    placeholder="Pick a runner",
)
if target:
    open_history(target)

# --- the weeks ---------------------------------------------------------------------------------
st.subheader("At moderate or high risk")
st.vega_lite_chart(v.share, width="stretch")
st.caption(f"{v.share_text} Darker cells: more of the runners who checked in that week.")
st.subheader("Team average risk")
st.vega_lite_chart(v.mean, width="stretch")
st.subheader("Problems reported")
if v.prevalence is None:
    st.caption("Nobody answered the optional questions at the end of the check-in in this period.")
else:
    st.vega_lite_chart(v.prevalence, width="stretch")
    m = v.prevalence_means
    st.caption(
        "Share of the runners who answered the optional questions at the end of the check-in "
        "(after a questionnaire from sports-injury research: Clarsen et al. 2013, Br J Sports "
        f"Med). Mean over the period: any problem {m['any_problem']:.0%}, "
        f"a problem that limited training {m['substantial']:.0%}."
    )

st.subheader("Export and import")
st.download_button(
    f"Download {v.checkins} check-ins (CSV)",
    lambda: download_bytes(team_csv(team.in_period(store.all_checkins(list(names)), *period), KB)),
    f"stride-check-team-{safe_name('-'.join(chosen))}-{today:%Y-%m-%d}.csv",
    mime="text/csv",
    on_click="ignore",
    icon="⬇️",
    disabled=v.checkins == 0,
    key="team_export",
)
st.caption(
    "To bring in a season collected elsewhere (a form tool's CSV), open **Import & export** "
    "and switch on **Team import**: the same checks, preview and all-or-nothing rule apply."
)
st.caption("The check-ins of the chosen teams and dates, in the import's columns.")
common.disclaimer()
