# Sourced (not run) by scripts/run.sh and scripts/test.sh, from the repository root:
#
#   source scripts/venv.sh
#   venv_ready ".[test]"        # or "." for the app alone
#
# Creates or updates the project's virtual environment .venv, so the README's commands work
# on a stock Python (Debian, Ubuntu and Homebrew refuse `pip install` outside a venv) and
# nobody has to activate anything:
#
#   1. the base interpreter: $PYTHON if set, else the first of python3, python, python3.13,
#      python3.12, python3.11 on PATH whose version is 3.11 or newer
#   2. .venv is (re)created when missing, broken, of another Python version, or moved; when
#      `-m venv` fails for want of ensurepip, Debian's python3.X-venv is installed with
#      apt-get (sudo when not root) and venv is tried again
#   3. pip is upgraded when older than 21.3 (no PEP 660 editable installs before)
#   4. `pip install -e TARGET` runs only when pyproject.toml changed since the last install
#      of that target (a hash stamp in .venv) or the project is not installed
#   5. exports VIRTUAL_ENV, PATH with .venv/bin first, and VENV_PYTHON
#
# Re-running is cheap: with nothing changed it starts no pip and no apt-get.

VENV_DIR="$PWD/.venv"
VENV_PYTHON="$VENV_DIR/bin/python"
VENV_MIN="3.11"

venv_step() { printf '\n==> %s\n' "$*"; }
venv_die() { printf 'scripts/venv.sh: %s\n' "$*" >&2; exit 1; }

# Exit status 0 when interpreter $1 runs and is Python 3.11 or newer.
venv_python_ok() {
    "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1
}

# Prints "3.11" for interpreter $1.
venv_python_version() {
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])'
}

# Prints the base interpreter's path (step 1), or stops with what to do.
venv_find_python() {
    if [ -n "${PYTHON:-}" ]; then
        venv_python_ok "$PYTHON" \
            || venv_die "PYTHON=$PYTHON is not a working Python $VENV_MIN or newer"
        command -v "$PYTHON"
        return
    fi
    local name
    for name in python3 python python3.13 python3.12 python3.11; do
        if command -v "$name" >/dev/null 2>&1 && venv_python_ok "$name"; then
            command -v "$name"
            return
        fi
    done
    venv_die "no Python $VENV_MIN or newer found on PATH (tried python3, python," \
        "python3.13, python3.12, python3.11); install one, or point PYTHON=/path/to/python3 at it"
}

# apt-get install "$@", non-interactively, with sudo when not root.
apt_install() {
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get -o Acquire::Retries=3 update -qq </dev/null
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get -o Acquire::Retries=3 -o Dpkg::Use-Pty=0 install -y -qq "$@" </dev/null
}

# Creates .venv from base interpreter $1 of version $2 (step 2), installing python3.X-venv when missing.
venv_create() {
    local base="$1" version="$2"
    venv_step "python -m venv .venv  ($base, Python $version)"
    if "$base" -m venv --clear "$VENV_DIR"; then
        return
    fi
    if "$base" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        venv_die "'$base -m venv .venv' failed (see above)"
    fi
    command -v apt-get >/dev/null 2>&1 \
        || venv_die "$base has no working venv/ensurepip module; install it and run again"
    venv_step "apt-get install python$version-venv"
    apt_install "python$version-venv"
    "$base" -m venv --clear "$VENV_DIR" || venv_die "'$base -m venv .venv' failed (see above)"
}

# When .venv runs Python $1 (e.g. 3.11), was made at this path and has pip, prints
# "HASH INSTALLED": pyproject.toml's sha256, and 1 when stride-check is installed, else 0.
# Fails otherwise. One interpreter start, so a run with nothing to do stays fast; -I keeps
# the working directory off sys.path (its stride_check.egg-info would say "installed").
venv_probe() {
    "$VENV_PYTHON" -I - "$1" "$VENV_DIR" 2>/dev/null <<'PY'
import hashlib, importlib.metadata, importlib.util, os, sys
version, venv = sys.argv[1:]
ok = (
    "%d.%d" % sys.version_info[:2] == version
    and os.path.realpath(sys.prefix) == os.path.realpath(venv)
    and importlib.util.find_spec("pip") is not None
)
if not ok:
    sys.exit(1)
try:
    importlib.metadata.version("stride-check")
    installed = 1
except importlib.metadata.PackageNotFoundError:
    installed = 0
with open("pyproject.toml", "rb") as f:
    print(hashlib.sha256(f.read()).hexdigest(), installed)
PY
}

# Makes .venv hold the project installed as TARGET ("." or ".[test]"), steps 1-5.
venv_ready() {
    local target="$1" base version probe hash stamp stamps
    export PIP_DISABLE_PIP_VERSION_CHECK=1
    export PIP_ROOT_USER_ACTION=ignore
    base="$(venv_find_python)" || exit 1
    version="$(venv_python_version "$base")" || exit 1
    if ! probe="$(venv_probe "$version")"; then
        venv_create "$base" "$version"
        probe="$(venv_probe "$version")" || venv_die "the new .venv does not work (see above)"
    fi
    hash="${probe% *}"

    # One stamp per target; "." is also satisfied by ".[test]", which installs more.
    stamp="$VENV_DIR/.installed-$(printf '%s' "$target" | tr -c 'A-Za-z0-9' '_')"
    stamps=("$stamp")
    [ "$target" != "." ] || stamps=("$VENV_DIR"/.installed-*)
    if [ "${probe#* }" != 1 ] || ! grep -qsxF "$hash" "${stamps[@]}"; then
        if ! "$VENV_PYTHON" -c 'import pip, sys
sys.exit(tuple(int(p) for p in pip.__version__.split(".")[:2]) < (21, 3))'; then
            venv_step "pip install --upgrade pip  (older than 21.3: no editable installs)"
            "$VENV_PYTHON" -m pip install --quiet --upgrade pip
        fi
        venv_step "pip install -e $target  (into .venv)"
        rm -f "$stamp"
        "$VENV_PYTHON" -m pip install --quiet -e "$target"
        printf '%s\n' "$hash" >"$stamp"
    fi

    export VIRTUAL_ENV="$VENV_DIR"
    export PATH="$VENV_DIR/bin:$PATH"
}
