"""Names of the session-state entries that one page (or the app's entry point) sets and another
reads: one spelling each, so a page cannot silently read a key nobody writes. Plain constants;
keys used by a single page stay in that page."""

from __future__ import annotations

# streamlit_app.py -> pages/login.py: the page "Continue" leads to after signing in.
HOME_PAGE = "home_page"
# pages/team.py -> pages/shared/common.py: the runner a coach clicked, opened on the history page.
HISTORY_RUNNER = "history_runner"
# pages/history.py, pages/checkin.py -> pages/results.py: the check-in to show.
RESULT_ID = "result_id"
# pages/history.py -> pages/shared/checkin_form.py: the stored check-in to open in the form.
CI_EDIT_ID = "ci_edit_id"
# pages/shared/checkin_form.py <-> pages/checkin.py: the check-in form's state.
CI_VALUES = "ci_values"  # the form's answers, kept between visits
CI_ERRORS = "ci_errors"  # column -> message of the last save attempt
CI_CONFIRM = "ci_confirm"  # the week whose check-in a save would replace (asks first)
CI_EDITING = "ci_editing"  # id of the stored check-in being edited, or None
CI_LOADED_FOR = "ci_loaded_for"  # the runner whose values the form holds
CI_HAD_PREVIOUS = "ci_had_previous"  # the form started from last week's answers
CI_CARRIED = "ci_carried"  # the columns whose answers came from last week (marked in the form)
CI_PAIN_ASK = "ci_pain_ask"  # a save found areas ticked with pain 0: keep or clear them first
CI_PROFILE = "ci_profile"  # the runner's profile (units, sex) the form was filled with
CI_RECORDED = "ci_recorded"  # (runner, week, runs) whose recorded distances fill the form
