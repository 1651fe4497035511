#!/bin/sh
# Run the frozen program the way a gate PC would, with nothing of the build
# machine's Python in reach: the offline demo, then the whole kiosk demo
# (enrolment, the video through the decoders, offscreen) against a sync server.
# The frozen kiosk has no server in it, as a gate PC has none: the demo's server
# is the second argument's program (the wheel's `admitone`, with admitone[server]).
# Fails loudly if any verdict differs from the wheel's.
set -eu
program="${1:-dist/admitone/admitone}"
server="${2:-.venv/bin/admitone}"
server="$(cd "$(dirname "$server")" && pwd)/$(basename "$server")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
run() {
    env -i PATH=/usr/bin:/bin HOME="$work" ADMITONE_DATA_DIR="$work" \
        ADMITONE_DEMO_SERVER="$server" "$program" "$@"
}

# The kiosk build carries no server: asking for one says what to install.
if run server init --database "sqlite:///$work/x.db" > "$work/server.txt" 2>&1; then
    echo "the frozen kiosk ran a server; it should not carry one" >&2; exit 1
fi
grep -q "admitone\[server\]" "$work/server.txt" || {
    cat "$work/server.txt"; echo "frozen kiosk: no clear word on the missing server" >&2; exit 1; }

run demo > "$work/offline.txt"
grep -q "journal: admitted 5, exited 1, invalid 1" "$work/offline.txt" || {
    cat "$work/offline.txt"; echo "frozen offline demo: unexpected verdicts" >&2; exit 1; }

run kiosk demo --workdir "$work/demo" --port 18645 > "$work/kiosk.txt" 2>&1 || {
    tail -40 "$work/kiosk.txt"; echo "frozen kiosk demo failed" >&2; exit 1; }
verdicts="$(grep '^  ' "$work/kiosk.txt" | awk '{print $1}' | tr '\n' ' ')"
expected="ADMITTED ADMITTED REVOKED INVALID ADMITTED NEEDS_EXIT_FIRST "
if [ "$verdicts" != "$expected" ]; then
    tail -40 "$work/kiosk.txt"
    echo "frozen kiosk demo gave: $verdicts; expected: $expected" >&2
    exit 1
fi
echo "frozen program OK: offline demo and kiosk demo give the expected verdicts"
