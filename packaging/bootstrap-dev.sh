#!/bin/sh
# Set up everything the tests, benchmarks and demo need on a fresh Debian/Ubuntu
# machine: system packages (through apt, with sudo when not root), a Python >= 3.11,
# and the project's virtualenv with the dev extras.  Idempotent and quick when
# nothing is missing.
set -eu

VENV="${VENV:-.venv}"
# libzbar0: the ZBar decoder; postgresql: the server tests' throwaway cluster;
# libglib2.0-0 … libpulse0: what Qt needs to run offscreen and play sound (libpulse0
# for QtMultimedia); libxcb-* and libxkbcommon-x11-0: Qt's xcb platform plugin, for a
# real window on an X display; xvfb, xauth and openbox: the suite's real-window tests
# and `make screenshots` (an X server with and without a window manager); x11-utils:
# xdpyinfo, which tells when an X server is ready; poppler-utils: pdftoppm and
# pdftotext, which the PDF ticket tests render and read with.
SYSTEM_PACKAGES="${SYSTEM_PACKAGES:-libzbar0 postgresql ca-certificates libglib2.0-0 libgl1 \
libegl1 libopengl0 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3 libpulse0 \
fonts-dejavu-core libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \
libxcb-render-util0 libxcb-randr0 libxcb-shape0 libxcb-xfixes0 libxcb-xinerama0 \
libxcb-xkb1 libxkbcommon-x11-0 libx11-xcb1 xvfb xauth openbox x11-utils \
chromium chromium-driver poppler-utils}"

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

# good_python CANDIDATE MINOR: CANDIDATE runs (a pyenv shim for a version that is not
# selected does not) and is Python >= 3.MINOR with venv.
good_python() {
    command -v "$1" >/dev/null 2>&1 &&
        "$1" -c "import sys, venv, ensurepip; sys.exit(sys.version_info < (3, $2))" 2>/dev/null
}

# Python >= 3.12 wherever the machine has one: on 3.11, PySide6 6.12 loses a reference
# to True or False with every bool signal and the kiosk aborts within minutes
# ("bool_dealloc"); from 3.12 on they are immortal.  pyproject.toml keeps 3.11 on a
# PySide6 without the bug, so 3.11 still works where nothing newer exists.
pick_python() {
    pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
    for candidate in ${PYTHON:-} python3 python3.13 python3.12 \
        $(ls -d "$pyenv_root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV) \
        /usr/bin/python3.13 /usr/bin/python3.12; do
        if good_python "$candidate" 12; then
            command -v "$candidate"
            return 0
        fi
    done
    for candidate in python3 python3.11; do
        if good_python "$candidate" 11; then
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

# A virtualenv made by an older bootstrap on 3.11 is made again on the newer Python.
if [ -x "$VENV/bin/python" ] &&
    ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null &&
    "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
    echo "bootstrap: $VENV is older than $PY; making it again" >&2
    rm -rf "$VENV"
fi
if [ ! -x "$VENV/bin/python" ]; then
    echo "bootstrap: creating $VENV with $PY" >&2
    "$PY" -m venv "$VENV"
fi
stamp="$VENV/.installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip
    # OpenCV comes as the contrib build; a plain wheel left from before shares its cv2
    # folder, so it goes and the contrib build is laid down afresh.
    if "$VENV/bin/python" -m pip show -q opencv-python-headless >/dev/null 2>&1; then
        "$VENV/bin/python" -m pip uninstall -q -y opencv-python-headless
        "$VENV/bin/python" -m pip install -q --force-reinstall --no-deps opencv-contrib-python-headless
    fi
    "$VENV/bin/python" -m pip install -q -e '.[kiosk,server,dev]'
    touch "$stamp"
fi
