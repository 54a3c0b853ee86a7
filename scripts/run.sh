#!/usr/bin/env bash
# The README's first command: bash scripts/run.sh [streamlit run options...]
#
# Creates or updates .venv with the app installed (scripts/venv.sh), then starts
# `streamlit run streamlit_app.py` inside it, passing every argument through,
# e.g. bash scripts/run.sh --server.port 8502
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/venv.sh
source scripts/venv.sh
venv_ready .

exec "$VENV_PYTHON" -m streamlit run streamlit_app.py "$@"
