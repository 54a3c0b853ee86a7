#!/usr/bin/env bash
# The project's one test command (README, CI): bash scripts/test.sh [pytest args...]
#
#   1. pip install -e ".[test]"         into the project's .venv, created when missing, and
#                                       only when pyproject.toml changed (scripts/venv.sh);
#                                       $PYTHON picks the interpreter .venv is made from
#   2. apt-get install, only what is missing:
#        chromium                 when `chromium` is not on PATH (browser tests; Playwright
#                                 cannot download its own browser on this network)
#        fonts-noto-color-emoji   when fontconfig knows no emoji font (the app's emoji icons
#                                 are drawn as empty boxes in screenshots without it)
#        postgresql               when no initdb is found (postgres tests; the machine
#                                 image normally has PostgreSQL 15 already)
#        faketime                 when `faketime` is not on PATH (step 5)
#        nodejs npm               when `node` or `npm` is not on PATH (the OIDC browser tests
#                                 run a real OpenID provider, tests/oidc/provider.mjs; they
#                                 `npm ci` its lock file themselves when node_modules is missing)
#   3. ruff check . and lint-imports (the import-linter layer contracts in pyproject.toml)
#   4. python -m pytest "$@"            whole suite by default: unit, browser, postgres
#   5. only when no pytest arguments are given: the fast part of the suite (-m "not browser
#      and not postgres") three more times under Debian's faketime, which fakes libc's clock
#      for Python and every process it starts: this week's Sunday at 23:57 (the run crosses
#      midnight into a new ISO week), the Monday after at 00:03, and three years from now.
#      tests/conftest.py pins logic.clock to the faked instant at session start.
#
# Exits non-zero if the install, the lint or any test run fails. Lint and every test run
# go on even when another fails, so one run shows every problem. Safe to run repeatedly.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

# shellcheck source=scripts/venv.sh
source scripts/venv.sh
venv_ready ".[test]"
PYTHON="$VENV_PYTHON"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -qi emoji || missing+=(fonts-noto-color-emoji)
if ! command -v initdb >/dev/null 2>&1 \
    && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    missing+=(postgresql)
fi
command -v faketime >/dev/null 2>&1 || missing+=(faketime)
# OIDC browser tests (tests/browser/test_oidc.py): Debian's Node and npm.
{ command -v node && command -v npm; } >/dev/null 2>&1 || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
    step "apt-get install ${missing[*]}"
    apt_install "${missing[@]}"  # scripts/venv.sh
fi

status=0

step "ruff check ."
"$PYTHON" -m ruff check . || status=1

step "lint-imports (the layers in pyproject.toml)"
"$VENV_DIR/bin/lint-imports" || status=1

step "pytest $*"
"$PYTHON" -m pytest "$@" || status=$?

if [ "$#" -eq 0 ]; then
    sunday="$(date -d sunday +%F)"  # this week's Sunday (today, on a Sunday)
    fake_times=(
        "$sunday 23:57:00"
        "$(date -d "$sunday + 1 day" +%F) 00:03:00"
        "$(date -d "+3 years" '+%F %T')"
    )
    results=()
    for when in "${fake_times[@]}"; do
        step "pytest -m 'not browser and not postgres' under faketime '$when'"
        rc=0
        faketime "$when" "$PYTHON" -m pytest -p no:cacheprovider -m "not browser and not postgres" \
            || rc=$?
        results+=("faketime '$when': $([ "$rc" -eq 0 ] && echo passed || echo "FAILED (exit $rc)")")
        [ "$status" -ne 0 ] || status=$rc
    done
    step "faketime runs"
    printf '    %s\n' "${results[@]}"
fi

if [ "$status" -ne 0 ]; then
    printf '\nscripts/test.sh: FAILED (exit %s)\n' "$status" >&2
fi
exit "$status"
