#!/bin/sh
# Set up everything the tests, benchmarks and demo need on a fresh Debian/Ubuntu
# machine: system packages (through apt, with sudo when not root), a Python >= 3.11,
# and the project's virtualenv with the dev extras.  Idempotent and quick when
# nothing is missing.
set -eu

VENV="${VENV:-.venv}"
# libzbar0: the ZBar decoder; postgresql: the server tests' throwaway cluster;
# the rest: what Qt needs to run offscreen and play sound (libpulse0 for QtMultimedia).
SYSTEM_PACKAGES="${SYSTEM_PACKAGES:-libzbar0 postgresql ca-certificates libglib2.0-0 libgl1 \
libegl1 libopengl0 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3 libpulse0 \
fonts-dejavu-core}"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

apt_install() {
    echo "bootstrap: installing system packages: $*" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@"
}

good_python() {
    command -v "$1" >/dev/null 2>&1 &&
        "$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}

pick_python() {
    for candidate in ${PYTHON:-} python3 python3.13 python3.12 python3.11; do
        if good_python "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
    for package in $SYSTEM_PACKAGES; do
        installed "$package" || missing="$missing $package"
    done
    if ! pick_python >/dev/null; then
        # Debian 12 / Ubuntu 24.04 have python3 >= 3.11 but without venv;
        # Ubuntu 22.04 needs the python3.11 packages.
        if python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            missing="$missing python3-venv python3-pip"
        else
            missing="$missing python3.11 python3.11-venv"
        fi
    fi
    # shellcheck disable=SC2086
    [ -z "$missing" ] || apt_install $missing
else
    echo "bootstrap: no dpkg here; install these yourself: $SYSTEM_PACKAGES" >&2
fi

PY="$(pick_python)" || {
    echo "bootstrap: no Python >= 3.11 with venv found; install python3.11 and python3.11-venv" >&2
    exit 1
}

if [ ! -x "$VENV/bin/python" ]; then
    echo "bootstrap: creating $VENV with $PY" >&2
    "$PY" -m venv "$VENV"
fi
stamp="$VENV/.installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e '.[dev]'
    touch "$stamp"
fi
